/**
 * Admin and coordinator tasks in the console, in a real browser against the whole service on real parts (issue 18):
 * users, agencies, identity links, one's own password and API keys, closing or withdrawing a case, and the audit
 * trail by case reference and action in words. Every page and error state is checked with axe-core.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import request from 'supertest';
import { MIN_PASSWORD_LENGTH } from '../../core/passwords';
import { formatCalendarDay } from '../../core/people-dates';
import { MAX_API_KEY_DAYS } from '../../core/token-format';
import { DEMO_AGENCIES, DEMO_AGENCY_LIST } from '../../db/seed';
import { AUDIT_ACTION_LABELS, REFUSED_REQUEST_LABELS } from '../../web/audit-labels';
import { SESSION_COOKIE } from '../../web/session';
import { bearer, createTestUser, createWorker, TEST_PASSWORD, type TestUser } from '../support/auth';
import { expectAccessible } from '../support/axe';
import { consoleStackPerFile, errorSummaryFocused } from '../support/console';
import { eventually } from '../support/eventually';
import { CHROMIUM_PATH } from '../support/install-browser';

const ROOT = join(__dirname, '..', '..');
const suite = consoleStackPerFile({}, { forBrowser: true });
let browser: Browser;

beforeAll(async () => {
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox'] });
});
afterAll(async () => {
  await browser?.close();
});

/**
 * A browser signed in as this user: their session cookie seals the user's API key, as it would a session token (the
 * sign-in page itself is console.e2e.test.ts's, and skipping it keeps this file fast).
 */
async function signIn(who: string | TestUser): Promise<Page> {
  const cookie = typeof who === 'string' ? suite.sessionCookie(who) : await suite.sealToken(who.token);
  // bypassCSP lets the test inject axe-core; the pages themselves run under helmet's CSP.
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
  await context.addCookies([{ name: SESSION_COOKIE, value: cookie, url: suite.base, httpOnly: true }]);
  const page = await context.newPage();
  await page.goto(`${suite.base}/`);
  return page;
}

/** A refused form: its title says so, and the error summary has focus and links to the field named. */
async function expectErrorSummary(page: Page, field: string, words: RegExp): Promise<void> {
  expect(await page.title()).toMatch(/^Error: /);
  const summary = page.getByRole('alert').filter({ hasText: 'There is a problem' });
  expect(await errorSummaryFocused(page)).toBe(true);
  expect(await summary.getByRole('link').first().getAttribute('href')).toBe(`#${field}`);
  expect(await page.locator(`#${field}-error`).textContent()).toMatch(words);
  await expectAccessible(page);
}

/** The error summary's links: where each leads, and what it says. */
const summaryLines = (page: Page) =>
  page
    .getByRole('alert')
    .filter({ hasText: 'There is a problem' })
    .getByRole('link')
    .evaluateAll((links) => links.map((link) => [link.getAttribute('href'), link.textContent?.trim()]));

const usersOf = async (agencyId: string) =>
  (
    await request(suite.app)
      .get('/api/users')
      .query({ agencyId })
      .set(suite.stack.users['demo-system-admin']!.headers)
      .expect(200)
  ).body as { items: { id: string; username: string; disabledAt: string | null }[] };

test('every action the service records has words on the audit page', () => {
  const recorded = new Set<string>();
  const scan = (path: string) => {
    for (const entry of readdirSync(join(ROOT, path), { withFileTypes: true })) {
      const file = join(path, entry.name);
      if (entry.isDirectory()) scan(file);
      else if (file.endsWith('.ts'))
        for (const match of readFileSync(join(ROOT, file), 'utf8').matchAll(/\b(?:audit|action): '([a-z_.]+)'/g))
          recorded.add(match[1]!);
    }
  };
  for (const folder of ['api', 'app', 'db', 'domain', 'activities', 'workflows', 'temporal']) scan(folder);
  for (const file of ['admin.ts', 'service.ts']) {
    for (const match of readFileSync(join(ROOT, file), 'utf8').matchAll(/\baction: '([a-z_.]+)'/g))
      recorded.add(match[1]!);
  }
  expect(recorded.size).toBeGreaterThan(15);
  expect([...recorded].filter((action) => !AUDIT_ACTION_LABELS[action])).toEqual([]);
});

test('every route recorded by its method and path when refused has words on the audit page', () => {
  // A route with no `audit:` name of its own is recorded, when refused, as "METHOD /path" (api/route.ts).
  const unnamed: string[] = [];
  for (const file of readdirSync(join(ROOT, 'api', 'routes'))) {
    const source = readFileSync(join(ROOT, 'api', 'routes', file), 'utf8');
    for (const [, spec] of source.matchAll(/route\(\{([\s\S]*?)\bhandle\b/g)) {
      const [, method] = /method: '(\w+)'/.exec(spec!) ?? [];
      const [, path] = /path: '([^']+)'/.exec(spec!) ?? [];
      if (method && path && !/\baudit: /.test(spec!)) unnamed.push(`${method.toUpperCase()} ${path}`);
    }
  }
  expect(unnamed.length).toBeGreaterThan(15);
  expect(unnamed.filter((action) => !REFUSED_REQUEST_LABELS[action])).toEqual([]);
});

