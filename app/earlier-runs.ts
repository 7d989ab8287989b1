/**
 * What the runs a case's workflow continued as new from did with an update. Temporal answers an update sent again
 * under its id with the outcome it had, but only within the run that took it: a write whose first attempt was the
 * last command of its run (the run then continued as new) reaches the next run when retried, whose rules refuse what
 * is already done ("step t_visa_filing-1 is completed"). The retry is the same write, and answers as the first did.
 * Asked only of a refusal: it reads the current run's first event, and a run before only if it ended within the
 * Idempotency-Key's life (a day), as a run continued as new every few thousand events seldom has.
 */
import type { Client } from '@temporalio/client';

/**
 * Whether a run the current one continued from (its predecessor, theirs in turn) completed the update `updateId`,
 * looking back through the runs that ended at `since` or later (none before can have taken a write still retried).
 */
export async function appliedByEarlierRun(
  client: Client,
  workflowId: string,
  updateId: string,
  since: Date,
): Promise<boolean> {
  const { history } = await client.workflowService.getWorkflowExecutionHistory({
    namespace: client.options.namespace,
    execution: { workflowId },
    maximumPageSize: 1,
  });
  let runId = continuedFrom(history?.events?.[0]);
  while (runId) {
    const handle = client.workflow.getHandle(workflowId, runId);
    const { closeTime } = await handle.describe();
    if (closeTime && closeTime < since) return false;
    const events = (await handle.fetchHistory()).events ?? [];
    const completed = events.some(({ workflowExecutionUpdateCompletedEventAttributes: done }) =>
      Boolean(done && done.meta?.updateId === updateId && !done.outcome?.failure),
    );
    if (completed) return true;
    runId = continuedFrom(events[0]);
  }
  return false;
}

/** The run a run's first event says it continued as new from, if any. */
function continuedFrom(
  started: { workflowExecutionStartedEventAttributes?: { continuedExecutionRunId?: string | null } | null } | undefined,
): string | undefined {
  return started?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId || undefined;
}
