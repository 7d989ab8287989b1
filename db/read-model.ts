/**
 * The read model: each case as its workflow last projected it, and the lists of pending and overdue steps.
 * Writes come only from the projection activity; reads serve the API.
 */
import { appliedCommandRow, insertAppliedCommand, userRowIdOf } from './audit';
import { prepared, type Queryable } from './pool';
import type { CaseProjection } from '../domain/alarms';
import { openedStepsToTell } from '../domain/opened-steps';
import { STEP_KINDS_DUE_AT_THE_HOUR } from '../domain/labels';
import type { AgencyKind, AppliedCommand, CaseAgencies, CaseSnapshot, Instant, Step, StepKind } from '../domain/types';
import { dueSoonSql, overdueSql } from './overdue';

export { saveSurvivor, getSurvivor } from './survivors';

/** A case as the API shows it: the last projected snapshot and when it was written. */
export type CaseView = CaseSnapshot & {
  updatedAt: Instant;
  /**
   * The zone the case's identification was read in, kept with it (core/people-dates.ts `zonesCountedIn`); null for a
   * case that kept none. Absent from a view built other than by `getCase`.
   */
  identifiedIn?: string | null;
};

/**
 * A step in a list, with the case it belongs to, and whether it is overdue at the list's `now` (db/overdue.ts
 * `overdueSql`, the one rule of the API's `overdue`, its lists and counts): the console says "Overdue" by it alone.
 */
type StepListItem = Step & {
  caseId: string;
  caseReference: string;
  caseIdentifiedIn: string | null;
  overdue: boolean;
};

const MAX_STEP_PAGE = 200;

export interface StepFilter {
  /** `overdue`: pending with a due date before `now`; `due_soon`: due from `now` until `soonUntil`. */
  status: 'pending' | 'overdue' | 'due_soon';
  agencyId?: string;
  /** Only steps of cases this agency takes part in. */
  participantAgencyId?: string;
  agencyKind?: AgencyKind;
  kind?: StepKind;
  /** Due strictly before this instant. */
  dueBefore?: Instant;
  /** Due at or after this instant (so `dueAfter`/`dueBefore` ranges tile without overlap). */
  dueAfter?: Instant;
  /**
   * In place of `dueBefore` and `dueAfter` for the steps shown at their hour (domain/labels.ts `dueAtTheHour`), which
   * read the day they pass on, where the others read their last day to act: one day, two bounds. Without them, those
   * steps take `dueBefore` and `dueAfter` as every other does.
   */
  dueAtTheHourBefore?: Instant;
  dueAtTheHourAfter?: Instant;
  /**
   * Deadlines at these instants, at or after `dueAfter`, are left out, and those at or after `dueBefore` in
   * `dueBeforeAlso` are listed: a client that selects by the last day to act each row shows, east of the police,
   * names the midnights within its day's first hours that show the day before (web/day-bounds.ts `dueDayBounds`).
   * Steps shown at their hour take their own bounds, as above.
   */
  dueAfterExcept?: Instant[];
  dueBeforeAlso?: Instant[];
  caseId?: string;
  /** By due date, earliest first (`due_at`) or latest first (`-due_at`); steps without a due date come last in `due_at`. */
  sort: 'due_at' | '-due_at';
  /** 1 to 200; larger values are capped. */
  limit: number;
  /** `nextCursor` of the previous page, with the same filter and sort. */
  cursor?: string;
  /** The clock `overdue` is measured against. */
  now: Date;
  /** Where `due_soon` ends (the dashboard's count of the same name uses the same bound). */
  soonUntil?: Date;
}

export interface StepPage {
  items: StepListItem[];
  /** Null on the last page. */
  nextCursor: string | null;
}

/** A cursor that was not produced by `listSteps` (or was tampered with): the client's error. */
export class InvalidCursorError extends Error {
  constructor() {
    super('The cursor is not valid for this list.');
    this.name = 'InvalidCursorError';
  }
}

