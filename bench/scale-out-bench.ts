/**
 * Section 4: the service scaled out, each part its own OS process (main.ts with SERVICE_ROLE) against the bench's
 * PostgreSQL and Temporal dev server. First the throughput of sign-offs and reads with 1 and 2 API processes and 1 and
 * 2 workers; then one worker and one API process SIGKILLed in the middle of sign-offs while reminders fall due, counted
 * by the same code as the scale-out test (test/support/scale-out.ts).
 */
import { seedDemoAgencies, DEMO_AGENCIES } from '../db/seed';
import { DEMO_WORKER_OF, seedDemoUsersWithTokens } from '../test/support/auth';
import {
  newTally,
  openCases,
  readCases,
  retryingClient,
  runKillScenario,
  signOffCases,
  startTopology,
  type KillResult,
  type ScaleOutParts,
  type Topology,
} from '../test/support/scale-out';
import type { BenchStack } from './bench-stack';
import type { Cleanup } from './cleanup';
import { ms, perSecond, summarize, table, type LatencySummary } from './stats';

export interface ScaleOutBenchOptions {
  /** Sign-offs (and cases opened for them) per topology in the throughput runs. */
  cases: number;
  /** Reads per topology. */
  reads: number;
  concurrency: number;
  killSignOffs: number;
  killReminders: number;
  progress: (message: string) => void;
}

interface ThroughputRow {
  apis: number;
  workers: number;
  signOffs: LatencySummary & { perSecond: number };
  reads: LatencySummary & { perSecond: number };
  opensPerSecond: number;
}

export interface ScaleOutBenchResult {
  throughput: ThroughputRow[];
  kill: KillResult & { dueSeconds: number; size: { signOffs: number; dueReminders: number } };
}

export async function runScaleOutBench(
  stack: BenchStack,
  cleanup: Cleanup,
  options: ScaleOutBenchOptions,
): Promise<ScaleOutBenchResult> {
  await seedDemoAgencies(stack.pool);
  const users = await seedDemoUsersWithTokens(stack.pool);
  const parts: ScaleOutParts = {
    deployment: {
      databaseUrl: stack.databaseUrl,
      temporalAddress: stack.temporalAddress,
      // A queue of its own: the bench's in-process worker takes none of these cases.
      taskQueue: 'bench-scale-out',
      payloadKeyring: stack.keyring,
      env: { RATE_LIMIT_WRITES_PER_MINUTE: '1000000' },
    },
    pool: stack.pool,
    client: stack.client,
    officer: users[DEMO_WORKER_OF.law_enforcement]!.headers,
    agencies: DEMO_AGENCIES,
  };

  const measure = async (topology: Topology): Promise<ThroughputRow> => {
    const tally = newTally();
    const send = retryingClient(topology, parts.officer, tally);
    const opening = Date.now();
    const cases = await openCases(send, parts, options.cases, options.concurrency);
    const opensPerSecond = cases.length / ((Date.now() - opening) / 1000);
    const ids = cases.map((c) => c.caseId);
    const signOffs = await signOffCases(send, ids, options.concurrency);
    const reads = await readCases(
      send,
      Array.from({ length: options.reads }, (_, i) => ids[i % ids.length]!),
      options.concurrency,
    );
    if (tally.violations.length > 0) throw new Error(tally.violations[0]);
    const row = {
      apis: topology.apis.length,
      workers: topology.workers.length,
      opensPerSecond,
      signOffs: { ...summarize(signOffs.latencies), perSecond: signOffs.latencies.length / signOffs.seconds },
      reads: { ...summarize(reads.latencies), perSecond: reads.latencies.length / reads.seconds },
    };
    options.progress(
      `${row.apis} API, ${row.workers} worker: ${row.signOffs.perSecond.toFixed(1)} sign-offs/s, ${row.reads.perSecond.toFixed(0)} reads/s`,
    );
    return row;
  };

  // Throughput: deadlines far off, so no reminder competes with the load.
  const throughput: ThroughputRow[] = [];
  const steady = await startTopology(parts, { apis: 1, workers: 1, dueSeconds: 3600 });
  cleanup.add('scale-out processes', () => steady.stop());
  options.progress('1 API and 1 worker process running');
  throughput.push(await measure(steady));
  await steady.add('worker');
  throughput.push(await measure(steady));
  await steady.add('api');
  throughput.push(await measure(steady));
  await steady.workers.pop()!.stop('SIGTERM');
  throughput.push(await measure(steady));
  await steady.stop();

  // The reminders fall due once every case is open, at the pace just measured with 2 and 2 (and a fifth more): the
  // sign-offs start with the first, and the kill comes half-way through them, as the rest are falling due.
  const both = throughput[2]!;
  const dueSeconds = Math.ceil((1.2 * (options.killReminders + options.killSignOffs)) / both.opensPerSecond);
  const topology = await startTopology(parts, { apis: 2, workers: 2, dueSeconds });
  cleanup.add('scale-out processes (kill)', () => topology.stop());
  options.progress(`2 API and 2 worker processes running; reminders due ${dueSeconds} s after each case opens`);
  const kill = await runKillScenario(parts, topology, {
    signOffs: options.killSignOffs,
    dueReminders: options.killReminders,
    concurrency: options.concurrency,
    timeoutMs: 300_000,
  });
  await topology.stop();
  return {
    throughput,
    kill: { ...kill, dueSeconds, size: { signOffs: options.killSignOffs, dueReminders: options.killReminders } },
  };
}

