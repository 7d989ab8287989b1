/**
 * The notification activities: every alarm a case workflow fires becomes one outbox row, keyed by its case and its
 * alarm, and at most one email, sent by a delivery workflow of its own (workflows/notification-delivery.ts).
 *
 * One email per row, step by step (recorded sent at most once; see the last point for the one copy SMTP can double):
 * - the row is keyed by (case, alarm), so a retried attempt finds the row its predecessor wrote, and two cases whose
 *   alarms share a step and a date never share a row;
 * - the delivery workflow's id is the row's (random) delivery id, so starting it again finds the one already started;
 * - the send happens while the row is locked, so two attempts running at once cannot both send;
 * - an email the server accepted whose sent_at could not be committed (the database connection, and with it the lock,
 *   lost during the send) is recorded sent on another connection, so the retry, on whichever worker process, finds it
 *   sent; while PostgreSQL is still down the process remembers it, and its own retry records it instead of sending;
 * - the email's Message-ID is derived from the row id, so if the process dies between the SMTP server's "250 OK" and
 *   the commit of sent_at, the resend carries the same Message-ID and a receiver can drop the duplicate;
 * - an SMTP failure is recorded on the row and rethrown, so Temporal retries with backoff: an outage delays mail,
 *   never loses it;
 * - an email that asks for a step to be done (`STEP_STILL_OPEN_KINDS`) is sent only while the read model still has
 *   the step pending: one held back by an outage until the step was done is not sent, and its row says why; so is
 *   an expiry reminder, by the step it asks for (`owedStepId`: the renewal request a CP grant opened); nor is one
 *   held back until a transfer handed that step to another agency (`movedAway`), to the agency that no longer has it;
 * - once the server is back, emails to one address go out oldest first: an attempt first sends the earlier ones held
 *   back by the outage (each retried on its own backoff, the newest soonest), each as its own attempt would.
 * - an email held back until after the case's reference was replaced (it said who the survivor is) goes out under
 *   the case's reference now, in its subject and text (db/notifications.ts `knownNow`), with its Message-ID as ever.
 *
 * So each row is recorded sent at most once; the one copy a receiver may see twice is a resend after a worker died
 * between the server's acceptance and the record of it, with the same Message-ID.
 */
import { createHash } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { Pool, PoolClient } from 'pg';
import type { Logger } from '../core/logger';
import type { Clock } from '../core/clock';
import type { SendMailOptions, Transporter } from 'nodemailer';
import { caseDeadlineTimeZones, findAgency } from '../db/agencies';
import { caseReference } from '../db/case-references';
import { inTransaction, type Queryable } from '../db/pool';
import {
  enqueue,
  findNotification,
  findRecipient,
  caseStepsAsRead,
  latestPending,
  stepById,
  type StepAsRead,
  findAskedStep,
  findOwedStep,
  heldBackBefore,
  markNotSent,
  markSent,
  passedNoticesOwed,
  recordFailure,
  type AskedStep,
  type Notification,
} from '../db/notifications';
import type { EndNow, GroundChange, NotifiedKind, PassedAlarm } from '../domain';
import { OWED_BEFORE_THE_END } from '../domain/alarms';
import type { Instant } from '../domain/types';
import { isUrgentPassedNotice, renderNotification, renderPassedNotices, type OwedStep } from '../mail/render';
import { shownInPlainText } from '../mail/plain-text';
import { digestStillToWrite, foldedInto } from './digest';
import {
  DELIVERY_WORKFLOW_TYPE,
  PASSED_NOTICES_WORKFLOW_TYPE,
  deliveryWorkflowIdOf,
  passedNoticeSignal,
  passedNoticesWorkflowIdOf,
  type DeliveryInput,
  type PassedNoticesInput,
} from '../workflows/contract';

export interface DeliveryDeps {
  pool: Pool;
  /**
   * The connections a send holds while the mail server talks (the row stays locked until the send ends): their own,
   * so a mail server that hangs holds these alone, never those the cases and the API need. Default: `pool`.
   */
  mailPool?: Pool;
  mailer: Transporter;
  /** The sender address; its domain also names the Message-IDs. */
  from: string;
  publicBaseUrl: string;
  /** Ids only are logged, never addresses or message text. */
  logger?: Logger;
  /** When an email was sent or failed: the service's clock (the wall clock). */
  now: Clock;
  /** The deployment's TIMEZONE: an email's dates are in its recipient's zone, else this one (default UTC). */
  timeZone?: string;
}

export interface NotificationDeps extends DeliveryDeps {
  /**
   * Starts delivery workflows: a client with the service's encrypting data converter, and the case task queue; and
   * how long a gathering of notices of what passed waits for another, when tests shorten a case's entry session's
   * gathering (`passedNoticeGatherMs`) alike.
   */
  temporal: { client: Client; taskQueue: string; passedNoticeGatherMs?: number };
}

