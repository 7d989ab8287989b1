/**
 * Readiness: can this API process do its work right now? Three checks, run side by side and each bounded, so the
 * answer comes within about a second whatever is down:
 * - `postgres`: `select 1` answers;
 * - `temporal`: the frontend answers `GetSystemInfo`;
 * - `worker`: a worker process of the case task queue renewed its row in PostgreSQL within the last 15 s
 *   (app/worker-heartbeat.ts). Without one, no case moves: an open or a sign-off waits for a workflow task nobody
 *   takes. So a missing worker makes the service not ready (503), even in an API-only process whose reads would
 *   still work; `/health` stays 200, so nothing restarts the API. While PostgreSQL does not answer, no worker is
 *   seen either, and both checks fail.
 *
 * Not Temporal's list of pollers (DescribeTaskQueue): the server keeps a killed worker there for up to two minutes,
 * with the time of its last long poll, which a live idle worker renews only about once a minute, so `/ready` said 200
 * for that long after the last worker was gone (probe J3). It would add nothing the row lacks: the row names the task
 * queue its worker polls, and a worker whose Temporal is down shows in the `temporal` check.
 */
import type { Connection } from '@temporalio/client';
import type { Pool } from 'pg';
import { workerSeenWithin } from '../db/worker-heartbeats';
import { WORKER_HEARTBEAT_MS } from './worker-heartbeat';

export interface Readiness {
  ok: boolean;
  checks: Record<string, boolean>;
}

export interface ReadinessOptions {
  pool: Pick<Pool, 'query'>;
  /** The API's Temporal client connection. */
  connection: Pick<Connection, 'workflowService' | 'withDeadline'>;
  /** The case task queue: only its workers count. */
  taskQueue: string;
  /** The bound on each check (default 500 ms; they run side by side), so the probe answers within about a second. */
  timeoutMs?: number;
}

/** Three renewals: a live worker whose database is slow for a beat or two still counts. */
const WORKER_SEEN_WITHIN_MS = 3 * WORKER_HEARTBEAT_MS;

export function readinessProbe(options: ReadinessOptions): () => Promise<Readiness> {
  const { pool, connection, taskQueue } = options;
  const timeoutMs = options.timeoutMs ?? 500;
  return async () => {
    // The gRPC deadline ends the calls themselves (the client would otherwise retry an unreachable server for long);
    // `within` bounds the answer whatever a part does (a client without the service's retries within the deadline,
    // temporal/connection.ts, backs off past it; the pool's connection attempt waits for its own timeout).
    const deadline = Date.now() + timeoutMs;
    const [postgres, systemInfo, worker] = await Promise.all([
      within(timeoutMs, pool.query('select 1')),
      within(
        timeoutMs,
        connection.withDeadline(deadline, () => connection.workflowService.getSystemInfo({})),
      ),
      within(timeoutMs, workerSeenWithin(pool, taskQueue, WORKER_SEEN_WITHIN_MS)),
    ]);
    const checks = { postgres: postgres !== undefined, temporal: systemInfo !== undefined, worker: worker ?? false };
    return { ok: Object.values(checks).every(Boolean), checks };
  };
}

/**
 * What `work` resolves to within `ms`, or undefined when it fails or takes longer: a connection attempt to a host
 * that does not answer waits for the pool's own timeout (seconds), and readiness does not wait that long. The
 * abandoned work settles on its own later.
 */
async function within<T>(ms: number, work: Promise<T>): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([work.catch(() => undefined), expired]);
  } finally {
    clearTimeout(timer);
  }
}
