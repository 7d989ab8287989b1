/**
 * A case worker whose Core failed (it could not complete an activation) ends its run with an error within its
 * shutdown bound (`shutdownForceMs`), so the service that awaits it stops and exits 1 (service.ts). Before, such a
 * worker sat in DRAINING with no end (probe W1): the service neither served nor exited. Core's own worker goes on
 * polling after that, so the worker runs in a process of its own, which exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createLocalEnv } from '../support/temporal';

let env: TestWorkflowEnvironment;
let child: ChildProcess | undefined;
beforeAll(async () => {
  env = await createLocalEnv();
});
// Also when the test times out, which never reaches the test's own code again.
afterAll(async () => {
  child?.kill('SIGKILL');
  await env.teardown();
});

test('a worker whose Core failed ends its run with an error, and its process exits', async () => {
  child = spawn(
    process.execPath,
    ['--import', 'tsx', join(__dirname, 'failing-worker-process.ts'), env.address, 'failing-for-good'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  // Without the bound the worker never ends, nor its process, and jest's timeout fails the test.
  const code = await new Promise((resolve) => child!.once('exit', resolve));
  expect(output).toContain('run ended with an error, worker FAILED');
  expect(code).toBe(1);
});
