// Every command from the browser, end to end against the real server: plan settings and days,
// venues and people (with the "still in use" refusals), decisions linked to items and pledges,
// undo from the history (and its 409 when a later change is in the way), releases. Each test
// checks that the command really landed by reading the plan's view over HTTP afterwards.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { launch, openAs, eventually } from './lib/browser.mjs';

let server, browser, org, token;
const PLAN = '/api/plans/brussels-2024';
const view = async () => (await server.api('GET', PLAN, undefined, token)).body;
const dialog = (page, cls) => page.locator(`dialog.${cls}[open]`);

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

test('plan settings: title, place, priority SDGs and a day\'s title and place land as update-plan and set-day', async () => {
  const page = org.page;
  await page.locator('[data-action=plan-settings]').click();
  const d = dialog(page, 'plan-settings');
  await d.waitFor();
  await d.locator('[data-field=title]').fill('Izpētes vizīte Briselē — ģimeņu, ūdens un ķīmijas jautājumi');
  await d.locator('[data-field=place]').fill('Brisele un Flandrija');
  await d.locator('.sdg-option label[for$="-11"]').click();
  await d.locator('[data-day-title="2024-05-16"]').fill('Flandrijas pašvaldības');
  await d.locator('[data-day-place="2024-05-16"]').fill('Bornem, Mehelene');
  await d.locator('[data-action=save]').click();
  await d.waitFor({ state: 'detached' });
  const v = await eventually(async () => { const x = await view(); return x.place === 'Brisele un Flandrija' && x; }, { message: 'update-plan landed' });
  assert.equal(v.title, 'Izpētes vizīte Briselē — ģimeņu, ūdens un ķīmijas jautājumi');
  assert.deepEqual(v.priority_sdgs, [4, 11, 13, 16]);
  const day = await eventually(async () => (await view()).days.find((x) => x.date === '2024-05-16' && x.title === 'Flandrijas pašvaldības'), { message: 'set-day landed' });
  assert.equal(day.place, 'Bornem, Mehelene');
  await page.locator('.day[data-date="2024-05-16"] .day-name', { hasText: 'Flandrijas pašvaldības' }).waitFor();
  await page.locator('.plan-title', { hasText: 'ģimeņu, ūdens un ķīmijas' }).waitFor();
});

test('plan settings: an end date before the start is refused in the sheet and nothing is sent', async () => {
  const page = org.page;
  const before = (await view()).revision;
  await page.locator('[data-action=plan-settings]').click();
  const d = dialog(page, 'plan-settings');
  await d.locator('[data-field=end_date]').fill('2024-05-01');
  await d.locator('[data-action=save]').click();
  await d.locator('.form-error', { hasText: /./ }).waitFor();
  await page.keyboard.press('Escape');
  await d.waitFor({ state: 'detached' });
  assert.equal((await view()).revision, before);
});

test('venues: add, edit, remove an unused one; removing one in use is refused and says by which items', async () => {
  const page = org.page;
  await page.locator('[data-action=venues]').click();
  const d = dialog(page, 'directory-venue');
  await d.waitFor();
  const add = d.locator('.directory-add');
  await add.locator('[data-field=name]').fill('Ādažu kultūras centrs');
  await add.locator('[data-field=city]').fill('Ādaži');
  await add.locator('[data-action=add-entry]').click();
  const row = d.locator('.directory-row', { hasText: 'Ādažu kultūras centrs' });
  await row.waitFor();
  const id = await row.getAttribute('data-id');
  await eventually(async () => (await view()).venues.find((x) => x.id === id && x.city === 'Ādaži'), { message: 'add-venue landed' });

  await row.locator('[data-action=edit-entry]').click();
  await row.locator('.directory-edit [data-field=room]').fill('Lielā zāle');
  await row.locator('[data-action=save-entry]').click();
  await eventually(async () => (await view()).venues.find((x) => x.id === id)?.room === 'Lielā zāle', { message: 'update-venue landed' });

  const used = d.locator('.directory-row[data-id="cor-bvs"]');
  await used.locator('[data-action=remove-entry]').click();
  await used.locator('[data-action=remove-entry]').click();   // the second press confirms
  const problem = used.locator('.form-error');
  await problem.filter({ hasText: /Komiteja|komiteja|RK|Reģionu/ }).waitFor();
  const text = await problem.innerText();
  assert.match(text, /nevar dzēst/, text);
  assert.ok((await view()).venues.some((x) => x.id === 'cor-bvs'), 'the venue in use is still there');

  const mine = d.locator(`.directory-row[data-id="${id}"]`);
  await mine.locator('[data-action=remove-entry]').click();
  await mine.locator('[data-action=remove-entry]').click();
  await mine.waitFor({ state: 'detached' });
  await eventually(async () => !(await view()).venues.some((x) => x.id === id), { message: 'remove-venue landed' });
  await page.keyboard.press('Escape');
  await d.waitFor({ state: 'detached' });
});

