/**
 * Correcting a sign-off entered wrong (a date, a detail, the outcome): the step is signed again over its state before
 * the sign-off, by the same rules and the same track code, and what the first sign-off set in motion follows. Nothing
 * is overwritten in the record that matters: the timeline keeps the original entry and gains one naming each change,
 * the audit trail gets a `step.correct` row, and the reason (free text, so sealed like a note) stays with the step.
 *
 * Who: the agency that signed the step, by an officer with its signing role, for `CORRECTION_WINDOW` days after the
 * sign-off was recorded; the case's coordinator at any time (after the window, only they).
 * What may change: the outcome, only while nothing that followed from the step has been signed (the followers are
 * reopened or withdrawn explicitly); the dates, while every signed follower still happened on or after the step. The
 * followers are the steps the step's own sign-off opened (`followersOf`); a signed one is never withdrawn.
 * A step whose validity lapsed is corrected too (on cases with `correctsLapses`): from the case as it was before the
 * lapse, so the lapse follows the corrected sign-off (`lapseAsCorrected`).
 */
import { actingRefusal, canSeeMilestone, canSeeStep, knowsOfStepKind } from './access';
import { alarms, settlePassedAlarms } from './alarms';
import { outdatedAskedAgain } from './ask-again';
import { tellCorrectedEnds } from './corrected-ends';
import { owedAgainAfter, tellStepChanges } from './withdrawn-steps';
import {
  checkSignOff,
  eventDates,
  shapedDetails,
  signedAt,
  outcomeOf,
  signedFields,
  signedState,
  unknownStep,
  unsealedNote,
  type CommandEnvelope,
} from './case';
import { findStep, record, signingDay, signingTime, type CaseState, type Rejection } from './case-state';
import { addDaysToInstant, dateOf, lastValidDay, normaliseInstant, type IsoDate } from './dates';
import { CORRECTION_WINDOW } from './policy';
import { signOffSchema, STEP_CATALOGUE, type SignOff, type StepDetails } from './steps';
import { expireFor } from './tracks';
import { backedCertificationRequest } from './tracks/certification-grounds';
import { openerInTimeline } from './openers';
import type { Actor, AgencyKind, Instant, Step, StepKind } from './types';

/**
 * A corrected sign-off: the same fields as a sign-off, and why (sealed by the API, like a note). `expectedCorrections`:
 * how many corrections the step had when the caller read it; given, a correction made meanwhile by someone else is
 * refused rather than silently replaced.
 */
export type Correction = SignOff & { reason: string; expectedCorrections?: number };

/** The workflow's `correctSignOff` update payload. */
export interface CorrectionCommand extends CommandEnvelope {
  correction: Correction;
}

/** What the step's details say of its corrections; kept through every correction. */
const CORRECTION_KEYS = ['correctedAt', 'corrections', 'correctionReason'] as const;
/** Details the tracks derive from a sign-off (domain/tracks: a grant's end, a benefit window), recomputed by it. */
const DERIVED_KEYS = ['validUntil', 'benefitMonths', 'benefitEndsOn', 'benefitSource'];

/**
 * The steps a sign-off opened, which a correction of it re-dates or withdraws. A step asked again is someone's
 * decision, not the sign-off's, even asked as of that moment (`askedOn` the refusal's day).
 *
 * Cases recorded before `followersByOpener` took every later step opened at the moment the step records as done. That
 * moment is shared: sign-offs entered after the fact are dated at noon of their day, so a CP requested and granted the
 * same day took the grant's renewal and certification requests for the request's. Since, a step's own record says
 * which sign-off opened it (`openedBy`, set by `signedState`), and for one opened before it was kept, the timeline does
 * (domain/openers.ts `openerInTimeline`).
 */
function followersOf(state: CaseState, step: Step): Step[] {
  const index = state.steps.indexOf(step);
  const later = state.steps.filter((other, i) => i > index && other.details['askedAgain'] !== true);
  if (!state.followersByOpener) return later.filter((other) => other.openedAt === step.completedAt);
  return later.filter((other) => (other.openedBy ?? openerInTimeline(state, other)) === step.id);
}

/** The fields a sign-off of that outcome fills (its details schema's keys), and what the tracks derive from them. */
function signedKeys(step: Step): Set<string> {
  return new Set([...signedFields(step.kind, step.outcome), ...DERIVED_KEYS]);
}

/** The case as it was before the step was signed: the step pending again with what it was opened with, no followers. */
function rewound(state: CaseState, step: Step, followers: Step[]): CaseState {
  const signed = signedKeys(step);
  const details = Object.fromEntries(Object.entries(step.details).filter(([key]) => !signed.has(key)));
  const pending: Step = { ...step, status: 'pending', completedAt: null, outcome: null, expiresAt: null, details };
  const gone = new Set(followers.map((follower) => follower.id));
  return {
    ...state,
    steps: state.steps.filter((other) => !gone.has(other.id)).map((other) => (other.id === step.id ? pending : other)),
  };
}

