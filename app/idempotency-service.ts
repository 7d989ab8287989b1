/**
 * The store behind the API's `Idempotency-Key` (api/idempotency.ts): claim a key for a request, then complete it with
 * the reply or release it (db/idempotency.ts). Keys live 24 hours on the wall clock, like tokens: a test's skipped
 * clock must not expire them.
 */
import type { Pool } from 'pg';
import { wallClock } from '../core/clock';
import { claim, complete, release } from '../db/idempotency';

export type IdempotencyService = ReturnType<typeof createIdempotencyService>;

export interface IdempotencyDeps {
  pool: Pool;
  /**
   * How long an unanswered claim holds before a retry of the same request takes it over: a little longer than a live
   * process can take, so a request whose API process died is retried elsewhere within seconds (db/idempotency.ts).
   */
  idempotencyLeaseMs?: number;
}

export function createIdempotencyService(deps: IdempotencyDeps) {
  const now = wallClock;
  return {
    claim: async (scope: string, key: string, requestHash: string) =>
      claim(deps.pool, scope, key, requestHash, await now(), deps.idempotencyLeaseMs),
    complete: async (scope: string, key: string, statusCode: number, body: unknown) =>
      complete(deps.pool, scope, key, statusCode, body, await now()),
    release: (scope: string, key: string) => release(deps.pool, scope, key),
  };
}
