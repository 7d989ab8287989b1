/**
 * Alarms are derived, never stored: `alarms(state)` recomputes every reminder, due date, escalation and expiry
 * still to come from the steps as they stand. The workflow sleeps until the earliest, fires it, and recomputes, so
 * a date moved by a sign-off simply yields alarms with new ids and the old ones are never fired.
 */
import { addDays, addDaysToInstant, endOfDay, normaliseInstant, type IsoDate } from './dates';
import { countsFromEvents } from './policy';
import {
  findStep,
  identificationDayOf,
  record,
  type Alarm,
  type AlarmKind,
  type AnnouncedEnd,
  type CaseState,
  type NotifiedKind,
  type PassedAlarm,
} from './case-state';
import { overdueFrom } from './steps';
import { expireFor, windowAlarms } from './tracks';
import type { CaseSnapshot, Instant, Step, StepKind, TimelineEntry } from './types';

/** The due-date ladder of one pending step: reminders before, the due date itself, escalations after. */
function ladderAlarms(state: CaseState, step: Step): Alarm[] {
  if (step.status !== 'pending' || !step.dueAt) return [];
  const dueAt = step.dueAt;
  const ladder = state.policy.reminders[step.kind];
  const owner = { stepId: step.id, recipient: step.agencyKind, subject: step.kind };
  const reminders = ladder.beforeDueDays
    .map((days) => addDaysToInstant(dueAt, -days))
    // A reminder that would predate the step (a short deadline from a notice) is meaningless: drop it.
    .filter((at) => at >= step.openedAt)
    .map((at): Alarm => ({ ...owner, id: `${step.id}:reminder:${at}`, at, kind: 'reminder' }));
  // A deadline that is a day (`dueOnADay`) is reached, and escalated from, once that day has ended everywhere in the
  // US (`overdueFrom`), as it reads overdue; the reminders before it keep to its due instant. A step opened before
  // the flag has none, and keeps its alarms.
  const reached = step.dueOnADay ? new Date(overdueFrom({ ...step, dueAt })).toISOString() : dueAt;
  const due: Alarm[] = ladder.atDue ? [{ ...owner, id: `${step.id}:due:${reached}`, at: reached, kind: 'due' }] : [];
  const escalations = ladder.escalateAfterDays.map((days): Alarm => {
    const at = addDaysToInstant(reached, days);
    return { ...owner, id: `${step.id}:escalation:${at}`, at, kind: 'escalation', recipient: 'coordinator' };
  });
  return [...reminders, ...due, ...escalations];
}

/** Every alarm not yet fired, earliest first. None once the case is closed. */
export function alarms(state: CaseState): Alarm[] {
  if (state.status !== 'open') return [];
  const held = new Set(state.heldExpiries ?? []);
  const fired = new Set([...state.firedAlarms, ...held]);
  // A lapse's copy to the coordinator is held with its owner's: a case whose flag came while its expiry was held.
  const isHeld = (alarm: Alarm) => fired.has(alarm.id) || (alarm.copyOf !== undefined && held.has(alarm.copyOf));
  const unique = new Map<string, Alarm>();
  for (const alarm of [...state.steps.flatMap((step) => ladderAlarms(state, step)), ...windowAlarms(state)]) {
    if (!isHeld(alarm)) unique.set(alarm.id, alarm);
  }
  return [...unique.values()].sort((a, b) => (a.at === b.at ? a.id.localeCompare(b.id) : a.at < b.at ? -1 : 1));
}

/** Alarm subjects whose dates are derived from a birth date: no message, id or view for every role may carry them. */
export const BIRTH_DATE_SUBJECTS: ReadonlySet<string> = new Set(['minor_turns_18']);

/** Whether a timeline line is an alarm's about a birth date: `fireAlarm` writes "<kind> (<subject>) for <step> …". */
export function isBirthDateAlarmLine(entry: { type: string; summary: string }): boolean {
  const subject = entry.type.startsWith('alarm.') ? /^\w+ \((\w+)\) for /.exec(entry.summary)?.[1] : undefined;
  return subject !== undefined && BIRTH_DATE_SUBJECTS.has(subject);
}

