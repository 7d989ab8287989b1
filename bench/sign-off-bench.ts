/**
 * Section 2: the sign-off round trip (HTTP → CaseCommands → workflow update → validation, rules, projection into
 * PostgreSQL → read back), next to a bare Temporal update on the same server that answers at once.
 */
import { randomUUID } from 'node:crypto';
import { WithStartWorkflowOperation, type Client } from '@temporalio/client';
import type { Pool } from 'pg';
import type { CaseCommands } from '../app/case-commands';
import { dateOf } from '../domain/dates';
import { BENCH_AGENCIES, randomAgencies } from './bench-agencies';
import { benchWorkers, type BenchWorker } from './bench-workers';
import { seededRandom } from '../test/support/seeded-random';
import { httpLoad } from './http-load';
import { timeCalls, type CallsResult } from './timed-calls';
import { meterCpu, type CpuPerCall } from './cpu-meter';
import { pingUpdate, pingWorkflow } from './workflows/ping';
import type { Hops, HopsPerCall } from './hops';

export interface SignOffBenchOptions {
  cases: number;
  concurrency: number;
  progress: (message: string) => void;
}

/**
 * A path's calls, the CPU ms each cost every part of the stack (Linux; cpu-meter.ts), and where each call's time went
 * (hops.ts).
 */
type MeteredCalls = CallsResult & { cpuMsPerCall?: CpuPerCall; hops?: HopsPerCall };

export interface SignOffBenchResult {
  open: MeteredCalls;
  viaApi: MeteredCalls;
  viaCommands: MeteredCalls;
  bareUpdate: MeteredCalls;
  /** Starts a workflow and runs its first update in one call, as a case is opened. */
  bareUpdateWithStart: MeteredCalls;
}

async function metered(hops: Hops, run: () => Promise<CallsResult>): Promise<MeteredCalls> {
  const { value, cpuMsPerCall } = await meterCpu(run, (result) => result.count + result.failures);
  return { ...value, cpuMsPerCall, hops: hops.take(value.count + value.failures) };
}

export async function runSignOffBench(
  deps: { cases: CaseCommands; client: Client; pool: Pool; hops: Hops; appOrigin: string; pingTaskQueue: string },
  options: SignOffBenchOptions,
): Promise<SignOffBenchResult> {
  const random = seededRandom(23);
  // One identification instant for every case, and the sign-off dated on its day: a run that crosses midnight (UTC,
  // the bench agencies' zone) would otherwise date sign-offs before the identification of cases opened after it.
  const identifiedAt = new Date().toISOString();
  const today = dateOf(identifiedAt);
  // Each case is opened and signed by its own law-enforcement agency's officer, authenticated as a client would be.
  const officers = await benchWorkers(
    deps.pool,
    BENCH_AGENCIES.filter((a) => a.kind === 'law_enforcement'),
  );
  const officerOf = new Map<string, BenchWorker>();
  // The setup's statements are no path's: each path's hops are taken as it ends.
  deps.hops.take(1);

  const opened: string[] = [];
  const open = await metered(deps.hops, () =>
    timeCalls(
      Array.from({ length: options.cases * 2 }, (_, i) => i),
      options.concurrency,
      async (i) => {
        const agencies = randomAgencies(random);
        const officer = officers.get(agencies.law_enforcement)!;
        const view = await deps.cases.open(
          {
            identifiedAt,
            // A survivor of its own for every case, as in real use: the check for an open case of the same survivor
            // (possible_duplicate) runs, and finds none.
            survivor: { name: `Bench Survivor ${i}`, birthDate: '1990-01-01' },
            agencies,
          },
          officer.actor,
        );
        opened.push(view.caseId);
        officerOf.set(view.caseId, officer);
      },
    ),
  );
  if (open.failures > 0) throw new Error(`opening cases failed: ${open.firstFailure}`);
  options.progress(`opened ${opened.length} cases`);

  // Law enforcement records that it requested Continued Presence: a sign-off every new case accepts once.
  const signOff = { stepId: 'cp_request-1', outcome: 'requested', details: { requestedOn: today } };
  // From a child process, as the reads are loaded (http-load.ts): the client's HTTP work is not the server's.
  const { value: signed, cpuMsPerCall: apiCpu } = await meterCpu(
    () =>
      httpLoad({
        origin: deps.appOrigin,
        calls: opened.slice(0, options.cases).map((caseId) => ({
          path: `/api/cases/${caseId}/steps/${signOff.stepId}/sign-off`,
          post: {
            body: JSON.stringify({ outcome: signOff.outcome, details: signOff.details }),
            headers: { 'idempotency-key': randomUUID(), ...officerOf.get(caseId)!.headers },
          },
        })),
        connections: options.concurrency,
        requests: options.cases,
      }),
    () => options.cases,
  );
  const viaApi: MeteredCalls = {
    ...signed,
    failures: signed.non2xx + signed.errors,
    firstFailure: signed.non2xx + signed.errors > 0 ? `${signed.non2xx} not 2xx, ${signed.errors} errors` : undefined,
    // The load generator's child process is counted too, under "other processes": it is the client's share.
    cpuMsPerCall: apiCpu,
    hops: deps.hops.take(options.cases),
  };
  options.progress(`sign-off through the API: p50 ${viaApi.p50Ms.toFixed(1)} ms`);

  const viaCommands = await metered(deps.hops, () =>
    timeCalls(opened.slice(options.cases), options.concurrency, (caseId) =>
      deps.cases.signOff(caseId, signOff, officerOf.get(caseId)!.actor),
    ),
  );
  options.progress(`sign-off through CaseCommands: p50 ${viaCommands.p50Ms.toFixed(1)} ms`);

  const pingIds = Array.from({ length: options.cases }, (_, i) => `bench-ping-${i}-${randomUUID()}`);
  const bareUpdateWithStart = await metered(deps.hops, () =>
    timeCalls(pingIds, options.concurrency, async (workflowId) => {
      const answer = await deps.client.workflow.executeUpdateWithStart(pingUpdate, {
        args: [0],
        startWorkflowOperation: new WithStartWorkflowOperation(pingWorkflow, {
          workflowId,
          taskQueue: deps.pingTaskQueue,
          workflowIdConflictPolicy: 'USE_EXISTING',
        }),
      });
      if (answer !== 0) throw new Error(`ping answered ${answer}`);
    }),
  );
  options.progress(`bare update-with-start: p50 ${bareUpdateWithStart.p50Ms.toFixed(1)} ms`);
  const pings = pingIds.map((workflowId) => deps.client.workflow.getHandle(workflowId));
  // Every ping workflow is running and cached from its start, as the case workflows are.
  const bareUpdate = await metered(deps.hops, () =>
    timeCalls(pings, options.concurrency, async (handle) => {
      const answer = await handle.executeUpdate(pingUpdate, { args: [1] });
      if (answer !== 1) throw new Error(`ping answered ${answer}`);
    }),
  );
  await Promise.all(pings.map((handle) => handle.terminate('bench finished')));
  options.progress(`bare update: p50 ${bareUpdate.p50Ms.toFixed(1)} ms`);

  for (const [name, result] of Object.entries({ viaApi, viaCommands, bareUpdate, bareUpdateWithStart })) {
    if (result.failures > 0) throw new Error(`${name}: ${result.failures} failures, first: ${result.firstFailure}`);
  }
  return { open, viaApi, viaCommands, bareUpdate, bareUpdateWithStart };
}
