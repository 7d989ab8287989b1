/**
 * What qualifies an adult for HHS certification now (22 U.S.C. 7105(b)(1)(E)): read by asking again for a denied
 * certification (domain/ask-again.ts) and by a minor's move to the adult path at 18 (intake.ts), each of which opens
 * the request only when one of these holds, and by a T-visa denial (t-visa.ts) and a CP lapse (continued-presence.ts),
 * which withdraw it when none does (`withdrawUnbackedCertification`), and by a correction that takes away the event
 * that opened it (domain/correction.ts), which keeps it while one does (`backedCertificationRequest`).
 */
import { cancelPending, stepsOfKind, type CaseState, type GroundChange, type StepChangeNotice } from '../case-state';
import type { Instant, Step } from '../types';

/** The events that qualify an adult for HHS certification, each of which opens the request (hhs.ts). */
export type CertificationUnlock = 'cp_granted' | 't_visa_bona_fide' | 't_visa_approved';

/** The CP grant currently in force or most recently lapsed, if any (the CP track and domain/ask-again.ts read it too). */
export function currentCpGrant<S extends Pick<Step, 'kind' | 'outcome'>>(steps: readonly S[]): S | undefined {
  return steps
    .filter(
      (step) =>
        (step.kind === 'cp_decision' && step.outcome === 'granted') ||
        (step.kind === 'cp_renewal_decision' && step.outcome === 'renewed'),
    )
    .at(-1);
}

type StepFacts = Pick<Step, 'kind' | 'status' | 'outcome'> & Partial<Pick<Step, 'expiresAt'>>;

/**
 * CP in force, T status granted and still running, or a bona fide T-visa application not denied; else undefined.
 * `at`, when known, also holds CP to its end: a grant whose end passed while its expiry is held (a history being
 * entered) is no ground.
 */
export function certificationGroundNow(steps: readonly StepFacts[], at?: Instant): CertificationUnlock | undefined {
  const decision = steps.filter((step) => step.kind === 't_visa_decision').at(-1);
  if (decision?.outcome === 'approved' && decision.status === 'completed') return 't_visa_approved';
  const bonaFide = steps.some((step) => step.kind === 't_visa_bona_fide' && step.outcome === 'bona_fide');
  if (bonaFide && decision?.outcome !== 'denied') return 't_visa_bona_fide';
  const grant = currentCpGrant(steps);
  const running = at === undefined || !grant?.expiresAt || grant.expiresAt > at;
  return grant?.status === 'completed' && running ? 'cp_granted' : undefined;
}

/**
 * Whether a step is a certification request still to be made that a ground holding at `at` backs: a correction that
 * takes away the event that opened it (a CP grant corrected to a denial) keeps it then, as a lapse or a denial does.
 */
export function backedCertificationRequest(state: CaseState, step: Step, at: Instant): boolean {
  return (
    step.kind === 'hhs_certification_request' &&
    step.status === 'pending' &&
    certificationGroundNow(state.steps, at) !== undefined
  );
}

/**
 * When a ground ends (`ended`: the T visa denied, CP lapsed), an adult's certification request still to be made has
 * nothing left to stand on unless another ground holds at `at`: it is withdrawn, with why in the timeline, so its
 * reminders stop chasing the advocate. Asking again for it needs a ground that holds then (domain/ask-again.ts). On a
 * case with `groundAndCatchUpRules`, a request already made leaves HHS's letter pending: it is withdrawn likewise, and
 * HHS told (`withdrawUnbackedLetter`).
 */
export function withdrawUnbackedCertification(
  state: CaseState,
  at: Instant,
  ended: string,
  ground: Extract<GroundChange, 't_visa_denied' | 'cp_lapsed'>,
): CaseState {
  if (certificationGroundNow(state.steps, at)) return state;
  const withdrawn = cancelPending(
    state,
    'hhs_certification_request',
    at,
    `${ended}; certification needs CP or a bona fide application`,
  );
  return state.groundAndCatchUpRules ? withdrawUnbackedLetter(withdrawn, at, ended, ground) : withdrawn;
}

/** Why a certification letter is withdrawn or owed again, as the timeline and HHS's email say the grounds. */
const CERTIFICATION_GROUNDS_WORDS =
  'HHS certifies an adult only while Continued Presence is in force, a bona fide T-visa application has not been ' +
  'denied, or T status is granted';

/**
 * The certification letter still awaited from HHS, once the ground the request stood on ended with no other: HHS may
 * not certify now (the letter's validator refuses it), so the step is withdrawn (cancelled, why in the timeline), its
 * reminders and escalation stop, and HHS is told "No longer needed" in its own words. A ground coming back makes it
 * needed again (`unlockCertification` in hhs.ts).
 */
function withdrawUnbackedLetter(state: CaseState, at: Instant, ended: string, ground: GroundChange): CaseState {
  const letters = stepsOfKind(state, 'hhs_certification_letter').filter((step) => step.status === 'pending');
  if (letters.length === 0) return state;
  const cancelled = cancelPending(state, 'hhs_certification_letter', at, `${ended}; ${CERTIFICATION_GROUNDS_WORDS}`);
  // A letter step is withdrawn once at most: its id alone keys the email.
  const notices = letters.map((step): StepChangeNotice => ({
    id: `${step.id}:step_withdrawn:${ground}:hhs`,
    kind: 'step_withdrawn',
    stepId: step.id,
    stepKind: step.kind,
    recipient: 'hhs',
    ground,
  }));
  return { ...cancelled, stepChangesToTell: [...(cancelled.stepChangesToTell ?? []), ...notices] };
}
