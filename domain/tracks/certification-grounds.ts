/**
 * What qualifies an adult for HHS certification now (22 U.S.C. 7105(b)(1)(E)): read by asking again for a denied
 * certification (domain/ask-again.ts) and by a minor's move to the adult path at 18 (intake.ts), each of which opens
 * the request only when one of these holds.
 */
import type { Step } from '../types';
import { currentCpGrant } from './continued-presence';
import type { CertificationUnlock } from './hhs';

type StepFacts = Pick<Step, 'kind' | 'status' | 'outcome'>;

/** CP in force, T status granted and still running, or a bona fide T-visa application not denied; else undefined. */
export function certificationGroundNow(steps: readonly StepFacts[]): CertificationUnlock | undefined {
  const decision = steps.filter((step) => step.kind === 't_visa_decision').at(-1);
  if (decision?.outcome === 'approved' && decision.status === 'completed') return 't_visa_approved';
  const bonaFide = steps.some((step) => step.kind === 't_visa_bona_fide' && step.outcome === 'bona_fide');
  if (bonaFide && decision?.outcome !== 'denied') return 't_visa_bona_fide';
  return currentCpGrant(steps)?.status === 'completed' ? 'cp_granted' : undefined;
}
