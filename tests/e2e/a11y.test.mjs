// Accessibility: axe-core (WCAG 2.1 A and AA rules) on every tab and dialog in Latvian and
// English with no serious or critical finding; the editor by keyboard alone (focus order, focus
// kept in dialogs, Escape, focus back); reduced motion; others' changes announced politely and
// throttled; the accessibility statement; phones at 390×844.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { mkdirSync } from 'node:fs';
import { startServer, repoRoot } from './lib/server.mjs';
import { launch, openAs, eventually } from './lib/browser.mjs';
import { audit, auditEverywhere, describe, goToTab, DIALOGS } from './lib/axe.mjs';

let server, browser, organiser;

before(async () => {
  server = await startServer();
  browser = await launch();
  organiser = await server.token('organiser', 'Kristīne Miķelsone');
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function openIn(lang, token = server.adminToken, opts = {}) {
  const s = await openAs(browser, server, token, opts);
  await s.page.locator(`.lang-btn[lang=${lang}]`).click();
  await s.page.waitForFunction((l) => document.documentElement.lang === l, lang);
  return s;
}

for (const lang of ['lv', 'en']) {
  test(`axe (${lang}): no serious or critical violation on any tab or dialog`, async () => {
    const s = await openIn(lang);
    // A decision and a release, so that their lists are audited too.
    await server.api('POST', '/api/plans/brussels-2024/commands', { type: 'publish-release', data: { name: `r-${lang}` } });
    const results = await auditEverywhere(s.page, lang);
    const skipped = results.filter((r) => r.skipped).map((r) => r.where);
    assert.deepEqual(skipped, [], 'every tab and dialog is there to be audited');
    assert.equal(results.length, 5 + DIALOGS.length);
    const bad = results.filter((r) => r.blocking.length);
    assert.deepEqual(bad.map((r) => r.where), [], bad.map((r) => `${r.where}:\n${describe(r.blocking)}`).join('\n'));
    assert.deepEqual(s.errors, []);
    await s.context.close();
  });
}

test('axe: the sign-in screen, the plan picker and the accessibility statement', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${server.url}/`);
  await page.waitForSelector('input[name=token]');
  let r = await audit(page);
  assert.deepEqual(r.blocking, [], describe(r.blocking));
  await page.locator('input[name=token]').fill(server.adminToken);
  await page.locator('.signin-form button[type=submit]').click();
  await page.waitForSelector('.conn[data-status=online], .plan-choice');
  r = await audit(page);
  assert.deepEqual(r.blocking, [], describe(r.blocking));

  // The statement is linked from the app, in the app's language.
  const link = page.locator('.app-footer a');
  if (await link.count()) {
    assert.match(await link.getAttribute('href'), /^accessibility\.html#(lv|en)$/);
  }
  await page.goto(`${server.url}/accessibility.html#en`);
  await page.locator('#en h1', { hasText: 'Accessibility statement' }).waitFor();
  await page.locator('#lv h1', { hasText: 'Piekļūstamības paziņojums' }).waitFor();
  assert.equal(await page.locator('#en').getAttribute('lang'), 'en');
  r = await audit(page);
  assert.deepEqual(r.violations, [], describe(r.violations));
  await context.close();
});

test('the app links to the accessibility statement in its language', async () => {
  const s = await openIn('en', organiser);
  const link = s.page.locator('.app-footer a');
  assert.equal(await link.innerText(), 'Accessibility statement');
  assert.equal(await link.getAttribute('href'), 'accessibility.html#en');
  await s.page.locator('.lang-btn[lang=lv]').click();
  await s.page.locator('.app-footer a', { hasText: 'Piekļūstamības paziņojums' }).waitFor();
  await s.context.close();
});

/** The data-key / id / text of the focused element, to follow the focus. */
const focused = (page) => page.evaluate(() => {
  const a = document.activeElement;
  return { key: a?.getAttribute('data-key'), field: a?.getAttribute('data-field'), inDialog: !!a?.closest('dialog[open]'), tag: a?.tagName };
});

test('keyboard only: reach "add item", fill the editor, Tab stays in the dialog, Escape closes, focus returns, Enter saves', async () => {
  const s = await openIn('lv', organiser);
  const page = s.page;
  // From a fresh page (the language stays chosen): the skip link first, then on through the
  // header and the tabs to the toolbar.
  await page.reload();
  await page.waitForSelector('.conn[data-status=online]');
  await page.waitForSelector('[data-key=add-item]');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.className), 'skip-link');
  let reached = false;
  for (let i = 0; i < 40 && !reached; i += 1) {
    await page.keyboard.press('Tab');
    reached = (await focused(page)).key === 'add-item';
  }
  assert.ok(reached, 'the "add item" button is reached with Tab');
  await page.keyboard.press('Enter');
  await page.waitForSelector('dialog.item-editor[open]');
  assert.equal((await focused(page)).field, 'title', 'the editor opens with the title focused');
  await page.keyboard.type('Rīta kafija ar ģimenēm');

  // Tab and Shift+Tab go round inside the dialog, never out of it.
  const controls = await page.locator('dialog[open]').evaluate((d) => d.querySelectorAll('input, select, textarea, button, summary').length);
  for (let i = 0; i < controls + 5; i += 1) {
    await page.keyboard.press('Tab');
    assert.ok((await focused(page)).inDialog, `Tab ${i + 1} left the dialog`);
  }
  await page.locator('dialog[open] [data-field=title]').focus();
  await page.keyboard.press('Shift+Tab');
  assert.ok((await focused(page)).inDialog, 'Shift+Tab from the first field stays in the dialog');

  await page.keyboard.press('Escape');
  await page.waitForSelector('dialog.item-editor[open]', { state: 'detached' });
  assert.equal((await focused(page)).key, 'add-item', 'focus returns to the button that opened the editor');

  await page.keyboard.press('Enter');
  await page.waitForSelector('dialog.item-editor[open]');
  await page.keyboard.type('Rīta kafija ar ģimenēm');
  await page.keyboard.press('Enter');   // Enter in a field submits the form
  await page.waitForSelector('dialog.item-editor[open]', { state: 'detached' });
  await eventually(async () => (await server.api('GET', '/api/plans/brussels-2024', undefined, organiser)).body.items
    .some((i) => i.title === 'Rīta kafija ar ģimenēm'), { message: 'the item made by keyboard landed' });
  await page.locator('.item', { hasText: 'Rīta kafija ar ģimenēm' }).waitFor();
  assert.deepEqual(s.errors, []);
  await s.context.close();
});

