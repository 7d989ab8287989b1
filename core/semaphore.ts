/**
 * At most `size` tasks at once; the others wait their turn, first come first served. For work that must not take more
 * than its share of something the process has few of (the database pool's connections).
 */
export interface Semaphore {
  run<T>(work: () => Promise<T>): Promise<T>;
}

export function createSemaphore(size: number): Semaphore {
  let held = 0;
  const waiting: (() => void)[] = [];
  return {
    async run(work) {
      if (held < size) held += 1;
      else await new Promise<void>((turn) => waiting.push(turn));
      try {
        return await work();
      } finally {
        // The turn passes to the next in line as it is, or is given back.
        const next = waiting.shift();
        if (next) next();
        else held -= 1;
      }
    },
  };
}
