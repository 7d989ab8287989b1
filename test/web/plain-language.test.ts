/// <reference lib="dom" />
// (page.evaluate() callbacks run in the browser, so this file sees the DOM types.)
/**
 * Every page a person reads speaks their language (issue 18): dates as "2 Mar 2027" in their agency's time zone,
 * never an ISO instant; steps by name, never a step id; agencies by name, never their ids; and lists that tell the
 * truth (overdue shown as overdue, counts that link to exactly what they count, far deadlines under "Upcoming").
 * In Chromium, for several roles, over cases that share their dates; axe-clean on each page. The case page answers
 * "where does this case stand": per track what was decided with the dates entered, who signed, what comes next; and
 * to an advocate, how the other agencies' steps their work depends on went (CP granted until when, the declaration).
 */
import { chromium, type Browser, type Page } from 'playwright-core';
import request from 'supertest';
import { formatCalendarDay } from '../../core/people-dates';
import { localDateOf } from '../../core/time-zones';
import { upsertAgencies } from '../../db/agencies';
import { enqueue, markNotSent, markSent, type NewNotification } from '../../db/notifications';
import { DEMO_AGENCIES, DEMO_AGENCY_LIST } from '../../db/seed';
import { addYears } from '../../domain/dates';
import { expectAccessible } from '../support/axe';
import { consoleStackPerFile, signedInPage } from '../support/console';
import { eventually } from '../support/eventually';
import { CHROMIUM_PATH } from '../support/install-browser';

const service = consoleStackPerFile();
const DAY_MS = 86_400_000;
const CHICAGO = 'America/Chicago';
let browser: Browser;
const cases: { caseId: string; reference: string }[] = [];

const ISO_INSTANT = /\d{4}-\d\d-\d\dT\d\d:/;
const STEP_ID = /\b[a-z_]+-\d+\b/;
const AGENCY_IDS = Object.values(DEMO_AGENCIES);

const dateDaysAgo = (days: number) => new Date(Date.now() - days * DAY_MS).toISOString().slice(0, 10);
/** The day the police record the CP request as made: before today in Chicago, whatever the hour in UTC. */
const REQUESTED_ON = dateDaysAgo(2);
const POLICE = 'Demo City Police Department (fictitious)';
/** The CP request of the first case, signed by the officer a day after it was made: recorded after the fact. */
const SIGNED_CP_REQUEST = () =>
  `Continued Presence request: requested ${formatCalendarDay(REQUESTED_ON)}. ` +
  `Signed by Demo Police Officer (fictitious) (${POLICE}) on ${formatCalendarDay(REQUESTED_ON)}.`;

async function open(body: Record<string, unknown>, key: string): Promise<{ caseId: string; reference: string }> {
  const opened = await request(service.app)
    .post('/api/cases')
    .set(service.stack.as('law_enforcement'))
    .set('Idempotency-Key', key)
    // One fictitious survivor opened again on purpose, not a request sent twice (409 possible_duplicate).
    .send({ agencies: DEMO_AGENCIES, confirmNotDuplicate: true, ...body });
  expect([opened.status, opened.body]).toEqual([201, expect.anything()]);
  return opened.body as { caseId: string; reference: string };
}

beforeAll(async () => {
  // The police keep Chicago's time: their pages show its calendar.
  const police = DEMO_AGENCY_LIST.find((agency) => agency.id === DEMO_AGENCIES.law_enforcement)!;
  await upsertAgencies(service.stack.pool, [{ ...police, timeZone: CHICAGO }]);
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox'] });
  // Two adults identified the same day, 20 days ago (their CP requests overdue alike), and a minor the same day.
  const identifiedOn = dateDaysAgo(20);
  const survivor = { name: 'Plain Words (fictitious)', birthDate: '1990-04-02' };
  cases.push(await open({ identifiedOn, survivor }, 'plain-language-1'));
  cases.push(await open({ identifiedOn, survivor }, 'plain-language-2'));
  const minorBirth = `${Number(dateDaysAgo(0).slice(0, 4)) - 17}-${dateDaysAgo(0).slice(5, 10)}`;
  cases.push(await open({ identifiedOn, survivor: { ...survivor, birthDate: minorBirth } }, 'plain-language-3'));
  // The first adult's CP request is signed: its CP decision is ICE's to make, and the request shows when it was done.
  await request(service.app)
    .post(`/api/cases/${cases[0]!.caseId}/steps/cp_request-1/sign-off`)
    .set(service.stack.as('law_enforcement'))
    .set('Idempotency-Key', 'plain-language-sign-1')
    .send({ outcome: 'requested', details: { requestedOn: REQUESTED_ON } })
    .expect(200);
});

