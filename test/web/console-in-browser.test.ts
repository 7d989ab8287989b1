/// <reference lib="dom" />
// (page.evaluate() callbacks run in the browser, so this file sees the DOM types.)
/**
 * The console in Chromium against the whole service, for the files that served it the same way (one stack served to
 * a browser, the demo users): one stack and one browser for all of them, each old file's tests under a `describe`
 * named after it, where each file started its own PostgreSQL, Temporal server and Chromium (about 3.5 s of CPU a
 * file; README "Tests").
 */
import type { Page } from 'playwright-core';
import request from 'supertest';
import { DEMO_AGENCIES, DEMO_AGENCY_LIST } from '../../db/seed';
import { createTestUser, TEST_PASSWORD } from '../support/auth';
import { expectAccessible } from '../support/axe';
import {
  browserPerFile,
  consoleStackPerFile,
  daysAgo,
  describeSharing,
  errorSummaryFocused,
  openDemoCase,
  requestContinuedPresence,
  signedInPage,
  summaryLinks,
} from '../support/console';
import { SESSION_COOKIE } from '../../web/session';
import { upsertAgencies } from '../../db/agencies';
import { addDays, addYears, dateOf } from '../../domain/dates';
import { formatCalendarDay } from '../../core/people-dates';
import { eventually } from '../support/stack';

const service = consoleStackPerFile({}, { forBrowser: true });
const browser = browserPerFile();

describeSharing(service, 'admin-forms-sent-twice', () => {
  /**
   * An admin's form sent twice: a double-click while the first answer is slow, or a Reload of the page the first send
   * answered, sends it again, and the browser shows the second answer only. These forms carry no Idempotency-Key, so the
   * second send is refused for what the first did; the page must say what is true (the user is added, or enabled), not a
   * refusal that sends the admin to do it again. In a real browser against the whole service on real parts: the first
   * send is made from the page with the form's own fields (its answer unread, as the browser drops it), then the button
   * is pressed.
   */

  /** The form whose action is `action` sent as the browser sends it, its answer left unread: a first click's. */
  async function sendUnread(page: Page, action: string): Promise<void> {
    const status = await page.evaluate(async (path) => {
      const form = document.querySelector<HTMLFormElement>(`form[action="${path}"]`);
      if (!form) throw new Error(`no form posting to ${path}`);
      const body = new URLSearchParams(new FormData(form) as unknown as Record<string, string>);
      return (await fetch(path, { method: 'POST', body, redirect: 'manual' })).status;
    }, action);
    // A redirect (read as 0 when not followed) or a page rendered: the first send was applied, not refused.
    expect([0, 200]).toContain(status);
  }

  const admin = () => service.stack.users['demo-admin']!;

  /** A supervisor of the task force, whose admin demo-admin is, signing in with TEST_PASSWORD. */
  const supervisor = (username: string, displayName: string) =>
    createTestUser(service.stack.pool, {
      username,
      displayName,
      agencyId: DEMO_AGENCIES.coordinator,
      roles: ['supervisor'],
      password: TEST_PASSWORD,
    });

  test('"Add the user" sent twice lands on the user added, saying so, where it said the username was taken', async () => {
    const page = await signedInPage(browser(), service, 'demo-admin');
    await page.goto(`${service.base}/users/new`);
    await page.getByLabel('Full name').fill('Sam Twiceclick');
    await page.getByLabel('Username').fill('sam.twiceclick');
    await page.getByLabel('Coordinator').check();
    await page.getByLabel('Temporary password (optional)').fill('violet tractor moonlight 42');
    await sendUnread(page, '/users');
    await page.getByRole('button', { name: 'Add the user' }).click();
    await page.waitForLoadState('domcontentloaded');

    expect(await page.title()).toMatch(
      /^The user was added already, with this username, name and roles · User Sam Twiceclick/,
    );
    expect(await page.locator('h1').textContent()).toBe('Sam Twiceclick');
    expect(await page.getByRole('status').textContent()).toContain('the form added no one more');
    const users = (await request(service.app).get('/api/users').set(admin().headers).expect(200)).body as {
      items: { username: string }[];
    };
    expect(users.items.filter((user) => user.username === 'sam.twiceclick')).toHaveLength(1);
    await expectAccessible(page);

    // Another person under a username someone holds is still refused, by the field, in words.
    await page.goto(`${service.base}/users/new`);
    await page.getByLabel('Full name').fill('Sam Someoneelse');
    await page.getByLabel('Username').fill('sam.twiceclick');
    await page.getByLabel('Coordinator').check();
    await page.getByRole('button', { name: 'Add the user' }).click();
    expect(await page.title()).toMatch(/^Error: Add a user/);
    expect(await errorSummaryFocused(page)).toBe(true);
    expect(await page.locator('#username-error').textContent()).toBe('This username is another user’s: choose another');
    await page.context().close();
  });

  test('someone who left and came back, added again under their username, lands on their disabled user to enable', async () => {
    // Staff turnover (probe H6): a supervisor left (disabled), and returns; the admin adds them as before.
    const returning = await supervisor('lee.returning', 'Lee Returning');
    await request(service.app).post(`/api/users/${returning.user.id}/disable`).set(admin().headers).expect(200);
    const page = await signedInPage(browser(), service, 'demo-admin');
    await page.goto(`${service.base}/users/new`);
    await page.getByLabel('Full name').fill('Lee Returning');
    await page.getByLabel('Username').fill('lee.returning');
    await page.getByLabel('Supervisor').check();
    await page.getByLabel('Temporary password (optional)').fill('violet tractor moonlight 43');
    await page.getByRole('button', { name: 'Add the user' }).click();
    await page.waitForLoadState('domcontentloaded');

    // Not "added already ... give them their temporary password": the password typed was never set.
    expect(await page.title()).toMatch(/^This user was added before and is disabled · User Lee Returning/);
    const notice = await page.getByRole('status').textContent();
    expect(notice).toContain('they cannot sign in with the one typed');
    expect(notice).toContain('enable them below');
    await request(service.app)
      .post('/api/auth/sign-in')
      .send({ username: 'lee.returning', password: 'violet tractor moonlight 43' })
      .expect(401);
    await expectAccessible(page);
    // What it says to do is there, and lets them in.
    await page.getByRole('button', { name: 'Enable the user' }).click();
    const temporary = await page.getByLabel('Temporary password').inputValue();
    await request(service.app)
      .post('/api/auth/sign-in')
      .send({ username: 'lee.returning', password: temporary })
      .expect(201);
    await page.context().close();
  });

  test('"Enable the user" sent twice says they are enabled already and how to give them a password', async () => {
    const dormant = await supervisor('robin.twiceenabled', 'Robin Twiceenabled');
    await request(service.app).post(`/api/users/${dormant.user.id}/disable`).set(admin().headers).expect(200);
    const page = await signedInPage(browser(), service, 'demo-admin');
    await page.goto(`${service.base}/users/${dormant.user.id}`);
    await sendUnread(page, `/users/${dormant.user.id}/enable`);
    await page.getByRole('button', { name: 'Enable the user' }).click();
    await page.waitForLoadState('domcontentloaded');

    expect(await errorSummaryFocused(page)).toBe(true);
    const summary = await page.getByRole('alert').textContent();
    expect(summary).toContain('This user is enabled already');
    expect(summary).toContain('set a new temporary password below and give them that one');
    await expectAccessible(page);
    // What it says to do is there, and gives them a password they can sign in with.
    await page.getByLabel('Yes, end Robin Twiceenabled’s sessions and set a new password').check();
    await page.getByRole('button', { name: 'Set a new temporary password' }).click();
    const temporary = await page.getByLabel('Temporary password').inputValue();
    await request(service.app)
      .post('/api/auth/sign-in')
      .send({ username: 'robin.twiceenabled', password: temporary })
      .expect(201);
    await page.context().close();
  });

  test('Reload on the page of a new temporary password sets no other: the one shown still signs in', async () => {
    const forgetful = await supervisor('kim.reloaded', 'Kim Reloaded');
    const signsIn = (password: string) =>
      request(service.app).post('/api/auth/sign-in').send({ username: 'kim.reloaded', password });
    const page = await signedInPage(browser(), service, 'demo-admin');
    await page.goto(`${service.base}/users/${forgetful.user.id}`);
    await page.getByLabel('Yes, end Kim Reloaded’s sessions and set a new password').check();
    await page.getByRole('button', { name: 'Set a new temporary password' }).click();
    await page.waitForLoadState('domcontentloaded');
    expect(await page.locator('h1').textContent()).toBe('A new temporary password for Kim Reloaded');
    const shown = await page.getByLabel('Temporary password').inputValue();
    await expectAccessible(page);

    // Reloaded (the browser would have sent the form again, had it been the form's answer): nothing is set again.
    await page.reload();
    expect(await page.locator('#temporary-password').count()).toBe(0);
    expect(await page.getByRole('status').textContent()).toContain('shown once, on the page after it was set');
    await signsIn(shown).expect(201);
    await page.context().close();
  });
});

