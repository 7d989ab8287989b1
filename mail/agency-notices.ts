/**
 * Notices to an agency's own address when its administration changes (a user added, its notification address
 * changed), so a takeover through a stolen admin account is noticed by the agency itself. A case transferred from one
 * agency to another is told to both in the same manner of words (`caseTransferredNotice`), but through the outbox.
 *
 * Sent by the API straight over SMTP after the change is committed, not through the `notifications` outbox: that
 * outbox belongs to cases (its rows are keyed by case and alarm, and delivered by a case's workflow), and a notice
 * about an account is about no case. A second, durable outbox would be a second delivery machine for a handful of
 * rare messages; instead a notice is sent once, and a failure is logged as an error for the operator. The audit
 * trail records the change itself whatever happens to its notice. The messages hold no personal data and no
 * secret: the agency, the username and roles of the account (staff identifiers, never a display name or password:
 * the notice says that an account exists, not who holds it), and who made the change, by the name the console shows
 * for them (their display name, never a username). A transfer is about a case: its notices are rows of the case's
 * outbox, recorded by its workflow and delivered and retried as a reminder is (activities/transfer-notices.ts), so a
 * mail outage never loses the news to the agency that lost the case. So is the notice to the agency that opened a case
 * that another agency replaced its case number (`referenceReplacedNotice`), recorded by the API (app/survivor-records.ts).
 */
import type { Pool } from 'pg';
import { formatDateTime } from '../core/people-dates';
import { userRowIdOf } from '../db/audit';
import { findAgency, type Agency } from '../db/agencies';
import { findUser } from '../db/users';
import type { Logger } from '../core/logger';
import type { Actor, AgencyKind, Instant, Role } from '../domain/types';
import { caseLink, countOf, dueWordsFor } from './render';
import { stepLabel } from '../domain/labels';
import { shownInPlainText } from './plain-text';
import { agencyKindLabel, codeInWords } from '../domain/labels';

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

/** Who made a change, as the notice names them: by their display name, as the console does, and their agency by name. */
export interface ChangedBy {
  displayName: string;
  agencyName: string;
}

/** Who made a change (the Actor carries ids only; a user or agency since deleted is named by its id). */
export async function changedByOf(pool: Pool, actor: Pick<Actor, 'userId' | 'agencyId'>): Promise<ChangedBy> {
  // An actor of another shape than a user's (a system's, a recording's) is named by its id: a uuid column refuses it.
  const userId = userRowIdOf(actor.userId);
  const [user, agency] = await Promise.all([
    userId ? findUser(pool, { id: userId }) : null,
    findAgency(pool, actor.agencyId),
  ]);
  return { displayName: user?.displayName ?? actor.userId, agencyName: agency?.name ?? actor.agencyId };
}

/** Who made it and when, as the notices' last line says it. */
const byLine = (verb: string, by: ChangedBy, when: string) =>
  `${verb} by ${by.displayName} of ${by.agencyName} on ${when}.`;

/** Roles as words ("agency officer"), not codes. */
const rolesInWords = (roles: readonly Role[]) => roles.map(codeInWords).join(', ');

/**
 * The zone an agency reads its notices in: its own, else the deployment's `TIMEZONE` (`deploymentZone`, as every
 * email falls back to, mail/render.ts), else UTC.
 */
const zoneOf = (agency: Agency, deploymentZone: string | undefined) => agency.timeZone ?? deploymentZone ?? 'UTC';

/** When it happened, as the agency's own calendar and clock read it (the deployment's for an agency without a zone). */
const whenFor = (agency: Agency, at: Date, deploymentZone: string | undefined) =>
  formatDateTime(at.toISOString(), zoneOf(agency, deploymentZone));

const FOOTER = 'If your agency did not expect this change, contact your system administrator at once.';

/** The notice of a user added to `agency`, to its address; null when the agency has none. */
export function userAddedNotice(
  agency: Agency,
  user: { username: string; roles: readonly Role[] },
  by: ChangedBy,
  at: Date,
  deploymentZone: string | undefined,
): AgencyNotice | null {
  if (!agency.email) return null;
  return {
    agencyId: agency.id,
    to: [agency.email],
    subject: `A user was added to ${agency.name}`,
    text: [
      `The user ${user.username} was added to your agency, ${agency.name}, with the roles: ${rolesInWords(user.roles)}.`,
      byLine('Added', by, whenFor(agency, at, deploymentZone)),
      '',
      FOOTER,
    ].join('\n'),
  };
}

