/**
 * A connection lost inside a transaction (PostgreSQL restarted, a failover): the transaction fails, the process lives
 * on, and the pool serves the next query. Unheard, the lost client's 'error' event used to crash the whole service.
 * A server that stops answering fails a query after the pool's query timeout, as an outage (503), where the request
 * used to hang for as long as the server stayed silent.
 */
import { asAppError } from '../../core/errors';
import { createPool, inTransaction } from '../../db/pool';
import { startTestDatabase, type TestDatabase } from '../support/postgres';

let db: TestDatabase;
beforeAll(async () => {
  db = await startTestDatabase();
});
afterAll(async () => {
  await db?.stop();
});

it('fails the transaction whose connection the server ends, and the pool goes on', async () => {
  const ended = inTransaction(db.pool, async (client) => {
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    // What a restart does to every connection: the server ends it while it sits checked out, between statements.
    await db.owner.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
    await client.query('SELECT 1');
  });
  await expect(ended).rejects.toThrow();
  expect((await db.pool.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
});

it("fails a query left unanswered as an outage, and discards the transaction's connection", async () => {
  const pool = createPool(db.connectionString, { max: 1, queryTimeoutMs: 500 });
  try {
    let pid = 0;
    const error = await inTransaction(pool, async (client) => {
      pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
      // A server that has stopped answering, as far as the client can tell.
      await client.query('SELECT pg_sleep(5)');
    }).catch((failure: unknown) => failure);
    expect(asAppError(error)).toMatchObject({ status: 503, options: { code: 'postgres_unavailable' } });
    // The pool's one connection was discarded, not queued behind the unanswered query: the next gets a new one.
    const next = await pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    expect(next.rows[0]!.pid).not.toBe(pid);
  } finally {
    await pool.end();
  }
});