/** An alarm still to come as the read model keeps it: the recipient resolved to the case's agency, no policy needed. */
export interface ScheduledAlarm {
  alarmId: string;
  at: Instant;
  kind: AlarmKind;
  stepId: string;
  stepKind: StepKind;
  /** The alarm's subject: the step kind, or a window such as `cp_validity` or `minor_turns_18`. */
  about: string;
  recipientAgencyId: string;
  /**
   * A window's announcement waiting for the end of the entry session it was recorded in (`nextAlarm`): `at` is then
   * when it will be sent, the session's end as known at this projection, not when it was recorded.
   */
  held?: boolean;
}

/** What the projection writes: the snapshot and the alarms to come, which the read model cannot derive itself. */
export interface CaseProjection extends CaseSnapshot {
  /** Absent from projections scheduled before the read model kept alarms: those leave the stored ones as they are. */
  alarms?: ScheduledAlarm[];
}

/**
 * The alarms to come, as the read model shows them. The rules that came behind a patch (a minor's birthday reminders
 * on the weekly grid, late leads raised, the adult path at 18, passed birthday leads gathered, a lapse told to the
 * coordinator, passed expiries held for the entry session) are taken even before the workflow set their flags: a live workflow reaches
 * `withPatchedRules` right after this projection, so they are what it will fire, and the birthday's own lead dates
 * never reach the read model. A window's announcement held for the entry session's end is listed at `sessionEndsAt`,
 * when it will be sent.
 */
export function scheduledAlarms(state: CaseState, sessionEndsAt?: Instant): ScheduledAlarm[] {
  const patched = {
    birthdayRemindersOnGrid: true,
    lateLeadsRaised: true,
    datesAsWritten: true,
    adultAt18: true,
    birthdayLeadsGathered: true,
    leadsGatheredAfterADay: true,
    coordinatorToldOfLapses: true,
    // Held as the workflow holds them, an expiry that passed before the entry is not applied until the entry session
    // ends: a minor entered after the 18th birthday is moved to the adult path (its CP request given an adult's
    // deadline) only then, and may never be if the session shows HHS notified in time. Applied here at once, the
    // opening's reminders listed that deadline while the step showed none.
    holdsPassedExpiries: true,
  };
  const waits = state.announcesAfterSession === true && inEntrySession(state);
  const flagged = { ...state, ...patched };
  // The workflow's first task on these rules settles the birthday leads and the 18th birthday already behind at entry
  // as passed (`withPatchedRules`), with no new version to project: a new case's opening, projected before that task
  // moves it to them, must not list those leads as still to come, dated before the case was entered.
  const ruled = state.adultAt18 && state.birthdayLeadsGathered ? flagged : settlePassedAlarms(flagged, state.openedAt);
  return alarms(ruled).flatMap((alarm) => {
    const step = findStep(state, alarm.stepId);
    if (!step) return [];
    const { id: alarmId, kind, stepId, subject: about } = alarm;
    const recipientAgencyId = state.agencies[alarm.recipient];
    const scheduled = { alarmId, at: alarm.at, kind, stepId, stepKind: step.kind, about, recipientAgencyId };
    // Held for the session's end (`nextAlarm`): listed when it will be sent, not at its recording, already past.
    return [waits && alarm.onRecord ? { ...scheduled, at: sessionEndsAt ?? alarm.at, held: true } : scheduled];
  });
}

/**
 * The date an alarm's message names: the step's due date, or the end of what expires for expiry kinds. None for a
 * minor's 18th birthday: it would reveal the birth date to every reader of the message, so the message says
 * where to find it instead (the case page, for those who may read the survivor's identity).
 */
