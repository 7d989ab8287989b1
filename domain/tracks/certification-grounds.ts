/**
 * What qualifies an adult for HHS certification now (22 U.S.C. 7105(b)(1)(E)): read by asking again for a denied
 * certification (domain/ask-again.ts) and by a minor's move to the adult path at 18 (intake.ts), each of which opens
 * the request only when one of these holds, and by a T-visa denial (t-visa.ts), which withdraws it when none does.
 */
import type { Instant, Step } from '../types';
import { currentCpGrant } from './continued-presence';
import type { CertificationUnlock } from './hhs';

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