/** The sign-off the correction amounts to; a correction that gives no note keeps the one the step has. */
function signOffOf(correction: Correction, step: Step): SignOff {
  const details = { ...(correction.details ?? {}) };
  const note = step.details['note'];
  if (details['note'] === undefined && typeof note === 'string') details['note'] = note;
  return { stepId: correction.stepId, outcome: correction.outcome, details };
}

/**
 * What a validity's lapse did (a track's `expire`): when it was applied, the last day the step was valid, the steps it
 * ended (a renewal or a petition still to be made, cancelled; an adjustment still to be filed, expired) and those it
 * opened (a new U certification to ask for). The timeline is the record: the expiry writes the step's `step.expired`
 * and, right after it, at the same moment and by no agency, what it did to the others.
 */
interface Lapse {
  at: Instant;
  lastDay: string;
  ended: string[];
  opened: string[];
}

/** The lapse of a step that expired, on a case with `correctsLapses`; undefined for any other step. */
function lapseOf(state: CaseState, step: Step): Lapse | undefined {
  return state.correctsLapses ? recordedLapse(state, step) : undefined;
}

/** The last lapse of a step that expired, as the timeline records it; undefined for any other step. */
function recordedLapse(state: CaseState, step: Step): Lapse | undefined {
  if (step.status !== 'expired' || !step.expiresAt || !expireFor(step.kind)) return undefined;
  const { timeline } = state;
  let start = timeline.length - 1;
  while (start >= 0 && !(timeline[start]!.type === 'step.expired' && timeline[start]!.stepId === step.id)) start -= 1;
  if (start < 0) return undefined;
  const { at } = timeline[start]!;
  const lapse: Lapse = { at, lastDay: lastValidDay(step.expiresAt), ended: [], opened: [] };
  for (const entry of timeline.slice(start + 1)) {
    const other = entry.stepId === null ? undefined : findStep(state, entry.stepId);
    if (entry.at !== at || entry.actorAgencyId !== null || !other) break;
    // Ended by the lapse: never signed, and ended at its moment; a window's own end (another lapse) stops the list.
    const ended = other.outcome === null && other.completedAt === at && other.status !== 'pending';
    if ((entry.type === 'step.cancelled' || entry.type === 'step.expired') && ended) lapse.ended.push(other.id);
    else if (entry.type === 'step.opened' && other.status === 'pending') lapse.opened.push(other.id);
    else break;
  }
  return lapse;
}

/** The case as it was before the lapse: the step signed, what the lapse ended pending, what it opened not there. */
function unlapsed(state: CaseState, step: Step, lapse: Lapse): CaseState {
  const status = outcomeOf(step.kind, step.outcome!)!.resultStatus;
  const ended = new Set(lapse.ended);
  const opened = new Set(lapse.opened);
  const steps = state.steps
    .filter((other) => !opened.has(other.id))
    .map((other): Step => {
      if (other.id === step.id) return { ...other, status };
      return ended.has(other.id) ? { ...other, status: 'pending', completedAt: null } : other;
    });
  return { ...state, steps };
}

interface Prepared {
  step: Step;
  followers: Step[];
  /** The case the correction is applied to: as it is, or for a step that lapsed, as it was before the lapse. */
  base: CaseState;
  before: CaseState;
  signOff: SignOff;
  lapse?: Lapse;
}

function prepare(state: CaseState, correction: Correction): Prepared | Rejection {
  const parsedId = signOffSchema().shape.stepId.safeParse(correction.stepId);
  const found = parsedId.success ? findStep(state, parsedId.data) : undefined;
  if (!found) return unknownStep(correction.stepId);
  const lapse = lapseOf(state, found);
  const refusal = notCorrectable(found, lapse !== undefined);
  if (refusal) return refusal;
  // A lapse is applied as the corrected sign-off has it: the correction starts from the case before it.
  const base = lapse ? unlapsed(state, found, lapse) : state;
  const step = findStep(base, found.id)!;
  const followers = followersOf(base, step);
  const signOff = signOffOf(correction, step);
  return { step, followers, base, before: rewound(base, step, followers), signOff, lapse };
}

/** The outcomes a correction may record: those that settle a step (not a notice that leaves it pending, nor an extension). */
export function correctionOutcomes(kind: StepKind): string[] {
  return Object.keys(STEP_CATALOGUE[kind].outcomes).filter((outcome) => {
    const definition = outcomeOf(kind, outcome)!;
    return definition.appliesTo === 'pending' && definition.resultStatus !== 'pending';
  });
}