export function alarmDate(state: CaseState, alarm: Alarm): Instant | null {
  if (BIRTH_DATE_SUBJECTS.has(alarm.subject)) return null;
  const step = findStep(state, alarm.stepId);
  const benefitsEnd = step && benefitsEndOf(step, alarm.subject);
  if (benefitsEnd) return benefitsEnd;
  const isExpiry = alarm.kind === 'expiry_reminder' || alarm.kind === 'expired';
  return (isExpiry ? step?.expiresAt : step?.dueAt) ?? alarm.at;
}

/** A certification letter does not expire: what ends is the benefits it opened, on the day the letter keeps. */
function benefitsEndOf(step: { details: Readonly<Record<string, unknown>> }, about: string): Instant | undefined {
  const benefitsEnd = about === 'benefit_window' ? step.details['benefitEndsOn'] : undefined;
  return typeof benefitsEnd === 'string' ? endOfDay(benefitsEnd) : undefined;
}

/**
 * The end of the window `about` as its step records it now: null once the step records none, its outcome granting
 * nothing that ends (a grant corrected to a refusal).
 */
export function windowEndOf(
  step: { details: Readonly<Record<string, unknown>>; expiresAt: Instant | null },
  about: string,
): Instant | null {
  return benefitsEndOf(step, about) ?? step.expiresAt;
}

/**
 * Whether the case is in an entry session: a command revealed alarms that passed, or expiries it holds, or (on a case
 * with `backdatedEntriesHold`) a sign-off was entered after the fact, and the session's end is still to come (the
 * workflow sends its notice of what passed, if any, once nothing was entered for a while).
 */
export function inEntrySession(state: CaseState): boolean {
  return (state.passedAlarms?.length ?? 0) > 0 || (state.heldExpiries?.length ?? 0) > 0 || state.enteredLate === true;
}

/**
 * The state once an entry session's end told the first `told` of what passed: those leave `passedAlarms`, and the
 * session a late entry opened is over, unless a command was `enteredSince` (applied while the notice was recorded):
 * the session goes on, and what it added goes in the next notice.
 */
export function endEntrySession(state: CaseState, told: number, enteredSince: boolean): CaseState {
  const passedAlarms = (state.passedAlarms ?? []).slice(told);
  return enteredSince ? { ...state, passedAlarms } : { ...state, passedAlarms, enteredLate: undefined };
}

/**
 * The next alarm to sleep until, if any. On a case with `announcesAfterSession`, not a window's announcement raised
 * in an entry session: as a passed expiry, it waits for the session's end, since the next entry may record the step
 * it says is owed (which ends the window's leads, this one with them); then it fires if still current.
 */
export function nextAlarm(state: CaseState): Alarm | undefined {
  return earliestAlarm(state, state.announcesAfterSession === true && inEntrySession(state));
}

/** The earliest alarm not fired, a window's announcement (`onRecord`) left out when it `waits`. */
function earliestAlarm(state: CaseState, waits: boolean): Alarm | undefined {
  return alarms(state).find((alarm) => !(waits && alarm.onRecord));
}

/**
 * Records an alarm as fired and applies what an expiry means for the case. An alarm that is no longer current
 * (its date moved, its step settled, or it already fired) leaves the state untouched, so a workflow that woke for
 * a stale alarm does no harm.
 */
