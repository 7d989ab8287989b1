/**
 * The words of a reminder email. The input names only the case reference, the step and the agency: a survivor's
 * identity has no field here, so it cannot end up in a mailbox by mistake.
 */
import {
  deadlineAsRead,
  deadlineZone,
  formatCalendarDay,
  formatDate,
  formatDateTime,
  formatDueDate,
  notYetOverdueWords,
  onItsLastDay,
  overdueSinceWords,
} from '../core/people-dates';
import { lastValidDay } from '../domain/dates';
import type { EndNow, GroundChange, PassedAlarm } from '../domain/case-state';
import type { NotificationKind } from '../domain/case-state';
import { agencyKindInProse, alarmKindLabel, codeInWords, dueAtTheHour, isStepKind, stepLabel } from '../domain/labels';
import { dueStanding, dueToRead, overdueAsOf, STEP_CATALOGUE } from '../domain/steps';
import type { Instant } from '../domain/types';

export interface NotificationFacts {
  kind: NotificationKind;
  caseId: string;
  /** The case's public reference, e.g. "RC-2026-0042". */
  reference: string;
  /** A step kind; anything else (an unknown or retired kind) is shown in plain words. */
  stepKind: string;
  /** The organisation the email goes to. For an escalation, the coordinator organisation. */
  agencyName: string;
  /** The recipient organisation's IANA time zone: its dates are written as its calendar reads them (default UTC). */
  timeZone?: string;
  /**
   * Every agency's zone: a deadline counted in days from an identification is that agency's midnight, and its last
   * day to act is read there, so the task force's email names the day the police's does (core/people-dates.ts).
   */
  deadlineZones?: readonly string[];
  /**
   * The date the message is about: the step's due date, or the expiry date for expiry kinds. Null when that date is
   * derived from a birth date (a minor's 18th birthday): the message then says where to find it instead.
   */
  dueAt: Instant | null;
  /** What the alarm is about when it is not the step itself, e.g. `minor_turns_18` (domain Alarm.subject). */
  about?: string;
  /** Where the service is reachable, without a trailing slash, e.g. https://relief.example.org */
  publicBaseUrl: string;
  /** For `delivery_failing`: the organisation whose email keeps failing (`dueAt` is then when it started failing). */
  failedRecipient?: string;
  /**
   * For `delivery_failing`: the kind of the notification whose email keeps failing. A notice of what passed goes out
   * gathered with other cases' ("Brought up to date"), about no one step.
   */
  failedKind?: NotificationKind;
  /**
   * For `delivery_failing`: the agency's mail server refuses its address for good (550 5.1.1 no such user), which no
   * retry mends: the notice says who can, a system administrator correcting the agency's address.
   */
  failedAddressRefused?: boolean;
  /** For `escalation`: the agency that owes the step and its address (none when the directory has none). */
  actingAgency?: { name: string; email: string | null };
  /**
   * For `expiry_reminder` and `passed_summary`: the step still owed before a window ends, pending on the case, by the
   * kind of step whose window it is (`cp_decision`: its renewal request): an expiry lead says to do it by then rather
   * than only that something ends (`expiryLeadWords`).
   */
  owed?: Readonly<Partial<Record<string, OwedStep>>>;
  /** For `passed_summary`: the reminders that passed before the case was brought up to date, none of them sent. */
  passed?: PassedAlarm[];
  /** For `end_corrected`: the end an earlier expiry email named, which a correction moved to `dueAt`. */
  was?: Instant;
  /**
   * For `end_corrected`: what became of that end beyond moving ahead (domain `EndCorrection`): `ended` before the
   * correction, or gone with its grant, `refused` (the step now records `outcome`) or `withdrawn`.
   */
  endNow?: EndNow;
  outcome?: string;
  /**
   * For `end_corrected`: granted again (`outcome`) after the earlier email told it refused, that refusal's outcome
   * ("denied"): the email says the refusal no longer holds, rather than that the date it named was wrong.
   */
  refusedBefore?: string;
  /**
   * For `end_corrected` to an agency that no longer takes part in the case (transferred away): the name of the agency
   * holding its kind now. The case page answers it 403, so its email neither links to it nor sends it there.
   */
  nowHeldBy?: string;
  /**
   * For `step_withdrawn` and `step_reopened`: the step whose correction withdrew or reopened this one (absent when the
   * recipient may not know of it), and who corrected it: the agency's name, or "The coordinator".
   */
  corrected?: { stepKind?: string; by: string };
  /** For `step_reopened`: whether the step was open before ("Needed again"), or is new ("Now needed"). */
  again?: boolean;
  /**
   * For `step_opened`: who acted, by their display name and agency ("Pat Officer of Demo Police"), and the step whose
   * sign-off opened this one (absent when the recipient may not know of it, or for a step asked for again).
   */
  openedBy?: { by: string; stepKind?: string };
  /** For `step_withdrawn`: a second request of the corrected step, opened when the first lapsed or was refused. */
  secondOf?: 'lapsed' | 'refused';
  /**
   * For `step_withdrawn` and `step_reopened` by no correction: the event that took away an HHS certification letter's
   * last ground (a T-visa denial, a CP lapse) or gave one back (`groundWords`).
   */
  ground?: GroundChange;
  /**
   * For `step_reopened`, `step_opened` and a due date's `end_corrected`: when it was raised, which says whether its deadline had
   * passed already (`owedWords`).
   */
  raisedAt?: Instant;
  /**
   * For `step_reopened` and a due date's `end_corrected`: the step's deadline is a day (domain/types.ts `dueOnADay`,
   * the read model's `case_steps.due_on_a_day`), met all of its last day wherever in the US it is read: overdue only
   * once that day has ended everywhere in the US, as the API, the console and the digest say (domain/steps.ts
   * `overdueAsOf`).
   */
  dueOnADay?: boolean;
}

/** A step still owed before a window ends (a CP grant's renewal request), and its due date. */
export interface OwedStep {
  stepKind: string;
  dueAt: Instant | null;
}

export interface RenderedEmail {
  subject: string;
  text: string;
}

/**
 * A deadline as the console shows it (core/people-dates.ts): the last day to act, one day for every recipient (read
 * in the zone whose midnight it is among `deadlineZones`, else the recipient's), or the moment itself in the
 * recipient's zone where the hour matters (a minor's 24-hour notice).
 */
function dueDateFor(dueAt: Instant, stepKind: string, zone: string, deadlineZones: readonly string[] = []): string {
  if (dueAtTheHour(stepKind)) return formatDateTime(dueAt, zone);
  return formatDueDate(dueAt, deadlineZone(dueAt, zone, deadlineZones));
}

