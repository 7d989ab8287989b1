/**
 * A day typed in the Steps page's due filters lists a step under the day its row shows as due, also for a reader east
 * of the police (probe E4): the police in Chicago identify a survivor at 15:00 by the hour, so the CP request (14 days)
 * falls due at 15:00 in Chicago, already 07:00 the next day in Guam, where the task force reads it; that is before
 * the police's midnight, and the bound alone listed it under the day before (the gap web/day-bounds.ts documented).
 * A case identified at the police's midnight that day (00:00 by the hour, as a case identified by its date alone
 * counted before session 49), due at the police's midnight, still shows, and is found under, the day before it. The whole service on real parts, the console calling the API over HTTP.
 */
import request from 'supertest';
import { deadlineZone, lastDayToAct } from '../../core/people-dates';
import { instantOfLocal, localDateOf } from '../../core/time-zones';
import { upsertAgencies } from '../../db/agencies';
import { DEMO_AGENCIES, DEMO_AGENCY_LIST } from '../../db/seed';
import { addDays } from '../../domain/dates';
import { SESSION_COOKIE } from '../../web/session';
import { consoleStackPerFile } from '../support/console';
import { eventually } from '../support/eventually';

const service = consoleStackPerFile();
const CHICAGO = 'America/Chicago';
const GUAM = 'Pacific/Guam';

const page = (path: string) =>
  request(service.app)
    .get(path)
    .set('Cookie', `${SESSION_COOKIE}=${service.sessionCookie('demo-coordinator')}`)
    .expect(200);

const zoned = (id: string, timeZone: string) => ({ ...DEMO_AGENCY_LIST.find((agency) => agency.id === id)!, timeZone });

/** A case the police open by the hour (`identifiedAt`): its reference and CP due. */
async function openCase(key: string, identification: Record<string, string>) {
  const opened = await request(service.app)
    .post('/api/cases')
    .set(service.stack.as('law_enforcement'))
    .set('Idempotency-Key', key)
    .send({
      ...identification,
      survivor: { name: `East ${key} (fictitious)`, birthDate: '1990-05-06' },
      agencies: DEMO_AGENCIES,
    })
    .expect(201);
  const body = opened.body as { reference: string; steps: { id: string; dueAt: string | null }[] };
  return { reference: body.reference, dueAt: body.steps.find((step) => step.id === 'cp_request-1')!.dueAt! };
}

const stepsDue = (from: string, before: string) =>
  page(`/steps?${new URLSearchParams({ kind: 'cp_request', dueAfter: from, dueBefore: before }).toString()}`);

test('read in Guam, a CP request counted from a Chicago identification hour is found under the day its row shows', async () => {
  await upsertAgencies(service.stack.pool, [
    zoned(DEMO_AGENCIES.law_enforcement, CHICAGO),
    zoned(DEMO_AGENCIES.coordinator, GUAM),
  ]);
  const identifiedOn = addDays(localDateOf(new Date().toISOString(), CHICAGO), -3);
  const byTheHour = await openCase('east-hour', { identifiedAt: instantOfLocal(identifiedOn, '15:00', CHICAGO) });
  const atMidnight = await openCase('east-day', { identifiedAt: `${identifiedOn}T00:00` });
  const shown = (dueAt: string) => lastDayToAct(dueAt, deadlineZone(dueAt, GUAM, [CHICAGO]));
  // 15:00 in Chicago is the next day in Guam; the police's midnight is the day before it there.
  const hourDay = addDays(identifiedOn, 15);
  expect(shown(byTheHour.dueAt)).toBe(hourDay);
  expect(shown(atMidnight.dueAt)).toBe(addDays(identifiedOn, 13));
  await eventually(async () => {
    const listed = await page('/steps?kind=cp_request');
    return listed.text.includes(byTheHour.reference) && listed.text.includes(atMidnight.reference);
  }, 'both cases listed');

  const onItsDay = (await stepsDue(hourDay, addDays(hourDay, 1))).text;
  expect(onItsDay).toContain(byTheHour.reference);
  expect(onItsDay).not.toContain(atMidnight.reference);
  expect((await stepsDue(addDays(hourDay, -1), hourDay)).text).not.toContain(byTheHour.reference);
  const dayCounted = addDays(identifiedOn, 13);
  const onTheDayBefore = (await stepsDue(dayCounted, addDays(dayCounted, 1))).text;
  expect(onTheDayBefore).toContain(atMidnight.reference);
  expect(onTheDayBefore).not.toContain(byTheHour.reference);
});
