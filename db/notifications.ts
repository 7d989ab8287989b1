/**
 * The notification outbox. A row is written once per alarm of a case, keyed by the case and the alarm (an alarm id is
 * unique within its case only), and then moves only forward: attempts, last error and the time delivery started
 * failing on each failed send; sent_at once the SMTP server accepted the message; or not_sent_at, with last_error
 * saying why, once its email is no longer owed (`markNotSent`).
 */
import { NOTIFIED_KINDS, type NotificationKind, type NotifiedKind } from '../domain/case-state';
import type { Queryable } from './pool';
import { InvalidCursorError } from './read-model';
import type { Instant } from '../domain/types';
import type { EmailOutcome } from '../domain/alarms';

export interface NewNotification {
  caseId: string;
  /** The workflow's alarm id: with the case id, the same alarm always maps to the same row. */
  alarmId: string;
  reference: string;
  stepId: string;
  stepKind: string;
  kind: NotificationKind;
  recipientAgencyId: string;
  /** Null when the agency has no address, or its daily digest lists it (`digestDate`): in-app only. */
  recipientEmail: string | null;
  subject: string;
  bodyText: string;
  /** Null when the date derives from a birth date (a minor's 18th birthday), which no notification carries. */
  dueAt: Instant | null;
  /**
   * A reminder, or a notice of what passed, folded into the agency's daily digest: the local date (YYYY-MM-DD) of the
   * digest that lists it instead of an email (activities/digest.ts `foldedInto`). Written, never read back:
   * `releaseFoldedReminders`, `foldedRemindersOwed` and `claimPassedNoticesFor` use it.
   */
  digestDate?: string;
  /**
   * For an expiry reminder: the step it asks for, pending when it was written (the renewal request a CP grant opened).
   * Written, never read back into a Notification: `findOwedStep` reads it when the email is to go out.
   */
  owedStepId?: string;
}

export interface Notification extends NewNotification {
  /** `<caseId>/<alarmId>`: unique across cases, derived by the database. */
  id: string;
  /** Random, made with the row: names the workflow delivering its email (`notification-<deliveryId>`). */
  deliveryId: string;
  createdAt: Instant;
  sentAt: Instant | null;
  attempts: number;
  lastError: string | null;
  /**
   * When sending first failed, until it succeeds or is settled as no longer owed: the email is late and still being
   * retried. A settled one has `lastError` "not sent: …" and neither `sentAt` nor `failingSince`.
   */
  failingSince: Instant | null;
}

export interface NotificationFilter {
  caseId?: string;
  agencyId?: string;
  /** Only notifications of cases this agency takes part in. */
  participantAgencyId?: string;
  /** Only notifications whose email is still owed (an address, not yet sent, not settled as no longer owed). */
  unsentOnly?: boolean;
  /** Leave out the alarms about these subjects (a minor's 18th birthday, for who may not read the identity). */
  withoutSubjects?: readonly string[];
  limit: number;
  /** `nextCursor` of the previous page. */
  cursor?: string;
}

/**
 * For a `delivery_failing` notice, how the email it is about fared since: still `failing` (or no longer known),
 * `sent` at last, or `not_sent`: settled as no longer owed (its step done, cancelled or moved to another agency before it could go out), with the reason.
 */
interface FailedEmailOutcome {
  status: 'failing' | 'sent' | 'not_sent';
  /** When it was sent or settled; null while failing. */
  at: Instant | null;
  /** Why it was not sent ("not sent: the step was done before the email could go out"); null otherwise. */
  reason: string | null;
}

/** A notification as the list answers it: a `delivery_failing` notice with how its email fared (else null). */
type ListedNotification = Notification & { failedEmail: FailedEmailOutcome | null };