/**
 * A step as `case_steps` keeps it: its signer's id as a `users.id` takes it (`userRowIdOf`), null for an actor that is
 * no user (a test's, a system's), as the audit trail names them; the SIGNER read then casts it without a check.
 */
const withSignerAsUserRow = (step: Step) =>
  step.signedBy ? { ...step, signedBy: { ...step.signedBy, userId: userRowIdOf(step.signedBy.userId) } } : step;

/**
 * Writes a snapshot, only if it is newer than what is stored: a late or repeated projection is a no-op and returns
 * false. The case row's version check and update are one statement, so two concurrent projections cannot both apply.
 * Of two projections of one version, the one written further along the workflow's history wins (`historyLength`,
 * see the migration 1796600000000): a workflow task whose worker died after projecting is run again, and may reach
 * that version by another path. Steps are replaced by the snapshot's (the workflow's list is complete); timeline
 * entries are upserted by sequence number, and only those past the snapshot's last are deleted (a lost task's), so
 * the audit trail survives a snapshot that carries only recent entries. The case's reference is its reservation's
 * (db/case-references.ts) where it has one: the migration that made references unique whatever their letters' case
 * renamed the later of two that differed only in case there, and the workflow still holds the old name. Alarms to come
 * are replaced too, except those already raised: the outbox row of the same case and alarm is written before the
 * projection that follows the alarm, and the raised alarm keeps its row to show when it was due. The zone the case's
 * identification was read in (`identified_in`, core/people-dates.ts `zonesCountedIn`) is written with the case's
 * first row, as its identifying police's zone is then (`timeZone`, the deployment's, for one without), and no later
 * projection changes it: a police agency that moves moves none of its past cases' last days.
 *
 * With `command`, the command that produced the snapshot gets its audit row, before the version check: no applied
 * command lacks one even when a newer projection overtook it.
 *
 * All of it is one statement, so one round trip and one implicit transaction: a sign-off waits for its projection,
 * and each round trip to PostgreSQL is time a person at the form waits. It is `prepared` (db/pool.ts): parsing and
 * planning it again cost PostgreSQL about a millisecond of CPU per projection, a third of its share of a sign-off
 * (`npm run bench -- --only 2`). Each sub-statement touches rows no other touches (PostgreSQL runs them on one
 * snapshot, in no set order): rows that leave are deleted, rows that stay or arrive are upserted, and a row the newer
 * version leaves as it was is not written again: a sign-off changes a step or two of a case's dozens of rows, and each
 * rewrite is a new row version to log, index and vacuum (about 17 a projection, where nothing changed).
 */
export async function projectCase(
  db: Queryable,
  snapshot: CaseProjection,
  written: { command?: AppliedCommand; historyLength?: number; timeZone?: string } = {},
): Promise<boolean> {
  const { command, historyLength = 0, timeZone } = written;
  const { rows } = await db.query<{ applied: boolean }>(
    prepared(PROJECT_CASE_SQL, [
      snapshot.caseId,
      snapshot.reference,
      snapshot.path,
      snapshot.status,
      snapshot.openedAt,
      snapshot.closedAt,
      snapshot.policyVersion,
      JSON.stringify(snapshot.agencies),
      snapshot.version,
      JSON.stringify(snapshot.steps.map(withSignerAsUserRow)),
      JSON.stringify(snapshot.timeline),
      snapshot.alarms ? JSON.stringify(snapshot.alarms) : null,
      command ? appliedCommandRow(command) : null,
      historyLength,
      timeZone ?? null,
      openedStepsRows(snapshot, command),
    ]),
  );
  return rows[0]!.applied;
}

/**
 * The steps the command opened for another agency (domain/opened-steps.ts), as the rows that record them to be told
 * (`opened_step_notices`, gathered into one email per agency by workflows/opened-step-notices.ts); null for none.
 */
