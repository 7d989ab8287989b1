/**
 * When a step's deadline passes where it is read: one rule for the console (web/labels.ts), the emails (mail/render.ts)
 * and the daily digest (activities/digest.ts). domain/steps.ts `dueToRead` says whether the deadline is a day and when
 * that day ends in UTC; core/people-dates.ts `deadlineAsRead` reads that end in the reader's zone.
 */
import { deadlineAsRead } from '../../../core/people-dates';
import { LAST_DAY_ENDS_EVERYWHERE_MS } from '../../../domain/dates';
import { dueToRead } from '../../../domain/steps';

describe('deadline-as-read', () => {
  /** A CP grant valid through 15 Jan 2027 ends at the start of 16 Jan, UTC: its renewal request is due then. */
  const GRANT_ENDS = '2027-01-16T00:00:00.000Z';
  /** Midnight in Chicago (UTC-6) starting 5 Dec 2026: a deadline counted in days from an identification entered there. */
  const CHICAGO_MIDNIGHT = '2026-12-05T06:00:00.000Z';

  test('a deadline that is a day carries the end of its last day, UTC, and when that day has ended everywhere', () => {
    expect(dueToRead({ kind: 'cp_renewal_request', dueAt: GRANT_ENDS })).toEqual({
      dueAt: GRANT_ENDS,
      lastDayEnds: { at: GRANT_ENDS, lapsesAfterMs: LAST_DAY_ENDS_EVERYWHERE_MS },
    });
    // Counted in days from a typed day: its last day is the UTC day its instant falls in, 5 Dec.
    expect(dueToRead({ kind: 'cp_request', dueAt: CHICAGO_MIDNIGHT, dueOnADay: true })).toEqual({
      dueAt: CHICAGO_MIDNIGHT,
      lastDayEnds: { at: '2026-12-06T00:00:00.000Z', lapsesAfterMs: LAST_DAY_ENDS_EVERYWHERE_MS },
    });
    // Counted from an event's moment, or due at a typed day's end without being counted in days: the instant alone.
    expect(dueToRead({ kind: 'cp_request', dueAt: CHICAGO_MIDNIGHT })).toEqual({ dueAt: CHICAGO_MIDNIGHT });
    expect(dueToRead({ kind: 't_visa_evidence_response', dueAt: GRANT_ENDS, dueOnADay: null })).toEqual({
      dueAt: GRANT_ENDS,
    });
  });

  test('a deadline that is a day passes as its last day ends where it is read', () => {
    const renewal = dueToRead({ kind: 'cp_renewal_request', dueAt: GRANT_ENDS });
    expect(deadlineAsRead(renewal, 'America/Los_Angeles')).toBe('2027-01-16T08:00:00.000Z');
    expect(deadlineAsRead(renewal, 'America/New_York')).toBe('2027-01-16T05:00:00.000Z');
    // Guam's 16 Jan began before the stored end: the end is read as it is kept.
    expect(deadlineAsRead(renewal, 'Pacific/Guam')).toBe(GRANT_ENDS);
    const request = dueToRead({ kind: 'cp_request', dueAt: CHICAGO_MIDNIGHT, dueOnADay: true });
    expect(deadlineAsRead(request, 'America/New_York')).toBe('2026-12-06T05:00:00.000Z');
    expect(deadlineAsRead(request, 'Pacific/Honolulu')).toBe('2026-12-06T10:00:00.000Z');
  });

  test('any other deadline passes at its due instant, in every zone', () => {
    const response = dueToRead({ kind: 't_visa_evidence_response', dueAt: GRANT_ENDS });
    expect(deadlineAsRead(response, 'America/Los_Angeles')).toBe(GRANT_ENDS);
    expect(deadlineAsRead(dueToRead({ kind: 'cp_request', dueAt: CHICAGO_MIDNIGHT }), 'America/New_York')).toBe(
      CHICAGO_MIDNIGHT,
    );
  });
});
