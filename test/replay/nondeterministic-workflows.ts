/**
 * The negative control of the replay test: the case workflow as a careless change would leave it, with a timer
 * added before anything else it does. Every recorded run that opens a case began with the first projection (an
 * activity, preceded by a search-attribute upsert on the dev server), or since v9 with a patch marker, so replaying
 * one here must fail on its first command. Bundled as the worker's `workflowsPath` only by test/replay; nothing runs it against a server.
 */
import { sleep } from '@temporalio/workflow';
import type { CaseState } from '../../domain';
import { caseWorkflow as currentCaseWorkflow } from '../../workflows/case-workflow';
import type { CaseWorkflowInput } from '../../workflows/contract';

/** Same name as the real workflow, so a recorded history's workflow type resolves to this variant. */
export async function caseWorkflow(input: CaseWorkflowInput): Promise<CaseState> {
  await sleep('1 minute');
  return currentCaseWorkflow(input);
}
