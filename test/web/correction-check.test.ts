/**
 * The check page of a correction says, before it is confirmed, which other agencies' pending steps confirming it
 * withdraws: ICE's Continued Presence grant corrected to a denial withdraws the police's renewal request and the
 * advocate's certification request. The coordinator, who sees every step, is told each by name and owing agency; ICE,
 * which sees neither, only that "a later step of another agency" goes, as the correction's refusals say it. A
 * correction that withdraws nothing says nothing of it. In Chromium, axe-clean; the whole service on real parts.
 */
import { chromium, type Browser, type Page } from 'playwright-core';
import request from 'supertest';
import { expectAccessible } from '../support/axe';
import { consoleStackPerFile, openDemoCase, signedInPage } from '../support/console';
import { CHROMIUM_PATH } from '../support/install-browser';

const service = consoleStackPerFile({}, { forBrowser: true });
let browser: Browser;
let caseId = '';

async function sign(stepId: string, kind: 'law_enforcement' | 'ice', outcome: string, details: object) {
  await request(service.app)
    .post(`/api/cases/${caseId}/steps/${stepId}/sign-off`)
    .set(service.stack.as(kind))
    .set('Idempotency-Key', `correction-check-${stepId}`)
    .send({ outcome, details })
    .expect(200);
}

beforeAll(async () => {
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox'] });
  caseId = (
    await openDemoCase(service, 'correction-check-open', {
      identifiedOn: '2025-11-03',
      name: 'Correction Check',
    })
  ).caseId;
  await sign('cp_request-1', 'law_enforcement', 'requested', { requestedOn: '2025-11-04' });
  // The grant opens the police's renewal request and the advocate's certification request.
  await sign('cp_decision-1', 'ice', 'granted', { grantedOn: '2025-11-10' });
});

afterAll(async () => {
  await browser?.close();
});

/** The correction form of ICE's decision, filled in and sent to its check page; the page's note there. */
async function checkPage(page: Page, outcome: 'denied' | 'granted'): Promise<string> {
  await page.goto(`${service.base}/cases/${caseId}/steps/cp_decision-1/correct?outcome=${outcome}`);
  if (outcome === 'denied') {
    await page.getByLabel('Reason (required)').selectOption('not_potential_witness');
  } else {
    await page.getByLabel(/^Granted on/).fill('2025-11-09');
  }
  await page.getByLabel('Why it is corrected (required)').fill('Entered on the wrong case.');
  await page.getByRole('button', { name: 'Continue' }).click();
  await page
    .getByRole('heading', { name: 'Check your answers: correction of the Continued Presence decision' })
    .waitFor();
  await expectAccessible(page);
  return page.getByRole('note').innerText();
}

const pendingSteps = async () => {
  const view = await request(service.app).get(`/api/cases/${caseId}`).set(service.stack.as('coordinator')).expect(200);
  return (view.body as { steps: { id: string; status: string }[] }).steps
    .filter((step) => step.status === 'pending')
    .map((step) => step.id);
};

test('the coordinator is told by name which pending steps of other agencies the correction withdraws', async () => {
  const page = await signedInPage(browser, service, 'demo-coordinator');
  const note = await checkPage(page, 'denied');
  expect(note).toContain(
    'Confirming this also withdraws: Continued Presence renewal request (Demo City Police Department (fictitious)), ' +
      'HHS certification request (Demo Survivor Legal Advocates (fictitious)). ' +
      "Those agencies see it in the case's timeline.",
  );
  // Nothing is withdrawn until it is confirmed.
  expect(await pendingSteps()).toEqual(expect.arrayContaining(['cp_renewal_request-1', 'hhs_certification_request-1']));
  await page.context().close();
});

test('ICE is told only that a later step of another agency goes; a correction that withdraws nothing says nothing', async () => {
  const page = await signedInPage(browser, service, 'demo-ice-officer');
  const note = await checkPage(page, 'denied');
  expect(note).toContain('Confirming this also withdraws: a later step of another agency.');
  expect(note).not.toMatch(/certification|renewal/i);
  expect(await checkPage(page, 'granted')).not.toContain('withdraws');
  await page.context().close();
});
