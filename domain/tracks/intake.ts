/**
 * Intake of a minor: law enforcement must notify HHS within 24 hours of identification, and the request for
 * assistance must be made before the 18th birthday; the notification opens HHS's interim and eligibility letters.
 * A minor not notified by the birthday is an adult without that request: the case moves to the adult path.
 */
import { addDaysToInstant, begunEverywhereInUs, dateOf, startOfDay } from '../dates';
import {
  cancelPending,
  latestOfKind,
  openStep,
  record,
  slaDueAt,
  stepsOfKind,
  updateStep,
  type Alarm,
  type CaseState,
} from '../case-state';
import type { Instant, Step } from '../types';
import { certificationGroundNow } from './certification-grounds';
import { unlockCertification } from './hhs';
import { openingBy, outOfRange, text, type TrackRules } from './track';

const DAY_MS = 86_400_000;
/** Birthday reminders fall on weeks counted from the notification's opening, so their timing tells at most the week. */
const GRID_DAYS = 7;

/**
 * When each lead's reminder fires: the last grid point strictly before `birthday - lead`. A time derived from the
 * birthday would let anyone who sees when a reminder fired (a supervisor reading the timeline, an operator reading
 * timer events) work the birth date out; a grid point reveals only the week, and never falls on the birthday or on
 * a lead's own date. The leads whose points passed before the case was entered are one reminder (`on-entry`): the
 * request is urgent, so it is not dropped. On a case with `birthdayLeadsGathered` entered after the fact
 * (`enteredAfterTheFact`) it is dated at the last of those points, so it passed like every alarm before the
 * entry: the entry session's notice of what passed tells the police at
 * its end (half an hour after its last entry, the birthday still ahead), and leaves it out when
 * the session shows HHS notified; before, it was raised at once as the case was entered, ahead of the entry that showed
 * it moot. Unless the birthday too had passed when it was entered, on the rule of the adult path at 18 (`adultAt18`):
 * no notification can be made any more, so those leads are dropped, unsent and unlisted; the move to the adult path
 * tells the coordinator what happened.
 */
function gridAlarms(state: CaseState, notification: Step, birthday: string): Alarm[] {
  const opened = Date.parse(notification.openedAt);
  const enteredAfterBirthday = state.adultAt18 === true && state.openedAt >= birthdayBegins(state, birthday);
  // Entered after the fact: the entries to come may show HHS notified. Opened as the minor is identified, the police
  // are told at once.
  const gathersPassedLeads = state.birthdayLeadsGathered === true && enteredAfterTheFact(state, notification);
  const legacyFired = new Set(
    legacyAlarms(state, notification, birthday)
      .filter(({ alarm }) => state.firedAlarms.includes(alarm.id))
      .map(({ lead }) => lead),
  );
  const byId = new Map<string, Alarm>();
  for (const lead of state.policy.expiryLeads.minorTurns18.leadDays) {
    // A case that switched schedules mid-way keeps the reminders it already sent under the legacy ids.
    if (legacyFired.has(lead)) continue;
    const target = Date.parse(addDaysToInstant(startOfDay(birthday), -lead));
    const week = target > opened ? Math.ceil((target - opened) / (GRID_DAYS * DAY_MS)) - 1 : 0;
    const point = addDaysToInstant(notification.openedAt, week * GRID_DAYS);
    const passedAtEntry = point < state.openedAt;
    if (passedAtEntry && enteredAfterBirthday) continue;
    const onEntryAt = gathersPassedLeads ? point : state.openedAt;
    const alarm = passedAtEntry
      ? birthdayAlarm(notification, 'on-entry', onEntryAt)
      : birthdayAlarm(notification, `week-${week}`, point);
    const sameId = byId.get(alarm.id);
    if (!sameId || sameId.at < alarm.at) byId.set(alarm.id, alarm);
  }
  return [...byId.values()];
}

/**
 * Whether a minor's case was entered after the fact, for its passed birthday leads: a full day or more after the
 * notification opened (`leadsGatheredAfterADay`), when the 24 hours law enforcement has to notify HHS are over. Before,
 * it took an earlier UTC day: a minor identified that morning in Los Angeles and entered that evening, already the
 * next day in UTC, had the urgent reminder held for the entry session's notice (re-probe, 6 Dec 2026).
 */
function enteredAfterTheFact(state: CaseState, notification: Step): boolean {
  if (!state.leadsGatheredAfterADay) return dateOf(notification.openedAt) < dateOf(state.openedAt);
  return Date.parse(state.openedAt) - Date.parse(notification.openedAt) >= DAY_MS;
}

/** The schedule of cases that began before the grid: each lead at its own date, ids carrying that date. */
function legacyAlarms(state: CaseState, notification: Step, birthday: string): { lead: number; alarm: Alarm }[] {
  return state.policy.expiryLeads.minorTurns18.leadDays.map((lead) => {
    const target = addDaysToInstant(startOfDay(birthday), -lead);
    const at = target < notification.openedAt ? notification.openedAt : target;
    return { lead, alarm: birthdayAlarm(notification, at, at) };
  });
}

