import { bundleWorkflowCode, DefaultLogger, Runtime, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { resolveBinary } from '../../temporal/binaries';
import { CASE_SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';

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
  return TestWorkflowEnvironment.createTimeSkipping({ server: { executable: await existingPath('testServer') } });
}

/** The official dev server (real Temporal on SQLite, in memory), with the project's search attributes. */
export async function createLocalEnv(options: { dbFilename?: string } = {}): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: await existingPath('cli'),
      searchAttributes: [...CASE_SEARCH_ATTRIBUTES],
      dbFilename: options.dbFilename,
      log: { format: 'pretty', level: 'error' },
    },
  });
}

const bundles = new Map<string, Promise<WorkflowBundleWithSourceMap>>();

/**
 * Bundles a workflows module (with these workflow interceptor modules) once per test file; several workers in one
 * file share it.
 */
export function workflowBundle(
  workflowsPath: string,
  workflowInterceptorModules: string[] = [],
): Promise<WorkflowBundleWithSourceMap> {
  const key = [workflowsPath, ...workflowInterceptorModules].join('\n');
  let bundle = bundles.get(key);
  if (!bundle) {
    bundle = bundleWorkflowCode({ workflowsPath, workflowInterceptorModules, logger: quietBundlerLogger });
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