/** References only: the workflow never holds, and so never passes, a survivor's identity. */
export interface NotifyInput {
  alarmId: string;
  caseId: string;
  reference: string;
  stepId: string;
  stepKind: string;
  kind: NotifiedKind;
  /** What the alarm is about (domain Alarm.subject); absent from activities scheduled before it was passed. */
  about?: string;
  /** For `passed_summary`: the alarms that passed before the command was recorded, listed in one notice. */
  passed?: PassedAlarm[];
  /** The organisation told; for an escalation the workflow passes the coordinator organisation. */
  recipientAgencyId: string;
  /** The date the message is about (domain `alarmDate`); null when it derives from a birth date. */
  dueAt: Instant | null;
  /** For `end_corrected`: the end the earlier expiry email named, which a correction moved to `dueAt`. */
  was?: Instant;
  /** For `end_corrected`: what became of that end beyond moving ahead, and the outcome a refusal records. */
  endNow?: EndNow;
  outcome?: string;
  /** For `end_corrected`: granted again after the earlier email told it refused, that refusal's outcome ("denied"). */
  refusedBefore?: string;
  /**
   * For `end_corrected` to an agency that no longer takes part in the case (a transfer took its kind away): the agency
   * that holds that kind now, whom its email names since it can no longer open the case.
   */
  nowHeldBy?: string;
  /**
   * For `step_withdrawn` and `step_reopened`: the step whose correction withdrew or reopened this one (absent when the
   * recipient may not know of it) and the agency that corrected it.
   */
  corrected?: { stepKind?: string; byAgencyId: string };
  /** For `step_reopened`: whether the step was open before ("Needed again"), or is new ("Now needed"). */
  again?: boolean;
  /** For `step_withdrawn`: a second request of the corrected step, opened when the first lapsed or was refused. */
  secondOf?: 'lapsed' | 'refused';
  /** For `step_withdrawn` and `step_reopened` by no correction: the event that took away or gave back its ground. */
  ground?: GroundChange;
}

export interface NotifyResult {
  notificationId: string;
  /**
   * `email`: a delivery workflow sends it; `in_app`: the agency has no address, or its daily digest lists it instead
   * (activities/digest.ts); `sent`: an earlier attempt sent it.
   */
  delivery: 'email' | 'in_app' | 'sent';
}

/** A notification's key: the case and the alarm. */
export interface NotificationKey {
  caseId: string;
  alarmId: string;
}

/**
 * The emails that tell an agency its step is still to be done, written when the alarm fired: sent only while the step
 * is still pending. An expiry reminder is not among them: it is about a window's end, its own step done long before.
 * What it asks for is the step owed before that end (OWED_BEFORE_THE_END), which its row records as it was pending
 * when the reminder was written (`owedStepId`, the one its text names with its due date): it is sent only while that
 * step is still pending (`stepItAsksFor`). The read model alone could not tell which renewal it was (an earlier
 * renewal is as completed as a new one, and a sign-off may be dated back).
 */
const STEP_STILL_OPEN_KINDS: ReadonlySet<string> = new Set(['reminder', 'due', 'escalation']);

/**
 * The emails that say whether a step's deadline has passed (mail/render.ts `owedWords`): "Needed again" and a due
 * date's "Corrected".
 */
const TELLS_OWED_WORDS: ReadonlySet<string> = new Set(['step_reopened', 'end_corrected']);

/**
 * What the outbox row of an email no longer owed says, by the status in the read model of the step it asks for: its
 * own, or for an expiry reminder the one owed before the end (`owed`).
 */
function notSentBecause(status: string, owed = false): string {
  const step = owed ? 'the step it asks for' : 'the step';
  return `not sent: ${step} ${SETTLED_AS[status] ?? 'was no longer open'} before the email could go out`;
}

/** A step no longer pending, as the outbox row says it to people (the case page's reminders list shows it). */
const SETTLED_AS: Readonly<Record<string, string>> = {
  completed: 'was done',
  declined: 'was declined',
  expired: 'had expired',
  cancelled: 'was cancelled',
};

/** What the outbox row of an email asking an agency to act on a step that moved to another agency says. */
const MOVED_AWAY = 'not sent: the step moved to another agency before the email could go out';

/**
 * Whether the step an unsent email asks its recipient to act on is no longer theirs: held now by another agency (a
 * transfer took it over), or the recipient no longer takes part in the case. An escalation asks the case's coordinator
 * to follow up on a step another agency holds: for it, only the coordinator's part counts.
 */