export function fireAlarm(
  state: CaseState,
  alarm: Alarm,
  now: Instant,
  how: 'raised' | 'passed' = 'raised',
): CaseState {
  const current = alarms(state).find((candidate) => candidate.id === alarm.id);
  const step = current && findStep(state, current.stepId);
  if (!current || !step) return state;
  const at = normaliseInstant(now);
  const what = `${current.kind} (${current.subject}) for ${step.id}`;
  const marked = { ...state, firedAlarms: [...state.firedAlarms, current.id] };
  // A lapse's copy to the coordinator, passed: its owner's line already says the coordinator's notice lists it.
  const fired =
    how === 'passed' && current.copyOf
      ? marked
      : record(
          marked,
          at,
          how === 'raised' ? `alarm.${current.kind}` : 'alarm.passed',
          step.id,
          null,
          how === 'raised'
            ? // "raised", not "sent": the email goes out through the outbox, and a delivery that keeps failing is recorded too.
              `${what} ${raisedFor(current.recipient, current.kind === 'escalation')}`
            : `${what} fell before it was recorded: not sent, listed in one notice to the coordinator unless the step was done in time`,
        );
  // The expiry ends the window and with it the alarms it derives: it waits for the last of a lapse's alarms (its
  // owner's and the coordinator's), whichever fires first.
  const lapse = current.kind === 'expired' ? (current.copyOf ?? current.id) : undefined;
  const lapseStillToTell = alarms(fired).some((other) => other.id === lapse || other.copyOf === lapse);
  const expire = lapse && !lapseStillToTell ? expireFor(step.kind) : undefined;
  const changed = expire ? expire(fired, step, at) : fired;
  const told = how === 'raised' ? withEndAnnounced(changed, current, step, alarmDate(state, current)) : changed;
  return { ...told, version: state.version + 1 };
}

/**
 * What must be done before a grant or a window ends (a renewal, a filing): the step its expiry reminder asks for, by the
 * kind of step whose window it is, while the case has it pending.
 */
export const OWED_BEFORE_THE_END: Partial<Record<string, StepKind>> = {
  cp_decision: 'cp_renewal_request',
  cp_renewal_decision: 'cp_renewal_request',
  // T status ends: the adjustment of status (I-485) must be filed before, or the survivor loses the path.
  t_visa_decision: 't_visa_adjustment_filing',
  // The certification is good for a petition filed within its six months (8 CFR 214.14(c)(2)(i)).
  u_visa_certification: 'u_visa_petition',
  // The interim assistance ends unless HHS issues the eligibility letter, or extends the interim letter, before then.
  hhs_interim_letter: 'hhs_eligibility_letter',
};

const EXPIRY_KINDS: ReadonlySet<AlarmKind> = new Set(['expiry_reminder', 'expired']);

/**
 * Keeps the end a raised expiry email names (`date`, as `alarmDate` read it before the alarm fired) for its recipient,
 * on a case with `tellsCorrectedEnds`: a correction that moves it then tells them (domain/corrected-ends.ts). A date
 * derived from a birth date is named by no email, so none is kept.
 */
function withEndAnnounced(state: CaseState, alarm: Alarm, step: Step, date: Instant | null): CaseState {
  if (!state.tellsCorrectedEnds || !EXPIRY_KINDS.has(alarm.kind) || date === null) return state;
  const { stepId, kind, subject: about, recipient } = alarm;
  // The agency that got the email: after a transfer, the one to tell of a correction still (not the kind's new holder).
  const agencyId = state.agencies[recipient];
  return withAnnounced(state, { stepId, stepKind: step.kind, kind, about, recipient, agencyId, date });
}

/**
 * Keeps a date an email named to its recipient (`announcedEnds`: an expiry email's end, a "Needed again" email's due
 * date), the latest per step, subject and recipient's agency, for `tellCorrectedEnds` to tell if a correction moves it.
 */
export function withAnnounced(state: CaseState, announced: AnnouncedEnd): CaseState {
  const { stepId, about, recipient, agencyId } = announced;
  const other = (end: AnnouncedEnd) =>
    end.stepId !== stepId || end.about !== about || end.recipient !== recipient || end.agencyId !== agencyId;
  return { ...state, announcedEnds: [...(state.announcedEnds ?? []).filter(other), announced] };
}

/**
 * A case entered or brought up to date after the fact has deadlines that already passed. Their alarms are not sent
 * one by one: each is recorded as passed (an expiry still takes effect, dated when it happened) and listed in
 * `passedAlarms`, which the workflow sends to the coordinator as one notice. Cases counting from when steps were
 * recorded (older policies) never have any.
 */
