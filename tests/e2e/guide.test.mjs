// The organisers' guides (docs/guide/lv.md, docs/guide/en.md) show the real app: this file walks
// through what the guides describe, in each language, and saves the pictures they use to
// docs/guide/img/<lang>/*.png, so they never go stale. It checks what it shows on the way:
// a picture of a conflict card is only taken once there is one.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { startServer, repoRoot } from './lib/server.mjs';
import { launch, openAs, eventually, itemTitle, revisionOf } from './lib/browser.mjs';

const imgDir = path.join(repoRoot, 'docs', 'guide', 'img');
const VIEWPORT = { width: 1200, height: 800 };
let browser;

before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** A viewport picture (or of one element), in the guide's folder for that language. */
async function shot(target, lang, name, opts = {}) {
  mkdirSync(path.join(imgDir, lang), { recursive: true });
  // A live update may re-render an element between finding it and taking its picture: again.
  await eventually(async () => {
    await target.screenshot({ path: path.join(imgDir, lang, `${name}.png`), animations: 'disabled', timeout: 5000, ...opts });
    return true;
  }, { message: `the picture ${lang}/${name}` });
}

/** Opens the plan as `name` through the token link, in `lang` (the language switch, kept per browser). */
async function open(server, token, lang) {
  const s = await openAs(browser, server, token, VIEWPORT);
  await s.page.locator(`.lang-btn[lang=${lang}]`).click();
  await s.page.waitForFunction((l) => document.documentElement.lang === l, lang);
  return s;
}

/** Scrolls to what `locator` finds; a live update may re-render it meanwhile, so it tries again. */
async function scrollTo(locator, message) {
  await eventually(async () => { await locator.scrollIntoViewIfNeeded({ timeout: 2000 }); return true; }, { message });
}

async function openEditor(page, item) {
  await page.locator(`[data-item="${item}"] [data-action=edit]`).click();
  await page.waitForSelector('dialog.item-editor[open]');
}

const TEXT = {
  lv: { reason: 'Bornem lūdza pārcelt uz 10:30', pledge: 'Ilgtspējīgu pašvaldību nedēļa skolās', muni: 'Ādažu novads',
    release: 'deputātiem', releaseNote: 'Nosūtīts domes deputātiem', titleA: 'Reģionu komiteja: ūdens un klimats', titleB: 'Reģionu komiteja: klimata pielāgošanās' },
  en: { reason: 'Bornem asked for 10:30', pledge: 'Sustainable municipalities week in schools', muni: 'Ādaži municipality',
    release: 'for-councillors', releaseNote: 'Sent to the councillors', titleA: 'Committee of the Regions: water and climate', titleB: 'Committee of the Regions: climate adaptation' },
};

