import { fork } from 'node:child_process';
import type { LatencySummary } from './stats';

export interface HttpLoadOptions {
  /** e.g. http://127.0.0.1:41234 — the bench only ever targets the loopback interface. */
  origin: string;
  /** Each request takes the next path in turn, so random ids are chosen up front. */
  paths: readonly string[];
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