export function settlePassedAlarms(state: CaseState, now: Instant): CaseState {
  if (!countsFromEvents(state.policy)) return state;
  const recordedAt = normaliseInstant(now);
  let settled = state;
  const passed: PassedAlarm[] = [];
  // A window's announcement never passed (`announcesAfterSession`): it is raised as the window is recorded, or at the
  // end of the session that recorded it, even once the held expiries are released.
  const upcoming = () => earliestAlarm(settled, settled.announcesAfterSession === true);
  for (let next = upcoming(); next && next.at < recordedAt; next = upcoming()) {
    if (next.kind === 'expired' && state.holdsPassedExpiries) {
      settled = { ...settled, heldExpiries: [...(settled.heldExpiries ?? []), next.id] };
      continue;
    }
    const step = findStep(settled, next.stepId);
    // A lapse's copy to the coordinator: the notice of what passed, the coordinator's, lists its owner's.
    if (!next.copyOf)
      passed.push({
        stepId: next.stepId,
        stepKind: step?.kind ?? next.subject,
        kind: next.kind,
        about: next.subject,
        date: alarmDate(settled, next),
        at: next.at,
        recipient: next.recipient,
      });
    const fired = fireAlarm(settled, next, next.at, 'passed');
    if (fired === settled) break; // cannot happen (the alarm is current), but never loop on it
    settled = fired;
  }
  if (passed.length === 0) return settled;
  // One change however many passed: the command's own version step covers them.
  return { ...settled, version: state.version, passedAlarms: [...(state.passedAlarms ?? []), ...passed] };
}

/**
 * Applies the expiries held while the case was brought up to date (`heldExpiries`) that are still current, as
 * passed, with whatever else they reveal as passed: a window the entered history shows was used in time (the
 * petition filed, the grant renewed) has no expiry left to apply.
 */
export function releaseHeldExpiries(state: CaseState, now: Instant): CaseState {
  if (!state.heldExpiries?.length) return state;
  const released = settlePassedAlarms({ ...state, heldExpiries: undefined, holdsPassedExpiries: false }, now);
  return { ...released, holdsPassedExpiries: true, version: state.version + 1 };
}

const DEADLINE_KINDS: ReadonlySet<AlarmKind> = new Set(['reminder', 'due', 'escalation']);

/**
 * Whether a deadline's alarm that passed was moot, not missed: its step was done by the date it names (`date`, the
 * step's due date), or settled before the alarm would have been sent (`at`, when given: an escalation a week after a
 * deadline met a day late never would have gone). `inTimeByItsDay`, when given, says instead of `date` whether a step
 * dated by its day was done in time (`minorNoticeInTimeByItsDay`). With `cancelledIsNotDone`, a step cancelled (by a
 * close, a lapse, a denial) was not done by its date: only one cancelled before the alarm's `at` made it moot. Cases
 * asked before CANCELLED_IS_NOT_DONE_PATCH counted a cancellation before the due date as done in time. The one rule of
 * the coordinator's notice (`stillToTell`) and the case page's timeline (web/timeline.ts).
 */
export function mootDeadlineAlarm(
  kind: string,
  step: { status: string; completedAt: Instant | null } | undefined,
  date: Instant,
  { at, inTimeByItsDay, cancelledIsNotDone }: { at?: Instant; inTimeByItsDay?: boolean } & PassedRules = {},
): boolean {
  if (!(DEADLINE_KINDS as ReadonlySet<string>).has(kind)) return false;
  if (!step || step.status === 'pending' || step.completedAt === null) return false;
  const done = !(cancelledIsNotDone && step.status === 'cancelled');
  const byTheDate = done && (inTimeByItsDay ?? step.completedAt <= date);
  return byTheDate || (at !== undefined && step.completedAt <= at);
}

/** Rules of what passed to tell that a case takes only where they change what it tells (case-workflow.ts `toTell`). */
export interface PassedRules {
  cancelledIsNotDone?: boolean;
}

