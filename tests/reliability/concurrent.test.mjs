// Concurrent organisers (docs/RELIABILITY.md, "Isolation of changes"): 16 WebSocket clients,
// each with its own organiser token, send random commands with random stale `base` values to
// one plan while subscribed to it. Afterwards, against the event log:
//   - every acknowledged change is in the log, as acknowledged;
//   - every conflict reported was real: an event after the base changed one of the fields the
//     command changes, or removed the entity (and the events the 409 names are the log's);
//   - no accepted command overwrote a field changed after its base (no lost update);
//   - the live view equals a replay of the log (now and at past revisions) and survives a restart;
//   - every subscriber saw exactly the log's sequence of events after its snapshot.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import {
  startServer, createPlan, issueToken, command, WsClient, rng, seedFromEnv, sleep, api, tempDir,
} from './lib/harness.mjs';
import { checkLog, commandRuns, checkAcked, checkViewsEqualReplay } from './lib/checks.mjs';
import { changesAny, touches, commandTarget } from './lib/fields.mjs';

const CLIENTS = Number(process.env.RELIABILITY_ORGANISERS || 16);
const COMMANDS = Number(process.env.RELIABILITY_COMMANDS || 40);  // per client
const PLAN = 'busy';
const VENUES = ['v1', 'v2', 'v3', 'v4'];
const PEOPLE = ['p1', 'p2', 'p3', 'p4', 'p5', 'p6'];
const ITEMS = Array.from({ length: 10 }, (_, i) => `it${i}`);
const DOOMED = ['gone1', 'gone2', 'gone3', 'gone4'];  // items some organisers remove
const PLEDGES = ['pl1', 'pl2', 'pl3'];

async function seedPlan(server) {
  await createPlan(server, PLAN);
  const cmds = [];
  for (const v of VENUES) cmds.push({ type: 'add-venue', data: { venue: v, name: `Venue ${v}`, room: 'A' } });
  for (const p of PEOPLE) cmds.push({ type: 'add-person', data: { person: p, name: `Person ${p}`, role: 'guest' } });
  [...ITEMS, ...DOOMED].forEach((it, i) => cmds.push({
    type: 'schedule-item',
    data: { item: it, title: `Item ${it}`, venue: VENUES[i % VENUES.length], speakers: [PEOPLE[i % PEOPLE.length]],
      start: { local: `2024-05-15T${String(8 + (i % 10)).padStart(2, '0')}:00` }, end: { local: `2024-05-15T${String(9 + (i % 10)).padStart(2, '0')}:00` } },
  }));
  for (const pl of PLEDGES) cmds.push({ type: 'make-pledge', data: { pledge: pl, by: { municipality: 'Ādažu novads' }, title: `Pledge ${pl}`, sdgs: [13] } });
  for (const c of cmds) {
    const res = await command(server, PLAN, c);
    assert.equal(res.status, 200, res.text);
  }
}

function randomCommand(r, n) {
  const item = r.pick(ITEMS);
  const hour = r.int(7, 18);
  const hh = (h) => String(h).padStart(2, '0');
  switch (r.int(0, 15)) {
    case 0: return { type: 'reschedule-item', data: { item, start: { local: `2024-05-15T${hh(hour)}:00` }, end: { local: `2024-05-15T${hh(hour)}:50` } } };
    case 1: return { type: 'reschedule-item', data: { item, end: { local: `2024-05-16T${hh(hour)}:10` } } };
    case 2: return { type: 'edit-item', data: { item, title: `T${n}` } };
    case 3: return { type: 'edit-item', data: r.chance(0.5) ? { item, description: `D${n}`, track: `t${r.int(1, 3)}` } : { item, track: `t${r.int(1, 3)}` } };
    case 4: return { type: 'set-item-status', data: { item, status: r.pick(['confirmed', 'tentative', 'cancelled']) } };
    case 5: return { type: 'set-item-venue', data: { item, venue: r.chance(0.2) ? null : r.pick(VENUES) } };
    case 6: return { type: 'tag-item', data: { item, sdgs: [r.int(1, 17)] } };
    case 7: return { type: 'assign-speaker', data: { item, person: r.pick(PEOPLE) } };
    case 8: return { type: 'unassign-speaker', data: { item, person: r.pick(PEOPLE) } };
    case 9: return { type: 'update-venue', data: r.chance(0.5) ? { venue: r.pick(VENUES), name: `V${n}` } : { venue: r.pick(VENUES), room: `R${n}` } };
    case 10: return { type: 'update-person', data: { person: r.pick(PEOPLE), role: `role ${n}` } };
    case 11: return { type: 'report-pledge-progress', data: { pledge: r.pick(PLEDGES), percent: r.int(0, 100) } };
    case 12: return { type: 'set-pledge-status', data: { pledge: r.pick(PLEDGES), status: r.pick(['committed', 'in-progress', 'fulfilled']), note: `n${n}` } };
    case 13: return { type: 'set-day', data: { date: '2024-05-16', title: `Day ${n}` } };
    case 14: return r.chance(0.5)
      ? { type: 'remove-item', data: { item: r.pick(DOOMED) } }
      : { type: 'edit-item', data: { item: r.pick(DOOMED), title: `Doomed ${n}` } };
    default: return { type: 'update-plan', data: { description: `Plan text ${n}` } };
  }
}