test('keyboard only: every new dialog opens with focus inside, closes with Escape, and gives focus back', async () => {
  const s = await openIn('en');
  const page = s.page;
  for (const d of DIALOGS) {
    await goToTab(page, d.tab);
    const opener = page.locator(d.open).first();
    await opener.focus();
    const key = await opener.evaluate((el) => el.getAttribute('data-key') || el.getAttribute('data-action'));
    await page.keyboard.press('Enter');
    await page.waitForSelector(`${d.dialog}[open]`);
    assert.ok((await focused(page)).inDialog, `${d.name}: focus is in the dialog`);
    await page.keyboard.press('Escape');
    await page.waitForSelector(`${d.dialog}[open]`, { state: 'detached' });
    const back = await page.evaluate(() => document.activeElement?.getAttribute('data-key') || document.activeElement?.getAttribute('data-action'));
    assert.equal(back, key, `${d.name}: focus returns to its opener`);
  }
  await s.context.close();
});

test('reduced motion: no animation when the system asks for less motion', async () => {
  const flashAnimation = async (reducedMotion) => {
    const context = await browser.newContext({ reducedMotion });
    const page = await context.newPage();
    await page.goto(`${server.url}/?token=${organiser}&plan=brussels-2024`);
    await page.waitForSelector('.item[data-item="cor"]');
    const name = await page.evaluate(() => {
      const el = document.querySelector('.item[data-item="cor"]');
      el.classList.add('flash');
      return getComputedStyle(el).animationName;
    });
    await context.close();
    return name;
  };
  assert.equal(await flashAnimation('no-preference'), 'flash');
  assert.equal(await flashAnimation('reduce'), 'none');
});