type Correctable = Pick<Step, 'kind' | 'status' | 'outcome'> & { details: Record<string, unknown> };

/**
 * Whether a step can be corrected at all (who may, and what, is the validator's): the console's "Correct" link. A
 * validity that lapsed is, as on every case the workflow moved to `correctsLapses`; the API judges an older one.
 */
export function isCorrectable(step: Correctable): boolean {
  return notCorrectable(step, step.status === 'expired' && expireFor(step.kind) !== undefined) === null;
}

/**
 * Only a step settled by a sign-off can be corrected, or one whose validity since lapsed (`lapsed`, on a case with
 * `correctsLapses`): not one opened settled with the case, nor since extended.
 */
function notCorrectable(step: Correctable & { id?: string }, lapsed: boolean): Rejection | null {
  const name = step.id ?? step.kind;
  const settled = step.outcome !== null && correctionOutcomes(step.kind).includes(step.outcome);
  const signed = step.status === 'completed' || step.status === 'declined' || (lapsed && step.status === 'expired');
  if (step.kind === 'identification' || !settled || !signed) {
    const why = step.kind === 'identification' ? 'recorded when the case opened' : step.status;
    return { code: 'not_correctable', field: 'stepId', message: `${name} is ${why}: only a signed step is corrected` };
  }
  if (Number(step.details['extensions'] ?? 0) > 0) {
    return {
      code: 'not_correctable',
      field: 'stepId',
      message: `${name} was extended since it was signed; a correction would undo the extension`,
    };
  }
  return null;
}

/** The signing agency within the window, the case's coordinator at any time. */
function whoRefusal(state: CaseState, step: Step, actor: Actor, now: Instant): Rejection | null {
  const what = `correcting ${step.id}`;
  const asSigner = actingRefusal(actor, state.agencies, step.agencyKind, what);
  if (asSigner) {
    if (actor.agencyKind === 'coordinator') return actingRefusal(actor, state.agencies, 'coordinator', what);
    return { ...asSigner, message: `${asSigner.message} (or the case's coordinator)` };
  }
  const signedAt = signingTime(state, step);
  const until = addDaysToInstant(signedAt, CORRECTION_WINDOW.days);
  if (normaliseInstant(now) <= until) return null;
  return {
    code: 'correction_window_closed',
    message: `${step.id} was signed on ${dateOf(signedAt)}; its agency may correct it for ${CORRECTION_WINDOW.days} days (until ${dateOf(until)}), after that the case's coordinator corrects it`,
  };
}

/**
 * The kinds of step a sign-off of each kind may open (the tracks' `after`, domain/tracks): its possible followers,
 * whatever the case records. Read by kind, not from the case, so what it says of a corrector does not depend on what
 * the case holds: whether a CP grant opened the advocate's certification request tells whether a T-visa application
 * was found bona fide before it (`unlockCertification`). A kind that opens nothing is not listed. Written by hand, and
 * checked against the tracks: test/domain/suites/may-open.ts signs cases through every outcome and lapse and fails when
 * what they open and this list disagree for any agency that could correct.
 */
const MAY_OPEN: Partial<Record<StepKind, readonly StepKind[]>> = {
  cp_request: ['cp_decision'],
  cp_decision: ['cp_renewal_request', 'hhs_certification_request'],
  cp_renewal_request: ['cp_renewal_decision'],
  cp_renewal_decision: ['cp_renewal_request', 'hhs_certification_request'],
  hhs_minor_notification: ['hhs_interim_letter', 'hhs_eligibility_letter'],
  hhs_certification_request: ['hhs_certification_letter'],
  t_visa_filing: ['t_visa_receipt'],
  t_visa_receipt: ['t_visa_bona_fide'],
  t_visa_bona_fide: ['t_visa_decision', 'hhs_certification_request'],
  t_visa_decision: ['t_visa_evidence_response', 't_visa_adjustment_filing', 'hhs_certification_request'],
  u_visa_certification: ['u_visa_petition'],
};

/**
 * Whether a step of this kind is corrected by the case's coordinator alone when an agency of `corrector`'s kind would
 * correct it: its sign-off may open a step of a kind that agency is not told of (`MAY_OPEN`). The API's refusal
 * (`hiddenFollowersRefusal`, code `coordinator_corrects`), the console's "Correct" link and the sign-off pages' advice
 * (ask the coordinator) read this one rule.
 */
export function coordinatorCorrects(kind: StepKind, corrector: AgencyKind): boolean {
  if (corrector === 'coordinator') return false;
  return (MAY_OPEN[kind] ?? []).some((opened) => !knowsOfStepKind(corrector, opened));
}

