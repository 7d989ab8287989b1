/**
 * A PostgreSQL asked to stop with SIGTERM (a smart shutdown, as `pg_ctl stop -m smart` or a supervisor sends) refuses
 * new connections and waits for every open one to end. A pool kept in use (a worker's heartbeat takes a connection
 * every 5 s) never let its connections idle out, so the server stayed half down for good: every new connection
 * refused ("the database system is shutting down"), and the embedded mode's restart, which waits for it to exit, never
 * came. Each connection is now closed once idle after its lifetime, so the stop finishes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { createPool } from '../../db/pool';
import { eventually } from '../support/eventually';
import { startTestDatabase, type TestDatabase } from '../support/postgres';
import { isAlive } from '../support/processes';

let db: TestDatabase;
beforeAll(async () => {
  db = await startTestDatabase();
});
afterAll(async () => {
  await db?.stop();
});

/** The server's own process id, from its data folder (the owner may read where that is). */
async function postmasterPid(): Promise<number> {
  const owner = new Client({ connectionString: db.ownerConnectionString });
  await owner.connect();
  try {
    const { rows } = await owner.query<{ data_directory: string }>('SHOW data_directory');
    return Number(readFileSync(join(rows[0]!.data_directory, 'postmaster.pid'), 'utf8').split('\n')[0]);
  } finally {
    await owner.end();
  }
}

it('lets a smart shutdown (SIGTERM) finish while the pool is kept busy', async () => {
  const pid = await postmasterPid();
  const pool = createPool(db.connectionString, { max: 2, connectionLifetimeSeconds: 1 });
  // A query every 100 ms, as a worker's heartbeat and a trickle of requests: never idle for the pool's idle timeout.
  let busy = true;
  const load = (async () => {
    while (busy) {
      await pool.query('SELECT 1').catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  try {
    await pool.query('SELECT 1');
    process.kill(pid, 'SIGTERM');
    // Its connections closed within their lifetime (1 s here), the server exits; without it, it waited for good.
    await eventually(() => !isAlive(pid), 'the server to finish its smart shutdown', 8_000);
  } finally {
    busy = false;
    await load;
    await pool.end();
  }
});
