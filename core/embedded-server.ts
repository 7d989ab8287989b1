import { spawn, type ChildProcess, type ChildProcessByStdio, type SpawnOptions } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';

/**
 * Starts an embedded server (PostgreSQL, the Temporal dev server) whose life is the service's to decide, its output
 * piped for the service's log:
 * - in a process group of its own, so a Ctrl+C in the terminal reaches the service alone, which finishes its
 *   requests and tasks while the server still serves them, then stops it;
 * - sent `deathSignal` by the kernel if this process dies without stopping it, even by SIGKILL (Linux: `setpriv
 *   --pdeathsig`), so it never outlives the service as an orphan. The signal is the one that shuts the server down
 *   cleanly (SIGTERM for the Temporal dev server, SIGINT, a fast shutdown, for PostgreSQL), not SIGKILL: the server
 *   then closes its files as on a normal stop, and PostgreSQL needs no crash recovery at the next start;
 * - with a guard (`guardStopped`) that continues it (SIGCONT) once this process is gone: a stopped server (SIGSTOP)
 *   keeps that signal pending until it is continued, and would otherwise outlive the service, holding its port and its
 *   data, so that the next start found the port "in use by another program".
 * Where setpriv is missing, the command runs as is, and the guard sends `deathSignal` itself.
 */
export function spawnEmbeddedServer(
  command: string,
  args: string[],
  deathSignal: NodeJS.Signals,
  options: Omit<SpawnOptions, 'stdio' | 'detached'> = {},
): ChildProcessByStdio<null, Readable, Readable> {
  const withDeathSignal = existsSync('/usr/bin/setpriv');
  const [file, fileArgs] = withDeathSignal
    ? ['/usr/bin/setpriv', ['--pdeathsig', deathSignal, '--', command, ...args]]
    : [command, args];
  const child = spawn(file, fileArgs, { ...options, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  guardStopped(child, withDeathSignal ? undefined : deathSignal);
  return child;
}

/**
 * The guard's script: it waits for the end of its input, a pipe only this process writes to, which the kernel closes
 * when this process ends however it ends (even by SIGKILL), then continues the server (`$1`), and sends it `$2` when
 * given. Continuing a server that is not stopped does nothing.
 */
const GUARD_SCRIPT =
  'while read -r _; do :; done; kill -s CONT "$1" 2>/dev/null; [ -z "$2" ] || kill -s "$2" "$1" 2>/dev/null';

/** Each server's guard, gone once the server has exited and the guard was stopped with it. */
const guardsOf = new WeakMap<ChildProcess, Promise<void>>();

/**
 * How an embedded server ended ("signal SIGTERM", "code 0"), once it has exited and its guard is gone with it: the one
 * moment its stop is over, when nothing of it is left running.
 */
export function exitOf(child: ChildProcess): Promise<string> {
  const ended = (code: number | null, signal: NodeJS.Signals | null) => (signal ? `signal ${signal}` : `code ${code}`);
  const exited =
    child.exitCode !== null || child.signalCode !== null
      ? Promise.resolve(ended(child.exitCode, child.signalCode))
      : new Promise<string>((done) => child.once('exit', (code, signal) => done(ended(code, signal))));
  return exited.then(async (how) => {
    await guardsOf.get(child);
    return how;
  });
}

/**
 * A small shell process that continues the server (`child`) once the service is gone, so that a server stopped by
 * SIGSTOP acts on its death signal (`setpriv --pdeathsig`), pending until then, or on `signal` where it has none. In a
 * session of its own, as the server is (a Ctrl+C does not reach it), and stopped with the server: it never waits on
 * a server that exited, whose pid may be another's by then. Holds nothing that keeps this process alive.
 */
function guardStopped(child: ChildProcess, signal: NodeJS.Signals | undefined): void {
  if (child.pid === undefined) return;
  const guard = spawn('/bin/sh', ['-c', GUARD_SCRIPT, 'embedded-server-guard', String(child.pid), signal ?? ''], {
    stdio: ['pipe', 'ignore', 'ignore'],
    detached: true,
  });
  // A shell missing or refused: the server runs as it did before, with its death signal alone.
  guard.once('error', () => undefined);
  guard.stdin.once('error', () => undefined);
  guard.unref();
  (guard.stdin as Socket).unref();
  const gone = new Promise<void>((done) => {
    guard.once('exit', () => done());
    guard.once('error', () => done());
  });
  guardsOf.set(child, gone);
  const release = () => {
    if (guard.exitCode !== null || guard.signalCode !== null) return;
    // Held until it is gone and reaped, so that the service, once its servers have stopped, leaves no process behind.
    guard.ref();
    guard.kill('SIGKILL');
  };
  if (child.exitCode !== null || child.signalCode !== null) release();
  else child.once('exit', release);
}
