/**
 * The console offers "Extend" on an interim letter only while the API would take it: not once the letter's last day
 * has passed in the reader's agency's day, which is the day the API holds HHS's extension to (domain/tracks/hhs.ts
 * interimExtensionRefusal, one rule for both). On its last day, late in the evening in New York when it is already the
 * next day in UTC, it is still offered; past midnight there, it is not, and the form says why, its day in words.
 */
import { DEFAULT_POLICY } from '../../../domain/policy';
import type { CaseView, MeView } from '../../../web/kit';
import { wordsFor } from '../../../web/labels';
import { plainWords } from '../../../web/refusal-words';
import { amendmentsUsedUp, openOutcomes } from '../../../web/sign-off-rules';

describe('interim-extension-offer', () => {
  const HHS = 'demo-hhs-otip';

  const readerAt = (now: string, timeZone = 'America/New_York') =>
    ({ now, timeZone, can: { signSteps: true }, user: { agencyId: HHS } }) as unknown as MeView;

  /** A minor's case: the interim letter issued until 2 Sep 2026 and never extended, the eligibility letter pending. */
  const letter = {
    id: 'hhs_interim_letter-1',
    kind: 'hhs_interim_letter',
    status: 'completed',
    agencyId: HHS,
    outcome: 'issued',
    details: { issuedOn: '2026-06-05', validUntil: '2026-09-02' },
  } as unknown as CaseView['steps'][number];
  const view = {
    policyVersion: DEFAULT_POLICY.version,
    steps: [
      letter,
      { id: 'hhs_eligibility_letter-1', kind: 'hhs_eligibility_letter', status: 'pending', agencyId: HHS, details: {} },
    ],
  } as unknown as CaseView;

  test('on its last day where HHS works, the letter is offered for extension, though that day has ended in UTC', () => {
    const lateOnTheLastDay = readerAt('2026-09-03T03:30:00.000Z');
    expect(openOutcomes(lateOnTheLastDay, view, letter)).toEqual(['extended']);
    expect(amendmentsUsedUp(lateOnTheLastDay, view, letter)).toBeUndefined();
  });

  test('once its last day has passed where HHS works, "extend" is not offered, and the form says why', () => {
    const theDayAfter = readerAt('2026-09-03T04:30:00.000Z');
    expect(openOutcomes(theDayAfter, view, letter)).toEqual([]);
    const why = amendmentsUsedUp(theDayAfter, view, letter)!;
    const words = wordsFor('America/New_York', new Date(theDayAfter.now), []);
    expect(plainWords(why, words)).toBe(
      `the interim letter ended on ${words.calendarDay('2026-09-02')}: a letter can be extended only while it is ` +
        'valid, on or before its last day',
    );
    // In Honolulu it is still the evening of the last day.
    expect(openOutcomes(readerAt('2026-09-03T04:30:00.000Z', 'Pacific/Honolulu'), view, letter)).toEqual(['extended']);
  });
});
