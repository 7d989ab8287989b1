/**
 * Asking again: a track that ended without what it asked for (Continued Presence denied or lapsed, a certification
 * denied or its request withdrawn, a U certification or a declaration declined) opens nothing by itself. CP is renewable while the survivor
 * remains a potential witness, certification follows from any qualifying event, and another certifier may sign what
 * one declined; but a survivor who is no longer a witness must not be chased by reminders. So a new request opens only
 * when someone decides to ask again: the case's coordinator, or the agency that owns the request. The timeline says
 * who asked, and the new step has its deadlines and reminders from the policy like any other.
 *
 * A U visa is often decided on weeks or months after the case was opened, once the crime and the survivor's cooperation
 * are clearer: asking for its certification on a case that does not follow one starts following it, by the same rule.
 */
import { z } from 'zod';
import { askingAgainRefusal } from './access';
import { settlePassedAlarms } from './alarms';
import { daysCountedFrom, recordedLate, signedAt, zodRejection, type CommandEnvelope } from './case';
import {
  identificationDayOf,
  latestOfKind,
  markedDueOnADay,
  openStep,
  record,
  type CaseState,
  type Rejection,
} from './case-state';
import { dateOf, earliestDayAt, isoDateSchema, normaliseInstant, todayOf, type IsoDate } from './dates';
import { stepLabel } from './labels';
import { onFirstUse } from './on-first-use';
import { STEP_CATALOGUE } from './steps';
import { certificationGroundNow, currentCpGrant } from './tracks/certification-grounds';
import type { Actor, CaseAgencies, Instant, Step, StepKind } from './types';

/** The requests that can be asked again, each the first step of its track. */
export const ASK_AGAIN_KINDS = [
  'cp_request',
  'hhs_certification_request',
  'u_visa_certification',
  'le_declaration',
] as const satisfies readonly StepKind[];
export type AskAgainKind = (typeof ASK_AGAIN_KINDS)[number];

export const askAgainSchema = onFirstUse(() =>
  z.strictObject({
    stepKind: z
      .enum(ASK_AGAIN_KINDS)
      .describe(
        'the request to open again: its track must have ended denied, lapsed or declined; ' +
          '`u_visa_certification` on a case that does not follow a U visa starts following one',
      ),
    askedOn: isoDateSchema()
      .optional()
      .describe(
        'the day it was asked again, for a case entered after the fact: not after today where the asker works, not ' +
          'before the track ended (starting a U visa, the identification); its deadline counts from that day. Left out, today',
      ),
  }),
);
export type AskAgainRequest = z.infer<ReturnType<typeof askAgainSchema>>;
/** The workflow's `askAgain` update payload. */
export type AskAgainCommand = AskAgainRequest & CommandEnvelope;

/** `details`, where known: a step asked again says so (`askedAgain`). */
type StepFacts = Pick<Step, 'kind' | 'status' | 'outcome'> & { details?: Step['details'] };

/**
 * What the rule reads of a case: its path, whether it follows a U visa, and how its steps went. The console gives it
 * the steps its reader sees (and how the others its work depends on went); the API and the workflow, every step.
 */
export interface AskAgainFacts {
  path: CaseState['path'];
  usesUVisa: boolean;
  steps: readonly StepFacts[];
}

/**
 * Whether the case follows a U visa, read from its steps: its certification opens when it starts following one. The
 * console reads it so from the steps it shows (a reader who may ask for it sees them).
 */
export const followsUVisa = (steps: readonly StepFacts[]) => steps.some((step) => step.kind === 'u_visa_certification');

/** Asking for a U certification on a case that does not follow a U visa starts following it. */
export const startsUVisa = (facts: Pick<AskAgainFacts, 'usesUVisa'>, kind: AskAgainKind) =>
  kind === 'u_visa_certification' && !facts.usesUVisa;

const CP_KINDS: readonly StepKind[] = ['cp_request', 'cp_decision', 'cp_renewal_request', 'cp_renewal_decision'];
const CERTIFICATION_KINDS: readonly StepKind[] = ['hhs_certification_request', 'hhs_certification_letter'];
/** The steps whose end a request of the kind is asked again after: its track's, and no other (the police's T visa). */
const ENDED_KINDS: Record<AskAgainKind, readonly StepKind[]> = {
  cp_request: CP_KINDS,
  hhs_certification_request: CERTIFICATION_KINDS,
  u_visa_certification: ['u_visa_certification'],
  le_declaration: ['le_declaration'],
};

