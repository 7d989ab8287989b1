/** Time zones as the configuration and the API take them; the conversions themselves are core/time-zones.ts. */
import { z } from 'zod';
import { canonicalTimeZone } from '../core/time-zones';

export { canonicalTimeZone, instantOfLocal, localDateOf, skippedLocalTime, startOfLocalDay } from '../core/time-zones';

/** An IANA zone name, as an agency setting or `TIMEZONE` takes it; parsed to its canonical spelling. */
export const TimeZoneSchema = z
  .string()
  .transform((name, ctx) => {
    const zone = canonicalTimeZone(name);
    if (zone === null)
      ctx.addIssue({
        code: 'custom',
        message: `expected an IANA time zone such as America/Chicago or UTC; ${JSON.stringify(name.slice(0, 64))} is not one`,
      });
    return zone ?? name;
  })
  .describe('an IANA time zone name, e.g. America/Chicago or UTC');
