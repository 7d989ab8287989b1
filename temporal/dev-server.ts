import type { ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { Socket } from 'node:net';
import { dirname } from 'node:path';
import { Connection } from '@temporalio/client';
import type { SearchAttributeType } from '@temporalio/common';
import type { Logger } from '../core/logger';
import { exitOf, spawnEmbeddedServer } from '../core/embedded-server';
import { CASE_SEARCH_ATTRIBUTES } from '../workflows/search-attributes';
import { resolveBinary } from './binaries';

export interface DevServerOptions {
  ip: string;
  port: number;
  uiPort: number;
  namespace: string;
  /** SQLite file holding the server's state, so workflows and timers survive a restart. */
  dbFile: string;
  logger: Logger;
  startupTimeoutMs?: number;
  /** The service's codec server (`<base>/codec`): the Web UI opens payloads through it (`--ui-codec-endpoint`). */
  uiCodecEndpoint?: string;
}

export interface RunningDevServer {
  address: string;
  uiUrl: string;
  /** False when a Temporal server was already listening there and we only connected to it. */
  startedByUs: boolean;
  /** The process of the server we started (none for one we only connected to). */
  pid?: number;
  /** Resolves, with how it ended, when the server we started exits (never for one we only connected to). */
  exited: Promise<string>;
  stop(): Promise<void>;
}

/** The dev server's `--search-attribute` flag spells types in CamelCase. */
const CLI_TYPE_NAMES: Record<SearchAttributeType, string> = {
  TEXT: 'Text',
  KEYWORD: 'Keyword',
  INT: 'Int',
  DOUBLE: 'Double',
  BOOL: 'Bool',
  DATETIME: 'Datetime',
  KEYWORD_LIST: 'KeywordList',
};

function searchAttributeFlags(keys: readonly { name: string; type: SearchAttributeType }[]): string[] {
  return keys.flatMap((key) => ['--search-attribute', `${key.name}=${CLI_TYPE_NAMES[key.type]}`]);
}

function portIsOpen(ip: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const settle = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(1000);
    socket.once('connect', () => settle(true));
    socket.once('timeout', () => settle(false));
    socket.once('error', () => settle(false));
    socket.connect(port, ip);
  });
}

/** A port held by another program, with Node's `code` and `port`, so the service can name the variable that sets it. */
function addressInUse(message: string, port: number): Error & { code: string; port: number } {
  return Object.assign(new Error(message), { code: 'EADDRINUSE', port });
}

/** True when a Temporal frontend answers on the address. */
async function answersAsTemporal(address: string): Promise<boolean> {
  let connection: Connection | undefined;
  try {
    const conn = await Connection.connect({ address, connectTimeout: 2000 });
    connection = conn;
    await conn.withDeadline(Date.now() + 2000, () => conn.workflowService.getSystemInfo({}));
    return true;
  } catch {
    return false;
  } finally {
    await connection?.close();
  }
}

async function waitUntilAnswering(
  address: string,
  child: ChildProcess,
  timeoutMs: number,
  lastWords: readonly string[],
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `The Temporal dev server exited during start-up (${child.exitCode ?? child.signalCode})` +
          (lastWords.length ? `, saying: ${lastWords.join(' | ')}` : '.'),
      );
    }
    if (await answersAsTemporal(address)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`The Temporal dev server did not answer on ${address} within ${timeoutMs / 1000}s.`);
}

async function stopChild(child: ChildProcess): Promise<void> {
  const running = child.exitCode === null && child.signalCode === null;
  const killer = running ? setTimeout(() => child.kill('SIGKILL'), 10_000) : undefined;
  if (running) child.kill('SIGTERM');
  await exitOf(child);
  clearTimeout(killer);
}

/**
 * Starts the official Temporal dev server (`temporal server start-dev`) as a supervised child process, or reuses a
 * Temporal server already listening on the port. Refuses, with a clear message, a port held by something else.
 */
export async function startDevServer(options: DevServerOptions): Promise<RunningDevServer> {
  const { ip, port, uiPort, namespace, dbFile, logger } = options;
  const address = `${ip}:${port}`;
  const uiUrl = `http://${ip}:${uiPort}`;

  if (await portIsOpen(ip, port)) {
    if (await answersAsTemporal(address)) {
      logger.info({ address, uiUrl }, 'Temporal is already running there; using it');
      return {
        address,
        uiUrl,
        startedByUs: false,
        exited: new Promise<string>(() => undefined),
        stop: () => Promise.resolve(),
      };
    }
    throw addressInUse(
      `Port ${port} on ${ip} is taken by something that is not Temporal. Stop it, or choose other ports ` +
        `(npm run temporal -- --port 7291 --ui-port 8291, or TEMPORAL_PORT / TEMPORAL_UI_PORT for npm start).`,
      port,
    );
  }
  if (await portIsOpen(ip, uiPort)) {
    throw addressInUse(
      `The Web UI port ${uiPort} on ${ip} is taken. Choose another (--ui-port or TEMPORAL_UI_PORT).`,
      uiPort,
    );
  }

  const cli = await resolveBinary('cli');
  mkdirSync(dirname(dbFile), { recursive: true });
  const args = [
    'server',
    'start-dev',
    '--ip',
    ip,
    '--port',
    String(port),
    '--ui-port',
    String(uiPort),
    '--namespace',
    namespace,
    '--db-filename',
    dbFile,
    '--log-level',
    'warn',
    '--ui-disable-news-fetch',
    // Write-ahead logging, each commit synced (SQLite's default is a rollback journal): as durable, but a commit appends
    // to one log and syncs it, where the journal wrote, synced, created and deleted files for each. Sign-offs, case
    // opening and reminders at load each took a sixth to a third less time (README, "Where a sign-off's time goes").
    '--sqlite-pragma',
    'journal_mode=wal',
    '--sqlite-pragma',
    'synchronous=full',
    ...(options.uiCodecEndpoint ? ['--ui-codec-endpoint', options.uiCodecEndpoint] : []),
    ...searchAttributeFlags(CASE_SEARCH_ATTRIBUTES),
  ];
  logger.info({ binary: cli.path, source: cli.source, address, dbFile }, 'starting the Temporal dev server');
  const child = spawnEmbeddedServer(cli.path, args, 'SIGTERM');
  const exited = exitOf(child);
  let stopping = false;
  // Its last lines, for the error if it exits before it answers (a log below warn level would not show them).
  const lastLines: string[] = [];
  // The server complains about closed connections while it shuts down; that noise says nothing useful.
  const forward = (level: 'info' | 'warn') => (chunk: Buffer) => {
    if (stopping) return;
    for (const line of chunk.toString().split('\n')) {
      if (!line.trim()) continue;
      logger[level]({ temporal: line.trim() });
      lastLines.push(line.trim());
      if (lastLines.length > 5) lastLines.shift();
    }
  };
  child.stdout?.on('data', forward('info'));
  child.stderr?.on('data', forward('warn'));

  try {
    await waitUntilAnswering(address, child, options.startupTimeoutMs ?? 60_000, lastLines);
  } catch (error) {
    stopping = true;
    await stopChild(child);
    throw error;
  }
  logger.info({ address, uiUrl }, `Temporal dev server ready; Web UI at ${uiUrl}`);
  const stop = () => {
    stopping = true;
    return stopChild(child);
  };
  return { address, uiUrl, startedByUs: true, pid: child.pid, exited, stop };
}
