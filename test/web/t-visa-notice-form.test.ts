/**
 * An attorney records a request for evidence or a notice of intent to deny on the T-visa decision (a console probe):
 * the form lists the notice by its name, with the abbreviation printed on it, where it listed "RFE" and "NOID" alone,
 * and so does its check page. In Chromium, against the whole service.
 */
import { chromium, type Browser } from 'playwright-core';
import request from 'supertest';
import { expectAccessible } from '../support/axe';
import { consoleStackPerFile, openDemoCase, signedInPage } from '../support/console';
import { CHROMIUM_PATH } from '../support/install-browser';

const service = consoleStackPerFile({}, { forBrowser: true });
let browser: Browser;

beforeAll(async () => {
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox'] });
});
afterAll(async () => {
  await browser?.close();
});

const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);

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
  const { caseId } = await openDemoCase(service, key, { identifiedOn: daysAgo(10), name });
  await atTheDecision(caseId);
  const page = await signedInPage(browser, service, 'demo-advocate');
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
  return { caseId, page, choices };
}

test('the notice on a T-visa decision is chosen and checked by its name, not its code', async () => {
  const { page, choices } = await noticeFilledIn('t-visa-notice-words', 'Notice Words (fictitious)');
  expect(choices).toEqual(['Choose', 'Request for evidence (RFE)', 'Notice of intent to deny (NOID)']);
  expect(await page.locator('dl.answers').innerText()).toMatch(/Notice\s+Notice of intent to deny \(NOID\)/);
  await expectAccessible(page);
  await page.context().close();
});