/**
 * A deadline as a list of what is owed names it at `now`: "due 5 Dec 2026" (`dueDateFor`), with the console's words
 * once it is overdue, as the API says it (domain/steps.ts `overdueAsOf`, never by the reader's own day: a CP decision
 * due 6 Dec read in Guam on the morning of 7 Dec is still "due 6 Dec 2026", not overdue before 6 Dec has ended
 * everywhere in the US), so the day alone does not read as time still left:
 * - `instead` (the digest, whose "Overdue" section says a day before its own has passed): only one that passed earlier
 *   on that very day (counted from an identification's hour) reads "overdue since 07:40 CST on 5 Dec 2026" instead of
 *   the day, where "Overdue: …, due 5 Dec 2026" in the digest of 5 Dec would read as if there were still time;
 * - `beside` (a list with no such section: the steps a transfer hands over): every overdue one has the words beside
 *   its day: "due 30 Nov 2026 (overdue since 1 Dec 2026)", "due 5 Dec 2026 (overdue since 07:00 CST on 5 Dec 2026)".
 * An email is read on later days: its words name dates, never "today" or a count from its sending
 * (core/people-dates.ts `overdueSinceWords`), where the console, read at the moment, says "overdue since 07:00 today".
 * A step not overdue yet though its last day has ended where it is read (a deadline that is a day, read in Guam the
 * morning after it) says when it becomes overdue beside its day, in the words the console says it
 * (core/people-dates.ts `notYetOverdueWords`): "due 6 Dec 2026 (overdue from 22:00 Guam time on 7 Dec 2026, once 6 Dec
 * 2026 has ended everywhere in the US)", where the day alone read as a day still to come or already gone.
 */
export function dueWordsFor(
  dueAt: Instant,
  stepKind: string,
  zone: string,
  deadlineZones: readonly string[],
  now: Date,
  words: 'instead' | 'beside' = 'instead',
  dueOnADay?: boolean | null,
): string {
  const judgedIn = deadlineZone(dueAt, zone, deadlineZones);
  const due = `due ${dueDateFor(dueAt, stepKind, zone, deadlineZones)}`;
  const stillDue = notYetOverdueWords(
    dueStanding({ kind: stepKind, dueAt, dueOnADay }, now.getTime()),
    judgedIn,
    zone,
    now,
  );
  if (stillDue) return `${due} (${stillDue})`;
  if (words === 'beside') {
    const standing = standingAt(dueAt, stepKind, zone, deadlineZones, now, dueOnADay);
    return standing.overdue ? `${due} (${standing.words})` : due;
  }
  const passes = deadlineAsRead(dueToRead({ kind: stepKind, dueAt, dueOnADay }), judgedIn);
  const overdue = overdueAsOf({ kind: stepKind, dueAt, dueOnADay }, now.getTime());
  return overdue && onItsLastDay(passes, judgedIn, now) ? overdueSinceWords(passes, judgedIn) : due;
}

/**
 * How a deadline stands at `now`: overdue as the API says it (domain/steps.ts `overdueAsOf`), never by the reader's own
 * day, and, when it is, in words beside the deadline it names that stay true when the email is read later: one named
 * at its hour (`dueDateFor`: "due 6 Dec 2026, 00:00 UTC") is just "overdue", the moment it passed
 * being the one named; else since when (`overdueSinceWords`: "overdue since 1 Dec 2026"), judged from its last day to
 * act, where the console says "overdue by 2 hours" or "overdue by 4 days" at the moment it is read.
 */
function standingAt(
  dueAt: Instant,
  stepKind: string,
  zone: string,
  deadlineZones: readonly string[],
  now: Date,
  dueOnADay?: boolean | null,
): { words: string; overdue: boolean } {
  const overdue = overdueAsOf({ kind: stepKind, dueAt, dueOnADay }, now.getTime());
  if (dueAtTheHour(stepKind)) return { words: 'overdue', overdue };
  const judgedIn = deadlineZone(dueAt, zone, deadlineZones);
  const passes = deadlineAsRead(dueToRead({ kind: stepKind, dueAt, dueOnADay }), judgedIn);
  return { words: overdueSinceWords(passes, judgedIn), overdue };
}

/** Kinds about the end of what a step granted: they name its last valid day, as the case page does. */
const EXPIRY_KINDS: ReadonlySet<string> = new Set(['expiry_reminder', 'expired', 'end_corrected']);
/** Kinds about a step's deadline: they name its last day to act. */
const DEADLINE_KINDS: ReadonlySet<string> = new Set(['reminder', 'due', 'escalation', 'step_reopened', 'step_opened']);

/**
 * A deadline a step owed again has at `now`, with whether it passed: "due 5 Jan 2027" (`dueWordsFor`), "overdue since
 * 07:40 UTC on 5 Dec 2026", or, passed on an earlier day, "due 24 Nov 2026, overdue since 25 Nov 2026": an email
 * reopening a step must not read as if there were time left. A deadline that is a day (`dueOnADay`) is overdue once
 * that day has ended everywhere in the US, as the API says it (`standingAt`): "due 5 Dec 2026" all of 5 Dec and after
 * it until then, in Guam or New York too, never "overdue since 07:00 EST".
 */
function owedWords(
  dueAt: Instant,
  stepKind: string,
  zone: string,
  deadlineZones: readonly string[],
  now: Date,
  dueOnADay?: boolean,
): { words: string; overdue: boolean } {
  const due = dueWordsFor(dueAt, stepKind, zone, deadlineZones, now, 'instead', dueOnADay);
  const standing = standingAt(dueAt, stepKind, zone, deadlineZones, now, dueOnADay);
  if (!standing.overdue) return { words: due, overdue: false };
  return { words: due.startsWith('overdue') ? due : `${due}, ${standing.words}`, overdue: true };
}

/**
 * The date an alarm's email names: for an expiry, the last day of the validity as a calendar day ("valid until 31 Jan
 * 2027" for what ends at the start of 1 Feb, whatever the reader's zone); for a deadline, its last day to act; else
 * (when a delivery started failing) the day in the reader's zone.
 */
function alarmDateWords(
  at: Instant,
  kind: string,
  stepKind: string,
  zone: string,
  deadlineZones: readonly string[],
): string {
  if (EXPIRY_KINDS.has(kind)) return formatCalendarDay(lastValidDay(at));
  if (DEADLINE_KINDS.has(kind)) return dueDateFor(at, stepKind, zone, deadlineZones);
  return dayWords(at, stepKind, zone);
}

