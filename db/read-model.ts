/**
 * The read model: each case as its workflow last projected it, and the lists of pending and overdue steps.
 * Writes come only from the projection activity; reads serve the API.
 */
import type { Pool } from 'pg';
import { recordAppliedCommand } from './audit';
import { inTransaction, type Queryable } from './pool';
import type { CaseProjection, ScheduledAlarm } from '../domain/alarms';
import type { AgencyKind, AppliedCommand, CaseSnapshot, Instant, Step, StepKind, TimelineEntry } from '../domain/types';

export { saveSurvivor, getSurvivor } from './survivors';

/** A case as the API shows it: the last projected snapshot and when it was written. */
export type CaseView = CaseSnapshot & { updatedAt: Instant };

/** A step in a list, with the case it belongs to. */
type StepListItem = Step & { caseId: string; caseReference: string };

const MAX_STEP_PAGE = 200;

export interface StepFilter {
  /** `overdue`: pending with a due date before `now`. */
  status: 'pending' | 'overdue';
  agencyId?: string;
  /** Only steps of cases this agency takes part in. */
  participantAgencyId?: string;
  agencyKind?: AgencyKind;
  kind?: StepKind;
  /** Due strictly before this instant. */
  dueBefore?: Instant;
  /** Due at or after this instant (so `dueAfter`/`dueBefore` ranges tile without overlap). */
  dueAfter?: Instant;
  caseId?: string;
  /** By due date, earliest first (`due_at`) or latest first (`-due_at`); steps without a due date come last in `due_at`. */
  sort: 'due_at' | '-due_at';
  /** 1 to 200; larger values are capped. */
  limit: number;
  /** `nextCursor` of the previous page, with the same filter and sort. */
  cursor?: string;
  /** The clock `overdue` is measured against. */
  now: Date;
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
 * Writes a snapshot in one transaction, only if it is newer than what is stored: a late or repeated projection is a
 * no-op and returns false. The case row's version check and update are one statement, so two concurrent projections
 * cannot both apply. Steps are replaced by the snapshot's (the workflow's list is complete); timeline entries are
 * upserted by sequence number and never deleted, so the audit trail survives a snapshot that carries only recent
 * entries. Alarms to come are replaced too, except those already raised: the outbox row of the same case and alarm
 * is written before the projection that follows the alarm, and the raised alarm keeps its row to show when it was due.
 *
 * With `command`, the command that produced the snapshot gets its audit row in the same transaction (one commit, and
 * idempotent too), before the version check: no applied command lacks one even when a newer projection overtook it.
 */
export async function projectCase(pool: Pool, snapshot: CaseProjection, command?: AppliedCommand): Promise<boolean> {
  return inTransaction(pool, async (client) => {
    if (command) await recordAppliedCommand(client, command);
    const newer = await client.query(
      `INSERT INTO cases (id, reference, path, status, opened_at, closed_at, policy_version, agencies, version, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now())
       ON CONFLICT (id) DO UPDATE SET
         reference = EXCLUDED.reference, path = EXCLUDED.path, status = EXCLUDED.status, opened_at = EXCLUDED.opened_at,
         closed_at = EXCLUDED.closed_at, policy_version = EXCLUDED.policy_version, agencies = EXCLUDED.agencies,
         version = EXCLUDED.version, updated_at = now()
       WHERE cases.version < EXCLUDED.version
       RETURNING id`,
      [
        snapshot.caseId,
        snapshot.reference,
        snapshot.path,
        snapshot.status,
        snapshot.openedAt,
        snapshot.closedAt,
        snapshot.policyVersion,
        JSON.stringify(snapshot.agencies),
        snapshot.version,
      ],
    );
    if (newer.rowCount === 0) return false;

    await client.query('DELETE FROM case_steps WHERE case_id = $1', [snapshot.caseId]);
    // One statement per table whatever the number of rows: the rows travel as one JSON array.
    await client.query(
      `INSERT INTO case_steps (case_id, step_id, kind, track, agency_kind, agency_id, status, opened_at, due_at, expires_at,
                               completed_at, outcome, details, position)
       SELECT $1, s.id, s.kind, s.track, s."agencyKind", s."agencyId", s.status, s."openedAt", s."dueAt", s."expiresAt",
              s."completedAt", s.outcome, COALESCE(s.details, '{}'::jsonb), s.position
       FROM ROWS FROM (jsonb_to_recordset($2::jsonb) AS (id text, kind text, track text, "agencyKind" text, "agencyId" text,
            status text, "openedAt" timestamptz, "dueAt" timestamptz, "expiresAt" timestamptz, "completedAt" timestamptz,
            outcome text, details jsonb))
            WITH ORDINALITY AS s(id, kind, track, "agencyKind", "agencyId", status, "openedAt", "dueAt", "expiresAt",
            "completedAt", outcome, details, position)`,
      [snapshot.caseId, JSON.stringify(snapshot.steps)],
    );
    await client.query(
      `INSERT INTO case_timeline (case_id, seq, at, type, step_id, actor_agency_id, summary)
       SELECT $1, t.seq, t.at, t.type, t."stepId", t."actorAgencyId", t.summary
       FROM jsonb_to_recordset($2::jsonb) AS t(seq integer, at timestamptz, type text, "stepId" text, "actorAgencyId" text,
            summary text)
       ON CONFLICT (case_id, seq) DO UPDATE SET
         at = EXCLUDED.at, type = EXCLUDED.type, step_id = EXCLUDED.step_id, actor_agency_id = EXCLUDED.actor_agency_id,
         summary = EXCLUDED.summary`,
      [snapshot.caseId, JSON.stringify(snapshot.timeline)],
    );
    if (snapshot.alarms) await replaceAlarms(client, snapshot.caseId, snapshot.alarms);
    return true;
  });
}

