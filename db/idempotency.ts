/**
 * The API's Idempotency-Key store. The first request under a (scope, key) claims it; the handler then completes it
 * with its response, or releases it when it failed in a way worth retrying. Either way the key stays bound to that
 * request for its 24 hours.
 */
import type { Pool } from 'pg';
import { prepared } from './pool';

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/**
 * How long a claim may stay unanswered before a retry of the same request takes it over, unless the API says (it
 * knows how long its writes wait, service.ts): longer than any write waits (10 s by default), so only a request whose
 * process died is taken over. Safe because the write itself is idempotent (the retry names the same case and
 * update), so two attempts converge on one effect.
 */
export const IDEMPOTENCY_LEASE_MS = 2 * 60 * 1000;

interface StoredResponse {
  statusCode: number;
  body: unknown;
}

export type ClaimResult =
  /** First use, or a retry of a released request: handle the request, then call complete() (or release()). */
  | 'new'
  /** The same request was handled already: answer with this response. */
  | { replay: StoredResponse }
  /** The key was used for a different request. */
  | 'conflict'
  /**
   * The first request with this key is still being handled, or its process died: a retry takes the claim over in
   * `takeOverInMs` (the lease less the claim's age), if it is not answered before.
   */
  | { inProgress: { takeOverInMs: number } };

/**
 * The claim and its completion, which every write through the API makes, are `prepared` (db/pool.ts): PostgreSQL
 * parses and plans each once per connection, not on every request. Insert, or take over an expired or abandoned row,
 * in one statement: two racing requests cannot both get 'new'.
 */
const CLAIM_SQL = `INSERT INTO idempotency_keys (scope, key, request_hash, created_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (scope, key) DO UPDATE SET
       request_hash = EXCLUDED.request_hash, created_at = EXCLUDED.created_at,
       status_code = NULL, response = NULL, completed_at = NULL, released = false
     WHERE idempotency_keys.created_at < $5
        OR (idempotency_keys.status_code IS NULL AND idempotency_keys.request_hash = EXCLUDED.request_hash
            AND (idempotency_keys.released OR idempotency_keys.created_at < $6))
     RETURNING key`;

const COMPLETE_SQL = `UPDATE idempotency_keys SET status_code = $3, response = $4, completed_at = $5
     WHERE scope = $1 AND key = $2 AND status_code IS NULL`;

/**
 * Claims `key` within `scope` (e.g. route + acting agency) for the request whose hash is `requestHash`. A key older
 * than 24 hours counts as unused; an unanswered claim of the same request is taken over at once when it was released,
 * else once older than the lease. `now` is the caller's clock (app/idempotency-service.ts), so expiry can be tested.
 */
export async function claim(
  pool: Pool,
  scope: string,
  key: string,
  requestHash: string,
  now: Date,
  leaseMs: number = IDEMPOTENCY_LEASE_MS,
): Promise<ClaimResult> {
  const expiredBefore = new Date(now.getTime() - IDEMPOTENCY_TTL_MS);
  const abandonedBefore = new Date(now.getTime() - leaseMs);
  const claimed = await pool.query(prepared(CLAIM_SQL, [scope, key, requestHash, now, expiredBefore, abandonedBefore]));
  if (claimed.rowCount === 1) return 'new';

  const { rows } = await pool.query<{
    request_hash: string;
    status_code: number | null;
    response: unknown;
    created_at: Date;
  }>('SELECT request_hash, status_code, response, created_at FROM idempotency_keys WHERE scope = $1 AND key = $2', [
    scope,
    key,
  ]);
  const row = rows[0];
  if (!row) return claim(pool, scope, key, requestHash, now, leaseMs); // expired and deleted meanwhile: try again
  if (row.request_hash !== requestHash) return 'conflict';
  if (row.status_code === null) {
    // Within the lease whatever the claimant's clock said (another process's, a little ahead or behind).
    const age = now.getTime() - row.created_at.getTime();
    return { inProgress: { takeOverInMs: Math.min(leaseMs, Math.max(0, leaseMs - age)) } };
  }
  return { replay: { statusCode: row.status_code, body: row.response } };
}

/** Stores the response a claimed request produced, for replay to retries. */
export async function complete(
  pool: Pool,
  scope: string,
  key: string,
  statusCode: number,
  body: unknown,
  now: Date,
): Promise<void> {
  await pool.query(prepared(COMPLETE_SQL, [scope, key, statusCode, JSON.stringify(body ?? null), now]));
}

/**
 * Gives a claim back when its request failed in a way worth retrying (a 5xx), so a retry of the same request is handled
 * afresh at once. The row and its request hash stay: the write may have been applied all the same (a 503 after the
 * workflow start was sent), and a different request under this key must still be refused, never become a second
 * case.
 */
export async function release(pool: Pool, scope: string, key: string): Promise<void> {
  await pool.query(
    'UPDATE idempotency_keys SET released = true WHERE scope = $1 AND key = $2 AND status_code IS NULL',
    [scope, key],
  );
}

/** Deletes keys older than 24 hours; returns how many. Run periodically (claim() already ignores them). */
export async function deleteExpiredIdempotencyKeys(pool: Pool, now: Date): Promise<number> {
  const result = await pool.query('DELETE FROM idempotency_keys WHERE created_at < $1', [
    new Date(now.getTime() - IDEMPOTENCY_TTL_MS),
  ]);
  return result.rowCount ?? 0;
}