describeSharing(service, 'dashboard-agency-links', () => {
  /**
   * The coordinator's dashboard, "Overdue, and with whom" (a console probe): an agency's name lists its pending steps,
   * and its counts of steps due within 7 days and overdue each list those steps, as the table by kind does, where the
   * name led to the agency's overdue steps alone ("No steps match." for an agency with none) and no count led anywhere.
   * In Chromium, against the whole service.
   */

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
});

describeSharing(service, 'error-pattern', () => {
  /**
   * Forms refused as every console form is (web/form-problems.ts, web/views/error-summary.eta, web/views/field.eta): the
   * title begins "Error: ", the error summary takes the focus and links to each field in the form's order, each field
   * is marked invalid and described by its hint and its error, and what was typed is kept; as an accessibility probe
   * found some forms did not. In a real browser against the whole service on real parts.
   */

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
    await request(service.app)
      .post('/api/agencies')
      .set(service.stack.users['demo-system-admin']!.headers)
      .send({ id: 'pattern-police-2', kind: 'law_enforcement', name: 'Second Police (fictitious)' })
      .expect(201);
    const { caseId } = await openDemoCase(service, 'error-pattern-transfer', {
      identifiedOn: '2026-11-20',
      name: 'Pattern Transfer',
    });
    const page = await signedInPage(browser(), service, 'demo-coordinator');
    await page.goto(`${service.base}/cases/${caseId}/transfer`);
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
    await service.stack.resetRateLimits();
    const page = await (await browser().newContext({ bypassCSP: true })).newPage();
    await page.goto(`${service.base}/sign-in`);
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
    const page = await signedInPage(browser(), service, 'demo-coordinator');
    await page.goto(`${service.base}/account/api-keys`);
    await page.getByLabel('Valid for (days)').fill('');
    expect(await send(page, 'Create the key')).toBe(400);
    // The API names the password first; the summary follows the form.
    await expectRefused(page, [
      ['#label', /^Name of the key: Enter the name of the key$/],
      ['#expiresInDays', /^Valid for \(days\): Enter the number of days/],
      ['#currentPassword', /^Your password: Enter your password$/],
    ]);

    const { caseId } = await openDemoCase(service, 'error-pattern-close', {
      identifiedOn: '2026-11-20',
      name: 'Pattern Close',
    });
    await page.goto(`${service.base}/cases/${caseId}/close`);
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
    const { caseId } = await openDemoCase(service, 'error-pattern-zoom', {
      identifiedOn: '2026-11-20',
      name: 'Pattern Zoom',
    });
    // A laptop's 1280 × 800 at 200%: 640 × 400 CSS pixels.
    const page = await signedInPage(browser(), service, 'demo-coordinator', { width: 640, height: 400 });
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
      await page.goto(`${service.base}${form}`);
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
    const page = await signedInPage(browser(), service, 'demo-police-officer');
    await page.goto(`${service.base}/cases/new`);
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
        (
          await request(service.app)
            .get('/api/me/calendar-feeds')
            .set(service.stack.users[username]!.headers)
            .expect(200)
        ).body as { items: unknown[] }
      ).items.length;
    for (const [username, home] of [
      ['demo-police-officer', /^Error: Inbox/],
      ['demo-coordinator', /^Error: Dashboard/],
    ] as const) {
      const before = await feeds(username);
      const page = await signedInPage(browser(), service, username);
      await page.goto(`${service.base}/`);
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
});