function movedAway(row: Notification, asked: AskedStep): boolean {
  if (!asked.recipientTakesPart) return true;
  return row.kind !== 'escalation' && asked.agencyId !== null && asked.agencyId !== row.recipientAgencyId;
}

/**
 * The step an unsent email asks for as it is now (its status, who holds it), when the read model has it: the row's own
 * step for a reminder, a due notice or an escalation; for an expiry reminder the step owed before the end that its row
 * recorded (none for one written before it was recorded, or when nothing was owed: it is sent). Null for any other
 * email.
 */
async function stepItAsksFor(db: Queryable, row: Notification): Promise<(AskedStep & { owed: boolean }) | null> {
  if (STEP_STILL_OPEN_KINDS.has(row.kind)) {
    const asked = await findAskedStep(db, row);
    return asked && { ...asked, owed: false };
  }
  if (row.kind !== 'expiry_reminder') return null;
  const owed = await findOwedStep(db, row);
  return owed && { ...owed, owed: true };
}

const FALLBACK_MESSAGE_ID_DOMAIN = 'relief-cases.invalid';
/** Well under the delivery activity's heartbeat timeout (workflows/notification-delivery.ts). */
const HEARTBEAT_INTERVAL_MS = 1_000;
/**
 * At most this many earlier emails held back by an outage go out before an attempt's own (`heldBackBefore`): the
 * rest are sent by the next attempt to that address, or by their own.
 */
const HELD_BACK_SENT_FIRST = 20;

/** The domain of "Name <user@example.org>" or "user@example.org". */
function senderDomain(from: string): string {
  return /@([A-Za-z0-9.-]+)>?\s*$/.exec(from)?.[1] ?? FALLBACK_MESSAGE_ID_DOMAIN;
}

/** Same notification, same Message-ID, on every attempt and every process. Hashed so the header reveals nothing. */
export function notificationMessageId(notificationId: string, from: string): string {
  const digest = createHash('sha256').update(notificationId).digest('hex').slice(0, 40);
  return `<notification.${digest}@${senderDomain(from)}>`;
}

/**
 * Starts the row's delivery workflow, or finds it already started (running or done) by an earlier attempt: for a
 * notification just recorded (`notify`), and for the reminders a daily digest turned off was to carry
 * (app/daily-digests.ts). Its id is the row's, and its send checks `sent_at` under the row's lock: never twice.
 */
export async function startDelivery(
  temporal: NotificationDeps['temporal'],
  row: Notification,
  kind: NotifiedKind,
): Promise<void> {
  const input: DeliveryInput = {
    caseId: row.caseId,
    alarmId: row.alarmId,
    stepId: row.stepId,
    kind,
    recipientAgencyId: row.recipientAgencyId,
  };
  await temporal.client.workflow
    .start(DELIVERY_WORKFLOW_TYPE, {
      workflowId: deliveryWorkflowIdOf(row.deliveryId),
      taskQueue: temporal.taskQueue,
      args: [input],
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    })
    .catch((error: unknown) => {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    });
}

/**
 * Has the agency's gathering of notices of what passed (workflows/passed-notices.ts) send the unsent ones with the
 * next email it sends: starts it, or tells the one gathering that another came. Called again (a retried activity), it
 * at most delays that email by its quiet time; the rows, not the signals, say what the email lists. `urgent`: one of
 * them urges HHS before a minor turns 18, so the email goes out at once, not once the caseload is in.
 */
export async function gatherPassedNotices(
  temporal: NotificationDeps['temporal'],
  agencyId: string,
  urgent = false,
): Promise<void> {
  const { passedNoticeGatherMs: quietMs } = temporal;
  const input: PassedNoticesInput = quietMs === undefined ? { agencyId } : { agencyId, quietMs };
  await temporal.client.workflow.signalWithStart(PASSED_NOTICES_WORKFLOW_TYPE, {
    workflowId: passedNoticesWorkflowIdOf(agencyId),
    taskQueue: temporal.taskQueue,
    args: [input],
    signal: passedNoticeSignal,
    // Said only when urgent: a notice's signal otherwise carries nothing, as before.
    signalArgs: urgent ? [{ urgent }] : [],
  });
}

/**
 * The steps still owed before the ends an alarm's email names, by the kind of step whose window it is: the expiry
 * reminder's own, or those of the expiry leads a notice of what passed lists, so that both word a lead alike.
 */
