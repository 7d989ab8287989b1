/**
 * "Overdue" in SQL, as the API says it of one case's steps (domain/steps.ts `overdueFrom`): a pending step past its due
 * instant, or, due at a validity's end (a CP renewal request), once that last day has ended everywhere in the US, when
 * the case lapses it. Still a range on `due_at`, so the index on it serves the lists.
 */
import { LAST_DAY_ENDS_EVERYWHERE_MS } from '../domain/dates';
import { DUE_AT_A_VALIDITY_END } from '../domain/steps';

const VALIDITY_END_KINDS = DUE_AT_A_VALIDITY_END.map((kind) => `'${kind}'`).join(', ');
const LAPSES_AFTER = `interval '${LAST_DAY_ENDS_EVERYWHERE_MS / 1000} seconds'`;

/** Whether the step `alias` is overdue at `now`, a query parameter (`$1`) of a timestamp. */
export function overdueSql(now: string, alias = 's'): string {
  return (
    `(${alias}.due_at < ${now} AND (${alias}.kind NOT IN (${VALIDITY_END_KINDS}) ` +
    `OR ${alias}.due_at < ${now}::timestamptz - ${LAPSES_AFTER}))`
  );
}
