/**
 * Calendar arithmetic on plain strings, in UTC, so rules stay deterministic inside the workflow sandbox: every
 * function takes its "now" from the caller and `Date` is only ever constructed from an explicit value.
 *
 * Two shapes travel: an instant (`2026-11-23T08:00:00.000Z`) and a calendar date (`2026-11-23`). A calendar deadline
 * such as "valid until 2027-01-31" is honoured to the end of that day, i.e. until the next day's 00:00 UTC.
 */
import { z } from 'zod';
import { onFirstUse } from './on-first-use';
import type { Instant } from './types';

/** A calendar date, `YYYY-MM-DD`. */
export type IsoDate = string;

/**
 * Every date this service accepts, from any source (API bodies and filters, console forms, step details, the
 * policy file): years 1900 to 2199. The birth and identification dates of living people fall after 1900, and the
 * deadlines, validity ends and eligibility dates the rules derive run decades ahead at most, far short of 2199.
 * Both ends keep the arithmetic below (adding years to a birth date, a day to a validity end) well inside what
 * PostgreSQL stores and `toISOString` writes as a four-digit year, so strings keep comparing in date order. Year 0
 * (which PostgreSQL refuses) and years past 9999 (which `toISOString` writes as `+010000`) never get in.
 */
export const EARLIEST_DATE: IsoDate = '1900-01-01';
export const LATEST_DATE: IsoDate = '2199-12-31';

/**
 * The day the Trafficking Victims Protection Act of 2000 was enacted (Pub. L. 106-386), which created T status,
 * Continued Presence and the HHS certification: no identification, request, grant, letter or filing a case records
 * can be dated before it. 1900 is a valid date (a birth date), not a plausible day of anything a case follows.
 */
export const TVPA_ENACTED: IsoDate = '2000-10-28';

/**
 * Why a day a case records as one of its events (`field`: `identifiedOn`, `requestedOn`, ...) cannot be, or null: one
 * before the TVPA. The one rule for the API's open-case request, the console's form (which shows the API's words) and
 * every sign-off's dates, in the same words.
 */
export function beforeTheTvpa(field: string, day: IsoDate): string | null {
  return day < TVPA_ENACTED
    ? `${field} must be on or after ${TVPA_ENACTED}, when the TVPA, which created T status and Continued Presence, was enacted`
    : null;
}

/**
 * How long after a validity's end (the start of the day after its last day, UTC) that last day has ended everywhere in
 * the US (Samoa's midnight): when a case that reads dates as written lapses it (domain/tracks/track.ts), when the
 * step due at it reads overdue (domain/steps.ts, db/overdue.ts), and the latest it passes where it is read
 * (core/people-dates.ts `validityEndIn`, given it by its callers: core/ may not read domain/). Written here alone.
 */
export const LAST_DAY_ENDS_EVERYWHERE_MS = 12 * 3_600_000;

const DATE_EXPECTED = `expected a date between ${EARLIEST_DATE} and ${LATEST_DATE} as YYYY-MM-DD`;
const INSTANT_EXPECTED = `expected an instant between ${EARLIEST_DATE} and ${LATEST_DATE} (UTC) with an offset, as 2026-11-23T08:00:00Z`;
const BOUND_EXPECTED = `${DATE_EXPECTED}, or an instant within those days with an offset, as 2026-11-23T08:00:00Z`;

/**
 * An instant whose offset's `+` came as a space (`2026-11-23T08:00:00 01:00`): what a URL's query makes of `+01:00`
 * typed into it as it is, since a query reads `+` as a space. "with an offset" alone would puzzle whoever sent one.
 */
const OFFSET_PLUS_AS_SPACE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)? \d{2}:\d{2}$/;

/** `expected`, and for an offset whose `+` came as a space, how to send it. */
const offsetPlusSaid =
  (expected: string) =>
  ({ input }: { input?: unknown }): string =>
    typeof input === 'string' && OFFSET_PLUS_AS_SPACE.test(input)
      ? `${expected}: the + of its offset came as a space, as a URL's query reads a +: send it as %2B (2026-11-23T08:00:00%2B01:00), or the instant in UTC with Z`
      : expected;