function owedBeforeTheEnds(
  steps: readonly StepAsRead[],
  input: NotifyInput,
): { owed: Partial<Record<string, OwedStep>>; stepIds: Partial<Record<string, string>> } {
  const leads =
    input.kind === 'expiry_reminder'
      ? [input.stepKind]
      : (input.passed ?? []).filter((alarm) => alarm.kind === 'expiry_reminder').map((alarm) => alarm.stepKind);
  const owed: Partial<Record<string, OwedStep>> = {};
  const stepIds: Partial<Record<string, string>> = {};
  for (const windowKind of new Set(leads)) {
    const stepKind = OWED_BEFORE_THE_END[windowKind];
    const pending = stepKind ? latestPending(steps, stepKind) : undefined;
    if (!stepKind || !pending) continue;
    owed[windowKind] = { stepKind, dueAt: pending.dueAt };
    stepIds[windowKind] = pending.stepId;
  }
  return { owed, stepIds };
}

/** The notify activity, which records the notification, and the two its delivery workflow runs. */
export function createNotificationActivities(deps: NotificationDeps) {
  const { pool, publicBaseUrl, temporal, logger } = deps;

  /** The outbox row for this alarm, written on the first attempt with the recipient and text as they are then. */
  async function outboxRow(input: NotifyInput): Promise<Notification> {
    const existing = await findNotification(pool, input);
    if (existing) return existing;
    // When the alarm fired (the activity's first scheduling, on the workflow's clock), not when an attempt runs.
    const raisedAt = new Date(Context.current().info.scheduledTimestampMs);
    // The agency's row is held until the row is written: turning its digest off meanwhile waits, then finds this
    // reminder folded and emails it (db/agencies.ts setDailyDigest).
    return inTransaction(pool, async (client) => {
      const recipient = await findRecipient(client, input.recipientAgencyId, { lock: 'share' });
      // Retryable on purpose: an organisation missing from the directory is fixed by an operator, and the reminder
      // should then go out rather than be dropped.
      if (!recipient)
        throw new Error(
          `notification ${input.caseId}/${input.alarmId}: agency ${input.recipientAgencyId} is not in the agencies table`,
        );
      const timeZone = recipient.timeZone ?? deps.timeZone ?? 'UTC';
      // The zone the case was identified in, its deadlines' last days read there (core/people-dates.ts `zonesCountedIn`).
      const deadlineZones = await caseDeadlineTimeZones(client, input.caseId, deps.timeZone ?? 'UTC');
      // The case's reference as readers know it now: a correction of the survivor's identity may have replaced the one
      // the workflow holds (app/survivor-records.ts), which must then reach no email.
      const reference = (await caseReference(client, input.caseId)) ?? input.reference;
      const steps = await caseStepsAsRead(client, input.caseId);
      const step = stepById(steps, input.stepId);
      // An escalation names the agency that must act and how to reach it, as the console's lists of steps do.
      const ownerId = input.kind === 'escalation' ? step?.agencyId : null;
      const owner = ownerId ? await findRecipient(client, ownerId) : null;
      // An expiry lead names what to do before the end, as the console lists it: the step owed and its date.
      const { owed, stepIds: owedStepIds } = owedBeforeTheEnds(steps, input);
      // A step owed again, or its due date corrected, is said overdue as the console says it: a deadline that is a
      // day only once that day has ended (`dueOnADay`, which the read model holds by the step's id).
      const dueOnADay = TELLS_OWED_WORDS.has(input.kind) && step?.dueOnADay === true;
      // A withdrawn or reopened step's email names who corrected: the agency by its name, the coordinator as such.
      const corrector = input.corrected ? await findAgency(pool, input.corrected.byAgencyId) : null;
      // A former agency's email names the one now in its place, by the directory's name.
      const holder = input.nowHeldBy === undefined ? null : await findAgency(pool, input.nowHeldBy);
      const email = renderNotification({
        kind: input.kind,
        caseId: input.caseId,
        reference,
        stepKind: input.stepKind,
        agencyName: recipient.name,
        timeZone,
        deadlineZones,
        dueAt: input.dueAt,
        about: input.about,
        passed: input.passed,
        was: input.was,
        endNow: input.endNow,
        outcome: input.outcome,
        refusedBefore: input.refusedBefore,
        nowHeldBy: input.nowHeldBy === undefined ? undefined : (holder?.name ?? 'another agency'),
        again: input.again,
        secondOf: input.secondOf,
        ground: input.ground,
        raisedAt: raisedAt.toISOString(),
        ...(dueOnADay ? { dueOnADay } : {}),
        corrected: input.corrected && {
          stepKind: input.corrected.stepKind,
          by: !corrector || corrector.kind === 'coordinator' ? 'The coordinator' : corrector.name,
        },
        publicBaseUrl,
        actingAgency: owner ? { name: owner.name, email: owner.email } : undefined,
        owed,
      });
      const folded =
        recipient.dailyDigest && recipient.email !== null ? foldedInto(input, raisedAt, timeZone, deadlineZones) : null;
      // A notice of what passed is listed by the digest it is folded into, which must not be written already.
      const digestDate =
        folded && input.kind === 'passed_summary'
          ? await digestStillToWrite(client, recipient.agencyId, folded)
          : folded;
      if (digestDate) {
        logger?.info(
          { caseId: input.caseId, stepId: input.stepId, kind: input.kind, agencyId: recipient.agencyId, digestDate },
          "notification recorded in-app only: the agency's next daily digest lists it",
        );
      }
      return enqueue(client, {
        caseId: input.caseId,
        alarmId: input.alarmId,
        reference,
        stepId: input.stepId,
        stepKind: input.stepKind,
        kind: input.kind,
        recipientAgencyId: recipient.agencyId,
        // No address: the email is not owed, for the digest carries it (unless the digest is turned off first).
        recipientEmail: digestDate ? null : recipient.email,
        subject: email.subject,
        bodyText: email.text,
        dueAt: input.dueAt,
        digestDate: digestDate ?? undefined,
        // The step an expiry reminder asks for, which its text names: the email is not sent once it is done.
        owedStepId: input.kind === 'expiry_reminder' ? owedStepIds[input.stepKind] : undefined,
      });
    });
  }

  return {
    /** Records the alarm's notification and, when its agency has an address, starts the email's delivery. */
    async notify(input: NotifyInput): Promise<NotifyResult> {
      const row = await outboxRow(input);
      if (row.sentAt) return { notificationId: row.id, delivery: 'sent' };
      if (!row.recipientEmail) {
        logger?.info(
          { notificationId: row.id, caseId: row.caseId, stepId: row.stepId, kind: row.kind },
          'notification recorded in-app only: no email is owed (no address, or the daily digest lists it)',
        );
        return { notificationId: row.id, delivery: 'in_app' };
      }
      if (input.kind === 'passed_summary')
        await gatherPassedNotices(temporal, row.recipientAgencyId, isUrgentPassedNotice(row));
      else await startDelivery(temporal, row, input.kind);
      return { notificationId: row.id, delivery: 'email' };
    },
    ...createDeliveryActivities(deps),
  };
}

