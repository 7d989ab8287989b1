/**
 * How many sign-in attempts, reads and writes a minute the API allows (api/rate-limits.ts enforces them). The settings
 * live here, with the configuration that reads them from the environment, so app/config.ts need not import the API.
 */
export interface RateLimits {
  signInPerMinute: number;
  writesPerMinute: number;
  /**
   * Authenticated reads (GET) per user: generous for a person and the console (a page makes a few), a bound on a
   * script that reads, or is refused, thousands of times; every refused read is audited, so it bounds the trail too.
   * The default when not given.
   */
  readsPerMinute?: number;
}

export const DEFAULT_RATE_LIMITS: Required<RateLimits> = {
  signInPerMinute: 10,
  writesPerMinute: 120,
  readsPerMinute: 600,
};
