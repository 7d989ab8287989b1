/**
 * A deadline counted in days from a day typed as the typist's today, already tomorrow in UTC (an officer in Guam from
 * 14:00 UTC), sits on the same last day in every reader's calendar: counted from noon UTC of that day, as from an
 * earlier day (domain/case.ts `daysCountedFrom`, TYPED_TODAY_COUNTS_FROM_ITS_DAY_PATCH). Before, it counted from the
 * moment it was typed, and the same event sat a day later in the Guam feed than in the UTC one (probe, 6 Dec 2026).
 * Over HTTP on real parts: the police and ICE keep Guam's time, the coordinator UTC's.
 */
import type ICALModule from 'ical.js' with { 'resolution-mode': 'import' };
import request from 'supertest';
import { localDateOf } from '../../../core/time-zones';
import { DEMO_AGENCIES, DEMO_AGENCY_LIST } from '../../../db/seed';
import { addDays } from '../../../domain/dates';
import type { AgencyKind } from '../../../domain/types';
import { TEST_PASSWORD } from '../../support/auth';
import { eventually, PUBLIC_BASE_URL, startStack, type Stack } from '../../support/stack';

describe('typed-today-deadlines', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the CommonJS build of an ESM-first package
  const ICAL = require('ical.js') as typeof ICALModule;

  const GUAM = 'Pacific/Guam';
  const HOUR_MS = 3_600_000;
  const HOST = new URL(PUBLIC_BASE_URL).hostname;

  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
    for (const id of [DEMO_AGENCIES.law_enforcement, DEMO_AGENCIES.ice]) {
      await request(stack.app)
        .post('/api/agencies')
        .set(stack.users['demo-system-admin']!.headers)
        .send({ ...DEMO_AGENCY_LIST.find((agency) => agency.id === id)!, timeZone: GUAM })
        .expect(201);
    }
  });
  afterAll(async () => {
    await stack?.stop();
  });

  let keys = 0;
  const key = () => `typed-today-deadlines-${(keys += 1)}`;

  /** A calendar feed of the agency's user, made through the API. */
  async function feedOf(kind: AgencyKind): Promise<string> {
    const created = await request(stack.app)
      .post('/api/me/calendar-feeds')
      .set(stack.as(kind))
      .send({ label: 'Outlook', currentPassword: TEST_PASSWORD })
      .expect(201);
    return new URL((created.body as { url: string }).url).pathname;
  }

  /** The day an all-day event of the feed sits on, by its UID; undefined while the feed has no such event. */
  async function dayIn(feed: string, uid: string): Promise<string | undefined> {
    const text = (await request(stack.app).get(feed).expect(200)).text;
    const calendar = new ICAL.Component(ICAL.parse(text) as unknown[]);
    const event = calendar
      .getAllSubcomponents('vevent')
      .map((component) => new ICAL.Event(component))
      .find((each) => each.uid === uid);
    if (!event) return undefined;
    return event.startDate.isDate ? event.startDate.toString() : `at ${event.endDate.toJSDate().toISOString()}`;
  }

  /** The UTC clock, once Guam's today is a day ahead of UTC's (from 14:00 UTC). */
  async function guamAhead(): Promise<{ guam: string; utc: string }> {
    for (;;) {
      const now = new Date(await stack.env.currentTimeMs()).toISOString();
      const guam = localDateOf(now, GUAM);
      if (guam > now.slice(0, 10)) return { guam, utc: now.slice(0, 10) };
      await stack.env.sleep(HOUR_MS);
    }
  }

  test("a Guam officer's today, tomorrow in UTC, is the day its deadlines count from, in every reader's calendar", async () => {
    const { guam, utc } = await guamAhead();
    expect(guam).toBe(addDays(utc, 1));
    const opened = await request(stack.app)
      .post('/api/cases')
      .set(stack.as('law_enforcement'))
      .set('Idempotency-Key', key())
      .send({
        identifiedOn: guam,
        survivor: { name: 'Typed Today Person (fictitious)', birthDate: '1990-04-05' },
        agencies: DEMO_AGENCIES,
        confirmNotDuplicate: true,
      })
      .expect(201);
    const { caseId } = opened.body as { caseId: string };
    const police = await feedOf('law_enforcement');
    const coordinator = await feedOf('coordinator');
    const ice = await feedOf('ice');

    // 14 days from the day the officer typed: the 14th day after it, in Guam and in UTC alike.
    const request14 = `${caseId}-cp_request-1-due@${HOST}`;
    await eventually(async () => (await dayIn(police, request14)) !== undefined, 'the CP request in the police feed');
    expect({ guam: await dayIn(police, request14), utc: await dayIn(coordinator, request14) }).toEqual({
      guam: addDays(guam, 14),
      utc: addDays(guam, 14),
    });

    // The CP request signed on the officer's today: the CP decision is due 30 days after it, for ICE in Guam too.
    await request(stack.app)
      .post(`/api/cases/${caseId}/steps/cp_request-1/sign-off`)
      .set(stack.as('law_enforcement'))
      .set('Idempotency-Key', key())
      .send({ outcome: 'requested', details: { requestedOn: guam } })
      .expect(200);
    const decision30 = `${caseId}-cp_decision-1-due@${HOST}`;
    await eventually(async () => (await dayIn(ice, decision30)) !== undefined, 'the CP decision in the ICE feed');
    expect({ guam: await dayIn(ice, decision30), utc: await dayIn(coordinator, decision30) }).toEqual({
      guam: addDays(guam, 30),
      utc: addDays(guam, 30),
    });
  });
});
