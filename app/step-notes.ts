/**
 * What a reader is shown of a step's note (and of a correction's reason, sealed the same way). A note may name the survivor, so it is shown, opened, only to those who
 * may read the survivor's identity; for everyone else the `note` key is removed and `noteWithheld: true` says one
 * exists. A note that does not open (its key no longer kept) is withheld too, rather than failing the whole answer.
 * The API applies it to what it answers (app/case-reads.ts `notesShown`, and the work lists).
 */
import type { IdentityKeyring } from '../core/identity-cipher';
import type { CaseView } from '../db/read-model';
import { openNote } from '../db/sealed-notes';
import type { StepDetails } from '../domain/steps';

/** The free-text details of a step, sealed: a sign-off's note and a correction's reason (domain/correction.ts). */
const SEALED_DETAILS = ['note', 'correctionReason'] as const;

/** `open` is given only to a reader who may read the identity. Each sealed detail is shown opened or withheld. */
export function detailsShown(details: StepDetails, open?: (stored: string) => string | null): StepDetails {
  let shown = details;
  for (const key of SEALED_DETAILS) {
    if (!Object.hasOwn(shown, key)) continue;
    const { [key]: stored, ...rest } = shown;
    const opened = open && typeof stored === 'string' ? open(stored) : null;
    shown = opened === null ? { ...rest, [`${key}Withheld`]: true } : { ...rest, [key]: opened };
  }
  return shown;
}

const hasSealedDetails = (details: StepDetails) => SEALED_DETAILS.some((key) => Object.hasOwn(details, key));

/**
 * Whether a case as answered (after `caseNotesShown`) shows a sealed detail opened: a note or a correction's reason
 * in clear, which a reader of the survivor's identity may read and the audit trail records (`case.read_notes`).
 */
export const showsSealedDetails = (view: CaseView): boolean =>
  view.steps.some((step) => SEALED_DETAILS.some((key) => typeof step.details[key] === 'string'));

/**
 * The case with each step's note opened when `readsIdentity`, else withheld. Most steps have none: the case and its
 * steps are copied only where one is, as every case read passes through here.
 */
export function caseNotesShown(view: CaseView, readsIdentity: boolean, keyring: IdentityKeyring | undefined): CaseView {
  if (!view.steps.some((step) => hasSealedDetails(step.details))) return view;
  return {
    ...view,
    steps: view.steps.map((step) =>
      hasSealedDetails(step.details)
        ? {
            ...step,
            details: detailsShown(
              step.details,
              readsIdentity
                ? (stored) => openNote(stored, { caseId: view.caseId, stepId: step.id }, keyring)
                : undefined,
            ),
          }
        : step,
    ),
  };
}
