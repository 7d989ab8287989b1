import { performance } from 'node:perf_hooks';
import { summarize, type LatencySummary } from './stats';

export interface CallsResult extends LatencySummary {
  perSecond: number;
  failures: number;
  firstFailure?: string;
}

/**
 * Runs `call` once per item with at most `concurrency` in flight and times each call: the in-process counterpart
 * of the HTTP load generator, for round trips that change state (each item is used once).
 */
export async function timeCalls<T>(
  items: readonly T[],
  concurrency: number,
  call: (item: T) => Promise<unknown>,
): Promise<CallsResult> {
  const latencies: number[] = [];
  let failures = 0;
  let firstFailure: string | undefined;
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const item = items[next++]!;
      const started = performance.now();
      try {
        await call(item);
        latencies.push(performance.now() - started);
      } catch (error) {
        failures += 1;
        firstFailure ??= error instanceof Error ? error.message : String(error);
      }
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));
  const seconds = (performance.now() - started) / 1000;
  return { ...summarize(latencies), perSecond: latencies.length / seconds, failures, firstFailure };
}
