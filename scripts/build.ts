/**
 * `npm run build`: the production build in dist/ that `npm run start:prod` (`exec node dist/main.js`) runs with only
 * the production dependencies installed. Three steps: the TypeScript compiled by tsc (tsconfig.build.json: no tests, no
 * benchmarks), the files the code reads at run time copied beside it (SQL migrations, the console's views and
 * styles), and the workflow code bundled ahead of time, which the worker then loads instead of bundling at start.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger } from '../core/logger';
import { PROJECT_ROOT } from '../core/project-root';
import { caseWorkflowCode, workflowBundleFile } from '../temporal/worker';

const DIST = join(PROJECT_ROOT, 'dist');
/** Read at run time relative to the module that uses them (db/migrate.ts, web/kit.ts, web/console.ts). */
const ASSETS = ['db/migrations', 'web/views', 'web/static'];

async function main(): Promise<void> {
  const started = Date.now();
  rmSync(DIST, { recursive: true, force: true });
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
    cwd: PROJECT_ROOT,
    stdio: 'inherit',
  });
  for (const asset of ASSETS) cpSync(join(PROJECT_ROOT, asset), join(DIST, asset), { recursive: true });
  // Run from the sources, where no bundle is prebuilt: this bundles the workflows as the worker would at start (or
  // takes the bundle of these very sources an earlier start kept, temporal/workflow-bundle-cache.ts), once for each
  // tracing setting (OpenTelemetry's workflow interceptors are bundled only when tracing is on).
  for (const traced of [false, true]) {
    const bundle = await caseWorkflowCode({ logger: createLogger({ level: 'warn' }), traced });
    if (!('code' in bundle)) throw new Error(`expected a fresh bundle, got ${bundle.codePath}`);
    writeFileSync(join(DIST, workflowBundleFile(traced)), bundle.code);
  }
  console.log(`built dist/ in ${((Date.now() - started) / 1000).toFixed(1)}s`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
