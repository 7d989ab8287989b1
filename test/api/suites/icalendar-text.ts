/**
 * The calendar feeds' iCalendar text (core/icalendar.ts), read as a calendar reads it (ical.js): every content line
 * at most 75 octets of UTF-8, folded between characters, never inside one, and unfolded back to the value written;
 * TEXT escaped. test/api/own-stack/calendar-feeds.ts reads whole feeds off the API.
 */
import type ICALModule from 'ical.js' with { 'resolution-mode': 'import' };
import { icalendarText, type CalendarEvent } from '../../../core/icalendar';

describe('icalendar-text', () => {
  // ical.js ships an ES module and a CommonJS build; jest's CommonJS runtime loads the latter (as calendar-feeds.test.ts).
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the CommonJS build of an ESM-first package
  const ICAL = require('ical.js') as typeof ICALModule;

  /** What every event below has but its time. */
  const common = {
    uid: 'case-1-cp_request-1-due@relief.example.org',
    sequence: 2,
    stamp: new Date('2026-12-07T10:11:12.345Z'),
    summary: 'RC-2026-1: Continued Presence request due',
    description: 'Case RC-2026-1.',
    url: 'https://relief.example.org/cases/1',
  };

  /** An event at an hour. */
  const event = (overrides: Partial<typeof common>): CalendarEvent => ({
    ...common,
    start: new Date('2026-12-20T17:00:00Z'),
    end: new Date('2026-12-20T17:30:00Z'),
    ...overrides,
  });

  const calendarOf = (events: CalendarEvent[], name = 'Deadlines of Police') =>
    icalendarText({
      name,
      prodId: { company: 'relief.example.org', product: 'relief-cases' },
      refreshHours: 1,
      events,
    });

  test('no content line is longer than 75 octets, a character is never cut, and each value unfolds to what was written', () => {
    // Two-, three- and four-octet characters (a surrogate pair in JavaScript) at every offset of the fold.
    const descriptions = ['é'.repeat(200), '警察'.repeat(90), '🚓a'.repeat(70), `${'a'.repeat(74)}é${'b'.repeat(80)}`];
    const text = calendarOf(descriptions.map((description, n) => event({ uid: `u${n}`, description })));
    const lines = text.split('\r\n');
    expect(lines.at(-1)).toBe('');
    for (const line of lines) {
      expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75);
      expect(line.isWellFormed()).toBe(true);
      expect(line).not.toContain('\uFFFD');
    }
    const read = new ICAL.Component(ICAL.parse(text) as unknown[]);
    expect(read.getAllSubcomponents('vevent').map((one) => one.getFirstPropertyValue('description'))).toEqual(
      descriptions,
    );
  });

  test('a line of 75 ASCII octets is left whole, one of 76 is folded', () => {
    const at = (summary: string) => calendarOf([event({ summary })]).split('\r\n');
    const whole = `SUMMARY:${'x'.repeat(75 - 'SUMMARY:'.length)}`;
    expect(at(whole.slice('SUMMARY:'.length))).toContain(whole);
    const longer = at(`${whole.slice('SUMMARY:'.length)}y`);
    expect(longer).toContain(whole);
    expect(longer).toContain(' y');
  });

  test("TEXT is escaped (backslash, semicolon, comma, line breaks) in the calendar's name and the events'", () => {
    const name = 'Deadlines of Office of A, B; C\\D';
    const summary = 'RC-1: due; owed by A, B\\C';
    const description = 'Line one\nline two\r\nline three';
    const text = calendarOf([event({ summary, description })], name);
    expect(text).toContain('NAME:Deadlines of Office of A\\, B\\; C\\\\D\r\n');
    expect(text).toContain('X-WR-CALNAME:Deadlines of Office of A\\, B\\; C\\\\D\r\n');
    const read = new ICAL.Component(ICAL.parse(text) as unknown[]);
    const [one] = read.getAllSubcomponents('vevent');
    expect(one!.getFirstPropertyValue('summary')).toBe(summary);
    expect(one!.getFirstPropertyValue('description')).toBe('Line one\nline two\nline three');
  });

  test('an all-day event is a date with no zone, ending the next day; an event at an hour is in UTC', () => {
    const text = calendarOf([
      { ...common, uid: 'day', startDay: '2026-12-20', endDay: '2026-12-21' },
      event({ uid: 'hour' }),
    ]);
    const read = new ICAL.Component(ICAL.parse(text) as unknown[]);
    const [day, hour] = read.getAllSubcomponents('vevent');
    expect(text).toContain('DTSTART;VALUE=DATE:20261220\r\nDTEND;VALUE=DATE:20261221\r\n');
    expect(String(day!.getFirstPropertyValue('dtstart'))).toBe('2026-12-20');
    expect(String(hour!.getFirstPropertyValue('dtstart'))).toBe('2026-12-20T17:00:00Z');
    expect(text).toContain('DTSTAMP:20261207T101112Z\r\n');
    expect(text).toContain('REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n');
  });
});
