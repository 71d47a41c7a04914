// History and replay: the slider shows the plan as it was; back to live. The language switch.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { launch, openAs, eventually, itemTitle, revisionOf } from './lib/browser.mjs';

let server, browser, org, organiserToken;

before(async () => {
  server = await startServer();
  browser = await launch();
  organiserToken = await server.token('organiser', 'Līga Ūdre');
  org = await openAs(browser, server, organiserToken);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('the replay slider shows an older state of the whole dashboard, then back to live', async () => {
  const page = org.page;
  const oldTitle = await itemTitle(page, 'bornem');
  const before = await revisionOf(page);
  const r = await server.api('POST', '/api/plans/brussels-2024/commands',
    { id: 'c-replay-1', type: 'edit-item', base: before, reason: 'Jauns nosaukums', data: { item: 'bornem', title: 'Bornem — jaunais nosaukums' } }, organiserToken);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  await eventually(async () => (await itemTitle(page, 'bornem')) === 'Bornem — jaunais nosaukums', { message: 'live change' });

  await page.locator('.tab[href="#history"]').click();
  await page.waitForSelector('.trail-entry');
  const slider = page.locator('#replay-slider');
  assert.equal(Number(await slider.getAttribute('max')), before + 1);
  await slider.fill(String(before));
  await page.waitForSelector('.replay-bar.is-replaying');
  await page.locator('.tab[href="#agenda"]').click();
  await eventually(async () => (await itemTitle(page, 'bornem')) === oldTitle, { message: 'agenda at the old revision' });
  assert.match(await page.locator('.replay-banner').innerText(), new RegExp(String(before)));
  assert.equal(await page.locator('[data-action=edit]').count(), 0, 'no editing in the past');

  await page.locator('[data-action=replay-live]').click();
  await eventually(async () => (await itemTitle(page, 'bornem')) === 'Bornem — jaunais nosaukums', { message: 'back to live' });
  assert.equal(await page.locator('.replay-bar').count(), 0);
});

test('the history lists changes with their reasons; a history entry opens that revision', async () => {
  const page = org.page;
  await page.locator('.tab[href="#history"]').click();
  const entry = page.locator('.trail-entry').filter({ hasText: 'Jauns nosaukums' });
  await entry.waitFor();
  await page.locator('.trail-entry').last().locator('[data-action=show-revision]').click();
  await page.waitForSelector('.replay-bar.is-replaying');
  await eventually(async () => (await page.locator('#replay-slider').inputValue()) === '1', { message: 'slider at revision 1' });
  await page.locator('[data-action=replay-live]').click();
  await page.waitForSelector('.replay-bar.is-replaying', { state: 'detached' });
});

test('publish a release; the changelog lists what changed since', async () => {
  const page = org.page;
  await page.locator('.tab[href="#history"]').click();
  await page.locator('[data-field=release-name]').fill('deputātiem-1');
  await page.locator('[data-field=release-note]').fill('Nosūtīts Ādažu deputātiem');
  await page.locator('form.publish button[type=submit]').click();
  await page.locator('.release-list li', { hasText: 'deputātiem-1' }).waitFor();
  await page.locator('.changelog .panel-title', { hasText: 'deputātiem-1' }).waitFor();
  const r = await server.api('POST', '/api/plans/brussels-2024/commands',
    { id: 'c-after-release', type: 'set-item-status', data: { item: 'mechelen', status: 'cancelled' } }, organiserToken);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  await eventually(async () => /Mechelen/.test(await page.locator('.changelog').innerText()), { message: 'changelog names the cancelled item' });
  await page.locator('.release-list li', { hasText: 'deputātiem-1' }).locator('button').click();
  await page.waitForSelector('.replay-bar.is-replaying');
  await page.locator('[data-action=replay-live]').click();
  await page.waitForSelector('.replay-bar.is-replaying', { state: 'detached' });
});

test('the language switch changes every label, and the choice is kept', async () => {
  const page = org.page;
  await page.locator('.tab[href="#agenda"]').click();
  await page.locator('.lang-btn[lang=en]').click();
  await eventually(async () => (await page.locator('.tab[href="#agenda"]').innerText()) === 'Agenda', { message: 'English tabs' });
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
  assert.match(await page.locator('[data-item="dg-intpa"], [data-item="intpa"]').first().innerText(), /tbc/i);
  await page.locator('.tab[href="#sdg"]').click();
  await page.waitForSelector('.tile[data-goal="13"]');
  assert.match(await page.locator('.tile[data-goal="13"]').innerText(), /Climate Action/i);
  await page.reload();
  await page.waitForSelector('.tile[data-goal="13"]');
  assert.match(await page.locator('.tab[aria-current=page]').innerText(), /SDG coverage/);
  await page.locator('.lang-btn[lang=lv]').click();
  await eventually(async () => (await page.locator('.tab[href="#agenda"]').innerText()) === 'Darba kārtība', { message: 'Latvian tabs' });
  assert.match(await page.locator('.tile[data-goal="13"]').innerText(), /Rīcība klimata jomā/i);
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'lv');
});
