// The admin console: create a plan, import an export.json, issue a token and sign in with the
// link it gives, revoke it; organisers do not see the console.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { mkdirSync } from 'node:fs';
import { startServer, repoRoot } from './lib/server.mjs';
import { launch, openAs, eventually } from './lib/browser.mjs';
import { goToTab } from './lib/axe.mjs';

let server, browser, admin;

before(async () => {
  server = await startServer();
  browser = await launch();
  admin = await openAs(browser, server, server.adminToken);
  await goToTab(admin.page, 'admin');
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('an organiser sees no admin tab', async () => {
  const token = await server.token('organiser', 'Kristīne Miķelsone');
  const s = await openAs(browser, server, token, { hash: '#admin' });
  assert.equal(await s.page.locator('.tab[href="#admin"]').count(), 0);
  assert.equal(await s.page.locator('.admin').count(), 0);
  await s.page.waitForSelector('.main-agenda');
  await s.context.close();
});

test('create a plan', async () => {
  const page = admin.page;
  const form = page.locator('form[data-form=create-plan]');
  await form.locator('[data-field=plan-id]').fill('Ogre 2025');
  await form.locator('[data-field=plan-title]').fill('Ogres ilgtspējas nedēļa');
  await form.locator('[data-action=create-plan]').click();
  await form.locator('.form-error', { hasText: /./ }).waitFor();   // not a plan id: refused before sending
  await form.locator('[data-field=plan-id]').fill('ogre-2025');
  await form.locator('[data-field=plan-timezone]').fill('Europe/Riga');
  await form.locator('[data-field=plan-start]').fill('2025-09-20');
  await form.locator('[data-field=plan-end]').fill('2025-09-29');
  await form.locator('[data-action=create-plan]').click();
  await page.locator('[data-list=plans] [data-plan="ogre-2025"]').waitFor();
  const v = (await server.api('GET', '/api/plans/ogre-2025')).body;
  assert.equal(v.title, 'Ogres ilgtspējas nedēļa');
  assert.equal(v.timezone, 'Europe/Riga');
  assert.equal(v.start_date, '2025-09-20');
});

test('import an export.json (as a document: its items, venues and people become the new plan); a file that is not JSON is refused', async () => {
  const page = admin.page;
  const exported = (await server.api('GET', '/api/plans/brussels-2024/export.json')).body;
  const doc = JSON.stringify({ ...exported, events: undefined, plan: { ...exported.plan, id: 'brisele-kopija', title: 'Briseles vizītes kopija — ģimenēm' } });
  const form = page.locator('form[data-form=import-plan]');
  await form.locator('[data-field=import-file]').setInputFiles({ name: 'export.json', mimeType: 'application/json', buffer: Buffer.from(doc) });
  await form.locator('[data-action=import-plan]').click();
  await page.locator('[data-list=plans] [data-plan="brisele-kopija"]').waitFor();
  const v = (await server.api('GET', '/api/plans/brisele-kopija')).body;
  assert.equal(v.title, 'Briseles vizītes kopija — ģimenēm');
  assert.equal(v.items.length, exported.items.length);

  await form.locator('[data-field=import-file]').setInputFiles({ name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from('{"format":') });
  await form.locator('[data-action=import-plan]').click();
  await form.locator('.form-error', { hasText: 'bad.json' }).waitFor();
});

test('issue a token, sign in with its link, then revoke it', async () => {
  const page = admin.page;
  const form = page.locator('form[data-form=issue-token]');
  await form.locator('[data-field=token-name]').fill('Jānis Bērziņš');
  await form.locator('[data-field=token-role]').selectOption('viewer');
  await form.locator('[data-field=token-plans] input[value="ogre-2025"]').check();
  await form.locator('[data-field=token-plans] input[value="brussels-2024"]').uncheck();
  await form.locator('[data-action=issue-token]').click();
  const linkField = page.locator('[data-field=sign-in-link]');
  await linkField.waitFor();
  const link = await linkField.inputValue();
  assert.match(link, /\/\?token=[0-9a-f]+&plan=ogre-2025$/);
  const token = new URL(link).searchParams.get('token');

  const row = page.locator('tbody tr', { hasText: 'Jānis Bērziņš' });
  await row.waitFor();
  const listed = (await server.api('GET', '/api/tokens')).body.tokens.find((x) => x.name === 'Jānis Bērziņš');
  assert.equal(listed.role, 'viewer');
  assert.deepEqual(listed.plans, ['ogre-2025']);

  // The link opens the plan signed in, as that viewer.
  const context = await browser.newContext();
  const viewer = await context.newPage();
  await viewer.goto(link);
  await viewer.waitForSelector('.conn[data-status=online]');
  await viewer.locator('.plan-title', { hasText: 'Ogres ilgtspējas nedēļa' }).waitFor();
  assert.match(await viewer.locator('.me').innerText(), /Jānis Bērziņš/);

  await row.locator('[data-action=revoke-token]').click();
  await row.locator('[data-action=revoke-token]').click();   // the second press confirms
  await page.locator(`tbody tr.is-revoked`, { hasText: 'Jānis Bērziņš' }).waitFor();
  assert.equal((await server.api('GET', '/api/plans/ogre-2025', undefined, token)).status, 401);
  await viewer.waitForSelector('.conn[data-status=unauthorized]');
  await context.close();
});

test('the copy button puts the sign-in link on the clipboard', async () => {
  const context = admin.context;
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
  const page = admin.page;
  const form = page.locator('form[data-form=issue-token]');
  await form.locator('[data-field=token-name]').fill('Ilze Ozola');
  await form.locator('[data-field=token-role]').selectOption('organiser');
  await form.locator('[data-action=issue-token]').click();
  await eventually(async () => (await page.locator('.issued-box', { hasText: 'Ilze Ozola' }).count()) === 1, { message: 'issued box' });
  const link = await page.locator('[data-field=sign-in-link]').inputValue();
  await page.locator('[data-action=copy-link]').click();
  await page.locator('.issued-box [role=status]', { hasText: /./ }).waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), link);
});

