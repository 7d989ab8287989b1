import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createLogger } from '../../core/logger';
import { startDevServer, type RunningDevServer } from '../../temporal/dev-server';
import * as activities from './proof-activities';
import { finish, timerThenAnswer, twoSteps } from './proof-workflows';
import { freePort } from '../support/ports';
import { workflowBundle } from '../support/temporal';

const EventType = temporal.api.enums.v1.EventType;
const logger = createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
let dataDir: string;
let server: RunningDevServer | undefined;
let serverOptions: Parameters<typeof startDevServer>[0];

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'temporal-durability-'));
  const port = await freePort();
  serverOptions = {
    ip: '127.0.0.1',
    port,
    uiPort: await freePort(),
    namespace: 'default',
    dbFile: join(dataDir, 'state.sqlite'),
    logger,
  };
  server = await startDevServer(serverOptions);
});

afterAll(async () => {
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function withClient<T>(use: (client: Client) => Promise<T>): Promise<T> {
  const connection = await Connection.connect({ address: server!.address });
  try {
    return await use(new Client({ connection }));
  } finally {
    await connection.close();
  }
}

/** Polls the workflow's history until an event of the type is there (a condition, not a timed sleep). */
async function waitForEvent(client: Client, workflowId: string, type: temporal.api.enums.v1.EventType): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    if (history.events!.some((e) => e.eventType === type)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no ${EventType[type]} event in ${workflowId} within 60 s`);
}

function startWorkerProcess(taskQueue: string): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(__dirname, 'worker-process.ts'), server!.address, taskQueue],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve(child));
    child.once('exit', (code) => reject(new Error(`worker process exited early (${code})`)));
  });
}

test('a worker killed with SIGKILL mid-workflow is replaced and the workflow finishes', async () => {
  const taskQueue = 'durability-kill';
  const child = await startWorkerProcess(taskQueue);
  await withClient(async (client) => {
    const handle = await client.workflow.start(twoSteps, { taskQueue, workflowId: 'killed-worker' });
    await waitForEvent(client, handle.workflowId, EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED);
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;

    const connection = await NativeConnection.connect({ address: server!.address });
    const worker = await Worker.create({
      connection,
      taskQueue,
      workflowBundle: await workflowBundle(require.resolve('./proof-workflows')),
      activities,
    });
    const [first, second] = await worker.runUntil(async () => {
      await handle.signal(finish);
      return handle.result();
    });
    await connection.close();
    expect(first).toBe(`first by ${child.pid}`);
    expect(second).toBe(`second by ${process.pid}`);
  });
});

/**
 * Starts a workflow on a 2 s timer and lets a worker start the timer; takes the server down while it is pending
 * (`takeDown`), starts it again on its state file, and answers what the workflow returns to a new worker.
 */
async function timerAcrossOutage(workflowId: string, takeDown: () => Promise<void>): Promise<string> {
  const taskQueue = `durability-${workflowId}`;
  await withClient(async (client) => {
    await client.workflow.start(timerThenAnswer, { taskQueue, workflowId, args: [2] });
  });
  let connection = await NativeConnection.connect({ address: server!.address });
  let worker = await Worker.create({
    connection,
    taskQueue,
    workflowBundle: await workflowBundle(require.resolve('./proof-workflows')),
  });
  await worker.runUntil(withClient((client) => waitForEvent(client, workflowId, EventType.EVENT_TYPE_TIMER_STARTED)));
  await connection.close();
  await takeDown();

  server = await startDevServer(serverOptions);
  expect(server.startedByUs).toBe(true);
  connection = await NativeConnection.connect({ address: server.address });
  worker = await Worker.create({
    connection,
    taskQueue,
    workflowBundle: await workflowBundle(require.resolve('./proof-workflows')),
  });
  const result = await worker.runUntil(
    withClient((client) => client.workflow.getHandle<typeof timerThenAnswer>(workflowId).result()),
  );
  await connection.close();
  return result;
}

test('the dev server stopped mid-timer and restarted on its state file completes the workflow', async () => {
  expect(await timerAcrossOutage('timer-across-restart', () => server!.stop())).toBe('waited 2s');
});

test('the dev server killed outright mid-timer keeps every commit: its state is a write-ahead log synced on commit', async () => {
  // The log beside the state file: SQLite writes it only in WAL mode (temporal/dev-server.ts).
  expect(existsSync(`${serverOptions.dbFile}-wal`)).toBe(true);
  const result = await timerAcrossOutage('timer-across-kill', async () => {
    process.kill(server!.pid!, 'SIGKILL');
    expect(await server!.exited).toBe('signal SIGKILL');
  });
  expect(result).toBe('waited 2s');
});

test('a port held by something that is not Temporal is refused with a clear message', async () => {
  const { createServer } = await import('node:http');
  const squatter = createServer((_request, response) => response.end('some other web application'));
  const port = await freePort();
  await new Promise<void>((r) => squatter.listen(port, '127.0.0.1', r));
  try {
    await expect(startDevServer({ ...serverOptions, port, dbFile: join(dataDir, 'other.sqlite') })).rejects.toThrow(
      `Port ${port} on 127.0.0.1 is taken by something that is not Temporal`,
    );
  } finally {
    await new Promise((r) => squatter.close(r));
  }
});

test('a dev server that cannot start says why, in its own words', async () => {
  // A folder where its state file should be: SQLite cannot open it, and the server exits before it answers.
  const options = { ...serverOptions, port: await freePort(), uiPort: await freePort(), dbFile: dataDir };
  await expect(startDevServer(options)).rejects.toThrow(
    /exited during start-up \(1\), saying: .*unable to open database file/,
  );
});