test('an admin adds a user to their agency, links an identity, and disables the user', async () => {
  const page = await signIn('demo-admin');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
  expect(await page.locator('h1').textContent()).toBe('Users');
  expect(await page.getByRole('row').filter({ hasText: 'demo-coordinator' }).count()).toBe(1);
  // An agency's admin sees their own agency's users only, and no agency filter.
  expect(await page.getByRole('row').filter({ hasText: 'demo-police-officer' }).count()).toBe(0);
  expect(await page.getByLabel('Agency').count()).toBe(0);
  // Admins are a system administrator's to manage: no page for them, and the admin's own row leads to their account.
  const linksOf = async (username: string) =>
    page
      .getByRole('row')
      .filter({ hasText: username })
      .getByRole('link')
      .evaluateAll((links) => links.map((link) => link.getAttribute('href')));
  expect(await linksOf('demo-coordinator')).toEqual([expect.stringMatching(/^\/users\/[0-9a-f-]{36}$/)]);
  expect(await linksOf('demo-admin')).toEqual(['/account']);
  await expectAccessible(page);

  await page.getByRole('link', { name: 'Add a user' }).click();
  // The task force is a coordinator agency, and appointing admins is the system administrator's.
  expect(await page.getByLabel('Coordinator').count()).toBe(1);
  expect(await page.getByLabel('Agency officer').count()).toBe(0);
  expect(await page.getByLabel('Admin', { exact: true }).count()).toBe(0);
  await expectAccessible(page);
  // Sent empty: the summary lists what to do in the form's order (Full name above Username), each in words.
  await page.getByRole('button', { name: 'Add the user' }).click();
  await expectErrorSummary(page, 'displayName', /^Enter their full name$/);
  expect(await summaryLines(page)).toEqual([
    ['#displayName', 'Full name: Enter their full name'],
    ['#username', 'Username: Enter a username'],
    ['#roles', 'Roles: Choose at least one role'],
  ]);
  // Each link takes the focus to what it names, the roles' group too.
  await page.locator('.alert a[href="#roles"]').click();
  expect(await page.evaluate(() => document.activeElement?.id)).toBe('roles');
  await page.getByLabel('Full name').fill('Casey Newcomer');
  await page.getByLabel('Username').fill('X');
  await page.getByRole('button', { name: 'Add the user' }).click();
  await expectErrorSummary(page, 'username', /username/);
  // In words, not the API's: what a username is, and to choose a role.
  expect(await page.locator('#username-error').textContent()).toContain('A username is 3 to 64 lower-case letters');
  expect(await page.locator('#roles-error').textContent()).toBe('Choose at least one role');
  expect(await page.getByLabel('Full name').inputValue()).toBe('Casey Newcomer');

  await page.getByLabel('Username').fill('casey.newcomer');
  await page.getByLabel('Coordinator').check();
  await page.getByLabel('Temporary password (optional)').fill('violet tractor moonlight 42');
  await page.getByRole('button', { name: 'Add the user' }).click();
  await page.waitForURL((url) => url.searchParams.get('notice') === 'created');
  expect(await page.locator('h1').textContent()).toBe('Casey Newcomer');
  expect(await page.getByRole('status').textContent()).toContain('The user was added');
  await expectAccessible(page);

  // A subject left empty is asked for in words, as adding a user asks for what is missing.
  await page.getByLabel('Issuer').fill('https://login.task-force.example/');
  await page.getByRole('button', { name: 'Link the identity' }).click();
  await expectErrorSummary(page, 'subject', /^Enter the subject$/);
  expect(await summaryLines(page)).toEqual([['#subject', 'Subject: Enter the subject']]);
  expect(await page.getByLabel('Issuer').inputValue()).toBe('https://login.task-force.example/');
  await page.getByLabel('Subject').fill('casey-4711');
  await page.getByRole('button', { name: 'Link the identity' }).click();
  await page.waitForURL((url) => url.searchParams.get('notice') === 'linked');
  expect(await page.getByRole('table', { name: /^Identities linked/ }).textContent()).toContain('casey-4711');

  // Roles: none is refused by the API next to the roles; a supervisor's added is held at once.
  await page.getByLabel('Coordinator').uncheck();
  await page.getByRole('button', { name: 'Change the roles' }).click();
  await expectErrorSummary(page, 'roles', /^Choose at least one role$/);
  expect(await summaryLines(page)).toEqual([['#roles', 'Roles: Choose at least one role']]);
  expect(await page.getByLabel('Coordinator').isChecked()).toBe(false);
  await page.getByLabel('Coordinator').check();
  await page.getByLabel('Supervisor').check();
  await page.getByRole('button', { name: 'Change the roles' }).click();
  await page.waitForURL((url) => url.searchParams.get('notice') === 'roles-changed');
  expect(await page.locator('dl.facts').textContent()).toContain('Coordinator, Supervisor');
  // Roles grant access as adding a user does, so the agency's own address is told (without the person's name).
  const notice = await eventually(
    () => suite.stack.mail.messages().find((message) => message.subject.startsWith('The roles of a user of')),
    'the roles notice',
  );
  expect(notice).toMatchObject({ to: ['coordinator@taskforce.example.org'] });
  expect(notice.text).toContain(
    'casey.newcomer of your agency, Demo Anti-Trafficking Task Force (fictitious), were changed from coordinator to',
  );
  // When, as the agency's clock reads it: no ISO instant.
  expect(notice.text).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:/);
  expect(notice.text).not.toContain('Casey Newcomer');

  await page.getByRole('button', { name: 'Disable the user' }).click();
  await expectErrorSummary(page, 'confirm', /Tick the box/);
  expect((await usersOf('demo-task-force')).items.find((u) => u.username === 'casey.newcomer')?.disabledAt).toBeNull();
  await page.getByLabel('Yes, disable Casey Newcomer').check();
  await page.getByRole('button', { name: 'Disable the user' }).click();
  await page.waitForURL((url) => url.searchParams.get('notice') === 'disabled');
  expect(await page.locator('dl.facts').textContent()).toContain('Disabled');
  // The person moved on: their identity is unlinked from the disabled user, to be linked to their new one elsewhere.
  await page
    .getByRole('button', { name: 'Unlink the identity casey-4711 at https://login.task-force.example/' })
    .click();
  await page.waitForURL((url) => url.searchParams.get('notice') === 'unlinked');
  expect(await page.getByRole('status').textContent()).toContain('The identity was unlinked');
  expect(await page.getByText('No identity is linked.').count()).toBe(1);
  await expectAccessible(page);
  expect(
    (await usersOf('demo-task-force')).items.find((u) => u.username === 'casey.newcomer')?.disabledAt,
  ).not.toBeNull();

  await page.goto(`${suite.base}/users`);
  const row = page.getByRole('row').filter({ hasText: 'casey.newcomer' });
  expect(await row.textContent()).toContain('Disabled');
  await page.screenshot({ path: join(ROOT, 'docs/screenshots/users.png'), fullPage: true });
  await page.context().close();
});

