/**
 * `GET /api/reports/compliance` on real parts (test/support/stack.ts): cases with known dates are opened and signed
 * through the API, then every metric of the report is checked against figures computed by hand below, by agency and
 * for all agencies, for two periods:
 *
 * - A, 2026-03-01 to 2026-05-31: cases entered after the fact with the events' own dates (deadlines count from events).
 * - B, today to the day after tomorrow: what is dated when it is recorded (letters without a "…On" date, a declined
 *   declaration), and a minor identified now whose 24-hour notice is left unsigned while the time-skipping server
 *   moves 31 hours ahead, so its reminder, due notice and escalation are raised.
 *
 * Then the CSV's shape and small-cell suppression, who may read the report, validation, and the audit row.
 */
import request from 'supertest';
import type { Express } from 'express';
import { DEMO_AGENCIES } from '../../../db/seed';
import { addDays, dateOf } from '../../../domain/dates';
import type { ComplianceReport, ReportFigures } from '../../../app/reports-service';
import type { AgencyKind } from '../../../domain/types';
import { eventually, startStack, type Stack } from '../../support/stack';

describe('compliance-report', () => {
  const HOUR_MS = 3_600_000;
  const POLICE = DEMO_AGENCIES.law_enforcement;
  const ICE = DEMO_AGENCIES.ice;
  const HHS = DEMO_AGENCIES.hhs;
  const ADVOCATE = DEMO_AGENCIES.advocate;

  let stack: Stack;
  /** The API on the test server's clock, so "now" (the end of a period still running) follows skipped time. */
  let app: Express;
  /** The test server's day when the cases were entered. */
  let today = '';
  let keys = 0;
  const key = () => `report-${(keys += 1)}`;

  async function openCase(identifiedAt: string, birthDate: string): Promise<string> {
    const res = await request(stack.app)
      .post('/api/cases')
      .set(stack.as('law_enforcement'))
      .set('Idempotency-Key', key())
      .send({ identifiedAt, survivor: { name: 'Test Survivor (fictitious)', birthDate }, agencies: DEMO_AGENCIES });
    expect([res.status, res.body]).toEqual([201, expect.anything()]);
    return (res.body as { caseId: string }).caseId;
  }

  async function sign(
    caseId: string,
    as: AgencyKind,
    stepId: string,
    outcome: string,
    details: Record<string, string>,
  ): Promise<void> {
    const res = await request(stack.app)
      .post(`/api/cases/${caseId}/steps/${stepId}/sign-off`)
      .set(stack.as(as))
      .set('Idempotency-Key', key())
      .send({ outcome, details });
    expect([stepId, res.status, res.body]).toEqual([stepId, 200, expect.anything()]);
  }

  const ADULT = '1990-01-01';
  /** 18 on 2028-01-01 and 2028-06-15: no 18th-birthday reminder falls in the days this test skips. */
  const MINOR = '2010-01-01';
  const MINOR_B = '2010-06-15';

  let minorNow = '';

  beforeAll(async () => {
    stack = await startStack();
    app = stack.appWith({ now: async () => new Date(await stack.env.currentTimeMs()) });
    today = dateOf(new Date(await stack.env.currentTimeMs()).toISOString());
    const daysAgo = (days: number) => addDays(today, -days);

    // X: identified before period A; its declaration is signed inside it.
    const x = await openCase('2026-02-20T12:00:00Z', ADULT);
    await sign(x, 'law_enforcement', 'cp_request-1', 'requested', { requestedOn: '2026-02-21' });
    await sign(x, 'ice', 'cp_decision-1', 'granted', { grantedOn: '2026-02-27' });
    await sign(x, 'law_enforcement', 'le_declaration-1', 'signed', { signedOn: '2026-03-05' });

    // A1: CP in 10 days, renewal requested long before its expiry, T visa filed 30 days after identification; the
    // certification requested 20 days ago and certified today (a letter is dated when it is recorded).
    const a1 = await openCase('2026-03-02T12:00:00Z', ADULT);
    await sign(a1, 'law_enforcement', 'cp_request-1', 'requested', { requestedOn: '2026-03-05' });
    await sign(a1, 'ice', 'cp_decision-1', 'granted', { grantedOn: '2026-03-15' });
    await sign(a1, 'law_enforcement', 'cp_renewal_request-1', 'requested', { requestedOn: '2026-04-20' });
    await sign(a1, 'law_enforcement', 'le_declaration-1', 'signed', { signedOn: '2026-03-20' });
    await sign(a1, 'advocate', 't_visa_filing-1', 'filed', { filedOn: '2026-04-01' });
    await sign(a1, 'advocate', 'hhs_certification_request-1', 'requested', { requestedOn: daysAgo(20) });
    await sign(a1, 'hhs', 'hhs_certification_letter-1', 'certified', { eligibilityDate: today });

    // A2: CP in 20 days, T visa filed 61 days after identification, certification requested 10 days ago and certified
    // today; the declaration declined today (a refusal carries no date of its own).
    const a2 = await openCase('2026-03-10T12:00:00Z', ADULT);
    await sign(a2, 'law_enforcement', 'cp_request-1', 'requested', { requestedOn: '2026-03-10' });
    await sign(a2, 'ice', 'cp_decision-1', 'granted', { grantedOn: '2026-03-30' });
    await sign(a2, 'advocate', 't_visa_filing-1', 'filed', { filedOn: '2026-05-10' });
    await sign(a2, 'advocate', 'hhs_certification_request-1', 'requested', { requestedOn: daysAgo(10) });
    await sign(a2, 'hhs', 'hhs_certification_letter-1', 'certified', { eligibilityDate: today });
    await sign(a2, 'law_enforcement', 'le_declaration-1', 'declined', { reason: 'not_cooperating' });

    // A3: CP in 4 days, valid until 2026-05-15; no renewal was requested, so the grant lapsed (at 2026-05-16T00:00Z).
    const a3 = await openCase('2026-04-01T12:00:00Z', ADULT);
    await sign(a3, 'law_enforcement', 'cp_request-1', 'requested', { requestedOn: '2026-04-01' });
    await sign(a3, 'ice', 'cp_decision-1', 'granted', { grantedOn: '2026-04-05', validUntil: '2026-05-15' });

    // A4: CP never requested; declaration signed; T visa filed 35 days after identification.
    const a4 = await openCase('2026-04-15T12:00:00Z', ADULT);
    await sign(a4, 'law_enforcement', 'le_declaration-1', 'signed', { signedOn: '2026-05-01' });
    await sign(a4, 'advocate', 't_visa_filing-1', 'filed', { filedOn: '2026-05-20' });

    // A5: identified in the last hour of period A; Y: at the first instant after it.
    await openCase('2026-05-31T23:00:00Z', ADULT);
    await openCase('2026-06-01T00:00:00Z', ADULT);

    // M1: HHS notified the same day (within 24 hours); interim letter issued, no eligibility letter yet.
    const m1 = await openCase('2026-03-05T00:00:00Z', MINOR);
    await sign(m1, 'law_enforcement', 'hhs_minor_notification-1', 'notified', { notifiedOn: '2026-03-05' });
    await sign(m1, 'hhs', 'hhs_interim_letter-1', 'issued', { issuedOn: '2026-03-10' });

    // M2: HHS notified three days late; interim letter issued today and the eligibility letter right after it.
    const m2 = await openCase('2026-03-20T00:00:00Z', MINOR);
    await sign(m2, 'law_enforcement', 'hhs_minor_notification-1', 'notified', { notifiedOn: '2026-03-23' });
    await sign(m2, 'hhs', 'hhs_interim_letter-1', 'issued', { issuedOn: today });
    await sign(m2, 'hhs', 'hhs_eligibility_letter-1', 'issued', { eligibilityDate: today });

    // B: a minor identified now; the notice is left unsigned while 31 hours pass: reminder (12 h), due (24 h) and
    // escalation (30 h) are raised.
    minorNow = new Date(await stack.env.currentTimeMs()).toISOString();
    const b = await openCase(minorNow, MINOR_B);
    await stack.env.sleep(31 * HOUR_MS);
    await eventually(async () => {
      const res = await request(stack.app).get(`/api/cases/${b}`).set(stack.as('coordinator')).expect(200);
      const types = (res.body as { timeline: { type: string }[] }).timeline.map((entry) => entry.type);
      return types.includes('alarm.escalation');
    }, 'the escalation of the unsigned notice, projected');
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
  });

  async function report(from: string, to: string, user = 'demo-coordinator'): Promise<ComplianceReport> {
    const res = await request(app).get('/api/reports/compliance').query({ from, to }).set(stack.users[user]!.headers);
    expect([res.status, res.body]).toEqual([200, expect.anything()]);
    return res.body as ComplianceReport;
  }

  const none = { n: 0, median: null, p90: null };
  const noShare = { count: 0, of: 0, share: null };
  /** Every figure zero or empty, so each expectation below names only what it expects. */
  const empty: ReportFigures = {
    casesOpened: { minor: 0, adult: 0 },
    minorsNotifiedWithin24h: noShare,
    minorsStillWithin24h: 0,
    cpRequestToDecisionDays: none,
    certificationRequestToLetterDays: none,
    identificationToTVisaFilingDays: none,
    cpRenewalsRequestedBeforeExpiry: noShare,
    interimLettersFollowedWithinValidity: noShare,
    declarations: { signed: 0, declined: 0, pending: 0 },
    remindersSent: 0,
    escalationsRaised: 0,
    stepsOverdueAtEnd: 0,
  };
  /** The figures of each agency, by its id. */
  function byAgency(r: ComplianceReport): Record<string, ReportFigures> {
    return Object.fromEntries(
      r.agencies.map((agency) => {
        const figures: Partial<typeof agency> = { ...agency };
        delete figures.agencyId;
        delete figures.agencyName;
        delete figures.agencyKind;
        return [agency.agencyId ?? '', figures as ReportFigures];
      }),
    );
  }

  describe('period A, 2026-03-01 to 2026-05-31 (events entered after the fact)', () => {
    // Overdue when the period ended (2026-06-01T00:00Z), pending then and due before:
    //   police:   declarations of A2 (declined only today), A3, M1, M2; CP request of A4              = 5
    //   advocate: X's certification request and T-visa filing; A1's certification request (requested only 20 days ago)
    //             and T-visa receipt (due 2026-05-01); A2's certification request                      = 5
    //             (A3's was withdrawn when its CP lapsed on 2026-05-16, CP its only ground)
    //   ICE:      A1's renewal decision (due 2026-05-20)                                               = 1
    //   HHS:      M1's eligibility letter; M2's interim and eligibility letters (issued only today)   = 3
    const expected: Record<string, ReportFigures> = {
      [POLICE]: {
        ...empty,
        // A1..A5 (A5 at 23:00 on the last day), M1, M2; not X (February) nor Y (2026-06-01T00:00Z).
        casesOpened: { minor: 2, adult: 5 },
        // M1 the same day, M2 three days later.
        minorsNotifiedWithin24h: { count: 1, of: 2, share: 0.5 },
        // A1 requested 2026-04-20, before its grant ends; A3's grant lapsed on 2026-05-15 with none requested.
        cpRenewalsRequestedBeforeExpiry: { count: 1, of: 2, share: 0.5 },
        // Signed: X (2026-03-05), A1, A4. Pending at the end: A2, A3, A5, M1, M2.
        declarations: { signed: 3, declined: 0, pending: 5 },
        stepsOverdueAtEnd: 5,
      },
      [ICE]: {
        ...empty,
        // A1 10 days, A2 20, A3 4 (X decided in February): [4, 10, 20], p90 = 10 + 0.8 × 10.
        cpRequestToDecisionDays: { n: 3, median: 10, p90: 18 },
        stepsOverdueAtEnd: 1,
      },
      [HHS]: {
        ...empty,
        // M1's letter, issued 2026-03-10, was still valid when the period ended: not counted (missed in June).
        stepsOverdueAtEnd: 3,
      },
      [ADVOCATE]: {
        ...empty,
        // A1 30 days, A4 35, A2 61: p90 = 35 + 0.8 × 26.
        identificationToTVisaFilingDays: { n: 3, median: 35, p90: 55.8 },
        stepsOverdueAtEnd: 5,
      },
    };

    it('gives every metric by the agency that owned the step', async () => {
      const r = await report('2026-03-01', '2026-05-31');
      expect(byAgency(r)).toEqual(expected);
      expect(r.agencies.find((agency) => agency.agencyId === POLICE)).toMatchObject({
        agencyKind: 'law_enforcement',
        agencyName: 'Demo City Police Department (fictitious)',
      });
    });

    it('and for all agencies together, where no reminder counts: those that passed before entry were not sent', async () => {
      const r = await report('2026-03-01', '2026-05-31');
      expect(r.allAgencies).toEqual({
        casesOpened: { minor: 2, adult: 5 },
        minorsNotifiedWithin24h: { count: 1, of: 2, share: 0.5 },
        minorsStillWithin24h: 0,
        cpRequestToDecisionDays: { n: 3, median: 10, p90: 18 },
        certificationRequestToLetterDays: none,
        identificationToTVisaFilingDays: { n: 3, median: 35, p90: 55.8 },
        cpRenewalsRequestedBeforeExpiry: { count: 1, of: 2, share: 0.5 },
        interimLettersFollowedWithinValidity: noShare,
        declarations: { signed: 3, declined: 0, pending: 5 },
        remindersSent: 0,
        escalationsRaised: 0,
        stepsOverdueAtEnd: 14,
      });
    });

    it('as CSV: a header row, one row per agency and one for all, small cells shown as <5', async () => {
      const res = await request(app)
        .get('/api/reports/compliance')
        .query({ from: '2026-03-01', to: '2026-05-31', format: 'csv' })
        .set(stack.users['demo-supervisor']!.headers)
        .expect(200);
      expect(res.headers['content-type']).toMatch(/^text\/csv; charset=utf-8/);
      expect(res.headers['content-disposition']).toBe('attachment; filename="compliance-2026-03-01-to-2026-05-31.csv"');
      // A UTF-8 byte-order mark first, so Excel reads an agency's name in UTF-8.
      expect(res.text.startsWith('\uFEFFagency,')).toBe(true);
      const lines = res.text.slice(1).split('\r\n');
      expect(lines.pop()).toBe('');
      const [header, ...rows] = lines.map((line) => line.split(','));
      expect(rows.every((row) => row.length === header!.length)).toBe(true);
      const table = rows.map((row) => Object.fromEntries(header!.map((name, index) => [name, row[index]])));
      expect(table.map((row) => row['agency_id'])).toEqual([ADVOCATE, HHS, ICE, POLICE, '']);
      expect(table.at(-1)!['agency']).toBe('All agencies');

      const police = table.find((row) => row['agency_id'] === POLICE)!;
      expect(police).toMatchObject({
        agency_kind: 'law_enforcement',
        cases_opened_adult: '5',
        cases_opened_minor: '<5',
        minors_identified: '<5',
        minors_notified_within_24h: '<5',
        minors_notified_within_24h_share: '<5',
        declarations_signed: '<5',
        declarations_declined: '0',
        declarations_pending: '5',
        steps_overdue_at_end: '5',
        reminders_sent: '0',
        // No case: no statistic.
        cp_request_to_decision_days_median: '',
      });
      expect(table.find((row) => row['agency_id'] === ICE)).toMatchObject({
        cp_request_to_decision_days_n: '<5',
        cp_request_to_decision_days_median: '<5',
        cp_request_to_decision_days_p90: '<5',
      });
      expect(table.at(-1)).toMatchObject({ steps_overdue_at_end: '14', cases_opened_adult: '5' });
      // Nothing between 1 and 4 is written as itself anywhere.
      const counts = table.flatMap((row) =>
        Object.entries(row).filter(([name]) => !['agency', 'agency_id', 'agency_kind'].includes(name)),
      );
      expect(counts.filter(([, cell]) => /^[1-4]$/.test(cell!))).toEqual([]);
    });
  });

  describe('period B, today to the day after tomorrow (what is dated when recorded, and time that passed)', () => {
    it('counts the alarms raised, the letters recorded today and what is overdue now', async () => {
      const r = await report(today, addDays(today, 2));
      // Overdue now (31 hours after the cases were entered), by owner:
      //   police:   declarations of A3, A5, M1, M2, Y; CP requests of A4, A5, Y; B's 24-hour notice    = 9
      //   advocate: X's certification request (A3's withdrawn as its CP lapsed); T-visa filings of X, A3, A5,
      //             M1, M2, Y; T-visa receipts of A1, A2, A4                                            = 10
      //   ICE:      A1's renewal decision = 1;   HHS: M1's eligibility letter = 1
      expect(byAgency(r)).toEqual({
        [POLICE]: {
          ...empty,
          casesOpened: { minor: 1, adult: 0 },
          minorsNotifiedWithin24h: { count: 0, of: 1, share: 0 },
          // Declined today: A2. Pending now: A3, A5, M1, M2, Y, B.
          declarations: { signed: 0, declined: 1, pending: 6 },
          // B's notice: a reminder at 12 hours and the due notice at 24; the escalation at 30.
          remindersSent: 2,
          escalationsRaised: 1,
          stepsOverdueAtEnd: 9,
        },
        [HHS]: {
          ...empty,
          // A1 20 days, A2 10: p90 = 10 + 0.9 × 10.
          certificationRequestToLetterDays: { n: 2, median: 15, p90: 19 },
          // M2's, issued today and followed at once.
          interimLettersFollowedWithinValidity: { count: 1, of: 1, share: 1 },
          stepsOverdueAtEnd: 1,
        },
        [ICE]: { ...empty, stepsOverdueAtEnd: 1 },
        [ADVOCATE]: { ...empty, stepsOverdueAtEnd: 10 },
      });
      expect(r.allAgencies).toMatchObject({ remindersSent: 2, escalationsRaised: 1, stepsOverdueAtEnd: 21 });
      expect(r.asOf >= new Date(Date.parse(minorNow) + 31 * HOUR_MS).toISOString()).toBe(true);
    });
  });

  describe('an interim letter counts once decided, in the period it was decided', () => {
    it('M1 (issued 2026-03-10, valid 90 days, never followed) is missed in June, when its validity ended', async () => {
      const r = await report('2026-06-01', '2026-06-30');
      expect(r.allAgencies.interimLettersFollowedWithinValidity).toEqual({ count: 0, of: 1, share: 0 });
    });

    it('a letter still valid and not followed is not counted; once its validity ended unfollowed, it is missed', async () => {
      const day = dateOf(new Date(await stack.env.currentTimeMs()).toISOString());
      const period = [day, addDays(day, 7)] as const;
      const m3 = await openCase(new Date(await stack.env.currentTimeMs()).toISOString(), MINOR);
      await sign(m3, 'law_enforcement', 'hhs_minor_notification-1', 'notified', { notifiedOn: day });
      await sign(m3, 'hhs', 'hhs_interim_letter-1', 'issued', { issuedOn: day, validUntil: addDays(day, 1) });
      expect((await report(...period)).allAgencies.interimLettersFollowedWithinValidity).toEqual(noShare);

      // Past its last day (it ends at the start of day + 2), with no eligibility letter.
      await stack.env.sleep(3 * 24 * HOUR_MS);
      const after = await report(...period);
      expect(after.allAgencies.interimLettersFollowedWithinValidity).toEqual({ count: 0, of: 1, share: 0 });
      expect(byAgency(after)[HHS]!.interimLettersFollowedWithinValidity).toEqual({ count: 0, of: 1, share: 0 });
    }, 120_000);
  });

  describe('who may read it, and what it refuses', () => {
    it('answers the coordinator and the supervisor; refuses officers, advocates and admins (403, audited)', async () => {
      const coordinator = await report('2026-03-01', '2026-05-31');
      const supervisor = await report('2026-03-01', '2026-05-31', 'demo-supervisor');
      // The same agency (the task force), the same cases.
      expect({ ...supervisor, asOf: '' }).toEqual({ ...coordinator, asOf: '' });
      for (const user of ['demo-police-officer', 'demo-hhs-officer', 'demo-advocate', 'demo-admin']) {
        const res = await request(app)
          .get('/api/reports/compliance')
          .query({ from: '2026-03-01', to: '2026-05-31' })
          .set(stack.users[user]!.headers);
        expect([user, res.status, (res.body as { code: string }).code]).toEqual([user, 403, 'role_not_permitted']);
      }
      await request(app).get('/api/reports/compliance?from=2026-03-01&to=2026-05-31').expect(401);
    });

    it.each([
      ['from=2026-03-01', 'to'],
      ['to=2026-03-01', 'from'],
      ['from=2026-02-30&to=2026-03-01', 'from'],
      ['from=March&to=2026-03-01', 'from'],
      ['from=2026-03-02&to=2026-03-01', 'to'],
      ['from=2021-01-01&to=2026-01-01', 'to'],
      ['from=2026-03-01&to=2026-03-31&format=xlsx', 'format'],
      // A period not begun: its figures of a state at the end were today's.
      ['from=2199-01-01&to=2199-03-31', 'from'],
      ['from=2199-01-01&to=2199-03-31&format=csv', 'from'],
    ])('refuses %s with 400 naming %s', async (query, field) => {
      const res = await request(app)
        .get(`/api/reports/compliance?${query}`)
        .set(stack.users['demo-coordinator']!.headers);
      expect(res.status).toBe(400);
      expect((res.body as { errors: { field: string }[] }).errors.map((error) => error.field)).toEqual([field]);
    });

    it('accepts a period of just under five years', async () => {
      await report('2021-01-02', '2026-01-01');
    });

    it('records each call in the audit trail with its period and format', async () => {
      await request(app)
        .get('/api/reports/compliance?from=2026-01-01&to=2026-12-31&format=csv')
        .set(stack.users['demo-supervisor']!.headers)
        .expect(200);
      const { rows } = await stack.pool.query<{ username: string; outcome: string; detail: string }>(
        `SELECT username, outcome, detail FROM audit_events WHERE action = 'report.compliance' ORDER BY id DESC LIMIT 1`,
      );
      expect(rows).toEqual([
        { username: 'demo-supervisor', outcome: 'allowed', detail: 'period 2026-01-01..2026-12-31 (csv)' },
      ]);
    });
  });
});
