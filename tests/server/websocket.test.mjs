// The WebSocket protocol of SPEC.md against the real server: auth, snapshot then live,
// collaboration in order, catch-up with `from`, revocation, limits, bad frames, presence.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, api, createPlan, issueToken, command, scheduleItem, Client, ADMIN_TOKEN, sleep,
} from './lib/server.mjs';

// Asserts `events` are the plan's revisions from..to, each once, in order.
function assertContiguous(events, from, to) {
  assert.deepEqual(events.map((m) => m.event.revision), Array.from({ length: to - from + 1 }, (_, i) => from + i));
}

describe('WebSocket', () => {
  let s;
  // No command rate limit here: the catch-up test writes hundreds of events quickly.
  before(async () => { s = await startServer({ args: ['--rate', '0'] }); });
  after(async () => { await s.cleanup(); });

  test('auth first: welcome with actor and role; before auth an error, session usable', async () => {
    const plan = await createPlan(s);
    const org = await issueToken(s, 'organiser', [plan], 'Ilze Bērziņa');
    const c = await Client.connect(s);
    c.send({ type: 'subscribe', plan });
    const err = await c.next((m) => m.type === 'error');
    assert.equal(err.error.code, 'unauthorized');
    c.send({ type: 'auth', token: org.token });
    const welcome = await c.next((m) => m.type === 'welcome');
    assert.deepEqual(welcome, { type: 'welcome', actor: 'Ilze Bērziņa', role: 'organiser' });
    c.close();
  });

  test('a bad token is refused and the socket closed', async () => {
    const c = await Client.connect(s);
    c.send({ type: 'auth', token: 'wrong' });
    const err = await c.next((m) => m.type === 'error');
    assert.equal(err.error.code, 'unauthorized');
    const closed = await c.closed;
    assert.equal(closed.code, 1008);
  });

  test('subscribe: snapshot at N, then live events after N', async () => {
    const plan = await createPlan(s);
    await command(s, plan, scheduleItem('s1'));
    const c = await Client.open(s, ADMIN_TOKEN);
    c.send({ type: 'subscribe', plan });
    const snap = await c.next((m) => m.type === 'snapshot');
    assert.equal(snap.plan, plan);
    assert.equal(snap.revision, 2);
    assert.equal(snap.view.revision, 2);
    assert.equal(snap.view.items[0].id, 's1');
    await command(s, plan, scheduleItem('s2', 12));
    const [ev] = await c.events(plan, 1);
    assert.equal(ev.event.revision, 3);
    assert.equal(ev.event.type, 'ItemScheduled');
    assert.equal(ev.event.plan, plan);
    c.close();
  });

  test('two organisers edit one plan at once; each sees every change, in order', async () => {
    const plan = await createPlan(s);
    const ta = await issueToken(s, 'organiser', [plan], 'Anna');
    const tb = await issueToken(s, 'organiser', [plan], 'Bruno');
    const a = await Client.open(s, ta.token);
    const b = await Client.open(s, tb.token);
    a.send({ type: 'subscribe', plan });
    b.send({ type: 'subscribe', plan });
    assert.equal((await a.next((m) => m.type === 'snapshot')).revision, 1);
    assert.equal((await b.next((m) => m.type === 'snapshot')).revision, 1);
    const n = 20;
    const sends = [];
    for (let i = 0; i < n; i++) {
      sends.push(a.command(plan, scheduleItem(`a${i}`, 6 + (i % 12))));
      sends.push(b.command(plan, scheduleItem(`b${i}`, 6 + (i % 12))));
    }
    const replies = await Promise.all(sends);
    assert.ok(replies.every((r) => r.type === 'ack'), JSON.stringify(replies.find((r) => r.type !== 'ack')));
    const revisions = replies.map((r) => r.revision).sort((x, y) => x - y);
    assert.deepEqual(revisions, Array.from({ length: 2 * n }, (_, i) => 2 + i), 'each command one revision');
    const ea = await a.events(plan, 2 * n);
    const eb = await b.events(plan, 2 * n);
    assertContiguous(ea, 2, 2 * n + 1);
    assertContiguous(eb, 2, 2 * n + 1);
    assert.deepEqual(ea.map((m) => m.event.hash), eb.map((m) => m.event.hash), 'the same events');
    const actors = new Set(ea.map((m) => m.event.actor));
    assert.deepEqual([...actors].sort(), ['Anna', 'Bruno']);
    a.close();
    b.close();
  });

  test('command over WebSocket: ack with revision and events; conflicts and retries', async () => {
    const plan = await createPlan(s);
    const c = await Client.open(s, ADMIN_TOKEN);
    const ack = await c.command(plan, { id: 'ws-1', ...scheduleItem('w1') });
    assert.equal(ack.type, 'ack');
    assert.equal(ack.id, 'ws-1');
    assert.equal(ack.revision, 2);
    assert.equal(ack.events.length, 1);
    const again = await c.command(plan, { id: 'ws-1', ...scheduleItem('w1') });
    assert.equal(again.type, 'ack');
    assert.equal(again.revision, 2, 'a retry appends nothing');
    await c.command(plan, { type: 'edit-item', base: 2, data: { item: 'w1', title: 'One' } });
    const stale = await c.command(plan, { id: 'ws-3', type: 'edit-item', base: 2, data: { item: 'w1', title: 'Two' } });
    assert.equal(stale.type, 'rejected');
    assert.equal(stale.id, 'ws-3');
    assert.equal(stale.error.code, 'conflict');
    c.close();
  });

  test('a viewer subscribes but cannot send commands', async () => {
    const plan = await createPlan(s);
    const v = await issueToken(s, 'viewer', [plan], 'Viewer');
    const c = await Client.open(s, v.token);
    c.send({ type: 'subscribe', plan });
    await c.next((m) => m.type === 'snapshot');
    const r = await c.command(plan, scheduleItem('v1'));
    assert.equal(r.type, 'rejected');
    assert.equal(r.error.code, 'forbidden');
    const other = await createPlan(s);
    c.send({ type: 'subscribe', plan: other });
    const err = await c.next((m) => m.type === 'error');
    assert.equal(err.error.code, 'forbidden');
    c.close();
  });

  test('reconnect with from: exactly the missed events, then live', async () => {
    const plan = await createPlan(s);
    const c1 = await Client.open(s, ADMIN_TOKEN);
    c1.send({ type: 'subscribe', plan });
    await c1.next((m) => m.type === 'snapshot');
    for (let i = 0; i < 3; i++) await command(s, plan, scheduleItem(`r${i}`, 8 + i));
    const seen = await c1.events(plan, 3);
    const last = seen.at(-1).event.revision;
    assert.equal(last, 4);
    c1.close();
    await c1.closed;
    for (let i = 3; i < 8; i++) await command(s, plan, scheduleItem(`r${i}`, 8 + i));
    const c2 = await Client.open(s, ADMIN_TOKEN);
    c2.send({ type: 'subscribe', plan, from: last });
    const missed = await c2.events(plan, 5);
    assertContiguous(missed, 5, 9);
    await command(s, plan, scheduleItem('live', 20));
    const [live] = await c2.events(plan, 1);
    assert.equal(live.event.revision, 10);
    await sleep(100);
    assert.equal(c2.messages.filter((m) => m.type === 'event' || m.type === 'snapshot').length, 0, 'none twice');
    c2.close();
  });

  test('catch-up across a large gap arrives whole and in order', async () => {
    const plan = await createPlan(s);
    // 600 events through one command each would be slow; use HTTP in parallel batches.
    for (let round = 0; round < 12; round++) {
      await Promise.all(Array.from({ length: 50 }, (_, i) =>
        command(s, plan, { type: 'set-day', data: { date: '2024-05-15', title: `r${round}-${i}` } })));
    }
    const c = await Client.open(s, ADMIN_TOKEN);
    c.send({ type: 'subscribe', plan, from: 0 });
    const events = await c.events(plan, 601, 20000);
    assertContiguous(events, 1, 601);
    c.close();
  });

  test('a revoked token loses its live socket at once', async () => {
    const plan = await createPlan(s);
    const t = await issueToken(s, 'organiser', [plan], 'Soon Gone');
    const c = await Client.open(s, t.token);
    c.send({ type: 'subscribe', plan });
    await c.next((m) => m.type === 'snapshot');
    const del = await api.del(s, `/api/tokens/${t.id}`);
    assert.equal(del.status, 200);
    assert.equal(del.json.sessions_closed, 1);
    const err = await c.next((m) => m.type === 'error');
    assert.equal(err.error.code, 'unauthorized');
    const closed = await c.closed;
    assert.equal(closed.code, 1008);
  });

  test('bad frames get an error and the session stays usable', async () => {
    const plan = await createPlan(s);
    const c = await Client.open(s, ADMIN_TOKEN);
    for (const bad of ['not json', '[1,2,3]', '{"no":"type"}', '{"type":"dance"}', '{"type":"subscribe"}',
      '{"type":"subscribe","plan":"p","from":-3}', '{"type":"presence","plan":"nobody-here"}',
      '{"type":"command","plan":"x"}', '{"x":' + '['.repeat(100) + ']'.repeat(100) + '}']) {
      c.send(bad);
      const reply = await c.next((m) => m.type === 'error' || m.type === 'rejected');
      assert.ok(reply.error && reply.error.code, bad);
    }
    c.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    const binErr = await c.next((m) => m.type === 'error');
    assert.equal(binErr.error.code, 'invalid');
    const ack = await c.command(plan, scheduleItem('still-ok'));
    assert.equal(ack.type, 'ack');
    c.close();
  });

  test('a message over the limit closes the socket with 1009', async () => {
    const c = await Client.open(s, ADMIN_TOKEN);
    c.send(JSON.stringify({ type: 'presence', plan: 'x', pad: 'x'.repeat(1024 * 1024 + 100) }));
    const closed = await c.closed;
    assert.equal(closed.code, 1009);
  });

  test('presence: who is online and what they edit, updated on change and disconnect', async () => {
    const plan = await createPlan(s);
    const ta = await issueToken(s, 'organiser', [plan], 'Anna');
    const tb = await issueToken(s, 'viewer', [plan], 'Bruno');
    const a = await Client.open(s, ta.token);
    a.send({ type: 'subscribe', plan });
    await a.next((m) => m.type === 'snapshot');
    const b = await Client.open(s, tb.token);
    b.send({ type: 'subscribe', plan });
    await b.next((m) => m.type === 'snapshot');
    const both = await a.next((m) => m.type === 'presence' && m.users.length === 2);
    assert.deepEqual(both.users.map((u) => u.actor).sort(), ['Anna', 'Bruno']);
    a.send({ type: 'presence', plan, editing: 'cor' });
    const editing = await b.next((m) => m.type === 'presence' && m.users.some((u) => u.actor === 'Anna' && u.editing === 'cor'));
    assert.equal(editing.plan, plan);
    b.close();
    const alone = await a.next((m) => m.type === 'presence' && m.users.length === 1);
    assert.equal(alone.users[0].actor, 'Anna');
    a.send({ type: 'unsubscribe', plan });
    a.send({ type: 'presence', plan, editing: 'x' });
    const err = await a.next((m) => m.type === 'error');
    assert.equal(err.error.code, 'invalid');
    a.close();
  });

  test('unsubscribe stops the events of that plan only', async () => {
    const p1 = await createPlan(s);
    const p2 = await createPlan(s);
    const c = await Client.open(s, ADMIN_TOKEN);
    c.send({ type: 'subscribe', plan: p1 });
    c.send({ type: 'subscribe', plan: p2 });
    await c.next((m) => m.type === 'snapshot' && m.plan === p1);
    await c.next((m) => m.type === 'snapshot' && m.plan === p2);
    c.send({ type: 'unsubscribe', plan: p1 });
    await sleep(50);
    await command(s, p1, scheduleItem('u1'));
    await command(s, p2, scheduleItem('u2'));
    const [ev] = await c.events(p2, 1);
    assert.equal(ev.event.revision, 2);
    await sleep(100);
    assert.equal(c.messages.filter((m) => m.type === 'event' && m.plan === p1).length, 0);
    c.close();
  });

  test('an Origin of another site is refused (403); the same host passes', async () => {
    await assert.rejects(Client.connect(s, { origin: 'http://evil.example' }), (e) => e.status === 403);
    const host = new URL(s.url).host;
    const c = await Client.connect(s, { origin: `http://${host}` });
    c.close();
  });
});

