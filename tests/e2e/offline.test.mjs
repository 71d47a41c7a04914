// Edits made while offline wait in the outbox (kept in localStorage) and are sent on reconnect;
// the connection resumes from its revision and catches up on what others did meanwhile.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { launch, openAs, eventually, itemTitle } from './lib/browser.mjs';

let server, browser, anna, ben, benToken;

before(async () => {
  server = await startServer();
  browser = await launch();
  anna = await openAs(browser, server, await server.token('organiser', 'Anna Bērziņa'));
  benToken = await server.token('organiser', 'Bens Ozols');
  ben = await openAs(browser, server, benToken);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const outboxSize = (page) => page.evaluate(() => JSON.parse(localStorage.getItem('kartiba.outbox.brussels-2024') || '[]').length);

test('offline edits are queued, shown as waiting, and sent on reconnect', async () => {
  const page = anna.page;
  await anna.context.setOffline(true);
  await page.waitForSelector('.conn[data-status=offline], .conn[data-status=connecting]');

  await page.locator('[data-item="mechelen"] [data-action=status]').selectOption('cancelled');
  await page.locator('[data-item="civex"] [data-action=edit]').click();
  await page.locator('dialog [data-field=title]').fill('CIVEX — rakstīts bezsaistē');
  await page.locator('dialog [data-action=save]').click();
  await page.waitForSelector('dialog.item-editor', { state: 'detached' });

  await page.waitForSelector('[data-item="civex"] .badge-queued');
  assert.equal(await outboxSize(page), 2);
  assert.match(await page.locator('.conn-queued').innerText(), /2/);

  // Meanwhile Ben, online, changes something else: Anna must catch up after reconnecting.
  const r = await server.api('POST', '/api/plans/brussels-2024/commands',
    { id: 'c-ben-offline-1', type: 'edit-item', data: { item: 'bornem', title: 'Bornem (Bens)' } }, benToken);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.notEqual(await itemTitle(page, 'bornem'), 'Bornem (Bens)');
  assert.equal(await ben.page.locator('[data-item="mechelen"]').getAttribute('data-status'), 'tentative');

  await anna.context.setOffline(false);
  await page.waitForSelector('.conn[data-status=online]', { timeout: 20000 });
  await eventually(async () => (await outboxSize(page)) === 0, { message: 'outbox drained' });
  await eventually(async () => (await ben.page.locator('[data-item="mechelen"]').getAttribute('data-status')) === 'cancelled', { message: 'Ben sees the queued status change' });
  await eventually(async () => (await itemTitle(ben.page, 'civex')) === 'CIVEX — rakstīts bezsaistē', { message: 'Ben sees the queued title' });
  await eventually(async () => (await itemTitle(page, 'bornem')) === 'Bornem (Bens)', { message: 'Anna caught up with Ben' });
  assert.equal(await page.locator('.badge-queued').count(), 0);
  assert.equal(await page.locator('.conflict-card, .refused-card').count(), 0);
});

test('a dropped socket reconnects by itself and resumes with from', async () => {
  const page = ben.page;
  const sent = [];
  page.on('websocket', (ws) => ws.on('framesent', (f) => { try { sent.push(JSON.parse(f.payload)); } catch { /* binary */ } }));
  const rev = await page.evaluate(() => window.kartiba.model.revision);
  await page.evaluate(() => window.kartiba.conn.ws.close());
  await page.waitForSelector('.conn[data-status=online]', { timeout: 20000 });
  const sub = await eventually(() => sent.find((m) => m.type === 'subscribe'), { message: 'a new subscribe' });
  assert.equal(sub.from, rev);
});

test('an edit queued in a page that was closed is sent by the next page', async () => {
  let page = ben.page;
  await ben.context.setOffline(true);
  await page.waitForSelector('.conn[data-status=offline], .conn[data-status=connecting]');
  await page.locator('[data-item="cor"] [data-action=status]').selectOption('tentative');
  assert.equal(await outboxSize(page), 1);
  await page.close();
  await ben.context.setOffline(false);
  page = ben.page = await ben.context.newPage();
  await page.goto(`${server.url}/?token=${benToken}&plan=brussels-2024`);
  await page.waitForSelector('.conn[data-status=online]');
  await eventually(async () => (await outboxSize(page)) === 0, { message: 'outbox drained by the new page' });
  await eventually(async () => (await anna.page.locator('[data-item="cor"]').getAttribute('data-status')) === 'tentative', { message: 'Anna sees it' });
});
