/**
 * How many sign-in attempts, writes and audited reads a minute the API allows (api/rate-limits.ts enforces them). The settings
 * live here, with the configuration that reads them from the environment, so app/config.ts need not import the API.
 */
export interface RateLimits {
  signInPerMinute: number;
  writesPerMinute: number;
  /**
   * Reads (GET) per user that write an audit row: a refusal (403, or 404/422 of an audited read) or an audited read
   * of a survivor's identity or sealed notes. Generous for a person; a bound on a script refused thousands of times,
   * and so on the append-only trail. Plain reads, which write no row, are not counted. The default when not given.
   */
  auditedReadsPerMinute?: number;
}

export const DEFAULT_RATE_LIMITS: Required<RateLimits> = {
  signInPerMinute: 10,
  writesPerMinute: 120,
  auditedReadsPerMinute: 600,
};