describeSharing(service, 'filter-errors', () => {
  /**
   * The lists' filter forms (cases, steps, audit trail, report) refuse as every console form does (web/form-problems.ts
   * `filtersRefused`, web/views/error-summary.eta, filter-select.eta): the title begins "Error: ", the error summary at
   * the top takes the focus and links each refused filter by its name, each filter says what is wrong next to it in
   * plain words and is marked invalid and described by it, and a stale page link leads back to the first page; as an
   * accessibility probe found they did not. A kind the reader's menu lacks is shown as what the list is filtered by,
   * never as "Any". In a real browser against the whole service on real parts.
   */

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
    const page = await signedInPage(browser(), service, 'demo-police-officer');
    for (const typed of ['2026/0001', 'RC 2026']) {
      await page.goto(`${service.base}/cases`);
      const field = page.getByLabel('Case reference, or its start');
      await field.fill(typed);
      const answer = page.waitForResponse((response) => new URL(response.url()).pathname === '/cases');
      await field.press('Enter');
      expect((await answer).status()).toBe(400);
      await page.waitForLoadState('domcontentloaded');
      await expectRefused(
        page,
        'Cases',
        'reference',
        /^Case reference: Enter a case reference, or its start, .*RC-2026/,
      );
      expect(await page.locator('#reference-error').textContent()).not.toMatch(/expected|letters, digits, -;/i);
      expect(await field.inputValue()).toBe(typed);
      await page.getByRole('link', { name: /^Case reference:/ }).click();
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('reference');
    }
    await expectAccessible(page);
    await page.context().close();
  });

  test('a value no menu offers, a page size and a stale page link are each refused by name, in plain words', async () => {
    const page = await signedInPage(browser(), service, 'demo-coordinator');
    const cases: [string, string, string, RegExp][] = [
      [
        '/steps?status=pending&kind=bogus',
        'Pending steps',
        'kind',
        /^Step kind: Choose one of the options in the list$/,
      ],
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
      expect([address, (await page.goto(`${service.base}${address}`))?.status()]).toEqual([address, 400]);
      await expectRefused(page, title, field, words);
      await expectAccessible(page);
    }
    // The value sent is what the menu shows, next to its message.
    await page.goto(`${service.base}/steps?status=pending&kind=bogus`);
    expect(await page.locator('#kind').inputValue()).toBe('bogus');

    // A stale "Next page" link: said so, with a link to the first page of the same filters.
    for (const [list, title] of [
      ['cases', 'Cases'],
      ['steps', 'Pending steps'],
    ] as const) {
      const address = `/${list}?${list === 'steps' ? 'status=pending&' : ''}cursor=zzz`;
      expect((await page.goto(`${service.base}${address}`))?.status()).toBe(400);
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
    const supervisor = await signedInPage(browser(), service, 'demo-supervisor');
    for (const [address, field, words] of [
      ['/audit?caseReference=2026/0001', 'caseReference', /^Case reference: Enter a whole case reference .*RC-2026-/],
      ['/audit?outcome=bogus', 'outcome', /^Outcome: Choose one of the options in the list$/],
    ] as const) {
      expect([address, (await supervisor.goto(`${service.base}${address}`))?.status()]).toEqual([address, 400]);
      await expectRefused(supervisor, 'Audit trail', field, words);
    }
    await expectAccessible(supervisor);
    await supervisor.context().close();
  });

  test('a kind the reader\'s menu lacks is shown as what the list is filtered by, never as "Any"', async () => {
    const page = await signedInPage(browser(), service, 'demo-police-officer');
    expect((await page.goto(`${service.base}/steps?status=pending&kind=t_visa_filing`))?.status()).toBe(200);
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
    const supervisor = await signedInPage(browser(), service, 'demo-supervisor');
    for (const [field, label] of [
      ['caseId', 'The case chosen'],
      ['userId', 'The user chosen'],
    ] as const) {
      const address = `/audit?${field}=not-an-id&action=case.open`;
      expect([address, (await supervisor.goto(`${service.base}${address}`))?.status()]).toEqual([address, 400]);
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
    const officer = await signedInPage(browser(), service, 'demo-police-officer');
    const address = '/steps?status=pending&agencyId=Not%20an%20id!';
    expect([address, (await officer.goto(`${service.base}${address}`))?.status()]).toEqual([address, 400]);
    expect(await officer.locator('#agencyId').count()).toBe(0);
    await expectRefused(officer, 'Pending steps', 'agencyId', /^Agency: /, '/steps?status=pending');
    await officer.context().close();
  });
});

describeSharing(service, 'notice-focus', () => {
  /**
   * After an action a screen-reader or keyboard user is told what just happened: the page's title says it first, and
   * the focus lands on what the action left to read (the notice, or the new calendar feed's address shown once), not
   * at the top of the page, since a live region present from the page's load is not announced. As an accessibility
   * probe found the inbox and the case page did not. In a real browser at a phone's size, against the whole service.
   */
  const PHONE = { width: 390, height: 844 };

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
    const page = await signedInPage(browser(), service, 'demo-police-officer', PHONE);
    await page.goto(`${service.base}/`);
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
    expect(page.url()).toBe(`${service.base}/?notice=feed-revoked`);
    expect(await page.title()).toBe('The calendar feed was revoked · Inbox · Relief cases console');
    expect(await focused(page, 'P')).toEqual({
      tag: 'P',
      id: '',
      text: 'The calendar feed was revoked: its address no longer works.',
    });
    await page.context().close();
  });

  test('a new API key takes the focus to the box that shows it once, and the title says it was created', async () => {
    const page = await signedInPage(browser(), service, 'demo-hhs-officer', PHONE);
    await page.goto(`${service.base}/account/api-keys`);
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
    const { caseId, reference } = await openDemoCase(service, 'notice-focus', {
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
      const page = await signedInPage(browser(), service, username, PHONE);
      await page.goto(`${service.base}${path}`);
      expect(await page.title()).toBe(`${title} · Relief cases console`);
      const shown = await focused(page, 'P');
      expect(shown.tag).toBe('P');
      expect(shown.text).toMatch(notice);
      await page.context().close();
    }
  });

  test('the sign-in page a lapsed session or a sign-out leads to says why first in its title and focuses it', async () => {
    const context = await browser().newContext({ viewport: PHONE });
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
      await page.goto(`${service.base}/sign-in?notice=${notice}&next=${encodeURIComponent('/cases/new')}`);
      expect(await page.title()).toBe(`${title} · Sign in · Relief cases console`);
      expect(await focused(page, 'P')).toEqual({ tag: 'P', id: '', text });
      // The next Tab stop is the form's first field.
      await page.keyboard.press('Tab');
      expect((await focused(page, 'INPUT')).id).toBe('username');
    }
    // A notice of no such name says nothing, not an object's inner words.
    await page.goto(`${service.base}/sign-in?notice=constructor`);
    expect(await page.title()).toBe('Sign in · Relief cases console');
    expect(await page.locator('main').textContent()).not.toMatch(/function|native code/);
    await context.close();
  });

  test('a page without a notice keeps its own title and leaves the focus alone', async () => {
    const page = await signedInPage(browser(), service, 'demo-police-officer', PHONE);
    await page.goto(`${service.base}/?notice=nothing-we-said`);
    expect(await page.title()).toBe('Inbox · Relief cases console');
    expect((await focused(page, 'P')).tag).toBe('BODY');
    await page.context().close();
  });
});