test('an admin sets a new temporary password for a user who forgot theirs, and enables a disabled user again', async () => {
  // Made directly, with the tests' cheap password hashing; their API key stands for the sessions they had.
  const forgetful = await createTestUser(suite.stack.pool, {
    username: 'robin.forgetful',
    displayName: 'Robin Forgetful',
    agencyId: DEMO_AGENCIES.coordinator,
    roles: ['supervisor'],
    password: TEST_PASSWORD,
  });
  const signInOverApi = (password: string) =>
    request(suite.app).post('/api/auth/sign-in').send({ username: 'robin.forgetful', password });
  // Their calendar feed: a new password revokes it too, and the admin is told so before and after (probe H6).
  const made = await request(suite.app)
    .post('/api/me/calendar-feeds')
    .set(forgetful.headers)
    .send({ label: 'Outlook', currentPassword: TEST_PASSWORD })
    .expect(201);
  const feed = new URL((made.body as { url: string }).url).pathname;
  await request(suite.app).get(feed).expect(200);
  const page = await signIn('demo-admin');
  await page.goto(`${suite.base}/users/${forgetful.user.id}`);
  expect(await page.getByRole('heading', { name: 'Enable this user' }).count()).toBe(0);
  expect(await page.getByRole('region', { name: 'Set a new temporary password' }).textContent()).toContain(
    'Their sessions, API keys and calendar feeds stop working at once',
  );
  // Sent unconfirmed: nothing changes, and the box is named.
  await page.getByRole('button', { name: 'Set a new temporary password' }).click();
  await expectErrorSummary(page, 'confirmReset', /Tick the box/);
  await request(suite.app).get('/api/me').set(forgetful.headers).expect(200);

  await page.getByLabel('Yes, end Robin Forgetful’s sessions and set a new password').check();
  await page.getByRole('button', { name: 'Set a new temporary password' }).click();
  expect(await page.locator('h1').textContent()).toBe('A new temporary password for Robin Forgetful');
  const status = await page.getByRole('status').textContent();
  expect(status).toContain('shown only this once');
  expect(status).toContain('in person or by phone, never by email');
  const temporary = await page.getByLabel('Temporary password').inputValue();
  expect(temporary).toHaveLength(24);
  await expectAccessible(page);
  await request(suite.app).get('/api/me').set(forgetful.headers).expect(401);
  await request(suite.app).get(feed).expect(404);
  expect(await page.locator('main').textContent()).toContain(
    'Their sessions, API keys and calendar feeds stopped working',
  );
  await signInOverApi(TEST_PASSWORD).expect(401);
  await signInOverApi(temporary).expect(201);
  // Shown once: the user's page does not show it again.
  await page.getByRole('link', { name: 'Back to Robin Forgetful' }).click();
  expect(await page.content()).not.toContain(temporary);

  // Disabling says what ends (the feeds too, and the identity provider's sign-in) and that it can be undone; enabling
  // gives yet another password, never the one before.
  const disabling = await page.getByRole('region', { name: 'Disable this user' }).textContent();
  expect(disabling).toContain('Their sessions, API keys and calendar feeds stop working at once');
  expect(disabling).toContain('with a password or their agency’s identity provider');
  expect(disabling).toContain('This can be undone here');
  await page.getByLabel('Yes, disable Robin Forgetful').check();
  await page.getByRole('button', { name: 'Disable the user' }).click();
  await page.waitForURL((url) => url.searchParams.get('notice') === 'disabled');
  expect(await page.getByRole('status').textContent()).toContain(
    'their sessions, API keys and calendar feeds stopped working at once',
  );
  expect(await page.getByRole('button', { name: 'Set a new temporary password' }).count()).toBe(0);
  await expectAccessible(page);
  await page.getByRole('button', { name: 'Enable the user' }).click();
  expect(await page.locator('h1').textContent()).toBe('Robin Forgetful is enabled again');
  expect(await page.getByRole('status').textContent()).toContain('in person or by phone, never by email');
  const again = await page.getByLabel('Temporary password').inputValue();
  expect(again).not.toBe(temporary);
  await expectAccessible(page);
  await signInOverApi(temporary).expect(401);
  await signInOverApi(again).expect(201);
  await page.getByRole('link', { name: 'Back to Robin Forgetful' }).click();
  expect(await page.locator('dl.facts').textContent()).toContain('Active');

  // Audited as the admin's, in words on the audit page.
  const { rows } = await suite.stack.pool.query<{ action: string; user_id: string }>(
    `SELECT action, user_id FROM audit_events WHERE action IN ('user.reset_password', 'user.enable') ORDER BY id`,
  );
  const adminId = suite.stack.users['demo-admin']!.user.id;
  expect(rows).toEqual([
    { action: 'user.reset_password', user_id: adminId },
    { action: 'user.enable', user_id: adminId },
  ]);
  await page.context().close();
});

