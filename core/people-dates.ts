/**
 * Dates and times as people read them, in one place for the console and the emails alike: "2 Mar 2027" in the
 * reader's agency time zone, a time only where the hour matters ("1 Mar 2027, 22:51 CST"), and how far a due date
 * is from today ("in 29 days", "due today", "overdue by 3 days"). In core/ because mail/ and web/ both use it and,
 * like core/time-zones.ts, it reads the zone database of the Node release, which workflow code must never see.
 */
import { localDateOf, offsetMs, startOfLocalDay } from './time-zones';

type Instant = string;
/** `YYYY-MM-DD`: a calendar day that belongs to no zone (a birth date, a day an officer typed). */
type IsoDate = string;

const DAY_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(key: string, make: () => Intl.DateTimeFormat): Intl.DateTimeFormat {
  let found = formatters.get(key);
  if (!found) {
    found = make();
    formatters.set(key, found);
  }
  return found;
}

/** "2 Mar 2027": day, short month, year (en-GB), the way the GOV.UK style writes dates. */
const dateIn = (zone: string) =>
  formatter(`date:${zone}`, () => new Intl.DateTimeFormat('en-GB', { timeZone: zone, dateStyle: 'medium' }));
/** "22:51", 24-hour. */
const timeIn = (zone: string) =>
  formatter(
    `time:${zone}`,
    () => new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }),
  );
/** "CST", "UTC", but "GMT+1" outside the Americas: en-US knows the American abbreviations people there use. */
const americanZoneNameIn = (zone: string) =>
  formatter(`zone:${zone}`, () => new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'short' }));
/** "CET", "BST", "WET": en-GB knows the European abbreviations, and gives offsets ("GMT-6") for American zones. */
const britishZoneNameIn = (zone: string) =>
  formatter(`zone-gb:${zone}`, () => new Intl.DateTimeFormat('en-GB', { timeZone: zone, timeZoneName: 'short' }));
/** A name that is only an offset from GMT ("GMT+1", "GMT+0", "GMT-3:30"), which people do not read as a zone. */
const AN_OFFSET = /^(GMT|UTC)[+-]/;

/** The day an instant falls on in the zone: "2 Mar 2027". */
export function formatDate(instant: Instant, zone: string): string {
  return dateIn(zone).format(new Date(instant));
}

/**
 * A deadline as it passes where its reader works. One at midnight UTC is the end of a typed day ("respond by 15 Jan"
 * is stored as the start of 16 Jan UTC, domain/dates.ts `endOfDay`). East of UTC that instant falls on the 16th, so
 * Guam would read "16 Jan" and act a day late: there it passes as the reader's own 16 Jan begins, hours earlier.
 * West of UTC (the states) it already falls on the 15th and stays as stored, when the case's alarms see it pass.
 * Any other deadline (hours counted from an event) is the instant it is.
 */
export function deadlineInZone(deadline: Instant, zone: string): Instant {
  const at = new Date(deadline);
  if (at.getTime() % DAY_MS !== 0) return at.toISOString();
  const dayBeginsThere = startOfLocalDay(at.toISOString().slice(0, 10), zone);
  return Date.parse(dayBeginsThere) < at.getTime() ? dayBeginsThere : at.toISOString();
}

/**
 * A validity's end as the deadline of the step due at it (a CP grant's renewal request: domain/steps.ts
 * `DUE_AT_A_VALIDITY_END`), where it is read. Its last day is valid all day there, and the case lapses it only once
 * that day has ended everywhere in the US. West of UTC, where the stored end (the start of the next day, UTC) falls in
 * that last afternoon, 16:00 in Los Angeles, it passes as the day ends there, at the zone's midnight, and never after
 * the lapse; east of UTC, as any typed day's end (`deadlineInZone`). Its last day to act is the same day either way.
 * `lapsesAfterMs`: how long after the stored end the case lapses it, domain/dates.ts `LAST_DAY_ENDS_EVERYWHERE_MS`,
 * the one value the workflow and the overdue lists (db/overdue.ts) use too; core/ may not read domain/, so its
 * callers, above both, pass it.
 */
export function validityEndIn(endsAt: Instant, zone: string, lapsesAfterMs: number): Instant {
  const at = Date.parse(endsAt);
  if (at % DAY_MS !== 0) return endsAt;
  const dayEndsThere = Date.parse(startOfLocalDay(new Date(at).toISOString().slice(0, 10), zone));
  if (dayEndsThere <= at) return endsAt;
  return new Date(Math.min(dayEndsThere, at + lapsesAfterMs)).toISOString();
}

