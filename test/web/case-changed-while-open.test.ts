/**
 * Forms sent after the case changed under them while they were open (probe P6, in Chromium).
 *
 * A correction sent after the case was transferred away from the sender's agency while its form was open (probe P6,
 * in Chromium): the police officer has the survivor's details and the CP request's correction open, the coordinator
 * transfers the case to another police agency, the officer sends each. Nothing is saved; the page says the case was
 * transferred and to whom, and lists what was entered to hand over, where it answered "You cannot open this page"
 * and what was typed was lost. A sign-off's own page for this is test/web/console-pages.test.ts › sign-off-transferred.
 */
import type { Page } from 'playwright-core';
import request from 'supertest';
import { expectAccessible } from '../support/axe';
import { upsertAgencies } from '../../db/agencies';
import {
  browserPerFile,
  consoleStackPerFile,
  daysAgo,
  openDemoCase,
  requestContinuedPresence,
  signedInPage,
} from '../support/console';

const suite = consoleStackPerFile({}, { forBrowser: true });
const browser = browserPerFile();

beforeAll(async () => {
  await upsertAgencies(suite.stack.pool, [
    { id: 'new-police', kind: 'law_enforcement', name: 'New City Police (fictitious)', email: null },
  ]);
});

const TRANSFERRED =
  'This case was transferred from your agency to New City Police (fictitious); your agency no longer takes part in it.';

/** The page's answer to the form sent by pressing `button`: its status and its main text. */
async function sent(page: Page, button: string): Promise<{ status: number; text: string }> {
  const answer = page.waitForResponse((response) => response.request().method() === 'POST');
  await page.getByRole('button', { name: button }).click();
  const status = (await answer).status();
  await page.waitForLoadState();
  return { status, text: (await page.locator('main').textContent()) ?? '' };
}

test('corrections sent after the case was transferred away: not saved, said in words naming the new agency, with what was entered', async () => {
  const { caseId } = await openDemoCase(suite, 'transferred-while-open', {
    identifiedOn: daysAgo(5),
    name: 'Oriel Before (fictitious)',
  });
  await requestContinuedPresence(suite, caseId, 'transferred-while-open-cp', daysAgo(3));
  const survivorForm = await signedInPage(browser(), suite, 'demo-police-officer');
  await survivorForm.goto(`${suite.base}/cases/${caseId}/survivor`);
  await survivorForm.getByLabel('Name', { exact: true }).fill('Oriel Kestrelmoor (fictitious)');
  const correctionForm = await survivorForm.context().newPage();
  await correctionForm.goto(`${suite.base}/cases/${caseId}/steps/cp_request-1/correct`);
  await correctionForm.getByLabel('Requested on (required)').fill(daysAgo(4));
  await correctionForm.getByLabel('Why it is corrected (required)').fill('The request went out the day before');

  await request(suite.app)
    .post(`/api/cases/${caseId}/transfers`)
    .set(suite.stack.as('coordinator'))
    .set('Idempotency-Key', 'transferred-while-open-move')
    .send({ agencyKind: 'law_enforcement', toAgencyId: 'new-police', reason: 'moved_jurisdiction' })
    .expect(200);

  for (const [page, button, typed] of [
    [survivorForm, 'Save the corrections', 'Oriel Kestrelmoor (fictitious)'],
    [correctionForm, 'Continue', 'The request went out the day before'],
  ] as const) {
    const { status, text } = await sent(page, button);
    expect(status).toBe(403);
    expect(await page.title()).toMatch(/^Error: Not saved: the case was transferred · /);
    expect(text).toContain(TRANSFERRED);
    expect(text).toContain('Nothing in this form was saved. Keep what you need from below and hand it over');
    expect(text).not.toContain('You cannot open this page');
    expect(text).toContain('What you entered');
    expect(text).toContain(typed);
    // Not a form to send again: the agency may no longer.
    expect(await page.getByRole('button', { name: 'Send again' }).count()).toBe(0);
    await expectAccessible(page);
  }

  // Nothing was saved: the survivor's name and the request's day are as they were.
  const survivor = await request(suite.app)
    .get(`/api/cases/${caseId}/survivor`)
    .set(suite.stack.as('coordinator'))
    .expect(200);
  expect((survivor.body as { name: string }).name).toBe('Oriel Before (fictitious)');
  const view = await request(suite.app).get(`/api/cases/${caseId}`).set(suite.stack.as('coordinator')).expect(200);
  const steps = (view.body as { steps: { id: string; details: { requestedOn?: string } }[] }).steps;
  expect(steps.find((step) => step.id === 'cp_request-1')?.details.requestedOn).toBe(daysAgo(3));
  await survivorForm.context().close();
});