/** The day of a moment in the reader's zone, with its hour for a minor's 24-hour notice. */
function dayWords(at: Instant, stepKind: string, zone: string): string {
  return stepKind === 'hhs_minor_notification' ? formatDateTime(at, zone) : formatDate(at, zone);
}

/** A page of the console (`path` from its root, with its query) as an email links to it. */
export function consoleLink(publicBaseUrl: string, path: string): string {
  return `${publicBaseUrl.replace(/\/+$/, '')}${path}`;
}

export function caseLink(publicBaseUrl: string, caseId: string): string {
  return consoleLink(publicBaseUrl, `/cases/${encodeURIComponent(caseId)}`);
}

/**
 * What a window's end means, in its `expired` email to its owner and to the coordinator (domain/tracks: what each
 * expiry cancels). Of the case, never of the person: the email may be forwarded.
 */
const LAPSE_MEANS: Readonly<Record<string, string>> = {
  cp_validity:
    'Continued Presence has lapsed: the work authorization it gave ends until a renewal is granted, a renewal not ' +
    'yet requested is cancelled, and on the adult path an HHS certification request not yet made is withdrawn unless ' +
    'a bona fide T visa application or T status backs it.',
  t_status:
    'T status ended before the adjustment of status (Form I-485) was filed: the survivor loses the path to permanent ' +
    'residence it opened. Seek immigration legal advice at once.',
  u_certification_window:
    'The 6 months to file the U visa petition with this certification have passed unused: the petition step is ' +
    'cancelled and a new certification request is open on the case page.',
  interim_letter:
    'The interim assistance letter lapsed before HHS issued the eligibility letter: the assistance it gave ends until ' +
    'the eligibility letter is issued.',
};

/** An agency transferred away cannot open the case (403): its email neither links to it nor sends it there. */
const opensCase = (facts: NotificationFacts): boolean => facts.nowHeldBy === undefined;

/** Where a reader who can open the case finds what a lapse or a refusal of a CP grant leaves to ask for. */
const ASKED_AGAIN = 'The case page shows what can be asked for again.';
/** What the case page shows after a window's lapse, said to a reader who can open it. */
const LAPSE_CASE_PAGE: Readonly<Record<string, string>> = { cp_validity: ASKED_AGAIN };

/**
 * What the lapse of the window `about` means, as " …" to end a sentence with, or nothing for a window with no words;
 * where the case page shows what follows, only to a reader who can open it (`toCasePage`; not an agency transferred
 * away).
 */
function lapseMeans(about: string | undefined, toCasePage = true): string {
  const means = about === undefined ? undefined : LAPSE_MEANS[about];
  const casePage = about === undefined || !toCasePage ? undefined : LAPSE_CASE_PAGE[about];
  return `${means ? ` ${means}` : ''}${casePage ? ` ${casePage}` : ''}`;
}

/**
 * Owed steps that another act may stand in for before the end, by the window's end rather than their own deadline: an
 * interim letter's end is met by the eligibility letter or by an extension of the interim letter, and the eligibility
 * letter's own deadline is HHS's working target, not that end.
 */
const OWED_OR_ELSE: Readonly<Record<string, string>> = {
  hhs_eligibility_letter: 'or extend the interim letter if an extension is still allowed',
};

/**
 * How an expiry lead names what it reminds of (the live reminder's subject and a notice of what passed's line alike):
 * the step still owed before the end and by when, "Reminder: Continued Presence renewal request, due 19 Dec 2026"
 * (`owedBy` says it in a sentence's words); else the end itself, "Expiring: Continued Presence decision, valid until
 * 19 Dec 2026". `end` is the window's last valid day in words; `owed` by the kind of step whose window it is.
 */
function expiryLeadWords(
  stepKind: string,
  about: string | undefined,
  end: string,
  owed: NotificationFacts['owed'],
  zone: string,
  deadlineZones: readonly string[] = [],
): { label: string; what: string; when: string; owedBy?: string } {
  const step = owed?.[stepKind];
  if (!step)
    return { label: alarmKindLabel('expiry_reminder'), what: whatEnds(stepKind, about), when: `valid until ${end}` };
  const orElse = OWED_OR_ELSE[step.stepKind];
  const by =
    orElse !== undefined
      ? end
      : step.dueAt === null
        ? 'the date on the case page'
        : dueDateFor(step.dueAt, step.stepKind, zone, deadlineZones);
  return {
    label: 'Reminder',
    what: stepLabel(step.stepKind),
    when: `due ${by}`,
    owedBy: orElse ? `${by}, ${orElse}` : by,
  };
}

/**
 * What ends, as an officer names it: the status a grant gives ("T status", not the "T visa decision" that granted it),
 * by the window an expiry alarm is about; else the step that granted it.
 */
const WHAT_ENDS: Readonly<Record<string, string>> = {
  cp_validity: 'Continued Presence',
  t_status: 'T status',
};
const whatEnds = (stepKind: string, about: string | undefined) =>
  (about === undefined ? undefined : WHAT_ENDS[about]) ?? stepLabel(stepKind);

/** How a second request of a step came to be open, which a correction of the first withdrew. */
const SECOND_OPENED: Readonly<Record<NonNullable<NotificationFacts['secondOf']>, string>> = {
  lapsed: 'opened when the first lapsed',
  refused: 'asked for again when the first was refused',
};

/**
 * What took away or gave back the ground of an HHS certification letter, as HHS reads it (domain.md: CP in force, a
 * bona fide T-visa application not denied, T status).
 */
const GROUND_EVENT: Readonly<Record<GroundChange, string>> = {
  t_visa_denied: "USCIS denied the survivor's T-visa application",
  cp_lapsed: "The survivor's Continued Presence ended with no renewal granted",
  cp_granted: 'ICE granted Continued Presence',
  t_visa_bona_fide: "USCIS found the survivor's T-visa application bona fide",
  t_visa_approved: 'USCIS granted T status',
};

/** The lead of a step withdrawn or owed again by an event (`ground`), not a correction. */
function groundWords(ground: GroundChange, step: string, withdrawn: boolean): string {
  return withdrawn
    ? `${GROUND_EVENT[ground]}, and no other ground for certification holds on this case now: HHS certifies an adult ` +
        'only while Continued Presence is in force, a bona fide T-visa application has not been denied, or T status ' +
        `is granted. "${step}" is withdrawn and needs nothing more from you: do not issue a certification letter for ` +
        'this case unless it is needed again.'
    : `${GROUND_EVENT[ground]}: a ground for certification holds on this case again, and "${step}" is needed again`;
}

