/** Words people read instead of the API's codes. */
import { agencyKindLabel, alarmKindLabel, stepLabel, windowLabel } from '../domain/labels';
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

/** "Reminder: Continued Presence request", naming the window when the reminder is about one rather than the step. */
export function reminderLabel(reminder: { kind: string; stepKind: string; about: string }): string {
  const what = `${alarmKindLabel(reminder.kind)}: ${stepLabel(reminder.stepKind)}`;
  return reminder.about === reminder.stepKind ? what : `${what} (${windowLabel(reminder.about)})`;
}

const REMINDER_STATUS_LABELS: Readonly<Record<string, string>> = {
  scheduled: 'Scheduled',
  sent: 'Sent',
  failed: 'Email failing; still retrying',
};
export const reminderStatusLabel = (status: string) => REMINDER_STATUS_LABELS[status] ?? humanize(status);
