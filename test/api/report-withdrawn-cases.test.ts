/**
 * `GET /api/reports/compliance` on real parts (test/support/stack.ts): a case closed or withdrawn as opened in error
 * or as a duplicate is left out of every figure (it never was a case of its own), while a case closed or withdrawn
 * for any other reason stays counted. Cases entered after the fact in January 2025, a period no other case touches.
 */
import request from 'supertest';
import { DEMO_AGENCIES } from '../../db/seed';
import type { ComplianceReport } from '../../app/reports-service';
import type { CloseReason } from '../../domain/reasons';
import { startStack, type Stack } from '../support/stack';

const POLICE = DEMO_AGENCIES.law_enforcement;
const ADULT = '1990-01-01';
const MINOR = '2010-01-01';

let stack: Stack;
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
  const res = await request(stack.app)
    .get('/api/reports/compliance')
    .query({ from, to })
    .set(stack.users['demo-coordinator']!.headers);
  expect([res.status, res.body]).toEqual([200, expect.anything()]);
  return res.body as ComplianceReport;
}

beforeAll(async () => {
  stack = await startStack();
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
