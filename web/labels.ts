/** Words people read instead of the API's codes. */
import {
  deadlineAsRead,
  deadlineZone,
  formatCalendarDay,
  formatDate,
  formatDateTime,
  formatDueDate,
  dueWordingAtTheHour,
  dueWordingFor,
  hasPassed,
  notYetOverdueWords,
  validityEndIn,
  zonesCountedIn,
} from '../core/people-dates';
import { signedEventDate } from '../domain/case';
import { LAST_DAY_ENDS_EVERYWHERE_MS, lastValidDay } from '../domain/dates';
import { dueStanding, dueToRead, overdueFrom } from '../domain/steps';
import { agencyKindLabel, alarmKindLabel, codeInWords, dueAtTheHour, stepLabel, windowLabel } from '../domain/labels';
import {
  CLOSE_REASONS,
  DOCUMENT_REMOVAL_REASONS,
  refusalReasonsOf,
  TRANSFER_REASONS,
  type CloseReason,
  type DocumentRemovalReason,
  type RefusableStep,
  type RefusalReason,
  type TransferReason,
} from '../domain/reasons';
import type { StepKind, Track } from '../domain/types';
import type { AskAgainKind } from '../domain/ask-again';

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
 * `deadlineZones`: the zones a due date may have been counted in (GET /api/me), whose last day every reader reads.
 */