afterAll(async () => {
  await browser?.close();
});

const pageAs = (username: string): Promise<Page> => signedInPage(browser, service, username);

/** A case's notice as its workflow records one, now: to the coordinator in the app unless `to` names another. */
const noticeOf = (
  of: { caseId: string; reference: string },
  alarmId: string,
  what: Pick<NewNotification, 'stepId' | 'stepKind' | 'kind'>,
  to: { agencyId: string; email: string | null } = { agencyId: DEMO_AGENCIES.coordinator, email: null },
) =>
  enqueue(service.stack.pool, {
    caseId: of.caseId,
    alarmId,
    reference: of.reference,
    ...what,
    recipientAgencyId: to.agencyId,
    recipientEmail: to.email,
    subject: what.kind.toUpperCase(),
    bodyText: what.kind.toUpperCase(),
    dueAt: new Date().toISOString(),
  });
const PASSED = { stepId: 'passed_summary', stepKind: 'passed_summary', kind: 'passed_summary' } as const;
const TO_ICE = { agencyId: DEMO_AGENCIES.ice, email: 'ice@example.gov' };

/** Visits the page and checks what a person reads there: no ISO instant, step id or agency id, and axe-clean. */
async function read(page: Page, path: string): Promise<string> {
  const response = await page.goto(`${service.base}${path}`);
  expect([path, response?.status()]).toEqual([path, 200]);
  const text = await page.evaluate(() => document.body.innerText);
  expect({ path, iso: ISO_INSTANT.exec(text)?.[0] }).toEqual({ path, iso: undefined });
  expect({ path, stepId: STEP_ID.exec(text)?.[0] }).toEqual({ path, stepId: undefined });
  // As whole words: "demo-police" is the agency's id, "demo-police-officer" a username.
  const agencyIds = AGENCY_IDS.filter((id) => new RegExp(`(?<![\\w-])${id}(?![\\w-])`).test(text));
  expect({ path, agencyIds }).toEqual({ path, agencyIds: [] });
  await expectAccessible(page);
  return text;
}

test('the police officer reads dates in Chicago time and agencies by name, and the inbox puts today first', async () => {
  const page = await pageAs('demo-police-officer');
  const inbox = await read(page, '/');
  expect(inbox).toContain('Demo City Police Department (fictitious)'); // the header, by name
  expect(inbox).toMatch(/overdue by \d+ days/);
  const due = page.getByRole('table', { name: /^Overdue and due within 30 days/ });
  const cpRequest = due
    .getByRole('row')
    .filter({ hasText: cases[1]!.reference })
    .filter({ hasText: 'Continued Presence request' });
  expect(await cpRequest.textContent()).toMatch(/overdue by \d+ days?\).*Overdue/s);

  const casePage = await read(page, `/cases/${cases[0]!.caseId}`);
  // The CP request signed: when, not its old due date; the timeline in sentences naming the person and agency.
  expect(casePage).toContain(`Completed on ${formatCalendarDay(REQUESTED_ON)}`);
  // Signed off as of the day the officer entered (not the evening before in Chicago), recorded on the day it is in
  // Chicago, the officer's today, whatever the day in UTC.
  const recordedOn = localDateOf(new Date().toISOString(), 'America/Chicago');
  expect(casePage).toContain(
    `${formatCalendarDay(REQUESTED_ON)}\nContinued Presence request signed off by Demo Police Officer (fictitious) ` +
      `(${POLICE}). Recorded after the fact, on ${formatCalendarDay(recordedOn)}.`,
  );
  // Where the case stands: the request decided, who signed, and what comes next (ICE's decision, which the police
  // do not see: the page says it shows what their agency sees).
  expect(casePage).toContain('Where the case stands');
  expect(casePage).toContain(SIGNED_CP_REQUEST());
  expect(casePage).toContain('steps owed by other agencies may not be listed');
  // The minor's case: the 18th birthday named on its reminder, the 24-hour notice with its hour.
  const minor = await read(page, `/cases/${cases[2]!.caseId}`);
  expect(minor).toMatch(/Turns 18 on \d{1,2} [A-Z][a-z]{2,3} \d{4} – HHS notification of a minor/);
  expect(minor).toMatch(/\d{1,2} [A-Z][a-z]{2,3} \d{4}, \d\d:\d\d C[SD]T/);
  expect(minor).not.toContain('Expiring: HHS notification');

  await read(page, `/cases/${cases[1]!.caseId}/steps/cp_request-1`);
  await read(page, '/');
  await page.screenshot({ path: `${__dirname}/../../docs/screenshots/inbox.png`, fullPage: true });
  await page.context().close();
});