describeSharing(service, 'sign-off-left-empty', () => {
  /**
   * An ICE officer recording a Continued Presence grant after the fact (a console probe): the form's optional dates say
   * what is recorded when they are left empty, "Granted on" today and "Valid until" the longest the policy allows, and
   * so does the check page, where the form said "(optional)" alone and the check page "Not given", so a grant made weeks
   * ago and entered without its day counted its months from today. A correction, which reads an empty date as of its
   * sign-off, does not say "today". In Chromium, against the whole service.
   */

  test('a grant says what its empty dates record, on the form and the check page, and a correction does not', async () => {
    const { caseId } = await openDemoCase(service, 'left-empty-case', {
      identifiedOn: daysAgo(20),
      name: 'Left Empty (fictitious)',
    });
    await requestContinuedPresence(service, caseId, 'left-empty-cp-request', daysAgo(15));

    const page = await signedInPage(browser(), service, 'demo-ice-officer');
    await page.goto(`${service.base}/cases/${caseId}/steps/cp_decision-1`);
    await page.getByLabel('Granted', { exact: true }).check();
    await page.getByRole('button', { name: 'Continue' }).click();
    expect(await page.locator('#details-grantedOn-hint').textContent()).toBe(
      'Left empty, today: give the day on the decision if it was earlier. For example, 27 March 2027',
    );
    expect(await page.locator('#details-validUntil-hint').textContent()).toBe(
      "Left empty, the longest the case's policy allows: give the last day the document states, if it states one. " +
        'For example, 27 March 2027',
    );
    await expectAccessible(page);

    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: /^Check your answers/ }).waitFor();
    const answers = await page.locator('dl.answers').innerText();
    expect(answers).toMatch(/Granted on\s+Not given: today/);
    expect(answers).toMatch(/Valid until\s+Not given: the longest the case's policy allows/);
    await page.getByRole('button', { name: /^Confirm/ }).click();
    await page.waitForURL(/notice=signed-off/);
    await page.context().close();

    // The coordinator's correction of it: an empty date there is read as of the sign-off, not today.
    const coordinator = await signedInPage(browser(), service, 'demo-coordinator');
    await coordinator.goto(`${service.base}/cases/${caseId}/steps/cp_decision-1/correct`);
    expect(await coordinator.locator('#details-grantedOn-hint').textContent()).toBe('For example, 27 March 2027');
    await coordinator.context().close();
  });
});

