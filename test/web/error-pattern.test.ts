/// <reference lib="dom" />
// (page.evaluate() callbacks run in the browser, so this file sees the DOM types.)
/**
 * Forms refused as every console form is (web/form-problems.ts, web/views/error-summary.eta, web/views/field.eta): the
 * title begins "Error: ", the error summary takes the focus and links to each field in the form's order, each field
 * is marked invalid and described by its hint and its error, and what was typed is kept; as an accessibility probe
 * found some forms did not. In a real browser against the whole service on real parts.
 */
import { chromium, type Browser, type Page } from 'playwright-core';
import request from 'supertest';
import { TEST_PASSWORD } from '../support/auth';
import { expectAccessible } from '../support/axe';
import { consoleStackPerFile, errorSummaryFocused, summaryLinks, openDemoCase, signedInPage } from '../support/console';
import { CHROMIUM_PATH } from '../support/install-browser';

const suite = consoleStackPerFile({}, { forBrowser: true });
let browser: Browser;

beforeAll(async () => {
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox'] });
});
afterAll(async () => {
  await browser?.close();
});

/** Sends the page's form with this button and answers the status of the page it comes back with. */
async function send(page: Page, button: string): Promise<number> {
  const answer = page.waitForResponse((response) => response.request().method() === 'POST', { timeout: 10_000 });
  await page.getByRole('button', { name: button }).click();
  const status = (await answer).status();
  await page.waitForLoadState('domcontentloaded');
  return status;
}

/** A refused form as the console shows one: its title, the focus on the summary, the summary's links. */
async function expectRefused(page: Page, links: [string, RegExp][]): Promise<void> {
  expect(await page.title()).toMatch(/^Error: /);
  expect(await errorSummaryFocused(page)).toBe(true);
  const expected = links.map(([href, words]): [string, unknown] => [href, expect.stringMatching(words) as unknown]);
  expect(await summaryLinks(page)).toEqual(expected);
  await expectAccessible(page);
}

/** A field as assistive technology reads it: invalid or not, and the ids of what describes it. */
const fieldState = (page: Page, id: string) =>
  page
    .locator(`#${id}`)
    .evaluate((field) => [field.getAttribute('aria-invalid'), field.getAttribute('aria-describedby')]);

test('the transfer form offers only kinds with another agency, and a refusal follows the console pattern', async () => {
  await request(suite.app)
    .post('/api/agencies')
    .set(suite.stack.users['demo-system-admin']!.headers)
    .send({ id: 'pattern-police-2', kind: 'law_enforcement', name: 'Second Police (fictitious)' })
    .expect(201);
  const { caseId } = await openDemoCase(suite, 'error-pattern-transfer', {
    identifiedOn: '2026-11-20',
    name: 'Pattern Transfer',
  });
  const page = await signedInPage(browser, suite, 'demo-coordinator');
  await page.goto(`${suite.base}/cases/${caseId}/transfer`);
  // Only the police has another agency: ICE, HHS and the advocates have none to choose, and are not listed empty.
  expect(
    await page.locator('#toAgencyId optgroup').evaluateAll((groups) => groups.map((group) => group.children.length)),
  ).toEqual([1]);
  expect(await fieldState(page, 'toAgencyId')).toEqual([null, 'toAgencyId-hint']);

  await page.getByLabel('Reason (optional)').selectOption({ index: 1 });
  const reason = await page.getByLabel('Reason (optional)').inputValue();
  expect(await send(page, 'Continue')).toBe(422);
  await expectRefused(page, [['#toAgencyId', /^New agency: Choose the new agency$/]]);
  expect(await fieldState(page, 'toAgencyId')).toEqual(['true', 'toAgencyId-hint toAgencyId-error']);
  expect(await page.getByLabel('Reason (optional)').inputValue()).toBe(reason);
  await page.getByRole('link', { name: /Choose the new agency/ }).click();
  expect(await page.evaluate(() => document.activeElement?.id)).toBe('toAgencyId');
  await page.context().close();
});