/**
 * When a step's deadline passes where it is read, in `zone`, as the console, the emails and the daily digest read it
 * alike: one that is a day (`lastDayEnds`: domain/steps.ts `dueToRead`, a deadline due at a validity's end or counted
 * in days from a typed day) as that last day ends there, never after it has ended everywhere in the US
 * (`validityEndIn`); any other at its due instant. core/ may not read domain/, so its callers pass what it says.
 */
export function deadlineAsRead(
  due: { dueAt: Instant; lastDayEnds?: { at: Instant; lapsesAfterMs: number } },
  zone: string,
): Instant {
  return due.lastDayEnds ? validityEndIn(due.lastDayEnds.at, zone, due.lastDayEnds.lapsesAfterMs) : due.dueAt;
}

/**
 * The zone a deadline's last day to act is read in: one for every reader, so the police in Chicago and the coordinator
 * in New York read the same day and the same words. A deadline counted in days from a day (an identification entered
 * by its date, on a case opened before OPENED_ON_CURRENT_RULES_PATCH; a newer one counts it as a typed day, `dueOnADay`)
 * is the identifying police's midnight, whose zone no row keeps: it is the zone, among those it could
 * have been counted in (`countedIn`: law enforcement's, db/agencies.ts `deadlineTimeZones`), whose midnight it is,
 * the reader's own first. A deadline at a UTC midnight (the end of a typed day, `deadlineInZone`) or at no such
 * midnight (hours counted from an event) keeps the reader's zone, as before.
 */
export function deadlineZone(dueAt: Instant, readerZone: string, countedIn: Iterable<string>): string {
  if (Date.parse(dueAt) % DAY_MS === 0) return readerZone;
  const policeZones = [...countedIn];
  // A midnight first, then one an hour off (`midnightNear`): Chicago's midnight is 01:00 in New York.
  return (
    [readerZone, ...policeZones].find((zone) => beginsDayIn(dueAt, zone)) ??
    policeZones.find((zone) => midnightNear(dueAt, zone)) ??
    readerZone
  );
}

/**
 * Whether a deadline passes at an hour of its own rather than as a day begins: at no UTC midnight (the end of a typed
 * day) and at no midnight of a zone it may have been counted in (`countedIn`, `zonesCountedIn`), nor an hour off one
 * across a change of the clocks (`midnightNear`). Such a deadline was counted from an hour (an identification entered
 * by its hour, 08:00 in Guam): it is that instant for everyone, and has no one day that is everyone's last (17:00 on
 * 2 Jan in New York is 08:00 on 3 Jan in Guam). Judged the same for every reader: the reader's zone plays no part.
 */
export function passesAtAnHour(dueAt: Instant, countedIn: Iterable<string>): boolean {
  if (Date.parse(dueAt) % DAY_MS === 0) return false;
  return ![...countedIn].some((zone) => midnightNear(dueAt, zone) !== undefined);
}

/**
 * The zones a deadline of one case may have been counted in, for `deadlineZone`: the one its identification was read
 * in, kept with the case when it was identified (the read model's `cases.identified_in`), for the day a count began on
 * is a fact of its past. A police agency that moves to another zone later moves none of its past cases' last days, and
 * an hour that is another police agency's midnight is not read as one. A case that kept none (one whose police had no
 * zone of its own when the read model began keeping it) falls back to the zones law enforcement works in now.
 */
export function zonesCountedIn(identifiedIn: string | null | undefined, policeZonesNow: Iterable<string>): string[] {
  return identifiedIn ? [identifiedIn] : [...policeZonesNow];
}

const beginsDayIn = (at: Instant, zone: string) =>
  Date.parse(startOfLocalDay(localDateOf(at, zone), zone)) === Date.parse(at);

const HOUR_MS = 3_600_000;
/** How far back the offsets a count may have begun at are looked for: a year holds every offset of a zone's cycle. */
const COUNT_DAYS = 366;
/** Offsets are looked at a week apart: no zone keeps its clocks changed for less (summer time lasts months). */
const SAMPLE_DAYS = 7;

