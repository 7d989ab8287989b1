/**
 * The counts behind the API's rate limits (api/rate-limits.ts), shared by every API process through PostgreSQL
 * (db/rate-limit-hits.ts): behind a load balancer a client's requests land on any process, and each must see them all.
 */
import type { Pool } from 'pg';
import { countHit, resetHits, uncountHit, type WindowHits } from '../db/rate-limit-hits';

export interface RateCounts {
  /** Counts a hit of `key` in its window of `windowMs`; the window's hits so far, this one included. */
  hit(key: string, windowMs: number): Promise<WindowHits>;
  /** Takes one hit of `key` back. */
  unhit(key: string): Promise<void>;
  reset(key: string): Promise<void>;
}

export function createRateCounts({ pool }: { pool: Pool }): RateCounts {
  return {
    hit: (key, windowMs) => countHit(pool, key, windowMs),
    unhit: (key) => uncountHit(pool, key),
    reset: (key) => resetHits(pool, key),
  };
}
