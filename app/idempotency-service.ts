/**
 * The store behind the API's `Idempotency-Key` (api/idempotency.ts): claim a key for a request, then complete it with
 * the reply or release it (db/idempotency.ts). Keys live 24 hours on the wall clock, like tokens: a test's skipped
 * clock must not expire them.
 */
import type { Pool } from 'pg';
import { wallClock } from '../core/clock';
import { claim, complete, release } from '../db/idempotency';

export type IdempotencyService = ReturnType<typeof createIdempotencyService>;

export function createIdempotencyService(deps: { pool: Pool }) {
  const now = wallClock;
  return {
    claim: async (scope: string, key: string, requestHash: string) =>
      claim(deps.pool, scope, key, requestHash, await now()),
    complete: async (scope: string, key: string, statusCode: number, body: unknown) =>
      complete(deps.pool, scope, key, statusCode, body, await now()),
    release: (scope: string, key: string) => release(deps.pool, scope, key),
  };
}