/**
 * A step whose sign-off may open a step its corrector's agency is not told of (the police's U certification opens the
 * advocate's U petition; ICE's CP decision the police's renewal request and the advocate's certification request) is
 * corrected by the case's coordinator alone, who sees every step. Such a correction would be judged against steps
 * the corrector may not see (whether they were signed, when, whether they were asked again), and any answer that
 * followed them, however anonymised its words, would tell them: a date refused from the day after the U petition was
 * filed dates the filing by bisection, a changed outcome refused tells a petition was filed (8 U.S.C. 1367). So the
 * refusal is the same whatever those steps record, or whether the case holds them at all: it reads only the step's
 * kind (`MAY_OPEN`) and, should a case ever hold a follower of a kind that list misses, refuses it too. Accepting the
 * correction and leaving the contradiction to the coordinator was not chosen: a signed step is never withdrawn, and a
 * certification dated after the petition it supports would stand in the record that the petition's deadline is
 * counted from. Only the update's validator refuses it (no patch): a history holding such a correction, accepted
 * before, replays it, since Temporal runs no validator on replay, and `applyCorrection` applies it as recorded.
 */
function hiddenFollowersRefusal(prepared: Prepared, actor: Actor): Rejection | null {
  if (actor.agencyKind === 'coordinator') return null;
  const { step, followers } = prepared;
  const hidden =
    coordinatorCorrects(step.kind, actor.agencyKind) || followers.some((follower) => !namesTo(actor, follower));
  if (!hidden) return null;
  return {
    code: 'coordinator_corrects',
    message: `${step.id} may open ${UNNAMED_LATER_STEP}, which your agency is not told of: the case's coordinator corrects it`,
  };
}

/**
 * Whether a refusal may name a follower and its day to the corrector: one it sees, or whose outcome and day it reads
 * as a milestone (the police, ICE's CP decision). Any other (the advocate's U petition to the police, the advocate's
 * certification request to ICE) is neither named nor dated nor counted, only said to be another agency's: the refusal
 * must stand, but its words must not tell that a T or U petition was filed, or when (8 U.S.C. 1367).
 */
const namesTo = (actor: Actor, follower: Step) => canSeeStep(actor, follower) || canSeeMilestone(actor, follower);

/** How a step the reader may not be told of is said: neither named nor dated nor counted. */
export const UNNAMED_LATER_STEP = 'a later step of another agency';

function followersInWords(actor: Actor, followers: Step[]): string {
  const seen = followers.filter((follower) => namesTo(actor, follower)).map((follower) => follower.id);
  return [...seen, ...(seen.length < followers.length ? [UNNAMED_LATER_STEP] : [])].join(', ');
}

/**
 * Steps that followed from it and were signed: what a different outcome or a later date would contradict. A date is
 * compared only once its details fit their schema (`shapedDetails`), which refuses a date it cannot read.
 */
function laterStepsRefusal(prepared: Prepared, state: CaseState, actor: Actor): Rejection | null {
  const { step, followers, signOff } = prepared;
  const signed = followers.filter((follower) => follower.status !== 'pending');
  // A follower that is not the latest of its kind was followed in turn: its place can no longer be taken again.
  const superseded = followers.filter(
    (follower) => state.steps.filter((other) => other.kind === follower.kind).at(-1)?.id !== follower.id,
  );
  const named = [...new Set([...signed, ...superseded])];
  if (named.length > 0 && (signOff.outcome !== step.outcome || superseded.length > 0)) {
    return {
      code: 'later_steps_signed',
      field: 'outcome',
      message: `the outcome of ${step.id} can no longer change: ${followersInWords(actor, named)} followed from it and ${named.length > 1 ? 'were' : 'was'} signed`,
    };
  }
  // The dates are read as the schema reads them, once it has: one JS cannot read is the corrector's to fix (422).
  const shaped = shapedDetails(step.kind, signOff);
  if ('code' in shaped) return shaped;
  const { details } = shaped;
  const happenedOn = dateOf(signedAt(state, step, details, signingTime(state, step)));
  const field = eventDates(details)[0]?.[0];
  for (const follower of signed) {
    const followerOn = dateOf(follower.completedAt ?? follower.openedAt);
    if (followerOn < happenedOn) {
      // What to enter: the day the follower was signed as of, or, of one the corrector may not see, only that it was.
      const limit = namesTo(actor, follower)
        ? `${followerOn}, when the ${follower.id} that followed from it was signed`
        : 'the day a later step of another agency that followed from it was signed';
      return {
        code: 'date_order',
        field: field ? `details.${field}` : 'details',
        message: `${field ?? 'the day it happened'} must be on or before ${limit}`,
      };
    }
  }
  return null;
}

