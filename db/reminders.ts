/**
 * A case's reminders in time order: the alarms its projection stored (to come, or raised) joined with the outbox,
 * which says whether a raised one was sent. Reads PostgreSQL only, so it answers while no worker runs.
 */
import { ALARM_KINDS, type AlarmKind } from '../domain/case-state';
import type { Instant } from '../domain/types';
import type { Queryable } from './pool';

/**
 * `scheduled`: still to come. `held`: a window's announcement waiting for the end of the entry session it was recorded
 * in, listed at that end. `sent`: raised; its in-app notification exists and its email went out, is on its way, or is
 * not owed (an agency without an address is told in the app only). `failed`: raised, and its email keeps failing; it is
 * still being retried. `not_sent`: raised, but its email was no longer owed when a mail outage let it go (its step
 * done, no longer open, or moved to another agency meanwhile), so it was not sent: the outbox row says why.
 */
export const REMINDER_STATUSES = ['scheduled', 'held', 'sent', 'failed', 'not_sent'] as const;
type ReminderStatus = (typeof REMINDER_STATUSES)[number];

export interface Reminder {
  alarmId: string;
  at: Instant;
  kind: AlarmKind;
  stepId: string;
  stepKind: string;
  /** A step kind or a window (`cp_validity`, `minor_turns_18`, ...). */
  about: string;
  recipientAgencyId: string;
  status: ReminderStatus;
  /**
   * Why a `not_sent` one was not sent, as its outbox row says it ("not sent: the step moved to another agency before
   * the email could go out"; activities/notifications.ts writes these words, naming no person); null for any other.
   */
  notSentReason: string | null;
}

interface ReminderRow {
  alarm_id: string;
  at: Date;
  kind: AlarmKind;
  step_id: string;
  step_kind: string;
  about: string;
  recipient_agency_id: string;
  status: ReminderStatus;
  not_sent_reason: string | null;
}

/**
 * Every reminder of the case, earliest first. An alarm raised before the read model kept alarms has its outbox row
 * only: it is listed at the time it was raised, and its subject is read from its id (a birthday reminder's names
 * `minor_turns_18`, as domain/tracks/intake.ts makes them), so such a reminder is never shown as something else. One
 * that was held for an entry session's end is listed at that end while it waits, then at the time it was raised.
 */
export async function listCaseReminders(db: Queryable, caseId: string): Promise<Reminder[]> {
  const { rows } = await db.query<ReminderRow>(
    `SELECT COALESCE(a.alarm_id, n.alarm_id) AS alarm_id,
            CASE WHEN a.held AND n.alarm_id IS NOT NULL THEN n.created_at ELSE COALESCE(a.at, n.created_at) END AS at,
            COALESCE(a.kind, n.kind) AS kind,
            COALESCE(a.step_id, n.step_id) AS step_id,
            COALESCE(a.step_kind, n.step_kind) AS step_kind,
            COALESCE(a.about, CASE WHEN n.alarm_id LIKE '%:minor\\_turns\\_18:%' THEN 'minor_turns_18' ELSE n.step_kind END) AS about,
            COALESCE(a.recipient_agency_id, n.recipient_agency_id) AS recipient_agency_id,
            CASE WHEN n.alarm_id IS NULL AND a.held THEN 'held'
                 WHEN n.alarm_id IS NULL THEN 'scheduled'
                 WHEN n.sent_at IS NULL AND n.not_sent_at IS NOT NULL THEN 'not_sent'
                 WHEN n.sent_at IS NULL AND n.failing_since IS NOT NULL THEN 'failed'
                 ELSE 'sent' END AS status,
            CASE WHEN n.sent_at IS NULL AND n.not_sent_at IS NOT NULL THEN n.last_error END AS not_sent_reason
     FROM (SELECT * FROM case_alarms WHERE case_id = $1::text::uuid) a
     FULL JOIN (SELECT * FROM notifications WHERE case_id = $1::text AND kind = ANY($2::text[])) n
       ON n.alarm_id = a.alarm_id
     ORDER BY 2, 1`,
    // Alarms only: the outbox also holds notices about the case (a delivery failing, ...) that no alarm raised.
    [caseId, ALARM_KINDS],
  );
  return rows.map((row) => ({
    alarmId: row.alarm_id,
    at: row.at.toISOString(),
    kind: row.kind,
    stepId: row.step_id,
    stepKind: row.step_kind,
    about: row.about,
    recipientAgencyId: row.recipient_agency_id,
    status: row.status,
    notSentReason: row.not_sent_reason,
  }));
}