/**
 * The zone's midnight a deadline counted in whole days from one of its midnights stands for: the instant itself, or
 * the midnight an hour away from it where a change of the clocks explains the hour. The workflow counts days as 24
 * hours (it may not read the zone database), so a count across a change of the clocks ends at 01:00 (spring) or 23:00
 * (autumn) on the clock of the zone it began in. The hour's leeway needs that change: within the year before, the
 * zone's clock stood an hour from where it stands at the deadline, at the offset that would have made the count's
 * start a midnight there. Any other deadline an hour off a midnight is the instant it is: a day dated at noon UTC is
 * 01:00 in Pago Pago, where the clocks never change, and an identification typed at 01:00 in Chicago in December
 * counts to 01:00, not to a midnight (probe N4, N8).
 */
function midnightNear(at: Instant, zone: string): Instant | undefined {
  if (beginsDayIn(at, zone)) return at;
  const time = Date.parse(at);
  // Spring: begun at the offset an hour behind, the count ends an hour after the midnight; autumn, an hour before.
  const shifts = [-HOUR_MS, HOUR_MS].filter((shift) => beginsDayIn(new Date(time + shift).toISOString(), zone));
  if (shifts.length === 0) return undefined;
  const offsetAtDeadline = offsetMs(time, zone);
  const offsetsBefore = new Set(
    Array.from({ length: Math.ceil(COUNT_DAYS / SAMPLE_DAYS) }, (_, week) =>
      offsetMs(time - (1 + week * SAMPLE_DAYS) * DAY_MS, zone),
    ),
  );
  const shift = shifts.find((hour) => offsetsBefore.has(offsetAtDeadline + hour));
  return shift === undefined ? undefined : new Date(time + shift).toISOString();
}

/**
 * The last day to act on a deadline, in the zone: the day of its last moment before it passes there, or before the
 * midnight it stands for (`midnightNear`): 14 days from 1 Mar 2027 in Chicago end at 01:00 on 15 Mar, the clocks
 * having gone forward on the 14th, and the last day is 14 Mar, as it is without a change of the clocks.
 */
export function lastDayToAct(dueAt: Instant, zone: string): IsoDate {
  const passes = deadlineInZone(dueAt, zone);
  return localDateOf(lastMomentBefore(midnightNear(passes, zone) ?? passes), zone);
}

/**
 * The last day to act on a deadline, in the zone (`deadlineInZone`): a deadline counted to the end of a typed day
 * ("respond by 15 Jan" passes as 16 Jan begins) reads "15 Jan" in every zone, where the day it passes on would
 * promise a day more than there is; one that passes at 08:00 on 19 Jan still reads "19 Jan".
 */
export function formatDueDate(dueAt: Instant, zone: string): string {
  return formatCalendarDay(lastDayToAct(dueAt, zone));
}

const lastMomentBefore = (at: Instant): Instant => new Date(Date.parse(at) - 1).toISOString();

/** A calendar day as it is (no zone moves it): "2027-03-02" → "2 Mar 2027". */
export function formatCalendarDay(date: IsoDate): string {
  return dateIn('UTC').format(new Date(`${date}T00:00:00Z`));
}

/**
 * Day, time and zone, for the few moments whose hour matters: "1 Mar 2027, 22:51 CST", "7 Dec 2026, 06:30 CET"
 * (`zoneNameOf`).
 */
export function formatDateTime(instant: Instant, zone: string): string {
  const at = new Date(instant);
  return `${dateIn(zone).format(at)}, ${timeIn(zone).format(at)} ${zoneNameOf(at, zone)}`;
}

/**
 * The zone's name at that moment, as people there read it (emails, the digest and the console alike): the American
 * abbreviation in the US ("CST", "PDT", "HST", "AKST"), the European one in Europe ("CET", "CEST", "BST", "GMT"), where
 * en-US alone says "GMT+1"; else the place the zone is named after ("Guam time", "Manila time"), as no abbreviation
 * is known there. A zone named by its offset (`Etc/GMT+5`) keeps it ("GMT-5"), and UTC is "UTC".
 */
export function zoneNameOf(at: Date, zone: string): string {
  const nameIn = (names: Intl.DateTimeFormat) =>
    names.formatToParts(at).find((part) => part.type === 'timeZoneName')?.value;
  const american = nameIn(americanZoneNameIn(zone));
  if (american !== undefined && !AN_OFFSET.test(american)) return american;
  const british = nameIn(britishZoneNameIn(zone));
  if (british !== undefined && !AN_OFFSET.test(british)) return british;
  if (zone.startsWith('Etc/') || !zone.includes('/')) return american ?? zone;
  return `${placeOf(zone)} time`;
}

