/** Words people read instead of the API's codes. */
import { agencyKindLabel, alarmKindLabel, stepLabel } from '../domain/labels';
import type { Track } from '../domain/types';

export { agencyKindLabel, stepLabel };

const TRACK_LABELS: Record<Track, string> = {
  intake: 'Intake',
  continued_presence: 'Continued Presence',
  hhs: 'HHS letters',
  t_visa: 'T visa',
  le_declaration: 'Law-enforcement declaration',
  u_visa: 'U visa',
};

export const trackLabel = (track: string) => TRACK_LABELS[track as Track] ?? track;
/** "outcome_code" → "Outcome code". */
export const humanize = (code: string) => code.charAt(0).toUpperCase() + code.slice(1).replace(/_/g, ' ');
/** Dates are shown as the calendar day (UTC) the API means. */
export const day = (instant: string | null | undefined) => (instant ? instant.slice(0, 10) : '—');
export const moment = (instant: string | null | undefined) =>
  instant ? `${instant.slice(0, 10)} ${instant.slice(11, 16)} UTC` : '—';

/** The windows a reminder may be about besides its step (domain/tracks' alarm subjects). */
const WINDOW_LABELS: Readonly<Record<string, string>> = {
  adjustment_eligible: 'eligible for adjustment of status',
  benefit_window: 'benefit window',
  cp_validity: 'Continued Presence validity',
  interim_letter: 'interim letter validity',
  minor_turns_18: 'minor turns 18',
  t_status: 'T status validity',
  u_certification_window: 'U visa certification window',
};

/** "Reminder: Continued Presence request", naming the window when the reminder is about one rather than the step. */
export function reminderLabel(reminder: { kind: string; stepKind: string; about: string }): string {
  const what = `${alarmKindLabel(reminder.kind)}: ${stepLabel(reminder.stepKind)}`;
  return reminder.about === reminder.stepKind
    ? what
    : `${what} (${WINDOW_LABELS[reminder.about] ?? humanize(reminder.about)})`;
}

const REMINDER_STATUS_LABELS: Readonly<Record<string, string>> = {
  scheduled: 'Scheduled',
  sent: 'Sent',
  failed: 'Email failing; still retrying',
};
export const reminderStatusLabel = (status: string) => REMINDER_STATUS_LABELS[status] ?? humanize(status);
