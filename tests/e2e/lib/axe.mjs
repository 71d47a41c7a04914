// axe-core (WCAG 2.1 A and AA rules) run inside a page; serious and critical findings fail.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const axePath = require.resolve('axe-core/axe.min.js');
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const BLOCKING = new Set(['serious', 'critical']);

/**
 * Runs axe on the page (or on `selector` only) and returns every violation as
 * {id, impact, help, nodes: [target…]}; `blocking` holds the serious and critical ones.
 */
export async function audit(page, { selector = null } = {}) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.addScriptTag({ path: axePath });
  const violations = await page.evaluate(async ({ tags, selector }) => {
    const result = await window.axe.run(selector ? document.querySelector(selector) : document,
      { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.map((n) => `${n.target.join(' ')}${n.failureSummary ? ` (${n.failureSummary.split('\n').slice(1, 2).join('').trim()})` : ''}`),
    }));
  }, { tags: TAGS, selector });
  return { violations, blocking: violations.filter((v) => BLOCKING.has(v.impact)) };
}

/** A readable list of violations for an assertion message. */
export function describe(violations) {
  return violations.map((v) => `${v.impact} ${v.id}: ${v.help}\n    ${v.nodes.slice(0, 5).join('\n    ')}`).join('\n');
}

/** Where the app shows something to audit: tabs, and dialogs opened from a tab by a selector. */
export const TABS = ['agenda', 'pledges', 'sdg', 'history', 'admin'];
export const DIALOGS = [
  { name: 'item editor (edit)', tab: 'agenda', open: '[data-item] [data-action=edit]', dialog: 'dialog.item-editor' },
  { name: 'item editor (new)', tab: 'agenda', open: '[data-action=add-item]', dialog: 'dialog.item-editor' },
  { name: 'plan settings', tab: 'agenda', open: '[data-action=plan-settings]', dialog: 'dialog.plan-settings' },
  { name: 'venues', tab: 'agenda', open: '[data-action=venues]', dialog: 'dialog.directory-venue' },
  { name: 'people', tab: 'agenda', open: '[data-action=people]', dialog: 'dialog.directory-person' },
  { name: 'pledge editor (new)', tab: 'pledges', open: '[data-action=new-pledge]', dialog: 'dialog.pledge-editor' },
  { name: 'pledge editor (edit)', tab: 'pledges', open: '[data-action=edit-pledge]', dialog: 'dialog.pledge-editor' },
  { name: 'decision', tab: 'history', open: '[data-action=new-decision]', dialog: 'dialog.decision-editor' },
  { name: 'revert', tab: 'history', open: '.trail-entry [data-action=revert]', dialog: 'dialog.revert-dialog' },
];

export async function goToTab(page, tab) {
  await page.evaluate((t) => { location.hash = `#${t}`; }, tab);
  await page.waitForSelector(`.main-${tab}`);
  if (tab === 'history') await page.waitForSelector('.trail-entry');
  if (tab === 'admin') await page.waitForSelector('.admin[data-loaded=yes]');
  if (tab === 'sdg') {
    // With a goal's details open, so they are audited too.
    if ((await page.locator('.tile[data-goal="13"][aria-pressed=true]').count()) === 0) await page.locator('.tile[data-goal="13"]').click();
    await page.waitForSelector('.goal-details');
  }
}

/**
 * Audits every tab and dialog the page offers (those it does not offer are reported as
 * skipped, so that the same walk measures an older app). Returns [{where, violations, blocking}].
 */
export async function auditEverywhere(page, label) {
  const out = [];
  const tabs = await page.locator('.tabs .tab').evaluateAll((els) => els.map((e) => e.getAttribute('href').slice(1)));
  for (const tab of TABS) {
    if (!tabs.includes(tab)) { out.push({ where: `${label} tab ${tab}`, skipped: true }); continue; }
    await goToTab(page, tab);
    out.push({ where: `${label} tab ${tab}`, ...(await audit(page)) });
  }
  for (const d of DIALOGS) {
    await goToTab(page, d.tab);
    const opener = page.locator(d.open).first();
    if ((await opener.count()) === 0) { out.push({ where: `${label} dialog ${d.name}`, skipped: true }); continue; }
    await opener.click();
    await page.waitForSelector(`${d.dialog}[open]`);
    out.push({ where: `${label} dialog ${d.name}`, ...(await audit(page)) });
    await page.keyboard.press('Escape');
    await page.waitForSelector(`${d.dialog}[open]`, { state: 'detached' });
  }
  return out;
}