/**
 * Whether a deadline has passed in the zone (`deadlineInZone`) at `now`: at its very moment it has, as the escalation
 * fires then. The words of the console (`dueWording`, and web/labels.ts `hasEnded` of a validity's end); whether a step
 * is overdue is the API's (domain/steps.ts `overdueFrom`), which the console's words defer to and the emails and the
 * digest say (mail/render.ts, activities/digest.ts): core/ may not read domain/.
 */
export function hasPassed(dueAt: Instant, zone: string, now: Date): boolean {
  return Date.parse(deadlineInZone(dueAt, zone)) <= now.getTime();
}

/**
 * Whether the console's words (`dueWording`) say a deadline overdue at `now` in the zone: once it has passed
 * (`hasPassed`), and past its last day to act, also in the hour a count across a change of the clocks runs on
 * (`midnightNear`). Where the API does not call the step overdue yet, the console says when it will be
 * (`notYetOverdueWording`).
 */
function isOverdue(dueAt: Instant, zone: string, now: Date): boolean {
  return lastDayToAct(dueAt, zone) < localDateOf(now.toISOString(), zone) || hasPassed(dueAt, zone, now);
}

/**
 * How a due date stands against now, counted in whole calendar days of the zone to its last day to act
 * (`formatDueDate`; a step due at 01:00 tomorrow is "due tomorrow" however few hours away): "in 29 days", "due
 * tomorrow", "due today", "overdue since 07:40 today" (passed earlier on its own last day: a deadline counted from an
 * identification's hour), "overdue by 1 day", "overdue by 3 days".
 */
export function dueWording(dueAt: Instant, zone: string, now: Date): string {
  const days = daysBetween(localDateOf(now.toISOString(), zone), lastDayToAct(dueAt, zone));
  if (isOverdue(dueAt, zone, now)) {
    const late = -days;
    // Its day is today: the hour it passed says why it is late already ("due 5 Dec" would not, on 5 Dec).
    if (late === 0) return `overdue since ${timeIn(zone).format(new Date(deadlineInZone(dueAt, zone)))} today`;
    return `overdue by ${late} day${late === 1 ? '' : 's'}`;
  }
  if (days === 0) return 'due today';
  if (days === 1) return 'due tomorrow';
  return `in ${days} days`;
}

/**
 * Since when a deadline has been overdue (`isOverdue`), in words that stay true whenever they are read: an email is
 * read on later days, where "overdue since 18:00 today" or "overdue by 4 days" (`dueWording`, counted from its
 * sending) would be wrong. Passed at an hour on its own last day to act (a deadline counted from an identification's
 * hour), that moment: "overdue since 18:00 CST on 5 Dec 2026"; passed as its last day ended, the day after it:
 * "overdue since 1 Dec 2026" for a step due 30 Nov 2026. Judged in the zone its last day is read in (`deadlineZone`).
 */