/**
 * Whether a minor's HHS notice dated by its day (`notifiedOn`) was given within the 24 hours from the identification:
 * its day is on or before the day those hours end where the police work, the day after the identification's day there
 * (`identifiedOn`, the case's identification zone's; `identificationDayOf`). A day says nothing of its hour, and the
 * notice is recorded at noon UTC of a past day (domain/case.ts `signedAt`): compared as instants, a notice dated the
 * day after an evening identification was late in Guam (noon UTC is 22:00 there) and in time in Honolulu (02:00). Across
 * a change of the clocks the hours end an hour off the identification's: read as ending on the next day all the same.
 * Undefined for any other step, or a notice without its day: those compare instants. The one rule of the case's
 * notices (`stillToTell`), its timeline (web/timeline.ts) and the compliance report (db/reports.ts repeats it in SQL).
 */
export function minorNoticeInTimeByItsDay(
  step: { kind: string; details: Record<string, unknown> } | undefined,
  identifiedOn: IsoDate,
): boolean | undefined {
  const notifiedOn = step?.kind === 'hhs_minor_notification' ? step.details['notifiedOn'] : undefined;
  return typeof notifiedOn === 'string' ? notifiedOn <= addDays(identifiedOn, 1) : undefined;
}

/**
 * Whether a passed alarm is about a date the case still has: a correction since may have moved the step's deadline or
 * window end (the reminders of the date typed in error are not the case's), or withdrawn the step. An alarm without a
 * date (a birthday's) is kept.
 */
function aboutCurrentDate(state: CaseState, alarm: PassedAlarm): boolean {
  return alarm.date === null || currentDateOf(state, { ...alarm, date: alarm.date }) === alarm.date;
}

/**
 * The date an alarm that named `date` would name now (`alarmDate`), a correction since having perhaps moved it;
 * undefined once its step is gone (withdrawn by a correction).
 */
export function currentDateOf(
  state: CaseState,
  alarm: Pick<PassedAlarm, 'stepId' | 'kind' | 'about' | 'at'> & { date: Instant },
): Instant | null | undefined {
  if (!findStep(state, alarm.stepId)) return undefined;
  const { stepId, kind, about: subject } = alarm;
  // Read as the alarm itself was dated (`alarmDate`); `at` stands in where its step has no date of its own.
  return alarmDate(state, { id: '', at: alarm.at ?? alarm.date, stepId, kind, subject, recipient: 'coordinator' });
}

/**
 * Whether a passed window lead ("Expiring: Continued Presence, valid until 9 Jan 2027") was moot, not missed: the step
 * owed before that end (`OWED_BEFORE_THE_END`: the renewal request the grant opened, the adjustment filing T status
 * opened, ...) was done by the end the lead names. A CP renewal requested while the grant still ran was requested in
 * time, as a deadline's step done by its due date was (`mootDeadlineAlarm`).
 */
function leadMetInTime(state: CaseState, alarm: PassedAlarm): boolean {
  const owedKind = OWED_BEFORE_THE_END[alarm.stepKind];
  // The one the window's own sign-off opened: a renewal's next request is owed before a later end.
  const owed = state.steps.find((step) => step.kind === owedKind && step.openedBy === alarm.stepId);
  return mootWindowLead(alarm.kind, owed, alarm.date);
}

/**
 * Whether a window's lead of kind `kind` that names the end `date` was moot, not missed: `owed`, the step owed before
 * that end which the window's own sign-off opened (`OWED_BEFORE_THE_END`), was done by then. The one rule of the
 * coordinator's notice (`leadMetInTime`) and the case page's timeline (web/timeline.ts), as `mootDeadlineAlarm` is
 * for a deadline's alarms.
 */
