/**
 * The workflow's own rules of a new sign-off that the console judges from the case as its reader sees it, beyond the
 * catalogue's schema (web/sign-off-fields.ts checkDetails): who may sign, and an amendment the rules no longer allow,
 * which also decide the outcomes the form offers. Each is the domain's rule itself. The rules that need the case's
 * whole state (the days a sign-off's dates may fall on, a CP valid until after it was granted) are judged by the API's
 * sign-off preview at the form's first send, so the check page never lists answers "Confirm" would refuse.
 */
import { ApiProblem } from './api-client';
import type { CaseView, MeView } from './kit';
import { outcomesOf } from './sign-off-fields';
import { localDateOf } from '../core/time-zones';
import { todayOf } from '../domain/dates';
import { DEFAULT_POLICY, type Policy } from '../domain/policy';
import { interimExtensionRefusal } from '../domain/tracks/hhs';
import type { Rejection } from '../domain/case-state';

type StepView = CaseView['steps'][number];

/** Whether this reader may sign the step off: an officer of the agency it belongs to in this case (the API's rule). */
export function maySignOff(me: MeView, step: StepView): boolean {
  return me.can.signSteps && step.agencyId === me.user.agencyId;
}

/**
 * The outcomes the step takes now: those of its status (web/sign-off-fields.ts outcomesOf), less an amendment its
 * rules refuse whatever its details (an interim letter extended as often as the policy allows, or one that ended
 * before the reader's day).
 */
export function openOutcomes(me: MeView, view: CaseView, step: StepView): string[] {
  return outcomesOf(step.kind, step.status).filter((outcome) => amendmentRefusal(me, view, step, outcome) === null);
}

/** Why none of the step's amendments is taken any more, in the domain's words; undefined when one is, or none exists. */
export function amendmentsUsedUp(me: MeView, view: CaseView, step: StepView): string | undefined {
  const refusals = outcomesOf(step.kind, step.status).map((outcome) => amendmentRefusal(me, view, step, outcome));
  if (refusals.length === 0 || refusals.includes(null)) return undefined;
  return refusals[0]?.message;
}

/** The day it is where the reader's agency works, by the API's clock, as the workflow judges "today" (domain/dates.ts). */
export const readerToday = (me: MeView) => todayOf(me.now, localDateOf(me.now, me.timeZone));

/**
 * What the console refuses of a new sign-off before asking the API: a reader who may not sign the step (403), and an
 * amendment its rules refuse whatever its details; undefined when there is neither. The rest of the workflow's rules
 * (the dates, the note) are the API's preview's to judge (`POST …/sign-off/preview`), from the case's whole state.
 */
export function signOffRulesRefusal(
  me: MeView,
  view: CaseView,
  step: StepView,
  outcome: string,
): ApiProblem | undefined {
  // Before anything else, a document above all: the API would refuse this reader the step (403).
  if (!maySignOff(me, step))
    return new ApiProblem(403, { title: 'Forbidden', detail: 'Only the agency this step belongs to may sign it off.' });
  const amendment = amendmentRefusal(me, view, step, outcome);
  if (!amendment) return undefined;
  return new ApiProblem(422, {
    detail: 'The sign-off is not complete.',
    errors: [{ field: 'outcome', message: amendment.message }],
  });
}

/** The policy the case captured, when the console knows it (the default's version); else its rules could differ. */
function policyOf(view: CaseView): Policy | undefined {
  return view.policyVersion === DEFAULT_POLICY.version ? DEFAULT_POLICY : undefined;
}

/**
 * An amendment the domain refuses whatever its details, judged on the reader's day (`readerToday`, the day the API
 * holds the signer to); null for any other outcome, or a policy the console does not know.
 */
function amendmentRefusal(me: MeView, view: CaseView, step: StepView, outcome: string): Rejection | null {
  const policy = policyOf(view);
  if (!policy || step.kind !== 'hhs_interim_letter' || outcome !== 'extended') return null;
  const eligibility = view.steps.filter((candidate) => candidate.kind === 'hhs_eligibility_letter').at(-1);
  return interimExtensionRefusal(policy, step, eligibility, readerToday(me));
}
