/**
 * An attorney records a request for evidence or a notice of intent to deny on the T-visa decision (a console probe):
 * the form lists the notice by its name, with the abbreviation printed on it, where it listed "RFE" and "NOID" alone,
 * and so does its check page. Once it is recorded, the attorney lands on the case, which says the decision stays
 * pending and lists the response the notice opened, where the inbox said "The step has left your inbox" while it
 * still listed the decision. In Chromium, against the whole service.
 */
import request from 'supertest';
import { expectAccessible } from '../support/axe';
import { browserPerFile, consoleStackPerFile, daysAgo, openDemoCase, signedInPage } from '../support/console';

const service = consoleStackPerFile({}, { forBrowser: true });
const browser = browserPerFile();

/** The advocate's steps up to the T-visa decision, through the API: filed, receipt, bona fide. */
async function atTheDecision(caseId: string): Promise<void> {
  const signs: [string, string, Record<string, string>][] = [
    ['t_visa_filing-1', 'filed', { filedOn: daysAgo(5) }],
    ['t_visa_receipt-1', 'received', { receivedOn: daysAgo(4) }],
    ['t_visa_bona_fide-1', 'bona_fide', { determinedOn: daysAgo(3) }],
  ];
  for (const [stepId, outcome, details] of signs)
    await request(service.app)
      .post(`/api/cases/${caseId}/steps/${stepId}/sign-off`)
      .set(service.stack.as('advocate'))
      .set('Idempotency-Key', `t-visa-notice-${caseId}-${stepId}`)
      .send({ outcome, details })
      .expect(200);
}

/** The advocate's sign-off form of the case's T-visa decision, "Evidence requested" chosen, the notice filled in. */
async function noticeFilledIn(key: string, name: string) {
  const { caseId, reference } = await openDemoCase(service, key, { identifiedOn: daysAgo(10), name });
  await atTheDecision(caseId);
  const page = await signedInPage(browser(), service, 'demo-advocate');
  await page.goto(`${service.base}/cases/${caseId}/steps/t_visa_decision-1`);
  await page.getByLabel('Evidence requested').check();
  await page.getByRole('button', { name: 'Continue' }).click();
  const notice = page.getByLabel('Notice (required)');
  const choices = await notice.locator('option').allTextContents();
  await notice.selectOption('noid');
  await page.getByLabel('Issued on (required)').fill(daysAgo(2));
  await page.getByLabel('Respond by (required)').fill(daysAgo(-20));
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('heading', { name: /^Check your answers/ }).waitFor();
  return { caseId, reference, page, choices };
}

test('the notice on a T-visa decision is chosen and checked by its name, not its code', async () => {
  const { page, choices } = await noticeFilledIn('t-visa-notice-words', 'Notice Words (fictitious)');
  expect(choices).toEqual(['Choose', 'Request for evidence (RFE)', 'Notice of intent to deny (NOID)']);
  expect(await page.locator('dl.answers').innerText()).toMatch(/Notice\s+Notice of intent to deny \(NOID\)/);
  await expectAccessible(page);
  await page.context().close();
});

test('once the notice is recorded, the case says the decision stays pending, not that it left the inbox', async () => {
  const { caseId, reference, page } = await noticeFilledIn('t-visa-notice-recorded', 'Notice Recorded (fictitious)');
  await page.getByRole('button', { name: /^Confirm/ }).click();
  await page.waitForURL(/notice=/);
  expect(page.url()).toBe(`${service.base}/cases/${caseId}?notice=still-pending`);
  const main = await page.locator('main').innerText();
  expect(main).not.toContain('left your inbox');
  expect(main).toContain('The decision stays pending until it is made');
  const rows = page.locator('tbody tr');
  expect(await rows.filter({ has: page.getByText('T visa decision', { exact: true }) }).innerText()).toContain(
    'Pending',
  );
  const response = 'T visa response to a request for evidence or notice of intent to deny';
  expect(await rows.filter({ has: page.getByText(response, { exact: true }) }).innerText()).toContain('Pending');
  await expectAccessible(page);

  // It is still the attorney's to sign, in the inbox.
  await page.goto(`${service.base}/`);
  expect(await page.getByRole('link', { name: `Sign off T visa decision for ${reference}` }).count()).toBe(1);
  await page.context().close();
});
