/**
 * The compliance report's figures, computed in one statement from what the read model recorded: the steps of each case
 * (their owner, when they opened, were due, were completed or lapsed) and the timeline's alarm entries. No column read
 * here holds personal data. The definitions are the README's ("Compliance report"); this query is their one source.
 */
import type { Queryable } from './pool';
import { doneInTimeSql, lastDayEndedSql, overdueSql, withinLastDaySql } from './overdue';
import type { AgencyKind } from '../domain/types';
import type { CloseReason } from '../domain/reasons';

export interface ReportScope {
  /** Only cases this agency takes part in. */
  participantAgencyId: string;
  /** Only the facts of this agency's steps (a reader who sees no other's, domain/access.ts `seenStepsAgency`). */
  stepAgencyId?: string;
  /**
   * The period: events at or after `start` and before `end`, both the start of a UTC day; an identification is in it
   * by its day (its `identifiedOn`), from `start`'s day to the day before `end`'s.
   */
  start: Date;
  end: Date;
  /**
   * The report's clock: "at the end of the period" means at `end`, or now when the period has not ended; a minor's 24
   * hours for HHS's notice are over, or not yet, now.
   */
  now: Date;
  /**
   * The deployment's zone (`TIMEZONE`, default UTC): a step signed without its date (a filing's `filedOn`, a
   * decision's `decidedOn`...) is dated by the day it was recorded in its agency's zone, or in this one for an agency
   * without a zone of its own.
   */
  timeZone?: string;
}

/** The metrics, as the query names them; each is a set of facts (one per case or step or alarm). */
export type ReportMetric =
  | 'cases_minor'
  | 'cases_adult'
  | 'minor_notification'
  | 'minor_notification_within_24h'
  | 'cp_decision_days'
  | 'certification_letter_days'
  | 't_visa_filing_days'
  | 'cp_renewal_request'
  | 'interim_letter'
  | 'declaration_signed'
  | 'declaration_declined'
  | 'declaration_pending'
  | 'reminder'
  | 'escalation'
  | 'overdue_at_end';

/** One metric for one agency (or, with `agencyId` undefined, for all agencies together). */
export interface MetricRow {
  /** Undefined on the "all agencies" rows; null for facts of steps no agency was named for. */
  agencyId: string | null | undefined;
  agencyName: string | null;
  agencyKind: AgencyKind | null;
  metric: ReportMetric;
  /** How many facts (cases, steps, alarms). */
  n: number;
  /** Of those, how many met the metric's condition (in time, before expiry, followed within validity). */
  met: number;
  /** Of the facts' values (days), when the metric has one. */
  median: number | null;
  p90: number | null;
}

/**
 * The day a settled step (`s`, a row of `st`) happened: the day its sign-off typed (the first of `fields` given: a
 * filing's filedOn, a decision's decidedOn...), else the day it was recorded where its agency works (`st`'s zone: its
 * timeZone, else the deployment's, $7), as an identification is dated by its day where it was made. Its UTC day put a
 * step signed at 23:30 on 6 Dec in Honolulu under 7 Dec, a day later than the signer's calendar.
 */
const signedDay = (s: string, ...fields: string[]) =>
  `coalesce(${[...fields.map((field) => `(${s}.details->>'${field}')::date`), `(${s}.completed_at AT TIME ZONE ${s}.zone)::date`].join(', ')})`;
/** In the period: $1 <= at < $2. */
const inPeriod = (at: string) => `(${at} >= $1 AND ${at} < $2)`;
/** A day in the period: the period's bounds are the starts of UTC days (app/reports-service.ts), so whole days. */
const dayInPeriod = (day: string) =>
  `(${day} >= ($1::timestamptz AT TIME ZONE 'UTC')::date AND ${day} < ($2::timestamptz AT TIME ZONE 'UTC')::date)`;
/** Not settled at the period's end ($4, the end or now): completion, cancellation and lapse all set completed_at. */
const openAtEnd = (s: string) => `(${s}.opened_at < $4 AND (${s}.completed_at IS NULL OR ${s}.completed_at >= $4))`;

