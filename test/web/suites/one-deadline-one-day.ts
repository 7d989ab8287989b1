/**
 * One deadline, one day, for every reader (probe K5): a step counted in days from an identification entered by its
 * date is due at the identifying police's midnight (Chicago here). The police, the task force in New York and an
 * agency in Guam read the same last day and the same words, also between 00:00 and 01:00 in New York, when New York's
 * own calendar has moved on to the next day and Chicago's has not.
 */
import { overdueFrom } from '../../../domain/steps';
import { wordsFor } from '../../../web/labels';

describe('one-deadline-one-day', () => {
  // The zones law enforcement works in, where identifications are read (GET /api/me).
  const deadlineZones = ['America/Chicago', 'Pacific/Guam'];
  // Chicago's midnight that ends 4 Dec (06:00 UTC on 5 Dec): the last day to act is 4 Dec.
  const dueAt = '2026-12-05T06:00:00.000Z';
  // 00:32 on 5 Dec in New York, 23:32 on 4 Dec in Chicago, 15:32 on 5 Dec in Guam.
  const now = new Date('2026-12-05T05:32:00.000Z');
  /** The API's `overdue` of a pending step (domain/steps.ts `overdueFrom`, as app/case-reads.ts reads it), at `at`. */
  const overdueAt = (due: string, at: Date, kind = 'cp_request') => overdueFrom({ kind, dueAt: due }) < at.getTime();

  const readBy = (zone: string) => {
    const words = wordsFor(zone, now, [], deadlineZones);
    const overdue = overdueAt(dueAt, now);
    return {
      day: words.dueOf('cp_request', dueAt),
      words: words.due(dueAt, 'cp_request', null, false, overdue),
      overdue,
    };
  };

  test('the police in Chicago, the task force in New York and an agency in Guam read the same day and words', () => {
    expect(readBy('America/Chicago')).toEqual({ day: '4 Dec 2026', words: 'due today', overdue: false });
    // New York's calendar already reads 5 Dec: the words say whose day "today" is.
    expect(readBy('America/New_York')).toEqual({ day: '4 Dec 2026', words: 'due today, Chicago time', overdue: false });
    expect(readBy('Pacific/Guam')).toEqual({ day: '4 Dec 2026', words: 'due today, Chicago time', overdue: false });
  });

  test('once the deadline passes it is overdue for every reader at once, on the same day', () => {
    const later = new Date('2026-12-05T06:30:00.000Z');
    for (const zone of ['America/Chicago', 'America/New_York', 'Pacific/Guam']) {
      const words = wordsFor(zone, later, [], deadlineZones);
      expect(words.dueOf('cp_request', dueAt)).toBe('4 Dec 2026');
      expect(overdueAt(dueAt, later)).toBe(true);
      expect(words.due(dueAt, 'cp_request', null, false, true)).toMatch(/^overdue by 1 day/);
    }
  });

  test('a deadline at the end of a typed day (UTC midnight) still reads as typed, and overdue as the API says it', () => {
    const respondBy15Jan = '2027-01-16T00:00:00.000Z';
    // 10:00 on 15 Jan in New York, 01:00 on 16 Jan in Guam, where that day has ended.
    const at = new Date('2027-01-15T15:00:00.000Z');
    expect(wordsFor('America/New_York', at, [], deadlineZones).dueOf('t_visa_evidence_response', respondBy15Jan)).toBe(
      '15 Jan 2027',
    );
    const overdue = overdueAt(respondBy15Jan, at, 't_visa_evidence_response');
    expect(overdue).toBe(false);
    const due = (zone: string) =>
      wordsFor(zone, at, [], deadlineZones).due(respondBy15Jan, 't_visa_evidence_response', null, false, overdue);
    expect(due('America/New_York')).toBe('due today');
    // Guam's 15 Jan has ended, but the step is overdue only at its instant, 10:00 there: not "overdue by 1 day".
    expect(wordsFor('Pacific/Guam', at, [], deadlineZones).dueOf('t_visa_evidence_response', respondBy15Jan)).toBe(
      '15 Jan 2027',
    );
    expect(due('Pacific/Guam')).toBe('overdue from 10:00 Guam time on 16 Jan 2027');
  });

  test('across a change of the clocks, a deadline counted in 24-hour days still reads as the police day it stands for', () => {
    // 14 days from 1 Mar 2027 in Chicago (06:00 UTC) end at 01:00 on 15 Mar, the clocks having gone forward on the 14th:
    // the last day to act is 14 Mar, for the police and for every other reader.
    const spring = '2027-03-15T06:00:00.000Z';
    // 14 days from 25 Oct 2026 in Chicago (05:00 UTC) end at 23:00 on 7 Nov, the clocks having gone back: 7 Nov.
    const autumn = '2026-11-08T05:00:00.000Z';
    const at = new Date('2026-11-01T12:00:00.000Z');
    for (const zone of ['America/Chicago', 'America/New_York', 'Pacific/Guam']) {
      const words = wordsFor(zone, at, [], deadlineZones);
      expect({ zone, spring: words.dueOf('cp_request', spring), autumn: words.dueOf('cp_request', autumn) }).toEqual({
        zone,
        spring: '14 Mar 2027',
        autumn: '7 Nov 2026',
      });
    }
    // 00:30 on 15 Mar in Chicago: the last day has ended, though the deadline passes at 01:00, when the API calls it
    // overdue: the words say so, not "overdue by 1 day".
    const halfPast = new Date('2027-03-15T05:30:00.000Z');
    expect(overdueAt(spring, halfPast)).toBe(false);
    expect(wordsFor('America/Chicago', halfPast, [], deadlineZones).due(spring, 'cp_request', null, false, false)).toBe(
      'overdue from 01:00 CDT on 15 Mar 2027',
    );
  });
});
