/**
 * The embedded server must not outlive the process that started it: on exit without stop(), on a termination
 * signal nobody handles, and when the parent is SIGKILLed (the kernel's parent-death signal).
 */
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres } from '../../db/embedded-postgres';
import { freePort } from '../support/ports';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'relief-cases-orphan-test-'));
  await chmod(root, 0o755);
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Polls until the process is gone; fails the test after 20 s. */
async function gone(pid: number): Promise<boolean> {
  const deadline = Date.now() + 20_000;
  while (alive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((done) => setTimeout(done, 50));
  }
  return true;
}

async function runChild(dataDir: string, mode: 'exit' | 'signal' | 'wait') {
  const child = spawn(
    process.execPath,
    [
      '--require',
      require.resolve('tsx/cjs'),
      join(__dirname, 'fixtures', 'embedded-child.ts'),
      dataDir,
      mode,
      String(await freePort()),
    ],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const pid = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve(Number(out.trim()));
    });
    child.once('exit', (code) => reject(new Error(`child exited (${code}) before printing the server pid`)));
  });
  return { child, pid, exited };
}

it.each(['exit', 'signal'] as const)('stops the server when its parent leaves by %s', async (mode) => {
  const { pid, exited } = await runChild(join(root, 'pg'), mode); // one cluster, initialised once, reused by each case
  await exited;
  expect(await gone(pid)).toBe(true);
});

it('stops the server when its parent is SIGKILLed, and the next start reuses the cluster', async () => {
  const dataDir = join(root, 'pg');
  const { child, pid, exited } = await runChild(dataDir, 'wait');
  child.kill('SIGKILL'); // nothing in the parent can catch this: the kernel tells the server
  await exited;
  expect(await gone(pid)).toBe(true);

  const server = await startEmbeddedPostgres({ dataDir, port: await freePort() });
  await server.stop();
});
