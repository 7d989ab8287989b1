import { DefaultLogger, Runtime, type WorkflowBundle } from '@temporalio/worker';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { resolveBinary } from '../../temporal/binaries';
import { freePort } from './ports';
import { CASE_SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';
import { caseBundleSettings } from '../../temporal/worker';
import { cachedWorkflowBundle } from '../../temporal/workflow-bundle-cache';

// Workers log their state changes at INFO; tests want only warnings. The runtime is process-wide, installed once.
// Fault tests fail activities on purpose, hundreds of times over a skipped week of outage, and assert the effects
// (outbox rows, emails, timelines); the worker's warning for each failed attempt would only bury the real output.
const testLogger = new DefaultLogger('WARN', ({ level, message, meta }) => {
  if (message !== 'Activity failed') console.error(`[${level}] ${message}`, meta ?? '');
});
try {
  Runtime.install({ logger: testLogger });
} catch {
  // Already installed by another test module in this jest worker.
}

async function existingPath(binary: 'cli' | 'testServer') {
  const { path } = await resolveBinary(binary);
  return { type: 'existing-path' as const, path };
}

/** The official time-skipping test server: timers of days or months fire as soon as nothing else is pending. */
export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: await existingPath('testServer'), port: await freePort() },
  });
}

/** The official dev server (real Temporal on SQLite, in memory), with the project's search attributes. */
export async function createLocalEnv(options: { dbFilename?: string } = {}): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: await existingPath('cli'),
      port: await freePort(),
      searchAttributes: [...CASE_SEARCH_ATTRIBUTES],
      dbFilename: options.dbFilename,
      log: { format: 'pretty', level: 'error' },
    },
  });
}

const bundles = new Map<string, Promise<WorkflowBundle>>();

/**
 * Bundles a workflows module (with these workflow interceptor modules) once per test file, several workers in one file
 * sharing it; jest gives each file modules of its own, so across files the bundle comes from the cache every process
 * run from the sources shares (temporal/workflow-bundle-cache.ts).
 */
export function workflowBundle(
  workflowsPath: string,
  workflowInterceptorModules: string[] = [],
): Promise<WorkflowBundle> {
  const key = [workflowsPath, ...workflowInterceptorModules].join('\n');
  let bundle = bundles.get(key);
  if (!bundle) {
    bundle = cachedWorkflowBundle({
      workflowsPath,
      workflowInterceptorModules,
      logger: quietBundlerLogger,
      ...caseBundleSettings(),
    });
    bundles.set(key, bundle);
  }
  return bundle;
}

const quietBundlerLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: (message: string, meta?: Record<string, unknown>) => console.error(message, meta),
};
