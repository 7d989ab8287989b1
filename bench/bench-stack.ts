/**
 * The service on real parts for the bench, wired like test/support/stack.ts: an embedded PostgreSQL (durable
 * settings, as in production), the official Temporal dev server (SQLite file), the mail capture, an in-process case
 * worker and a ping worker, the write side, our Express app and the bare baseline app, each on a free loopback port.
 */
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@temporalio/client';
import { DefaultLogger, Runtime, Worker, type WorkflowBundle } from '@temporalio/worker';
import type express from 'express';
import pino from 'pino';
import type { Pool } from 'pg';
import { createActivities } from '../activities';
import { createApp } from '../api/app';
import { CaseCommands } from '../app/case-commands';
import { createServices } from '../app/services';
import { createLogger } from '../core/logger';
import { startEmbeddedPostgres } from '../db/embedded-postgres';
import { migrate } from '../db/migrate';
import type { IdentityKeyring } from '../core/identity-cipher';
import { createPool } from '../db/pool';
import { DEFAULT_POLICY } from '../domain/policy';
import { startMailCapture } from '../mail/capture-server';
import { createMailTransport } from '../mail/transport';
import { connectClient, connectWorker } from '../temporal/connection';
import { dataConverterFor } from '../temporal/data-converter';
import { startDevServer } from '../temporal/dev-server';
import { caseBundleSettings, createCaseWorker } from '../temporal/worker';
import { cachedWorkflowBundle } from '../temporal/workflow-bundle-cache';
import { freePort } from '../test/support/ports';
import { createBareApp } from './bare-app';
import { Hops } from './hops';
import type { Cleanup } from './cleanup';
import { wallClock } from '../core/clock';

export interface BenchStack {
  workDir: string;
  databaseUrl: string;
  pool: Pool;
  /** Times the pool's statements and the clients' updates, hop by hop (hops.ts). */
  hops: Hops;
  temporalAddress: string;
  /** With the service's encrypting data converter, as the API uses it. */
  client: Client;
  /** Without a data converter: for the bare baseline workflow, which carries no case data. */
  plainClient: Client;
  /** A random key for this run only, for identities and payloads alike. */
  keyring: IdentityKeyring;
  cases: CaseCommands;
  caseTaskQueue: string;
  pingTaskQueue: string;
  /** The case workflows' bundle, written once so a worker in another process can load it without bundling. */
  caseBundle: WorkflowBundle;
  smtpUrl: string;
  appOrigin: string;
  bareOrigin: string;
}

const MAIL_FROM = 'Relief cases <no-reply@bench.example.org>';

function listen(app: express.Express): Promise<{ server: Server; origin: string }> {
  return new Promise((ready) => {
    const server = app.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      ready({ server, origin: `http://127.0.0.1:${port}` });
    });
  });
}

const close = (server: Server) => new Promise<void>((done) => server.close(() => done()));

