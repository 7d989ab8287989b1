/**
 * Section 3: the memory of one case worker holding many open cases, each asleep on its deadline timer. The worker
 * runs in its own process (memory-worker.ts); the cases are started straight on the workflow, as CaseCommands.open
 * does after it stored the survivor's identity (not needed here).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { WorkflowBundle } from '@temporalio/worker';
import type { Pool } from 'pg';
import type { IdentityKeyring } from '../core/identity-cipher';
import { workflowIdOf } from '../workflows/contract';
import { DEFAULT_POLICY, nextAlarm, policyWithOverrides, type OpenCaseInput } from '../domain';
import { CASE_WORKFLOW_TYPE, caseStateQuery, type CaseWorkflow } from '../workflows/contract';
import { insertBenchAgencies, randomAgencies } from './bench-agencies';
import type { MemoryWorkerConfig, MemoryWorkerReply } from './memory-worker';
import { seededRandom } from '../test/support/seeded-random';
import { summarize, type LatencySummary } from './stats';
import { meterCpu, type CpuPerCall } from './cpu-meter';
import { timeContextCalls, type ContextCallCost } from './context-calls';
import { timeCalls } from './timed-calls';

export interface MemoryBenchResult {
  cases: number;
  startSeconds: number;
  settledSeconds: number;
  samples: { label: string; cached: string; memory: NodeJS.MemoryUsage }[];
  /** How late reminders were recorded after their due moment, at this load, from cases evicted before then. */
  reminders: RemindersAtLoad;
  /** One call into a V8 context, with the SDK's timeout and without, on an idle core (context-calls.ts). */
  contextCall: ContextCallCost;
  /** A fresh worker replaying every case into its cache, one query per case. */
  replay: { cases: number; perSecond: number; cpuMsPerCase?: CpuPerCall };
}

interface RemindersAtLoad extends LatencySummary {
  dueSeconds: number;
  /** Cases queried (each replayed into the full cache) between the reminders' cases opening and falling due. */
  evictedBy: number;
  /** How long before the reminders fell due the eviction was over (negative: it was not, and they were late for it). */
  secondsLeftAfterEviction: number;
  /** CPU ms per reminder by part of the stack, from just before they fall due until every email is out. */
  cpuMsPerReminder?: CpuPerCall;
}

interface Deps {
  client: Client;
  pool: Pool;
  databaseUrl: string;
  temporalAddress: string;
  smtpUrl: string;
  caseBundle: WorkflowBundle;
  keyring: IdentityKeyring;
  workDir: string;
}

const TASK_QUEUE = 'bench-memory';
const START_CONCURRENCY = 32;
/** Reminders measured at load: this many cases, whose CP request falls due this long after they open. */
const REMINDER_CASES = 100;
const REMINDER_DUE_SECONDS = 120;
/** How long the worker is left alone before its memory is sampled again. */
const IDLE_SECONDS = 60;

class WorkerProcess {
  private constructor(
    private readonly child: ChildProcess,
    readonly maxCachedWorkflows: number,
  ) {}

  static async start(config: MemoryWorkerConfig): Promise<WorkerProcess> {
    const child = fork(require.resolve('./memory-worker'), {
      execArgv: [...process.execArgv, '--expose-gc'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const ready = WorkerProcess.next(child);
    child.send(config);
    const reply = await ready;
    if (reply.type !== 'ready') {
      child.kill();
      throw new Error(`memory worker did not start: ${reply.type === 'error' ? reply.message : reply.type}`);
    }
    return new WorkerProcess(child, reply.maxCachedWorkflows);
  }

  private static next(child: ChildProcess): Promise<MemoryWorkerReply> {
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`memory worker exited with ${code}`));
      child.once('exit', onExit);
      child.once('message', (reply: MemoryWorkerReply) => {
        child.off('exit', onExit);
        resolve(reply);
      });
    });
  }

  async memory(): Promise<NodeJS.MemoryUsage> {
    const reply = WorkerProcess.next(this.child);
    this.child.send({ type: 'memory' });
    const answer = await reply;
    if (answer.type !== 'memory') throw new Error(`unexpected reply ${answer.type}`);
    return answer.memory;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((done) => this.child.once('exit', () => done()));
    const killer = setTimeout(() => this.child.kill('SIGKILL'), 30_000);
    this.child.send({ type: 'stop' });
    await exited;
    clearTimeout(killer);
  }
}