export function mootWindowLead(
  kind: string,
  owed: { status?: string; completedAt?: Instant | null } | undefined,
  date: Instant | null,
): boolean {
  if (kind !== 'expiry_reminder' || date === null || !owed) return false;
  const { status, completedAt = null } = owed;
  return status === 'completed' && completedAt !== null && completedAt <= date;
}

/** A reminder ahead of a minor's 18th birthday (domain/tracks/intake.ts), not the move to the adult path at it. */
const isBirthdayLead = (alarm: PassedAlarm) => alarm.about === 'minor_turns_18' && alarm.kind === 'expiry_reminder';

/**
 * What the coordinator's notice of what passed lists: not the deadline reminders of a step the entered history shows
 * was done by its due date (they were moot, not missed), and, on a case with `leavesOutMovedDates`, none the step's
 * end came before (an escalation after the step was done late or cancelled), nor anything about a date a later entry
 * moved or withdrew (cases from before listed those too); on a case with `birthdayLeadsGathered`, not a minor's
 * birthday reminder once HHS was notified; on a case with `groundAndCatchUpRules`, no window lead whose owed step was
 * done by the end it names (`leadMetInTime`: a CP renewal requested before the grant ran out); on a case with
 * `minorNoticeByItsDay`, none of a minor's HHS notice dated on or before the day its 24 hours ended where the police
 * work (`minorNoticeInTimeByItsDay`). With `cancelledIsNotDone`, a step cancelled since (closed with the case, lapsed)
 * is not taken for done in time: the reminders it missed are listed.
 */
export function stillToTell(
  state: CaseState,
  passed: readonly PassedAlarm[],
  { cancelledIsNotDone }: PassedRules = {},
): PassedAlarm[] {
  return passed.filter((alarm) => {
    if (state.leavesOutMovedDates && !aboutCurrentDate(state, alarm)) return false;
    const step = findStep(state, alarm.stepId);
    // A birthday lead has no date to compare: HHS notified at all was in time, as a notice dated on or after the
    // birthday is refused.
    if (state.birthdayLeadsGathered && isBirthdayLead(alarm)) return step?.status !== 'completed';
    if (alarm.date === null) return true;
    if (state.groundAndCatchUpRules && leadMetInTime(state, alarm)) return false;
    const byItsDay = state.minorNoticeByItsDay
      ? minorNoticeInTimeByItsDay(step, identificationDayOf(state))
      : undefined;
    const at = state.leavesOutMovedDates ? alarm.at : undefined;
    return !mootDeadlineAlarm(alarm.kind, step, alarm.date, { at, inTimeByItsDay: byItsDay, cancelledIsNotDone });
  });
}

/**
 * The agency an entry session's notice lists a passed alarm to, beside the coordinator: the agency holding the alarm's
 * role now. On a case with `passedToldToOwner`, none for an alarm about a step of that role that another agency
 * settled: a transfer since moved the role, and the agency holding it never owed the step (the coordinator's notice
 * lists it all the same).
 */
export function passedAlarmAgency(state: CaseState, alarm: PassedAlarm): string | undefined {
  const agencyId = alarm.recipient && state.agencies[alarm.recipient];
  if (!agencyId || !state.passedToldToOwner) return agencyId;
  const step = findStep(state, alarm.stepId);
  const settledByAnother =
    step !== undefined &&
    step.status !== 'pending' &&
    step.agencyKind === alarm.recipient &&
    step.agencyId !== agencyId;
  return settledByAnother ? undefined : agencyId;
}

/**
 * What an entry session had gathered, still untold, when the case ended/**
 * What an entry session had gathered, still untold, when the case ended: nothing more will be entered, so on a case
 * with `tellsPassedWhenClosed` it is told at once once the case is closed. Not once withdrawn: a case withdrawn may
 * have been opened by mistake, and its dates were never a survivor's.
 */
export function passedToTellAtEnd(state: CaseState, rules: PassedRules = {}): PassedAlarm[] {
  if (!state.tellsPassedWhenClosed || state.status !== 'closed') return [];
  return stillToTell(state, state.passedAlarms ?? [], rules);
}

