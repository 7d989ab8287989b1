/**
 * The notify activity: every alarm a case workflow fires becomes one outbox row and at most one email.
 *
 * Exactly once, step by step:
 * - the row's id is the alarm id, so a retried attempt finds the row its predecessor wrote;
 * - the send happens while the row is locked, so two attempts running at once cannot both send;
 * - the email's Message-ID is derived from the row id, so if the process dies between the SMTP server's "250 OK" and
 *   the commit of sent_at, the resend carries the same Message-ID and a receiver can drop the duplicate;
 * - an SMTP failure is recorded on the row and rethrown, so Temporal retries with backoff: an outage delays mail,
 *   never loses it.
 */
import { createHash } from 'node:crypto';
import type { Pool } from 'pg';
import { inTransaction } from '../db/pool';
import type { Logger } from 'pino';
import type { Transporter } from 'nodemailer';
import { enqueue, findNotification, findRecipient, markSent, recordFailure, type Notification } from '../db/notifications';
import type { AlarmKind } from '../domain/case-state';
import type { Instant } from '../domain/types';
import { renderNotification } from '../mail/render';

export interface NotificationDeps {
  pool: Pool;
  mailer: Transporter;
  /** The sender address; its domain also names the Message-IDs. */
  from: string;
  publicBaseUrl: string;
  /** Ids only are logged, never addresses or message text. */
  logger?: Logger;
}

/** References only: the workflow never holds, and so never passes, a survivor's identity. */
export interface NotifyInput {
  alarmId: string;
  caseId: string;
  reference: string;
  stepId: string;
  stepKind: string;
  kind: AlarmKind;
  /** The organisation told; for an escalation the workflow passes the coordinator organisation. */
  recipientAgencyId: string;
  /** The date the message is about: the step's due date, or the expiry date for expiry kinds. */
  dueAt: Instant;
}

export interface NotifyResult {
  notificationId: string;
  /** True once the email has been accepted by the SMTP server (by this attempt or an earlier one); false for an in-app-only notification. */
  sent: boolean;
}

const FALLBACK_MESSAGE_ID_DOMAIN = 'relief-cases.invalid';

/** The domain of "Name <user@example.org>" or "user@example.org". */
function senderDomain(from: string): string {
  return /@([A-Za-z0-9.-]+)>?\s*$/.exec(from)?.[1] ?? FALLBACK_MESSAGE_ID_DOMAIN;
}

/** Same notification, same Message-ID, on every attempt and every process. Hashed so the header reveals nothing. */
export function notificationMessageId(notificationId: string, from: string): string {
  const digest = createHash('sha256').update(notificationId).digest('hex').slice(0, 40);
  return `<notification.${digest}@${senderDomain(from)}>`;
}

export function createNotificationActivities({ pool, mailer, from, publicBaseUrl, logger }: NotificationDeps) {
  /** The outbox row for this alarm, written on the first attempt with the recipient and text as they are then. */
  async function outboxRow(input: NotifyInput): Promise<Notification> {
    const existing = await findNotification(pool, input.alarmId);
    if (existing) return existing;
    const recipient = await findRecipient(pool, input.recipientAgencyId);
    // Retryable on purpose: an organisation missing from the directory is fixed by an operator, and the reminder
    // should then go out rather than be dropped.
    if (!recipient) throw new Error(`notification ${input.alarmId}: agency ${input.recipientAgencyId} is not in the agencies table`);
    const email = renderNotification({
      kind: input.kind,
      caseId: input.caseId,
      reference: input.reference,
      stepKind: input.stepKind,
      agencyName: recipient.name,
      dueAt: input.dueAt,
      publicBaseUrl,
    });
    return enqueue(pool, {
      id: input.alarmId,
      caseId: input.caseId,
      reference: input.reference,
      stepId: input.stepId,
      stepKind: input.stepKind,
      kind: input.kind,
      recipientAgencyId: recipient.agencyId,
      recipientEmail: recipient.email,
      subject: email.subject,
      bodyText: email.text,
      dueAt: input.dueAt,
    });
  }

  /** Sends the row's email unless another attempt already did; the row lock makes concurrent attempts take turns. */
  async function deliver(notificationId: string): Promise<{ sent: boolean; failure?: Error }> {
    return inTransaction(pool, async (client) => {
      const row = await findNotification(client, notificationId, { forUpdate: true });
      if (!row?.recipientEmail) return { sent: false };
      if (row.sentAt) return { sent: true };
      try {
        await mailer.sendMail({
          from,
          to: row.recipientEmail,
          subject: row.subject,
          text: row.bodyText,
          messageId: notificationMessageId(row.id, from),
        });
      } catch (thrown) {
        const failure = thrown instanceof Error ? thrown : new Error('SMTP send failed with a non-error value');
        await recordFailure(client, row.id, failure.message);
        return { sent: false, failure };
      }
      await markSent(client, row.id);
      return { sent: true };
    });
  }

  return {
    async notify(input: NotifyInput): Promise<NotifyResult> {
      const row = await outboxRow(input);
      const ids = { notificationId: row.id, caseId: row.caseId, stepId: row.stepId, kind: row.kind };
      if (row.sentAt) return { notificationId: row.id, sent: true };
      if (!row.recipientEmail) {
        logger?.info(ids, 'notification recorded in-app only: the agency has no email address');
        return { notificationId: row.id, sent: false };
      }
      const outcome = await deliver(row.id);
      if (outcome.failure) {
        logger?.warn(ids, 'notification email not sent; the activity will be retried');
        // Rethrown so Temporal retries the activity with backoff; the row keeps the attempt count and last error.
        throw outcome.failure;
      }
      if (outcome.sent) logger?.info(ids, 'notification email sent');
      return { notificationId: row.id, sent: outcome.sent };
    },
  };
}