test('the coordinator: overdue steps shown as overdue, counts that link to what they count, with a contact', async () => {
  // Two escalations to the coordinator, as the outbox holds them: one of a CP request still open, one of a CP
  // request since signed. Only the open one is shown.
  for (const { caseId, reference } of [cases[1]!, cases[0]!])
    await enqueue(service.stack.pool, {
      caseId,
      alarmId: 'cp_request-1:escalation:plain-language',
      reference,
      stepId: 'cp_request-1',
      stepKind: 'cp_request',
      kind: 'escalation',
      recipientAgencyId: DEMO_AGENCIES.coordinator,
      recipientEmail: null,
      subject: 'ESCALATION',
      bodyText: 'ESCALATION',
      dueAt: new Date(Date.now() - 5 * DAY_MS).toISOString(),
    });
  const page = await pageAs('demo-coordinator');
  const dashboard = await read(page, '/');
  const escalations = page.getByRole('list', { name: 'Escalations to your agency' });
  expect(await escalations.textContent()).toContain(cases[1]!.reference);
  expect(await escalations.textContent()).not.toContain(cases[0]!.reference);
  expect(dashboard).toContain('due in the next 7 days');
  expect(await page.getByRole('link', { name: 'List steps due in the next 7 days' }).getAttribute('href')).toBe(
    '/steps?status=due_soon',
  );

  // The pending list says "Overdue" of the steps past their due date, and names who to chase.
  const pending = await read(page, '/steps?status=pending');
  const late = page
    .getByRole('row')
    .filter({ hasText: cases[1]!.reference })
    .filter({ hasText: 'Continued Presence request' });
  expect(await late.textContent()).toContain('Overdue');
  expect(pending).toMatch(/Contact Demo City Police Department \(fictitious\): \S+@\S+/);
  // "Due in the next 7 days" lists exactly that: nothing overdue, nothing later.
  await read(page, '/steps?status=due_soon');
  for (const row of await page.getByRole('row').filter({ hasText: 'RC-' }).all())
    expect(await row.textContent()).toMatch(/\((due today|due tomorrow|in [2-7] days)\)\s*Pending/);

  await read(page, '/cases');
  // "Due next": the overdue CP request's date, then the step on the same line; whom to chase below, not between.
  await read(page, `/cases/${cases[1]!.caseId}`);
  const dueNext = page.getByRole('list', { name: 'Due next' }).getByRole('listitem');
  const [line, contact, ...rest] = (await dueNext.filter({ hasText: 'Continued Presence request' }).innerText())
    .split('\n')
    .filter((said) => said.trim() !== '');
  expect(line).toMatch(
    /^\d{1,2} [A-Z][a-z]{2,3} \d{4} \(overdue by \d+ days\): Continued Presence request \(Demo City Police Department \(fictitious\)\)$/,
  );
  expect([contact, rest]).toEqual([
    expect.stringMatching(/^Contact Demo City Police Department \(fictitious\): \S+@\S+$/),
    [],
  ]);
  const casePage = await read(page, `/cases/${cases[0]!.caseId}`);
  // The coordinator sees every track: the CP request decided and signed, ICE's decision next and by when.
  expect(casePage).toContain(SIGNED_CP_REQUEST());
  expect(casePage).toMatch(
    /Next: Continued Presence decision, owed by Demo ICE HSI Center for Countering Human Trafficking \(fictitious\), due \d{1,2} [A-Z][a-z]{2,3} \d{4} \(in \d+ days\)\./,
  );
  expect(casePage).not.toContain('steps owed by other agencies may not be listed');
  // The CP decision is ICE's (which the police do not see) and not yet late: due in so many days, by name.
  const cp = page.getByRole('table', { name: 'Continued Presence' });
  expect(await cp.getByRole('row').filter({ hasText: 'Continued Presence decision' }).textContent()).toMatch(
    /Demo ICE HSI Center for Countering Human Trafficking \(fictitious\).*\(in \d+ days\)/s,
  );

  await read(page, `/reports?from=${dateDaysAgo(30)}&to=${dateDaysAgo(0)}`);
  await page.context().close();
});

