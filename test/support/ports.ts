import { createServer } from 'node:net';

/**
 * Jest runs two files at a time, each starting servers on ports it picked; a port checked free by one file could be
 * taken by the other before its server binds it. So each jest worker picks from a range of its own, below the OS's
 * ephemeral range (32768 and up on Linux), where a server asked for any free port, and every outgoing connection,
 * lands. Outside jest (the bench, the dist smoke) a range of its own below it too: a port the OS gave could be taken
 * before the service binds it, by one of the Temporal dev server's own listeners, which it asks the OS for as it
 * starts (the dist smoke once lost its mail capture's port so).
 */
const RANGE_SIZE = 4_000;
const RANGES_START = 10_000;
const RANGES = 5;
const OUTSIDE_JEST = { start: 30_000, size: 2_700 };
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
  const inJest = Number.isInteger(jestWorker) && jestWorker >= 1;
  const { start, size } = inJest
    ? { start: RANGES_START + ((jestWorker - 1) % RANGES) * RANGE_SIZE, size: RANGE_SIZE }
    : OUTSIDE_JEST;
  for (let attempt = 0; attempt < 100; attempt += 1) {
    // Math.random is fine here: a test helper, not workflow code.
    const candidate = start + Math.floor(Math.random() * size);
    if (handedOut.has(candidate) || (await bindable(candidate)) === undefined) continue;
    handedOut.add(candidate);
    return candidate;
  }
  throw new Error(`no free port in ${start}-${start + size - 1} after 100 tries`);
}