/** The notice of a change of a user's roles, to their agency's address: roles grant access as adding a user does. */
export function rolesChangedNotice(
  agency: Agency,
  user: { username: string; roles: readonly Role[] },
  before: readonly Role[],
  by: ChangedBy,
  at: Date,
  deploymentZone: string | undefined,
): AgencyNotice | null {
  if (!agency.email) return null;
  return {
    agencyId: agency.id,
    to: [agency.email],
    subject: `The roles of a user of ${agency.name} were changed`,
    text: [
      `The roles of the user ${user.username} of your agency, ${agency.name}, were changed from ${rolesInWords(before)} to ${rolesInWords(user.roles)}.`,
      byLine('Changed', by, whenFor(agency, at, deploymentZone)),
      '',
      FOOTER,
    ].join('\n'),
  };
}

/**
 * The notice of a user given a new temporary password by an admin (a reset, or their enabling), to their agency's
 * address: whoever holds that password holds the account, so the agency learns of it as of a user added.
 */
export function passwordGivenNotice(
  agency: Agency,
  user: { username: string },
  enabled: boolean,
  by: ChangedBy,
  at: Date,
  deploymentZone: string | undefined,
): AgencyNotice | null {
  if (!agency.email) return null;
  const what = enabled ? 'was enabled again, with a new temporary password' : 'was given a new temporary password';
  return {
    agencyId: agency.id,
    to: [agency.email],
    subject: enabled ? `A user of ${agency.name} was enabled again` : `A user of ${agency.name} has a new password`,
    text: [
      `The user ${user.username} of your agency, ${agency.name}, ${what}; every session, API key and calendar feed of theirs ended.`,
      byLine(enabled ? 'Enabled' : 'Set', by, whenFor(agency, at, deploymentZone)),
      '',
      FOOTER,
    ].join('\n'),
  };
}

/**
 * The notice of a change of `after`'s notification address, to the old address and the new one (the old one is who
 * notices a takeover); null when the address did not change. An address set where there was none (a new agency's,
 * most often) is told to that address as set, without the alarm: no address of the agency's was taken from it.
 */
export function emailChangedNotice(
  before: Agency | null,
  after: Agency,
  by: ChangedBy,
  at: Date,
  deploymentZone: string | undefined,
): AgencyNotice | null {
  const old = before?.email ?? null;
  if (old === after.email) return null;
  if (old === null && after.email !== null) return emailSetNotice(after, after.email, by, at, deploymentZone);
  if (old !== null && after.email === null) return emailRemovedNotice(after, old, by, at, deploymentZone);
  const to = [...new Set([old, after.email].filter((address): address is string => address !== null))];
  return {
    agencyId: after.id,
    to,
    subject: `The notification address of ${after.name} was changed`,
    text: [
      `The notification address of your agency, ${after.name}, was changed from ${old} to ${after.email}.`,
      byLine('Changed', by, whenFor(after, at, deploymentZone)),
      "Emails about your agency's cases now go to the new address.",
      '',
      FOOTER,
    ].join('\n'),
  };
}

/**
 * The notice of a notification address removed (the agency saved without one), to that address: there is no new one,
 * so nothing about the agency's cases is emailed any more (the app still shows it) until an address is set again.
 */
function emailRemovedNotice(
  agency: Agency,
  old: string,
  by: ChangedBy,
  at: Date,
  deploymentZone: string | undefined,
): AgencyNotice {
  return {
    agencyId: agency.id,
    to: [old],
    subject: `The notification address of ${agency.name} was removed`,
    text: [
      `The notification address of your agency, ${agency.name}, was removed: it was ${old}, and your agency has none now.`,
      byLine('Removed', by, whenFor(agency, at, deploymentZone)),
      "Emails about your agency's cases are no longer sent: they are shown in the app only, until an address is set again. Nor are notices like this one about changes to your agency and its users.",
      '',
      FOOTER,
    ].join('\n'),
  };
}

/** The notice of a first notification address, to that address: what it receives from now on, and who set it. */
function emailSetNotice(
  agency: Agency,
  address: string,
  by: ChangedBy,
  at: Date,
  deploymentZone: string | undefined,
): AgencyNotice {
  return {
    agencyId: agency.id,
    to: [address],
    subject: `The notification address of ${agency.name} was set`,
    text: [
      `${address} was set as the notification address of your agency, ${agency.name}: emails about your agency's cases and its users go to it.`,
      byLine('Set', by, whenFor(agency, at, deploymentZone)),
    ].join('\n'),
  };
}

/** A case handed from one agency of a kind to another: what both notices say. */
export interface CaseTransfer {
  /** The case reference: the only thing the notices name of the case (no personal data). */
  reference: string;
  agencyKind: AgencyKind;
  /** Both agencies, named as people know them. */
  from: Pick<Agency, 'id' | 'name'>;
  to: Pick<Agency, 'id' | 'name'>;
  /**
   * The new agency's steps still pending, now in its inbox, each with its due date (none for some), and whether that
   * deadline is a day (domain/types.ts `dueOnADay`), met all of its last day wherever in the US it is read.
   */
  pendingSteps: readonly { kind: string; dueAt: Instant | null; dueOnADay?: boolean }[];
  /** The case page, for the new agency (the one losing the case can no longer open it). */
  caseId: string;
  publicBaseUrl: string;
  /** Every agency's zone a deadline may be counted in, so each step's day reads as in the console (mail/render.ts). */
  deadlineZones: readonly string[];
}

