/// <reference lib="dom" />
// (page.evaluate() callbacks run in the browser, so this file sees the DOM types.)
/**
 * After an action a screen-reader or keyboard user is told what just happened: the page's title says it first, and
 * the focus lands on what the action left to read (the notice, or the new calendar feed's address shown once), not
 * at the top of the page, since a live region present from the page's load is not announced. As an accessibility
 * probe found the inbox and the case page did not. In a real browser at a phone's size, against the whole service.
 */
import { chromium, type Browser, type Page } from 'playwright-core';
import { TEST_PASSWORD } from '../support/auth';
import { consoleStackPerFile, openDemoCase, signedInPage } from '../support/console';
import { CHROMIUM_PATH } from '../support/install-browser';

const PHONE = { width: 390, height: 844 };
const suite = consoleStackPerFile({}, { forBrowser: true });
let browser: Browser;

beforeAll(async () => {
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox'] });
});
afterAll(async () => {
  await browser?.close();
});

/**
 * What has the focus once the page has given it (`autofocus` acts after the page is drawn, so it is waited for, up to
 * 5 s): its tag, its id and its text; or the body's when nothing took it.
 */
async function focused(page: Page, tag: string): Promise<{ tag: string; id: string; text: string }> {
  await page
    .waitForFunction((wanted) => document.activeElement?.tagName === wanted, tag, { timeout: 5_000 })
    .catch(() => undefined);
  return page.evaluate(() => {
    const element = document.activeElement as HTMLElement;
    return { tag: element.tagName, id: element.id, text: element.textContent?.trim() ?? '' };
  });
}

/** Clicks the button and waits for the page the browser lands on after the form's answer. */
async function press(page: Page, button: RegExp): Promise<void> {
  const answer = page.waitForResponse((response) => response.request().method() === 'POST', { timeout: 10_000 });
  await page.getByRole('button', { name: button }).click();
  await answer;
  await page.waitForLoadState('domcontentloaded');
}

