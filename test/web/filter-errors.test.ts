/// <reference lib="dom" />
// (page.evaluate() callbacks run in the browser, so this file sees the DOM types.)
/**
 * The lists' filter forms (cases, steps, audit trail, report) refuse as every console form does (web/form-problems.ts
 * `filtersRefused`, web/views/error-summary.eta, filter-select.eta): the title begins "Error: ", the error summary at
 * the top takes the focus and links each refused filter by its name, each filter says what is wrong next to it in
 * plain words and is marked invalid and described by it, and a stale page link leads back to the first page; as an
 * accessibility probe found they did not. A kind the reader's menu lacks is shown as what the list is filtered by,
 * never as "Any". In a real browser against the whole service on real parts.
 */
import { chromium, type Browser, type Page } from 'playwright-core';
import { expectAccessible } from '../support/axe';
import { consoleStackPerFile, errorSummaryFocused, summaryLinks, signedInPage } from '../support/console';
import { CHROMIUM_PATH } from '../support/install-browser';

const suite = consoleStackPerFile({}, { forBrowser: true });
let browser: Browser;

beforeAll(async () => {
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox'] });
});
afterAll(async () => {
  await browser?.close();
});

/** A field as assistive technology reads it: invalid or not, and the ids of what describes it. */
const fieldState = (page: Page, id: string) =>
  page
    .locator(`#${id}`)
    .evaluate((field) => [field.getAttribute('aria-invalid'), field.getAttribute('aria-describedby')]);

/** Refused filters as the console shows a refused form: the title, the focused summary first, its links, the field. */
async function expectRefused(page: Page, title: string, field: string, words: RegExp, href = `#${field}`) {
  expect(await page.title()).toMatch(new RegExp(`^Error: ${title} `));
  expect(await errorSummaryFocused(page)).toBe(true);
  expect(await summaryLinks(page)).toEqual([[href, expect.stringMatching(words) as unknown]]);
  // The summary comes before the form, under the page's heading.
  expect(
    await page.evaluate(() => {
      const summary = document.querySelector('[role="alert"]');
      const form = document.querySelector('form.filters');
      return Boolean(summary && form && summary.compareDocumentPosition(form) & Node.DOCUMENT_POSITION_FOLLOWING);
    }),
  ).toBe(true);
  expect(await page.getByText('see the messages next to them').count()).toBe(0);
  if (href.startsWith('#')) {
    expect(await fieldState(page, field)).toEqual(['true', `${field}-error`]);
    // The same words next to the field as in the summary, after the field's name.
    const beside = await page.locator(`#${field}-error`).textContent();
    const linked = ((await summaryLinks(page)) as [string, string][])[0]?.[1];
    expect(linked?.endsWith(`: ${beside}`)).toBe(true);
  }
}

test('a police case number typed as a reference is refused by its field, saying what a reference looks like', async () => {
  const page = await signedInPage(browser, suite, 'demo-police-officer');
  for (const typed of ['2026/0001', 'RC 2026']) {
    await page.goto(`${suite.base}/cases`);
    const field = page.getByLabel('Case reference, or its start');
    await field.fill(typed);
    const answer = page.waitForResponse((response) => new URL(response.url()).pathname === '/cases');
    await field.press('Enter');
    expect((await answer).status()).toBe(400);
    await page.waitForLoadState('domcontentloaded');
    await expectRefused(page, 'Cases', 'reference', /^Case reference: Enter a case reference, or its start, .*RC-2026/);
    expect(await page.locator('#reference-error').textContent()).not.toMatch(/expected|letters, digits, -;/i);
    expect(await field.inputValue()).toBe(typed);
    await page.getByRole('link', { name: /^Case reference:/ }).click();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('reference');
  }
  await expectAccessible(page);
  await page.context().close();
});