test('a sign-off confirmed after the case was closed says nothing more can be signed or corrected, not to correct it', async () => {
  const { caseId } = await openDemoCase(suite, 'closed-while-open', {
    identifiedOn: daysAgo(5),
    name: 'Pella Closed (fictitious)',
  });
  const page = await signedInPage(browser(), suite, 'demo-police-officer');
  await page.goto(`${suite.base}/cases/${caseId}/steps/cp_request-1`);
  await page.getByLabel('Requested on (required)').fill(daysAgo(1));
  await page.getByLabel('Note (optional)').fill('Asked by phone, letter to follow');
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('button', { name: 'Confirm and sign off' }).waitFor();

  await request(suite.app)
    .post(`/api/cases/${caseId}/close`)
    .set(suite.stack.as('coordinator'))
    .set('Idempotency-Key', 'closed-while-open-close')
    .send({ status: 'closed', reason: 'lost_contact' })
    .expect(200);

  const { status, text } = await sent(page, 'Confirm and sign off');
  expect(status).toBe(409);
  expect(text).toContain('The case is closed: nothing more can be signed or changed in it.');
  expect(text).toContain('What you entered');
  expect(text).toContain('Asked by phone, letter to follow');
  expect(text).toContain(
    'Nothing was signed: the case is closed, and nothing more can be signed or corrected in it. Keep what you need from below for your agency’s own records.',
  );
  expect(text).not.toContain('correct the sign-off there');
  await page.context().close();
});

test('a transfer confirmed after someone else transferred the case meanwhile is not applied to the agency it never named', async () => {
  await upsertAgencies(suite.stack.pool, [
    { id: 'other-police', kind: 'law_enforcement', name: 'Other Police (fictitious)', email: null },
  ]);
  const { caseId } = await openDemoCase(suite, 'transferred-twice', {
    identifiedOn: daysAgo(5),
    name: 'Quinn Twice (fictitious)',
  });
  const page = await signedInPage(browser(), suite, 'demo-coordinator');
  await page.goto(`${suite.base}/cases/${caseId}/transfer`);
  await page.getByLabel('New agency (required)').selectOption('new-police');
  await page.getByRole('button', { name: 'Continue' }).click();
  expect(await page.locator('dl.facts').textContent()).toContain('Demo City Police Department (fictitious)');

  // Another coordinator of the task force transfers it elsewhere while this check page is open.
  await request(suite.app)
    .post(`/api/cases/${caseId}/transfers`)
    .set(suite.stack.as('coordinator'))
    .set('Idempotency-Key', 'transferred-twice-other')
    .send({ agencyKind: 'law_enforcement', toAgencyId: 'other-police' })
    .expect(200);

  const { status, text } = await sent(page, 'Confirm the transfer');
  expect(status).toBe(409);
  expect(text).toContain(
    'Nothing was transferred: since you checked it, someone transferred the case to Other Police (fictitious) (Law enforcement). Choose the new agency again',
  );
  const view = await request(suite.app).get(`/api/cases/${caseId}`).set(suite.stack.as('coordinator')).expect(200);
  expect((view.body as { agencies: { law_enforcement: string } }).agencies.law_enforcement).toBe('other-police');

  // Chosen again, its check page names the agency it replaces now, and the transfer is made.
  await page.getByLabel('New agency (required)').selectOption('new-police');
  await page.getByRole('button', { name: 'Continue' }).click();
  expect(await page.locator('dl.facts').textContent()).toContain('Other Police (fictitious)');
  await page.getByRole('button', { name: 'Confirm the transfer' }).click();
  await page.waitForURL((url) => url.searchParams.get('notice') === 'transferred');
  await page.context().close();
});