/** Section 4's tables, and the verdict of the kill counted from what the processes did. */
export function scaleOutSummary(result: ScaleOutBenchResult): string {
  const { kill } = result;
  const lost = kill.signOffs.lost + kill.reminders.lost;
  const doubled = kill.signOffs.doubled + kill.reminders.doubled;
  const statuses = Object.entries(kill.tally.statuses)
    .map(([status, count]) => `${count}× ${status}`)
    .join(', ');
  return [
    '',
    table(
      ['API processes', 'workers', 'sign-offs', 'sign-off p50', 'sign-off p99', 'reads', 'read p50', 'read p99'],
      result.throughput.map((row) => [
        String(row.apis),
        String(row.workers),
        `${row.signOffs.perSecond.toFixed(1)}/s`,
        ms(row.signOffs.p50Ms),
        ms(row.signOffs.p99Ms),
        perSecond(row.reads.perSecond),
        ms(row.reads.p50Ms),
        ms(row.reads.p99Ms),
      ]),
    ),
    '',
    `kill: 2 API + 2 worker processes; one of each SIGKILLed after ${kill.atKill.signOffsAnswered} of ${kill.size.signOffs} ` +
      `sign-offs answered and ${kill.atKill.remindersReceived} of ${kill.size.dueReminders} due reminders received ` +
      `(reminders due ${kill.dueSeconds} s after their case opened); ${kill.seconds.toFixed(0)} s in all`,
    table(
      ['what', 'expected', 'applied once', 'lost', 'doubled', 'notes'],
      [
        [
          'sign-offs (step.completed in timeline, accepted update)',
          String(kill.size.signOffs),
          String(kill.signOffs.applied),
          String(kill.signOffs.lost),
          String(kill.signOffs.doubled),
          '',
        ],
        [
          'notifications (one Message-ID each)',
          `≥ ${kill.size.dueReminders}`,
          String(kill.reminders.applied),
          String(kill.reminders.lost),
          String(kill.reminders.doubled),
          kill.reminders.copies ? `${kill.reminders.copies} resent under the same Message-ID` : '',
        ],
      ],
    ),
    `HTTP: ${statuses}; ${kill.tally.connectionErrors} connection errors, ${kill.tally.retries} retries; ` +
      `${kill.tally.violations.length} answers 5xx other than 503 with Retry-After`,
    `${lost} lost, ${doubled} doubled`,
  ].join('\n');
}
