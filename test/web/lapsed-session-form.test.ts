/// <reference lib="dom" />
// (page.waitForFunction() callbacks run in the browser, so this file sees the DOM types.)
/**
 * A session that ends while someone types loses nothing (an accessibility probe found "a lapsed session loses a typed
 * form"): the form sent then is not sent, and after signing in again the same person is back on it with what they
 * typed, told so in a focused notice. What was typed is never in an address or a log line, and another user signing in
 * on that browser never sees it. In Chromium, against the whole service signed in through its sign-in page.
 */
import { chromium, type Browser, type Page } from 'playwright-core';
import request from 'supertest';
import { SESSION_COOKIE } from '../../web/session';
import { TOKEN_SHAPE } from '../../core/token-format';
import { DEMO_AGENCIES } from '../../db/seed';
import { createWorker, TEST_PASSWORD } from '../support/auth';
import { consoleStackPerFile, openDemoCase } from '../support/console';
import { cookiesSetBy } from '../support/forms';
import { CHROMIUM_PATH } from '../support/install-browser';
import { logCapture } from '../support/scan';
import { signInThroughPage } from '../support/sign-in-page';

const log = logCapture();
const suite = consoleStackPerFile({ log: { level: 'info', destination: log.destination } }, { forBrowser: true });
const today = () => new Date().toISOString().slice(0, 10);
const NOTE = 'Met at the Kestrel Lane shelter; afraid of the recruiter';
let browser: Browser;

beforeAll(async () => {
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox'] });
});
afterAll(async () => {
  await browser?.close();
});

/** The browser's session cookie. */
async function sessionCookie(page: Page): Promise<string> {
  const cookie = (await page.context().cookies()).find((candidate) => candidate.name === SESSION_COOKIE);
  if (!cookie) throw new Error('the browser holds no session cookie');
  return cookie.value;
}

/** Ends the browser's session as its twelve hours passing does: its cookie is the same session's, its time passed. */
async function sessionTimePasses(page: Page, username: string): Promise<void> {
  const token = (await suite.tokenIn(await sessionCookie(page)))!;
  const lapsed = await suite.sealToken(token, {
    expiresAt: new Date(Date.now() - 60_000),
    userId: suite.stack.users[username]!.user.id,
  });
  await page.context().addCookies([{ name: SESSION_COOKIE, value: lapsed, url: suite.base }]);
}

/** Ends the browser's session at the API (signed out elsewhere, or revoked), its cookie left as it was. */
async function sessionRevoked(page: Page): Promise<void> {
  const token = (await suite.tokenIn(await sessionCookie(page)))!;
  await request(suite.app).post('/api/auth/sign-out').set('Authorization', `Bearer ${token}`).expect(204);
}

/**
 * Ends the browser's session as 30 minutes unused do (a console left open on a shared computer): its last use at the
 * API moved back, its cookie left as it was.
 */
async function sessionLeftIdle(page: Page): Promise<void> {
  const token = (await suite.tokenIn(await sessionCookie(page)))!;
  await suite.stack.pool.query(
    `UPDATE access_tokens SET created_at = now() - interval '2 hours', last_used_at = now() - interval '31 minutes'
      WHERE id = $1`,
    [TOKEN_SHAPE.exec(token)![1]],
  );
}

/** A new case's CP request form, filled in as an officer types it, not yet sent. */
async function typedSignOff(page: Page, key: string, name: string): Promise<string> {
  const { caseId } = await openDemoCase(suite, key, { identifiedOn: today(), name: `${name} (fictitious)` });
  const form = `/cases/${caseId}/steps/cp_request-1`;
  await page.goto(`${suite.base}${form}`);
  await page.getByLabel('Requested on (required)').fill(today());
  await page.getByLabel('Note (optional)').fill(NOTE);
  return form;
}

async function signIn(page: Page, username: string): Promise<void> {
  await suite.stack.resetRateLimits();
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(TEST_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.pathname !== '/sign-in');
}

let colleagueMade: ReturnType<typeof createWorker> | undefined;
/** Another officer of the same police, who may sign the same steps: their forms are the same pages. */
const colleagueOfThePolice = () =>
  (colleagueMade ??= createWorker(suite.stack.pool, DEMO_AGENCIES.law_enforcement, 'law_enforcement'));