const nothingToAskAgain = (kind: AskAgainKind, why: string): Rejection => ({
  code: 'nothing_to_ask_again',
  field: 'stepKind',
  message: `the ${stepLabel(kind)} cannot be asked again: ${why}`,
});

const latest = (steps: readonly StepFacts[], kind: StepKind) => steps.filter((step) => step.kind === kind).at(-1);
const pendingOf = (steps: readonly StepFacts[], kinds: readonly StepKind[]) =>
  steps.find((step) => kinds.includes(step.kind) && step.status === 'pending');
/** A pending step; one asked again (by someone else, a moment ago, say) is told as such: the asking is done already. */
const isPending = (step: StepFacts) =>
  step.details?.['askedAgain'] === true
    ? 'it was asked again already and is pending'
    : `the ${stepLabel(step.kind)} is still pending`;

/** The grant in force, or the last one: as the CP track reads it (`currentCpGrant`). */
const cpInForce = (steps: readonly StepFacts[]) => currentCpGrant(steps)?.status === 'completed';

/** Whether ICE's last word on CP was to deny its renewal: no renewal is left to ask for while the grant runs. */
const renewalDenied = (steps: readonly StepFacts[]) => {
  const decision = steps.filter((step) => step.kind === 'cp_decision' || step.kind === 'cp_renewal_decision').at(-1);
  return decision?.kind === 'cp_renewal_decision' && decision.outcome === 'denied';
};

function cpRefusal(steps: readonly StepFacts[]): string | null {
  const pending = pendingOf(steps, CP_KINDS);
  if (pending) return isPending(pending);
  // After a denied renewal a new request (with new evidence) may go at once: waiting for the lapse leaves a gap in CP.
  if (cpInForce(steps) && !renewalDenied(steps)) {
    return 'Continued Presence is still in force; ask for its renewal before it lapses';
  }
  const ended = steps.some(
    (step) =>
      ((step.kind === 'cp_decision' || step.kind === 'cp_renewal_decision') && step.outcome === 'denied') ||
      (CP_KINDS.includes(step.kind) && step.status === 'expired'),
  );
  return ended ? null : 'Continued Presence was neither denied nor did it lapse';
}

function certificationRefusal(facts: AskAgainFacts): string | null {
  if (facts.path !== 'adult') return 'a minor needs no certification: HHS issues an eligibility letter instead';
  const pending = pendingOf(facts.steps, CERTIFICATION_KINDS);
  if (pending) return isPending(pending);
  // A request withdrawn when the ground it stood on ended (the T visa denied, CP lapsed: cancelled) or by a correction
  // of the event that opened it (it goes: none is left) may be asked again once another ground holds.
  const denied = latest(facts.steps, 'hhs_certification_letter')?.outcome === 'denied';
  const request = latest(facts.steps, 'hhs_certification_request');
  const withdrawn = request === undefined || request.status === 'cancelled';
  if (!denied && !withdrawn) return 'no certification was denied, nor its request withdrawn';
  return certificationGroundNow(facts.steps)
    ? null
    : 'none of the events that qualify for it holds now (Continued Presence in force, a bona fide T visa ' +
        'application not denied, T status)';
}

function declinedRefusal(steps: readonly StepFacts[], kind: AskAgainKind): string | null {
  const last = latest(steps, kind);
  if (last?.status === 'pending') return isPending(last);
  return last?.status === 'declined' ? null : 'it was not declined';
}

/**
 * Why nothing of that kind can be asked again now (`nothing_to_ask_again`, saying why), or null when it can: its
 * track ended denied, lapsed or declined, and nothing of it is pending or in force; or it starts a U visa.
 */
export function askAgainRefusal(facts: AskAgainFacts, kind: AskAgainKind): Rejection | null {
  const why = ((): string | null => {
    switch (kind) {
      case 'cp_request':
        return cpRefusal(facts.steps);
      case 'hhs_certification_request':
        return certificationRefusal(facts);
      case 'u_visa_certification':
        return startsUVisa(facts, kind) ? null : declinedRefusal(facts.steps, kind);
      // Not bound to the T visa: a new declaration can support a motion to reopen or a new filing, and the police,
      // who may not see the T-visa decision (8 U.S.C. 1367), must not learn it from the answer.
      case 'le_declaration':
        return declinedRefusal(facts.steps, kind);
    }
  })();
  return why === null ? null : nothingToAskAgain(kind, why);
}

