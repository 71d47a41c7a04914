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
