import {
  calendarDaysBetween,
  deadlineInZone,
  deadlineZone,
  dueWording,
  formatCalendarDay,
  formatDate,
  formatDateTime,
  formatDueDate,
  lastDayToAct,
  overdueSinceWords,
} from '../../../core/people-dates';
import { addDaysToInstant } from '../../../domain/dates';

describe('people-dates', () => {
  describe('a date for people', () => {
    it('is the day the instant falls on in the agency time zone, "2 Mar 2027" style', () => {
      expect(formatDate('2027-03-02T04:51:26.530Z', 'UTC')).toBe('2 Mar 2027');
      // 22:51 on the 1st in Chicago (UTC-6), 12:51 on the 2nd in Manila (UTC+8).
      expect(formatDate('2027-03-02T04:51:26.530Z', 'America/Chicago')).toBe('1 Mar 2027');
      expect(formatDate('2027-03-01T20:00:00.000Z', 'Asia/Manila')).toBe('2 Mar 2027');
    });

    it('keeps a calendar day as it is, whatever the zone', () => {
      expect(formatCalendarDay('2027-03-02')).toBe('2 Mar 2027');
      expect(formatCalendarDay('2009-12-31')).toBe('31 Dec 2009');
    });

    it('gives the time, 24-hour, and the zone people there use, only when asked', () => {
      expect(formatDateTime('2027-03-02T04:51:26.530Z', 'America/Chicago')).toBe('1 Mar 2027, 22:51 CST');
      expect(formatDateTime('2027-07-02T04:51:00.000Z', 'America/Chicago')).toBe('1 Jul 2027, 23:51 CDT');
      expect(formatDateTime('2027-03-02T04:51:26.530Z', 'UTC')).toBe('2 Mar 2027, 04:51 UTC');
    });

    it('names the zone as people there read it, never by an offset such as "GMT+1" (probe D10)', () => {
      const winter = '2026-12-07T05:30:00.000Z';
      const summer = '2027-07-07T05:30:00.000Z';
      // The US keeps its abbreviations.
      expect(formatDateTime(winter, 'America/Los_Angeles')).toBe('6 Dec 2026, 21:30 PST');
      expect(formatDateTime(summer, 'America/New_York')).toBe('7 Jul 2027, 01:30 EDT');
      expect(formatDateTime(winter, 'Pacific/Honolulu')).toBe('6 Dec 2026, 19:30 HST');
      expect(formatDateTime(winter, 'America/Anchorage')).toBe('6 Dec 2026, 20:30 AKST');
      // Europe reads its own, where en-US says "GMT+1", "GMT+2", "GMT+0".
      expect(formatDateTime(winter, 'Europe/Paris')).toBe('7 Dec 2026, 06:30 CET');
      expect(formatDateTime(summer, 'Europe/Paris')).toBe('7 Jul 2027, 07:30 CEST');
      expect(formatDateTime(summer, 'Europe/London')).toBe('7 Jul 2027, 06:30 BST');
      expect(formatDateTime(winter, 'Europe/London')).toBe('7 Dec 2026, 05:30 GMT');
      expect(formatDateTime(winter, 'Europe/Lisbon')).toBe('7 Dec 2026, 05:30 WET');
      // No abbreviation known there: the place the zone is named after.
      expect(formatDateTime(winter, 'Pacific/Guam')).toBe('7 Dec 2026, 15:30 Guam time');
      expect(formatDateTime(winter, 'Asia/Kolkata')).toBe('7 Dec 2026, 11:00 Kolkata time');
      expect(formatDateTime(winter, 'America/Argentina/Buenos_Aires')).toBe('7 Dec 2026, 02:30 Buenos Aires time');
      // A zone named by its offset keeps it (Etc/GMT+5 is five hours behind).
      expect(formatDateTime(winter, 'Etc/GMT+5')).toBe('7 Dec 2026, 00:30 GMT-5');
    });
  });

  describe('how a due date stands against now', () => {
    const now = new Date('2027-03-02T15:00:00.000Z'); // 09:00 in Chicago, 23:00 in Manila

    it('counts whole calendar days of the zone, not 24-hour spans', () => {
      expect(dueWording('2027-03-31T15:00:00.000Z', 'UTC', now)).toBe('in 29 days');
      expect(dueWording('2027-03-02T23:59:00.000Z', 'UTC', now)).toBe('due today');
      // Two hours away but past midnight: tomorrow in UTC.
      expect(dueWording('2027-03-03T00:30:00.000Z', 'UTC', now)).toBe('due tomorrow');
      expect(dueWording('2027-03-04T00:30:00.000Z', 'UTC', now)).toBe('in 2 days');
    });

    it('reads the same instants by the agency calendar', () => {
      // 00:30 UTC on the 3rd is 18:30 on the 2nd in Chicago: still today there; in Manila it is 08:30 on the 3rd.
      expect(dueWording('2027-03-03T00:30:00.000Z', 'America/Chicago', now)).toBe('due today');
      expect(dueWording('2027-03-03T00:30:00.000Z', 'Asia/Manila', now)).toBe('due tomorrow');
    });

    it('says how late a step is, from the moment its due date passed', () => {
      // Passed earlier on its own last day: the hour it passed says why "2 Mar" is late already on 2 Mar.
      expect(dueWording('2027-03-02T14:59:00.000Z', 'UTC', now)).toBe('overdue since 14:59 today');
      expect(dueWording('2027-03-02T15:00:00.000Z', 'UTC', now)).toBe('overdue since 15:00 today');
      expect(dueWording('2027-03-01T23:59:00.000Z', 'UTC', now)).toBe('overdue by 1 day');
      expect(dueWording('2027-02-27T08:00:00.000Z', 'UTC', now)).toBe('overdue by 3 days');
      // 23:59 UTC on 1 Mar is 17:59 on 1 Mar in Chicago, 07:59 on 2 Mar in Manila.
      expect(dueWording('2027-03-01T23:59:00.000Z', 'America/Chicago', now)).toBe('overdue by 1 day');
      expect(dueWording('2027-03-01T23:59:00.000Z', 'Asia/Manila', now)).toBe('overdue since 07:59 today');
    });

    it('says in an email since when a step is overdue, by dates that stay true on a later day (probe D10)', () => {
      // Passed at an hour on its own last day: that hour and that day, where the console says "overdue since 15:00 today".
      expect(overdueSinceWords('2027-03-02T15:00:00.000Z', 'UTC')).toBe('overdue since 15:00 UTC on 2 Mar 2027');
      expect(overdueSinceWords('2027-03-02T14:59:00.000Z', 'America/Chicago')).toBe(
        'overdue since 08:59 CST on 2 Mar 2027',
      );
      // Passed as its last day ended: the day after it, where the console counts "overdue by 1 day".
      expect(overdueSinceWords('2027-03-02T00:00:00.000Z', 'Pacific/Guam')).toBe('overdue since 2 Mar 2027');
      // A police midnight counted across the spring change (01:00 CDT on 15 Mar): its last day 14 Mar, as it reads.
      expect(overdueSinceWords(addDaysToInstant('2027-03-01T06:00:00.000Z', 14), 'America/Chicago')).toBe(
        'overdue since 15 Mar 2027',
      );
    });

    it('counts a day across a clock change as one day', () => {
      // New York springs forward on 14 March 2027: the day is 23 hours long, still one day.
      const before = '2027-03-13T17:00:00.000Z';
      expect(calendarDaysBetween(before, '2027-03-14T16:00:00.000Z', 'America/New_York')).toBe(1);
      expect(calendarDaysBetween(before, '2027-03-15T16:00:00.000Z', 'America/New_York')).toBe(2);
    });
  });

  describe('a deadline for people: its last day to act', () => {
    // "Respond by 15 Jan" passes as 16 Jan begins (domain/dates.ts endOfDay).
    const respondBy15Jan = '2027-01-16T00:00:00.000Z';

    it('is the day of its last moment, so one that passes as a day begins reads the day before', () => {
      expect(formatDueDate(respondBy15Jan, 'UTC')).toBe('15 Jan 2027');
      expect(formatDueDate(respondBy15Jan, 'America/Chicago')).toBe('15 Jan 2027');
      // One that passes at 08:00 leaves that morning to act.
      expect(formatDueDate('2027-01-19T08:00:00.000Z', 'UTC')).toBe('19 Jan 2027');
    });

    it('is due today on that day and overdue by a day on the next, in UTC too', () => {
      expect(dueWording(respondBy15Jan, 'UTC', new Date('2027-01-14T10:00:00.000Z'))).toBe('due tomorrow');
      expect(dueWording(respondBy15Jan, 'UTC', new Date('2027-01-15T10:00:00.000Z'))).toBe('due today');
      expect(dueWording(respondBy15Jan, 'UTC', new Date('2027-01-16T09:00:00.000Z'))).toBe('overdue by 1 day');
    });
  });

  describe('a deadline east of UTC (Guam, the Northern Mariana Islands)', () => {
    const respondBy15Jan = '2027-01-16T00:00:00.000Z'; // 10:00 on 16 Jan in Guam (UTC+10)

    it('reads the day that was written, not the day after', () => {
      expect(formatDueDate(respondBy15Jan, 'Pacific/Guam')).toBe('15 Jan 2027');
      expect(formatDueDate(respondBy15Jan, 'Asia/Tokyo')).toBe('15 Jan 2027');
      // Hours counted from an event are the instant they are, wherever read.
      expect(formatDueDate('2027-01-16T03:00:00.000Z', 'Pacific/Guam')).toBe('16 Jan 2027');
    });

    it('is due today on that day there, and overdue as the next one begins there', () => {
      // 09:00 on 15 Jan in Guam.
      expect(dueWording(respondBy15Jan, 'Pacific/Guam', new Date('2027-01-14T23:00:00.000Z'))).toBe('due today');
      // 08:00 on 16 Jan in Guam: the day written has ended there, though the stored instant is two hours away.
      expect(dueWording(respondBy15Jan, 'Pacific/Guam', new Date('2027-01-15T22:00:00.000Z'))).toBe('overdue by 1 day');
    });

    it('passes as the day ends there; west of UTC it stays as stored', () => {
      expect(deadlineInZone(respondBy15Jan, 'Pacific/Guam')).toBe('2027-01-15T14:00:00.000Z');
      expect(deadlineInZone(respondBy15Jan, 'America/Chicago')).toBe(respondBy15Jan);
      expect(deadlineInZone(respondBy15Jan, 'UTC')).toBe(respondBy15Jan);
      expect(deadlineInZone('2027-01-16T03:00:00.000Z', 'Pacific/Guam')).toBe('2027-01-16T03:00:00.000Z');
    });
  });

  describe('a deadline an hour off a midnight (probe N4, N8)', () => {
    const CHICAGO = 'America/Chicago';
    const NEW_YORK = 'America/New_York';
    const PAGO_PAGO = 'Pacific/Pago_Pago'; // UTC-11 all year: noon UTC is 01:00 there

    it('counted from a day dated at noon UTC reads its own day, with a police in Pago Pago too', () => {
      // A day of every season: the clocks never change in Pago Pago, so 01:00 there is no midnight moved by an hour.
      for (let days = 1; days <= 365; days += 28) {
        const dueAt = addDaysToInstant('2026-12-04T12:00:00.000Z', days);
        const itsDay = dueAt.slice(0, 10);
        expect(lastDayToAct(dueAt, PAGO_PAGO)).toBe(itsDay);
        const zone = deadlineZone(dueAt, NEW_YORK, [CHICAGO, PAGO_PAGO]);
        expect(zone).toBe(NEW_YORK);
        expect(lastDayToAct(dueAt, zone)).toBe(itsDay);
      }
    });

    it('counted from an identification at 01:00 in Chicago reads the day it falls on', () => {
      // 01:00 on 4 Dec 2026 in Chicago (CST) + 14 days: 01:00 on 18 Dec, no change of the clocks between.
      const dueAt = addDaysToInstant('2026-12-04T07:00:00.000Z', 14);
      expect(lastDayToAct(dueAt, CHICAGO)).toBe('2026-12-18');
      expect(formatDueDate(dueAt, deadlineZone(dueAt, NEW_YORK, [CHICAGO]))).toBe('18 Dec 2026');
    });

    it('counted from a police midnight across a change of the clocks still reads the day it stands for', () => {
      // Spring: midnight 1 Mar 2027 (CST) + 14 days ends at 01:00 CDT on 15 Mar.
      const spring = addDaysToInstant('2027-03-01T06:00:00.000Z', 14);
      expect(lastDayToAct(spring, CHICAGO)).toBe('2027-03-14');
      expect(deadlineZone(spring, NEW_YORK, [CHICAGO])).toBe(CHICAGO);
      // Autumn: midnight 20 Oct 2026 (CDT) + 30 days ends at 23:00 CST on 18 Nov, standing for 19 Nov's midnight.
      const autumn = addDaysToInstant('2026-10-20T05:00:00.000Z', 30);
      expect(lastDayToAct(autumn, CHICAGO)).toBe('2026-11-18');
      expect(deadlineZone(autumn, 'America/Los_Angeles', [CHICAGO])).toBe(CHICAGO);
    });
  });
});
