/**
 * The check page of a correction says, before it is confirmed, which other agencies' pending steps confirming it
 * withdraws: ICE's Continued Presence grant corrected to a denial withdraws the police's renewal request and the
 * advocate's certification request. The coordinator, who sees every step, is told each by name and owing agency; ICE,
 * which sees neither, may not correct the grant that opens them (probe Q1): it is offered no "Correct" on it, and the
 * page's address tells it so in words at once, the same whatever they record. A correction that withdraws nothing says nothing of it. A grant typed a year early, which lapsed when its entry
 * session ended, corrected: the page names what withdrawing the lapse reopens. A grant corrected to an end already
 * past: the page says it lapses and what the lapse cancels. In Chromium, axe-clean; the whole service on real parts.
 */
import { chromium, type Browser, type Page } from 'playwright-core';
import request from 'supertest';
import { addDays, addYears, dateOf } from '../../domain/dates';
import { formatCalendarDay } from '../../core/people-dates';
import { expectAccessible } from '../support/axe';
import { consoleStackPerFile, openDemoCase, signedInPage } from '../support/console';
import { CHROMIUM_PATH } from '../support/install-browser';
import { eventually } from '../support/stack';

const service = consoleStackPerFile({}, { forBrowser: true });
let browser: Browser;
let caseId = '';

async function sign(
  stepId: string,
  kind: 'law_enforcement' | 'ice',
  outcome: string,
  details: object,
  onCase: string = caseId,
) {
  await request(service.app)
    .post(`/api/cases/${onCase}/steps/${stepId}/sign-off`)
    .set(service.stack.as(kind))
    .set('Idempotency-Key', `correction-check-${onCase}-${stepId}`)
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
async function checkPage(
  page: Page,
  outcome: 'denied' | 'granted',
  { onCase = caseId, grantedOn = '2025-11-09' } = {},
): Promise<string> {
  await page.goto(`${service.base}/cases/${onCase}/steps/cp_decision-1/correct?outcome=${outcome}`);
  if (outcome === 'denied') {
    await page.getByLabel('Reason (required)').selectOption('not_potential_witness');
  } else {
    await page.getByLabel(/^Granted on/).fill(grantedOn);
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
      "Those agencies are emailed that it is no longer needed, and see it in the case's timeline.",
  );
  // Nothing is withdrawn until it is confirmed.
  expect(await pendingSteps()).toEqual(expect.arrayContaining(['cp_renewal_request-1', 'hhs_certification_request-1']));
  await page.context().close();
});

test('ICE is offered no "Correct" on its grant, which the coordinator corrects; by its address it is told why at once', async () => {
  const page = await signedInPage(browser, service, 'demo-ice-officer');
  await page.goto(`${service.base}/cases/${caseId}`);
  const grantRow = page.getByRole('row', { name: /Continued Presence decision/ });
  await grantRow.first().waitFor();
  expect(await grantRow.getByRole('link', { name: /^Correct/ }).count()).toBe(0);
  // Reached by its address: the refusal in words on the first load, with no form to fill in first.
  const response = await page.goto(`${service.base}/cases/${caseId}/steps/cp_decision-1/correct?outcome=denied`);
  expect(response?.status()).toBe(403);
  const said = await page.locator('main').innerText();
  expect(await page.getByRole('button', { name: 'Continue' }).count()).toBe(0);
  expect(said).toContain('Ask the case’s coordinator to correct it');
  expect(said).not.toMatch(/certification|renewal|\d{4}-\d\d-\d\d/i);
  await expectAccessible(page);
  await page.context().close();
  const coordinator = await signedInPage(browser, service, 'demo-coordinator');
  await coordinator.goto(`${service.base}/cases/${caseId}`);
  const offered = coordinator.getByRole('row', { name: /Continued Presence decision/ }).getByRole('link', {
    name: /^Correct/,
  });
  expect(await offered.count()).toBe(1);
  expect(await checkPage(coordinator, 'granted')).not.toContain('withdraws');
  await coordinator.context().close();
});

test('a grant that lapsed: the coordinator is told which steps withdrawing the lapse reopens', async () => {
  const today = dateOf(new Date(await service.stack.env.currentTimeMs()).toISOString());
  const identifiedOn = addDays(today, -745);
  const meant = addDays(identifiedOn, 376);
  const lapsing = (
    await openDemoCase(service, 'correction-check-lapse', { identifiedOn, name: 'Correction Check Lapse' })
  ).caseId;
  await sign('cp_request-1', 'law_enforcement', 'requested', { requestedOn: addDays(identifiedOn, 1) }, lapsing);
  await sign('cp_decision-1', 'ice', 'granted', { grantedOn: addYears(meant, -1) }, lapsing);
  // The entry session ends (its notice gathers 30 minutes) and applies the lapse it held.
  await service.stack.env.sleep(31 * 60_000);
  await eventually(async () => {
    const view = await request(service.app).get(`/api/cases/${lapsing}`).set(service.stack.as('coordinator'));
    const steps = (view.body as { steps: { id: string; status: string }[] }).steps;
    return steps.find((step) => step.id === 'cp_decision-1')?.status === 'expired';
  }, 'the grant as typed lapsed');

  const page = await signedInPage(browser, service, 'demo-coordinator');
  // The lapsed grant offers "Correct" on the case page, as a signed one does.
  await page.goto(`${service.base}/cases/${lapsing}`);
  await page.getByRole('link', { name: 'Correct the sign-off of Continued Presence decision' }).waitFor();
  const note = await checkPage(page, 'granted', { onCase: lapsing, grantedOn: meant });
  expect(note).toContain(
    'Confirming this also reopens: Continued Presence renewal request (Demo City Police ' +
      'Department (fictitious)), HHS certification request (Demo Survivor Legal Advocates (fictitious)). Those ' +
      "agencies are emailed that it is needed again, with its deadline, and see it in the case's timeline.",
  );
  expect(note).not.toContain('also withdraws:');
  await page.context().close();
});

test('a grant corrected to an end already past: the coordinator is told it lapses, and what its lapse cancels', async () => {
  const today = dateOf(new Date(await service.stack.env.currentTimeMs()).toISOString());
  const identifiedOn = addDays(today, -745);
  const ending = (
    await openDemoCase(service, 'correction-check-ending', { identifiedOn, name: 'Correction Check End' })
  ).caseId;
  await sign('cp_request-1', 'law_enforcement', 'requested', { requestedOn: addDays(identifiedOn, 1) }, ending);
  await sign('cp_decision-1', 'ice', 'granted', { grantedOn: addDays(identifiedOn, 376) }, ending);

  const page = await signedInPage(browser, service, 'demo-coordinator');
  const outdated = addDays(identifiedOn, 2);
  const note = await checkPage(page, 'granted', { onCase: ending, grantedOn: outdated });
  expect(note).toContain(
    `Continued Presence decision would be valid until ${formatCalendarDay(addDays(addYears(outdated, 2), -1))}, ` +
      'already past: confirming this makes it lapse, which cancels: Continued Presence renewal request (Demo City ' +
      'Police Department (fictitious)), HHS certification request (Demo Survivor Legal Advocates (fictitious)).',
  );
  // A correction that leaves the end ahead says nothing of a lapse.
  expect(await checkPage(page, 'granted', { onCase: ending, grantedOn: addDays(identifiedOn, 370) })).not.toContain(
    'lapse',
  );
  await page.context().close();
});