async function focusedText(page: Page): Promise<string> {
  await page
    .waitForFunction(() => document.activeElement?.tagName === 'P', undefined, { timeout: 5_000 })
    .catch(() => undefined);
  return page.evaluate(() => document.activeElement?.textContent?.trim() ?? '');
}

const stepStatus = async (form: string) => {
  const caseId = form.split('/')[2]!;
  const view = await request(suite.app).get(`/api/cases/${caseId}`).set(suite.stack.as('coordinator'));
  return (view.body as { steps: { id: string; status: string }[] }).steps.find((step) => step.id === 'cp_request-1')
    ?.status;
};

for (const [how, name, lapse] of [
  ['its time passed (the cookie outlived it)', 'Alma Lapsed', sessionTimePasses],
  ['it was revoked at the API', 'Berta Revoked', (page: Page) => sessionRevoked(page)],
  ['it went unused for 30 minutes', 'Erna Idle', (page: Page) => sessionLeftIdle(page)],
] as const) {
  test(`a sign-off sent as its session ended (${how}) comes back filled in after signing in again, and nothing was sent`, async () => {
    const page = await signInThroughPage(browser, suite.base, suite.stack, 'demo-police-officer');
    const form = await typedSignOff(page, `kept-${name.split(' ')[1]}`, name);
    await lapse(page, 'demo-police-officer');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL((url) => url.pathname === '/sign-in');
    expect(page.url()).toBe(`${suite.base}/sign-in?notice=kept&next=${encodeURIComponent(form)}`);
    expect(await page.locator('.notice').textContent()).toBe(
      'Your session has ended, so the form you were sending was not sent. Please sign in again: you will come back to it with what you entered, to check and send again.',
    );

    await signIn(page, 'demo-police-officer');
    expect(page.url()).toBe(`${suite.base}${form}`);
    expect(await page.getByLabel('Note (optional)').inputValue()).toBe(NOTE);
    expect(await page.getByLabel('Requested on (required)').inputValue()).toBe(today());
    expect(await focusedText(page)).toBe(
      'Your session had ended, so nothing was sent. What you entered is filled in again below: check it, then send it again.',
    );
    expect(await page.title()).toMatch(/^Your session had ended, so nothing was sent · /);
    expect(await stepStatus(form)).toBe('pending');
    // Shown once: opened again, the form is a new one.
    await page.reload();
    expect(await page.getByLabel('Note (optional)').inputValue()).toBe('');

    // Never in an address the browser went to, nor in a line the service logged.
    const visited = log.lines.filter((line) => line.includes('"url"'));
    expect(visited.length).toBeGreaterThan(0);
    for (const words of [NOTE, 'Kestrel', encodeURIComponent('Kestrel')])
      expect(log.lines.filter((line) => line.includes(words))).toEqual([]);
    expect(page.url()).not.toContain('Kestrel');
    await page.context().close();
  });
}

test('a case page left open on a shared computer and unused for 30 minutes shows nothing once reloaded: sign in', async () => {
  const { caseId } = await openDemoCase(suite, 'left-idle-case-page', { identifiedOn: today(), name: 'Olga Idle' });
  const page = await signInThroughPage(browser, suite.base, suite.stack, 'demo-police-officer');
  const casePage = `/cases/${caseId}`;
  await page.goto(`${suite.base}${casePage}`);
  expect(await page.locator('main').textContent()).toContain('Olga Idle');
  await sessionLeftIdle(page);
  await page.reload();
  await page.waitForURL((url) => url.pathname === '/sign-in');
  expect(page.url()).toBe(`${suite.base}/sign-in?notice=expired&next=${encodeURIComponent(casePage)}`);
  expect(await page.content()).not.toContain('Olga');
  // Back in the browser's history: asked of the service again (no-store), which asks to sign in.
  await page.goBack();
  await page.waitForURL((url) => url.pathname === '/sign-in');
  expect(await page.content()).not.toContain('Olga');
  await page.context().close();
});

