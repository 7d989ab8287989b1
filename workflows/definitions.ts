/**
 * What the API, the activities and the workflows share about the workflows: their ids, type names and the messages
 * between them. Importing this module never loads workflow code.
 */
import { defineSignal } from '@temporalio/workflow';
import type { DeliveryReport } from '../domain/alarms';

/** One workflow per case. */
export const workflowIdOf = (caseId: string) => `case-${caseId}`;

/**
 * One delivery workflow per notification, named by the random id its outbox row was made with: starting it again
 * finds the same one, and the id (stored in the clear by Temporal) says nothing about the case's dates.
 */
export const deliveryWorkflowIdOf = (deliveryId: string) => `notification-${deliveryId}`;
export const DELIVERY_WORKFLOW_TYPE = 'notificationDelivery';

/** What a delivery workflow needs: the outbox row's key, and what it reports to the case about it. */
export interface DeliveryInput {
  caseId: string;
  alarmId: string;
  stepId: string;
  kind: DeliveryReport['kind'];
  recipientAgencyId: string;
}

/** Sent by a delivery workflow to its case when an email is late, and again when it finally got through. */
export const deliveryReportSignal = defineSignal<[DeliveryReport]>('deliveryReport');

/**
 * Cases recorded before it fired a minor's 18th-birthday reminders at the birthday's own offsets; replaying them must
 * schedule what they scheduled. A running case moves to the weekly grid at its first new workflow task.
 */
export const BIRTHDAY_GRID_PATCH = 'birthday-reminders-on-grid';
