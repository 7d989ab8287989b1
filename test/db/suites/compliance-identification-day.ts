/**
 * The compliance report (db/reports.ts) dates an identification by its day where it was made, the identification
 * step's `identifiedOn`, as the caseload's `identifiedFrom`/`identifiedTo` read it (db/case-list.ts): a case identified
 * on 6 Dec in Guam, before 10:00 there (still the 5th in UTC), is a case opened on 6 Dec in both, and its days to the
 * T-visa filing count from 6 Dec. On a real PostgreSQL, with read-model rows written directly.
 */
import { randomUUID } from 'node:crypto';
import { complianceFigures, type MetricRow } from '../../../db/reports';
import { listCases } from '../../../db/case-list';
import { DEMO_AGENCIES } from '../../../db/seed';
import { startTestDatabase, type TestDatabase } from '../../support/postgres';

describe('compliance-identification-day', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await startTestDatabase();
  }, 60_000);
  afterAll(async () => {
    await db?.stop();
  });

  const POLICE = DEMO_AGENCIES.law_enforcement;
  const ADVOCATE = DEMO_AGENCIES.advocate;
  let cases = 0;

  /**
   * A case identified at `identifiedAt` on `identifiedOn` in `zone` (its police's zone then), on `path` (a minor's HHS notice
   * left waiting); with `filedAt`,
   * its T visa filed then (a filing dated by its `filedOn` is kept at noon UTC of that day). Returns its reference.
   */
  async function identifiedCase(identification: {
    identifiedAt: string;
    identifiedOn: string;
    zone: string;
    path: 'adult' | 'minor';
    filedAt?: string;
    filedOn?: string;
  }): Promise<string> {
    cases += 1;
    const id = randomUUID();
    const reference = `RC-IDENT-DAY-${cases}`;
    await db.owner.query(
      `INSERT INTO cases (id, reference, path, status, opened_at, policy_version, agencies, version, identified_in)
     VALUES ($1, $2, $3, 'open', $4, 'test', $5, 1, $6)`,
      [
        id,
        reference,
        identification.path,
        identification.identifiedAt,
        JSON.stringify(DEMO_AGENCIES),
        identification.zone,
      ],
    );
    await db.owner.query(
      `INSERT INTO case_steps (case_id, step_id, kind, track, agency_kind, agency_id, status, opened_at, completed_at,
                             outcome, details)
     VALUES ($1, 'identification-1', 'identification', 'intake', 'law_enforcement', $2, 'completed', $3, $3,
             'identified', $4)`,
      [
        id,
        POLICE,
        identification.identifiedAt,
        { identifiedOn: identification.identifiedOn, path: identification.path },
      ],
    );
    if (identification.path === 'minor') {
      // HHS's notice, still waiting.
      await db.owner.query(
        `INSERT INTO case_steps (case_id, step_id, kind, track, agency_kind, agency_id, status, opened_at)
       VALUES ($1, 'hhs_minor_notification-1', 'hhs_minor_notification', 'hhs', 'law_enforcement', $2, 'pending', $3)`,
        [id, POLICE, identification.identifiedAt],
      );
    }
    if (identification.filedAt) {
      await db.owner.query(
        `INSERT INTO case_steps (case_id, step_id, kind, track, agency_kind, agency_id, status, opened_at, completed_at,
                               outcome, details)
       VALUES ($1, 't_visa_filing-1', 't_visa_filing', 't_visa', 'advocate', $2, 'completed', $3, $4, 'filed', $5)`,
        [
          id,
          ADVOCATE,
          identification.identifiedAt,
          identification.filedAt,
          identification.filedOn ? { filedOn: identification.filedOn } : {},
        ],
      );
    }
    return reference;
  }

  /**
   * The report's "all agencies" figures for whole UTC days `from` to `to`, both included, in a deployment whose
   * `TIMEZONE` is `timeZone` (default UTC).
   */
  async function report(from: string, to: string, timeZone?: string): Promise<MetricRow[]> {
    const rows = await complianceFigures(db.pool, {
      timeZone,
      participantAgencyId: DEMO_AGENCIES.coordinator,
      start: new Date(`${from}T00:00:00Z`),
      end: new Date(new Date(`${to}T00:00:00Z`).getTime() + 86_400_000),
      now: new Date('2026-12-07T00:00:00Z'),
    });
    return rows.filter((row) => row.agencyId === undefined);
  }

  const count = (rows: MetricRow[], metric: MetricRow['metric']) => rows.find((row) => row.metric === metric)?.n ?? 0;

  /** The references the caseload lists as identified from `from` to `to`. */
  async function listed(from: string, to: string): Promise<string[]> {
    const page = await listCases(db.pool, {
      participantAgencyId: DEMO_AGENCIES.coordinator,
      stepAgencyId: undefined,
      identifiedFrom: from,
      identifiedTo: to,
      limit: 200,
      now: new Date('2026-12-07T00:00:00Z'),
    });
    return page.items.map((item) => item.reference).sort();
  }

  describe("the compliance report dates an identification by its day where it was made, as the caseload's filter does", () => {
    it('cases identified on 6 Dec in Guam (the 5th in UTC), in New York and in Honolulu are the cases opened on 6 Dec, the ones the caseload lists for that day', async () => {
      const guam = await identifiedCase({
        identifiedAt: '2026-12-05T22:00:00Z', // 6 Dec, 08:00 in Guam
        identifiedOn: '2026-12-06',
        zone: 'Pacific/Guam',
        path: 'adult',
      });
      const guamByDay = await identifiedCase({
        identifiedAt: '2026-12-05T14:00:00Z', // identifiedOn 6 Dec alone: the start of that day in Guam
        identifiedOn: '2026-12-06',
        zone: 'Pacific/Guam',
        path: 'minor',
      });
      const newYork = await identifiedCase({
        identifiedAt: '2026-12-06T15:00:00Z',
        identifiedOn: '2026-12-06',
        zone: 'America/New_York',
        path: 'adult',
      });
      const honolulu = await identifiedCase({
        identifiedAt: '2026-12-07T05:00:00Z', // 6 Dec, 19:00 in Honolulu (the 7th in UTC)
        identifiedOn: '2026-12-06',
        zone: 'Pacific/Honolulu',
        path: 'adult',
      });
      // The day before, in New York: on the 5th in both views.
      const before = await identifiedCase({
        identifiedAt: '2026-12-05T20:00:00Z',
        identifiedOn: '2026-12-05',
        zone: 'America/New_York',
        path: 'adult',
      });

      expect(await listed('2026-12-06', '2026-12-06')).toEqual([guam, guamByDay, newYork, honolulu].sort());
      const sixth = await report('2026-12-06', '2026-12-06');
      expect({ adult: count(sixth, 'cases_adult'), minor: count(sixth, 'cases_minor') }).toEqual({
        adult: 3,
        minor: 1,
      });
      // The minor identified on the 6th is one whose HHS notice is counted on the 6th.
      expect(count(sixth, 'minor_notification_within_24h') + count(sixth, 'minor_notification')).toBe(1);

      expect(await listed('2026-12-05', '2026-12-05')).toEqual([before]);
      const fifth = await report('2026-12-05', '2026-12-05');
      expect({ adult: count(fifth, 'cases_adult'), minor: count(fifth, 'cases_minor') }).toEqual({
        adult: 1,
        minor: 0,
      });
    });

    it('a case identified on 1 Aug in Guam (31 Jul in UTC) and filed on 1 Sep counts 31 days to the T-visa filing, as one identified on 1 Aug in New York does', async () => {
      await identifiedCase({
        identifiedAt: '2026-07-31T14:00:00Z', // identifiedOn 1 Aug: the start of that day in Guam
        identifiedOn: '2026-08-01',
        zone: 'Pacific/Guam',
        path: 'adult',
        filedAt: '2026-09-01T12:00:00Z', // filedOn 1 Sep
      });
      await identifiedCase({
        identifiedAt: '2026-08-01T04:00:00Z', // identifiedOn 1 Aug: the start of that day in New York
        identifiedOn: '2026-08-01',
        zone: 'America/New_York',
        path: 'adult',
        filedAt: '2026-09-01T12:00:00Z',
      });
      const filings = (await report('2026-09-01', '2026-09-01')).find((row) => row.metric === 't_visa_filing_days');
      expect(filings).toMatchObject({ n: 2, median: 31, p90: 31 });
    });

    it("a T-visa filing signed without filedOn at 23:30 on 6 Dec in Honolulu (09:30 UTC on the 7th) is a filing of 6 Dec, 5 days after an identification on 1 Dec there, by its agency's zone or, without one, the deployment's", async () => {
      const filedAt = '2026-12-07T09:30:00Z'; // 6 Dec, 23:30 in Honolulu
      const filedCase = () =>
        identifiedCase({
          identifiedAt: '2026-12-01T20:00:00Z', // 1 Dec, 10:00 in Honolulu
          identifiedOn: '2026-12-01',
          zone: 'Pacific/Honolulu',
          path: 'adult',
          filedAt,
        });
      const filings = (rows: MetricRow[]) => rows.find((row) => row.metric === 't_visa_filing_days');

      // The advocate's own zone is Honolulu's, in a deployment in UTC.
      await db.owner.query(
        `INSERT INTO agencies (id, kind, name, time_zone) VALUES ($1, 'advocate', 'Advocates', 'Pacific/Honolulu')`,
        [ADVOCATE],
      );
      try {
        await filedCase();
        expect(filings(await report('2026-12-06', '2026-12-06'))).toMatchObject({ n: 1, median: 5 });
        expect(filings(await report('2026-12-07', '2026-12-07'))).toBeUndefined();
      } finally {
        await db.owner.query(`DELETE FROM agencies WHERE id = $1`, [ADVOCATE]);
      }

      // An advocate without a zone of its own, in a deployment whose TIMEZONE is Honolulu's: the same day.
      await db.owner.query(`DELETE FROM case_steps WHERE kind = 't_visa_filing' AND completed_at = $1`, [filedAt]);
      await filedCase();
      expect(filings(await report('2026-12-06', '2026-12-06', 'Pacific/Honolulu'))).toMatchObject({ n: 1, median: 5 });
      expect(filings(await report('2026-12-07', '2026-12-07', 'Pacific/Honolulu'))).toBeUndefined();

      // Dated by its filedOn when it has one, whatever the hour it was recorded.
      await identifiedCase({
        identifiedAt: '2026-12-01T20:00:00Z',
        identifiedOn: '2026-12-01',
        zone: 'Pacific/Honolulu',
        path: 'adult',
        filedAt: '2026-12-07T09:30:00Z',
        filedOn: '2026-12-05',
      });
      expect(filings(await report('2026-12-05', '2026-12-05', 'Pacific/Honolulu'))).toMatchObject({ n: 1, median: 4 });
    });
  });

  describe('the compliance report dates a decision or letter signed without its date by the day it was recorded where its agency works', () => {
    /**
     * A case whose `kind` step (ICE's CP decision, HHS's certification letter, the police's declaration), opened by a
     * request at `openedAt` (by default 1 Dec, kept at noon UTC of that day), was settled at `completedAt` by the agency
     * `agencyId`, with `details`.
     */
    const TRACK = {
      cp_decision: ['continued_presence', 'ice'],
      hhs_certification_letter: ['hhs', 'hhs'],
      le_declaration: ['le_declaration', 'law_enforcement'],
    } as const;
    async function decided(
      kind: keyof typeof TRACK,
      agencyId: string,
      completedAt: string,
      outcome: string,
      details: object,
      openedAt = '2026-12-01T12:00:00Z',
    ): Promise<void> {
      await identifiedCase({
        identifiedAt: '2026-12-01T20:00:00Z', // 1 Dec, 10:00 in Honolulu
        identifiedOn: '2026-12-01',
        zone: 'Pacific/Honolulu',
        path: 'adult',
      });
      const { rows } = await db.owner.query<{ id: string }>(`SELECT id FROM cases WHERE reference = $1`, [
        `RC-IDENT-DAY-${cases}`,
      ]);
      await db.owner.query(
        `INSERT INTO case_steps (case_id, step_id, kind, track, agency_kind, agency_id, status, opened_at, completed_at,
                               outcome, details)
       VALUES ($1, $2, $3, $4, $5, $6, CASE $8 WHEN 'declined' THEN 'declined' ELSE 'completed' END,
               $10, $7, $8, $9)`,
        [rows[0]!.id, `${kind}-1`, kind, ...TRACK[kind], agencyId, completedAt, outcome, details, openedAt],
      );
    }
    const figure = (rows: MetricRow[], metric: MetricRow['metric']) => rows.find((row) => row.metric === metric);
    const ICE = DEMO_AGENCIES.ice;
    const HHS = DEMO_AGENCIES.hhs;

    it('a CP decision, a certification letter and a declined declaration signed at 23:30 on 6 Dec in Honolulu (09:30 UTC on the 7th) are of 6 Dec, 5 days after the request of 1 Dec; a typed date wins', async () => {
      const signedAt = '2026-12-07T09:30:00Z'; // 6 Dec, 23:30 in Honolulu
      // ICE works in Honolulu (its own zone); HHS has none, in a deployment whose TIMEZONE is Honolulu's.
      await db.owner.query(
        `INSERT INTO agencies (id, kind, name, time_zone) VALUES ($1, 'ice', 'ICE', 'Pacific/Honolulu')`,
        [ICE],
      );
      try {
        await decided('cp_decision', ICE, signedAt, 'granted', {});
        await decided('hhs_certification_letter', HHS, signedAt, 'denied', { reason: 'not_eligible' });
        await decided('le_declaration', POLICE, signedAt, 'declined', { reason: 'not_cooperating' });

        const sixth = await report('2026-12-06', '2026-12-06', 'Pacific/Honolulu');
        expect(figure(sixth, 'cp_decision_days')).toMatchObject({ n: 1, median: 5 });
        expect(figure(sixth, 'certification_letter_days')).toMatchObject({ n: 1, median: 5 });
        expect(figure(sixth, 'declaration_declined')).toMatchObject({ n: 1 });
        const seventh = await report('2026-12-07', '2026-12-07', 'Pacific/Honolulu');
        expect(figure(seventh, 'cp_decision_days')).toBeUndefined();
        expect(figure(seventh, 'certification_letter_days')).toBeUndefined();
        expect(figure(seventh, 'declaration_declined')).toBeUndefined();

        // Signed with its own day, it is dated by that day, whatever the hour it was recorded.
        await decided('cp_decision', ICE, signedAt, 'denied', { reason: 'not_eligible', decidedOn: '2026-12-04' });
        await decided('hhs_certification_letter', HHS, signedAt, 'certified', {
          eligibilityDate: '2026-12-01',
          issuedOn: '2026-12-04',
        });
        const fourth = await report('2026-12-04', '2026-12-04', 'Pacific/Honolulu');
        expect(figure(fourth, 'cp_decision_days')).toMatchObject({ n: 1, median: 3 });
        expect(figure(fourth, 'certification_letter_days')).toMatchObject({ n: 1, median: 3 });
      } finally {
        await db.owner.query(`DELETE FROM agencies WHERE id = $1`, [ICE]);
      }
    });

    it('counts from the day the request reached the deciding agency where it works: a request at 20:00 on 3 Dec in Honolulu (06:00 UTC on the 4th) decided on 8 Dec is 5 days, not 4', async () => {
      const requestedAt = '2026-12-04T06:00:00Z'; // 3 Dec, 20:00 in Honolulu
      const signedAt = '2026-12-09T09:30:00Z'; // 8 Dec, 23:30 in Honolulu
      await db.owner.query(
        `INSERT INTO agencies (id, kind, name, time_zone) VALUES ($1, 'ice', 'ICE', 'Pacific/Honolulu')`,
        [ICE],
      );
      try {
        await decided('cp_decision', ICE, signedAt, 'granted', {}, requestedAt);
        // HHS has no zone of its own: the deployment's (Honolulu's) is where it works.
        await decided('hhs_certification_letter', HHS, signedAt, 'denied', { reason: 'not_eligible' }, requestedAt);
        const eighth = await report('2026-12-08', '2026-12-08', 'Pacific/Honolulu');
        expect(figure(eighth, 'cp_decision_days')).toMatchObject({ n: 1, median: 5 });
        expect(figure(eighth, 'certification_letter_days')).toMatchObject({ n: 1, median: 5 });
      } finally {
        await db.owner.query(`DELETE FROM agencies WHERE id = $1`, [ICE]);
      }
    });
  });
});
