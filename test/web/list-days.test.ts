/**
 * The days typed in the lists' filters mean the days the rows show (probe: dates and time zones, item 1): the police
 * keep Los Angeles's time and the task force Honolulu's. "Due on or after" and "Due before" a day select by the last
 * day to act each step shows; "Opened on or after" and "Opened before" by the day each case shows it was opened, in
 * the reader's zone, read in the hours when Honolulu's day is not UTC's. The whole service on real parts.
 */
import request from 'supertest';
import { formatCalendarDay } from '../../core/people-dates';
import { localDateOf, startOfLocalDay } from '../../core/time-zones';
import { upsertAgencies } from '../../db/agencies';
import { DEMO_AGENCIES, DEMO_AGENCY_LIST } from '../../db/seed';
import { addDays } from '../../domain/dates';
import { SESSION_COOKIE } from '../../web/session';
import { consoleStackPerFile } from '../support/console';
import { eventually } from '../support/eventually';

const service = consoleStackPerFile({}, { onTestClock: true });
const LOS_ANGELES = 'America/Los_Angeles';
const HONOLULU = 'Pacific/Honolulu';
const HOUR_MS = 3_600_000;

const zoned = (id: string, timeZone: string) => ({ ...DEMO_AGENCY_LIST.find((agency) => agency.id === id)!, timeZone });

const page = (path: string) =>
  request(service.app)
    .get(path)
    .set('Cookie', `${SESSION_COOKIE}=${service.sessionCookie('demo-coordinator')}`)
    .expect(200);

const nowIso = async () => new Date(await service.stack.env.currentTimeMs()).toISOString();

let caseRef = '';
let caseId = '';
let cpLastDay = '';
let openedDay = '';

beforeAll(async () => {
  await upsertAgencies(service.stack.pool, [
    zoned(DEMO_AGENCIES.law_enforcement, LOS_ANGELES),
    zoned(DEMO_AGENCIES.coordinator, HONOLULU),
  ]);
  // An hour past UTC's midnight: Honolulu's calendar (UTC-10) still reads the day before.
  const now = Date.parse(await nowIso());
  const nextUtcMidnight = Math.ceil(now / (24 * HOUR_MS)) * 24 * HOUR_MS;
  await service.stack.env.sleep(nextUtcMidnight + HOUR_MS - now);
  const at = await nowIso();
  openedDay = localDateOf(at, HONOLULU);
  expect(openedDay).not.toBe(at.slice(0, 10));

  const identifiedOn = addDays(localDateOf(at, LOS_ANGELES), -3);
  const opened = await request(service.app)
    .post('/api/cases')
    .set(service.stack.as('law_enforcement'))
    .set('Idempotency-Key', 'list-days-1')
    .send({
      // As its day began in Los Angeles, by the hour: its deadlines fall at a midnight there (one identified by its
      // day alone counts from the day as typed, due all of its last day, since session 49).
      identifiedAt: `${identifiedOn}T00:00`,
      survivor: { name: 'Day Filter (fictitious)', birthDate: '1990-05-06' },
      agencies: DEMO_AGENCIES,
    })
    .expect(201);
  const body = opened.body as { caseId: string; reference: string; steps: { id: string; dueAt: string | null }[] };
  caseRef = body.reference;
  caseId = body.caseId;
  const dueAt = body.steps.find((step) => step.id === 'cp_request-1')!.dueAt!;
  // Counted from the start of the identification's day: due as Los Angeles's day begins, its last day the one before.
  expect(startOfLocalDay(localDateOf(dueAt, LOS_ANGELES), LOS_ANGELES)).toBe(dueAt);
  cpLastDay = addDays(localDateOf(dueAt, LOS_ANGELES), -1);
  // The list shows that day.
  await eventually(async () => {
    const listed = await page('/steps?status=pending&kind=cp_request');
    return listed.text.includes(caseRef) && listed.text.includes(formatCalendarDay(cpLastDay));
  }, 'the CP request listed with its last day');
});

const stepsDue = (from: string, before: string) =>
  page(`/steps?${new URLSearchParams({ kind: 'cp_request', dueAfter: from, dueBefore: before }).toString()}`);

test('a step is found by the last day to act it shows, not by the UTC day of its deadline', async () => {
  const onItsDay = await stepsDue(cpLastDay, addDays(cpLastDay, 1));
  expect(onItsDay.text).toContain(caseRef);
  const dayAfter = await stepsDue(addDays(cpLastDay, 1), addDays(cpLastDay, 2));
  expect(dayAfter.text).not.toContain(caseRef);
  const dayBefore = await stepsDue(addDays(cpLastDay, -1), cpLastDay);
  expect(dayBefore.text).not.toContain(caseRef);
});

const casesOpened = (from: string, before: string) =>
  page(`/cases?${new URLSearchParams({ openedFrom: from, openedTo: before }).toString()}`);

test('a case is found by the day it was opened where the reader is, as its page shows it', async () => {
  // The case page says the day it was opened, where the reader is.
  const casePage = await page(`/cases/${caseId}`);
  expect(casePage.text).toContain(`<dt>Opened</dt><dd><span class="date">${formatCalendarDay(openedDay)}</span>`);
  await eventually(async () => (await page('/cases')).text.includes(caseRef), 'the case in the caseload');

  expect((await casesOpened(openedDay, addDays(openedDay, 1))).text).toContain(caseRef);
  expect((await casesOpened(addDays(openedDay, 1), addDays(openedDay, 2))).text).not.toContain(caseRef);
  expect((await casesOpened(addDays(openedDay, -1), openedDay)).text).not.toContain(caseRef);
});