test('the advocate reads the same case in UTC (an agency without a zone of its own), by name', async () => {
  const page = await pageAs('demo-advocate');
  const home = await read(page, '/');
  expect(home).toContain('Demo Survivor Legal Advocates (fictitious)');
  // The T visa filings, due in 70 days, wait under "Upcoming", not with today's work.
  const upcoming = page.getByRole('table', { name: 'Upcoming' });
  expect(await upcoming.textContent()).toMatch(/\(in \d+ days\).*T visa application filing/s);
  expect(home).toContain('Nothing is overdue or due within 30 days.');
  const casePage = await read(page, `/cases/${cases[0]!.caseId}`);
  expect(casePage).toContain('Case opened by Demo City Police Department (fictitious).');
  expect(casePage).toMatch(/\d{1,2} [A-Z][a-z]{2,3} \d{4}, \d\d:\d\d UTC/);
  // Where the case stands, as far as the advocate's agency sees it: the T visa filing next, by when; said so.
  expect(casePage).toMatch(
    /Next: T visa application filing \(Form I-914\), owed by Demo Survivor Legal Advocates \(fictitious\), due /,
  );
  expect(casePage).toContain('steps owed by other agencies may not be listed');
  await page.context().close();
});

test('the supervisor reads where the case stands on every track, with who signed', async () => {
  const page = await pageAs('demo-supervisor');
  const casePage = await read(page, `/cases/${cases[0]!.caseId}`);
  expect(casePage).toContain('Where the case stands');
  expect(casePage).toContain(SIGNED_CP_REQUEST());
  await page.context().close();
});

test("the advocate reads how the other agencies' steps the T visa rests on went: CP granted until when, the declaration owed", async () => {
  const { caseId } = await open(
    { identifiedOn: dateDaysAgo(5), survivor: { name: 'Plain Words (fictitious)', birthDate: '1990-04-02' } },
    'plain-language-4',
  );
  const signOff = (kind: 'law_enforcement' | 'ice', stepId: string, body: object) =>
    request(service.app)
      .post(`/api/cases/${caseId}/steps/${stepId}/sign-off`)
      .set(service.stack.as(kind))
      .set('Idempotency-Key', `plain-language-${stepId}-4`)
      .send(body)
      .expect(200);
  await signOff('law_enforcement', 'cp_request-1', { outcome: 'requested', details: { requestedOn: dateDaysAgo(4) } });
  const validUntil = addYears(dateDaysAgo(2), 2);
  await signOff('ice', 'cp_decision-1', { outcome: 'granted', details: { grantedOn: dateDaysAgo(2), validUntil } });

  const page = await pageAs('demo-advocate');
  const casePage = await read(page, `/cases/${caseId}`);
  expect(casePage).toContain("Other agencies' steps your work depends on");
  expect(casePage).toContain(
    `Continued Presence decision: granted ${formatCalendarDay(dateDaysAgo(2))}, valid until ${formatCalendarDay(validUntil)}. ` +
      'Signed off by Demo ICE HSI Center for Countering Human Trafficking (fictitious).',
  );
  // CP first, as the tracks go; then the declaration, still owed.
  expect(casePage).toContain(
    `Signed off by Demo ICE HSI Center for Countering Human Trafficking (fictitious).\n` +
      `Law-enforcement declaration (Form I-914, Supplement B): not signed yet (optional evidence: the T-visa filing does not wait for it). Owed by ${POLICE}.`,
  );
  // How they went, and no more: the CP decision is no row of the advocate's steps, nor any entry of its timeline.
  expect(await page.getByRole('table', { name: 'Continued Presence' }).count()).toBe(0);
  expect(casePage).not.toContain('Continued Presence decision signed off');
  await page.context().close();
});

