/**
 * The case timeline as people read it: one plain sentence per event, naming the step and the agency, in date order.
 * The workflow's own summaries (domain/) are written for its log and replayed as recorded, so they cannot change;
 * the console composes its sentence from the entry's type, step and agency instead, and falls back to the summary
 * with its step ids and agency ids put in words.
 */
import { formatCalendarDay } from '../core/people-dates';
import { startedUVisa } from '../domain/ask-again';
import { stepOfId } from '../domain/access';
import {
  alarmRaisedFor,
  minorNoticeInTimeByItsDay,
  mootDeadlineAlarm,
  mootWindowLead,
  OWED_BEFORE_THE_END,
  windowEndOf as endOfWindow,
} from '../domain/alarms';
import { addDays, lastValidDay } from '../domain/dates';
import { recordedLateIn, SIGN_OFF_ENTRIES } from '../domain/case';
import { identificationDay, stepKindOfId, TRANSFER_NOTICE } from '../domain/case-state';
import { correctionChanges, type CorrectionChange } from '../domain/correction';
import type { CaseAgencies } from '../domain/types';
import { agencyKindLabel, alarmKindLabel, isStepKind, stepLabel, windowLabel } from '../domain/labels';
import { openerInTimeline } from '../domain/openers';
import { STEP_CATALOGUE } from '../domain/steps';
import { agencyOfKindAt, transferIn } from '../domain/transfers';
import { noticeReceived } from '../domain/tracks/t-visa';
import {
  closeReasonLabel,
  humanize,
  refusalReasonLabel,
  sentenceCase,
  transferReasonLabel,
  USCIS_NOTICE_WORDS,
  type Words,
} from './labels';
import { answerInWords, detailFields, detailLabel, type DetailField } from './sign-off-fields';
import { isolated } from './isolated';

interface Entry {
  seq: number;
  at: string;
  type: string;
  stepId: string | null;
  actorAgencyId: string | null;
  summary: string;
  /**
   * The day it happened on when that day was entered without a time (the API's case view, app/timeline-days.ts, from
   * the whole case, so every reader reads the same day); null when it happened at its moment.
   */
  typedDay?: string | null;
}

interface StepFacts {
  id: string;
  kind: string;
  agencyId: string | null;
  agencyKind: string;
  details: Record<string, unknown>;
  /** When what the step granted ends (a CP grant, an interim letter), if it does. */
  expiresAt?: string | null;
  /** Who signed it off (the API's case view), when a user of this service did. */
  completedBy?: { displayName: string; agencyId: string | null } | null;
  /** Where it stands and when it was done or is due (the API's case view): which of its passed alarms still count. */
  status?: string;
  completedAt?: string | null;
  dueAt?: string | null;
  /** When it was opened (the API's case view): which sign-off opened it, read from the timeline (`leadMetInTime`). */
  openedAt?: string;
}

/**
 * The entries newest first (by when they happened, then by the order they were recorded), each with when in words
 * and its sentence. `agencies`: the case's agency of each kind now, which owes a step a correction withdrew since; an
 * entry names the agency that owed its step then, as the case's transfers say it.
 */
export function timelineOf(
  entries: readonly Entry[],
  steps: readonly StepFacts[],
  words: Words,
  agencies: Partial<CaseAgencies> = {},
): { at: string; when: string; sentence: string }[] {
  const byId = new Map([...withdrawnSteps(entries, agencies), ...steps].map((step) => [step.id, step]));
  const recorded = [...entries].sort((a, b) => a.seq - b.seq);
  return [...entries]
    .filter((entry) => !mootAlarm(entry, byId, recorded))
    .sort((a, b) => b.at.localeCompare(a.at) || b.seq - a.seq)
    .map((entry) => ({
      at: entry.at,
      when: passedAlarmWhen(entry, byId, words) ?? whenOf(entry, words),
      sentence: sentenceOf(entry, byId, words, recorded, agencies),
    }));
}

/** "reminder (cp_request) for cp_request-1 fell before it was recorded: …": the alarm's kind and what it is about. */
function passedAlarmOf(entry: Entry): { kind: string; about: string } | undefined {
  if (entry.type !== 'alarm.passed') return undefined;
  const [, kind = '', about = ''] = /^(\w+) \((\w+)\) for /.exec(entry.summary) ?? [];
  return kind ? { kind, about } : undefined;
}

