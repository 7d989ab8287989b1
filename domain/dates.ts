/**
 * Calendar arithmetic on plain strings, in UTC, so rules stay deterministic inside the workflow sandbox: every
 * function takes its "now" from the caller and `Date` is only ever constructed from an explicit value.
 *
 * Two shapes travel: an instant (`2026-11-23T08:00:00.000Z`) and a calendar date (`2026-11-23`). A calendar deadline
 * such as "valid until 2027-01-31" is honoured to the end of that day, i.e. until the next day's 00:00 UTC.
 */
import type { Instant } from './types';

/** A calendar date, `YYYY-MM-DD`. */
export type IsoDate = string;

const DAY_MS = 86_400_000;

function utcDate(date: IsoDate): Date {
  return new Date(`${date}T00:00:00.000Z`);
}

/** The calendar date (UTC) an instant falls on. */
export function dateOf(instant: Instant): IsoDate {
  return new Date(instant).toISOString().slice(0, 10);
}

/** The instant a calendar day begins (UTC). */
export function startOfDay(date: IsoDate): Instant {
  return utcDate(date).toISOString();
}

/** The instant a calendar deadline passes: the start of the following day. */
export function endOfDay(date: IsoDate): Instant {
  return startOfDay(addDays(date, 1));
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

/** Age in whole years on a given date (a birthday counts from its own day). */
export function ageOn(birthDate: IsoDate, onDate: IsoDate): number {
  const years = Number(onDate.slice(0, 4)) - Number(birthDate.slice(0, 4));
  return onDate.slice(5) >= birthDate.slice(5) ? years : years - 1;
}
