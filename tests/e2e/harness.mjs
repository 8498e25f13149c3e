// What every e2e script shares: Debian's headless Chromium through playwright-core, page steps that
// wait on page conditions (never sleeps), and axe-core run on every page a step lands on.
//
// Each step that shows a page (visit, submit, follow) runs axe-core in it before the script goes
// on. A page that loaded without being checked (a navigation that bypassed the steps) is reported
// too, so "every page visited" holds by construction. `finish` prints one JSON line: what the
// script saw, plus `axe` = {checked: [{url, label, violations}], violations: [...], unchecked: [...]},
// where violations are those of impact serious or critical. The Python tests assert on that line.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const AXE_SOURCE = await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
const FAILING = new Set(['serious', 'critical']);

export const env = {
  base: process.env.E2E_BASE_URL,
  user: process.env.E2E_USER,
  password: process.env.E2E_PASSWORD,
  hall: process.env.E2E_HALL,
  shots: process.env.E2E_SCREENSHOTS_DIR,
};

const axe = { checked: [], violations: [], unchecked: [] };
const linked = new Set(); // every same-origin link seen on a checked page, as a path with its query
const opened = [];
const loads = new WeakMap(); // page -> documents loaded so far
const audited = new WeakMap(); // page -> documents loaded when last checked

export async function launch() {
  return chromium.launch({
    executablePath: process.env.E2E_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

// A page whose every loaded document is counted, so one that was never checked is noticed.
export async function open(context) {
  const page = await context.newPage();
  loads.set(page, 0);
  audited.set(page, 0);
  page.on('load', () => loads.set(page, loads.get(page) + 1));
  opened.push(page);
  return page;
}

function noteUnchecked(page) {
  if (loads.get(page) !== audited.get(page)) axe.unchecked.push(page.url());
  audited.set(page, loads.get(page));
}

// Runs axe-core in the page as it is now. Its source is evaluated through the DevTools protocol,
// which the pages' Content-Security-Policy (no script at all) does not stop, and stays in force.
export async function audit(page, label = '') {
  await page.waitForLoadState('load');
  if (!(await page.evaluate(() => Boolean(window.axe)))) await page.evaluate(AXE_SOURCE);
  const found = await page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => ({ target: n.target.join(' '), summary: n.failureSummary })),
      count: v.nodes.length,
    }));
  });
  for (const href of await page.locator('a[href^="/"]').evaluateAll((as) => as.map((a) => a.getAttribute('href')))) linked.add(href);
  const url = page.url().replace(env.base, '');
  const serious = found.filter((v) => FAILING.has(v.impact));
  axe.checked.push({ url, label, violations: serious.length, minor: found.length - serious.length });
  for (const v of serious) axe.violations.push({ url, label, ...v });
  audited.set(page, loads.get(page));
}

// Goes to a path of the app and checks the page.
export async function visit(page, path, label = '') {
  noteUnchecked(page);
  const answer = await page.goto(`${env.base}${path}`);
  await audit(page, label);
  return answer;
}

// Does something that navigates (a click), waits for the page at `url`, checks it.
export async function follow(page, url, action, label = '') {
  noteUnchecked(page);
  await Promise.all([page.waitForURL(url, { waitUntil: 'load' }), action()]);
  await audit(page, label);
}

// The form whose action contains `action`: fill its fields, press its button, wait for and check
// the next page (the 303's target, or the form sent back refused).
export async function submit(page, action, fields = {}, label = '') {
  noteUnchecked(page);
  const form = page.locator(`form[action*="${action}"]`).first();
  for (const [name, value] of Object.entries(fields)) {
    const field = form.locator(`[name="${name}"]`);
    if ((await field.evaluate((el) => el.tagName)) === 'SELECT') await field.selectOption(value);
    else await field.fill(value);
  }
  const [answer] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), form.locator('button[type=submit]').click()]);
  await audit(page, label);
  return answer;
}

// The browser's Back button; checks the page it comes back to (fetched again, or from its cache).
export async function back(page, label = '') {
  noteUnchecked(page);
  const answer = await page.goBack({ waitUntil: 'load' });
  await audit(page, label);
  return answer;
}

// Signs in on the page a console address leads to while signed out; lands where `path` is.
export async function signIn(page, path, landing) {
  await visit(page, path, 'sign-in');
  await page.fill('#username', env.user);
  await page.fill('#password', env.password);
  await follow(page, landing, () => page.click('button[type=submit]'), 'signed in');
}

// Visits every page a checked page linked to whose path (query aside) no check has seen yet and
// that starts with one of `prefixes`; files (CSV, SVG, PNG) left out. At most `limit` of them.
export async function crawl(page, prefixes, limit = 40) {
  const seen = new Set(axe.checked.map((c) => c.url.split(/[?#]/)[0]));
  const visited = [];
  for (const href of linked) {
    const path = href.split(/[?#]/)[0];
    if (seen.has(path) || !prefixes.some((p) => path.startsWith(p)) || /\.(csv|svg|png)$/.test(path)) continue;
    if (visited.length >= limit) throw new Error(`more than ${limit} pages linked: ${[...linked].join(' ')}`);
    seen.add(path);
    visited.push(path);
    await visit(page, href, 'linked');
  }
  return visited;
}

export async function shot(page, name) {
  if (env.shots) await page.screenshot({ path: join(env.shots, `${name}.png`), fullPage: false });
}

// Runs a script's steps; always prints one JSON line, `ok` false with the error when a step threw.
export async function run(steps) {
  const seen = {};
  const browser = await launch();
  try {
    await steps(browser, seen);
    for (const page of opened) if (!page.isClosed()) noteUnchecked(page);
    seen.ok = true;
  } catch (error) {
    seen.ok = false;
    seen.error = String((error && error.stack) || error);
  } finally {
    await browser.close();
    seen.axe = axe;
    console.log(JSON.stringify(seen));
  }
}
