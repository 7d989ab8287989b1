/** The workflows the worker registers; this module is the worker's `workflowsPath`. */
export { caseWorkflow } from './case-workflow';
export { notificationDelivery } from './notification-delivery';
export { dailyDigest } from './daily-digest';
export { passedNotices } from './passed-notices';
export { openedStepNotices } from './opened-step-notices';
