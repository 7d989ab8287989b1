/**
 * The reasons a command may give, each a closed list of codes: a transfer's, a close's or withdrawal's, a step's
 * refusal (a declaration declined, a decision denied), and a document's removal. A reason is kept unsealed: the case's timeline shows it to
 * every agency of the case, and reports, emails, the idempotency store and the audit trail carry it. So it is chosen
 * from a list, never typed: a code a client makes up can be a name, an A-number or an address. Each list has `other`,
 * and anything about the person goes in the step's sealed note.
 *
 * Only a new command is held to a list (the API's schemas, the workflows' validators), never one being applied: a
 * history may hold any short code, as was taken before the lists, and must replay as it was recorded. The console's
 * words for each code: web/labels.ts.
 */
import { z } from 'zod';
import type { Rejection } from './case-state';
import type { StepKind } from './types';

export const TRANSFER_REASONS = ['moved_jurisdiction', 'referred', 'agency_stopped', 'other'] as const;
export type TransferReason = (typeof TRANSFER_REASONS)[number];

export const CLOSE_REASONS = [
  'relief_obtained',
  'survivor_withdrew',
  'lost_contact',
  'not_eligible',
  'transferred',
  'duplicate',
  'opened_in_error',
  'other',
] as const;
export type CloseReason = (typeof CLOSE_REASONS)[number];

/** Why a document is removed from a case (its audit row keeps the code, never the file's name). */
export const DOCUMENT_REMOVAL_REASONS = ['wrong_case', 'wrong_step', 'wrong_file', 'duplicate', 'other'] as const;
export type DocumentRemovalReason = (typeof DOCUMENT_REMOVAL_REASONS)[number];

/**
 * For each step that may be refused (the `reason` of its refusal, `refused()` in domain/steps.ts), what the decision
 * turns on, "other" last.
 */
export const REFUSAL_REASONS = {
  le_declaration: [
    'insufficient_evidence',
    'not_cooperating',
    'investigation_closed',
    'not_our_investigation',
    'other',
  ],
  u_visa_certification: ['insufficient_evidence', 'no_helpfulness', 'not_our_investigation', 'other'],
  cp_decision: ['insufficient_evidence', 'not_potential_witness', 'other'],
  cp_renewal_decision: ['not_potential_witness', 'other'],
  hhs_certification_letter: ['no_qualifying_status', 'not_willing_to_assist', 'minor', 'other'],
  t_visa_decision: [
    'not_a_victim',
    'not_present_on_account',
    'not_complied',
    'no_extreme_hardship',
    'no_response',
    'other',
  ],
} as const satisfies Partial<Record<StepKind, readonly string[]>>;
export type RefusableStep = keyof typeof REFUSAL_REASONS;
export type RefusalReason<Kind extends RefusableStep> = (typeof REFUSAL_REASONS)[Kind][number];

/** The codes a refusal of a step of this kind may give; none for a step that is never refused. */
export function refusalReasonsOf(kind: StepKind): readonly string[] {
  return Object.hasOwn(REFUSAL_REASONS, kind) ? REFUSAL_REASONS[kind as RefusableStep] : [];
}

/** What a refusal of a code off its list says, the field aside: the list, so a client can choose. */
const notListed = (codes: readonly string[]) => `expected one of: ${codes.join(', ')}`;

/** A reason as a new command gives it: one of `codes`, and the list said when it is not. */
export const listedReason = <const Codes extends readonly [string, ...string[]]>(codes: Codes) =>
  z.enum(codes, { error: notListed(codes) });

/**
 * A refusal sent without its reason, as the details' schema refused it (zod's "expected string, received
 * undefined"), said in words: the reason is required, and which codes it may be. Any other refusal as it was.
 */
export function missingRefusalReason(
  kind: StepKind,
  details: Record<string, unknown> | undefined,
  rejection: Rejection,
): Rejection {
  const codes = refusalReasonsOf(kind);
  if (rejection.field !== 'details.reason' || details?.['reason'] !== undefined || codes.length === 0) return rejection;
  return { ...rejection, message: `required: say why, ${notListed(codes)}` };
}

/**
 * A refusal's reason off its step's list, naming `details.reason`; null for a listed one, or details without a reason.
 * Not the catalogue's `reason` (domain/steps.ts), which applying a sign-off reads too: it takes any short code.
 */
export function unlistedRefusalReason(kind: StepKind, details: Record<string, unknown>): Rejection | null {
  const reason = details['reason'];
  const codes = refusalReasonsOf(kind);
  if (reason === undefined || codes.some((code) => code === reason)) return null;
  return { code: 'invalid_details', field: 'details.reason', message: notListed(codes) };
}
