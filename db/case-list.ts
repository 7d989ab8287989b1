/**
 * The caseload: the cases an agency takes part in, filtered, newest first, one keyset page at a time. Every filter
 * has an index that serves it at 100,000 cases (migration case-list-indexes; test/db/suites/read-plans.ts shows the
 * plans). No personal data: a case row holds references, dates and agency ids only.
 */
import { prepared, type Queryable } from './pool';
import { CURSOR_PART, decodeCursor, iso, keysetPage } from './read-model';
import type { IsoDate } from '../domain/dates';
import type { CaseSnapshot, Instant, StepKind, Track } from '../domain/types';
import { overdueSql } from './overdue';

const MAX_CASE_PAGE = 200;

export interface CaseFilter {
  /** Only cases this agency takes part in: the caller's own. */
  participantAgencyId: string;
  /**
   * The steps the caller sees (domain/access.ts `seenStepsAgency`): only this agency's steps are filtered on (track,
   * pendingKind, overdue) and counted (pendingSteps, overdueSteps, nextDueAt); undefined: every agency's. A filter
   * over steps the caller may not see would tell what the case itself hides (whether a T visa was filed, say).
   */
  stepAgencyId: string | undefined;
  status?: CaseSnapshot['status'];
  path?: CaseSnapshot['path'];
  /** Cases that name this agency (of any kind). */
  agencyId?: string;
  /** Cases with a step on this track. */
  track?: Track;
  /** Cases with a pending step of this kind. */
  pendingKind?: StepKind;
  /** true: cases with a pending step past its due date; false: cases without one. With pendingKind: a step of that kind. */
  overdue?: boolean;
  /** Opened (entered into the service) at or after / strictly before. */
  openedFrom?: Instant;
  openedTo?: Instant;
  /**
   * Identified by law enforcement on or after / on or before these days, both included: the day of the
   * identification where it was made (its step's `identifiedOn`), not the UTC day of its instant.
   */
  identifiedFrom?: IsoDate;
  identifiedTo?: IsoDate;
  /**
   * The start of the reference, as typed into a search box, its letters' case ignored: an assigned reference read out
   * on the phone is typed in any case, and a chosen one is stored as its agency wrote it.
   */
  referencePrefix?: string;
  /**
   * A survivor's name, as the blind index searches it (core/name-index.ts `nameSearchTerms`): for each token of the
   * name, its HMACs under each key; a case matches when its name has every token. Never the name itself.
   */
  nameTerms?: Buffer[][];
  /**
   * With `nameTerms`: only the cases where this agency owns a step (any, in any status). ICE and HHS read a survivor's
   * identity only once a request reached them, so a name finds for them only those cases: the same rule as
   * domain/access.ts `survivorRefusal` (`identityStepAgency` gives this id), in SQL. Keep both together.
   */
  identityStepAgencyId?: string;
  /** 1 to 200; larger values are capped. */
  limit: number;
  /** `nextCursor` of the previous page, with the same filter. */
  cursor?: string;
  /** The clock "overdue" is measured against. */
  now: Date;
}

interface CaseListItem extends Pick<
  CaseSnapshot,
  'caseId' | 'reference' | 'path' | 'status' | 'openedAt' | 'closedAt' | 'agencies'
> {
  identifiedAt: Instant | null;
  /** The day of the identification where it was made, as its agency wrote it. */
  identifiedOn: IsoDate | null;
  /** The zone the identification was read in, kept with the case (db/read-model.ts `CaseView`); null if not kept. */
  identifiedIn: string | null;
  /** Counted over the steps the caller sees (`stepAgencyId`), as is `nextDueAt`. */
  pendingSteps: number;
  overdueSteps: number;
  /** The earliest due date of its pending steps the caller sees. */
  nextDueAt: Instant | null;
  /** The kind of the step due then, which says whether its deadline is a day or an hour (the 24-hour notice). */
  nextDueKind: StepKind | null;
  /** Whether the deadline due then is a day, met all of it wherever it is read (domain/types.ts `dueOnADay`). */
  nextDueOnADay: boolean | null;
  /** Whether the step due then is overdue (db/overdue.ts `overdueSql`, as `overdueSteps` counts it); null without one. */
  nextDueOverdue: boolean | null;
}

export interface CasePage {
  items: CaseListItem[];
  /** Null on the last page. */
  nextCursor: string | null;
}

/**
 * A typed prefix as the pattern of `upper(c.reference) LIKE`, which the index on upper(reference) serves (migration
 * reference-prefix-any-case): in upper case, LIKE's own characters matching themselves, not any text.
 */
