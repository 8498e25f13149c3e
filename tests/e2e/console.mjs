// Drives the console in a real headless Chromium (playwright-core, Debian's /usr/bin/chromium): a
// manager's day, then every other console page, the published 五进 page, English and a phone.
// Called by tests/e2e/test_console_e2e.py with the running stack's URL; prints one JSON line of
// what it saw (axe-core's findings on every page included), which the Python test asserts on.
// No sleeps: every step waits on a page condition.
import { readFile } from 'node:fs/promises';
import { audit, crawl, env, follow, open, run, shot, submit, visit } from './harness.mjs';

const { hall } = env;

await run(async (browser, seen) => {
  const context = await browser.newContext({ viewport: { width: 1200, height: 860 }, acceptDownloads: true, locale: 'zh-CN' });
  const page = await open(context);

  // Signing in: a console page sends us to the sign-in page, which brings us back.
  await visit(page, `/console/callbacks?hall=${hall}`, 'sign-in');
  seen.login_url = page.url();
  await shot(page, 'login');
  await page.fill('#username', env.user);
  await page.fill('#password', env.password);
  await follow(page, /\/console\/callbacks/, () => page.click('button[type=submit]'), 'callbacks');
  seen.after_login_url = page.url();
  const cookies = await context.cookies();
  seen.session_cookie = cookies.filter((c) => c.name === 'ts_session').map((c) => ({ httpOnly: c.httpOnly, sameSite: c.sameSite, path: c.path }));

  // The dashboard, and every hall of the admin's by branch.
  await visit(page, `/console/dashboard?hall=${hall}`, 'dashboard');
  seen.dashboard_svgs = await page.locator('main svg').count();
  seen.dashboard_title = await page.locator('h1').innerText();
  await shot(page, 'dashboard');
  await visit(page, '/console/dashboard', 'overview');

  // The suggestion box: open it, reply to the complaint.
  await visit(page, `/console/suggestions?hall=${hall}`, 'suggestions');
  await submit(page, '/suggestion-box/open', {}, 'box opened');
  seen.box_flash = await page.locator('.flash').innerText();
  await submit(page, '/reply', { reply: '您好，已增开两个缴费窗口，感谢您的意见。' }, 'replied');
  seen.reply_flash = await page.locator('.flash').innerText();
  await visit(page, `/console/suggestions?hall=${hall}`, 'suggestions');
  seen.reply_shown = await page.locator('main p', { hasText: '已增开两个缴费窗口' }).count();
  await shot(page, 'suggestions');

  // The callback queue: the bad rating's task, earliest due first.
  await visit(page, `/console/callbacks?hall=${hall}`, 'callbacks');
  seen.tasks_before = await page.locator('.card[id^="task-"]').count();
  await shot(page, 'callbacks');
  const first = page.locator('.card[id^="task-"]').first();
  seen.first_task = (await first.getAttribute('id')).slice(5);
  await submit(page, `/console/callbacks/${seen.first_task}/attempts`, { result: 'reached', note: '已电话联系客户' }, 'attempt recorded');
  seen.attempt_flash = await page.locator('.flash').innerText();
  await submit(page, `/console/callbacks/${seen.first_task}/close`, { outcome: 'resolved_satisfied', note: '客户表示满意' }, 'task closed');
  seen.close_flash = await page.locator('.flash').innerText();
  seen.tasks_after = await page.locator('.card[id^="task-"]').count();

  // The ranking.
  await visit(page, `/console/ranking?hall=${hall}`, 'ranking');
  seen.ranking_rows = await page.locator('tbody tr').count();
  await shot(page, 'ranking');

  // Appeals (申诉复核): appeal today's bad QR rating; the admin may not decide their own appeal.
  await visit(page, `/console/ratings?hall=${hall}`, 'ratings');
  await page.locator('.card[id^="rating-"] details summary').first().click();
  await audit(page, 'ratings, appeal form open');
  await submit(page, '/appeal', { ground: 'mistaken', note: '客户按错了键' }, 'appealed');
  seen.appeal_flash = await page.locator('.flash').innerText();
  seen.appeal_cards = await page.locator('.card[id^="appeal-"]').count();
  seen.appeal_decide_forms = await page.locator('form[action*="/decide"]').count();
  await shot(page, 'appeals');
  await visit(page, `/console/appeals?hall=${hall}`, 'appeals');

  // The QR print sheet and the report downloads.
  await visit(page, `/console/qr?hall=${hall}`, 'qr sheet');
  seen.qr_cards = await page.locator('.qr-card').count();
  seen.qr_images_loaded = await page.locator('.qr-card img').evaluateAll((imgs) => imgs.filter((i) => i.complete && i.naturalWidth > 0).length);
  await shot(page, 'qr-sheet');
  await visit(page, `/console/reports?hall=${hall}`, 'reports');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#csv-hall')]);
  seen.csv_name = download.suggestedFilename();
  const bytes = await readFile(await download.path());
  seen.csv_bom = bytes.subarray(0, 3).toString('hex');
  seen.csv_header = bytes.toString('utf8').replace(/^\ufeff/, '').split('\r\n')[0];

  // Outreach: coverage, a hall's events, the form; publishing, and the public page it links to.
  await visit(page, '/console/outreach', 'outreach');
  seen.outreach_rows = await page.locator('tbody tr').count();
  await shot(page, 'outreach');
  await visit(page, `/console/outreach/events?hall=${hall}`, 'outreach events');
  await visit(page, `/console/outreach/new?hall=${hall}`, 'outreach form');
  await visit(page, '/console/outreach', 'outreach');
  await submit(page, '/publish', {}, 'outreach published');
  seen.publish_flash = await page.locator('.flash').innerText();
  const published = page.locator('.flash a');
  await follow(page, /\/outreach\/\d{4}Q[1-4]/, () => published.click(), 'public outreach');
  seen.public_outreach_rows = await page.locator('tbody tr').count();

  // The admin's pages.
  await visit(page, '/console/admin', 'admin');
  await visit(page, `/console/admin/halls/${hall}`, 'admin hall');
  seen.admin_devices = await page.locator('tbody tr').filter({ has: page.locator('form[action*="/revoke"]') }).count();
  await shot(page, 'admin-hall');
  await visit(page, '/console/admin/staff/A0123', 'admin staff');
  await visit(page, '/console/admin/audit', 'admin audit');
  await visit(page, '/console/calendar', 'calendar');
  await visit(page, '/console/outreach/events/not-an-event', 'console error page');

  // Every other page a console page links to, once per address.
  seen.crawled = await crawl(page, ['/console', '/outreach/']);

  // English.
  await visit(page, `/console/dashboard?hall=${hall}&lang=en`, 'dashboard (en)');
  seen.english_heading = await page.locator('main h2').first().innerText();
  seen.english_nav_keeps_lang = await page.locator('header nav a').first().getAttribute('href');
  await visit(page, `/console/callbacks?hall=${hall}&lang=en`, 'callbacks (en)');

  // On a phone.
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, locale: 'zh-CN' });
  await phone.addCookies(cookies);
  const small = await open(phone);
  await visit(small, `/console/callbacks?hall=${hall}`, 'callbacks (phone)');
  seen.phone_scroll_width = await small.evaluate(() => document.documentElement.scrollWidth);
  await shot(small, 'phone-callbacks');
  await visit(small, `/console/dashboard?hall=${hall}`, 'dashboard (phone)');
  await visit(small, `/console/outreach`, 'outreach (phone)');

  // Signing out.
  await follow(page, /\/console\/login/, () => page.click('header form button'), 'signed out');
  await visit(page, '/console/dashboard', 'sign-in');
  seen.after_logout_url = page.url();
});
