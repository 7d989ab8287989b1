import { spawn, type ChildProcessByStdio, type SpawnOptions } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Readable } from 'node:stream';

/**
 * Starts an embedded server (PostgreSQL, the Temporal dev server) whose life is the service's to decide, its output
 * piped for the service's log:
 * - in a process group of its own, so a Ctrl+C in the terminal reaches the service alone, which finishes its
 *   requests and tasks while the server still serves them, then stops it;
 * - sent `deathSignal` by the kernel if this process dies without stopping it, even by SIGKILL (Linux: `setpriv
 *   --pdeathsig`), so it never outlives the service as an orphan. Where setpriv is missing, the command runs as is.
 */
export function spawnEmbeddedServer(
  command: string,
  args: string[],
  deathSignal: NodeJS.Signals,
  options: Omit<SpawnOptions, 'stdio' | 'detached'> = {},
): ChildProcessByStdio<null, Readable, Readable> {
  const [file, fileArgs] = existsSync('/usr/bin/setpriv')
    ? ['/usr/bin/setpriv', ['--pdeathsig', deathSignal, '--', command, ...args]]
    : [command, args];
  return spawn(file, fileArgs, { ...options, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
}