const likePrefix = (prefix: string) => `${prefix.toUpperCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** The identification step of case `c`, as `i`. */
const IDENTIFICATION = `FROM case_steps i WHERE i.case_id = c.id AND i.kind = 'identification'`;
/** The day of `i` where it was made (migration identified-on-local-day indexes it). */
const IDENTIFIED_ON = `(i.details->>'identifiedOn')`;

export async function listCases(db: Queryable, filter: CaseFilter): Promise<CasePage> {
  const limit = Math.min(Math.max(Math.trunc(filter.limit) || 1, 1), MAX_CASE_PAGE);
  const values: unknown[] = [];
  const param = (value: unknown): string => `$${values.push(value)}`;
  const now = param(filter.now);
  const conditions = [`c.agency_ids @> ARRAY[${param(filter.participantAgencyId)}]`];
  // Every read of a case's steps below (filters and counts) goes through this: the steps of `s` the caller sees.
  const seenStep =
    filter.stepAgencyId === undefined
      ? 's.case_id = c.id'
      : `s.case_id = c.id AND s.agency_id = ${param(filter.stepAgencyId)}`;
  // With pendingKind, "overdue" is about the step waited for: "waiting for a T-visa filing, overdue" is a late filing,
  // not a case whose filing is months away and whose CP request is late.
  const waitingStep =
    `SELECT 1 FROM case_steps s WHERE ${seenStep} AND s.status = 'pending'` +
    (filter.pendingKind === undefined ? '' : ` AND s.kind = ${param(filter.pendingKind)}`);

  if (filter.status !== undefined) conditions.push(`c.status = ${param(filter.status)}`);
  if (filter.path !== undefined) conditions.push(`c.path = ${param(filter.path)}`);
  if (filter.agencyId !== undefined) conditions.push(`c.agency_ids @> ARRAY[${param(filter.agencyId)}]`);
  if (filter.track !== undefined)
    conditions.push(`EXISTS (SELECT 1 FROM case_steps s WHERE ${seenStep} AND s.track = ${param(filter.track)})`);
  if (filter.pendingKind !== undefined) conditions.push(`EXISTS (${waitingStep})`);
  if (filter.overdue !== undefined)
    conditions.push(`${filter.overdue ? '' : 'NOT '}EXISTS (${waitingStep} AND ${overdueSql(now)})`);
  if (filter.openedFrom !== undefined) conditions.push(`c.opened_at >= ${param(filter.openedFrom)}`);
  if (filter.openedTo !== undefined) conditions.push(`c.opened_at < ${param(filter.openedTo)}`);
  if (filter.identifiedFrom !== undefined || filter.identifiedTo !== undefined) {
    // YYYY-MM-DD text sorts in date order: the index on the step's identifiedOn serves both bounds.
    const range = [
      filter.identifiedFrom === undefined ? null : `${IDENTIFIED_ON} >= ${param(filter.identifiedFrom)}`,
      filter.identifiedTo === undefined ? null : `${IDENTIFIED_ON} <= ${param(filter.identifiedTo)}`,
    ].filter((condition) => condition !== null);
    conditions.push(`EXISTS (SELECT 1 ${IDENTIFICATION} AND ${range.join(' AND ')})`);
  }
  if (filter.referencePrefix !== undefined)
    conditions.push(`upper(c.reference) LIKE ${param(likePrefix(filter.referencePrefix))}`);
  for (const term of filter.nameTerms ?? [])
    conditions.push(
      `c.id IN (SELECT n.case_id FROM survivor_name_index n WHERE n.token_hmac = ANY(${param(term)}::bytea[]))`,
    );
  if (filter.nameTerms !== undefined && filter.identityStepAgencyId !== undefined)
    conditions.push(
      `EXISTS (SELECT 1 FROM case_steps s WHERE s.case_id = c.id AND s.agency_id = ${param(filter.identityStepAgencyId)})`,
    );
  if (filter.cursor !== undefined) {
    const [openedAt, caseId] = decodeCursor(filter.cursor, [CURSOR_PART.instant, CURSOR_PART.uuid]);
    conditions.push(`(c.opened_at, c.id) < (${param(openedAt)}::timestamptz, ${param(caseId)}::uuid)`);
  }

  return keysetPage(
    () =>
      db.query<{ item: CaseListItem; opened_key: string; id: string }>(
        prepared(
          `SELECT json_build_object(
         'caseId', c.id, 'reference', c.reference, 'path', c.path, 'status', c.status,
         'openedAt', ${iso('c.opened_at')}, 'closedAt', ${iso('c.closed_at')}, 'agencies', c.agencies,
         'identifiedAt', (SELECT ${iso('i.completed_at')} ${IDENTIFICATION} LIMIT 1),
         'identifiedOn', (SELECT ${IDENTIFIED_ON} ${IDENTIFICATION} LIMIT 1), 'identifiedIn', c.identified_in,
         'pendingSteps', p.pending, 'overdueSteps', p.overdue, 'nextDueAt', ${iso('p.next_due')},
         'nextDueKind', p.next_due_kind, 'nextDueOnADay', p.next_due_on_a_day,
         'nextDueOverdue', p.next_due_overdue
       ) AS item, c.opened_at::text AS opened_key, c.id
       FROM cases c
       CROSS JOIN LATERAL (
         SELECT count(*)::int AS pending, (count(*) FILTER (WHERE ${overdueSql(now)}))::int AS overdue,
                min(s.due_at) AS next_due,
                (array_agg(s.kind ORDER BY s.due_at, s.kind) FILTER (WHERE s.due_at IS NOT NULL))[1] AS next_due_kind,
                (array_agg(s.due_on_a_day ORDER BY s.due_at, s.kind) FILTER (WHERE s.due_at IS NOT NULL))[1]
                  AS next_due_on_a_day,
                (array_agg(${overdueSql(now)} ORDER BY s.due_at, s.kind) FILTER (WHERE s.due_at IS NOT NULL))[1]
                  AS next_due_overdue
         FROM case_steps s WHERE ${seenStep} AND s.status = 'pending'
       ) p
       WHERE ${conditions.join(' AND ')}
       ORDER BY c.opened_at DESC, c.id DESC
       LIMIT ${param(limit + 1)}`,
          values,
        ),
      ),
    limit,
    filter.cursor,
    (row) => [row.opened_key, row.id],
  );
}