/** The alarms of a step's own deadline (domain/alarms.ts DEADLINE_KINDS), and how the coordinator's notice names each. */
const DEADLINE_ALARMS: Readonly<Record<string, string>> = {
  reminder: 'a reminder',
  due: 'the "Deadline reached" notice',
  escalation: 'an escalation',
};

/**
 * An alarm that fell before the case was brought up to date, moot since: the entered history shows a deadline's step
 * done by its deadline, or before the alarm would have gone (a request signed as of 21 Oct, whose reminders of 27 Oct
 * and 3 Nov were recorded as passed before it was entered), or a window's lead met in time (`leadMetInTime`: a CP
 * renewal requested before the grant ran out). The coordinator's notice of what passed leaves these out by the same
 * rules (domain/alarms.ts `mootDeadlineAlarm`, `mootWindowLead`), and so does the timeline, which would otherwise list
 * alarms the notice never did. `recorded`: the timeline in the order it was recorded.
 */
function mootAlarm(entry: Entry, steps: ReadonlyMap<string, StepFacts>, recorded: readonly Entry[]): boolean {
  const alarm = passedAlarmOf(entry);
  const step = entry.stepId ? steps.get(entry.stepId) : undefined;
  if (!alarm || !step) return false;
  if (alarm.kind === 'expiry_reminder') return leadMetInTime(alarm.about, step, steps, recorded);
  if (!step.status || !step.dueAt) return false;
  const { status, completedAt = null } = step;
  const identifiedOn = identificationDayIn(steps);
  const byItsDay = identifiedOn === undefined ? undefined : minorNoticeInTimeByItsDay(step, identifiedOn);
  // A cancelled step was not done in time, whatever the case's notice was asked under (CANCELLED_IS_NOT_DONE_PATCH).
  return mootDeadlineAlarm(alarm.kind, { status, completedAt }, step.dueAt, {
    at: entry.at,
    inTimeByItsDay: byItsDay,
    cancelledIsNotDone: true,
  });
}

/** The day the survivor was identified, by the identification step (domain/case-state.ts `identificationDay`). */
function identificationDayIn(steps: ReadonlyMap<string, StepFacts>): string | undefined {
  const identification = steps.get('identification-1');
  return identification?.completedAt
    ? identificationDay(identification.details['identifiedOn'], identification.completedAt)
    : undefined;
}

/**
 * Whether a window's lead (about `about`, of the step `window`) was met in time: the step owed before its end that
 * the window's own sign-off opened (OWED_BEFORE_THE_END; which sign-off opened it, the timeline says, as the workflow
 * reads it for a step that does not record it: domain/openers.ts) was done by the end the lead names.
 */
function leadMetInTime(
  about: string,
  window: StepFacts,
  steps: ReadonlyMap<string, StepFacts>,
  recorded: readonly Entry[],
): boolean {
  const owedKind = OWED_BEFORE_THE_END[window.kind];
  if (!owedKind) return false;
  const all = [...steps.values()];
  const owed = all.find(
    (other) =>
      other.kind === owedKind &&
      other.openedAt !== undefined &&
      openerInTimeline({ timeline: recorded, steps: all }, { id: other.id, openedAt: other.openedAt }) === window.id,
  );
  const end = endOfWindow({ details: window.details, expiresAt: window.expiresAt ?? null }, about);
  return mootWindowLead('expiry_reminder', owed, end);
}

/**
 * When a passed alarm was due, as the case's reminders list says it (`reminderWhen`): the day it would have come, or
 * the deadline it names as the step's row does, not the hour it was kept at ("3 Nov 2026, 00:00 UTC"); its hour only
 * for an alarm of a deadline shown at its hour (the minors' 24-hour notice: "3 Dec 2026, 12:00 UTC").
 */
