/**
 * No inference of a minor's birth date (issue 13): the 18th birthday decides when the HHS request is urgent, and a
 * date derived from it (the birthday, or a reminder lead before it) must not appear where the identity may not.
 * A minor's case is left without its HHS request until after the birthday (time skipping), so every birthday reminder
 * fires; then the birthday and its lead dates, in every form a text could hold them, are looked for in every row of
 * every table, the case's Temporal history as the server stores it (event times included: when a timer fired),
 * every email, every log line and every API view of a supervisor and an administrator. Those who may read the
 * identity find the day on the case page.
 */
import request from 'supertest';
import { listNotifications } from '../../db/notifications';
import { DEMO_AGENCIES } from '../../db/seed';
import { addDays, addYears, dateOf } from '../../domain/dates';
import { DEFAULT_POLICY, policyWithOverrides } from '../../domain/policy';
import { STEP_KINDS } from '../../domain/types';
import { SESSION_COOKIE } from '../../web/session';
import { formatCalendarDay } from '../../core/people-dates';
import { databaseRows, dateForms, logCapture, needlesIn, storedHistory } from '../support/scan';
import { startConsoleStack, type ConsoleStack } from '../support/console';
import { eventually, type Stack } from '../support/stack';

const DAY_MS = 86_400_000;
const LEADS = DEFAULT_POLICY.expiryLeads.minorTurns18.leadDays;

// Only the birthday reminders fire: no other dated message could happen to share a date with the needles.
const QUIET_POLICY = policyWithOverrides({
  version: 'test-birth-date-inference',
  reminders: Object.fromEntries(
    STEP_KINDS.map((kind) => [
      kind,
      { beforeDueDays: [], atDue: false, escalateAfterDays: [], source: 'test: birthday reminders only' },
    ]),
  ),
});

let stack: Stack;
let running: ConsoleStack;
let app: ConsoleStack['app'];
const log = logCapture();
beforeAll(async () => {
  running = await startConsoleStack({ log: { level: 'trace', destination: log.destination } });
  ({ stack, app } = running);
  stack.setPolicy(QUIET_POLICY);
});
afterAll(async () => {
  await running?.stop();
});