/** `notSent`: for `passed_summary`, the lines its body lists, which its subject counts. */
/** A step's deadline as an email telling it is owed says it when raised (`owedWords`); undefined for none. */
function owedOf(facts: NotificationFacts): { words: string; overdue: boolean } | undefined {
  if (facts.dueAt === null) return undefined;
  const zone = facts.timeZone ?? 'UTC';
  return owedWords(
    facts.dueAt,
    facts.stepKind,
    zone,
    facts.deadlineZones ?? [],
    new Date(facts.raisedAt ?? 0),
    facts.dueOnADay,
  );
}

/** What to do by when, as an email telling a step is owed says it. */
const actBy = (owed: { overdue: boolean } | undefined) =>
  owed?.overdue ? 'Make it now' : owed ? 'Make it by then' : 'Make it by the date on the case page';

/**
 * An agency to follow up with and how, as the console's lists say it ("Contact <agency>: <address>"): an escalation's
 * "Please follow up with …", and a digest line's "owed by …" for a step another agency owes. One without a notification
 * address is said to be so: its reminders reached it in the console alone, so it may not know the step is late.
 */
export const agencyToChase = (agency: { name: string; email: string | null }): string =>
  agency.email
    ? `${agency.name}: ${agency.email}`
    : `${agency.name}, which has no notification address: its reminders reach it in the console only, never by email`;

function headline(
  facts: NotificationFacts,
  step: string,
  date: string,
  notSent: readonly string[],
): { subject: string; lead: string } {
  const ref = facts.reference;
  const zone = facts.timeZone ?? 'UTC';
  if (facts.about === 'minor_turns_18' && facts.kind === 'expired') {
    return {
      subject: `Turned 18 before HHS was notified: the adult route applies (case ${ref})`,
      lead:
        `The survivor in this case turned 18 with the request for HHS assistance ("${step}") not made: it is cancelled ` +
        'and the case is on the adult path. HHS certifies an adult once Continued Presence is granted or the T visa ' +
        'is found bona fide or approved; the case page shows the certification request when it opens.',
    };
  }
  if (facts.about === 'minor_turns_18') {
    return {
      subject: `${URGENT_BIRTHDAY_SUBJECT} (case ${ref})`,
      lead:
        // A case entered after the birthday gets this notice too, at once: it must not promise time that is gone.
        `The minor in this case turns 18 soon, or already has, and the request for HHS assistance ("${step}") must be ` +
        "made before the 18th birthday. The date is on the case page for those who may read the survivor's identity; " +
        'if it has passed, ask HHS how the survivor can still be helped.',
    };
  }
  if (facts.about === 'benefit_window' && facts.kind === 'expiry_reminder') {
    return {
      subject: `Benefits ending: Refugee Cash and Medical Assistance end ${date} (case ${ref})`,
      lead:
        `The Refugee Cash and Medical Assistance that "${step}" opened, counted from its eligibility date, last until ` +
        `${date}. The letter itself does not expire: plan with the survivor for the support that follows.`,
    };
  }
  if (facts.about === 'adjustment_eligible' && facts.kind === 'reminder') {
    // Sent the day the survivor may apply (domain/tracks/t-visa.ts), not a deadline coming: it says what opened, and
    // the deadline that matters, T status's last day (the step's due date), with what missing it costs.
    return {
      subject: `Can be filed now: ${step}, by ${date} while T status lasts (case ${ref})`,
      lead:
        `The survivor in this case may now apply to adjust status to permanent residence ("${step}"): the time in T ` +
        `status the approval counted has passed. It must be filed while T status lasts, on or before ${date}: a ` +
        'survivor whose T status ends before filing loses this path.',
    };
  }
  switch (facts.kind) {
    case 'reminder':
      return { subject: `Reminder: ${step} due ${date} (case ${ref})`, lead: `The step "${step}" is due on ${date}.` };
    case 'due':
      // A federal 24-hour duty: what is owed now is the notice itself, and its record in the console.
      if (facts.stepKind === 'hhs_minor_notification')
        return {
          subject: `Deadline reached: notify HHS now (case ${ref})`,
          lead:
            `The 24 hours to notify HHS of this minor ("${step}") ended ${date} and the step is still open. Notify HHS ` +
            'now, then record the notification on the case page in the console.',
        };
      // Sent as the deadline passes, which for a date typed as "by 15 Jan" is the start of 16 Jan.
      return {
        subject: `Deadline reached: ${step} (case ${ref})`,
        lead: `The deadline of the step "${step}", ${date}, has been reached and the step is still open.`,
      };
    case 'escalation': {
      const acting = facts.actingAgency;
      const owner =
        acting?.name ??
        (isStepKind(facts.stepKind) ? agencyKindInProse(STEP_CATALOGUE[facts.stepKind].owner) : 'the owning agency');
      const chase = acting ? agencyToChase(acting) : 'the agency that must act';
      return {
        // The due date named as such, as the lead does: "overdue since" it would be a day early for a deadline that is
        // a day, which passes as that day ends (the other emails' "overdue since 7 Dec 2026" for a step due 6 Dec).
        subject: `ESCALATION: ${step} overdue, was due ${date} (case ${ref})`,
        lead:
          `This is an escalation. The step "${step}", owned by ${owner}, was due on ${date} and is still open. ` +
          `Please follow up with ${chase}.`,
      };
    }
    case 'expiry_reminder': {
      const words = expiryLeadWords(facts.stepKind, facts.about, date, facts.owed, zone, facts.deadlineZones);
      const ends = facts.about === undefined ? undefined : WHAT_ENDS[facts.about];
      const valid = ends ? `${ends} is valid until ${date}.` : `What "${step}" granted is valid until ${date}.`;
      return {
        subject: `${words.label}: ${words.what} ${words.when} (case ${ref})`,
        lead: words.owedBy
          ? `${valid} The step "${words.what}" is still owed: make it by ${words.owedBy}, then record it on the case page.`
          : `${valid} Act before then if it must be renewed or used.`,
      };
    }
    case 'expired':
      // Named by what ended, as its "Expiring" reminder names it: "Expired: T status", not "T visa decision".
      return {
        subject: `Expired: ${whatEnds(facts.stepKind, facts.about)}, valid until ${date} (case ${ref})`,
        lead: `What "${step}" granted was valid until ${date} and has expired.${lapseMeans(facts.about)}`,
      };
    case 'end_corrected':
      return endCorrectedHeadline(facts, step, date);
    case 'step_withdrawn': {
      const by = facts.corrected?.by ?? 'An agency';
      const kept = 'Documents added to it stay with the case.';
      // A second request of the corrected step's own kind: named by its role, lest the email read as if the step
      // just corrected were withdrawn.
      if (facts.secondOf !== undefined)
        return {
          subject: `No longer needed: the second ${step} (case ${ref})`,
          lead:
            `${by} corrected the first "${step}" of this case, which stands as corrected: the second one, ` +
            `${SECOND_OPENED[facts.secondOf]}, is withdrawn and needs nothing more from you. ${kept} A step the ` +
            'correction makes owed again is told in an email of its own.',
        };
      return {
        subject: `No longer needed: ${step} (case ${ref})`,
        lead:
          facts.ground === undefined
            ? `${whoCorrectedWhat(facts.corrected)}: "${step}" is withdrawn and needs nothing more from you. ${kept}`
            : `${groundWords(facts.ground, step, true)} ${kept}`,
      };
    }
    case 'step_opened': {
      const owed = owedOf(facts);
      const by = facts.openedBy?.by ?? 'Another agency';
      const signed = facts.openedBy?.stepKind;
      return {
        subject: `Waiting on your agency: ${step} (case ${ref})${owed ? `, ${owed.words}` : ''}`,
        lead:
          `${signed === undefined ? `${by} asked your agency for "${step}"` : `${by} recorded "${stepLabel(signed)}", so "${step}" now waits on your agency`}` +
          `${owed ? (owed.overdue ? ` and it is already overdue (${owed.words})` : `, ${owed.words}`) : ''}. ` +
          `${actBy(owed)}, then record it on the case page.`,
      };
    }
    case 'step_reopened': {
      const needed = facts.again ? 'needed again' : 'now needed';
      const owed = owedOf(facts);
      const act = actBy(owed);
      return {
        subject: `${facts.again ? 'Needed again' : 'Now needed'}: ${step} (case ${ref})${owed ? `, ${owed.words}` : ''}`,
        lead:
          (facts.ground === undefined
            ? `${whoCorrectedWhat(facts.corrected)}: "${step}" is ${needed}`
            : groundWords(facts.ground, step, false)) +
          `${owed ? (owed.overdue ? ` and already overdue (${owed.words})` : `, ${owed.words}`) : ''}. ` +
          `${facts.again ? 'Any earlier email saying it was no longer needed or cancelled no longer holds. ' : ''}` +
          `${act}, then record it on the case page.`,
      };
    }
    case 'passed_summary': {
      const urgent = notSent.some((line) => line.startsWith(URGENT_BIRTHDAY_LINE));
      return {
        subject: broughtUpToDate(urgent, `${countOf(notSent.length, 'reminder')} not sent (case ${ref})`),
        lead:
          (urgent ? `${urgentBirthdayLead('in this case')}\n\n` : '') +
          'This case was entered or updated with dates that already passed. The reminders below fell before that, so ' +
          'they were not sent one by one. The case page shows where each of those steps stands now (overdue, expired, done ' +
          'late, or cancelled when the case was closed).',
      };
    }
    case 'delivery_failing': {
      const { what, email } = failedEmail(facts.failedKind, step);
      return {
        subject: `Email not delivered: ${what} (case ${ref})`,
        lead:
          `${email} to ${facts.failedRecipient ?? 'an agency'} has failed since ${date} and is still being ` +
          'retried. Please reach the agency another way.' +
          (facts.failedAddressRefused
            ? " The agency's mail server refuses the address it is sent to, so retrying will not deliver it: ask a " +
              "system administrator to correct the agency's email address (Agencies, in the console). The email " +
              'then goes to the corrected address at its next attempt.'
            : ''),
      };
    }
    case 'case_transferred':
      throw new Error("a transfer's notice names both agencies: mail/agency-notices.ts renders it");
    case 'reference_replaced':
      throw new Error(
        "a replaced reference's notice names the agency that replaced it: mail/agency-notices.ts renders it",
      );
    case 'daily_digest':
      throw new Error('a daily digest is about many cases: mail/digest.ts renders it');
  }
}

