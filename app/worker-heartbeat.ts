/**
 * A worker process's sign of life for readiness: while its case worker runs, it renews its row in PostgreSQL every
 * `WORKER_HEARTBEAT_MS` (db/worker-heartbeats.ts), and deletes it when it stops cleanly. A process that is killed
 * renews nothing, so the API knows within seconds that it is gone (app/readiness.ts); Temporal's list of pollers keeps
 * a dead worker for minutes. A timer of the process, never workflow code. A worker that cannot reach PostgreSQL
 * renews nothing either, and rightly: its activities cannot run.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../core/logger';
import { repeatEvery } from '../core/repeat';
import { forgetWorker, forgetWorkersUnseenFor, recordWorkerSeen } from '../db/worker-heartbeats';
import type { Queryable } from '../db/pool';

/** How often a running worker renews its row. */
export const WORKER_HEARTBEAT_MS = 5_000;

/** The row of a killed worker stays this long, for an operator to see, before the next worker to start deletes it. */
const KILLED_WORKER_KEPT_MS = 24 * 60 * 60_000;

export interface WorkerHeartbeatOptions {
  pool: Queryable;
  taskQueue: string;
  /** Whether the case worker still takes up work (its state is RUNNING): a stopping one is not counted. */
  running: () => boolean;
  logger: Logger;
}

export interface WorkerHeartbeat {
  /** Ends the renewals and deletes the row: readiness stops counting this worker at once. */
  stop(): Promise<void>;
}

/** Records this process's worker now and every `WORKER_HEARTBEAT_MS` until stopped. */
export async function startWorkerHeartbeat(options: WorkerHeartbeatOptions): Promise<WorkerHeartbeat> {
  const { pool, taskQueue, running, logger } = options;
  const id = randomUUID();
  let failing = false;
  const beat = async () => {
    if (!running()) return;
    try {
      await recordWorkerSeen(pool, id, taskQueue);
      if (failing) logger.info('worker heartbeat recorded again');
      failing = false;
    } catch (error) {
      // Logged once per outage, not every few seconds.
      if (!failing) logger.warn({ err: error }, 'worker heartbeat not recorded: readiness will not count this worker');
      failing = true;
    }
  };
  await forgetWorkersUnseenFor(pool, KILLED_WORKER_KEPT_MS).catch(() => undefined);
  const renewals = await repeatEvery(WORKER_HEARTBEAT_MS, beat);
  return {
    stop: async () => {
      await renewals.stop();
      await forgetWorker(pool, id).catch(() => undefined);
    },
  };
}