function openedStepsRows(snapshot: CaseProjection, command: AppliedCommand | undefined): string | null {
  const opened = openedStepsToTell(snapshot, command);
  if (opened.length === 0) return null;
  return JSON.stringify(
    opened.map(({ step, openedSeq, actor, openedByKind }) => ({
      stepId: step.id,
      openedSeq,
      agencyId: step.agencyId,
      userId: actor.userId,
      actorAgencyId: actor.agencyId,
      openedByKind: openedByKind ?? null,
    })),
  );
}

/**
 * `told`: one row per step the command opened for another agency ($16), whatever `newer` says: a projection run again
 * (a retried workflow task, a request retried) finds its rows by their key and adds none; one that came late records
 * steps since done or moved, which the gathering leaves untold.
 */
const PROJECT_CASE_SQL = `
WITH audit AS (${insertAppliedCommand('$13')}),
newer AS (
  INSERT INTO cases (id, reference, path, status, opened_at, closed_at, policy_version, agencies, version,
                     history_length, identified_in, updated_at)
  VALUES ($1, COALESCE((SELECT reference FROM case_references WHERE case_id = $1 AND replaced_at IS NULL), $2), $3, $4, $5, $6, $7, $8, $9,
          $14, (SELECT COALESCE(a.time_zone, $15) FROM jsonb_to_recordset($10::jsonb) AS s(kind text, "agencyId" text)
                LEFT JOIN agencies a ON a.id = s."agencyId" WHERE s.kind = 'identification' LIMIT 1), now())
  ON CONFLICT (id) DO UPDATE SET
    reference = EXCLUDED.reference, path = EXCLUDED.path, status = EXCLUDED.status, opened_at = EXCLUDED.opened_at,
    closed_at = EXCLUDED.closed_at, policy_version = EXCLUDED.policy_version, agencies = EXCLUDED.agencies,
    version = EXCLUDED.version, history_length = EXCLUDED.history_length,
    -- The case's last change: a projection of the same version (reproject --refresh after an upgrade, a lost
    -- task's replaced) is no change, or every case would read as changed at the refresh and every feed be stamped anew.
    updated_at = CASE WHEN EXCLUDED.version > cases.version THEN now() ELSE cases.updated_at END
  WHERE (cases.version, cases.history_length) < (EXCLUDED.version, EXCLUDED.history_length)
  RETURNING id
),
steps AS (
  SELECT s.* FROM ROWS FROM (jsonb_to_recordset($10::jsonb) AS (id text, kind text, track text, "agencyKind" text,
       "agencyId" text, status text, "openedAt" timestamptz, "dueAt" timestamptz, "expiresAt" timestamptz,
       "completedAt" timestamptz, outcome text, details jsonb, "dueOnADay" boolean, "signedBy" jsonb))
       WITH ORDINALITY AS s(id, kind, track, "agencyKind", "agencyId", status, "openedAt", "dueAt", "expiresAt",
       "completedAt", outcome, details, "dueOnADay", "signedBy", position)
),
steps_gone AS (
  DELETE FROM case_steps WHERE case_id = $1 AND EXISTS (SELECT 1 FROM newer)
    AND step_id NOT IN (SELECT id FROM steps)
),
steps_kept AS (
  INSERT INTO case_steps (case_id, step_id, kind, track, agency_kind, agency_id, status, opened_at, due_at, expires_at,
                          completed_at, outcome, details, due_on_a_day, signed_by, position)
  SELECT $1, s.id, s.kind, s.track, s."agencyKind", s."agencyId", s.status, s."openedAt", s."dueAt", s."expiresAt",
         s."completedAt", s.outcome, COALESCE(s.details, '{}'::jsonb), COALESCE(s."dueOnADay", false), s."signedBy",
         s.position
  FROM steps s WHERE EXISTS (SELECT 1 FROM newer)
  ON CONFLICT (case_id, step_id) DO UPDATE SET
    kind = EXCLUDED.kind, track = EXCLUDED.track, agency_kind = EXCLUDED.agency_kind, agency_id = EXCLUDED.agency_id,
    status = EXCLUDED.status, opened_at = EXCLUDED.opened_at, due_at = EXCLUDED.due_at, expires_at = EXCLUDED.expires_at,
    completed_at = EXCLUDED.completed_at, outcome = EXCLUDED.outcome, details = EXCLUDED.details,
    due_on_a_day = EXCLUDED.due_on_a_day, signed_by = EXCLUDED.signed_by, position = EXCLUDED.position
  WHERE (case_steps.*) IS DISTINCT FROM (EXCLUDED.*)
),
timeline AS (
  SELECT t.* FROM jsonb_to_recordset($11::jsonb) AS t(seq integer, at timestamptz, type text, "stepId" text,
       "actorAgencyId" text, summary text)
),
timeline_gone AS (
  DELETE FROM case_timeline WHERE case_id = $1 AND EXISTS (SELECT 1 FROM newer)
    AND seq > (SELECT max(seq) FROM timeline)
),
timeline_kept AS (
  INSERT INTO case_timeline (case_id, seq, at, type, step_id, actor_agency_id, summary)
  SELECT $1, t.seq, t.at, t.type, t."stepId", t."actorAgencyId", t.summary
  FROM timeline t
  WHERE EXISTS (SELECT 1 FROM newer)
  ON CONFLICT (case_id, seq) DO UPDATE SET
    at = EXCLUDED.at, type = EXCLUDED.type, step_id = EXCLUDED.step_id, actor_agency_id = EXCLUDED.actor_agency_id,
    summary = EXCLUDED.summary
  WHERE (case_timeline.*) IS DISTINCT FROM (EXCLUDED.*)
),
alarms AS (
  SELECT a.* FROM jsonb_to_recordset($12::jsonb) AS a("alarmId" text, at timestamptz, kind text, "stepId" text,
       "stepKind" text, about text, "recipientAgencyId" text, held boolean)
),
raised AS (
  SELECT n.alarm_id FROM notifications n WHERE n.case_id = $1::uuid::text
),
alarms_gone AS (
  DELETE FROM case_alarms a WHERE a.case_id = $1 AND $12::jsonb IS NOT NULL AND EXISTS (SELECT 1 FROM newer)
    AND a.alarm_id NOT IN (SELECT "alarmId" FROM alarms) AND a.alarm_id NOT IN (SELECT alarm_id FROM raised)
),
alarms_kept AS (
  INSERT INTO case_alarms (case_id, alarm_id, at, kind, step_id, step_kind, about, recipient_agency_id, held)
  SELECT $1, a."alarmId", a.at, a.kind, a."stepId", a."stepKind", a.about, a."recipientAgencyId", COALESCE(a.held, false)
  FROM alarms a WHERE EXISTS (SELECT 1 FROM newer)
  ON CONFLICT (case_id, alarm_id) DO UPDATE SET
    at = EXCLUDED.at, kind = EXCLUDED.kind, step_id = EXCLUDED.step_id, step_kind = EXCLUDED.step_kind,
    about = EXCLUDED.about, recipient_agency_id = EXCLUDED.recipient_agency_id, held = EXCLUDED.held
  WHERE case_alarms.alarm_id NOT IN (SELECT alarm_id FROM raised) AND (case_alarms.*) IS DISTINCT FROM (EXCLUDED.*)
),
told AS (
  INSERT INTO opened_step_notices (case_id, step_id, opened_seq, agency_id, actor_user_id, actor_agency_id, opened_by_kind)
  SELECT $1, o."stepId", o."openedSeq", o."agencyId", o."userId", o."actorAgencyId", o."openedByKind"
  FROM jsonb_to_recordset(COALESCE($16::jsonb, '[]'::jsonb)) AS o("stepId" text, "openedSeq" integer, "agencyId" text,
       "userId" text, "actorAgencyId" text, "openedByKind" text)
  ON CONFLICT (case_id, step_id, opened_seq) DO NOTHING
)
SELECT EXISTS (SELECT 1 FROM newer) AS applied`;

