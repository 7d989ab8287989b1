/**
 * The workflow's own rules of a new sign-off, beyond the catalogue's schema (web/sign-off-fields.ts checkDetails),
 * judged from the case as its reader sees it: who may sign, the note's length, the days its dates may fall on, and an
 * amendment the rules no longer allow. The console refuses those at the first send, by their field, so the check page
 * never lists answers "Confirm" would refuse; each is the domain's rule itself, so it never refuses what the API takes.
 */
import { ApiProblem } from './api-client';
import type { CaseView, MeView } from './kit';
import { outcomesOf } from './sign-off-fields';
import { eventDateRefusal, identifiedOnOf } from '../domain/case';
import { localDateOf } from '../core/time-zones';
import { latestDayAt, todayOf } from '../domain/dates';
import { countsFromEvents, DEFAULT_POLICY, type Policy } from '../domain/policy';
import { noteSchema } from '../domain/steps';
import { interimExtensionRefusal } from '../domain/tracks/hhs';
import type { Rejection } from '../domain/case-state';

type StepView = CaseView['steps'][number];

/** Whether this reader may sign the step off: an officer of the agency it belongs to in this case (the API's rule). */
export function maySignOff(me: MeView, step: StepView): boolean {
  return me.can.signSteps && step.agencyId === me.user.agencyId;
}

/**
 * The outcomes the step takes now: those of its status (web/sign-off-fields.ts outcomesOf), less an amendment its
 * rules refuse whatever its details (an interim letter extended as often as the policy allows).
 */
export function openOutcomes(view: CaseView, step: StepView): string[] {
  return outcomesOf(step.kind, step.status).filter((outcome) => amendmentRefusal(view, step, outcome) === null);
}

/** Why none of the step's amendments is taken any more, in the domain's words; undefined when one is, or none exists. */
export function amendmentsUsedUp(view: CaseView, step: StepView): string | undefined {
  const refusals = outcomesOf(step.kind, step.status).map((outcome) => amendmentRefusal(view, step, outcome));
  if (refusals.length === 0 || refusals.includes(null)) return undefined;
  return refusals[0]?.message;
}

/** The day it is where the reader's agency works, by the API's clock, as the workflow judges "today" (domain/dates.ts). */
export const readerToday = (me: MeView) => todayOf(me.now, localDateOf(me.now, me.timeZone));

/**
 * The workflow's rules of a new sign-off the catalogue's schema does not judge, as the API would refuse them (a 422
 * naming each field), or a 403 for a reader who may not sign the step; undefined when there is none. "Today" is the
 * workflow's (domain/dates.ts todayOf): the day it is where the reader's agency works, by the API's clock (`me.now`).
 */
export function signOffRulesRefusal(
  me: MeView,
  view: CaseView,
  step: StepView,
  outcome: string,
  details: Record<string, string>,
): ApiProblem | undefined {
  // Before anything else, a document above all: the API would refuse this reader the step (403).
  if (!maySignOff(me, step))
    return new ApiProblem(403, { title: 'Forbidden', detail: 'Only the agency this step belongs to may sign it off.' });
  const errors = detailsRefusals(me, view, step, details);
  const amendment = amendmentRefusal(view, step, outcome);
  if (amendment) errors.push({ field: 'outcome', message: amendment.message });
  return errors.length ? new ApiProblem(422, { detail: 'The sign-off is not complete.', errors }) : undefined;
}

/** The rules of a sign-off's details: the note's length and the days its dates may fall on, by their field. */
function detailsRefusals(
  me: MeView,
  view: CaseView,
  step: StepView,
  details: Record<string, string>,
): { field: string; message: string }[] {
  const errors: { field: string; message: string }[] = [];
  // The API seals a note after checking it against the note's own limit (app/case-commands.ts sealedText).
  const note = details.note === undefined ? undefined : noteSchema().safeParse(details.note);
  if (note && !note.success) errors.push({ field: 'details.note', message: note.error.issues[0]?.message ?? '' });
  const today = readerToday(me);
  const dates = eventDatesRefusal(view, step, details, today);
  if (dates?.field) errors.push({ field: dates.field, message: dates.message });
  return errors;
}

/**
 * The policy the case captured, when the console knows it (the default's version). A case on a configured policy is
 * left to the API: its rules could differ.
 */
function policyOf(view: CaseView): Policy | undefined {
  return view.policyVersion === DEFAULT_POLICY.version ? DEFAULT_POLICY : undefined;
}

/**
 * The domain's rule of the dates (domain/case.ts eventDateRefusal). A reader who does not see the identification it
 * counts from (its police department and the coordinator do) is judged against the latest day it can have been: the
 * identifying agency's day when the case was opened, at latest the day in the zone furthest ahead (no identification
 * is after the case's opening, nor is one ever corrected). So a day after today is refused at once for every reader;
 * a day before the step opened, which needs the identification's day, waits for the API at "Confirm".
 */
function eventDatesRefusal(
  view: CaseView,
  step: StepView,
  details: Record<string, string>,
  today: string,
): Rejection | null {
  const policy = policyOf(view);
  if (!policy) return null;
  const identification = view.steps.find((candidate) => candidate.kind === 'identification');
  const facts = identification
    ? {
        identifiedOn: identifiedOnOf(identification, identification.openedAt),
        // The identification step opened at the identification itself (domain/case.ts openCase).
        identifiedAt: identification.openedAt,
        openedAt: view.openedAt,
        countsFromEvents: countsFromEvents(policy),
      }
    : {
        identifiedOn: latestDayAt(view.openedAt),
        identifiedAt: view.openedAt,
        openedAt: view.openedAt,
        countsFromEvents: false,
      };
  return eventDateRefusal(facts, step, details, today);
}

/** An amendment the domain refuses whatever its details; null for any other outcome, or a policy the console does not know. */
function amendmentRefusal(view: CaseView, step: StepView, outcome: string): Rejection | null {
  const policy = policyOf(view);
  if (!policy || step.kind !== 'hhs_interim_letter' || outcome !== 'extended') return null;
  const eligibility = view.steps.filter((candidate) => candidate.kind === 'hhs_eligibility_letter').at(-1);
  return interimExtensionRefusal(policy, step, eligibility);
}
