// Live dashboards (issue 14): after its snapshot the page follows changes made elsewhere with
// no HTTP request at all (derived frames carry conflicts, coverage and the pledge board), also
// after a reconnect; and a public dashboard link shows the plan live without a token and
// without any contact field.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { launch, openAs, eventually } from './lib/browser.mjs';

const PLAN = 'brussels-2024';
const DERIVED = ['conflicts', 'sdg_coverage', 'pledge_board', 'days'];
const CONTACT_KEYS = ['email', 'phone', 'needs', 'contact', 'token', 'secret'];

let server, browser, token;

before(async () => {
  server = await startServer();
  browser = await launch();
  token = await server.token('organiser', 'Kristīne Miķelsone');
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

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

/** 20 changes by someone else, over HTTP from outside the page; returns the last revision. */
async function changesElsewhere(view, tag) {
  const cor = view.items.find((i) => i.id === 'cor');
  const others = view.items.filter((i) => i.id !== 'cor').slice(0, 6);
  const cmds = [
    { type: 'schedule-item', data: { item: `clash-${tag}`, title: `Pārklājas ar RK ${tag}`, start: cor.start, end: cor.end, venue: cor.venue, sdgs: [11] } },
    { type: 'make-pledge', data: { pledge: `pl-${tag}`, by: { municipality: 'Ķekavas novads' }, title: `Zaļie pagalmi ${tag}`, sdgs: [11, 15] } },
    { type: 'set-pledge-status', data: { pledge: `pl-${tag}`, status: 'committed' } },
  ];
  for (let i = 0; cmds.length < 20; i++) {
    const it = others[i % others.length];
    cmds.push(i % 2
      ? { type: 'tag-item', data: { item: it.id, sdgs: [(i % 16) + 1] } }
      : { type: 'edit-item', data: { item: it.id, title: `${it.title.replace(/ · \d+$/, '')} · ${i}` } });
  }
  let last = 0;
  for (const [i, data] of cmds.entries()) {
    const r = await server.api('POST', `/api/plans/${PLAN}/commands`, { id: `c-${tag}-${i}`, ...data });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    last = r.body.revision;
  }
  return last;
}

/** Waits until the page holds the view's derived parts at `rev`, then compares them. */
async function assertDerivedMatch(page, rev) {
  await eventually(() => page.evaluate((r) => window.kartiba.model.revision === r && window.kartiba.derivedRevision === r, rev),
    { message: `the page at revision ${rev} with its derived parts` });
  const mine = await page.evaluate((keys) => Object.fromEntries(keys.map((k) => [k, window.kartiba.model.view[k]])), DERIVED);
  const view = (await server.api('GET', `/api/plans/${PLAN}?at=${rev}`)).body;
  for (const k of DERIVED) assert.deepEqual(mine[k], view[k], `${k} at ${rev}`);
}

test('a dashboard follows 20 changes made elsewhere with no HTTP request, also after a reconnect', async () => {
  const { page, context, errors } = await openAs(browser, server, token);
  const requests = [];
  page.on('request', (r) => requests.push(`${r.method()} ${r.url()}`));
  const view = (await server.api('GET', `/api/plans/${PLAN}`)).body;

  const last = await changesElsewhere(view, 'a');
  await assertDerivedMatch(page, last);
  await page.locator('.conflicts-panel .conflict').filter({ hasText: 'Pārklājas ar RK a' }).first().waitFor();
  assert.deepEqual(requests, [], 'no HTTP request to follow 20 changes');

  // The connection drops; the page resumes with `from` and still asks nothing over HTTP.
  await page.evaluate(() => window.kartiba.conn.ws.close());
  await eventually(() => page.evaluate(() => window.kartiba.status === 'offline' || window.kartiba.status === 'connecting'), { message: 'the drop' });
  const more = await changesElsewhere((await server.api('GET', `/api/plans/${PLAN}`)).body, 'b');
  await page.waitForSelector('.conn[data-status=online]');
  await assertDerivedMatch(page, more);
  assert.deepEqual(requests, [], 'no HTTP request after the reconnect either');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a public dashboard link: live without a token, never a contact field; revoked at once', async () => {
  const made = await server.api('POST', `/api/plans/${PLAN}/links`, { kind: 'dashboard', name: 'Domes mājaslapa' }, token);
  assert.equal(made.status, 201, JSON.stringify(made.body));
  const context = await browser.newContext({ locale: 'lv-LV', timezoneId: 'Europe/Riga' });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const frames = [];
  page.on('websocket', (ws) => ws.on('framereceived', (f) => frames.push(String(f.payload))));
  const responses = [];
  page.on('response', async (r) => { try { responses.push({ url: r.url(), text: await r.text() }); } catch { /* redirects */ } });

  await page.goto(made.body.url);
  await page.waitForSelector('.item[data-item]');
  await page.waitForSelector('.conn[data-status=online]');
  assert.equal(await page.locator('[data-key=sign-out]').count(), 0, 'no sign-out for a public viewer');
  assert.equal(await page.locator('.tab[href="#history"]').count(), 0);
  assert.equal(await page.locator('[data-action=add-item]').count(), 0, 'read-only');

  // A change elsewhere shows on the page.
  const r = await server.api('POST', `/api/plans/${PLAN}/commands`, { type: 'edit-item', data: { item: 'cor', title: 'Reģionu komiteja — publiski' } }, token);
  assert.equal(r.status, 200);
  await eventually(async () => (await page.locator('[data-item="cor"] .item-title').innerText()).includes('publiski'),
    { message: 'the change on the public page' });

  // Nothing it received holds a contact field or a token.
  assert.ok(frames.some((f) => f.includes('"type":"derived"')), 'derived frames reached the viewer');
  for (const f of frames) {
    const msg = JSON.parse(f);
    assert.deepEqual(findKeys(msg, CONTACT_KEYS), [], `frame ${f.slice(0, 120)}`);
    assert.notEqual(msg.type, 'presence');
  }
  for (const resp of responses) {
    assert.ok(!resp.text.includes(token) && !resp.text.includes(server.adminToken), `no token in ${resp.url}`);
    if (resp.url.includes('/api/')) assert.fail(`a public viewer called the API: ${resp.url}`);
  }
  for (const t of [token, server.adminToken]) assert.ok(!frames.some((f) => f.includes(t)));

  // The embed page: the dashboard without the app's chrome.
  const embed = await context.newPage();
  const embedResponse = await embed.goto(made.body.embed_url);
  assert.equal(embedResponse.headers()['x-frame-options'], undefined);
  await embed.waitForSelector('.item[data-item]');
  assert.equal(await embed.locator('.topbar-embed').count(), 1);
  assert.equal(await embed.locator('.lang-switch, [data-key=pick-plan], [data-key=sign-out]').count(), 0);

  // Revoked: both pages lose the plan at once.
  const id = made.body.id;
  assert.equal((await server.api('DELETE', `/api/plans/${PLAN}/links/${id}`, undefined, token)).status, 200);
  await page.waitForSelector('[data-key=link-revoked]');
  await embed.waitForSelector('[data-key=link-revoked]');
  assert.equal(await page.locator('.item[data-item]').count(), 0);
  assert.deepEqual(errors, []);
  await context.close();
});