test('people: add and rename; a speaker cannot be removed while assigned, and the sheet says where', async () => {
  const page = org.page;
  await page.locator('[data-action=people]').click();
  const d = dialog(page, 'directory-person');
  await d.waitFor();
  const add = d.locator('.directory-add');
  await add.locator('[data-field=name]').fill('Līga Ņikitina');
  await add.locator('[data-field=organisation]').fill('Ogres novads');
  await add.locator('[data-action=add-entry]').click();
  const row = d.locator('.directory-row', { hasText: 'Līga Ņikitina' });
  await row.waitFor();
  const id = await row.getAttribute('data-id');
  await eventually(async () => (await view()).people.find((x) => x.id === id)?.organisation === 'Ogres novads', { message: 'add-person landed' });

  await row.locator('[data-action=edit-entry]').click();
  await row.locator('.directory-edit [data-field=role]').fill('Attīstības nodaļas vadītāja');
  await row.locator('[data-action=save-entry]').click();
  await eventually(async () => (await view()).people.find((x) => x.id === id)?.role === 'Attīstības nodaļas vadītāja', { message: 'update-person landed' });

  const speaker = d.locator('.directory-row[data-id="voeten"]');
  await speaker.locator('[data-action=remove-entry]').click();
  await speaker.locator('[data-action=remove-entry]').click();
  await speaker.locator('.form-error', { hasText: 'Bornem' }).waitFor();
  assert.ok((await view()).people.some((x) => x.id === 'voeten'));
  await page.keyboard.press('Escape');
});

test('a decision linked to an item and a pledge', async () => {
  const page = org.page;
  await page.evaluate(() => { location.hash = '#history'; });
  await page.locator('[data-action=new-decision]').click();
  const d = dialog(page, 'decision-editor');
  await d.waitFor();
  await d.locator('[data-field=decision-title]').fill('Bornem vizīti saīsināt līdz 12:00');
  await d.locator('[data-field=decision-text]').fill('Pašvaldība lūdza; pusdienas Mehelenē sākas agrāk.');
  await d.locator('[data-field=decision-items] label', { hasText: 'Bornem' }).click();
  await d.locator('[data-field=decision-pledges] input[value="adazi-iam-stundas"]').check();
  await d.locator('[data-action=save]').click();
  await d.waitFor({ state: 'detached' });
  const dec = await eventually(async () => (await view()).decisions.find((x) => x.title === 'Bornem vizīti saīsināt līdz 12:00'), { message: 'record-decision landed' });
  assert.deepEqual(dec.items, ['bornem']);
  assert.deepEqual(dec.pledges, ['adazi-iam-stundas']);
  assert.equal(dec.actor, 'Kristīne Miķelsone');
  await page.locator('.decision-list li', { hasText: 'Bornem vizīti saīsināt' }).waitFor();
});

test('undo a change from the history; a later change in the way is a 409 explained in the sheet', async () => {
  const page = org.page;
  const send = (c) => server.api('POST', `${PLAN}/commands`, c, token);
  const a = await send({ type: 'edit-item', data: { item: 'mechelen', title: 'Mehelene (A)' } });
  assert.equal(a.status, 200);
  const ra = a.body.revision;
  await page.evaluate(() => { location.hash = '#history'; });
  const entry = page.locator(`.trail-entry[data-revision="${ra}"]`);
  await entry.locator('[data-action=revert]').click();
  const d = dialog(page, 'revert-dialog');
  await d.locator('[data-field=reason]').fill('kļūda');
  await d.locator('[data-action=save]').click();
  await d.waitFor({ state: 'detached' });
  const v = await eventually(async () => { const x = await view(); return x.items.find((i) => i.id === 'mechelen')?.title !== 'Mehelene (A)' && x; }, { message: 'revert landed' });
  const events = (await server.api('GET', `${PLAN}/events?from=${ra}`, undefined, token)).body.events;
  assert.equal(events[0].type, 'ItemEdited');
  assert.equal(events[0].data.reverts, ra);
  assert.equal(events[0].reason, 'kļūda');
  assert.ok(v.items.find((i) => i.id === 'mechelen').title.length > 0);

  const b = await send({ type: 'edit-item', data: { item: 'mechelen', title: 'Mehelene (B)' } });
  const c = await send({ type: 'edit-item', data: { item: 'mechelen', title: 'Mehelene (C)' } });
  const rb = b.body.revision;
  await page.locator(`.trail-entry[data-revision="${c.body.revision}"]`).waitFor();
  await page.locator(`.trail-entry[data-revision="${rb}"] [data-action=revert]`).click();
  await d.locator('[data-action=save]').click();
  const problem = d.locator('.form-error');
  await problem.filter({ hasText: String(c.body.revision) }).waitFor();
  const text = await problem.innerText();
  assert.match(text, new RegExp(`Izmaiņu ${rb} nevar atsaukt`), text);
  assert.match(text, /Kristīne Miķelsone/, text);
  assert.equal((await view()).items.find((i) => i.id === 'mechelen').title, 'Mehelene (C)');
  await page.keyboard.press('Escape');
  await d.waitFor({ state: 'detached' });
});

test('a release is published; the same name again is refused next to the form', async () => {
  const page = org.page;
  await page.evaluate(() => { location.hash = '#history'; });
  await page.locator('[data-field=release-name]').fill('v-ģimenēm');
  await page.locator('[data-field=release-note]').fill('Nosūtīts ģimenēm');
  await page.locator('form.publish [data-action=publish]').click();
  await eventually(async () => (await view()).releases.find((r) => r.name === 'v-ģimenēm' && r.note === 'Nosūtīts ģimenēm'), { message: 'publish-release landed' });
  await page.locator('.release-list li', { hasText: 'v-ģimenēm' }).waitFor();
  const count = (await view()).releases.length;
  await page.locator('[data-field=release-name]').fill('v-ģimenēm');
  await page.locator('form.publish [data-action=publish]').click();
  await page.locator('form.publish .form-error', { hasText: /./ }).waitFor();
  assert.equal((await view()).releases.length, count);
});

test('no page errors along the way', () => {
  assert.deepEqual(org.errors.filter((e) => !/409|Conflict/i.test(e)), []);
});
