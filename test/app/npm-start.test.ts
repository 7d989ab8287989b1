/**
 * The service as an operator or a supervisor starts it: `npm start`, the process it then signals being npm's. SIGTERM
 * to npm stops the service as SIGTERM to the service does, and leaves none of its processes running: npm passes the
 * signal on to its script's process, which must be the service's own (`exec` in package.json's start and start:prod),
 * not a shell that dies of it and leaves the service running under init.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from '../support/eventually';
import { commandOf, descendantsOf, isAlive } from '../support/processes';
import { freeEmbeddedPorts, startEmbeddedServiceProcess } from '../support/service-process';

test('SIGTERM to `npm start` stops the service and its embedded servers: none of its processes is left', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'relief-npm-start-'));
  // As root, PostgreSQL runs as the `postgres` user, which must reach its folder inside this one.
  chmodSync(dataDir, 0o755);
  const service = await startEmbeddedServiceProcess(
    dataDir,
    await freeEmbeddedPorts(),
    { SHUTDOWN_TIMEOUT_SECONDS: '10' },
    'npm',
  );
  const processes = descendantsOf(service.child.pid!);
  try {
    // The service's own process, its PostgreSQL and its Temporal dev server are all below npm.
    const commands = processes.map(commandOf).join('\n');
    for (const part of [/tsx main\.ts/, /postgres -D/, /temporal server start-dev/]) expect(commands).toMatch(part);
    await service.stop('SIGTERM');
    // Where the shell between npm and the service took the signal, the service went on (a worker polling, sending
    // emails) with its servers, under init, npm gone.
    await eventually(
      () => processes.every((pid) => !isAlive(pid)),
      'every process of the service to stop',
      25_000,
    ).catch((error: unknown) => {
      throw new Error(`still running: ${processes.filter(isAlive).map(commandOf).join('\n')}`, { cause: error });
    });
    expect(service.output()).toMatch(/"signal":"SIGTERM".*"msg":"stopping"/);
  } finally {
    for (const pid of processes.filter(isAlive)) process.kill(pid, 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
}, 150_000);