/**
 * An instant as JSON in the format the service speaks (`Date.prototype.toISOString`: UTC, milliseconds, `Z`). The
 * read queries build their answers as JSON inside PostgreSQL, so a request parses one JSON text instead of turning
 * every timestamp column into a Date and back into a string.
 */
export const iso = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** A step row of `case_steps s` as the domain's Step (domain/types.ts), in JSON; one definition for every read. */
const STEP_FIELDS = `'id', s.step_id, 'kind', s.kind, 'track', s.track, 'agencyKind', s.agency_kind, 'agencyId', s.agency_id,
  'status', s.status, 'openedAt', ${iso('s.opened_at')}, 'dueAt', ${iso('s.due_at')}, 'expiresAt', ${iso('s.expires_at')},
  'completedAt', ${iso('s.completed_at')}, 'outcome', s.outcome, 'details', s.details, 'dueOnADay', s.due_on_a_day`;

/**
 * Who signed a step: the user of the last sign-off the workflow applied to it, by display name and agency; null for
 * none or for an actor that is not a user (a test's, a system's). Staff names only, never the survivor's. As the case
 * keeps it (`signed_by`, so a read model rebuilt from the workflows after a restore keeps it too); for a step signed
 * before the case kept it, as that sign-off's own audit row (written with the projection) names it.
 */
