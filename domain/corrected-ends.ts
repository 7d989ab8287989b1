/**
 * An end an expiry email named, changed by a correction: its recipients are told the end as corrected. Otherwise their
 * mailbox keeps the wrong date (a grant's day typed a month early, announced "Expiring" at once, then corrected back),
 * or a grant that no longer exists (corrected to a denial), and nothing tells them until the next reminder, if any.
 * Likewise a due date a "Needed again" email named (`tellsNeededAgainDates`): moved, or passed, its recipients are
 * told the step's deadline as corrected.
 */
import { windowEndOf } from './alarms';
import { findStep, type AnnouncedEnd, type CaseState, type EndCorrection } from './case-state';
import type { Instant } from './types';

/**
 * On a case with `tellsCorrectedEnds`, after a correction made `at`: each announced end (`announcedEnds`) the case no
 * longer has becomes an `EndCorrection` for the workflow to email to the agency that got the earlier email. Moved, the
 * end as corrected is what was announced since, and one already past at `at` is told as ended; its step corrected to a
 * refusal, or withdrawn, it is told once as gone, until the step grants an end again; granted again after a refusal
 * was told (`tellsGrantedAgain`), it is told as granted again, that refusal no longer holding. An announced due date
 * (`kind: 'due'`) moved is told as the step's deadline as corrected, `ended` when it had passed at `at`, and forgotten
 * once its step is no longer pending. A correction that changes no announced end tells nothing.
 */
export function tellCorrectedEnds(state: CaseState, at: Instant): CaseState {
  if (!state.tellsCorrectedEnds || !state.announcedEnds?.length) return state;
  const corrections: EndCorrection[] = [];
  // A due date a "Needed again" email named is told only while its step is owed: one done needs nothing, one withdrawn
  // or cancelled is told by its own email ("No longer needed", the lapse's).
  const owed = (end: AnnouncedEnd) => end.kind !== 'due' || findStep(state, end.stepId)?.status === 'pending';
  const announcedEnds = state.announcedEnds.filter(owed).map(({ gone, refused: toldRefused, ...end }): AnnouncedEnd => {
    // Keyed by the case's version: once per correction, even one that moves an end back to a date told before.
    const id = `${end.stepId}:end_corrected:${end.about}:${end.agencyId ?? end.recipient}:${state.version}`;
    const step = findStep(state, end.stepId);
    if (step && end.kind === 'due') {
      if (step.dueAt === null || step.dueAt === end.date) return end;
      const overdue = Date.parse(step.dueAt) <= Date.parse(at) ? { endNow: 'ended' as const } : {};
      corrections.push({ ...end, id, was: end.date, date: step.dueAt, ...overdue });
      return { ...end, date: step.dueAt };
    }
    const date = step ? windowEndOf(step, end.about) : null;
    if (date === null) {
      if (gone) return { ...end, gone, ...(toldRefused === undefined ? {} : { refused: toldRefused }) };
      const refused = step?.outcome ? { endNow: 'refused' as const, outcome: step.outcome } : undefined;
      corrections.push({ ...end, id, was: end.date, ...(refused ?? { endNow: 'withdrawn' as const }) });
      // Kept to tell a grant that follows as such (`tellsGrantedAgain`): the refusal told no longer holds.
      const told = state.tellsGrantedAgain && refused ? { refused: refused.outcome } : {};
      return { ...end, gone: true, ...told };
    }
    // Told as gone, the end granted again is news even on the day it had.
    if (date === end.date && !gone) return end;
    const ended = Date.parse(date) <= Date.parse(at) ? { endNow: 'ended' as const } : {};
    const granted = step?.outcome ? { outcome: step.outcome } : {};
    const again = gone && toldRefused !== undefined ? { refusedBefore: toldRefused, ...granted } : {};
    corrections.push({ ...end, id, was: end.date, date, ...ended, ...again });
    return { ...end, date };
  });
  if (corrections.length === 0)
    return announcedEnds.length === state.announcedEnds.length ? state : { ...state, announcedEnds };
  return { ...state, announcedEnds, endCorrections: [...(state.endCorrections ?? []), ...corrections] };
}
