/**
 * Section 1, the Steps page's "Due on or after" and "Due before" at 100,000 cases: the query the console sends for one
 * day (web/day-bounds.ts), the plain one (`dueAfter`/`dueBefore` alone, as any other client sends) next to the one
 * with the bounds of the steps shown at their hour (`dueAtTheHourAfter`/`dueAtTheHourBefore`, the CASE on the step's
 * kind in db/read-model.ts `listSteps`). Each is timed in this process through the read model's own function, one
 * call at a time (the query's own latency, not a queue's on the bench's two cores), and explained (EXPLAIN ANALYZE of
 * one of its calls), so a plan that stops walking the index shows here.
 */
import type { Pool } from 'pg';
import { BENCH_AGENCIES } from './bench-agencies';
import { timeCalls, type CallsResult } from './timed-calls';
import { listSteps, type StepFilter } from '../db/read-model';
import type { Queryable } from '../db/pool';
import { addDays } from '../domain/dates';
import { seededRandom } from '../test/support/seeded-random';
import { dueAtTheHourBounds, dueDayBound, dueDayBounds } from '../web/day-bounds';

/** The reader's zone and the police's, as the console has them: a coordinator in New York, police in the states. */
const READER_ZONE = 'America/New_York';
const POLICE_ZONES = ['America/Chicago', 'America/Los_Angeles', 'America/New_York'];

export interface DueDayQuery {
  name: string;
  calls: CallsResult;
  /** EXPLAIN (ANALYZE, BUFFERS) of the first call, line by line. */
  plan: string[];
}

/** The agencies whose work lists are asked for, as in the HTTP rows. */
const INBOX_AGENCIES = BENCH_AGENCIES.filter((a) => a.kind !== 'coordinator').map((a) => a.id);

/** The SQL and values `listSteps` would send for `filter`, caught before it reaches PostgreSQL. */
async function sqlOf(filter: StepFilter): Promise<{ text: string; values: unknown[] }> {
  let caught: { text: string; values: unknown[] } | undefined;
  const catcher = {
    query: (config: { text: string; values: unknown[] }) => {
      caught = { text: config.text, values: config.values };
      return Promise.resolve({ rows: [] });
    },
  } as unknown as Queryable;
  await listSteps(catcher, filter);
  if (!caught) throw new Error('listSteps sent no query');
  return caught;
}

/**
 * Times the steps of one day for an agency, `requests` times for each query, on days where
 * the pending steps lie (the due days of random pending steps), and explains each query's first call.
 */
export async function runDueDayBench(
  pool: Pool,
  options: { requests: number; progress: (message: string) => void },
): Promise<DueDayQuery[]> {
  const { rows } = await pool.query<{ day: string }>(
    `SELECT to_char(due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day FROM case_steps
     WHERE status = 'pending' AND due_at IS NOT NULL ORDER BY random() LIMIT 500`,
  );
  if (rows.length === 0) throw new Error('no pending step with a due date to choose days from');
  const random = seededRandom(23);
  const now = new Date();
  const filters = Array.from({ length: options.requests }, () => {
    const day = rows[Math.floor(random() * rows.length)]!.day;
    const agencyId = INBOX_AGENCIES[Math.floor(random() * INBOX_AGENCIES.length)]!;
    const next = addDays(day, 1);
    const plain: StepFilter = {
      status: 'pending',
      agencyId,
      dueAfter: dueDayBound(day, READER_ZONE, POLICE_ZONES),
      dueBefore: dueDayBound(next, READER_ZONE, POLICE_ZONES),
      sort: 'due_at',
      limit: 50,
      now,
    };
    const atTheHour = { ...plain, ...dueAtTheHourBounds(day, next, READER_ZONE) };
    // What the console sends: east of the police in Los Angeles, the midnights moved across the bounds too.
    const after = dueDayBounds(day, READER_ZONE, POLICE_ZONES);
    const before = dueDayBounds(next, READER_ZONE, POLICE_ZONES);
    const console: StepFilter = {
      ...atTheHour,
      dueAfter: after.bound,
      dueBefore: before.bound,
      dueAfterExcept: after.moved,
      dueBeforeAlso: before.moved,
    };
    return { plain, atTheHour, console };
  });
  const queries: [string, (f: (typeof filters)[number]) => StepFilter][] = [
    ['steps of an agency due on a day (dueAfter/dueBefore)', (f) => f.plain],
    ['the same, with dueAtTheHourAfter/Before (CASE)', (f) => f.atTheHour],
    ["the console's: the CASE and dueAfterExcept/dueBeforeAlso", (f) => f.console],
  ];
  const results: DueDayQuery[] = [];
  for (const [name, filterOf] of queries) {
    const sql = await sqlOf(filterOf(filters[0]!));
    const { rows: planRows } = await pool.query<{ 'QUERY PLAN': string }>(
      `EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${sql.text}`,
      sql.values,
    );
    // Warm-up (connections, plans, caches), then the measured run.
    const call = (f: (typeof filters)[number]) => listSteps(pool, filterOf(f));
    await timeCalls(filters.slice(0, Math.min(200, filters.length)), 1, call);
    const calls = await timeCalls(filters, 1, call);
    results.push({ name, calls, plan: planRows.map((row) => row['QUERY PLAN']) });
    options.progress(`${name}: p50 ${calls.p50Ms.toFixed(2)} ms, p99 ${calls.p99Ms.toFixed(2)} ms`);
  }
  return results;
}