const SIGNER = `(CASE WHEN s.signed_by IS NOT NULL
  THEN (SELECT json_build_object('displayName', u.display_name, 'agencyId', s.signed_by->>'agencyId')
        FROM users u WHERE u.id = (s.signed_by->>'userId')::uuid)
  ELSE (SELECT json_build_object('displayName', u.display_name, 'agencyId', a.agency_id)
        FROM audit_events a JOIN users u ON u.id = a.user_id
        WHERE a.case_id = s.case_id AND a.step_id = s.step_id AND a.action = 'step.sign_off'
          AND a.applied_version IS NOT NULL
        ORDER BY a.applied_version DESC LIMIT 1) END)`;

/**
 * A timeline entry's summary as served: the opening's names the case by its reference now (`c.reference`), not the
 * one the workflow recorded it with, which a survivor correction may have replaced because it named the survivor (or a
 * migration renamed): "case RC-2026-… opened on the adult path (policy …)". Written at opening by domain/case.ts
 * `openCase`; a summary of another shape names the case alone rather than risk showing the old reference.
 */
const TIMELINE_SUMMARY = `CASE WHEN t.type = 'case.opened'
  THEN 'case ' || c.reference || coalesce(' opened on the ' || substring(t.summary FROM '^case .* opened on the (.*)$'), ' opened')
  ELSE t.summary END`;

/**
 * One case in one statement, as JSON: the case row with its steps (by opening time; steps opened by one event, as
 * the identification opens several, keep the order the workflow opened them in) and timeline (by sequence), each an
 * index range scan of its table's primary key. With `$2`, an agency (`getCase`'s `seenBy`), the steps and timeline
 * only of a case it takes part in (`c.agency_ids`, as the caseload reads it); of any other, no step (a condition on
 * the case row alone, which PostgreSQL checks once, before scanning any) and of the timeline only the transfers'
 * entries (whether the case was transferred away from it), none of the others built or sent.
 */
