/** Words people read instead of the API's codes. */
import { formatCalendarDay, formatDate, formatDateTime, dueWording } from '../core/people-dates';
import { signedEventDate } from '../domain/case';
import { lastValidDay } from '../domain/dates';
import { agencyKindLabel, alarmKindLabel, codeInWords, stepLabel, windowLabel } from '../domain/labels';
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
/** A text as the start of a sentence: its first letter a capital. */
export const sentenceCase = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** "outcome_code" → "Outcome code". */
export const humanize = (code: string) => sentenceCase(codeInWords(code));

/** What says when a step was done: its sign-off's outcome and details, and when it was recorded. */
interface StepSigned {
  kind: string;
  outcome: string | null;
  completedAt: string | null;
  details: Record<string, unknown>;
}

/** An agency as the console knows it from GET /api/agencies. */
export interface AgencyEntry {
  id: string;
  name: string;
  email: string | null;
}

/**
 * The words of one page for one reader: dates in their agency's zone (core/people-dates.ts, as the emails), due dates
 * against the clock of the request, and agencies by name with their notification address where one is owed a step.
 */
export function wordsFor(zone: string, now: Date, agencies: readonly AgencyEntry[]) {
  const byId = new Map(agencies.map((agency) => [agency.id, agency]));
  const agencyName = (id: string | null | undefined) => (id ? (byId.get(id)?.name ?? id) : '—');
  return {
    /** "2 Mar 2027", or a dash. */
    date: (instant: string | null | undefined) => (instant ? formatDate(instant, zone) : '—'),
    /** "1 Mar 2027, 22:51 CST", for the moments whose hour matters (the 24-hour notice, when something happened). */
    dateTime: (instant: string | null | undefined) => (instant ? formatDateTime(instant, zone) : '—'),
    /** A calendar day (`YYYY-MM-DD`) as it is: a birth date, a day an officer typed. */
    calendarDay: (date: string | null | undefined) => (date ? formatCalendarDay(date) : '—'),
    /**
     * The day a step was done: the date its signer entered (requested on, filed on, ...) as they typed it, else the
     * day it was signed off. Typed dates are calendar days, which no zone may move.
     */
    completedOn: (step: StepSigned) => {
      const entered = signedEventDate(step);
      if (entered) return formatCalendarDay(entered);
      return step.completedAt ? formatDate(step.completedAt, zone) : '—';
    },
    /** The last day something that ends at `expiresAt` is valid (a CP grant, an interim letter): "8 Jun 2026". */
    validUntil: (expiresAt: string) => formatCalendarDay(lastValidDay(expiresAt)),
    /** "in 29 days", "due today", "overdue by 3 days"; empty without a due date. */
    due: (dueAt: string | null | undefined) => (dueAt ? dueWording(dueAt, zone, now) : ''),
    /** Past its due date now: what "Overdue" beside a pending step means. */
    isOverdue: (dueAt: string | null | undefined) =>
      dueAt !== null && dueAt !== undefined && Date.parse(dueAt) < now.getTime(),
    agencyName,
    /** The agency that owns a step, by name; its kind while no agency is assigned. */
    stepAgency: (step: { agencyId: string | null; agencyKind: string }) =>
      step.agencyId ? agencyName(step.agencyId) : agencyKindLabel(step.agencyKind),
    /** Where to chase an agency: its notification address, or null. */
    agencyContact: (id: string | null | undefined) => (id ? (byId.get(id)?.email ?? null) : null),
    reminderLabel: (reminder: ReminderFacts, turns18On?: string) => reminderLabel(reminder, turns18On),
  };
}
export type Words = ReturnType<typeof wordsFor>;

interface ReminderFacts {
  kind: string;
  stepKind: string;
  about: string;
}

/**
 * "Reminder: Continued Presence request", naming the window when the reminder is about one rather than the step. A
 * minor's 18th-birthday reminder is named by that day ("Turns 18 on 2 Mar 2027 – ...") for those who may see it,
 * and "Before the minor turns 18 – ..." for everyone else; never "Expiring", which it is not.
 */
function reminderLabel(reminder: ReminderFacts, turns18On?: string): string {
  if (reminder.about === 'minor_turns_18') {
    const when = turns18On ? `Turns 18 on ${formatCalendarDay(turns18On)}` : 'Before the minor turns 18';
    return `${when} – ${stepLabel(reminder.stepKind)}`;
  }
  const what = `${alarmKindLabel(reminder.kind)}: ${stepLabel(reminder.stepKind)}`;
  return reminder.about === reminder.stepKind ? what : `${what} (${windowLabel(reminder.about)})`;
}

const REMINDER_STATUS_LABELS: Readonly<Record<string, string>> = {
  scheduled: 'Scheduled',
  sent: 'Sent',
  failed: 'Email failing; still retrying',
};
export const reminderStatusLabel = (status: string) => REMINDER_STATUS_LABELS[status] ?? humanize(status);