/**
 * The "Corrected" email of an end an earlier expiry email named (`was`, its last valid day in that email's words): the
 * end as corrected, `date`; one already past said as ended, with what the lapse means, as the "Expired" email says it;
 * a grant corrected to a refusal, or withdrawn, said as such, the end named no longer applying.
 */
function endCorrectedHeadline(facts: NotificationFacts, step: string, date: string): { subject: string; lead: string } {
  const ref = facts.reference;
  if (dueCorrected(facts)) return dueCorrectedHeadline(facts, step);
  const was = facts.was === undefined ? 'an earlier date' : formatCalendarDay(lastValidDay(facts.was));
  const benefits = facts.about === 'benefit_window';
  if (facts.endNow === 'refused' || facts.endNow === 'withdrawn') {
    const outcome = codeInWords(facts.outcome ?? 'refused');
    const [now, act] =
      facts.endNow === 'refused'
        ? [`recorded as ${outcome}`, `recorded "${step}" as ${outcome}`]
        : ['withdrawn', `withdrew "${step}"`];
    const named = benefits
      ? `the benefits until ${was} in our earlier email do`
      : `the validity until ${was} in our earlier email does`;
    return {
      subject: `Corrected: ${step} is now ${now} (case ${ref})`,
      lead: `A correction of this case ${act}: ${named} not apply.${opensCase(facts) ? ` ${ASKED_AGAIN}` : ''}`,
    };
  }
  const ended = facts.endNow === 'ended';
  if (facts.refusedBefore !== undefined) return grantedAgainHeadline(facts, step, date, ended);
  const wrong = `The date of ${was} in our earlier email was wrong.`;
  if (benefits)
    return {
      subject: `Corrected: Refugee Cash and Medical Assistance ${ended ? 'ended on' : 'end'} ${date} (case ${ref})`,
      lead:
        `A correction of this case moved the end of the Refugee Cash and Medical Assistance that "${step}" ` +
        `opened: they ${ended ? 'ended on' : 'now last until'} ${date}. ${wrong}`,
    };
  if (ended)
    return {
      subject: `Corrected: ${step} ended on ${date} (case ${ref})`,
      lead:
        `A correction of this case moved the end of what "${step}" granted: it ended on ${date}. ${wrong}` +
        lapseMeans(facts.about, opensCase(facts)),
    };
  return {
    subject: `Corrected: ${step} valid until ${date} (case ${ref})`,
    lead: `A correction of this case moved the end of what "${step}" granted: it is now valid until ${date}. ${wrong}`,
  };
}