const TAKES_PART = `($2::text IS NULL OR c.agency_ids @> ARRAY[$2::text])`;
const CASE_SQL = `
SELECT json_build_object(
  'caseId', c.id, 'reference', c.reference, 'path', c.path, 'status', c.status, 'openedAt', ${iso('c.opened_at')},
  'closedAt', ${iso('c.closed_at')}, 'policyVersion', c.policy_version, 'agencies', c.agencies, 'version', c.version,
  'updatedAt', ${iso('c.updated_at')}, 'identifiedIn', c.identified_in,
  'steps', (SELECT coalesce(json_agg(json_build_object(${STEP_FIELDS}, 'completedBy', ${SIGNER}) ORDER BY s.opened_at, s.position NULLS LAST, s.step_id), '[]')
            FROM case_steps s WHERE s.case_id = c.id AND ${TAKES_PART}),
  'timeline', (SELECT coalesce(json_agg(json_build_object('seq', t.seq, 'at', ${iso('t.at')}, 'type', t.type,
                 'stepId', t.step_id, 'actorAgencyId', t.actor_agency_id, 'summary', ${TIMELINE_SUMMARY}) ORDER BY t.seq), '[]')
               FROM case_timeline t WHERE t.case_id = c.id AND (${TAKES_PART} OR t.type = 'case.transferred'))
) AS view
FROM cases c WHERE c.id = $1`;

/**
 * The history length the case's last projection was written at (`projectCase`), 0 for a case without a row: that of
 * the run that wrote it, which a run continued as new since restarts from 1.
 */
export async function projectedHistoryLength(db: Queryable, caseId: string): Promise<number> {
  const { rows } = await db.query<{ history_length: number }>('SELECT history_length FROM cases WHERE id = $1', [
    caseId,
  ]);
  return rows[0]?.history_length ?? 0;
}

/**
 * The case with its steps and timeline, or null when never projected. With `seenBy`, an agency: the whole case only
 * if that agency takes part in it; else the case row with no steps and its transfers' entries alone, enough to refuse
 * it (app/case-reads.ts), never a view to show. So refusing a case of other agencies reads what refusing an id no case
 * has does, one row by its key, and takes no longer however long its timeline: a script timing many refusals could
 * otherwise tell the two apart.
 */
export async function getCase(db: Queryable, caseId: string, seenBy?: string): Promise<CaseView | null> {
  const { rows } = await db.query<{ view: CaseView }>(prepared(CASE_SQL, [caseId, seenBy ?? null]));
  return rows[0]?.view ?? null;
}

/**
 * The agencies taking part in the case as the read model has them now (a transfer replaces one of a kind), or null
 * for a case it does not hold. Read in a caller's transaction, it sees the transfers committed before it.
 */
export async function caseAgenciesOf(db: Queryable, caseId: string): Promise<CaseAgencies | null> {
  const { rows } = await db.query<{ agencies: CaseAgencies }>('SELECT agencies FROM cases WHERE id = $1', [caseId]);
  return rows[0]?.agencies ?? null;
}

/** The sort key: due date, with undated steps after every dated one; must match the partial indexes' expression. */
const DUE_KEY = `COALESCE(s.due_at, 'infinity'::timestamptz)`;

/** A keyset position, opaque to clients: the sort key's values of the last row of a page. */
function encodeCursor(key: string[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** A timestamptz as PostgreSQL writes it as text (`2026-11-20 10:00:00.123+00`), or `infinity` (an undated step). */
const TIMESTAMP_TEXT = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?)([+-]\d{2}(?::\d{2}){0,2})$/;

/** The parts of a cursor's key, each checked as `encodeCursor` wrote it, before it is a query's parameter. */
export const CURSOR_PART = {
  instant: (text: string): boolean => {
    const match = TIMESTAMP_TEXT.exec(text);
    if (!match) return false;
    // A day that is no day (2026-02-30) or an hour that is no hour would be PostgreSQL's refusal, and its log line.
    const at = new Date(`${match[1]}T${match[2]}Z`);
    return !Number.isNaN(at.getTime()) && at.toISOString().slice(0, 19) === `${match[1]}T${match[2]!.slice(0, 8)}`;
  },
  dueKey: (text: string): boolean => text === 'infinity' || CURSOR_PART.instant(text),
  uuid: (text: string): boolean => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(text),
  stepId: (text: string): boolean => text.length > 0 && text.length <= 200,
} satisfies Record<string, (text: string) => boolean>;

/**
 * The key `encodeCursor` wrote, each part as `parts` expects it (an instant, a uuid, a step id); anything else is an
 * `InvalidCursorError`, before any query runs with it.
 */
export function decodeCursor(cursor: string, parts: readonly ((text: string) => boolean)[]): string[] {
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(key) &&
      key.length === parts.length &&
      key.every((part, index) => typeof part === 'string' && parts[index]!(part))
    )
      return key as string[];
  } catch {
    // fall through
  }
  throw new InvalidCursorError();
}