test('the users page lists one page at a time, with a next page, as the other lists', async () => {
  // It showed every user at once (GET /api/users answered them all): a large agency's page grew without end.
  const page = await signIn('demo-system-admin');
  const namesShown = () => page.locator('tbody th[scope="row"]').allTextContents();
  await page.goto(`${suite.base}/users?limit=2`);
  const first = await namesShown();
  expect(first).toHaveLength(2);
  expect(await page.getByRole('table').locator('caption').textContent()).toMatch(/^2 users on this page/);
  await page.getByRole('link', { name: 'Next page' }).click();
  await page.waitForURL((url) => url.searchParams.has('cursor') && url.searchParams.get('limit') === '2');
  const second = await namesShown();
  expect(second).toHaveLength(2);
  expect(second.filter((name) => first.includes(name))).toEqual([]);
  await expectAccessible(page);
  await page.getByRole('link', { name: 'First page' }).click();
  expect(await namesShown()).toEqual(first);

  // An agency's admin pages through their own agency's users the same way.
  const admin = await signIn('demo-admin');
  await admin.goto(`${suite.base}/users?limit=1`);
  expect(await admin.locator('tbody tr').count()).toBe(1);
  expect(await admin.getByRole('link', { name: 'Next page' }).count()).toBe(1);

  // A page link made for other filters is refused in words, linking to the first page.
  const next = await page
    .goto(`${suite.base}/users?limit=2`)
    .then(() => page.getByRole('link', { name: 'Next page' }).getAttribute('href'));
  const stale = new URL(next!, suite.base);
  stale.searchParams.set('agencyId', DEMO_AGENCIES.law_enforcement);
  expect((await page.goto(stale.toString()))?.status()).toBe(400);
  expect(await summaryLines(page)).toEqual([
    [`/users?agencyId=${DEMO_AGENCIES.law_enforcement}&limit=2`, expect.stringMatching(/^Next page: /)],
  ]);
});

test('a list of one page has no "Pages" navigation, an empty landmark screen readers would list; a longer one has it', async () => {
  const pages = (page: Page) => page.getByRole('navigation', { name: 'Pages' });
  const admin = await signIn('demo-system-admin');
  await admin.goto(`${suite.base}/users`);
  expect(await pages(admin).count()).toBe(0);
  await admin.goto(`${suite.base}/users?limit=2`);
  expect(await pages(admin).getByRole('link').allTextContents()).toEqual(['Next page']);
  const supervisor = await signIn('demo-supervisor');
  const nobody = suite.stack.users['demo-hhs-officer']!.user.id;
  for (const list of [
    '/cases?status=withdrawn',
    '/steps?status=overdue',
    `/audit?userId=${nobody}&action=user.enable`,
  ]) {
    await supervisor.goto(`${suite.base}${list}`);
    expect([list, await pages(supervisor).count()]).toEqual([list, 0]);
  }
  await admin.context().close();
  await supervisor.context().close();
});

