/**
 * A port held by another program stops the service with one line naming the variable that moves it: never a stack
 * trace, never PostgreSQL's start-up log, and never a banner announcing an API that cannot listen.
 */
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { namingPortVariables, PortInUseError, type PortVariable } from '../../app/config';
import { createLogger } from '../../core/logger';
import { startMailCapture } from '../../mail/capture-server';
import { startDevServer } from '../../temporal/dev-server';
import { freePort } from '../support/ports';

const ROOT = resolve(__dirname, '../..');
const inUse = (variable: PortVariable, port: number) =>
  `${variable} ${port} is already in use by another program: stop it or set ${variable} to a free port.`;

let dataDir: string;
let holder: Server;
/** The port another program holds throughout. */
let taken: number;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'relief-cases-ports-test-'));
  await chmod(dataDir, 0o755); // as root, embedded PostgreSQL runs as `postgres`, which must reach its folder inside
  // It holds the port and hangs up on whoever calls (the dev server's check connects), so closing it never waits.
  holder = createServer((socket) => socket.destroy());
  await new Promise<void>((listening) => holder.listen(0, '127.0.0.1', listening));
  taken = (holder.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise((closed) => holder.close(closed));
  await rm(dataDir, { recursive: true, force: true });
});

/** `npm start` (main.ts) with every part embedded in a fresh data folder, on free ports unless told otherwise. */
async function start(ports: Partial<Record<PortVariable, number>>, extra: Record<string, string> = {}) {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...extra };
  // Anything that would switch an embedded part to real infrastructure is not inherited.
  for (const variable of ['DATABASE_URL', 'MIGRATION_DATABASE_URL', 'TEMPORAL_ADDRESS', 'SMTP_URL'])
    delete env[variable];
  for (const variable of [
    'PORT',
    'EMBEDDED_POSTGRES_PORT',
    'TEMPORAL_PORT',
    'TEMPORAL_UI_PORT',
    'SMTP_CAPTURE_PORT',
  ] as const) {
    env[variable] = String(ports[variable] ?? (await freePort()));
  }
  return new Promise<{ code: number | null; stderr: string }>((done) => {
    // A service that wrongly keeps running is stopped (SIGTERM: it shuts down in order), failing the test.
    const child = execFile(
      process.execPath,
      [require.resolve('tsx/cli'), 'main.ts'],
      { cwd: ROOT, env, timeout: 60_000 },
      (_error, _stdout, stderr) => done({ code: child.exitCode, stderr }),
    );
  });
}

describe('npm start', () => {
  it('names EMBEDDED_POSTGRES_PORT instead of printing PostgreSQL’s start-up log', async () => {
    const { code, stderr } = await start({ EMBEDDED_POSTGRES_PORT: taken });
    expect(code).toBe(1);
    expect(stderr).toBe(`${inUse('EMBEDDED_POSTGRES_PORT', taken)}\n`);
  });

  it('names PORT when the API cannot listen, instead of announcing it', async () => {
    // The API role alone: refused before anything else starts (and named by the listen, should the port be taken later).
    const { code, stderr } = await start({ PORT: taken }, { SERVICE_ROLE: 'api' });
    expect(code).toBe(1);
    expect(stderr).toBe(`${inUse('PORT', taken)}\n`);
  });
});

describe('a bad API setting is refused before anything starts', () => {
  /** What a start left in a data folder of its own: PostgreSQL's cluster, Temporal's database, keys. */
  async function leftBehind(ports: Partial<Record<PortVariable, number>>, extra: Record<string, string> = {}) {
    const own = await mkdtemp(join(tmpdir(), 'relief-cases-early-refusal-'));
    await chmod(own, 0o755); // as above: without the fix, embedded PostgreSQL starts in it
    try {
      const started = Date.now();
      const { code, stderr } = await start(ports, { ...extra, DATA_DIR: own });
      return { code, stderr, seconds: (Date.now() - started) / 1000, files: await readdir(own) };
    } finally {
      await rm(own, { recursive: true, force: true });
    }
  }

  it('a taken PORT, with the worker in the same process: before PostgreSQL, Temporal or the worker start', async () => {
    const { code, stderr, files } = await leftBehind({ PORT: taken });
    expect(code).toBe(1);
    expect(stderr).toBe(`${inUse('PORT', taken)}\n`);
    expect(files).toEqual([]);
  });

  it('a missing POLICY_FILE: before PostgreSQL, Temporal or the worker start', async () => {
    const missing = join(dataDir, 'no-such-policy.json');
    const { code, stderr, files } = await leftBehind({}, { POLICY_FILE: missing });
    expect(code).toBe(1);
    expect(stderr).toContain(`Invalid configuration:\n  - POLICY_FILE: cannot read ${missing} as JSON (ENOENT`);
    expect(files).toEqual([]);
  });
});

describe('the embedded servers report a taken port so the service can name its variable', () => {
  it('the mail capture (SMTP_CAPTURE_PORT)', async () => {
    await expect(
      namingPortVariables({ SMTP_CAPTURE_PORT: taken }, () => startMailCapture({ port: taken })),
    ).rejects.toThrow(inUse('SMTP_CAPTURE_PORT', taken));
  });

  it('the Temporal dev server (TEMPORAL_PORT, TEMPORAL_UI_PORT)', async () => {
    const logger = createLogger({ level: 'silent' });
    const devServer = (port: number, uiPort: number) => () =>
      startDevServer({
        ip: '127.0.0.1',
        port,
        uiPort,
        namespace: 'default',
        dbFile: join(dataDir, 'temporal.sqlite'),
        logger,
      });
    const free = await freePort();
    await expect(
      namingPortVariables({ TEMPORAL_PORT: taken, TEMPORAL_UI_PORT: free }, devServer(taken, free)),
    ).rejects.toThrow(inUse('TEMPORAL_PORT', taken));
    await expect(
      namingPortVariables({ TEMPORAL_PORT: free, TEMPORAL_UI_PORT: taken }, devServer(free, taken)),
    ).rejects.toThrow(inUse('TEMPORAL_UI_PORT', taken));
  });

  it('leaves any other failure as it is', async () => {
    const other = new Error('disk full');
    await expect(namingPortVariables({ PORT: taken }, () => Promise.reject(other))).rejects.toBe(other);
    const elsewhere = Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE', port: taken + 1 });
    await expect(namingPortVariables({ PORT: taken }, () => Promise.reject(elsewhere))).rejects.toBe(elsewhere);
    await expect(
      namingPortVariables({ PORT: taken }, () =>
        Promise.reject(Object.assign(new Error('x'), { code: 'EADDRINUSE', port: taken })),
      ),
    ).rejects.toBeInstanceOf(PortInUseError);
  });
});
