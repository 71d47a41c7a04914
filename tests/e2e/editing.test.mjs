// The item editor: speakers (existing and new), SDG tags, venue, a flight across zones, removal;
// and what an open editor shows when someone else changes or removes its item.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { launch, openAs, eventually, itemTitle } from './lib/browser.mjs';

let server, browser, org, token, otherToken;

before(async () => {
  server = await startServer();
  browser = await launch();
  token = await server.token('organiser', 'Kristīne Miķelsone');
  otherToken = await server.token('organiser', 'Jānis Ķirsis');
  org = await openAs(browser, server, token);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const view = async () => (await server.api('GET', '/api/plans/brussels-2024', undefined, token)).body;

async function edit(item) {
  await org.page.locator(`[data-item="${item}"] [data-action=edit]`).click();
  await org.page.waitForSelector('dialog.item-editor[open]');
  return org.page.locator('dialog.item-editor');
}

test('assign an existing and a new speaker, tag SDGs, pick a venue', async () => {
  const page = org.page;
  const dlg = await edit('mechelen');
  await dlg.locator('.speakers-field label', { hasText: 'Heleen Voeten' }).click();
  await dlg.locator('.speakers-field summary').click();
  await dlg.locator('.speakers-field .inline-create input').nth(0).fill('Ēvalds Šķēle');
  await dlg.locator('.speakers-field .inline-create input').nth(1).fill('mērs');
  await dlg.locator('.speakers-field .inline-create input').nth(2).fill('Mechelen');
  await dlg.locator('.speakers-field .inline-create button').click();
  await dlg.locator('.sdg-option label[for$="-4"]').click();
  await dlg.locator('[data-field=venue]').selectOption('bornem');
  await dlg.locator('[data-field=reason]').fill('Sarunāts ar Mechelen');
  await dlg.locator('[data-action=save]').click();
  const card = page.locator('[data-item="mechelen"]');
  await eventually(async () => /Heleen Voeten/.test(await card.innerText()) && /Ēvalds Šķēle — mērs, Mechelen/.test(await card.innerText()), { message: 'both speakers on the card' });
  await eventually(async () => (await card.locator('.sdg-chip[data-sdg="4"]').count()) === 1, { message: 'SDG 4 tag' });
  const v = await view();
  const m = v.items.find((i) => i.id === 'mechelen');
  assert.ok(m.sdgs.includes(4));
  assert.equal(m.venue, 'bornem');
  assert.equal(m.speakers.length, 2);
  const history = (await server.api('GET', '/api/plans/brussels-2024/history?lang=lv', undefined, token)).body;
  assert.ok(history.entries.some((e) => e.reason === 'Sarunāts ar Mechelen'), 'the reason is kept on the events');
});

test('a new flight across zones shows each end in its own zone', async () => {
  const page = org.page;
  await page.locator('.day[data-date="2024-05-17"] .add-on-day').click();
  const dlg = page.locator('dialog.item-editor');
  await dlg.locator('[data-field=title]').fill('Lidojums Brisele – Viļņa');
  await dlg.locator('select').first().selectOption('travel');
  await dlg.locator('[data-field=start-time]').fill('15:00');
  await dlg.locator('[data-field=end-time]').fill('18:30');
  await dlg.locator('details.zones summary').click();
  await dlg.locator('[data-field=end-tz]').fill('Europe/Vilnius');
  await dlg.locator('[data-action=save]').click();
  const card = page.locator('.item').filter({ hasText: 'Lidojums Brisele – Viļņa' });
  await card.waitFor();
  const time = await card.locator('.item-time').innerText();
  assert.match(time, /15:00\s*→\s*18:30/);
  assert.match(time, /UTC\+2/);
  assert.match(time, /UTC\+3/);
  assert.match(time, /2 st\. 30 min/, 'the duration counts the zone change');
});

test('an open editor tells when someone else changes its item; a stale removal is a conflict', async () => {
  const page = org.page;
  const dlg = await edit('lunch-2');
  const base = (await view()).revision;
  const r = await server.api('POST', '/api/plans/brussels-2024/commands',
    { id: 'c-other-1', type: 'edit-item', base, data: { item: 'lunch-2', title: 'Pusdienas Bornemā' } }, otherToken);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  await dlg.locator('.notice-warn').filter({ hasText: 'Jānis Ķirsis' }).waitFor();
  await dlg.locator('[data-action=remove]').click();
  await dlg.locator('[data-action=remove]').click();   // the second press confirms
  // Removing counts as changing every field, and Jānis changed the title after this editor's
  // base: the removal comes back as a conflict; "apply mine again" removes it for real.
  const card = page.locator('[data-item="lunch-2"] .conflict-card');
  await card.waitFor();
  assert.match(await card.innerText(), /Pusdienas Bornemā/);
  await card.locator('[data-action=apply-mine]').click();
  await page.locator('[data-item="lunch-2"]').waitFor({ state: 'detached' });
  assert.ok(!(await view()).items.some((i) => i.id === 'lunch-2'));
});

test('editing an item someone else removed meanwhile shows the refusal with what happened', async () => {
  const page = org.page;
  const dlg = await edit('lunch-1');
  const r = await server.api('POST', '/api/plans/brussels-2024/commands',
    { id: 'c-other-2', type: 'remove-item', data: { item: 'lunch-1' } }, otherToken);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  await dlg.locator('.notice-warn').waitFor();
  await dlg.locator('[data-field=title]').fill('Pusdienas — garākas');
  await dlg.locator('[data-action=save]').click();
  const refused = page.locator('.orphans .conflict-card, .orphans .refused-card');
  await refused.waitFor();
  assert.match(await refused.innerText(), /Pusdienas — garākas/);
  await refused.locator('button').first().click();
  await refused.waitFor({ state: 'detached' });
  assert.equal(await itemTitle(page, 'cor').then(Boolean), true);
});
