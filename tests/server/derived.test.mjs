// Derived frames (docs/PROTOCOL.md, "Derived frames"): what the view derives arrives with the
// live stream, and after applying each frame a client holds exactly the view's derived parts at
// that frame's revision. Rendered once per change for all subscribers, only for plans that
// have subscribers.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, api, createPlan, command, scheduleItem, Client, ADMIN_TOKEN,
} from './lib/server.mjs';
import { applyDerived, DERIVED_KEYS } from '../../clients/web/js/derived.js';

const pick = (view) => Object.fromEntries(DERIVED_KEYS.map((k) => [k, view[k]]));

async function metric(s, name) {
  const res = await api.get(s, '/metrics');
  const m = new RegExp(`^${name} (\\d+)$`, 'm').exec(res.text);
  assert.ok(m, `${name} in /metrics`);
  return Number(m[1]);
}

async function waitFor(check, what, timeoutMs = 10000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

// Changes that move every derived part: a room conflict, SDG tags, a pledge and its progress,
// a day outside the plan's dates, a cancellation that ends a conflict. Latvian text throughout.
const CHANGES = [
  { type: 'add-venue', data: { venue: 'zale', name: 'Lielā zāle, Ādaži' } },
  scheduleItem('a', 10, { venue: 'zale', title: 'Tikšanās ar Ķekavas novadu', sdgs: [4, 13] }),
  scheduleItem('b', 10, { venue: 'zale', title: 'Ģimeņu diena', sdgs: [13] }),
  { type: 'make-pledge', data: { pledge: 'p1', by: { municipality: 'Ādažu novads' }, title: 'Zaļā skola', sdgs: [4] } },
  { type: 'set-pledge-status', data: { pledge: 'p1', status: 'in-progress' } },
  { type: 'report-pledge-progress', data: { pledge: 'p1', percent: 40, note: 'Pusceļā' } },
  { type: 'tag-item', data: { item: 'a', sdgs: [4, 11, 13] } },
  { type: 'reschedule-item', data: { item: 'b', start: { local: '2024-05-20T09:00' }, end: { local: '2024-05-20T10:00' } } },
  { type: 'set-item-status', data: { item: 'a', status: 'cancelled' } },
  { type: 'edit-item', data: { item: 'b', title: 'Ģimeņu diena — pārcelta' } },
];

describe('derived frames', () => {
  let s;
  before(async () => { s = await startServer({ args: ['--rate', '0'] }); });
  after(async () => { await s.cleanup(); });

  test('each frame, applied, equals the view\'s derived parts at its revision', async () => {
    const plan = await createPlan(s);
    const c = await Client.open(s, ADMIN_TOKEN);
    c.send({ type: 'subscribe', plan });
    const snap = await c.next((m) => m.type === 'snapshot');
    const view = structuredClone(snap.view);
    let at = snap.revision;
    let last = snap.revision;
    for (const change of CHANGES) {
      const res = await command(s, plan, change);
      assert.equal(res.status, 200, res.text);
      last = res.json.revision;
    }
    const seen = [];
    let deltas = 0;
    while (at < last) {
      const frame = await c.next((m) => m.type === 'derived');
      assert.equal(frame.plan, plan);
      if (frame.patch) deltas += 1;
      const next = applyDerived(view, at, frame);
      assert.notEqual(next, null, `frame at ${frame.revision} applies to parts at ${at}`);
      at = next;
      seen.push({ revision: at, parts: structuredClone(pick(view)) });
    }
    assert.equal(at, last, 'the last frame is at the plan\'s last revision');
    assert.ok(deltas > 0, 'small changes come as deltas');
    for (const { revision, parts } of seen) {
      const res = await api.get(s, `/api/plans/${plan}?at=${revision}`);
      assert.equal(res.status, 200);
      assert.deepEqual(parts, pick(res.json), `derived parts at revision ${revision}`);
    }
    // The changes did move every part.
    const first = await api.get(s, `/api/plans/${plan}?at=${snap.revision}`);
    for (const k of ['conflicts', 'sdg_coverage', 'pledge_board', 'days']) {
      assert.ok(seen.some((x) => JSON.stringify(x.parts[k]) !== JSON.stringify(first.json[k])), `${k} changed`);
    }
    assert.ok(seen.some((x) => x.parts.conflicts.some((cf) => cf.kind === 'room')), 'a room conflict was seen');
    c.close();
  });

  test('a derived frame never runs ahead of the events the client has', async () => {
    const plan = await createPlan(s);
    const c = await Client.open(s, ADMIN_TOKEN);
    c.send({ type: 'subscribe', plan });
    const snap = await c.next((m) => m.type === 'snapshot');
    let last = snap.revision;
    for (let i = 0; i < 8; i++) last = (await command(s, plan, scheduleItem(`x${i}`, 8 + i))).json.revision;
    await c.next((m) => m.type === 'derived' && m.revision === last);
    // Replay the arrival order: every derived frame came after the event of its revision.
    let eventsAt = snap.revision;
    for (const m of c.arrivals) {
      if (m.type === 'event') eventsAt = m.event.revision;
      if (m.type === 'derived') assert.ok(m.revision <= eventsAt, `derived ${m.revision} after events up to ${eventsAt}`);
    }
    c.close();
  });

  test('resuming with `from`: a whole frame at the current revision, equal to the view', async () => {
    const plan = await createPlan(s);
    const rev = (await command(s, plan, scheduleItem('r1', 9, { sdgs: [16] }))).json.revision;
    await command(s, plan, scheduleItem('r2', 9, { sdgs: [5] }));
    const last = (await command(s, plan, { type: 'tag-item', data: { item: 'r1', sdgs: [16, 17] } })).json.revision;
    const c = await Client.open(s, ADMIN_TOKEN);
    c.send({ type: 'subscribe', plan, from: rev });
    const frame = await c.next((m) => m.type === 'derived' && m.revision === last);
    assert.ok(frame.derived, 'a resumed client gets the whole derived parts first');
    const view = await api.get(s, `/api/plans/${plan}`);
    assert.deepEqual(frame.derived, pick(view.json));
    // And the events it missed, in order.
    const events = await c.events(plan, last - rev);
    assert.deepEqual(events.map((m) => m.event.revision), [rev + 1, last]);
    c.close();
  });

  test('rendered once per change for every subscriber, and not for plans nobody watches', async () => {
    const watched = await createPlan(s);
    const unwatched = await createPlan(s);
    const clients = [];
    for (let i = 0; i < 5; i++) {
      const c = await Client.open(s, ADMIN_TOKEN);
      c.send({ type: 'subscribe', plan: watched });
      await c.next((m) => m.type === 'snapshot');
      clients.push(c);
    }
    await waitFor(async () => (await metric(s, 'kartiba_derived_feeds')) >= 1, 'a feed');
    const renders0 = await metric(s, 'kartiba_derived_renders_total');
    let last = 0;
    for (let i = 0; i < 6; i++) last = (await command(s, watched, scheduleItem(`w${i}`, 8 + i))).json.revision;
    const frames = await Promise.all(clients.map((c) => c.next((m) => m.type === 'derived' && m.revision === last)));
    // The same frame for all of them.
    for (const f of frames) assert.deepEqual(f, frames[0]);
    const renders = (await metric(s, 'kartiba_derived_renders_total')) - renders0;
    // At most one per change (fewer when coalesced), plus perhaps the feed's first: never one per subscriber.
    assert.ok(renders >= 1 && renders <= 7, `renders for 6 changes and 5 subscribers: ${renders}`);
    // Changes to a plan without subscribers render nothing.
    const before = await metric(s, 'kartiba_derived_renders_total');
    for (let i = 0; i < 4; i++) await command(s, unwatched, scheduleItem(`u${i}`, 8 + i));
    // Once the watched plan's frames for a later change arrived, any render of the other would have happened.
    const marker = (await command(s, watched, scheduleItem('w-last', 18))).json.revision;
    await clients[0].next((m) => m.type === 'derived' && m.revision === marker);
    assert.equal((await metric(s, 'kartiba_derived_renders_total')) - before, 1);
    for (const c of clients) c.close();
    await waitFor(async () => (await metric(s, 'kartiba_derived_feeds')) === 0, 'the feed to end with its last subscriber');
  });
});