/** Sending an email and reporting one that keeps failing: what a delivery workflow asks for. */
export function createDeliveryActivities({
  pool,
  mailPool = pool,
  mailer,
  from,
  publicBaseUrl,
  logger,
  now,
  timeZone,
}: DeliveryDeps) {
  /**
   * Emails the server accepted whose sent_at is not committed yet, by notification id: a slow send can outlive its
   * database connection (PostgreSQL restarted meanwhile), which takes the row lock with it, so the commit fails after
   * the email went out. Recorded on another connection at once when PostgreSQL answers (`recordAcceptedApart`);
   * otherwise the retry, by this process, records the send instead of making it again.
   */
  const acceptedNotRecorded = new Map<string, Date>();

  /** A send's attempt: its transaction on a mail connection, heartbeating all along (`heartbeating`). */
  const inMailTransaction = <T>(attempt: (client: PoolClient) => Promise<T>): Promise<T> =>
    heartbeating(() => inTransaction(mailPool, attempt));

  /**
   * Records, on a connection of the service's pool, the sends the server accepted whose transaction failed (its
   * connection, and with it the row lock, lost during the send): the retry may be taken up by another worker process,
   * which does not remember them, and must find them sent. A send this cannot record yet (PostgreSQL still down) stays
   * remembered: a retry in this process records it then.
   */
  async function recordAcceptedApart(notificationIds: string[]): Promise<void> {
    for (const id of notificationIds) {
      const accepted = acceptedNotRecorded.get(id);
      if (!accepted) continue;
      try {
        await markSent(pool, id, accepted);
      } catch {
        continue;
      }
      acceptedNotRecorded.delete(id);
      logger?.info({ notificationId: id }, 'email sent; its sending is recorded on another connection');
    }
  }

  /**
   * Sends one unsent row's email, locked by the caller's transaction (`client`), and records it sent, unless it was
   * accepted before without being recorded (then only recorded), or its step was done, or handed to another agency,
   * meanwhile (then settled as not sent). Its id goes into `recording` once the server accepted it, for the caller to
   * record apart should the transaction fail. Answers the failure, recorded on the row, for the caller to throw after
   * the commit.
   */
  async function sendRow(
    client: PoolClient,
    row: Notification,
    recording: string[],
  ): Promise<{ sentAt: Instant | null; failure?: Error }> {
    const ids = { notificationId: row.id, caseId: row.caseId, stepId: row.stepId, kind: row.kind };
    const accepted = acceptedNotRecorded.get(row.id);
    if (accepted) {
      recording.push(row.id);
      await markSent(client, row.id, accepted);
      logger?.info(ids, 'notification email sent earlier; its sending is recorded now');
      return { sentAt: accepted.toISOString() };
    }
    // Written when the alarm fired, and not sent yet (an acceptance is recorded above): an outage may have held it
    // back until the step it asks for was done. Read under the row's lock, in this transaction: a step done after
    // this read is done after the email went out.
    const asked = await stepItAsksFor(client, row);
    if (asked && asked.status !== 'pending') {
      await markNotSent(client, row.id, notSentBecause(asked.status, asked.owed), await now());
      logger?.info(
        { ...ids, askedStepId: asked.stepId, stepStatus: asked.status },
        'notification email not sent: the step it asks for is no longer open',
      );
      return { sentAt: null };
    }
    // Nor is one asking an agency to act on a step a transfer handed to another meanwhile: not redirected either, for
    // the new agency's transfer email lists the step with its due date, and the step's next alarms go to it.
    if (asked && movedAway(row, asked)) {
      await markNotSent(client, row.id, MOVED_AWAY, await now());
      logger?.info(
        { ...ids, askedStepId: asked.stepId, holderAgencyId: asked.agencyId },
        'notification email not sent: the step it asks for moved to another agency',
      );
      return { sentAt: null };
    }
    const failure = await send(mailer, {
      from,
      to: row.recipientEmail!,
      ...shownInPlainText({ subject: row.subject, text: row.bodyText }),
      messageId: notificationMessageId(row.id, from),
    });
    if (failure) {
      await recordFailure(client, row.id, failureRecorded(failure), await now());
      countDelivery('relief_notification_send_failures', row.kind);
      logger?.warn({ ...ids, err: failure }, `notification email not sent: ${SEND_RETRIED}`);
      return { sentAt: null, failure };
    }
    const sentAt = await now();
    acceptedNotRecorded.set(row.id, sentAt);
    countDelivery('relief_notifications_sent', row.kind);
    recording.push(row.id);
    await markSent(client, row.id, sentAt);
    logger?.info(ids, 'notification email sent');
    return { sentAt: sentAt.toISOString() };
  }

  /**
   * Tells the coordinator of the row's case, in the app, that its email keeps failing: one notice per row, keyed by
   * its alarm, so reporting it again writes nothing. Answers since when it has been failing.
   */
  async function reportFailing(row: Notification): Promise<Instant> {
    const since = row.failingSince ?? (await now()).toISOString();
    const coordinator = await coordinatorOf(pool, row.caseId);
    if (coordinator) {
      const notice = renderNotification({
        kind: 'delivery_failing',
        caseId: row.caseId,
        reference: row.reference,
        stepKind: row.stepKind,
        agencyName: coordinator.name,
        timeZone: coordinator.timeZone ?? timeZone ?? 'UTC',
        dueAt: since,
        publicBaseUrl,
        // By its name, as a person knows it: the coordinator reaches that agency another way.
        failedRecipient: (await findRecipient(pool, row.recipientAgencyId))?.name ?? row.recipientAgencyId,
        failedKind: row.kind,
        failedAddressRefused: row.lastError?.startsWith(ADDRESS_REFUSED) === true,
      });
      await enqueue(pool, {
        caseId: row.caseId,
        alarmId: `${row.alarmId}:delivery_failing`,
        reference: row.reference,
        stepId: row.stepId,
        // A gathered "Brought up to date" email is about no one step: the dashboard names it by its kind.
        stepKind: row.kind === 'passed_summary' ? row.kind : row.stepKind,
        kind: 'delivery_failing',
        recipientAgencyId: coordinator.agencyId,
        recipientEmail: null,
        subject: notice.subject,
        bodyText: notice.text,
        dueAt: since,
      });
    }
    logger?.warn(
      { notificationId: row.id, caseId: row.caseId, stepId: row.stepId, since },
      'notification email failing; coordinator told in the app',
    );
    return since;
  }

  return {
    /**
     * Sends the notification's email unless it was sent already (the row lock makes concurrent attempts take turns);
     * throws, to be retried, while the server fails.
     */
    async deliverNotification(key: NotificationKey): Promise<{ sentAt: Instant | null }> {
      /** The notifications whose send this attempt records, forgotten once its transaction committed. */
      const recording: string[] = [];
      const outcome = await inMailTransaction(async (client): Promise<{ sentAt: Instant | null; failure?: Error }> => {
        const row = await findNotification(client, key, { forUpdate: true });
        if (!row?.recipientEmail) return { sentAt: null };
        if (row.sentAt) {
          acceptedNotRecorded.delete(row.id);
          return { sentAt: row.sentAt };
        }
        // Emails to the same address held back by an outage before this one go first, oldest first: after an outage
        // each email's own retry comes on its own backoff, the newest soonest (and a new one at once), and its
        // recipient would read the latest reminder before the earlier ones. Rows another attempt holds are left to it
        // (never waited for); their own retries later find them sent.
        for (const earlier of await heldBackBefore(client, row, HELD_BACK_SENT_FIRST)) {
          const sent = await sendRow(client, earlier, recording);
          // That email alone refused (554 as spam, 552 too big): it stays failing, retried on its own, and holds back
          // none after it, which the server may well take.
          if (sent.failure && refusesThatMessageAlone(sent.failure)) continue;
          // The server failing again: this attempt fails, recorded on its own row too, and is retried.
          if (sent.failure) {
            await recordFailure(client, row.id, failureRecorded(sent.failure), await now());
            return sent;
          }
        }
        return sendRow(client, row, recording);
      }).catch(async (error: unknown) => {
        if (recording.length > 0) await recordAcceptedApart(recording);
        throw error;
      });
      // Committed: nothing is left to record. After a failed commit those not recorded apart stay, for the retry.
      for (const id of recording) acceptedNotRecorded.delete(id);
      // Thrown after the transaction committed the failure, so the row keeps the attempt count and last error.
      if (outcome.failure) throw outcome.failure;
      return { sentAt: outcome.sentAt };
    },

    /**
     * One email listing every notice of what passed the agency is owed (workflows/passed-notices.ts), to each address
     * they hold (one: a change of the agency's address readdresses every email still owed, db/notifications.ts
     * `readdressOwedEmails`), sent while their rows are locked and recorded sent
     * together: a concurrent or retried attempt waits, then finds them sent. As for a single notification, one the
     * server accepted whose sending could not be recorded is recorded by the retry, and the Message-ID is derived
     * from the rows listed, so a resend of the same email after a crash carries the same one. Throws, to be retried,
     * while the server fails; what is sent by then stays sent.
     */
    async deliverPassedNotices(input: { agencyId: string }): Promise<{ sent: number }> {
      const recorded: string[] = [];
      const outcome = await inMailTransaction(async (client): Promise<{ sent: number; failure?: Error }> => {
        const owed: Notification[] = [];
        for (const row of await passedNoticesOwed(client, input.agencyId)) {
          const accepted = acceptedNotRecorded.get(row.id);
          if (!accepted) owed.push(row);
          else {
            recorded.push(row.id);
            await markSent(client, row.id, accepted);
          }
        }
        if (owed.length === 0) return { sent: 0 };
        const agencyName = (await findRecipient(client, input.agencyId))?.name ?? input.agencyId;
        const byAddress = new Map<string, Notification[]>();
        for (const row of owed) {
          const to = row.recipientEmail ?? '';
          byAddress.set(to, [...(byAddress.get(to) ?? []), row]);
        }
        let sent = 0;
        for (const [to, rows] of byAddress) {
          const notificationIds = rows.map((row) => row.id);
          const ids = { agencyId: input.agencyId, notificationIds };
          const email = renderPassedNotices(agencyName, rows);
          const failure = await send(mailer, {
            from,
            to,
            ...shownInPlainText(email),
            messageId: notificationMessageId(notificationIds.join(' '), from),
          });
          if (failure) {
            const at = await now();
            for (const row of rows) await recordFailure(client, row.id, failureRecorded(failure), at);
            countDelivery('relief_notification_send_failures', 'passed_summary');
            logger?.warn({ ...ids, err: failure }, `notices of what passed not sent: ${SEND_RETRIED}`);
            return { sent, failure };
          }
          const sentAt = await now();
          countDelivery('relief_notifications_sent', 'passed_summary');
          for (const row of rows) {
            acceptedNotRecorded.set(row.id, sentAt);
            recorded.push(row.id);
          }
          for (const row of rows) await markSent(client, row.id, sentAt);
          sent += rows.length;
          logger?.info(ids, 'notices of what passed sent in one email');
        }
        return { sent };
      }).catch(async (error: unknown) => {
        await recordAcceptedApart(recorded);
        throw error;
      });
      // Committed: nothing is left to record. After a failed commit those not recorded apart stay, for the retry.
      for (const id of recorded) acceptedNotRecorded.delete(id);
      if (outcome.failure) throw outcome.failure;
      return { sent: outcome.sent };
    },

    /**
     * An email that keeps failing: tells the case's coordinator in the app (never by email, which is what fails) and
     * answers since when it has been failing.
     */
    async reportDeliveryFailing(key: NotificationKey): Promise<Instant> {
      const row = await findNotification(pool, key);
      if (!row) throw new Error(`notification ${key.caseId}/${key.alarmId} is not in the outbox`);
      return reportFailing(row);
    },

    /**
     * The agency's gathered email of notices of what passed that keeps failing: each notice it lists is reported as a
     * single notification's is (its case's coordinator told in the app, once per notice however long it fails).
     */
    async reportPassedNoticesFailing(input: { agencyId: string }): Promise<{ reported: number }> {
      const owed = await passedNoticesOwed(pool, input.agencyId);
      for (const row of owed) await reportFailing(row);
      return { reported: owed.length };
    },
  };
}

