/**
 * The names people read for the step kinds and the agency kinds, in emails and in the console alike: one name per
 * step, with the form it concerns where there is one, so a reminder and the page it links to say the same thing.
 */
import type { AlarmKind } from './case-state';
import type { AgencyKind, StepKind } from './types';

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
  t_visa_filing: 'T visa application filing (Form I-914)',
  t_visa_receipt: 'T visa receipt notice',
  t_visa_bona_fide: 'T visa bona fide determination',
  t_visa_evidence_response: 'T visa response to a request for evidence or notice of intent to deny',
  t_visa_decision: 'T visa decision',
  t_visa_adjustment_filing: 'Adjustment of status filing (Form I-485)',
  le_declaration: 'Law-enforcement declaration (Form I-914, Supplement B)',
  u_visa_certification: 'U visa certification (Form I-918, Supplement B)',
  u_visa_petition: 'U visa petition filing (Form I-918)',
};

/** A code as words inside a sentence, for a code with no name of its own: "agency_officer" → "agency officer". */
export const codeInWords = (code: string) => code.replace(/_/g, ' ');

export function isStepKind(kind: string): kind is StepKind {
  return Object.hasOwn(STEP_LABELS, kind);
}

/** A step kind's name, e.g. "cp_decision" → "Continued Presence decision"; an unknown or retired kind in plain words. */
export function stepLabel(stepKind: string): string {
  return isStepKind(stepKind) ? STEP_LABELS[stepKind] : inPlainWords(stepKind);
}

/** The windows an alarm may be about besides its step (domain/tracks' alarm subjects). */
const WINDOW_LABELS: Readonly<Record<string, string>> = {
  adjustment_eligible: 'eligible for adjustment of status',
  benefit_window: 'benefit window',
  cp_validity: 'Continued Presence validity',
  interim_letter: 'interim letter validity',
  minor_turns_18: 'minor turns 18',
  t_status: 'T status validity',
  u_certification_window: 'U visa certification window',
};

/** A window's name, e.g. "cp_validity" → "Continued Presence validity"; an unknown one in plain words. */
export function windowLabel(about: string): string {
  return WINDOW_LABELS[about] ?? inPlainWords(about);
}

/** A code the tables do not know, e.g. a retired kind, in plain words: "renewal_due" → "Renewal due". */
function inPlainWords(code: string): string {
  const words = code.replace(/[_-]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * Each agency kind's name in one table, in two forms because they are read in two places. `label` is the name on its
 * own, a table cell or a form label in the console ("ICE"); `inProse` is the name inside a sentence of an email
 * ("owned by the ICE Center for Countering Human Trafficking"), spelt out and with its article, since an email is read
 * away from the console by people who may not know our abbreviations.
 */
const AGENCY_KIND_NAMES: Record<AgencyKind, { label: string; inProse: string }> = {
  law_enforcement: { label: 'Law enforcement', inProse: 'law enforcement' },
  ice: { label: 'ICE', inProse: 'ICE Center for Countering Human Trafficking' },
  hhs: { label: 'HHS', inProse: 'HHS Office on Trafficking in Persons' },
  advocate: { label: 'Advocate', inProse: 'the attorney or advocate' },
  coordinator: { label: 'Coordinator', inProse: 'the coordinator' },
};

/** An agency kind's name on its own, e.g. "hhs" → "HHS"; an unknown kind as it is. */
export function agencyKindLabel(kind: string): string {
  return Object.hasOwn(AGENCY_KIND_NAMES, kind) ? AGENCY_KIND_NAMES[kind as AgencyKind].label : kind;
}

/** An agency kind's name inside a sentence, e.g. "hhs" → "HHS Office on Trafficking in Persons". */
export function agencyKindInProse(kind: AgencyKind): string {
  return AGENCY_KIND_NAMES[kind].inProse;
}

/** What kind of alarm a reminder is, in the words a reminder email and the case page's reminders both use. */
const ALARM_KIND_LABELS: Record<AlarmKind, string> = {
  reminder: 'Reminder',
  // Sent as the deadline passes: what its email's subject says too.
  due: 'Deadline reached',
  escalation: 'Escalation',
  expiry_reminder: 'Expiring',
  expired: 'Expired',
};

/**
 * A deadline whose hour matters, shown with its time: the minors' 24-hour notice to HHS. Every other is shown by its
 * last day to act (core/people-dates.ts).
 */
export const STEP_KINDS_DUE_AT_THE_HOUR: readonly StepKind[] = ['hhs_minor_notification'];
export const dueAtTheHour = (stepKind: string) => (STEP_KINDS_DUE_AT_THE_HOUR as readonly string[]).includes(stepKind);

/** An alarm kind's name, e.g. "expiry_reminder" → "Expiring"; an unknown kind in plain words. */
export function alarmKindLabel(kind: string): string {
  return Object.hasOwn(ALARM_KIND_LABELS, kind) ? ALARM_KIND_LABELS[kind as AlarmKind] : inPlainWords(kind);
}