test('a system administrator filters users by agency and changes an agency; others are not offered either', async () => {
  const page = await signIn('demo-system-admin');
  await page.goto(`${suite.base}/users`);
  const police = DEMO_AGENCY_LIST.find((agency) => agency.id === DEMO_AGENCIES.law_enforcement)!;
  await page.getByLabel('Agency').selectOption({ label: police.name });
  await page.getByRole('button', { name: 'Show' }).click();
  await page.waitForURL((url) => url.searchParams.get('agencyId') === DEMO_AGENCIES.law_enforcement);
  expect(await page.getByRole('row').filter({ hasText: 'demo-police-officer' }).count()).toBe(1);
  expect(await page.getByRole('row').filter({ hasText: 'demo-coordinator' }).count()).toBe(0);

  // Adding a user there offers that agency's roles, admin included for a system administrator.
  await page.getByRole('link', { name: 'Add a user' }).click();
  expect(await page.getByLabel('Agency officer').count()).toBe(1);
  expect(await page.getByLabel('Admin', { exact: true }).count()).toBe(1);
  expect(await page.getByLabel('Coordinator').count()).toBe(0);
  await page.getByRole('link', { name: 'choose another' }).click();
  expect(await page.getByLabel('Agency of the new user').count()).toBe(1);
  await expectAccessible(page);

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Agencies' }).click();
  await expectAccessible(page);
  await page.getByRole('link', { name: police.name }).click();
  await page.getByLabel('Notification address (optional)').fill('not an address');
  await page.getByLabel('Time zone (optional)').fill('America/Chicago');
  await page.getByRole('button', { name: 'Save the agency' }).click();
  await expectErrorSummary(page, 'email', /./);
  await page.getByLabel('Name').fill('Demo City Police Service (fictitious)');
  await page.getByLabel('Notification address (optional)').fill('cases@police.example');
  await page.getByRole('button', { name: 'Save the agency' }).click();
  await page.waitForURL((url) => url.searchParams.get('notice') === 'saved-address-changed');
  // The address changed from the police's own: the API told the old and the new one, and the notice says so.
  expect(await page.getByRole('status').textContent()).toBe(
    'The agency was saved. The change of its notification address was told to the old address and the new one.',
  );
  const row = page.getByRole('row').filter({ hasText: 'Demo City Police Service (fictitious)' });
  expect(await row.textContent()).toMatch(/cases@police\.example\s+America\/Chicago/);
  await expectAccessible(page);
  const saved = (
    (await request(suite.app).get('/api/agencies').set(suite.stack.as('coordinator'))).body as {
      items: { id: string; email: string | null; timeZone: string | null }[];
    }
  ).items.find((agency) => agency.id === DEMO_AGENCIES.law_enforcement);
  expect(saved).toMatchObject({ email: 'cases@police.example', timeZone: 'America/Chicago' });

  // A new agency has no old address: saved without one, the notice says only that; with one, that it was told so.
  const register = async (id: string, name: string, email: string) => {
    await page.getByRole('link', { name: 'Register an agency' }).click();
    await page.getByLabel('Agency code').fill(id);
    await page.getByLabel('Kind').selectOption('advocate');
    await page.getByLabel('Name').fill(name);
    await page.getByLabel('Notification address (optional)').fill(email);
    await page.getByRole('button', { name: 'Save the agency' }).click();
    await page.waitForURL((url) => url.searchParams.has('notice'));
    return {
      notice: new URL(page.url()).searchParams.get('notice'),
      said: await page.getByRole('status').textContent(),
    };
  };
  expect(await register('demo-quiet-advocates', 'Demo Quiet Advocates (fictitious)', '')).toEqual({
    notice: 'saved',
    said: 'The agency was saved.',
  });
  expect(
    await register('demo-new-advocates', 'Demo New Advocates (fictitious)', 'intake@new-advocates.example'),
  ).toEqual({
    notice: 'saved-address-set',
    said: 'The agency was saved. Its notification address was told it now receives the agency’s emails.',
  });
  const told = await eventually(
    () => suite.stack.mail.messages().find((message) => message.to.includes('intake@new-advocates.example')),
    'the new address told',
  );
  expect(told.subject).toBe('The notification address of Demo New Advocates (fictitious) was set');
  await page.context().close();

  const officer = await signIn('demo-police-officer');
  const menu = officer.getByRole('navigation', { name: 'Main' });
  expect(await menu.getByRole('link', { name: 'Users' }).count()).toBe(0);
  expect(await menu.getByRole('link', { name: 'Agencies' }).count()).toBe(0);
  expect((await officer.goto(`${suite.base}/users`))?.status()).toBe(403);
  expect((await officer.goto(`${suite.base}/agencies`))?.status()).toBe(403);
  await officer.context().close();
});

test('a user changes their password, and creates an API key shown once and revokes it', async () => {
  // Made directly, with the tests' cheap password hashing: the API's own is slow on purpose.
  const advocate = await createWorker(suite.stack.pool, DEMO_AGENCIES.advocate, 'advocate');
  // A calendar feed of theirs, subscribed to before the change: the change revokes it, as it does their API keys.
  const feed = (
    await request(suite.app)
      .post('/api/me/calendar-feeds')
      .set(advocate.headers)
      .send({ label: 'Outlook', currentPassword: TEST_PASSWORD })
      .expect(201)
  ).body as { url: string };
  const feedPath = new URL(feed.url).pathname;
  await request(suite.app).get(feedPath).expect(200);
  const page = await signIn(advocate);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Your account' }).click();
  await expectAccessible(page);
  expect(await page.getByRole('region', { name: 'Change your password' }).textContent()).toContain(
    'Changing it signs out your other sessions and revokes your API keys and calendar feeds (make anew those you still use); this one stays signed in.',
  );
  await page.getByLabel('Current password').fill('not my password');
  await page.getByLabel('New password').fill('amber lighthouse quietly 7');
  await page.getByRole('button', { name: 'Change your password' }).click();
  await expectErrorSummary(page, 'currentPassword', /^Your current password is wrong$/);
  await page.getByLabel('Current password').fill(TEST_PASSWORD);
  await page.getByLabel('New password').fill('amber lighthouse quietly 7');
  await page.getByRole('button', { name: 'Change your password' }).click();
  await page.waitForURL((url) => url.searchParams.get('notice') === 'password-changed');
  expect(await page.getByRole('status').textContent()).toContain(
    'Your password was changed. Your other sessions were signed out, and your API keys and calendar feeds revoked: make anew those you still use.',
  );
  await request(suite.app).get(feedPath).expect(404);
  await page.getByRole('link', { name: 'Your API keys' }).click();
  await expectAccessible(page);
  await page.getByLabel('Name of the key').fill('Nightly export');
  await page.getByLabel('Your password').fill('amber lighthouse quietly 7');
  await page.getByLabel('Valid for (days)').fill('400');
  await page.getByRole('button', { name: 'Create the key' }).click();
  await expectErrorSummary(page, 'expiresInDays', /./);
  expect(await page.getByLabel('Name of the key').inputValue()).toBe('Nightly export');

  await page.getByLabel('Valid for (days)').fill('30');
  await page.getByLabel('Your password').fill('amber lighthouse quietly 7');
  // The new password is the one that works now.
  await page.getByRole('button', { name: 'Create the key' }).click();
  const token = await page.getByLabel('The key', { exact: true }).inputValue();
  expect(token).toMatch(/^rc_[a-z0-9]{16}_/);
  expect(await page.getByRole('status').textContent()).toContain('shown only this once');
  await expectAccessible(page);
  await request(suite.app).get('/api/me').set(bearer(token)).expect(200);

  // Shown once: the list has the key, never its secret.
  await page.goto(`${suite.base}/account/api-keys`);
  expect(await page.content()).not.toContain(token);
  const row = page.getByRole('row').filter({ hasText: 'Nightly export' });
  expect(await row.textContent()).toContain('Active');
  await row.getByRole('button', { name: /Revoke/ }).click();
  await page.waitForURL((url) => url.searchParams.get('notice') === 'key-revoked');
  expect(await page.getByRole('row').filter({ hasText: 'Nightly export' }).textContent()).toContain('Revoked');
  await request(suite.app).get('/api/me').set(bearer(token)).expect(401);
  await page.context().close();
});