/** A reminder to law enforcement that the minor's request is due before the 18th birthday; `slot` ends its id. */
function birthdayAlarm(notification: Step, slot: string, at: string): Alarm {
  return {
    id: `${notification.id}:expiry_reminder:minor_turns_18:${slot}`,
    at,
    stepId: notification.id,
    kind: 'expiry_reminder',
    recipient: 'law_enforcement',
    subject: 'minor_turns_18',
  };
}

/**
 * When the 18th birthday begins for the move to the adult path: once it has begun everywhere in the US, at noon UTC
 * (`birthdayBeginsInUs`), where the police may be a day behind UTC; before, at midnight UTC.
 */
const birthdayBegins = (state: CaseState, birthday: string): Instant =>
  state.birthdayBeginsInUs ? begunEverywhereInUs(birthday) : startOfDay(birthday);

/**
 * The alarm that moves a minor not notified to HHS to the adult path: at the first grid point after the 18th birthday
 * began, so that when it fired tells the week, never the day (`gridAlarms`). In that week a notification dated on or
 * after the birthday is already refused.
 */
function turns18Alarm(state: CaseState, notification: Step, birthday: string): Alarm {
  const opened = Date.parse(notification.openedAt);
  const began = Date.parse(birthdayBegins(state, birthday));
  const week = Math.max(0, Math.floor((began - opened) / (GRID_DAYS * DAY_MS)) + 1);
  return {
    id: `${notification.id}:expired:minor_turns_18:week-${week}`,
    at: addDaysToInstant(notification.openedAt, week * GRID_DAYS),
    stepId: notification.id,
    kind: 'expired',
    recipient: 'coordinator',
    subject: 'minor_turns_18',
  };
}

const NOT_BEFORE_18 =
  "a minor's request for assistance must be made before the 18th birthday; this date is not before it: the adult route applies";

const TURNED_18 = 'turned 18 before HHS was notified: the adult route applies';

/**
 * A CP request still pending from the minor's path, where it has no deadline, is due as an adult's counted from the
 * move: for an adult CP is the main route to certification, so it is reminded and escalated like any adult's.
 */
function withAdultCpDeadline(state: CaseState, now: Instant): CaseState {
  const dueAt = slaDueAt(state, 'cp_request', now);
  if (!dueAt) return state;
  return stepsOfKind(state, 'cp_request')
    .filter((step) => step.status === 'pending' && step.dueAt === null)
    .reduce(
      (acc, step) =>
        record(
          updateStep(acc, step.id, { dueAt }),
          now,
          'step.rescheduled',
          step.id,
          null,
          `${step.id} now due ${dueAt} (was without a date)`,
        ),
      state,
    );
}

/**
 * The 18th birthday passed with no request for a minor's assistance: the notification can no longer be made, and the
 * survivor is an adult, certified by HHS once CP is granted or the T visa found bona fide or approved. When one of
 * those already happened, the certification request opens now.
 */
function moveToAdultPath(state: CaseState, _notification: Step, now: Instant): CaseState {
  const cancelled = cancelPending(state, 'hhs_minor_notification', now, TURNED_18);
  const moved = record(
    { ...cancelled, path: 'adult' },
    now,
    'case.moved_to_adult_path',
    null,
    null,
    `case moved to the adult path: ${TURNED_18}`,
  );
  const adult = withAdultCpDeadline(moved, now);
  const unlockedBy = certificationGroundNow(adult.steps);
  return unlockedBy ? unlockCertification(adult, unlockedBy, now) : adult;
}

export const intake: TrackRules = {
  check: {
    hhs_minor_notification: (ctx) => {
      const birthday = ctx.state.minorTurns18On;
      const notifiedOn = text(ctx.details, 'notifiedOn');
      // The refusal names neither the birthday nor on which side of it the day falls beyond "not before": it is
      // kept in the idempotency store and shown to whoever signs, who may not read the identity.
      return birthday && notifiedOn >= birthday ? outOfRange('notifiedOn', NOT_BEFORE_18) : null;
    },
  },
  after: {
    hhs_minor_notification: (state, ctx) => {
      const withInterim = openStep(state, 'hhs_interim_letter', ctx.now, openingBy(ctx));
      return openStep(withInterim, 'hhs_eligibility_letter', ctx.now, openingBy(ctx));
    },
  },
  windowAlarms(state) {
    const notification = latestOfKind(state, 'hhs_minor_notification');
    if (!state.minorTurns18On || notification?.status !== 'pending') return [];
    const atBirthday = state.adultAt18 ? [turns18Alarm(state, notification, state.minorTurns18On)] : [];
    if (state.birthdayRemindersOnGrid) return [...gridAlarms(state, notification, state.minorTurns18On), ...atBirthday];
    // Legacy leads that coincide (all those already passed fire at the opening) share an id, hence one alarm.
    const byId = new Map(legacyAlarms(state, notification, state.minorTurns18On).map(({ alarm }) => [alarm.id, alarm]));
    return [...byId.values(), ...atBirthday];
  },
  expire: { hhs_minor_notification: moveToAdultPath },
};