/**
 * A signed step is never withdrawn by a correction, whatever its outcome: one that followed from the step and that the
 * step, signed again as corrected (`recomputed`), no longer opens, would be (`applyCorrection`), so it is refused.
 */
function signedWithdrawalRefusal(prepared: Prepared, recomputed: CaseState, actor: Actor): Rejection | null {
  const { step, followers } = prepared;
  const named = followers.filter((follower) => follower.status !== 'pending' && !findStep(recomputed, follower.id));
  if (named.length === 0) return null;
  const were = named.length > 1 ? 'were' : 'was';
  return {
    code: 'later_steps_signed',
    field: 'details',
    message: `${step.id} cannot be corrected so: ${followersInWords(actor, named)} followed from it and ${were} signed, and as corrected it would no longer open ${named.length > 1 ? 'them' : 'it'}; a correction never withdraws a signed step`,
  };
}

/** The fields of the step's record a correction changes, as the timeline names them (dates and codes only). */
function changesOf(step: Step, corrected: Step): string[] {
  const shown = (details: StepDetails, key: string) => (details[key] === undefined ? 'none' : String(details[key]));
  const skip = new Set<string>([...CORRECTION_KEYS, 'note']);
  const keys = [...new Set([...Object.keys(step.details), ...Object.keys(corrected.details)])].filter(
    (k) => !skip.has(k),
  );
  const changes = keys
    .filter((key) => shown(step.details, key) !== shown(corrected.details, key))
    .map((key) => `${key} ${shown(step.details, key)} → ${shown(corrected.details, key)}`);
  if (step.outcome !== corrected.outcome) changes.unshift(`outcome ${step.outcome} → ${corrected.outcome}`);
  if (step.details['note'] !== corrected.details['note']) changes.push('note replaced');
  return changes;
}

/**
 * One change a correction's timeline entry names, as said ("grantedOn 2026-11-10 → 2026-11-11", "note replaced"), with
 * the field, the value it had and the one it has where it names them ("none" where there was or is none).
 */
export interface CorrectionChange {
  said: string;
  field?: string;
  from?: string;
  to?: string;
}

/**
 * What a correction's timeline entry says it changed ("cp_request-1 corrected by law_enforcement: requestedOn
 * 2026-12-01 → 2026-11-30; note replaced (reason kept with the step)", `changesOf`), read back. Undefined for any other
 * entry.
 */
export function correctionChanges(entry: { type: string; summary: string }): CorrectionChange[] | undefined {
  if (entry.type !== 'step.corrected') return undefined;
  const changes = /: (.*) \(reason kept with the step\)$/.exec(entry.summary)?.[1];
  if (!changes) return undefined;
  return changes.split('; ').map((said) => {
    const [, field, from, to] = /^(\w+) (\S+) → (\S+)$/.exec(said) ?? [];
    return field ? { said, field, from, to } : { said };
  });
}

/**
 * The event dates (the fields named "…On": requestedOn, grantedOn) a correction's entry says it changed, each as the
 * day it was and the day it is (`correctionChanges`); null where there was or is none. None for any other entry.
 */
export function correctedDays(entry: {
  type: string;
  summary: string;
}): { from: IsoDate | null; to: IsoDate | null }[] {
  return (correctionChanges(entry) ?? []).flatMap(({ field, from, to }) =>
    field?.endsWith('On') ? [{ from: dayOrNull(from), to: dayOrNull(to) }] : [],
  );
}

/** A correction's side of a change as a day, or null where it named none ("none", a note). */
const dayOrNull = (said = '') => (/^\d{4}-\d\d-\d\d$/.test(said) ? said : null);

/** A correction that would record what the step records already: what to do instead (the console says it too). */
const CORRECTION_CHANGES_NOTHING = 'the correction changes nothing: change a date, a detail or the outcome';

