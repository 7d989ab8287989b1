/**
 * What one call into a V8 context costs with and without an execution timeout. The SDK runs every call into the
 * workflow sandbox (several per activation) with its `isolateExecutionTimeout`, and Node.js enforces such a timeout
 * with a watchdog thread created and joined on every call (nodejs/node#47739, open): on busy cores the join waits for
 * the scheduler. Measured here on this process's main thread, as a floor for the workflow thread's.
 */
import { performance } from 'node:perf_hooks';
import { createContext, Script } from 'node:vm';

export interface ContextCallCost {
  /** µs per call with the SDK's default timeout (5 s). */
  withTimeoutUs: number;
  /** µs per call without one. */
  withoutTimeoutUs: number;
}

export function timeContextCalls(calls = 5_000): ContextCallCost {
  const context = createContext({}, { microtaskMode: 'afterEvaluate' });
  const script = new Script('1 + 1');
  const time = (options: { timeout?: number }) => {
    for (let i = 0; i < 100; i++) script.runInContext(context, options); // warm-up
    const started = performance.now();
    for (let i = 0; i < calls; i++) script.runInContext(context, options);
    return ((performance.now() - started) * 1000) / calls;
  };
  return { withTimeoutUs: time({ timeout: 5_000 }), withoutTimeoutUs: time({}) };
}
