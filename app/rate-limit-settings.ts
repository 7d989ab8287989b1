/**
 * How many sign-in attempts and writes a minute the API allows (api/rate-limits.ts enforces them). The settings
 * live here, with the configuration that reads them from the environment, so app/config.ts need not import the API.
 */
export interface RateLimits {
  signInPerMinute: number;
  writesPerMinute: number;
}

export const DEFAULT_RATE_LIMITS: RateLimits = { signInPerMinute: 10, writesPerMinute: 120 };
