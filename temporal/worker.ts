import {
  Runtime,
  Worker,
  type LogLevel,
  type LogMetadata,
  type NativeConnection,
  type WorkflowBundleOption,
} from '@temporalio/worker';
import type { DataConverter } from '@temporalio/common';
import type { CaseActivities } from '../activities';
import type { Logger } from '../core/logger';
import { workerInterceptorOptions, type Tracing } from './interceptors';

export interface CaseWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: CaseActivities;
  /** The encrypting data converter (temporal/data-converter.ts); the same one the client uses. */
  dataConverter: DataConverter;
  /**
   * Tests pass a pre-built bundle to save the bundling time per worker; the service bundles at start. A bundle must
   * hold the workflow interceptor modules for the same tracing setting (temporal/interceptors.ts).
   */
  workflowBundle?: WorkflowBundleOption;
  /** Where spans go; without it, no tracing interceptor runs (temporal/interceptors.ts). */
  tracing?: Tracing;
  /** The bench's memory section sets the cache size it measures; the service keeps the SDK's default. */
  maxCachedWorkflows?: number;
}

/**
 * The one way a case worker is built, in the service, the bench and the tests alike. Its cache and concurrency are the
 * README's "Worker memory" settings: the SDK's defaults (one reusable V8 context on one workflow thread, 40 concurrent
 * workflow tasks, a workflow cache sized from the memory available) unless the bench asks for a cache size.
 */
export function createCaseWorker(options: CaseWorkerOptions): Promise<Worker> {
  const { connection, namespace, taskQueue, activities, dataConverter, workflowBundle, maxCachedWorkflows } = options;
  const { interceptors, sinks } = workerInterceptorOptions(options.tracing);
  return Worker.create({
    connection,
    namespace,
    taskQueue,
    activities,
    dataConverter,
    sinks,
    ...(workflowBundle
      ? { workflowBundle, interceptors: { ...interceptors, workflowModules: undefined } }
      : { workflowsPath: require.resolve('../workflows'), interceptors }),
    ...(maxCachedWorkflows === undefined ? {} : { maxCachedWorkflows }),
  });
}

const PINO_METHOD = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const;

/**
 * Installs the process-wide Temporal runtime, once, before the first worker connects (the SDK allows one install per
 * process, and a NativeConnection made before it installs the defaults). Its logs, the Rust core's
 * included (a server that stops answering, polls retried), go to the service's logger rather than raw to stderr, so
 * they carry the service's format and level. The service owns shutdown (in order, on SIGINT/SIGTERM); the SDK's own
 * signal handling would race it.
 */
export function installWorkerRuntime(logger: Logger, options: { metricsAddress?: string } = {}): void {
  const log = (level: LogLevel, message: string, meta?: LogMetadata) =>
    logger[PINO_METHOD[level]]({ ...meta }, message);
  Runtime.install({
    shutdownSignals: [],
    logger: {
      log,
      trace: (message, meta) => log('TRACE', message, meta),
      debug: (message, meta) => log('DEBUG', message, meta),
      info: (message, meta) => log('INFO', message, meta),
      warn: (message, meta) => log('WARN', message, meta),
      error: (message, meta) => log('ERROR', message, meta),
    },
    telemetryOptions: {
      // Forwarded at the SDK's default filter: the core's warnings and errors.
      logging: { forward: {} },
      // The SDK's own worker and client metrics (task latencies, slots, polls, RPC requests and failures) and the
      // activities' (activities/notifications.ts), served by the core on a port of its own (TEMPORAL_METRICS_ADDRESS),
      // in every process that runs a worker. Labels: namespace, task queue, workflow and activity types, never an id.
      ...(options.metricsAddress
        ? { metrics: { prometheus: { bindAddress: options.metricsAddress, useSecondsForDurations: true } } }
        : {}),
    },
  });
}