/**
 * The agency that had the step `s` at the instant `at` (a timestamp expression), where the step's own agency is the one
 * it has now: a transfer moves the pending steps of its kind to the new agency and leaves the settled ones
 * (README, "Transferring a case"), so a step still pending when a transfer of its kind was made at or after `at` was the
 * agency's that transfer moved the case from (the first such transfer's; "law_enforcement transferred from demo-police
 * to new-police (moved_jurisdiction)", domain/transfers.ts `transferSummary`). A LEFT JOIN LATERAL naming `as`; read it
 * with `heldThen`. Without it a past period's figure of a state (overdue or pending at its end, a minor's notice missed)
 * went to an agency the case reached only later.
 */
const heldAt = (s: string, at: string, as: string) => `LEFT JOIN LATERAL (
    SELECT true AS moved, nullif(substring(x.summary from '^\\w+ transferred from (\\S+) to '), 'null') AS agency_id
    FROM case_timeline x
    WHERE x.case_id = ${s}.case_id AND x.type = 'case.transferred'
      AND starts_with(x.summary, ${s}.agency_kind || ' transferred from ')
      AND x.at >= ${at} AND (${s}.completed_at IS NULL OR x.at < ${s}.completed_at)
    ORDER BY x.seq LIMIT 1) ${as} ON true`;
/** The agency `heldAt` found for the step `s`: the one a later transfer moved it from, else its own. */
const heldThen = (s: string, as: string) => `CASE WHEN ${as}.moved THEN ${as}.agency_id ELSE ${s}.agency_id END`;

/** The close reasons that say a case was never one of its own: left out of every figure (README, "Compliance report"). */
const NOT_A_CASE = ['duplicate', 'opened_in_error'] as const satisfies readonly CloseReason[];

/** A minor's HHS notice (`n`) still waiting while the 24 hours from the identification (`i`) are not over now ($6). */
const stillWithin24h = `(n.status = 'pending' AND $6 < i.at + interval '24 hours')`;
/**
 * A minor's HHS notice (`n`) given within the 24 hours from the identification (`i`). Dated by its day (`notifiedOn`,
 * recorded at noon UTC of a past day), on or before the day those hours end where the police work, the day after the
 * identification's there (`i.day`); else by its instant. The rule of domain/alarms.ts `minorNoticeInTimeByItsDay`, which
 * the case's notices and timeline apply: test/api/own-stack/minor-notice-by-its-day.ts holds both to the same cases.
 */
const notifiedWithin24h = `(n.status = 'completed' AND CASE WHEN n.details ? 'notifiedOn'
  THEN (n.details->>'notifiedOn')::date <= i.day + 1 ELSE n.completed_at <= i.at + interval '24 hours' END)`;

