/**
 * Names stored before the one-line rule (domain/text.ts), brought under it by migration: a user's display name, an
 * agency's name and a key's label with a line break, a tab or a direction override read as one line afterwards, the
 * way the rule would have had them typed; names already under the rule are not touched.
 */
import { randomUUID } from 'node:crypto';
import { migrate } from '../../../db/migrate';
import { migrationsFrom, undoMigrations } from '../../support/migrations';
import { startTestDatabase, type TestDatabase } from '../../support/postgres';

describe('one-line-names-migration', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await startTestDatabase();
  });
  afterAll(async () => {
    await db?.stop();
  });

  test('names with line breaks, tabs or direction controls read as one line after the migration', async () => {
    const fromOneLineOn = migrationsFrom(/one-line-names\.sql$/);
    await undoMigrations(db.ownerConnectionString, fromOneLineOn);
    const [legacyUser, currentUser] = [randomUUID(), randomUUID()];
    await db.pool.query(
      `INSERT INTO agencies (id, kind, name) VALUES
       ('legacy-police', 'law_enforcement', E'Legacy City\\r\\nPolice'),
       ('current-hhs', 'hhs', 'Office of Trafficking in Persons')`,
    );
    await db.pool.query(
      `INSERT INTO users (id, username, display_name, agency_id, agency_kind, roles) VALUES
       ($1, 'legacy-officer', E'Ann\\n\\tLee \\u202Eofficer\\u202C ', 'legacy-police', 'law_enforcement', '{agency_officer}'),
       ($2, 'current-officer', 'حسن علي', 'current-hhs', 'hhs', '{agency_officer}')`,
      [legacyUser, currentUser],
    );
    await db.pool.query(
      `INSERT INTO access_tokens (id, user_id, kind, label, secret_hash, expires_at)
     VALUES ('legacy-key', $1, 'api_key', E'Office\\nlaptop', '\\x00', now() + interval '1 day')`,
      [legacyUser],
    );

    expect(await migrate(db.ownerConnectionString)).toEqual(fromOneLineOn);

    const names = await db.pool.query<{ name: string }>(
      `SELECT name FROM agencies WHERE id IN ('legacy-police', 'current-hhs')
     UNION ALL SELECT display_name FROM users WHERE id IN ($1, $2)
     UNION ALL SELECT label FROM access_tokens WHERE id = 'legacy-key'`,
      [legacyUser, currentUser],
    );
    expect(names.rows.map((row) => row.name).sort()).toEqual(
      ['Legacy City Police', 'Office of Trafficking in Persons', 'Ann Lee officer', 'حسن علي', 'Office laptop'].sort(),
    );
  });
});
