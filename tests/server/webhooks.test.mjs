// Webhooks (SPEC "Webhooks", docs/WEBHOOKS.md) against a real HTTP receiver on loopback, so the
// server runs with --webhooks-allow-private except where the SSRF guard itself is tested.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { rmSync, readFileSync } from 'node:fs';
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer as createNetServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import {
  startServer, api, http, createPlan, issueToken, command, scheduleItem, tempDir, ADMIN_TOKEN,
} from './lib/server.mjs';
import { startReceiver, sign, gate } from './lib/receiver.mjs';

const PRIVATE = ['--webhooks-allow-private'];

async function addWebhook(s, plan, body, token = ADMIN_TOKEN) {
  const res = await api.post(s, `/api/plans/${plan}/webhooks`, body, token);
  assert.equal(res.status, 201, res.text);
  assert.match(res.json.id, /^wh-[0-9a-f]+$/);
  assert.match(res.json.secret, /^[0-9a-f]{64}$/);
  return res.json;
}

async function deliveries(s, plan, id) {
  const res = await api.get(s, `/api/plans/${plan}/webhooks/${id}/deliveries`);
  assert.equal(res.status, 200, res.text);
  return res.json.deliveries;
}

// Waits for a condition on the server's answers: asks again each time the receiver hears
// something, and at most every 100 ms otherwise.
async function eventually(fn, what, timeoutMs = 30000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function freePort() {
  const srv = createNetServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const { port } = srv.address();
  await new Promise((r) => srv.close(r));
  return port;
}

describe('webhooks', () => {
  test('every event is POSTed signed, with its headers, in revision order', async () => {
    const s = await startServer({ args: PRIVATE });
    const rx = await startReceiver();
    try {
      const plan = await createPlan(s);
      const org = await issueToken(s, 'organiser', [plan], 'K. Miķelsone');
      const hook = await addWebhook(s, plan, { url: rx.url }, org.token);
      const title = 'Ādažu novada tikšanās ar ģimenēm, ķēķis, ļ, ņ, š, ū, ž';
      for (let i = 0; i < 5; i++) {
        const r = await command(s, plan, scheduleItem(`i${i}`, 8 + i, i === 2 ? { title } : {}), org.token);
        assert.equal(r.status, 200, r.text);
      }
      const moved = await command(s, plan, {
        type: 'reschedule-item',
        data: { item: 'i0', start: { local: '2024-05-15T07:00' }, end: { local: '2024-05-15T08:00' } },
      }, org.token);
      assert.equal(moved.status, 200);
      const last = moved.json.revision;
      await rx.until((rs) => rs.some((r) => r.revision === last && r.status === 200), `revision ${last}`);

      const events = (await api.get(s, `/api/plans/${plan}/events?from=1`)).json.events;
      assert.deepEqual(rx.revisions(), events.map((e) => e.revision), 'each event once, in revision order');
      const ids = new Set();
      for (const [i, r] of rx.requests.entries()) {
        assert.equal(r.method, 'POST');
        assert.equal(r.url, '/hook');
        assert.equal(r.headers['content-type'], 'application/json');
        assert.equal(r.headers['x-kartiba-signature'], sign(hook.secret, r.raw), 'HMAC of the exact body');
        assert.notEqual(r.headers['x-kartiba-signature'], sign('another secret', r.raw));
        assert.equal(r.headers['x-kartiba-event'], r.json.event.type);
        assert.equal(r.json.plan, plan);
        assert.deepEqual(r.json.event, events[i], 'the event exactly as /events shows it');
        ids.add(r.headers['x-kartiba-delivery']);
      }
      assert.equal(ids.size, rx.requests.length, 'a unique delivery id per delivery');
      assert.ok(rx.requests[2].raw.toString('utf8').includes(title), 'Latvian letters survive');

      // The cursor is stored after the 2xx: wait for it before reading the list and metrics.
      await eventually(async () => (await api.get(s, `/api/plans/${plan}/webhooks`)).json.webhooks[0].cursor === last,
        'the cursor to reach the last revision');
      const log = await deliveries(s, plan, hook.id);
      assert.equal(log.length, events.length);
      assert.equal(log[0].revision, last, 'newest first');
      for (const d of log) {
        assert.equal(d.status, 200);
        assert.equal(d.attempt, 1);
        assert.match(d.at, /Z$/);
        assert.equal(typeof d.duration_ms, 'number');
        assert.ok(ids.has(d.delivery));
      }
      const list = await api.get(s, `/api/plans/${plan}/webhooks`, org.token);
      assert.equal(list.status, 200);
      assert.equal(list.json.webhooks.length, 1);
      const entry = list.json.webhooks[0];
      assert.equal(entry.id, hook.id);
      assert.equal(entry.url, rx.url);
      assert.equal(entry.events, null, 'all events');
      assert.equal(entry.disabled, false);
      assert.equal(entry.created_by, 'K. Miķelsone');
      assert.equal(entry.cursor, last);
      assert.ok(!list.text.includes(hook.secret), 'the list never shows the secret');

      const metrics = (await http(s, 'GET', '/metrics')).text;
      assert.match(metrics, new RegExp(`kartiba_webhook_deliveries_total\\{result="ok"\\} ${events.length}\\n`));
      assert.match(metrics, /kartiba_webhook_queue_depth 0\n/);
      assert.match(metrics, /kartiba_webhooks\{state="active"\} 1\n/);
    } finally {
      await rx.close();
      await s.cleanup();
    }
  });

  test('events filters by type; bad registrations are 400 with a path and change nothing', async () => {
    const s = await startServer({ args: PRIVATE });
    const rx = await startReceiver();
    try {
      const plan = await createPlan(s);
      const bad = [
        [{ url: rx.url, events: ['ItemRescheduled', 'ItemMoved'] }, '/events/1'],
        [{ url: rx.url, events: 'ItemRescheduled' }, '/events'],
        [{ url: rx.url, events: [] }, '/events'],
        [{ url: 'ftp://127.0.0.1/x' }, '/url'],
        [{ url: 'http://user:pw@127.0.0.1/x' }, '/url'],
        [{}, '/url'],
        [{ url: rx.url, extra: 1 }, '/extra'],
      ];
      for (const [body, path] of bad) {
        const res = await api.post(s, `/api/plans/${plan}/webhooks`, body);
        assert.equal(res.status, 400, JSON.stringify(body));
        assert.equal(res.json.error.code, 'invalid');
        assert.equal(res.json.error.path, path, JSON.stringify(body));
      }
      assert.deepEqual((await api.get(s, `/api/plans/${plan}/webhooks`)).json.webhooks, []);
      assert.equal((await api.post(s, '/api/plans/no-such-plan/webhooks', { url: rx.url })).status, 404);

      await addWebhook(s, plan, { url: rx.url, events: ['ItemRescheduled'] });
      await command(s, plan, scheduleItem('a', 9));
      await command(s, plan, scheduleItem('b', 10));
      const moved = await command(s, plan, {
        type: 'reschedule-item', data: { item: 'b', start: { local: '2024-05-15T12:00' }, end: { local: '2024-05-15T13:00' } },
      });
      await command(s, plan, scheduleItem('c', 14));
      const again = await command(s, plan, {
        type: 'reschedule-item', data: { item: 'a', start: { local: '2024-05-15T15:00' }, end: { local: '2024-05-15T16:00' } },
      });
      await rx.until((rs) => rs.some((r) => r.revision === again.json.revision), 'the second reschedule');
      assert.deepEqual(rx.revisions(), [moved.json.revision, again.json.revision]);
      assert.ok(rx.requests.every((r) => r.headers['x-kartiba-event'] === 'ItemRescheduled'));
    } finally {
      await rx.close();
      await s.cleanup();
    }
  });

  test('a failing receiver gets retries with backoff (same delivery id) until it answers 2xx', async () => {
    const base = 200;
    const s = await startServer({ args: [...PRIVATE, '--webhooks-retry-base-ms', String(base)] });
    let failures = 0;
    const rx = await startReceiver({ respond: () => (failures++ < 3 ? 500 : 204) });
    try {
      const plan = await createPlan(s);
      const hook = await addWebhook(s, plan, { url: rx.url });
      const first = await command(s, plan, scheduleItem('x', 9));
      const second = await command(s, plan, scheduleItem('y', 10));
      await rx.until((rs) => rs.some((r) => r.revision === second.json.revision && r.status === 204), 'the second event');
      const tries = rx.requests.filter((r) => r.revision === first.json.revision);
      assert.deepEqual(tries.map((r) => r.status), [500, 500, 500, 204]);
      assert.deepEqual(tries.map((r) => r.headers['x-kartiba-attempt']), ['1', '2', '3', '4']);
      assert.equal(new Set(tries.map((r) => r.headers['x-kartiba-delivery'])).size, 1, 'the same delivery id on every retry');
      for (let k = 1; k < tries.length; k++) {
        // Retry k waits at least half of base·2^(k-1) (jitter is in [d/2, d]); timers never fire early.
        const atLeast = (base * 2 ** (k - 1)) / 2;
        assert.ok(tries[k].at - tries[k - 1].at >= atLeast - 5, `retry ${k} waited ${tries[k].at - tries[k - 1].at} ms`);
      }
      assert.deepEqual(rx.revisions().slice(-1), [second.json.revision], 'order kept: the next event only after');
      const log = await deliveries(s, plan, hook.id);
      assert.deepEqual(log.filter((d) => d.revision === first.json.revision).map((d) => [d.attempt, d.status]),
        [[4, 204], [3, 500], [2, 500], [1, 500]]);
      const metrics = (await http(s, 'GET', '/metrics')).text;
      assert.match(metrics, /kartiba_webhook_deliveries_total\{result="failed"\} 3\n/);
    } finally {
      await rx.close();
      await s.cleanup();
    }
  });

  test('redirects are not followed: a 3xx is a failed attempt, retried at the same URL', async () => {
    const s = await startServer({ args: [...PRIVATE, '--webhooks-retry-base-ms', '50'] });
    const elsewhere = await startReceiver();
    let redirects = 0;
    const rx = await startReceiver({
      respond: () => (redirects++ < 1 ? { status: 307, headers: { location: elsewhere.url } } : 200),
    });
    try {
      const plan = await createPlan(s);
      const hook = await addWebhook(s, plan, { url: rx.url });
      const ev = await command(s, plan, scheduleItem('r', 9));
      await rx.until((rs) => rs.some((r) => r.revision === ev.json.revision && r.status === 200), 'the retry');
      assert.deepEqual(rx.requests.map((r) => r.status), [307, 200]);
      assert.equal(elsewhere.requests.length, 0, 'nothing went where the Location pointed');
      const log = await deliveries(s, plan, hook.id);
      assert.deepEqual(log.map((d) => d.status), [200, 307]);
    } finally {
      await rx.close();
      await elsewhere.close();
      await s.cleanup();
    }
  });

  test('a slow receiver does not hold up another webhook, nor commands', async () => {
    // A long attempt timeout: the slow receiver is held until the fast one has everything.
    const s = await startServer({ args: [...PRIVATE, '--webhooks-timeout-ms', '300000'] });
    const held = gate();
    const slow = await startReceiver({ respond: async () => { await held.wait; return 200; } });
    const fast = await startReceiver();
    try {
      const plan = await createPlan(s);
      await addWebhook(s, plan, { url: slow.url });
      await addWebhook(s, plan, { url: fast.url });
      const revs = [];
      for (let i = 0; i < 4; i++) revs.push((await command(s, plan, scheduleItem(`s${i}`, 9 + i))).json.revision);
      await fast.until((rs) => rs.filter((r) => r.status === 200).length === 4, 'the fast receiver to get all four');
      assert.deepEqual(fast.revisions(), revs);
      assert.equal(slow.requests.length, 1, 'the slow receiver holds its first delivery');
      assert.equal(slow.requests[0].status, undefined, 'still unanswered');
      held.open();
      await slow.until((rs) => rs.filter((r) => r.status === 200).length === 4, 'the slow receiver to catch up');
      assert.deepEqual(slow.revisions(), revs);
    } finally {
      held.open();
      await slow.close();
      await fast.close();
      await s.cleanup();
    }
  });

  test('SIGKILL between deliveries: after a restart delivery resumes and skips nothing', async () => {
    const root = tempDir();
    const dataDir = join(root, 'data');
    const held = gate();
    // Revision 1 creates the plan; the ten commands make revisions 2–11: hold the sixth.
    const holdAt = 7;
    const rx = await startReceiver({
      respond: async (r) => { if (r.revision === holdAt) await held.wait; return 200; },
    });
    let s = await startServer({ dataDir, args: [...PRIVATE, '--webhooks-timeout-ms', '300000'] });
    try {
      const plan = await createPlan(s);
      const hook = await addWebhook(s, plan, { url: rx.url });
      const revs = [];
      for (let i = 0; i < 10; i++) revs.push((await command(s, plan, scheduleItem(`k${i}`, 8 + (i % 12)))).json.revision);
      assert.equal(revs[5], holdAt);
      await rx.until((rs) => rs.some((r) => r.revision === holdAt), 'the held delivery');
      assert.equal(await s.stop('SIGKILL'), null, 'killed');
      held.open();

      s = await startServer({ dataDir, args: PRIVATE });
      for (let i = 10; i < 13; i++) revs.push((await command(s, plan, scheduleItem(`k${i}`, 8 + (i % 12)))).json.revision);
      const lastRev = revs[revs.length - 1];
      await rx.until((rs) => rs.some((r) => r.revision === lastRev && r.status === 200), 'the last event after restart');
      const seen = rx.revisions();
      for (const rev of revs) assert.ok(seen.includes(rev), `revision ${rev} delivered`);
      // At least once: the one in flight at the kill came again, with the same delivery id.
      const heldTries = rx.requests.filter((r) => r.revision === holdAt);
      assert.ok(heldTries.length >= 2, 'the interrupted delivery is sent again');
      assert.equal(new Set(heldTries.map((r) => r.headers['x-kartiba-delivery'])).size, 1);
      // Order: once past a revision, never back to an earlier one except to repeat the one in flight.
      const afterRestart = seen.slice(seen.indexOf(holdAt) + 1);
      assert.deepEqual(afterRestart.filter((r, i) => i > 0 && r < afterRestart[i - 1]), []);
      const list = await api.get(s, `/api/plans/${plan}/webhooks`);
      assert.equal(list.json.webhooks[0].id, hook.id, 'the webhook survived the restart');
    } finally {
      held.open();
      await rx.close();
      await s.cleanup();
      rmSync(root, { recursive: true, force: true });
    }
  });

  test('SIGTERM with a delivery in flight exits 0; after a restart that delivery comes again', async () => {
    const root = tempDir();
    const dataDir = join(root, 'data');
    const held = gate();
    const rx = await startReceiver({ respond: async (r) => { if (r.headers['x-kartiba-attempt'] === '1' && rx.requests.length === 1) await held.wait; return 200; } });
    let s = await startServer({ dataDir, args: [...PRIVATE, '--webhooks-timeout-ms', '300000'] });
    try {
      const plan = await createPlan(s);
      const hook = await addWebhook(s, plan, { url: rx.url });
      const ev = await command(s, plan, scheduleItem('t', 9));
      await rx.until((rs) => rs.length === 1, 'the held delivery');
      assert.equal(await s.stop('SIGTERM'), 0, 'a held webhook does not keep the server from stopping');
      held.open();
      s = await startServer({ dataDir, args: PRIVATE });
      await rx.until((rs) => rs.some((r) => r.status === 200 && r.revision === ev.json.revision && r !== rs[0]),
        'the delivery again after the restart');
      assert.equal(rx.requests[1].headers['x-kartiba-delivery'], rx.requests[0].headers['x-kartiba-delivery']);
      assert.equal(rx.requests[1].headers['x-kartiba-delivery'], `${hook.id}-${ev.json.revision}`);
    } finally {
      held.open();
      await rx.close();
      await s.cleanup();
      rmSync(root, { recursive: true, force: true });
    }
  });

  test('without --webhooks-allow-private, loopback and private targets are refused', async () => {
    const root = tempDir();
    const dataDir = join(root, 'data');
    const rx = await startReceiver();
    let s = await startServer({ dataDir });
    try {
      const plan = await createPlan(s);
      const targets = [
        rx.url, `http://localhost:${rx.port}/hook`, 'http://[::1]/x', 'http://10.1.2.3/x', 'http://192.168.0.10/x',
        'http://172.20.0.1/x', 'http://169.254.169.254/latest/meta-data', 'http://100.64.0.1/x', 'http://0.0.0.0/x',
        'http://[fd00::1]/x', 'http://[fe80::1]/x', 'http://224.0.0.1/x', 'http://[::ffff:127.0.0.1]/x',
      ];
      for (const url of targets) {
        const res = await api.post(s, `/api/plans/${plan}/webhooks`, { url });
        assert.equal(res.status, 400, url);
        assert.equal(res.json.error.path, '/url');
        assert.match(res.json.error.message, /--webhooks-allow-private/);
      }
      assert.match((await api.post(s, `/api/plans/${plan}/webhooks`, { url: targets[1] })).json.error.message,
        /resolves to .*loopback/, 'the name is judged by what it resolves to');
      assert.deepEqual((await api.get(s, `/api/plans/${plan}/webhooks`)).json.webhooks, []);
      assert.equal(await s.stop('SIGTERM'), 0);

      // Registered while allowed, then the server restarts without the flag: each connection
      // checks the resolved address again, so nothing reaches the receiver.
      s = await startServer({ dataDir, args: PRIVATE });
      const hook = await addWebhook(s, plan, { url: `http://localhost:${rx.port}/hook` });
      assert.equal(await s.stop('SIGTERM'), 0);
      s = await startServer({ dataDir });
      await command(s, plan, scheduleItem('z', 9));
      const log = await eventually(async () => {
        const d = await deliveries(s, plan, hook.id);
        return d.length ? d : null;
      }, 'a refused attempt');
      assert.equal(log[0].status, null);
      assert.match(log[0].error, /refused: .* is loopback/);
      assert.equal(rx.requests.length, 0, 'the receiver heard nothing');
    } finally {
      await rx.close();
      await s.cleanup();
      rmSync(root, { recursive: true, force: true });
    }
  });

  test('a removed webhook gets nothing more', async () => {
    const s = await startServer({ args: PRIVATE });
    const gone = await startReceiver();
    const witness = await startReceiver();
    try {
      const plan = await createPlan(s);
      const hook = await addWebhook(s, plan, { url: gone.url });
      await addWebhook(s, plan, { url: witness.url });
      const first = await command(s, plan, scheduleItem('a', 9));
      await gone.until((rs) => rs.some((r) => r.revision === first.json.revision && r.status === 200), 'the first event');
      const del = await api.del(s, `/api/plans/${plan}/webhooks/${hook.id}`);
      assert.equal(del.status, 200, del.text);
      assert.deepEqual(del.json, { removed: hook.id });
      assert.equal((await api.del(s, `/api/plans/${plan}/webhooks/${hook.id}`)).status, 404);
      assert.equal((await api.get(s, `/api/plans/${plan}/webhooks/${hook.id}/deliveries`)).status, 404);
      const later = [];
      for (let i = 0; i < 3; i++) later.push((await command(s, plan, scheduleItem(`b${i}`, 10 + i))).json.revision);
      await witness.until((rs) => rs.some((r) => r.revision === later[2] && r.status === 200), 'the witness');
      assert.deepEqual(gone.revisions(), [first.json.revision]);
      const list = await api.get(s, `/api/plans/${plan}/webhooks`);
      assert.equal(list.json.webhooks.length, 1);
    } finally {
      await gone.close();
      await witness.close();
      await s.cleanup();
    }
  });

  test('only organisers of the plan and admins manage its webhooks', async () => {
    const s = await startServer({ args: PRIVATE });
    const rx = await startReceiver();
    try {
      const plan = await createPlan(s);
      const other = await createPlan(s);
      const viewer = await issueToken(s, 'viewer', [plan], 'Viewer');
      const stranger = await issueToken(s, 'organiser', [other], 'Other organiser');
      const org = await issueToken(s, 'organiser', [plan], 'Organiser');
      const hook = await addWebhook(s, plan, { url: rx.url }, org.token);
      const paths = [
        ['POST', `/api/plans/${plan}/webhooks`, { url: rx.url }],
        ['GET', `/api/plans/${plan}/webhooks`],
        ['GET', `/api/plans/${plan}/webhooks/${hook.id}/deliveries`],
        ['POST', `/api/plans/${plan}/webhooks/${hook.id}/enable`, {}],
        ['DELETE', `/api/plans/${plan}/webhooks/${hook.id}`],
      ];
      for (const [method, path, body] of paths) {
        for (const t of [viewer, stranger]) {
          const res = await http(s, method, path, { token: t.token, body });
          assert.equal(res.status, 403, `${method} ${path} as ${t.id}`);
        }
        assert.equal((await http(s, method, path, { body })).status, 401);
      }
      // The hook on `plan` is not reachable through the other plan, even by its organiser.
      assert.equal((await api.del(s, `/api/plans/${other}/webhooks/${hook.id}`, stranger.token)).status, 404);
      assert.equal((await api.get(s, `/api/plans/${plan}/webhooks`, org.token)).json.webhooks.length, 1);
    } finally {
      await rx.close();
      await s.cleanup();
    }
  });

  test('disabled after failing for --webhooks-disable-after, enabled again it resumes from its cursor', async () => {
    const s = await startServer({ args: [...PRIVATE, '--webhooks-retry-base-ms', '100', '--webhooks-retry-max-ms', '200',
      '--webhooks-disable-after', '1'] });
    let status = 503;
    const rx = await startReceiver({ respond: () => status });
    try {
      const plan = await createPlan(s);
      const hook = await addWebhook(s, plan, { url: rx.url });
      const a = await command(s, plan, scheduleItem('a', 9));
      const entry = await eventually(async () => {
        const w = (await api.get(s, `/api/plans/${plan}/webhooks`)).json.webhooks[0];
        return w.disabled ? w : null;
      }, 'the webhook to be disabled');
      assert.match(entry.disabled_reason, /HTTP 503/);
      assert.match(entry.disabled_at, /Z$/);
      assert.equal(entry.cursor, a.json.revision - 1, 'nothing acknowledged, nothing skipped');
      const b = await command(s, plan, scheduleItem('b', 10));
      status = 200;
      const enabled = await api.post(s, `/api/plans/${plan}/webhooks/${hook.id}/enable`, {});
      assert.equal(enabled.status, 200, enabled.text);
      assert.equal(enabled.json.disabled, false);
      await rx.until((rs) => rs.some((r) => r.revision === b.json.revision && r.status === 200), 'delivery after enable');
      const ok = rx.requests.filter((r) => r.status === 200).map((r) => r.revision);
      assert.deepEqual(ok, [a.json.revision, b.json.revision]);
      assert.match((await http(s, 'GET', '/metrics')).text, /kartiba_webhooks_disabled_total 1\n/);
    } finally {
      await rx.close();
      await s.cleanup();
    }
  });

  test('https targets: TLS with the certificate checked against --webhooks-ca-file', async (t) => {
    const dir = tempDir('kartiba-webhook-tls-');
    try {
      try {
        execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
          '-addext', 'subjectAltName=DNS:localhost', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')],
        { stdio: 'ignore' });
      } catch {
        t.skip('openssl is not installed');
        return;
      }
      const tls = { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
      const rx = await startReceiver({ tls });
      const trusting = await startServer({ args: [...PRIVATE, '--webhooks-ca-file', join(dir, 'cert.pem')] });
      const doubting = await startServer({ args: PRIVATE });
      try {
        const url = `https://localhost:${rx.port}/hook`;
        const planA = await createPlan(trusting);
        const hookA = await addWebhook(trusting, planA, { url });
        const ev = await command(trusting, planA, scheduleItem('t', 9));
        await rx.until((rs) => rs.some((r) => r.revision === ev.json.revision), 'the https delivery');
        assert.equal(rx.requests[0].headers['x-kartiba-signature'], sign(hookA.secret, rx.requests[0].raw));

        // Without the CA the self-signed certificate is refused: nothing is sent.
        const planB = await createPlan(doubting);
        const hookB = await addWebhook(doubting, planB, { url });
        await command(doubting, planB, scheduleItem('u', 9));
        const log = await eventually(async () => {
          const d = await deliveries(doubting, planB, hookB.id);
          return d.length ? d : null;
        }, 'a failed TLS attempt');
        assert.match(log[0].error, /TLS handshake/);
        assert.equal(rx.requests.length, 1);
      } finally {
        await rx.close();
        await trusting.cleanup();
        await doubting.cleanup();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('tools/webhook-relay.mjs turns events into a chat tool\'s {"text"} and checks signatures', async () => {
    const s = await startServer({ args: PRIVATE });
    const chat = await startReceiver();
    let relay;
    try {
      const plan = await createPlan(s);
      const port = await freePort();
      const relayUrl = `http://127.0.0.1:${port}/`;
      const hook = await addWebhook(s, plan, { url: relayUrl, events: ['ItemRescheduled'] });
      const script = fileURLToPath(new URL('../../tools/webhook-relay.mjs', import.meta.url));
      relay = spawn(process.execPath, [script, '--port', String(port)], {
        env: { ...process.env, KARTIBA_WEBHOOK_SECRET: hook.secret, CHAT_URL: chat.url, CHAT_KIND: 'slack' },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const [line] = await once(relay.stdout, 'data');
      assert.match(line.toString(), /webhook-relay listening/);

      const forged = await fetch(relayUrl, { method: 'POST', body: '{"plan":"x","event":{}}',
        headers: { 'x-kartiba-signature': 'sha256=00' } });
      assert.equal(forged.status, 401, 'a forged delivery is refused');

      await command(s, plan, scheduleItem('bornem', 10));
      const moved = await command(s, plan, {
        type: 'reschedule-item', reason: 'Bornem lūdza 10:30',
        data: { item: 'bornem', start: { local: '2024-05-15T10:30' }, end: { local: '2024-05-15T11:30' } },
      });
      assert.equal(moved.status, 200, moved.text);
      const [msg] = await chat.until((rs) => rs.filter((r) => r.json?.text).length && rs, 'a chat message');
      assert.deepEqual(Object.keys(msg.json), ['text'], 'the shape Slack and Mattermost expect');
      assert.ok(msg.json.text.startsWith(`[${plan} r${moved.json.revision}] Moved: bornem → 2024-05-15 10:30`), msg.json.text);
      assert.match(msg.json.text, /Bornem lūdza 10:30/);
      assert.equal(chat.requests.length, 1, 'only the forged-free, wanted event');
      await eventually(async () => (await deliveries(s, plan, hook.id)).some((d) => d.status === 204), 'kartiba to see 204');
    } finally {
      relay?.kill('SIGTERM');
      await chat.close();
      await s.cleanup();
    }
  });
});