/** The filter of a step list (`StepFilter` but its page): the conditions on `case_steps s JOIN cases c`, in order. */
type StepsFilter = Omit<StepFilter, 'sort' | 'limit' | 'cursor'>;

/**
 * The WHERE of the steps a filter selects (`StepsFilter`), with its values, and the API's `overdue` of a row
 * (`overdueSql` at the filter's `now`, its clock a parameter once asked for): one builder for the list (`listSteps`) and its count (`countSteps`).
 */
function stepsWhere(filter: StepsFilter) {
  const values: unknown[] = [];
  const param = (value: unknown): string => `$${values.push(value)}`;
  const conditions = [`s.status = 'pending'`];
  // Its clock a parameter only where the statement reads it: an unused one has no type PostgreSQL can tell.
  let overdueAtNow: string | undefined;
  const overdue = () => (overdueAtNow ??= overdueSql(`${param(filter.now)}::timestamptz`));

  if (filter.status === 'overdue') conditions.push(overdue());
  if (filter.status === 'due_soon')
    conditions.push(dueSoonSql(param(filter.now), param(filter.soonUntil ?? filter.now)));
  if (filter.agencyId !== undefined) conditions.push(`s.agency_id = ${param(filter.agencyId)}`);
  if (filter.participantAgencyId !== undefined)
    conditions.push(`c.agency_ids @> ARRAY[${param(filter.participantAgencyId)}]`);
  if (filter.agencyKind !== undefined) conditions.push(`s.agency_kind = ${param(filter.agencyKind)}`);
  if (filter.kind !== undefined) conditions.push(`s.kind = ${param(filter.kind)}`);
  if (filter.caseId !== undefined) conditions.push(`s.case_id = ${param(filter.caseId)}`);
  const dueBound = (
    operator: '<' | '>=',
    bound: Instant | undefined,
    atTheHour: Instant | undefined,
    moved: readonly Instant[] | undefined,
  ) => {
    if (bound === undefined && atTheHour === undefined) return;
    // The instants that read the day before the bound though at or after it: out of "after", into "before".
    const instants = bound !== undefined && moved && moved.length > 0 ? `${param(moved)}::timestamptz[]` : undefined;
    const byBound =
      bound === undefined
        ? 'true'
        : instants === undefined
          ? `s.due_at ${operator} ${param(bound)}`
          : operator === '<'
            ? `(s.due_at < ${param(bound)} OR s.due_at = ANY(${instants}))`
            : `(s.due_at >= ${param(bound)} AND s.due_at <> ALL(${instants}))`;
    if (atTheHour === undefined) conditions.push(byBound);
    else {
      const kinds = param(STEP_KINDS_DUE_AT_THE_HOUR);
      conditions.push(
        `(CASE WHEN s.kind = ANY(${kinds}::text[]) THEN s.due_at ${operator} ${param(atTheHour)} ELSE ${byBound} END)`,
      );
    }
    // The same bounds on the sort key, widened to take in every row they let through: a range the indexes on
    // (…, due key, …) walk, where a condition on due_at alone (or a CASE) is a filter over all an agency's pending steps.
    if (bound === undefined) return;
    const edges = [bound, ...(atTheHour === undefined ? [] : [atTheHour])].map(Date.parse);
    const edge =
      operator === '>='
        ? Math.min(...edges)
        : Math.max(...edges, ...(moved ?? []).map((instant) => Date.parse(instant) + 1));
    conditions.push(`${DUE_KEY} ${operator} ${param(new Date(edge).toISOString())}::timestamptz`);
  };
  dueBound('<', filter.dueBefore, filter.dueAtTheHourBefore, filter.dueBeforeAlso);
  dueBound('>=', filter.dueAfter, filter.dueAtTheHourAfter, filter.dueAfterExcept);
  return { values, param, conditions, overdue };
}