/** An `end_corrected` about a step's due date (its `about` a step kind), not a window's end. */
const dueCorrected = (facts: NotificationFacts): boolean =>
  facts.kind === 'end_corrected' && facts.about !== undefined && isStepKind(facts.about);

/**
 * The "Corrected" email of a due date an earlier "Needed again" email named (`was`; `about` is then the step's own
 * kind, as a `due` alarm's subject is): the step's deadline as corrected, said as the "Needed again" email says one,
 * overdue already when it passed ("is now due 24 Nov 2026, overdue since 25 Nov 2026") and then to be made now; or, with no
 * deadline left (none, or the step refused or withdrawn), that it is no longer due by that date. Plain words of the
 * step and its dates only; to an agency transferred away, nothing it should do on the case page.
 */
function dueCorrectedHeadline(facts: NotificationFacts, step: string): { subject: string; lead: string } {
  const zone = facts.timeZone ?? 'UTC';
  const deadlineZones = facts.deadlineZones ?? [];
  const was = facts.was === undefined ? 'an earlier date' : dueDateFor(facts.was, facts.stepKind, zone, deadlineZones);
  if (facts.dueAt === null || facts.endNow === 'refused' || facts.endNow === 'withdrawn') {
    return {
      subject: `Corrected: ${step} is no longer due (case ${facts.reference})`,
      lead:
        `A correction of this case means "${step}" is no longer due: the date of ${was} in our earlier email no ` +
        `longer applies.${opensCase(facts) ? ' The case page shows what is owed now.' : ''}`,
    };
  }
  const owed = owedWords(
    facts.dueAt,
    facts.stepKind,
    zone,
    deadlineZones,
    new Date(facts.raisedAt ?? 0),
    facts.dueOnADay,
  );
  const act = owed.overdue ? 'Make it now' : 'Make it by then';
  return {
    subject: `Corrected: ${step} is now ${owed.words} (case ${facts.reference})`,
    lead:
      `A correction of this case moved the deadline of "${step}": it is now ${owed.words}. The date of ${was} in our ` +
      `earlier email was wrong.${opensCase(facts) ? ` ${act}, then record it on the case page.` : ''}`,
  };
}

/**
 * The "Corrected" email of a grant corrected back after the earlier email told it refused ("now recorded as denied"):
 * granted again, with its end, and that refusal no longer holding; the date that email had named is beside the point.
 */
function grantedAgainHeadline(
  facts: NotificationFacts,
  step: string,
  date: string,
  ended: boolean,
): { subject: string; lead: string } {
  // "denied" everywhere but a U certification, whose refusal is "declined".
  const refusal = facts.refusedBefore === 'denied' ? 'denial' : 'refusal';
  const granted = codeInWords(facts.outcome ?? 'granted');
  const end =
    facts.about === 'benefit_window'
      ? `the Refugee Cash and Medical Assistance it opened ${ended ? 'ended on' : 'last until'} ${date}`
      : `${ended ? 'ended on' : 'valid until'} ${date}`;
  return {
    subject: `Corrected: ${step} ${granted} again, ${end} (case ${facts.reference})`,
    lead:
      `After a correction of this case, "${step}" is recorded as ${granted} again, ${end}: the ${refusal} in our ` +
      'earlier email no longer holds.' +
      (ended ? lapseMeans(facts.about, opensCase(facts)) : ''),
  };
}

/**
 * Who corrected which step, as a withdrawn or reopened step's email opens: the step named only to a recipient who may
 * know of it (absent, "a step of this case").
 */
function whoCorrectedWhat(corrected: NotificationFacts['corrected']): string {
  const what = corrected?.stepKind === undefined ? 'a step of this case' : `"${stepLabel(corrected.stepKind)}"`;
  return `${corrected?.by ?? 'An agency'} corrected ${what}`;
}

/** The email a `delivery_failing` notice is about: what its subject names, and how its first words say it. */
function failedEmail(failedKind: NotificationKind | undefined, step: string): { what: string; email: string } {
  if (failedKind === 'passed_summary')
    return { what: 'Brought up to date', email: 'The "Brought up to date" email listing this case' };
  if (failedKind === 'case_transferred')
    return { what: 'Case transferred', email: 'The email telling of the transfer of this case' };
  if (failedKind === 'reference_replaced')
    return { what: 'Case reference replaced', email: "The email telling of this case's new reference" };
  return { what: step, email: `An email about the step "${step}"` };
}

/** Notifications about no one step: their email names no step. */
const ABOUT_NO_STEP: ReadonlySet<string> = new Set(['passed_summary', 'case_transferred', 'reference_replaced']);

/**
 * A birthday still ahead with HHS not yet asked, in a notice of what passed: the one line of it that is still to do,
 * and urgently, so its subject and its first words say so (a birthday reminder's own email says it in its subject).
 */
const URGENT_BIRTHDAY_LINE = '- Urgent before the minor turns 18: ';
/** A birthday already passed, in a notice of what passed: the minor turned 18 before HHS was notified. */
const TURNED_18_LINE = '- Turned 18 before HHS was notified: ';
const URGENT_BIRTHDAY_TO_DO = 'notify HHS before the minor turns 18';
const URGENT_BIRTHDAY_SUBJECT = `Urgent: ${URGENT_BIRTHDAY_TO_DO}`;
/** What to do at once, said first: `where` the minor turns 18 soon ("in this case", "in cases RC-1, RC-2"). */
const urgentBirthdayLead = (where: string) =>
  `Urgent: ${where} a minor turns 18 soon and HHS has not been notified. Make the request for HHS assistance now: ` +
  'the date is on the case page.';
/** A notice of what passed's subject, begun by what is urgent when it lists a birthday still ahead. */
const broughtUpToDate = (urgent: boolean, counted: string) =>
  `${urgent ? `${URGENT_BIRTHDAY_SUBJECT}; b` : 'B'}rought up to date: ${counted}`;
/** A notice of what passed that urges HHS before a minor turns 18: its email is not held with others (its gathering). */
export const isUrgentPassedNotice = (notice: PassedNotice) =>
  passedNoticeBlock(notice).some((line) => line.startsWith(URGENT_BIRTHDAY_LINE));

/**
 * How many cases or steps one email lists (a daily digest: of each section), the rest counted and named by where the
 * console lists them all: an agency with thousands got every one, an email of hundreds of kB that took the worker
 * seconds to write (a digest of 2,831 lines, 372 kB; 800 cases brought in at one go, one email of every case's block).
 */
export const EMAIL_LISTED = 50;