export interface NotificationPage {
  items: ListedNotification[];
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

interface NotificationRow {
  id: string;
  delivery_id: string;
  case_id: string;
  alarm_id: string;
  reference: string;
  step_id: string;
  step_kind: string;
  kind: NotificationKind;
  recipient_agency_id: string;
  recipient_email: string | null;
  subject: string;
  body_text: string;
  due_at: Date | null;
  created_at: Date;
  sent_at: Date | null;
  attempts: number;
  last_error: string | null;
  failing_since: Date | null;
}

const MAX_PAGE_SIZE = 500;
/** Enough to diagnose an SMTP failure without letting a chatty server fill the table. */
const MAX_ERROR_LENGTH = 1_000;

function fromRow(row: NotificationRow): Notification {
  return {
    id: row.id,
    deliveryId: row.delivery_id,
    caseId: row.case_id,
    alarmId: row.alarm_id,
    reference: row.reference,
    stepId: row.step_id,
    stepKind: row.step_kind,
    kind: row.kind,
    recipientAgencyId: row.recipient_agency_id,
    recipientEmail: row.recipient_email,
    subject: row.subject,
    bodyText: row.body_text,
    dueAt: row.due_at ? row.due_at.toISOString() : null,
    createdAt: row.created_at.toISOString(),
    sentAt: row.sent_at ? row.sent_at.toISOString() : null,
    attempts: row.attempts,
    lastError: row.last_error,
    failingSince: row.failing_since ? row.failing_since.toISOString() : null,
  };
}

/** A case id as the read model keys it; an outbox row of no case (a digest's) has another. */
const UUID_PATTERN = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';

/**
 * A stored notice as its case is known now: by the case's current reference (`current`), in its subject and text too,
 * where it was written with the reference of its time. A reference replaced because it said who the survivor is
 * (app/survivor-records.ts) is then never shown again by a notice written before. The row keeps what was written.
 */
function withReference<N extends Notification>(notice: N, current: string | null): N {
  if (current === null || current === notice.reference) return notice;
  const escaped = notice.reference.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  // As a whole code only: PD-12 in PD-123 is another reference.
  const stored = new RegExp(`(?<![A-Za-z0-9-])${escaped}(?![A-Za-z0-9-])`, 'g');
  const renamed = (text: string) => text.replace(stored, () => current);
  return { ...notice, reference: current, subject: renamed(notice.subject), bodyText: renamed(notice.bodyText) };
}

/**
 * The case's reference now, from the read model, as the column `current_reference` of a query of `notifications`. In
 * the select list, so a query that locks its notifications (FOR UPDATE) locks no case.
 */
const CURRENT_REFERENCE = `(SELECT reference FROM cases
                              WHERE id = CASE WHEN notifications.case_id ~ '${UUID_PATTERN}' THEN notifications.case_id::uuid END
                           ) AS current_reference`;

type RowKnownNow = NotificationRow & { current_reference: string | null };

/**
 * A row as its case is known now (`withReference`): what the outbox lists and what a delivery sends, so an email held
 * back by an outage while the reference was replaced goes out under the new one. The row keeps what was written.
 */
function knownNow(row: RowKnownNow): Notification {
  return withReference(fromRow(row), row.current_reference);
}

/**
 * The notification of a case's alarm, under the case's reference now (`knownNow`); `forUpdate` locks it so concurrent
 * senders take turns.
 */
export async function findNotification(
  db: Queryable,
  key: { caseId: string; alarmId: string },
  options: { forUpdate?: boolean } = {},
): Promise<Notification | null> {
  const lock = options.forUpdate ? ' FOR UPDATE' : '';
  const { rows } = await db.query<RowKnownNow>(
    `SELECT *, ${CURRENT_REFERENCE} FROM notifications WHERE case_id = $1 AND alarm_id = $2${lock}`,
    [key.caseId, key.alarmId],
  );
  return rows[0] ? knownNow(rows[0]) : null;
}

/** Adds the row, or returns the one already there for the same case and alarm unchanged (first write wins). */
export async function enqueue(db: Queryable, n: NewNotification): Promise<Notification> {
  const { rows } = await db.query<NotificationRow>(
    `INSERT INTO notifications
       (case_id, alarm_id, reference, step_id, step_kind, kind, recipient_agency_id, recipient_email, subject, body_text, due_at,
        digest_date, owed_step_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
     ON CONFLICT (case_id, alarm_id) DO NOTHING
     RETURNING *`,
    [
      n.caseId,
      n.alarmId,
      n.reference,
      n.stepId,
      n.stepKind,
      n.kind,
      n.recipientAgencyId,
      n.recipientEmail,
      n.subject,
      n.bodyText,
      n.dueAt,
      n.digestDate ?? null,
      n.owedStepId ?? null,
    ],
  );
  const row = rows[0];
  if (row) return fromRow(row);
  const existing = await findNotification(db, n);
  if (!existing) throw new Error(`notification ${n.caseId}/${n.alarmId} conflicted on insert but cannot be read`);
  return existing;
}

/** Records the send; the first time wins, so a repeated call never moves sent_at. Delivery is no longer failing. */
export async function markSent(db: Queryable, id: string, sentAt: Date): Promise<void> {
  await db.query(
    'UPDATE notifications SET sent_at = COALESCE(sent_at, $2), attempts = attempts + 1, last_error = NULL, failing_since = NULL WHERE id = $1',
    [id, sentAt],
  );
}

/**
 * Settles an unsent row whose email is no longer owed (its step was done while a mail outage held it back): it is no
 * longer sent, retried, owed or failing, and `reason` is what the outbox shows for it. The first settling wins.
 */
export async function markNotSent(db: Queryable, id: string, reason: string, at: Date): Promise<void> {
  await db.query(
    `UPDATE notifications SET not_sent_at = COALESCE(not_sent_at, $3), last_error = $2, failing_since = NULL
      WHERE id = $1 AND sent_at IS NULL`,
    [id, reason.slice(0, MAX_ERROR_LENGTH), at],
  );
}

/**
 * A case's step as an unsent email that asks for it reads it at send time, in one read: its status in the read model,
 * the agency that holds it now (null for none) and whether the email's recipient still takes part in the case (a
 * transfer away ends it).
 */
export interface AskedStep {
  stepId: string;
  status: string;
  agencyId: string | null;
  recipientTakesPart: boolean;
}

/** A case's step as `recipientAgencyId`'s email asks for it (`AskedStep`); null when the read model has no such step. */
export async function findAskedStep(
  db: Queryable,
  notification: { caseId: string; stepId: string; recipientAgencyId: string },
): Promise<AskedStep | null> {
  const { rows } = await db.query<AskedStepRow>(
    `SELECT s.step_id, s.status, s.agency_id, $3 = ANY (c.agency_ids) AS takes_part
       FROM case_steps s JOIN cases c ON c.id = s.case_id
      WHERE s.case_id = $1 AND s.step_id = $2`,
    [notification.caseId, notification.stepId, notification.recipientAgencyId],
  );
  return askedStepOf(rows[0]);
}

/**
 * The step an expiry reminder asks for (`owedStepId`, recorded when it was written) as it reads it now (`AskedStep`);
 * null for a row that records none (another kind, or written before it was recorded) or a step no longer there.
 */
export async function findOwedStep(
  db: Queryable,
  notification: { id: string; caseId: string; recipientAgencyId: string },
): Promise<AskedStep | null> {
  const { rows } = await db.query<AskedStepRow>(
    `SELECT s.step_id, s.status, s.agency_id, $3 = ANY (c.agency_ids) AS takes_part FROM notifications n
       JOIN case_steps s ON s.case_id = $2 AND s.step_id = n.owed_step_id
       JOIN cases c ON c.id = s.case_id
      WHERE n.id = $1`,
    [notification.id, notification.caseId, notification.recipientAgencyId],
  );
  return askedStepOf(rows[0]);
}

interface AskedStepRow {
  step_id: string;
  status: string;
  agency_id: string | null;
  takes_part: boolean | null;
}

const askedStepOf = (row: AskedStepRow | undefined): AskedStep | null =>
  row
    ? { stepId: row.step_id, status: row.status, agencyId: row.agency_id, recipientTakesPart: row.takes_part === true }
    : null;

/** Counts a failed send; the first failure starts the "failing since" clock. */
export async function recordFailure(db: Queryable, id: string, error: string, at: Date): Promise<void> {
  await db.query(
    'UPDATE notifications SET attempts = attempts + 1, last_error = $2, failing_since = COALESCE(failing_since, $3) WHERE id = $1 AND sent_at IS NULL AND not_sent_at IS NULL',
    [id, error.slice(0, MAX_ERROR_LENGTH), at],
  );
}

/** What the outbox row of an email says when its agency's notification address was removed before it went out. */
const ADDRESS_REMOVED = "not sent: the agency's notification address was removed before the email could go out";

/**
 * An agency's notification address set anew (or removed, `email` null): every email to the agency that is owed and
 * not sent yet (held back by a mail outage, or failing at the old address) goes to the address as it now is at its
 * next attempt; with none, it is in the app only, settled as not sent (`ADDRESS_REMOVED`), and no attempt sends it.
 * Rows without an address (in-app only, or folded into a daily digest) are left as they are: releasing those reads
 * the address then. A row being sent at this moment is waited for: sent, it stays sent; failed, it is readdressed.
 */
export async function readdressOwedEmails(
  db: Queryable,
  agencyId: string,
  email: string | null,
  at: Date,
): Promise<void> {
  const owed = 'recipient_agency_id = $1 AND recipient_email IS NOT NULL AND sent_at IS NULL AND not_sent_at IS NULL';
  if (email !== null)
    await db.query(`UPDATE notifications SET recipient_email = $2 WHERE ${owed} AND recipient_email <> $2`, [
      agencyId,
      email,
    ]);
  else
    await db.query(
      `UPDATE notifications SET recipient_email = NULL, not_sent_at = $3, last_error = $2, failing_since = NULL
        WHERE ${owed}`,
      [agencyId, ADDRESS_REMOVED, at],
    );
}

/**
 * Turning an agency's daily digest off: every reminder folded into one of its digests that was not sent (the digest
 * still to come, or written and never delivered) is owed by email after all, to the agency's address as it is now.
 * A reminder whose digest was sent stays as it is: that digest listed it. Answers how many were given the address.
 * A digest sent at this very moment may still count as unsent: its reminders are then emailed as well, twice told
 * rather than never.
 */
export async function releaseFoldedReminders(db: Queryable, agencyId: string, email: string): Promise<number> {
  const { rowCount } = await db.query(
    `UPDATE notifications n SET recipient_email = $2
      WHERE n.recipient_agency_id = $1 AND n.digest_date IS NOT NULL AND n.recipient_email IS NULL AND n.sent_at IS NULL
        AND NOT EXISTS (SELECT 1 FROM notifications d
                         WHERE d.case_id = 'digest:' || $1 AND d.alarm_id = to_char(n.digest_date, 'YYYY-MM-DD')
                           AND d.sent_at IS NOT NULL)`,
    [agencyId, email],
  );
  return rowCount ?? 0;
}

/**
 * The agency's folded reminders and notices of what passed whose email is owed and not yet sent
 * (`releaseFoldedReminders`), oldest first: each needs its delivery started (the notices, their gathering), and a
 * turn-off that is retried finds those whose start it may have missed.
 */
export async function foldedRemindersOwed(
  db: Queryable,
  agencyId: string,
): Promise<Array<Notification & { kind: NotifiedKind }>> {
  const { rows } = await db.query<NotificationRow>(
    `SELECT * FROM notifications
      WHERE recipient_agency_id = $1 AND digest_date IS NOT NULL AND recipient_email IS NOT NULL AND sent_at IS NULL
        AND not_sent_at IS NULL
      ORDER BY created_at, id`,
    [agencyId],
  );
  // Only alarms (reminders, due notices, expiry reminders) and notices of what passed are ever folded; the kind says
  // so to the type checker.
  return notifiedOnly(rows);
}

/**
 * The notices of these kinds whose email is owed and not yet sent, oldest first, at most `limit`: those a request
 * records outside any workflow, whose delivery it may have failed to start (app/owed-deliveries.ts).
 */
export async function unsentOfKinds(
  db: Queryable,
  kinds: readonly NotifiedKind[],
  limit: number,
): Promise<Array<Notification & { kind: NotifiedKind }>> {
  const { rows } = await db.query<NotificationRow>(
    `SELECT * FROM notifications
      WHERE sent_at IS NULL AND not_sent_at IS NULL AND recipient_email IS NOT NULL AND kind = ANY($1::text[])
      ORDER BY created_at, id
      LIMIT $2`,
    [kinds, limit],
  );
  return notifiedOnly(rows);
}

/**
 * The emails to `row`'s address written before it and held back by an outage (a send failed, and they are neither
 * sent nor settled), oldest first, at most `limit`, locked until the transaction ends; a row another attempt holds is
 * skipped, never waited for. Those gathered or folded (notices of what passed, digests) are sent their own way.
 */
export async function heldBackBefore(db: Queryable, row: Notification, limit: number): Promise<Notification[]> {
  const { rows } = await db.query<RowKnownNow>(
    `SELECT *, ${CURRENT_REFERENCE} FROM notifications
      WHERE recipient_email = $1 AND sent_at IS NULL AND not_sent_at IS NULL AND failing_since IS NOT NULL
        AND kind NOT IN ('passed_summary', 'daily_digest')
        AND (created_at, id) < (SELECT created_at, id FROM notifications WHERE id = $2)
      ORDER BY created_at, id
      LIMIT $3
      FOR UPDATE SKIP LOCKED`,
    [row.recipientEmail, row.id, limit],
  );
  return rows.map(knownNow);
}

/** The rows of kinds an email is delivered for, each with its kind narrowed so to the type checker. */
function notifiedOnly(rows: NotificationRow[]): Array<Notification & { kind: NotifiedKind }> {
  return rows.flatMap((row) => {
    const kind = NOTIFIED_KINDS.find((known) => known === row.kind);
    return kind ? [{ ...fromRow(row), kind }] : [];
  });
}

/**
 * The agency's notices of what passed whose email is owed and not yet sent, oldest first, locked until the transaction
 * ends: the one email that lists them all (workflows/passed-notices.ts) is sent while no other attempt can send them.
 * A row another attempt is sending is waited for, then left out once it is sent.
 */
export async function passedNoticesOwed(db: Queryable, agencyId: string): Promise<Notification[]> {
  const { rows } = await db.query<RowKnownNow>(
    `SELECT *, ${CURRENT_REFERENCE} FROM notifications
      WHERE recipient_agency_id = $1 AND kind = 'passed_summary' AND recipient_email IS NOT NULL AND sent_at IS NULL
      ORDER BY created_at, id
      FOR UPDATE`,
    [agencyId],
  );
  return rows.map(knownNow);
}

/**
 * The agency's notices of what passed that its digest of `date` lists, claimed for it: those folded into that digest
 * or an earlier one that was never written (a morning with nothing else to send, before they came). Each is moved to
 * `date`, in the transaction that writes that digest, so a notice is listed by exactly one digest: the one its
 * `digest_date` names, which exists.
 */
export async function claimPassedNoticesFor(db: Queryable, agencyId: string, date: string): Promise<Notification[]> {
  const { rows } = await db.query<NotificationRow>(
    `UPDATE notifications n SET digest_date = $2
      WHERE n.recipient_agency_id = $1 AND n.kind = 'passed_summary' AND n.digest_date <= $2
        AND n.recipient_email IS NULL AND n.sent_at IS NULL
        AND NOT EXISTS (SELECT 1 FROM notifications d
                         WHERE d.case_id = 'digest:' || $1 AND d.alarm_id = to_char(n.digest_date, 'YYYY-MM-DD'))
      RETURNING *`,
    [agencyId, date],
  );
  return rows.map(fromRow).sort((a, b) => a.reference.localeCompare(b.reference));
}

/**
 * Newest first, one keyset page at a time so deep pages stay as fast as the first. Each names its case by the case's
 * reference now (`knownNow`).
 */
export async function listNotifications(db: Queryable, filter: NotificationFilter): Promise<NotificationPage> {
  const limit = Math.min(Math.max(Math.trunc(filter.limit), 1), MAX_PAGE_SIZE);
  const conditions: string[] = [];
  const values: unknown[] = [];
  const param = (value: unknown): string => `$${values.push(value)}`;

  if (filter.caseId !== undefined) conditions.push(`case_id = ${param(filter.caseId)}`);
  if (filter.agencyId !== undefined) conditions.push(`recipient_agency_id = ${param(filter.agencyId)}`);
  if (filter.participantAgencyId !== undefined) {
    conditions.push(
      `case_id IN (SELECT id::text FROM cases WHERE agency_ids @> ARRAY[${param(filter.participantAgencyId)}])`,
    );
  }
  if (filter.unsentOnly) conditions.push('sent_at IS NULL AND not_sent_at IS NULL AND recipient_email IS NOT NULL');
  if (filter.withoutSubjects?.length) {
    // A window's alarm names its subject third in its id: `<step>:<kind>:<subject>:<slot>` (domain/tracks/).
    conditions.push(`split_part(alarm_id, ':', 3) <> ALL(${param(filter.withoutSubjects)}::text[])`);
  }
  if (filter.cursor !== undefined) {
    // The cursor is the last id seen; its row's position is read back so no timestamp is rounded through JS.
    conditions.push(`(created_at, id) < (SELECT created_at, id FROM notifications WHERE id = ${param(filter.cursor)})`);
  }

  const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
  // A notice that an email keeps failing is keyed by that email's alarm (activities/notifications.ts `reportFailing`):
  // the email's row, by its key, tells whether it went out since or was settled as no longer owed. The page comes
  // with its cases' references as they are now (by the read model's key: a digest's row names no case).
  const { rows } = await db.query<RowKnownNow & FailedEmailRow>(
    `SELECT *, ${CURRENT_REFERENCE},
            (SELECT json_build_object('sentAt', e.sent_at, 'notSentAt', e.not_sent_at, 'lastError', e.last_error)
               FROM notifications e
              WHERE notifications.kind = 'delivery_failing'
                AND e.id = notifications.case_id || '/' ||
                           left(notifications.alarm_id, length(notifications.alarm_id) - length(':delivery_failing'))
            ) AS failed_email
       FROM notifications ${where} ORDER BY created_at DESC, id DESC LIMIT ${param(limit + 1)}`,
    values,
  );
  if (rows.length === 0 && filter.cursor !== undefined) {
    // A page past the last is empty too: only a cursor naming no notification is the client's mistake.
    const known = await db.query('SELECT 1 FROM notifications WHERE id = $1', [filter.cursor]);
    if (known.rowCount === 0) throw new InvalidCursorError();
  }
  const items = rows.slice(0, limit).map((row) => ({ ...knownNow(row), failedEmail: failedEmailOf(row) }));
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last ? last.id : null };
}

