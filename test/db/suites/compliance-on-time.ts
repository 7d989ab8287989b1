/**
 * "On time" in the compliance report (db/reports.ts) is "done before the step became overdue" (db/overdue.ts
 * `doneInTimeSql`, the rule of `overdueSql` and the API's `overdue`): a deadline that is a day is met all of its last
 * day wherever in the US it is read, after its due instant too. On a real PostgreSQL, with read-model rows written
 * directly: CP renewal requests done on the last day after their due instant, and the next day once it had ended.
 */
import { randomUUID } from 'node:crypto';
import { complianceFigures, type MetricRow } from '../../../db/reports';
import { doneInTimeSql } from '../../../db/overdue';
import { DEMO_AGENCIES } from '../../../db/seed';
import { startTestDatabase, type TestDatabase } from '../../support/postgres';

describe('compliance-on-time', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await startTestDatabase();
  }, 60_000);
  afterAll(async () => {
    await db?.stop();
  });

  const POLICE = DEMO_AGENCIES.law_enforcement;
  let cases = 0;

  /** A case with one completed step of `kind` due at `dueAt` and done at `completedAt`; returns its id. */
  async function caseWithStep(step: {
    kind: string;
    dueAt: string;
    dueOnADay: boolean;
    completedAt: string;
  }): Promise<string> {
    cases += 1;
    const id = randomUUID();
    await db.owner.query(
      `INSERT INTO cases (id, reference, path, status, opened_at, policy_version, agencies, version)
     VALUES ($1, $2, 'adult', 'open', '2026-03-01T12:00:00Z', 'test', $3, 1)`,
      [id, `RC-ON-TIME-${cases}`, JSON.stringify(DEMO_AGENCIES)],
    );
    await db.owner.query(
      `INSERT INTO case_steps (case_id, step_id, kind, track, agency_kind, agency_id, status, opened_at, due_at,
                             due_on_a_day, completed_at, outcome)
     VALUES ($1, $2, $3, 'cp', 'law_enforcement', $4, 'completed', '2026-03-15T12:00:00Z', $5, $6, $7, 'requested')`,
      [id, `${step.kind}-1`, step.kind, POLICE, step.dueAt, step.dueOnADay, step.completedAt],
    );
    return id;
  }

  async function renewals(from: string, to: string): Promise<MetricRow | undefined> {
    const rows = await complianceFigures(db.pool, {
      participantAgencyId: DEMO_AGENCIES.coordinator,
      start: new Date(`${from}T00:00:00Z`),
      end: new Date(`${to}T00:00:00Z`),
      now: new Date('2026-12-01T00:00:00Z'),
    });
    return rows.find((row) => row.agencyId === undefined && row.metric === 'cp_renewal_request');
  }

  describe('CP renewals requested before expiry: met when requested before the step became overdue', () => {
    it('a renewal due at the grant end (valid until 15 May) requested on 15 May in Los Angeles, after its due instant, is on time; one requested once 15 May ended everywhere in the US is late', async () => {
      // Due 2026-05-16T00:00Z (the start of the day after the last day); 15 May ends in Honolulu at 10:00Z on the 16th,
      // and the step is overdue from 12:00Z (LAST_DAY_ENDS_EVERYWHERE_MS).
      const end = '2026-05-16T00:00:00Z';
      await caseWithStep({
        kind: 'cp_renewal_request',
        dueAt: end,
        dueOnADay: false,
        completedAt: '2026-05-16T03:00:00Z',
      });
      await caseWithStep({
        kind: 'cp_renewal_request',
        dueAt: end,
        dueOnADay: false,
        completedAt: '2026-05-16T12:00:00Z',
      });
      await caseWithStep({
        kind: 'cp_renewal_request',
        dueAt: end,
        dueOnADay: false,
        completedAt: '2026-05-16T12:30:00Z',
      });
      expect(await renewals('2026-05-16', '2026-05-17')).toMatchObject({ n: 3, met: 2 });
    });

    it('a step due on a day (noon UTC, 20 Jun) done that afternoon in the US is on time; done on 21 Jun after that day ended everywhere, late', async () => {
      const due = '2026-06-20T12:00:00Z';
      await caseWithStep({
        kind: 'cp_renewal_request',
        dueAt: due,
        dueOnADay: true,
        completedAt: '2026-06-20T22:00:00Z',
      });
      await caseWithStep({
        kind: 'cp_renewal_request',
        dueAt: due,
        dueOnADay: true,
        completedAt: '2026-06-21T13:00:00Z',
      });
      expect(await renewals('2026-06-20', '2026-06-22')).toMatchObject({ n: 2, met: 1 });
    });
  });

  describe('doneInTimeSql', () => {
    it('holds a step due at an instant to that instant, and a deadline that is a day to the end of that day in the US', async () => {
      const steps = [
        ['cp_decision', '2026-07-01T12:00:00Z', false, '2026-07-01T12:00:00Z', true],
        ['cp_decision', '2026-07-01T12:00:00Z', false, '2026-07-01T12:00:01Z', false],
        ['cp_decision', '2026-07-01T12:00:00Z', true, '2026-07-02T11:59:00Z', true],
        ['cp_decision', '2026-07-01T12:00:00Z', true, '2026-07-02T12:01:00Z', false],
        ['t_visa_adjustment_filing', '2026-07-02T00:00:00Z', false, '2026-07-02T12:00:00Z', true],
        ['t_visa_adjustment_filing', '2026-07-02T00:00:00Z', false, '2026-07-02T12:00:01Z', false],
      ] as const;
      const { rows } = await db.pool.query<{ done: boolean }>(
        `SELECT ${doneInTimeSql('s')} AS done
       FROM unnest($1::text[], $2::timestamptz[], $3::boolean[], $4::timestamptz[]) WITH ORDINALITY
            AS s(kind, due_at, due_on_a_day, completed_at, n)
       ORDER BY n`,
        [steps.map((s) => s[0]), steps.map((s) => s[1]), steps.map((s) => s[2]), steps.map((s) => s[3])],
      );
      expect(rows.map((row) => row.done)).toEqual(steps.map((s) => s[4]));
    });
  });
});
