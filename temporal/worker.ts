import {
  Runtime,
  Worker,
  type Logger as TemporalLogger,
  type LogLevel,
  type LogMetadata,
  type BundleOptions,
  type NativeConnection,
  type WorkflowBundleOption,
} from '@temporalio/worker';
import MinimizerPlugin from 'minimizer-webpack-plugin';
import { existsSync } from 'node:fs';
import type { Configuration } from 'webpack';
import { join } from 'node:path';
import type { DataConverter } from '@temporalio/common';
import type { CaseActivities } from '../activities';
import type { Logger } from '../core/logger';
import { workerInterceptorOptions, workflowInterceptorModules, type Tracing } from './interceptors';
import { cachedWorkflowBundle } from './workflow-bundle-cache';
import { FAILURE_CONVERTER_PATH } from './data-converter';

export interface CaseWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: CaseActivities;
  /** The encrypting data converter (temporal/data-converter.ts); the same one the client uses. */
  dataConverter: DataConverter;
  /**
   * Tests pass a pre-built bundle to save the bundling time per worker, the service the one it started preparing
   * early (caseWorkflowCode); otherwise it is prepared here. A bundle holds the workflow interceptor modules of one
   * tracing setting (temporal/interceptors.ts): the same as `tracing` here.
   */
  workflowBundle?: WorkflowBundleOption;
  /** Where spans go; without it, no tracing interceptor runs (temporal/interceptors.ts). */
  tracing?: Tracing;
  /**
   * On shutdown, how long activities under way (an email being sent) may take to finish before they are cancelled
   * and retried elsewhere; the SDK's default is none. Workflow tasks under way always finish.
   */
  shutdownGraceMs?: number;
  /**
   * How long a stopping worker may take before its run gives up with an error. A worker whose Core failed (it could
   * not complete an activation) never drains: without this bound its run never ended, and the service neither served
   * nor exited. The SDK's default is no bound.
   */
  shutdownForceMs?: number;
  /** The bench's memory section sets the cache size it measures; the service keeps the SDK's default. */
  maxCachedWorkflows?: number;
}

/**
 * How long a case's workflow task waits on the queue of the worker that holds the case in its cache (its sticky queue)
 * before Temporal hands it to any worker of the task queue. A worker that died (SIGKILL, a lost machine) polls its
 * sticky queue no more: with the SDK's 10 s, a sign-off on a case it held waited that long while another worker ran,
 * and the API, which waits `WRITE_TIMEOUT_SECONDS` (10 s by default) for a command, answered 503 `no_worker` or
 * `workflow_timeout` (probe Q5). At 5 s another worker replays the case and applies the command within that wait.
 * Not shorter: a live worker drains its sticky queue at the pace of its one workflow thread, and a hundred reminders
 * falling due at once keep tasks waiting there for seconds; each that waits past the timeout costs a replay of its
 * case (the task goes to the task queue, where any worker, itself included, takes it up from the whole history).
 */
const STICKY_QUEUE_TIMEOUT = '5s';

/**
 * The one way a case worker is built, in the service, the bench and the tests alike. Its cache and concurrency are the
 * README's "Worker memory" settings: the SDK's defaults (one reusable V8 context on one workflow thread, 40 concurrent
 * workflow tasks, a workflow cache sized from the memory available) unless the bench asks for a cache size; its
 * sticky queue's timeout is ours (`STICKY_QUEUE_TIMEOUT`).
 */
export async function createCaseWorker(options: CaseWorkerOptions): Promise<Worker> {
  const { connection, namespace, taskQueue, activities, dataConverter, workflowBundle, maxCachedWorkflows } = options;
  const { interceptors, sinks } = workerInterceptorOptions(options.tracing);
  const { shutdownGraceMs, shutdownForceMs, tracing } = options;
  return Worker.create({
    connection,
    namespace,
    taskQueue,
    activities,
    dataConverter,
    sinks,
    workflowBundle: workflowBundle ?? (await caseWorkflowCode({ traced: tracing !== undefined })),
    // The bundle carries the workflow interceptor modules; the worker must not add them again.
    interceptors: { ...interceptors, workflowModules: undefined },
    stickyQueueScheduleToStartTimeout: STICKY_QUEUE_TIMEOUT,
    ...(maxCachedWorkflows === undefined ? {} : { maxCachedWorkflows }),
    ...(shutdownGraceMs === undefined ? {} : { shutdownGraceTime: shutdownGraceMs }),
    ...(shutdownForceMs === undefined ? {} : { shutdownForceTime: shutdownForceMs }),
  });
}

/**
 * The workflow bundles `npm run build` writes at the top of dist/ (scripts/build.ts), one per tracing setting: the
 * workflow interceptor modules are part of the code (temporal/interceptors.ts).
 */