function passedAlarmWhen(entry: Entry, steps: ReadonlyMap<string, StepFacts>, words: Words): string | undefined {
  const alarm = passedAlarmOf(entry);
  const step = entry.stepId ? steps.get(entry.stepId) : undefined;
  if (!alarm || !step) return undefined;
  return words.reminderWhen({ kind: alarm.kind, stepKind: step.kind, about: alarm.about, at: entry.at }, step.dueAt);
}

/**
 * The steps a correction withdrew, which have left the case: their kind and owner as their id names them (domain/
 * access.ts `stepOfId`, as the API judges who may see them). The owner is the case's agency of that kind now; what
 * an entry names is the one that held the kind then (`agencyOfKindAt`, domain/transfers.ts).
 */
function withdrawnSteps(entries: readonly Entry[], agencies: Partial<CaseAgencies>): StepFacts[] {
  const withdrawn = new Set(entries.flatMap((entry) => (entry.type === 'step.withdrawn' ? [entry.stepId] : [])));
  return [...withdrawn].flatMap((stepId) => {
    const step = stepId ? stepOfId(agencies, stepId) : undefined;
    return step ? [{ id: stepId!, ...step, details: {} }] : [];
  });
}

/**
 * An entry that happened on a day entered without a time (a sign-off dated by the day typed, kept as noon UTC of it; an
 * identification entered by its date; a step opened at either's instant, whoever may see what opened it) is shown as
 * that day (`typedDay`, given by the API for every reader alike), without an hour no one entered, so no zone moves it
 * to the day before. Everything else happened at its instant, shown in the reader's zone.
 */
function whenOf(entry: Entry, words: Words): string {
  return entry.typedDay ? formatCalendarDay(entry.typedDay) : words.dateTime(entry.at);
}

/**
 * A request for evidence or notice of intent to deny on a T-visa decision ("rfe received, respond by 2026-12-13",
 * domain/tracks/t-visa.ts `noticeReceived`): its kind and the day to answer by. Its entry is dated the day it was
 * issued, as typed (`typedDay`, app/timeline-days.ts); the workflow keeps a past day as noon UTC of it (domain/case.ts
 * `signedAt`), an hour no one entered, which is how such an entry tells it was recorded after the day it happened. The
 * notice is not the decision's sign-off (domain/case.ts `SIGN_OFF_ENTRIES`): the decision stays pending.
 */
function noticeOf(entry: Entry): { notice: string; respondBy: string; late: boolean } | undefined {
  const received = noticeReceived(entry);
  if (!received) return undefined;
  const late = !!entry.typedDay && entry.at === `${entry.typedDay}T12:00:00.000Z`;
  return { ...received, late };
}

/**
 * To whom an alarm's notice went, by the agency that held the recipient's role then (`agencyOfKindAt`): "notice to
 * Demo City Police", so that a lapse told to its owner and to the coordinator at the same moment (domain/tracks/track.ts
 * `lapseAlarms`) reads as two notices, not one line twice, and an escalation says it reached the coordinator. Its entry
 * names the role (domain/alarms.ts `alarmRaisedFor`).
 */
function alarmRecipient(
  entry: Entry,
  words: Words,
  recorded: readonly Entry[],
  agencies: Partial<CaseAgencies>,
): string {
  const kind = alarmRaisedFor(entry.summary);
  const held = kind && kind in agencies ? (agencies[kind as keyof CaseAgencies] ?? null) : null;
  const agencyId = kind ? agencyOfKindAt(entry, kind, recorded, held) : null;
  return agencyId ? `notice to ${isolated(words.agencyName(agencyId))}` : 'notice raised';
}