describeSharing(service, 'step-documents', () => {
  /**
   * Adding a document to a step already signed, in the console (the API took one, the console offered no way): the
   * case page and the signed step's page lead to the step's documents page, whose form adds a file and lists it; a
   * refusal (the type, the size) comes back on the form in words beside the file input, nothing added; the form is
   * offered to whoever the API lets add one (the step's agency, the coordinator), a supervisor is told who may. In
   * Chromium, axe-clean; nothing the API writes (an id, an ISO day or instant) shown.
   */
  const dayBefore = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);
  const RECEIPT = {
    name: 'cp-receipt.pdf',
    mimeType: 'application/pdf',
    buffer: Buffer.from('%PDF-1.4\n% receipt\n%%EOF\n'),
  };
  const ISO = /\b\d{4}-\d\d-\d\d\b|\d{4}-\d\d-\d\dT\d\d:/;
  const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
  const STEP_ID = /\b[a-z_]+-\d+\b/;
  let caseId = '';

  beforeAll(async () => {
    caseId = (await openDemoCase(service, 'step-documents-1', { identifiedOn: dayBefore(3), name: 'Later Receipt' }))
      .caseId;
    await requestContinuedPresence(service, caseId, 'step-documents-sign-1', dayBefore(2));
  });

  const pageAs = (username: string): Promise<Page> => signedInPage(browser(), service, username);

  /** The page's main text, checked to show no id and no day as the API writes it. */
  async function saidInWords(page: Page): Promise<string> {
    const text = await page.locator('main').innerText();
    expect({ iso: ISO.exec(text)?.[0], id: UUID.exec(text)?.[0], step: STEP_ID.exec(text)?.[0] }).toEqual({
      iso: undefined,
      id: undefined,
      step: undefined,
    });
    return text;
  }

  const documentsOfStep = async () => {
    const listed = await request(service.app)
      .get(`/api/cases/${caseId}/steps/cp_request-1/documents`)
      .set(service.stack.as('law_enforcement'))
      .expect(200);
    return (listed.body as { items: { fileName?: string }[] }).items.map((item) => item.fileName);
  };

  test('the police add a receipt to the CP request they signed: from the case page, listed on the step after', async () => {
    const page = await pageAs('demo-police-officer');
    await page.goto(`${service.base}/cases/${caseId}`);
    await page.getByRole('link', { name: 'Add a document to Continued Presence request' }).click();
    await page.getByRole('heading', { name: 'Documents: Continued Presence request' }).waitFor();
    expect(await saidInWords(page)).toContain('No document yet.');
    await expectAccessible(page);

    await page.getByLabel('Document that proves the step').setInputFiles(RECEIPT);
    await page.getByRole('button', { name: 'Add the document' }).click();
    await page.getByRole('status').waitFor();
    expect(await page.getByRole('status').innerText()).toBe('The document was added to the step: it is listed below.');
    const said = await saidInWords(page);
    expect(said).toMatch(/cp-receipt\.pdf \(PDF, 1 KB\), added .+ by /);
    expect(await page.getByRole('link', { name: 'cp-receipt.pdf', exact: true }).count()).toBe(1);
    await expectAccessible(page);
    expect(await documentsOfStep()).toEqual(['cp-receipt.pdf']);

    // The same file again (a double submit) is the one document already there, said so.
    await page.getByLabel('Document that proves the step').setInputFiles(RECEIPT);
    await page.getByRole('button', { name: 'Add the document' }).click();
    await page.getByText('This file was on the step already').waitFor();
    expect(await documentsOfStep()).toEqual(['cp-receipt.pdf']);

    // The case page lists it with the step too.
    await page.getByRole('link', { name: 'Back to the case' }).click();
    expect(await page.getByRole('link', { name: 'cp-receipt.pdf', exact: true }).count()).toBe(1);
    await page.context().close();
  });

  test("the signed step's own page leads to the form", async () => {
    const page = await pageAs('demo-police-officer');
    await page.goto(`${service.base}/cases/${caseId}/steps/cp_request-1`);
    expect(await page.locator('main').innerText()).toContain('This step cannot be signed now: it is completed.');
    await page.getByRole('link', { name: 'Add a document to this step' }).click();
    await page.getByRole('heading', { name: 'Documents: Continued Presence request' }).waitFor();
    await page.context().close();
  });

  test('a file of another type, or over 10 MB, is refused beside the file input in words, nothing added', async () => {
    const page = await pageAs('demo-police-officer');
    await page.goto(`${service.base}/cases/${caseId}/steps/cp_request-1/documents`);
    const before = await documentsOfStep();
    for (const [file, said] of [
      [
        { name: 'receipt.pdf', mimeType: 'application/pdf', buffer: Buffer.from('<html>not a PDF</html>') },
        /^The document must be a PDF, PNG or JPEG/,
      ],
      [
        {
          name: 'scan.pdf',
          mimeType: 'application/pdf',
          buffer: Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(10 * 1024 * 1024 + 1)]),
        },
        /^The document must be at most 10 MB/,
      ],
    ] as const) {
      await page.getByLabel('Document that proves the step').setInputFiles(file);
      await page.getByRole('button', { name: 'Add the document' }).click();
      expect(await errorSummaryFocused(page)).toBe(true);
      expect(await page.title()).toMatch(/^Error: Documents: Continued Presence request/);
      expect(await page.locator('#document-error').textContent()).toMatch(said);
      expect(await page.getByRole('alert').innerText()).toMatch(new RegExp(`Document: ${said.source.slice(1)}`));
      expect(await page.locator('#document-hint').textContent()).toContain('Choose the file again: it was not added.');
      await saidInWords(page);
      await expectAccessible(page);
    }
    // Sent with no file: asked for one, nothing sent to the API.
    await page.getByRole('button', { name: 'Add the document' }).click();
    expect(await errorSummaryFocused(page)).toBe(true);
    expect(await page.locator('#document-error').textContent()).toBe('Choose the file to add');
    expect(await documentsOfStep()).toEqual(before);
    await page.context().close();
  });

  test("the form to whoever the API lets add one: the step's agency and the coordinator; a supervisor is told who may", async () => {
    const path = `/cases/${caseId}/steps/cp_request-1/documents`;
    for (const username of ['demo-police-officer', 'demo-coordinator']) {
      const page = await request(service.app)
        .get(path)
        .set('Cookie', `${SESSION_COOKIE}=${service.sessionCookie(username)}`);
      expect(page.status).toBe(200);
      expect(page.text).toContain('Add the document');
    }
    const nameOf = (kind: string) => DEMO_AGENCY_LIST.find((agency) => agency.kind === kind)!.name;
    const supervisor = await pageAs('demo-supervisor');
    const answer = await supervisor.goto(`${service.base}${path}`);
    expect(answer?.status()).toBe(403);
    expect(await supervisor.locator('main').innerText()).toContain(
      `Only an officer of the step’s agency on this case (${nameOf('law_enforcement')}), or of the case’s coordinator (${nameOf('coordinator')}), may add its documents.`,
    );
    expect(await supervisor.locator('input[type=file]').count()).toBe(0);
    // Nor does the case page offer it.
    await supervisor.goto(`${service.base}/cases/${caseId}`);
    expect(await supervisor.getByRole('link', { name: /^Add a document/ }).count()).toBe(0);
    await supervisor.context().close();
  });
});

