// Two organisers on brussels-2024: each sees the other's change live, sees who is editing what,
// and a same-field conflict shows the conflict card, resolved both ways.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { launch, openAs, eventually, itemTitle } from './lib/browser.mjs';

let server, browser, anna, ben;

before(async () => {
  server = await startServer();
  browser = await launch();
  anna = await openAs(browser, server, await server.token('organiser', 'Anna Bērziņa'));
  ben = await openAs(browser, server, await server.token('organiser', 'Bens Ozols'));
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function openEditor(page, item) {
  await page.locator(`[data-item="${item}"] [data-action=edit]`).click();
  await page.waitForSelector('dialog.item-editor[open]');
}

async function save(page) {
  await page.locator('dialog.item-editor [data-action=save]').click();
  await page.waitForSelector('dialog.item-editor', { state: 'detached' });
}

test('each organiser sees the other\'s change live', async () => {
  await openEditor(anna.page, 'civex');
  await anna.page.locator('dialog [data-field=title]').fill('CIVEX sekretariāts — ņemam līdzi ķēdi');
  await anna.page.locator('dialog [data-field=reason]').fill('Precizēts nosaukums');
  await save(anna.page);
  await eventually(async () => (await itemTitle(ben.page, 'civex')) === 'CIVEX sekretariāts — ņemam līdzi ķēdi',
    { message: 'Ben sees Anna\'s new title' });

  await ben.page.locator('[data-item="mechelen"] [data-action=status]').selectOption('confirmed');
  await eventually(async () => (await anna.page.locator('[data-item="mechelen"]').getAttribute('data-status')) === 'confirmed',
    { message: 'Anna sees Ben confirm Mechelen' });
  assert.equal(await anna.page.locator('[data-item="mechelen"] .badge-tbc').count(), 0);
});

test('presence: the item an organiser is editing is marked with their name', async () => {
  await eventually(async () => (await anna.page.locator('.presence .avatar').count()) >= 2, { message: 'two people online' });
  await openEditor(anna.page, 'bornem');
  const mark = ben.page.locator('[data-item="bornem"] [data-editing="Anna Bērziņa"]');
  await mark.waitFor();
  await anna.page.keyboard.press('Escape');
  await mark.waitFor({ state: 'detached' });
});

test('a same-field conflict: "take theirs" keeps the other change', async () => {
  await openEditor(anna.page, 'cor');
  await openEditor(ben.page, 'cor');
  await anna.page.locator('dialog [data-field=start-time]').fill('10:40');
  await save(anna.page);
  await eventually(async () => (await ben.page.locator('[data-item="cor"] .time-range').innerText()).startsWith('10:40'),
    { message: 'Ben sees the new start behind his editor' });
  assert.match(await ben.page.locator('[data-item="cor"] .time-range').innerText(), /10:40\s*–\s*11:10/, 'moving the start keeps the duration');
  // Ben's editor still holds the old base; he moves the same field.
  await ben.page.locator('dialog [data-field=start-time]').fill('10:50');
  await save(ben.page);
  const card = ben.page.locator('[data-item="cor"] .conflict-card');
  await card.waitFor();
  const text = await card.innerText();
  assert.match(text, /Anna Bērziņa/);
  assert.match(text, /10:40/, 'shows what Anna changed');
  assert.match(text, /10:50/, 'shows what Ben wanted');
  await card.locator('[data-action=take-theirs]').click();
  await card.waitFor({ state: 'detached' });
  assert.ok((await ben.page.locator('[data-item="cor"] .time-range').innerText()).startsWith('10:40'));
  assert.ok((await anna.page.locator('[data-item="cor"] .time-range').innerText()).startsWith('10:40'));
});

test('a same-field conflict: "apply mine again" resends on the new base', async () => {
  await openEditor(anna.page, 'bornem');
  await openEditor(ben.page, 'bornem');
  await anna.page.locator('dialog [data-field=title]').fill('Bornem: Annas versija');
  await save(anna.page);
  await eventually(async () => (await itemTitle(ben.page, 'bornem')) === 'Bornem: Annas versija', { message: 'Ben sees Anna\'s title' });
  await ben.page.locator('dialog [data-field=title]').fill('Bornem: Bena versija');
  await save(ben.page);
  const card = ben.page.locator('[data-item="bornem"] .conflict-card');
  await card.waitFor();
  await card.locator('[data-action=apply-mine]').click();
  await card.waitFor({ state: 'detached' });
  await eventually(async () => (await itemTitle(anna.page, 'bornem')) === 'Bornem: Bena versija', { message: 'Anna sees Ben\'s title' });
  await eventually(async () => (await itemTitle(ben.page, 'bornem')) === 'Bornem: Bena versija', { message: 'Ben sees his title' });
});

test('changes to different fields of one item both go through', async () => {
  await openEditor(anna.page, 'mechelen');
  await openEditor(ben.page, 'mechelen');
  await anna.page.locator('dialog [data-field=title]').fill('Mechelen (apstiprināts)');
  await save(anna.page);
  await ben.page.locator('dialog [data-field=end-time]').fill('16:30');
  await save(ben.page);
  for (const p of [anna.page, ben.page]) {
    await eventually(async () => (await itemTitle(p, 'mechelen')) === 'Mechelen (apstiprināts)'
      && (await p.locator('[data-item="mechelen"] .time-range').innerText()).includes('16:30'), { message: 'both changes visible' });
  }
  assert.equal(await ben.page.locator('.conflict-card').count(), 0, JSON.stringify(await ben.page.evaluate(() => window.kartiba.refused)));
  assert.deepEqual(anna.errors.filter((e) => !/favicon/.test(e)), []);
  assert.deepEqual(ben.errors.filter((e) => !/favicon/.test(e)), []);
});