type HandedOverStep = CaseTransfer['pendingSteps'][number];

/**
 * "- T visa application filing (Form I-914), due 17 Feb 2027": a step handed over, as the agency's calendar reads it,
 * with the console's words beside a day already past ("due 30 Nov 2026 (overdue by 5 days)") at the transfer.
 */
function handedOverLine(
  step: HandedOverStep,
  agency: Agency,
  zones: readonly string[],
  at: Date,
  deploymentZone: string | undefined,
): string {
  const due = step.dueAt
    ? `, ${dueWordsFor(step.dueAt, step.kind, zoneOf(agency, deploymentZone), zones, at, 'beside', step.dueOnADay)}`
    : '';
  return `- ${stepLabel(step.kind)}${due}`;
}

/** The steps handed over by due date, the earliest (the most overdue) first, those with none last. */
const byDueDate = (a: HandedOverStep, b: HandedOverStep) => (a.dueAt ?? '9999').localeCompare(b.dueAt ?? '9999');

/**
 * The notice of a transfer to `agency`, the one losing the case or the one taking it over; null when it has no
 * address (the transfer is in the case's timeline and the audit trail whatever happens).
 */
export function caseTransferredNotice(
  agency: Agency,
  transfer: CaseTransfer,
  by: ChangedBy,
  at: Date,
  deploymentZone: string | undefined,
): AgencyNotice | null {
  if (!agency.email) return null;
  const { reference, from, to, pendingSteps } = transfer;
  const count = pendingSteps.length;
  const kind = agencyKindLabel(transfer.agencyKind).toLowerCase();
  const losing = agency.id === from.id;
  return {
    agencyId: agency.id,
    to: [agency.email],
    subject: losing
      ? `Case ${reference} was transferred to another agency`
      : `Case ${reference} was transferred to your agency`,
    text: [
      losing
        ? `The case ${reference} was transferred from your agency, ${from.name}, to ${to.name} (as its ${kind} agency). Your agency no longer has access to it; its pending steps and reminders moved to ${to.name}.`
        : `The case ${reference} was transferred to your agency, ${to.name}, from ${from.name} (as its ${kind} agency). Its ${countOf(count, 'pending step')} and ${count === 1 ? 'its' : 'their'} reminders are now your agency's, in your inbox${count > 0 ? ':' : '.'}`,
      ...(losing
        ? []
        : [...pendingSteps]
            .sort(byDueDate)
            .map((step) => handedOverLine(step, agency, transfer.deadlineZones, at, deploymentZone))),
      ...(losing ? [] : [`Open the case: ${caseLink(transfer.publicBaseUrl, transfer.caseId)}`]),
      byLine('Transferred', by, whenFor(agency, at, deploymentZone)),
    ].join('\n'),
  };
}

/**
 * The notice to the agency that opened a case that another agency (`by`, by its name) replaced the case's reference,
 * its own case number, with a correction of the survivor's identity that the number would have named. It names the
 * case by its new reference only: the replaced one may hold the survivor's name, which is why it went, so it is never
 * said, nor anything of the survivor. Rendered whether or not the agency has an address: it is also its in-app notice
 * (`to` is then null).
 */
export function referenceReplacedNotice(
  agency: Agency,
  replaced: { reference: string; caseId: string; publicBaseUrl?: string },
  by: string,
  at: Date,
  deploymentZone: string | undefined,
): { to: string | null; subject: string; text: string } {
  const { reference } = replaced;
  return {
    to: agency.email,
    subject: `Case ${reference}: your case number for it was replaced by ${by}`,
    text: [
      `${by} corrected the survivor's details of a case your agency, ${agency.name}, opened, and replaced your case number for it: as corrected, that number said who the survivor is, and a case's reference must not.`,
      `From now on the case is found under its new reference, ${reference}; your earlier number no longer finds it.`,
      ...(replaced.publicBaseUrl ? [`Open the case: ${caseLink(replaced.publicBaseUrl, replaced.caseId)}`] : []),
      `Replaced by ${by} on ${whenFor(agency, at, deploymentZone)}.`,
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
  return mailer.sendMail({ to: notice.to, ...shownInPlainText(notice) }).then(
    () => logger.info(about, 'agency notice sent'),
    (error: unknown) => logger.error({ ...about, err: error }, 'agency notice not sent'),
  );
}
