/**
 * A supervisor's or admin's audit trail filtered by a case reads their own agency's rows of it, never another
 * agency's: where it read every row of the case and dropped the others' (audit_events_case_idx), its cost grew with
 * what another agency did on that case, a timing signal to an insider holding a case id. Checked by the rows the plan
 * read (EXPLAIN ANALYZE), never by a time.
 */
import { randomUUID } from 'node:crypto';
import { listAudit } from '../../../db/audit';
import { startTestDatabase, type TestDatabase } from '../../support/postgres';
import { planNodes, planOfRead } from '../../support/query-plans';

describe('audit-plans', () => {
  let db: TestDatabase;
  const caseId = randomUUID();
  const OWN_ROWS = 20;
  beforeAll(async () => {
    db = await startTestDatabase();
    // Another agency busy on the case (5,000 rows), the reader's agency a little (20), and other cases around.
    await db.owner.query(
      `INSERT INTO audit_events (agency_id, action, case_id, outcome, at)
       SELECT CASE WHEN n <= $2 THEN 'own-agency' ELSE 'busy-agency' END, 'case.read', $1, 'allowed',
              now() - n * interval '1 second'
         FROM generate_series(1, 5000 + $2) AS n
       UNION ALL
       SELECT CASE WHEN n % 2 = 0 THEN 'own-agency' ELSE 'busy-agency' END, 'case.read', gen_random_uuid(), 'allowed',
              now() - n * interval '1 second'
         FROM generate_series(1, 5000) AS n`,
      [caseId, OWN_ROWS],
    );
    await db.owner.query('ANALYZE audit_events');
  }, 120_000);
  afterAll(async () => {
    await db?.stop();
  });

  it("reads only the reader's agency's rows of the case, however many another agency has", async () => {
    const plan = await planOfRead(
      db.owner,
      (capture) =>
        listAudit(capture, { caseId, visibleTo: { agencyId: 'own-agency', withItsCases: false }, limit: 50 }),
      { analyze: true },
    );
    const scans = planNodes(plan).filter((node) => node['Relation Name'] === 'audit_events');
    const read = scans.map((node) => ({
      index: node['Index Name'],
      rows: (node['Actual Rows'] ?? 0) * (node['Actual Loops'] ?? 1),
      dropped: (node['Rows Removed by Filter'] ?? 0) + (node['Rows Removed by Index Recheck'] ?? 0),
    }));
    expect(read).toEqual([{ index: 'audit_events_agency_case_idx', rows: OWN_ROWS, dropped: 0 }]);
  });
});
