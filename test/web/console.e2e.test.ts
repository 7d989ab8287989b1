/// <reference lib="dom" />
// (page.evaluate() callbacks run in the browser, so this file sees the DOM types.)
/**
 * The web console end to end, in a real browser (Debian's chromium driven by playwright-core) against the whole
 * service on real parts: PostgreSQL, the time-skipping Temporal server, the worker, the API and the console in one
 * Express app on a real HTTP listener. Every page is checked with axe-core (no serious or critical violations).
 *
 * Time: the workflow runs on the test server's clock, which `env.sleep` moves forward. The API computes "overdue"
 * against `deps.now`, so the app here is built with a clock that follows the test server: the last time it reported
 * plus the real time elapsed since, refreshed after each sleep.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import request from 'supertest';
import { createApp } from '../../api/app';
import { upsertAgencies } from '../../db/agencies';
import { DEMO_AGENCIES } from '../../db/seed';
import { createConsole } from '../../web/console';
import { openSessionCookie, SESSION_COOKIE } from '../../web/session';
import { createWorker, TEST_PASSWORD } from '../support/auth';
import { expectAccessible } from '../support/axe';
import { CHROMIUM_PATH } from '../support/install-browser';
import { eventually, startStack, type Stack } from '../support/stack';

const SCREENSHOTS = `${__dirname}/../../docs/screenshots`;
const SURVIVOR = 'Ana Example-Fictitious';
const DAY_MS = 24 * 3600 * 1000;
const CONSOLE_SECRET = 'console-test-secret-'.padEnd(40, 'x');

let stack: Stack;
let server: Server;
let base: string;
let browser: Browser;
let app: ReturnType<typeof createApp>;
let clock = { envMs: Date.now(), realMs: Date.now() };
const syncClock = async () => void (clock = { envMs: await stack.env.currentTimeMs(), realMs: Date.now() });
const now = () => new Date(clock.envMs + (Date.now() - clock.realMs));
const today = () => now().toISOString().slice(0, 10);

beforeAll(async () => {
  stack = await startStack();
  await syncClock();
  server = createServer();
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  app = stack.appWith({
    now: async () => now(),
    console: createConsole({ apiUrl: base, publicBaseUrl: base, secret: CONSOLE_SECRET }),
  });
  server.on('request', app);
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox'] });
});

afterAll(async () => {
  await browser?.close();
  await new Promise((closed) => (server ? server.close(closed) : closed(undefined)));
  await stack?.stop();
});

const LAPTOP = { width: 1280, height: 900 };
/** An iPad Air held upright: the narrowest screen the console is meant for. */
const TABLET = { width: 820, height: 1180 };

async function signIn(username: string, viewport = LAPTOP): Promise<Page> {
  // Every sign-in of this file comes from one address, more than the per-minute sign-in limit allows.
  await stack.resetRateLimits();
  const context = await browser.newContext({ viewport, bypassCSP: true, hasTouch: viewport === TABLET });
  const page = await context.newPage();
  await page.goto(`${base}/`);
  expect(new URL(page.url()).pathname).toBe('/sign-in');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(TEST_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.pathname !== '/sign-in');
  return page;
}

let caseId = '';
let reference = '';

test('sign-in page: accessible, refuses a wrong password and a form posted without its CSRF token', async () => {
  // bypassCSP lets the test inject axe-core; the pages themselves run under helmet's CSP.
  const page = await browser.newPage({ bypassCSP: true });
  const response = await page.goto(`${base}/sign-in`);
  expect(response?.headers()['cache-control']).toBe('no-store');
  await expectAccessible(page);
  await page.getByLabel('Username').fill('demo-police-officer');
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  expect(await page.getByRole('alert').textContent()).toContain('Wrong username or password');
  await page.close();

  // A cross-site post (no token, foreign origin) and a same-origin post without the token are both refused.
  await request(app)
    .post('/sign-in')
    .set('Origin', 'https://evil.example')
    .type('form')
    .send({ username: 'demo-police-officer', password: TEST_PASSWORD })
    .expect(403);
  await request(app)
    .post('/sign-in')
    .set('Origin', base)
    .type('form')
    .send({ username: 'demo-police-officer', password: TEST_PASSWORD })
    .expect(403);
  // A form sent with no session leads to sign in and back to its page (the name search's is the caseload), never to
  // where it posted.
  const refused = await request(app).post('/cases/by-name').set('Origin', base).type('form').send({ name: 'x' });
  expect(refused.status).toBe(303);
  expect(refused.headers.location).toBe('/sign-in?notice=expired&next=%2Fcases');
});

