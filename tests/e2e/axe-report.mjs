// Prints what axe-core (WCAG 2.1 A/AA) finds on every tab and dialog of the web app, in Latvian
// and English, as an admin and as an organiser. Not a test: a measurement for the record.
//   KARTIBA_SERVER=build/server/kartiba-server node axe-report.mjs [web-folder]
// With a web folder (e.g. an older app unpacked by `git archive`), that app is served instead.
import { startServer } from './lib/server.mjs';
import { launch, openAs } from './lib/browser.mjs';
import { auditEverywhere, audit } from './lib/axe.mjs';

const web = process.argv[2];
const server = await startServer(web ? { web } : {});
const browser = await launch();
const totals = new Map();
try {
  const organiser = await server.token('organiser', 'Kristīne Miķelsone');
  for (const [who, token] of [['admin', server.adminToken], ['organiser', organiser]]) {
    for (const lang of ['lv', 'en']) {
      const s = await openAs(browser, server, token);
      await s.page.locator(`.lang-btn[lang=${lang}]`).click();
      await s.page.waitForFunction((l) => document.documentElement.lang === l, lang);
      for (const r of await auditEverywhere(s.page, `${who} ${lang}`)) report(r);
      await s.context.close();
    }
  }
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${server.url}/accessibility.html`);
  if ((await page.locator('main').count()) > 0 && !(await page.title()).includes('404')) report({ where: 'accessibility.html', ...(await audit(page)) });
  await page.goto(`${server.url}/`);
  await page.waitForSelector('input[name=token]');
  report({ where: 'sign-in', ...(await audit(page)) });
} finally {
  await browser.close();
  await server.stop();
}
console.log('\nviolations by rule (impact: places):');
for (const [id, n] of [...totals].sort()) console.log(`  ${id}: ${n}`);

function report(r) {
  if (r.skipped) { console.log(`${r.where}: not present`); return; }
  console.log(`${r.where}: ${r.violations.length ? r.violations.map((v) => `${v.impact} ${v.id} ×${v.nodes.length}`).join(', ') : 'no violations'}`);
  for (const v of r.violations) {
    const k = `${v.impact} ${v.id}`;
    totals.set(k, (totals.get(k) || 0) + 1);
    if (process.env.VERBOSE) console.log(`    ${v.help}\n      ${v.nodes.slice(0, 6).join('\n      ')}`);
  }
}
