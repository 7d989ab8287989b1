/**
 * The service as it runs in production: `main.ts` in an OS process of its own, with a `SERVICE_ROLE`, against the
 * PostgreSQL, Temporal and SMTP server of a test or the bench. Every process started here is killed when this one
 * exits, however it exits, so no test or bench leaves one behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import type { IdentityKeyring } from '../../core/identity-cipher';
import { eventually } from './eventually';
import { freePort } from './ports';

/** What every process of one deployment shares: the same database, Temporal, mail server and keys. */
export interface Deployment {
  /** The service's own role (DATABASE_URL); `migrationUrl` the owner that migrates, when it is another. */
  databaseUrl: string;
  migrationUrl?: string;
  temporalAddress: string;
  taskQueue: string;
  smtpUrl: string;
  payloadKeyring: IdentityKeyring;
  /**
   * The identity keys, when the deployment's data was sealed with others than the processes' default (a test's own
   * stack): a process refuses to start while data is sealed under a key it lacks.
   */
  identityKeyring?: IdentityKeyring;
  /** A POLICY_FILE for the API processes, e.g. with deadlines of seconds. */
  policyFile?: string;
  /** More variables, e.g. WRITE_TIMEOUT_SECONDS or the rate limits. */
  env?: Record<string, string>;
}

export interface ServiceProcess {
  /** `all`: the embedded mode, API and worker in one process with its own PostgreSQL, Temporal and mail capture. */
  role: 'api' | 'worker' | 'all';
  child: ChildProcess;
  /** The API's origin (api role only). */
  origin?: string;
  /** What it printed so far: its log, for a failure's message. */
  output(): string;
  /** Ends it with this signal (SIGTERM: a clean stop; SIGKILL: a crash) and waits until it is gone. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

const ROOT = resolve(__dirname, '../..');
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

const READY = { api: 'API listening', worker: 'case worker running' } as const;

/** A keyring as PAYLOAD_KEYS and IDENTITY_KEYS give it: `<id>:<base64 key>`, the current key first, comma-separated. */
export const keyringVariable = (keyring: IdentityKeyring): string =>
  [keyring.current, ...(keyring.previous ?? [])].map((key) => `${key.id}:${key.key.toString('base64')}`).join(',');

/** Starts one process of the service and waits until it serves (API) or polls its task queue (worker). */
export async function startServiceProcess(deployment: Deployment, role: 'api' | 'worker'): Promise<ServiceProcess> {
  const port = role === 'api' ? await freePort() : undefined;
  return spawnService(role, READY[role], port, 'node', {
    SERVICE_ROLE: role,
    HOST: '127.0.0.1',
    ...(port ? { PORT: String(port) } : {}),
    DATABASE_URL: deployment.databaseUrl,
    ...(deployment.migrationUrl ? { MIGRATION_DATABASE_URL: deployment.migrationUrl } : {}),
    TEMPORAL_ADDRESS: deployment.temporalAddress,
    TEMPORAL_TASK_QUEUE: deployment.taskQueue,
    SMTP_URL: deployment.smtpUrl,
    MAIL_FROM: 'Relief cases <no-reply@relief.example.org>',
    PUBLIC_BASE_URL: 'https://relief.example.org',
    PAYLOAD_KEYS: keyringVariable(deployment.payloadKeyring),
    IDENTITY_KEYS: deployment.identityKeyring
      ? keyringVariable(deployment.identityKeyring)
      : `process-test:${Buffer.alloc(32, 7).toString('base64')}`,
    ...(deployment.policyFile ? { POLICY_FILE: deployment.policyFile } : {}),
    LOG_LEVEL: 'info',
    ...deployment.env,
  });
}

/** The ports of an embedded-mode service (`npm start` with nothing configured), fixed so a restart finds its data. */
export interface EmbeddedPorts {
  http: number;
  postgres: number;
  temporal: number;
  temporalUi: number;
  smtp: number;
}

export async function freeEmbeddedPorts(): Promise<EmbeddedPorts> {
  return {
    http: await freePort(),
    postgres: await freePort(),
    temporal: await freePort(),
    temporalUi: await freePort(),
    smtp: await freePort(),
  };
}

/**
 * The whole service in the embedded mode, as `npm start` runs it: its own PostgreSQL, Temporal dev server and mail
 * capture as children, their data in `dataDir` (which must be reachable by the `postgres` user when run as root).
 * `launcher` `npm` runs it through `npm start` itself, npm the process `child` is (what an operator or a supervisor
 * starts and signals); by default it is `main.ts` run by Node.
 */
export function startEmbeddedServiceProcess(
  dataDir: string,
  ports: EmbeddedPorts,
  env: Record<string, string> = {},
  launcher: Launcher = 'node',
): Promise<ServiceProcess> {
  return spawnService('all', READY.api, ports.http, launcher, {
    HOST: '127.0.0.1',
    PORT: String(ports.http),
    DATA_DIR: dataDir,
    EMBEDDED_POSTGRES_PORT: String(ports.postgres),
    TEMPORAL_PORT: String(ports.temporal),
    TEMPORAL_UI_PORT: String(ports.temporalUi),
    SMTP_CAPTURE_PORT: String(ports.smtp),
    LOG_LEVEL: 'info',
    ...env,
  });
}

/** How a process of the service is started: `main.ts` run by Node, or `npm start`. */
type Launcher = 'node' | 'npm';

async function spawnService(
  role: ServiceProcess['role'],
  ready: string,
  port: number | undefined,
  launcher: Launcher,
  env: Record<string, string>,
): Promise<ServiceProcess> {
  const [command, args] =
    launcher === 'npm' ? ['npm', ['start']] : [process.execPath, ['--import', 'tsx', resolve(ROOT, 'main.ts')]];
  const child = spawn(command, args, {
    cwd: ROOT,
    // npm keeps its cache and configuration under HOME.
    env: { PATH: process.env.PATH, ...(launcher === 'npm' ? { HOME: process.env.HOME } : {}), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, as a job in a terminal is: a test can send it a Ctrl-C (`kill(-pid)`) without jest.
    detached: true,
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill(signal);
    await exited;
  };
  try {
    await eventually(() => output.includes(ready) || child.exitCode !== null, `the ${role} process to start`, 90_000);
  } catch (error) {
    await stop('SIGKILL');
    throw error;
  }
  if (child.exitCode !== null) throw new Error(`the ${role} process exited: ${output}`);
  return {
    role,
    child,
    origin: port ? `http://127.0.0.1:${port}` : undefined,
    output: () => output,
    stop,
  };
}
