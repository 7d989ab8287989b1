/**
 * The email telling an agency that a step now waits on it (domain/opened-steps.ts says which steps), recorded in the
 * outbox once the command's projection is written and delivered as a reminder is (activities/notifications.ts): a
 * mail outage delays it and never loses it; it is not sent once the step is done or moved to another agency first.
 * No workflow change: the projection activity already receives the state and the command. A worker that dies after
 * the projection runs the projection again (its workflow task is retried), which finds the row its predecessor wrote
 * (keyed by the step and the timeline entry that opened it) and starts its delivery, or finds it started: each email
 * is recorded once. A request retried under its key applies nothing new, so opens nothing to tell.
 */
import type { CaseProjection } from '../domain/alarms';
import type { AppliedCommand } from '../domain/types';
import { caseDeadlineTimeZones } from '../db/agencies';
import { caseReference } from '../db/case-references';
import { enqueue, findNotification, findRecipient } from '../db/notifications';
import { openedStepsToTell, STEP_OPENED_NOTICE } from '../domain/opened-steps';
import { changedByOf } from '../mail/agency-notices';
import { renderNotification, type RenderedEmail } from '../mail/render';
import { startDelivery, type NotificationDeps } from './notifications';

/** An email's words as its outbox row keeps them. */
const wordsOf = (email: RenderedEmail) => ({ subject: email.subject, bodyText: email.text });

export function createOpenedStepNotices({ pool, publicBaseUrl, temporal, logger, now, timeZone }: NotificationDeps) {
  /** Records the notice of each step `applied` opened for another agency, and starts its email's delivery. */
  return async function tellOpenedSteps(snapshot: CaseProjection, applied: AppliedCommand | undefined): Promise<void> {
    const opened = openedStepsToTell(snapshot, applied);
    if (opened.length === 0) return;
    const [reference, deadlineZones, by] = await Promise.all([
      // The reference as readers know it now: a correction of the survivor's identity may have replaced it.
      caseReference(pool, snapshot.caseId),
      caseDeadlineTimeZones(pool, snapshot.caseId, timeZone ?? 'UTC'),
      changedByOf(pool, opened[0]!.actor),
    ]);
    const raisedAt = (await now()).toISOString();
    for (const { alarmId, step, openedByKind } of opened) {
      const key = { caseId: snapshot.caseId, alarmId };
      const recipient = await findRecipient(pool, step.agencyId);
      if (!recipient) {
        logger?.error({ ...key, agencyId: step.agencyId }, 'opened step not told: its agency is not in the directory');
        continue;
      }
      // Written once, with the words of the first attempt: a retry finds the row and only starts its delivery.
      const row =
        (await findNotification(pool, key)) ??
        (await enqueue(pool, {
          ...key,
          reference: reference ?? snapshot.reference,
          stepId: step.id,
          stepKind: step.kind,
          kind: STEP_OPENED_NOTICE,
          recipientAgencyId: recipient.agencyId,
          recipientEmail: recipient.email,
          ...wordsOf(
            renderNotification({
              kind: STEP_OPENED_NOTICE,
              caseId: snapshot.caseId,
              reference: reference ?? snapshot.reference,
              stepKind: step.kind,
              agencyName: recipient.name,
              timeZone: recipient.timeZone ?? timeZone ?? 'UTC',
              deadlineZones,
              dueAt: step.dueAt,
              raisedAt,
              ...(step.dueOnADay ? { dueOnADay: true } : {}),
              openedBy: { by: `${by.displayName} of ${by.agencyName}`, stepKind: openedByKind },
              publicBaseUrl,
            }),
          ),
          dueAt: step.dueAt,
        }));
      if (!row.sentAt && row.recipientEmail) await startDelivery(temporal, row, STEP_OPENED_NOTICE);
    }
  };
}
