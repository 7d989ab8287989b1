/**
 * Upgrading a database that ran a migration numbered after one it never ran: migrations merged from parallel work land
 * out of order (1797870000000_payload-key-checks was added after 1797880000000_step-signed-by), so a deployment that
 * ran the release between them holds the later one without the earlier. Its next start applies what it lacks and ends
 * with the tables a new database gets, where it refused to start ("Not run migration 1797870000000_payload-key-checks
 * is preceding already run migration 1797880000000_step-signed-by").
 */
import { migrate } from '../../db/migrate';
import { applyMigration, migrationsFrom, undoMigrations } from '../support/migrations';
import { startTestDatabase, type TestDatabase } from '../support/postgres';

let db: TestDatabase;
beforeAll(async () => {
  db = await startTestDatabase();
});
afterAll(async () => {
  await db?.stop();
});

/** What the migrations made: tables and columns, indexes, constraints, triggers and grants, in one sorted list. */
async function schema(): Promise<string[]> {
  const { rows } = await db.owner.query<{ line: string }>(`
    SELECT format('column %s.%s %s %s %s', table_name, column_name, data_type, is_nullable, column_default) AS line
      FROM information_schema.columns WHERE table_schema = 'public'
    UNION ALL SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname = 'public'
    UNION ALL SELECT format('constraint %s %s %s', c.conrelid::regclass, c.conname, pg_get_constraintdef(c.oid))
      FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = 'public'
    UNION ALL SELECT 'trigger ' || pg_get_triggerdef(t.oid)
      FROM pg_trigger t JOIN pg_class r ON r.oid = t.tgrelid JOIN pg_namespace n ON n.oid = r.relnamespace
      WHERE n.nspname = 'public' AND NOT t.tgisinternal
    UNION ALL SELECT format('grant %s %s %s', grantee, table_name, privilege_type)
      FROM information_schema.role_table_grants WHERE table_schema = 'public'`);
  return rows.map((row) => row.line).sort();
}

test('a database that ran step-signed-by without payload-key-checks applies the rest and matches a new one', async () => {
  const fresh = await schema();
  const fromPayloadKeyChecks = migrationsFrom(/payload-key-checks\.sql$/);
  const stepSignedBy = fromPayloadKeyChecks.find((name) => name.endsWith('_step-signed-by'))!;
  expect(fromPayloadKeyChecks.indexOf(stepSignedBy)).toBe(1);

  // The database as release 7899533 left it: every migration up to step-signed-by, but not payload-key-checks.
  await undoMigrations(db.ownerConnectionString, fromPayloadKeyChecks);
  await applyMigration(db.ownerConnectionString, stepSignedBy);
  const table = async () =>
    (await db.owner.query<{ t: string | null }>(`SELECT to_regclass('payload_key_checks')::text AS t`)).rows[0]!.t;
  expect(await table()).toBeNull();

  expect(await migrate(db.ownerConnectionString)).toEqual(fromPayloadKeyChecks.filter((name) => name !== stepSignedBy));
  expect(await table()).toBe('payload_key_checks');
  expect(await schema()).toEqual(fresh);
  expect(await migrate(db.ownerConnectionString)).toEqual([]);
});

test('a database that ran a migration no longer among the files (renamed or deleted) is refused, naming it', async () => {
  await db.owner.query(`INSERT INTO pgmigrations (name, run_on) VALUES ('1797000000001_renamed-since', now())`);
  try {
    await expect(migrate(db.ownerConnectionString)).rejects.toThrow(
      /the database ran migrations that are not in .*migrations \(renamed or deleted\): 1797000000001_renamed-since$/,
    );
  } finally {
    await db.owner.query(`DELETE FROM pgmigrations WHERE name = '1797000000001_renamed-since'`);
  }
});

test('a database a newer release migrated (side by side in a rolling deployment, or rolled back) starts as it did', async () => {
  await db.owner.query(`INSERT INTO pgmigrations (name, run_on) VALUES ('9999999999999_a-newer-release', now())`);
  try {
    expect(await migrate(db.ownerConnectionString)).toEqual([]);
  } finally {
    await db.owner.query(`DELETE FROM pgmigrations WHERE name = '9999999999999_a-newer-release'`);
  }
});
