// Public links (docs/PROTOCOL.md, "Links"): created by organisers, listed without secrets,
// calendar links with ETag / 304 / Last-Modified, dashboard links as a read-only live stream
// without contact data, revoked at once (404, live viewers closed), viewers capped, kept across
// a restart.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, api, http, createPlan, issueToken, command, scheduleItem, Client, ADMIN_TOKEN, tempDir,
} from './lib/server.mjs';
import { join } from 'node:path';
import { rmSync } from 'node:fs';

// Keys that would be contact data; none may reach a public viewer.
const CONTACT_KEYS = ['email', 'phone', 'needs', 'contact', 'token', 'secret'];

function findKeys(value, keys, path = '') {
  const found = [];
  if (Array.isArray(value)) value.forEach((v, i) => found.push(...findKeys(v, keys, `${path}/${i}`)));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (keys.includes(k)) found.push(`${path}/${k}`);
      found.push(...findKeys(v, keys, `${path}/${k}`));
    }
  }
  return found;
}

const secretOf = (url) => /\/l\/([0-9a-f]{64})/.exec(url)[1];

async function openViewer(s, secret) {
  const c = await Client.connect(s);
  c.send({ type: 'auth', link: secret });
  const first = await c.next((m) => m.type === 'welcome' || m.type === 'error');
  return { c, first };
}

async function metric(s, name) {
  const m = new RegExp(`^${name} (\\d+)$`, 'm').exec((await api.get(s, '/metrics')).text);
  return m ? Number(m[1]) : NaN;
}

