/**
 * Readiness: can this API process do its work right now? Three checks, run side by side and each bounded, so the
 * answer comes within about a second whatever is down:
 * - `postgres`: `select 1` answers;
 * - `temporal`: the frontend answers `GetSystemInfo`;
 * - `worker`: a worker polled the case task queue for workflow tasks recently. Without one, no case moves: an open
 *   or a sign-off waits for a workflow task nobody takes. So a missing worker makes the service not ready (503),
 *   even in an API-only process whose reads would still work; `/health` stays 200, so nothing restarts the API.
 */
import type { Connection } from '@temporalio/client';
import { optionalTsToMs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import type { Pool } from 'pg';

export interface Readiness {
  ok: boolean;
  checks: Record<string, boolean>;
}

export interface ReadinessOptions {
  pool: Pick<Pool, 'query'>;
  /** The API's Temporal client connection. */
  connection: Pick<Connection, 'workflowService' | 'withDeadline'>;
  namespace: string;
  taskQueue: string;
  /** The bound on each check (default 500 ms; they run side by side), so the probe answers within about a second. */
  timeoutMs?: number;
}

/**
 * The server keeps a poller in DescribeTaskQueue for minutes after its worker stopped, with the time of its last
 * poll; a running worker renews its long poll about once a minute. A poll seen within this window is a live worker.
 */
const WORKER_SEEN_WITHIN_MS = 2 * 60_000;

export function readinessProbe(options: ReadinessOptions): () => Promise<Readiness> {
  const { pool, connection, namespace, taskQueue } = options;
  const timeoutMs = options.timeoutMs ?? 500;
  return async () => {
    // The gRPC deadline ends the calls themselves (the client would otherwise retry an unreachable server for long);
    // `within` bounds the answer, since the client's backoff between retries can outlast the deadline.
    const deadline = Date.now() + timeoutMs;
    const [postgres, systemInfo, taskQueueInfo] = await Promise.all([
      within(timeoutMs, pool.query('select 1')),
      within(
        timeoutMs,
        connection.withDeadline(deadline, () => connection.workflowService.getSystemInfo({})),
      ),
      within(
        timeoutMs,
        connection.withDeadline(deadline, () =>
          connection.workflowService.describeTaskQueue({
            namespace,
            taskQueue: { name: taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
            taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
          }),
        ),
      ),
    ]);
    const seenSince = Date.now() - WORKER_SEEN_WITHIN_MS;
    const worker =
      taskQueueInfo?.pollers.some((poller) => (optionalTsToMs(poller.lastAccessTime) ?? 0) >= seenSince) ?? false;
    const checks = { postgres: postgres !== undefined, temporal: systemInfo !== undefined, worker };
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
