// A viewer sees the plan live but no edit controls, and the server refuses their writes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { startServer } from './lib/server.mjs';
import { launch, openAs, eventually, itemTitle } from './lib/browser.mjs';

let server, browser, viewer, viewerToken, organiserToken;

before(async () => {
  server = await startServer();
  browser = await launch();
  viewerToken = await server.token('viewer', 'Deputāts Ēriks');
  organiserToken = await server.token('organiser', 'Kristīne Miķelsone');
  viewer = await openAs(browser, server, viewerToken);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('the token leaves the address bar and the role is shown', async () => {
  assert.ok(!viewer.page.url().includes('token='), viewer.page.url());
  assert.ok(viewer.page.url().includes('plan=brussels-2024'));
  await viewer.page.waitForSelector('.me');
  assert.match(await viewer.page.locator('.me').innerText(), /Deputāts Ēriks/);
});

test('a viewer sees no edit controls on any tab', async () => {
  const page = viewer.page;
  for (const hash of ['#agenda', '#pledges', '#history']) {
    await page.evaluate((h) => { location.hash = h; }, hash);
    await page.waitForSelector(`.main-${hash.slice(1)}`);
    for (const sel of ['[data-action=edit]', '[data-action=status]', '[data-action=add-item]', '[data-action=new-pledge]',
      '[data-action=edit-pledge]', '[data-action=pledge-status]', 'form.publish']) {
      assert.equal(await page.locator(sel).count(), 0, `${hash}: ${sel} must not be shown to a viewer`);
    }
  }
  await page.evaluate(() => { location.hash = '#agenda'; });
});

test('a viewer cannot write over HTTP or WebSocket', async () => {
  const http = await server.api('POST', '/api/plans/brussels-2024/commands',
    { id: 'c-viewer-1', type: 'set-item-status', data: { item: 'cor', status: 'cancelled' } }, viewerToken);
  assert.equal(http.status, 403);

  const ws = new WebSocket(server.url.replace('http', 'ws') + '/ws');
  const answers = [];
  ws.on('message', (m) => answers.push(JSON.parse(m)));
  await new Promise((r, j) => { ws.once('open', r); ws.once('error', j); });
  ws.send(JSON.stringify({ type: 'auth', token: viewerToken }));
  await eventually(() => answers.find((a) => a.type === 'welcome'), { message: 'welcome' });
  ws.send(JSON.stringify({ type: 'command', plan: 'brussels-2024', command: { id: 'c-viewer-2', type: 'set-item-status', data: { item: 'cor', status: 'cancelled' } } }));
  const rejected = await eventually(() => answers.find((a) => a.type === 'rejected' || a.type === 'error'), { message: 'rejection' });
  assert.equal(rejected.error.code, 'forbidden');
  ws.close();
  assert.equal(await viewer.page.locator('[data-item="cor"]').getAttribute('data-status'), 'confirmed');
});

test('a viewer sees an organiser\'s change live', async () => {
  const r = await server.api('POST', '/api/plans/brussels-2024/commands',
    { id: 'c-org-1', type: 'edit-item', reason: 'Precizējums', data: { item: 'cor', title: 'Reģionu komiteja — ūdens, ķīmija, ņieburs' } }, organiserToken);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  await eventually(async () => (await itemTitle(viewer.page, 'cor')) === 'Reģionu komiteja — ūdens, ķīmija, ņieburs', { message: 'viewer sees the change' });
});

test('sign-in screen: a wrong token is refused, a right one leads to the plan picker', async () => {
  const created = await server.api('POST', '/api/plans', { id: 'valmiera-2025', title: 'Valmieras ilgtspējas nedēļa', timezone: 'Europe/Riga', language: 'en' });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const context = await browser.newContext({ viewport: { width: 375, height: 700 } });
  const page = await context.newPage();
  await page.goto(server.url + '/');
  await page.locator('input[name=token]').fill('not-a-token');
  await page.locator('.signin-form button[type=submit]').click();
  await page.waitForSelector('#signin-error');
  await page.locator('input[name=token]').fill(server.adminToken);
  await page.locator('.signin-form button[type=submit]').click();
  await page.waitForSelector('.plan-choice[data-plan="valmiera-2025"]');
  assert.equal(await page.locator('.plan-choice').count(), 2);
  await page.locator('.plan-choice[data-plan="valmiera-2025"]').click();
  await page.waitForSelector('.conn[data-status=online]');
  assert.ok(page.url().includes('plan=valmiera-2025'));
  // A plan with no items yet: its days are shown empty, in the plan's language (English).
  await eventually(async () => (await page.locator('.tab[href="#agenda"]').innerText()) === 'Agenda', { message: 'plan language' });
  await page.locator('[data-key=pick-plan]').click();
  await page.locator('.plan-choice[data-plan="brussels-2024"]').click();
  await page.waitForSelector('.item[data-item="bornem"]');
  await page.locator('[data-key=sign-out]').click();
  await page.waitForSelector('input[name=token]');
  assert.equal(await page.evaluate(() => sessionStorage.getItem('kartiba.token')), null);
  await context.close();
});

test('every form control has a label (agenda, item editor, pledge editor)', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${server.url}/?token=${organiserToken}&plan=brussels-2024`);
  await page.waitForSelector('[data-item="cor"] [data-action=edit]');
  const unlabelled = () => page.evaluate(() => [...document.querySelectorAll('input, select, textarea')]
    .filter((el) => el.type !== 'hidden' && !el.closest('[hidden]'))
    .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
    .map((el) => el.outerHTML.slice(0, 120)));
  assert.deepEqual(await unlabelled(), []);
  await page.locator('[data-item="cor"] [data-action=edit]').click();
  await page.waitForSelector('dialog.item-editor[open]');
  assert.deepEqual(await unlabelled(), []);
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.field), 'title', 'focus starts in the form');
  await page.keyboard.press('Escape');
  await page.waitForSelector('dialog', { state: 'detached' });
  await page.locator('.tab[href="#pledges"]').click();
  await page.locator('[data-action=new-pledge]').click();
  await page.waitForSelector('dialog.pledge-editor[open]');
  assert.deepEqual(await unlabelled(), []);
  await page.keyboard.press('Escape');
  await page.locator('.tab[href="#history"]').click();
  await page.waitForSelector('.trail-entry');
  assert.deepEqual(await unlabelled(), []);
  const missing = await page.evaluate(async () => (await import('/js/i18n.js')).missingKeys());
  assert.deepEqual(missing, [], 'every UI string exists in both languages');
  await context.close();
});

test('a revoked token is told at once and does not retry', async () => {
  const tok = await server.token('organiser', 'Uz brīdi');
  const session = await openAs(browser, server, tok);
  const r = await server.revoke(tok);
  assert.ok(r.status === 200 || r.status === 204, `revoke → ${r.status}`);
  await session.page.waitForSelector('.conn[data-status=unauthorized]');
  assert.equal(await session.page.evaluate(() => window.kartiba.conn.ws), null, 'no reconnection attempts');
  await session.context.close();
});

test('a plan the token may not read says so and offers the picker', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${server.url}/?token=${viewerToken}&plan=valmiera-2025`);
  const msg = page.locator('main .form-error');
  await msg.waitFor();
  await msg.locator('button').click();
  await page.waitForSelector('.plan-choice[data-plan="brussels-2024"]');
  assert.equal(await page.locator('.plan-choice').count(), 1, 'the viewer only sees the plan of the token');
  await context.close();
});
