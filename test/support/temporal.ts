import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { bundleWorkflowCode, DefaultLogger, Runtime, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { resolveBinary } from '../../temporal/binaries';
import { freePort } from './ports';
import { CASE_SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';
import { caseBundleSettings } from '../../temporal/worker';

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
    bundle = diskCachedBundle(workflowsPath, workflowInterceptorModules);
    bundles.set(key, bundle);
  }
  return bundle;
}

/**
 * Bundling takes seconds, and jest gives each test file modules of its own, so every file would bundle again: the
 * bundle is kept under os.tmpdir(), named by a hash of all that goes into it (the module itself, every source of
 * workflows/ and domain/, the module's own folder, the lockfile), so an edited source never meets a stale bundle.
 */
async function diskCachedBundle(
  workflowsPath: string,
  workflowInterceptorModules: string[],
): Promise<WorkflowBundleWithSourceMap> {
  const inputs = bundleInputsHash([workflowsPath, ...workflowInterceptorModules]);
  const file = join(tmpdir(), `relief-cases-workflow-bundle-${inputs}.json`);
  try {
    return JSON.parse(await readFile(file, 'utf8')) as WorkflowBundleWithSourceMap;
  } catch {
    // Not bundled yet on this machine.
  }
  const bundle = await bundleWorkflowCode({
    workflowsPath,
    workflowInterceptorModules,
    logger: quietBundlerLogger,
    ...caseBundleSettings(),
  });
  // Written aside and renamed into place: a test file running at the same time never reads half a bundle.
  const partial = `${file}.${process.pid}`;
  await writeFile(partial, JSON.stringify(bundle));
  await rename(partial, file);
  return bundle;
}

/**
 * The entry modules (the workflows, then any interceptor modules), the sources they come from, the bundler's settings
 * (temporal/worker.ts) and the lockfile.
 */
function bundleInputsHash(entries: string[]): string {
  const root = join(__dirname, '..', '..');
  const hash = createHash('sha256').update(entries.join('\n'));
  const [workflowsPath] = entries as [string];
  const folders = [join(root, 'workflows'), join(root, 'domain'), dirname(workflowsPath)];
  const sources = folders.flatMap((folder) =>
    readdirSync(folder, { recursive: true, encoding: 'utf8' }).map((name) => join(folder, name)),
  );
  const settings = [join(root, 'temporal', 'worker.ts'), join(root, 'package-lock.json')];
  for (const source of [...new Set([...sources, ...settings])].sort()) {
    if (!statSync(source).isFile()) continue;
    hash.update(source).update(readFileSync(source));
  }
  return hash.digest('hex').slice(0, 16);
}

const quietBundlerLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: (message: string, meta?: Record<string, unknown>) => console.error(message, meta),
};