test('another user signing in on that browser never sees what was typed', async () => {
  const colleague = await colleagueOfThePolice();
  const page = await signInThroughPage(browser, suite.base, suite.stack, 'demo-police-officer');
  const form = await typedSignOff(page, 'kept-other-user', 'Carla Other');
  await sessionTimePasses(page, 'demo-police-officer');
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL((url) => url.pathname === '/sign-in');

  await signIn(page, colleague.user.username);
  expect(page.url()).toBe(`${suite.base}${form}`);
  expect(await page.getByLabel('Note (optional)').inputValue()).toBe('');
  expect(await page.getByLabel('Requested on (required)').inputValue()).toBe('');
  expect(await page.content()).not.toContain('Kestrel');
  expect(await page.locator('.notice').count()).toBe(0);
  // Cleared as the other user signed in: the first one signing in after them does not get it either.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL((url) => url.pathname === '/sign-in');
  await page.goto(`${suite.base}/sign-in?next=${encodeURIComponent(form)}`);
  await signIn(page, 'demo-police-officer');
  expect(page.url()).toBe(`${suite.base}${form}`);
  expect(await page.content()).not.toContain('Kestrel');
  expect(await stepStatus(form)).toBe('pending');
  await page.context().close();
});

/**
 * The demo police officer's CP request form, typed in one tab as its session's time passes; then the next page opened
 * in another tab of that browser asks to sign in, and `username` does. The form is still open in the first tab.
 */
async function formLeftOpenAsSignedInAgain(key: string, name: string, username: string) {
  const page = await signInThroughPage(browser, suite.base, suite.stack, 'demo-police-officer');
  const form = await typedSignOff(page, key, name);
  await sessionTimePasses(page, 'demo-police-officer');
  const tab = await page.context().newPage();
  await tab.goto(`${suite.base}/`);
  await tab.waitForURL((url) => url.pathname === '/sign-in');
  await signIn(tab, username);
  return { page, form };
}

test('a form left open as its session ended goes on as typed once its person signs in again in another tab', async () => {
  const { page, form } = await formLeftOpenAsSignedInAgain('kept-other-tab', 'Gina Other Tab', 'demo-police-officer');
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL((url) => url.pathname === form);
  expect(await page.locator('h1').textContent()).toMatch(/^Check your answers/);
  expect(await page.locator('main').textContent()).toContain(NOTE);
  await page.getByRole('button', { name: 'Confirm and sign off' }).click();
  await page.waitForURL((url) => url.pathname === '/');
  expect(await stepStatus(form)).toBe('completed');
  await page.context().close();
});

test('a form left open is never sent as another person who signed in on that browser since', async () => {
  const colleague = await colleagueOfThePolice();
  const { page, form } = await formLeftOpenAsSignedInAgain('kept-other-person', 'Ida Other', colleague.user.username);
  const answer = page.waitForResponse((response) => response.request().method() === 'POST');
  await page.getByRole('button', { name: 'Continue' }).click();
  expect((await answer).status()).toBe(403);
  expect(await page.locator('main').textContent()).toContain(
    'This form was opened before the last sign-in or sign-out on this browser, so nothing in it was sent. Open the form again and fill it in anew.',
  );
  expect(await stepStatus(form)).toBe('pending');
  await page.context().close();
});

test('a form forged elsewhere with a lapsed session is refused and never kept to fill anyone’s form', async () => {
  const { caseId } = await openDemoCase(suite, 'kept-forged', {
    identifiedOn: today(),
    name: 'Dora Forged (fictitious)',
  });
  const police = suite.stack.users['demo-police-officer']!;
  const lapsed = await suite.sealToken(police.token, {
    expiresAt: new Date(Date.now() - 60_000),
    userId: police.user.id,
  });
  const fields = { outcome: 'requested', 'details.requestedOn': today(), 'details.note': 'Planted by a forger' };
  for (const [origin, status] of [
    ['https://elsewhere.example', 403],
    // From the console's own address but without the form's CSRF token (and its cookie): refused as expired.
    [suite.base, 403],
  ] as const) {
    const answer = await request(suite.app)
      .post(`/cases/${caseId}/steps/cp_request-1`)
      .set('Cookie', `${SESSION_COOKIE}=${lapsed}`)
      .set('Origin', origin)
      .type('form')
      .send({ ...fields, _csrf: 'forged', idempotencyKey: crypto.randomUUID() });
    expect(answer.status).toBe(status);
    expect(String(answer.headers['set-cookie'] ?? '')).not.toContain('rc_kept');
  }
});

