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
export const WORKER_SEEN_WITHIN_MS = 2 * 60_000;

export function readinessProbe(options: ReadinessOptions): () => Promise<Readiness> {
  const { pool, connection, namespace, taskQueue } = options;
  const timeoutMs = options.timeoutMs ?? 500;
  return async () => {
    const deadline = Date.now() + timeoutMs;
    // The deadline cancels the gRPC calls themselves; the client would otherwise retry an unreachable server for long.
    const temporalChecks = connection.withDeadline(deadline, () =>
      Promise.allSettled([
        connection.workflowService.getSystemInfo({}),
        connection.workflowService.describeTaskQueue({
          namespace,
          taskQueue: { name: taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
          taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
        }),
      ]),
    );
    const [postgres, [systemInfo, taskQueueInfo]] = await Promise.all([answersWithin(timeoutMs, pool.query('select 1')), temporalChecks]);
    const seenSince = Date.now() - WORKER_SEEN_WITHIN_MS;
    const worker =
      taskQueueInfo.status === 'fulfilled' && taskQueueInfo.value.pollers.some((poller) => (optionalTsToMs(poller.lastAccessTime) ?? 0) >= seenSince);
    const checks = { postgres, temporal: systemInfo.status === 'fulfilled', worker };
    return { ok: Object.values(checks).every(Boolean), checks };
  };
}

/**
 * True when `work` resolves within `ms`. A connection attempt to an unreachable host waits for the pool's own
 * timeout (seconds); readiness does not wait that long. The abandoned query settles on its own later.
 */
async function answersWithin(ms: number, work: Promise<unknown>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([work.then(() => true, () => false), expired]);
  } finally {
    clearTimeout(timer);
  }
}