/**
 * The notices of what passed an email lists: at most EMAIL_LISTED, in their order, those urging HHS before a minor
 * turns 18 chosen first (none left out unless there are more of those); and how many it leaves out.
 */
export function listedPassedNotices<Notice extends PassedNotice>(
  notices: readonly Notice[],
): { listed: Notice[]; leftOut: number } {
  // Reading a notice's urgency reads its whole text: once each.
  const urgent = new Set(notices.filter(isUrgentPassedNotice));
  const chosen = new Set([...urgent, ...notices.filter((notice) => !urgent.has(notice))].slice(0, EMAIL_LISTED));
  return { listed: notices.filter((notice) => chosen.has(notice)), leftOut: notices.length - chosen.size };
}

/**
 * What an email says after the first EMAIL_LISTED it lists, following "the" or "The" (`order`: how they were chosen,
 * " by date"): how many more it leaves out, and where every one is named (`where`: "your inbox … names every step").
 */
export const moreNotListed = (count: number, where: string, order = '') =>
  `first ${EMAIL_LISTED}${order} are listed; ${count.toLocaleString('en-US')} more ${count === 1 ? 'is' : 'are'} ` +
  `not, and ${where}`;

/** What an email says of the cases brought up to date it counts and does not list (`listedPassedNotices`). */
export const passedLeftOutLine = (count: number) =>
  `${count.toLocaleString('en-US')} more ${count === 1 ? 'case brought up to date is' : 'cases brought up to date are'} ` +
  "not listed here: the console's dashboard lists the newest, and each case's timeline what had passed.";

/** "1 reminder", "3 reminders". */
export const countOf = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;

/** What the date of a passed alarm is: a deadline, or the end of what expires. */
const DATE_WORDS: Record<PassedAlarm['kind'], string> = {
  reminder: 'due',
  due: 'due',
  escalation: 'due',
  expiry_reminder: 'valid until',
  expired: 'was valid until',
};

/**
 * "- Reminder: Continued Presence request, due 17 May 2027, would have been sent 10 May 2027": the day it would have
 * gone out tells a step's reminders apart (30 and 7 days before). A birthday reminder names neither date: when it
 * would have gone out follows from the birth date.
 */
function passedLine(
  alarm: PassedAlarm,
  zone: string,
  deadlineZones: readonly string[],
  owed: NotificationFacts['owed'],
): string {
  if (alarm.about === 'minor_turns_18' && alarm.kind === 'expired')
    return `${TURNED_18_LINE}${stepLabel(alarm.stepKind)} cancelled, the adult route applies`;
  if (alarm.about === 'minor_turns_18')
    return `${URGENT_BIRTHDAY_LINE}${stepLabel(alarm.stepKind)}, date on the case page`;
  const sent =
    alarm.at === undefined || alarm.date === null
      ? ''
      : `, would have been sent ${dayWords(alarm.at, alarm.stepKind, zone)}`;
  if (alarm.kind === 'expiry_reminder' && alarm.about !== 'benefit_window' && alarm.date !== null) {
    // As the live reminder words it: the step still owed, when the case has it pending.
    const end = alarmDateWords(alarm.date, alarm.kind, alarm.stepKind, zone, deadlineZones);
    const { label, what, when } = expiryLeadWords(
      alarm.stepKind,
      alarm.about,
      end,
      owedBefore(owed, alarm),
      zone,
      deadlineZones,
    );
    return `- ${label}: ${what}, ${when}${sent}`;
  }
  const said = alarm.about === 'benefit_window' ? 'benefits last until' : DATE_WORDS[alarm.kind];
  const when =
    alarm.date === null
      ? 'date on the case page'
      : `${said} ${alarmDateWords(alarm.date, alarm.kind, alarm.stepKind, zone, deadlineZones)}`;
  return `- ${alarmKindLabel(alarm.kind)}: ${stepLabel(alarm.stepKind)}, ${when}${sent}`;
}

/**
 * The step owed before the end a passed lead names, if the one pending is: a step due after that end is owed before a
 * later one (the renewal request a renewal opened, due when the renewed grant ends), and the lead's own was done.
 */
function owedBefore(owed: NotificationFacts['owed'], alarm: PassedAlarm): NotificationFacts['owed'] {
  const step = owed?.[alarm.stepKind];
  if (!step || step.dueAt === null || alarm.date === null || step.dueAt <= alarm.date) return owed;
  return { ...owed, [alarm.stepKind]: undefined };
}

/**
 * The step an email's "Step:" line names: an expiry lead's, the step owed before the end (the police's renewal
 * request), which is what the recipient must do, not the decision that granted what ends.
 */
function stepLine(facts: NotificationFacts): string {
  const owed = facts.kind === 'expiry_reminder' ? facts.owed?.[facts.stepKind] : undefined;
  return stepLabel(owed?.stepKind ?? facts.stepKind);
}

/** Where a notification's lines about its case begin and end (what `passedNoticeBlock` reads back). */
const CASE_LINE = 'Case reference: ';
const LINK_LINE = 'Open the case: ';
/** Recipients forward emails; each says why it carries no personal details. */
const NO_PERSONAL_DETAILS = 'This message intentionally carries no personal details.';

export function renderNotification(facts: NotificationFacts): RenderedEmail {
  const step = stepLabel(facts.stepKind);
  const zone = facts.timeZone ?? 'UTC';
  const deadlineZones = facts.deadlineZones ?? [];
  const date =
    facts.dueAt === null
      ? 'see the case page'
      : alarmDateWords(facts.dueAt, dueCorrected(facts) ? 'due' : facts.kind, facts.stepKind, zone, deadlineZones);
  // Each line once: the subject counts what the body lists (alarms passed before `at` was kept may read the same).
  const notSent = [...new Set((facts.passed ?? []).map((alarm) => passedLine(alarm, zone, deadlineZones, facts.owed)))];
  const { subject, lead } = headline(facts, step, date, notSent);
  // An agency transferred away gets no link: the case page answers it 403.
  const former = facts.nowHeldBy;
  const text = [
    `To: ${facts.agencyName}`,
    '',
    lead,
    ...(former === undefined
      ? []
      : ['', `Your agency no longer takes part in this case; ${former} does, and was told.`]),
    '',
    `${CASE_LINE}${facts.reference}`,
    ...(ABOUT_NO_STEP.has(facts.kind) || ABOUT_NO_STEP.has(facts.failedKind ?? '') ? [] : [`Step: ${stepLine(facts)}`]),
    ...(facts.dueAt === null ? [] : [`Date: ${date}`]),
    ...(notSent.length > 0 ? ['', 'Not sent:', ...notSent] : []),
    ...(former === undefined ? ['', `${LINK_LINE}${caseLink(facts.publicBaseUrl, facts.caseId)}`] : []),
    '',
    `${NO_PERSONAL_DETAILS}${former === undefined ? ' Sign in to see the case.' : ''}`,
  ].join('\n');
  return { subject, text };
}

