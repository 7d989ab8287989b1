/**
 * A sign-off's dates are held to today where the agency whose event it is works, whoever enters them: a coordinator
 * in Guam, already on tomorrow, correcting the police's CP request in Los Angeles may not date it on a day that has not
 * begun there, as the police could not (probe: it was held to Guam's day). Over HTTP on real parts.
 */
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { localDateOf } from '../../../app/time-zones';
import { DEMO_AGENCIES, DEMO_AGENCY_LIST } from '../../../db/seed';
import { addDays } from '../../../domain/dates';
import type { Problem } from '../../../api/schemas';
import { startStack, type Stack } from '../../support/stack';

describe('event-day', () => {
  const POLICE_ZONE = 'America/Los_Angeles';
  const COORDINATOR_ZONE = 'Pacific/Guam';
  const HOUR_MS = 3_600_000;

  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
    const zones: Record<string, string> = {
      [DEMO_AGENCIES.law_enforcement]: POLICE_ZONE,
      [DEMO_AGENCIES.coordinator]: COORDINATOR_ZONE,
    };
    for (const agency of DEMO_AGENCY_LIST.filter((candidate) => zones[candidate.id])) {
      await request(stack.app)
        .post('/api/agencies')
        .set(stack.users['demo-system-admin']!.headers)
        .send({ ...agency, timeZone: zones[agency.id] })
        .expect(201);
    }
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const headersOf = (user: string) => stack.users[user]!.headers;

  /** Today in both zones, once Guam is a day ahead of Los Angeles (from 06:00 there, most of the day). */
  async function daysApart(): Promise<{ police: string; coordinator: string }> {
    for (;;) {
      const now = new Date(await stack.env.currentTimeMs()).toISOString();
      const police = localDateOf(now, POLICE_ZONE);
      const coordinator = localDateOf(now, COORDINATOR_ZONE);
      if (coordinator > police) return { police, coordinator };
      await stack.env.sleep(HOUR_MS);
    }
  }

  test("the coordinator's correction of the police's date is held to the police's today, not the coordinator's", async () => {
    const { police, coordinator } = await daysApart();
    const opened = await request(stack.app)
      .post('/api/cases')
      .set(headersOf('demo-police-officer'))
      .set('Idempotency-Key', randomUUID())
      .send({
        identifiedOn: addDays(police, -10),
        survivor: { name: 'Test Survivor (fictitious)', birthDate: '1990-04-05' },
        agencies: DEMO_AGENCIES,
        confirmNotDuplicate: true,
      })
      .expect(201);
    const caseId = (opened.body as { caseId: string }).caseId;
    await request(stack.app)
      .post(`/api/cases/${caseId}/steps/cp_request-1/sign-off`)
      .set(headersOf('demo-police-officer'))
      .set('Idempotency-Key', randomUUID())
      .send({ outcome: 'requested', details: { requestedOn: addDays(police, -2) } })
      .expect(200);
    const correct = (requestedOn: string, path = 'corrections') =>
      request(stack.app)
        .post(`/api/cases/${caseId}/steps/cp_request-1/${path}`)
        .set(headersOf('demo-coordinator'))
        .set('Idempotency-Key', randomUUID())
        .send({ outcome: 'requested', details: { requestedOn }, reason: 'Entered from the wrong file' });
    // Tomorrow in Los Angeles, today in Guam: refused, in the preview too, naming the field and the police's today.
    const said = { field: 'details.requestedOn', message: `requestedOn (${coordinator}) is after today (${police})` };
    for (const path of ['corrections/preview', 'corrections']) {
      const tomorrow = await correct(coordinator, path).expect(422);
      expect([path, (tomorrow.body as Problem).errors]).toEqual([path, [said]]);
    }
    // Today in Los Angeles: taken.
    await correct(police).expect(200);
  });
});