test('a value no menu offers, a page size and a stale page link are each refused by name, in plain words', async () => {
  const page = await signedInPage(browser, suite, 'demo-coordinator');
  const cases: [string, string, string, RegExp][] = [
    ['/steps?status=pending&kind=bogus', 'Pending steps', 'kind', /^Step kind: Choose one of the options in the list$/],
    ['/steps?status=pending&sort=bogus', 'Pending steps', 'sort', /^Order: Choose one of the options in the list$/],
    ['/cases?limit=abc', 'Cases', 'limit', /^Per page: Choose how many to show on a page: 25, 50, 100 or 200$/],
    [
      '/reports?from=2026-12-06&to=2026-01-01',
      'Compliance report',
      'to',
      /^Last day: The last day must be on or after/,
    ],
    [
      '/reports?from=2199-01-01&to=2199-03-31',
      'Compliance report',
      'from',
      /^First day: The first day must be today or earlier: a period that has not begun has nothing to report yet$/,
    ],
  ];
  for (const [address, title, field, words] of cases) {
    expect([address, (await page.goto(`${suite.base}${address}`))?.status()]).toEqual([address, 400]);
    await expectRefused(page, title, field, words);
    await expectAccessible(page);
  }
  // The value sent is what the menu shows, next to its message.
  await page.goto(`${suite.base}/steps?status=pending&kind=bogus`);
  expect(await page.locator('#kind').inputValue()).toBe('bogus');

  // A stale "Next page" link: said so, with a link to the first page of the same filters.
  for (const [list, title] of [
    ['cases', 'Cases'],
    ['steps', 'Pending steps'],
  ] as const) {
    const address = `/${list}?${list === 'steps' ? 'status=pending&' : ''}cursor=zzz`;
    expect((await page.goto(`${suite.base}${address}`))?.status()).toBe(400);
    const first = `/${list}${list === 'steps' ? '?status=pending' : ''}`;
    await expectRefused(page, title, 'cursor', /^Next page: .*out of date.*start again from the first page$/, first);
    const answer = page.waitForResponse((response) => new URL(response.url()).pathname === `/${list}`);
    await page.getByRole('link', { name: /^Next page:/ }).click();
    expect((await answer).status()).toBe(200);
    await page.waitForLoadState('domcontentloaded');
    expect(await page.title()).not.toMatch(/^Error/);
  }
  await page.context().close();

  // The audit trail's filters, the same way.
  const supervisor = await signedInPage(browser, suite, 'demo-supervisor');
  for (const [address, field, words] of [
    ['/audit?caseReference=2026/0001', 'caseReference', /^Case reference: Enter a whole case reference .*RC-2026-/],
    ['/audit?outcome=bogus', 'outcome', /^Outcome: Choose one of the options in the list$/],
  ] as const) {
    expect([address, (await supervisor.goto(`${suite.base}${address}`))?.status()]).toEqual([address, 400]);
    await expectRefused(supervisor, 'Audit trail', field, words);
  }
  await expectAccessible(supervisor);
  await supervisor.context().close();
});

test('a kind the reader\'s menu lacks is shown as what the list is filtered by, never as "Any"', async () => {
  const page = await signedInPage(browser, suite, 'demo-police-officer');
  expect((await page.goto(`${suite.base}/steps?status=pending&kind=t_visa_filing`))?.status()).toBe(200);
  const shown = await page
    .locator('#kind')
    .evaluate((select: HTMLSelectElement) => [select.value, select.selectedOptions[0]?.textContent]);
  expect(shown[0]).toBe('t_visa_filing');
  expect(shown[1]).toMatch(/T.visa.*not one of your agency’s steps/i);
  expect(await page.getByText('No steps match.').count()).toBe(1);
  await expectAccessible(page);
  await page.context().close();
});

test('a refused filter chosen by a link, not a field, links to the list without it', async () => {
  const supervisor = await signedInPage(browser, suite, 'demo-supervisor');
  for (const [field, label] of [
    ['caseId', 'The case chosen'],
    ['userId', 'The user chosen'],
  ] as const) {
    const address = `/audit?${field}=not-an-id&action=case.open`;
    expect([address, (await supervisor.goto(`${suite.base}${address}`))?.status()]).toEqual([address, 400]);
    await expectRefused(
      supervisor,
      'Audit trail',
      field,
      new RegExp(
        `^${label}: This link does not name a ${field === 'caseId' ? 'case' : 'user'} whole: show the trail without it$`,
      ),
      '/audit?action=case.open',
    );
    await supervisor.getByRole('link', { name: new RegExp(`^${label}:`) }).click();
    await supervisor.waitForLoadState('domcontentloaded');
    expect(await supervisor.title()).not.toMatch(/^Error/);
  }
  await supervisor.context().close();

  // An officer's Steps page has no agency menu: an agency typed into its address is put right by leaving it out.
  const officer = await signedInPage(browser, suite, 'demo-police-officer');
  const address = '/steps?status=pending&agencyId=Not%20an%20id!';
  expect([address, (await officer.goto(`${suite.base}${address}`))?.status()]).toEqual([address, 400]);
  expect(await officer.locator('#agencyId').count()).toBe(0);
  await expectRefused(officer, 'Pending steps', 'agencyId', /^Agency: /, '/steps?status=pending');
  await officer.context().close();
});
