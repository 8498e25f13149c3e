// An inspector records an undercover inspection on a phone (390 px wide): the window first, then one
// checklist section per screen, a failed item with its note, submit; then an admin reads the hall's
// star board with the explanation per clerk. Called by tests/e2e/test_inspections_e2e.py; prints one
// JSON line (axe-core's findings included).
import { audit, env, follow, open, run, shot, signIn, submit, visit } from './harness.mjs';

const { hall } = env;
const adminUser = process.env.E2E_ADMIN_USER;
const adminPassword = process.env.E2E_ADMIN_PASSWORD;

// A screen's Next (or, on the last, Submit): the form has Back too, so the button is named.
async function press(page, value, label) {
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click(`button[name="go"][value="${value}"]`)]);
  await audit(page, label);
}

await run(async (browser, seen) => {
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, locale: 'zh-CN' });
  const page = await open(phone);
  await signIn(page, '/console/inspections/new', /\/console\/inspections\/new/);
  seen.nav = await page.locator('header nav a').allInnerTexts();
  await page.check('input[name="mode"][value="undercover"]');
  await submit(page, '/console/inspections/new', { hall_code: hall, counter: '1', staff_no: '' }, 'inspection: first section');
  seen.screens = [];
  for (let screen = 0; screen < 6; screen += 1) {
    seen.screens.push(await page.locator('h1').innerText());
    const first = page.locator('fieldset.item').first();
    const key = (await first.locator('input[type=radio]').first().getAttribute('name'));
    if (screen === 0) {
      await page.check(`input[name="${key}"][value="fail"]`);
      await page.fill(`input[name="n.${key.slice(2)}"]`, '客户走近时未起身相迎');
      await shot(page, 'phone-inspection');
    } else {
      await page.check(`input[name="${key}"][value="pass"]`);
    }
    seen.fits = (await page.evaluate(() => document.documentElement.scrollWidth)) <= 390;
    await press(page, screen < 5 ? 'next' : 'submit', `inspection: after section ${screen + 1}`);
  }
  seen.recorded_url = page.url();
  seen.detail = await page.locator('main').innerText();

  const desk = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
  const board = await open(desk);
  await visit(board, '/console/login', 'sign-in (admin)');
  await board.fill('#username', adminUser);
  await board.fill('#password', adminPassword);
  await follow(board, /\/console\/dashboard/, () => board.click('button[type=submit]'), 'signed in (admin)');
  await visit(board, `/console/stars?hall=${hall}`, 'star board');
  seen.board_rows = await board.locator('tbody tr[id^="clerk-"]').count();
  await board.locator('details summary').first().click();
  seen.explanation = await board.locator('details').first().innerText();
  await shot(board, 'stars');
  await visit(board, '/console/stars/rules', 'star rules');
});