test('a Continued Presence that lapsed reads as expired after its last valid day, and the dashboard lists the notice of what passed', async () => {
  const { caseId, reference } = await open(
    { identifiedOn: dateDaysAgo(400), survivor: { name: 'Plain Words (fictitious)', birthDate: '1990-04-02' } },
    'plain-language-5',
  );
  const signOff = (kind: 'law_enforcement' | 'ice', stepId: string, body: object) =>
    request(service.app)
      .post(`/api/cases/${caseId}/steps/${stepId}/sign-off`)
      .set(service.stack.as(kind))
      .set('Idempotency-Key', `plain-language-${stepId}-5`)
      .send(body)
      .expect(200);
  await signOff('law_enforcement', 'cp_request-1', {
    outcome: 'requested',
    details: { requestedOn: dateDaysAgo(399) },
  });
  const validUntil = dateDaysAgo(30);
  await signOff('ice', 'cp_decision-1', { outcome: 'granted', details: { grantedOn: dateDaysAgo(398), validUntil } });
  // A lapse revealed by an entry is applied once the entry session has been left alone for half an hour.
  await service.stack.env.sleep(31 * 60_000);
  await eventually(async () => {
    const view = await request(service.app).get(`/api/cases/${caseId}`).set(service.stack.as('coordinator'));
    const steps = (view.body as { steps: { id: string; status: string }[] }).steps;
    return steps.find((step) => step.id === 'cp_decision-1' && step.status === 'expired');
  }, 'the grant recorded as expired');

  const page = await pageAs('demo-coordinator');
  await page.goto(`${service.base}/cases/${caseId}`);
  const row = page
    .getByRole('table', { name: 'Continued Presence' })
    .getByRole('row', { name: /^Continued Presence decision/ });
  expect(await row.getByRole('cell').nth(2).innerText()).toBe(`Expired: valid until ${formatCalendarDay(validUntil)}`);
  // Entered 400 days late, its passed reminders went into one notice, which the coordinator's dashboard lists.
  await eventually(async () => {
    const notices = await request(service.app)
      .get(`/api/notifications?caseId=${caseId}`)
      .set(service.stack.as('coordinator'));
    return (notices.body as { items: { kind: string }[] }).items.find((item) => item.kind === 'passed_summary');
  }, 'the notice of what had passed');
  await page.goto(`${service.base}/`);
  const listed = page.getByRole('list', { name: 'Cases brought up to date' }).getByRole('link', { name: reference });
  expect(await listed.count()).toBeGreaterThan(0);
  await page.context().close();
});

test("a step's note is read on the case page by those working the case, and only said to exist to a supervisor", async () => {
  const { caseId } = await open(
    { identifiedOn: dateDaysAgo(3), survivor: { name: 'Plain Words (fictitious)', birthDate: '1990-04-02' } },
    'plain-language-6',
  );
  const note = 'Statement taken on the 2nd; detective on leave until Monday';
  await request(service.app)
    .post(`/api/cases/${caseId}/steps/cp_request-1/sign-off`)
    .set(service.stack.as('law_enforcement'))
    .set('Idempotency-Key', 'plain-language-sign-6')
    .send({ outcome: 'requested', details: { requestedOn: dateDaysAgo(2), note } })
    .expect(200);
  const outcomeOf = async (username: string) => {
    const page = await pageAs(username);
    await page.goto(`${service.base}/cases/${caseId}`);
    const row = page
      .getByRole('table', { name: 'Continued Presence' })
      .getByRole('row', { name: /^Continued Presence request/ });
    const outcome = await row.getByRole('cell').nth(3).innerText();
    await page.context().close();
    return outcome;
  };
  expect(await outcomeOf('demo-coordinator')).toBe(`Requested\nNote: ${note}`);
  expect(await outcomeOf('demo-police-officer')).toBe(`Requested\nNote: ${note}`);
  expect(await outcomeOf('demo-supervisor')).toBe('Requested\nA note, shown only to those working the case');
});