test('an admin sees the API keys of a user they administer, in words, and revokes one after confirming', async () => {
  const keyholder = await createTestUser(suite.stack.pool, {
    username: 'jordan.keyholder',
    displayName: 'Jordan Keyholder',
    agencyId: DEMO_AGENCIES.coordinator,
    roles: ['coordinator'],
    password: TEST_PASSWORD,
  });
  // Their own key for a script, made as anyone makes one; the key the tests gave them ("test") is used here, so it
  // has been used once.
  const made = (
    await request(suite.app)
      .post('/api/tokens')
      .set(keyholder.headers)
      .send({ label: 'Nightly export', expiresInDays: 30, currentPassword: TEST_PASSWORD })
      .expect(201)
  ).body as { id: string; token: string };

  const page = await signIn('demo-admin');
  await page.goto(`${suite.base}/users`);
  await page.getByRole('row').filter({ hasText: 'jordan.keyholder' }).getByRole('link').click();
  expect(await page.locator('h1').textContent()).toBe('Jordan Keyholder');
  const keys = page.getByRole('table', { name: 'API keys of Jordan Keyholder' });
  const exportRow = keys.getByRole('row').filter({ hasText: 'Nightly export' });
  /** A row's cells by their column's name. */
  const cells = async (row: typeof exportRow): Promise<Record<string, string>> =>
    Object.fromEntries(
      await row
        .locator('th, td')
        .evaluateAll((all) => all.map((c) => [c.getAttribute('data-label') ?? '', c.textContent?.trim() ?? ''])),
    );
  const shown = await cells(exportRow);
  expect(shown).toMatchObject({ Name: 'Nightly export', 'Last used': 'Never', Status: 'Active' });
  // Dates as the console says them elsewhere: a day in words, never an instant; no key id, no secret.
  for (const when of [shown.Created, shown.Expires]) expect(when).toMatch(/^\d{1,2} [A-Z][a-z]{2} \d{4}$/);
  const used = await cells(keys.getByRole('row').filter({ hasText: 'test' }));
  expect(used.Status).toBe('Active');
  expect(used['Last used']).toMatch(/^\d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d /);
  // Their calendar feeds too, by name, never their addresses.
  const feed = (
    await request(suite.app)
      .post('/api/me/calendar-feeds')
      .set(keyholder.headers)
      .send({ label: 'Team wall calendar', currentPassword: TEST_PASSWORD })
      .expect(201)
  ).body as { url: string };
  await page.reload();
  const feeds = page.getByRole('table', { name: 'Calendar feeds of Jordan Keyholder' });
  expect(await cells(feeds.getByRole('row').filter({ hasText: 'Team wall calendar' }))).toMatchObject({
    Name: 'Team wall calendar',
    'Last fetched': 'Never',
    Status: 'Active',
  });
  expect(await page.content()).not.toContain(new URL(feed.url).pathname);
  const text = (await keys.textContent()) ?? '';
  expect(text).not.toMatch(/\d{4}-\d\d-\d\dT/);
  expect(text).not.toContain(made.id);
  expect(await page.content()).not.toContain(made.token);
  await expectAccessible(page);

  // Revoke asks first, naming the key and whose it is; Cancel leaves it working.
  await exportRow.getByRole('link', { name: 'Revoke the key Nightly export' }).click();
  expect(await page.locator('h1').textContent()).toBe('Revoke the API key “Nightly export”');
  expect(await page.locator('dl.facts').textContent()).toContain('Jordan Keyholder (jordan.keyholder)');
  await expectAccessible(page);
  await page.getByRole('link', { name: 'Cancel' }).click();
  expect(await cells(exportRow)).toMatchObject({ Status: 'Active' });
  await request(suite.app).get('/api/me').set(bearer(made.token)).expect(200);

  await exportRow.getByRole('link', { name: 'Revoke the key Nightly export' }).click();
  await page.getByRole('button', { name: 'Revoke the key' }).click();
  await page.waitForURL((url) => url.searchParams.get('notice') === 'key-revoked');
  expect(await page.getByRole('status').textContent()).toContain('The API key was revoked');
  expect((await cells(exportRow)).Status).toMatch(/^Revoked \d{1,2} [A-Z][a-z]{2} \d{4}$/);
  expect(await exportRow.getByRole('link').count()).toBe(0);
  await expectAccessible(page);
  // That key stops, their other one works still; the trail says the admin revoked whose key.
  await request(suite.app).get('/api/me').set(bearer(made.token)).expect(401);
  await request(suite.app).get('/api/me').set(keyholder.headers).expect(200);
  const { rows } = await suite.stack.pool.query<{ user_id: string; detail: string }>(
    `SELECT user_id, detail FROM audit_events WHERE action = 'token.revoke' AND detail LIKE $1`,
    [`token ${made.id};%`],
  );
  expect(rows).toEqual([
    {
      user_id: suite.stack.users['demo-admin']!.user.id,
      detail: `token ${made.id}; user ${keyholder.user.id}; username jordan.keyholder`,
    },
  ]);

  // A fellow admin is a system administrator's to manage: no keys on their page, no revoking page for theirs.
  const fellow = await createTestUser(suite.stack.pool, {
    username: 'kim.fellow-admin',
    agencyId: DEMO_AGENCIES.coordinator,
    roles: ['admin'],
  });
  const fellowKey = (
    (await request(suite.app).get('/api/tokens').set(fellow.headers).expect(200)).body as { items: { id: string }[] }
  ).items[0]!.id;
  await page.goto(`${suite.base}/users/${fellow.user.id}`);
  expect(await page.getByRole('heading', { name: 'API keys' }).count()).toBe(0);
  expect((await page.goto(`${suite.base}/users/${fellow.user.id}/api-keys/${fellowKey}/revoke`))?.status()).toBe(404);
  await request(suite.app).get('/api/me').set(fellow.headers).expect(200);
  await page.context().close();
});