/**
 * Runs a send's attempt heartbeating from its start to its end: while it waits for a mail connection and for its rows'
 * lock (behind a send that hangs) as while the server talks. An attempt waiting silently would be timed out by
 * Temporal and retried while it still runs; and if this worker dies, Temporal retries within the heartbeat timeout
 * instead of waiting out the whole attempt. A heartbeat is also how the attempt learns it was timed out or cancelled.
 */
async function heartbeating<T>(attempt: () => Promise<T>): Promise<T> {
  const context = Context.current();
  const beating = setInterval(() => context.heartbeat(), HEARTBEAT_INTERVAL_MS);
  try {
    return await attempt();
  } finally {
    clearInterval(beating);
  }
}

/**
 * Sends one email, unless Temporal gave up on this attempt (its heartbeat timed out, or it was cancelled) while it
 * waited: the attempt that replaces it sends, and both must not. Answers the failure, if any, for the caller to record.
 */
async function send(mailer: Transporter, message: SendMailOptions): Promise<Error | undefined> {
  Context.current().cancellationSignal.throwIfAborted();
  try {
    await mailer.sendMail(message);
    return undefined;
  } catch (thrown) {
    // Not `instanceof Error` alone: a socket error may come from another realm (jest's sandbox, a worker thread).
    return thrown instanceof Error
      ? thrown
      : new Error(
          typeof thrown === 'object' && thrown !== null && 'message' in thrown
            ? String(thrown.message)
            : 'SMTP send failed',
        );
  }
}

