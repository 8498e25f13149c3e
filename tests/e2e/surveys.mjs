// A survey from draft to results in a real headless Chromium: an admin starts from the 客户感知
// template in the console, adds a question, previews and publishes; a customer answers on a phone
// with JavaScript off (the dissatisfied branch asks why); the admin reads the results.
// Called by tests/e2e/test_surveys_e2e.py; prints one JSON line (axe-core's findings included).
import { env, follow, open, run, shot, submit, visit } from './harness.mjs';

await run(async (browser, seen) => {
  const desk = await browser.newContext({ viewport: { width: 1200, height: 900 }, locale: 'zh-CN' });
  const admin = await open(desk);
  await visit(admin, '/console/surveys', 'sign-in');
  await admin.fill('#username', env.user);
  await admin.fill('#password', env.password);
  await follow(admin, /\/console\/surveys/, () => admin.click('button[type=submit]'), 'surveys');
  await follow(admin, /\/console\/surveys\/[0-9a-f]{32}\?done=created/, () => admin.click('button[value=template]'), 'builder');
  seen.survey = admin.url().match(/surveys\/([0-9a-f]{32})/)[1];
  await submit(admin, '/add-question', { type: 'text', text: '您还希望营业厅增加哪些服务？' }, 'question added');
  seen.questions = await admin.locator('.card.q').count();
  await shot(admin, 'survey-builder');
  await visit(admin, `/console/surveys/${seen.survey}/preview`, 'preview');
  await visit(admin, `/console/surveys/${seen.survey}`, 'builder');
  await submit(admin, '/publish', {}, 'published');
  seen.publish_flash = await admin.locator('.flash').innerText();
  const link = await admin.locator('a[href*="/q/"]').first().getAttribute('href');
  seen.code = link.split('/q/')[1];

  // The customer: a phone, JavaScript off.
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, javaScriptEnabled: false, locale: 'zh-CN' });
  const page = await open(phone);
  await visit(page, `/q/${seen.code}`, 'survey');
  seen.matrix_headers = await page.locator('table.matrix th[scope=col]').count();
  seen.phone_scroll_width = await page.evaluate(() => document.documentElement.scrollWidth);
  for (const row of ['tangibles', 'reliability', 'responsiveness', 'assurance', 'empathy']) {
    await page.check(`input[name="q1.${row}"][value="3"]`);
  }
  await page.check('#q2-2');
  await page.check('#q3-4');
  await shot(page, 'survey-phone');
  await submit(page, `/q/${seen.code}`, {}, 'survey page 2');
  seen.reason_shown = await page.locator('input[name=q4]').count();
  await page.check('#q4-long_wait');
  await page.fill('#q5', '窗口太少，等了很久');
  await submit(page, `/q/${seen.code}`, {}, 'survey thanks');
  seen.thanks_url = page.url().replace(env.base, '');
  seen.thanks = await page.locator('h1').innerText();
  await page.goBack();
  await submit(page, `/q/${seen.code}`, {}, 'survey sent again');
  seen.again_url = page.url().replace(env.base, '');

  await visit(admin, `/console/surveys/${seen.survey}/results`, 'results');
  seen.results_svgs = await admin.locator('main svg').count();
  seen.responses = await admin.locator('.kpi b').first().innerText();
  await shot(admin, 'survey-results');
});
