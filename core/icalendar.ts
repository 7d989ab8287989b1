/**
 * A calendar as iCalendar text (RFC 5545), for the calendar feeds (app/calendar-feeds.ts): the few properties they
 * write, each value escaped and every content line folded at 75 octets. Written here, not by ical-generator, whose
 * version for Node 20 (10.x) measured every character's UTF-8 size with a new TextEncoder while folding: 1,500 events
 * took about 0.5 s of the one thread every request is answered on, at every poll of a feed (probe Q4: 3.3 s for 1,011
 * events on a busy machine). Its 11.x folds fast but needs Node 22.
 */

/** An event at an instant (`start` to `end`) or on calendar days (`startDay` to `endDay`, the end not included). */
export type CalendarEventTime = { start: Date; end: Date } | { startDay: string; endDay: string };

export type CalendarEvent = CalendarEventTime & {
  uid: string;
  /** Raised whenever the event changes, so calendars take the new version. */
  sequence: number;
  /** When the event last changed. */
  stamp: Date;
  summary: string;
  description: string;
  url: string;
};

export interface Calendar {
  /** Shown as the calendar's name (NAME, and X-WR-CALNAME for Apple and Outlook). */
  name: string;
  /** The product that wrote it: `-//<company>//<product>//EN`. */
  prodId: { company: string; product: string };
  /** How often a calendar should fetch it again, in hours (REFRESH-INTERVAL, X-PUBLISHED-TTL). */
  refreshHours: number;
  events: readonly CalendarEvent[];
}

/** The calendar as iCalendar text: CRLF after every line, the last one too (RFC 5545 3.1). */
export function icalendarText(calendar: Calendar): string {
  const refresh = `PT${calendar.refreshHours}H`;
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    `PRODID:-//${calendar.prodId.company}//${calendar.prodId.product}//EN`,
    `NAME:${asText(calendar.name)}`,
    `X-WR-CALNAME:${asText(calendar.name)}`,
    `REFRESH-INTERVAL;VALUE=DURATION:${refresh}`,
    `X-PUBLISHED-TTL:${refresh}`,
    ...calendar.events.flatMap(eventLines),
    'END:VCALENDAR',
  ];
  return lines.map(folded).join('\r\n') + '\r\n';
}

function eventLines(event: CalendarEvent): string[] {
  const times =
    'startDay' in event
      ? [`DTSTART;VALUE=DATE:${basicDate(event.startDay)}`, `DTEND;VALUE=DATE:${basicDate(event.endDay)}`]
      : [`DTSTART:${utcDateTime(event.start)}`, `DTEND:${utcDateTime(event.end)}`];
  return [
    'BEGIN:VEVENT',
    `UID:${event.uid}`,
    `SEQUENCE:${event.sequence}`,
    `DTSTAMP:${utcDateTime(event.stamp)}`,
    ...times,
    `SUMMARY:${asText(event.summary)}`,
    `DESCRIPTION:${asText(event.description)}`,
    `URL;VALUE=URI:${event.url}`,
    'END:VEVENT',
  ];
}

/**
 * A value as iCalendar TEXT (RFC 5545 3.3.11): backslash, semicolon and comma escaped, a line break written as `\n`.
 * Unescaped, a comma in an agency's name ("Office of X, Y") makes the calendar's name a list, shown cut or not at all.
 */
function asText(value: string): string {
  return value.replace(/[\\;,]/g, (special) => `\\${special}`).replace(/\r\n?|\n/g, '\\n');
}

/** `2026-12-20` as `20261220`. */
const basicDate = (day: string) => day.replaceAll('-', '');

/** An instant in UTC to the second: `20261220T170000Z`. */
const utcDateTime = (at: Date) => `${at.toISOString().slice(0, 19).replace(/[-:]/g, '')}Z`;

/** The most octets of a content line, before its CRLF (RFC 5545 3.1). */
const LINE_OCTETS = 75;

/**
 * A content line folded so that no line is longer than 75 octets of UTF-8: a CRLF and a space before each 74 octets
 * after the first 75, never inside a character (a surrogate pair stays whole). An ASCII line of 75 or fewer is as is.
 */
function folded(line: string): string {
  if (line.length <= LINE_OCTETS && /^[\x20-\x7e]*$/.test(line)) return line;
  let out = '';
  let octets = 0;
  for (const character of line) {
    const size = utf8Octets(character.codePointAt(0)!);
    // A continuation line's leading space counts towards its 75.
    if (octets + size > LINE_OCTETS) {
      out += '\r\n ';
      octets = 1;
    }
    out += character;
    octets += size;
  }
  return out;
}

const utf8Octets = (codePoint: number) => (codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4);