/** A calendar date in the accepted range; `z.iso.date` already refuses days a month does not have. */
export const isoDateSchema = onFirstUse(() =>
  z.iso
    .date({ message: DATE_EXPECTED, abort: true })
    .refine((date) => date >= EARLIEST_DATE && date <= LATEST_DATE, DATE_EXPECTED)
    .describe(`a calendar date, ${EARLIEST_DATE} to ${LATEST_DATE}`),
);

/** An ISO-8601 instant with an offset that falls, in UTC, on a day of the accepted range. */
export const instantSchema = onFirstUse(() =>
  z.iso.datetime({ offset: true, error: offsetPlusSaid(INSTANT_EXPECTED), abort: true }).refine((instant) => {
    // Compared as numbers: an offset moves the instant across a day, and Date.parse never throws (NaN fails).
    const at = Date.parse(instant);
    return at >= Date.parse(startOfDay(EARLIEST_DATE)) && at < Date.parse(endOfDay(LATEST_DATE));
  }, INSTANT_EXPECTED),
);

/** A bound of a time filter: a calendar day (its start, UTC) or an exact instant. */
export const instantBoundSchema = onFirstUse(() =>
  z
    .union([instantSchema(), isoDateSchema()], { error: offsetPlusSaid(BOUND_EXPECTED) })
    .describe(`a calendar date (its start, UTC) or an instant with an offset, ${EARLIEST_DATE} to ${LATEST_DATE}`),
);

/** The instant a bound stands for: a bare date means the start of that day in UTC. */
export function instantOfBound(bound: string): Instant {
  return bound.length === 10 ? startOfDay(bound) : normaliseInstant(bound);
}

const DAY_MS = 86_400_000;

function utcDate(date: IsoDate): Date {
  return new Date(`${date}T00:00:00.000Z`);
}

/** How far ahead of UTC the furthest zone is (Kiribati, UTC+14): no agency's day is later than UTC's then. */
const AHEAD_OF_UTC_AT_MOST_MS = 14 * 3_600_000;
/** How far behind UTC the furthest zone is (Baker Island, UTC-12): no agency's day is earlier than UTC's then. */
const BEHIND_UTC_AT_MOST_MS = 12 * 3_600_000;

/**
 * What "today" is for a signer at `now`: the day their agency's zone says (`signerToday`, as the API issued it; see
 * domain/issued.ts), when it is a day some zone is in at that moment, earlier or later than UTC's; else UTC's. A
 * signer in Guam may record the day it is there, and one in Honolulu, in the afternoon (already tomorrow in UTC), no
 * later than the day it is there; a day no zone is in is never today.
 */
export function todayOf(now: Instant, signerToday?: unknown): IsoDate {
  const earliest = earliestDayAt(now);
  const latest = latestDayAt(now);
  const valid = typeof signerToday === 'string' && isoDateSchema().safeParse(signerToday).success;
  return valid && signerToday >= earliest && signerToday <= latest ? signerToday : dateOf(now);
}

/** The earliest day any zone is in at an instant (Baker Island's): no agency's day of that moment is earlier. */
export function earliestDayAt(instant: Instant): IsoDate {
  return dateOf(new Date(Date.parse(instant) - BEHIND_UTC_AT_MOST_MS).toISOString());
}

/** The latest day any zone is in at an instant (Kiribati's): no agency's day of that moment is later. */
export function latestDayAt(instant: Instant): IsoDate {
  return dateOf(new Date(Date.parse(instant) + AHEAD_OF_UTC_AT_MOST_MS).toISOString());
}

/** The calendar date (UTC) an instant falls on. */
export function dateOf(instant: Instant): IsoDate {
  return new Date(instant).toISOString().slice(0, 10);
}

/** The instant a calendar day begins (UTC). */
export function startOfDay(date: IsoDate): Instant {
  return utcDate(date).toISOString();
}

