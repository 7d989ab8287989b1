/**
 * The whole service on real parts for one jest file: an embedded PostgreSQL, the official Temporal time-skipping
 * server (or dev server), a real SMTP server (the mail capture), a worker with the real activities, the write side
 * and the Express app — wired by the same functions the service uses.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Writable } from 'node:stream';
import { Client } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import type { Express } from 'express';
import type { Pool } from 'pg';
import { createActivities } from '../../activities';
import { createApp, type ApiDeps } from '../../api/app';
import { CaseCommands } from '../../app/case-commands';
import { createServices, type ServiceParts } from '../../app/services';
import { createDigestSchedules } from '../../app/daily-digests';
import { createLogger, type Logger } from '../../core/logger';
import { seedDemoAgencies } from '../../db/seed';
import { DEFAULT_POLICY, type Policy } from '../../domain/policy';
import { startMailCapture, type MailCapture } from '../../mail/capture-server';
import { createMailTransport } from '../../mail/transport';
import { dataConverterFor } from '../../temporal/data-converter';
import { createCaseWorker } from '../../temporal/worker';
import { workflowClientInterceptors, workflowInterceptorModules, type Tracing } from '../../temporal/interceptors';
import type { IdentityKeyring } from '../../core/identity-cipher';
import type { AgencyKind } from '../../domain/types';
import { DEMO_WORKER_OF, seedDemoUsersWithTokens, type TestUser } from './auth';
import { startTestDatabase, type TestDatabase } from './postgres';
import { createLocalEnv, createTimeSkippingEnv, workflowBundle } from './temporal';
import { wallClock, type Clock } from '../../core/clock';

export { eventually } from './eventually';

/**
 * The payload key of every test stack. Fixed, so recorded histories (test/replay) stay readable; a test key only.
 */
export const TEST_PAYLOAD_KEYRING: IdentityKeyring = {
  current: { id: 'test-payload-key', key: createHash('sha256').update('relief-cases test payload key').digest() },
};

export interface Stack {
  env: TestWorkflowEnvironment;
  /** A client with the service's encrypting data converter (env.client has none: it sees only ciphertext). */
  client: Client;
  pool: Pool;
  /** The stack's PostgreSQL, for a process of the service started by a test (`main.ts`). */
  database: TestDatabase;
  mail: MailCapture;
  cases: CaseCommands;
  app: Express;
  /**
   * The write side on another Temporal client (e.g. one whose server cannot be reached), otherwise as `cases`; a
   * history limit of its own makes only the cases it opens continue as new early; a clock of its own issues its
   * commands at another time than the test server's.
   */
  casesOn(client: Client, options?: { historyLimit?: number; writeTimeoutMs?: number; now?: Clock }): CaseCommands;
  /** An app over the stack's parts with some dependencies replaced: an API clock, a logger, the web console. */
  appWith(overrides: Partial<ApiDeps & ServiceParts>): Express;
  logger: Logger;
  /** The identity keys the stack's services seal with (a random key per stack). */
  identityKeyring: IdentityKeyring;
  taskQueue: string;
  /** The demo users (db/seed.ts) by username, each with an API key. */
  users: Record<string, TestUser>;
  /** Bearer headers of the demo user working for the demo agency of this kind. */
  as(kind: AgencyKind): { Authorization: string };
  /** The policy new cases capture; a test may swap it to show running cases keep theirs. */
  setPolicy(policy: Policy): void;
  /** Forgets every rate limit's count: they live in the database, shared by every app on it, not in one app. */
  resetRateLimits(): Promise<void>;
  /** Starts a second worker on the same task queue (e.g. after stopping the first). */
  startWorker(): Promise<void>;
  stopWorker(): Promise<void>;
  stop(): Promise<void>;
}

export const PUBLIC_BASE_URL = 'https://relief.example.org';

export interface StackOptions {
  server?: 'time-skipping' | 'dev';
  historyLimit?: number;
  /** How long a case's notice of what passed gathers an entry session (default: the workflow's, 30 minutes). */
  passedNoticeGatherMs?: number;
  /** Where the service's logs go, and from which level (default: stdout, silent unless TEST_LOG_LEVEL). */
  log?: { level: string; destination: Writable };
  /** The dev server's SQLite file (default: in memory), so a test can read what Temporal stored. */
  temporalDbFile?: string;
  /** A running Temporal server (host:port, namespace TEMPORAL_NAMESPACE or default) instead of one of the test's own. */
  temporalAddress?: string;
  /** Where spans go (the service's OTLP processor, or a test's in-memory one); tracing is off without it. */
  tracing?: Tracing;
}

