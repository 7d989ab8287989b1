/**
 * The service as operations run it: `main.ts` in the embedded mode (its own PostgreSQL, Temporal dev server and mail
 * capture as children), as an OS process the test signals. The dev server SIGKILLed comes back on its data while
 * /ready says so within a second; SIGTERM during a sign-off finishes it and answers it, refuses what comes after, and
 * the sign-off's retry after a restart is the same one (after PostgreSQL too was SIGKILLed and restarted, which
 * re-installs its signal hooks after the service's); a Ctrl-C reaches the service alone, which stops its children
 * itself; SIGKILLed, the service takes its children with it, even a dev server stopped by SIGSTOP.
 */
import { randomUUID } from 'node:crypto';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { drainable } from '../../api/draining';
import { createLogger } from '../../core/logger';
import { supervise, type SupervisedChild } from '../../core/supervisor';
import { connectionStringFor, type Credentials } from '../../db/embedded-postgres';
import { DEMO_AGENCIES } from '../../db/seed';
import { eventually } from '../support/eventually';
import { commandOf, descendantsOf, isAlive } from '../support/processes';
import {
  freeEmbeddedPorts,
  startEmbeddedServiceProcess,
  type EmbeddedPorts,
  type ServiceProcess,
} from '../support/service-process';

/** "Within about a second", with room for a loaded test machine. */
const QUICK_MS = 1500;

let dataDir: string;
let ports: EmbeddedPorts;
let service: ServiceProcess;
let api: string;
let token: string;

const start = () => startEmbeddedServiceProcess(dataDir, ports, { SHUTDOWN_TIMEOUT_SECONDS: '20' });
const today = () => new Date().toISOString().slice(0, 10);