test('the plan picker offers the console to an admin (who may have no plan to open yet)', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${server.url}/`);
  await page.locator('input[name=token]').fill(server.adminToken);
  await page.locator('.signin-form button[type=submit]').click();
  await page.waitForSelector('.plan-choice[data-plan="ogre-2025"]');
  await page.locator('[data-action=open-admin]').click();
  const form = page.locator('.picker-admin form[data-form=create-plan]');
  await form.locator('[data-field=plan-id]').fill('cesis-2026');
  await form.locator('[data-field=plan-title]').fill('Cēsu līdzdalības diena');
  await form.locator('[data-action=create-plan]').click();
  await page.locator('.picker-admin [data-list=plans] [data-plan="cesis-2026"] a').click();
  await page.locator('.plan-title', { hasText: 'Cēsu līdzdalības diena' }).waitFor();
  await context.close();
});

test('pictures of the console for the guides', async () => {
  const page = admin.page;
  await page.setViewportSize({ width: 1200, height: 900 });
  await page.reload();   // without the messages of the tests above
  await page.waitForSelector('.conn[data-status=online]');
  await goToTab(page, 'admin');
  const form = page.locator('form[data-form=issue-token]');
  await form.locator('[data-field=token-name]').fill('Līga Ņikitina');
  await form.locator('[data-action=issue-token]').click();
  await page.locator('.issued-box', { hasText: 'Līga Ņikitina' }).waitFor();
  for (const lang of ['lv', 'en']) {
    await page.locator(`.lang-btn[lang=${lang}]`).click();
    await page.locator('#admin-tokens-h', { hasText: lang === 'lv' ? 'Piekļuves atslēgas' : 'Access tokens' }).waitFor();
    const dir = path.join(repoRoot, 'docs', 'guide', 'img', lang);
    mkdirSync(dir, { recursive: true });
    await page.locator('.main-admin').screenshot({ path: path.join(dir, 'admin.png'), animations: 'disabled' });
  }
});

test('no page errors in the console', () => {
  assert.deepEqual(admin.errors, []);
});
