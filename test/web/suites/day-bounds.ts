/**
 * The console's due-day filters (web/day-bounds.ts `dueDayBound`) select a deadline by the last day to act every list
 * shows for it (core/people-dates.ts), for deadlines counted to a typed day's end (UTC midnight), from a typed day
 * (noon UTC) and from the day of an identification (the police's midnight, an hour off across a change of the clocks),
 * read in Honolulu, Los Angeles, New York, UTC and Guam, with the police in Los Angeles.
 */
import { deadlineZone, lastDayToAct } from '../../../core/people-dates';
import { localDateOf, startOfLocalDay } from '../../../core/time-zones';
import { addDays } from '../../../domain/dates';
import { dueAtTheHourBounds, dueDayBound, dueDayBounds, periodBounds } from '../../../web/day-bounds';

describe('day-bounds', () => {
  const LOS_ANGELES = 'America/Los_Angeles';
  const POLICE = [LOS_ANGELES];
  const READERS = ['Pacific/Honolulu', LOS_ANGELES, 'America/New_York', 'UTC', 'Pacific/Guam'];
  const at = (ms: number) => new Date(ms).toISOString();

  /** Deadlines around a day of each kind the service counts in days. */
  function deadlinesAround(day: string): string[] {
    return [-1, 0, 1].flatMap((shift) => {
      const date = addDays(day, shift);
      const policeMidnight = Date.parse(startOfLocalDay(date, LOS_ANGELES));
      return [`${date}T00:00:00.000Z`, `${date}T12:00:00.000Z`, at(policeMidnight)];
    });
  }

  describe.each(READERS)('read in %s', (reader) => {
    it.each(['2026-11-30', '2026-12-05', '2027-03-15', '2027-11-08'])(
      'a due day selects the deadlines that show it (%s)',
      (day) => {
        const deadlines = [
          ...deadlinesAround(day),
          // 14 days counted from a winter midnight in Los Angeles across the spring change: 01:00 PDT on 15 Mar 2027.
          '2027-03-15T08:00:00.000Z',
        ];
        for (const dueAt of deadlines) {
          const shown = lastDayToAct(dueAt, deadlineZone(dueAt, reader, POLICE));
          const from = dueDayBound(day, reader, POLICE);
          const before = dueDayBound(addDays(day, 1), reader, POLICE);
          const selected = Date.parse(dueAt) >= Date.parse(from) && Date.parse(dueAt) < Date.parse(before);
          expect({ dueAt, selected }).toEqual({ dueAt, selected: shown === day });
        }
      },
    );
  });

  /**
   * East of the police (Guam with them in Chicago, New York with them in Los Angeles), a deadline counted in days from an
   * identification's hour passes in the reader's day's first hours, before the police's midnight, and shows that day
   * there; one at the police's midnight shows the day before. The bound alone went with the day before for both (the
   * gap probe E4 found); with the midnights it moves (`dueDayBounds`), each goes with the day it shows.
   */
  describe.each([...READERS, 'Pacific/Kiritimati'])('a deadline counted from any hour, read in %s', (reader) => {
    const police = ['America/Chicago', LOS_ANGELES];
    it.each(['2026-12-05', '2027-03-14', '2027-03-15', '2027-11-07', '2027-11-08'])(
      'a due day selects the deadlines that show it (%s)',
      (day) => {
        const from = dueDayBounds(day, reader, police);
        const before = dueDayBounds(addDays(day, 1), reader, police);
        const start = Date.parse(startOfLocalDay(addDays(day, -1), 'Pacific/Kiritimati'));
        // Every quarter of an hour over three days: the hours of identifications, and every midnight among them.
        for (let at = start; at < start + 3 * 24 * 3_600_000; at += 900_000) {
          const dueAt = new Date(at).toISOString();
          const shown = lastDayToAct(dueAt, deadlineZone(dueAt, reader, police));
          const selected =
            at >= Date.parse(from.bound) &&
            !from.moved.includes(dueAt) &&
            (at < Date.parse(before.bound) || before.moved.includes(dueAt));
          expect({ dueAt, shown, selected }).toEqual({ dueAt, shown, selected: shown === day });
        }
      },
    );
  });

  test('the first day the API takes moves no midnight before it, east of UTC', () => {
    expect(dueDayBounds('1900-01-01', 'Pacific/Guam', POLICE)).toEqual({
      bound: dueDayBound('1900-01-01', 'Pacific/Guam', POLICE),
      moved: [],
    });
  });

  test('read at or west of the police, a due day moves no midnight', () => {
    expect(dueDayBounds('2026-12-05', 'Pacific/Honolulu', POLICE)).toEqual({
      bound: dueDayBound('2026-12-05', 'Pacific/Honolulu', POLICE),
      moved: [],
    });
    // In Guam, with the police in Los Angeles: Guam's own midnight, UTC's and the police's show the 4th, and so does
    // 23:00 on the 4th there, where a count begun in summer time ends in winter.
    expect(dueDayBounds('2026-12-05', 'Pacific/Guam', POLICE)).toEqual({
      bound: '2026-12-04T14:00:00.000Z',
      moved: [
        '2026-12-04T14:00:00.000Z',
        '2026-12-05T00:00:00.000Z',
        '2026-12-05T07:00:00.000Z',
        '2026-12-05T08:00:00.000Z',
      ],
    });
  });

  describe.each(READERS)('a deadline shown at its hour, read in %s', (reader) => {
    it.each(['2026-12-05', '2027-03-14', '2027-11-07'])(
      'a due day selects the notices its row shows on it (%s)',
      (day) => {
        const { dueAtTheHourAfter, dueAtTheHourBefore } = dueAtTheHourBounds(day, addDays(day, 1), reader);
        const start = Date.parse(startOfLocalDay(addDays(day, -2), LOS_ANGELES));
        // Every half hour over four days, the police's midnights among them.
        for (let at = start; at < start + 4 * 24 * 3_600_000; at += 1_800_000) {
          const dueAt = new Date(at).toISOString();
          const selected = at >= Date.parse(dueAtTheHourAfter!) && at < Date.parse(dueAtTheHourBefore!);
          expect({ dueAt, selected }).toEqual({ dueAt, selected: localDateOf(dueAt, reader) === day });
        }
      },
    );
  });

  test('an opening period is whole days where the reader is, "Opened before" excluding its day', () => {
    expect(periodBounds('2026-12-05', '2026-12-06', 'Pacific/Honolulu', false)).toEqual({
      from: '2026-12-05T10:00:00.000Z',
      to: '2026-12-06T10:00:00.000Z',
    });
    // The audit trail's "To" counts its day whole.
    expect(periodBounds('2026-12-05', '2026-12-05', 'Pacific/Honolulu', true)).toEqual({
      from: '2026-12-05T10:00:00.000Z',
      to: '2026-12-06T10:00:00.000Z',
    });
    // Not a day: as typed, for the API to refuse in words.
    expect(dueDayBound('2026-13-01', 'UTC', POLICE)).toBe('2026-13-01');
  });
});
