/**
 * Where a write's time goes, hop by hop: every PostgreSQL statement the bench's pool runs (the API's and the worker's
 * alike, both in this process), named by the table it serves, and every Temporal update the bench's clients send,
 * from the call to its outcome. Only the bench wires this in (bench-stack.ts); the service itself is not timed.
 */
import { performance } from 'node:perf_hooks';
import type { WorkflowClientInterceptor } from '@temporalio/client';
import type { Pool } from 'pg';
import { ms, table } from './stats';

/** A statement's hop, by what it reads or writes; the first that matches names it. */
const STATEMENT_HOPS: readonly (readonly [RegExp, string])[] = [
  [/INSERT INTO cases \(/, 'projection (inside the update)'],
  [/access_tokens/, 'API key lookup'],
  [/rate_limit_hits/, 'rate limit'],
  [/idempotency_keys/, 'Idempotency-Key (claim, answer)'],
  [/INSERT INTO audit_events/, 'audit row'],
  [/'caseId', c\.id/, 'case read (signer check, answer)'],
];
const TEMPORAL_UPDATE = 'Temporal update (send to outcome)';
const OTHER_STATEMENTS = 'other statements';

/** Each hop's mean ms per call, in the order the hops were first met. */
export type HopsPerCall = Record<string, number>;

export class Hops {
  private totals = new Map<string, number>();
  /**
   * Off unless the section that reports hops runs (the sign-offs, bench/run.ts): a read's statements are no hop, and
   * timing them, a regex over each statement's text and a promise more, weighed on ours (two statements, one long)
   * more than on the bare app's one.
   */
  timing = false;

  private add(hop: string, startedAt: number): void {
    this.totals.set(hop, (this.totals.get(hop) ?? 0) + performance.now() - startedAt);
  }

  private timed<T>(hop: string, work: Promise<T>): Promise<T> {
    const startedAt = performance.now();
    return work.finally(() => this.add(hop, startedAt));
  }

  /** Times every promise-returning `query` of `pool` (a callback-style call is left as it is). */
  watchPool(pool: Pool): void {
    const query = pool.query.bind(pool) as (...args: unknown[]) => unknown;
    // `Pool.query` is overloaded (text or config, promise or callback); this keeps every overload as it is.
    (pool as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      const answer = query(...args);
      if (!this.timing || !(answer instanceof Promise)) return answer;
      const first = args[0] as string | { text?: string };
      const text = typeof first === 'string' ? first : (first.text ?? '');
      const hop = STATEMENT_HOPS.find(([pattern]) => pattern.test(text))?.[1] ?? OTHER_STATEMENTS;
      return this.timed(hop, answer);
    };
  }

  /** A client interceptor timing each update from its sending until its outcome is back. */
  updateInterceptor(): WorkflowClientInterceptor {
    return { startUpdate: (input, next) => (this.timing ? this.timed(TEMPORAL_UPDATE, next(input)) : next(input)) };
  }

  /** The hops timed since the last `take`, per call of the `calls` made, and a fresh start for the next path. */
  take(calls: number): HopsPerCall {
    const perCall = Object.fromEntries([...this.totals].map(([hop, total]) => [hop, total / calls]));
    this.totals = new Map();
    return perCall;
  }
}

/**
 * The hops of one path as a table: each hop's mean ms per call and its share of a call's mean time; what no hop
 * covers (HTTP, Express, validation, our code, the waits between hops) is the rest. Hops overlap where one runs inside
 * another (the projection inside the update), so the shares are each of the whole, not parts of a sum.
 */
export function hopTable(hops: HopsPerCall, meanMs: number): string {
  const rows = Object.entries(hops).map(([hop, perCall]) => [hop, ms(perCall), share(perCall, meanMs)]);
  const outside = Object.entries(hops)
    .filter(([hop]) => !hop.includes('inside'))
    .reduce((sum, [, perCall]) => sum + perCall, 0);
  rows.push(['the rest (HTTP, our code, waits)', ms(meanMs - outside), share(meanMs - outside, meanMs)]);
  return table(['hop', 'per call', 'of the mean'], rows);
}

const share = (part: number, whole: number) => `${Math.round((part / whole) * 100)} %`;
