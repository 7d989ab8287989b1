/**
 * Starts the one workflow that tells agencies of the steps opened for them (workflows/opened-step-notices.ts), at
 * service start as the daily digests are: Temporal keeps it running through restarts and outages, and starting it
 * again finds the one running.
 */
import type { NotificationDeps } from '../activities/notifications';
import {
  OPENED_STEP_NOTICES_WORKFLOW_ID,
  OPENED_STEP_NOTICES_WORKFLOW_TYPE,
  type OpenedStepNoticesInput,
} from '../workflows/contract';

export async function startOpenedStepNotices(
  temporal: NotificationDeps['temporal'],
  input: OpenedStepNoticesInput = {},
): Promise<void> {
  await temporal.client.workflow.start(OPENED_STEP_NOTICES_WORKFLOW_TYPE, {
    workflowId: OPENED_STEP_NOTICES_WORKFLOW_ID,
    taskQueue: temporal.taskQueue,
    args: [input],
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
}
