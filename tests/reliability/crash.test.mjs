// Crash safety (docs/RELIABILITY.md, "Durability"): a real server under load from several
// WebSocket clients is killed with SIGKILL at random moments and restarted on the same data
// directory. After every restart:
//   - every acknowledged command is in the log exactly once, with the revisions and hashes
//     its ack named; every command id in the log is one run of revisions;
//   - commands whose answer was lost in the crash, sent again with the same id, are applied
//     exactly once (a duplicate answer when they had been applied before the crash);
//   - the hash chains verify (GET …/verify, and `kartiba admin verify` on a copy of the
//     directory as the crash left it);
//   - every view, now and at past revisions, equals a fresh replay of the log;
//   - clients resuming with `from` see every event once, in order, none missed.
// RELIABILITY_KILLS (default 6) sets the number of kills; tools/reliability/crash-loop.sh
// runs hundreds. RELIABILITY_SEED repeats a run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  startServer, createPlan, issueToken, command, WsClient, tempDir, rng, seedFromEnv, sleep, adminVerify, api,
  ADMIN_TOKEN,
} from './lib/harness.mjs';
import { checkLog, commandRuns, checkAcked, checkViewsEqualReplay } from './lib/checks.mjs';

const KILLS = Number(process.env.RELIABILITY_KILLS || 6);
const CLIENTS = Number(process.env.RELIABILITY_CLIENTS || 6);
const IN_FLIGHT = 4;            // commands each client keeps in flight
const PLANS = ['crash-a', 'crash-b'];
const HOURS = [7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18];

// One organiser's commands: items it schedules, edits, moves, tags; people; day titles.
function makeCommand(r, client, n, known) {
  const plan = r.pick(PLANS);
  const items = known[plan];
  const id = `k${client}-${n}-${r.int(0, 1e9).toString(36)}`;
  const kind = items.length < 3 ? 0 : r.int(0, 9);
  const hour = r.pick(HOURS);
  const t = (h, m = 0) => ({ local: `2024-05-1${r.int(5, 7)}T${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}` });
  let cmd;
  switch (kind) {
    case 0: case 1: case 2: {
      const start = t(hour);
      const end = { local: start.local.slice(0, 11) + `${String(hour + 1).padStart(2, '0')}:30` };
      cmd = { type: 'schedule-item', data: { item: `it-${id}`, title: `Item ${id}`, start, end, description: 'x'.repeat(r.int(0, 600)) } };
      break;
    }
    case 3: cmd = { type: 'edit-item', data: { item: r.pick(items), title: `Title ${id}` } }; break;
    case 4: {
      const d = `2024-05-1${r.int(5, 7)}`;
      cmd = { type: 'reschedule-item', data: { item: r.pick(items), start: { local: `${d}T${String(hour).padStart(2, '0')}:00` }, end: { local: `${d}T${String(hour).padStart(2, '0')}:45` } } };
      break;
    }
    case 5: cmd = { type: 'set-item-status', data: { item: r.pick(items), status: r.pick(['confirmed', 'tentative', 'cancelled']) } }; break;
    case 6: cmd = { type: 'tag-item', data: { item: r.pick(items), sdgs: [r.int(1, 17)] } }; break;
    case 7: cmd = { type: 'add-person', data: { person: `pe-${id}`, name: `Person ${id}` } }; break;
    case 8: cmd = { type: 'set-day', data: { date: `2024-05-1${r.int(5, 7)}`, title: `Day ${id}` } }; break;
    default: cmd = { type: 'edit-item', data: { item: r.pick(items), description: `d ${id}`.repeat(r.int(1, 50)) } };
  }
  return { plan, command: { id: `c-${id}`, reason: r.chance(0.3) ? `because ${id}` : undefined, ...cmd } };
}

