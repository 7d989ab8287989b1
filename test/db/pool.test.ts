/**
 * A connection lost inside a transaction (PostgreSQL restarted, a failover): the transaction fails, the process lives
 * on, and the pool serves the next query. Unheard, the lost client's 'error' event used to crash the whole service.
 */
import { Client } from 'pg';
import { inTransaction } from '../../db/pool';
import { startTestDatabase, type TestDatabase } from '../support/postgres';

let db: TestDatabase;
let owner: Client;
beforeAll(async () => {
  db = await startTestDatabase();
  owner = new Client({ connectionString: db.ownerConnectionString });
  await owner.connect();
});
afterAll(async () => {
  await owner?.end();
  await db?.stop();
});

it('fails the transaction whose connection the server ends, and the pool goes on', async () => {
  const ended = inTransaction(db.pool, async (client) => {
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    // What a restart does to every connection: the server ends it while it sits checked out, between statements.
    await owner.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
    await client.query('SELECT 1');
  });
  await expect(ended).rejects.toThrow();
  expect((await db.pool.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
});