describe('WebSocket: --allowed-origin', () => {
  test('only the listed origins may open a socket', async () => {
    const s = await startServer({ args: ['--allowed-origin', 'https://app.example', '--allowed-origin', 'http://other.example:8080'] });
    try {
      (await Client.connect(s, { origin: 'https://app.example' })).close();
      (await Client.connect(s, { origin: 'http://other.example:8080' })).close();
      await assert.rejects(Client.connect(s, { origin: `http://${new URL(s.url).host}` }), (e) => e.status === 403);
      (await Client.connect(s)).close();  // scripts send no Origin
    } finally {
      await s.cleanup();
    }
  });
});

describe('WebSocket: slow consumers', () => {
  test('a subscriber that cannot keep up is told it lags and resumes with from', async () => {
    const s = await startServer({ args: ['--ws-queue-bytes', '16384', '--ws-send-buffer', '4096', '--rate', '0'] });
    try {
      const plan = await createPlan(s);
      const slow = await Client.open(s, ADMIN_TOKEN);
      slow.send({ type: 'subscribe', plan });
      await slow.next((m) => m.type === 'snapshot');
      // Stop reading: the server's socket buffer and then its queue fill up.
      slow.ws._socket.pause();
      const description = 'Ā'.repeat(2400);
      for (let round = 0; round < 12; round++) {
        await Promise.all(Array.from({ length: 25 }, (_, i) =>
          command(s, plan, scheduleItem(`big-${round}-${i}`, 8, { description }))));
      }
      const total = 1 + 12 * 25;
      slow.ws._socket.resume();
      const lag = await slow.next((m) => m.type === 'lagging', 20000);
      assert.equal(lag.plan, plan);
      const got = slow.messages.filter((m) => m.type === 'event');
      assert.ok(got.length > 0 || lag.revision === 1);
      assertContiguous(got, 2, lag.revision);
      const metrics = await api.get(s, '/metrics', null);
      assert.match(metrics.text, /kartiba_lagging_sessions_total [1-9]/);
      // Resume from what was received, as a client does (again if told it lags again):
      // the rest arrives, each once, in order.
      const rest = [];
      let from = lag.revision;
      slow.messages.length = 0;
      slow.send({ type: 'subscribe', plan, from });
      while (from < total) {
        const m = await slow.next((x) => (x.type === 'event' || x.type === 'lagging') && x.plan === plan, 20000);
        if (m.type === 'lagging') {
          assert.equal(m.revision, from, 'lagging names the last revision received');
          slow.send({ type: 'subscribe', plan, from });
          continue;
        }
        rest.push(m);
        from = m.event.revision;
      }
      assertContiguous(rest, lag.revision + 1, total);
      slow.close();
    } finally {
      await s.cleanup();
    }
  });
});
