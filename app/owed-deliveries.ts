/**
 * Emails recorded outside any workflow whose delivery was never started. A survivor correction by another agency that
 * replaces the opening agency's case number writes its notice in the correction's transaction and starts the delivery
 * after the commit (app/survivor-records.ts); with Temporal unreachable at that moment, nothing else would ever start
 * it. Each case worker sweeps them when it starts and every `OWED_DELIVERY_SWEEP_MS`, so the email goes out, late,
 * once Temporal is back. Starting a delivery already started finds it (`startDelivery`), and its send checks
 * `sent_at` under the row's lock: a sweep, or two workers sweeping at once, never sends an email twice.
 *
 * The notices a case workflow records are not swept: its `notify` activity starts their delivery, and Temporal retries it.
 */
import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { startDelivery } from '../activities/notifications';
import type { Logger } from '../core/logger';
import { sweepEvery, type Repeating } from '../core/repeat';
import { unsentOfKinds } from '../db/notifications';
import { REFERENCE_REPLACED_NOTICE } from '../domain/case-state';

/** Often enough that a late email is minutes late, rarely enough that an idle service hardly queries for it. */
const OWED_DELIVERY_SWEEP_MS = 5 * 60_000;
/** Rows started per turn: a backlog is worked through over a few turns rather than in one long one. */
const SWEEP_BATCH = 200;

export interface OwedDeliveryDeps {
  pool: Pool;
  /** The service's client (its data converter) and the case task queue. */
  temporal: { client: Client; taskQueue: string };
  logger: Logger;
}

/**
 * Starts the delivery of every owed email of a kind recorded outside a workflow, up to a batch; answers how many were
 * started or found started. Throws when Temporal or PostgreSQL cannot be reached: the next turn tries again.
 */
export async function startOwedDeliveries(deps: Pick<OwedDeliveryDeps, 'pool' | 'temporal'>): Promise<number> {
  const owed = await unsentOfKinds(deps.pool, [REFERENCE_REPLACED_NOTICE], SWEEP_BATCH);
  for (const row of owed) await startDelivery(deps.temporal, row, row.kind);
  return owed.length;
}

/** Sweeps now and every `everyMs` until stopped; an outage is logged once, when the first turn fails. */
export async function sweepOwedDeliveries(
  deps: OwedDeliveryDeps,
  everyMs = OWED_DELIVERY_SWEEP_MS,
): Promise<Repeating> {
  return sweepEvery(everyMs, deps.logger, 'owed email deliveries started or found started', () =>
    startOwedDeliveries(deps),
  );
}
