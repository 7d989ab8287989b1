/**
 * One deadline, one day, on the console's pages (probe K5): the police keep Chicago's time and the task force New
 * York's. A case identified at the police's midnight (00:00 by its hour: one identified by its day alone counts its
 * days from the day as typed since session 49) has its CP request due at the police's midnight; read between 00:00 and 01:00
 * in New York, when New York's calendar has already turned and Chicago's has not, both read the same last day and
 * the same words beside it. The whole service on real parts, the console calling the API over HTTP.
 */
import request from 'supertest';
import { formatCalendarDay, formatDateTime } from '../../core/people-dates';
import { localDateOf } from '../../core/time-zones';
import { upsertAgencies } from '../../db/agencies';
import { DEMO_AGENCIES, DEMO_AGENCY_LIST } from '../../db/seed';
import { addDays } from '../../domain/dates';
import { SESSION_COOKIE } from '../../web/session';
import { consoleStackPerFile } from '../support/console';
import { eventually } from '../support/eventually';

// The API's clock is the test server's: the pages are read at the hour it skips to.
const service = consoleStackPerFile({}, { onTestClock: true });
const CHICAGO = 'America/Chicago';
const NEW_YORK = 'America/New_York';
/** How long before the deadline the pages are read: 00:32 in New York, 23:32 in Chicago. */
const BEFORE_MS = 28 * 60 * 1000;

const zoned = (id: string, timeZone: string) => ({ ...DEMO_AGENCY_LIST.find((agency) => agency.id === id)!, timeZone });

/** The due cell of the row naming `rowNames` (each of them) on a page: its last day and the words beside it, tags left out. */
async function dueAsRead(username: string, path: string, rowNames: string | string[]): Promise<string> {
  const names = typeof rowNames === 'string' ? [rowNames] : rowNames;
  // The case's projection lands after its opening answers: the row appears once it has.
  const due = await eventually(async () => {
    const page = await request(service.app)
      .get(path)
      .set('Cookie', `${SESSION_COOKIE}=${service.sessionCookie(username)}`)
      .expect(200);
    const row = page.text.split('<tr>').find((cells) => names.every((name) => cells.includes(name)));
    return (
      /<span class="date">([^<]*)<\/span> <span class="relative[^"]*">\(([^)]*)\)<\/span>/.exec(row ?? '') ?? false
    );
  }, `the due date on ${path}`);
  return `${due[1]} (${due[2]})`;
}

/** A case the police open for a survivor identified as a day began where they are: its id, reference and steps. */
async function openCase(key: string, name: string, identifiedOn: string, birthDate = '1990-05-06') {
  const opened = await request(service.app)
    .post('/api/cases')
    .set(service.stack.as('law_enforcement'))
    .set('Idempotency-Key', key)
    .send({ identifiedAt: `${identifiedOn}T00:00`, survivor: { name, birthDate }, agencies: DEMO_AGENCIES })
    .expect(201);
  return opened.body as { caseId: string; reference: string; steps: { id: string; dueAt: string | null }[] };
}

test('the police in Chicago and the task force in New York read the same last day and words', async () => {
  await upsertAgencies(service.stack.pool, [
    zoned(DEMO_AGENCIES.law_enforcement, CHICAGO),
    zoned(DEMO_AGENCIES.coordinator, NEW_YORK),
  ]);
  const today = localDateOf(new Date(await service.stack.env.currentTimeMs()).toISOString(), CHICAGO);
  // Identified 13 days ago in Chicago: the CP request (14 days) is due as Chicago's tomorrow begins.
  const { caseId, reference, steps } = await openCase(
    'deadline-zones-1',
    'Zone Reader (fictitious)',
    addDays(today, -13),
  );
  const dueAt = steps.find((step) => step.id === 'cp_request-1')!.dueAt!;

  await service.stack.env.sleep(Date.parse(dueAt) - BEFORE_MS - (await service.stack.env.currentTimeMs()));
  const now = new Date(await service.stack.env.currentTimeMs()).toISOString();
  // New York's calendar has turned, Chicago's has not: the hour the two used to read different days.
  expect(localDateOf(now, NEW_YORK)).toBe(addDays(localDateOf(now, CHICAGO), 1));

  const pending = '/steps?status=pending&kind=cp_request';
  const lastDay = formatCalendarDay(today);
  expect(await dueAsRead('demo-police-officer', pending, reference)).toBe(`${lastDay} (due today)`);
  // New York's own day has turned: the words say whose "today" they mean.
  expect(await dueAsRead('demo-coordinator', pending, reference)).toBe(`${lastDay} (due today, Chicago time)`);
  // The case page says it as the lists do.
  const casePage = `/cases/${caseId}`;
  expect(await dueAsRead('demo-police-officer', casePage, 'Continued Presence request')).toBe(`${lastDay} (due today)`);
  expect(await dueAsRead('demo-coordinator', casePage, 'Continued Presence request')).toBe(
    `${lastDay} (due today, Chicago time)`,
  );
});