test('sign-in with the password or both fields left empty: the form again, asking for what is missing, what was typed kept', async () => {
  await stack.resetRateLimits();
  const page = await browser.newPage({ bypassCSP: true });
  for (const username of ['demo-police-officer', '']) {
    await page.goto(`${base}/sign-in?next=${encodeURIComponent('/cases')}`);
    await page.getByLabel('Username').fill(username);
    const answer = page.waitForResponse((r) => r.request().method() === 'POST' && r.url() === `${base}/sign-in`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    expect((await answer).status()).toBe(422);
    expect(await page.getByRole('alert').textContent()).toContain('Enter your password');
    expect(await page.getByLabel('Username').inputValue()).toBe(username);
  }
  // The page it was to return to is kept too: signing in now leads there.
  await page.getByLabel('Username').fill('demo-police-officer');
  await page.getByLabel('Password').fill(TEST_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.pathname === '/cases');
  await page.close();
});

test('a police officer opens a case, sees the survivor on a no-store page, and sees a field error on sign-off', async () => {
  const page = await signIn('demo-police-officer');
  const cookie = (await page.context().cookies()).find((c) => c.name === SESSION_COOKIE);
  expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', secure: false, path: '/' });
  expect(await page.locator('h1').textContent()).toContain('Inbox');
  await expectAccessible(page);

  await page.getByRole('link', { name: 'Open a case' }).click();
  await expectAccessible(page);
  reference = `E2E-${Date.now().toString(36).toUpperCase()}`;
  await page.getByLabel('Case reference (optional)').fill(reference);
  await page.getByLabel('Identified on (required)').fill(today());
  await page.getByLabel('Name (required)').fill(SURVIVOR);
  await page.getByLabel('Birth date (required)').fill('1990-04-02');
  const opened = page.waitForResponse((r) => r.request().method() === 'GET' && /\/cases\/[0-9a-f-]{36}/.test(r.url()));
  await page.getByRole('button', { name: 'Open the case' }).click();
  const casePage = await opened;
  expect(casePage.headers()['cache-control']).toBe('no-store');
  caseId = /\/cases\/([0-9a-f-]{36})/.exec(page.url())![1]!;
  expect(page.url()).not.toContain('Ana');
  // The case page it lands on says first in its title what the form did, as its notice (focused) does.
  expect(await page.title()).toBe(`The case is open · Case ${reference} · Relief cases console`);
  expect(await page.locator('#survivor-heading + p + dl').textContent()).toContain(SURVIVOR);
  await expectAccessible(page);

  // The inbox lists the new case's CP request; its form shows the API's validation error next to the field.
  await page.goto(`${base}/`);
  const row = page.getByRole('row').filter({ hasText: reference }).filter({ hasText: 'Continued Presence request' });
  await row.getByRole('link', { name: /Sign off/ }).click();
  await page.getByLabel('Requested on (required)').fill('2999-01-01');
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.locator('#details-requestedOn-error').textContent()).resolves.toContain(
    'Enter the date it was requested',
  );
  // A date after today is refused at once, by the workflow's own rule, never listed on the check page as fine.
  await page.getByLabel('Requested on (required)').fill(`${Number(today().slice(0, 4)) + 1}-01-01`);
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.locator('#details-requestedOn-error').textContent()).resolves.toBe(
    'The date must be on or before today',
  );
  expect(await page.getByLabel('Requested on (required)').getAttribute('aria-invalid')).toBe('true');
  await expectAccessible(page);

  await page.getByLabel('Requested on (required)').fill(today());
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('button', { name: 'Confirm and sign off' }).click();
  await page.waitForURL((url) => url.pathname === '/' && url.searchParams.get('notice') === 'signed-off');
  expect(await page.getByRole('status').textContent()).toContain('Your sign-off was recorded');
  expect(
    await page
      .getByRole('row')
      .filter({ hasText: reference })
      .filter({ hasText: 'Continued Presence request' })
      .count(),
  ).toBe(0);
  await page.context().close();
});

