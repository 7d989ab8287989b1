/**
 * `npm run bench`: numbers for the read model at 100,000 cases, the sign-off round trip, and worker memory with
 * many open cases. Flags: --read-cases N (100000), --requests N (5000), --connections N (16), --sign-offs N (200),
 * --concurrency N (8, sign-offs), --cases N (10000, section 3 workflows), --cache N (1000, the worker's workflow
 * cache in section 3), --scale-cases N (200, sign-offs per topology in section 4), --scale-reads N (2000),
 * --kill-sign-offs N (300), --kill-reminders N (100), --only 1,2,3,4.
 */
import { cpus, loadavg, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { startBenchStack } from './bench-stack';
import { Cleanup } from './cleanup';
import { runMemoryBench, type MemoryBenchResult } from './memory-bench';
import { READ_ROUNDS, readSummary, runReadBench, type ReadBenchResult } from './read-model-bench';
import { writeResults } from './results';
import { runScaleOutBench, scaleOutSummary, type ScaleOutBenchResult } from './scale-out-bench';
import { runSignOffBench, type SignOffBenchResult } from './sign-off-bench';
import { hopTable } from './hops';
import { mib, ms, perSecond, table } from './stats';
import { CPU_PARTS, type CpuPerCall } from './cpu-meter';

const { values } = parseArgs({
  options: {
    'read-cases': { type: 'string', default: '100000' },
    requests: { type: 'string', default: '5000' },
    connections: { type: 'string', default: '16' },
    'sign-offs': { type: 'string', default: '200' },
    concurrency: { type: 'string', default: '8' },
    cases: { type: 'string', default: '10000' },
    cache: { type: 'string', default: '1000' },
    'scale-cases': { type: 'string', default: '200' },
    'scale-reads': { type: 'string', default: '2000' },
    'kill-sign-offs': { type: 'string', default: '300' },
    'kill-reminders': { type: 'string', default: '100' },
    only: { type: 'string', default: '1,2,3,4' },
  },
});
const number = (name: keyof typeof values) => {
  const n = Number(values[name]);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer`);
  return n;
};
const settings = {
  readCases: number('read-cases'),
  requests: number('requests'),
  connections: number('connections'),
  signOffs: number('sign-offs'),
  concurrency: number('concurrency'),
  memoryCases: number('cases'),
  memoryCache: number('cache'),
  scaleCases: number('scale-cases'),
  scaleReads: number('scale-reads'),
  killSignOffs: number('kill-sign-offs'),
  killReminders: number('kill-reminders'),
  only: new Set(String(values.only).split(',')),
};

const started = Date.now();
const progress = (message: string) =>
  console.log(`  [${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${message}`);

/** Measured before anything starts: how busy the shared machine already was. */
const loadBefore = loadavg();

function header(): string {
  return [
    '# relief-cases benchmark',
    `command: npm run bench -- ${process.argv.slice(2).join(' ')}`.trimEnd(),
    `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${mib(totalmem())} RAM, Node ${process.version}, ${new Date().toISOString()}`,
    // Others may share the machine: the load before we start says how much of it was ours.
    `load:    ${loadBefore.map((n) => n.toFixed(2)).join(' / ')} (1 / 5 / 15 min averages, before starting)`,
    'setup:   embedded PostgreSQL (durable settings), official Temporal dev server (SQLite file), all on 127.0.0.1;',
    '         API and case worker in this process; HTTP load from autocannon in a child process (keep-alive);',
    '         the API logs each request at info into /dev/null (synchronous writes, as to stdout). Everything shares the same cores.',
    "auth:    requests to our API carry a bench user's API key (Authorization: Bearer), looked up in PostgreSQL each time;",
    '         reads as the coordinator of bench-coordinator-0 within its cases, the bare app told the same agency.',
    `reads:   ${settings.readCases.toLocaleString('en-US')} cases, ${settings.requests} requests per run after a warm-up, ${settings.connections} connections;`,
    `         ${READ_ROUNDS} rounds of ours then the floor, each row from the round with the median ratio`,
    `writes:  ${settings.signOffs} sign-offs per path, ${settings.concurrency} in flight; memory: ${settings.memoryCases.toLocaleString('en-US')} case workflows`,
    `scaled:  section 4 runs main.ts as separate API and worker processes (SERVICE_ROLE) on the same PostgreSQL and Temporal:`,
    `         ${settings.scaleCases} sign-offs and ${settings.scaleReads} reads per topology; the kill at ${settings.killSignOffs} sign-offs and ${settings.killReminders} due reminders`,
    '',
  ].join('\n');
}

function summary(read?: ReadBenchResult, signOff?: SignOffBenchResult, memory?: MemoryBenchResult): string {
  const rows: string[][] = [];
  if (signOff) {
    // Each of ours next to the bare Temporal call it makes: the ratio of the p50s is the measure.
    for (const [name, r, note] of signOffPaths(signOff)) {
      rows.push([
        name,
        `${r.count} calls`,
        perSecond(r.perSecond),
        ms(r.p50Ms),
        ms(r.p99Ms),
        [note, r.failures ? `${r.failures} failures` : ''].filter(Boolean).join('; '),
      ]);
    }
  }
  const parts = ['', '## Summary'];
  if (read) {
    parts.push(
      table(
        ['what', 'ours', 'floor', 'ratio', 'goal', 'ours p50', 'ours p99', 'floor p50', 'floor p99', 'notes'],
        readSummary(read).map((row) => [
          row.what,
          row.what === 'token lookup' ? `${ms(row.ours.p50Ms)} p50` : perSecond(row.ours.perSecond),
          row.what === 'token lookup'
            ? `${row.floor.name} ${ms(row.floor.p50Ms)}`
            : `${row.floor.name} ${perSecond(row.floor.perSecond)}`,
          `${row.ratio.toFixed(2)}×`,
          `${row.goal}${row.met ? '' : ' (not met)'}`,
          ms(row.ours.p50Ms),
          ms(row.ours.p99Ms),
          ms(row.floor.p50Ms),
          ms(row.floor.p99Ms),
          row.notes,
        ]),
      ),
      '',
    );
  }
  if (read) {
    const sides = read.rows.flatMap((row) => [
      [`${row.name}, ours`, row.ours.cpuMsPerCall] as const,
      [`${row.name}, bare`, row.bare.cpuMsPerCall] as const,
    ]);
    parts.push(cpuTable(sides), '');
  }
  if (rows.length > 0) parts.push(table(['what', 'who', 'throughput', 'p50', 'p99', 'notes'], rows));
  if (signOff) parts.push('', cpuTable(signOffPaths(signOff).map(([name, r]) => [name, r.cpuMsPerCall])));
  if (signOff) {
    // Where a sign-off's time goes, each path next to the bare update it is measured against.
    const timed = [signOff.viaApi, signOff.viaCommands, signOff.bareUpdate];
    for (const [name, r] of signOffPaths(signOff).filter(([, r]) => timed.includes(r))) {
      if (r.hops)
        parts.push('', `Where a call's time goes: ${name} (mean ${ms(r.meanMs)})`, hopTable(r.hops, r.meanMs));
    }
  }
  if (read) {
    const l = read.load;
    parts.push(
      '',
      `read model: ${l.cases.toLocaleString('en-US')} cases, ${l.steps.toLocaleString('en-US')} steps (${l.pendingSteps.toLocaleString('en-US')} pending, ` +
        `${l.overdueSteps.toLocaleString('en-US')} overdue), ${l.timeline.toLocaleString('en-US')} timeline entries, loaded in ${l.seconds.toFixed(0)} s`,
    );
  }
  if (read) {
    parts.push(
      '',
      table(
        ['Steps page, one day (in process)', 'calls', 'p50', 'p99', 'max'],
        read.dueDays.map((q) => [
          q.name,
          String(q.calls.count),
          ms(q.calls.p50Ms),
          ms(q.calls.p99Ms),
          ms(q.calls.maxMs),
        ]),
      ),
      ...read.dueDays.flatMap((q) => ['', `EXPLAIN ANALYZE, ${q.name}:`, ...q.plan.map((line) => `  ${line}`)]),
    );
  }
  if (memory) {
    const r = memory.reminders;
    parts.push(
      '',
      table(
        ['worker memory', 'cases cached', 'rss', 'heap used', 'heap total', 'external'],
        memory.samples.map((s) => [
          s.label,
          s.cached,
          mib(s.memory.rss),
          mib(s.memory.heapUsed),
          mib(s.memory.heapTotal),
          mib(s.memory.external),
        ]),
      ),
      `started ${memory.cases.toLocaleString('en-US')} case workflows in ${memory.startSeconds.toFixed(0)} s; all waiting on timers after ${memory.settledSeconds.toFixed(0)} s`,
      '',
      table(
        ['reminders at that load', 'count', 'p50 late', 'p99 late', 'max late', 'notes'],
        [
          [
            `due ${r.dueSeconds} s after opening`,
            String(r.count),
            ms(r.p50Ms),
            ms(r.p99Ms),
            ms(r.maxMs),
            `evicted by ${r.evictedBy.toLocaleString('en-US')} queried cases, ${r.secondsLeftAfterEviction.toFixed(0)} s before due`,
          ],
        ],
      ),
      `a fresh worker replayed all ${memory.replay.cases.toLocaleString('en-US')} cases into its cache, one query each, at ${Math.round(memory.replay.perSecond)} cases/s (goal: 200/s)`,
      `one call into the workflow sandbox (a V8 context) on an idle core: ${memory.contextCall.withTimeoutUs.toFixed(1)} µs with the SDK's timeout, ${memory.contextCall.withoutTimeoutUs.toFixed(1)} µs without`,
      '',
      cpuTable([
        ['a case replayed (the case worker is "other")', memory.replay.cpuMsPerCase],
        ['a reminder at load, to its email sent', r.cpuMsPerReminder],
      ]),
    );
  }
  return parts.join('\n');
}

/** Section 2's paths in the order the tables list them: name, calls, and the ratio to the floor it is held to. */
function signOffPaths(signOff: SignOffBenchResult) {
  const versus = (r: { p50Ms: number }, floor: { p50Ms: number }, name: string) =>
    `${(r.p50Ms / floor.p50Ms).toFixed(2)}× ${name} p50`;
  return [
    [
      'open case (CaseCommands.open)',
      signOff.open,
      versus(signOff.open, signOff.bareUpdateWithStart, 'bare update-with-start'),
    ],
    ['sign-off POST via API', signOff.viaApi, versus(signOff.viaApi, signOff.bareUpdate, 'bare update')],
    ['sign-off via CaseCommands', signOff.viaCommands, versus(signOff.viaCommands, signOff.bareUpdate, 'bare update')],
    ['bare Temporal update', signOff.bareUpdate, ''],
    ['bare update-with-start', signOff.bareUpdateWithStart, ''],
  ] as const;
}

/**
 * CPU ms per call by part of the stack: on cores the stack shares, the total is what the p50 follows once they are
 * busy, and the parts say whose work to cut.
 */
function cpuTable(rows: readonly (readonly [string, CpuPerCall | undefined])[]): string {
  // A read costs a fraction of a millisecond: two decimals there.
  const cpuMs = (value: number | undefined) =>
    value === undefined ? 'n/a' : `${value.toFixed(Math.abs(value) < 10 ? 2 : 1)} ms`;
  return table(
    ['CPU per call', ...CPU_PARTS, 'total'],
    rows.map(([name, shares]) => {
      const total = shares && Object.values(shares).reduce((sum, value) => sum + value, 0);
      return [name, ...CPU_PARTS.map((part) => cpuMs(shares && (shares[part] ?? 0))), cpuMs(total)];
    }),
  );
}

/** What has been measured so far: printed at the end, and also when the run is interrupted. */
const results: {
  read?: ReadBenchResult;
  signOff?: SignOffBenchResult;
  memory?: MemoryBenchResult;
  scaleOut?: ScaleOutBenchResult;
} = {};
/** The summary of everything measured so far, section 4's tables after it. */
const everything = () =>
  [summary(results.read, results.signOff, results.memory), results.scaleOut && scaleOutSummary(results.scaleOut)]
    .filter(Boolean)
    .join('\n');
/** The run as JSON (bench/results/latest.json), so runs can be compared: the settings, the machine, the numbers. */
function saveResults(interrupted: boolean): void {
  const path = writeResults({
    command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trimEnd(),
    startedAt: new Date(started).toISOString(),
    interrupted,
    machine: { cpus: cpus().length, model: cpus()[0]?.model ?? 'cpu', memoryBytes: totalmem(), node: process.version },
    loadBefore: { '1min': loadBefore[0], '5min': loadBefore[1], '15min': loadBefore[2] },
    settings: { ...settings, only: [...settings.only] },
    summary: { reads: results.read ? readSummary(results.read) : undefined },
    results,
  });
  console.log(`\nresults written to ${path}`);
}

/** Once interrupted, the signal handler owns the exit: the main flow failing as its parts stop must not cut it short. */
let interruptedBySignal = false;

async function main(): Promise<void> {
  console.log(header());
  const cleanup = new Cleanup();
  const interrupted = () => {
    interruptedBySignal = true;
    console.log(`${everything()}\n(interrupted)`);
    saveResults(true);
    void cleanup.stopAll().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    const stack = await startBenchStack(cleanup, progress);
    if (settings.only.has('1')) {
      console.log('\n## 1. Read model');
      results.read = await runReadBench(
        stack.pool,
        { app: stack.appOrigin, bare: stack.bareOrigin },
        {
          cases: settings.readCases,
          requests: settings.requests,
          connections: settings.connections,
          progress,
        },
      );
      console.log(summary(results.read));
    }
    if (settings.only.has('2')) {
      console.log('\n## 2. Sign-off round trip');
      // The one section that reports hops (bench/hops.ts), so the one timed by them, whatever way it ends.
      stack.hops.timing = true;
      try {
        results.signOff = await runSignOffBench(
          { ...stack, client: stack.plainClient },
          { cases: settings.signOffs, concurrency: settings.concurrency, progress },
        );
      } finally {
        stack.hops.timing = false;
      }
      console.log(summary(undefined, results.signOff));
    }
    if (settings.only.has('3')) {
      console.log('\n## 3. Worker memory');
      results.memory = await runMemoryBench(stack, {
        cases: settings.memoryCases,
        cache: settings.memoryCache,
        progress,
      });
    }
    if (settings.only.has('4')) {
      console.log('\n## 4. Scaled out: API and worker processes, and a kill');
      results.scaleOut = await runScaleOutBench(stack, cleanup, {
        cases: settings.scaleCases,
        reads: settings.scaleReads,
        concurrency: settings.concurrency,
        killSignOffs: settings.killSignOffs,
        killReminders: settings.killReminders,
        progress,
      });
      console.log(scaleOutSummary(results.scaleOut));
    }
  } finally {
    if (!interruptedBySignal) {
      console.log(everything());
      saveResults(false);
    }
    await cleanup.stopAll();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    if (interruptedBySignal) return;
    console.error('bench failed:', error);
    process.exit(1);
  },
);
