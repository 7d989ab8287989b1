/**
 * Section 1: status reads at 100,000 cases, through our API and through the bare baseline, measured alike.
 *
 * Who reads: the coordinator of one bench coordinator agency, with an API key, as a real client would. It sees the
 * cases its agency takes part in (about 1 in 20 here), so it asks for cases among those, and for an agency's pending
 * or overdue steps within them. The bare baseline is told the same agency and answers the same rows with the same
 * participant condition, so the difference is our layers: the token lookup and access checks, validation, request
 * logging and the rest of createApp.
 */
import type { Pool } from 'pg';
import { BENCH_AGENCIES, benchAgencyId } from './bench-agencies';
import { benchWorkers } from './bench-workers';
import { loadReadModel, type LoadReport } from './bulk-load';
import { runDueDayBench, type DueDayQuery } from './due-day-bench';
import { meterCpu, type CpuPerCall } from './cpu-meter';
import { httpLoad, type HttpLoadResult } from './http-load';
import { timeCalls, type CallsResult } from './timed-calls';
import { authenticateToken } from '../db/tokens';
import { seededRandom } from '../test/support/seeded-random';

export interface ReadBenchOptions {
  cases: number;
  requests: number;
  connections: number;
  progress: (message: string) => void;
}

/** A measured run, with the CPU each request cost every part of the stack (cpu-meter.ts; Linux only). */
type MeteredLoad = HttpLoadResult & { cpuMsPerCall?: CpuPerCall };

interface ReadRow {
  name: ReadRowName;
  /** The round whose ratio is the median: its runs are the row's numbers. */
  ours: MeteredLoad;
  bare: MeteredLoad;
  /** Ours/bare of each round, in the order run. */
  roundRatios: number[];
}

/**
 * Ours and the floor are measured in this many alternating pairs, and a row reports the pair with the median ratio:
 * on a shared machine one run's rate moves by a fifth or more from the next, enough to pass or fail a goal by chance.
 */
export const READ_ROUNDS = 3;

/** Runs `pair` READ_ROUNDS times; the pair whose ratio is the median, and every round's ratio. */
async function medianPair<T>(
  pair: () => Promise<{ ours: T; floor: T }>,
  ratioOf: (ours: T, floor: T) => number,
): Promise<{ ours: T; floor: T; roundRatios: number[] }> {
  const rounds: { ours: T; floor: T; ratio: number }[] = [];
  for (let round = 0; round < READ_ROUNDS; round++) {
    const { ours, floor } = await pair();
    rounds.push({ ours, floor, ratio: ratioOf(ours, floor) });
  }
  const median = [...rounds].sort((a, b) => a.ratio - b.ratio)[Math.floor(READ_ROUNDS / 2)]!;
  return { ours: median.ours, floor: median.floor, roundRatios: rounds.map((r) => r.ratio) };
}

const roundsNote = (ratios: number[]) => `rounds ${ratios.map((r) => `${r.toFixed(2)}×`).join(', ')}`;

/** The rows of issue 16's table, by these names, with the goal each is held to. */
type ReadRowName = 'GET one case' | 'GET pending steps of an agency' | 'GET overdue steps of an agency';
const READ_GOALS: Record<ReadRowName, number> = {
  'GET one case': 0.8,
  'GET pending steps of an agency': 0.9,
  'GET overdue steps of an agency': 0.9,
};
/** The token lookup may take at most this many times a bare `SELECT 1` (p50). */
const TOKEN_LOOKUP_GOAL = 2;

interface Latencies {
  p50Ms: number;
  p99Ms: number;
}

/** One line of the summary: ours next to its floor, and the ratio the goal is stated in. */
export interface ReadSummaryRow {
  what: string;
  ours: Latencies & { perSecond: number };
  floor: Latencies & { name: string; perSecond: number };
  /** Throughput ours/floor for the HTTP reads (higher is better); p50 ours/floor for the token lookup (lower is). */
  ratio: number;
  goal: string;
  met: boolean;
  notes: string;
}

const latencies = (r: Latencies & { perSecond: number }) => ({
  p50Ms: r.p50Ms,
  p99Ms: r.p99Ms,
  perSecond: r.perSecond,
});