/** Everything a correction must satisfy; null when it may be applied. */
export function validateCorrection(state: CaseState, command: CorrectionCommand, now: Instant): Rejection | null {
  const { correction, actor } = command;
  if (state.status !== 'open') return { code: 'case_not_open', message: `the case is ${state.status}` };
  if (typeof correction.reason !== 'string' || correction.reason.length === 0) {
    return { code: 'invalid_details', field: 'reason', message: 'a correction needs a reason' };
  }
  const prepared = prepare(state, correction);
  if ('code' in prepared) return prepared;
  const made = Number(prepared.step.details['corrections'] ?? 0);
  if (correction.expectedCorrections !== undefined && correction.expectedCorrections !== made) {
    return {
      code: 'correction_conflict',
      field: 'expectedCorrections',
      message: `${prepared.step.id} was corrected meanwhile (${made} corrections, not ${correction.expectedCorrections}): read it again before correcting it`,
    };
  }
  const outcomes = correctionOutcomes(prepared.step.kind);
  const rejection =
    whoRefusal(state, prepared.step, actor, now) ??
    hiddenFollowersRefusal(prepared, actor) ??
    (outcomes.includes(correction.outcome)
      ? null
      : ({
          code: 'unknown_outcome',
          field: 'outcome',
          message: `a correction of ${prepared.step.id} records one of: ${outcomes.join(', ')}`,
        } as const)) ??
    unsealedNote({ reason: correction.reason }, 'reason', '') ??
    laterStepsRefusal(prepared, prepared.base, actor) ??
    checkSignOff(prepared.before, prepared.signOff, actor, now, true, command.issued?.today) ??
    unsealedNote(prepared.signOff.details);
  if (rejection) return rejection;
  const signed = prepared.step;
  const recomputed = signedState(
    prepared.before,
    prepared.signOff,
    actor,
    signingTime(state, signed),
    signingDay(state, signed),
  );
  const withdrawal = signedWithdrawalRefusal(prepared, recomputed, actor);
  if (withdrawal) return withdrawal;
  const corrected = findStep(recomputed, prepared.step.id)!;
  if (changesOf(prepared.step, corrected).length === 0) {
    return { code: 'invalid_details', field: 'details', message: CORRECTION_CHANGES_NOTHING };
  }
  return null;
}

export interface CorrectionOptions {
  /**
   * Re-sign the step as of when it was signed (`signingTime`). Corrections recorded before this re-signed it as of
   * the correction itself, which moved what follows from it by the time in between; their replays pass false.
   */
  asSigned: boolean;
}

/**
 * Applies a correction `validateCorrection` accepted: the step signed again over its rewound state; its followers
 * take the dates the new sign-off gives them (a pending one reopened under its own id, a signed one keeping its
 * record), those it no longer sets in motion are withdrawn and new ones opened, each said in the timeline; a pending
 * step asked again that asking again would now refuse is withdrawn too. A certification request still to be made that
 * another ground backs is not withdrawn (`backedCertificationRequest`), on cases since `followersByOpener`. An end an
 * expiry email named that it moved is to be told to its recipients (`tellCorrectedEnds`), on cases since
 * `tellsCorrectedEnds`; a pending step it withdrew, to the agency that owed it and the coordinator
 * (`tellStepChanges`), on cases since `tellsWithdrawnSteps`.
 */
export function applyCorrection(
  state: CaseState,
  command: CorrectionCommand,
  now: Instant,
  options: CorrectionOptions = { asSigned: true },
): CaseState {
  const at = normaliseInstant(now);
  const prepared = prepare(state, command.correction);
  if ('code' in prepared) throw new Error(`a correction was applied without being validated: ${prepared.message}`);
  const { step, followers, base, before, signOff, lapse } = prepared;
  const { actor } = command;
  // Signed again as it was signed: at that moment, on the day it was where its signer works (`signingDay`).
  const recomputed = options.asSigned
    ? signedState(before, signOff, actor, signingTime(state, step), signingDay(state, step))
    : signedState(before, signOff, actor, at);
  const fresh = new Map(recomputed.steps.map((other) => [other.id, other]));
  const original = new Set(base.steps.map((other) => other.id));
  const followerIds = new Set(followers.map((follower) => follower.id));

  const recorded = findStep(recomputed, step.id)!;
  const corrected: Step = {
    ...recorded,
    details: {
      ...recorded.details,
      correctedAt: at,
      corrections: Number(step.details['corrections'] ?? 0) + 1,
      correctionReason: command.correction.reason,
    },
  };
  const notes: Array<[type: string, stepId: string, summary: string]> = [];
  const steps = base.steps.flatMap((other): Step[] => {
    if (other.id === step.id) return [corrected];
    const redone = fresh.get(other.id);
    if (!followerIds.has(other.id)) return [redone ?? other];
    // A certification request another ground still backs (a bona fide T visa, T status) stays, as when CP lapses.
    if (!redone && base.followersByOpener && backedCertificationRequest(recomputed, other, at)) return [other];
    if (!redone) {
      // Opened in error: it goes (the timeline keeps its opening), so a later correction may open it again.
      notes.push(['step.withdrawn', other.id, `${other.id} withdrawn: no longer follows from ${step.id} as corrected`]);
      return [];
    }
    if (redone.dueAt !== other.dueAt) {
      const due = (dueAt: Instant | null) => dueAt ?? 'without a date';
      notes.push(['step.rescheduled', other.id, `${other.id} now due ${due(redone.dueAt)} (was ${due(other.dueAt)})`]);
    }
    // A signed follower keeps its record; it opened when the step, as corrected, happened, and by its sign-off.
    if (other.status === 'pending') return [redone];
    return [{ ...other, openedAt: redone.openedAt, dueAt: redone.dueAt, openedBy: step.id }];
  });
  const opened = recomputed.steps.filter((other) => !original.has(other.id));
  for (const other of opened) {
    const due = other.dueAt ? `, due ${other.dueAt}` : '';
    notes.push([
      'step.opened',
      other.id,
      `${other.id} opened for ${other.agencyKind}${due}, following ${step.id} as corrected`,
    ]);
  }

  // A step asked again after a refusal the correction turned into a grant or a signature has nothing left to ask for.
  const outdated = new Set(
    outdatedAskedAgain({ ...recomputed, steps: [...steps, ...opened] }).map((other) => other.id),
  );
  for (const id of outdated) {
    notes.push(['step.withdrawn', id, `${id} withdrawn: nothing is left to ask again with ${step.id} as corrected`]);
  }

  let next: CaseState = {
    ...recomputed,
    steps: [...steps, ...opened].filter((other) => !outdated.has(other.id)),
    timeline: state.timeline,
    signedAt: state.signedAt,
    ...(state.signersDays ? { signersDays: state.signersDays } : {}),
  };
  next = record(
    next,
    at,
    'step.corrected',
    step.id,
    actor.agencyId,
    `${step.id} corrected by ${actor.agencyKind}: ${changesOf(step, corrected).join('; ')} (reason kept with the step)`,
  );
  for (const [type, stepId, summary] of notes) next = record(next, at, type, stepId, actor.agencyId, summary);
  if (lapse) next = lapseAsCorrected(next, step, lapse, actor, at);
  const told = tellCorrectedEnds(settlePassedAlarms({ ...next, version: state.version + 1 }, at), at);
  return tellStepChanges(state, told, step, actor, at);
}

