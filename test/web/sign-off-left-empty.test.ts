/**
 * An ICE officer recording a Continued Presence grant after the fact (a console probe): the form's optional dates say
 * what is recorded when they are left empty, "Granted on" today and "Valid until" the longest the policy allows, and
 * so does the check page, where the form said "(optional)" alone and the check page "Not given", so a grant made weeks
 * ago and entered without its day counted its months from today. A correction, which reads an empty date as of its
 * sign-off, does not say "today". In Chromium, against the whole service.
 */
import { expectAccessible } from '../support/axe';
import {
  browserPerFile,
  consoleStackPerFile,
  daysAgo,
  openDemoCase,
  requestContinuedPresence,
  signedInPage,
} from '../support/console';

const service = consoleStackPerFile({}, { forBrowser: true });
const browser = browserPerFile();

test('a grant says what its empty dates record, on the form and the check page, and a correction does not', async () => {
  const { caseId } = await openDemoCase(service, 'left-empty-case', {
    identifiedOn: daysAgo(20),
    name: 'Left Empty (fictitious)',
  });
  await requestContinuedPresence(service, caseId, 'left-empty-cp-request', daysAgo(15));

  const page = await signedInPage(browser(), service, 'demo-ice-officer');
  await page.goto(`${service.base}/cases/${caseId}/steps/cp_decision-1`);
  await page.getByLabel('Granted', { exact: true }).check();
  await page.getByRole('button', { name: 'Continue' }).click();
  expect(await page.locator('#details-grantedOn-hint').textContent()).toBe(
    'Left empty, today: give the day on the decision if it was earlier. For example, 27 March 2027',
  );
  expect(await page.locator('#details-validUntil-hint').textContent()).toBe(
    "Left empty, the longest the case's policy allows: give the last day the document states, if it states one. " +
      'For example, 27 March 2027',
  );
  await expectAccessible(page);

  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('heading', { name: /^Check your answers/ }).waitFor();
  const answers = await page.locator('dl.answers').innerText();
  expect(answers).toMatch(/Granted on\s+Not given: today/);
  expect(answers).toMatch(/Valid until\s+Not given: the longest the case's policy allows/);
  await page.getByRole('button', { name: /^Confirm/ }).click();
  await page.waitForURL(/notice=signed-off/);
  await page.context().close();

  // The coordinator's correction of it: an empty date there is read as of the sign-off, not today.
  const coordinator = await signedInPage(browser(), service, 'demo-coordinator');
  await coordinator.goto(`${service.base}/cases/${caseId}/steps/cp_decision-1/correct`);
  expect(await coordinator.locator('#details-grantedOn-hint').textContent()).toBe('For example, 27 March 2027');
  await coordinator.context().close();
});
