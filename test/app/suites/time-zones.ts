import {
  canonicalTimeZone,
  instantOfLocal,
  localDateOf,
  startOfLocalDay,
  TimeZoneSchema,
} from '../../../app/time-zones';
import { identificationOf, IdentifiedAtSchema } from '../../../app/identification';
import { AppError } from '../../../core/errors';

describe('time-zones', () => {
  describe('the start of a local day', () => {
    it('follows New York across both clock changes of 2025', () => {
      expect(startOfLocalDay('2025-03-08', 'America/New_York')).toBe('2025-03-08T05:00:00.000Z');
      // Clocks spring forward at 02:00 on 9 March: that midnight is still EST, the next one EDT.
      expect(startOfLocalDay('2025-03-09', 'America/New_York')).toBe('2025-03-09T05:00:00.000Z');
      expect(startOfLocalDay('2025-03-10', 'America/New_York')).toBe('2025-03-10T04:00:00.000Z');
      // And fall back at 02:00 on 2 November.
      expect(startOfLocalDay('2025-11-02', 'America/New_York')).toBe('2025-11-02T04:00:00.000Z');
      expect(startOfLocalDay('2025-11-03', 'America/New_York')).toBe('2025-11-03T05:00:00.000Z');
    });

    it('lies on the day before in UTC east of Greenwich (Manila, UTC+8, no summer time)', () => {
      expect(startOfLocalDay('2025-11-03', 'Asia/Manila')).toBe('2025-11-02T16:00:00.000Z');
      expect(startOfLocalDay('2025-07-01', 'Asia/Manila')).toBe('2025-06-30T16:00:00.000Z');
    });

    it('is 00:00 UTC in UTC, and the first instant of the day where a clock change skips midnight', () => {
      expect(startOfLocalDay('2025-11-03', 'UTC')).toBe('2025-11-03T00:00:00.000Z');
      // Santiago went from 00:00 to 01:00 on 4 September 2022: the day began at 01:00 -03.
      expect(startOfLocalDay('2022-09-04', 'America/Santiago')).toBe('2022-09-04T04:00:00.000Z');
    });
  });

  describe('a local time', () => {
    it('skipped by spring forward is read with the offset before the change; repeated by fall back, its first time', () => {
      expect(instantOfLocal('2025-03-09', '02:30', 'America/New_York')).toBe('2025-03-09T07:30:00.000Z');
      expect(instantOfLocal('2025-11-02', '01:30', 'America/New_York')).toBe('2025-11-02T05:30:00.000Z');
      expect(instantOfLocal('2025-11-03', '09:30:15.250', 'America/Chicago')).toBe('2025-11-03T15:30:15.250Z');
    });

    it("falls on the zone's own day", () => {
      expect(localDateOf('2025-11-03T16:30:00.000Z', 'Asia/Manila')).toBe('2025-11-04');
      expect(localDateOf('2025-11-04T02:30:00.000Z', 'America/Chicago')).toBe('2025-11-03');
      expect(localDateOf('2025-11-04T02:30:00.000Z', 'UTC')).toBe('2025-11-04');
    });
  });

  describe('time zone names', () => {
    it('takes IANA names in their canonical spelling and refuses anything else', () => {
      expect(canonicalTimeZone('america/chicago')).toBe('America/Chicago');
      expect(canonicalTimeZone('UTC')).toBe('UTC');
      for (const name of ['Mars/Base', '+05:00', '', 'America/Chicago; DROP TABLE agencies'])
        expect(canonicalTimeZone(name)).toBeNull();
      expect(TimeZoneSchema.parse('asia/manila')).toBe('Asia/Manila');
      expect(TimeZoneSchema.safeParse('Mars/Base').success).toBe(false);
    });
  });

  describe('an identification', () => {
    const now = new Date('2025-11-05T00:00:00.000Z');

    it('takes an instant with an offset as it is, and its day in the agency zone', () => {
      expect(identificationOf({ identifiedAt: '2025-11-03T09:30-05:00' }, 'Asia/Manila', now)).toEqual({
        at: '2025-11-03T14:30:00.000Z',
        on: '2025-11-03',
        field: 'identifiedAt',
      });
      expect(identificationOf({ identifiedAt: '2025-11-03T20:30:00Z' }, 'Asia/Manila', now).on).toBe('2025-11-04');
    });

    it('reads a local date-time, and a date alone as the start of that day, in the agency zone', () => {
      expect(identificationOf({ identifiedAt: '2025-11-03T09:30' }, 'America/Chicago', now).at).toBe(
        '2025-11-03T15:30:00.000Z',
      );
      expect(identificationOf({ identifiedOn: '2025-11-03' }, 'America/Chicago', now)).toEqual({
        at: '2025-11-03T06:00:00.000Z',
        on: '2025-11-03',
        field: 'identifiedOn',
      });
      expect(identificationOf({ identifiedOn: '2025-07-01' }, 'America/Chicago', now).at).toBe(
        '2025-07-01T05:00:00.000Z',
      );
    });

    it('refuses one after now, naming the field it came from', () => {
      const refusal = (request: { identifiedAt?: string; identifiedOn?: string }) => {
        try {
          identificationOf(request, 'UTC', now);
        } catch (error) {
          return error instanceof AppError ? error.options.fields : undefined;
        }
        return undefined;
      };
      expect(refusal({ identifiedAt: '2025-11-05T00:00:00.001Z' })).toEqual([
        { field: 'identifiedAt', message: expect.stringContaining('future') as string },
      ]);
      expect(refusal({ identifiedOn: '2025-11-06' })).toEqual([
        { field: 'identifiedOn', message: expect.stringContaining('future') as string },
      ]);
      expect(refusal({ identifiedAt: '2025-11-05T00:00:00.000Z' })).toBeUndefined();
      expect(refusal({ identifiedOn: '2023-01-01' })).toBeUndefined();
    });

    it('accepts ISO 8601 date-times to the minute or the millisecond, and nothing looser', () => {
      for (const value of [
        '2025-11-03T09:30-05:00',
        '2025-11-03T09:30Z',
        '2025-11-03T09:30:15.5+05:45',
        '2025-11-03T09:30',
      ]) {
        expect([value, IdentifiedAtSchema.safeParse(value).success]).toEqual([value, true]);
      }
      for (const value of [
        '2025-11-03',
        '2025-11-03 09:30Z',
        '2025-11-03T24:00Z',
        '2025-02-30T09:30Z',
        '1899-12-31T12:00Z',
        '2025-11-03T09:30+0530',
        'now',
      ]) {
        expect([value, IdentifiedAtSchema.safeParse(value).success]).toEqual([value, false]);
      }
    });
  });
});
