import { createServer } from 'node:net';

/**
 * Jest runs two files at a time, each starting servers on ports it picked; a port checked free by one file could be
 * taken by the other before its server binds it. So each jest worker picks from a range of its own, below the OS's
 * ephemeral range (32768 and up on Linux), where a server asked for any free port, and every outgoing connection,
 * lands. Outside jest (the bench), any port the OS gives.
 */
const RANGE_SIZE = 4_000;
const RANGES_START = 10_000;
const RANGES = 5;
const jestWorker = Number(process.env.JEST_WORKER_ID);
/** Never handed out twice by this process, even if the server given it has not bound it yet. */
const handedOut = new Set<number>();

function bindable(port: number): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) =>
      error.code === 'EADDRINUSE' || error.code === 'EACCES' ? resolve(undefined) : reject(error),
    );
    server.listen(port, '127.0.0.1', () => {
      const { port: bound } = server.address() as { port: number };
      server.close(() => resolve(bound));
    });
  });
}

/** A port free right now on 127.0.0.1, never one this process handed out before. */
export async function freePort(): Promise<number> {
  if (!Number.isInteger(jestWorker) || jestWorker < 1) return (await bindable(0))!;
  const start = RANGES_START + ((jestWorker - 1) % RANGES) * RANGE_SIZE;
  for (let attempt = 0; attempt < 100; attempt += 1) {
    // Math.random is fine here: a test helper, not workflow code.
    const candidate = start + Math.floor(Math.random() * RANGE_SIZE);
    if (handedOut.has(candidate) || (await bindable(candidate)) === undefined) continue;
    handedOut.add(candidate);
    return candidate;
  }
  throw new Error(`no free port in ${start}-${start + RANGE_SIZE - 1} after 100 tries`);
}