function sentenceOf(
  entry: Entry,
  steps: ReadonlyMap<string, StepFacts>,
  words: Words,
  recorded: readonly Entry[],
  agencies: Partial<CaseAgencies>,
): string {
  const step = entry.stepId ? steps.get(entry.stepId) : undefined;
  // A transfer's email is about no step: its delivery reports name the transfer.
  const what =
    (entry.stepId ? stepNamed(entry.stepId, steps) : undefined) ??
    (entry.stepId === TRANSFER_NOTICE ? "The case's transfer" : 'A step');
  const by = entry.actorAgencyId ? ` by ${isolated(words.agencyName(entry.actorAgencyId))}` : '';
  const [group, detail = ''] = entry.type.split('.', 2);
  switch (entry.type) {
    case 'case.opened':
      return `Case opened${by}.`;
    case 'step.opened': {
      if (!step) return `${what} opened.`;
      // Named as it was then: a transfer since moved the step, and the transfer's own entry says so.
      const owner = isolated(
        words.stepAgency({ ...step, agencyId: agencyOfKindAt(entry, step.agencyKind, recorded, step.agencyId) }),
      );
      return `${what} opened, owed by ${owner}.`;
    }
    case 'step.completed':
      return `${what} signed off${signer(step, words) ?? by}.${recordedLate(entry.summary)}${renewalGap(step)}${lateResponse(step)}`;
    case 'step.amended':
      return `${what} amended${by}.`;
    case 'step.asked_again':
      // "u_visa_certification-1 asked for by coordinator: the case now follows a U visa"
      if (startedUVisa(entry)) return `${what} asked for${by}: the case now follows a U visa.`;
      // "cp_request-2 asked again by coordinator after cp_decision-1 denied"
      return `${what} asked again${by}.`;
    case 'step.corrected': {
      // "cp_request-1 corrected by law_enforcement: requestedOn 2026-12-01 → 2026-11-30 (reason kept with the step)"
      const changes = correctionChanges(entry);
      const said = changes
        ? step
          ? changesInWords(changes, step.kind, words)
          : inWords(changes.map((change) => change.said).join('; '), steps, words)
        : undefined;
      return `${what}: sign-off corrected${by}${said ? ` (${said})` : ''}.`;
    }
    case 'case.transferred': {
      const moved = transferIn(entry);
      if (!moved) break;
      const { kind, from, to, reason } = moved;
      const why = reason ? ` Reason: ${transferReasonLabel(reason)}.` : '';
      return `Case transferred${by}: its ${agencyKindLabel(kind).toLowerCase()} agency is now ${isolated(words.agencyName(to))}, was ${isolated(words.agencyName(from))}.${why}`;
    }
    case 'step.declined':
      return `${what} declined${signer(step, words) ?? by}.${recordedLate(entry.summary)}`;
    case 'step.cancelled':
      return `${what} cancelled: ${cancelledWhy(entry, steps, words) ?? 'no longer needed'}.`;
    case 'step.expired':
      return `${what} expired.`;
    case 'notice.received': {
      // "Request for evidence received, answer by 13 Dec 2026.": what came, and by when it is answered.
      const noticed = noticeOf(entry);
      const named = noticed && USCIS_NOTICE_WORDS[noticed.notice];
      if (!noticed || !named) return `Notice recorded for ${what}${by}.`;
      const late = noticed.late ? ' Recorded after the fact.' : '';
      return `${named} received, answer by ${formatCalendarDay(noticed.respondBy)}.${late}`;
    }
    case 'alarm.passed': {
      // "expiry_reminder (cp_validity) for cp_decision-1 fell before it was recorded: ...": a window's reminder is
      // about the window's end, not the step that opened it (signed long before), and is listed whatever that step,
      // unless what it asked for was done by that end (`mootAlarm`).
      const { kind = '', about = '' } = passedAlarmOf(entry) ?? {};
      const windowEnd = step && WINDOW_END_KINDS.has(kind) && about !== 'minor_turns_18';
      // A deadline's alarm, named as the notice names it; one its step made moot is not listed (`mootAlarm`).
      if (!windowEnd) return `${what}: ${DEADLINE_ALARMS[kind] ?? 'a reminder'} ${PASSED}.`;
      const ends = windowEndOf(step, about, words);
      const notice = kind === 'expired' ? 'the notice of its end' : 'a reminder';
      return `${sentenceCase(windowLabel(about))}${ends ? ` ends ${ends}` : ''}: ${notice} ${PASSED}.`;
    }
    case 'reminder.not_sent': {
      // "expiry_reminder (cp_validity) for cp_decision-1 not sent to law enforcement: the "Needed again" email of
      // cp_renewal_request-2 says it": the reminder as the case's reminders name it, the step by its label.
      const [, kind = '', about = ''] = /^(\w+) \((\w+)\) for /.exec(entry.summary) ?? [];
      const reminder = step ? words.reminderLabel({ kind, stepKind: step.kind, about }) : `A reminder of ${what}`;
      const reopened = /"Needed again" email of (\S+) says it/.exec(entry.summary)?.[1];
      const named = reopened && stepNamed(reopened, steps);
      return `${reminder}: not sent, since the "Needed again" email${named ? ` of ${named}` : ''} says it.`;
    }
    case 'step.rescheduled': {
      // "cp_renewal_request-1 now due 2028-05-26T00:00:00.000Z (was 2028-11-26T00:00:00.000Z)": as the step shows its
      // deadline, by its last day to act, so the two never name different days.
      const moved = /now due (\S+) \(was ([^\s)]+)/.exec(entry.summary);
      if (!moved || !step) break;
      const due = (said: string) => (said === 'without' ? 'no due date' : words.dueOf(step.kind, said));
      // A step signed before keeps its record: only the deadline it is measured against moved, nothing is due.
      const signedBefore = recorded.some(
        (other) => other.seq < entry.seq && other.stepId === entry.stepId && SIGN_OFF_ENTRIES.has(other.type),
      );
      if (signedBefore)
        return `${what}, already signed: its deadline is now ${due(moved[1]!)} (was ${due(moved[2]!)}).`;
      return `${what} now due ${due(moved[1]!)} (was ${due(moved[2]!)}).`;
    }
    case 'step.withdrawn': {
      // "cp_request-2 withdrawn: nothing is left to ask again with cp_decision-1 as corrected"
      const corrected = /nothing is left to ask again with (\S+) as corrected/.exec(entry.summary)?.[1];
      const named = corrected && stepNamed(corrected, steps);
      if (!named) break;
      return `${what} withdrawn: as corrected, the ${named} leaves nothing to ask again.`;
    }
    case 'step.reopened': {
      // "cp_renewal_request-1 reopened, due 2027-12-01T00:00:00.000Z: the lapse of cp_decision-1 on 2026-11-30 is
      // withdrawn": due as the step shows its deadline, by its last day to act.
      const reopened = /reopened(?:, due (\S+))?: the lapse of (\S+) on (\S+) is withdrawn/.exec(entry.summary);
      const named = reopened && stepNamed(reopened[2]!, steps);
      if (!reopened || !step || !named) break;
      const due = reopened[1] ? `, due ${words.dueOf(step.kind, reopened[1])}` : '';
      return `${what} reopened${due}: the lapse of the ${named} on ${formatCalendarDay(reopened[3]!)} is withdrawn.`;
    }
    case 'notification.failing':
      return `${what}: an email is failing to arrive; still retrying.`;
    case 'notification.delivered':
      return `${what}: an email arrived after failed attempts.`;
    case 'notification.not_sent': {
      // "reminder email for cp_request-1 to demo-police: delivery failing since …; not sent: the step was done before
      // the email could go out (settled at …)" (domain/alarms.ts `withSettledDeliveries`): settled, not retrying.
      const why = /; (not sent: .*) \(settled at \S+\)$/.exec(entry.summary)?.[1] ?? 'not sent';
      return `${what}: an email failed to arrive, and is no longer owed. ${why.charAt(0).toUpperCase()}${why.slice(1)}.`;
    }
  }
  if (group === 'alarm') {
    // "expiry_reminder (minor_turns_18) for hhs_minor_notification-1 raised for coordinator": named as the case's
    // reminders name it (a minor's 18th birthday is never "Expiring").
    const about = /^\w+ \((\w+)\) for /.exec(entry.summary)?.[1];
    const label = step
      ? words.reminderLabel({ kind: detail, stepKind: step.kind, about: about ?? step.kind })
      : `${alarmKindLabel(detail)}: ${what}`;
    return `${label} (${alarmRecipient(entry, words, recorded, agencies)}).`;
  }
  if (group === 'case') {
    // "case closed (relief_obtained)" (domain/case.ts closeCase): the reason in words, as a transfer's is.
    const reason = /^case (?:closed|withdrawn) \((\w+)\)$/.exec(entry.summary)?.[1];
    const why = reason ? ` Reason: ${closeReasonLabel(reason)}.` : '';
    return `Case ${detail.replace(/_/g, ' ')}${by}.${why}`;
  }
  return inWords(entry.summary, steps, words);
}

