/**
 * How every 429 of the API says how long to wait, from this one place: a rate limit's (api/rate-limits.ts), an upload
 * refused while too many are in flight (app/document-limits.ts) and a password check refused while the account is
 * locked (app/access-service.ts). Each sends `Retry-After` and the RateLimit and RateLimit-Policy headers of the IETF
 * draft 8, none remaining and the same wait, so a client reads every refusal of the API one way.
 */
import { createHash } from 'node:crypto';

/**
 * The limit that refused a request, as its RateLimit-Policy item says it. Not every limit is a quota over a window:
 *
 * - A rate limit (`"5-in-1min"`): `q` requests in a window of `w` seconds, per partition (`pk`, whose count it is).
 * - Uploads in flight (`"2-at-once"`): draft 8's own quota unit for them, `qu="concurrent-requests"`. There is no
 *   window (`w` is left out: a place comes free when an upload ends, not when a window does), so `t` and Retry-After
 *   are the wait the refusal estimates, not a window's end. The per-user limit has a partition (the user); the
 *   process's is everyone's, and has none.
 * - A locked account (`"5-wrong-in-a-row"`): `q` wrong passwords in a row are free, then the account is locked for a
 *   while that grows. No window (a success clears the count, a day without failures forgets it), and `t` is the
 *   lock's end. No partition key: it could only be derived from the username typed, which is sometimes a password
 *   (db/sign-in-failures.ts), and a hash of it must not travel in a header proxies may log.
 */
export interface Limited {
  /** The policy's name, in both headers. */
  policy: string;
  /** `q`: what the policy allows. */
  quota: number;
  /** `qu`, when what is counted is not requests (draft 8 §4: "concurrent-requests"). */
  unit?: 'concurrent-requests';
  /** `w`: the window, in seconds, for a quota counted over one. */
  windowSeconds?: number;
  /** Whose count it is, sent as a hash (`pk`); none where the policy has one partition or must not say it. */
  key?: string;
  /** When the request may be sent again. */
  until: Date;
}

/** The seconds of a wait as the headers say it: whole seconds, rounded up, at least one. */
function waitSeconds(until: Date, now: number): number {
  return Math.max(1, Math.ceil((until.getTime() - now) / 1000));
}

/**
 * A refusal's headers: Retry-After the real wait (the seconds until `until`), RateLimit the policy with none remaining
 * and the same wait (`t`), RateLimit-Policy the policy's quota (`limited`).
 */
export function limitedHeaders(limited: Limited, now = Date.now()): Record<string, string> {
  const wait = waitSeconds(limited.until, now);
  const policy = `"${limited.policy}"`;
  const parameters = [
    `q=${limited.quota}`,
    ...(limited.unit ? [`qu="${limited.unit}"`] : []),
    ...(limited.windowSeconds === undefined ? [] : [`w=${limited.windowSeconds}`]),
    ...(limited.key === undefined ? [] : [`pk=:${partitionKey(limited.key)}:`]),
  ];
  return {
    'Retry-After': String(wait),
    RateLimit: `${policy}; r=0; t=${wait}`,
    'RateLimit-Policy': [policy, ...parameters].join('; '),
  };
}

/** A partition key that names whose count it is without saying it: a short hash, as a byte sequence (base64). */
function partitionKey(key: string): string {
  return Buffer.from(createHash('sha256').update(key).digest('hex').slice(0, 12)).toString('base64');
}
