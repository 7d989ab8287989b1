/**
 * "Overdue" in SQL, as the API says it of one case's steps (domain/steps.ts `overdueFrom`): a pending step past its due
 * instant, or, for a deadline that is a day (due at a validity's end, a CP renewal request, when the case lapses it; or
 * counted in days from a typed day, `due_on_a_day`), once that last day has ended everywhere in the US. Still a range
 * on `due_at`, so the index on it serves the lists.
 */
import { LAST_DAY_ENDS_EVERYWHERE_MS } from '../domain/dates';
import { DUE_AT_A_VALIDITY_END } from '../domain/steps';

const VALIDITY_END_KINDS = DUE_AT_A_VALIDITY_END.map((kind) => `'${kind}'`).join(', ');
const LAPSES_AFTER = `interval '${LAST_DAY_ENDS_EVERYWHERE_MS / 1000} seconds'`;

/**
 * The start of the day after a day's last day (UTC), from its end or due instant `end` (domain/steps.ts `dueAsAnEnd`):
 * the day of the moment before it, so a UTC midnight (a validity's end, a respond-by date's end) stands for the day it
 * ends.
 */
const dayEndOf = (end: string) => `(date_trunc('day', ${end} - interval '1 millisecond', 'UTC') + interval '1 day')`;

/**
 * When the last day that `end` (a timestamp expression: a validity's end, a deadline that is a day) closes has ended
 * everywhere in the US: `LAST_DAY_ENDS_EVERYWHERE_MS` after the UTC midnight that ends it, as domain/steps.ts
 * `overdueFrom` and the case's lapse of a validity (domain/tracks/track.ts) say.
 */
export function lastDayEndedSql(end: string): string {
  return `(${dayEndOf(end)} + ${LAPSES_AFTER})`;
}

/**
 * Whether `at` (a timestamp expression) is within the validity or the day that `end` closes: before its last day has
 * ended everywhere in the US (`lastDayEndedSql`), so all of that day counts wherever in the US it is read, after
 * midnight UTC too. The one condition behind "overdue" for a deadline that is a day, and "within its validity" in the
 * compliance report (db/reports.ts).
 */
export function withinLastDaySql(at: string, end: string): string {
  return `(${at}::timestamptz <= ${lastDayEndedSql(end)})`;
}

/**
 * Whether the step `alias` is overdue at `now`, a query parameter (`$1`) of a timestamp: true or false, never NULL, so
 * a step with no due date is not overdue (false) where the API answers it (GET /api/steps `overdue`, a boolean), not
 * null as `due_at < now` alone reads it.
 */
export function overdueSql(now: string, alias = 's'): string {
  const allDay = `(${alias}.due_on_a_day OR ${alias}.kind IN (${VALIDITY_END_KINDS}))`;
  return `(${alias}.due_at IS NOT NULL AND ${alias}.due_at < ${now} AND (NOT ${allDay} OR NOT ${withinLastDaySql(now, `${alias}.due_at`)}))`;
}

/**
 * Whether the step `alias` was done in time: completed before it became overdue (`overdueSql` as of its
 * `completed_at`). A step due at an instant is met up to that instant; a deadline that is a day (a CP renewal requested
 * on the grant's last day, a step due on a typed day) all of that day wherever in the US it is read, after its due
 * instant too. False while the step is not completed.
 */
export function doneInTimeSql(alias = 's'): string {
  return `(${alias}.completed_at IS NOT NULL AND NOT ${overdueSql(`${alias}.completed_at`, alias)})`;
}

/**
 * Whether the pending step `alias` is due soon at `now`: due before `until` and not yet overdue (`overdueSql`), so a
 * deadline that is a day counts as due all of its last day, after its due instant too, as the API's `overdue` says.
 * Both query parameters of a timestamp.
 */
export function dueSoonSql(now: string, until: string, alias = 's'): string {
  // A step not yet overdue is due at most a day and `LAPSES_AFTER` before now: a range on `due_at`, for its index.
  const notBefore = `${now}::timestamptz - ${LAPSES_AFTER} - interval '1 day'`;
  return `(${alias}.due_at >= ${notBefore} AND ${alias}.due_at < ${until} AND NOT ${overdueSql(now, alias)})`;
}
