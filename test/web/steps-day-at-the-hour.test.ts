/**
 * A day typed in the Steps page's due filters lists a step under the day its row shows as due, also for the minors'
 * 24-hour notice to HHS, shown at its hour (re-probe): a minor identified by the date alone in Los Angeles is due
 * for that notice at the police's next midnight, which the police's row shows as "00:00 PST" on that day, where a
 * step counted in days at the same instant shows the day before. The whole service on real parts, read by the police.
 */
import request from 'supertest';
import { formatDateTime } from '../../core/people-dates';
import { localDateOf, startOfLocalDay } from '../../core/time-zones';
import { upsertAgencies } from '../../db/agencies';
import { DEMO_AGENCIES, DEMO_AGENCY_LIST } from '../../db/seed';
import { addDays } from '../../domain/dates';
import { SESSION_COOKIE } from '../../web/session';
import { consoleStackPerFile } from '../support/console';
import { eventually } from '../support/eventually';

const service = consoleStackPerFile();
const LOS_ANGELES = 'America/Los_Angeles';

const page = (path: string) =>
  request(service.app)
    .get(path)
    .set('Cookie', `${SESSION_COOKIE}=${service.sessionCookie('demo-police-officer')}`)
    .expect(200);

let caseRef = '';
let dueDay = '';
/** The notice's row, by its step cell (the kind filter's options name it too). */
const NOTICE_ROW = '<td data-label="Step">HHS notification of a minor (24 hours)</td>';

beforeAll(async () => {
  await upsertAgencies(service.stack.pool, [
    { ...DEMO_AGENCY_LIST.find((agency) => agency.id === DEMO_AGENCIES.law_enforcement)!, timeZone: LOS_ANGELES },
  ]);
  const identifiedOn = addDays(localDateOf(new Date().toISOString(), LOS_ANGELES), -3);
  const opened = await request(service.app)
    .post('/api/cases')
    .set(service.stack.as('law_enforcement'))
    .set('Idempotency-Key', 'steps-day-at-the-hour-1')
    .send({
      identifiedOn,
      survivor: { name: 'Hour Filter (fictitious)', birthDate: addDays(identifiedOn, -15 * 366) },
      agencies: DEMO_AGENCIES,
    })
    .expect(201);
  const body = opened.body as { reference: string; steps: { id: string; dueAt: string | null }[] };
  caseRef = body.reference;
  const dueAt = body.steps.find((step) => step.id === 'hhs_minor_notification-1')!.dueAt!;
  // 24 hours from the day of the identification: due exactly as the police's next day begins.
  dueDay = addDays(identifiedOn, 1);
  expect(dueAt).toBe(startOfLocalDay(dueDay, LOS_ANGELES));
  // The row shows it at its hour, on that day: "… 00:00 PST".
  expect(formatDateTime(dueAt, LOS_ANGELES)).toMatch(/, 00:00 P[SD]T$/);
  await eventually(async () => {
    const listed = await page('/steps?status=pending&kind=hhs_minor_notification');
    return listed.text.includes(caseRef) && listed.text.includes(formatDateTime(dueAt, LOS_ANGELES));
  }, 'the notice listed at its hour');
});

const stepsDue = (kind: string, from: string, before: string) =>
  page(`/steps?${new URLSearchParams({ kind, dueAfter: from, dueBefore: before }).toString()}`);

test.each(['hhs_minor_notification', ''])(
  "the notice due at the police's midnight is found under the day its row shows (kind filter '%s')",
  async (kind) => {
    const onItsDay = (await stepsDue(kind, dueDay, addDays(dueDay, 1))).text;
    expect(onItsDay).toContain(caseRef);
    expect(onItsDay).toContain(NOTICE_ROW);
    expect((await stepsDue(kind, addDays(dueDay, -1), dueDay)).text).not.toContain(NOTICE_ROW);
    expect((await stepsDue(kind, addDays(dueDay, 1), addDays(dueDay, 2))).text).not.toContain(NOTICE_ROW);
  },
);