export const workflowBundleFile = (traced: boolean) => (traced ? 'workflow-bundle-traced.js' : 'workflow-bundle.js');

/**
 * The case workflows' code for a worker. Compiled, this module sits in dist/temporal/ and the bundle `npm run build`
 * wrote in dist/: loading it skips webpack at start and runs exactly the code that was built. From the sources
 * there is none: the bundle of these very sources made by an earlier start (temporal/workflow-bundle-cache.ts), else
 * they are bundled now, seconds of webpack, which the service starts first thing so they overlap the rest of its
 * start-up.
 */
export async function caseWorkflowCode(
  options: { logger?: Logger; traced?: boolean } = {},
): Promise<WorkflowBundleOption> {
  const { logger, traced = false } = options;
  const prebuilt = join(__dirname, '..', workflowBundleFile(traced));
  if (existsSync(prebuilt)) return { codePath: prebuilt };
  return cachedWorkflowBundle({
    workflowsPath: require.resolve('../workflows'),
    workflowInterceptorModules: workflowInterceptorModules(traced),
    ...(logger ? { logger: temporalLogger(logger) } : {}),
    ...caseBundleSettings(),
  });
}

/**
 * The bundler's settings for the case workflows' code wherever it is bundled (the service, the build, the tests, the
 * bench). With a reusable V8 context the worker evaluates each module a workflow run imports again for every run it
 * keeps in its cache (README, Worker memory), except the modules preloaded once into the context and shared by all
 * runs. `domain/` is pure (rules, dates, zod schemas, no state of its own), so it and zod are shared: a run no longer
 * builds its own copy of every schema on its first command, nor holds it in the heap while it sleeps.
 */
export function caseBundleSettings(): Pick<
  BundleOptions,
  'webpackConfigHook' | 'preloadModules' | 'failureConverterPath'
> {
  return {
    webpackConfigHook: withoutUnusedCode,
    preloadModules: [require.resolve('../domain')],
    failureConverterPath: FAILURE_CONVERTER_PATH,
  };
}

/**
 * The bundler's settings for every workflow bundle (the service's, the tests', the bench's): the SDK's, with the code
 * no workflow calls left out. With a reusable V8 context the worker evaluates each module of the bundle again for
 * every workflow run it keeps in its cache, so code that is only defined, never called, costs heap per cached case
 * (README, Worker memory). Webpack drops unused exports and side-effect-free modules, and terser the definitions
 * nothing reaches (zod marks its constructors pure for this). Names are kept: failures are told apart by class name,
 * and stack traces stay readable through the SDK's source map.
 */
function withoutUnusedCode(config: Configuration): Configuration {
  return {
    ...config,
    mode: 'production',
    optimization: {
      usedExports: true,
      sideEffects: true,
      innerGraph: true,
      concatenateModules: true,
      minimize: true,
      minimizer: [
        new MinimizerPlugin({
          parallel: false,
          minify: {
            implementation: MinimizerPlugin.terserMinify,
            options: { mangle: false, keep_classnames: true, keep_fnames: true },
          },
        }),
      ],
    },
  };
}

const PINO_METHOD = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const;

/**
 * The service's logger as the Temporal SDK's: its lines in the service's format and at its level. The error the SDK
 * passes (`meta.error`: an activity's or a workflow task's failure) is logged under `err`, where the logger writes it as
 * any error, by its type, code and a message that quotes no value of a row (core/logger.ts): spread as it was under
 * `error`, an Error was logged as `{}`.
 */
export function temporalLogger(logger: Logger): TemporalLogger {
  const log = (level: LogLevel, message: string, meta?: LogMetadata) => {
    const { error, ...rest } = meta ?? {};
    logger[PINO_METHOD[level]](error === undefined ? rest : { ...rest, err: error }, message);
  };
  return {
    log,
    trace: (message, meta) => log('TRACE', message, meta),
    debug: (message, meta) => log('DEBUG', message, meta),
    info: (message, meta) => log('INFO', message, meta),
    warn: (message, meta) => log('WARN', message, meta),
    error: (message, meta) => log('ERROR', message, meta),
  };
}

/**
 * Installs the process-wide Temporal runtime, once, before the first worker connects (the SDK allows one install per
 * process, and a NativeConnection made before it installs the defaults). Its logs, the Rust core's
 * included (a server that stops answering, polls retried), go to the service's logger rather than raw to stderr, so
 * they carry the service's format and level. The service owns shutdown (in order, on SIGINT/SIGTERM); the SDK's own
 * signal handling would race it.
 */
export function installWorkerRuntime(logger: Logger, options: { metricsAddress?: string } = {}): void {
  Runtime.install({
    shutdownSignals: [],
    logger: temporalLogger(logger),
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