/**
 * The alarms that apply the end of a step's validity as the case has it (a track's `expired`, its owner's and the
 * coordinator's copy), fired or not, held or not: an end a correction left as it was fired with its lapse.
 */
function endAlarms(state: CaseState, step: Step) {
  return alarms({ ...state, firedAlarms: [], heldExpiries: undefined }).filter(
    (alarm) => alarm.stepId === step.id && alarm.kind === 'expired',
  );
}

/**
 * The lapse of a step, as its corrected sign-off has it (the case `applyCorrection` re-signed from the one before the
 * lapse). Its validity still running: the lapse is withdrawn, and what it ended is pending again, as the corrected
 * sign-off left it, each said in the timeline. Its validity over too: the lapse stands, applied at once as of the
 * corrected end, as the alarm of that end would have applied it (marked fired: the coordinator was told of the lapse).
 * The alarms of the lapse withdrawn stay fired: what was sent is history, and nothing is sent again for it.
 */
function lapseAsCorrected(state: CaseState, step: Step, lapse: Lapse, actor: Actor, at: Instant): CaseState {
  const corrected = findStep(state, step.id)!;
  const ends = endAlarms(state, step);
  const endedAt = ends[0]?.at;
  if (corrected.expiresAt && endedAt !== undefined && endedAt < at) {
    const lastDay = lastValidDay(corrected.expiresAt);
    const moved = lastDay === lapse.lastDay ? '' : `, on ${lastDay} as corrected`;
    const told = record(
      state,
      at,
      'step.lapse_corrected',
      step.id,
      actor.agencyId,
      `${step.id} corrected: the lapse on ${lapse.lastDay} stands${moved}`,
    );
    const unfired = ends.map((alarm) => alarm.id).filter((id) => !told.firedAlarms.includes(id));
    return expireFor(step.kind)!({ ...told, firedAlarms: [...told.firedAlarms, ...unfired] }, corrected, endedAt);
  }
  const withdrawn = `the lapse of ${step.id} on ${lapse.lastDay} is withdrawn`;
  const said = `${step.id} corrected: the lapse on ${lapse.lastDay} is withdrawn`;
  let next = record(state, at, 'step.lapse_corrected', step.id, actor.agencyId, said);
  for (const id of lapse.ended) {
    const reopened = findStep(next, id);
    if (reopened?.status !== 'pending') continue;
    const due = reopened.dueAt ? `, due ${reopened.dueAt}` : '';
    next = record(next, at, 'step.reopened', id, actor.agencyId, `${id} reopened${due}: ${withdrawn}`);
  }
  for (const id of lapse.opened.filter((opened) => !findStep(next, opened))) {
    next = record(next, at, 'step.withdrawn', id, actor.agencyId, `${id} withdrawn: ${withdrawn}`);
  }
  return next;
}

