/**
 * Rate limits, per minute: sign-in attempts per client address and password checks per user (password guessing),
 * writes per user (a runaway script or a stolen token), calls to the codec server per user (each is audited), and
 * reads that write an audit row per user (a refused read is audited, so without a limit one user could write the
 * append-only trail without end; a plain read writes no row and is not counted, so the read path makes no write). Counted in PostgreSQL (app/rate-counts.ts), so that several API
 * processes behind one address count a client's requests once, wherever they land.
 * The client address is the connection's peer unless a configured proxy forwards it (TRUSTED_PROXIES, api/app.ts).
 * Guesses at one account are also counted across processes and addresses, in PostgreSQL (db/sign-in-failures.ts).
 */
import type { Request, RequestHandler, Response } from 'express';
import {
  ipKeyGenerator,
  rateLimit,
  type RateLimitInfo,
  type Store,
  type ValueDeterminingMiddleware,
} from 'express-rate-limit';
import { limitedHeaders } from '../app/limited-headers';
import type { RateCounts } from '../app/rate-counts';
import { DEFAULT_RATE_LIMITS, type RateLimits } from '../app/rate-limit-settings';
import { AppError } from '../core/errors';
import { authenticatedOf } from './auth';
import type { RateLimitName } from './route';

const WINDOW_MS = 60_000;

/** What a limit counted for one client: its limit, when its window ends, and whose count it is. */
interface Spent {
  limit: number;
  windowEndsAt: Date | undefined;
  key: string;
}

/**
 * The headers of every rate limit's 429 (app/limited-headers.ts, which every 429 of the API uses): Retry-After the
 * real wait, the seconds until the window ends (the 131st feed fetch 4 seconds before a minute's end was told
 * `Retry-After: 60`, and `t=56` by RateLimit), and the RateLimit and RateLimit-Policy headers, none remaining, the same
 * wait, as express-rate-limit writes them on the answers of the limited routes (`"<limit>-in-1min"`, the partition key
 * a hash of whose count it is). A refused read's 429 had none of them.
 */
function rateLimitedHeaders(spent: Spent, now = Date.now()): Record<string, string> {
  return limitedHeaders(
    {
      policy: `${spent.limit}-in-${WINDOW_MS / 60_000}min`,
      quota: spent.limit,
      windowSeconds: WINDOW_MS / 1000,
      key: spent.key,
      until: spent.windowEndsAt ?? new Date(now + WINDOW_MS),
    },
    now,
  );
}

/** A limit's key in the shared counts: the limit's name keeps the keys of different limits apart. */
const scopedKey = (name: RateLimitName | 'audited_read' | 'refused_read', key: string) => `${name}:${key}`;

/** Whose count a request is: its user's, once authenticated, else its client address's. */
const byUser = (req: Request, res: Response): string =>
  authenticatedOf(res)?.user.id ?? ipKeyGenerator(req.ip ?? 'unknown');

/** Where a limiter leaves what it counted on the request (express-rate-limit's `requestPropertyName`). */
const countedProperty = (name: RateLimitName) => `rateLimit_${name}`;

/** express-rate-limit's store over the shared counts; one per limit. */
function sharedStore(counts: RateCounts, name: RateLimitName): Store {
  const scoped = (key: string) => scopedKey(name, key);
  return {
    prefix: name,
    increment: async (key) => {
      const { hits, windowEndsAt } = await counts.hit(scoped(key), WINDOW_MS);
      return { totalHits: hits, resetTime: windowEndsAt };
    },
    decrement: (key) => counts.unhit(scoped(key)),
    resetKey: (key) => counts.reset(scoped(key)),
  };
}

