/**
 * Delivers one notification's email, however long the mail server is down, apart from its case: the case workflow
 * records the notification and moves on, so a stuck email never delays its other reminders or its sign-offs, and an
 * outage can never fail the case. A delivery failing for an hour is reported (the row, the coordinator's in-app
 * notice and the case timeline say so) and then retried with backoff until it goes through.
 */
import {
  ActivityFailure,
  getExternalWorkflowHandle,
  proxyActivities,
  type ActivityOptions,
} from '@temporalio/workflow';
import type { CaseActivities } from '../activities';
import type { DeliveryReport } from '../domain/alarms';
import { deliveryReportSignal, workflowIdOf, type DeliveryInput } from './contract';

/**
 * The first hour of an email's delivery: a brief blip is retried quickly and nobody is bothered. A gathered email
 * (workflows/passed-notices.ts) is delivered so too.
 */
export const FIRST_HOUR_OF_DELIVERY: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  // A send heartbeats: a worker that died mid-send is noticed in seconds, and the email retried by another.
  heartbeatTimeout: '10 seconds',
  scheduleToCloseTimeout: '1 hour',
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
};
const { deliverNotification: deliverSoon } = proxyActivities<CaseActivities>(FIRST_HOUR_OF_DELIVERY);

/** After that, no limit: the email waits out any outage, and goes out at most 30 minutes after the server is back. */
const { deliverNotification: deliverEventually, reportDeliveryFailing } = proxyActivities<CaseActivities>({
  startToCloseTimeout: '1 minute',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '1 minute', backoffCoefficient: 2, maximumInterval: '30 minutes' },
});

export async function notificationDelivery(input: DeliveryInput): Promise<void> {
  const key = { caseId: input.caseId, alarmId: input.alarmId };
  try {
    await deliverSoon(key);
    return;
  } catch (error) {
    if (!(error instanceof ActivityFailure)) throw error;
  }
  const failingSince = await reportDeliveryFailing(key);
  await tellCase(input, 'failing', failingSince);
  const { sentAt } = await deliverEventually(key);
  if (sentAt) await tellCase(input, 'delivered', sentAt);
}

async function tellCase(input: DeliveryInput, status: DeliveryReport['status'], at: string): Promise<void> {
  const { alarmId, stepId, kind, recipientAgencyId } = input;
  try {
    await getExternalWorkflowHandle(workflowIdOf(input.caseId)).signal(deliveryReportSignal, {
      caseId: input.caseId,
      alarmId,
      stepId,
      kind,
      recipientAgencyId,
      status,
      at,
    });
  } catch {
    // The case has been closed: its timeline is final, and the outbox row still tells what happened.
  }
}
