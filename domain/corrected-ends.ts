/**
 * An end an expiry email named, moved by a correction: its recipients are told the end as corrected. Otherwise their
 * mailbox keeps the wrong date (a grant's day typed a month early, announced "Expiring" at once, then corrected back)
 * and nothing tells them until the next reminder, weeks later.
 */
import { currentDateOf } from './alarms';
import type { CaseState, EndCorrection } from './case-state';

/**
 * On a case with `tellsCorrectedEnds`, after a correction: each announced end (`announcedEnds`) whose date the case no
 * longer has becomes an `EndCorrection` for the workflow to email, and the end as corrected is what was announced
 * since. A correction that moves no announced end tells nothing; one whose step it withdrew has no end left to name.
 */
export function tellCorrectedEnds(state: CaseState): CaseState {
  if (!state.tellsCorrectedEnds || !state.announcedEnds?.length) return state;
  const corrections: EndCorrection[] = [];
  const announcedEnds = state.announcedEnds.map((end) => {
    const date = currentDateOf(state, end);
    if (date === undefined || date === null || date === end.date) return end;
    // Keyed by the case's version: once per correction, even one that moves an end back to a date told before.
    const id = `${end.stepId}:end_corrected:${end.about}:${end.recipient}:${state.version}`;
    corrections.push({ ...end, id, was: end.date, date });
    return { ...end, date };
  });
  if (corrections.length === 0) return state;
  return { ...state, announcedEnds, endCorrections: [...(state.endCorrections ?? []), ...corrections] };
}
