/**
 * Rate limits, per minute: sign-in attempts per client address and password checks per user (password guessing),
 * writes per user (a runaway script or a stolen token). Counted in this process's memory: behind several API processes, each counts its own.
 * The client address is the connection's peer unless a configured proxy forwards it (TRUSTED_PROXIES, api/app.ts).
 * Guesses at one account are also counted across processes and addresses, in PostgreSQL (db/sign-in-failures.ts).
 */
import type { RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit, type ValueDeterminingMiddleware } from 'express-rate-limit';
import type { RateLimits } from '../app/rate-limit-settings';
import { AppError } from '../core/errors';
import { authenticatedOf } from './auth';
import type { RateLimitName } from './route';

export function rateLimiters(limits: RateLimits): Record<RateLimitName, RequestHandler> {
  const limiter = (limit: number, what: string, key: ValueDeterminingMiddleware<string>) =>
    rateLimit({
      windowMs: 60_000,
      limit,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      keyGenerator: key,
      handler: (_req, res, next) => {
        next(
          new AppError('too_many_requests', `Too many ${what}; at most ${limit} a minute. Try again shortly.`, {
            code: 'rate_limited',
            headers: { 'Retry-After': '60' },
          }),
        );
      },
    });
  return {
    sign_in: limiter(limits.signInPerMinute, 'sign-in attempts from this address', (req) =>
      ipKeyGenerator(req.ip ?? 'unknown'),
    ),
    password_check: limiter(
      limits.signInPerMinute,
      'password attempts by this user',
      (req, res) => authenticatedOf(res)?.user.id ?? ipKeyGenerator(req.ip ?? 'unknown'),
    ),
    write: limiter(
      limits.writesPerMinute,
      'changes by this user',
      (req, res) => authenticatedOf(res)?.user.id ?? ipKeyGenerator(req.ip ?? 'unknown'),
    ),
  };
}
