// Drives the console in a real headless Chromium (playwright-core, Debian's /usr/bin/chromium).
// Called by tests/e2e/test_console_e2e.py with the running stack's URL; prints one JSON line of
// what it saw, which the Python test asserts on. No sleeps: every step waits on a page condition.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const base = process.env.E2E_BASE_URL;
const user = process.env.E2E_USER;
const password = process.env.E2E_PASSWORD;
const hall = process.env.E2E_HALL;
const shots = process.env.E2E_SCREENSHOTS_DIR;
const seen = {};

const browser = await chromium.launch({
  executablePath: process.env.E2E_CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run'],
});

async function shot(page, name) {
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: false });
}

async function submit(page, action, fields = {}) {
  // The form whose action contains `action`: fill its fields, press its button, wait for the next page.
  const form = page.locator(`form[action*="${action}"]`).first();
  for (const [name, value] of Object.entries(fields)) {
    const field = form.locator(`[name="${name}"]`);
    if ((await field.evaluate((el) => el.tagName)) === 'SELECT') await field.selectOption(value);
    else await field.fill(value);
  }
  // POST, then the 303 to the next page: wait for that navigation to finish loading.
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), form.locator('button[type=submit]').click()]);
}

try {
  const context = await browser.newContext({ viewport: { width: 1200, height: 860 }, acceptDownloads: true, locale: 'zh-CN' });
  const page = await context.newPage();

  // Signing in: a console page sends us to the sign-in page, which brings us back.
  await page.goto(`${base}/console/callbacks?hall=${hall}`);
  seen.login_url = page.url();
  await shot(page, 'login');
  await page.fill('#username', user);
  await page.fill('#password', password);
  await Promise.all([page.waitForURL(/\/console\/callbacks/), page.click('button[type=submit]')]);
  seen.after_login_url = page.url();
  const cookies = await context.cookies();
  seen.session_cookie = cookies.filter((c) => c.name === 'ts_session').map((c) => ({ httpOnly: c.httpOnly, sameSite: c.sameSite, path: c.path }));

  // The dashboard.
  await page.goto(`${base}/console/dashboard?hall=${hall}`);
  seen.dashboard_svgs = await page.locator('main svg').count();
  seen.dashboard_title = await page.locator('h1').innerText();
  await shot(page, 'dashboard');

  // The suggestion box: open it, reply to the complaint.
  await page.goto(`${base}/console/suggestions?hall=${hall}`);
  await submit(page, '/suggestion-box/open');
  seen.box_flash = await page.locator('.flash').innerText();
  await submit(page, '/reply', { reply: '您好，已增开两个缴费窗口，感谢您的意见。' });
  seen.reply_flash = await page.locator('.flash').innerText();
  await page.goto(`${base}/console/suggestions?hall=${hall}`);
  seen.reply_shown = await page.locator('main p', { hasText: '已增开两个缴费窗口' }).count();
  await shot(page, 'suggestions');

  // The callback queue: the bad rating's task, earliest due first.
  await page.goto(`${base}/console/callbacks?hall=${hall}`);
  seen.tasks_before = await page.locator('.card[id^="task-"]').count();
  await shot(page, 'callbacks');
  const first = page.locator('.card[id^="task-"]').first();
  seen.first_task = (await first.getAttribute('id')).slice(5);
  await submit(page, `/console/callbacks/${seen.first_task}/attempts`, { result: 'reached', note: '已电话联系客户' });
  seen.attempt_flash = await page.locator('.flash').innerText();
  await submit(page, `/console/callbacks/${seen.first_task}/close`, { outcome: 'resolved_satisfied', note: '客户表示满意' });
  seen.close_flash = await page.locator('.flash').innerText();
  seen.tasks_after = await page.locator('.card[id^="task-"]').count();

  // The ranking, the QR print sheet and the report downloads.
  await page.goto(`${base}/console/ranking?hall=${hall}`);
  seen.ranking_rows = await page.locator('tbody tr').count();
  await shot(page, 'ranking');

  // Appeals (申诉复核): appeal today's bad QR rating; the admin may not decide their own appeal.
  await page.goto(`${base}/console/ratings?hall=${hall}`);
  await page.locator('.card[id^="rating-"] details summary').first().click();
  await submit(page, '/appeal', { ground: 'mistaken', note: '客户按错了键' });
  seen.appeal_flash = await page.locator('.flash').innerText();
  seen.appeal_cards = await page.locator('.card[id^="appeal-"]').count();
  seen.appeal_decide_forms = await page.locator('form[action*="/decide"]').count();
  await shot(page, 'appeals');
  await page.goto(`${base}/console/qr?hall=${hall}`);
  seen.qr_cards = await page.locator('.qr-card').count();
  seen.qr_images_loaded = await page.locator('.qr-card img').evaluateAll((imgs) => imgs.filter((i) => i.complete && i.naturalWidth > 0).length);
  await shot(page, 'qr-sheet');
  await page.goto(`${base}/console/reports?hall=${hall}`);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#csv-hall')]);
  seen.csv_name = download.suggestedFilename();
  const bytes = await readFile(await download.path());
  seen.csv_bom = bytes.subarray(0, 3).toString('hex');
  seen.csv_header = bytes.toString('utf8').replace(/^\ufeff/, '').split('\r\n')[0];

  // Outreach, the admin's hall page, and English.
  await page.goto(`${base}/console/outreach`);
  seen.outreach_rows = await page.locator('tbody tr').count();
  await shot(page, 'outreach');
  await page.goto(`${base}/console/admin/halls/${hall}`);
  seen.admin_devices = await page.locator('text=在用').count();
  await shot(page, 'admin-hall');
  await page.goto(`${base}/console/dashboard?hall=${hall}&lang=en`);
  seen.english_heading = await page.locator('main h2').first().innerText();
  seen.english_nav_keeps_lang = await page.locator('header nav a').first().getAttribute('href');

  // On a phone.
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, locale: 'zh-CN' });
  await phone.addCookies(cookies);
  const small = await phone.newPage();
  await small.goto(`${base}/console/callbacks?hall=${hall}`);
  seen.phone_scroll_width = await small.evaluate(() => document.documentElement.scrollWidth);
  await shot(small, 'phone-callbacks');

  // Signing out.
  await Promise.all([page.waitForURL(/\/console\/login/), page.click('header form button')]);
  await page.goto(`${base}/console/dashboard`);
  seen.after_logout_url = page.url();
  seen.ok = true;
} catch (error) {
  seen.ok = false;
  seen.error = String(error && error.stack || error);
} finally {
  await browser.close();
  console.log(JSON.stringify(seen));
}
