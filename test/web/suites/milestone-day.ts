/**
 * The day another agency's step was done, as an officer or advocate reads it among the case's milestones ("Continued
 * Presence decision: granted 6 Dec 2026, ..."). ICE in Honolulu granted CP at 19:01 on 6 Dec 2026 without typing the
 * day (05:01 UTC on the 7th): its own page read "Signed ... on 6 Dec 2026", the compliance report dated the decision
 * 6 Dec, and the police in Honolulu read "granted 7 Dec 2026", a day that had not begun for either agency (probe S3):
 * the milestone took the UTC day of the moment. A day typed on the sign-off is read as typed, in every zone.
 */
import { milestoneLines } from '../../../web/case-standing';
import { wordsFor } from '../../../web/labels';

describe('milestone-day', () => {
  const grant = {
    kind: 'cp_decision',
    track: 'continued_presence',
    status: 'completed',
    outcome: 'granted',
    expiresAt: '2028-12-07T00:00:00.000Z',
    agencyId: null,
  };
  /** An hour after the grant, still 6 Dec in Honolulu. */
  const NOW = new Date('2026-12-07T06:00:00.000Z');
  const lineIn = (zone: string, milestone: typeof grant & { completedAt: string; typedDay: string | null }) =>
    milestoneLines([milestone], ['continued_presence'], wordsFor(zone, NOW, []))[0]?.what;

  test('a grant signed without its day reads the day it was signed where the reader is, not its UTC day', () => {
    const signedLive = { ...grant, completedAt: '2026-12-07T05:01:03.807Z', typedDay: null };
    expect(lineIn('Pacific/Honolulu', signedLive)).toBe(
      'Continued Presence decision: granted 6 Dec 2026, valid until 6 Dec 2028',
    );
    expect(lineIn('America/Anchorage', signedLive)).toContain('granted 6 Dec 2026,');
    // Already 7 Dec in Guam (15:01 there): the reader's own day, as the timeline and their own steps read a moment.
    expect(lineIn('Pacific/Guam', signedLive)).toContain('granted 7 Dec 2026,');
  });

  test('a grant dated on its sign-off reads that day in every zone', () => {
    const typed = { ...grant, completedAt: '2026-07-10T12:00:00.000Z', typedDay: '2026-07-10' };
    for (const zone of [
      'Pacific/Pago_Pago',
      'Pacific/Honolulu',
      'America/New_York',
      'Pacific/Guam',
      'Pacific/Kiritimati',
    ]) {
      expect(lineIn(zone, typed)).toContain('granted 10 Jul 2026,');
    }
  });
});