test("an officer cannot open another agency's case", async () => {
  await upsertAgencies(stack.pool, [
    { id: 'other-police', kind: 'law_enforcement', name: 'Other Police (fictitious)', email: null },
  ]);
  const other = await createWorker(stack.pool, 'other-police', 'law_enforcement');
  const created = await request(app)
    .post('/api/cases')
    .set(other.headers)
    .set('Idempotency-Key', `console-other-${Date.now()}`)
    .send({
      identifiedOn: today(),
      survivor: { name: 'Someone Else', birthDate: '1985-01-01' },
      agencies: { ...DEMO_AGENCIES, law_enforcement: 'other-police' },
    })
    .expect(201);
  const page = await signIn('demo-police-officer');
  const response = await page.goto(`${base}/cases/${(created.body as { caseId: string }).caseId}`);
  expect(response?.status()).toBe(403);
  expect(await page.locator('h1').textContent()).toBe('You cannot open this page');
  expect(await page.content()).not.toContain('Someone Else');
  await expectAccessible(page);
  await page.context().close();
});

test("the lists offer an officer the steps of their own agency's kinds only; the coordinator every kind", async () => {
  const offered = async (username: string, path: string, label: string) => {
    const page = await signIn(username);
    await page.goto(`${base}${path}`);
    const values = await page
      .getByLabel(label)
      .locator('option')
      .evaluateAll((options) =>
        options.map((option) => (option as HTMLOptionElement).value).filter((value) => value !== ''),
      );
    await page.context().close();
    return values;
  };
  const police = await offered('demo-police-officer', '/cases', 'Waiting for');
  expect(police).toContain('le_declaration');
  expect(police).not.toContain('t_visa_filing');
  expect(police).not.toContain('cp_decision');
  expect(await offered('demo-police-officer', '/steps', 'Step kind')).toEqual(police);
  expect(await offered('demo-coordinator', '/cases', 'Waiting for')).toEqual(
    expect.arrayContaining(['t_visa_filing', 'cp_decision', 'le_declaration']),
  );
});

test('after time passes, the overdue CP decision appears on the coordinator list and dashboard', async () => {
  const page = await signIn('demo-coordinator');
  expect(await page.locator('h1').textContent()).toBe('Dashboard');
  await page.goto(`${base}/steps?status=overdue&kind=cp_decision`);
  expect(await page.getByRole('row').filter({ hasText: reference }).count()).toBe(0);

  await stack.env.sleep(32 * DAY_MS);
  await syncClock();
  await page.goto(`${base}/steps?status=overdue&kind=cp_decision`);
  await expectAccessible(page);
  const row = page.getByRole('row').filter({ hasText: reference });
  expect(await row.count()).toBe(1);
  expect(await row.textContent()).toContain('Overdue');
  expect(new URL(page.url()).search).toBe('?status=overdue&kind=cp_decision');

  await page.goto(`${base}/`);
  expect(
    Number(await page.locator('.card').filter({ hasText: 'overdue' }).locator('.count').textContent()),
  ).toBeGreaterThan(0);
  expect(await page.locator('svg.chart title').textContent()).toContain('by kind');
  expect(await chartLabelsOutside(page)).toEqual([]);
  await expectAccessible(page);
  await page.screenshot({ path: `${SCREENSHOTS}/dashboard.png`, fullPage: true });

  await page.goto(`${base}/cases/${caseId}`);
  expect(await page.getByRole('table', { name: 'Continued Presence' }).textContent()).toContain('Overdue');
  await eventually(async () => {
    await page.goto(`${base}/cases/${caseId}`);
    const reminders = page.getByRole('table', {
      name: /^Reminders, due notices, escalations and expiries of this case/,
    });
    return (await reminders.count()) > 0 && /Sent/.test((await reminders.textContent()) ?? '');
  }, 'reminders on the case page');
  await expectAccessible(page);
  await page.screenshot({ path: `${SCREENSHOTS}/case.png`, fullPage: true });
  await page.context().close();
});