interface FailedEmailRow {
  /** JSON: timestamps come as text. */
  failed_email: { sentAt: string | null; notSentAt: string | null; lastError: string | null } | null;
}

function failedEmailOf(row: NotificationRow & FailedEmailRow): FailedEmailOutcome | null {
  if (row.kind !== 'delivery_failing') return null;
  const email = row.failed_email;
  if (email?.sentAt) return { status: 'sent', at: new Date(email.sentAt).toISOString(), reason: null };
  if (email?.notSentAt)
    return { status: 'not_sent', at: new Date(email.notSentAt).toISOString(), reason: email.lastError };
  return { status: 'failing', at: null, reason: null };
}

/**
 * How each email of a case fared that was ever reported failing on its timeline (kept while failing, cleared once sent
 * or settled): by step, kind and recipient, oldest first, for the timeline to read a settled one as settled.
 */
export async function emailOutcomes(db: Queryable, caseId: string): Promise<EmailOutcome[]> {
  const { rows } = await db.query<{
    step_id: string;
    kind: string;
    recipient_agency_id: string;
    created_at: Date;
    sent_at: Date | null;
    not_sent_at: Date | null;
    last_error: string | null;
  }>(
    `SELECT step_id, kind, recipient_agency_id, created_at, sent_at, not_sent_at, last_error FROM notifications
      WHERE case_id = $1 AND recipient_email IS NOT NULL AND kind <> 'delivery_failing'
      ORDER BY created_at, id`,
    [caseId],
  );
  return rows.map((row) => ({
    stepId: row.step_id,
    kind: row.kind,
    recipientAgencyId: row.recipient_agency_id,
    createdAt: row.created_at.toISOString(),
    sentAt: row.sent_at ? row.sent_at.toISOString() : null,
    notSentAt: row.not_sent_at ? row.not_sent_at.toISOString() : null,
    reason: row.not_sent_at ? row.last_error : null,
  }));
}