async function createEnv(options: StackOptions): Promise<TestWorkflowEnvironment> {
  if (options.temporalAddress) {
    return TestWorkflowEnvironment.createFromExistingServer({
      address: options.temporalAddress,
      namespace: process.env.TEMPORAL_NAMESPACE,
    });
  }
  return options.server === 'dev' ? createLocalEnv({ dbFilename: options.temporalDbFile }) : createTimeSkippingEnv();
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const logger = options.log
    ? createLogger({ level: options.log.level, destination: options.log.destination })
    : createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const database = await startTestDatabase();
  const { pool } = database;
  await seedDemoAgencies(pool);
  const users = await seedDemoUsersWithTokens(pool);
  const env = await createEnv(options);
  // Room for every email of a suite that opens many cases; the service's capture keeps the latest 200.
  const mail = await startMailCapture({ port: 0, keep: 10_000 });
  const from = 'Relief cases <no-reply@relief.example.org>';
  const mailer = createMailTransport({ smtpUrl: mail.url, from });
  const taskQueue = `cases-${process.pid}`;
  const { tracing } = options;
  const bundle = await workflowBundle(
    require.resolve('../../workflows'),
    workflowInterceptorModules(tracing !== undefined),
  );
  const dataConverter = dataConverterFor(TEST_PAYLOAD_KEYRING);
  const client = new Client({
    connection: env.connection,
    namespace: env.namespace ?? 'default',
    dataConverter,
    interceptors: { workflow: workflowClientInterceptors(tracing) },
  });
  const activities = createActivities({
    pool,
    mailer,
    from,
    publicBaseUrl: PUBLIC_BASE_URL,
    temporal: { client, taskQueue, passedNoticeGatherMs: options.passedNoticeGatherMs },
    logger,
    now: wallClock,
  });

  let worker: { instance: Worker; running: Promise<void> } | undefined;
  const startWorker = async () => {
    const instance = await createCaseWorker({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue,
      activities,
      dataConverter,
      workflowBundle: bundle,
      tracing,
    });
    worker = { instance, running: instance.run() };
  };
  const stopWorker = async () => {
    if (!worker) return;
    worker.instance.shutdown();
    await worker.running;
    worker = undefined;
  };
  await startWorker();

  let policy = DEFAULT_POLICY;
  const identityKeyring: IdentityKeyring = { current: { id: 'test-key', key: randomBytes(32) } };
  const casesOn = (on: Client, overrides: { historyLimit?: number; writeTimeoutMs?: number; now?: Clock } = {}) =>
    new CaseCommands({
      client: on,
      pool,
      identityKeyring,
      taskQueue,
      policy: () => policy,
      // Registered on the dev server we start; an existing server may not have them.
      searchAttributes: options.server === 'dev' && !options.temporalAddress,
      historyLimit: overrides.historyLimit ?? options.historyLimit,
      passedNoticeGatherMs: options.passedNoticeGatherMs,
      writeTimeoutMs: overrides.writeTimeoutMs,
      now: overrides.now ?? (async () => new Date(await env.currentTimeMs())),
    });
  const cases = casesOn(client);
  const appWith = (overrides: Partial<ApiDeps & ServiceParts>) => {
    // The services are built from the same parts, so a test's clock, lockout or mailer reaches them too.
    // The services' clock is the wall clock unless the test passes its own (the write side reads the test server's).
    const parts = {
      pool,
      logger,
      identityKeyring,
      mailer,
      now: wallClock,
      publicBaseUrl: PUBLIC_BASE_URL,
      digests: createDigestSchedules({ client, taskQueue, passedNoticeGatherMs: options.passedNoticeGatherMs }, pool),
      temporal: { client, taskQueue },
      ...overrides,
    };
    return createApp({
      cases,
      mailbox: mail,
      ready: async () => ({ ok: true, checks: { postgres: true, temporal: true } }),
      ...createServices(parts),
      ...parts,
    });
  };
  const app = appWith({});

  return {
    env,
    client,
    pool,
    database,
    mail,
    cases,
    app,
    casesOn,
    appWith,
    logger,
    identityKeyring,
    taskQueue,
    users,
    as: (kind) => users[DEMO_WORKER_OF[kind]]!.headers,
    setPolicy: (next) => void (policy = next),
    resetRateLimits: async () => void (await pool.query('DELETE FROM rate_limit_hits')),
    startWorker,
    stopWorker,
    stop: async () => {
      await stopWorker();
      mailer.close();
      await mail.close();
      await env.teardown();
      await database.stop();
    },
  };
}