export async function startBenchStack(cleanup: Cleanup, progress: (message: string) => void): Promise<BenchStack> {
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // Already installed.
  }
  const workDir = mkdtempSync(join(tmpdir(), 'relief-bench-'));
  // As root, PostgreSQL runs as the `postgres` user, which must be able to reach its data folder inside.
  chmodSync(workDir, 0o755);
  cleanup.add('work directory', async () => rmSync(workDir, { recursive: true, force: true }));
  // A quiet logger for the parts: the dev server complains (at warn) whenever a loaded SQLite store is slow, which
  // says nothing the numbers do not; the API gets its own logger, below.
  const quiet = createLogger({ level: 'error' });

  const postgres = await startEmbeddedPostgres({ dataDir: join(workDir, 'postgres'), port: await freePort() });
  cleanup.add('PostgreSQL', () => postgres.stop());
  await migrate(postgres.connectionString);
  const pool = createPool(postgres.connectionString, {
    max: 20,
    applicationName: 'bench',
    // Loading and vacuuming 100,000 cases takes statements far longer than any request's.
    queryTimeoutMs: 10 * 60_000,
  });
  cleanup.add('pool', () => pool.end());
  const hops = new Hops();
  hops.watchPool(pool);
  progress(`embedded PostgreSQL ready on port ${postgres.port}`);

  const devServer = await startDevServer({
    ip: '127.0.0.1',
    port: await freePort(),
    uiPort: await freePort(),
    namespace: 'default',
    dbFile: join(workDir, 'temporal.sqlite'),
    logger: quiet,
  });
  cleanup.add('Temporal dev server', () => devServer.stop());
  const settings = { address: devServer.address, namespace: 'default' };
  const clientConnection = await connectClient(settings);
  cleanup.add('client connection', () => clientConnection.close());
  const keyring: IdentityKeyring = { current: { id: 'bench-key', key: randomBytes(32) } };
  const dataConverter = dataConverterFor(keyring);
  const interceptors = { workflow: [hops.updateInterceptor()] };
  const client = new Client({ connection: clientConnection, namespace: 'default', dataConverter, interceptors });
  const plainClient = new Client({ connection: clientConnection, namespace: 'default', interceptors });
  progress(`Temporal dev server ready at ${devServer.address}`);

  const mail = await startMailCapture({ port: 0 });
  cleanup.add('mail capture', () => mail.close());
  const mailer = createMailTransport({ smtpUrl: mail.url, from: MAIL_FROM });
  cleanup.add('mail transport', async () => mailer.close());

  const workerConnection = await connectWorker(settings);
  cleanup.add('worker connection', () => workerConnection.close());
  const bundlerLogger = {
    log: () => undefined,
    trace: () => undefined,
    debug: () => undefined,
    info: () => undefined,
    warn: () => undefined,
    error: () => undefined,
  };
  const caseBundle = await cachedWorkflowBundle({
    workflowsPath: require.resolve('../workflows'),
    logger: bundlerLogger,
    ...caseBundleSettings(),
  });
  const pingBundle = await cachedWorkflowBundle({
    workflowsPath: require.resolve('./workflows/ping'),
    logger: bundlerLogger,
  });
  const caseTaskQueue = 'bench-cases';
  const pingTaskQueue = 'bench-ping';
  const activities = createActivities({
    now: wallClock,
    pool,
    mailer,
    from: MAIL_FROM,
    publicBaseUrl: 'https://relief.example.org',
    temporal: { client, taskQueue: caseTaskQueue },
    logger: quiet,
  });
  const caseWorker = await createCaseWorker({
    connection: workerConnection,
    namespace: 'default',
    taskQueue: caseTaskQueue,
    activities,
    dataConverter,
    workflowBundle: caseBundle,
  });
  const pingWorker = await Worker.create({
    connection: workerConnection,
    namespace: 'default',
    taskQueue: pingTaskQueue,
    workflowBundle: pingBundle,
  });
  for (const [name, worker] of [
    ['case worker', caseWorker],
    ['ping worker', pingWorker],
  ] as const) {
    const running = worker.run();
    cleanup.add(name, async () => {
      worker.shutdown();
      await running;
    });
  }
  progress('case worker and ping worker running');

  const cases = new CaseCommands({
    client,
    pool,
    identityKeyring: keyring,
    taskQueue: caseTaskQueue,
    now: wallClock,
    policy: () => DEFAULT_POLICY,
    searchAttributes: true,
  });
  // Request logging stays on (at info, as in production), written to /dev/null: its cost is part of our layers. The
  // writes are synchronous, as those of pino's default stdout destination the service logs to (an asynchronous one
  // hands each line to libuv's thread pool, which costs a request more than writing it does).
  const apiLogger = createLogger({ level: 'info', destination: pino.destination({ dest: '/dev/null', sync: true }) });
  const api = await listen(
    createApp({
      logger: apiLogger,
      ...createServices({ now: wallClock, pool, logger: apiLogger, identityKeyring: keyring }),
      cases,
      ready: async () => ({ ok: true, checks: { postgres: true, temporal: true } }),
    }),
  );
  cleanup.add('API server', () => close(api.server));
  const bare = await listen(createBareApp(pool));
  cleanup.add('bare server', () => close(bare.server));

  return {
    workDir,
    databaseUrl: postgres.connectionString,
    pool,
    hops,
    temporalAddress: devServer.address,
    client,
    plainClient,
    keyring,
    cases,
    caseTaskQueue,
    pingTaskQueue,
    caseBundle,
    smtpUrl: mail.url,
    appOrigin: api.origin,
    bareOrigin: bare.origin,
  };
}