test('a form kept for a step someone signed meanwhile comes back as what was entered, to copy', async () => {
  const page = await signInThroughPage(browser, suite.base, suite.stack, 'demo-police-officer');
  const form = await typedSignOff(page, 'kept-signed-meanwhile', 'Flora Meanwhile');
  await sessionTimePasses(page, 'demo-police-officer');
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL((url) => url.pathname === '/sign-in');
  await request(suite.app)
    .post(`/api/cases${form.slice('/cases'.length)}/sign-off`)
    .set(suite.stack.as('law_enforcement'))
    .set('Idempotency-Key', 'kept-signed-meanwhile-sign-off')
    .send({ outcome: 'requested', details: { requestedOn: today() } })
    .expect(200);

  await signIn(page, 'demo-police-officer');
  expect(page.url()).toBe(`${suite.base}${form}`);
  const entered = page.getByRole('region', { name: 'What you entered' });
  expect(await entered.textContent()).toContain(NOTE);
});

test('a correction of the survivor’s details comes back filled in, and sends as typed once sent again', async () => {
  const { caseId } = await openDemoCase(suite, 'kept-survivor', { identifiedOn: today(), name: 'Hilda Before' });
  const page = await signInThroughPage(browser, suite.base, suite.stack, 'demo-police-officer');
  const form = `/cases/${caseId}/survivor`;
  await page.goto(`${suite.base}${form}`);
  await page.getByLabel('Name', { exact: true }).fill('Hilda Kestrelsdottir');
  await sessionRevoked(page);
  await page.getByRole('button', { name: 'Save the corrections' }).click();
  await page.waitForURL((url) => url.pathname === '/sign-in');

  await signIn(page, 'demo-police-officer');
  expect(page.url()).toBe(`${suite.base}${form}`);
  expect(await page.getByLabel('Name', { exact: true }).inputValue()).toBe('Hilda Kestrelsdottir');
  expect(await focusedText(page)).toMatch(/^Your session had ended, so nothing was sent\./);
  const survivor = () => request(suite.app).get(`/api/cases/${caseId}/survivor`).set(suite.stack.as('law_enforcement'));
  expect(((await survivor()).body as { name: string }).name).toBe('Hilda Before');

  // Sent again by the person: the correction the form was opened for, nothing else.
  await page.getByRole('button', { name: 'Save the corrections' }).click();
  await page.waitForURL((url) => url.pathname === `/cases/${caseId}`);
  expect(((await survivor()).body as { name: string }).name).toBe('Hilda Kestrelsdottir');
  expect(log.lines.filter((line) => line.includes('Kestrelsdottir'))).toEqual([]);
  await page.context().close();
});

test('a form with a password (a new API key) sent as its session ended is not kept: it says so, and asks again', async () => {
  const police = suite.stack.users['demo-police-officer']!;
  const live = await suite.sealToken(police.token, { userId: police.user.id });
  const page = await request(suite.app).get('/account/api-keys').set('Cookie', `${SESSION_COOKIE}=${live}`).expect(200);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
  const lapsed = await suite.sealToken(police.token, {
    expiresAt: new Date(Date.now() - 60_000),
    userId: police.user.id,
  });
  const answer = await request(suite.app)
    .post('/account/api-keys')
    .set('Cookie', [`${SESSION_COOKIE}=${lapsed}`, ...cookiesSetBy(page)].join('; '))
    .set('Origin', suite.base)
    .type('form')
    .send({ _csrf: csrf, label: 'Nightly export', expiresInDays: '30', currentPassword: TEST_PASSWORD });
  expect(answer.status).toBe(303);
  expect(answer.headers.location).toBe('/sign-in?notice=expired&next=%2Faccount%2Fapi-keys');
  expect(String(answer.headers['set-cookie'] ?? '')).not.toContain('rc_kept');
});