test("a minor's 18th birthday and its reminder leads appear nowhere a reader without the identity could see them", async () => {
  const today = dateOf(new Date(await stack.env.currentTimeMs()).toISOString());
  const birthday = addDays(today, 200);
  const derived = [birthday, ...LEADS.map((lead) => addDays(birthday, -lead))];
  const opened = await request(app)
    .post('/api/cases')
    .set(stack.as('law_enforcement'))
    .set('Idempotency-Key', 'birth-date-inference-1')
    .send({
      identifiedOn: today,
      survivor: { name: 'Nadia Ferreira-Okafor', birthDate: addYears(birthday, -18) },
      agencies: DEMO_AGENCIES,
    })
    .expect(201);
  const { caseId, steps } = opened.body as {
    caseId: string;
    steps: { dueAt: string | null; expiresAt: string | null }[];
  };
  // The case's own dates are not derived from the birthday; if one fell on a needle the scan could not tell.
  const ownDates = new Set([
    today,
    ...steps.flatMap((step) => [step.dueAt, step.expiresAt]).flatMap((at) => (at ? [dateOf(at)] : [])),
  ]);
  expect(derived.filter((date) => ownDates.has(date))).toEqual([]);

  // Past the birthday with the request never made: every lead's reminder has fired.
  await stack.env.sleep(Date.parse(`${birthday}T00:00:00Z`) + DAY_MS - (await stack.env.currentTimeMs()));
  const reminders = await eventually(async () => {
    const { items } = await listNotifications(stack.pool, { caseId, limit: 50 });
    const sent = items.filter((item) => item.stepId === 'hhs_minor_notification-1' && item.sentAt);
    return sent.length === LEADS.length ? sent : undefined;
  }, 'a birthday reminder per lead, sent');
  expect(
    reminders.every(
      (item) => item.kind === 'expiry_reminder' && item.dueAt === null && item.subject.startsWith('Urgent: notify HHS'),
    ),
  ).toBe(true);

  const needles = derived.flatMap(dateForms);
  const found = (text: string) => needlesIn(needles, text);
  const views: Record<string, string> = {};
  for (const user of ['demo-supervisor', 'demo-admin', 'demo-system-admin']) {
    for (const path of [
      `/api/cases/${caseId}`,
      `/api/cases/${caseId}/reminders`,
      `/api/notifications?caseId=${caseId}`,
      '/api/notifications',
      '/api/steps?limit=200',
      '/api/dashboard',
      '/api/audit?limit=200',
    ]) {
      const response = await request(app).get(path).set(stack.users[user]!.headers);
      views[`${user} ${path} (${response.status})`] = response.text;
    }
  }
  // Nor are the reminders themselves shown to them, whose timing tells the birthday to the week of their grid; those
  // who read the identity see them.
  for (const path of [`/api/cases/${caseId}`, `/api/notifications?caseId=${caseId}`]) {
    const read = async (user: string) =>
      (await request(app).get(path).set(stack.users[user]!.headers).expect(200)).text;
    expect(await read('demo-supervisor')).not.toContain('minor_turns_18');
    expect(await read('demo-police-officer')).toContain('minor_turns_18');
  }
  const rows = await databaseRows(stack);
  const history = await storedHistory(stack, caseId);
  const emails = stack.mail.messages().map((message) => JSON.stringify(message));
  // The scan reads what it should: the reminders' timer events, emails and rows are among what it read.
  expect(history.text).toMatch(/timerFiredEventAttributes/);
  expect(emails.filter((text) => text.includes('turns 18')).length).toBe(LEADS.length);

  const leaks = {
    rows: rows.flatMap((row) => found(row.text).map((needle) => `${row.table}: ${needle}`)),
    history: found(history.text),
    emails: emails.flatMap(found),
    logs: log.lines.flatMap(found),
    views: Object.entries(views).flatMap(([view, text]) => found(text).map((needle) => `${view}: ${needle}`)),
  };
  console.log(
    `birth-date scan for ${derived.join(', ')}: ${rows.length} rows, ${history.text.length} bytes of history, ${emails.length} emails, ${log.lines.length} log lines, ${Object.keys(views).length} views; hits: ${JSON.stringify(leaks)}`,
  );
  expect(leaks).toEqual({ rows: [], history: [], emails: [], logs: [], views: [] });

  // Those who may read the identity see the day on the case page, beside the birth date it comes from.
  const page = await request(app)
    .get(`/cases/${caseId}`)
    .set('Cookie', `${SESSION_COOKIE}=${running.sessionCookie('demo-police-officer')}`)
    .expect(200);
  const day = formatCalendarDay(birthday);
  expect(page.text).toContain(`${day}</span>: the request for HHS assistance must be made before this day`);
  expect(page.text).toContain(`HHS must be asked before <span class="date">${day}</span> (turns 18)`);
  const supervisorPage = await request(app)
    .get(`/cases/${caseId}`)
    .set('Cookie', `${SESSION_COOKIE}=${running.sessionCookie('demo-supervisor')}`)
    .expect(200);
  expect(found(supervisorPage.text)).toEqual([]);
});

test("a supervisor's view of a minor's case reads the same before a birthday reminder fired and after", async () => {
  const today = dateOf(new Date(await stack.env.currentTimeMs()).toISOString());
  const birthday = addDays(today, 120);
  const opened = await request(app)
    .post('/api/cases')
    .set(stack.as('law_enforcement'))
    .set('Idempotency-Key', 'birth-date-inference-2')
    .send({
      identifiedOn: today,
      survivor: { name: 'Ilse Varga-Mendes', birthDate: addYears(birthday, -18) },
      agencies: DEMO_AGENCIES,
    })
    .expect(201);
  const { caseId } = opened.body as { caseId: string };
  const view = async (user: string) => {
    const answer = await request(app).get(`/api/cases/${caseId}`).set(stack.users[user]!.headers).expect(200);
    const { version, updatedAt, timeline } = answer.body as { version: number; updatedAt: string; timeline: unknown[] };
    return { version, updatedAt, timeline };
  };
  const before = await view('demo-supervisor');

  // A day past the first lead: its reminder has fired (at the grid's week boundary before it), and nothing else has.
  const firstLead = addDays(birthday, -Math.max(...LEADS) + 1);
  await stack.env.sleep(Date.parse(`${firstLead}T00:00:00Z`) - (await stack.env.currentTimeMs()));
  await eventually(async () => {
    const { items } = await listNotifications(stack.pool, { caseId, limit: 50 });
    return items.some((item) => item.kind === 'expiry_reminder') || undefined;
  }, 'the first birthday reminder');
  expect(JSON.stringify((await view('demo-coordinator')).timeline)).toContain('minor_turns_18');
  // Its case's count of changes, last change and numbering, which the supervisor read before, would tell the week.
  expect(await view('demo-supervisor')).toEqual(before);
});