test('a police in Pago Pago moves no deadline dated at noon UTC: the coordinator reads its own day (probe N4)', async () => {
  // Pago Pago (UTC-11, no change of the clocks) is where noon UTC is 01:00, an hour off its midnight.
  await upsertAgencies(service.stack.pool, [
    { ...zoned(DEMO_AGENCIES.law_enforcement, 'Pacific/Pago_Pago'), id: 'police-pago-pago', name: 'Pago Pago Police' },
  ]);
  const today = localDateOf(new Date(await service.stack.env.currentTimeMs()).toISOString(), CHICAGO);
  const { caseId, reference } = await openCase(
    'deadline-zones-pago-pago',
    'Noon Reader (fictitious)',
    addDays(today, -3),
  );
  // Requested on a past day: dated at noon UTC, so the CP decision counted from it is due at noon UTC.
  await request(service.app)
    .post(`/api/cases/${caseId}/steps/cp_request-1/sign-off`)
    .set(service.stack.as('law_enforcement'))
    .set('Idempotency-Key', 'deadline-zones-pago-pago-request')
    .send({ outcome: 'requested', details: { requestedOn: addDays(today, -2) } })
    .expect(200);
  const dueAt = await eventually(async () => {
    const read = await request(service.app)
      .get(`/api/cases/${caseId}`)
      .set(service.stack.as('coordinator'))
      .expect(200);
    const steps = (read.body as { steps: { id: string; dueAt: string | null }[] }).steps;
    return steps.find((step) => step.id === 'cp_decision-1')?.dueAt ?? false;
  }, 'the CP decision step');
  expect(dueAt.slice(10)).toBe('T12:00:00.000Z');

  const due = await dueAsRead('demo-coordinator', '/steps?status=pending&kind=cp_decision', reference);
  expect(due.split(' (')[0]).toBe(formatCalendarDay(dueAt.slice(0, 10)));
});

test("a minor's 24-hour notice is due at the same hour on the cases list as on the case page (probe W5)", async () => {
  const today = localDateOf(new Date(await service.stack.env.currentTimeMs()).toISOString(), CHICAGO);
  const { caseId, reference, steps } = await openCase(
    'deadline-zones-minor',
    'Minor Reader (fictitious)',
    addDays(today, -3),
    addDays(today, -12 * 366),
  );
  // The notice is the case's first deadline: the list's "Next due" is its.
  const due = steps.filter((step) => step.dueAt !== null);
  const first = due.reduce((earliest, step) => (step.dueAt! < earliest.dueAt! ? step : earliest));
  expect(first.id).toBe('hhs_minor_notification-1');

  const onTheList = await dueAsRead('demo-coordinator', '/cases', reference);
  const onTheCasePage = await dueAsRead('demo-coordinator', `/cases/${caseId}`, 'HHS notification of a minor');
  expect(onTheList).toBe(onTheCasePage);
  // Its hour, as every page names the 24-hour notice's deadline, not the day before it as a last day to act.
  expect(onTheList).toMatch(/, \d\d:\d\d /);
});

test("a minor's 24-hour notice read hours after its hour says how many hours late, on the inbox and its form", async () => {
  await upsertAgencies(service.stack.pool, [zoned(DEMO_AGENCIES.law_enforcement, CHICAGO)]);
  const today = localDateOf(new Date(await service.stack.env.currentTimeMs()).toISOString(), CHICAGO);
  const { caseId, reference, steps } = await openCase(
    'deadline-zones-minor-late',
    'Late Notice Reader (fictitious)',
    today,
    addDays(today, -12 * 366),
  );
  // Identified by the day: the notice is due 24 hours after the police's midnight, read 2 hours 52 minutes after.
  const dueAt = steps.find((step) => step.id === 'hhs_minor_notification-1')!.dueAt!;
  const late = (2 * 60 + 52) * 60 * 1000;
  await service.stack.env.sleep(Date.parse(dueAt) + late - (await service.stack.env.currentTimeMs()));

  const shown = `${formatDateTime(dueAt, CHICAGO)} (overdue by 2 hours)`;
  expect(await dueAsRead('demo-police-officer', '/', [reference, 'HHS notification of a minor'])).toBe(shown);
  const form = await request(service.app)
    .get(`/cases/${caseId}/steps/hhs_minor_notification-1`)
    .set('Cookie', `${SESSION_COOKIE}=${service.sessionCookie('demo-police-officer')}`)
    .expect(200);
  expect(form.text).toContain('(overdue by 2 hours)');
  expect(form.text).not.toContain('(overdue by 1 day)');
});