describeSharing(service, 't-visa-notice-form', () => {
  /**
   * An attorney records a request for evidence or a notice of intent to deny on the T-visa decision (a console probe):
   * the form lists the notice by its name, with the abbreviation printed on it, where it listed "RFE" and "NOID" alone,
   * and so does its check page. Once it is recorded, the attorney lands on the case, which says the decision stays
   * pending and lists the response the notice opened, where the inbox said "The step has left your inbox" while it
   * still listed the decision. In Chromium, against the whole service.
   */

  /** The advocate's steps up to the T-visa decision, through the API: filed, receipt, bona fide. */
  async function atTheDecision(caseId: string): Promise<void> {
    const signs: [string, string, Record<string, string>][] = [
      ['t_visa_filing-1', 'filed', { filedOn: daysAgo(5) }],
      ['t_visa_receipt-1', 'received', { receivedOn: daysAgo(4) }],
      ['t_visa_bona_fide-1', 'bona_fide', { determinedOn: daysAgo(3) }],
    ];
    for (const [stepId, outcome, details] of signs)
      await request(service.app)
        .post(`/api/cases/${caseId}/steps/${stepId}/sign-off`)
        .set(service.stack.as('advocate'))
        .set('Idempotency-Key', `t-visa-notice-${caseId}-${stepId}`)
        .send({ outcome, details })
        .expect(200);
  }

  /** The advocate's sign-off form of the case's T-visa decision, "Evidence requested" chosen, the notice filled in. */
  async function noticeFilledIn(key: string, name: string) {
    const { caseId, reference } = await openDemoCase(service, key, { identifiedOn: daysAgo(10), name });
    await atTheDecision(caseId);
    const page = await signedInPage(browser(), service, 'demo-advocate');
    await page.goto(`${service.base}/cases/${caseId}/steps/t_visa_decision-1`);
    await page.getByLabel('Evidence requested').check();
    await page.getByRole('button', { name: 'Continue' }).click();
    const notice = page.getByLabel('Notice (required)');
    const choices = await notice.locator('option').allTextContents();
    await notice.selectOption('noid');
    await page.getByLabel('Issued on (required)').fill(daysAgo(2));
    await page.getByLabel('Respond by (required)').fill(daysAgo(-20));
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: /^Check your answers/ }).waitFor();
    return { caseId, reference, page, choices };
  }

  test('the notice on a T-visa decision is chosen and checked by its name, not its code', async () => {
    const { page, choices } = await noticeFilledIn('t-visa-notice-words', 'Notice Words (fictitious)');
    expect(choices).toEqual(['Choose', 'Request for evidence (RFE)', 'Notice of intent to deny (NOID)']);
    expect(await page.locator('dl.answers').innerText()).toMatch(/Notice\s+Notice of intent to deny \(NOID\)/);
    await expectAccessible(page);
    await page.context().close();
  });

  test('once the notice is recorded, the case says the decision stays pending, not that it left the inbox', async () => {
    const { caseId, reference, page } = await noticeFilledIn('t-visa-notice-recorded', 'Notice Recorded (fictitious)');
    await page.getByRole('button', { name: /^Confirm/ }).click();
    await page.waitForURL(/notice=/);
    expect(page.url()).toBe(`${service.base}/cases/${caseId}?notice=still-pending`);
    const main = await page.locator('main').innerText();
    expect(main).not.toContain('left your inbox');
    expect(main).toContain('The decision stays pending until it is made');
    const rows = page.locator('tbody tr');
    expect(await rows.filter({ has: page.getByText('T visa decision', { exact: true }) }).innerText()).toContain(
      'Pending',
    );
    const response = 'T visa response to a request for evidence or notice of intent to deny';
    expect(await rows.filter({ has: page.getByText(response, { exact: true }) }).innerText()).toContain('Pending');
    await expectAccessible(page);

    // It is still the attorney's to sign, in the inbox.
    await page.goto(`${service.base}/`);
    expect(await page.getByRole('link', { name: `Sign off T visa decision for ${reference}` }).count()).toBe(1);
    await page.context().close();
  });
});

describeSharing(service, 'case-changed-while-open', () => {
  /**
   * Forms sent after the case changed under them while they were open (probe P6, in Chromium).
   *
   * A correction sent after the case was transferred away from the sender's agency while its form was open (probe P6,
   * in Chromium): the police officer has the survivor's details and the CP request's correction open, the coordinator
   * transfers the case to another police agency, the officer sends each. Nothing is saved; the page says the case was
   * transferred and to whom, and lists what was entered to hand over, where it answered "You cannot open this page"
   * and what was typed was lost. A sign-off's own page for this is test/web/console-pages.test.ts › sign-off-transferred.
   */

  beforeAll(async () => {
    await upsertAgencies(service.stack.pool, [
      { id: 'new-police', kind: 'law_enforcement', name: 'New City Police (fictitious)', email: null },
    ]);
  });

  const TRANSFERRED =
    'This case was transferred from your agency to New City Police (fictitious); your agency no longer takes part in it.';

  /** The page's answer to the form sent by pressing `button`: its status and its main text. */
  async function sent(page: Page, button: string): Promise<{ status: number; text: string }> {
    const answer = page.waitForResponse((response) => response.request().method() === 'POST');
    await page.getByRole('button', { name: button }).click();
    const status = (await answer).status();
    await page.waitForLoadState();
    return { status, text: (await page.locator('main').textContent()) ?? '' };
  }

  test('corrections sent after the case was transferred away: not saved, said in words naming the new agency, with what was entered', async () => {
    const { caseId } = await openDemoCase(service, 'transferred-while-open', {
      identifiedOn: daysAgo(5),
      name: 'Oriel Before (fictitious)',
    });
    await requestContinuedPresence(service, caseId, 'transferred-while-open-cp', daysAgo(3));
    const survivorForm = await signedInPage(browser(), service, 'demo-police-officer');
    await survivorForm.goto(`${service.base}/cases/${caseId}/survivor`);
    await survivorForm.getByLabel('Name', { exact: true }).fill('Oriel Kestrelmoor (fictitious)');
    const correctionForm = await survivorForm.context().newPage();
    await correctionForm.goto(`${service.base}/cases/${caseId}/steps/cp_request-1/correct`);
    await correctionForm.getByLabel('Requested on (required)').fill(daysAgo(4));
    await correctionForm.getByLabel('Why it is corrected (required)').fill('The request went out the day before');

    await request(service.app)
      .post(`/api/cases/${caseId}/transfers`)
      .set(service.stack.as('coordinator'))
      .set('Idempotency-Key', 'transferred-while-open-move')
      .send({ agencyKind: 'law_enforcement', toAgencyId: 'new-police', reason: 'moved_jurisdiction' })
      .expect(200);

    for (const [page, button, typed] of [
      [survivorForm, 'Save the corrections', 'Oriel Kestrelmoor (fictitious)'],
      [correctionForm, 'Continue', 'The request went out the day before'],
    ] as const) {
      const { status, text } = await sent(page, button);
      expect(status).toBe(403);
      expect(await page.title()).toMatch(/^Error: Not saved: the case was transferred · /);
      expect(text).toContain(TRANSFERRED);
      expect(text).toContain('Nothing in this form was saved. Keep what you need from below and hand it over');
      expect(text).not.toContain('You cannot open this page');
      expect(text).toContain('What you entered');
      expect(text).toContain(typed);
      // Not a form to send again: the agency may no longer.
      expect(await page.getByRole('button', { name: 'Send again' }).count()).toBe(0);
      await expectAccessible(page);
    }

    // Nothing was saved: the survivor's name and the request's day are as they were.
    const survivor = await request(service.app)
      .get(`/api/cases/${caseId}/survivor`)
      .set(service.stack.as('coordinator'))
      .expect(200);
    expect((survivor.body as { name: string }).name).toBe('Oriel Before (fictitious)');
    const view = await request(service.app)
      .get(`/api/cases/${caseId}`)
      .set(service.stack.as('coordinator'))
      .expect(200);
    const steps = (view.body as { steps: { id: string; details: { requestedOn?: string } }[] }).steps;
    expect(steps.find((step) => step.id === 'cp_request-1')?.details.requestedOn).toBe(daysAgo(3));
    await survivorForm.context().close();
  });

  test('a sign-off confirmed after the case was closed says nothing more can be signed or corrected, not to correct it', async () => {
    const { caseId } = await openDemoCase(service, 'closed-while-open', {
      identifiedOn: daysAgo(5),
      name: 'Pella Closed (fictitious)',
    });
    const page = await signedInPage(browser(), service, 'demo-police-officer');
    await page.goto(`${service.base}/cases/${caseId}/steps/cp_request-1`);
    await page.getByLabel('Requested on (required)').fill(daysAgo(1));
    await page.getByLabel('Note (optional)').fill('Asked by phone, letter to follow');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('button', { name: 'Confirm and sign off' }).waitFor();

    await request(service.app)
      .post(`/api/cases/${caseId}/close`)
      .set(service.stack.as('coordinator'))
      .set('Idempotency-Key', 'closed-while-open-close')
      .send({ status: 'closed', reason: 'lost_contact' })
      .expect(200);

    const { status, text } = await sent(page, 'Confirm and sign off');
    expect(status).toBe(409);
    expect(text).toContain('The case is closed: nothing more can be signed or changed in it.');
    expect(text).toContain('What you entered');
    expect(text).toContain('Asked by phone, letter to follow');
    expect(text).toContain(
      'Nothing was signed: the case is closed, and nothing more can be signed or corrected in it. Keep what you need from below for your agency’s own records.',
    );
    expect(text).not.toContain('correct the sign-off there');
    await page.context().close();
  });

  test('a transfer confirmed after someone else transferred the case meanwhile is not applied to the agency it never named', async () => {
    await upsertAgencies(service.stack.pool, [
      { id: 'other-police', kind: 'law_enforcement', name: 'Other Police (fictitious)', email: null },
    ]);
    const { caseId } = await openDemoCase(service, 'transferred-twice', {
      identifiedOn: daysAgo(5),
      name: 'Quinn Twice (fictitious)',
    });
    const page = await signedInPage(browser(), service, 'demo-coordinator');
    await page.goto(`${service.base}/cases/${caseId}/transfer`);
    await page.getByLabel('New agency (required)').selectOption('new-police');
    await page.getByRole('button', { name: 'Continue' }).click();
    expect(await page.locator('dl.facts').textContent()).toContain('Demo City Police Department (fictitious)');

    // Another coordinator of the task force transfers it elsewhere while this check page is open.
    await request(service.app)
      .post(`/api/cases/${caseId}/transfers`)
      .set(service.stack.as('coordinator'))
      .set('Idempotency-Key', 'transferred-twice-other')
      .send({ agencyKind: 'law_enforcement', toAgencyId: 'other-police' })
      .expect(200);

    const { status, text } = await sent(page, 'Confirm the transfer');
    expect(status).toBe(409);
    expect(text).toContain(
      'Nothing was transferred: since you checked it, someone transferred the case to Other Police (fictitious) (Law enforcement). Choose the new agency again',
    );
    const view = await request(service.app)
      .get(`/api/cases/${caseId}`)
      .set(service.stack.as('coordinator'))
      .expect(200);
    expect((view.body as { agencies: { law_enforcement: string } }).agencies.law_enforcement).toBe('other-police');

    // Chosen again, its check page names the agency it replaces now, and the transfer is made.
    await page.getByLabel('New agency (required)').selectOption('new-police');
    await page.getByRole('button', { name: 'Continue' }).click();
    expect(await page.locator('dl.facts').textContent()).toContain('Other Police (fictitious)');
    await page.getByRole('button', { name: 'Confirm the transfer' }).click();
    await page.waitForURL((url) => url.searchParams.get('notice') === 'transferred');
    await page.context().close();
  });
});

