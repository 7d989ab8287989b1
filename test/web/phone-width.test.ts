/**
 * At a phone's width (375 px) the console's tables read as cards: a row's cells (the step, its case and "Sign off";
 * a case and what it waits on; a user and their status) are on the screen, not off to the right of a table that
 * scrolls sideways. Each cell is labelled with its column's header (its `data-label`, shown before it), and the page
 * stays axe-clean. In Chromium, on the whole service's real parts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { expectAccessible } from '../support/axe';
import { consoleStackPerFile, openDemoCase, signedInPage } from '../support/console';
import { CHROMIUM_PATH } from '../support/install-browser';

const PHONE = { width: 375, height: 800 };
/** 60 characters without a space. */
const LONG_CONTACT = `${'phone.width.survivor.contact'.padEnd(48, 'x')}@example.org`;
const service = consoleStackPerFile({}, { forBrowser: true });
let browser: Browser;
let caseId = '';
let reference = '';

beforeAll(async () => {
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox'] });
  // Opening a case leaves the police its Continued Presence request to sign. Its survivor's contact is one long
  // unbroken value (an email address, a messaging handle), which the case page wraps rather than widen the page.
  ({ caseId, reference } = await openDemoCase(service, 'phone-width-open', {
    identifiedOn: '2025-11-03',
    name: 'Phone Width',
    contact: LONG_CONTACT,
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

/** Every cell of the row (its header cell and data cells) shown inside the phone's screen. */
async function expectWholeRowOnScreen(row: Locator): Promise<void> {
  const cells = row.locator(':scope > th, :scope > td');
  expect(await cells.count()).toBeGreaterThan(0);
  for (const cell of await cells.all()) await expectOnScreen(cell);
}

/** The row holding the link named `name`: the link and every cell of the row shown inside the phone's screen. */
async function expectRowOfLinkOnScreen(page: Page, name: string): Promise<void> {
  const link = page.getByRole('link', { name, exact: true });
  const row = page.getByRole('row').filter({ has: link });
  await expectOnScreen(row.locator(link));
  await expectWholeRowOnScreen(row);
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
 * A page of the console opened at a phone's width by `username`: `check` looks at it, then it and its tables are
 * checked not to scroll sideways and every cell of its card tables for its column's name, and the page for axe's violations.
 */
async function onPhone(username: string, path: string, check: (page: Page) => Promise<void>): Promise<void> {
  const page = await signedInPage(browser, service, username, PHONE);
  await page.goto(`${service.base}${path}`);
  await check(page);
  const scrollingSideways = await page
    .locator('table')
    .evaluateAll((tables) => tables.filter(({ parentElement: around }) => around!.scrollWidth > around!.clientWidth));
  expect(scrollingSideways).toHaveLength(0);
  // Nor the page itself: a form control wider than the screen (a list of long agency names) widens every line.
  const pageWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(pageWidth).toBeLessThanOrEqual(PHONE.width);
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

test("the case page's step tables show the step and its sign-off link on a phone's screen, a long contact wrapped", async () => {
  await onPhone('demo-police-officer', `/cases/${caseId}`, async (page) => {
    await expectOnScreen(page.getByRole('heading', { level: 1, name: `Case ${reference}` }));
    await expectOnScreen(page.getByText(LONG_CONTACT, { exact: true }));
    const step = page.getByRole('rowheader', { name: 'Continued Presence request' });
    const row = page.getByRole('row').filter({ has: step });
    await expectOnScreen(row.locator(step));
    await expectOnScreen(row.getByRole('link', { name: /^Sign off/ }));
  });
});

test("the coordinator's list of steps shows each step, its case and its agency on a phone's screen", async () => {
  await onPhone('demo-coordinator', '/steps', async (page) => {
    const row = await requestRowOnScreen(page);
    // Its own cell: the due date's sentence names the agency too.
    await expectOnScreen(
      row.locator('td[data-label="Agency"]').getByText('Demo City Police Department (fictitious)', { exact: true }),
    );
  });
});

test("the Cases list's rows show the case, what it waits on and its next due date on a phone's screen", async () => {
  await onPhone('demo-coordinator', '/cases', async (page) => {
    await expectRowOfLinkOnScreen(page, reference);
  });
});

test("the dashboard's tables show each kind of step and each agency with their counts on a phone's screen", async () => {
  await onPhone('demo-coordinator', '/', async (page) => {
    await expectRowOfLinkOnScreen(page, 'Continued Presence request');
    const police = page.getByRole('rowheader', { name: 'Demo City Police Department (fictitious)' });
    const agencyRow = page.getByRole('row').filter({ has: police });
    await expectWholeRowOnScreen(agencyRow);
  });
});

test("the users page's rows show the user, their link and their status on a phone's screen", async () => {
  await onPhone('demo-admin', '/users', async (page) => {
    await expectRowOfLinkOnScreen(page, 'Demo Coordinator (fictitious)');
  });
});

/**
 * The reports' figures are the one table left to scroll sideways: a grid of numbers, a column per agency, read
 * across a row, that cards would turn into a long list of unnamed numbers.
 */
const GRIDS_OF_NUMBERS = ['reports.eta'];

test("every other table of the console's pages reads as cards at a phone's width", () => {
  const views = join(__dirname, '../../web/views');
  const tablesWithoutCards = readdirSync(views)
    .filter((view) => !GRIDS_OF_NUMBERS.includes(view))
    .flatMap((view) =>
      (readFileSync(join(views, view), 'utf8').match(/<table\b[^>]*>/g) ?? [])
        .filter((table) => !/class="[^"]*\bcards-when-narrow\b/.test(table))
        .map((table) => `${view}: ${table}`),
    );
  expect(tablesWithoutCards).toEqual([]);
});
