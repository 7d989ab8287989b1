/**
 * A day typed in the Steps page's due filters finds a step under the last day its row shows, in the zone its case was
 * identified in, also once the police have moved to another zone: the police in Chicago identify a survivor at midnight
 * (00:00 by the hour, as a case identified by its date alone counted before OPENED_ON_CURRENT_RULES_PATCH), the CP
 * request falls due at Chicago's midnight, and the task force in New York reads its last day as the day before.
 * Once the police have moved to Los Angeles, the row still shows that day (the case keeps its zone, `identifiedIn`),
 * but the filter bounded the days by the police's zones as they are now: it listed the step under the day after, the
 * one it passes on in New York, and not under the day its row shows. It bounds them by GET /api/me's
 * `dueDayTimeZones`, which has the zones cases were identified in too. The whole service on real parts, the console
 * calling the API over HTTP.
 */
import request from 'supertest';
import { localDateOf } from '../../core/time-zones';
import { upsertAgencies } from '../../db/agencies';
import { DEMO_AGENCIES, DEMO_AGENCY_LIST } from '../../db/seed';
import { addDays } from '../../domain/dates';
import { SESSION_COOKIE } from '../../web/session';
import { consoleStackPerFile } from '../support/console';
import { eventually } from '../support/eventually';

const service = consoleStackPerFile();
const CHICAGO = 'America/Chicago';

const zoned = (id: string, timeZone: string) => ({ ...DEMO_AGENCY_LIST.find((agency) => agency.id === id)!, timeZone });

const stepsDue = async (from: string, before: string) =>
  (
    await request(service.app)
      .get(`/steps?${new URLSearchParams({ kind: 'cp_request', dueAfter: from, dueBefore: before }).toString()}`)
      .set('Cookie', `${SESSION_COOKIE}=${service.sessionCookie('demo-coordinator')}`)
      .expect(200)
  ).text;

test("the Steps page's due days find a step by the last day its row shows, in its case's zone, after the police moved", async () => {
  await upsertAgencies(service.stack.pool, [
    zoned(DEMO_AGENCIES.law_enforcement, CHICAGO),
    zoned(DEMO_AGENCIES.coordinator, 'America/New_York'),
  ]);
  const identifiedOn = addDays(
    localDateOf(new Date(await service.stack.env.currentTimeMs()).toISOString(), CHICAGO),
    -3,
  );
  const opened = await request(service.app)
    .post('/api/cases')
    .set(service.stack.as('law_enforcement'))
    .set('Idempotency-Key', 'steps-day-identified-zone-1')
    .send({
      identifiedAt: `${identifiedOn}T00:00`,
      survivor: { name: 'Moved Police Filter (fictitious)', birthDate: '1990-05-06' },
      agencies: DEMO_AGENCIES,
    })
    .expect(201);
  const { reference } = opened.body as { reference: string };
  // 14 days from the police's midnight: its last day is the 13th day after, Chicago's.
  const lastDay = addDays(identifiedOn, 13);
  await eventually(async () => (await stepsDue(lastDay, addDays(lastDay, 1))).includes(reference), 'listed');

  await upsertAgencies(service.stack.pool, [zoned(DEMO_AGENCIES.law_enforcement, 'America/Los_Angeles')]);
  expect(await stepsDue(lastDay, addDays(lastDay, 1))).toContain(reference);
  expect(await stepsDue(addDays(lastDay, 1), addDays(lastDay, 2))).not.toContain(reference);
});