describeSharing(service, 'correction-check', () => {
  /**
   * The check page of a correction says, before it is confirmed, which other agencies' pending steps confirming it
   * withdraws: ICE's Continued Presence grant corrected to a denial withdraws the police's renewal request and the
   * advocate's certification request. The coordinator, who sees every step, is told each by name and owing agency; ICE,
   * which sees neither, may not correct the grant that opens them (probe Q1): it is offered no "Correct" on it, and the
   * page's address tells it so in words at once, the same whatever they record. A correction that withdraws nothing says nothing of it. A grant typed a year early, which lapsed when its entry
   * session ended, corrected: the page names what withdrawing the lapse reopens. A grant corrected to an end already
   * past: the page says it lapses and what the lapse cancels. In Chromium, axe-clean; the whole service on real parts.
   */
  let caseId = '';

  async function sign(
    stepId: string,
    kind: 'law_enforcement' | 'ice',
    outcome: string,
    details: object,
    onCase: string = caseId,
  ) {
    await request(service.app)
      .post(`/api/cases/${onCase}/steps/${stepId}/sign-off`)
      .set(service.stack.as(kind))
      .set('Idempotency-Key', `correction-check-${onCase}-${stepId}`)
      .send({ outcome, details })
      .expect(200);
  }

  beforeAll(async () => {
    caseId = (
      await openDemoCase(service, 'correction-check-open', {
        identifiedOn: '2025-11-03',
        name: 'Correction Check',
      })
    ).caseId;
    await sign('cp_request-1', 'law_enforcement', 'requested', { requestedOn: '2025-11-04' });
    // The grant opens the police's renewal request and the advocate's certification request.
    await sign('cp_decision-1', 'ice', 'granted', { grantedOn: '2025-11-10' });
  });

  /** The correction form of ICE's decision, filled in and sent to its check page; the page's note there. */
  async function checkPage(
    page: Page,
    outcome: 'denied' | 'granted',
    { onCase = caseId, grantedOn = '2025-11-09' } = {},
  ): Promise<string> {
    await page.goto(`${service.base}/cases/${onCase}/steps/cp_decision-1/correct?outcome=${outcome}`);
    if (outcome === 'denied') {
      await page.getByLabel('Reason (required)').selectOption('not_potential_witness');
    } else {
      await page.getByLabel(/^Granted on/).fill(grantedOn);
    }
    await page.getByLabel('Why it is corrected (required)').fill('Entered on the wrong case.');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page
      .getByRole('heading', { name: 'Check your answers: correction of the Continued Presence decision' })
      .waitFor();
    await expectAccessible(page);
    return page.getByRole('note').innerText();
  }

  const pendingSteps = async () => {
    const view = await request(service.app)
      .get(`/api/cases/${caseId}`)
      .set(service.stack.as('coordinator'))
      .expect(200);
    return (view.body as { steps: { id: string; status: string }[] }).steps
      .filter((step) => step.status === 'pending')
      .map((step) => step.id);
  };

  test('the coordinator is told by name which pending steps of other agencies the correction withdraws', async () => {
    const page = await signedInPage(browser(), service, 'demo-coordinator');
    const note = await checkPage(page, 'denied');
    expect(note).toContain(
      'Confirming this also withdraws: Continued Presence renewal request (Demo City Police Department (fictitious)), ' +
        'HHS certification request (Demo Survivor Legal Advocates (fictitious)). ' +
        "Those agencies are emailed that it is no longer needed, and see it in the case's timeline.",
    );
    // Nothing is withdrawn until it is confirmed.
    expect(await pendingSteps()).toEqual(
      expect.arrayContaining(['cp_renewal_request-1', 'hhs_certification_request-1']),
    );
    await page.context().close();
  });

  test('ICE is offered no "Correct" on its grant, which the coordinator corrects; by its address it is told why at once', async () => {
    const page = await signedInPage(browser(), service, 'demo-ice-officer');
    await page.goto(`${service.base}/cases/${caseId}`);
    const grantRow = page.getByRole('row', { name: /Continued Presence decision/ });
    await grantRow.first().waitFor();
    expect(await grantRow.getByRole('link', { name: /^Correct/ }).count()).toBe(0);
    // Reached by its address: the refusal in words on the first load, with no form to fill in first.
    const response = await page.goto(`${service.base}/cases/${caseId}/steps/cp_decision-1/correct?outcome=denied`);
    expect(response?.status()).toBe(403);
    const said = await page.locator('main').innerText();
    expect(await page.getByRole('button', { name: 'Continue' }).count()).toBe(0);
    expect(said).toContain('Ask the case’s coordinator to correct it');
    expect(said).not.toMatch(/certification|renewal|\d{4}-\d\d-\d\d/i);
    await expectAccessible(page);
    await page.context().close();
    const coordinator = await signedInPage(browser(), service, 'demo-coordinator');
    await coordinator.goto(`${service.base}/cases/${caseId}`);
    const offered = coordinator.getByRole('row', { name: /Continued Presence decision/ }).getByRole('link', {
      name: /^Correct/,
    });
    expect(await offered.count()).toBe(1);
    expect(await checkPage(coordinator, 'granted')).not.toContain('withdraws');
    await coordinator.context().close();
  });

  test('a grant that lapsed: the coordinator is told which steps withdrawing the lapse reopens', async () => {
    const today = dateOf(new Date(await service.stack.env.currentTimeMs()).toISOString());
    const identifiedOn = addDays(today, -745);
    const meant = addDays(identifiedOn, 376);
    const lapsing = (
      await openDemoCase(service, 'correction-check-lapse', { identifiedOn, name: 'Correction Check Lapse' })
    ).caseId;
    await sign('cp_request-1', 'law_enforcement', 'requested', { requestedOn: addDays(identifiedOn, 1) }, lapsing);
    await sign('cp_decision-1', 'ice', 'granted', { grantedOn: addYears(meant, -1) }, lapsing);
    // The entry session ends (its notice gathers 30 minutes) and applies the lapse it held.
    await service.stack.env.sleep(31 * 60_000);
    await eventually(async () => {
      const view = await request(service.app).get(`/api/cases/${lapsing}`).set(service.stack.as('coordinator'));
      const steps = (view.body as { steps: { id: string; status: string }[] }).steps;
      return steps.find((step) => step.id === 'cp_decision-1')?.status === 'expired';
    }, 'the grant as typed lapsed');

    const page = await signedInPage(browser(), service, 'demo-coordinator');
    // The lapsed grant offers "Correct" on the case page, as a signed one does.
    await page.goto(`${service.base}/cases/${lapsing}`);
    await page.getByRole('link', { name: 'Correct the sign-off of Continued Presence decision' }).waitFor();
    const note = await checkPage(page, 'granted', { onCase: lapsing, grantedOn: meant });
    expect(note).toContain(
      'Confirming this also reopens: Continued Presence renewal request (Demo City Police ' +
        'Department (fictitious)), HHS certification request (Demo Survivor Legal Advocates (fictitious)). Those ' +
        "agencies are emailed that it is needed again, with its deadline, and see it in the case's timeline.",
    );
    expect(note).not.toContain('also withdraws:');
    await page.context().close();
  });

  test('a grant corrected to an end already past: the coordinator is told it lapses, and what its lapse cancels', async () => {
    const today = dateOf(new Date(await service.stack.env.currentTimeMs()).toISOString());
    const identifiedOn = addDays(today, -745);
    const ending = (
      await openDemoCase(service, 'correction-check-ending', { identifiedOn, name: 'Correction Check End' })
    ).caseId;
    await sign('cp_request-1', 'law_enforcement', 'requested', { requestedOn: addDays(identifiedOn, 1) }, ending);
    await sign('cp_decision-1', 'ice', 'granted', { grantedOn: addDays(identifiedOn, 376) }, ending);

    const page = await signedInPage(browser(), service, 'demo-coordinator');
    const outdated = addDays(identifiedOn, 2);
    const note = await checkPage(page, 'granted', { onCase: ending, grantedOn: outdated });
    expect(note).toContain(
      `Continued Presence decision would be valid until ${formatCalendarDay(addDays(addYears(outdated, 2), -1))}, ` +
        'already past: confirming this makes it lapse, which cancels: Continued Presence renewal request (Demo City ' +
        'Police Department (fictitious)), HHS certification request (Demo Survivor Legal Advocates (fictitious)).',
    );
    // A correction that leaves the end ahead says nothing of a lapse.
    expect(await checkPage(page, 'granted', { onCase: ending, grantedOn: addDays(identifiedOn, 370) })).not.toContain(
      'lapse',
    );
    await page.context().close();
  });
});