export interface Recipient {
  agencyId: string;
  name: string;
  /** Null when the organisation has no address on file: it sees the notification in the app only. */
  email: string | null;
  /** The organisation reads its reminders in a daily digest (activities/digest.ts). */
  dailyDigest: boolean;
  /** Its IANA time zone, the one its emails' dates are written in; null: the deployment's. */
  timeZone: string | null;
}

/**
 * Where a notification for an organisation goes, from the agencies table. `lock` holds the agency's row until the
 * transaction ends: `share` while a notification is folded into its daily digest, so the digest cannot be turned off
 * (db/agencies.ts) between reading the setting and writing a notification folded on the strength of it; `update`
 * while a digest is written, so a notice of what passed being folded waits and finds it written
 * (activities/digest.ts).
 */
export async function findRecipient(
  db: Queryable,
  agencyId: string,
  options: { lock?: 'share' | 'update' } = {},
): Promise<Recipient | null> {
  const lock = options.lock ? ` FOR ${options.lock.toUpperCase()}` : '';
  const { rows } = await db.query<{
    id: string;
    name: string;
    email: string | null;
    daily_digest: boolean;
    time_zone: string | null;
  }>(`SELECT id, name, email, daily_digest, time_zone FROM agencies WHERE id = $1${lock}`, [agencyId]);
  const row = rows[0];
  return row
    ? {
        agencyId: row.id,
        name: row.name,
        email: row.email?.trim() ? row.email.trim() : null,
        dailyDigest: row.daily_digest,
        timeZone: row.time_zone,
      }
    : null;
}

