/**
 * Workflow code bundled from the sources once per version of them, for every process that runs from the sources
 * (`npm start`, each service process a test starts, the tests' and the bench's workers). Bundling is seconds of webpack
 * and terser (about 5 s of CPU on this project's 2-core machines), which each of those paid again at every start; the
 * production build writes its bundle into dist/ instead (temporal/worker.ts `caseWorkflowCode`).
 *
 * The bundle is kept under the project's own `node_modules/.cache/relief-cases/` (the folder that tools keep caches in,
 * written by the user who installed the project, not a shared temporary folder where another account could plant
 * code), named by a hash of all that goes into it: the entry module, the interceptor and failure converter modules,
 * every source of workflows/ and domain/ and of the entry module's own folder, the bundler's settings
 * (temporal/worker.ts), this file and the lockfile. An edited source never meets a stale bundle. Where the folder cannot be written, the code is
 * bundled and used without being kept.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { bundleWorkflowCode, type BundleOptions, type WorkflowBundle } from '@temporalio/worker';

const ROOT = join(__dirname, '..');
const CACHE_DIR = join(ROOT, 'node_modules', '.cache', 'relief-cases');

/** The options of `bundleWorkflowCode` that this project passes: its entry, interceptors, settings and logger. */
export type WorkflowBundleOptions = Pick<
  BundleOptions,
  | 'workflowsPath'
  | 'workflowInterceptorModules'
  | 'webpackConfigHook'
  | 'preloadModules'
  | 'failureConverterPath'
  | 'logger'
>;

/** The bundle for these options: read from the cache when these sources were bundled before, else bundled and kept. */
export async function cachedWorkflowBundle(options: WorkflowBundleOptions): Promise<WorkflowBundle> {
  const file = join(CACHE_DIR, `workflow-bundle-${inputsHash(options)}.js`);
  try {
    return { code: await readFile(file, 'utf8') };
  } catch {
    // Not bundled yet from these sources.
  }
  const { code } = await bundleWorkflowCode(options);
  // Written aside and renamed into place: a process starting at the same time never reads half a bundle.
  const partial = `${file}.${process.pid}`;
  try {
    await mkdir(CACHE_DIR, { recursive: true });
    await writeFile(partial, code, { mode: 0o600 });
    await rename(partial, file);
  } catch {
    // A folder this user cannot write (an installation owned by another account): the bundle is used, not kept.
  }
  return { code };
}

/** A hash of every input of the bundle (see the module's comment), and of which settings and modules it was given. */
function inputsHash(options: WorkflowBundleOptions): string {
  const { workflowsPath, workflowInterceptorModules = [], preloadModules = [], failureConverterPath } = options;
  const hash = createHash('sha256').update(
    JSON.stringify({ workflowsPath, workflowInterceptorModules, preloadModules, failureConverterPath }),
  );
  // The settings are functions (`webpackConfigHook`): their source is in temporal/worker.ts, hashed below.
  hash.update(options.webpackConfigHook ? 'hooked' : 'plain');
  const folders = [join(ROOT, 'workflows'), join(ROOT, 'domain'), dirname(workflowsPath)];
  const sources = folders.flatMap((folder) =>
    readdirSync(folder, { recursive: true, encoding: 'utf8' }).map((name) => join(folder, name)),
  );
  const settings = [join(ROOT, 'temporal', 'worker.ts'), __filename, join(ROOT, 'package-lock.json')];
  const converters = failureConverterPath === undefined ? [] : [failureConverterPath];
  for (const source of [...new Set([...sources, ...workflowInterceptorModules, ...converters, ...settings])].sort()) {
    if (!statSync(source, { throwIfNoEntry: false })?.isFile()) continue;
    hash.update(source).update(readFileSync(source));
  }
  return hash.digest('hex').slice(0, 16);
}