test('the coordinator finds the case by its reference and by filters; the address holds filters, never a name', async () => {
  const page = await signIn('demo-coordinator');
  await page.getByRole('link', { name: 'Cases', exact: true }).click();
  expect(await page.locator('h1').textContent()).toBe('Cases');
  await page.getByLabel('Case reference, or its start').fill(reference.slice(0, -1));
  await page.getByRole('button', { name: 'Find' }).click();
  await page.waitForURL((url) => url.searchParams.get('reference') === reference.slice(0, -1));
  const row = page.getByRole('row').filter({ hasText: reference });
  expect(await row.count()).toBe(1);
  expect(await row.textContent()).toContain('overdue');
  await expectAccessible(page);

  await page.getByLabel('Path').selectOption('adult');
  await page.getByLabel('Overdue').selectOption('true');
  await page.getByLabel('Waiting for').selectOption('cp_decision');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await page.waitForURL((url) => url.searchParams.get('pendingKind') === 'cp_decision');
  expect(await page.getByRole('row').filter({ hasText: reference }).count()).toBe(1);
  expect(page.url()).not.toContain('Ana');
  await page.screenshot({ path: `${SCREENSHOTS}/cases.png`, fullPage: true });

  await page.getByLabel('Path').selectOption('minor');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await page.waitForURL((url) => url.searchParams.get('path') === 'minor');
  expect(await page.getByRole('row').filter({ hasText: reference }).count()).toBe(0);

  const refused = await page.goto(`${base}/cases?openedFrom=2027-02-30`);
  expect(refused?.status()).toBe(400);
  expect(await page.locator('#openedFrom-error').textContent()).toBeTruthy();
  await expectAccessible(page);
  await row.page().context().close();
});

test('a filter date out of range, or a value no menu offers, is a field error on the list, never an error page', async () => {
  const page = await signIn('demo-coordinator');
  for (const [name, value] of [
    ['dueBefore', '0000-01-01'],
    ['dueAfter', '10000-01-01'],
    ['dueBefore', '2200-01-01'],
  ] as const) {
    const response = await page.goto(`${base}/steps?${name}=${value}`);
    expect([name, value, response?.status()]).toEqual([name, value, 400]);
    expect(await page.locator('h1').textContent()).toBe('Pending steps');
    expect(await page.locator(`#${name}-error`).textContent()).toContain(
      'Enter a real date between 1 Jan 1900 and 31 Dec 2199',
    );
    // The date inputs carry the same range: the picker offers no other day, and this form is not sent with one.
    expect(await page.locator(`#${name}`).evaluate((input: HTMLInputElement) => [input.min, input.max])).toEqual([
      '1900-01-01',
      '2199-12-31',
    ]);
  }
  // A value no menu offers (an address edited by hand) asks for one it does, not in the validator's words.
  for (const list of ['cases', 'steps']) {
    expect((await page.goto(`${base}/${list}?status=bogus`))?.status()).toBe(400);
    expect(await page.locator('#status-error').textContent()).toContain('Choose one of the options in the list');
  }
  await expectAccessible(page);
  await page.context().close();
});

test('the supervisor reads the audit trail with filters; the admin lands on it', async () => {
  const page = await signIn('demo-supervisor');
  await page.goto(`${base}/audit?action=survivor.read`);
  const rows = page.getByRole('row').filter({ hasText: 'Read the survivor’s details' });
  expect(await rows.count()).toBeGreaterThan(0);
  await expectAccessible(page);
  const refused = await page.goto(`${base}/audit?from=yesterday`);
  expect(refused?.status()).toBe(400);
  expect(await page.locator('#from-error').textContent()).toBeTruthy();
  const outOfRange = await page.goto(`${base}/audit?to=0000-01-01`);
  expect(outOfRange?.status()).toBe(400);
  expect(await page.locator('#to-error').textContent()).toContain(
    'Enter a real date between 1 Jan 1900 and 31 Dec 2199',
  );
  await page.context().close();

  const admin = await signIn('demo-admin');
  expect(new URL(admin.url()).pathname).toBe('/audit');
  await admin.context().close();
});

test('signing out revokes the session; a revoked session sends the browser back to sign in', async () => {
  const page = await signIn('demo-hhs-officer');
  const cookie = (await page.context().cookies()).find((c) => c.name === SESSION_COOKIE)!.value;
  const token = (await openSessionCookie(CONSOLE_SECRET, cookie))!;
  await request(app).get('/api/me').set('Authorization', `Bearer ${token}`).expect(200);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL((url) => url.pathname === '/sign-in');
  expect(await page.getByRole('status').textContent()).toContain('signed out');
  expect((await page.context().cookies()).find((c) => c.name === SESSION_COOKIE)).toBeUndefined();
  await request(app).get('/api/me').set('Authorization', `Bearer ${token}`).expect(401);
  await page.context().close();

  // A session that ends while a form is open: sending it leads to signing in, and signing in back to the form's page.
  const second = await signIn('demo-advocate');
  await second.goto(`${base}/account`);
  const secondCookie = (await second.context().cookies()).find((c) => c.name === SESSION_COOKIE)!.value;
  const secondToken = (await openSessionCookie(CONSOLE_SECRET, secondCookie))!;
  await request(app).post('/api/auth/sign-out').set('Authorization', `Bearer ${secondToken}`).expect(204);
  await second.getByLabel('Current password').fill(TEST_PASSWORD);
  await second.getByRole('button', { name: 'Change your password' }).click();
  await second.waitForURL((url) => url.pathname === '/sign-in');
  expect(await second.getByRole('status').textContent()).toContain('session has ended');
  await stack.resetRateLimits();
  await second.getByLabel('Username').fill('demo-advocate');
  await second.getByLabel('Password').fill(TEST_PASSWORD);
  await second.getByRole('button', { name: 'Sign in' }).click();
  await second.waitForURL((url) => url.pathname === '/account');
  await second.goto(`${base}/steps`);
  expect(new URL(second.url()).pathname).toBe('/steps');
  await second.context().close();
});

