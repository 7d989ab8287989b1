/**
 * A task of the process run now and then every `everyMs` until stopped, one run at a time: a slow dependency skips a
 * turn rather than piling runs up. The timer alone never keeps the process alive. Never for workflow code, which
 * waits with Temporal's timers.
 */
export interface Repeating {
  /** Ends the turns and waits for the one under way, if any. */
  stop(): Promise<void>;
}

export async function repeatEvery(everyMs: number, task: () => Promise<void>): Promise<Repeating> {
  await task();
  let running: Promise<void> | undefined;
  const timer = setInterval(() => {
    running ??= task().finally(() => (running = undefined));
  }, everyMs);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