/** A notice of what passed as its outbox row keeps it: the words `renderNotification` wrote for its agency. */
export interface PassedNotice {
  reference: string;
  subject: string;
  bodyText: string;
}

/**
 * What a notice of what passed says about its case, as written when it was recorded (in its agency's zone then): from
 * its case reference to its link, the reminders not sent between. Read back from the row so that a gathered email or
 * a digest says what the notice itself said.
 */
function passedNoticeBlock(notice: PassedNotice): string[] {
  const lines = notice.bodyText.split('\n');
  const from = lines.findIndex((line) => line.startsWith(CASE_LINE));
  const to = lines.findIndex((line) => line.startsWith(LINK_LINE));
  return from >= 0 && to >= from ? lines.slice(from, to + 1) : [`${CASE_LINE}${notice.reference}`];
}

/** How many reminders a notice of what passed lists as not sent. */
const notSentCount = (notice: PassedNotice) => passedNoticeBlock(notice).filter((line) => line.startsWith('- ')).length;

/** A line of a notice of what passed about a minor's 18th birthday (`passedLine`). */
const isBirthdayLine = (line: string) => line.startsWith(URGENT_BIRTHDAY_LINE) || line.startsWith(TURNED_18_LINE);

/**
 * A notice of what passed as a reader who may not read the survivor's identity is shown it (a supervisor): without its
 * lines about a minor's 18th birthday, and without the urgency they gave its subject and first words. Such a line
 * says a birthday reminder's lead fell before the entry, and where it sits among the dated lines tells its week: those
 * readers are shown no birthday reminder anywhere else either (the case's reminders and timeline, app/case-reads.ts;
 * the notifications' own rows, app/lists-service.ts). Null when the notice lists nothing else; a notice without such a
 * line is answered as it is.
 */
export function passedNoticeWithoutBirthday<Notice extends PassedNotice>(notice: Notice): Notice | null {
  const lines = notice.bodyText.split('\n');
  if (!lines.some(isBirthdayLine)) return notice;
  const lead = urgentBirthdayLead('in this case');
  // The urgent first words are a paragraph of their own: it goes with the blank line after it.
  const bodyText = lines
    .filter((line, at) => !isBirthdayLine(line) && line !== lead && !(line === '' && lines[at - 1] === lead))
    .join('\n');
  const count = notSentCount({ ...notice, bodyText });
  if (count === 0) return null;
  const subject = broughtUpToDate(false, `${countOf(count, 'reminder')} not sent (case ${notice.reference})`);
  return { ...notice, subject, bodyText };
}

/** A digest's line for a notice of what passed it carries: the case, how many reminders were not sent, its link. */
export function passedNoticeDigestLine(notice: PassedNotice): string {
  const link = passedNoticeBlock(notice)
    .find((line) => line.startsWith(LINK_LINE))
    ?.slice(LINK_LINE.length);
  const urgent = isUrgentPassedNotice(notice) ? ` (urgent: ${URGENT_BIRTHDAY_TO_DO})` : '';
  return `- ${notice.reference}: ${countOf(notSentCount(notice), 'reminder')} not sent${urgent}${link ? `, ${link}` : ''}`;
}

/**
 * One email for an agency's notices of what passed (workflows/passed-notices.ts), oldest first: a single notice is
 * sent as it was written; several are listed one case after another, each as its own notice lists it.
 */
export function renderPassedNotices(agencyName: string, notices: readonly PassedNotice[]): RenderedEmail {
  const [only] = notices;
  if (only && notices.length === 1) return { subject: only.subject, text: only.bodyText };
  const reminders = notices.reduce((sum, notice) => sum + notSentCount(notice), 0);
  const urgent = notices.filter(isUrgentPassedNotice).map((notice) => notice.reference);
  const { listed, leftOut } = listedPassedNotices(notices);
  const text = [
    `To: ${agencyName}`,
    '',
    ...(urgent.length === 0
      ? []
      : [urgentBirthdayLead(`in ${urgent.length === 1 ? 'case' : 'cases'} ${urgent.join(', ')}`), '']),
    `These ${notices.length.toLocaleString('en-US')} cases were entered or updated with dates that already passed. ` +
      'The reminders listed under each fell before that, so they were not sent one by one. Each case page shows ' +
      'where those steps stand now (overdue, expired, done late, or cancelled when the case was closed).',
    ...listed.flatMap((notice) => ['', ...passedNoticeBlock(notice)]),
    ...(leftOut > 0 ? ['', passedLeftOutLine(leftOut)] : []),
    '',
    `${NO_PERSONAL_DETAILS} Sign in to see the cases.`,
  ].join('\n');
  return {
    subject: broughtUpToDate(
      urgent.length > 0,
      `${countOf(notices.length, 'case')}, ${countOf(reminders, 'reminder')} not sent`,
    ),
    text,
  };
}

/**
 * One email telling an agency of the steps that opened for it since the last (workflows/opened-step-notices.ts), each
 * rendered as its own notice (`renderNotification`, kind `step_opened`): a single one is sent as it reads; several are
 * listed one after another, each by what asked for it and its block from its case reference to its link.
 */
export function renderOpenedSteps(agencyName: string, notices: readonly RenderedEmail[]): RenderedEmail {
  const [only] = notices;
  if (only && notices.length === 1) return only;
  const text = [
    `To: ${agencyName}`,
    '',
    `${countOf(notices.length, 'step')} now wait on your agency. Make each by its date, then record it on its case page.`,
    ...notices.slice(0, EMAIL_LISTED).flatMap((notice) => {
      const lines = notice.text.split('\n');
      const lead = lines[2] ?? '';
      return ['', `- ${lead}`, ...passedNoticeBlock({ reference: '', subject: notice.subject, bodyText: notice.text })];
    }),
    ...(notices.length > EMAIL_LISTED
      ? [
          '',
          `The ${moreNotListed(notices.length - EMAIL_LISTED, 'your inbox in the console names every step that waits on your agency.')}`,
        ]
      : []),
    '',
    `${NO_PERSONAL_DETAILS} Sign in to see the cases.`,
  ].join('\n');
  return { subject: `Waiting on your agency: ${countOf(notices.length, 'step')}`, text };
}