test('the session cookie seals the API token: no bearer token for anyone it reaches, and an altered one is a sign-in', async () => {
  const page = await signIn('demo-supervisor');
  const cookie = (await page.context().cookies()).find((c) => c.name === SESSION_COOKIE)!;
  expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', secure: false, path: '/' });
  // Every service on this host name receives the cookie (cookies are not isolated by port): to them it is no token.
  expect(cookie.value).not.toMatch(/rc_[a-z0-9]{16}_/);
  const refused = await request(app).get('/api/me').set('Authorization', `Bearer ${cookie.value}`).expect(401);
  expect(refused.headers['www-authenticate']).toMatch(/Bearer/);
  // The console opens it: its pages still work.
  await page.goto(`${base}/account`);
  expect(new URL(page.url()).pathname).toBe('/account');
  expect(await page.locator('h1').textContent()).toBeTruthy();

  // One character of the sealed token changed: signed out, never an error page, and the cookie is gone.
  const [header, key, iv, sealed = '', tag] = cookie.value.split('.');
  const altered = [header, key, iv, (sealed.startsWith('A') ? 'B' : 'A') + sealed.slice(1), tag].join('.');
  await page.context().addCookies([{ ...cookie, value: altered }]);
  const answer = await page.goto(`${base}/account`);
  expect(answer?.status()).toBe(200);
  expect(new URL(page.url()).pathname).toBe('/sign-in');
  expect(new URL(page.url()).searchParams.get('next')).toBe('/account');
  expect((await page.context().cookies()).find((c) => c.name === SESSION_COOKIE)).toBeUndefined();
  // Signing in again leads back to the page asked for.
  await stack.resetRateLimits();
  await page.getByLabel('Username').fill('demo-supervisor');
  await page.getByLabel('Password').fill(TEST_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.pathname === '/account');
  await page.context().close();
});

test('on a tablet, pages fit the screen and the keyboard reaches a visibly focused skip link first', async () => {
  const page = await signIn('demo-coordinator', TABLET);
  for (const path of ['/', '/steps?status=pending', '/cases', `/cases/${caseId}`, '/cases/new']) {
    await page.goto(`${base}${path}`);
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect({ path, overflow }).toEqual({ path, overflow: 0 });
    await expectAccessible(page);
  }
  await page.goto(`${base}/`);
  await page.keyboard.press('Tab');
  const focused = await page.evaluate(() => {
    const element = document.activeElement as HTMLElement;
    const style = getComputedStyle(element);
    return { text: element.textContent?.trim(), outline: style.outlineStyle, width: parseFloat(style.outlineWidth) };
  });
  expect(focused.text).toMatch(/skip/i);
  expect(focused.outline).not.toBe('none');
  expect(focused.width).toBeGreaterThan(0);
  await page.context().close();
});