/** Sends the page's form with this button and waits for the page it answers with. */
async function send(page: Page, button: string): Promise<void> {
  const answered = page.waitForEvent('domcontentloaded');
  await page.getByRole('button', { name: button }).click();
  await answered;
}

/** The messages by the fields of the page, by the id of their element. */
const fieldErrors = (page: Page) =>
  page
    .locator('.field-error')
    .evaluateAll((messages) => Object.fromEntries(messages.map((message) => [message.id, message.textContent])));

test('the account, API-key, agency and report forms say by each field what to do, in words', async () => {
  const page = await signIn('demo-system-admin');
  await page.goto(`${suite.base}/account`);
  await page.getByLabel('New password').fill('too short');
  await send(page, 'Change your password');
  await expectErrorSummary(page, 'currentPassword', /^Enter your current password$/);
  expect(await fieldErrors(page)).toEqual({
    'currentPassword-error': 'Enter your current password',
    'newPassword-error': `Your new password must be ${MIN_PASSWORD_LENGTH} characters or more`,
  });

  await page.goto(`${suite.base}/account/api-keys`);
  await page.getByLabel('Valid for (days)').fill('400');
  await send(page, 'Create the key');
  const days = `Enter a whole number of days from 1 to ${MAX_API_KEY_DAYS}`;
  expect(await fieldErrors(page)).toEqual({
    'label-error': 'Enter the name of the key',
    'expiresInDays-error': days,
    'currentPassword-error': 'Enter your password',
  });
  await page.getByLabel('Name of the key').fill('Nightly export');
  await page.getByLabel('Valid for (days)').fill('0');
  await send(page, 'Create the key');
  expect(await fieldErrors(page)).toEqual({
    'expiresInDays-error': days,
    'currentPassword-error': 'Enter your password',
  });

  await page.goto(`${suite.base}/agencies/new`);
  await page.getByLabel('Agency code').fill('city police');
  await page.getByLabel('Notification address (optional)').fill('not an address');
  await page.getByLabel('Time zone (optional)').fill('Chicago');
  await send(page, 'Save the agency');
  await expectErrorSummary(page, 'id', /^An agency code is /);
  expect(await fieldErrors(page)).toEqual({
    'id-error':
      'An agency code is up to 100 letters, digits and dashes, starting with a letter or digit, e.g. city-police',
    'name-error': 'Enter the agency’s name',
    'email-error': 'Enter the notification address as an email address, e.g. cases@agency.example, or leave it empty',
    'timeZone-error':
      'Enter the time zone as region and city, e.g. America/Chicago or America/Los_Angeles (or UTC), or leave it empty',
  });
  await page.context().close();

  // The report's period: a last day before the first, a day that is none.
  const supervisor = await signIn('demo-supervisor');
  await supervisor.goto(`${suite.base}/reports?from=2026-03-10&to=2026-03-01`);
  expect(await fieldErrors(supervisor)).toEqual({ 'to-error': 'The last day must be on or after the first day' });
  await supervisor.goto(`${suite.base}/reports?from=2026-02-31&to=2026-03-01`);
  expect(await fieldErrors(supervisor)).toEqual({
    'from-error': `Enter a real date between ${formatCalendarDay('1900-01-01')} and ${formatCalendarDay('2199-12-31')}`,
  });
  await supervisor.context().close();
});

/** A case the police open with this reference, identified three days ago; its id. */
async function openCase(reference: string, name: string): Promise<string> {
  const opened = await request(suite.app)
    .post('/api/cases')
    .set(suite.stack.as('law_enforcement'))
    .set('Idempotency-Key', `admin-pages-${reference}`)
    .send({
      reference,
      // Days back: "today" in UTC may be tomorrow in the police agency's time zone.
      identifiedOn: new Date(Date.now() - 3 * 24 * 3600 * 1000).toISOString().slice(0, 10),
      survivor: { name, birthDate: '1991-05-06' },
      agencies: DEMO_AGENCIES,
    })
    .expect(201);
  return (opened.body as { caseId: string }).caseId;
}