test('a new calendar feed takes the focus to its address, and the title says it was created; revoking says so', async () => {
  const page = await signedInPage(browser, suite, 'demo-police-officer', PHONE);
  await page.goto(`${suite.base}/`);
  await page.getByLabel(/^Name of a new feed/).fill('Phone calendar');
  await page.getByLabel(/^Your password/).fill(TEST_PASSWORD);
  await press(page, /^Create a calendar feed$/);

  expect(new URL(page.url()).pathname).toBe('/calendar-feeds');
  expect(await page.title()).toBe('Calendar feed created · Inbox · Relief cases console');
  const box = await focused(page, 'DIV');
  expect([box.tag, box.id]).toEqual(['DIV', 'new-feed']);
  expect(box.text).toMatch(/^Address of your new feed “Phone calendar”\. Copy it now/);
  // Scrolled to, wholly on the phone's screen: not 7,000 px below the top.
  const shown = (await page.locator('#new-feed').boundingBox())!;
  expect(shown.y).toBeGreaterThanOrEqual(0);
  expect(shown.y + shown.height).toBeLessThanOrEqual(PHONE.height + 1);
  // The next Tab stop is the address itself, to copy.
  await page.keyboard.press('Tab');
  expect((await focused(page, 'INPUT')).id).toBe('new-feed-url');
  expect(await page.locator('#new-feed-url').inputValue()).toMatch(/^https?:\/\//);

  // Revoking is one press: the page it lands on says what it did, in its title and where the focus is.
  await press(page, /^Revoke the feed Phone calendar$/);
  expect(page.url()).toBe(`${suite.base}/?notice=feed-revoked`);
  expect(await page.title()).toBe('The calendar feed was revoked · Inbox · Relief cases console');
  expect(await focused(page, 'P')).toEqual({
    tag: 'P',
    id: '',
    text: 'The calendar feed was revoked: its address no longer works.',
  });
  await page.context().close();
});

test('a new API key takes the focus to the box that shows it once, and the title says it was created', async () => {
  const page = await signedInPage(browser, suite, 'demo-hhs-officer', PHONE);
  await page.goto(`${suite.base}/account/api-keys`);
  await page.getByLabel(/^Name of the key/).fill('Nightly export');
  await page.getByLabel(/^Your password/).fill(TEST_PASSWORD);
  await press(page, /^Create the key$/);

  expect(await page.title()).toBe('API key created · Your API keys · Relief cases console');
  const box = await focused(page, 'DIV');
  expect([box.tag, box.id]).toEqual(['DIV', 'new-key-notice']);
  expect(box.text).toMatch(/^Your new API key “Nightly export”\s+Copy it now: it is shown only this once\./);
  // The next Tab stop is the key itself, to copy.
  await page.keyboard.press('Tab');
  expect((await focused(page, 'INPUT')).id).toBe('new-key');
  expect(await page.locator('#new-key').inputValue()).toMatch(/^rc_/);
  await page.context().close();
});

test('the page landed on after an action has its notice focused and first in its title', async () => {
  const { caseId, reference } = await openDemoCase(suite, 'notice-focus', {
    identifiedOn: '2026-11-20',
    name: 'Notice Focus',
  });
  for (const [username, path, title, notice] of [
    [
      'demo-police-officer',
      '/?notice=signed-off',
      'Your sign-off was recorded · Inbox',
      /^Your sign-off was recorded\./,
    ],
    ['demo-coordinator', '/?notice=signed-off', 'Your sign-off was recorded · Dashboard', /^Your sign-off was/],
    [
      'demo-police-officer',
      `/cases/${caseId}?notice=opened`,
      `The case is open · Case ${reference}`,
      /^The case is open\.$/,
    ],
    [
      'demo-coordinator',
      `/cases/${caseId}?notice=corrected`,
      `The correction was recorded · Case ${reference}`,
      /^The correction was recorded\./,
    ],
    ['demo-coordinator', `/cases/${caseId}?notice=closed`, `The case has ended · Case ${reference}`, /^The case has/],
    [
      'demo-coordinator',
      `/cases/${caseId}?notice=u-visa-asked`,
      `The case now follows a U visa · Case ${reference}`,
      /U visa/,
    ],
    [
      'demo-coordinator',
      `/cases/${caseId}?notice=survivor-corrected&changed=name`,
      `Name corrected · Case ${reference}`,
      /^Name corrected\. Earlier versions are kept\.$/,
    ],
  ] as const) {
    const page = await signedInPage(browser, suite, username, PHONE);
    await page.goto(`${suite.base}${path}`);
    expect(await page.title()).toBe(`${title} · Relief cases console`);
    const shown = await focused(page, 'P');
    expect(shown.tag).toBe('P');
    expect(shown.text).toMatch(notice);
    await page.context().close();
  }
});

test('the sign-in page a lapsed session or a sign-out leads to says why first in its title and focuses it', async () => {
  const context = await browser.newContext({ viewport: PHONE });
  const page = await context.newPage();
  for (const [notice, title, text] of [
    [
      'kept',
      'Your session has ended, so the form you were sending was not sent',
      'Your session has ended, so the form you were sending was not sent. Please sign in again: you will come back to it with what you entered, to check and send again.',
    ],
    [
      'expired',
      'Your session has ended',
      'Your session has ended. Please sign in again: you will come back to the page you were on. A form you were sending was not sent.',
    ],
    ['signed-out', 'You have signed out', 'You have signed out.'],
  ] as const) {
    await page.goto(`${suite.base}/sign-in?notice=${notice}&next=${encodeURIComponent('/cases/new')}`);
    expect(await page.title()).toBe(`${title} · Sign in · Relief cases console`);
    expect(await focused(page, 'P')).toEqual({ tag: 'P', id: '', text });
    // The next Tab stop is the form's first field.
    await page.keyboard.press('Tab');
    expect((await focused(page, 'INPUT')).id).toBe('username');
  }
  // A notice of no such name says nothing, not an object's inner words.
  await page.goto(`${suite.base}/sign-in?notice=constructor`);
  expect(await page.title()).toBe('Sign in · Relief cases console');
  expect(await page.locator('main').textContent()).not.toMatch(/function|native code/);
  await context.close();
});

test('a page without a notice keeps its own title and leaves the focus alone', async () => {
  const page = await signedInPage(browser, suite, 'demo-police-officer', PHONE);
  await page.goto(`${suite.base}/?notice=nothing-we-said`);
  expect(await page.title()).toBe('Inbox · Relief cases console');
  expect((await focused(page, 'P')).tag).toBe('BODY');
  await page.context().close();
});
