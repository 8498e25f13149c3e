// Console forms in a real browser, as people use them. E2E_SCENARIO picks one:
//   outreach-back  record a 五进 event, press Back and submit again; submit a second copy of the same
//                  form (a duplicated tab, or the page Chromium keeps for Back) too
//   invalid-form   send forms the server refuses: each comes back with what was typed and says why
//                  beside the field at fault
// Called by tests/e2e/test_console_e2e.py; prints one JSON line (axe-core's findings included).
import { back, env, open, run, signIn, submit, visit } from './harness.mjs';

const { hall } = env;
const scenario = process.env.E2E_SCENARIO;
const title = process.env.E2E_EVENT_TITLE || '五进社区：安全用电宣传';
const EVENT_FORM = 'form[action$="/console/outreach/events"]';

// What a field says about itself: its value, whether it is marked invalid, and the message it
// points to with aria-describedby, with whether that message sits right beside it in its form.
// Null when the page has no such field (the form did not come back).
async function fieldState(page, selector) {
  if (!(await page.locator(selector).count())) return null;
  return page.locator(selector).evaluate((field) => {
    const ids = (field.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean);
    const messages = ids.map((id) => document.getElementById(id)).filter(Boolean);
    const beside = messages.some((m) => {
      let next = field.nextElementSibling;
      while (next && next.tagName === 'LABEL') next = next.nextElementSibling;
      return next === m && m.closest('form') === field.closest('form');
    });
    const box = messages[0] && messages[0].getBoundingClientRect();
    return {
      value: field.value,
      invalid: field.getAttribute('aria-invalid') === 'true',
      message: messages.map((m) => m.innerText.trim()).join(' '),
      beside,
      message_in_view: Boolean(box) && box.top >= 0 && box.bottom <= window.innerHeight,
    };
  });
}

async function valueOf(page, selector) {
  return (await page.locator(selector).count()) ? page.inputValue(selector) : null;
}

async function fillEvent(page, fields) {
  const form = page.locator(EVENT_FORM);
  for (const [name, value] of Object.entries(fields)) await form.locator(`[name="${name}"]`).fill(value);
  await form.locator('[name="category"]').selectOption('community');
}

await run(async (browser, seen) => {
  const context = await browser.newContext({ viewport: { width: 1200, height: 860 }, locale: 'zh-CN' });
  const page = await open(context);

  if (scenario === 'outreach-back') {
    await signIn(page, `/console/outreach/new?hall=${hall}`, /\/console\/outreach\/new\?.*key=/);
    seen.form_url = page.url().replace(env.base, '');
    seen.form_key = await page.locator(`${EVENT_FORM} input[name="id"]`).inputValue();
    // The same form in a second tab (what a duplicated tab, or the copy kept for Back, is).
    const copy = await open(context);
    await visit(copy, seen.form_url, 'outreach form (second tab)');
    seen.copy_key = await copy.locator(`${EVENT_FORM} input[name="id"]`).inputValue();

    const fields = { title, place: '城东社区活动中心', participants: '40', households_visited: '12' };
    await fillEvent(page, fields);
    await submit(page, '/console/outreach/events', {}, 'event recorded');
    seen.recorded_url = page.url().replace(env.base, '');
    seen.recorded_flash = await page.locator('.flash').innerText();

    // Back to the form, and submit it again (filled in again if it came back empty).
    await back(page, 'back to the form');
    seen.back_url = page.url().replace(env.base, '');
    seen.back_shows_form = (await page.locator(EVENT_FORM).count()) > 0;
    if (seen.back_shows_form) {
      seen.back_key = await page.locator(`${EVENT_FORM} input[name="id"]`).inputValue();
      if (!(await page.locator(`${EVENT_FORM} [name="title"]`).inputValue())) await fillEvent(page, fields);
      await submit(page, '/console/outreach/events', {}, 'resubmitted after Back');
    } else {
      seen.back_flash = await page.locator('.flash').innerText();
    }
    seen.resubmit_url = page.url().replace(env.base, '');
    seen.resubmit_flash = await page.locator('.flash').allInnerTexts();

    // The second tab's copy, submitted after the first.
    await fillEvent(copy, fields);
    await submit(copy, '/console/outreach/events', {}, 'second copy submitted');
    seen.copy_url = copy.url().replace(env.base, '');
    seen.copy_flash = await copy.locator('.flash').allInnerTexts();
  } else if (scenario === 'invalid-form') {
    await signIn(page, `/console/callbacks?hall=${hall}`, /\/console\/callbacks/);

    // Closing a task as unreachable before three calls that did not reach the customer.
    const task = (await page.locator('.card[id^="task-"]').first().getAttribute('id')).slice(5);
    seen.task = task;
    const closed = await submit(page, `/console/callbacks/${task}/close`, { outcome: 'unreachable', note: '打了一次没人接' }, 'close refused');
    seen.close_status = closed && closed.status();
    seen.close_url = page.url().replace(env.base, '');
    seen.close_outcome = await fieldState(page, `#outcome-${task}`);
    seen.close_note = await valueOf(page, `#cnote-${task}`);
    seen.close_summary = await page.locator('main [role=alert]').allInnerTexts();
    seen.close_page = await page.locator('h1').first().innerText();

    // A 五进 event whose title is only spaces (the browser lets it through; the server does not).
    await visit(page, `/console/outreach/new?hall=${hall}`, 'outreach form');
    seen.event_form_key = await page.locator(`${EVENT_FORM} input[name="id"]`).inputValue();
    await fillEvent(page, { title: '   ', place: '城东社区活动中心', participants: '25', notes: '与社区居委会联合开展' });
    const recorded = await submit(page, '/console/outreach/events', {}, 'event refused');
    seen.event_status = recorded && recorded.status();
    seen.event_title = await fieldState(page, '#e-title');
    seen.event_place = await valueOf(page, '#e-place');
    seen.event_participants = await valueOf(page, '#e-participants');
    seen.event_notes = await valueOf(page, '#e-notes');
    seen.event_key_kept = await valueOf(page, `${EVENT_FORM} input[name="id"]`);
    seen.event_summary = await page.locator('main [role=alert]').allInnerTexts();
  } else {
    throw new Error(`unknown E2E_SCENARIO ${scenario}`);
  }
});