test('sign-in: an empty form is asked for by field, a wrong password is said in the summary alone', async () => {
  await suite.stack.resetRateLimits();
  const page = await (await browser.newContext({ bypassCSP: true })).newPage();
  await page.goto(`${suite.base}/sign-in`);
  expect(await page.title()).toMatch(/^Sign in/);
  expect(await page.getByRole('alert').count()).toBe(0);

  expect(await send(page, 'Sign in')).toBe(422);
  await expectRefused(page, [
    ['#username', /^Username: Enter your username$/],
    ['#password', /^Password: Enter your password$/],
  ]);
  expect(await fieldState(page, 'username')).toEqual(['true', 'username-error']);
  expect(await fieldState(page, 'password')).toEqual(['true', 'password-error']);

  await page.getByLabel('Username').fill('demo-police-officer');
  await page.getByLabel('Password').fill('not the password');
  expect(await send(page, 'Sign in')).toBe(401);
  // Which of the two was wrong is not said: no field is marked, the summary says it of both.
  await expectRefused(page, []);
  expect(await page.getByRole('alert').textContent()).toContain('Wrong username or password');
  expect(await fieldState(page, 'username')).toEqual([null, null]);
  expect(await fieldState(page, 'password')).toEqual([null, null]);
  expect(await page.getByLabel('Username').inputValue()).toBe('demo-police-officer');
  expect(await page.getByLabel('Password').inputValue()).toBe('');
  await page.context().close();
});

test("error summaries list fields in the form's order, and link a choice to its first option", async () => {
  const page = await signedInPage(browser, suite, 'demo-coordinator');
  await page.goto(`${suite.base}/account/api-keys`);
  await page.getByLabel('Valid for (days)').fill('');
  expect(await send(page, 'Create the key')).toBe(400);
  // The API names the password first; the summary follows the form.
  await expectRefused(page, [
    ['#label', /^Name of the key: Enter the name of the key$/],
    ['#expiresInDays', /^Valid for \(days\): Enter the number of days/],
    ['#currentPassword', /^Your password: Enter your password$/],
  ]);

  const { caseId } = await openDemoCase(suite, 'error-pattern-close', {
    identifiedOn: '2026-11-20',
    name: 'Pattern Close',
  });
  await page.goto(`${suite.base}/cases/${caseId}/close`);
  expect(await send(page, 'End the case')).toBe(400);
  await expectRefused(page, [
    ['#status', /^Close or withdraw: Choose whether/],
    ['#reason', /^Reason: Choose a reason$/],
    ['#confirm', /^Confirmation: Tick the box/],
  ]);
  // The link leads to the first choice, which takes the focus (a fieldset cannot).
  await page.getByRole('link', { name: /^Close or withdraw:/ }).click();
  expect(await page.evaluate(() => [document.activeElement?.tagName, document.activeElement?.id])).toEqual([
    'INPUT',
    'status',
  ]);
  expect(await page.getByLabel('Close the case').isChecked()).toBe(false);
  await page.context().close();
});

