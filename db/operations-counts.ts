/**
 * What the operations metrics read from PostgreSQL at scrape time (app/metrics.ts), in one statement: pending and
 * overdue steps by step kind (the partial indexes of pending steps), and the outbox's unsent emails, how many of them
 * are failing and since when the oldest waits (the partial index of unsent rows). Counts and ages only: no case id,
 * reference or address leaves this query.
 */
import type { Queryable } from './pool';
import { overdueSql } from './overdue';

export interface OperationsCounts {
  steps: { kind: string; pending: number; overdue: number }[];
  unsentEmails: number;
  failingEmails: number;
  /** When the oldest email still owed was queued; null when none is owed. */
  oldestUnsentAt: Date | null;
}

interface Row {
  kind: string | null;
  pending: string;
  overdue: string;
  unsent: string | null;
  failing: string | null;
  oldest_unsent_at: Date | null;
}

export async function operationsCounts(db: Queryable, now: Date): Promise<OperationsCounts> {
  const { rows } = await db.query<Row>(
    `SELECT s.kind, count(*) AS pending, count(*) FILTER (WHERE ${overdueSql('$1')}) AS overdue,
            NULL AS unsent, NULL AS failing, NULL::timestamptz AS oldest_unsent_at
     FROM case_steps s WHERE s.status = 'pending' GROUP BY s.kind
     UNION ALL
     SELECT NULL, 0, 0, count(*), count(*) FILTER (WHERE n.failing_since IS NOT NULL), min(n.created_at)
     FROM notifications n WHERE n.sent_at IS NULL AND n.not_sent_at IS NULL AND n.recipient_email IS NOT NULL`,
    [now],
  );
  const outbox = rows.find((row) => row.kind === null);
  return {
    steps: rows
      .filter((row) => row.kind !== null)
      .map((row) => ({ kind: row.kind!, pending: Number(row.pending), overdue: Number(row.overdue) })),
    unsentEmails: Number(outbox?.unsent ?? 0),
    failingEmails: Number(outbox?.failing ?? 0),
    oldestUnsentAt: outbox?.oldest_unsent_at ?? null,
  };
}