test(`${CLIENTS} organisers with stale bases on one plan: conflicts are real, nothing is lost`, { timeout: 10 * 60 * 1000 }, async () => {
  const seed = seedFromEnv();
  const r = rng(seed);
  const server = await startServer({ args: ['--rate', '0'] });
  const figures = { commands: 0, acked: 0, conflicts: 0, stateConflicts: 0, otherRejections: 0, staleAccepted: 0, subscriberEvents: 0 };
  try {
    await seedPlan(server);
    const clients = [];
    for (let c = 0; c < CLIENTS; c++) {
      const { token } = await issueToken(server, 'organiser', [PLAN], `Organiser ${c}`);
      const ws = await WsClient.open(server, token);
      const state = { ws, snapshot: 0, events: [], latest: 0 };
      ws.listen((m) => {
        if (m.type === 'event' && m.plan === PLAN) {
          state.events.push({ revision: m.event.revision, hash: m.event.hash });
          state.latest = m.event.revision;
          m.consumed = true;
        }
      });
      ws.send({ type: 'subscribe', plan: PLAN });
      const snap = await ws.next((m) => m.type === 'snapshot');
      state.snapshot = state.latest = snap.revision;
      clients.push(state);
    }

    const records = [];
    await Promise.all(clients.map(async (st, c) => {
      for (let i = 0; i < COMMANDS; i++) {
        const cmd = randomCommand(r, `${c}-${i}`);
        cmd.id = `cc-${c}-${i}`;
        // A base from the recent past of what this client has seen; sometimes none.
        if (!r.chance(0.1)) cmd.base = Math.max(1, st.latest - r.int(0, 12));
        const reply = await st.ws.command(PLAN, cmd, 60000);
        records.push({ cmd, reply });
        if (r.chance(0.2)) await sleep(r.int(0, 5));
      }
    }));
    figures.commands = records.length;

    const events = await checkLog(server, PLAN);
    const runs = commandRuns(PLAN, events);
    for (const { cmd, reply } of records) {
      if (reply.type === 'ack') {
        figures.acked++;
        assert.ok(!reply.duplicate, `${cmd.id}: a fresh id answered as a duplicate`);
        checkAcked(PLAN, events, runs, cmd.id, reply);
        // No lost update: nothing between the base and this command changed what it changed.
        if (cmd.base === undefined) continue;
        let stale = false;
        for (const ev of reply.events) {
          const t = touches(ev);
          for (let rev = cmd.base + 1; rev < ev.revision; rev++) {
            const other = events[rev - 1];
            const hit = t.shape === 'removed' ? changesAny(other, t.kind, t.id, null) : changesAny(other, t.kind, t.id, t.fields);
            assert.ok(!hit, `${cmd.id} (${cmd.type} ${JSON.stringify(cmd.data)}, base ${cmd.base}) was accepted at revision ${ev.revision} ` +
              `although revision ${rev} (${other.type} ${JSON.stringify(other.data)}) changed the same field after the base`);
            stale = stale || other !== undefined;
          }
        }
        if (stale) figures.staleAccepted++;
        continue;
      }
      assert.ok(!runs.has(cmd.id), `rejected ${cmd.id} is in the log`);
      const err = reply.error;
      if (err.code !== 'conflict') {
        // Domain refusals that do not depend on the base: a removed doomed item, a venue that
        // no longer exists, a cleared field that cannot be cleared.
        assert.ok(['not_found', 'invalid'].includes(err.code), `${cmd.id}: unexpected ${JSON.stringify(err)}`);
        figures.otherRejections++;
        continue;
      }
      if (!err.entity) {
        // A 409 from the state, not the base (a speaker already there, not there; progress
        // reported on a pledge fulfilled meanwhile).
        assert.ok(['assign-speaker', 'unassign-speaker', 'report-pledge-progress'].includes(cmd.type), `${cmd.id}: 409 without an entity: ${JSON.stringify(err)}`);
        if (cmd.type === 'report-pledge-progress') assert.match(err.message, /is fulfilled/, `${cmd.id}: ${JSON.stringify(err)}`);
        figures.stateConflicts++;
        continue;
      }
      figures.conflicts++;
      assert.ok(cmd.base !== undefined, `${cmd.id}: a conflict without a base`);
      const target = commandTarget(cmd);
      assert.equal(err.entity.kind, target.kind, `${cmd.id}: conflict on another kind`);
      assert.equal(err.entity.id, target.id, `${cmd.id}: conflict on another entity`);
      const claimed = err.fields || [];
      if (target.fields) for (const f of claimed) assert.ok(target.fields.includes(f), `${cmd.id}: conflict on field ${f}, which it does not change`);
      // Real: some event after the base changed a claimed field, or removed the entity.
      const wanted = claimed.length ? claimed : null;
      const culprit = events.find((e) => e.revision > cmd.base && changesAny(e, target.kind, target.id, wanted) &&
        (wanted !== null || target.fields === null || touches(e).shape === 'removed'));
      assert.ok(culprit, `${cmd.id}: 409 ${err.message}, but no event after base ${cmd.base} changed ${claimed.join(',') || 'the entity'}`);
      // The events the 409 names are the log's own.
      for (const e of err.events || []) assert.equal(events[e.revision - 1].hash, e.hash, `${cmd.id}: the 409 names an event not in the log`);
      assert.ok((err.events || []).some((e) => e.revision > cmd.base), `${cmd.id}: the 409 names no event after the base: ${JSON.stringify({ cmd, err }).slice(0, 3000)}`);
    }
    assert.ok(figures.conflicts > 0, 'the run produced no conflicts: the test is too gentle');
    assert.ok(figures.acked > figures.commands / 4, `too few commands went through: ${JSON.stringify(figures)}`);

    // Every subscriber saw the log's sequence after its snapshot, each event once, in order.
    for (const [c, st] of clients.entries()) {
      const deadline = Date.now() + 30000;
      while (st.latest < events.length && Date.now() < deadline) await sleep(20);
      assert.deepEqual(st.events, events.slice(st.snapshot).map((e) => ({ revision: e.revision, hash: e.hash })), `subscriber ${c}`);
      figures.subscriberEvents += st.events.length;
      st.ws.close();
    }

    // The live view is a replay of the log, now and in the past; and so after a restart.
    const past = [1, r.int(2, events.length), r.int(2, events.length), events.length - 1];
    await checkViewsEqualReplay(server, [PLAN], { [PLAN]: past });
    const before = await api.get(server, `/api/plans/${PLAN}`);
    assert.equal((await server.stop('SIGTERM')).code, 0);
    const again = await startServer({ dataDir: server.data, args: ['--rate', '0'] });
    try {
      const after = await api.get(again, `/api/plans/${PLAN}`);
      assert.deepEqual(after.json, before.json, 'the view after a restart differs');
    } finally {
      await again.kill();
    }
    console.log(`# concurrent figures ${JSON.stringify(figures)}`);
    if (process.env.RELIABILITY_FIGURES) writeFileSync(process.env.RELIABILITY_FIGURES, JSON.stringify({ suite: 'concurrent', seed, ...figures }) + '\n', { flag: 'a' });
  } finally {
    await server.cleanup();
  }
});
