/**
 * A connection lost inside a transaction (PostgreSQL restarted, a failover): the transaction fails, the process lives
 * on, and the pool serves the next query. Unheard, the lost client's 'error' event used to crash the whole service.
 * A server that stops answering fails a query after the pool's query timeout, as an outage (503), where the request
 * used to hang for as long as the server stayed silent.
 */
import request from 'supertest';
import { createApp } from '../../../api/app';
import { commandsRefused } from '../../../api/deps';
import { createServices } from '../../../app/services';
import { wallClock } from '../../../core/clock';
import { asAppError } from '../../../core/errors';
import { createLogger } from '../../../core/logger';
import { createPool, inTransaction } from '../../../db/pool';
import { startTestDatabase, type TestDatabase } from '../../support/postgres';

describe('pool', () => {
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

  it('answers a request that waits for a connection while every one is in use 503 with Retry-After, after 5 s', async () => {
    // A pool of one whose one connection is held: every request waits in the pool's queue, as under load.
    const pool = createPool(db.connectionString, { max: 1 });
    const logger = createLogger({ level: 'silent' });
    const app = createApp({
      logger,
      ...createServices({ now: wallClock, pool, logger }),
      cases: commandsRefused('not called'),
      ready: () => Promise.reject(new Error('not called')),
    });
    // Any token: checking it is the request's first query, which waits for the connection.
    const token = `Bearer rc_${'a'.repeat(16)}_${'b'.repeat(43)}`;
    try {
      const held = await pool.connect();
      try {
        const started = Date.now();
        const res = await request(app).get('/api/steps').set('Authorization', token);
        const waited = Date.now() - started;
        expect(res.status).toBe(503);
        expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
        expect(res.headers['retry-after']).toBe('5');
        // The code of every PostgreSQL outage, which clients retry on; the words say it is load, not a server down.
        expect(res.body).toMatchObject({
          status: 503,
          code: 'postgres_unavailable',
          detail: 'Every connection to the database (PostgreSQL) is in use. Retry shortly.',
        });
        // Bounded by the pool's connection timeout (db/pool.ts), not the query timeout or the client's patience.
        expect(waited).toBeGreaterThanOrEqual(4_500);
        expect(waited).toBeLessThan(7_000);
      } finally {
        held.release();
      }
      // A connection free again serves the next request: the token is refused for itself, not for the pool.
      await request(app).get('/api/steps').set('Authorization', token).expect(401);
    } finally {
      await pool.end();
    }
  });
});