/**
 * What a correction would withdraw and reopen, as its corrector may be told it before confirming: the pending steps it
 * withdraws and the ones it makes pending that were not (a lapse withdrawn, a refusal corrected back to a grant: the
 * steps its "Needed again" emails name, by the same rule, `owedAgainAfter`), each as it names them (`namesTo`, as the
 * refusals do), and whether it withdraws or reopens any other, which is said only as `UNNAMED_LATER_STEP`; and, when
 * the step's validity as corrected ends before now, its lapse (`lapses`), else null.
 */
export interface CorrectionPreviewed {
  named: Step[];
  unnamed: boolean;
  reopened: Step[];
  reopensUnnamed: boolean;
  lapses: PreviewedLapse | null;
}

/**
 * The lapse a correction brings: the step, whose validity as corrected ended before now (its last day, `validUntil`),
 * lapses on confirming (or, in an entry session, when the session ends), or its lapse stands; `cancels` what the lapse
 * ends that was not ended already (the renewal request still to be made, ...), named as `CorrectionPreviewed` names
 * steps, and whether it ends any other (`cancelsUnnamed`).
 */
export interface PreviewedLapse {
  step: Step;
  validUntil: string;
  cancels: Step[];
  cancelsUnnamed: boolean;
}

/**
 * The case once the corrected step's lapse is applied, if its validity as corrected ended before `at`: applied already
 * by the correction (its end's alarm passed, or its lapse stands), else held for the entry session's end, when the
 * workflow applies it with the track's `expire` as of the alarm's moment; that same function applies it here.
 */
function withLapseApplied(applied: CaseState, stepId: string, at: Instant): CaseState {
  const corrected = findStep(applied, stepId);
  const expire = corrected && expireFor(corrected.kind);
  if (!corrected || !expire || corrected.status !== 'completed') return applied;
  const endedAt = endAlarms(applied, corrected)[0]?.at;
  return endedAt !== undefined && endedAt < at ? expire(applied, corrected, endedAt) : applied;
}

/** Steps by whether the reader may be told of them (`namesTo`): those it may, and whether there are others. */
function namedFor(actor: Actor, steps: Step[]): [named: Step[], unnamed: boolean] {
  const named = steps.filter((step) => namesTo(actor, step));
  return [named, named.length < steps.length];
}

/**
 * A correction previewed: refused as the workflow would refuse it, else applied to a copy of the case (the same code
 * the workflow runs, nothing recorded), with the lapse it brings (`withLapseApplied`), and the steps before and after
 * compared. A step re-dated keeps its id and stays pending; one withdrawn (no longer followed from the step, or asked
 * again with nothing left to ask) is gone; one a withdrawn lapse had ended is pending again under its own id; one the
 * corrected step's lapse ends is the lapse's, read from the timeline as a correction of that lapse would read it.
 */
export function previewCorrection(
  state: CaseState,
  command: CorrectionCommand,
  now: Instant,
): CorrectionPreviewed | Rejection {
  const rejection = validateCorrection(state, command, now);
  if (rejection) return rejection;
  const { stepId } = command.correction;
  const applied = applyCorrection(state, command, now);
  const after = withLapseApplied(applied, stepId, normaliseInstant(now));
  const corrected = findStep(after, stepId)!;
  const lapse = recordedLapse(after, corrected);
  const byLapse = new Set(lapse?.ended ?? []);
  const pendingAfter = new Set(after.steps.filter((step) => step.status === 'pending').map((step) => step.id));
  const withdrawn = state.steps.filter(
    (step) => step.status === 'pending' && !pendingAfter.has(step.id) && !byLapse.has(step.id),
  );
  // What its "Needed again" emails will name, by their own rule, as the correction (not a lapse it holds) leaves it.
  const reopens = owedAgainAfter(state, applied);
  // What the lapse ends that was ended already (a lapse that stands) is not its doing.
  const endedBefore = new Set(state.steps.filter((step) => step.status !== 'pending').map((step) => step.id));
  const cancelled = after.steps.filter((step) => byLapse.has(step.id) && !endedBefore.has(step.id));
  const [named, unnamed] = namedFor(command.actor, withdrawn);
  const [reopened, reopensUnnamed] = namedFor(command.actor, reopens);
  const [cancels, cancelsUnnamed] = namedFor(command.actor, cancelled);
  const lapses = lapse ? { step: corrected, validUntil: lapse.lastDay, cancels, cancelsUnnamed } : null;
  return { named, unnamed, reopened, reopensUnnamed, lapses };
}
