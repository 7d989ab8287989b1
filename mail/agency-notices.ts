/**
 * Notices to an agency's own address when its administration changes (a user added, its notification address
 * changed), so a takeover through a stolen admin account is noticed by the agency itself.
 *
 * Sent by the API straight over SMTP after the change is committed, not through the `notifications` outbox: that
 * outbox belongs to cases (its rows are keyed by case and alarm, and delivered by a case's workflow), and a notice
 * about an account is about no case. A second, durable outbox would be a second delivery machine for a handful of
 * rare messages; instead a notice is sent once, and a failure is logged as an error for the operator. The audit
 * trail records the change itself whatever happens to its notice. The messages hold no personal data and no
 * secret: the agency, the username and roles of the account (staff identifiers, never a display name or password),
 * and who made the change.
 */
import { formatDateTime } from '../core/people-dates';
import type { Agency } from '../db/agencies';
import type { Logger } from '../core/logger';
import type { Role } from '../domain/types';

/** What the API needs of a mail transport (mail/transport.ts answers it; the sender is the transport's default). */
export interface NoticeMailer {
  sendMail(message: { to: string[]; subject: string; text: string }): Promise<unknown>;
}

export interface AgencyNotice {
  agencyId: string;
  /** Never empty: a change that has no address to tell answers no notice. */
  to: string[];
  subject: string;
  text: string;
}

/** Who made a change, as the notice names them. */
export interface ChangedBy {
  username: string;
  agencyId: string;
}

/** When it happened, as the agency's own calendar and clock read it (UTC for an agency without a zone). */
const whenFor = (agency: Agency, at: Date) => formatDateTime(at.toISOString(), agency.timeZone ?? 'UTC');

const FOOTER = 'If your agency did not expect this change, contact your system administrator at once.';

/** The notice of a user added to `agency`, to its address; null when the agency has none. */
export function userAddedNotice(
  agency: Agency,
  user: { username: string; roles: readonly Role[] },
  by: ChangedBy,
  at: Date,
): AgencyNotice | null {
  if (!agency.email) return null;
  return {
    agencyId: agency.id,
    to: [agency.email],
    subject: `A user was added to ${agency.id}`,
    text: [
      `The user ${user.username} was added to your agency ${agency.id}, with the roles: ${user.roles.join(', ')}.`,
      `Added by ${by.username} (${by.agencyId}) on ${whenFor(agency, at)}.`,
      '',
      FOOTER,
    ].join('\n'),
  };
}

/**
 * The notice of a change of `after`'s notification address, to the old address and the new one (the old one is who
 * notices a takeover); null when the address did not change.
 */
export function emailChangedNotice(before: Agency | null, after: Agency, by: ChangedBy, at: Date): AgencyNotice | null {
  const old = before?.email ?? null;
  if (old === after.email) return null;
  const to = [...new Set([old, after.email].filter((address): address is string => address !== null))];
  if (to.length === 0) return null;
  return {
    agencyId: after.id,
    to,
    subject: `The notification address of ${after.id} was changed`,
    text: [
      `The notification address of your agency ${after.id} was changed from ${old ?? '(none)'} to ${after.email ?? '(none)'}.`,
      `Changed by ${by.username} (${by.agencyId}) on ${whenFor(after, at)}.`,
      "Emails about your agency's cases now go to the new address.",
      '',
      FOOTER,
    ].join('\n'),
  };
}

/**
 * Sends the notice without holding up the answer (an SMTP server that hangs must not hang administration); a failure
 * is logged as an error. Answers the attempt, so a caller that wants to may wait for it. Without a mailer (an app
 * built without mail, e.g. by a test of something else), the notice is logged as not sent.
 */
export function sendAgencyNotice(
  mailer: NoticeMailer | undefined,
  logger: Logger,
  notice: AgencyNotice | null,
): Promise<void> {
  if (!notice) return Promise.resolve();
  const about = { agencyId: notice.agencyId, subject: notice.subject };
  if (!mailer) {
    logger.error(about, 'agency notice not sent: the API has no mail transport');
    return Promise.resolve();
  }
  return mailer.sendMail({ to: notice.to, subject: notice.subject, text: notice.text }).then(
    () => logger.info(about, 'agency notice sent'),
    (error: unknown) => logger.error({ ...about, err: error }, 'agency notice not sent'),
  );
}
