/**
 * Brings the read model back up to the cases' workflows, e.g. after PostgreSQL was restored from a backup older than
 * the latest sign-offs. Each case's workflow holds its whole state: its snapshot is projected again with the same
 * version guard as every projection, so a case the backup already has at its latest version is left as it is, and
 * an older one is replaced. With `refresh`, a case at its latest version is projected again too, as this release's
 * code projects it: rows an earlier release wrote differently for the same state are replaced. What only PostgreSQL holds (identities, users, tokens, the audit trail, sealed notes,
 * the outbox) cannot be rebuilt from Temporal: see the runbook.
 */
import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { reserveAgain } from '../db/case-references';
import { projectCase, projectedHistoryLength } from '../db/read-model';
import { casesWithoutSurvivor } from '../db/survivors';
import { snapshotOf, type CaseState } from '../domain/case';
import { CASE_WORKFLOW_TYPE, caseStateQuery } from '../workflows/contract';

export interface ReprojectResult {
  /**
   * Cases whose workflow Temporal still has (running, or closed within the namespace's retention) and answered: the
   * workflows in `unanswered` are not counted.
   */
  cases: number;
  /** Of those, the cases whose read model was replaced: those behind, or with `refresh`, every one projected again. */
  updated: number;
  /** Cases without a survivor identity (opened after the backup): to be entered again from the agencies' files. */
  withoutIdentity: { caseId: string; reference: string }[];
  /** Cases whose reference was reserved again for their agency (opened after the backup, which lost the reservation). */
  referencesReserved: number;
  /** Cases whose reference their agency gave another case between the restore and the command: left unreserved. */
  referencesTaken: { caseId: string; reference: string }[];
  /**
   * Open cases whose workflow is not running (terminated or failed from outside, `status` as Temporal names it): they
   * take no sign-offs and send no reminders until an operator resets them (docs/runbook.md).
   */
  notRunning: { caseId: string; reference: string; status: string }[];
  /**
   * Workflows of the case type that did not answer the state query, left as they were, with why: one that never ran as
   * a case (an unsealed start, or a sealed start input copied under another id: README, "Who can command a case"), or
   * a case whose workflow task keeps failing (docs/runbook.md, "A case is stuck"). The other cases are projected.
   */
  unanswered: { workflowId: string; reason: string }[];
}

/** What a failed query says, with the cause the client wraps (the worker's or the server's own words). */
function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.cause instanceof Error ? `${error.message}: ${error.cause.message}` : error.message;
}

/**
 * Queries each case's workflow (a worker must be running to answer) and projects its state. `timeZone`: the
 * deployment's TIMEZONE, as the worker's projections pass it: a case the read model has no row of is written with the
 * zone it was identified in (`cases.identified_in`), its police's, else this one, where its deadlines' last days are
 * read (core/people-dates.ts `zonesCountedIn`); without it, a case whose police have no zone of their own kept none.
 */
export async function reprojectCases(
  client: Client,
  pool: Pool,
  options: { refresh?: boolean; timeZone?: string } = {},
): Promise<ReprojectResult> {
  // A case that continued as new is listed once per run; its workflow id answers for the latest.
  const workflowIds = new Set<string>();
  for await (const execution of client.workflow.list({ query: `WorkflowType = '${CASE_WORKFLOW_TYPE}'` })) {
    workflowIds.add(execution.workflowId);
  }
  let updated = 0;
  let referencesReserved = 0;
  const referencesTaken: ReprojectResult['referencesTaken'] = [];
  const notRunning: ReprojectResult['notRunning'] = [];
  const unanswered: ReprojectResult['unanswered'] = [];
  for (const workflowId of workflowIds) {
    const handle = client.workflow.getHandle(workflowId);
    let state: CaseState;
    try {
      state = await handle.query(caseStateQuery);
    } catch (error) {
      unanswered.push({ workflowId, reason: reasonOf(error) });
      continue;
    }
    // The reservation of the reference the case opened with lives in PostgreSQL alone, written before the workflow
    // started: a backup older than the case lost it. Reserved again before the case's row is written, so the reference
    // is its agency's again (no other case may take it) and a correction finds it to replace.
    const openedBy = state.timeline.find((entry) => entry.type === 'case.opened')?.actorAgencyId;
    if (openedBy) {
      const { caseId, reference, identifiedAt, agencies } = state;
      const reservation = await reserveAgain(pool, {
        caseId,
        openedByAgencyId: openedBy,
        reference,
        identifiedAt,
        agencies,
      });
      if (reservation === 'reserved') referencesReserved += 1;
      if (reservation === 'taken') referencesTaken.push({ caseId: state.caseId, reference: state.reference });
    }
    // A projection is kept against another of its version when its history is longer, and the history now is longer
    // than at any projection this run made. Read after the query: a sign-off between them projects a newer version,
    // which no state read before it replaces. A case that continued as new was last projected by an earlier run, whose
    // history may be longer than the new run's: the refresh is counted past that one, or it would replace nothing.
    const description = await handle.describe();
    const historyLength = options.refresh
      ? Math.max(description.historyLength, (await projectedHistoryLength(pool, state.caseId)) + 1)
      : 0;
    if (state.status === 'open' && description.status.name !== 'RUNNING') {
      notRunning.push({ caseId: state.caseId, reference: state.reference, status: description.status.name });
    }
    if (await projectCase(pool, snapshotOf(state), { historyLength, timeZone: options.timeZone })) updated += 1;
  }
  return {
    cases: workflowIds.size - unanswered.length,
    updated,
    withoutIdentity: await casesWithoutSurvivor(pool),
    referencesReserved,
    referencesTaken,
    notRunning,
    unanswered,
  };
}