export function rateLimiters(limits: RateLimits, counts: RateCounts): Record<RateLimitName, RequestHandler> {
  const limiter = (name: RateLimitName, limit: number, what: string, key: ValueDeterminingMiddleware<string>) =>
    rateLimit({
      windowMs: WINDOW_MS,
      store: sharedStore(counts, name),
      limit,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      keyGenerator: key,
      requestPropertyName: countedProperty(name),
      handler: (req, _res, next) => {
        const counted = (req as Request & Partial<Record<string, RateLimitInfo>>)[countedProperty(name)];
        const spent = { limit, windowEndsAt: counted?.resetTime, key: counted?.key ?? '' };
        next(
          new AppError('too_many_requests', `Too many ${what}; at most ${limit} a minute. Try again shortly.`, {
            code: 'rate_limited',
            headers: rateLimitedHeaders(spent),
          }),
        );
      },
    });
  return {
    sign_in: limiter('sign_in', limits.signInPerMinute, 'sign-in attempts from this address', (req) =>
      ipKeyGenerator(req.ip ?? 'unknown'),
    ),
    password_check: limiter('password_check', limits.signInPerMinute, 'password attempts by this user', byUser),
    // A feed's URL is its credential: fetches are counted per client address, at the writes' rate (calendars poll
    // hourly at most; a client guessing secrets, or a runaway script, is held back).
    calendar_feed: limiter('calendar_feed', limits.writesPerMinute, 'calendar feed fetches from this address', (req) =>
      ipKeyGenerator(req.ip ?? 'unknown'),
    ),
    write: limiter('write', limits.writesPerMinute, 'changes by this user', byUser),
    // The Temporal Web UI's codec server writes an audit row per call: counted per user, at a rate the UI's own use
    // never meets (README, "The Temporal Web UI's codec server"), refusals included (each is audited too).
    codec: limiter(
      'codec',
      limits.codecCallsPerMinute ?? DEFAULT_RATE_LIMITS.codecCallsPerMinute,
      'codec server calls by this user',
      byUser,
    ),
  };
}

/**
 * The limits on a user's audited reads and refused reads (api/route.ts `MountOptions.auditedRead`): taken when a GET
 * is about to write its audit row (a refusal, or a read the trail records), the only reads that write at all. The row
 * is a write already, so one more small statement there costs the read path nothing; past the limit, throws the 429
 * answered instead. A refusal counts against a budget of its own, much lower (`refusedReadsPerMinute`): a refusal is
 * not a read, so a script refused again and again is held back long before the reads' limit, and a person's refusals
 * take nothing of their reads.
 */
export function auditedReadLimit(
  limits: RateLimits,
  counts: RateCounts,
): (req: Request, res: Response, refused: boolean) => Promise<void> {
  const readLimit = limits.auditedReadsPerMinute ?? DEFAULT_RATE_LIMITS.auditedReadsPerMinute;
  const countRefusal = refusedReadCounter(limits, counts);
  return async (req, res, refused) => {
    const who = byUser(req, res);
    const { hits, windowEndsAt, limit } = refused
      ? await countRefusal(who)
      : { ...(await counts.hit(scopedKey('audited_read', who), WINDOW_MS)), limit: readLimit };
    if (hits > limit) {
      throw new AppError(
        'too_many_requests',
        refused
          ? `Too many refused reads by this user; at most ${limit} a minute. Try again shortly.`
          : `Too many audited reads by this user; at most ${limit} a minute. Try again shortly.`,
        { code: 'rate_limited', headers: rateLimitedHeaders({ limit, windowEndsAt, key: who }) },
      );
    }
  };
}

/**
 * Whether one more refusal of this user may be audited this minute, counted against the same budget as their refused
 * reads (`refusedReadsPerMinute`): a bearer token refused once revoked or expired (api/auth.ts) names its user, and a
 * script still holding one cannot write the append-only trail without end. Past the budget the 401 is answered all
 * the same, with no row.
 */
export function refusalAuditBudget(limits: RateLimits, counts: RateCounts): (userId: string) => Promise<boolean> {
  const countRefusal = refusedReadCounter(limits, counts);
  return async (userId) => {
    const { hits, limit } = await countRefusal(userId);
    return hits <= limit;
  };
}

/** Counts one more refusal of this user (`who`, a user id) in their refused-reads budget, with that budget. */
function refusedReadCounter(limits: RateLimits, counts: RateCounts) {
  const limit = limits.refusedReadsPerMinute ?? DEFAULT_RATE_LIMITS.refusedReadsPerMinute;
  return async (who: string) => ({ ...(await counts.hit(scopedKey('refused_read', who), WINDOW_MS)), limit });
}

/**
 * Gives back the write a request was counted as, when it turned out to be none: a retry that the Idempotency-Key store
 * answered (a replay, or "still in progress"; api/idempotency.ts). Retrying as README "Retrying a write" prescribes
 * must not spend the budget of a client entering a backlog. Given back before the answer leaves, so the client's next
 * retry finds it; nothing when the write limit did not count the request.
 */
export function writeGiveBack(counts: RateCounts): (req: Request) => Promise<void> {
  return async (req) => {
    const counted = (req as Request & Partial<Record<string, RateLimitInfo>>)[countedProperty('write')];
    if (counted) await counts.unhit(scopedKey('write', counted.key));
  };
}
