/**
 * A transfer as the case's timeline records it ("law_enforcement transferred from demo-police to new-police
 * (moved_jurisdiction)", domain/case.ts `transferCase`), and what it tells later: which agency held a kind when an
 * entry was recorded. One reading of that sentence for the API and the console alike.
 */
import type { TimelineEntry } from './types';

type Recorded = Pick<TimelineEntry, 'seq' | 'type' | 'summary'>;

/** The sentence a transfer's entry says: the kind moved, the agency it left, the one it went to, and why. */
export function transferSummary(agencyKind: string, from: string | null, to: string, reason?: string | null): string {
  return `${agencyKind} transferred from ${from} to ${to}${reason ? ` (${reason})` : ''}`;
}

/** A transfer's entry read back into its parts (`transferSummary`); undefined for any other entry. */
export function transferIn(entry: Recorded): { kind: string; from: string; to: string; reason?: string } | undefined {
  if (entry.type !== 'case.transferred') return undefined;
  const moved = /^(\w+) transferred from (\S+) to (\S+)(?: \(([^)]*)\))?/.exec(entry.summary);
  if (!moved) return undefined;
  const [, kind = '', from = '', to = '', reason] = moved;
  return { kind, from, to, ...(reason === undefined ? {} : { reason }) };
}

/**
 * The case's agency of `agencyKind` when `entry` was recorded, as the transfers recorded say it: the agency the last
 * transfer of the kind before the entry moved the case to; before any, the one the first transfer after it moved the
 * case from; with none, `throughout` (the case's agency of that kind, which no transfer changed). A step is opened for
 * the case's agency of its kind (domain/case-state.ts `openStep`), so this is the agency that owed a step then,
 * whatever happened to it after (`recorded`: the case's entries in the order recorded, which include every transfer).
 */
export function agencyOfKindAt(
  entry: Pick<TimelineEntry, 'seq'>,
  agencyKind: string,
  recorded: readonly Recorded[],
  throughout: string | null,
): string | null {
  const transfers = recorded.flatMap((other) => {
    const moved = transferIn(other);
    return moved?.kind === agencyKind ? [{ seq: other.seq, ...moved }] : [];
  });
  const before = transfers.filter((moved) => moved.seq < entry.seq).at(-1);
  if (before) return before.to;
  return transfers.find((moved) => moved.seq > entry.seq)?.from ?? throughout;
}