/**
 * How many steps a filter selects (`StepsFilter`), all of them, as the list pages them (`listSteps`): the inbox's count
 * of its overdue steps, whatever their number, by the list's own conditions and nothing else.
 */
export async function countSteps(pool: Queryable, filter: StepsFilter): Promise<number> {
  const { values, conditions } = stepsWhere(filter);
  const { rows } = await pool.query<{ count: number }>(
    prepared(
      `SELECT count(*)::integer AS count FROM case_steps s JOIN cases c ON c.id = s.case_id
     WHERE ${conditions.join(' AND ')}`,
      values,
    ),
  );
  return rows[0]?.count ?? 0;
}

/**
 * Pending or overdue steps, filtered and sorted by due date, one keyset page at a time: deep pages cost the same as
 * the first, and rows changing between pages never repeat or skip the rows around them.
 */
export async function listSteps(pool: Queryable, filter: StepFilter): Promise<StepPage> {
  const limit = Math.min(Math.max(Math.trunc(filter.limit) || 1, 1), MAX_STEP_PAGE);
  const { values, param, conditions, overdue } = stepsWhere(filter);

  const descending = filter.sort === '-due_at';
  if (filter.cursor !== undefined) {
    const [dueKey, caseId, stepId] = decodeCursor(filter.cursor, [
      CURSOR_PART.dueKey,
      CURSOR_PART.uuid,
      CURSOR_PART.stepId,
    ]);
    const after = descending ? '<' : '>';
    conditions.push(
      `(${DUE_KEY}, s.case_id, s.step_id) ${after} (${param(dueKey)}::timestamptz, ${param(caseId)}::uuid, ${param(stepId)})`,
    );
  }
  const direction = descending ? 'DESC' : 'ASC';

  return keysetPage(
    () =>
      pool.query<{ item: StepListItem; due_key: string; case_id: string; step_id: string }>(
        prepared(
          `SELECT json_build_object(${STEP_FIELDS}, 'caseId', s.case_id, 'caseReference', c.reference,
            'caseIdentifiedIn', c.identified_in, 'overdue', ${overdue()}) AS item,
            ${DUE_KEY}::text AS due_key, s.case_id, s.step_id
     FROM case_steps s JOIN cases c ON c.id = s.case_id
     WHERE ${conditions.join(' AND ')}
     ORDER BY ${DUE_KEY} ${direction}, s.case_id ${direction}, s.step_id ${direction}
     LIMIT ${param(limit + 1)}`,
          values,
        ),
      ),
    limit,
    filter.cursor,
    (row) => [row.due_key, row.case_id, row.step_id],
  );
}

/**
 * One keyset page of a list: `run` asks for `limit + 1` rows, so a next page exists when more come back; its cursor
 * is `keyOf` the page's last row. A cursor that decodes but names an impossible position (not a date, not a uuid)
 * makes PostgreSQL refuse the query (SQLSTATE class 22): the client's error too.
 */
export async function keysetPage<Row extends { item: unknown }>(
  run: () => Promise<{ rows: Row[] }>,
  limit: number,
  cursor: string | undefined,
  keyOf: (row: Row) => string[],
): Promise<{ items: Row['item'][]; nextCursor: string | null }> {
  const { rows } = await run().catch((error: unknown) => {
    if (cursor !== undefined && (error as { code?: string }).code?.startsWith('22')) throw new InvalidCursorError();
    throw error;
  });
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map((row) => row.item),
    nextCursor: rows.length > limit && last ? encodeCursor(keyOf(last)) : null,
  };
}
