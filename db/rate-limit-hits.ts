/**
 * Hits per key in fixed windows, in PostgreSQL so that every API process counts the same requests (the API's rate
 * limits, api/rate-limits.ts, and each user's uploads in flight, app/document-limits.ts). One upsert per hit: a key's
 * first hit, or its first after its window ended or all its hits were taken back, opens a window of `windowMs` from the
 * database's clock, so processes whose clocks differ still agree (migration 1796300000010).
 */
import { createHash } from 'node:crypto';
import type { Pool } from 'pg';
import { prepared } from './pool';

export interface WindowHits {
  hits: number;
  windowEndsAt: Date;
}

/** Not the key itself: a client address is personal data. */
const keyOf = (key: string) => createHash('sha256').update(`rate-limit:${key}`).digest();

const ENDED = 'h.window_ends_at <= statement_timestamp()';
/**
 * A hit opens a new window when the key's ended, or when every hit of it was taken back: a count back at none is a
 * key's first hit again. So an upload's place among a user's uploads in flight (app/document-limits.ts), a count that
 * is taken back when the upload ends, is held for its whole time from when it was taken, not from when a place of that
 * key was first taken.
 */
const OPENS = `(${ENDED} OR h.hits = 0)`;

/**
 * One hit counted: an upsert every write through the API makes (`prepared`, db/pool.ts: PostgreSQL parses and plans it
 * once per connection, not on every request).
 */
const COUNT_HIT_SQL = `INSERT INTO rate_limit_hits AS h (key, hits, window_ends_at)
     VALUES ($1, 1, statement_timestamp() + make_interval(secs => $2::float8 / 1000))
     ON CONFLICT (key) DO UPDATE SET
       hits = CASE WHEN ${OPENS} THEN 1 ELSE h.hits + 1 END,
       window_ends_at = CASE WHEN ${OPENS} THEN excluded.window_ends_at ELSE h.window_ends_at END
     RETURNING hits, window_ends_at`;

/** Counts one hit of `key`; answers the hits of its window so far, this one included, and when the window ends. */
export async function countHit(pool: Pool, key: string, windowMs: number): Promise<WindowHits> {
  const { rows } = await pool.query<{ hits: number; window_ends_at: Date }>(
    prepared(COUNT_HIT_SQL, [keyOf(key), windowMs]),
  );
  const row = rows[0]!;
  // A window opened: the moment to forget those that ended, so keys seen once do not pile up.
  if (row.hits === 1) await pool.query('DELETE FROM rate_limit_hits h WHERE ' + ENDED);
  return { hits: row.hits, windowEndsAt: row.window_ends_at };
}

/** Takes back one hit of the current window (a request the limit chose not to count after all). */
export async function uncountHit(pool: Pool, key: string): Promise<void> {
  await pool.query(`UPDATE rate_limit_hits h SET hits = GREATEST(h.hits - 1, 0) WHERE h.key = $1 AND NOT (${ENDED})`, [
    keyOf(key),
  ]);
}

/** Forgets the hits of `key`. */
export async function resetHits(pool: Pool, key: string): Promise<void> {
  await pool.query('DELETE FROM rate_limit_hits WHERE key = $1', [keyOf(key)]);
}
