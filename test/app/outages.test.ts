/**
 * What an unreachable PostgreSQL or Temporal looks like to the service, with the errors the real clients raise:
 * which ones answer 503 (core/errors.ts), and readiness bounded in time even against a server that accepts
 * connections and then says nothing (a hung host), where a refused connection would fail fast anyway.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import request from 'supertest';
import { createApp } from '../../api/app';
import { commandsRefused } from '../../api/deps';
import { createServices } from '../../app/services';
import { AppError, asAppError, unavailableDependency } from '../../core/errors';
import { IdentityKeyMissingError } from '../../core/identity-cipher';
import { createLogger } from '../../core/logger';
import { readinessProbe } from '../../app/readiness';
import { createPool } from '../../db/pool';
import { freePort } from '../support/ports';
import { startTestDatabase } from '../support/postgres';
import { retriesWithinDeadline } from '../../temporal/connection';
import { wallClock } from '../../core/clock';

/** A TCP server that accepts every connection and never answers: a host that hangs. */
let silent: Server;
const sockets = new Set<Socket>();
let silentAddress: string;
/** A port where nothing listens: connections are refused. */
let refusedPort: number;

beforeAll(async () => {
  silent = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((listening) => silent.listen(0, '127.0.0.1', listening));
  silentAddress = `127.0.0.1:${(silent.address() as { port: number }).port}`;
  refusedPort = await freePort();
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((closed) => silent.close(closed));
});

/** The error a promise rejects with. */
async function failureOf(work: Promise<unknown>): Promise<unknown> {
  return work.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => error,
  );
}