test('others\' changes are announced in a polite live region, at most one sentence every few seconds', async () => {
  const s = await openIn('lv', organiser);
  const page = s.page;
  const region = page.locator('#announcer');
  assert.equal(await region.getAttribute('aria-live'), 'polite');
  await page.evaluate(() => {
    window.announced = [];
    new MutationObserver(() => window.announced.push({ at: performance.now(), text: document.getElementById('announcer').textContent }))
      .observe(document.getElementById('announcer'), { childList: true, characterData: true, subtree: true });
  });
  const janis = await server.token('organiser', 'Jānis Bērziņš');
  const titles = ['Reģionu komiteja — 1', 'Reģionu komiteja — 2', 'Reģionu komiteja — 3', 'Reģionu komiteja — 4', 'Reģionu komiteja — 5'];
  for (const title of titles) {
    const r = await server.api('POST', '/api/plans/brussels-2024/commands', { type: 'edit-item', data: { item: 'cor', title } }, janis);
    assert.equal(r.status, 200);
  }
  // Every change is accounted for: "Jānis: …" counts one, "N izmaiņas no: …" counts N.
  const said = await eventually(async () => {
    const list = await page.evaluate(() => window.announced);
    const n = list.reduce((sum, x) => sum + (Number(x.text.match(/^(\d+) izmaiņ(?:a|as|u) no/)?.[1]) || 1), 0);
    return n === titles.length && list;
  }, { timeout: 30000, message: 'all five changes announced' });
  assert.ok(said.every((x) => x.text.includes('Jānis Bērziņš')), JSON.stringify(said));
  for (let i = 1; i < said.length; i += 1) {
    assert.ok(said[i].at - said[i - 1].at >= 3900, `announcements ${Math.round(said[i].at - said[i - 1].at)} ms apart`);
  }
  // My own change is not announced.
  const count = said.length;
  await page.locator('[data-item="civex"] [data-action=status]').selectOption('tentative');
  await eventually(async () => (await server.api('GET', '/api/plans/brussels-2024', undefined, organiser)).body.items.find((i) => i.id === 'civex').status === 'tentative', { message: 'my change landed' });
  await page.waitForFunction(() => window.kartiba.conn.outbox.size === 0);
  assert.equal((await page.evaluate(() => window.announced)).length, count);
  await s.context.close();
});

// --- phones ----------------------------------------------------------------------------------

const PHONE = { width: 390, height: 844 };
const imgDir = path.join(repoRoot, 'docs', 'guide', 'img');

/** Horizontal overflow of the page, and controls that lie outside the screen even when scrolled to. */
async function phoneProblems(page, scope) {
  return page.evaluate((scopeSel) => {
    const problems = [];
    const overflow = document.documentElement.scrollWidth - window.innerWidth;
    if (overflow > 0) problems.push(`page ${overflow}px wider than the screen`);
    const root = document.querySelector(scopeSel) || document.body;
    for (const el of root.querySelectorAll('button, input:not([type=checkbox]):not([type=radio]), select, textarea, a[href]')) {
      // Lists that scroll by themselves, and the skip link (off screen until focused) are not counted.
      if (!el.offsetParent || el.closest('.table-wrap, .tabs, .visually-hidden, .skip-link')) continue;
      const r = el.getBoundingClientRect();
      if (r.left < -1 || r.right > window.innerWidth + 1) problems.push(`${el.tagName.toLowerCase()}${el.dataset.key ? `[${el.dataset.key}]` : ''} "${(el.textContent || el.value || '').trim().slice(0, 30)}" at ${Math.round(r.left)}–${Math.round(r.right)}`);
    }
    return problems;
  }, scope);
}

for (const lang of ['lv', 'en']) {
  test(`phone 390×844 (${lang}): every tab and the editors fit the screen; pictures for the guide`, async () => {
    const s = await openIn(lang, server.adminToken, PHONE);
    const page = s.page;
    mkdirSync(path.join(imgDir, lang), { recursive: true });
    for (const tab of ['agenda', 'pledges', 'sdg', 'history', 'admin']) {
      await goToTab(page, tab);
      assert.deepEqual(await phoneProblems(page, 'body'), [], `${tab} tab`);
      const link = page.locator(`.tab[href="#${tab}"]`);
      await link.scrollIntoViewIfNeeded();
      const box = await link.boundingBox();
      assert.ok(box.x >= 0 && box.x + box.width <= PHONE.width + 1, `${tab}: its tab can be scrolled to`);
    }
    await goToTab(page, 'agenda');
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: path.join(imgDir, lang, 'phone-agenda.png'), animations: 'disabled' });
    for (const d of DIALOGS) {
      await goToTab(page, d.tab);
      await page.locator(d.open).first().click();
      await page.waitForSelector(`${d.dialog}[open]`);
      assert.deepEqual(await phoneProblems(page, 'dialog[open]'), [], d.name);
      const save = page.locator('dialog[open] .sheet-foot button').last();
      await save.scrollIntoViewIfNeeded();
      const box = await save.boundingBox();
      assert.ok(box.y >= 0 && box.y + box.height <= PHONE.height + 1 && box.x + box.width <= PHONE.width + 1, `${d.name}: its buttons are on screen`);
      if (d.name === 'item editor (edit)') await page.screenshot({ path: path.join(imgDir, lang, 'phone-editor.png'), animations: 'disabled' });
      await page.keyboard.press('Escape');
      await page.waitForSelector(`${d.dialog}[open]`, { state: 'detached' });
    }
    assert.deepEqual(s.errors, []);
    await s.context.close();
  });
}