test('the coordinator reads the compliance report: period in the URL, chart and table, a CSV download', async () => {
  // This file signs in more than the sign-in limit allows in a minute (10); the limit is not what is tested here.
  await stack.resetRateLimits();
  const page = await signIn('demo-coordinator');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Reports' }).click();
  expect(await page.locator('h1').textContent()).toBe('Compliance report');

  // The two cases opened above (the officer's and the other agency's) and the reminders and escalations raised
  // while 32 days passed.
  const from = new Date(now().getTime() - 60 * DAY_MS).toISOString().slice(0, 10);
  await page.getByLabel('First day').fill(from);
  await page.getByLabel('Last day').fill(today());
  await page.getByRole('button', { name: 'Show the report' }).click();
  await page.waitForURL((url) => url.searchParams.get('from') === from);
  expect(new URL(page.url()).search).toBe(`?from=${from}&to=${today()}`);
  const table = page.getByRole('table', { name: /^Compliance figures from/ });
  const allAgencies = async (figure: string) =>
    (await table.getByRole('row', { name: figure }).getByRole('cell').last().textContent())?.trim();
  expect(await allAgencies('Cases opened: adults')).toBe('2');
  expect(Number(await allAgencies('Reminders sent'))).toBeGreaterThan(0);
  expect(Number(await allAgencies('Escalations raised'))).toBeGreaterThan(0);
  expect(await page.locator('svg.chart title').textContent()).toBe('Reminders sent and escalations raised, by agency');
  expect(await chartLabelsOutside(page)).toEqual([]);
  await expectAccessible(page);
  await page.screenshot({ path: `${SCREENSHOTS}/report.png`, fullPage: true });

  const csv = await page.request.get(`${base}/reports/compliance.csv?from=${from}&to=${today()}`);
  expect(csv.status()).toBe(200);
  expect(csv.headers()['content-type']).toMatch(/^text\/csv/);
  // The API's bytes, its UTF-8 byte-order mark first (Excel needs it), where the console read it as text and dropped it.
  expect([...(await csv.body()).subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const lines = (await csv.text()).trim().split('\r\n'); // trim() drops the byte-order mark too
  expect(lines[0]).toMatch(/^agency,agency_id,agency_kind,cases_opened_minor,cases_opened_adult,/);
  // Two cases: a small cell, suppressed.
  expect(lines.at(-1)).toMatch(/^All agencies,,,0,<5,/);

  const refused = await page.goto(`${base}/reports?from=${today()}&to=${from}`);
  expect(refused?.status()).toBe(400);
  expect(await page.locator('#to-error').textContent()).toBe('The last day must be on or after the first day');
  await expectAccessible(page);
  await page.context().close();

  const officer = await signIn('demo-police-officer');
  expect(await officer.getByRole('link', { name: 'Reports' }).count()).toBe(0);
  expect((await officer.goto(`${base}/reports`))?.status()).toBe(403);
  await officer.context().close();
});

test('the coordinator transfers a case to another police department: form, confirmation, the new agency shown', async () => {
  await upsertAgencies(stack.pool, [
    { id: 'e2e-new-police', kind: 'law_enforcement', name: 'New Harbor Police (fictitious)', email: null },
  ]);
  const opened = await request(app)
    .post('/api/cases')
    .set(stack.as('law_enforcement'))
    .set('Idempotency-Key', `console-transfer-${Date.now()}`)
    .send({
      identifiedOn: today(),
      survivor: { name: 'Moved Person', birthDate: '1988-05-05' },
      agencies: DEMO_AGENCIES,
    })
    .expect(201);
  const page = await signIn('demo-coordinator');
  await page.goto(`${base}/cases/${(opened.body as { caseId: string }).caseId}`);
  await page.getByRole('link', { name: 'Transfer the case to another agency' }).click();
  expect(await page.locator('h1').textContent()).toContain('Transfer case');
  await expectAccessible(page);
  await page.getByLabel('New agency (required)').selectOption('e2e-new-police');
  await page.getByLabel('Reason (optional)').selectOption('moved_jurisdiction');
  await page.getByRole('button', { name: 'Continue' }).click();
  expect(await page.getByRole('heading', { name: 'Check the transfer' }).count()).toBe(1);
  await expectAccessible(page);
  await page.getByRole('button', { name: 'Confirm the transfer' }).click();
  await page.waitForURL((url) => url.searchParams.get('notice') === 'transferred');
  expect(await page.getByRole('status').textContent()).toContain('The case was transferred.');
  expect(await page.locator('dl.facts').first().textContent()).toContain(
    'Law enforcement: New Harbor Police (fictitious)',
  );
  await expectAccessible(page);
  await page.context().close();
});

/** The chart's labels that start left of its edge: SVG text never wraps, so a long one would be cut off. */
function chartLabelsOutside(page: Page): Promise<string[]> {
  return page
    .locator('svg.chart text[text-anchor="end"]')
    .evaluateAll((labels) =>
      (labels as SVGTextElement[]).filter((label) => label.getBBox().x < 0).map((label) => label.textContent ?? ''),
    );
}