/**
 * The administration and coordination pages, for each role that reads them: users, a user, agencies, an agency, API
 * keys, account, audit, closing and transferring a case, reports, the caseload and the form to open a case.
 */
test('every admin and coordinator page speaks in words, for each role that reads it', async () => {
  const users = await request(service.app)
    .get('/api/users')
    .set(service.stack.users['demo-system-admin']!.headers)
    .expect(200);
  const idOf = (username: string) =>
    (users.body as { items: { id: string; username: string }[] }).items.find((user) => user.username === username)!.id;
  const { caseId } = cases[1]!;
  const period = `?from=${dateDaysAgo(30)}&to=${dateDaysAgo(0)}`;
  const account = ['/account', '/account/api-keys'];
  const pagesOf: Record<string, string[]> = {
    'demo-admin': ['/users', `/users/${idOf('demo-coordinator')}`, '/users/new', '/audit', ...account],
    'demo-system-admin': [
      '/users',
      `/users?agencyId=${DEMO_AGENCIES.law_enforcement}`,
      `/users/${idOf('demo-police-officer')}`,
      '/agencies',
      `/agencies/${DEMO_AGENCIES.law_enforcement}`,
      '/agencies/new',
      '/audit',
      `/audit?agencyId=${DEMO_AGENCIES.law_enforcement}`,
      ...account,
    ],
    'demo-coordinator': [
      '/cases',
      `/cases?agencyId=${DEMO_AGENCIES.law_enforcement}`,
      `/cases/${caseId}/close`,
      `/cases/${caseId}/transfer`,
      `/reports${period}`,
      '/cases/new',
      ...account,
    ],
    'demo-supervisor': ['/audit', `/audit?caseId=${caseId}`, `/reports${period}`, '/cases', ...account],
    'demo-police-officer': ['/cases', '/cases/new', ...account],
  };
  for (const [username, paths] of Object.entries(pagesOf)) {
    const page = await pageAs(username);
    for (const path of paths) await read(page, path);
    await page.context().close();
  }
});

test('the dashboard lists the newest 20 cases brought up to date, and says how many more it does not show', async () => {
  // A caseload brought in at once: more notices of what had passed than the dashboard lists.
  for (let i = 0; i < 21; i += 1) await noticeOf(cases[2]!, `passed-summary:plain-language-${i}`, PASSED);
  const page = await pageAs('demo-coordinator');
  const dashboard = await read(page, '/');
  expect(await page.getByRole('list', { name: 'Cases brought up to date' }).getByRole('listitem').count()).toBe(20);
  expect(dashboard).toMatch(/The newest 20 are listed; \d+ earlier notices are not shown here\./);
  await page.context().close();
});

