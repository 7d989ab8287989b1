/**
 * "Interim letters followed by an eligibility letter within their validity" in the compliance report (db/reports.ts)
 * reads the validity's last day as a day, all of it wherever in the US (db/overdue.ts `withinLastDaySql`, the rule of
 * `overdueSql` and the case's lapse): an eligibility letter recorded on that day in Los Angeles, after midnight UTC,
 * follows the letter in time. On a real PostgreSQL, with read-model rows written directly.
 */
import { randomUUID } from 'node:crypto';
import { complianceFigures, type MetricRow } from '../../../db/reports';
import { DEMO_AGENCIES } from '../../../db/seed';
import { startTestDatabase, type TestDatabase } from '../../support/postgres';

describe('compliance-interim-letter', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await startTestDatabase();
  }, 60_000);
  afterAll(async () => {
    await db?.stop();
  });

  const HHS = DEMO_AGENCIES.hhs;
  let cases = 0;

  /**
   * A case with an interim letter issued on 1 Mar whose validity ends at `expiresAt`, and, when `eligibilityAt` is given,
   * an eligibility letter recorded then.
   */
  async function caseWithInterimLetter(expiresAt: string, eligibilityAt?: string): Promise<void> {
    cases += 1;
    const id = randomUUID();
    await db.owner.query(
      `INSERT INTO cases (id, reference, path, status, opened_at, policy_version, agencies, version)
     VALUES ($1, $2, 'adult', 'open', '2026-02-01T12:00:00Z', 'test', $3, 1)`,
      [id, `RC-INTERIM-${cases}`, JSON.stringify(DEMO_AGENCIES)],
    );
    const step = `INSERT INTO case_steps (case_id, step_id, kind, track, agency_kind, agency_id, status, opened_at,
                                        expires_at, completed_at, outcome)
                VALUES ($1, $2, $3, 'hhs', 'hhs', $4, 'completed', '2026-02-15T12:00:00Z', $5, $6, 'issued')`;
    await db.owner.query(step, [
      id,
      'hhs_interim_letter-1',
      'hhs_interim_letter',
      HHS,
      expiresAt,
      '2026-03-01T15:00:00Z',
    ]);
    if (eligibilityAt) {
      await db.owner.query(step, [id, 'hhs_eligibility_letter-1', 'hhs_eligibility_letter', HHS, null, eligibilityAt]);
    }
  }

  async function interimLetters(
    from: string,
    to: string,
    now = '2026-12-01T00:00:00Z',
  ): Promise<MetricRow | undefined> {
    const rows = await complianceFigures(db.pool, {
      participantAgencyId: DEMO_AGENCIES.coordinator,
      start: new Date(`${from}T00:00:00Z`),
      end: new Date(`${to}T00:00:00Z`),
      now: new Date(now),
    });
    return rows.find((row) => row.agencyId === undefined && row.metric === 'interim_letter');
  }

  describe('interim letters followed by an eligibility letter within their validity', () => {
    it('an interim letter valid until 15 May followed on 15 May in Los Angeles, after midnight UTC, is met; one followed once 15 May had ended everywhere in the US, or never, is missed', async () => {
      // The validity ends at 2026-05-16T00:00Z (the start of the day after its last day); 15 May ends in Honolulu at
      // 10:00Z on the 16th, and the letter has lapsed from 12:00Z (LAST_DAY_ENDS_EVERYWHERE_MS).
      const end = '2026-05-16T00:00:00Z';
      await caseWithInterimLetter(end, '2026-05-16T03:00:00Z'); // 15 May, 20:00 in Los Angeles
      await caseWithInterimLetter(end, '2026-05-16T12:00:00Z'); // 15 May, 02:00 in Honolulu: the last moment
      await caseWithInterimLetter(end, '2026-05-16T12:30:00Z');
      await caseWithInterimLetter(end);
      expect(await interimLetters('2026-05-16', '2026-05-17')).toMatchObject({ n: 4, met: 2 });
    });

    it('a letter not followed is not counted as missed while its last day has not ended everywhere in the US', async () => {
      const end = '2026-07-16T00:00:00Z';
      await caseWithInterimLetter(end);
      // 15 Jul, 23:00 in Los Angeles: still valid there, so neither met nor missed yet.
      expect(await interimLetters('2026-07-15', '2026-07-17', '2026-07-16T06:00:00Z')).toBeUndefined();
      expect(await interimLetters('2026-07-15', '2026-07-17', '2026-07-16T12:30:00Z')).toMatchObject({ n: 1, met: 0 });
    });
  });
});