async function replaceAlarms(client: Queryable, caseId: string, alarms: ScheduledAlarm[]): Promise<void> {
  await client.query(
    `DELETE FROM case_alarms a WHERE a.case_id = $1
       AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.case_id = a.case_id::text AND n.alarm_id = a.alarm_id)`,
    [caseId],
  );
  await client.query(
    `INSERT INTO case_alarms (case_id, alarm_id, at, kind, step_id, step_kind, about, recipient_agency_id)
     SELECT $1, a."alarmId", a.at, a.kind, a."stepId", a."stepKind", a.about, a."recipientAgencyId"
     FROM jsonb_to_recordset($2::jsonb) AS a("alarmId" text, at timestamptz, kind text, "stepId" text, "stepKind" text,
          about text, "recipientAgencyId" text)
     ON CONFLICT (case_id, alarm_id) DO NOTHING`,
    [caseId, JSON.stringify(alarms)],
  );
}

interface CaseRow {
  id: string;
  reference: string;
  path: CaseSnapshot['path'];
  status: CaseSnapshot['status'];
  opened_at: Date;
  closed_at: Date | null;
  policy_version: string;
  agencies: CaseSnapshot['agencies'];
  version: number;
  updated_at: Date;
}

interface StepRow {
  case_id: string;
  step_id: string;
  kind: StepKind;
  track: Step['track'];
  agency_kind: AgencyKind;
  agency_id: string | null;
  status: Step['status'];
  opened_at: Date;
  due_at: Date | null;
  expires_at: Date | null;
  completed_at: Date | null;
  outcome: string | null;
  details: Step['details'];
}

interface TimelineRow {
  seq: number;
  at: Date;
  type: string;
  step_id: string | null;
  actor_agency_id: string | null;
  summary: string;
}

const iso = (date: Date | null): Instant | null => (date ? date.toISOString() : null);

function stepFromRow(row: StepRow): Step {
  return {
    id: row.step_id,
    kind: row.kind,
    track: row.track,
    agencyKind: row.agency_kind,
    agencyId: row.agency_id,
    status: row.status,
    openedAt: row.opened_at.toISOString(),
    dueAt: iso(row.due_at),
    expiresAt: iso(row.expires_at),
    completedAt: iso(row.completed_at),
    outcome: row.outcome,
    details: row.details,
  };
}

