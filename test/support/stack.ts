/**
 * The whole service on real parts for one jest file: an embedded PostgreSQL, the official Temporal time-skipping
 * server (or dev server), a real SMTP server (the mail capture), a worker with the real activities, the write side
 * and the Express app — wired by the same functions the service uses.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import type { Express } from 'express';
import type { Pool } from 'pg';
import { createActivities } from '../../activities';
import { createApp } from '../../api/app';
import { CaseCommands } from '../../app/case-commands';
import { createLogger, type Logger } from '../../app/logger';
import { seedDemoAgencies } from '../../db/seed';
import { DEFAULT_POLICY, type Policy } from '../../domain/policy';
import { startMailCapture, type MailCapture } from '../../mail/capture-server';
import { createMailTransport } from '../../mail/transport';
import { dataConverterFor } from '../../temporal/data-converter';
import { createCaseWorker } from '../../temporal/worker';
import type { IdentityKeyring } from '../../db/identity-cipher';
import type { AgencyKind } from '../../domain/types';
import { DEMO_WORKER_OF, seedDemoUsersWithTokens, type TestUser } from './auth';
import { startTestDatabase } from './postgres';
import { createLocalEnv, createTimeSkippingEnv, workflowBundle } from './temporal';

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
  mail: MailCapture;
  cases: CaseCommands;
  app: Express;
  logger: Logger;
  taskQueue: string;
  /** The demo users (db/seed.ts) by username, each with an API key. */
  users: Record<string, TestUser>;
  /** Bearer headers of the demo user working for the demo agency of this kind. */
  as(kind: AgencyKind): { Authorization: string };
  /** The policy new cases capture; a test may swap it to show running cases keep theirs. */
  setPolicy(policy: Policy): void;
  /** Starts a second worker on the same task queue (e.g. after stopping the first). */
  startWorker(): Promise<void>;
  stopWorker(): Promise<void>;
  stop(): Promise<void>;
}

export const PUBLIC_BASE_URL = 'https://relief.example.org';

export async function startStack(options: { server?: 'time-skipping' | 'dev'; historyLimit?: number } = {}): Promise<Stack> {
  const logger = createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const database = await startTestDatabase();
  const { pool } = database;
  await seedDemoAgencies(pool);
  const users = await seedDemoUsersWithTokens(pool);
  const env = options.server === 'dev' ? await createLocalEnv() : await createTimeSkippingEnv();
  const mail = await startMailCapture({ port: 0 });
  const from = 'Relief cases <no-reply@relief.example.org>';
  const mailer = createMailTransport({ smtpUrl: mail.url, from });
  const taskQueue = `cases-${process.pid}`;
  const activities = createActivities({ pool, mailer, from, publicBaseUrl: PUBLIC_BASE_URL, logger });
  const bundle = await workflowBundle(require.resolve('../../workflows'));
  const dataConverter = dataConverterFor(TEST_PAYLOAD_KEYRING);
  const client = new Client({ connection: env.connection, dataConverter });

  let worker: { instance: Worker; running: Promise<void> } | undefined;
  const startWorker = async () => {
    const instance = await createCaseWorker({
      connection: env.nativeConnection,
      namespace: 'default',
      taskQueue,
      activities,
      dataConverter,
      workflowBundle: bundle,
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
  const identityKeyring = { current: { id: 'test-key', key: randomBytes(32) } };
  const cases = new CaseCommands({
    client,
    pool,
    identityKeyring,
    taskQueue,
    policy: () => policy,
    searchAttributes: options.server === 'dev',
    historyLimit: options.historyLimit,
    now: async () => new Date(await env.currentTimeMs()),
  });
  const app = createApp({
    logger,
    pool,
    cases,
    identityKeyring,
    mailbox: mail,
    ready: async () => ({ ok: true, checks: { postgres: true, temporal: true } }),
  });

  return {
    env,
    client,
    pool,
    mail,
    cases,
    app,
    logger,
    taskQueue,
    users,
    as: (kind) => users[DEMO_WORKER_OF[kind]]!.headers,
    setPolicy: (next) => void (policy = next),
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

/** Waits for a condition that other processes make true (an email arriving, a projection landing), up to a limit. */
export async function eventually<T>(probe: () => Promise<T | undefined | false> | T | undefined | false, what = 'condition', timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