async function waitFor(check, what, timeoutMs = 10000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('links', () => {
  let s, plan, org, viewer;
  before(async () => {
    s = await startServer({ args: ['--rate', '0'] });
    plan = await createPlan(s, { title: 'Ilgtspējas nedēļa Ādažos' });
    org = await issueToken(s, 'organiser', [plan], 'Kristīne Ozoliņa');
    viewer = await issueToken(s, 'viewer', [plan], 'Jānis Skatītājs');
  });
  after(async () => { await s.cleanup(); });

  test('create: organisers only; bad input is refused and changes nothing', async () => {
    const links = `/api/plans/${plan}/links`;
    assert.equal((await api.post(s, links, { kind: 'dashboard' }, viewer.token)).status, 403);
    const bad = await api.post(s, links, { kind: 'poster' }, org.token);
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error.path, '/kind');
    const part = await api.post(s, links, { kind: 'calendar', participant: 'anna' }, org.token);
    assert.equal(part.status, 400);
    assert.equal(part.json.error.path, '/participant');
    assert.match(part.json.error.message, /participant/);
    assert.equal((await api.post(s, links, { kind: 'dashboard', extra: 1 }, org.token)).status, 400);
    assert.equal((await api.post(s, '/api/plans/no-such-plan/links', { kind: 'dashboard' })).status, 404);
    const list = await api.get(s, links, org.token);
    assert.equal(list.status, 200);
    assert.deepEqual(list.json.links, []);
  });

  test('list shows the links without their secrets', async () => {
    const made = await api.post(s, `/api/plans/${plan}/links`, { kind: 'dashboard', name: 'Domes mājaslapa' }, org.token);
    assert.equal(made.status, 201);
    assert.match(made.json.url, /^http:\/\/127\.0\.0\.1:\d+\/l\/[0-9a-f]{64}$/);
    const secret = secretOf(made.json.url);
    const list = await api.get(s, `/api/plans/${plan}/links`, org.token);
    assert.ok(!list.text.includes(secret), 'the secret is not listed');
    const mine = list.json.links.find((l) => l.id === made.json.id);
    assert.equal(mine.kind, 'dashboard');
    assert.equal(mine.name, 'Domes mājaslapa');
    assert.equal(mine.revoked, null);
    assert.deepEqual(findKeys(list.json, ['hash', 'secret']), []);
  });

  test('calendar link: the agenda without a token, ETag and 304, a new ETag after a change', async () => {
    const made = await api.post(s, `/api/plans/${plan}/links`, { kind: 'calendar', name: 'Kalendārs' }, org.token);
    assert.equal(made.status, 201);
    assert.match(made.json.url, /\/l\/[0-9a-f]{64}\.ics$/);
    const path = new URL(made.json.url).pathname;
    await command(s, plan, scheduleItem('ics1', 10, { title: 'Tikšanās ar Ķekavas jauniešiem' }));
    const first = await http(s, 'GET', path);
    assert.equal(first.status, 200);
    assert.match(first.headers.get('content-type'), /^text\/calendar/);
    assert.match(first.text, /BEGIN:VCALENDAR/);
    assert.match(first.text, /Ķekavas jauniešiem/);
    const etag = first.headers.get('etag');
    assert.ok(etag);
    assert.ok(!Number.isNaN(Date.parse(first.headers.get('last-modified'))));
    const again = await http(s, 'GET', path, { headers: { 'if-none-match': etag } });
    assert.equal(again.status, 304);
    assert.equal(again.text, '');
    await command(s, plan, scheduleItem('ics2', 12));
    const changed = await http(s, 'GET', path, { headers: { 'if-none-match': etag } });
    assert.equal(changed.status, 200);
    assert.notEqual(changed.headers.get('etag'), etag);
    // A calendar secret opens no dashboard, and a wrong secret nothing.
    const c = await Client.connect(s);
    c.send({ type: 'auth', link: secretOf(made.json.url) });
    assert.equal((await c.next((m) => m.type === 'error')).error.code, 'unauthorized');
    assert.equal((await http(s, 'GET', `/l/${'0'.repeat(64)}.ics`)).status, 404);
    assert.equal((await http(s, 'GET', path.replace('.ics', ''))).status, 404);
  });

  test('dashboard page: not framable, except its embed page', async () => {
    const made = await api.post(s, `/api/plans/${plan}/links`, { kind: 'dashboard' }, org.token);
    const page = await http(s, 'GET', new URL(made.json.url).pathname);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type'), /^text\/html/);
    assert.equal(page.headers.get('x-frame-options'), 'DENY');
    assert.match(page.headers.get('content-security-policy'), /frame-ancestors 'none'/);
    assert.match(page.text, /<base href="\/">/);
    const embed = await http(s, 'GET', new URL(made.json.embed_url).pathname);
    assert.equal(embed.status, 200);
    assert.equal(embed.headers.get('x-frame-options'), null);
    assert.match(embed.headers.get('content-security-policy'), /frame-ancestors \*/);
    // The app itself keeps its frame-denying header.
    assert.equal((await http(s, 'GET', '/')).headers.get('x-frame-options'), 'DENY');
    assert.equal((await http(s, 'GET', `/l/${'a'.repeat(64)}`)).status, 404);
  });

  test('a dashboard viewer: read-only live stream, no contact data, no token, no presence', async () => {
    const made = await api.post(s, `/api/plans/${plan}/links`, { kind: 'dashboard', name: 'Zāles ekrāns' }, org.token);
    const { c, first } = await openViewer(s, secretOf(made.json.url));
    assert.deepEqual(first, { type: 'welcome', actor: 'Zāles ekrāns', role: 'public', plan });
    c.send({ type: 'subscribe', plan });
    const snap = await c.next((m) => m.type === 'snapshot');
    assert.equal(snap.plan, plan);
    // Another plan is not this link's.
    const other = await createPlan(s);
    c.send({ type: 'subscribe', plan: other });
    assert.equal((await c.next((m) => m.type === 'error')).error.code, 'forbidden');
    // Organisers change things meanwhile (one of them present, editing).
    const o = await Client.open(s, org.token);
    o.send({ type: 'subscribe', plan });
    await o.next((m) => m.type === 'snapshot');
    await command(s, plan, scheduleItem('pub1', 14, { title: 'Atklātā sēde' }), org.token);
    o.send({ type: 'presence', plan, editing: 'pub1' });
    await command(s, plan, { type: 'add-person', data: { person: 'liepa', name: 'Dace Liepa', role: 'mērs', organisation: 'Ādažu novads' } }, org.token);
    const rev = (await command(s, plan, { type: 'assign-speaker', data: { item: 'pub1', person: 'liepa' } }, org.token)).json.revision;
    await c.next((m) => m.type === 'derived' && m.revision === rev);
    // Read-only.
    c.send({ type: 'command', plan, command: { id: 'c-pub', type: 'edit-item', data: { item: 'pub1', title: 'Nē' } } });
    const refused = await c.next((m) => m.type === 'rejected' && m.id === 'c-pub');
    assert.equal(refused.error.code, 'forbidden');
    c.send({ type: 'presence', plan, editing: 'pub1' });
    assert.equal((await c.next((m) => m.type === 'error' && m.error.code === 'forbidden')).plan, plan);
    // A fresh snapshot now that the plan has a person: public fields only.
    c.send({ type: 'subscribe', plan });
    const again = await c.next((m) => m.type === 'snapshot');
    assert.deepEqual(Object.keys(again.view.people[0]).sort(), ['id', 'name', 'organisation', 'role']);
    // Everything the viewer received: no contact keys, no token, nobody's presence.
    const all = c.arrivals;
    assert.ok(all.some((m) => m.type === 'event'));
    assert.deepEqual(findKeys(all, CONTACT_KEYS), []);
    const text = JSON.stringify(all);
    for (const token of [ADMIN_TOKEN, org.token, viewer.token]) assert.ok(!text.includes(token));
    assert.ok(!all.some((m) => m.type === 'presence'), 'no presence frames');
    c.close();
    o.close();
  });

  test('revoke: the URL answers 404 at once and live viewers are closed', async () => {
    const made = await api.post(s, `/api/plans/${plan}/links`, { kind: 'dashboard' }, org.token);
    const path = new URL(made.json.url).pathname;
    const { c } = await openViewer(s, secretOf(made.json.url));
    c.send({ type: 'subscribe', plan });
    await c.next((m) => m.type === 'snapshot');
    const revoked = await api.del(s, `/api/plans/${plan}/links/${made.json.id}`, org.token);
    assert.equal(revoked.status, 200);
    assert.equal(revoked.json.viewers_closed, 1);
    const err = await c.next((m) => m.type === 'error');
    assert.equal(err.error.code, 'unauthorized');
    assert.equal((await c.closed).code, 1008);
    assert.equal((await http(s, 'GET', path)).status, 404);
    const again = await openViewer(s, secretOf(made.json.url));
    assert.equal(again.first.type, 'error');
    assert.equal(again.first.error.code, 'unauthorized');
    assert.equal((await api.del(s, `/api/plans/${plan}/links/${made.json.id}`, org.token)).status, 404);
    const listed = (await api.get(s, `/api/plans/${plan}/links`, org.token)).json.links.find((l) => l.id === made.json.id);
    assert.ok(listed.revoked);
  });
});

