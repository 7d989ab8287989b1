/**
 * At a phone's width (375 px) the lists of steps read as cards: the step, its case and "Sign off" are on the screen,
 * not off to the right of a table that scrolls sideways. Each cell is labelled with its column's header (its
 * `data-label`, shown before it), and the page stays axe-clean. In Chromium, on the whole service's real parts.
 */
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { expectAccessible } from '../support/axe';
import { consoleStackPerFile, openDemoCase, signedInPage } from '../support/console';
import { CHROMIUM_PATH } from '../support/install-browser';

const PHONE = { width: 375, height: 800 };
const service = consoleStackPerFile({}, { forBrowser: true });
let browser: Browser;
let caseId = '';
let reference = '';

beforeAll(async () => {
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox'] });
  // Opening a case leaves the police its Continued Presence request to sign.
  ({ caseId, reference } = await openDemoCase(service, 'phone-width-open', {
    identifiedOn: '2025-11-03',
    name: 'Phone Width',
  }));
});

afterAll(async () => {
  await browser?.close();
});

/** Shown, and wholly inside the phone's screen from left to right. */
async function expectOnScreen(element: Locator): Promise<void> {
  expect(await element.isVisible()).toBe(true);
  const box = await element.boundingBox();
  expect(box).not.toBeNull();
  expect(box!.x).toBeGreaterThanOrEqual(0);
  expect(box!.x + box!.width).toBeLessThanOrEqual(PHONE.width);
}

/** Every cell of the page's card tables says the header of its column, so no card shows a value without its name. */
async function expectCellsLabelledByTheirHeaders(page: Page): Promise<void> {
  const mislabelled = await page.locator('table.cards-when-narrow').evaluateAll((tables) =>
    tables.flatMap((table) => {
      const headers = [...table.querySelectorAll('thead th')].map((th) => th.textContent?.trim());
      return [...table.querySelectorAll('tbody tr')].flatMap((row) =>
        [...row.children]
          .map((cell, column) => ({ label: cell.getAttribute('data-label'), header: headers[column] }))
          .filter(({ label, header }) => label !== header),
      );
    }),
  );
  expect(mislabelled).toEqual([]);
}

/**
 * A page of the console opened at a phone's width by `username`: `check` looks at it, then its card tables are
 * checked not to scroll sideways and every cell of them for its column's name, and the page for axe's violations.
 */
async function onPhone(username: string, path: string, check: (page: Page) => Promise<void>): Promise<void> {
  const page = await signedInPage(browser, service, username, PHONE);
  await page.goto(`${service.base}${path}`);
  await check(page);
  const scrollingSideways = await page
    .locator('table.cards-when-narrow')
    .evaluateAll((tables) => tables.filter(({ parentElement: around }) => around!.scrollWidth > around!.clientWidth));
  expect(scrollingSideways).toHaveLength(0);
  await expectCellsLabelledByTheirHeaders(page);
  await expectAccessible(page);
  await page.context().close();
}

/** The row of a list of steps for the case's Continued Presence request, its step and case shown on the screen. */
async function requestRowOnScreen(page: Page): Promise<Locator> {
  const step = page.getByText('Continued Presence request', { exact: true });
  const row = page.getByRole('row').filter({ hasText: reference }).filter({ has: step });
  await expectOnScreen(row.locator(step));
  await expectOnScreen(row.getByRole('link', { name: reference, exact: true }));
  return row;
}

test("the inbox's rows show the step, its case and its sign-off link on a phone's screen", async () => {
  await onPhone('demo-police-officer', '/', async (page) => {
    const row = await requestRowOnScreen(page);
    await expectOnScreen(row.getByRole('link', { name: /^Sign off/ }));
  });
});

test("the case page's step tables show the step and its sign-off link on a phone's screen", async () => {
  await onPhone('demo-police-officer', `/cases/${caseId}`, async (page) => {
    await expectOnScreen(page.getByRole('heading', { level: 1, name: `Case ${reference}` }));
    const step = page.getByRole('rowheader', { name: 'Continued Presence request' });
    const row = page.getByRole('row').filter({ has: step });
    await expectOnScreen(row.locator(step));
    await expectOnScreen(row.getByRole('link', { name: /^Sign off/ }));
  });
});

test("the coordinator's list of steps shows each step, its case and its agency on a phone's screen", async () => {
  await onPhone('demo-coordinator', '/steps', async (page) => {
    const row = await requestRowOnScreen(page);
    await expectOnScreen(row.getByText('Demo City Police Department (fictitious)', { exact: true }));
  });
});
