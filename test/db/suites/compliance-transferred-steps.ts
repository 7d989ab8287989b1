/**
 * A case transferred to another police agency after a period is counted, in that period's compliance report, for the
 * agency that had its steps then (db/reports.ts `heldAt`): a transfer moves the pending steps to the new agency, and the
 * report of a past quarter put that quarter's pending declaration, its overdue steps, a minor's notice missed and its
 * escalation under an agency the case reached only months later. On a real PostgreSQL, with read-model rows written
 * directly, as the transfer leaves them.
 */
import { randomUUID } from 'node:crypto';
import { complianceFigures, type MetricRow } from '../../../db/reports';
import { DEMO_AGENCIES } from '../../../db/seed';
import { transferSummary } from '../../../domain/transfers';
import { startTestDatabase, type TestDatabase } from '../../support/postgres';

describe('compliance-transferred-steps', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await startTestDatabase();
  }, 60_000);
  afterAll(async () => {
    await db?.stop();
  });

  const POLICE = DEMO_AGENCIES.law_enforcement;
  const NEW_POLICE = 'north-police';
  const TRANSFERRED_AT = '2026-12-07T19:00:00Z';

  /**
   * A minor identified by the police on 20 Jul 2026, never notified to HHS (due by 21 Jul), its declaration pending
   * (due 19 Aug) and escalated on 20 Aug, its CP request made on 22 Jul; transferred to another police on 7 Dec 2026,
   * which now has the two pending steps.
   */
  async function transferredCase(): Promise<void> {
    await db.owner.query(
      `INSERT INTO agencies (id, kind, name) VALUES ($1, 'law_enforcement', 'North Police') ON CONFLICT DO NOTHING`,
      [NEW_POLICE],
    );
    const id = randomUUID();
    await db.owner.query(
      `INSERT INTO cases (id, reference, path, status, opened_at, policy_version, agencies, version)
     VALUES ($1, 'RC-MOVED-1', 'minor', 'open', '2026-07-20T00:00:00Z', 'test', $2, 1)`,
      [id, JSON.stringify({ ...DEMO_AGENCIES, law_enforcement: NEW_POLICE })],
    );
    const step = `INSERT INTO case_steps (case_id, step_id, kind, track, agency_kind, agency_id, status, opened_at, due_at,
                                        completed_at, outcome, details)
                VALUES ($1, $2, $3, 'intake', 'law_enforcement', $4, $5, '2026-07-20T00:00:00Z', $6, $7, $8, $9)`;
    const settled = (stepId: string, completedAt: string, outcome: string, details: object) =>
      db.owner.query(step, [
        id,
        stepId,
        stepId.split('-')[0],
        POLICE,
        'completed',
        null,
        completedAt,
        outcome,
        details,
      ]);
    const pending = (stepId: string, dueAt: string) =>
      db.owner.query(step, [id, stepId, stepId.split('-')[0], NEW_POLICE, 'pending', dueAt, null, null, {}]);
    await settled('identification-1', '2026-07-20T00:00:00Z', 'identified', {
      identifiedOn: '2026-07-20',
      path: 'minor',
    });
    await settled('cp_request-1', '2026-07-22T12:00:00Z', 'requested', { requestedOn: '2026-07-22' });
    await pending('hhs_minor_notification-1', '2026-07-21T00:00:00Z');
    await pending('le_declaration-1', '2026-08-19T12:00:00Z');
    const entry = `INSERT INTO case_timeline (case_id, seq, at, type, step_id, summary) VALUES ($1, $2, $3, $4, $5, $6)`;
    await db.owner.query(entry, [id, 1, '2026-08-20T12:00:00Z', 'alarm.escalation', 'le_declaration-1', 'escalated']);
    await db.owner.query(entry, [
      id,
      2,
      TRANSFERRED_AT,
      'case.transferred',
      null,
      transferSummary('law_enforcement', POLICE, NEW_POLICE, 'moved_jurisdiction'),
    ]);
  }

  /** The report's figures of `from` to `to` (both included) for one agency, as the coordinator reads it at `now`. */
  async function figures(from: string, to: string, agencyId: string, now: string): Promise<Record<string, number>> {
    const end = new Date(`${to}T00:00:00Z`);
    end.setUTCDate(end.getUTCDate() + 1);
    const rows: MetricRow[] = await complianceFigures(db.pool, {
      participantAgencyId: DEMO_AGENCIES.coordinator,
      start: new Date(`${from}T00:00:00Z`),
      end,
      now: new Date(now),
    });
    return Object.fromEntries(rows.filter((row) => row.agencyId === agencyId).map((row) => [row.metric, row.n]));
  }

  describe('a case transferred after the period', () => {
    beforeAll(transferredCase);

    it("counts the period's pending declaration, overdue steps, missed notice and escalation for the police that had them, not the agency it went to later", async () => {
      const q3 = ['2026-07-01', '2026-09-30'] as const;
      expect(await figures(...q3, NEW_POLICE, '2026-12-07T20:00:00Z')).toEqual({});
      expect(await figures(...q3, POLICE, '2026-12-07T20:00:00Z')).toEqual({
        cases_minor: 1,
        minor_notification: 1,
        declaration_pending: 1,
        escalation: 1,
        overdue_at_end: 2,
      });
    });

    it('counts what is pending after the transfer for the agency that has it now, and a step settled before it for the one that signed it', async () => {
      // The quarter still running at 20:00 on 7 Dec: its end is now, after the transfer.
      expect(await figures('2026-10-01', '2026-12-31', NEW_POLICE, '2026-12-07T20:00:00Z')).toEqual({
        declaration_pending: 1,
        overdue_at_end: 2,
      });
      // Read the morning of the transfer, the same quarter's pending steps were still the first police's.
      expect(await figures('2026-10-01', '2026-12-31', POLICE, '2026-12-07T08:00:00Z')).toEqual({
        declaration_pending: 1,
        overdue_at_end: 2,
      });
    });
  });
});