/** Why a step was cancelled, in words ("Continued Presence lapsed"), when its entry says why. */
function cancelledWhy(entry: Entry, steps: ReadonlyMap<string, StepFacts>, words: Words): string | undefined {
  // "hhs_minor_notification-1 cancelled: turned 18 before HHS was notified: the adult route applies"
  const why = /^\S+ cancelled: (.+?)\.?$/.exec(entry.summary)?.[1];
  return why ? inWords(why, steps, words) : undefined;
}

/**
 * Why each step that ended undone did, by step id, as the timeline says it, for the track summary
 * (web/case-standing.ts), which would otherwise say only "cancelled" or "expired": a cancelled step's latest
 * cancellation's reason, and for a step owed that lapsed (an adjustment of status not filed while T status lasted) its
 * expiry's ("T status ended before adjustment was filed"). A validity's own end (a CP grant's) is said by its
 * "was valid until".
 */
export function endReasons(entries: readonly Entry[], steps: readonly StepFacts[], words: Words): Map<string, string> {
  const byId = new Map(steps.map((step) => [step.id, step]));
  const reasons = new Map<string, string>();
  for (const entry of [...entries].sort((a, b) => a.seq - b.seq)) {
    const step = entry.stepId ? byId.get(entry.stepId) : undefined;
    const why =
      entry.type === 'step.cancelled' && entry.stepId
        ? cancelledWhy(entry, byId, words)
        : entry.type === 'step.expired' && step && !step.expiresAt
          ? entry.summary
          : undefined;
    if (why) reasons.set(entry.stepId!, why);
  }
  return reasons;
}

