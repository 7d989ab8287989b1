/**
 * Openings nobody will finish. An opening reserves its reference and stores the survivor's identity, then starts its
 * workflow; when the start fails and Temporal cannot say whether the workflow exists (Temporal unreachable), both are
 * kept for a retry under the request's key, which finds them. A client that never retries would leave them forever: the
 * survivor sent again under a new key refused as a duplicate of a case that does not exist, a chosen reference taken,
 * an identity stored for no case. Each attempt records when it reserved (db/case-references.ts `reserveCase`) and
 * starts the workflow within the write's bound after that, so once the last attempt is older than the bound and a
 * margin (`ABANDONED_AFTER_MARGIN_MS`), no attempt of it can still start the workflow: if Temporal then says the
 * workflow does not exist, the reservation and identity are given back, guarded by that attempt's moment (an attempt
 * meanwhile keeps them, and may open the case). A later opening of the agency refused by one looks for them first,
 * as does another agency's opening of the same survivor held to one (app/case-commands.ts `open`, `reserve`); each case
 * worker sweeps them every `ABANDONED_OPENING_SWEEP_MS`.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Pool } from 'pg';
import type { Logger } from '../core/logger';
import { sweepEvery, type Repeating } from '../core/repeat';
import { releaseCase, reservationsLeftSince } from '../db/case-references';
import { workflowIdOf } from '../workflows/contract';

/**
 * Past the write's bound, what a start sent at its very end may still take to land, with room for a process paused
 * between its reservation and its start: a reservation is given back only this long after its bound ran out.
 */
const ABANDONED_AFTER_MARGIN_MS = 60_000;
/** Often enough that a survivor sent again is refused for minutes at most, rarely enough that it costs nothing. */
const ABANDONED_OPENING_SWEEP_MS = 5 * 60_000;
/** Reservations looked at per turn: a backlog is worked through over a few turns. */
const SWEEP_BATCH = 100;

export interface AbandonedOpeningDeps {
  pool: Pool;
  client: Client;
  /** The bound of a write (WRITE_TIMEOUT_SECONDS), within which an attempt starts its workflow or gives up. */
  writeTimeoutMs: number;
}

/**
 * Whether the case's workflow exists, as Temporal says within a second; rejects when it cannot say (unreachable).
 */
export async function workflowStarted(client: Client, caseId: string): Promise<boolean> {
  return client
    .withDeadline(Date.now() + 1_000, () => client.workflow.getHandle(workflowIdOf(caseId)).describe())
    .then(
      () => true,
      (error: unknown) => {
        if (error instanceof WorkflowNotFoundError) return false;
        throw error;
      },
    );
}

/**
 * Gives back the reservations (of one agency, when given) whose openings no attempt can still start and whose
 * workflow Temporal says does not exist, up to a batch; answers how many. Throws when Temporal cannot say, or
 * PostgreSQL cannot be reached: what was not looked at stays for the next turn.
 */
export async function releaseAbandonedOpenings(deps: AbandonedOpeningDeps, agencyId?: string): Promise<number> {
  const left = await reservationsLeftSince(deps.pool, {
    olderThanMs: deps.writeTimeoutMs + ABANDONED_AFTER_MARGIN_MS,
    ...(agencyId === undefined ? {} : { agencyId }),
    limit: SWEEP_BATCH,
  });
  let released = 0;
  for (const { caseId, attempt } of left) {
    // Asked after the reservation was read as old: no attempt it names can start the workflow after this answer.
    if (await workflowStarted(deps.client, caseId)) continue;
    if (await releaseCase(deps.pool, caseId, attempt)) released += 1;
  }
  return released;
}

/** Sweeps now and every `everyMs` until stopped; an outage is logged once, when the first turn fails. */
export async function sweepAbandonedOpenings(
  deps: AbandonedOpeningDeps & { logger: Logger },
  everyMs = ABANDONED_OPENING_SWEEP_MS,
): Promise<Repeating> {
  return sweepEvery(everyMs, deps.logger, 'abandoned openings given back', () => releaseAbandonedOpenings(deps));
}
