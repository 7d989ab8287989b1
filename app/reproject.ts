/**
 * Brings the read model back up to the cases' workflows, e.g. after PostgreSQL was restored from a backup older than
 * the latest sign-offs. Each case's workflow holds its whole state: its snapshot is projected again with the same
 * version guard as every projection, so a case the backup already has at its latest version is left as it is, and
 * an older one is replaced. What only PostgreSQL holds (identities, users, tokens, the audit trail, sealed notes,
 * the outbox) cannot be rebuilt from Temporal: see the runbook.
 */
import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { projectCase } from '../db/read-model';
import { casesWithoutSurvivor } from '../db/survivors';
import { snapshotOf } from '../domain/case';
import { CASE_WORKFLOW_TYPE, caseStateQuery } from '../workflows/contract';

export interface ReprojectResult {
  /** Cases whose workflow Temporal still has (running, or closed within the namespace's retention). */
  cases: number;
  /** Of those, the cases whose read model was behind and was replaced. */
  updated: number;
  /** Cases without a survivor identity (opened after the backup): to be entered again from the agencies' files. */
  withoutIdentity: { caseId: string; reference: string }[];
}

/** Queries each case's workflow (a worker must be running to answer) and projects its state. */
export async function reprojectCases(client: Client, pool: Pool): Promise<ReprojectResult> {
  // A case that continued as new is listed once per run; its workflow id answers for the latest.
  const workflowIds = new Set<string>();
  for await (const execution of client.workflow.list({ query: `WorkflowType = '${CASE_WORKFLOW_TYPE}'` })) {
    workflowIds.add(execution.workflowId);
  }
  let updated = 0;
  for (const workflowId of workflowIds) {
    const state = await client.workflow.getHandle(workflowId).query(caseStateQuery);
    if (await projectCase(pool, snapshotOf(state))) updated += 1;
  }
  return { cases: workflowIds.size, updated, withoutIdentity: await casesWithoutSurvivor(pool) };
}