/** What became of an alarm that fell before the case was brought up to date (domain/alarms.ts settlePassedAlarms). */
const PASSED =
  'was due before the case was brought up to date, so it was not sent; one notice to the coordinator lists it';
/** The alarms of a window's end (domain/alarms.ts windowEndAlarms); a minor's 18th birthday is the notice's deadline. */
const WINDOW_END_KINDS: ReadonlySet<string> = new Set(['expiry_reminder', 'expired']);

/**
 * The last day of the window an alarm is about, as the step's row says it: a validity by its last valid day, the
 * benefits a certification letter opened by the day the letter keeps (as domain/alarms.ts alarmDate dates them).
 */
function windowEndOf(step: StepFacts, about: string, words: Words): string | undefined {
  const benefitsEnd = step.details['benefitEndsOn'];
  if (about === 'benefit_window') return typeof benefitsEnd === 'string' ? formatCalendarDay(benefitsEnd) : undefined;
  return step.expiresAt ? words.validUntil(step.expiresAt) : undefined;
}

/** " by J. Doe (Demo City Police)": the person who signed the step off, with their agency, when known. */
function signer(step: StepFacts | undefined, words: Words): string | null {
  const by = step?.completedBy;
  return by ? ` by ${isolated(by.displayName)} (${isolated(words.agencyName(by.agencyId ?? step.agencyId))})` : null;
}

/**
 * A CP renewal requested after the grant it renews had ended, as a case brought up to date may record it (the request
 * is taken: the police may still ask, and ICE decide): the days the survivor went without Continued Presence, which no
 * other line says. The request is due at the grant's end (domain/tracks/continued-presence.ts), so its due date is
 * that end. Nothing for one requested in time.
 */
function renewalGap(step: StepFacts | undefined): string {
  if (step?.kind !== 'cp_renewal_request' || !step.dueAt || step.status !== 'completed') return '';
  const typed = step.details['requestedOn'];
  const requestedOn = typeof typed === 'string' ? typed : step.completedAt?.slice(0, 10);
  const lastDay = lastValidDay(step.dueAt);
  if (!requestedOn || requestedOn <= lastDay) return '';
  return (
    ` Requested ${daysAfter(lastDay, requestedOn)} after Continued Presence ended (its last day was ` +
    `${formatCalendarDay(lastDay)}): the survivor has been without Continued Presence since ` +
    `${formatCalendarDay(addDays(lastDay, 1))}, until a renewal is granted.`
  );
}

