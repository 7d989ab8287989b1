/**
 * What a track contributes to the case rules: checks beyond the details schema, what a sign-off sets in motion,
 * the validity windows it watches, and what happens when one of them closes. The generic parts (who may sign,
 * schema validation, the due-date reminder ladder) live in `case.ts` and `alarms.ts`.
 */
import { addDaysToInstant, beforeTheTvpa, LAST_DAY_ENDS_EVERYWHERE_MS, type IsoDate } from '../dates';
import { findStep, signingTime, together, type Alarm, type CaseState, type Rejection } from '../case-state';
import type { StepDetails } from '../steps';
import type { Actor, Instant, Step, StepKind } from '../types';

export interface SignOffContext {
  state: CaseState;
  step: Step;
  outcome: string;
  details: StepDetails;
  actor: Actor;
  now: Instant;
  today: IsoDate;
  /**
   * Where an accepted sign-off is applied: the instant the deadlines in days of what it opens count from, when not `now`
   * (noon UTC of a day typed as today or later in UTC, `countsFromTypedToday`; domain/case.ts `daysCountedFrom`).
   */
  countsFrom?: Instant;
  /**
   * Set where a sign-off is judged (domain/case.ts checkSignOff), not where one accepted is applied: the day the step
   * opened, which no event it records may precede on a case that counts from events; and whether it is a correction
   * (the step signed again over the case as it is now, what followed it included).
   */
  openedOn?: IsoDate;
  correcting?: boolean;
}

/** How a step a sign-off sets in motion opens: by its signer, its days counted from the sign-off's day (`countsFrom`). */
export const openingBy = (ctx: SignOffContext): { actorAgencyId: string; from?: Instant } => ({
  actorAgencyId: ctx.actor.agencyId,
  ...(ctx.countsFrom === undefined ? {} : { from: ctx.countsFrom }),
});

export interface TrackRules {
  check: Partial<Record<StepKind, (ctx: SignOffContext) => Rejection | null>>;
  /** Runs after the signed step itself was updated; `state` already holds that update. */
  after: Partial<Record<StepKind, (state: CaseState, ctx: SignOffContext) => CaseState>>;
  windowAlarms(state: CaseState): Alarm[];
  /** Keyed by the kind of step an 'expired' alarm is attached to. */
  expire: Partial<Record<StepKind, (state: CaseState, step: Step, now: Instant) => CaseState>>;
}

/** Reads a detail the schema already guaranteed to be a string (a date or a code). */
export function text(details: StepDetails, field: string): string {
  const value = details[field];
  return typeof value === 'string' ? value : '';
}

export function dateOrder(field: string, message: string): Rejection {
  return { code: 'date_order', field: `details.${field}`, message };
}

export function outOfRange(field: string, message: string): Rejection {
  return { code: 'date_out_of_range', field: `details.${field}`, message };
}

/**
 * A day a sign-off gives that is not the day of its event (named by no `…On`, it is not one of the event dates every
 * sign-off is held to, domain/case.ts `eventDates`): refused, as those are, after today (`today`, the signer's day) or
 * before the TVPA (`beforeTheTvpa`). Null when it may be, or when it was not given.
 */
export function citedDayRefusal(field: string, value: string, today: IsoDate): Rejection | null {
  if (value === '') return null;
  if (value > today) return dateOrder(field, `${field} (${value}) is after today (${today})`);
  const tooEarly = beforeTheTvpa(field, value);
  return tooEarly ? outOfRange(field, tooEarly) : null;
}

/**
 * Several checks of a sign-off, judged together (`together`): the first broken, with every other after it, so the
 * refusal names them all. Every check runs: each reads details the schema already held to their shape.
 */
export function allOf(...checks: Array<() => Rejection | null>): Rejection | null {
  return together(checks.map((check) => check()));
}

/**
 * Lead-time alarms before an end, dropping any that would lie before the moment the window was set (`setAt`). When no
 * lead is left to fire after the window was recorded (a grant of three weeks with leads of 120, 60 and 30 days, or a
 * case entered late), the window would close unannounced: one reminder is raised as it is recorded instead, as a
 * minor's birthday leads are (cases from before `lateLeadsRaised` dropped them).
 */
export function leadAlarms(
  state: CaseState,
  base: Omit<Alarm, 'id' | 'at' | 'kind'>,
  endsAt: Instant,
  leadDays: number[],
  setAt: Instant,
): Alarm[] {
  const alarm = (at: Instant, slot: string): Alarm => ({
    ...base,
    id: `${base.stepId}:expiry_reminder:${base.subject}:${slot}`,
    at,
    kind: 'expiry_reminder',
  });
  const dates = leadDays.map((days) => addDaysToInstant(endsAt, -days));
  const leads = dates.filter((at) => at >= setAt).map((at) => alarm(at, at));
  const step = findStep(state, base.stepId);
  if (!state.lateLeadsRaised || !step || dates.length === 0) return leads;
  // Recorded when signed, or when a correction last changed what it says (its end may be the corrected part).
  const corrected = step.details['correctedAt'];
  const recordedAt = [setAt, signingTime(state, step), typeof corrected === 'string' ? corrected : setAt]
    .sort()
    .at(-1)!;
  if (recordedAt >= endsAt || dates.some((at) => at >= recordedAt)) return leads;
  // The end is in the id, so an end corrected to another within every lead is announced again.
  return [...leads, { ...alarm(recordedAt, `on-record:${endsAt}`), onRecord: true }];
}

/**
 * The alarms of a window that is running: its lead reminders (`leadAlarms`, set at `setAt`), then its end
 * (`expiredAlarm`). Every validity a track follows (CP, an interim letter, T status, a U certification) has both.
 */
export function windowEndAlarms(
  state: CaseState,
  base: Omit<Alarm, 'id' | 'at' | 'kind'>,
  endsAt: Instant,
  leadDays: number[],
  setAt: Instant,
): Alarm[] {
  return [...leadAlarms(state, base, endsAt, leadDays, setAt), ...lapseAlarms(state, base, endsAt)];
}

/**
 * The alarms of a validity's end (`expiredAlarm`): its owner's and, on a case with `coordinatorToldOfLapses`, the
 * coordinator's, at the same moment with an id of its own (its own outbox row), as an escalation is: the coordinator
 * tracks what is pending with whom, and a lapse ends what the survivor held and cancels what was still owed.
 */
export function lapseAlarms(state: CaseState, base: Omit<Alarm, 'id' | 'at' | 'kind'>, endsAt: Instant): Alarm[] {
  const owners = expiredAlarm(state, base, endsAt);
  if (!state.coordinatorToldOfLapses || base.recipient === 'coordinator') return [owners];
  return [owners, { ...owners, id: `${owners.id}:coordinator`, recipient: 'coordinator', copyOf: owners.id }];
}

/**
 * The alarm that applies a validity's end (`endsAt`, the start of the day after its last day in UTC): on a case that
 * reads dates as written, once that last day has ended everywhere in the US, where the renewal or petition of its last
 * afternoon in Honolulu is still taken. Its id names the end, not the moment it fires, so one already fired is kept.
 */
function expiredAlarm(state: CaseState, base: Omit<Alarm, 'id' | 'at' | 'kind'>, endsAt: Instant): Alarm {
  const at = state.datesAsWritten ? new Date(Date.parse(endsAt) + LAST_DAY_ENDS_EVERYWHERE_MS).toISOString() : endsAt;
  return { ...base, id: `${base.stepId}:expired:${base.subject}:${endsAt}`, at, kind: 'expired' };
}
