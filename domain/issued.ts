/**
 * What a command to a case's workflow was issued for. The payload codec proves a command was sealed by the service,
 * not that it was sealed for this case: anyone who may read a case's history (Temporal namespace access, no keys)
 * could copy a sealed sign-off, transfer or close out of it and send it, unchanged, to another case or to the same
 * case again. So the API seals inside each command the case, the update id it sends it with and when it issued it,
 * and the workflow's validators refuse a command issued for anything else (README, "Who can command a case").
 */
import type { Rejection } from './case-state';
import type { Instant } from './types';

/** Sealed inside every command the API sends to a case's workflow. */
export interface Issued {
  caseId: string;
  /** The Temporal update id the API sends the command with: the update and the command come as one. */
  updateId: string;
  /** The API's clock when it issued the command. */
  at: Instant;
  /**
   * The day it was where the signer's agency works, when issued: the "today" the dates a sign-off carries are held to
   * (`todayOf` in domain/dates.ts). In Guam it is already tomorrow in UTC for ten hours of every day.
   */
  today?: string;
}

/**
 * How far from the workflow's time a command may have been issued: room for the API's write timeout, a retry, a
 * worker catching up and some clock skew, and not for a command copied out of a history hours later.
 */
export const ISSUED_WINDOW_MINUTES = 15;
const ISSUED_WINDOW_MS = ISSUED_WINDOW_MINUTES * 60_000;

/** What the workflow receives a command as: its case, the update id it came with, and the workflow's time. */
export interface Receipt {
  caseId: string;
  /** Undefined outside an update (which no command is). */
  updateId: string | undefined;
  now: Instant;
}

const refusal = (why: string): Rejection => ({
  code: 'unbound_command',
  message: `the command was not issued for this request (${why}); only the service's own requests are obeyed`,
});

/**
 * Why a command may not run here, or null. `issued` is what the command carries: `unknown`, for a command may have
 * been sealed before commands carried it, or for another purpose (a copied payload is whatever was copied).
 */
export function unboundCommandRefusal(issued: unknown, receipt: Receipt): Rejection | null {
  if (!isIssued(issued)) return refusal('it names no case, update and time');
  if (issued.caseId !== receipt.caseId) return refusal('it was issued for another case');
  if (receipt.updateId === undefined || issued.updateId !== receipt.updateId)
    return refusal('it was issued with another update id');
  const at = Date.parse(issued.at);
  const now = Date.parse(receipt.now);
  // A NaN difference is no distance: an unreadable time is refused, not let through.
  if (!(Math.abs(now - at) <= ISSUED_WINDOW_MS))
    return refusal(`it was issued at ${issued.at}, more than ${ISSUED_WINDOW_MINUTES} minutes from ${receipt.now}`);
  return null;
}

function isIssued(value: unknown): value is Issued {
  if (typeof value !== 'object' || value === null) return false;
  const { caseId, updateId, at } = value as Record<string, unknown>;
  return typeof caseId === 'string' && typeof updateId === 'string' && typeof at === 'string';
}
