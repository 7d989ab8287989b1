/**
 * The coordinator's dashboard, "Overdue, and with whom" (a console probe): an agency's name lists its pending steps,
 * and its counts of steps due within 7 days and overdue each list those steps, as the table by kind does, where the
 * name led to the agency's overdue steps alone ("No steps match." for an agency with none) and no count led anywhere.
 * In Chromium, against the whole service.
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

test("each agency's row of the dashboard leads to its pending, due and overdue steps", async () => {
  // Identified 60 days ago: the police's steps are overdue; the CP requested today leaves ICE a decision not yet due.
  const { caseId, reference } = await openDemoCase(service, 'dashboard-agency-links', {
    identifiedOn: daysAgo(60),
    name: 'Agency Row (fictitious)',
  });
  await requestContinuedPresence(service, caseId, 'dashboard-agency-links-cp-request', daysAgo(0));

  const page = await signedInPage(browser(), service, 'demo-coordinator');
  await page.goto(`${service.base}/`);
  const byAgency = page.getByRole('table', { name: 'Steps by agency' });
  const ice = byAgency.getByRole('row').filter({ hasText: 'Demo ICE' });
  expect(await ice.getByRole('link').count()).toBe(1);
  await expectAccessible(page);

  // ICE has nothing overdue: its name lists what it has pending.
  await ice.getByRole('link').click();
  await page.waitForURL(/\/steps\?/);
  expect(new URL(page.url()).searchParams.get('status')).toBe('pending');
  const iceSteps = await page.locator('main table').innerText();
  expect(iceSteps).toContain('Continued Presence decision');
  expect(iceSteps).toContain(reference);

  // The police's overdue count lists the police's overdue steps.
  await page.goto(`${service.base}/`);
  await byAgency.getByRole('link', { name: /overdue: Demo City Police/ }).click();
  await page.waitForURL(/\/steps\?/);
  const url = new URL(page.url());
  expect([url.searchParams.get('status'), url.searchParams.get('agencyId')]).toEqual(['overdue', 'demo-police']);
  const rows = page.locator('main tbody tr');
  expect(await rows.count()).toBeGreaterThan(0);
  for (const row of await rows.all()) expect(await row.innerText()).toContain('Overdue');
  await page.context().close();
});