/** Who asks, what, and whether it can be asked again now; null when the request may be applied. */
export function validateAskAgain(state: CaseState, command: AskAgainCommand, now: Instant): Rejection | null {
  if (state.status !== 'open') return { code: 'case_not_open', message: `the case is ${state.status}` };
  // The request alone: its schema is strict, and `issued` is the workflow's to check (domain/issued.ts).
  const { actor, issued, ...request } = command;
  const parsed = askAgainSchema().safeParse(request);
  if (!parsed.success) return zodRejection(parsed.error, '', askAgainSchema());
  const kind = parsed.data.stepKind;
  return (
    askerRefusal(actor, state.agencies, kind) ??
    askAgainRefusal(state, kind) ??
    askedOnRefusal(state, kind, parsed.data.askedOn, todayOf(normaliseInstant(now), issued?.today))
  );
}

/** When the track a request of the kind is asked again after ended: its last step's end, which step that was. */
function trackEnd(state: CaseState, kind: AskAgainKind): { step: Step; at: Instant } | undefined {
  const ends = state.steps
    .filter((step) => ENDED_KINDS[kind].includes(step.kind))
    .map((step) => ({ step, at: (step.status === 'expired' ? step.expiresAt : null) ?? step.completedAt }))
    .filter((end): end is { step: Step; at: Instant } => end.at !== null);
  return ends.sort((a, b) => Date.parse(a.at) - Date.parse(b.at)).at(-1);
}

/**
 * What a request of the kind is asked after, which it never opens before: the end of its track, or, starting a U
 * visa, the identification the case was opened on (its day as the identifying agency wrote it).
 */
function askedAfter(state: CaseState, kind: AskAgainKind): { at: Instant; on: IsoDate; what: string } | undefined {
  if (startsUVisa(state, kind)) {
    return { at: state.identifiedAt, on: identificationDayOf(state), what: 'the survivor was identified' };
  }
  const end = trackEnd(state, kind);
  if (!end) return undefined;
  // A decision or refusal signed without its day is a moment, whose day depends on where it is read: one signed at
  // 19:09 on 6 Dec in Honolulu (05:09 UTC on the 7th) ended on 6 Dec for the police there, who may ask again that
  // day, their today (the console offers it); its UTC day refused them until their midnight. Only the asker's today is
  // known, not their zone, so a day any zone was in at that moment is taken, on a case that dates a request asked on
  // a day no earlier than the end (`signedAt`, `datesAsWritten`). A lapse or what it cancelled ended on its UTC day.
  const signed = end.step.status === 'completed' || end.step.status === 'declined';
  const on = signed && state.datesAsWritten === true ? earliestDayAt(end.at) : dateOf(end.at);
  return { at: end.at, on, what: `${end.step.id} ended` };
}

/** A day asked again on (`askedOn`): not after the asker's today, as a sign-off's dates, nor before what it follows. */
function askedOnRefusal(
  state: CaseState,
  kind: AskAgainKind,
  askedOn: string | undefined,
  today: string,
): Rejection | null {
  if (askedOn === undefined) return null;
  if (askedOn > today) {
    return { code: 'date_order', field: 'askedOn', message: `askedOn (${askedOn}) is after today (${today})` };
  }
  const after = askedAfter(state, kind);
  if (after && askedOn < after.on) {
    return {
      code: 'date_order',
      field: 'askedOn',
      message: `askedOn (${askedOn}) is before ${after.what} (${after.on})`,
    };
  }
  return null;
}

/**
 * Whether this actor may ask again for the kind in this case: the coordinator, or the agency that owns the request.
 * The API judges it before the workflow does, in the same words.
 */
export const askerRefusal = (actor: Actor, agencies: CaseAgencies, kind: AskAgainKind): Rejection | null =>
  askingAgainRefusal(actor, agencies, STEP_CATALOGUE[kind].owner, `asking again for the ${stepLabel(kind)}`);

