/**
 * A case worker in its own process, so its memory is measured alone (section 3). It is the service's worker
 * (createCaseWorker, so the same settings) with the real activities, on the bench's pre-built bundle, with the workflow
 * cache size it is given (or the SDK default), and answers `{ type: 'memory' }` with process.memoryUsage() after a
 * full garbage collection.
 */
import { Client } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { createActivities } from '../activities';
import { createLogger } from '../core/logger';
import { createPool } from '../db/pool';
import { createMailTransport } from '../mail/transport';
import { connectClient, connectWorker } from '../temporal/connection';
import { dataConverterFor } from '../temporal/data-converter';
import { createCaseWorker } from '../temporal/worker';
import { wallClock } from '../core/clock';

export interface MemoryWorkerConfig {
  databaseUrl: string;
  temporalAddress: string;
  taskQueue: string;
  smtpUrl: string;
  bundleCodePath: string;
  /** The bench run's payload key (hex), so this worker reads the encrypted payloads the bench's client wrote. */
  payloadKey: { id: string; hex: string };
  /** Undefined: the SDK's default cache size. */
  maxCachedWorkflows?: number;
}

export type MemoryWorkerReply =
  | { type: 'ready'; maxCachedWorkflows: number }
  | { type: 'memory'; memory: NodeJS.MemoryUsage }
  | { type: 'error'; message: string };

async function start(config: MemoryWorkerConfig): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const logger = createLogger({ level: 'warn' });
  const pool = createPool(config.databaseUrl, { applicationName: 'bench-memory-worker' });
  const from = 'Relief cases <no-reply@bench.example.org>';
  const mailer = createMailTransport({ smtpUrl: config.smtpUrl, from });
  const connection = await connectWorker({ address: config.temporalAddress, namespace: 'default' });
  const dataConverter = dataConverterFor({
    current: { id: config.payloadKey.id, key: Buffer.from(config.payloadKey.hex, 'hex') },
  });
  const client = new Client({
    connection: await connectClient({ address: config.temporalAddress, namespace: 'default' }),
    namespace: 'default',
    dataConverter,
  });
  const worker = await createCaseWorker({
    connection,
    namespace: 'default',
    taskQueue: config.taskQueue,
    activities: createActivities({
      now: wallClock,
      pool,
      mailer,
      from,
      publicBaseUrl: 'https://relief.example.org',
      temporal: { client, taskQueue: config.taskQueue },
      logger,
    }),
    workflowBundle: { codePath: config.bundleCodePath },
    dataConverter,
    maxCachedWorkflows: config.maxCachedWorkflows,
  });
  const running = worker.run();
  const send = (reply: MemoryWorkerReply) => process.send?.(reply);

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    worker.shutdown();
    void running
      .then(() => connection.close())
      .then(() => pool.end())
      .finally(() => {
        mailer.close();
        if (process.connected) process.disconnect();
      });
  };
  process.on('message', (message: { type: 'memory' | 'stop' }) => {
    if (message.type === 'stop') return stop();
    // Exposed by --expose-gc (see memory-bench.ts): heap figures are then what the main thread really retains.
    (globalThis as { gc?: () => void }).gc?.();
    send({ type: 'memory', memory: process.memoryUsage() });
  });
  // The bench process went away (interrupted): stop too, never linger as an orphan.
  process.once('disconnect', stop);
  send({ type: 'ready', maxCachedWorkflows: worker.options.maxCachedWorkflows });
  await running;
}

process.once('message', (config: MemoryWorkerConfig) => {
  start(config).catch((error: unknown) => {
    process.send?.({ type: 'error', message: error instanceof Error ? error.message : String(error) });
    process.exitCode = 1;
  });
});
