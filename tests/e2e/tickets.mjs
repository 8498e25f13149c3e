// Work orders (工单) in the console, as a hall manager uses them at the counter on a tablet:
// open an order with the short form, press Back and send it again (one order is stored), work it
// through the department's steps on its page, then open a key-account order and look at the queue
// with its clock. Called by tests/e2e/test_console_e2e.py; prints one JSON line.
import { back, env, open, run, shot, signIn, submit, visit } from './harness.mjs';

const { hall } = env;
const subject = process.env.E2E_TICKET_SUBJECT || '电费账单看不懂';

await run(async (browser, seen) => {
  // A tablet held upright.
  const context = await browser.newContext({ viewport: { width: 820, height: 1180 }, locale: 'zh-CN' });
  const page = await open(context);
  await signIn(page, `/console/tickets?hall=${hall}`, /\/console\/tickets\?.*k=/);
  seen.form_url = page.url().replace(env.base, '');
  seen.form_key = await page.locator('#new-ticket input[name="id"]').inputValue();

  const started = Date.now();
  await page.selectOption('#kind', 'consultation');
  await page.selectOption('#department-new', 'METER');
  await page.fill('#subject', subject);
  await page.fill('#phone', '13812345678');
  await page.check('#consent');
  await submit(page, '/console/tickets', {}, 'order opened');
  seen.open_ms = Date.now() - started;
  seen.order_url = page.url().replace(env.base, '');
  seen.opened_flash = await page.locator('.flash').innerText();

  // Back to the form and send it again: the same key, the same order.
  await back(page, 'back to the short form');
  if ((await page.locator('#new-ticket').count()) && !(await page.inputValue('#subject'))) {
    await page.fill('#subject', subject);
    await page.selectOption('#department-new', 'METER');
  }
  if (await page.locator('#new-ticket').count()) {
    await submit(page, '/console/tickets', {}, 'sent again after Back');
  }
  seen.again_url = page.url().replace(env.base, '');

  await visit(page, seen.order_url.split('?')[0], 'order page');
  await submit(page, '/progress', { note: '已调取抄表记录' }, 'progress noted');
  await submit(page, '/answer', { answer: '本月为两个月合并计费，电量正常。' }, 'answered');
  seen.answered_status = await page.locator('#status').innerText();
  seen.history_steps = await page.locator('ol.history li').count();
  await shot(page, 'ticket');
  await submit(page, '/close', { note: '已电话告知客户' }, 'closed');
  seen.closed_status = await page.locator('#status').innerText();

  // A key account's request, left open: the queue shows its 24-hour clock.
  await visit(page, `/console/tickets?hall=${hall}`, 'queue');
  await page.selectOption('#kind', 'request');
  await page.fill('#subject', '大客户增容报装进度查询');
  await page.check('#key_account');
  await page.fill('#account_no', '0101234567');
  await submit(page, '/console/tickets', {}, 'key-account order opened');
  await visit(page, `/console/tickets?hall=${hall}`, 'queue with a key-account order');
  seen.queue_rows = await page.locator('table.queue tbody tr').count();
  seen.queue_clock = await page.locator('table.queue .clock').first().innerText();
  seen.scroll_width = await page.evaluate(() => document.documentElement.scrollWidth);
  await page.locator('details.opener').evaluate((d) => { d.open = false; });
  await shot(page, 'tickets');
});