// An hour, or a minute per kill for the longer runs (each restart compares every view with a
// fresh replay of a log that keeps growing: 100 kills took 62 minutes on a loaded machine).
test(`SIGKILL under load, ${KILLS} times: acknowledged commands survive exactly once`, { timeout: Math.max(60, KILLS) * 60 * 1000 }, async () => {
  const seed = seedFromEnv();
  const r = rng(seed);
  const root = tempDir('kartiba-crash-');
  const dataDir = join(root, 'data');
  const copyDir = join(root, 'copy');
  let server = await startServer({ dataDir, args: ['--rate', '0'] });
  const figures = { kills: 0, acked: 0, retried: 0, retriedDuplicates: 0, eventsChecked: 0, resumes: 0 };
  try {
    for (const p of PLANS) await createPlan(server, p);
    // Seed items so every client has something to edit from its first command.
    const known = Object.fromEntries(PLANS.map((p) => [p, []]));
    for (const p of PLANS) {
      for (let i = 0; i < 3; i++) {
        const res = await command(server, p, { id: `seed-${p}-${i}`, type: 'schedule-item', data: { item: `seed-${i}`, title: `Seed ${i}`, start: { local: '2024-05-15T09:00' }, end: { local: '2024-05-15T10:00' } } });
        assert.equal(res.status, 200, res.text);
        known[p].push(`seed-${i}`);
      }
    }
    const tokens = [];
    for (let c = 0; c < CLIENTS; c++) tokens.push((await issueToken(server, 'organiser', PLANS, `Organiser ${c}`)).token);

    // What the test knows: every command sent and its fate; every event each client saw.
    const sent = new Map();   // id → {plan, command, state: 'acked'|'rejected'|'unknown', ack}
    const seen = Array.from({ length: CLIENTS }, () => Object.fromEntries(PLANS.map((p) => [p, []])));  // hashes by revision-1
    const problems = [];

    const runClient = async (c, stopAt) => {
      const ws = await WsClient.open(server, tokens[c]);
      // Events arrive in order, each once: checked as they come.
      ws.listen((m) => {
        if (m.type === 'event') {
          const list = seen[c][m.plan];
          if (m.event.revision !== list.length + 1) {
            problems.push(`client ${c} ${m.plan}: got revision ${m.event.revision} after ${list.length}`);
          } else {
            list.push(m.event.hash);
          }
          m.consumed = true;
        } else if (m.type === 'lagging') {
          problems.push(`client ${c}: lagging on ${m.plan} (not expected at this load)`);
        }
      });
      // Resume every plan from the last revision this client saw (0 = from the start).
      for (const p of PLANS) ws.send({ type: 'subscribe', plan: p, from: seen[c][p].length });
      figures.resumes += PLANS.length;
      let n = 0;
      const inflight = new Set();
      const one = async () => {
        const { plan, command: cmd } = makeCommand(r, c, `${figures.kills}-${n++}`, known);
        const entry = { plan, command: cmd, state: 'unknown' };
        sent.set(cmd.id, entry);
        inflight.add(cmd.id);
        try {
          ws.send({ type: 'command', plan, command: cmd });
          const reply = await ws.next((m) => (m.type === 'ack' || m.type === 'rejected') && m.id === cmd.id, 30000);
          if (reply.type === 'ack') {
            entry.state = 'acked';
            entry.ack = reply;
            if (cmd.type === 'schedule-item') known[plan].push(cmd.data.item);
          } else {
            entry.state = 'rejected';
            entry.error = reply.error;
          }
        } finally {
          inflight.delete(cmd.id);
        }
      };
      const workers = Array.from({ length: IN_FLIGHT }, async () => {
        while (Date.now() < stopAt && ws.open) {
          try { await one(); } catch { break; }  // the server went away: the answer is lost
        }
      });
      await Promise.race([Promise.all(workers), ws.closed]);
      return ws;
    };

    for (let round = 0; round <= KILLS; round++) {
      const last = round === KILLS;
      // Load for a random time, then (except in the last round) SIGKILL.
      const loadMs = last ? 800 : r.int(150, 1500);
      const stopAt = Date.now() + (last ? loadMs : 1e9);
      const clients = Array.from({ length: CLIENTS }, (_, c) => runClient(c, stopAt));
      if (!last) {
        await sleep(loadMs);
        await server.kill();
        figures.kills++;
      }
      const sockets = await Promise.all(clients);
      if (last) {
        // Let every subscriber catch up, then compare what each saw with the log.
        for (const p of PLANS) {
          const events = await checkLog(server, p);
          for (let c = 0; c < CLIENTS; c++) {
            const deadline = Date.now() + 60000;
            while (seen[c][p].length < events.length && Date.now() < deadline) await sleep(50);
            assert.deepEqual(seen[c][p], events.map((e) => e.hash), `client ${c} on ${p}: not every event exactly once`);
          }
        }
        for (const ws of sockets) ws.close();
      } else {
        for (const ws of sockets) ws.terminate();
        // The directory as the crash left it: every hash chain intact.
        rmSync(copyDir, { recursive: true, force: true });
        cpSync(dataDir, copyDir, { recursive: true });
        const offline = adminVerify(copyDir);
        if (offline) {
          assert.equal(offline.status, 0, `admin verify after kill ${figures.kills}: ${offline.stdout}${offline.stderr}`);
          assert.equal(offline.json.ok, true, offline.stdout);
          assert.equal(offline.json.plans.length, PLANS.length, offline.stdout);
        }
        server = await startServer({ dataDir, args: ['--rate', '0'] });
      }
      assert.deepEqual(problems, []);

      // Every acknowledged command exactly once; unknown ones retried with their id.
      const logs = {};
      for (const p of PLANS) {
        const events = await checkLog(server, p);
        const runs = commandRuns(p, events);
        logs[p] = { events, runs };
        for (const [id, run] of runs) {
          if (id.startsWith('seed-') || run[0] === 1) continue;  // the seed and the plan's creation
          assert.ok(sent.has(id), `${p}: command ${id} in the log was never sent`);
          assert.equal(sent.get(id).plan, p, `${id} landed on the wrong plan`);
        }
      }
      for (const [id, entry] of sent) {
        const { events, runs } = logs[entry.plan];
        if (entry.state === 'acked') {
          checkAcked(entry.plan, events, runs, id, entry.ack);
        } else if (entry.state === 'rejected') {
          assert.ok(!runs.has(id), `rejected command ${id} is in the log`);
        } else {
          // The answer was lost: the same id again gives the first answer, or applies it now.
          const wasApplied = runs.has(id);
          const res = await command(server, entry.plan, entry.command, ADMIN_TOKEN);
          figures.retried++;
          if (res.status === 200) {
            assert.equal(Boolean(res.json.duplicate), wasApplied, `retry of ${id}: duplicate=${res.json.duplicate} but applied before: ${wasApplied}`);
            if (wasApplied) {
              figures.retriedDuplicates++;
              assert.deepEqual(res.json.events.map((e) => e.revision), runs.get(id));
            }
            entry.state = 'acked';
            entry.ack = res.json;
            if (entry.command.type === 'schedule-item') known[entry.plan].push(entry.command.data.item);
          } else {
            assert.ok(!wasApplied, `retry of applied command ${id} was refused: ${res.text}`);
            entry.state = 'rejected';
          }
        }
      }
      // The retries are in the log too, once.
      const pastRevisions = {};
      for (const p of PLANS) {
        const events = await checkLog(server, p);
        const runs = commandRuns(p, events);
        for (const [id, entry] of sent) if (entry.plan === p && entry.state === 'acked') checkAcked(p, events, runs, id, entry.ack);
        figures.eventsChecked += events.length;
        pastRevisions[p] = [1, r.int(1, events.length), r.int(1, events.length), events.length];
      }
      await checkViewsEqualReplay(server, PLANS, pastRevisions);
    }
    figures.acked = [...sent.values()].filter((e) => e.state === 'acked').length;
    figures.rejected = [...sent.values()].filter((e) => e.state === 'rejected').length;
    console.log(`# crash figures ${JSON.stringify(figures)}`);
    if (process.env.RELIABILITY_FIGURES) writeFileSync(process.env.RELIABILITY_FIGURES, JSON.stringify({ seed, ...figures }) + '\n', { flag: 'a' });
    assert.equal(figures.kills, KILLS);
    assert.ok(figures.acked > KILLS * 10, `too few commands acknowledged to mean anything: ${figures.acked}`);
  } finally {
    await server.cleanup();
    rmSync(root, { recursive: true, force: true });
  }
});
