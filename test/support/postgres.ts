/**
 * A real PostgreSQL for one jest file: `startTestDatabase()` in beforeAll, `stop()` in afterAll.
 *
 * Speed: initdb plus migrations cost about 2 s, so they run once per (PostgreSQL build, migration files) into a
 * template cluster under os.tmpdir(), shared by every run on this machine; each test file copies the template into
 * a temporary folder of its own, in memory where it can (`clusterParentDir`), and starts a private server on a free
 * port (~0.3 s). A change to any migration file changes the template's name, so a stale template is never used.
 * Durability is switched off (fsync) because these clusters are thrown away.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statfsSync } from 'node:fs';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Pool } from 'pg';
import {
  connectionStringFor,
  ensureOwnedDir,
  initCluster,
  postgresBinDir,
  serverUser,
  startServer,
  type Credentials,
  type RunAs,
} from '../../db/embedded-postgres';
import { MIGRATIONS_DIR } from '../../db/migrate';
import { createPool } from '../../db/pool';
import { ensureServiceLogin, serviceLoginUrl } from '../../db/service-role';
import { freePort } from './ports';

const run = promisify(execFile);
const quiet = () => undefined;

export interface TestDatabase {
  /** Connected as the service's own role (relief_service, a member of relief_app), as the service runs. */
  pool: Pool;
  connectionString: string;
  /** The owner (superuser) of the cluster: for what only a migration or an operator may do. */
  ownerConnectionString: string;
  /** Connections as that owner (opened on first use): to set up, inspect or break what the service may not touch. */
  owner: Pool;
  /** An outage: stops the server (a fast shutdown, as an operator's restart) and keeps its data. */
  stopServer(): Promise<void>;
  /** Starts the stopped server again on the same data folder and port. */
  startServer(): Promise<void>;
  stop(): Promise<void>;
}

/** Applies db/migrations to `databaseUrl` through the migration command (`tsx db/migrate.ts`) in a child process. */
export async function migrateInChildProcess(databaseUrl: string): Promise<string> {
  const { stdout } = await run(
    process.execPath,
    ['--require', require.resolve('tsx/cjs'), join(MIGRATIONS_DIR, '..', 'migrate.ts')],
    {
      env: { ...process.env, DATABASE_URL: databaseUrl },
    },
  );
  return stdout;
}

function templateKey(): string {
  const hash = createHash('sha256');
  hash.update(postgresBinDir());
  hash.update(readFileSync(join(postgresBinDir(), '..', '..', 'package.json')));
  for (const file of readdirSync(MIGRATIONS_DIR).sort()) {
    hash.update(file);
    hash.update(readFileSync(join(MIGRATIONS_DIR, file)));
  }
  return hash.digest('hex').slice(0, 16);
}

/** Starts a server on a free port; retries when another process takes the port between our check and the bind. */
async function startOnFreePort(pgdata: string, runAs: RunAs | undefined) {
  for (let attempt = 1; ; attempt += 1) {
    const port = await freePort();
    try {
      return { port, server: await startServer({ pgdata, port, runAs, log: quiet, unsafeFast: true }) };
    } catch (error) {
      if (attempt >= 3 || (error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    }
  }
}

/** The migrated template cluster for the current migrations, built once and shared. */
async function ensureTemplate(runAs: RunAs | undefined): Promise<string> {
  const template = join(tmpdir(), `relief-cases-pg-template-${templateKey()}`);
  if (existsSync(join(template, 'ready'))) return template;

  // Built aside and renamed into place, so concurrent runs never see a half-built template.
  const building = await mkdtemp(`${template}.build-`);
  try {
    await ensureOwnedDir(building, runAs);
    // 1 MB WAL segments instead of 16: a tenth of the bytes each test file copies.
    const credentials = await initCluster(building, runAs, quiet, ['--wal-segsize=1', '--no-sync']);
    const { port, server } = await startOnFreePort(join(building, 'pgdata'), runAs);
    try {
      await migrateInChildProcess(connectionStringFor(credentials, port));
      await ensureServiceLogin(connectionStringFor(credentials, port));
    } finally {
      await server.stop();
    }
    await writeFile(join(building, 'ready'), new Date().toISOString());
    await rename(building, template).catch((error: NodeJS.ErrnoException) => {
      // Another run finished first; use theirs.
      if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
    });
  } finally {
    await rm(building, { recursive: true, force: true });
  }
  return template;
}

/**
 * Where each file's copy of the template goes: the memory file system /dev/shm when the machine has one with room, else
 * os.tmpdir(). The copy is about 1,100 small files (32 MB): creating them on this machine's ext4 took 0.1 to 1 s of
 * system CPU (the more the busier the disk; one 32 MB file 0.01 s), on tmpfs 0.05 s. The cluster holds that memory
 * while its file runs; the template itself stays on disk.
 */
function clusterParentDir(): string {
  const memory = '/dev/shm';
  try {
    const { bavail, bsize } = statfsSync(memory);
    if (bavail * bsize >= 1024 ** 3) return memory;
  } catch {
    // No /dev/shm (not Linux): the disk.
  }
  return tmpdir();
}

export async function startTestDatabase(): Promise<TestDatabase> {
  const runAs = serverUser();
  const template = await ensureTemplate(runAs);
  const started = Date.now();
  const dir = await mkdtemp(join(clusterParentDir(), 'relief-cases-pg-test-'));
  try {
    await ensureOwnedDir(dir, runAs);
    // `cp -a` keeps the owner and modes PostgreSQL insists on (0700 data folder owned by the server user).
    await run('cp', ['-a', join(template, 'pgdata'), join(template, 'credentials.json'), dir]);
    const credentials = JSON.parse(readFileSync(join(dir, 'credentials.json'), 'utf8')) as Credentials;
    const copied = Date.now();
    const pgdata = join(dir, 'pgdata');
    const first = await startOnFreePort(pgdata, runAs);
    const { port } = first;
    let server: { stop(): Promise<void> } | undefined = first.server;
    if (process.env.TEST_PG_TIMING) console.log(`copy ${copied - started} ms, start ${Date.now() - copied} ms`);
    const ownerConnectionString = connectionStringFor(credentials, port);
    const connectionString = serviceLoginUrl(ownerConnectionString);
    const pool = createPool(connectionString, { max: 5, applicationName: 'jest' });
    const owner = createPool(ownerConnectionString, { max: 2, applicationName: 'jest-owner' });
    let stopped: Promise<void> | undefined;
    return {
      pool,
      connectionString,
      ownerConnectionString,
      owner,
      stopServer: async () => {
        await server?.stop();
        server = undefined;
      },
      startServer: async () => {
        server ??= await startServer({ pgdata, port, runAs, log: quiet, unsafeFast: true });
      },
      stop: () =>
        (stopped ??= (async () => {
          await pool.end();
          await owner.end();
          await server?.stop();
          await rm(dir, { recursive: true, force: true });
        })()),
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
