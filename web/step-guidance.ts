/**
 * What the process needs of a step that its fields cannot say, in the words of the one who signs it (the team's
 * domain notes): shown on its sign-off page, above the form. Dates come from the step itself (its due date, the
 * approval's adjustment date), never from a number written here, so a policy that changes a clock changes the words.
 */
import type { Words } from './labels';

/** The law-enforcement declaration is evidence the T visa may use, never a gate (the case page's milestone says it). */
export const DECLARATION_OPTIONAL = 'optional evidence: the T-visa filing does not wait for it';

interface StepFacts {
  kind: string;
  dueAt: string | null;
  details: Readonly<Record<string, unknown>>;
}

export function signOffGuidance(step: StepFacts, words: Words): string | undefined {
  switch (step.kind) {
    case 'le_declaration':
      return (
        'The declaration (Form I-914, Supplement B) is optional evidence for the T visa: declining it, or not ' +
        "answering, never holds up the survivor's T-visa filing, and other evidence can show their cooperation."
      );
    case 't_visa_filing':
      return (
        'A law-enforcement declaration (Form I-914, Supplement B) is optional evidence: file without waiting for it, ' +
        'whether it is pending, declined or never answered.'
      );
    case 't_visa_bona_fide':
      return (
        "Record it from USCIS's bona fide determination notice, not from the receipt notice: a filing receipt is no " +
        "ground for an adult's HHS certification; the determination is."
      );
    case 't_visa_adjustment_filing': {
      const from = step.details['adjustmentEligibleFrom'];
      const opens =
        typeof from === 'string'
          ? `It may be filed from ${words.calendarDay(from)}, or earlier once the investigation or prosecution is complete: then give the day it was. `
          : '';
      const lastDay = step.dueAt ? `, on or before ${words.validUntil(step.dueAt)}` : '';
      return `${opens}It must be filed while T status lasts${lastDay}: a survivor whose T status ends before filing loses this path.`;
    }
    case 'u_visa_petition':
      return step.dueAt
        ? `File by ${words.validUntil(step.dueAt)}, the last day of the certification's window: after it the ` +
            'certification has expired, and a new one must be asked for.'
        : undefined;
    case 'hhs_minor_notification':
      return (
        "Notify HHS's Office on Trafficking in Persons through its online request system (Shepherd), then record it " +
        'here. The request must be made before the minor turns 18.'
      );
    default:
      return undefined;
  }
}
