/**
 * A pending step a correction withdrew, told to the agency that owed it and to the coordinator. The step leaves their
 * inbox at once; without this only the case's timeline says why, and an agency that had started on it (a letter
 * attached to a certification request) learns it only by finding the step gone.
 */
import { knowsOfStepKind } from './access';
import type { CaseState, WithdrawnStepNotice } from './case-state';
import type { Actor, AgencyKind, Step } from './types';

/**
 * On a case with `tellsWithdrawnSteps`, after a correction of `corrected` by `actor` took the case from `before` to
 * `after`: each step pending before and gone after becomes a notice to its owning agency, unless that agency made the
 * correction, and one to the coordinator, unless the step was the coordinator's or the coordinator corrected. A
 * correction that withdraws nothing tells nothing.
 */
export function tellWithdrawnSteps(before: CaseState, after: CaseState, corrected: Step, actor: Actor): CaseState {
  if (!after.tellsWithdrawnSteps) return after;
  const remaining = new Set(after.steps.map((step) => step.id));
  const withdrawn = before.steps.filter((step) => step.status === 'pending' && !remaining.has(step.id));
  const correctedBy = actor.agencyKind;
  const notices = withdrawn.flatMap((step) =>
    recipientsOf(step, correctedBy).map((recipient): WithdrawnStepNotice => {
      // The corrected step is named only to whom may know of it: a T or U petition is not told to the police.
      const named = knowsOfStepKind(recipient, corrected.kind) ? { correctedStepKind: corrected.kind } : {};
      // Keyed by the case's version: once per correction, step and recipient, however often it is retried.
      const id = `${step.id}:step_withdrawn:${step.kind}:${recipient}:${after.version}`;
      return { id, stepId: step.id, stepKind: step.kind, recipient, correctedBy, ...named };
    }),
  );
  if (notices.length === 0) return after;
  return { ...after, withdrawnStepsToTell: [...(after.withdrawnStepsToTell ?? []), ...notices] };
}

/** Who is told a step was withdrawn: its owner and the coordinator, neither when it made the correction itself. */
function recipientsOf(step: Step, correctedBy: AgencyKind): AgencyKind[] {
  const owner = step.agencyKind;
  return [owner, ...(owner === 'coordinator' ? [] : (['coordinator'] as const))].filter(
    (recipient) => recipient !== correctedBy,
  );
}
