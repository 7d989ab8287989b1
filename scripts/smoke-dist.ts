/**
 * `npm run smoke:dist [-- <project folder>]`, run by .ci/run after `npm run build`: starts the built service
 * (`node dist/main.js`) once in the embedded mode (its own PostgreSQL, Temporal dev server and mail capture, on free
 * ports, in a fresh data folder), checks /health, signs in as a demo officer, opens a case and signs one step over
 * the API, then stops it with SIGTERM and checks that it exited 0 and left none of its child processes running.
 * Given a folder, it runs that copy (e.g. one installed with `npm install --omit=dev`).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PROJECT_ROOT } from '../core/project-root';
import { DEMO_AGENCIES } from '../db/seed';
import { eventually } from '../test/support/eventually';
import { freePort } from '../test/support/ports';
import { descendantsOf, isAlive } from '../test/support/processes';

async function main(): Promise<void> {
  const started = Date.now();
  const root = resolve(process.argv[2] ?? PROJECT_ROOT);
  const dataDir = mkdtempSync(join(tmpdir(), 'relief-smoke-dist-'));
  // As root, PostgreSQL runs as the `postgres` user, which must reach its folder inside this one.
  chmodSync(dataDir, 0o755);
  const port = await freePort();
  const api = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [join(root, 'dist', 'main.js')], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      HOST: '127.0.0.1',
      PORT: String(port),
      DATA_DIR: dataDir,
      EMBEDDED_POSTGRES_PORT: String(await freePort()),
      TEMPORAL_PORT: String(await freePort()),
      TEMPORAL_UI_PORT: String(await freePort()),
      SMTP_CAPTURE_PORT: String(await freePort()),
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  try {
    await eventually(
      async () => {
        if (child.exitCode !== null) throw new Error(`dist/main.js exited (${child.exitCode})`);
        return (await fetch(`${api}/health`).catch(() => undefined))?.status === 200;
      },
      'GET /health to answer 200',
      60_000,
    );
    const call = async (path: string, init: RequestInit & { token?: string } = {}) => {
      const res = await fetch(`${api}${path}`, {
        ...init,
        headers: {
          'Content-Type': 'application/json',
          ...(init.token ? { Authorization: `Bearer ${init.token}` } : {}),
          ...(init.headers as Record<string, string>),
        },
      });
      const body = (await res.json()) as Record<string, unknown>;
      if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${res.status} ${JSON.stringify(body)}`);
      return body;
    };
    const password = readFileSync(join(dataDir, 'keys', 'demo-password'), 'utf8').trim();
    const { token } = (await call('/api/auth/sign-in', {
      method: 'POST',
      body: JSON.stringify({ username: 'demo-police-officer', password }),
    })) as { token: string };
    const today = new Date().toISOString().slice(0, 10);
    const { caseId } = (await call('/api/cases', {
      method: 'POST',
      token,
      headers: { 'Idempotency-Key': 'smoke-dist-open' },
      body: JSON.stringify({
        identifiedOn: today,
        survivor: { name: 'Smoke Dist Person', birthDate: '1990-05-01' },
        agencies: DEMO_AGENCIES,
      }),
    })) as { caseId: string };
    const signed = (await call(`/api/cases/${caseId}/steps/cp_request-1/sign-off`, {
      method: 'POST',
      token,
      headers: { 'Idempotency-Key': 'smoke-dist-sign' },
      body: JSON.stringify({ outcome: 'requested', details: { requestedOn: today } }),
    })) as { steps: { id: string; status: string }[] };
    const step = signed.steps.find((s) => s.id === 'cp_request-1');
    if (step?.status !== 'completed') throw new Error(`cp_request-1 is ${step?.status} after its sign-off`);

    const children = descendantsOf(child.pid!);
    child.kill('SIGTERM');
    const [code, signal] = await exited;
    if (code !== 0) throw new Error(`dist/main.js stopped with ${signal ?? code} on SIGTERM`);
    const left = children.filter(isAlive);
    if (left.length > 0) throw new Error(`child processes left running after the stop: ${left.join(', ')}`);
    console.log(
      `smoke of dist/: healthy, case opened and signed, stopped cleanly with ${children.length} children ` +
        `(${((Date.now() - started) / 1000).toFixed(1)}s)`,
    );
  } catch (error) {
    console.error(output);
    child.kill('SIGKILL');
    throw error;
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
