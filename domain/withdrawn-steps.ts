/**
 * A pending step a correction withdrew, or one it left pending that was not before (reopened, or opened by the
 * corrected sign-off), told to the agency that owes it and to the coordinator. A withdrawn step leaves their inbox at
 * once; without this only the case's timeline says why, and an agency that had started on it (a letter attached to a
 * certification request) learns it only by finding the step gone. A step owed again is as urgent, and its agency's
 * last word on it may be the "No longer needed" of an earlier correction.
 */
import { knowsOfStepKind } from './access';
import { alarms, OWED_BEFORE_THE_END, withAnnounced } from './alarms';
import { findStep, record, type Alarm, type CaseState, type StepChangeNotice } from './case-state';
import { agencyKindInProse } from './labels';
import type { Actor, AgencyKind, Instant, Step } from './types';

/**
 * On a case with `tellsWithdrawnSteps`, after a correction of `corrected` by `actor` took the case from `before` to
 * `after`: each step pending before and gone after (`step_withdrawn`), and each pending after that was not pending
 * before (`step_reopened`), becomes a notice to its owning agency, unless that agency made the correction, and one to
 * the coordinator, unless the step was the coordinator's or the coordinator corrected. A correction that changes
 * neither tells nothing.
 */
export function tellStepChanges(
  before: CaseState,
  after: CaseState,
  corrected: Step,
  actor: Actor,
  at: Instant,
): CaseState {
  if (!after.tellsWithdrawnSteps) return after;
  const remaining = new Set(after.steps.map((step) => step.id));
  const withdrawn = before.steps.filter((step) => step.status === 'pending' && !remaining.has(step.id));
  const owedAgain = owedAgainAfter(before, after);
  const correctedBy = actor.agencyKind;
  // A withdrawn step of the corrected step's own kind is a second request of it: opened by its lapse, or asked again.
  const firstEnded: StepChangeNotice['secondOf'] =
    before.steps.find((step) => step.id === corrected.id)?.status === 'expired' ? 'lapsed' : 'refused';
  const noticesOf = (steps: Step[], kind: StepChangeNotice['kind']) =>
    steps.flatMap((step) =>
      recipientsOf(step, correctedBy).map((recipient): StepChangeNotice => {
        // The corrected step is named only to whom may know of it: a T or U petition is not told to the police.
        const named = knowsOfStepKind(recipient, corrected.kind) ? { correctedStepKind: corrected.kind } : {};
        const owed = kind === 'step_reopened' ? { dueAt: step.dueAt, again: openedBefore(before, step) } : {};
        const second = kind === 'step_withdrawn' && step.kind === corrected.kind ? { secondOf: firstEnded } : {};
        // Keyed by the case's version: once per correction, step and recipient, however often it is retried.
        const id = `${step.id}:${kind}:${step.kind}:${recipient}:${after.version}`;
        return { id, kind, stepId: step.id, stepKind: step.kind, recipient, correctedBy, ...named, ...owed, ...second };
      }),
    );
  const notices = [...noticesOf(withdrawn, 'step_withdrawn'), ...noticesOf(owedAgain, 'step_reopened')];
  if (notices.length === 0) return after;
  // The corrected sign-off, signed again, may have queued a notice of its own about a step whose ground it gave back
  // (`ground`, an HHS certification letter needed again): the correction's says it, once.
  const saidHere = new Set(notices.map((notice) => `${notice.stepId}:${notice.kind}:${notice.recipient}`));
  const queued = (after.stepChangesToTell ?? []).filter(
    (notice) => notice.ground === undefined || !saidHere.has(`${notice.stepId}:${notice.kind}:${notice.recipient}`),
  );
  const told = { ...after, stepChangesToTell: [...queued, ...notices] };
  if (!after.tellsNeededAgainDates) return told;
  const reopened = notices.filter((notice) => notice.kind === 'step_reopened');
  return withAnnouncementsSaid(withDueDatesAnnounced(told, reopened), reopened, actor, at);
}

/**
 * Keeps the due date each "Needed again" email names as announced to its recipient, as an expiry email's end is: a
 * later correction that moves it, or makes it pass, then tells them (`tellCorrectedEnds`); else their last word is
 * "make it by 1 May" of a step due a month earlier, or a year overdue.
 */
function withDueDatesAnnounced(state: CaseState, reopened: StepChangeNotice[]): CaseState {
  return reopened.reduce(
    (kept, { stepId, stepKind, recipient, dueAt }) =>
      dueAt
        ? withAnnounced(kept, {
            ...{ stepId, stepKind, kind: 'due', about: stepKind, recipient },
            ...{ agencyId: kept.agencies[recipient], date: dueAt },
          })
        : kept,
    state,
  );
}

/**
 * A window's announcement the correction would raise at once ("Reminder: Continued Presence renewal request due 20
 * Dec … still owed", every lead behind its corrected end) to a recipient its "Needed again" email reaches about that
 * same step, owed by the same date: marked sent, and said in the timeline, as the "Needed again" email says it.
 */
function withAnnouncementsSaid(state: CaseState, reopened: StepChangeNotice[], actor: Actor, at: Instant): CaseState {
  const saidBy = (alarm: Alarm) => {
    const window = alarm.onRecord ? findStep(state, alarm.stepId) : undefined;
    const owed = window && OWED_BEFORE_THE_END[window.kind];
    return reopened.find((notice) => notice.stepKind === owed && notice.recipient === alarm.recipient);
  };
  return alarms(state).reduce((said, alarm) => {
    const notice = saidBy(alarm);
    if (!notice) return said;
    const summary =
      `${alarm.kind} (${alarm.subject}) for ${alarm.stepId} not sent to ${agencyKindInProse(alarm.recipient)}: ` +
      `the "Needed again" email of ${notice.stepId} says it`;
    const marked = { ...said, firedAlarms: [...said.firedAlarms, alarm.id] };
    return record(marked, at, 'reminder.not_sent', alarm.stepId, actor.agencyId, summary);
  }, state);
}

/**
 * The steps pending in `after` that were not pending in `before`: reopened (a lapse withdrawn, a refusal corrected to
 * a grant, even of a step withdrawn since and so gone from the case), or opened by the corrected sign-off. The one rule
 * for what a correction makes owed: its "Needed again" emails and its preview (`previewCorrection`) both read it.
 */
export function owedAgainAfter(before: CaseState, after: CaseState): Step[] {
  const pendingBefore = new Set(before.steps.filter((step) => step.status === 'pending').map((step) => step.id));
  return after.steps.filter((step) => step.status === 'pending' && !pendingBefore.has(step.id));
}

/** Whether the step was open on the case before (withdrawn or cancelled since): it is then owed again, not anew. */
const openedBefore = (before: CaseState, step: Step) =>
  before.timeline.some((entry) => entry.type === 'step.opened' && entry.stepId === step.id);

/** Who is told of a step: its owner and the coordinator, neither when it made the correction itself. */
function recipientsOf(step: Step, correctedBy: AgencyKind): AgencyKind[] {
  const owner = step.agencyKind;
  return [owner, ...(owner === 'coordinator' ? [] : (['coordinator'] as const))].filter(
    (recipient) => recipient !== correctedBy,
  );
}
