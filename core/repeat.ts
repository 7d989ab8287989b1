/**
 * A task of the process run now and then every `everyMs` until stopped, one run at a time: a slow dependency skips a
 * turn rather than piling runs up. The timer alone never keeps the process alive. Never for workflow code, which
 * waits with Temporal's timers.
 */
import type { Logger } from './logger';

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

/**
 * `repeatEvery` for a sweep whose turn answers how many things it did: a turn that did some is logged (`what`, with the
 * count as `done`), and an outage once, when the first turn fails; the next turn tries again.
 */
export async function sweepEvery(
  everyMs: number,
  logger: Logger,
  what: string,
  turn: () => Promise<number>,
): Promise<Repeating> {
  let failing = false;
  return repeatEvery(everyMs, async () => {
    try {
      const done = await turn();
      if (done > 0) logger.info({ done }, what);
      failing = false;
    } catch (error) {
      if (!failing) logger.warn({ err: error }, `${what}: the sweep failed; the next one tries again`);
      failing = true;
    }
  });
}
