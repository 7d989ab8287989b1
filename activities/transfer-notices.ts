/**
 * A transfer's emails, to the agency losing the case and the one taking it over (mail/agency-notices.ts
 * `caseTransferredNotice`), recorded in the outbox by the case workflow once the transfer is applied and delivered as
 * a reminder is (activities/notifications.ts): a mail outage delays them, with `failingSince` shown meanwhile, and
 * never loses them. Each row is keyed by the transfer's timeline entry and its agency, so a retried activity, a
 * retried request or a workflow replayed after a crash finds the rows already there: each email is recorded once.
 */
import { caseDeadlineTimeZones, findAgency } from '../db/agencies';
import { caseReference } from '../db/case-references';
import { caseStepsAsRead, enqueue, type StepAsRead } from '../db/notifications';
import { TRANSFER_NOTICE, type TransferToTell } from '../domain/case-state';
import { caseTransferredNotice, changedByOf } from '../mail/agency-notices';
import { startDelivery, type NotificationDeps } from './notifications';

/** References and ids only, as every notification's input: the emails name the agencies and the person from the directory. */
export interface TransferNoticeInput extends TransferToTell {
  caseId: string;
  reference: string;
}

/**
 * Whether a step handed over is due on a day (domain/types.ts `dueOnADay`), which the transfer's record in the
 * workflow (kind and due instant) does not say: the read model's step of that kind due at that instant says it, the
 * pending one if one is (a step withdrawn or done earlier may share both). Its deadline is then met all of its last day
 * wherever in the US it is read, as the console and the digest read it.
 */
function dueOnADayOf(step: TransferToTell['handedOver'][number], steps: readonly StepAsRead[]): boolean {
  if (step.dueAt === null) return false;
  const due = Date.parse(step.dueAt);
  const same = steps.filter((read) => read.kind === step.kind && read.dueAt !== null && Date.parse(read.dueAt) === due);
  const pending = same.filter((read) => read.status === 'pending');
  return (pending.length > 0 ? pending : same).some((read) => read.dueOnADay);
}

export function createTransferNoticeActivities({ pool, publicBaseUrl, temporal, logger, timeZone }: NotificationDeps) {
  return {
    /** Records the transfer's email to each agency with an address, and starts its delivery. */
    async notifyTransfer(input: TransferNoticeInput): Promise<{ notificationIds: string[] }> {
      const [from, to, by, deadlineZones, reference, steps] = await Promise.all([
        findAgency(pool, input.fromAgencyId),
        findAgency(pool, input.toAgencyId),
        changedByOf(pool, input.by),
        caseDeadlineTimeZones(pool, input.caseId, timeZone ?? 'UTC'),
        // The reference as readers know it now: a correction of the survivor's identity may have replaced it.
        caseReference(pool, input.caseId),
        caseStepsAsRead(pool, input.caseId),
      ]);
      if (!from || !to) {
        logger?.error({ caseId: input.caseId, seq: input.seq }, 'transfer not told: an agency is not in the directory');
        return { notificationIds: [] };
      }
      const transfer = {
        reference: reference ?? input.reference,
        agencyKind: input.agencyKind,
        from,
        to,
        pendingSteps: input.handedOver.map((step) => (dueOnADayOf(step, steps) ? { ...step, dueOnADay: true } : step)),
        caseId: input.caseId,
        publicBaseUrl,
        deadlineZones,
      };
      const notificationIds: string[] = [];
      for (const agency of [from, to]) {
        const notice = caseTransferredNotice(agency, transfer, by, new Date(input.at), timeZone);
        if (!notice) continue;
        const row = await enqueue(pool, {
          caseId: input.caseId,
          alarmId: `${TRANSFER_NOTICE}:${input.seq}:${agency.id}`,
          reference: transfer.reference,
          stepId: TRANSFER_NOTICE,
          stepKind: TRANSFER_NOTICE,
          kind: TRANSFER_NOTICE,
          recipientAgencyId: agency.id,
          recipientEmail: notice.to[0] ?? null,
          subject: notice.subject,
          bodyText: notice.text,
          dueAt: input.at,
        });
        if (!row.sentAt && row.recipientEmail) await startDelivery(temporal, row, TRANSFER_NOTICE);
        notificationIds.push(row.id);
      }
      return { notificationIds };
    },
  };
}
