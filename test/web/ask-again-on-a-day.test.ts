/**
 * A case entered after the fact, in the console only (probe S4): ICE denied Continued Presence, and the police asked
 * again two days later, a day before the case is brought up to date. "Ask again" takes that day ("Asked on", today
 * unless changed), refuses a day before the denial by the field, in words, and the new request is then signed as
 * requested on that day. In Chromium, on the test server's clock, the console calling the API over HTTP.
 */
import { chromium, type Browser } from 'playwright-core';
import request from 'supertest';
import { formatCalendarDay } from '../../core/people-dates';
import { localDateOf } from '../../core/time-zones';
import { addDays, dateOf } from '../../domain/dates';
import { expectAccessible } from '../support/axe';
import { consoleStackPerFile, openDemoCase, errorSummaryFocused, signedInPage } from '../support/console';
import { CHROMIUM_PATH } from '../support/install-browser';

const service = consoleStackPerFile({}, { forBrowser: true, onTestClock: true });
const DAY_MS = 24 * 3600 * 1000;
let browser: Browser;

beforeAll(async () => {
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox'] });
});

afterAll(async () => {
  await browser?.close();
});

const now = async () => new Date(await service.stack.env.currentTimeMs()).toISOString();

async function sign(caseId: string, stepId: string, kind: 'law_enforcement' | 'ice', outcome: string, details: object) {
  await request(service.app)
    .post(`/api/cases/${caseId}/steps/${stepId}/sign-off`)
    .set(service.stack.as(kind))
    .set('Idempotency-Key', `ask-again-on-a-day-${stepId}`)
    .send({ outcome, details })
    .expect(200);
}

test('asked again on a past day in the console, refused before the denial, then signed as requested that day', async () => {
  const today = dateOf(await now());
  const caseId = (
    await openDemoCase(service, 'ask-again-on-a-day-1', {
      identifiedOn: addDays(today, -10),
      name: 'Late Entry (fictitious)',
    })
  ).caseId;
  await sign(caseId, 'cp_request-1', 'law_enforcement', 'requested', { requestedOn: addDays(today, -9) });
  // Denied yesterday, the day typed (a denial signed without its day is a moment, which ended on the day any zone was
  // in then: domain/ask-again.ts); the police ask again today, and the case is brought up to date two days later.
  const deniedOn = addDays(today, -1);
  await sign(caseId, 'cp_decision-1', 'ice', 'denied', { reason: 'not_potential_witness', decidedOn: deniedOn });
  const askedOn = addDays(deniedOn, 1);
  await service.stack.env.sleep(2 * DAY_MS);

  const page = await signedInPage(browser, service, 'demo-police-officer');
  await page.goto(`${service.base}/cases/${caseId}`);
  const form = page.locator('form', { has: page.getByRole('button', { name: 'Ask again for Continued Presence' }) });
  const day = form.getByLabel('Asked on');
  // Today where the police work, unless changed.
  const me = (await request(service.app).get('/api/me').set(service.stack.as('law_enforcement')).expect(200)).body as {
    now: string;
    timeZone: string;
  };
  expect(await day.inputValue()).toBe(localDateOf(me.now, me.timeZone));

  // A day before the denial: refused by the field, in words, the day typed kept.
  await day.fill(addDays(deniedOn, -1));
  await form.getByRole('button', { name: 'Ask again for Continued Presence' }).click();
  expect(await page.title()).toMatch(/^Error: /);
  expect(await errorSummaryFocused(page)).toBe(true);
  const said = `The date must be on or after ${formatCalendarDay(deniedOn)}, when the Continued Presence decision ended`;
  expect(await page.locator('#askedOn-cp_request-error').textContent()).toBe(said);
  const link = page.getByRole('alert').getByRole('link', { name: `Asked on: ${said}` });
  expect(await link.getAttribute('href')).toBe('#askedOn-cp_request');
  expect(await day.inputValue()).toBe(addDays(deniedOn, -1));
  await expectAccessible(page);

  await day.fill(askedOn);
  await form.getByRole('button', { name: 'Ask again for Continued Presence' }).click();
  await page.waitForURL((url) => url.search === '?notice=asked-again');

  // The new request, signed as requested on the day it was asked: the form takes that day.
  await page.goto(`${service.base}/cases/${caseId}/steps/cp_request-2`);
  await page.getByLabel('Requested on (required)').fill(askedOn);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('button', { name: 'Confirm and sign off' }).click();
  await page.waitForURL((url) => url.pathname === '/');

  // "Ask for a U-visa certification" takes its day too: the attorney decided on one a week after the identification.
  await page.goto(`${service.base}/cases/${caseId}`);
  const uVisa = page.locator('form', { has: page.getByRole('button', { name: 'Ask for a U-visa certification' }) });
  await uVisa.getByLabel('Asked on').fill(addDays(today, -3));
  await uVisa.getByRole('button', { name: 'Ask for a U-visa certification' }).click();
  await page.waitForURL((url) => url.search === '?notice=u-visa-asked');

  const view = await request(service.app).get(`/api/cases/${caseId}`).set(service.stack.as('coordinator')).expect(200);
  const steps = (
    view.body as { steps: { id: string; status: string; openedAt: string; details: Record<string, unknown> }[] }
  ).steps;
  expect(steps.find((step) => step.id === 'cp_request-2')).toMatchObject({
    status: 'completed',
    details: { requestedOn: askedOn },
  });
  expect(dateOf(steps.find((step) => step.id === 'u_visa_certification-1')!.openedAt)).toBe(addDays(today, -3));
  await page.context().close();
});
