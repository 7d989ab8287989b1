/**
 * A minor's HHS notice dated by its day is in time when that day is on or before the day the 24 hours end where the
 * police work, the day after the identification's day there (domain/alarms.ts `minorNoticeInTimeByItsDay`); a step
 * without such a day keeps comparing instants (`mootDeadlineAlarm`). test/api/own-stack/minor-notice-by-its-day.ts holds
 * the report's SQL, the notice of what passed and the timeline to the same cases.
 */
import { minorNoticeInTimeByItsDay, mootDeadlineAlarm } from '../../../domain/alarms';

describe('minor-notice-by-its-day', () => {
  const notice = (notifiedOn?: string) => ({
    kind: 'hhs_minor_notification',
    details: notifiedOn ? { notifiedOn } : {},
  });

  test('a notice dated on the identification day or the next is in time; two days on, late', () => {
    expect(
      ['2025-12-10', '2025-12-11', '2025-12-12'].map((day) => minorNoticeInTimeByItsDay(notice(day), '2025-12-10')),
    ).toEqual([true, true, false]);
  });

  test('a notice without its day, or another step, is judged by instants', () => {
    expect(minorNoticeInTimeByItsDay(notice(), '2025-12-10')).toBeUndefined();
    expect(
      minorNoticeInTimeByItsDay({ kind: 'cp_request', details: { requestedOn: '2025-12-11' } }, '2025-12-10'),
    ).toBeUndefined();
    const done = { status: 'completed', completedAt: '2025-12-11T12:00:00.000Z' };
    const due = '2025-12-11T10:00:00.000Z';
    expect(mootDeadlineAlarm('due', done, due)).toBe(false);
    expect(mootDeadlineAlarm('due', done, due, { inTimeByItsDay: true })).toBe(true);
    // Late by its day, but done before the escalation would have gone: that one was moot all the same.
    expect(mootDeadlineAlarm('escalation', done, due, { at: '2025-12-11T16:00:00.000Z', inTimeByItsDay: false })).toBe(
      true,
    );
    expect(mootDeadlineAlarm('due', done, due, { at: due, inTimeByItsDay: false })).toBe(false);
  });
});
