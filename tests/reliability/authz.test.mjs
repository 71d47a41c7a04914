// Authorization matrix (docs/RELIABILITY.md, "Who may do what"): every endpoint and WebSocket
// message × {no token, bad token, revoked token, viewer, organiser of another plan, organiser,
// admin}: allowed exactly where SPEC.md says, refused with the code docs/SERVER.md documents
// (401 without a valid token, 403 for a valid token without the right, 404 for what is not
// there when the token may look).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { startServer, http, api, createPlan, issueToken, command, WsClient, ADMIN_TOKEN } from './lib/harness.mjs';

const P = 'authz-p';
const Q = 'authz-q';
const GHOST = 'authz-ghost';  // no such plan
const ROLES = ['none', 'bad', 'revoked', 'viewer', 'otherOrganiser', 'organiser', 'admin'];
let checked = 0;

const READS = ['', '?at=1', '/events', '/history?lang=en', '/verify', '/releases', '/changelog?from=1', '/agenda.ics',
  '/export.json', '/pledges.csv', '/schedule.json', '/agenda.html', '/report.html'];

describe('authorization matrix', () => {
  let s;
  const tokens = {};
  let n = 0;
  const nextId = () => `az-${++n}`;

  before(async () => {
    s = await startServer({ args: ['--rate', '0'] });
    await createPlan(s, P);
    await createPlan(s, Q);
    for (const plan of [P, Q]) {
      const res = await command(s, plan, { type: 'schedule-item', data: { item: 'it', title: 'Item', start: { local: '2024-05-15T10:00' }, end: { local: '2024-05-15T11:00' } } });
      assert.equal(res.status, 200, res.text);
    }
    tokens.none = null;
    tokens.bad = 'f'.repeat(64);
    const revoked = await issueToken(s, 'organiser', [P], 'Revoked');
    assert.equal((await api.del(s, `/api/tokens/${revoked.id}`)).status, 200);
    tokens.revoked = revoked.token;
    tokens.viewer = (await issueToken(s, 'viewer', [P], 'Viewer of P')).token;
    tokens.otherOrganiser = (await issueToken(s, 'organiser', [Q], 'Organiser of Q')).token;
    tokens.organiser = (await issueToken(s, 'organiser', [P, GHOST], 'Organiser of P')).token;
    tokens.admin = ADMIN_TOKEN;
  });
  after(async () => {
    console.log(`# authorization checks: ${checked}`);
    if (process.env.RELIABILITY_FIGURES) writeFileSync(process.env.RELIABILITY_FIGURES, JSON.stringify({ suite: 'authz', checks: checked }) + '\n', { flag: 'a' });
    await s.cleanup();
  });

  const unauth = { none: 401, bad: 401, revoked: 401 };

  // [what, method, path or () => path, body or () => body, {role: status}]
  const matrix = () => [
    ...READS.map((r) => [`read P${r}`, 'GET', `/api/plans/${P}${r}`, undefined,
      { ...unauth, viewer: 200, otherOrganiser: 403, organiser: 200, admin: 200 }]),
    ...READS.slice(0, 5).map((r) => [`read Q${r}`, 'GET', `/api/plans/${Q}${r}`, undefined,
      { ...unauth, viewer: 403, otherOrganiser: 200, organiser: 403, admin: 200 }]),
    ['HEAD view of P', 'HEAD', `/api/plans/${P}`, undefined, { ...unauth, viewer: 200, otherOrganiser: 403, organiser: 200, admin: 200 }],
    ['command on P', 'POST', `/api/plans/${P}/commands`, () => ({ id: nextId(), type: 'edit-item', data: { item: 'it', title: `t${n}` } }),
      { ...unauth, viewer: 403, otherOrganiser: 403, organiser: 200, admin: 200 }],
    ['command on Q', 'POST', `/api/plans/${Q}/commands`, () => ({ id: nextId(), type: 'edit-item', data: { item: 'it', title: `t${n}` } }),
      { ...unauth, viewer: 403, otherOrganiser: 200, organiser: 403, admin: 200 }],
    ['revert on P', 'POST', `/api/plans/${P}/commands`, () => ({ id: nextId(), type: 'publish-release', data: { name: `r${n}` } }),
      { ...unauth, viewer: 403, otherOrganiser: 403, organiser: 200, admin: 200 }],
    // Webhooks (docs/WEBHOOKS.md): organisers of the plan and admins only. A public address
    // literal passes the SSRF guard without resolving; its deliveries fail quietly here.
    ['webhooks of P', 'GET', `/api/plans/${P}/webhooks`, undefined, { ...unauth, viewer: 403, otherOrganiser: 403, organiser: 200, admin: 200 }],
    ['add a webhook to P', 'POST', `/api/plans/${P}/webhooks`, { url: 'http://93.184.216.34/hook' },
      { ...unauth, viewer: 403, otherOrganiser: 403, organiser: 201, admin: 201 }],
    ['remove a webhook of P', 'DELETE', async () => `/api/plans/${P}/webhooks/${(await api.post(s, `/api/plans/${P}/webhooks`, { url: 'http://93.184.216.34/hook' })).json.id}`,
      undefined, { ...unauth, viewer: 403, otherOrganiser: 403, organiser: 200, admin: 200 }],
    ['webhooks of a missing plan', 'GET', `/api/plans/${GHOST}/webhooks`, undefined, { ...unauth, viewer: 403, otherOrganiser: 403, organiser: 404, admin: 404 }],
    // A plan that does not exist: 403 to a token that does not name it, 404 to one that may look.
    ['read a missing plan', 'GET', `/api/plans/${GHOST}`, undefined, { ...unauth, viewer: 403, otherOrganiser: 403, organiser: 404, admin: 404 }],
    ['command on a missing plan', 'POST', `/api/plans/${GHOST}/commands`, () => ({ type: 'edit-item', data: { item: 'it', title: 'x' } }),
      { ...unauth, viewer: 403, otherOrganiser: 403, organiser: 404, admin: 404 }],
    ['events of a missing plan', 'GET', `/api/plans/${GHOST}/events`, undefined, { ...unauth, viewer: 403, otherOrganiser: 403, organiser: 404, admin: 404 }],
    // Not a plan id at all: 404 to any valid token.
    ['read a non-id', 'GET', '/api/plans/Not_An_Id', undefined, { ...unauth, viewer: 404, otherOrganiser: 404, organiser: 404, admin: 404 }],
    ['list plans', 'GET', '/api/plans', undefined, { ...unauth, viewer: 200, otherOrganiser: 200, organiser: 200, admin: 200 }],
    ['create a plan', 'POST', '/api/plans', () => ({ id: nextId(), title: 'New', timezone: 'Europe/Riga' }),
      { ...unauth, viewer: 403, otherOrganiser: 403, organiser: 403, admin: 201 }],
    ['import a plan', 'POST', '/api/plans/import', () => ({ format: 'kartiba-export', version: 1, plan: { id: nextId(), title: 'Imported', timezone: 'Europe/Riga' } }),
      { ...unauth, viewer: 403, otherOrganiser: 403, organiser: 403, admin: 201 }],
    ['list tokens', 'GET', '/api/tokens', undefined, { ...unauth, viewer: 403, otherOrganiser: 403, organiser: 403, admin: 200 }],
    ['issue a token', 'POST', '/api/tokens', () => ({ role: 'admin', plans: [], name: `Escalated ${n++}` }),
      { ...unauth, viewer: 403, otherOrganiser: 403, organiser: 403, admin: 201 }],
    ['issue a token for P', 'POST', '/api/tokens', () => ({ role: 'organiser', plans: [P], name: `Helper ${n++}` }),
      { ...unauth, viewer: 403, otherOrganiser: 403, organiser: 403, admin: 201 }],
    ['revoke a token', 'DELETE', async () => `/api/tokens/${(await issueToken(s, 'viewer', [P], `Victim ${n++}`)).id}`, undefined,
      { ...unauth, viewer: 403, otherOrganiser: 403, organiser: 403, admin: 200 }],
    ['revoke the bootstrap admin', 'DELETE', '/api/tokens/admin', undefined, { ...unauth, viewer: 403, otherOrganiser: 403, organiser: 403, admin: 404 }],
    ['an unknown API path', 'GET', '/api/secrets', undefined, { ...unauth, viewer: 404, otherOrganiser: 404, organiser: 404, admin: 404 }],
    ['health', 'GET', '/healthz', undefined, { none: 200, bad: 200, revoked: 200, viewer: 200, otherOrganiser: 200, organiser: 200, admin: 200 }],
    ['metrics', 'GET', '/metrics', undefined, { none: 200, bad: 200, revoked: 200, viewer: 200, otherOrganiser: 200, organiser: 200, admin: 200 }],
    ['the web app', 'GET', '/', undefined, { none: 200, bad: 200, revoked: 200, viewer: 200, otherOrganiser: 200, organiser: 200, admin: 200 }],
  ];

  test('HTTP: every endpoint × every kind of caller', async () => {
    const failures = [];
    for (const [what, method, pathOf, bodyOf, expected] of matrix()) {
      for (const role of ROLES) {
        const path = typeof pathOf === 'function' ? await pathOf() : pathOf;
        const body = typeof bodyOf === 'function' ? bodyOf() : bodyOf;
        const res = await http(s, method, path, { token: tokens[role], body });
        checked++;
        if (res.status !== expected[role]) {
          failures.push(`${what} as ${role}: ${res.status}, wanted ${expected[role]} ${res.text.slice(0, 200)}`);
          continue;
        }
        if (res.status >= 400 && method !== 'HEAD') {
          const code = { 401: 'unauthorized', 403: 'forbidden', 404: 'not_found' }[res.status];
          if (res.json?.error?.code !== code) failures.push(`${what} as ${role}: error body ${res.text.slice(0, 200)}`);
        }
        if (res.status === 401 && res.headers.get('www-authenticate') !== 'Bearer') failures.push(`${what} as ${role}: 401 without WWW-Authenticate`);
        if (path.startsWith('/api') && res.headers.get('cache-control') !== 'no-store' && res.status !== 401) {
          failures.push(`${what} as ${role}: /api answer without Cache-Control: no-store`);
        }
      }
    }
    assert.deepEqual(failures, []);
  });

  test('HTTP: what each token sees in lists, and who is recorded as the actor', async () => {
    const ids = async (role) => (await http(s, 'GET', '/api/plans', { token: tokens[role] })).json.plans.map((p) => p.id).sort();
    assert.deepEqual(await ids('viewer'), [P]);
    assert.deepEqual(await ids('otherOrganiser'), [Q]);
    assert.deepEqual(await ids('organiser'), [P]);
    assert.ok((await ids('admin')).includes(P) && (await ids('admin')).includes(Q));
    const res = await http(s, 'POST', `/api/plans/${P}/commands`, { token: tokens.organiser, body: { type: 'edit-item', data: { item: 'it', title: 'By the organiser' } } });
    assert.equal(res.json.events[0].actor, 'Organiser of P');
    const tokensList = await http(s, 'GET', '/api/tokens', { token: ADMIN_TOKEN });
    assert.ok(!/"hash"|[0-9a-f]{64}/.test(JSON.stringify(tokensList.json.tokens.map(({ id, ...rest }) => rest))), 'token list shows hashes or tokens');
    // The scheme is case-insensitive, surrounding spaces are not part of the token.
    assert.equal((await http(s, 'GET', `/api/plans/${P}`, { headers: { authorization: `bearer ${tokens.viewer}` } })).status, 200);
    assert.equal((await http(s, 'GET', `/api/plans/${P}`, { headers: { authorization: `Basic ${tokens.viewer}` } })).status, 401);
    assert.equal((await http(s, 'GET', `/api/plans/${P}?token=${tokens.viewer}`, {})).status, 401);
    checked += 10;
  });

  test('WebSocket: auth, subscribe, command, presence × every kind of caller', async () => {
    const failures = [];
    const expectSub = { viewer: 'snapshot', otherOrganiser: 'forbidden', organiser: 'snapshot', admin: 'snapshot' };
    const expectCmd = { viewer: 'forbidden', otherOrganiser: 'forbidden', organiser: 'ack', admin: 'ack' };
    for (const role of ROLES) {
      const c = await WsClient.connect(s);
      if (role === 'none') {
        // Nothing but auth is accepted before auth; the session stays open.
        for (const msg of [{ type: 'subscribe', plan: P }, { type: 'command', plan: P, command: { type: 'edit-item', data: { item: 'it', title: 'x' } } },
          { type: 'presence', plan: P, editing: 'it' }, { type: 'unsubscribe', plan: P }]) {
          c.send(msg);
          const reply = await c.next((m) => m.type === 'error' || m.type === 'rejected');
          checked++;
          if (reply.error.code !== 'unauthorized') failures.push(`none ${msg.type}: ${JSON.stringify(reply)}`);
        }
        c.close();
        continue;
      }
      c.send({ type: 'auth', token: tokens[role] });
      const hello = await c.next((m) => m.type === 'welcome' || m.type === 'error');
      checked++;
      if (role in unauth) {
        if (hello.type !== 'error' || hello.error.code !== 'unauthorized') failures.push(`${role} auth: ${JSON.stringify(hello)}`);
        const closed = await c.closed;
        if (closed.code !== 1008) failures.push(`${role} auth: closed with ${closed.code}`);
        continue;
      }
      if (hello.type !== 'welcome') { failures.push(`${role} auth: ${JSON.stringify(hello)}`); continue; }
      c.send({ type: 'subscribe', plan: P });
      const sub = await c.next((m) => m.type === 'snapshot' || m.type === 'error');
      const got = sub.type === 'snapshot' ? 'snapshot' : sub.error.code;
      checked++;
      if (got !== expectSub[role]) failures.push(`${role} subscribe: ${JSON.stringify(sub).slice(0, 200)}`);
      // Missing plans: forbidden unless the token may look, then not_found.
      c.send({ type: 'subscribe', plan: GHOST });
      const ghost = await c.next((m) => m.type === 'error');
      checked++;
      const wantGhost = role === 'organiser' || role === 'admin' ? 'not_found' : 'forbidden';
      if (ghost.error.code !== wantGhost) failures.push(`${role} subscribe to a missing plan: ${JSON.stringify(ghost)}`);
      const reply = await c.command(P, { type: 'edit-item', data: { item: 'it', title: `ws ${role}` } });
      checked++;
      const gotCmd = reply.type === 'ack' ? 'ack' : reply.error.code;
      if (gotCmd !== expectCmd[role]) failures.push(`${role} command: ${JSON.stringify(reply).slice(0, 200)}`);
      if (reply.type === 'ack' && reply.events[0].actor !== hello.actor) failures.push(`${role} command recorded as ${reply.events[0].actor}`);
      c.send({ type: 'presence', plan: P, editing: 'it' });
      const presence = await c.next((m) => (m.type === 'presence' && m.users.some((u) => u.editing === 'it')) || m.type === 'error');
      checked++;
      const wantPresence = expectSub[role] === 'snapshot' ? 'presence' : 'invalid';
      if ((presence.type === 'presence' ? 'presence' : presence.error.code) !== wantPresence) failures.push(`${role} presence: ${JSON.stringify(presence)}`);
      c.close();
    }
    assert.deepEqual(failures, []);
  });

  test('revoking a token cuts its live session and its HTTP access at once', async () => {
    const t = await issueToken(s, 'organiser', [P], 'Soon Revoked');
    const c = await WsClient.open(s, t.token);
    c.send({ type: 'subscribe', plan: P });
    await c.next((m) => m.type === 'snapshot');
    const res = await api.del(s, `/api/tokens/${t.id}`);
    assert.equal(res.status, 200);
    assert.equal(res.json.sessions_closed, 1);
    const err = await c.next((m) => m.type === 'error');
    assert.equal(err.error.code, 'unauthorized');
    assert.equal((await c.closed).code, 1008);
    assert.equal((await http(s, 'GET', `/api/plans/${P}`, { token: t.token })).status, 401);
    assert.equal((await http(s, 'POST', `/api/plans/${P}/commands`, { token: t.token, body: { type: 'edit-item', data: { item: 'it', title: 'late' } } })).status, 401);
    // Revoking again: not found; the other tokens still work.
    assert.equal((await api.del(s, `/api/tokens/${t.id}`)).status, 404);
    assert.equal((await http(s, 'GET', `/api/plans/${P}`, { token: tokens.viewer })).status, 200);
    checked += 6;
  });

  test('a viewer cannot change anything by any door', async () => {
    const before = (await http(s, 'GET', `/api/plans/${P}`, { token: ADMIN_TOKEN })).json.revision;
    const v = tokens.viewer;
    for (const [method, path, body] of [
      ['POST', `/api/plans/${P}/commands`, { type: 'revert', data: { revision: 2 } }],
      ['POST', `/api/plans/${P}/commands`, { type: 'publish-release', data: { name: 'sneaky' } }],
      ['PUT', `/api/plans/${P}`, { title: 'x' }],
      ['DELETE', `/api/plans/${P}`, undefined],
      ['POST', `/api/plans/${P}`, { type: 'edit-item', data: { item: 'it', title: 'x' } }],
      ['POST', '/api/plans/import', { format: 'kartiba-export', version: 1, plan: { id: P, title: 'x', timezone: 'UTC' } }],
    ]) {
      const res = await http(s, method, path, { token: v, body });
      checked++;
      assert.ok([403, 404].includes(res.status), `${method} ${path}: ${res.status}`);
    }
    const c = await WsClient.open(s, v);
    const reply = await c.command(P, { type: 'revert', data: { revision: 2 } });
    assert.equal(reply.error.code, 'forbidden');
    c.close();
    assert.equal((await http(s, 'GET', `/api/plans/${P}`, { token: ADMIN_TOKEN })).json.revision, before);
  });
});
