/**
 * Which case worker processes are alive, in PostgreSQL so that every API process sees every worker (migration
 * 1797740000000): each worker process renews a row of its own (app/worker-heartbeat.ts), and readiness asks whether
 * one was seen lately (app/readiness.ts). Times come from the database's clock, so processes whose clocks differ agree.
 */
import type { Queryable } from './pool';

/** Records that the worker process `id`, polling `taskQueue`, is alive now. */
export async function recordWorkerSeen(db: Queryable, id: string, taskQueue: string): Promise<void> {
  await db.query(
    `INSERT INTO worker_heartbeats (id, task_queue, seen_at) VALUES ($1, $2, statement_timestamp())
     ON CONFLICT (id) DO UPDATE SET seen_at = excluded.seen_at`,
    [id, taskQueue],
  );
}

/** Removes the row of a worker process that stops, so readiness stops counting it at once. */
export async function forgetWorker(db: Queryable, id: string): Promise<void> {
  await db.query('DELETE FROM worker_heartbeats WHERE id = $1', [id]);
}

/** Removes the rows of killed worker processes, unseen for `unseenForMs`: every start would otherwise add one. */
export async function forgetWorkersUnseenFor(db: Queryable, unseenForMs: number): Promise<void> {
  await db.query(
    'DELETE FROM worker_heartbeats WHERE seen_at < statement_timestamp() - make_interval(secs => $1::float8 / 1000)',
    [unseenForMs],
  );
}

/** Whether a worker process of `taskQueue` was seen within the last `withinMs` (one index lookup). */
export async function workerSeenWithin(db: Queryable, taskQueue: string, withinMs: number): Promise<boolean> {
  const { rows } = await db.query<{ seen: boolean }>(
    `SELECT EXISTS (
       SELECT FROM worker_heartbeats
       WHERE task_queue = $1 AND seen_at >= statement_timestamp() - make_interval(secs => $2::float8 / 1000)
     ) AS seen`,
    [taskQueue, withinMs],
  );
  return rows[0]?.seen ?? false;
}