for (const lang of ['lv', 'en']) {
  test(`guide pictures (${lang}): sign-in, agenda, editor, conflict, pledges, history, print`, async () => {
    const server = await startServer();
    const L = TEXT[lang];
    try {
      const kristineToken = await server.token('organiser', 'Kristīne Miķelsone');
      const janisToken = await server.token('organiser', 'Jānis Bērziņš');

      // 1. The sign-in screen, for someone who has a token but no link.
      const signin = await browser.newContext({ viewport: { width: 900, height: 620 }, locale: 'lv-LV', timezoneId: 'Europe/Riga' });
      const sp = await signin.newPage();
      await sp.goto(server.url + '/');
      await sp.locator('.signin .lang-btn[lang=' + lang + ']').click();
      await sp.waitForSelector('input[name=token]');
      await shot(sp, lang, 'signin');
      await signin.close();

      // 2. The token link opens the plan, signed in: name, role, live.
      const k = await open(server, kristineToken, lang);
      const page = k.page;
      assert.ok(!page.url().includes('token='), 'the token left the address bar');
      assert.match(await page.locator('.me').innerText(), /Kristīne Miķelsone/);
      await shot(page, lang, 'link');

      // 3. One day of the agenda: times, venues, "tbc", SDG chips.
      const day = page.locator('.day[data-date="2024-05-16"]');
      await scrollTo(day, 'the day in view');
      await shot(day, lang, 'agenda-day');

      // 4. The editor: move Bornem, with a reason for the history.
      await openEditor(page, 'bornem');
      await page.locator('dialog [data-field=reason]').fill(L.reason);
      await page.locator('dialog [data-field=start-time]').fill('10:30');
      await scrollTo(page.locator('dialog [data-field=title]'), 'the editor in view');
      await shot(page, lang, 'editor');
      await page.locator('dialog.item-editor [data-action=save]').click();
      await page.waitForSelector('dialog.item-editor', { state: 'detached' });
      await eventually(async () => (await page.locator('[data-item="bornem"] .time-range').innerText()).startsWith('10:30'), { message: 'Bornem moved' });

      // 5. Two organisers change the same field: Jānis's editor is open while Kristīne saves.
      const j = await open(server, janisToken, lang);
      await openEditor(j.page, 'cor');
      await openEditor(page, 'cor');
      await page.locator('dialog [data-field=title]').fill(L.titleA);
      await page.locator('dialog.item-editor [data-action=save]').click();
      await page.waitForSelector('dialog.item-editor', { state: 'detached' });
      await eventually(async () => (await itemTitle(j.page, 'cor')) === L.titleA, { message: 'Jānis sees the new title behind his editor' });
      await j.page.locator('dialog [data-field=title]').fill(L.titleB);
      await j.page.locator('dialog.item-editor [data-action=save]').click();
      const card = j.page.locator('[data-item="cor"] .conflict-card');
      await card.waitFor();
      assert.match(await card.innerText(), /Kristīne Miķelsone/);
      await scrollTo(j.page.locator('[data-item="cor"]'), 'the conflicting item in view');
      await shot(j.page.locator('[data-item="cor"]'), lang, 'conflict');
      await card.locator('[data-action=apply-mine]').click();
      await card.waitFor({ state: 'detached' });
      await eventually(async () => (await itemTitle(page, 'cor')) === L.titleB, { message: 'Kristīne sees Jānis\'s title' });
      await j.context.close();

      // 6. Pledges: a new one, moved along the board, with progress.
      await page.locator('.tab[href="#pledges"]').click();
      await page.waitForSelector('.board');
      await page.locator('[data-action=new-pledge]').click();
      await page.waitForSelector('dialog.pledge-editor[open]');
      await page.locator('dialog [data-field=municipality]').fill(L.muni);
      await page.locator('dialog [data-field=title]').fill(L.pledge);
      await page.locator('dialog .sdg-option label[for$="-4"]').click();
      await shot(page, lang, 'pledge-editor');
      await page.locator('dialog [data-action=save]').click();
      const pledge = page.locator('[data-column=proposed] .pledge').filter({ hasText: L.pledge });
      await pledge.waitFor();
      await pledge.locator('[data-action=pledge-status]').selectOption('in-progress');
      const moved = page.locator('[data-column=in-progress] .pledge').filter({ hasText: L.pledge });
      await moved.waitFor();
      await moved.locator('[data-action=edit-pledge]').click();
      await page.waitForSelector('dialog.pledge-editor[open]');
      await page.locator('dialog [data-field=percent]').fill('40');
      await page.locator('dialog [data-action=save]').click();
      await eventually(async () => (await moved.locator('[role=progressbar]').getAttribute('aria-valuenow')) === '40', { message: 'progress 40' });
      // The board's top just under the sticky tabs.
      await page.locator('.board').evaluate((el) => {
        const tabs = document.querySelector('nav, .tabs');
        window.scrollTo(0, el.getBoundingClientRect().top + window.scrollY - (tabs ? tabs.offsetHeight : 0) - 16);
      });
      await shot(page, lang, 'pledges');

      // 7. History: publish a release; replay the plan as it was before the changes.
      await page.locator('.tab[href="#history"]').click();
      await page.waitForSelector('.trail-entry');
      await page.locator('[data-field=release-name]').fill(L.release);
      await page.locator('[data-field=release-note]').fill(L.releaseNote);
      await page.locator('form.publish button[type=submit]').click();
      await page.locator('.release-list li', { hasText: L.release }).waitFor();
      await page.locator('.trail-entry').filter({ hasText: L.reason }).waitFor();
      await page.evaluate(() => window.scrollTo(0, 0));
      await shot(page, lang, 'history');
      const moveRev = Number(await page.locator('.trail-entry').filter({ hasText: L.reason }).getAttribute('data-revision'));
      assert.ok(moveRev > 1 && moveRev < await revisionOf(page));
      await page.locator('#replay-slider').fill(String(moveRev - 1));
      await page.waitForSelector('.replay-bar.is-replaying');
      await page.locator('.tab[href="#agenda"]').click();
      await eventually(async () => !(await page.locator('[data-item="bornem"] .time-range').innerText()).startsWith('10:30'),
        { message: 'the agenda as it was before Bornem moved' });
      await page.evaluate(() => window.scrollTo(0, 0));
      await shot(page, lang, 'replay');
      await page.locator('[data-action=replay-live]').click();
      await page.waitForSelector('.replay-bar.is-replaying', { state: 'detached' });

      // 8. The printed agenda (the print stylesheet).
      await page.emulateMedia({ media: 'print' });
      await shot(page, lang, 'print', { clip: { x: 0, y: 0, width: VIEWPORT.width, height: 1000 }, fullPage: true });
      await page.emulateMedia({ media: 'screen' });

      assert.deepEqual(k.errors.filter((e) => !/favicon/.test(e)), []);
      await k.context.close();
    } finally {
      await server.stop();
    }
  });
}
