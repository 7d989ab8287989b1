/**
 * An HHS certification letter does not expire; the benefits it opens end. Its advocate, who is reminded of that end,
 * read "HHS certification letter: certified 6 Dec 2026" and no end anywhere on the case page, the coordinator
 * "certified, eligible from 20 Nov 2026" (probe). Both now read the benefits' last day, in those words: not "valid
 * until", which would say the letter lapses.
 */
import { milestoneLines, standingOf } from '../../../web/case-standing';
import { wordsFor } from '../../../web/labels';

describe('benefit-window-words', () => {
  /** Benefits through 19 Mar 2027: kept as ending at the start of 20 Mar in UTC (domain/alarms.ts alarmDate). */
  const ENDS_AT = '2027-03-20T00:00:00.000Z';
  const letter = {
    kind: 'hhs_certification_letter',
    track: 'hhs',
    status: 'completed',
    outcome: 'certified',
    completedAt: '2026-12-06T12:00:00.000Z',
    agencyId: null,
    typedDay: '2026-12-06',
  };
  const words = (now: string) => wordsFor('America/New_York', new Date(now), []);

  test("the advocate's milestone says until when the benefits run, and that they ran once they have ended", () => {
    const line = (now: string) => milestoneLines([{ ...letter, expiresAt: ENDS_AT }], ['hhs'], words(now))[0]?.what;
    expect(line('2026-12-06T15:00:00.000Z')).toBe(
      'HHS certification letter: certified 6 Dec 2026, benefits until 19 Mar 2027',
    );
    expect(line('2027-04-01T15:00:00.000Z')).toBe(
      'HHS certification letter: certified 6 Dec 2026, benefits ran until 19 Mar 2027',
    );
  });

  test("the coordinator's standing says the benefits' last day after the eligibility date", () => {
    const step = {
      ...letter,
      agencyKind: 'hhs',
      dueAt: null,
      expiresAt: null,
      details: { eligibilityDate: '2026-11-20', benefitMonths: 4, benefitEndsOn: '2027-03-19', benefitSource: 'x' },
    };
    const [standing] = standingOf([step], ['hhs'], words('2026-12-06T15:00:00.000Z'));
    expect(standing?.done.map((done) => done.what)).toEqual([
      'HHS certification letter: certified, eligible from 20 Nov 2026, benefits until 19 Mar 2027',
    ]);
  });
});
