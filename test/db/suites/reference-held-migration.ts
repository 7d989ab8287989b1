/**
 * The cases transferred before the number a case kept from its former police was held by the database (migration
 * reference-held-after-transfer): each current reference is marked as the new police's, so that police cannot take it
 * for another case; where the new police already had the number for a case of its own (a transfer the check in code
 * never refused), the migration does not fail and the number stays marked as its opener's. A later transfer moves it.
 */
import { randomUUID } from 'node:crypto';
import { migrate } from '../../../db/migrate';
import { migrationsFrom, undoMigrations } from '../../support/migrations';
import { startTestDatabase, type TestDatabase } from '../../support/postgres';

describe('reference-held-migration', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await startTestDatabase();
  });
  afterAll(async () => {
    await db?.stop();
  });

  async function reservedCase(openedBy: string, reference: string, policeNow: string, at: string): Promise<string> {
    const caseId = randomUUID();
    await db.pool.query(
      `INSERT INTO cases (id, reference, path, status, opened_at, policy_version, agencies, version)
     VALUES ($1, $2, 'adult', 'open', $3, 'p', $4, 1)`,
      [caseId, reference, at, JSON.stringify({ law_enforcement: policeNow })],
    );
    await db.pool.query(
      'INSERT INTO case_references (case_id, opened_by_agency_id, reference, created_at) VALUES ($1, $2, $3, $4)',
      [caseId, openedBy, reference, at],
    );
    return caseId;
  }

  const holderOf = async (caseId: string) =>
    (
      await db.pool.query<{ holder: string }>(
        `SELECT COALESCE(held_by_agency_id, opened_by_agency_id) AS holder FROM case_references
        WHERE case_id = $1 AND replaced_at IS NULL`,
        [caseId],
      )
    ).rows[0]?.holder;

  test('references of cases transferred before the migration are held by the police they went to', async () => {
    const fromHeldOn = migrationsFrom(/reference-held-after-transfer\.sql$/);
    await undoMigrations(db.ownerConnectionString, fromHeldOn);
    await db.pool.query(
      `INSERT INTO agencies (id, kind, name) VALUES ('police-a', 'law_enforcement', 'Police A'),
       ('police-b', 'law_enforcement', 'Police B')`,
    );
    const moved = await reservedCase('police-a', 'PA-1', 'police-b', '2026-11-01T10:00:00Z');
    const stayed = await reservedCase('police-a', 'PA-2', 'police-a', '2026-11-01T11:00:00Z');
    // Police B opened a case under PA-3 before police A's case with that number was transferred to it.
    const ownOfB = await reservedCase('police-b', 'pa-3', 'police-b', '2026-11-01T12:00:00Z');
    const collided = await reservedCase('police-a', 'PA-3', 'police-b', '2026-11-01T13:00:00Z');

    expect(await migrate(db.ownerConnectionString)).toEqual(fromHeldOn);

    expect([await holderOf(moved), await holderOf(stayed), await holderOf(ownOfB), await holderOf(collided)]).toEqual([
      'police-b',
      'police-a',
      'police-b',
      'police-a',
    ]);
    // Police B cannot take PA-1 for another case now; police A's number PA-2 is still free to it.
    const taking = (reference: string) =>
      db.pool.query('INSERT INTO case_references (case_id, opened_by_agency_id, reference) VALUES ($1, $2, $3)', [
        randomUUID(),
        'police-b',
        reference,
      ]);
    await expect(taking('pa-1')).rejects.toMatchObject({ code: '23505' });
    await expect(taking('PA-2')).resolves.toMatchObject({ rowCount: 1 });

    // A transfer back moves it back (the trigger on the read model's agencies).
    await db.pool.query(`UPDATE cases SET agencies = '{"law_enforcement": "police-a"}' WHERE id = $1`, [moved]);
    expect(await holderOf(moved)).toBe('police-a');
  });
});
