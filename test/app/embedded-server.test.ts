/**
 * An embedded server (core/embedded-server.ts) dies with the service however the service ends: even stopped
 * (SIGSTOP) when the service is killed outright (SIGKILL), where its death signal stays pending until it is
 * continued; and its guard leaves with it on a normal stop. A real process (`sleep`) as the server, under a real
 * parent process; bounded polls, no sleeps.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnEmbeddedServer } from '../../core/embedded-server';
import { eventually } from '../support/eventually';

/** The process's state in /proc (`T` stopped), or undefined once it is gone or has exited unreaped (`Z`). */
function stateOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2)[0];
    return state === 'Z' ? undefined : state;
  } catch {
    return undefined;
  }
}

/** The guards (`embedded-server-guard <pid>`) watching over the server `pid`. */
function guardsOf(pid: number): number[] {
  return readdirSync('/proc').flatMap((entry) => {
    if (!/^\d+$/.test(entry) || stateOf(Number(entry)) === undefined) return [];
    try {
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      return args.includes('embedded-server-guard') && args.includes(String(pid)) ? [Number(entry)] : [];
    } catch {
      return [];
    }
  });
}

const left: number[] = [];
afterEach(() => {
  for (const pid of left.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
});

/** A service of its own: a process that starts `sleep` as its embedded server and says the server's pid. */
async function serviceWithServer() {
  const module = join(__dirname, '../../core/embedded-server.ts');
  const script = `const { spawnEmbeddedServer } = require(${JSON.stringify(module)});
const server = spawnEmbeddedServer('sleep', ['600'], 'SIGTERM');
server.stdout.resume();
server.stderr.resume();
process.stdout.write(server.pid + '\\n');`;
  const service = spawn(process.execPath, ['--import', 'tsx', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  left.push(service.pid!);
  let said = '';
  service.stdout.on('data', (chunk: Buffer) => (said += chunk.toString()));
  const server = await eventually(() => /^(\d+)\n/.exec(said)?.[1], "the server's pid", 30_000);
  left.push(Number(server));
  return { service, server: Number(server) };
}

test('a server stopped by SIGSTOP dies with the service killed outright (SIGKILL), and so does its guard', async () => {
  const { service, server } = await serviceWithServer();
  process.kill(server, 'SIGSTOP');
  await eventually(() => stateOf(server) === 'T', 'the server stopped');

  service.kill('SIGKILL');
  await eventually(() => stateOf(server) === undefined, 'the stopped server to die with the service', 10_000);
  await eventually(() => guardsOf(server).length === 0, 'its guard to leave', 10_000);
});

test('a running server dies with the service killed outright, as before', async () => {
  const { service, server } = await serviceWithServer();
  service.kill('SIGKILL');
  await eventually(() => stateOf(server) === undefined, 'the server to die with the service', 10_000);
  await eventually(() => guardsOf(server).length === 0, 'its guard to leave', 10_000);
});

test('a server stopped as the service stops it leaves no guard behind, and a live service keeps its server', async () => {
  const server = spawnEmbeddedServer('sleep', ['600'], 'SIGTERM');
  left.push(server.pid!);
  const exited = new Promise<NodeJS.Signals | null>((done) => server.once('exit', (_code, signal) => done(signal)));
  await eventually(() => guardsOf(server.pid!).length === 1, 'its guard');
  expect(stateOf(server.pid!)).toBeDefined();
  server.kill('SIGTERM');
  expect(await exited).toBe('SIGTERM');
  await eventually(() => guardsOf(server.pid!).length === 0, 'its guard to leave', 10_000);
});
