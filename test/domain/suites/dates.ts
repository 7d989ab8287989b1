/** The one range of dates every input is held to, and the workflow's own validator holding to it too. */
import { instantBoundSchema, instantSchema, instantOfBound, isoDateSchema, validateOpenCase } from '../../../domain';

describe('dates', () => {
  const messagesOf = (result: { success: boolean; error?: { issues: { message: string }[] } }) =>
    result.error?.issues.map((issue) => issue.message) ?? [];

  describe('a calendar date', () => {
    it.each(['1900-01-01', '2024-02-29', '2199-12-31'])('takes %s', (date) => {
      expect(isoDateSchema().safeParse(date).success).toBe(true);
    });

    it.each([
      '0000-01-01',
      '1899-12-31',
      '2200-01-01',
      '9999-12-31',
      '10000-01-01',
      '2026-02-29',
      '2026-13-01',
      '2026-1-1',
      '2026-01-01T00:00:00Z',
    ])('refuses %s with one message saying what is expected', (date) => {
      expect(messagesOf(isoDateSchema().safeParse(date))).toEqual([
        'expected a date between 1900-01-01 and 2199-12-31 as YYYY-MM-DD',
      ]);
    });
  });

  describe('an instant', () => {
    it.each(['1900-01-01T00:00:00Z', '2199-12-31T23:59:59.999Z', '2200-01-01T00:30:00+01:00'])(
      'takes %s',
      (instant) => {
        expect(instantSchema().safeParse(instant).success).toBe(true);
      },
    );

    // An offset counts: 23:00 at UTC-5 on the last day is already the next year in UTC.
    it.each([
      '0000-01-01T00:00:00Z',
      '1900-01-01T00:30:00+01:00',
      '2199-12-31T23:00:00-05:00',
      '2200-01-01T00:00:00Z',
      '+010000-01-01T00:00:00Z',
      'not a time',
    ])('refuses %s with one message', (instant) => {
      expect(messagesOf(instantSchema().safeParse(instant))).toHaveLength(1);
      expect(messagesOf(instantSchema().safeParse(instant))[0]).toContain('between 1900-01-01 and 2199-12-31');
    });
  });

  describe('a bound of a time filter', () => {
    it('is a day (its start, UTC) or an instant, each in range', () => {
      expect(instantOfBound(instantBoundSchema().parse('2199-12-31'))).toBe('2199-12-31T00:00:00.000Z');
      expect(instantOfBound(instantBoundSchema().parse('2026-03-01T08:00:00+02:00'))).toBe('2026-03-01T06:00:00.000Z');
      for (const bound of ['0000-01-01', '10000-01-01', '0000-01-01T00:00:00Z', 'tomorrow']) {
        expect([bound, messagesOf(instantBoundSchema().safeParse(bound))[0]]).toEqual([
          bound,
          expect.stringContaining('between 1900-01-01 and 2199-12-31'),
        ]);
      }
    });
  });

  describe("the workflow's validator of a new case", () => {
    const input = (identifiedAt: string, minorTurns18On: string | null = null) => ({
      caseId: 'case-1',
      reference: 'RC-1',
      identifiedAt,
      minorTurns18On,
      agencies: { law_enforcement: 'le-1', ice: 'ice-1', hhs: 'hhs-1', advocate: 'adv-1', coordinator: 'coord-1' },
      usesUVisa: false,
    });

    it('refuses dates out of range as the API does, naming the field', () => {
      const now = '2026-06-01T00:00:00.000Z';
      expect(validateOpenCase(input('0000-01-01T00:00:00.000Z'), now)).toMatchObject({
        code: 'invalid_details',
        field: 'identifiedAt',
      });
      expect(validateOpenCase(input('2026-05-01T00:00:00.000Z', '0000-01-01'), now)).toMatchObject({
        code: 'invalid_details',
        field: 'minorTurns18On',
      });
      expect(validateOpenCase(input('1900-01-01T00:00:00.000Z'), now)).toBeNull();
    });
  });
});
