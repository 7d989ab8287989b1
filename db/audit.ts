/**
 * The audit trail: append-only (the service's database role may only INSERT and SELECT, and a trigger refuses
 * UPDATE and DELETE to everyone). It records who did what to which case and how it ended; never personal data.
 */
import type { Pool, PoolClient } from 'pg';
import type { AuditScope } from '../domain/access';
import type { AppliedCommand } from '../domain/types';
import { prepared, type Queryable } from './pool';

export const AUDIT_OUTCOMES = ['allowed', 'denied', 'rejected', 'failed'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

export interface AuditEntry {
  action: string;
  outcome: AuditOutcome;
  /** The authenticated user, when there is one (a failed sign-in has none). */
  user?: { id: string; username: string; agencyId: string; roles: readonly string[] };
  caseId?: string;
  stepId?: string;
  status?: number;
  requestId?: string;
  /** Codes and field names only, never input values. */
  detail?: string;
}

interface AuditEvent {
  id: string;
  at: string;
  userId: string | null;
  username: string | null;
  agencyId: string | null;
  roles: string[];
  action: string;
  caseId: string | null;
  /** The case's reference, for people to read and follow (null when no case or it is not in the read model). */
  caseReference: string | null;
  stepId: string | null;
  outcome: AuditOutcome;
  status: number | null;
  requestId: string | null;
  detail: string | null;
}

/** Every audited request writes one: `prepared` (db/pool.ts), parsed and planned once per connection. */
const RECORD_SQL = `INSERT INTO audit_events (user_id, username, agency_id, roles, action, case_id, step_id, outcome, status, request_id, detail)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`;

export async function recordAudit(db: Pool | PoolClient, entry: AuditEntry): Promise<void> {
  await db.query(
    prepared(RECORD_SQL, [
      entry.user?.id ?? null,
      entry.user?.username ?? null,
      entry.user?.agencyId ?? null,
      entry.user ? [...entry.user.roles] : null,
      entry.action,
      entry.caseId ?? null,
      entry.stepId ?? null,
      entry.outcome,
      entry.status ?? null,
      entry.requestId ?? null,
      entry.detail?.slice(0, 500) ?? null,
    ]),
  );
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An actor's id as a `users.id` (uuid) column takes it, or null for an actor of another shape (a test's, a system's). */
export const userRowIdOf = (actorUserId: string): string | null => (UUID.test(actorUserId) ? actorUserId : null);

/**
 * The workflow's own audit row for a command it applied, whatever path the command came by (the API writes its
 * row too; a command sent to Temporal by anyone else holding the payload keys has only this one), as the statement
 * that inserts it from `param`, the row as JSON (`appliedCommandRow`) or null for none: the projection writes it in
 * its own statement. Like the API's rows, it names the user by their username when it is written. Idempotent:
 * INSERT ... ON CONFLICT DO NOTHING needs no UPDATE right, which the service's role does not have here.
 */
export const insertAppliedCommand = (param: string) => `
  INSERT INTO audit_events (user_id, username, agency_id, roles, action, case_id, step_id, outcome, request_id, detail,
                            applied_version)
  SELECT a.user_id, (SELECT u.username FROM users u WHERE u.id = a.user_id), a.agency_id, a.roles, a.action, a.case_id,
         a.step_id, 'allowed', a.request_id, a.detail, a.applied_version
  FROM jsonb_to_record(${param}::jsonb) AS a(user_id uuid, agency_id text, roles text[], action text, case_id uuid,
       step_id text, request_id text, detail text, applied_version integer)
  WHERE ${param}::jsonb IS NOT NULL
  ON CONFLICT (case_id, applied_version) WHERE applied_version IS NOT NULL DO NOTHING`;

/** The row `insertAppliedCommand` inserts, as its JSON parameter. */
export function appliedCommandRow(entry: AppliedCommand): string {
  const { actor } = entry;
  // user_id is a uuid column; an actor id of another shape is still named (in detail) rather than lost or retried forever.
  const userId = actor ? userRowIdOf(actor.userId) : null;
  const detail = [
    'applied_by=workflow',
    `version=${entry.version}`,
    ...(actor && !userId ? [`actor_user=${actor.userId}`] : []),
  ].join('; ');
  return JSON.stringify({
    user_id: userId,
    agency_id: actor?.agencyId ?? null,
    roles: actor ? [...(actor.roles ?? [])] : null,
    action: entry.action,
    case_id: entry.caseId,
    step_id: entry.stepId,
    request_id: actor?.requestId ?? null,
    detail: detail.slice(0, 500),
    applied_version: entry.version,
  });
}

/**
 * A row's `detail` without the case version the workflow's row names (`version=N`, `appliedCommandRow`), for a reader
 * who does not see the case whole: it counts every change of the case, those of steps the reader may not see too (an
 * ICE supervisor would read that the advocate signed in between, 8 U.S.C. 1367), as the case view no longer does.
 */
function withoutCaseVersion(detail: string | null): string | null {
  return detail === null
    ? null
    : detail
        .split('; ')
        .filter((part) => !part.startsWith('version='))
        .join('; ');
}

export interface AuditFilter {
  caseId?: string;
  /** The case's reference, as people know it, its letters in any case: the same as its `caseId`. */
  caseReference?: string;
  userId?: string;
  agencyId?: string;
  action?: string;
  outcome?: AuditOutcome;
  /** At or after. */
  from?: Date;
  /** Strictly before. */
  to?: Date;
  /** Only the events this reader sees (domain/access.ts `auditScope`). */
  visibleTo?: AuditScope;
  limit: number;
  /** `nextCursor` of the previous page. */
  cursor?: string;
}

export interface AuditPage {
  items: AuditEvent[];
  nextCursor: string | null;
}

interface AuditRow {
  id: string;
  at: Date;
  user_id: string | null;
  username: string | null;
  agency_id: string | null;
  roles: string[] | null;
  action: string;
  case_id: string | null;
  case_reference: string | null;
  step_id: string | null;
  outcome: AuditOutcome;
  status: number | null;
  request_id: string | null;
  detail: string | null;
}

/** Newest first, one keyset page at a time (the id grows with every insert). */
export async function listAudit(pool: Queryable, filter: AuditFilter): Promise<AuditPage> {
  const values: unknown[] = [];
  const param = (value: unknown): string => `$${values.push(value)}`;
  const conditions: string[] = [];
  if (filter.caseId !== undefined) conditions.push(`case_id = ${param(filter.caseId)}`);
  // A case's reference only where the reader sees the case: their users' attempts on another agency's case are
  // listed by its id alone, and a filter by that case's reference finds it no more than a reference no case has.
  const reader = filter.visibleTo && { ...filter.visibleTo, agency: param(filter.visibleTo.agencyId) };
  const readable = reader ? ` AND cases.agency_ids @> ARRAY[${reader.agency}]` : '';
  if (filter.caseReference !== undefined)
    // References are unique per agency only: two agencies' cases may share one. Their letters' case is ignored, as the
    // caseload's reference search ignores it (db/case-list.ts), and the index on upper(reference) serves it.
    conditions.push(
      `case_id IN (SELECT id FROM cases WHERE upper(reference) = ${param(filter.caseReference.toUpperCase())}${readable})`,
    );
  if (filter.userId !== undefined) conditions.push(`user_id = ${param(filter.userId)}`);
  if (filter.agencyId !== undefined) conditions.push(`agency_id = ${param(filter.agencyId)}`);
  if (filter.action !== undefined) conditions.push(`action = ${param(filter.action)}`);
  if (filter.outcome !== undefined) conditions.push(`outcome = ${param(filter.outcome)}`);
  if (filter.from !== undefined) conditions.push(`at >= ${param(filter.from)}`);
  if (filter.to !== undefined) conditions.push(`at < ${param(filter.to)}`);
  if (filter.cursor !== undefined) conditions.push(`id < ${param(filter.cursor)}`);
  if (reader) {
    const itsCases = ` OR case_id IN (SELECT id FROM cases WHERE agency_ids @> ARRAY[${reader.agency}])`;
    conditions.push(`(agency_id = ${reader.agency}${reader.withItsCases ? itsCases : ''})`);
  }
  const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
  const { rows } = await pool.query<AuditRow>(
    `SELECT a.*, (SELECT reference FROM cases WHERE cases.id = a.case_id${readable}) AS case_reference
       FROM audit_events a ${where} ORDER BY id DESC LIMIT ${param(filter.limit + 1)}`,
    values,
  );
  const items = rows.slice(0, filter.limit).map((row): AuditEvent => ({
    id: row.id,
    at: row.at.toISOString(),
    userId: row.user_id,
    username: row.username,
    agencyId: row.agency_id,
    roles: row.roles ?? [],
    action: row.action,
    caseId: row.case_id,
    caseReference: row.case_reference,
    stepId: row.step_id,
    outcome: row.outcome,
    status: row.status,
    requestId: row.request_id,
    detail: reader && !reader.withItsCases ? withoutCaseVersion(row.detail) : row.detail,
  }));
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > filter.limit && last ? last.id : null };
}