test('the coordinator withdraws a case with a reason; the audit trail finds it by reference and action', async () => {
  const reference = `ADM-${Date.now().toString(36).toUpperCase()}`;
  const caseId = await openCase(reference, 'Withdrawn Example-Fictitious');

  const officer = await signIn('demo-police-officer');
  await officer.goto(`${suite.base}/cases/${caseId}`);
  expect(await officer.getByRole('link', { name: 'Close or withdraw this case' }).count()).toBe(0);
  await officer.context().close();

  const page = await signIn('demo-coordinator');
  await page.goto(`${suite.base}/cases/${caseId}`);
  await page.getByRole('link', { name: 'Close or withdraw this case' }).click();
  await expectAccessible(page);
  await page.getByLabel('Withdraw the case').check();
  await page.getByLabel('Reason').selectOption({ label: 'The survivor withdrew their consent' });
  await page.getByRole('button', { name: 'End the case' }).click();
  await expectErrorSummary(page, 'confirm', /Tick the box/);
  expect(await page.getByLabel('Withdraw the case').isChecked()).toBe(true);
  await page.getByLabel(/^I understand/).check();
  await page.getByRole('button', { name: 'End the case' }).click();
  await page.waitForURL((url) => url.pathname === `/cases/${caseId}` && url.searchParams.get('notice') === 'closed');
  expect(await page.getByRole('status').textContent()).toContain('The case has ended');
  expect(await page.locator('dl.facts').first().textContent()).toContain('Withdrawn');
  expect(await page.getByRole('link', { name: 'Close or withdraw this case' }).count()).toBe(0);
  const view = await request(suite.app).get(`/api/cases/${caseId}`).set(suite.stack.as('coordinator')).expect(200);
  expect((view.body as { status: string }).status).toBe('withdrawn');
  await page.context().close();

  // The supervisor finds it by the reference and the action's words; the case links to its page.
  const supervisor = await signIn('demo-supervisor');
  await supervisor.goto(`${suite.base}/audit`);
  await supervisor.getByLabel('Case reference').fill(reference);
  await supervisor.getByLabel('Action').selectOption({ label: 'Closed or withdrew a case' });
  await supervisor.getByRole('button', { name: 'Apply filters' }).click();
  await supervisor.waitForURL((url) => url.searchParams.get('caseReference') === reference);
  // Two rows: the API's, and the workflow's when it applied the close.
  const rows = supervisor.getByRole('row').filter({ hasText: 'Closed or withdrew a case' });
  expect(await rows.count()).toBe(2);
  for (const row of await rows.all()) {
    expect(await row.textContent()).toContain('Allowed');
    expect(await row.getByRole('link', { name: reference }).getAttribute('href')).toBe(`/cases/${caseId}`);
  }
  await expectAccessible(supervisor);
  const refused = await supervisor.goto(`${suite.base}/audit?caseReference=${encodeURIComponent('no such ref!')}`);
  expect(refused?.status()).toBe(400);
  expect(await supervisor.locator('#caseReference-error').textContent()).toBeTruthy();
  await expectAccessible(supervisor);
  await supervisor.context().close();

  // Outcomes in words: the police officer's refused look at the users above, for the system administrator (an
  // agency's admin reads its own users' rows only), who reads no cases.
  const admin = await signIn('demo-system-admin');
  await admin.goto(`${suite.base}/audit?outcome=denied&agencyId=${DEMO_AGENCIES.law_enforcement}`);
  const denied = admin.getByRole('row').filter({ hasText: 'Listed users' });
  expect(await denied.first().textContent()).toContain('Refused: not permitted');
  await admin.goto(`${suite.base}/audit?caseReference=${reference}`);
  // The administrator reads the trail but not the cases it names: the reference, not a link to a page refused to them.
  const opening = admin.getByRole('row').filter({ hasText: 'Opened a case' }).first();
  expect(await opening.textContent()).toContain(reference);
  expect(await opening.getByRole('link', { name: reference }).count()).toBe(0);
  await admin.context().close();
});

test('the audit trail says each row’s detail in words: the workflow’s rows, a refusal’s reason, a report’s period', async () => {
  const reference = `AUD-${Date.now().toString(36).toUpperCase()}`;
  const caseId = await openCase(reference, 'Audit Words (fictitious)');
  const requestedOn = new Date(Date.now() - 2 * 24 * 3600 * 1000).toISOString().slice(0, 10);
  // Signed, then signed again from a second window: refused, the step being signed already.
  for (const [key, status] of [
    ['first', 200],
    ['second', 409],
  ] as const)
    await request(suite.app)
      .post(`/api/cases/${caseId}/steps/cp_request-1/sign-off`)
      .set(suite.stack.as('law_enforcement'))
      .set('Idempotency-Key', `admin-pages-${reference}-${key}`)
      .send({ outcome: 'requested', details: { requestedOn } })
      .expect(status);
  const today = new Date().toISOString().slice(0, 10);
  await request(suite.app)
    .get('/api/reports/compliance')
    .query({ from: requestedOn, to: today, format: 'json' })
    .set(suite.stack.users['demo-supervisor']!.headers)
    .expect(200);

  const supervisor = await signIn('demo-supervisor');
  await supervisor.goto(`${suite.base}/audit?caseReference=${reference}&action=step.sign_off`);
  const rows = supervisor.getByRole('row').filter({ hasText: 'Signed off a step' });
  const texts = await rows.allInnerTexts();
  expect(texts).toHaveLength(3);
  expect(texts.filter((text) => text.includes('Applied by the case’s workflow'))).toHaveLength(1);
  const refused = texts.filter((text) => text.includes('Refused: already done or in progress'));
  expect(refused).toHaveLength(1);
  expect(refused[0]).toContain('The step was no longer waiting for a sign-off');
  expect(refused[0]).toContain('Continued Presence request');
  const table = await supervisor.getByRole('table').innerText();
  expect(table).not.toMatch(/applied_by|version=|step_not_pending|\b[a-z_]+-\d+\b|\d{4}-\d\d-\d\d/);
  await expectAccessible(supervisor);

  await supervisor.goto(`${suite.base}/audit?action=report.compliance`);
  const report = await supervisor
    .getByRole('row')
    .filter({ hasText: 'Read the compliance report' })
    .first()
    .innerText();
  expect(report).toContain(`For ${formatCalendarDay(requestedOn)} to ${formatCalendarDay(today)} (JSON)`);
  await supervisor.context().close();
});