/**
 * A case's step as the read model holds it (`case_steps`), for the emails written about it: who owes it, its deadline
 * and whether that deadline is a day (domain/types.ts `dueOnADay`: met all of its last day wherever in the US it is
 * read).
 */
export interface StepAsRead {
  stepId: string;
  kind: string;
  status: string;
  agencyId: string | null;
  dueAt: Instant | null;
  dueOnADay: boolean;
}

/**
 * A case's steps as the read model holds them, oldest first: one read serves every question an email asks of them
 * (`stepById`, `latestPending`), where a query each cost an email several round trips within its transaction.
 */
export async function caseStepsAsRead(db: Queryable, caseId: string): Promise<StepAsRead[]> {
  const { rows } = await db.query<{
    step_id: string;
    kind: string;
    status: string;
    agency_id: string | null;
    due_at: Date | null;
    due_on_a_day: boolean;
  }>(
    `SELECT step_id, kind, status, agency_id, due_at, due_on_a_day FROM case_steps WHERE case_id = $1
      ORDER BY opened_at, step_id`,
    [caseId],
  );
  return rows.map((row) => ({
    stepId: row.step_id,
    kind: row.kind,
    status: row.status,
    agencyId: row.agency_id,
    dueAt: row.due_at?.toISOString() ?? null,
    dueOnADay: row.due_on_a_day,
  }));
}

export const stepById = (steps: readonly StepAsRead[], stepId: string): StepAsRead | undefined =>
  steps.find((step) => step.stepId === stepId);

/** The case's pending step of `kind` opened last (should there be two); undefined when none is pending. */
export const latestPending = (steps: readonly StepAsRead[], kind: string): StepAsRead | undefined =>
  steps.filter((step) => step.kind === kind && step.status === 'pending').at(-1);
