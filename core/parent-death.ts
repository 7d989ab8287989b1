import { existsSync } from 'node:fs';

/**
 * A command wrapped so that the kernel sends it `signal` when this process dies without stopping it, even by
 * SIGKILL (Linux: `setpriv --pdeathsig`), so no embedded server outlives the service as an orphan. Where setpriv is
 * missing, the command runs as is.
 */
export function withParentDeathSignal(command: string, args: string[], signal: NodeJS.Signals): [string, string[]] {
  return existsSync('/usr/bin/setpriv')
    ? ['/usr/bin/setpriv', ['--pdeathsig', signal, '--', command, ...args]]
    : [command, args];
}