/** The case with its steps (by opening time) and timeline (by sequence), or null when never projected. */
export async function getCase(pool: Pool, caseId: string): Promise<CaseView | null> {
  const [cases, steps, timeline] = await Promise.all([
    pool.query<CaseRow>('SELECT * FROM cases WHERE id = $1', [caseId]),
    // Steps opened by one event (the identification opens several) keep the order the workflow opened them in.
    pool.query<StepRow>(
      'SELECT * FROM case_steps WHERE case_id = $1 ORDER BY opened_at, position NULLS LAST, step_id',
      [caseId],
    ),
    pool.query<TimelineRow>('SELECT * FROM case_timeline WHERE case_id = $1 ORDER BY seq', [caseId]),
  ]);
  const row = cases.rows[0];
  if (!row) return null;
  return {
    caseId: row.id,
    reference: row.reference,
    path: row.path,
    status: row.status,
    openedAt: row.opened_at.toISOString(),
    closedAt: iso(row.closed_at),
    policyVersion: row.policy_version,
    agencies: row.agencies,
    version: row.version,
    updatedAt: row.updated_at.toISOString(),
    steps: steps.rows.map(stepFromRow),
    timeline: timeline.rows.map((t): TimelineEntry => ({
      seq: t.seq,
      at: t.at.toISOString(),
      type: t.type,
      stepId: t.step_id,
      actorAgencyId: t.actor_agency_id,
      summary: t.summary,
    })),
  };
}

/** The sort key: due date, with undated steps after every dated one; must match the partial indexes' expression. */
const DUE_KEY = `COALESCE(s.due_at, 'infinity'::timestamptz)`;

type CursorKey = [dueKey: string, caseId: string, stepId: string];

function encodeCursor(key: CursorKey): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

function decodeCursor(cursor: string): CursorKey {
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(key) && key.length === 3 && key.every((part) => typeof part === 'string'))
      return key as CursorKey;
  } catch {
    // fall through
  }
  throw new InvalidCursorError();
}

/**
 * Pending or overdue steps, filtered and sorted by due date, one keyset page at a time: deep pages cost the same as
 * the first, and rows changing between pages never repeat or skip the rows around them.
 */
export async function listSteps(pool: Pool, filter: StepFilter): Promise<StepPage> {
  const limit = Math.min(Math.max(Math.trunc(filter.limit) || 1, 1), MAX_STEP_PAGE);
  const values: unknown[] = [];
  const param = (value: unknown): string => `$${values.push(value)}`;
  const conditions = [`s.status = 'pending'`];

  if (filter.status === 'overdue') conditions.push(`s.due_at < ${param(filter.now)}`);
  if (filter.agencyId !== undefined) conditions.push(`s.agency_id = ${param(filter.agencyId)}`);
  if (filter.participantAgencyId !== undefined)
    conditions.push(`c.agency_ids @> ARRAY[${param(filter.participantAgencyId)}]`);
  if (filter.agencyKind !== undefined) conditions.push(`s.agency_kind = ${param(filter.agencyKind)}`);
  if (filter.kind !== undefined) conditions.push(`s.kind = ${param(filter.kind)}`);
  if (filter.caseId !== undefined) conditions.push(`s.case_id = ${param(filter.caseId)}`);
  if (filter.dueBefore !== undefined) conditions.push(`s.due_at < ${param(filter.dueBefore)}`);
  if (filter.dueAfter !== undefined) conditions.push(`s.due_at >= ${param(filter.dueAfter)}`);

  const descending = filter.sort === '-due_at';
  if (filter.cursor !== undefined) {
    const [dueKey, caseId, stepId] = decodeCursor(filter.cursor);
    const after = descending ? '<' : '>';
    conditions.push(
      `(${DUE_KEY}, s.case_id, s.step_id) ${after} (${param(dueKey)}::timestamptz, ${param(caseId)}::uuid, ${param(stepId)})`,
    );
  }
  const direction = descending ? 'DESC' : 'ASC';

  const { rows } = await pool
    .query<StepRow & { case_reference: string; due_key: string }>(
      `SELECT s.*, c.reference AS case_reference, ${DUE_KEY}::text AS due_key
     FROM case_steps s JOIN cases c ON c.id = s.case_id
     WHERE ${conditions.join(' AND ')}
     ORDER BY ${DUE_KEY} ${direction}, s.case_id ${direction}, s.step_id ${direction}
     LIMIT ${param(limit + 1)}`,
      values,
    )
    .catch((error: unknown) => {
      // A cursor that decodes but names an impossible position (not a date, not a uuid) is the client's error too.
      if (filter.cursor !== undefined && (error as { code?: string }).code?.startsWith('22'))
        throw new InvalidCursorError();
      throw error;
    });

  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map((row) => ({ ...stepFromRow(row), caseId: row.case_id, caseReference: row.case_reference })),
    nextCursor: rows.length > limit && last ? encodeCursor([last.due_key, last.case_id, last.step_id]) : null,
  };
}