/**
 * A response to a request for evidence or a notice of intent to deny made after the date on the notice, as a case
 * brought up to date may record it (it is taken: what was sent is a fact): how late, by that date, and what it risks,
 * which no other line says (domain.md: answer by the date on the notice). Nothing for one made by that date.
 */
function lateResponse(step: StepFacts | undefined): string {
  if (step?.kind !== 't_visa_evidence_response' || step.status !== 'completed') return '';
  const { respondBy, respondedOn } = step.details;
  if (typeof respondBy !== 'string' || typeof respondedOn !== 'string' || respondedOn <= respondBy) return '';
  return (
    ` Responded ${daysAfter(respondBy, respondedOn)} after the date on the notice (${formatCalendarDay(respondBy)}): ` +
    'USCIS may not consider a late response, and may deny the application for no response.'
  );
}

/** "1 day", "11 days": how long after `lastDay` a day came. */
function daysAfter(lastDay: string, day: string): string {
  const days = Math.round((Date.parse(day) - Date.parse(lastDay)) / 86_400_000);
  return days === 1 ? '1 day' : `${days} days`;
}

/**
 * The domain marks a sign-off recorded after the day it happened in its summary (domain/case.ts `recordedLateIn`:
 * "(happened on 2027-01-02, recorded on 2027-01-05)"); the sentence says so in words.
 */
function recordedLate(summary: string): string {
  const late = recordedLateIn(summary);
  return late ? ` Recorded after the fact, on ${formatCalendarDay(late.recordedOn)}.` : '';
}

/**
 * A correction's changes as the domain records them ("outcome signed → declined; signedOn 2026-07-15 → none; reason
 * none → investigation_closed; note replaced", domain/correction.ts `correctionChanges`) in the sign-off form's words:
 * the outcome as the form names it, each detail by its field's label and its value as the form shows it back (a reason
 * by its list's words, a date as a day), and "none" as "not given".
 */
function changesInWords(changes: readonly CorrectionChange[], kind: string, words: Words): string {
  const fields = isStepKind(kind)
    ? new Map(
        Object.keys(STEP_CATALOGUE[kind].outcomes).flatMap((outcome) =>
          detailFields(kind, outcome).map((field) => [field.name, field] as const),
        ),
      )
    : new Map<string, DetailField>();
  return changes
    .map(({ said: change, field: name, from = '', to = '' }) => {
      if (!name) return change;
      const field = fields.get(name);
      const value = (said: string) => {
        if (said === 'none') return 'not given';
        if (name === 'outcome') return humanize(said).toLowerCase();
        // A reason as recorded ("Other"), never as the form asks for it ("Other (say why in the note)").
        if (name === 'reason') return refusalReasonLabel(kind, said);
        if (field) return answerInWords(field, said, words);
        return /^\d{4}-\d\d-\d\d$/.test(said) ? formatCalendarDay(said) : said;
      };
      const label = name === 'outcome' ? 'outcome' : (field?.label ?? detailLabel(name)).toLowerCase();
      // "granted on 1 Dec 2026 (was not given)": a value given where there was none reads as a person says it.
      if (from === 'none') return `${label} ${value(to)} (was not given)`;
      return `${label} ${value(from)} → ${value(to)}`;
    })
    .join('; ');
}

/**
 * A step by its kind's label: one still in the case by its own kind, one no longer in it (a correction withdrew it)
 * by the kind its id names, so "HHS certification request withdrawn" says which. Undefined for an id no step has.
 */
function stepNamed(id: string, steps: ReadonlyMap<string, StepFacts>): string | undefined {
  const kind = steps.get(id)?.kind ?? stepKindOfId(id);
  return kind && stepLabel(kind);
}

/** A summary of a kind the console has no sentence for, with its step ids and agency ids put in words. */
function inWords(summary: string, steps: ReadonlyMap<string, StepFacts>, words: Words): string {
  return summary
    .replace(/\b[a-z_]+-\d+\b/g, (id) => stepNamed(id, steps) ?? 'a step')
    .replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, (instant) => words.dateTime(instant))
    .replace(/\b\d{4}-\d\d-\d\d\b/g, (day) => formatCalendarDay(day));
}
