// The HTTP API of SPEC.md against the real server: auth, every error status, commands,
// conflicts, idempotency, reads, time travel, static files.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, api, http, createPlan, issueToken, command, scheduleItem, ADMIN_TOKEN,
} from './lib/server.mjs';
import { rawRequest, statusOf, bodyOf } from './lib/raw.mjs';

function assertError(res, status, code) {
  assert.equal(res.status, status, `expected ${status}, got ${res.status}: ${res.text}`);
  assert.ok(res.json && res.json.error, `error body expected: ${res.text}`);
  assert.equal(res.json.error.code, code);
  assert.equal(typeof res.json.error.message, 'string');
}

describe('HTTP API', () => {
  let s;
  before(async () => { s = await startServer(); });
  after(async () => { await s.cleanup(); });

  test('GET /healthz answers without auth', async () => {
    const res = await api.get(s, '/healthz', null);
    assert.equal(res.status, 200);
    assert.deepEqual(res.json, { status: 'ok' });
  });

  test('GET /metrics is Prometheus text without auth', async () => {
    const plan = await createPlan(s);
    await command(s, plan, scheduleItem('m1'));
    const res = await api.get(s, '/metrics', null);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /^text\/plain/);
    for (const name of ['kartiba_commands_total{type="schedule-item",result="ok"}', 'kartiba_events_appended_total',
      'kartiba_append_latency_seconds_bucket', 'kartiba_commit_batch_events_bucket', 'kartiba_websocket_sessions',
      'kartiba_subscribers', 'kartiba_lagging_sessions_total', 'kartiba_http_requests_total{status="201"}']) {
      assert.ok(res.text.includes(name), `metrics lack ${name}`);
    }
  });

  test('401 unauthorized without a token or with a bad one', async () => {
    assertError(await api.get(s, '/api/plans', null), 401, 'unauthorized');
    assertError(await api.get(s, '/api/plans', 'not-a-token'), 401, 'unauthorized');
    assertError(await http(s, 'GET', '/api/plans', { headers: { authorization: 'Basic abc' } }), 401, 'unauthorized');
  });

  test('tokens: issue, use, list without hashes, revoke at once', async () => {
    const plan = await createPlan(s);
    const t = await issueToken(s, 'organiser', [plan], 'K. Miķelsone');
    assert.match(t.token, /^[0-9a-f]{64}$/);
    const ok = await command(s, plan, scheduleItem('t1'), t.token);
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.json.events[0].actor, 'K. Miķelsone', 'the token name is the actor');
    const list = await api.get(s, '/api/tokens');
    assert.equal(list.status, 200);
    const rec = list.json.tokens.find((x) => x.id === t.id);
    assert.ok(rec);
    assert.equal(rec.name, 'K. Miķelsone');
    assert.equal(rec.role, 'organiser');
    assert.ok(!('hash' in rec) && !list.text.includes(t.token));
    const del = await api.del(s, `/api/tokens/${t.id}`);
    assert.equal(del.status, 200, del.text);
    assertError(await api.get(s, `/api/plans/${plan}`, t.token), 401, 'unauthorized');
    assertError(await api.del(s, `/api/tokens/${t.id}`), 404, 'not_found');
  });

  test('400 invalid token requests', async () => {
    assertError(await api.post(s, '/api/tokens', { role: 'boss', plans: [], name: 'x' }), 400, 'invalid');
    assertError(await api.post(s, '/api/tokens', { role: 'viewer', plans: ['Bad Id'], name: 'x' }), 400, 'invalid');
    const res = await api.post(s, '/api/tokens', { role: 'viewer', plans: ['p'] });
    assertError(res, 400, 'invalid');
    assert.equal(res.json.error.path, '/name');
  });

  test('403 forbidden: viewer writes, organiser off its plans, non-admin admin work', async () => {
    const plan = await createPlan(s);
    const other = await createPlan(s);
    const viewer = await issueToken(s, 'viewer', [plan], 'Viewer');
    const org = await issueToken(s, 'organiser', [plan], 'Organiser');
    assertError(await command(s, plan, scheduleItem('v1'), viewer.token), 403, 'forbidden');
    assert.equal((await api.get(s, `/api/plans/${plan}`, viewer.token)).status, 200, 'a viewer reads');
    assertError(await api.get(s, `/api/plans/${other}`, org.token), 403, 'forbidden');
    assertError(await command(s, other, scheduleItem('o1'), org.token), 403, 'forbidden');
    assertError(await api.post(s, '/api/plans', { id: 'nope', title: 'x', timezone: 'UTC' }, org.token), 403, 'forbidden');
    assertError(await api.post(s, '/api/tokens', { role: 'admin', name: 'x' }, org.token), 403, 'forbidden');
    assertError(await api.get(s, '/api/tokens', org.token), 403, 'forbidden');
    const list = await api.get(s, '/api/plans', org.token);
    assert.deepEqual(list.json.plans.map((p) => p.id), [plan], 'only the plans the token names');
  });

  test('404 not_found: plans, endpoints, revisions', async () => {
    assertError(await api.get(s, '/api/plans/no-such-plan'), 404, 'not_found');
    assertError(await api.get(s, '/api/plans/NOT_AN_ID'), 404, 'not_found');
    assertError(await command(s, 'no-such-plan', scheduleItem('x')), 404, 'not_found');
    assertError(await api.get(s, '/api/nothing'), 404, 'not_found');
    const plan = await createPlan(s);
    assertError(await api.get(s, `/api/plans/${plan}/nothing`), 404, 'not_found');
    assertError(await api.get(s, `/api/plans/${plan}?at=999`), 404, 'not_found');
  });

  test('400 invalid: bad JSON, too deep, bad UTF-8, not an object, bad query', async () => {
    const plan = await createPlan(s);
    const path = `/api/plans/${plan}/commands`;
    assertError(await http(s, 'POST', path, { token: ADMIN_TOKEN, raw: '{"type":' }), 400, 'invalid');
    assertError(await http(s, 'POST', path, { token: ADMIN_TOKEN, raw: '[1,2]' }), 400, 'invalid');
    const deep = '{"type":"edit-item","data":' + '['.repeat(70) + ']'.repeat(70) + '}';
    const res = await http(s, 'POST', path, { token: ADMIN_TOKEN, raw: deep });
    assertError(res, 400, 'invalid');
    assert.match(res.json.error.message, /deeper/);
    const bad = Buffer.concat([Buffer.from('{"type":"edit-item","reason":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
    assertError(await http(s, 'POST', path, { token: ADMIN_TOKEN, raw: bad }), 400, 'invalid');
    assertError(await api.get(s, `/api/plans/${plan}?at=abc`), 400, 'invalid');
    assertError(await api.get(s, `/api/plans/${plan}?asof=yesterday`), 400, 'invalid');
    assertError(await api.get(s, `/api/plans/${plan}/events?from=-1`), 400, 'invalid');
    assertError(await api.get(s, `/api/plans/${plan}/history?lang=de`), 400, 'invalid');
    // A domain rule: an end before its start.
    const r = await command(s, plan, {
      type: 'schedule-item',
      data: { item: 'bad', title: 'x', start: { local: '2024-05-15T12:00' }, end: { local: '2024-05-15T11:00' } },
    });
    assertError(r, 400, 'invalid');
  });

  test('413 too_large: a body over the limit', async () => {
    const plan = await createPlan(s);
    const big = JSON.stringify({ type: 'edit-item', reason: 'x'.repeat(1024 * 1024 + 10), data: { item: 'a', title: 'b' } });
    assertError(await http(s, 'POST', `/api/plans/${plan}/commands`, { token: ADMIN_TOKEN, raw: big }), 413, 'too_large');
    // Chunked, without a length: cut off while reading.
    const chunk = 'y'.repeat(64 * 1024);
    const head = `POST /api/plans/${plan}/commands HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${ADMIN_TOKEN}\r\n` +
      'Transfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n';
    let req = head;
    for (let i = 0; i < 20; i++) req += `${chunk.length.toString(16)}\r\n${chunk}\r\n`;
    req += '0\r\n\r\n';
    const raw = await rawRequest(s, req);
    assert.equal(statusOf(raw), 413, raw.slice(0, 200));
    assert.equal(JSON.parse(bodyOf(raw)).error.code, 'too_large');
  });

  test('431 too_large: a request header over the limit', async () => {
    const raw = await rawRequest(s, `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'z'.repeat(20 * 1024)}\r\n\r\n`);
    assert.equal(statusOf(raw), 431, raw.slice(0, 200));
    assert.equal(JSON.parse(bodyOf(raw)).error.code, 'too_large');
  });

  test('Expect: 100-continue gets its interim answer before the body is sent', async () => {
    const net = await import('node:net');
    const { hostname, port } = new URL(s.url);
    const body = JSON.stringify({ id: 'continue-plan', title: 'C', timezone: 'UTC' });
    const sock = net.connect({ host: hostname, port: Number(port) });
    let got = '';
    sock.on('data', (d) => { got += d; });
    await new Promise((r) => sock.once('connect', r));
    sock.write(`POST /api/plans HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${ADMIN_TOKEN}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n`);
    for (let i = 0; i < 100 && !got.includes('100 Continue'); i++) await new Promise((r) => setTimeout(r, 10));
    assert.match(got, /^HTTP\/1\.1 100 Continue\r\n\r\n/);
    sock.write(body);
    await new Promise((r) => sock.once('close', r));
    assert.match(got, /HTTP\/1\.1 201 /);
  });

  test('commands: ack after durable append, same id appends nothing', async () => {
    const plan = await createPlan(s);
    const cmd = { id: 'c-retry-1', ...scheduleItem('r1') };
    const first = await command(s, plan, cmd);
    assert.equal(first.status, 200, first.text);
    assert.equal(first.json.ok, true);
    assert.equal(first.json.revision, 2);
    assert.equal(first.json.events.length, 1);
    const again = await command(s, plan, cmd);
    assert.equal(again.status, 200);
    assert.equal(again.json.revision, 2);
    assert.deepEqual(again.json.events, first.json.events, 'the first answer again');
    const events = await api.get(s, `/api/plans/${plan}/events?from=0`);
    assert.equal(events.json.events.length, 2, 'nothing appended the second time');
    assert.equal(events.json.next, 2);
  });

  test('different fields edited from one base both apply; the same field stale is 409', async () => {
    const plan = await createPlan(s);
    const created = await command(s, plan, scheduleItem('f1'));
    const base = created.json.revision;
    const a = await command(s, plan, { type: 'edit-item', base, data: { item: 'f1', title: 'New title' } });
    assert.equal(a.status, 200, a.text);
    const b = await command(s, plan, {
      type: 'reschedule-item', base, data: { item: 'f1', start: { local: '2024-05-15T14:00' }, end: { local: '2024-05-15T15:00' } },
    });
    assert.equal(b.status, 200, b.text);
    const c = await command(s, plan, { type: 'edit-item', base, data: { item: 'f1', title: 'Stale title' } });
    assertError(c, 409, 'conflict');
    assert.ok(c.json.error.current, 'the entity now');
    assert.ok(Array.isArray(c.json.error.events) && c.json.error.events.length >= 1, 'the events in the way');
    const view = await api.get(s, `/api/plans/${plan}`);
    const item = view.json.items.find((i) => i.id === 'f1');
    assert.equal(item.title, 'New title');
    assert.equal(item.start.local, '2024-05-15T14:00');
    assert.equal(view.json.revision, base + 2, 'the rejected command appended nothing');
  });

  test('reads: events paging, history, verify, releases, changelog, time travel', async () => {
    const plan = await createPlan(s);
    for (let i = 0; i < 5; i++) await command(s, plan, scheduleItem(`h${i}`, 8 + i));
    const rel = await command(s, plan, { type: 'publish-release', data: { name: 'v1', note: 'first' } });
    assert.equal(rel.status, 200, rel.text);
    await command(s, plan, { type: 'edit-item', data: { item: 'h0', title: 'Renamed' } });

    const page = await api.get(s, `/api/plans/${plan}/events?from=2&limit=3`);
    assert.deepEqual(page.json.events.map((e) => e.revision), [3, 4, 5]);
    assert.equal(page.json.next, 5);
    const e = page.json.events[0];
    for (const k of ['seq', 'plan', 'revision', 'type', 'at', 'actor', 'command', 'reason', 'data', 'hash']) assert.ok(k in e, k);

    const hist = await api.get(s, `/api/plans/${plan}/history?lang=en`);
    assert.equal(hist.status, 200, hist.text);
    assert.equal(hist.json.entries.length, 8);
    assert.ok(hist.json.entries.every((x) => typeof x.text === 'string' && x.text.length > 0));
    assert.equal((await api.get(s, `/api/plans/${plan}/history`)).status, 200, 'lang defaults to the plan language');

    assert.deepEqual((await api.get(s, `/api/plans/${plan}/verify`)).json, { ok: true, revision: 8 });
    const releases = await api.get(s, `/api/plans/${plan}/releases`);
    assert.equal(releases.status, 200);
    assert.ok(releases.text.includes('"v1"'));
    const log = await api.get(s, `/api/plans/${plan}/changelog?from=v1`);
    assert.equal(log.status, 200, log.text);
    assert.ok(log.text.includes('Renamed'));

    const past = await api.get(s, `/api/plans/${plan}?at=3`);
    assert.equal(past.status, 200);
    assert.equal(past.json.revision, 3);
    assert.equal(past.json.items.length, 2);
    const now = await api.get(s, `/api/plans/${plan}?asof=${encodeURIComponent(new Date(Date.now() + 60000).toISOString())}`);
    assert.equal(now.status, 200, now.text);
    assert.equal(now.json.revision, 8);
  });

  test('exports: agenda.ics, pledges.csv, schedule.json, agenda.html', async () => {
    const plan = await createPlan(s);
    await command(s, plan, scheduleItem('e1'));
    const want = {
      'agenda.ics': /^text\/calendar/, 'pledges.csv': /^text\/csv/, 'schedule.json': /^application\/json/,
      'agenda.html': /^text\/html/,
    };
    for (const [f, type] of Object.entries(want)) {
      const res = await api.get(s, `/api/plans/${plan}/${f}`);
      assert.equal(res.status, 200, `${f}: ${res.text.slice(0, 200)}`);
      assert.match(res.headers.get('content-type'), type, f);
    }
    const viewer = await issueToken(s, 'viewer', [plan], 'Reader');
    assert.equal((await api.get(s, `/api/plans/${plan}/agenda.ics`, viewer.token)).status, 200);
    assertError(await api.get(s, '/api/plans/no-such-plan/agenda.ics'), 404, 'not_found');
  });

  test('export.json imports into another server and exports the same', async () => {
    const plan = await createPlan(s);
    await command(s, plan, scheduleItem('x1'));
    await command(s, plan, { type: 'edit-item', reason: 'naming', data: { item: 'x1', title: 'Ādaži — ķēķis' } });
    const exp = await api.get(s, `/api/plans/${plan}/export.json`);
    assert.equal(exp.status, 200);
    const other = await startServer();
    try {
      const imp = await http(other, 'POST', '/api/plans/import', { token: ADMIN_TOKEN, raw: exp.text });
      assert.equal(imp.status, 201, imp.text);
      assert.equal(imp.json.id, plan);
      const again = await api.get(other, `/api/plans/${plan}/export.json`);
      assert.deepEqual(again.json, exp.json);
      const org = await issueToken(other, 'organiser', [plan], 'Org');
      assertError(await http(other, 'POST', '/api/plans/import', { token: org.token, raw: exp.text }), 403, 'forbidden');
      assertError(await http(other, 'POST', '/api/plans/import', { token: ADMIN_TOKEN, raw: exp.text }), 409, 'conflict');
    } finally {
      await other.cleanup();
    }
  });
});

describe('static files', () => {
  let s;
  before(async () => { s = await startServer(); });
  after(async () => { await s.cleanup(); });

  test('GET / is the web app, with caching headers and 304', async () => {
    const res = await fetch(s.url + '/');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /^text\/html/);
    const etag = res.headers.get('etag');
    assert.ok(etag);
    assert.ok(res.headers.get('cache-control'));
    assert.match(await res.text(), /<html/i);
    const again = await fetch(s.url + '/', { headers: { 'if-none-match': etag } });
    assert.equal(again.status, 304);
    const signedIn = await fetch(s.url + '/?token=abc&plan=x');
    assert.equal(signedIn.status, 200);
    assert.equal(signedIn.headers.get('referrer-policy'), 'no-referrer');
  });

  test('assets have their content types', async () => {
    const svg = await fetch(s.url + '/favicon.svg');
    assert.equal(svg.status, 200);
    assert.match(svg.headers.get('content-type'), /^image\/svg\+xml/);
    const head = await fetch(s.url + '/favicon.svg', { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(await head.text(), '');
  });

  test('no path traversal', async () => {
    for (const path of ['/../../../../etc/passwd', '/%2e%2e/%2e%2e/%2e%2e/etc/passwd', '/js/..%2f..%2f..%2f..%2fetc%2fpasswd',
      '/..%5c..%5cetc%5cpasswd', '/.git/config', '/%00index.html']) {
      const raw = await rawRequest(s, `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      assert.ok([400, 404].includes(statusOf(raw)), `${path}: ${raw.slice(0, 100)}`);
      assert.ok(!raw.includes('root:'), path);
    }
    assert.equal((await fetch(s.url + '/no-such-file.js')).status, 404);
  });
});

describe('limits that need their own server', () => {
  test('429 rate_limited past the token bucket', async () => {
    const s = await startServer({ args: ['--rate', '0.5', '--rate-burst', '3'] });
    try {
      const plan = await createPlan(s);
      const statuses = [];
      for (let i = 0; i < 5; i++) statuses.push((await command(s, plan, scheduleItem(`q${i}`, 8 + i))).status);
      assert.deepEqual(statuses.slice(0, 3), [200, 200, 200]);
      const res = await command(s, plan, scheduleItem('q9'));
      assertError(res, 429, 'rate_limited');
    } finally {
      await s.cleanup();
    }
  });

  test('503 unavailable past --max-connections', async () => {
    const s = await startServer({ args: ['--max-connections', '1'] });
    const net = await import('node:net');
    const { hostname, port } = new URL(s.url);
    const holder = net.connect({ host: hostname, port: Number(port) });
    try {
      await new Promise((r) => holder.once('connect', r));
      // Once the server has accepted the first connection, the next one is turned away.
      let raw = '';
      for (let i = 0; i < 50 && statusOf(raw) !== 503; i++) {
        if (i) await new Promise((r) => setTimeout(r, 100));
        raw = await rawRequest(s, 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      }
      assert.equal(statusOf(raw), 503, raw.slice(0, 200));
      assert.equal(JSON.parse(bodyOf(raw)).error.code, 'unavailable');
    } finally {
      holder.destroy();
      await s.cleanup();
    }
  });
});
