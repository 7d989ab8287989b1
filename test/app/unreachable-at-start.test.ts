/**
 * A Temporal that cannot be reached at TEMPORAL_ADDRESS stops the service, and `npm run admin -- reproject`, with one
 * line naming the variable and the address tried, never the SDK's bare "Failed to connect before the deadline". So
 * does a PostgreSQL that cannot be reached at MIGRATION_DATABASE_URL or DATABASE_URL, or that refuses its login (a
 * process started before the database is up, as an operator starting the separate processes in any order may do),
 * never node-postgres's bare "connect ECONNREFUSED 127.0.0.1:5740", and never the URL's password; and so do the admin
 * commands.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../support/ports';
import { startTestDatabase, type TestDatabase } from '../support/postgres';

const ROOT = resolve(__dirname, '../..');
const key = () => randomBytes(32).toString('base64');
/** One deployment's keys, which its processes share: a key id given with other bytes is refused before Temporal. */
const KEYS = { IDENTITY_KEYS: `i:${key()}`, PAYLOAD_KEYS: `p:${key()}` };

let database: TestDatabase;
let dataDir: string;
/** Where nothing listens. */
let address: string;

beforeAll(async () => {
  database = await startTestDatabase();
  dataDir = await mkdtemp(join(tmpdir(), 'relief-cases-unreachable-at-start-'));
  address = `127.0.0.1:${await freePort()}`;
}, 60_000);

afterAll(async () => {
  await database.stop();
  await rm(dataDir, { recursive: true, force: true });
});

function run(script: string, args: string[], env: Record<string, string>) {
  return new Promise<{ code: number | null; stderr: string }>((done) => {
    const child = execFile(
      process.execPath,
      [require.resolve('tsx/cli'), script, ...args],
      { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, timeout: 60_000 },
      (_error, _stdout, stderr) => done({ code: child.exitCode, stderr }),
    );
  });
}

const named = () =>
  new RegExp(`^TEMPORAL_ADDRESS ${address} cannot be reached \\(Failed to connect before the deadline\\)`, 'm');

test('npm start as a deployment process exits 1 naming TEMPORAL_ADDRESS and the address tried', async () => {
  const { code, stderr } = await run('main.ts', [], {
    SERVICE_ROLE: 'api',
    HOST: '127.0.0.1',
    PORT: String(await freePort()),
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    DATABASE_URL: database.connectionString,
    MIGRATION_DATABASE_URL: database.ownerConnectionString,
    TEMPORAL_ADDRESS: address,
    SMTP_URL: 'smtp://127.0.0.1:2',
    PUBLIC_BASE_URL: 'https://relief.example.org',
    ...KEYS,
  });
  expect(code).toBe(1);
  expect(stderr).toMatch(named());
}, 60_000);

/** A deployment's API process against this PostgreSQL, or the one given, with Temporal where nothing listens. */
const deploymentProcess = async (database: Record<string, string>) =>
  run('main.ts', [], {
    SERVICE_ROLE: 'api',
    HOST: '127.0.0.1',
    PORT: String(await freePort()),
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    TEMPORAL_ADDRESS: address,
    SMTP_URL: 'smtp://127.0.0.1:2',
    PUBLIC_BASE_URL: 'https://relief.example.org',
    ...KEYS,
    ...database,
  });

test('a deployment process started before its PostgreSQL is up exits 1 naming the variable and the address, not the password', async () => {
  const port = await freePort();
  const { code, stderr } = await deploymentProcess({
    DATABASE_URL: `postgres://relief_service:service-secret@127.0.0.1:${port}/relief`,
    MIGRATION_DATABASE_URL: `postgres://owner:owner-secret@127.0.0.1:${port}/relief`,
  });
  expect(code).toBe(1);
  expect(stderr).toMatch(
    new RegExp(
      `^MIGRATION_DATABASE_URL postgres://owner@127\\.0\\.0\\.1:${port}/relief cannot be used \\(connect ECONNREFUSED 127\\.0\\.0\\.1:${port}\\)`,
      'm',
    ),
  );
  expect(stderr).not.toMatch(/secret/);
}, 60_000);

test("a deployment process whose DATABASE_URL's login PostgreSQL refuses exits 1 naming DATABASE_URL", async () => {
  const service = new URL(database.connectionString);
  service.password = 'not-the-password';
  const { code, stderr } = await deploymentProcess({
    DATABASE_URL: service.toString(),
    MIGRATION_DATABASE_URL: database.ownerConnectionString,
  });
  expect(code).toBe(1);
  service.password = '';
  expect(stderr).toMatch(
    new RegExp(
      `^DATABASE_URL ${service.toString().replace(/[.?]/g, '\\$&')} cannot be used \\(password authentication failed`,
      'm',
    ),
  );
  expect(stderr).not.toMatch(/not-the-password/);
}, 60_000);

test('npm run admin -- reproject exits naming TEMPORAL_ADDRESS and the address tried', async () => {
  const { code, stderr } = await run('admin.ts', ['reproject'], {
    DATABASE_URL: database.connectionString,
    TEMPORAL_ADDRESS: address,
    ...KEYS,
  });
  expect(code).toBe(1);
  expect(stderr).toMatch(named());
}, 60_000);

test('npm run admin -- reproject and create-admin exit naming DATABASE_URL when PostgreSQL is not up', async () => {
  const port = await freePort();
  const unreachable = new RegExp(
    `^DATABASE_URL postgres://relief_service@127\\.0\\.0\\.1:${port}/relief cannot be used \\(connect ECONNREFUSED`,
    'm',
  );
  const env = { DATABASE_URL: `postgres://relief_service:service-secret@127.0.0.1:${port}/relief`, ...KEYS };
  const reprojected = await run('admin.ts', ['reproject'], { ...env, TEMPORAL_ADDRESS: address });
  const created = await run(
    'admin.ts',
    ['create-admin', '--username', 'ops-admin', '--display-name', 'Ops Admin', '--agency', 'state-task-force'],
    env,
  );
  for (const { code, stderr } of [reprojected, created]) {
    expect(code).toBe(1);
    expect(stderr).toMatch(unreachable);
    expect(stderr).not.toMatch(/secret/);
  }
}, 60_000);
