/**
 * The statements every write through the API makes besides the command itself (the write limit's hit, the
 * Idempotency-Key's claim and stored answer, the request's audit row) are prepared on their connection (db/pool.ts
 * `prepared`): PostgreSQL parses and plans each once per connection, not on every sign-off (issue 16; about half the
 * server's time on these statements went to that).
 */
import { randomUUID } from 'node:crypto';
import { recordAudit } from '../../../db/audit';
import { claim, complete } from '../../../db/idempotency';
import { createPool } from '../../../db/pool';
import { countHit } from '../../../db/rate-limit-hits';
import { startTestDatabase, type TestDatabase } from '../../support/postgres';

describe('write-statements', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await startTestDatabase();
  }, 120_000);
  afterAll(async () => {
    await db?.stop();
  });

  it("prepares the write limit's hit, the key's claim and answer, and the audit row", async () => {
    // One connection, so the statements prepared are those the next query's session holds.
    const pool = createPool(db.connectionString, { max: 1 });
    try {
      await countHit(pool, 'write:someone', 60_000);
      const key = randomUUID();
      expect(await claim(pool, 'POST /api/x @someone', key, 'a'.repeat(64), new Date())).toBe('new');
      await complete(pool, 'POST /api/x @someone', key, 200, { ok: true }, new Date());
      await recordAudit(pool, { action: 'step.sign_off', outcome: 'allowed', status: 200 });
      const { rows } = await pool.query<{ statement: string }>('SELECT statement FROM pg_prepared_statements');
      const prepared = rows.map((row) => row.statement.replace(/\s+/g, ' ').trim().slice(0, 40));
      expect(prepared.sort()).toEqual(
        [
          'INSERT INTO audit_events (user_id, usern',
          'INSERT INTO idempotency_keys (scope, key',
          'INSERT INTO rate_limit_hits AS h (key, h',
          'UPDATE idempotency_keys SET status_code ',
        ].sort(),
      );
    } finally {
      await pool.end();
    }
  });
});