export function overdueSinceWords(dueAt: Instant, zone: string): string {
  const lastDay = lastDayToAct(dueAt, zone);
  const passes = deadlineInZone(dueAt, zone);
  if (localDateOf(passes, zone) === lastDay) {
    const at = new Date(passes);
    return `overdue since ${timeIn(zone).format(at)} ${zoneNameOf(at, zone)} on ${formatCalendarDay(lastDay)}`;
  }
  const dayAfter = new Date(Date.parse(`${lastDay}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);
  return `overdue since ${formatCalendarDay(dayAfter)}`;
}

const MINUTE_MS = 60_000;

/**
 * How a deadline shown at its hour (the minors' 24-hour notice: `formatDateTime`) stands against now, counted from
 * that very moment rather than from a last day to act, so the words agree with the time printed beside them: "in 5
 * hours", "in 1 day", "overdue by 52 minutes", "overdue by 2 hours", "overdue by 1 day" once 24 hours have gone by.
 * Whole units gone by (2 hours 52 minutes is "2 hours"), as a count of days is; the same in every zone, as the
 * moment is.
 */
export function dueWordingAtTheHour(dueAt: Instant, now: Date): string {
  const late = now.getTime() - Date.parse(dueAt);
  return late >= 0 ? `overdue by ${spanOf(late)}` : `in ${spanOf(-late)}`;
}

const spanOf = (ms: number): string => {
  const [count, unit] =
    ms >= DAY_MS
      ? [Math.floor(ms / DAY_MS), 'day']
      : ms >= HOUR_MS
        ? [Math.floor(ms / HOUR_MS), 'hour']
        : [Math.floor(ms / MINUTE_MS), 'minute'];
  if (count === 0) return 'less than a minute';
  return `${count} ${unit}${count === 1 ? '' : 's'}`;
};

/**
 * `dueWording` judged in the deadline's zone (`deadlineZone`) for a reader in another. While the reader's today is not
 * that zone's (New York after midnight, Chicago before), words about today or tomorrow name the zone they are judged
 * in ("due today, Chicago time"); a count of days ("in 70 days") reads without it.
 */
export function dueWordingFor(dueAt: Instant, deadlineZone: string, readerZone: string, now: Date): string {
  const words = dueWording(dueAt, deadlineZone, now);
  const at = now.toISOString();
  const sameDay = localDateOf(at, deadlineZone) === localDateOf(at, readerZone);
  return sameDay || !/today|tomorrow/.test(words) ? words : `${words}, ${placeOf(deadlineZone)} time`;
}

/**
 * Where a step stands against its deadline, as the domain says it (domain/steps.ts `dueStanding`; core/ may not read
 * domain/, so its callers pass what it says): when it passes where it is read (`dueAt`, `lastDayEnds`: `deadlineAsRead`),
 * whether it is overdue (the API's `overdue`, or `overdueAsOf` at the moment an email is written), the moment it becomes
 * overdue (`overdueAt`: `overdueFrom`), and whether that is once its last day has ended everywhere in the US
 * (`lastDayEndsEverywhere`: `dueAllDay`).
 */
export interface DueStanding {
  dueAt: Instant;
  lastDayEnds?: { at: Instant; lapsesAfterMs: number };
  overdue: boolean;
  overdueAt: Instant;
  lastDayEndsEverywhere: boolean;
}

/**
 * The words of a step not overdue yet though its last day to act has ended where it is read (judged in `deadlineZone`,
 * the zone that day is read in): a deadline that is a day, met all of it wherever in the US it is read, read in Guam on
 * the morning of the day after. When it becomes overdue, at the reader's clock, and why not before: "overdue from 22:00
 * Guam time on 7 Dec 2026, once 6 Dec 2026 has ended everywhere in the US". Undefined for any other step (overdue, or
 * its day not over where it is read), of which a page, the digest and an email say what they always said. The one
 * wording of that state in the console (web/labels.ts `due`), the daily digest and every email (mail/render.ts
 * `dueWordsFor`): the same step at the same instant reads the same in each, in its reader's zone, and in words that
 * name dates, never "today", as an email is read on later days.
 */
export function notYetOverdueWords(
  due: DueStanding,
  deadlineZone: string,
  readerZone: string,
  now: Date,
): string | undefined {
  if (due.overdue) return undefined;
  const passes = deadlineAsRead(due, deadlineZone);
  if (!isOverdue(passes, deadlineZone, now)) return undefined;
  const at = new Date(due.overdueAt);
  const from = `${timeIn(readerZone).format(at)} ${zoneNameOf(at, readerZone)} on ${formatDate(due.overdueAt, readerZone)}`;
  const lastDay = formatCalendarDay(lastDayToAct(passes, deadlineZone));
  return `overdue from ${from}${due.lastDayEndsEverywhere ? `, once ${lastDay} has ended everywhere in the US` : ''}`;
}

/**
 * Whether `now` is on a deadline's own last day to act, judged in its zone (`deadlineZone`): one overdue already (the
 * API's `overdue`, which its callers judge: core/ may not read domain/) passed earlier that day, and a list that names it
 * by that day ("Overdue: …, due 5 Dec 2026" in the digest of 5 Dec) would contradict itself, so it says since when
 * instead ("overdue since 07:40 CST on 5 Dec 2026", `overdueSinceWords`), as the console does beside the day.
 */
export function onItsLastDay(dueAt: Instant, deadlineZone: string, now: Date): boolean {
  return lastDayToAct(dueAt, deadlineZone) === localDateOf(now.toISOString(), deadlineZone);
}

/** "America/New_York" → "New York": the place a zone is named after, as people say "Chicago time". */
const placeOf = (zone: string) => (zone.split('/').at(-1) ?? zone).replaceAll('_', ' ');

const daysBetween = (from: IsoDate, to: IsoDate) =>
  Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);

/** Calendar days from the day `from` falls on to the day `to` falls on, in the zone (negative when `to` is earlier). */
export function calendarDaysBetween(from: Instant, to: Instant, zone: string): number {
  return daysBetween(localDateOf(from, zone), localDateOf(to, zone));
}