export function wordsFor(
  zone: string,
  now: Date,
  agencies: readonly AgencyEntry[],
  deadlineZones: readonly string[] = [],
) {
  const byId = new Map(agencies.map((agency) => [agency.id, agency]));
  const agencyName = (id: string | null | undefined) => (id ? (byId.get(id)?.name ?? id) : '—');
  /**
   * The zone a deadline's last day and words are judged in, one for every reader (core/people-dates.ts): in a list of
   * many cases' steps, each row's own case's, where it kept the zone it was identified in (`identifiedIn`).
   */
  const zoneOf = (dueAt: string, identifiedIn?: string | null) =>
    deadlineZone(dueAt, zone, zonesCountedIn(identifiedIn, deadlineZones));
  /**
   * A deadline that is a day (domain/steps.ts `dueAllDay`: due at a validity's end, or counted in days from a typed
   * day, `dueOnADay`) passes as its last day ends where it is read (core/people-dates.ts `deadlineAsRead`, as the emails
   * read it), as `overdueFrom` says it.
   */
  const asRead = (dueAt: string, stepKind?: string | null, dueOnADay?: boolean | null) =>
    deadlineAsRead(dueToRead({ kind: stepKind ?? '', dueAt, dueOnADay }), zone);
  const dueOf = (stepKind: string, dueAt: string | null | undefined, identifiedIn?: string | null) =>
    dueAt
      ? dueAtTheHour(stepKind)
        ? formatDateTime(dueAt, zone)
        : formatDueDate(dueAt, zoneOf(dueAt, identifiedIn))
      : '—';
  return {
    /** "2 Mar 2027", or a dash. */
    date: (instant: string | null | undefined) => (instant ? formatDate(instant, zone) : '—'),
    /** The last day to act on a deadline (core/people-dates.ts): "15 Jan 2027" for one that passes as 16 Jan begins. */
    dueDate: (dueAt: string | null | undefined) => (dueAt ? formatDueDate(dueAt, zoneOf(dueAt)) : '—'),
    /** "1 Mar 2027, 22:51 CST", for the moments whose hour matters (the 24-hour notice, when something happened). */
    dateTime: (instant: string | null | undefined) => (instant ? formatDateTime(instant, zone) : '—'),
    /** A step's deadline as every page shows it: with its hour where that matters (`dueAtTheHour`), else its last day. */
    dueOf,
    /**
     * When a reminder comes, as the case page lists it. One at its step's deadline (a "Deadline reached", or any at
     * `stepDueAt`, the step's due instant) names that deadline as the step's row does (`dueOf`: its last day to act,
     * or its hour): "19 Dec 2026" beside the steps' "19 Dec 2026", not the day of the instant it passes at, the
     * start of the 20th. Any other alarm of a deadline shown at its hour (`dueOf`, `dueAtTheHour`: the minors'
     * 24-hour notice) at its hour too, which matters as much as the deadline's: a reminder "6 Dec 2026, 14:49 UTC" and
     * an escalation "7 Dec 2026, 08:49 UTC" around its "7 Dec 2026, 02:49 UTC". Any other reminder, the day it comes.
     */
    reminderWhen: (reminder: ReminderFacts & { at: string }, stepDueAt?: string | null) => {
      const ofTheDeadline = reminder.about === reminder.stepKind;
      const atTheDeadline =
        ofTheDeadline &&
        (reminder.kind === 'due' || (!!stepDueAt && Date.parse(stepDueAt) === Date.parse(reminder.at)));
      // A "Deadline reached" of a deadline that is a day comes once that day has ended everywhere in the US
      // (domain/alarms.ts `overdueFrom`), after the step's due instant: it names that deadline, the step's.
      const reachedAfterItsDay =
        !!stepDueAt &&
        overdueFrom({ kind: reminder.stepKind, dueAt: stepDueAt, dueOnADay: true }) === Date.parse(reminder.at);
      const deadline = reminder.kind === 'due' && reachedAfterItsDay ? stepDueAt : reminder.at;
      if (atTheDeadline) return dueOf(reminder.stepKind, deadline);
      return ofTheDeadline && dueAtTheHour(reminder.stepKind)
        ? formatDateTime(reminder.at, zone)
        : formatDate(reminder.at, zone);
    },
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
    /**
     * "in 29 days", "due today", "overdue by 3 days"; empty without a due date. A step whose deadline is shown at its
     * hour (`dueOf`, `dueAtTheHour`) is said from that moment: "overdue by 2 hours", not "by 1 day" from a last day
     * to act its reader is never shown. `overdue` is the API's word on the step (its `overdue`, as `status=overdue`
     * lists it and the dashboard counts it), never a rule of the console's own: the words agree with it. A step whose
     * last day has ended where it is read but that is not overdue yet, a deadline that is a day met all of it wherever
     * in the US it is read, says when it becomes overdue (core/people-dates.ts `notYetOverdueWords`, in the words the
     * daily digest and the emails say it), not "overdue by 1 day".
     */
    due: (
      dueAt: string | null | undefined,
      stepKind: string | null | undefined,
      identifiedIn: string | null | undefined,
      dueOnADay: boolean | null | undefined,
      overdue: boolean,
    ) => {
      if (!dueAt) return '';
      const words =
        stepKind && dueAtTheHour(stepKind)
          ? dueWordingAtTheHour(dueAt, now)
          : dueWordingFor(asRead(dueAt, stepKind, dueOnADay), zoneOf(dueAt, identifiedIn), zone, now);
      const saysOverdue = words.startsWith('overdue');
      if (overdue === saysOverdue) return words;
      // Overdue by the API's clock a moment after this page's: nothing else to say of it.
      if (overdue) return 'overdue';
      // Not overdue by the API though its day has ended here: when it becomes overdue, as the digest and emails say it.
      const standing = { ...dueStanding({ kind: stepKind ?? '', dueAt, dueOnADay }, now.getTime()), overdue };
      return notYetOverdueWords(standing, zoneOf(dueAt, identifiedIn), zone, now) ?? words;
    },
    /**
     * Whether something that ends at `expiresAt` (a CP grant) has ended where the reader works: not on its last day,
     * which is valid all day there (core/people-dates.ts `validityEndIn`).
     */
    hasEnded: (expiresAt: string) => hasPassed(validityEndIn(expiresAt, zone, LAST_DAY_ENDS_EVERYWHERE_MS), zone, now),
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
 * "Reminder: Continued Presence request"; a reminder about a window rather than the step names the window first, as
 * it is what ends, and the step it comes from after it: "Expiring: T status validity (T visa decision)", as the
 * expiry email's subject says "Expiring: T status valid until …". A minor's 18th-birthday reminder is named by that day ("Turns 18 on 2 Mar 2027 – ...") for those who may see it,
 * and "Before the minor turns 18 – ..." for everyone else; never "Expiring", which it is not. The alarm that moves a
 * minor not notified by then to the adult path says so.
 */
function reminderLabel(reminder: ReminderFacts, turns18On?: string): string {
  if (reminder.about === 'minor_turns_18' && reminder.kind === 'expired') {
    const when = turns18On ? `Turns 18 on ${formatCalendarDay(turns18On)}` : 'Once the minor turns 18';
    return `${when} – adult route unless HHS was notified (${stepLabel(reminder.stepKind)})`;
  }
  if (reminder.about === 'minor_turns_18') {
    const when = turns18On ? `Turns 18 on ${formatCalendarDay(turns18On)}` : 'Before the minor turns 18';
    return `${when} – ${stepLabel(reminder.stepKind)}`;
  }
  const kind = alarmKindLabel(reminder.kind);
  const step = stepLabel(reminder.stepKind);
  return reminder.about === reminder.stepKind
    ? `${kind}: ${step}`
    : `${kind}: ${windowLabel(reminder.about)} (${step})`;
}

const REMINDER_STATUS_LABELS: Readonly<Record<string, string>> = {
  scheduled: 'Scheduled',
  // A window's announcement recorded in an entry session (a case typed in after the fact): sent when the session ends,
  // once its entries have stopped (the notice of what passed gathers them), if its step is still owed then. Said as a
  // case worker sees it, without the service's word for it; the row's "When" is when that end is now expected.
  held: 'Held while past events of this case are entered; sent after the last one, if still needed',
  sent: 'Sent',
  failed: 'Email failing; still retrying',
  not_sent: 'Not sent: no longer owed when the email could go out',
};
/**
 * A reminder's status in words; a `not_sent` one's by the reason the API gives (its outbox row's words: done, no longer
 * open, or moved to another agency), the general words only when it gives none.
 */
export const reminderStatusLabel = (status: string, notSentReason?: string | null) =>
  status === 'not_sent' && notSentReason
    ? sentenceCase(notSentReason)
    : (REMINDER_STATUS_LABELS[status] ?? humanize(status));

/**
 * The words of each code a step's refusal may give (domain/reasons.ts, which lists them). The code is shown unsealed
 * in the timeline, reports and emails, so it says why in general terms only; anything about the person goes in the
 * sealed note ("Other" says so). Drawn from what each decision turns on (the process as the team documents it; USCIS
 * Form I-914 Supplement B and I-918 Supplement B instructions; ICE's Continued Presence guide; 22 U.S.C.
 * 7105(b)(1)(E) for HHS certification).
 */
const OTHER_REASON = 'Other (say why in the note)';
const REFUSAL_WORDS: { [Kind in RefusableStep]: Readonly<Record<RefusalReason<Kind>, string>> } = {
  le_declaration: {
    insufficient_evidence: 'Not enough information to say the person is a victim of a severe form of trafficking',
    not_cooperating: 'The person has not complied with reasonable requests for assistance',
    investigation_closed: 'The agency is no longer investigating',
    not_our_investigation: 'Our agency did not detect, investigate or prosecute this trafficking',
    other: OTHER_REASON,
  },
  u_visa_certification: {
    insufficient_evidence: 'Not enough information to say the person is a victim of a qualifying crime',
    no_helpfulness: 'The person has not been, is not and is not likely to be helpful to the investigation',
    not_our_investigation: 'Our agency did not detect, investigate or prosecute this crime',
    other: OTHER_REASON,
  },
  cp_decision: {
    insufficient_evidence: 'Not enough information to say the person is a victim of a severe form of trafficking',
    not_potential_witness: 'The person is not a potential witness in an investigation or prosecution',
    other: OTHER_REASON,
  },
  cp_renewal_decision: {
    not_potential_witness: 'The person is no longer a potential witness (the investigation or prosecution ended)',
    other: OTHER_REASON,
  },
  hhs_certification_letter: {
    no_qualifying_status: 'No Continued Presence, bona fide T-visa application or T status to certify on',
    not_willing_to_assist: 'The person is not willing to assist in the investigation or prosecution',
    minor: 'The person is a minor: an eligibility letter applies, not a certification',
    other: OTHER_REASON,
  },
  t_visa_decision: {
    not_a_victim: 'Not shown to be a victim of a severe form of trafficking',
    not_present_on_account: 'Not shown to be present in the U.S. on account of the trafficking',
    not_complied: 'Not shown to have complied with reasonable requests for assistance',
    no_extreme_hardship: 'Not shown to face extreme hardship involving unusual and severe harm if removed',
    no_response: 'No response to the request for evidence or notice of intent to deny',
    other: OTHER_REASON,
  },
};

/**
 * A USCIS notice asking for more on a T-visa decision, in words: the timeline's "Request for evidence received", and
 * the sign-off form's choice, which adds the abbreviation printed on the notice ("Request for evidence (RFE)").
 */
export const USCIS_NOTICE_WORDS: Readonly<Record<string, string>> = {
  rfe: 'Request for evidence',
  noid: 'Notice of intent to deny',
};

/** A step's refusal words by code, as a plain lookup; none for a step that is never refused. */
function refusalWordsOf(kind: string): Readonly<Record<string, string>> {
  return Object.hasOwn(REFUSAL_WORDS, kind) ? REFUSAL_WORDS[kind as RefusableStep] : {};
}

/** The reasons a step's refusal offers, code and words, "Other" last; none for a step that is never refused. */
export function refusalReasons(kind: StepKind): [code: string, words: string][] {
  const words = refusalWordsOf(kind);
  return refusalReasonsOf(kind).map((code) => [code, words[code] ?? code]);
}

/**
 * A refusal's reason in words, as recorded; a code off the list (one recorded before the lists) as it is. "Other"
 * is said as such: the form's "(say why in the note)" tells the one signing what to do, not what was decided.
 */
export function refusalReasonLabel(kind: string, code: string): string {
  if (code === 'other') return 'Other';
  const words = refusalWordsOf(kind);
  return Object.hasOwn(words, code) ? words[code]! : code;
}

/** The words of the reasons a transfer gives (`reason` of POST /api/cases/{caseId}/transfers). */
const TRANSFER_WORDS: Readonly<Record<TransferReason, string>> = {
  moved_jurisdiction: 'The survivor moved to another jurisdiction',
  referred: 'The case was referred to another agency',
  agency_stopped: 'The agency no longer handles such cases',
  other: 'Another reason',
};

/** The reasons a transfer offers, as codes with their words, in the list's order. */
export const transferReasons = (): [code: string, words: string][] =>
  TRANSFER_REASONS.map((code) => [code, TRANSFER_WORDS[code]]);

/** The words of the reasons a close or withdrawal gives (`reason` of POST /api/cases/{caseId}/close). */
const CLOSE_WORDS: Readonly<Record<CloseReason, string>> = {
  relief_obtained: 'Relief obtained',
  survivor_withdrew: 'The survivor withdrew their consent',
  lost_contact: 'Contact with the survivor was lost',
  not_eligible: 'Not eligible for the relief sought',
  transferred: 'Moved to another task force',
  duplicate: 'A duplicate of another case',
  opened_in_error: 'Opened in error',
  other: 'Another reason',
};

/** The reasons a close or withdrawal offers, as codes with their words, in the list's order. */
export const closeReasons = (): [code: string, words: string][] =>
  CLOSE_REASONS.map((code) => [code, CLOSE_WORDS[code]]);

/** A close's or withdrawal's reason in words; a code off the list as it is. */
export const closeReasonLabel = (code: string) =>
  Object.hasOwn(CLOSE_WORDS, code) ? CLOSE_WORDS[code as CloseReason] : code;

/**
 * Why a document is removed (`reason` of POST /api/cases/{caseId}/documents/{documentId}/remove), as codes with their
 * words; the API takes these codes only.
 */
const DOCUMENT_REMOVAL_WORDS: Readonly<Record<DocumentRemovalReason, string>> = {
  wrong_case: 'It belongs to another case',
  wrong_step: 'It belongs to another step of this case',
  wrong_file: 'The wrong file was chosen',
  duplicate: 'It duplicates another document',
  other: 'Another reason',
};

export const documentRemovalReasons = (): [code: string, words: string][] =>
  DOCUMENT_REMOVAL_REASONS.map((code) => [code, DOCUMENT_REMOVAL_WORDS[code]]);

/** A removal's reason in words; a code the list does not know as it is. */
export const documentRemovalReasonLabel = (code: string) =>
  Object.hasOwn(DOCUMENT_REMOVAL_WORDS, code) ? DOCUMENT_REMOVAL_WORDS[code as DocumentRemovalReason] : code;

/** A transfer's reason in words; a code off the list (one recorded before it) as it is. */
export const transferReasonLabel = (code: string) =>
  Object.hasOwn(TRANSFER_WORDS, code) ? TRANSFER_WORDS[code as TransferReason] : code;

/** The case page's button that asks again for a request its track ended without (domain/ask-again.ts). */
const ASK_AGAIN_WORDS: Record<AskAgainKind, string> = {
  cp_request: 'Ask again for Continued Presence',
  hhs_certification_request: 'Ask again for HHS certification',
  u_visa_certification: 'Ask again for a U visa certification',
  le_declaration: 'Ask again for a law-enforcement declaration',
};
/** The button, and `starts`: it starts following a U visa on a case that did not (domain/ask-again.ts `startsUVisa`). */
export const askAgainLabel = (kind: AskAgainKind, starts: boolean) =>
  starts ? 'Ask for a U-visa certification' : ASK_AGAIN_WORDS[kind];
