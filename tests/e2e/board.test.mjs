// Pledges board, SDG coverage, the clashes panel, adding an item, and the screenshots the docs use.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { launch, openAs, eventually, screenshot } from './lib/browser.mjs';

let server, browser, org, token;

before(async () => {
  server = await startServer();
  browser = await launch();
  token = await server.token('organiser', 'Kristīne Miķelsone');
  org = await openAs(browser, server, token);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('screenshots: agenda at desktop and phone width', async () => {
  await screenshot(org.page, 'desktop');
  const phone = await openAs(browser, server, token, { width: 375, height: 812 });
  const overflow = await phone.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `no horizontal scrolling at 375px (overflow ${overflow}px)`);
  await screenshot(phone.page, 'phone');
  for (const tab of ['pledges', 'sdg', 'history']) {
    await phone.page.locator(`.tab[href="#${tab}"]`).click();
    await phone.page.waitForSelector(`.main-${tab}`);
    await screenshot(phone.page, `phone-${tab}`);
  }
  await phone.context.close();
});

test('an organiser adds an item; it lands on its day in time order, with its SDGs', async () => {
  const page = org.page;
  await page.locator('.day[data-date="2024-05-16"] .add-on-day').click();
  await page.waitForSelector('dialog.item-editor[open]');
  await page.locator('dialog [data-field=title]').fill('Kafija ar VVSG — “ģimeņu” jautājumi');
  await page.locator('dialog [data-field=start-time]').fill('12:00');
  await page.locator('dialog [data-field=end-time]').fill('12:20');
  await page.locator('dialog .sdg-option label[for$="-13"]').click();
  await page.locator('dialog [data-action=save]').click();
  const card = page.locator('.day[data-date="2024-05-16"] .item').filter({ hasText: 'Kafija ar VVSG' });
  await card.waitFor();
  assert.equal(await card.locator('.sdg-chip[data-sdg="13"]').count(), 1);
  const ids = await page.locator('.day[data-date="2024-05-16"] .item').evaluateAll((els) => els.map((e) => e.dataset.item));
  assert.ok(ids.indexOf('bornem') < ids.findIndex((id) => id.startsWith('kafija')), `time order: ${ids}`);
});

test('the clashes panel lists a room clash and links to its items', async () => {
  const page = org.page;
  const view = (await server.api('GET', '/api/plans/brussels-2024', undefined, token)).body;
  const cor = view.items.find((i) => i.id === 'cor');
  const r = await server.api('POST', '/api/plans/brussels-2024/commands', { id: 'c-clash-1', type: 'schedule-item',
    data: { item: 'clash', title: 'Pārklājas ar RK', start: cor.start, end: cor.end, venue: cor.venue } }, token);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const entry = page.locator('.conflicts-panel .conflict').filter({ hasText: 'Pārklājas ar RK' }).first();
  await entry.waitFor();
  await entry.locator('a', { hasText: 'Pārklājas ar RK' }).click();
  await eventually(() => page.evaluate(() => document.activeElement?.dataset?.item === 'clash'), { message: 'focus on the clashing item' });
});

test('pledges: create, filter, change status, report progress', async () => {
  const page = org.page;
  await page.locator('.tab[href="#pledges"]').click();
  await page.waitForSelector('.board');
  await page.locator('[data-action=new-pledge]').click();
  await page.waitForSelector('dialog.pledge-editor[open]');
  await page.locator('dialog [data-field=municipality]').fill('Ādažu novads');
  await page.locator('dialog [data-field=title]').fill('Pļaviņu pļaušana ar skolēniem');
  await page.locator('dialog .sdg-option label[for$="-15"]').click();
  await page.locator('dialog [data-action=save]').click();
  const card = page.locator('[data-column=proposed] .pledge').filter({ hasText: 'Pļaviņu pļaušana' });
  await card.waitFor();

  await page.locator('[data-filter=sdg]').selectOption('15');
  await eventually(async () => (await page.locator('.pledge').count()) === 1, { message: 'SDG filter leaves one pledge' });
  await page.locator('[data-filter=sdg]').selectOption('');
  await page.locator('[data-filter=municipality]').selectOption('Ādažu novads');
  await eventually(async () => (await page.locator('.pledge').evaluateAll((els) => els.every((e) => e.innerText.includes('Ādažu novads')))), { message: 'municipality filter' });

  await card.locator('[data-action=pledge-status]').selectOption('in-progress');
  const moved = page.locator('[data-column=in-progress] .pledge').filter({ hasText: 'Pļaviņu pļaušana' });
  await moved.waitFor();
  await moved.locator('[data-action=edit-pledge]').click();
  await page.waitForSelector('dialog.pledge-editor[open]');
  await page.locator('dialog [data-field=percent]').fill('55');
  await page.locator('dialog [data-field=note]').fill('Pirmā talka notikusi');
  await page.locator('dialog [data-action=save]').click();
  await eventually(async () => (await moved.locator('[role=progressbar]').getAttribute('aria-valuenow')) === '55', { message: 'progress 55' });
  await page.locator('[data-filter=municipality]').selectOption('');
  await screenshot(page, 'desktop-pledges');

  await page.locator('.tab[href="#sdg"]').click();
  const tile = page.locator('.tile[data-goal="15"]');
  await tile.waitFor();
  await eventually(async () => /1\b/.test(await tile.locator('[data-count=pledges]').innerText()), { message: 'SDG 15 counts the pledge' });
  assert.ok(await page.locator('.tile[data-goal="4"] .tile-priority').count() === 1, 'SDG 4 is a priority');
  await tile.click();
  await page.waitForSelector('.goal-details');
  await screenshot(page, 'desktop-sdg');
});