const REPORT_SQL = `
WITH scoped AS (
  SELECT id, path FROM cases
  WHERE agency_ids @> ARRAY[$3::text]
    -- Not a case closed or withdrawn as opened in error or as a duplicate: it never was a case of its own. Its reason
    -- is kept only in its timeline's entry, "case withdrawn (duplicate)" (domain/case.ts closeCase).
    AND (status = 'open' OR NOT EXISTS (
      SELECT 1 FROM case_timeline t
      WHERE t.case_id = cases.id AND t.type IN ('case.closed', 'case.withdrawn')
        AND t.summary ~ '^case (closed|withdrawn) \\((${NOT_A_CASE.join('|')})\\)$'))
),
-- Each step with the zone its agency works in (its timeZone, else the deployment's, $7), where its day is read.
st AS (
  SELECT s.*, coalesce(a.time_zone, $7) AS zone
  FROM case_steps s JOIN scoped c ON c.id = s.case_id LEFT JOIN agencies a ON a.id = s.agency_id
),
-- An identification is dated by its day where it was made, the step's identifiedOn (the day typed, or the day of its
-- instant in the identifying police's zone), as the caseload's identifiedFrom/identifiedTo read it (db/case-list.ts):
-- its UTC day put a case identified on 6 Dec in Guam under 5 Dec. A step without it (none since the first release)
-- is dated by the UTC day of its instant, as domain/case.ts identificationDayOf reads it. Its instant (at) still
-- starts a minor's 24 hours.
ident AS (
  SELECT s.case_id, s.agency_id, s.completed_at AS at, c.path,
         coalesce((s.details->>'identifiedOn')::date, (s.completed_at AT TIME ZONE 'UTC')::date) AS day
  FROM st s JOIN scoped c ON c.id = s.case_id
  WHERE s.kind = 'identification' AND s.completed_at IS NOT NULL
),
facts (agency_id, metric, value, met) AS (
  SELECT agency_id, 'cases_' || path, NULL::integer, NULL::boolean FROM ident WHERE ${dayInPeriod('day')}
  UNION ALL
  -- A minor not yet notified whose 24 hours are not over ($6, now) is no failure yet: counted apart, until notified or
  -- until those hours are over.
  -- Counted for the agency that owed the notice when the 24 hours ended, not one the case was transferred to later.
  SELECT ${heldThen('n', 'owed')}, CASE WHEN ${stillWithin24h} THEN 'minor_notification_within_24h' ELSE 'minor_notification' END,
         NULL, CASE WHEN NOT ${stillWithin24h} THEN ${notifiedWithin24h} END
  FROM ident i JOIN st n ON n.case_id = i.case_id AND n.kind = 'hhs_minor_notification'
       ${heldAt('n', "i.at + interval '24 hours'", 'owed')}
  WHERE i.path = 'minor' AND ${dayInPeriod('i.day')}
  UNION ALL
  -- Dated by the decision's or letter's own day (grantedOn, issuedOn, decidedOn), else the day it was recorded where
  -- its agency works; counted from the day the request opened it there, so both ends are that agency's calendar days
  -- (the request's UTC day counted a request at 20:00 on 1 Dec in Honolulu as of the 2nd, a day short).
  SELECT agency_id, CASE kind WHEN 'cp_decision' THEN 'cp_decision_days' ELSE 'certification_letter_days' END,
         day - (opened_at AT TIME ZONE zone)::date, NULL
  FROM (SELECT s.*, ${signedDay('s', 'grantedOn', 'issuedOn', 'decidedOn')} AS day
        FROM st s WHERE kind IN ('cp_decision', 'hhs_certification_letter') AND outcome IS NOT NULL) decision
  WHERE ${dayInPeriod('day')}
  UNION ALL
  SELECT agency_id, 't_visa_filing_days', day - identified_on, NULL
  FROM (SELECT f.agency_id, i.day AS identified_on, ${signedDay('f', 'filedOn')} AS day
        FROM st f JOIN ident i ON i.case_id = f.case_id
        WHERE f.kind = 't_visa_filing' AND f.outcome IS NOT NULL) filing
  WHERE ${dayInPeriod('day')}
  UNION ALL
  -- Requested (met when by the grant's last day, all of it wherever in the US: before the step became overdue), or
  -- cancelled when the grant lapsed first.
  SELECT agency_id, 'cp_renewal_request', NULL, outcome IS NOT NULL AND ${doneInTimeSql('s')}
  FROM st s
  WHERE kind = 'cp_renewal_request' AND ${inPeriod('completed_at')}
    AND (outcome IS NOT NULL OR (status = 'cancelled' AND completed_at >= due_at))
  UNION ALL
  -- Counted once decided, as a renewal request is: followed by the eligibility letter within its validity, all of its
  -- last day wherever in the US (met, when recorded), or its validity ended everywhere in the US without one (missed,
  -- then); a letter still valid and not followed is still open.
  SELECT agency_id, 'interim_letter', NULL, followed_at IS NOT NULL
  FROM (SELECT l.agency_id, coalesce(f.followed_at, ${lastDayEndedSql('l.expires_at')}) AS decided_at, f.followed_at
        FROM st l
             -- case_steps, not st: the primary key finds the case's steps (a scan of the CTE per letter would not).
             CROSS JOIN LATERAL (SELECT min(e.completed_at) AS followed_at FROM case_steps e
                                  WHERE e.case_id = l.case_id AND e.kind = 'hhs_eligibility_letter'
                                    AND e.outcome IS NOT NULL
                                    AND ${withinLastDaySql('e.completed_at', 'l.expires_at')}) f
        WHERE l.kind = 'hhs_interim_letter' AND l.outcome IS NOT NULL) letter
  WHERE ${inPeriod('decided_at')} AND decided_at < $4
  UNION ALL
  SELECT agency_id, CASE status WHEN 'declined' THEN 'declaration_declined' ELSE 'declaration_signed' END, NULL, NULL
  FROM st s WHERE kind = 'le_declaration' AND outcome IS NOT NULL AND ${dayInPeriod(signedDay('s', 'signedOn', 'decidedOn'))}
  UNION ALL
  -- A state at the end, and an alarm when it was raised, for the agency that had the step then.
  SELECT ${heldThen('s', 'held')}, 'declaration_pending', NULL, NULL
  FROM st s ${heldAt('s', '$4', 'held')} WHERE kind = 'le_declaration' AND ${openAtEnd('s')}
  UNION ALL
  SELECT ${heldThen('s', 'held')}, CASE t.type WHEN 'alarm.escalation' THEN 'escalation' ELSE 'reminder' END, NULL, NULL
  FROM scoped c JOIN case_timeline t ON t.case_id = c.id
       JOIN case_steps s ON s.case_id = t.case_id AND s.step_id = t.step_id
       ${heldAt('s', 't.at', 'held')}
  WHERE t.type IN ('alarm.reminder', 'alarm.due', 'alarm.expiry_reminder', 'alarm.expired', 'alarm.escalation')
    AND ${inPeriod('t.at')}
  UNION ALL
  SELECT ${heldThen('s', 'held')}, 'overdue_at_end', NULL, NULL
  FROM st s ${heldAt('s', '$4', 'held')} WHERE ${overdueSql('$4')} AND ${openAtEnd('s')}
),
figures AS (
  SELECT GROUPING(agency_id) = 1 AS overall, agency_id, metric, count(*)::integer AS n,
         count(*) FILTER (WHERE met)::integer AS met,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY value) AS median,
         percentile_cont(0.9) WITHIN GROUP (ORDER BY value) AS p90
  FROM facts WHERE $5::text IS NULL OR agency_id = $5 GROUP BY GROUPING SETS ((agency_id, metric), (metric))
)
SELECT f.overall, f.agency_id, a.name AS agency_name, a.kind AS agency_kind, f.metric, f.n, f.met, f.median, f.p90
FROM figures f LEFT JOIN agencies a ON a.id = f.agency_id AND NOT f.overall
ORDER BY f.overall, a.kind, a.name, f.agency_id, f.metric`;

interface Row {
  overall: boolean;
  agency_id: string | null;
  agency_name: string | null;
  agency_kind: AgencyKind | null;
  metric: ReportMetric;
  n: number;
  met: number;
  median: number | null;
  p90: number | null;
}

/** Every metric's figures by agency and for all agencies together; a metric with no facts has no row. */
export async function complianceFigures(db: Queryable, scope: ReportScope): Promise<MetricRow[]> {
  const end = scope.now < scope.end ? scope.now : scope.end;
  const { rows } = await db.query<Row>(REPORT_SQL, [
    scope.start,
    scope.end,
    scope.participantAgencyId,
    end,
    scope.stepAgencyId ?? null,
    scope.now,
    scope.timeZone ?? 'UTC',
  ]);
  return rows.map((row) => ({
    agencyId: row.overall ? undefined : row.agency_id,
    agencyName: row.agency_name,
    agencyKind: row.agency_kind,
    metric: row.metric,
    n: row.n,
    met: row.met,
    median: row.median,
    p90: row.p90,
  }));
}
