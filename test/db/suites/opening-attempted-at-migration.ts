/**
 * The migration that records when an opening's last attempt reserved its case (`case_references.attempted_at`), run
 * down and up again on a database holding a reservation made before it: the reservation counts from when it was made,
 * the service may move it (a retry), and undoing the migration drops only the column.
 */
import { randomUUID } from 'node:crypto';
import { migrate } from '../../../db/migrate';
import { migrationsFrom, undoMigrations } from '../../support/migrations';
import { startTestDatabase, type TestDatabase } from '../../support/postgres';

describe('opening-attempted-at-migration', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await startTestDatabase();
  });
  afterAll(async () => {
    await db?.stop();
  });

  const fromAttemptedAt = migrationsFrom(/opening-attempted-at\.sql$/);

  test('a reservation made before it counts from when it was made; undone, only the column goes', async () => {
    const caseId = randomUUID();
    const columnExists = async () =>
      (
        await db.owner.query(
          `SELECT 1 FROM information_schema.columns WHERE table_name = 'case_references' AND column_name = 'attempted_at'`,
        )
      ).rowCount === 1;

    await undoMigrations(db.ownerConnectionString, fromAttemptedAt);
    expect(await columnExists()).toBe(false);
    await db.owner.query(
      `INSERT INTO case_references (case_id, opened_by_agency_id, reference, created_at)
     VALUES ($1, 'police-a', 'RC-MIG-ATTEMPT', '2026-12-06T10:00:00Z')`,
      [caseId],
    );

    expect(await migrate(db.ownerConnectionString)).toEqual(fromAttemptedAt);
    const attempted = async () =>
      (
        await db.owner.query<{ attempted: Date }>(
          'SELECT attempted_at AS attempted FROM case_references WHERE case_id = $1',
          [caseId],
        )
      ).rows[0]!.attempted.toISOString();
    expect(await attempted()).toBe('2026-12-06T10:00:00.000Z');
    // The service's role records a retry's attempt on the row, and nothing else.
    await db.pool.query(`UPDATE case_references SET attempted_at = '2026-12-07T10:00:00Z' WHERE case_id = $1`, [
      caseId,
    ]);
    expect(await attempted()).toBe('2026-12-07T10:00:00.000Z');
    await expect(
      db.pool.query(`UPDATE case_references SET created_at = now() WHERE case_id = $1`, [caseId]),
    ).rejects.toMatchObject({ code: '42501' });

    await undoMigrations(db.ownerConnectionString, fromAttemptedAt);
    expect(await columnExists()).toBe(false);
    expect((await db.owner.query('SELECT reference FROM case_references WHERE case_id = $1', [caseId])).rows).toEqual([
      { reference: 'RC-MIG-ATTEMPT' },
    ]);
    expect(await migrate(db.ownerConnectionString)).toEqual(fromAttemptedAt);
  });
});
