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
  await admin.locator('#card-q1').scrollIntoViewIfNeeded();
  await shot(admin, 'survey-builder');
  await visit(admin, `/console/surveys/${seen.survey}/preview`, 'preview');
  await visit(admin, `/console/surveys/${seen.survey}`, 'builder');
  await submit(admin, '/publish', {}, 'published');
  seen.publish_flash = await admin.locator('.flash').innerText();
  const link = await admin.locator('a[href*="/q/"]').first().getAttribute('href');
  seen.code = link.split('/q/')[1];

  // A customer on a phone with JavaScript off: the dissatisfied branch asks why; Back and
  // submitting again is thanked and counted once. (axe-core needs script, so the same pages are
  // checked in a second phone below.)
  const q = `/q/${seen.code}`;
  const offline = await (await browser.newContext({ viewport: { width: 390, height: 844 }, javaScriptEnabled: false, locale: 'zh-CN' })).newPage();
  const answer = async (page, step) => {
    for (const row of ['tangibles', 'reliability', 'responsiveness', 'assurance', 'empathy']) {
      await page.check(`input[name="q1.${row}"][value="3"]`);
    }
    await page.check('#q2-2');
    await page.check('#q3-4');
    await step(page);
    await page.check('#q4-long_wait');
    await page.fill('#q5', '窗口太少，等了很久');
  };
  const press = (page) => Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('button[type=submit]')]);
  await offline.goto(`${env.base}${q}`);
  seen.matrix_headers = await offline.locator('table.matrix th[scope=col]').count();
  seen.phone_scroll_width = await offline.evaluate(() => document.documentElement.scrollWidth);
  seen.scripts_ran = await offline.evaluate(() => document.querySelectorAll('script').length);
  await answer(offline, async (page) => {
    await page.locator('table.matrix').scrollIntoViewIfNeeded();
    await shot(page, 'survey-phone');
    await press(page);
    seen.reason_shown = await page.locator('input[name=q4]').count();
  });
  await press(offline);
  seen.thanks_url = offline.url().replace(env.base, '');
  seen.thanks = await offline.locator('h1').innerText();
  await offline.goBack({ waitUntil: 'load' });
  await press(offline);
  seen.again_url = offline.url().replace(env.base, '');

  // The same pages, checked by axe-core.
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN' });
  const page = await open(phone);
  await visit(page, `${q}?lang=en`, 'survey (en)');
  await visit(page, q, 'survey');
  await answer(page, (p) => submit(p, q, {}, 'survey page 2'));
  await submit(page, q, {}, 'survey thanks');

  await visit(admin, `/console/surveys/${seen.survey}/results`, 'results');
  seen.results_svgs = await admin.locator('main svg').count();
  seen.responses = await admin.locator('.kpi b').first().innerText();
  await shot(admin, 'survey-results');
});