export function readSummary(read: ReadBenchResult): ReadSummaryRow[] {
  const rows = read.rows.map((row): ReadSummaryRow => {
    const ratio = row.ours.perSecond / row.bare.perSecond;
    const failed = (r: HttpLoadResult, who: string) =>
      r.non2xx + r.errors > 0 ? `${who}: ${r.non2xx} non-2xx, ${r.errors} errors` : '';
    return {
      what: row.name,
      ours: latencies(row.ours),
      floor: { name: 'bare Express + pg', ...latencies(row.bare) },
      ratio,
      goal: `≥ ${READ_GOALS[row.name]}× (req/s)`,
      met: ratio >= READ_GOALS[row.name],
      notes: [roundsNote(row.roundRatios), failed(row.ours, 'ours'), failed(row.bare, 'bare')]
        .filter(Boolean)
        .join('; '),
    };
  });
  const { tokenLookup, selectOne, roundRatios } = read.auth;
  const ratio = tokenLookup.p50Ms / selectOne.p50Ms;
  rows.push({
    what: 'token lookup',
    ours: latencies(tokenLookup),
    floor: { name: 'SELECT 1', ...latencies(selectOne) },
    ratio,
    goal: `≤ ${TOKEN_LOOKUP_GOAL}× (p50)`,
    met: ratio <= TOKEN_LOOKUP_GOAL,
    notes: [
      roundsNote(roundRatios),
      ...[tokenLookup, selectOne].map((r) => (r.failures ? `${r.failures} failures: ${r.firstFailure ?? ''}` : '')),
    ]
      .filter(Boolean)
      .join('; '),
  });
  return rows;
}

export interface ReadBenchResult {
  load: LoadReport;
  rows: ReadRow[];
  /** What authentication adds to each request of ours: the token lookup, next to a bare round trip to PostgreSQL. */
  auth: { tokenLookup: CallsResult; selectOne: CallsResult; roundRatios: number[] };
  /** The Steps page's one-day filter, plain and with the bounds of the steps shown at their hour (bench/due-day-bench.ts). */
  dueDays: DueDayQuery[];
}

/** Work lists are asked for by the agencies that own steps; the ones with many steps matter most. */
const INBOX_AGENCIES = BENCH_AGENCIES.filter((a) => a.kind !== 'coordinator').map((a) => a.id);

interface Scenario {
  name: ReadRowName;
  ours: string[];
  bare: string[];
  /** The rows an answer carries, in order, as comparable strings: the two apps shape their JSON differently. */
  rowsOf: { ours: (body: unknown) => string[]; bare: (body: unknown) => string[] };
}

// The shapes of our two apps' answers, as far as the comparison reads them.
type CaseBody = { caseId?: string; id?: string; steps: unknown[]; timeline: unknown[] };
const rowsOfCase = (body: unknown) => {
  const { caseId, id, steps, timeline } = body as CaseBody;
  return [`case ${caseId ?? id}`, `${steps.length} steps`, `${timeline.length} timeline entries`];
};
const rowsOfStepList = {
  ours: (body: unknown) =>
    (body as { items: { caseId: string; id: string }[] }).items.map((s) => `${s.caseId}/${s.id}`),
  bare: (body: unknown) =>
    (body as { items: { case_id: string; step_id: string }[] }).items.map((s) => `${s.case_id}/${s.step_id}`),
};

/** Both apps must do the same work: the first requests of a scenario must answer the same rows on both sides. */
async function assertSameRows(
  origins: { app: string; bare: string },
  scenario: Scenario,
  headers: Record<string, string>,
): Promise<void> {
  for (let i = 0; i < 20; i++) {
    const answers = await Promise.all(
      (['ours', 'bare'] as const).map(async (side) => {
        const response = await fetch(`${side === 'ours' ? origins.app : origins.bare}${scenario[side][i]!}`, {
          headers,
        });
        if (response.status !== 200)
          throw new Error(
            `${scenario.name}: ${side} answered ${response.status}: ${(await response.text()).slice(0, 300)}`,
          );
        return JSON.stringify(scenario.rowsOf[side](await response.json()));
      }),
    );
    if (answers[0] !== answers[1])
      throw new Error(`${scenario.name}: ours and bare differ for request ${i}: ${answers[0]} vs ${answers[1]}`);
  }
}

