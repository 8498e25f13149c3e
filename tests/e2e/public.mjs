// The customer's pages on a phone (390 px wide), as a customer who scanned the counter's QR code
// or the suggestion box's: rating (a refused form first), the thank-you and follow-up pages, the
// suggestion box, its receipt and tracking, the published 五进 page, and a page that is not there.
// Called by tests/e2e/test_console_e2e.py; prints one JSON line (axe-core's findings included).
import { env, follow, open, run, shot, submit, visit } from './harness.mjs';

const code = process.env.E2E_QR_CODE;
const quarter = process.env.E2E_QUARTER;
const { hall } = env;

await run(async (browser, seen) => {
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, locale: 'zh-CN' });
  const page = await open(phone);

  await visit(page, '/', 'home');
  await visit(page, '/?lang=en', 'home (en)');

  // Rating: the faces are drawn, not an emoji font's.
  await visit(page, `/r/${code}?lang=en`, 'rating (en)');
  await visit(page, `/r/${code}`, 'rating');
  seen.faces = await page.locator('.levels label svg.face').count();
  seen.face_widths = await page.locator('.levels label svg.face').evaluateAll((svgs) => svgs.map((s) => Math.round(s.getBoundingClientRect().width)));
  seen.emoji_in_page = await page.evaluate(() => /\p{Extended_Pictographic}/u.test(document.body.innerText));
  seen.level_names = await page.locator('.levels label').allInnerTexts();
  await page.check('#level2');
  await shot(page, 'rating');
  await page.check('#r-long_wait');
  await submit(page, `/r/${code}`, { phone: '13800001234' }, 'rating refused (no consent)');
  seen.rating_refused_errors = await page.locator('p.error').count();
  seen.rating_kept_phone = await page.inputValue('#phone');
  await page.check('#level2');
  await page.check('#consent');
  await submit(page, `/r/${code}`, {}, 'rating thanks');
  seen.thanks_url = page.url();
  const followUp = page.locator('a[href^="/f/"]');
  seen.follow_up_links = await followUp.count();
  await follow(page, /\/f\//, () => followUp.click(), 'follow-up');

  // The suggestion box: refused without consent for the number, then dropped; the receipt; tracking.
  await visit(page, `/s/${hall}?lang=en`, 'suggestion box (en)');
  await visit(page, `/s/${hall}`, 'suggestion box');
  await submit(page, `/s/${hall}`, { content: '希望营业厅增加老年人座椅', phone: '13900002222' }, 'suggestion refused (no consent)');
  seen.suggestion_kept = await page.inputValue('#content');
  await page.check('#consent');
  await submit(page, `/s/${hall}`, {}, 'suggestion receipt');
  seen.tracking_no = await page.locator('#tracking-no').innerText();
  await follow(page, /\/track\//, () => page.click('a[href^="/track/"]'), 'tracking: last four digits');
  await submit(page, '/track/', { phone4: '0000' }, 'tracking: wrong digits');
  await submit(page, '/track/', { phone4: '2222' }, 'tracking');
  seen.track_url = page.url().replace(env.base, '');

  // The hall's public results (好差评 公开): last month's figures, the trend drawn inline.
  await visit(page, `/p/${hall}`, 'public results (phone)');
  seen.results_kpis = await page.locator('.kpis li').count();
  seen.results_trend = await page.locator('svg[role=img] polyline').count();
  await visit(page, `/p/${hall}?lang=en`, 'public results (phone, en)');

  // The published 五进 results, and an address that is not there.
  await visit(page, `/outreach/${quarter}`, 'public outreach (phone)');
  seen.outreach_rows = await page.locator('tbody tr').count();
  await visit(page, `/outreach/${quarter}?lang=en`, 'public outreach (phone, en)');
  const answer = await visit(page, '/r/not-a-code', 'not found');
  seen.not_found_status = answer.status();
});