test('the dashboard names an email that keeps failing by what it is: a step, or the gathered "Brought up to date"', async () => {
  const failing = (alarmId: string, stepKind: string) =>
    noticeOf(cases[2]!, alarmId, { stepId: 'cp_decision-1', stepKind, kind: 'delivery_failing' });
  await failing('cp_decision-1:due:plain-language:delivery_failing', 'cp_decision');
  await failing('passed_summary:3:plain-language:delivery_failing', 'passed_summary');
  // Two emails that kept failing and were then settled: one sent at last, one not sent, its step done meanwhile.
  const email = (alarmId: string) =>
    noticeOf(cases[2]!, alarmId, { stepId: 'cp_decision-1', stepKind: 'cp_decision', kind: 'reminder' }, TO_ICE);
  const settled = await email('cp_decision-1:reminder:plain-language-settled');
  await markNotSent(
    service.stack.pool,
    settled.id,
    'not sent: the step was done before the email could go out',
    new Date(),
  );
  await failing('cp_decision-1:reminder:plain-language-settled:delivery_failing', 'cp_decision');
  const sent = await email('cp_decision-1:reminder:plain-language-sent');
  await markSent(service.stack.pool, sent.id, new Date());
  await failing('cp_decision-1:reminder:plain-language-sent:delivery_failing', 'cp_decision');
  const page = await pageAs('demo-coordinator');
  await read(page, '/');
  const lines = await page.getByRole('list', { name: 'Emails not delivered' }).getByRole('listitem').allInnerTexts();
  expect(lines).toHaveLength(3);
  expect(lines.join('\n')).toMatch(/Continued Presence decision\. Still retrying/);
  expect(lines.join('\n')).toMatch(/its “Brought up to date” email\. Still retrying/);
  const settledLines = lines.filter((line) => /settled/.test(line));
  expect(settledLines).toHaveLength(1);
  expect(settledLines[0]).toMatch(
    /then settled: .*Continued Presence decision\. Not sent: the step was done before the email could go out\. Nothing left to do\.$/,
  );
  expect(settledLines[0]).not.toMatch(/retrying/i);
  await page.context().close();
});

test('the dashboard reads the notices to the coordinator among hundreds to the other agencies of its cases', async () => {
  // An email to an agency that keeps failing and a case brought up to date, then a caseload's day of notices to the
  // other agencies, all newer: the reminders, due notices and escalations of hundreds of cases. They used to fill the
  // 200 notices the dashboard reads, which then held none of the coordinator's: its "Emails not delivered" and
  // "Cases brought up to date" were gone from the page.
  const tVisaFiling = { stepId: 't_visa_filing-1', stepKind: 't_visa_filing' };
  const failing = { ...tVisaFiling, kind: 'delivery_failing' } as const;
  await noticeOf(cases[1]!, 't_visa_filing-1:due:plain-language-crowded:delivery_failing', failing);
  await noticeOf(cases[1]!, 'passed-summary:plain-language-crowded', PASSED);
  const reminder = { ...tVisaFiling, kind: 'reminder' } as const;
  for (let i = 0; i < 200; i += 1)
    await noticeOf(cases[i % 2]!, `t_visa_filing-1:reminder:plain-language-crowd-${i}`, reminder, TO_ICE);
  const page = await pageAs('demo-coordinator');
  await read(page, '/');
  const undelivered = page.getByRole('list', { name: 'Emails not delivered' }).getByRole('listitem');
  const stillFailing = undelivered.filter({ hasText: 'T visa application filing (Form I-914). Still retrying' });
  expect(await stillFailing.count()).toBe(1);
  const broughtUpToDate = page.getByRole('list', { name: 'Cases brought up to date' });
  expect(await broughtUpToDate.getByRole('link', { name: cases[1]!.reference }).count()).toBe(1);
  await page.context().close();
});

test('the dashboard says when more escalations are open than it lists, and where every overdue step is', async () => {
  const page = await pageAs('demo-coordinator');
  await read(page, '/');
  expect(await page.getByText(/more escalations to your agency are still open/).count()).toBe(0);
  // A caseload's escalations, each of its step still pending: more than the 100 the dashboard lists. It used to list
  // the newest 100 as if they were all.
  const escalation = { stepId: 'cp_request-1', stepKind: 'cp_request', kind: 'escalation' } as const;
  for (let i = 0; i < 101; i += 1)
    await noticeOf(cases[1]!, `cp_request-1:escalation:plain-language-crowd-${i}`, escalation);
  await read(page, '/');
  expect(await page.getByRole('list', { name: 'Escalations to your agency' }).getByRole('listitem').count()).toBe(100);
  const more = page.getByText(/^The newest 100 are listed; more escalations to your agency are still open/);
  expect(await more.count()).toBe(1);
  expect(await more.getByRole('link', { name: 'list of overdue steps' }).getAttribute('href')).toBe(
    '/steps?status=overdue',
  );
  await page.context().close();
});