async function call(path: string, init: { method?: string; key?: string; body?: unknown } = {}) {
  const res = await fetch(`${api}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      'Content-Type': 'application/json',
      Authorization: `Bearer ${token}`,
      ...(init.key ? { 'Idempotency-Key': init.key } : {}),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

const openCase = (key: string) =>
  call('/api/cases', {
    method: 'POST',
    key,
    body: {
      identifiedOn: today(),
      survivor: { name: 'Operations Test Person', birthDate: '1990-05-01' },
      agencies: DEMO_AGENCIES,
      // One fictitious survivor opened again on purpose, not a request sent twice (409 possible_duplicate).
      confirmNotDuplicate: true,
    },
  });
const signOff = (caseId: string, key: string) =>
  call(`/api/cases/${caseId}/steps/cp_request-1/sign-off`, {
    method: 'POST',
    key,
    body: { outcome: 'requested', details: { requestedOn: today() } },
  });

/** The service's Temporal dev server: the child running `temporal server start-dev`. */
function devServerPid(): number {
  const pid = descendantsOf(service.child.pid!).find((p) => commandOf(p).includes('start-dev'));
  if (!pid) throw new Error(`no dev server under the service:\n${service.output()}`);
  return pid;
}

const postmasterPid = () =>
  Number(readFileSync(join(dataDir, 'postgres', 'pgdata', 'postmaster.pid'), 'utf8').split('\n')[0]);

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'relief-operations-'));
  // As root, PostgreSQL runs as the `postgres` user, which must reach its folder inside this one.
  chmodSync(dataDir, 0o755);
  ports = await freeEmbeddedPorts();
  service = await start();
  api = service.origin!;
  const password = readFileSync(join(dataDir, 'keys', 'demo-password'), 'utf8').trim();
  const signedIn = await fetch(`${api}/api/auth/sign-in`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: 'demo-police-officer', password }),
  });
  token = ((await signedIn.json()) as { token: string }).token;
}, 120_000);

afterAll(async () => {
  await service?.stop('SIGKILL');
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

test("the service's server answers what Node's HTTP parser refuses (oversized headers) in the API's error shape", async () => {
  const { hostname, port } = new URL(api);
  const socket = connect(Number(port), hostname);
  socket.on('connect', () => socket.write(`GET /health HTTP/1.1\r\nHost: x\r\nX-Note: ${'a'.repeat(20_000)}\r\n\r\n`));
  let received = '';
  socket.on('data', (chunk: Buffer) => (received += chunk.toString('utf8')));
  await new Promise((closed) => socket.on('close', closed));
  const [head = '', body = ''] = received.split('\r\n\r\n');
  expect(head).toMatch(/^HTTP\/1\.1 431 /);
  expect(head.toLowerCase()).toContain('content-type: application/problem+json');
  expect(JSON.parse(body)).toMatchObject({ status: 431, code: 'headers_too_large' });
});

test('the dev server SIGKILLed: /ready answers 503 naming it within a second, it is restarted on its data, a write goes through', async () => {
  const opened = await openCase(`ops-before-${randomUUID()}`);
  expect(opened.status).toBe(201);
  const killed = devServerPid();
  process.kill(killed, 'SIGKILL');

  const started = Date.now();
  const probe = await fetch(`${api}/ready`);
  expect(Date.now() - started).toBeLessThan(QUICK_MS);
  expect(probe.status).toBe(503);
  expect(((await probe.json()) as { detail: string }).detail).toMatch(/not ready: .*temporal/);

  await eventually(async () => (await fetch(`${api}/ready`)).status === 200, 'ready after the restart', 60_000);
  expect(devServerPid()).not.toBe(killed);
  expect(service.output()).toContain('the Temporal dev server exited (signal SIGKILL); restarting it');
  // The server answers /ready a moment before the supervisor's own check of it returns and logs the restart.
  await eventually(() => service.output().includes('the Temporal dev server restarted'), 'the restart logged');
  // Its data survived: the case opened before is still there for the workflow, and a new write goes through.
  const caseId = (opened.body as { caseId: string }).caseId;
  expect((await signOff(caseId, `ops-after-${randomUUID()}`)).status).toBe(200);
  expect((await openCase(`ops-after-open-${randomUUID()}`)).status).toBe(201);
}, 120_000);

test('PostgreSQL SIGKILLed: it is restarted on its cluster, and what was written before is read and written again', async () => {
  const opened = await openCase(`ops-pg-${randomUUID()}`);
  expect(opened.status).toBe(201);
  const caseId = (opened.body as { caseId: string }).caseId;
  const killed = postmasterPid();
  process.kill(killed, 'SIGKILL');

  await eventually(
    async () => (await fetch(`${api}/ready`)).status === 200 && postmasterPid() !== killed,
    'ready after the restart',
    60_000,
  );
  expect(service.output()).toContain('the embedded PostgreSQL exited (signal SIGKILL); restarting it');
  expect((await call(`/api/cases/${caseId}`)).status).toBe(200);
  expect((await signOff(caseId, `ops-pg-sign-${randomUUID()}`)).status).toBe(200);
}, 120_000);

test('SIGTERM during a sign-off: it is finished and answered, new connections are refused, the retry after a restart is the same one sign-off', async () => {
  const caseId = ((await openCase(`ops-drain-open-${randomUUID()}`)).body as { caseId: string }).caseId;
  const key = `ops-drain-${randomUUID()}`;
  // The dev server paused: the sign-off's update waits on it, so the request is surely under way at the SIGTERM.
  const temporal = devServerPid();
  process.kill(temporal, 'SIGSTOP');
  let answer!: ReturnType<typeof signOff>;
  let exited!: Promise<number | null>;
  // Resumed however this goes: a dev server left stopped would outlive the service that should stop it.
  try {
    const db = new Client({
      connectionString: connectionStringFor(
        JSON.parse(readFileSync(join(dataDir, 'postgres', 'credentials.json'), 'utf8')) as Credentials,
        ports.postgres,
      ),
    });
    await db.connect();
    try {
      answer = signOff(caseId, key);
      await eventually(
        async () =>
          (await db.query('SELECT 1 FROM idempotency_keys WHERE key = $1 AND status_code IS NULL', [key])).rowCount ===
          1,
        'the sign-off to claim its key',
      );
    } finally {
      await db.end();
    }
    exited = new Promise<number | null>((done) => service.child.once('exit', (code) => done(code)));
    service.child.kill('SIGTERM');
    // No new connection is accepted while it drains.
    await eventually(
      () =>
        fetch(`${api}/health`).then(
          () => false,
          () => true,
        ),
      'new connections to be refused',
    );
  } finally {
    process.kill(temporal, 'SIGCONT');
  }

  const first = await answer;
  expect(first.status).toBe(200);
  expect(await exited).toBe(0);
  expect(service.output()).not.toMatch(/did not stop within/);

  service = await start();
  const retried = await signOff(caseId, key);
  expect(retried.status).toBe(200);
  expect(retried.headers.get('idempotent-replayed')).toBe('true');
  const read = await call(`/api/cases/${caseId}`);
  const timeline = read.body.timeline as { stepId: string | null; type: string }[];
  expect(timeline.filter((entry) => entry.stepId === 'cp_request-1' && entry.type === 'step.completed')).toHaveLength(
    1,
  );
}, 180_000);

test('Ctrl-C in its terminal (SIGINT to its process group): the service alone takes it, stops its servers itself and exits 0', async () => {
  const children = [postmasterPid(), devServerPid()];
  const exited = new Promise<number | null>((done) => service.child.once('exit', (code) => done(code)));
  process.kill(-service.child.pid!, 'SIGINT');
  expect(await exited).toBe(0);
  await eventually(() => !children.some(isAlive), 'the embedded servers to stop', 30_000);
  // Neither server was interrupted under the service and restarted while it drained.
  expect(service.output()).not.toMatch(/restarting it|could not be restarted/);
  expect(service.output()).toMatch(/"signal":"SIGINT".*"msg":"stopping"/);
  service = await start();
}, 120_000);

test('SIGKILLed while its dev server is stopped (SIGSTOP), the service still takes it with it: the next start finds its port free', async () => {
  const children = [postmasterPid(), devServerPid()];
  // Stopped, the dev server holds its death signal (SIGTERM) pending until it is continued: the guard continues it.
  process.kill(children[1]!, 'SIGSTOP');
  try {
    await service.stop('SIGKILL');
    await eventually(() => !children.some(isAlive), 'the embedded servers to stop', 30_000);
  } finally {
    for (const pid of children.filter(isAlive)) process.kill(pid, 'SIGKILL');
  }
  // Where the stopped server outlived it, this start said the Temporal port was in use by another program.
  service = await start();
  expect((await fetch(`${api}/ready`)).status).toBe(200);
}, 120_000);

test('SIGKILLed, the service takes its PostgreSQL and Temporal dev server with it', async () => {
  const children = [postmasterPid(), devServerPid()];
  expect(children.every(isAlive)).toBe(true);
  await service.stop('SIGKILL');
  await eventually(() => !children.some(isAlive), 'the embedded servers to stop', 30_000);
}, 60_000);

test('a request still running at the drain deadline is answered 503 shutting_down, with Retry-After, and the server closes', async () => {
  // The API's own drain around a handler that never answers: a write stuck past the deadline.
  const arrived: (() => void)[] = [];
  const http = drainable(() => arrived.shift()?.());
  const server = createServer(http.handler);
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const underWay = new Promise<void>((resolve) => arrived.push(resolve));
  const stuck = fetch(`${origin}/api/cases`, { method: 'POST' });
  await underWay;

  const started = Date.now();
  await http.drain(server, 300);
  expect(Date.now() - started).toBeLessThan(QUICK_MS);
  const answer = await stuck;
  expect(answer.status).toBe(503);
  expect(answer.headers.get('retry-after')).toBe('5');
  expect(answer.headers.get('content-type')).toBe('application/problem+json');
  expect(await answer.json()).toMatchObject({ status: 503, code: 'shutting_down' });
  await expect(fetch(`${origin}/health`)).rejects.toThrow();
});

test('a supervised server that dies is restarted; one that cannot be is given up on, naming it, after the last attempt', async () => {
  // A real process as the supervised server: `sleep` until killed.
  const starts: number[] = [];
  let failing = false;
  const start = async (): Promise<SupervisedChild & { pid: number }> => {
    if (failing) throw new Error('port taken');
    const child = spawn('sleep', ['600'], { stdio: 'ignore' });
    starts.push(child.pid!);
    const exited = new Promise<string>((done) => child.once('exit', (_code, signal) => done(`signal ${signal}`)));
    return {
      pid: child.pid!,
      exited,
      stop: async () => {
        child.kill();
        await exited;
      },
    };
  };
  let gaveUp: (error: Error) => void = () => undefined;
  const given = new Promise<Error>((resolve) => (gaveUp = resolve));
  const logger = createLogger({ level: 'silent' });
  const server = await supervise(start, {
    name: 'the test server',
    logger,
    attempts: 3,
    firstPauseMs: 10,
    giveUp: gaveUp,
  });

  process.kill(starts[0]!, 'SIGKILL');
  await eventually(() => starts.length === 2, 'the restart');
  expect(isAlive(starts[1]!)).toBe(true);

  failing = true;
  process.kill(starts[1]!, 'SIGKILL');
  expect((await given).message).toBe(
    'the test server stopped and could not be restarted (3 attempts); stopping the service',
  );
  expect(starts).toHaveLength(2);
  await server.stop();
});