export async function runReadBench(
  pool: Pool,
  origins: { app: string; bare: string },
  options: ReadBenchOptions,
): Promise<ReadBenchResult> {
  const load = await loadReadModel(pool, { cases: options.cases, templates: 500, seed: 7, progress: options.progress });
  options.progress(`loaded ${load.cases.toLocaleString('en-US')} cases in ${load.seconds.toFixed(0)} s`);

  const coordinator = { id: benchAgencyId('coordinator', 0), kind: 'coordinator' as const };
  const reader = (await benchWorkers(pool, [coordinator])).get(coordinator.id)!;
  const { rows: sample } = await pool.query<{ id: string }>(
    'SELECT id FROM cases WHERE agency_ids @> ARRAY[$1] ORDER BY random() LIMIT 5000',
    [coordinator.id],
  );
  const caseIds = sample.map((row) => row.id);
  options.progress(
    `reading as the coordinator of ${coordinator.id}, among ${caseIds.length.toLocaleString('en-US')} of its cases`,
  );
  const as = `participant=${coordinator.id}`;
  const random = seededRandom(11);
  const agencies = Array.from({ length: 5000 }, () => INBOX_AGENCIES[Math.floor(random() * INBOX_AGENCIES.length)]!);

  const scenarios: Scenario[] = [
    {
      name: 'GET one case',
      ours: caseIds.map((id) => `/api/cases/${id}`),
      bare: caseIds.map((id) => `/bare/cases/${id}?${as}`),
      rowsOf: { ours: rowsOfCase, bare: rowsOfCase },
    },
    {
      name: 'GET pending steps of an agency',
      ours: agencies.map((a) => `/api/steps?status=pending&agencyId=${a}&limit=50`),
      bare: agencies.map((a) => `/bare/steps?status=pending&agencyId=${a}&limit=50&${as}`),
      rowsOf: rowsOfStepList,
    },
    {
      name: 'GET overdue steps of an agency',
      ours: agencies.map((a) => `/api/steps?status=overdue&agencyId=${a}&limit=50`),
      bare: agencies.map((a) => `/bare/steps?status=overdue&agencyId=${a}&limit=50&${as}`),
      rowsOf: rowsOfStepList,
    },
  ];
  // Both sides get the same header, so requests weigh the same on the wire; the bare app ignores it.
  const headers = reader.headers;
  const rows: ReadRow[] = [];
  for (const scenario of scenarios) {
    await assertSameRows(origins, scenario, headers);
    const run = async (origin: string, paths: string[]): Promise<MeteredLoad> => {
      const calls = paths.map((path) => ({ path }));
      // Warm-up (connections, plans, caches), then the measured run.
      await httpLoad({
        origin,
        calls,
        headers,
        connections: options.connections,
        requests: Math.min(1000, options.requests),
      });
      const { value, cpuMsPerCall } = await meterCpu(
        () => httpLoad({ origin, calls, headers, connections: options.connections, requests: options.requests }),
        (result) => result.count + result.non2xx + result.errors,
      );
      return { ...value, cpuMsPerCall };
    };
    const {
      ours,
      floor: bare,
      roundRatios,
    } = await medianPair(
      async () => ({ ours: await run(origins.app, scenario.ours), floor: await run(origins.bare, scenario.bare) }),
      (ours, floor) => ours.perSecond / floor.perSecond,
    );
    rows.push({ name: scenario.name, ours, bare, roundRatios });
    options.progress(
      `${scenario.name}: ours ${Math.round(ours.perSecond)} req/s, bare ${Math.round(bare.perSecond)} req/s (${roundsNote(roundRatios)})`,
    );
  }
  return {
    load,
    rows,
    auth: await timeAuthentication(pool, reader.headers.authorization.slice('Bearer '.length), options),
    dueDays: await runDueDayBench(pool, options),
  };
}

/**
 * The token lookup our API makes before every request (db/tokens.ts authenticateToken: the token's row by primary
 * key, a SHA-256 and a constant-time compare), called in this process as many at once as the HTTP runs keep
 * connections open, next to `SELECT 1` through the same pool: the difference is the lookup's own share.
 */
async function timeAuthentication(
  pool: Pool,
  token: string,
  options: ReadBenchOptions,
): Promise<ReadBenchResult['auth']> {
  const calls = Array.from({ length: options.requests }, (_, i) => i);
  const time = async (call: () => Promise<unknown>) => {
    await timeCalls(calls.slice(0, Math.min(1000, calls.length)), options.connections, call);
    return timeCalls(calls, options.connections, call);
  };
  const lookUp = async () => {
    if (!(await authenticateToken(pool, token, new Date()))) throw new Error('the bench token did not authenticate');
  };
  const {
    ours: tokenLookup,
    floor: selectOne,
    roundRatios,
  } = await medianPair(
    async () => ({ ours: await time(lookUp), floor: await time(() => pool.query('SELECT 1')) }),
    // A latency: the lower the better, so the median round is the median of ours/floor all the same.
    (ours, floor) => ours.p50Ms / floor.p50Ms,
  );
  options.progress(
    `token lookup p50 ${tokenLookup.p50Ms.toFixed(2)} ms, SELECT 1 p50 ${selectOne.p50Ms.toFixed(2)} ms (${roundsNote(roundRatios)})`,
  );
  return { tokenLookup, selectOne, roundRatios };
}
