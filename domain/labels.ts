/**
 * The names people read for the step kinds, in emails and in the console alike: one name per step, with the form it
 * concerns where there is one, so a reminder and the page it links to say the same thing.
 */
import type { StepKind } from './types';

const STEP_LABELS: Record<StepKind, string> = {
  identification: 'Victim identification',
  cp_request: 'Continued Presence request',
  cp_decision: 'Continued Presence decision',
  cp_renewal_request: 'Continued Presence renewal request',
  cp_renewal_decision: 'Continued Presence renewal decision',
  hhs_minor_notification: 'HHS notification of a minor (24 hours)',
  hhs_interim_letter: 'HHS interim assistance letter',
  hhs_eligibility_letter: 'HHS eligibility letter',
  hhs_certification_request: 'HHS certification request',
  hhs_certification_letter: 'HHS certification letter',
  t_visa_filing: 'T visa application filing (I-914)',
  t_visa_receipt: 'T visa receipt notice',
  t_visa_bona_fide: 'T visa bona fide determination',
  t_visa_evidence_response: 'T visa response to request for evidence',
  t_visa_decision: 'T visa decision',
  t_visa_adjustment_filing: 'Adjustment of status filing (I-485)',
  le_declaration: 'Law-enforcement declaration (I-914 Supplement B)',
  u_visa_certification: 'U visa certification (I-918 Supplement B)',
  u_visa_petition: 'U visa petition filing (I-918)',
};

export function isStepKind(kind: string): kind is StepKind {
  return Object.hasOwn(STEP_LABELS, kind);
}

/** A step kind's name, e.g. "cp_decision" → "Continued Presence decision"; an unknown or retired kind in plain words. */
export function stepLabel(stepKind: string): string {
  if (isStepKind(stepKind)) return STEP_LABELS[stepKind];
  const words = stepKind.replace(/[_-]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
