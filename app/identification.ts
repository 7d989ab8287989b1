/**
 * When a survivor was identified, as a case is opened with it: `identifiedAt`, an instant (with an offset or Z) or a
 * local date-time (no offset), or `identifiedOn`, a date alone. The local forms are read in the identifying agency's
 * time zone, since that is the clock the officer who wrote them down was reading.
 */
import { z } from 'zod';
import { beforeTheTvpa, EARLIEST_DATE, isoDateSchema, LATEST_DATE, type IsoDate } from '../domain/dates';
import type { Instant } from '../domain/types';
import { AppError } from '../core/errors';
import { formatCalendarDay } from '../core/people-dates';
import { instantOfLocal, localDateOf, skippedLocalTime, startOfLocalDay } from './time-zones';

/** `2025-11-03T09:30`, with optional seconds and milliseconds, then `Z`, `±HH:MM` or nothing (local time). */
const DATE_TIME =
  /^(\d{4}-\d{2}-\d{2})T((?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,3})?)?)(Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)?$/;
const DATE_TIME_EXPECTED =
  "expected a date and time as 2025-11-03T09:30-05:00 (an offset or Z), or 2025-11-03T09:30 in the identifying agency's time zone";

export const IdentifiedAtSchema = z
  .string()
  .regex(DATE_TIME, { message: DATE_TIME_EXPECTED, abort: true })
  // The day as written must exist and be in the range every date of the service keeps to.
  .refine(
    (value) => isoDateSchema().safeParse(value.slice(0, 10)).success,
    `expected a day between ${EARLIEST_DATE} and ${LATEST_DATE}`,
  )
  .describe(
    "the instant of identification: with an offset or Z, or a local date-time in the identifying agency's time zone; on a day not before 2000-10-28 (the TVPA) there",
  );

/** Exactly one of them; the API's schema refuses anything else before this is reached. */
export interface IdentificationRequest {
  identifiedAt?: string;
  identifiedOn?: string;
}

export interface Identification {
  /** The instant, UTC. */
  at: Instant;
  /** The calendar day it fell on in the identifying agency's zone: the day the minor's path is decided on. */
  on: IsoDate;
  /** The request field it came from, to name in a refusal. */
  field: 'identifiedAt' | 'identifiedOn';
}

/**
 * The identification in `zone`. A date alone is the start of that day there (not 00:00 UTC, which in the Americas
 * is the evening before), so no deadline counted from it falls due before the law's hours have passed.
 */
export function identificationOf(request: IdentificationRequest, zone: string, now: Date): Identification {
  const identification = resolve(request, zone);
  // On the day it was where the identifying agency is, the day the case records as its identifiedOn.
  const tooEarly = beforeTheTvpa(identification.field, identification.on);
  if (tooEarly) {
    throw new AppError('unprocessable', tooEarly, {
      code: 'date_out_of_range',
      fields: [{ field: identification.field, message: tooEarly }],
    });
  }
  if (Date.parse(identification.at) > now.getTime()) {
    // What was sent is said as the client wrote it, not as two UTC instants: a day against today where the
    // identifying agency is; a moment (with its offset, or local to the agency) as in the future, which it is.
    const message =
      identification.field === 'identifiedOn'
        ? `identifiedOn ${identification.on} is after today, ${localDateOf(now.toISOString(), zone)}: an identification cannot be in the future`
        : `identifiedAt ${request.identifiedAt ?? identification.at} is in the future: an identification cannot be`;
    throw new AppError('unprocessable', message, {
      code: 'date_order',
      fields: [{ field: identification.field, message }],
    });
  }
  return identification;
}

function resolve(request: IdentificationRequest, zone: string): Identification {
  if (request.identifiedAt !== undefined) {
    const [, date = '', time = '', offset] = DATE_TIME.exec(request.identifiedAt) ?? [];
    if (offset === undefined) refuseSkippedTime(date, time, zone);
    const at =
      offset === undefined ? instantOfLocal(date, time, zone) : new Date(`${date}T${time}${offset}`).toISOString();
    return { at, on: localDateOf(at, zone), field: 'identifiedAt' };
  }
  if (request.identifiedOn !== undefined) {
    return { at: startOfLocalDay(request.identifiedOn, zone), on: request.identifiedOn, field: 'identifiedOn' };
  }
  throw new Error('an identification needs identifiedAt or identifiedOn');
}

/** "02:30" → "2:30", as people say a time of day. */
const spoken = (time: string) => time.slice(0, 5).replace(/^0(?=\d:)/, '');

/**
 * A local time the clocks skipped (spring forward) never happened there: read as an hour later, it would record a
 * moment no officer saw on the clock, silently. Refused, naming the field, saying what the clocks did that day.
 */
function refuseSkippedTime(date: IsoDate, time: string, zone: string): void {
  const skipped = skippedLocalTime(date, time, zone);
  if (!skipped) return;
  const message = `${spoken(time)} did not exist on ${formatCalendarDay(date)} in ${zone}: clocks went from ${spoken(skipped.from)} to ${spoken(skipped.to)}`;
  throw new AppError('unprocessable', message, {
    code: 'invalid_body',
    fields: [{ field: 'identifiedAt', message }],
  });
}
