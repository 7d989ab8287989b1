/**
 * `GET /api/reports/compliance` on real parts (test/support/stack.ts): a case closed or withdrawn as opened in error
 * or as a duplicate is left out of every figure (it never was a case of its own), while a case closed or withdrawn
 * for any other reason stays counted. Cases entered after the fact in January 2025, a period no other case touches.
 * And a minor identified now, whose 24 hours for HHS's notice are not over, is counted apart, not as a failure, until
 * they are (the time-skipping server moves 25 hours ahead).
 */
import request from 'supertest';
import type { Express } from 'express';
import { DEMO_AGENCIES } from '../../../db/seed';
import { addDays, dateOf } from '../../../domain/dates';
import type { ComplianceReport } from '../../../app/reports-service';
import type { CloseReason } from '../../../domain/reasons';
import { startStack, type Stack } from '../../support/stack';

describe('report-withdrawn-cases', () => {
  const POLICE = DEMO_AGENCIES.law_enforcement;
  const ADULT = '1990-01-01';
  const MINOR = '2010-01-01';

  const HOUR_MS = 3_600_000;

  let stack: Stack;
  /** The API on the test server's clock, so the report's "now" follows skipped time. */
  let app: Express;
  let keys = 0;
  const key = () => `withdrawn-report-${(keys += 1)}`;

  async function openCase(identifiedAt: string, birthDate: string): Promise<string> {
    const res = await request(stack.app)
      .post('/api/cases')
      .set(stack.as('law_enforcement'))
      .set('Idempotency-Key', key())
      .send({ identifiedAt, survivor: { name: 'Test Survivor (fictitious)', birthDate }, agencies: DEMO_AGENCIES });
    expect([res.status, res.body]).toEqual([201, expect.anything()]);
    return (res.body as { caseId: string }).caseId;
  }

  async function close(caseId: string, status: 'closed' | 'withdrawn', reason: CloseReason): Promise<void> {
    const res = await request(stack.app)
      .post(`/api/cases/${caseId}/close`)
      .set(stack.as('coordinator'))
      .set('Idempotency-Key', key())
      .send({ status, reason });
    expect([res.status, res.body]).toEqual([200, expect.objectContaining({ status })]);
  }

  async function report(from: string, to: string): Promise<ComplianceReport> {
    const res = await request(app)
      .get('/api/reports/compliance')
      .query({ from, to })
      .set(stack.users['demo-coordinator']!.headers);
    expect([res.status, res.body]).toEqual([200, expect.anything()]);
    return res.body as ComplianceReport;
  }

  beforeAll(async () => {
    stack = await startStack();
    app = stack.appWith({ now: async () => new Date(await stack.env.currentTimeMs()) });
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
  });

  describe('a case withdrawn as opened in error or as a duplicate', () => {
    it('is left out of every figure; a case closed or withdrawn for another reason stays counted', async () => {
      // Counted: a minor notified the same day; an adult closed with relief obtained; an adult the survivor withdrew.
      const minor = await openCase('2025-01-06T12:00:00Z', MINOR);
      await request(stack.app)
        .post(`/api/cases/${minor}/steps/hhs_minor_notification-1/sign-off`)
        .set(stack.as('law_enforcement'))
        .set('Idempotency-Key', key())
        .send({ outcome: 'notified', details: { notifiedOn: '2025-01-06' } })
        .expect(200);
      await close(await openCase('2025-01-07T12:00:00Z', ADULT), 'closed', 'relief_obtained');
      await close(await openCase('2025-01-08T12:00:00Z', ADULT), 'withdrawn', 'survivor_withdrew');
      const before = await report('2025-01-01', '2025-01-31');

      // Not cases of their own: a second case of the minor (never notified), withdrawn as a duplicate; an adult's
      // withdrawn as opened in error; another closed (not withdrawn) as a duplicate.
      const duplicate = await openCase('2025-01-09T12:00:00Z', MINOR);
      const inError = await openCase('2025-01-10T12:00:00Z', ADULT);
      const closedDuplicate = await openCase('2025-01-11T12:00:00Z', ADULT);
      const open = await report('2025-01-01', '2025-01-31');
      expect(open.allAgencies.casesOpened).toEqual({ minor: 2, adult: 4 });
      expect(open.allAgencies.minorsNotifiedWithin24h).toEqual({ count: 1, of: 2, share: 0.5 });
      expect(open.allAgencies.stepsOverdueAtEnd).toBeGreaterThan(before.allAgencies.stepsOverdueAtEnd);

      await close(duplicate, 'withdrawn', 'duplicate');
      await close(inError, 'withdrawn', 'opened_in_error');
      await close(closedDuplicate, 'closed', 'duplicate');
      const after = await report('2025-01-01', '2025-01-31');
      expect(after.allAgencies.casesOpened).toEqual({ minor: 1, adult: 2 });
      expect(after.allAgencies.minorsNotifiedWithin24h).toEqual({ count: 1, of: 1, share: 1 });
      // Every figure, by agency too, as before those three were opened.
      expect({ ...after, asOf: '' }).toEqual({ ...before, asOf: '' });
      expect(after.agencies.find((agency) => agency.agencyId === POLICE)?.casesOpened).toEqual({ minor: 1, adult: 2 });
    }, 120_000);
  });

  describe('a minor whose 24 hours for the HHS notice are not over', () => {
    it('is counted apart, not as a failure, until the notice is made or the 24 hours are over', async () => {
      const now = new Date(await stack.env.currentTimeMs()).toISOString();
      const period = [dateOf(now), addDays(dateOf(now), 2)] as const;
      await openCase(now, '2010-03-03');
      await stack.env.sleep(HOUR_MS / 3);

      const within = await report(...period);
      expect(within.allAgencies.minorsNotifiedWithin24h).toEqual({ count: 0, of: 0, share: null });
      expect(within.allAgencies.minorsStillWithin24h).toBe(1);
      expect(within.agencies.find((agency) => agency.agencyId === POLICE)?.minorsStillWithin24h).toBe(1);
      const csv = await request(app)
        .get('/api/reports/compliance')
        .query({ from: period[0], to: period[1], format: 'csv' })
        .set(stack.users['demo-coordinator']!.headers)
        .expect(200);
      const [header, ...rows] = csv.text
        .trim()
        .split('\r\n')
        .map((line) => line.split(','));
      const all = Object.fromEntries(header!.map((name, index) => [name, rows.at(-1)![index]]));
      expect(all).toMatchObject({
        minors_identified: '0',
        minors_notified_within_24h: '0',
        minors_still_within_24h: '<5',
      });

      await stack.env.sleep(25 * HOUR_MS);
      const over = await report(...period);
      expect(over.allAgencies.minorsNotifiedWithin24h).toEqual({ count: 0, of: 1, share: 0 });
      expect(over.allAgencies.minorsStillWithin24h).toBe(0);
    }, 120_000);
  });
});
