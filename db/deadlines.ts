/**
 * An agency's deadlines, from the read model: the due dates of the pending steps it owns (a coordinating agency, which
 * owns none, those of every pending step of the cases it coordinates: what it chases) and the ends of the windows it
 * is told about (a CP grant's validity, an interim letter, the U certification window, the benefits an HHS
 * certification opened, ...). The one definition the
 * calendar feeds (app/calendar-feeds.ts) and the daily digest (activities/digest.ts) read, so the two never disagree
 * about what an agency has to do. No date derived from a birth date is ever in it.
 */
import { BIRTH_DATE_SUBJECTS } from '../domain/alarms';
import type { Instant } from '../domain/types';
import type { Queryable } from './pool';

/** When a case last changed in the read model, and its change counter (the workflow's `version`). */
interface CaseRevision {
  /** The workflow's change counter: it grows with every change of the case (a sign-off, a correction, a transfer). */
  version: number;
  /** When the read model last took a change of the case. */
  updatedAt: Instant;
}

export interface Deadline {
  /** `due`: a pending step's due date (gone once the step is signed); `expiry`: the end of a window still open. */
  kind: 'due' | 'expiry';
  caseId: string;
  caseReference: string;
  stepId: string;
  stepKind: string;
  /** The step kind for a due date; the window (`cp_validity`, `u_certification_window`, ...) for an expiry. */
  about: string;
  at: Instant;
  /** Who owes a due date: the step's agency (a coordinating agency's are other agencies'); null for a window's end. */
  owedBy: string | null;
  /** The zone the case's identification was read in (core/people-dates.ts `zonesCountedIn`), or null if not kept. */
  identifiedIn: string | null;
  /**
   * A due date counted in days from a typed day (domain/steps.ts `dueAllDay`): met all of its last day wherever in the
   * US it is read, as the console says it. Present only when so.
   */
  dueOnADay?: true;
  /** The case's revision (`CaseRevision`): what a calendar feed stamps the event with. */
  revision: CaseRevision;
}

interface DeadlineRow {
  kind: Deadline['kind'];
  case_id: string;
  reference: string;
  step_id: string;
  step_kind: string;
  about: string;
  at: Date;
  owed_by: string | null;
  identified_in: string | null;
  due_on_a_day: boolean | null;
  version: number;
  updated_at: Date;
}

/**
 * Due dates come from the steps (a step without a reminder ladder still has one); expiries from the `expired` alarms
 * still to come, at the end of the window each names, which carry the agency told (a window's recipient need not own its step) and leave once raised or
 * once the window no longer applies. Only open cases; earliest first; `until` bounds the dates when given.
 *
 * The end of the benefits an HHS certification opened has no `expired` alarm (the letter does not expire, nothing
 * lapses on the case): it is read from the letter itself (`benefitEndsOn`, the last day), for the agency its reminders
 * go to, the case's advocate (domain/tracks/hhs.ts `windowAlarms`), while the letter stands signed as the reminders
 * are. Having no alarm to leave with, it leaves once passed at `now`, when given (a calendar feed gives its clock).
 */
export async function agencyDeadlines(
  db: Queryable,
  agencyId: string,
  options: { until?: Date; now?: Date } = {},
): Promise<Deadline[]> {
  const { rows } = await db.query<DeadlineRow>(
    `SELECT * FROM (
       SELECT 'due' AS kind, s.case_id::text AS case_id, c.reference, s.step_id, s.kind AS step_kind, s.kind AS about,
              s.due_at AS at, s.agency_id AS owed_by, c.identified_in,
              s.due_on_a_day, c.version, c.updated_at
         FROM case_steps s JOIN cases c ON c.id = s.case_id
        WHERE s.status = 'pending' AND (s.agency_id = $1 OR c.agencies ->> 'coordinator' = $1)
          AND s.due_at IS NOT NULL AND c.status = 'open'
       UNION ALL
       SELECT 'expiry', a.case_id::text, c.reference, a.step_id, a.step_kind, a.about,
              -- The end itself, which the alarm's id names (domain/tracks/track.ts expiredAlarm), before the
              -- ":coordinator" of the coordinator's copy: the alarm may fire later, once the last day has ended
              -- everywhere in the US. Read only where that holds: the move to the adult path at 18 names its week
              -- instead (tracks/intake.ts), and a filter pushed down from the outer query may reach this expression
              -- before the WHERE below has left such rows out.
              CASE WHEN a.about <> ALL($2::text[])
                THEN substring(a.alarm_id FROM length(a.step_id || ':expired:' || a.about || ':') + 1
                               FOR length('2027-01-01T00:00:00.000Z'))::timestamptz
              END,
              NULL, c.identified_in, NULL, c.version, c.updated_at
         FROM case_alarms a JOIN cases c ON c.id = a.case_id
        WHERE a.kind = 'expired' AND a.recipient_agency_id = $1 AND c.status = 'open' AND a.about <> ALL($2::text[])
          AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.case_id = a.case_id::text AND n.alarm_id = a.alarm_id)
       UNION ALL
       -- The benefits' end as the advocate's reminders name it (domain/alarms.ts alarmDate): the start of the day
       -- after the last, in UTC, as every window's end is kept.
       SELECT 'expiry', s.case_id::text, c.reference, s.step_id, s.kind, 'benefit_window',
              ((s.details ->> 'benefitEndsOn')::date + 1)::timestamp AT TIME ZONE 'UTC', NULL, c.identified_in, NULL,
              c.version, c.updated_at
         FROM case_steps s JOIN cases c ON c.id = s.case_id
        WHERE s.kind = 'hhs_certification_letter' AND s.status = 'completed'
          AND jsonb_typeof(s.details -> 'benefitEndsOn') = 'string'
          AND c.agencies ->> 'advocate' = $1 AND c.status = 'open'
          AND ($4::timestamptz IS NULL OR ((s.details ->> 'benefitEndsOn')::date + 1)::timestamp AT TIME ZONE 'UTC' > $4)
     ) d
     WHERE $3::timestamptz IS NULL OR d.at <= $3
     ORDER BY d.at, d.reference, d.step_id, d.about`,
    [agencyId, [...BIRTH_DATE_SUBJECTS], options.until ?? null, options.now ?? null],
  );
  return rows.map((row) => ({
    kind: row.kind,
    caseId: row.case_id,
    caseReference: row.reference,
    stepId: row.step_id,
    stepKind: row.step_kind,
    about: row.about,
    at: row.at.toISOString(),
    owedBy: row.owed_by,
    identifiedIn: row.identified_in,
    ...(row.due_on_a_day ? { dueOnADay: true as const } : {}),
    revision: { version: row.version, updatedAt: row.updated_at.toISOString() },
  }));
}
