/**
 * How many sign-in attempts, writes, audited reads and codec calls a minute the API allows (api/rate-limits.ts enforces them). The settings
 * live here, with the configuration that reads them from the environment, so app/config.ts need not import the API.
 */
export interface RateLimits {
  signInPerMinute: number;
  writesPerMinute: number;
  /**
   * Reads (GET) per user that write an audit row as they answer: an audited read of a survivor's identity or sealed
   * notes. Generous for a person. Plain reads, which write no row, are not counted, nor are refusals (below). The
   * default when not given.
   */
  auditedReadsPerMinute?: number;
  /**
   * Refused reads (GET) per user, each audited: a 403, or a 404/422 of an audited read. A refusal is not a read: a
   * budget of its own, much lower, so a script refused again and again cannot fill the append-only trail, while a
   * person meeting a refusal or two never notices it, nor loses any of their reads to it. The default when not given.
   */
  refusedReadsPerMinute?: number;
  /**
   * Calls per user to the Temporal Web UI's codec server (`POST /codec/decode`), each audited: the UI asks once per
   * payload it shows, 14 to 16 calls for a case's history page and one for each event opened, so a person reading
   * histories never comes near it, while a script cannot fill the append-only trail. The default when not given.
   */
  codecCallsPerMinute?: number;
}

export const DEFAULT_RATE_LIMITS: Required<RateLimits> = {
  signInPerMinute: 10,
  writesPerMinute: 120,
  auditedReadsPerMinute: 600,
  refusedReadsPerMinute: 30,
  codecCallsPerMinute: 600,
};
