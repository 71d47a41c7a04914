// Debian's chromium driven by playwright-core, plus small polling helpers (no fixed sleeps).
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const screenshotDir = path.resolve(here, '..', 'screenshots');

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic',
      '--no-first-run', '--disable-component-update', '--disable-sync'],
  });
}

/** A fresh browser context (its own storage) with a page signed in on the plan. */
export async function openAs(browser, server, token, { plan = 'brussels-2024', width = 1280, height = 900, hash = '' } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, locale: 'lv-LV', timezoneId: 'Europe/Riga' });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(`${server.url}/?token=${encodeURIComponent(token)}&plan=${plan}${hash}`);
  await page.waitForSelector('.item[data-item]');
  await page.waitForSelector('.conn[data-status=online]');
  return { context, page, errors };
}

/** Polls fn until it returns a truthy value (returned) or the time is up (throws with the last value). */
export async function eventually(fn, { timeout = 15000, interval = 50, message = 'condition' } = {}) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try { last = await fn(); if (last) return last; } catch (e) { last = e; }
    if (Date.now() > end) throw new Error(`timed out waiting for ${message}; last: ${last instanceof Error ? last.message : JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, interval));
  }
}

export async function screenshot(page, name) {
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: true });
}

/** The text of an item card's title. */
export function itemTitle(page, id) {
  return page.locator(`[data-item="${id}"] .item-title`).innerText();
}

export const revisionOf = (page) => page.evaluate(() => window.kartiba.model.revision);