describe('which errors are an outage (503 with Retry-After)', () => {
  it('PostgreSQL refusing connections', async () => {
    const pool = createPool(`postgres://nobody:secret@127.0.0.1:${refusedPort}/relief`);
    try {
      const error = await failureOf(pool.query('select 1'));
      expect(unavailableDependency(error)).toBe('postgres');
      expect(asAppError(error)).toMatchObject({
        status: 503,
        options: { code: 'postgres_unavailable', headers: { 'Retry-After': '5' } },
      });
    } finally {
      await pool.end();
    }
  });

  it('PostgreSQL not answering: the pool gives up after its connection timeout instead of hanging', async () => {
    const pool = createPool(`postgres://nobody:secret@${silentAddress}/relief`);
    try {
      const started = Date.now();
      const error = await failureOf(pool.query('select 1'));
      expect(Date.now() - started).toBeLessThan(7_000);
      expect(unavailableDependency(error)).toBe('postgres');
    } finally {
      await pool.end();
    }
  });

  it('PostgreSQL shutting down or starting up (SQLSTATE 57P01, 57P03, class 08)', () => {
    for (const code of ['57P01', '57P02', '57P03', '08006', '08001', '53300']) {
      expect(unavailableDependency(Object.assign(new Error('terminating connection'), { code }))).toBe('postgres');
    }
    // A query's own failure is not an outage.
    expect(unavailableDependency(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBeUndefined();
  });

  it('Temporal unreachable, through the client as the write side calls it', async () => {
    // No retry interceptors: the SDK would otherwise retry the dead address for about 20 s.
    const connection = Connection.lazy({ address: `127.0.0.1:${refusedPort}`, interceptors: [] });
    try {
      const client = new Client({ connection });
      const error = await failureOf(client.workflow.getHandle('case-x').describe());
      expect(unavailableDependency(error)).toBe('temporal');
      expect(asAppError(error)).toMatchObject({
        status: 503,
        message: expect.stringContaining('Temporal') as unknown,
        options: { code: 'temporal_unavailable' },
      });
    } finally {
      await connection.close();
    }
    // A server that does not answer within the call's deadline is the same outage.
    // No retry interceptors here either: a retry the SDK schedules after close() would throw outside any test.
    const hung = Connection.lazy({ address: silentAddress, interceptors: [] });
    try {
      const late = await failureOf(
        hung.withDeadline(Date.now() + 200, () =>
          new Client({ connection: hung }).workflow.getHandle('case-x').describe(),
        ),
      );
      expect(late).toMatchObject({ cause: { code: 4 } });
      expect(unavailableDependency(late)).toBe('temporal');
    } finally {
      await hung.close();
    }
  });

  it("Temporal unreachable: the service's client retries within a call's deadline, never past it", async () => {
    // The SDK's own retries waited out their backoff (up to 6 s) before finding the deadline passed: this call, bounded
    // to 7 s against a refused port, ended 7.8 s to 11.7 s after it began (the jitter), and a write bounded by
    // WRITE_TIMEOUT_SECONDS (10 s) answered its 503 after 16 to 18 s while Temporal refused connections.
    const connection = Connection.lazy({
      address: `127.0.0.1:${refusedPort}`,
      interceptors: [retriesWithinDeadline()],
    });
    try {
      const deadlineMs = 7_000;
      const started = Date.now();
      const error = await failureOf(
        connection.withDeadline(started + deadlineMs, () =>
          new Client({ connection }).workflow.getHandle('case-x').describe(),
        ),
      );
      expect(Date.now() - started).toBeLessThan(deadlineMs + 250);
      // Its last failure, not the deadline's: Temporal could not be reached.
      expect(unavailableDependency(error)).toBe('temporal');
      expect(error).toMatchObject({ cause: { code: 14 } });
    } finally {
      await connection.close();
    }
  }, 20_000);

  it('not an outage: our own faults, a refusal, or a socket error of another part', async () => {
    expect(asAppError(new Error('a bug'))).toBeUndefined();
    const refusal = new AppError('conflict', 'The case is closed.');
    expect(asAppError(refusal)).toBe(refusal);
    // fetch wraps its socket error as the cause: that part (an identity provider) explains its own outages.
    const fetchFailure = await failureOf(fetch(`http://127.0.0.1:${refusedPort}/`));
    expect(unavailableDependency(fetchFailure)).toBeUndefined();
  });

  it("PostgreSQL's disk full (SQLSTATE 53100): 503 saying so, with the key to retry under once space is freed", () => {
    // As node-postgres raises it: PostgreSQL's message and its SQLSTATE.
    const full = Object.assign(new Error('could not extend file "base/5/16827_fsm": No space left on device'), {
      code: '53100',
    });
    const answer = asAppError(full);
    expect(answer).toMatchObject({
      status: 503,
      options: { code: 'postgres_disk_full', headers: { 'Retry-After': '60' } },
    });
    expect(answer?.message).toContain('no space left on its disk');
    expect(answer?.message).toContain('same Idempotency-Key');
  });

  it('a row sealed under an identity key the keyring lacks (a survivor, a document): 503 naming the key, no Retry-After', () => {
    const answer = asAppError(new IdentityKeyMissingError('k2027a'));
    expect(answer).toMatchObject({ status: 503, options: { code: 'identity_key_missing' } });
    expect(answer?.message).toContain('identity key k2027a');
    // Not an outage to wait out: it opens only once an operator puts the key back.
    expect(answer?.options.headers).toBeUndefined();
  });

  it('the API answers an outage 503 problem+json with Retry-After, not 500', async () => {
    const pool = createPool(`postgres://nobody:secret@127.0.0.1:${refusedPort}/relief`);
    try {
      const unused = () => Promise.reject(new Error('not called'));
      const app = createApp({
        logger: createLogger({ level: 'silent' }),
        ...createServices({ now: wallClock, pool: pool, logger: createLogger({ level: 'silent' }) }),
        cases: commandsRefused('not called'),
        ready: unused,
      });
      const res = await request(app)
        .get('/api/steps')
        .set('Authorization', `Bearer rc_${'a'.repeat(16)}_${'b'.repeat(43)}`)
        .expect(503);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.headers['retry-after']).toBe('5');
      expect(res.body).toMatchObject({
        status: 503,
        code: 'postgres_unavailable',
        detail: expect.stringContaining('PostgreSQL') as unknown,
      });
    } finally {
      await pool.end();
    }
  });
});

describe('PostgreSQL answering, but refusing one more connection (SQLSTATE 53300, too many clients)', () => {
  it('the API answers 503 saying PostgreSQL refuses new connections, not that it cannot be reached', async () => {
    // PostgreSQL's own refusal, as a server with max_connections taken answers ("sorry, too many clients already"):
    // the same SQLSTATE for a role's CONNECTION LIMIT, reached here with one connection held.
    const database = await startTestDatabase();
    const limited = new URL(database.ownerConnectionString);
    limited.username = 'relief_limited';
    limited.password = 'limited-secret';
    await database.owner.query(`CREATE ROLE relief_limited LOGIN PASSWORD 'limited-secret' CONNECTION LIMIT 1`);
    const holder = createPool(limited.href, { max: 1, applicationName: 'jest-holder' });
    const held = await holder.connect();
    const pool = createPool(limited.href);
    try {
      await expect(pool.query('SELECT 1')).rejects.toMatchObject({ code: '53300' });
      const app = createApp({
        logger: createLogger({ level: 'silent' }),
        ...createServices({ now: wallClock, pool, logger: createLogger({ level: 'silent' }) }),
        cases: commandsRefused('not called'),
        ready: () => Promise.reject(new Error('not called')),
      });
      const res = await request(app)
        .get('/api/steps')
        .set('Authorization', `Bearer rc_${'a'.repeat(16)}_${'b'.repeat(43)}`)
        .expect(503);
      expect(res.headers['retry-after']).toBe('5');
      const body = res.body as { status: number; code: string; detail: string };
      expect(body).toMatchObject({ status: 503, code: 'postgres_unavailable' });
      // It answers: an operator told it "cannot be reached" looked for a server that is down, /ready said ready.
      expect(body.detail).toBe(
        'The database (PostgreSQL) refuses new connections: it already has as many as it allows. Retry shortly ' +
          '(docs/runbook.md, "PostgreSQL refuses connections").',
      );
    } finally {
      held.release();
      await pool.end();
      await holder.end();
      await database.stop();
    }
  }, 60_000);
});

describe('readiness', () => {
  it('answers within about a second when PostgreSQL and Temporal both hang, naming every check', async () => {
    const pool = createPool(`postgres://nobody:secret@${silentAddress}/relief`);
    // Without the SDK's retries: the probe abandons its calls, and a retry scheduled after close() would throw outside
    // any test (the smoke test runs the probe on the service's own connection, retries and all).
    const connection = Connection.lazy({ address: silentAddress, interceptors: [] });
    try {
      const probe = readinessProbe({ pool, connection, taskQueue: 'cases' });
      const started = Date.now();
      const readiness = await probe();
      expect(Date.now() - started).toBeLessThan(1_500);
      expect(readiness).toEqual({ ok: false, checks: { postgres: false, temporal: false, worker: false } });
    } finally {
      await connection.close();
      // The pool waits for its pending connection attempt; closing the hung host's side ends it now.
      for (const socket of sockets) socket.destroy();
      await pool.end();
    }
  });
});