describe('link viewer caps and restarts', () => {
  test('viewers are capped per link and overall, shown in /metrics', async () => {
    const s = await startServer({ args: ['--link-viewers-per-link', '2', '--link-viewers-max', '3'] });
    try {
      const plan = await createPlan(s);
      const a = secretOf((await api.post(s, `/api/plans/${plan}/links`, { kind: 'dashboard' })).json.url);
      const b = secretOf((await api.post(s, `/api/plans/${plan}/links`, { kind: 'dashboard' })).json.url);
      const a1 = await openViewer(s, a);
      const a2 = await openViewer(s, a);
      assert.equal(a1.first.type, 'welcome');
      assert.equal(a2.first.type, 'welcome');
      const a3 = await openViewer(s, a);
      assert.equal(a3.first.error.code, 'unavailable');
      assert.equal((await a3.c.closed).code, 1013);
      const b1 = await openViewer(s, b);
      assert.equal(b1.first.type, 'welcome');
      const b2 = await openViewer(s, b);   // link b has room, the server has not
      assert.equal(b2.first.error.code, 'unavailable');
      assert.equal(await metric(s, 'kartiba_link_viewers'), 3);
      assert.equal(await metric(s, 'kartiba_link_viewers_refused_total'), 2);
      assert.equal(await metric(s, 'kartiba_link_viewers_limit'), 3);
      assert.equal(await metric(s, 'kartiba_link_viewers_per_link_limit'), 2);
      a1.c.close();
      await waitFor(async () => (await metric(s, 'kartiba_link_viewers')) === 2, 'a viewer to leave');
      const a4 = await openViewer(s, a);
      assert.equal(a4.first.type, 'welcome');
      for (const v of [a2, b1, a4]) v.c.close();
    } finally {
      await s.cleanup();
    }
  });

  test('links survive a restart; revoked ones stay revoked; only hashes are stored', async () => {
    const root = tempDir();
    const data = join(root, 'data');
    try {
      let s = await startServer({ dataDir: data });
      const plan = await createPlan(s);
      const keep = await api.post(s, `/api/plans/${plan}/links`, { kind: 'calendar', name: 'Pilsētas kalendārs' });
      const gone = await api.post(s, `/api/plans/${plan}/links`, { kind: 'dashboard' });
      assert.equal((await api.del(s, `/api/plans/${plan}/links/${gone.json.id}`)).status, 200);
      await s.stop();
      const { execFileSync } = await import('node:child_process');
      // The secrets are nowhere in the data directory (RocksDB files, uncompressed meta values).
      const grep = (needle) => {
        try { execFileSync('grep', ['-rqa', needle, data]); return true; } catch { return false; }
      };
      assert.equal(grep(secretOf(keep.json.url)), false);
      s = await startServer({ dataDir: data });
      try {
        assert.equal((await http(s, 'GET', new URL(keep.json.url).pathname)).status, 200);
        assert.equal((await http(s, 'GET', new URL(gone.json.url).pathname)).status, 404);
        const names = (await api.get(s, `/api/plans/${plan}/links`)).json.links.map((l) => l.name);
        assert.ok(names.includes('Pilsētas kalendārs'));
      } finally {
        await s.cleanup();
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