test("an error summary's link shows its field with its label and hint, or its choice's legend, at 200% zoom", async () => {
  const { caseId } = await openDemoCase(suite, 'error-pattern-zoom', {
    identifiedOn: '2026-11-20',
    name: 'Pattern Zoom',
  });
  // A laptop's 1280 × 800 at 200%: 640 × 400 CSS pixels.
  const page = await signedInPage(browser, suite, 'demo-coordinator', { width: 640, height: 400 });
  /** Where the focused field and what names it (its legend, or its label and hint) begin, from the screen's top. */
  const tops = () =>
    page.evaluate(() => {
      const field = document.activeElement as HTMLInputElement;
      const top = (element: Element | null | undefined) => element && Math.round(element.getBoundingClientRect().top);
      const legend = field.closest('fieldset')?.querySelector('legend');
      return {
        id: field.id,
        field: top(field)!,
        names: [legend ?? field.labels?.[0], legend ? null : document.getElementById(`${field.id}-hint`)]
          .filter((named) => named)
          .map(top),
      };
    });
  for (const [form, fill, button, ids] of [
    [
      `/cases/${caseId}/survivor`,
      async () => {
        await page.getByLabel('Name', { exact: true }).fill('');
        await page.getByLabel('A-number (optional)').fill('xx');
      },
      'Save the corrections',
      ['name', 'aNumber'],
    ],
    [`/cases/${caseId}/close`, async () => undefined, 'End the case', ['status', 'reason']],
  ] as const) {
    await page.goto(`${suite.base}${form}`);
    await fill();
    expect(await send(page, button)).toBeGreaterThanOrEqual(400);
    expect(await errorSummaryFocused(page)).toBe(true);
    for (const [index, id] of ids.entries()) {
      await page.getByRole('alert').getByRole('link').nth(index).press('Enter');
      const shown = await tops();
      expect(shown.id).toBe(id);
      // The field, and above it what names it, on the screen: none of it scrolled above its top.
      expect(shown.names.length).toBeGreaterThan(0);
      for (const top of [...shown.names, shown.field]) expect(top).toBeGreaterThanOrEqual(0);
      expect(shown.field).toBeLessThan(400);
    }
  }
  await page.context().close();
});

test('the open-case form chooses the only agency of a kind when fresh, never on a form sent back', async () => {
  const page = await signedInPage(browser, suite, 'demo-police-officer');
  await page.goto(`${suite.base}/cases/new`);
  const ice = page.locator('#agencies-ice');
  expect(await ice.inputValue()).not.toBe('');
  await ice.selectOption({ label: 'Choose an agency' });
  expect(await send(page, 'Open the case')).toBe(422);
  expect(await page.title()).toMatch(/^Error: /);
  expect(await ice.getAttribute('aria-invalid')).toBe('true');
  expect(await page.locator('#agencies-ice-error').textContent()).toBe('Choose an agency');
  // As sent: nothing chosen, not the agency a fresh form would choose.
  expect(await ice.inputValue()).toBe('');
  expect(await ice.evaluate((select: HTMLSelectElement) => select.selectedOptions[0]?.textContent)).toBe(
    'Choose an agency',
  );
  await page.context().close();
});

test('a calendar feed with no name is refused by its field as every form is, never made as "Calendar"', async () => {
  const feeds = async (username: string) =>
    (
      (await request(suite.app).get('/api/me/calendar-feeds').set(suite.stack.users[username]!.headers).expect(200))
        .body as { items: unknown[] }
    ).items.length;
  for (const [username, home] of [
    ['demo-police-officer', /^Error: Inbox/],
    ['demo-coordinator', /^Error: Dashboard/],
  ] as const) {
    const before = await feeds(username);
    const page = await signedInPage(browser, suite, username);
    await page.goto(`${suite.base}/`);
    for (const typed of ['', '   ']) {
      // The browser's own bubble would keep the form from being sent: the console says what to do.
      await page.getByLabel(/^Name of a new feed/).fill(typed);
      // The password is right: the name alone is refused (the password is never written back, so typed each time).
      await page.getByLabel(/^Your password/).fill(TEST_PASSWORD);
      expect(await send(page, 'Create a calendar feed')).toBe(422);
      expect(await page.title()).toMatch(home);
      await expectRefused(page, [['#label', /^Name of a new feed: Enter the name of the feed$/]]);
      expect(await fieldState(page, 'label')).toEqual(['true', 'label-hint label-error']);
      expect(await page.getByLabel(/^Name of a new feed/).inputValue()).toBe(typed);
    }
    expect(await feeds(username)).toBe(before);
    await page.context().close();
  }
});