/**
 * Opens a fresh step of the kind, as `validateAskAgain` accepted it, with its deadline from the policy (a minor's CP
 * request has none, as when the case opened); the timeline says who asked again. Asked on a past day (`askedOn`), it
 * opens as a sign-off of that day is dated (`signedAt`, never before the track ended), its deadline counts from then,
 * and the reminders already passed are settled as for any entry after the fact, not sent one by one. Starting a U
 * visa, the case follows one from then on, and its certification opens as on a case opened with it.
 */
export function applyAskAgain(state: CaseState, command: AskAgainCommand, now: Instant): CaseState {
  const recordedAt = normaliseInstant(now);
  const { actor, stepKind, askedOn } = command;
  const asked = askedOn === undefined ? {} : { askedOn };
  const ended = { openedAt: askedAfter(state, stepKind)?.at ?? recordedAt };
  const at = signedAt(state, ended, asked, recordedAt);
  // Its deadline counts from the day asked on, also one typed as today in Guam, tomorrow in UTC (`daysCountedFrom`).
  const from = daysCountedFrom(state, ended, asked, recordedAt);
  const unlockedBy = stepKind === 'hhs_certification_request' ? certificationGroundNow(state.steps) : undefined;
  const starts = startsUVisa(state, stepKind);
  const withStep = openStep(starts ? { ...state, usesUVisa: true } : state, stepKind, at, {
    actorAgencyId: actor.agencyId,
    from,
    ...(stepKind === 'cp_request' && state.path === 'minor' ? { dueAt: null } : {}),
    // Marked, so that a correction that takes away the reason to ask again withdraws it (`outdatedAskedAgain`).
    details: { askedAgain: true, ...(unlockedBy ? { unlockedBy } : {}) },
  });
  // Asked on a typed day, its deadline counts from that day: due on a day.
  const opened = markedDueOnADay(state, withStep, askedOn !== undefined);
  const step = latestOfKind(opened, stepKind)!;
  const said = starts ? startedUVisaSummary(step, actor) : askedAgainSummary(state, step, actor);
  const late = at === recordedAt ? '' : recordedLate(dateOf(at), recordedAt, command.issued?.today);
  const summary = `${said}${late}`;
  const recorded = record(opened, at, 'step.asked_again', step.id, actor.agencyId, summary);
  return settlePassedAlarms({ ...recorded, version: state.version + 1 }, recordedAt);
}

const isAskAgainKind = (kind: StepKind): kind is AskAgainKind =>
  (ASK_AGAIN_KINDS as readonly StepKind[]).includes(kind);

/**
 * The steps opened by asking again, still pending, that asking again would now refuse (the step itself left out):
 * a correction made the refusal they answer a grant or a signature, so nothing is left to ask for. Whether the case
 * followed a U visa without the step is read from the other steps: a certification that started it answers no refusal.
 */
export function outdatedAskedAgain(state: CaseState): Step[] {
  return state.steps.filter((step) => {
    if (step.details['askedAgain'] !== true || step.status !== 'pending' || !isAskAgainKind(step.kind)) return false;
    const others = state.steps.filter((other) => other.id !== step.id);
    return askAgainRefusal({ path: state.path, usesUVisa: followsUVisa(others), steps: others }, step.kind) !== null;
  });
}

/** "cp_request-2 asked again by coordinator after cp_decision-1 denied": ids and codes only, never personal data. */
function askedAgainSummary(state: CaseState, step: Step, actor: Actor): string {
  const ended = state.steps
    .filter((other) => other.track === step.track)
    .filter((other) => other.status === 'expired' || other.status === 'declined' || other.outcome === 'denied')
    .at(-1);
  const after = ended ? ` after ${ended.id} ${ended.status === 'expired' ? 'expired' : ended.outcome}` : '';
  return `${step.id} asked again by ${actor.agencyKind}${after}`;
}

/** "u_visa_certification-1 asked for by coordinator: the case now follows a U visa". */
const startedUVisaSummary = (step: Step, actor: Actor) =>
  `${step.id} asked for by ${actor.agencyKind}: the case now follows a U visa`;

/**
 * Whether a timeline entry tells that asking for a U certification started the case following a U visa: it asked for
 * the first one (a case opened with a U visa opens that step itself, so asking again there opens the second or later).
 */
export const startedUVisa = (entry: { type: string; stepId: string | null }) =>
  entry.type === 'step.asked_again' && entry.stepId === 'u_visa_certification-1';