/**
 * Whether a failed send was the server refusing that message itself, not the address it goes to nor every message: a
 * reply to its DATA (554 5.7.1 rejected as spam, 552 5.3.4 too big), or a size over the one the server announced.
 * nodemailer says so by the code `EMESSAGE`; a refused recipient is `EENVELOPE`, an outage `ECONNECTION`, `ESOCKET`...
 */
function refusesThatMessageAlone(failure: Error): boolean {
  return 'code' in failure && failure.code === 'EMESSAGE';
}

/** How a failure the server answered with a permanent refusal of the recipient begins on its row (`last_error`). */
const ADDRESS_REFUSED = 'the address is refused: ';

/**
 * A failed send as its row records it (`last_error`, `lastError` in the API): the error's message, after
 * `ADDRESS_REFUSED` when the server refused the recipient for good (5xx to RCPT TO: 550 5.1.1 no such user), which
 * no retry mends and the coordinator's notice of a failing email says so (`reportFailing`).
 */
function failureRecorded(failure: Error): string {
  const refused =
    'code' in failure &&
    failure.code === 'EENVELOPE' &&
    'command' in failure &&
    failure.command === 'RCPT TO' &&
    'responseCode' in failure &&
    typeof failure.responseCode === 'number' &&
    failure.responseCode >= 500;
  return refused ? `${ADDRESS_REFUSED}${failure.message}` : failure.message;
}

