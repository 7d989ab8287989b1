/**
 * Which digest replaces a reminder, east and west of UTC: a window that ends with a typed day ("valid until 15 Jan",
 * stored as the start of 16 Jan UTC) has ended by the next morning in Guam as in Chicago, so that morning's digest
 * does not list it, and its reminder goes out on its own (the time-skipping digest tests cover Chicago end to end).
 */
import { foldedInto } from '../../../activities/digest';

describe('digest-folding', () => {
  const validUntil15Jan = {
    kind: 'expiry_reminder',
    stepKind: 'cp_decision',
    about: 'continued_presence',
    dueAt: '2027-01-16T00:00:00.000Z',
  } as const;

  test("a window that ended with its last day is not folded into the next morning's digest in Guam", () => {
    // 22:00 on 15 Jan in Guam: its next digest is the morning of the 16th, when the window has ended there.
    expect(foldedInto(validUntil15Jan, new Date('2027-01-15T12:00:00.000Z'), 'Pacific/Guam')).toBeNull();
    // 20:00 on 14 Jan in Guam: the morning of the 15th is the window's last day, and lists it.
    expect(foldedInto(validUntil15Jan, new Date('2027-01-14T10:00:00.000Z'), 'Pacific/Guam')).toBe('2027-01-15');
  });

  test('in Chicago the same window is folded into the digest of its last day, and not into the next', () => {
    // 06:00 on 15 Jan in Chicago: that morning's digest, on the last day.
    expect(foldedInto(validUntil15Jan, new Date('2027-01-15T12:00:00.000Z'), 'America/Chicago')).toBe('2027-01-15');
    // 20:00 on 15 Jan in Chicago: the morning of the 16th comes after the window ended.
    expect(foldedInto(validUntil15Jan, new Date('2027-01-16T02:00:00.000Z'), 'America/Chicago')).toBeNull();
  });

  test("a reminder of a deadline counted at the police's midnight in Chicago is folded by the police's last day in New York", () => {
    // Due as 18 Jan begins in Chicago (01:00 on the 18th in New York): its last day to act is 17 Jan for everyone, the
    // last day of the week that New York's digest of 11 Jan lists, so that digest replaces its reminder.
    const reminder = { kind: 'reminder', stepKind: 'cp_request', dueAt: '2027-01-18T06:00:00.000Z' } as const;
    const at5InNewYork = new Date('2027-01-11T10:00:00.000Z');
    expect(foldedInto(reminder, at5InNewYork, 'America/New_York', ['America/Chicago'])).toBe('2027-01-11');
    // A day later it is beyond that week, and goes out on its own.
    const dayLater = { ...reminder, dueAt: '2027-01-19T06:00:00.000Z' };
    expect(foldedInto(dayLater, at5InNewYork, 'America/New_York', ['America/Chicago'])).toBeNull();
  });
});