/** Starts a case straight on its workflow, as CaseCommands.open does once the survivor's identity is stored. */
function startCase(client: Client, open: OpenCaseInput & { caseId: string }) {
  return client.workflow.start<CaseWorkflow>(CASE_WORKFLOW_TYPE, {
    workflowId: workflowIdOf(open.caseId),
    taskQueue: TASK_QUEUE,
    args: [{ kind: 'open', open, searchAttributes: true }],
  });
}

async function workflowBacklog(client: Client): Promise<number | undefined> {
  const response = await client.workflowService.describeTaskQueue({
    namespace: 'default',
    taskQueue: { name: TASK_QUEUE },
    taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
    reportStats: true,
  });
  const backlog = response.stats?.approximateBacklogCount;
  return backlog === undefined || backlog === null ? undefined : Number(backlog);
}

/** Waits, with a deadline, until `check` says yes; polls (this is a bench, not a test). */
async function until(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

export async function runMemoryBench(
  deps: Deps,
  options: { cases: number; cache: number; progress: (message: string) => void },
): Promise<MemoryBenchResult> {
  const { client, pool } = deps;
  const { progress } = options;
  const contextCall = timeContextCalls();
  progress(
    `a call into a V8 context: ${contextCall.withTimeoutUs.toFixed(1)} µs with a timeout, ${contextCall.withoutTimeoutUs.toFixed(1)} µs without`,
  );
  const bundleCodePath = join(deps.workDir, 'case-workflows-bundle.js');
  writeFileSync(bundleCodePath, deps.caseBundle.code);
  const config = {
    databaseUrl: deps.databaseUrl,
    temporalAddress: deps.temporalAddress,
    taskQueue: TASK_QUEUE,
    smtpUrl: deps.smtpUrl,
    bundleCodePath,
    payloadKey: { id: deps.keyring.current.id, hex: deps.keyring.current.key.toString('hex') },
  };
  const samples: MemoryBenchResult['samples'] = [];

  // A worker serves every open case but caches at most `cache` of them: the rest sleep on server-side timers and are
  // replayed from history when one wakes. Caching all of them costs about 1.6 MiB of RSS each.
  let worker = await WorkerProcess.start({ ...config, maxCachedWorkflows: options.cache });
  try {
    samples.push({ label: 'idle worker', cached: '0', memory: await worker.memory() });

    const random = seededRandom(31);
    const runId = randomUUID().slice(0, 8);
    const caseIds = Array.from({ length: options.cases }, () => randomUUID());
    const identifiedAt = new Date().toISOString();
    let started = 0;
    const startedAt = performance.now();
    const starting = await timeCalls(
      caseIds.map((caseId, index) => ({ caseId, index })),
      START_CONCURRENCY,
      async ({ caseId, index }) => {
        const reference = `RC-MEM-${runId}-${String(index).padStart(5, '0')}`;
        await startCase(client, {
          caseId,
          reference,
          identifiedAt,
          minorTurns18On: random() < 0.25 ? '2030-06-01' : null,
          agencies: randomAgencies(random),
          usesUVisa: random() < 0.2,
          policy: DEFAULT_POLICY,
        });
        if (++started % 1000 === 0)
          progress(
            `started ${started.toLocaleString('en-US')} / ${options.cases.toLocaleString('en-US')} case workflows`,
          );
      },
    );
    if (starting.failures > 0)
      throw new Error(`starting workflows: ${starting.failures} failures, first: ${starting.firstFailure}`);
    const startSeconds = (performance.now() - startedAt) / 1000;

    // Settled: every case projected into the read model, no workflow task waiting, and a sample of cases asleep.
    const projected = async () => {
      const { rows } = await pool.query<{ n: string }>('SELECT count(*) AS n FROM cases WHERE id = ANY($1::uuid[])', [
        caseIds,
      ]);
      return Number(rows[0]!.n);
    };
    let lastReport = 0;
    await until(
      'every case is projected',
      async () => {
        const n = await projected();
        if (n - lastReport >= 1000 || n === options.cases)
          progress(`${(lastReport = n).toLocaleString('en-US')} cases projected`);
        return n === options.cases;
      },
      30 * 60_000,
    );
    await until(
      'the workflow task backlog is empty',
      async () => ((await workflowBacklog(client)) ?? 0) === 0,
      10 * 60_000,
    );
    const sample = Array.from({ length: 20 }, (_, i) => caseIds[Math.floor((i * caseIds.length) / 20)]!);
    await until(
      'the sampled cases are asleep on a timer',
      async () => {
        const states = await Promise.all(
          sample.map(async (caseId) => {
            const handle = client.workflow.getHandle(workflowIdOf(caseId));
            const { raw } = await handle.describe();
            const state = await handle.query(caseStateQuery);
            return (
              !raw.pendingWorkflowTask &&
              (raw.pendingActivities?.length ?? 0) === 0 &&
              state.status === 'open' &&
              nextAlarm(state) !== undefined
            );
          }),
        );
        return states.every(Boolean);
      },
      5 * 60_000,
    );
    const settledSeconds = (performance.now() - startedAt) / 1000;
    progress(`all ${options.cases.toLocaleString('en-US')} cases asleep on their timers`);
    const cachedNow = Math.min(options.cases, worker.maxCachedWorkflows).toLocaleString('en-US');
    samples.push({
      label: `${options.cases.toLocaleString('en-US')} open cases, cache max ${worker.maxCachedWorkflows}`,
      cached: cachedNow,
      memory: await worker.memory(),
    });
    // The workflow thread collects its own garbage, when its heap asks for it: the bench's gc() reaches the main
    // thread only. A worker left alone, as one is between reminders, is sampled again a minute later.
    await new Promise((resolve) => setTimeout(resolve, IDLE_SECONDS * 1000));
    samples.push({
      label: `the same, ${IDLE_SECONDS} s later, idle`,
      cached: cachedNow,
      memory: await worker.memory(),
    });

    const reminders = await remindersAtLoad(client, pool, caseIds.slice(0, worker.maxCachedWorkflows), progress);

    // The SDK's default cache: a fresh worker, then one query per case, which replays each case into the cache.
    await worker.stop();
    worker = await WorkerProcess.start(config);
    const cachedByDefault = Math.min(options.cases, worker.maxCachedWorkflows);
    const { value: queried, cpuMsPerCall: cpuMsPerCase } = await meterCpu(
      () =>
        timeCalls(caseIds, START_CONCURRENCY, (caseId) =>
          client.workflow.getHandle(workflowIdOf(caseId)).query(caseStateQuery),
        ),
      () => caseIds.length,
    );
    const replay = { cases: caseIds.length, perSecond: queried.perSecond, cpuMsPerCase };
    if (queried.failures > 0)
      throw new Error(`querying cases: ${queried.failures} failures, first: ${queried.firstFailure}`);
    progress(
      `default cache (max ${worker.maxCachedWorkflows}): replayed all cases by query at ${Math.round(queried.perSecond)}/s`,
    );
    samples.push({
      label: `default cache (max ${worker.maxCachedWorkflows})`,
      cached: cachedByDefault.toLocaleString('en-US'),
      memory: await worker.memory(),
    });

    // Leave nothing behind on the dev server that would keep timers running for the rest of the bench.
    await timeCalls(caseIds, START_CONCURRENCY, (caseId) =>
      client.workflow.getHandle(workflowIdOf(caseId)).terminate('bench finished'),
    );
    return { cases: options.cases, startSeconds, settledSeconds, samples, reminders, replay, contextCall };
  } finally {
    await worker.stop();
  }
}

/**
 * Reminders at the load just measured: REMINDER_CASES cases whose CP request falls due REMINDER_DUE_SECONDS after they
 * open, then pushed out of the full cache by a query on as many other cases, so that each is replayed from its history
 * when its timer fires. How late each reminder is recorded in the outbox (PostgreSQL's clock on both ends).
 */
async function remindersAtLoad(
  client: Client,
  pool: Pool,
  evicting: readonly string[],
  progress: (message: string) => void,
): Promise<RemindersAtLoad> {
  const policy = policyWithOverrides({
    version: `bench-reminders-${REMINDER_DUE_SECONDS}s`,
    sla: { cp_request: { days: REMINDER_DUE_SECONDS / 86_400, source: 'bench: seconds' } },
    reminders: { cp_request: { beforeDueDays: [], atDue: true, escalateAfterDays: [], source: 'bench' } },
  });
  await insertBenchAgencies(pool); // the recipients: a reminder names its agency from the agencies table
  const random = seededRandom(47);
  const caseIds = Array.from({ length: REMINDER_CASES }, () => randomUUID());
  const opened = Date.now();
  const identifiedAt = new Date(opened).toISOString();
  const starting = await timeCalls(caseIds, START_CONCURRENCY, (caseId) =>
    startCase(client, {
      caseId,
      reference: `RC-DUE-${caseId.slice(0, 8)}`,
      identifiedAt,
      minorTurns18On: null,
      agencies: randomAgencies(random),
      usesUVisa: false,
      policy,
    }),
  );
  if (starting.failures > 0) throw new Error(`starting reminder cases: ${starting.firstFailure}`);
  const evicted = await timeCalls(evicting, START_CONCURRENCY, (caseId) =>
    client.workflow.getHandle(workflowIdOf(caseId)).query(caseStateQuery),
  );
  if (evicted.failures > 0) throw new Error(`evicting by query: ${evicted.firstFailure}`);
  const secondsLeftAfterEviction = REMINDER_DUE_SECONDS - (Date.now() - opened) / 1000;
  progress(
    `${REMINDER_CASES} cases due in ${REMINDER_DUE_SECONDS} s opened; ${evicting.length.toLocaleString('en-US')} others ` +
      `queried into the cache after them, ${secondsLeftAfterEviction.toFixed(0)} s before they fall due`,
  );
  const late = async () =>
    (
      await pool.query<{ late_ms: number }>(
        `SELECT extract(epoch FROM created_at - due_at) * 1000 AS late_ms FROM notifications
          WHERE case_id = ANY($1::text[]) AND kind = 'due'`,
        [caseIds],
      )
    ).rows.map((row) => Number(row.late_ms));
  // CPU from a second before they fall due: the idle minutes before would only add the stack's idle polling.
  await new Promise((resolve) =>
    setTimeout(resolve, Math.max(0, opened + (REMINDER_DUE_SECONDS - 1) * 1000 - Date.now())),
  );
  const unsent = async () =>
    (
      await pool.query<{ n: string }>(
        `SELECT count(*) AS n FROM notifications
          WHERE case_id = ANY($1::text[]) AND kind = 'due' AND recipient_email IS NOT NULL AND sent_at IS NULL`,
        [caseIds],
      )
    ).rows[0]!.n;
  const { value: summary, cpuMsPerCall: cpuMsPerReminder } = await meterCpu(
    async () => {
      await until(
        'every reminder due at load is recorded',
        async () => (await late()).length >= REMINDER_CASES,
        600_000,
      );
      const recorded = summarize(await late());
      await until('every reminder due at load is emailed', async () => (await unsent()) === '0', 600_000);
      return recorded;
    },
    () => REMINDER_CASES,
  );
  progress(
    `${summary.count} reminders at load: p50 ${summary.p50Ms.toFixed(0)} ms late, max ${summary.maxMs.toFixed(0)} ms`,
  );
  await timeCalls(caseIds, START_CONCURRENCY, (caseId) =>
    client.workflow.getHandle(workflowIdOf(caseId)).terminate('bench finished'),
  );
  return {
    ...summary,
    dueSeconds: REMINDER_DUE_SECONDS,
    evictedBy: evicting.length,
    secondsLeftAfterEviction,
    cpuMsPerReminder,
  };
}