/** How an alarm's email fared, as the delivery workflow reports it when it is late and again once it got through. */
export interface DeliveryReport {
  /**
   * The case the email belongs to: a report is sealed like every payload, and one copied out of another case's
   * history is dropped (reports recorded before they named it replay as they ran).
   */
  caseId: string;
  alarmId: string;
  stepId: string;
  kind: NotifiedKind;
  recipientAgencyId: string;
  status: 'failing' | 'delivered';
  /** When delivery started failing, or when the email was finally accepted. */
  at: Instant;
}

/** How one of the case's emails fared, from the outbox (db/notifications.ts `emailOutcomes`). */
export interface EmailOutcome {
  stepId: string;
  kind: string;
  recipientAgencyId: string;
  createdAt: Instant;
  sentAt: Instant | null;
  /** Settled as no longer owed: its step was done before it could go out (activities/notifications.ts). */
  notSentAt: Instant | null;
  /** Why it was not sent, as its row says ("not sent: the step was done before the email could go out"). */
  reason: string | null;
}

/** A failing report's summary, as `recordDelivery` writes it. */
const FAILING_SUMMARY = /^(\S+) email for (\S+) to (\S+): delivery failing since (\S+); still retrying$/;

/**
 * The timeline as it reads now: a "delivery failing" entry whose email was since settled as not sent (its step was
 * done before the email could go out) is read as settled (`notification.not_sent`, its place and time kept), not as
 * still retrying. The workflow is never told of such a settling, so its timeline keeps the failing report; the outbox
 * knows. The email is the latest of its step, kind and recipient written before delivery started failing.
 */
export function withSettledDeliveries(timeline: TimelineEntry[], outcomes: readonly EmailOutcome[]): TimelineEntry[] {
  return timeline.map((entry) => {
    const failing = entry.type === 'notification.failing' ? FAILING_SUMMARY.exec(entry.summary) : null;
    if (!failing) return entry;
    const [, kind, stepId, recipientAgencyId, since] = failing;
    const email = outcomes
      .filter(
        (outcome) =>
          outcome.stepId === stepId &&
          outcome.kind === kind &&
          outcome.recipientAgencyId === recipientAgencyId &&
          outcome.createdAt <= since!,
      )
      .at(-1);
    if (!email?.notSentAt || email.sentAt) return entry;
    const why = email.reason ?? 'not sent: no longer owed';
    return {
      ...entry,
      type: 'notification.not_sent',
      summary: `${kind} email for ${stepId} to ${recipientAgencyId}: delivery failing since ${since}; ${why} (settled at ${email.notSentAt})`,
    };
  });
}

/** Writes a delivery report into the case timeline, so whoever reads the case sees an email that did not arrive. */
export function recordDelivery(state: CaseState, report: DeliveryReport, now: Instant): CaseState {
  const what = `${report.kind} email for ${report.stepId} to ${report.recipientAgencyId}`;
  const summary =
    report.status === 'failing'
      ? `${what}: delivery failing since ${report.at}; still retrying`
      : `${what}: delivered at ${report.at} after failed attempts`;
  const recorded = record(state, normaliseInstant(now), `notification.${report.status}`, report.stepId, null, summary);
  return { ...recorded, version: state.version + 1 };
}

/**
 * How a raised alarm's timeline entry ends, naming whom it was raised for: "… raised for law_enforcement", "… raised for
 * coordinator supervisor" (an escalation). Read back by `alarmRaisedFor`, so the words and their reading stay together.
 */
const raisedFor = (recipient: string, escalation: boolean) =>
  `raised for ${recipient}${escalation ? ' supervisor' : ''}`;

/** The role a raised alarm's timeline entry says it was raised for (`raisedFor`); undefined for another entry. */
export function alarmRaisedFor(summary: string): string | undefined {
  return / raised for (\w+)(?: supervisor)?$/.exec(summary)?.[1];
}