/**
 * The instant a calendar day has begun everywhere in the US, American Samoa last (11:00 UTC): noon UTC, which is that
 * day from Samoa to Guam. From then on, something that becomes possible on that day (a minor's 18th birthday,
 * domain/tracks/intake.ts; the day a survivor may adjust status, domain/tracks/t-visa.ts) is so for every US reader.
 */
export function begunEverywhereInUs(date: IsoDate): Instant {
  return `${date}T12:00:00.000Z`;
}

/** The instant a calendar deadline passes: the start of the following day. */
export function endOfDay(date: IsoDate): Instant {
  return startOfDay(addDays(date, 1));
}

/** The last day a validity covers, from when it ends (an `endOfDay`): the day "valid until" names. */
export function lastValidDay(expiresAt: Instant): IsoDate {
  return addDays(dateOf(expiresAt), -1);
}

export function addDays(date: IsoDate, days: number): IsoDate {
  return new Date(utcDate(date).getTime() + days * DAY_MS).toISOString().slice(0, 10);
}

/** Adds whole months, clamping to the month's last day (Jan 31 + 1 month = Feb 28/29), as notices count them. */
export function addMonths(date: IsoDate, months: number): IsoDate {
  const start = utcDate(date);
  const firstOfTarget = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + months, 1));
  const lastDay = new Date(Date.UTC(firstOfTarget.getUTCFullYear(), firstOfTarget.getUTCMonth() + 1, 0)).getUTCDate();
  firstOfTarget.setUTCDate(Math.min(start.getUTCDate(), lastDay));
  return firstOfTarget.toISOString().slice(0, 10);
}

/** Adds (possibly fractional) days to an instant: SLAs such as "within 24 hours" are 1 day. */
export function addDaysToInstant(instant: Instant, days: number): Instant {
  return new Date(new Date(instant).getTime() + days * DAY_MS).toISOString();
}

/** Normalises any ISO-8601 instant to the canonical `toISOString` form so string comparison orders correctly. */
export function normaliseInstant(instant: Instant): Instant {
  return new Date(instant).toISOString();
}

export function addYears(date: IsoDate, years: number): IsoDate {
  return addMonths(date, years * 12);
}

/**
 * The day someone born on `birthDate` turns `years` old, as `ageOn` counts it: one born on 29 February has a birthday
 * on 1 March in a common year (not 28 February, where `addYears` would clamp it), the day `ageOn` first counts it.
 */
export function birthdayAt(birthDate: IsoDate, years: number): IsoDate {
  return anniversaryAfter(birthDate, years * 12);
}

/**
 * The day `months` whole months after `date`, as an anniversary falls: the same day of the month, or, where that month
 * is too short for it, the first of the month after (24 months after 29 Feb 2024 is 1 Mar 2026, 4 months after 31 Oct
 * is 1 Mar), as a birthday (`birthdayAt`) falls, where `addMonths` clamps it back to the month's last day.
 */
export function anniversaryAfter(date: IsoDate, months: number): IsoDate {
  const clamped = addMonths(date, months);
  return clamped.slice(8) === date.slice(8) ? clamped : addDays(clamped, 1);
}

/**
 * The last day of `months` months counted with their first day, `date`: the day before their anniversary
 * (`anniversaryAfter`). 24 months from 10 Jan 2026 run through 9 Jan 2028, and from 29 Feb 2024 through 28 Feb 2026,
 * two whole years, where the day before the clamped anniversary (27 Feb) would end them a day short.
 */
export function lastDayOfMonthsFrom(date: IsoDate, months: number): IsoDate {
  return addDays(anniversaryAfter(date, months), -1);
}

/** Age in whole years on a given date (a birthday counts from its own day). */
export function ageOn(birthDate: IsoDate, onDate: IsoDate): number {
  const years = Number(onDate.slice(0, 4)) - Number(birthDate.slice(0, 4));
  return onDate.slice(5) >= birthDate.slice(5) ? years : years - 1;
}
