/**
 * The days a list page's filters are typed in, as the API's instant bounds: each typed day means the day its rows show
 * (the audit trail's "When" and a case's "Opened" in the reader's zone, a step's "Due" its last day to act). The
 * API takes instants (a bare day is its start in UTC, as documented for every client); the console, which shows the
 * days in the reader's zone, turns its days into the instants they stand for here, so every page reads them one way.
 */
import { deadlineZone, lastDayToAct } from '../core/people-dates';
import { startOfLocalDay } from '../core/time-zones';
import { addDays, EARLIEST_DATE, endOfDay, isoDateSchema, LATEST_DATE, startOfDay } from '../domain/dates';

const isDay = (value: string) => isoDateSchema().safeParse(value).success;

/**
 * A period's first and last days as the API's bounds (`from` included, `to` excluded): whole days where the reader is
 * (`zone`). "From" is the start of its day there; "To" is the start of its day there when the page's end is excluded
 * ("Opened before"), or of the next day when it counts its day whole (`toIncluded`, the audit trail's "To"). A day the
 * API would refuse (not a real one, out of range), and a "To" before "From", go as typed: the API says why, by its
 * field, in the same words as before.
 */
export function periodBounds(
  from: string,
  to: string,
  zone: string,
  toIncluded: boolean,
): { from: string; to: string } {
  const bounds = { from, to };
  if (isDay(from)) {
    const start = startOfLocalDay(from, zone);
    // The first day's start may fall before the earliest instant the API takes (a zone ahead of UTC): it is all.
    bounds.from = Date.parse(start) < Date.parse(startOfDay(EARLIEST_DATE)) ? EARLIEST_DATE : start;
  }
  if (isDay(to) && !(isDay(from) && to < from)) {
    const end = startOfLocalDay(toIncluded ? addDays(to, 1) : to, zone);
    // Past the last instant the API takes (the last day, behind UTC): no upper bound is the same.
    bounds.to = Date.parse(end) >= Date.parse(endOfDay(LATEST_DATE)) ? '' : end;
  }
  return bounds;
}

const HOUR_MS = 3_600_000;
const NOON_MS = 12 * HOUR_MS;

/**
 * The latest instant a count of whole days to the day's start in the zone may end at: its midnight, or the hour after
 * it where a count across a change of the clocks ends there and still reads the day before (`lastDayToAct`).
 */
function lastMidnightOf(day: string, zone: string): number {
  const midnight = Date.parse(startOfLocalDay(day, zone));
  const hourLater = new Date(midnight + HOUR_MS).toISOString();
  return lastDayToAct(hourLater, zone) < day ? midnight + HOUR_MS : midnight;
}

/**
 * The instant from which a deadline's last day to act (core/people-dates.ts `lastDayToAct`, the day every list shows
 * as "due …") is `day` or later: "Due on or after" a day is a `dueAfter` of it, "Due before" a day a `dueBefore`.
 * A deadline counted to a day's end passes at a midnight, UTC's (a typed day's end) or the identifying police's
 * (`policeZones`, a count from the day of an identification, an hour either way across a change of the clocks), and
 * reads the day before; one counted from a typed day passes at noon UTC of it and reads that day. So the bound lies
 * after the day's midnights in UTC and the police's zones and no later than its noon UTC, which selects by the day
 * shown for every deadline counted in days, wherever it is read. Within that, it is the day's start where the reader
 * is, so that a deadline counted in days from an identification's hour, which reads the day it passes on there, is
 * selected by that day too, for readers in the US zones west of their police; east of them, `dueDayBounds` adds the
 * midnights to move across the bound. A deadline shown at its hour has bounds of its own (`dueAtTheHourBounds`). Not a
 * day (the API refuses it in words): as typed.
 */
export function dueDayBound(day: string, readerZone: string, policeZones: readonly string[]): string {
  if (!isDay(day)) return day;
  const utcMidnight = Date.parse(startOfDay(day));
  const lowest = Math.max(utcMidnight, ...policeZones.map((zone) => lastMidnightOf(day, zone))) + 1;
  const readerStart = Date.parse(startOfLocalDay(day, readerZone)) + 1;
  const bound = Math.min(utcMidnight + NOON_MS, Math.max(lowest, readerStart));
  return new Date(bound).toISOString();
}

/**
 * `dueDayBound` without its gap east of the police: the bound, and the instants at or after it that show the day
 * before (`moved`: the API's `dueAfterExcept` for "Due on or after", `dueBeforeAlso` for "Due before"). Where the
 * reader's day begins before the police's or UTC's midnight (Guam with the police in Chicago, New York with them in
 * Los Angeles), a deadline counted in days from an identification's hour passes in those first hours and shows that
 * day where the reader is, while one at the police's midnight shows the day before: no one instant parts them, as
 * both are of the same kinds of step. The bound is then the reader's day's start, and the midnights in those hours
 * (the reader's own, UTC's and the police's, of the day and the day before, or an hour off across a change of the
 * clocks), each of which is moved if it shows the day before, as every list shows it (core/people-dates.ts
 * `deadlineZone`, `lastDayToAct`). No other instant there is the start of a day in any of those zones, so it shows the
 * day where the reader is, which has begun. Not a day, or no gap: `dueDayBound` alone.
 */
export function dueDayBounds(
  day: string,
  readerZone: string,
  policeZones: readonly string[],
): { bound: string; moved: string[] } {
  const bound = dueDayBound(day, readerZone, policeZones);
  if (!isDay(day)) return { bound, moved: [] };
  const readerStart = Date.parse(startOfLocalDay(day, readerZone));
  const end = Date.parse(bound);
  // Before the earliest instant the API takes (its first day, east of UTC), no deadline can be: the bound alone.
  if (readerStart + 1 >= end || readerStart < Date.parse(startOfDay(EARLIEST_DATE))) return { bound, moved: [] };
  const midnights = [day, addDays(day, -1)].flatMap((date) =>
    policeZones.flatMap((zone) => {
      const midnight = Date.parse(startOfLocalDay(date, zone));
      return [midnight - HOUR_MS, midnight, midnight + HOUR_MS];
    }),
  );
  const showsTheDayBefore = (at: number) => {
    const dueAt = new Date(at).toISOString();
    return lastDayToAct(dueAt, deadlineZone(dueAt, readerZone, policeZones)) < day;
  };
  const moved = [...new Set([readerStart, Date.parse(startOfDay(day)), ...midnights])]
    .filter((at) => at >= readerStart && at < end && showsTheDayBefore(at))
    .sort((a, b) => a - b)
    .map((at) => new Date(at).toISOString());
  return { bound: new Date(readerStart).toISOString(), moved };
}

/**
 * "Due on or after" and "Due before" days as the bounds of the steps shown at their hour (the minors' 24-hour notice,
 * domain/labels.ts `dueAtTheHour`): such a row shows the day its deadline passes on where the reader is, so its day
 * is whole there, from its start, with no leeway for a midnight (at the police's midnight it shows 00:00 of the new
 * day, where a deadline counted in days reads the day before: `dueDayBound` cannot serve both). Only for days the API
 * takes and in order: otherwise `dueDayBound`'s bounds go as typed, for the API to say why by the fields shown.
 */
export function dueAtTheHourBounds(from: string, to: string, zone: string): Record<string, string> {
  const bounds = periodBounds(from, to, zone, false);
  const hourly: Record<string, string> = {};
  if (isDay(from)) hourly.dueAtTheHourAfter = bounds.from;
  if (isDay(to) && bounds.to !== to && bounds.to !== '') hourly.dueAtTheHourBefore = bounds.to;
  return hourly;
}
