import { fork } from 'node:child_process';
import type { LatencySummary } from './stats';

/** One request: a GET of `path`, or a POST of `body` (JSON) with headers of its own on top of the run's. */
interface LoadCall {
  path: string;
  post?: { body: string; headers: Record<string, string> };
}

export interface HttpLoadOptions {
  /** e.g. http://127.0.0.1:41234 — the bench only ever targets the loopback interface. */
  origin: string;
  /** Each request makes the next call in turn (round the list again if `requests` is more), so ids are chosen up front. */
  calls: readonly LoadCall[];
  headers?: Record<string, string>;
  connections: number;
  requests: number;
}

export interface HttpLoadResult extends LatencySummary {
  perSecond: number;
  non2xx: number;
  errors: number;
}

/**
 * Drives keep-alive HTTP load with autocannon from a child process, so the load generator's event loop does not
 * share a thread with the server it measures. Latencies are kept exactly (autocannon's own histogram rounds to
 * whole milliseconds, too coarse for loopback requests).
 */
export function httpLoad(options: HttpLoadOptions): Promise<HttpLoadResult> {
  if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(options.origin))
    throw new Error(`refusing to load anything but 127.0.0.1: ${options.origin}`);
  return new Promise((resolve, reject) => {
    // The parent runs under tsx; the child inherits its loader through the default execArgv.
    const child = fork(require.resolve('./http-load-child'), { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let settled = false;
    child.once('message', (message: { result?: HttpLoadResult; error?: string }) => {
      settled = true;
      if (message.result) resolve(message.result);
      else reject(new Error(message.error ?? 'load generator failed'));
      child.disconnect();
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (!settled) reject(new Error(`load generator exited with ${code}`));
    });
    child.send(options);
  });
}