/**
 * What a failed send's log line says beside its error (`err`: the SMTP server's reply, or why it could not be reached),
 * so whoever is on call learns from the line what it means and where to look: the error alone named neither.
 */
const SEND_RETRIED =
  'the SMTP server refused it or could not be reached (err says which; every email failing alike points at SMTP_URL ' +
  "or the server, one agency's at its address); retried with backoff until sent, see docs/runbook.md, " +
  '"A reminder keeps failing"';

/**
 * Counts an email sent or a failed attempt on the activity's metric meter: the Temporal SDK's metrics of this worker
 * process (TEMPORAL_METRICS_ADDRESS, temporal/worker.ts), tagged with the notification's kind, never its case.
 */
function countDelivery(name: 'relief_notifications_sent' | 'relief_notification_send_failures', kind: string): void {
  Context.current().metricMeter.createCounter(name, 'emails').add(1, { notification_kind: kind });
}

/** The coordinator organisation of a case, from the read model. */
async function coordinatorOf(pool: Pool, caseId: string) {
  const { rows } = await pool.query<{ agency_id: string | null }>(
    `SELECT agencies ->> 'coordinator' AS agency_id FROM cases WHERE id = $1`,
    [caseId],
  );
  const agencyId = rows[0]?.agency_id;
  return agencyId ? findRecipient(pool, agencyId) : null;
}
