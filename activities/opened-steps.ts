/**
 * The gathering of the steps that opened for an agency on another agency's command (domain/opened-steps.ts says
 * which; db/read-model.ts `projectCase` records them with the case): one email per agency, every few minutes
 * (workflows/opened-step-notices.ts), put in the outbox (kind step_opened) and sent by the delivery every notification
 * uses. Nothing of this is on a command's path: a sign-off writes one row per step, and waits for no email.
 *
 * Exactly once: the records gathered are marked with the outbox row they went into in the transaction that writes it,
 * the row keyed by its agency and the round's instant, so a retried gathering finds the rows of its round and gathers
 * nothing more (what was recorded since goes into the next round). Only a step still pending, and still waiting on the
 * same agency, is told: one done or moved to another agency by then is marked gathered and left out. Never survivor
 * data: the step in words, who asked, its due day as the agency's calendar reads it, the case's reference and a link.
 */
import type { Pool } from 'pg';
import type { Logger } from '../core/logger';
import { caseDeadlineTimeZones } from '../db/agencies';
import { enqueue, findRecipient, type Recipient } from '../db/notifications';
import { inTransaction, type Queryable } from '../db/pool';
import { STEP_OPENED_NOTICE } from '../domain/opened-steps';
import type { Instant } from '../domain/types';
import { changedByOf } from '../mail/agency-notices';
import { renderNotification, renderOpenedSteps } from '../mail/render';
import type { NotificationKey } from './notifications';

export interface OpenedStepDeps {
  pool: Pool;
  publicBaseUrl: string;
  /** The deployment's TIMEZONE, for agencies without a zone of their own (default UTC). */
  timeZone?: string;
  logger?: Logger;
}

/** The outbox rows of these emails are of no one case: keyed by the agency told, and the round's instant. */
const CASE_ID_PREFIX = 'step-opened:';

/** A record not yet told, with its step as the read model has it now. */
interface Untold {
  case_id: string;
  step_id: string;
  opened_seq: number;
  agency_id: string;
  actor_user_id: string;
  actor_agency_id: string;
  opened_by_kind: string | null;
  reference: string | null;
  kind: string | null;
  status: string | null;
  held_by: string | null;
  due_at: Date | null;
  due_on_a_day: boolean | null;
}

/** The records not yet gathered, oldest first, locked until the round's transaction ends (another round skips them). */
async function untold(db: Queryable): Promise<Untold[]> {
  const { rows } = await db.query<Untold>(
    `SELECT o.case_id::text AS case_id, o.step_id, o.opened_seq, o.agency_id, o.actor_user_id, o.actor_agency_id,
            o.opened_by_kind, c.reference, s.kind, s.status, s.agency_id AS held_by, s.due_at, s.due_on_a_day
       FROM opened_step_notices o
       LEFT JOIN cases c ON c.id = o.case_id
       LEFT JOIN case_steps s ON s.case_id = o.case_id AND s.step_id = o.step_id
      WHERE o.gathered_at IS NULL
      ORDER BY o.recorded_at, o.case_id, o.opened_seq
      FOR UPDATE OF o SKIP LOCKED`,
  );
  return rows;
}

/** Marks records gathered, with the outbox row they went into (null: left untold). */
async function markGathered(db: Queryable, records: readonly Untold[], notificationId: string | null): Promise<void> {
  if (records.length === 0) return;
  await db.query(
    `UPDATE opened_step_notices o SET gathered_at = now(), notification_id = $4
       FROM unnest($1::uuid[], $2::text[], $3::int[]) AS r(case_id, step_id, opened_seq)
      WHERE o.case_id = r.case_id AND o.step_id = r.step_id AND o.opened_seq = r.opened_seq`,
    [records.map((r) => r.case_id), records.map((r) => r.step_id), records.map((r) => r.opened_seq), notificationId],
  );
}

export function createOpenedStepActivities({ pool, publicBaseUrl, timeZone, logger }: OpenedStepDeps) {
  /** One agency's email of the round: each step as its own notice says it, listed together. */
  async function emailFor(db: Queryable, recipient: Recipient, records: readonly Untold[], round: Instant) {
    // Read once per case and once per asker: a bulk of requests is mostly one case's or one officer's.
    const zones = new Map<string, string[]>();
    const askers = new Map<string, string>();
    const notices = [];
    for (const record of records) {
      if (!zones.has(record.case_id))
        zones.set(record.case_id, await caseDeadlineTimeZones(db, record.case_id, timeZone ?? 'UTC'));
      const asker = `${record.actor_user_id}/${record.actor_agency_id}`;
      if (!askers.has(asker)) {
        const by = await changedByOf(pool, { userId: record.actor_user_id, agencyId: record.actor_agency_id });
        askers.set(asker, `${by.displayName} of ${by.agencyName}`);
      }
      notices.push(
        renderNotification({
          kind: STEP_OPENED_NOTICE,
          caseId: record.case_id,
          reference: record.reference ?? '',
          stepKind: record.kind ?? '',
          agencyName: recipient.name,
          timeZone: recipient.timeZone ?? timeZone ?? 'UTC',
          deadlineZones: zones.get(record.case_id) ?? [],
          dueAt: record.due_at ? record.due_at.toISOString() : null,
          raisedAt: round,
          ...(record.due_on_a_day ? { dueOnADay: true } : {}),
          openedBy: {
            by: askers.get(asker)!,
            ...(record.opened_by_kind ? { stepKind: record.opened_by_kind } : {}),
          },
          publicBaseUrl,
        }),
      );
    }
    return renderOpenedSteps(recipient.name, notices);
  }

  return {
    /**
     * Gathers the steps recorded and not yet told into one outbox row per agency, keyed by `round` (the workflow's
     * instant), and answers the rows' keys for their delivery. A retry of the same round answers the rows it wrote.
     */
    async gatherOpenedSteps(input: { round: Instant }): Promise<NotificationKey[]> {
      return inTransaction(pool, async (client) => {
        const written = await client.query<NotificationKey>(
          `SELECT case_id AS "caseId", alarm_id AS "alarmId" FROM notifications
            WHERE kind = $1 AND alarm_id = $2 AND case_id LIKE $3 ORDER BY case_id`,
          [STEP_OPENED_NOTICE, input.round, `${CASE_ID_PREFIX}%`],
        );
        if (written.rows.length > 0) return written.rows;
        const records = await untold(client);
        // Still pending, and still the same agency's: a step done or moved meanwhile is not told.
        const stillOwed = (r: Untold) => r.status === 'pending' && r.held_by === r.agency_id && r.kind !== null;
        await markGathered(
          client,
          records.filter((r) => !stillOwed(r)),
          null,
        );
        const byAgency = new Map<string, Untold[]>();
        for (const record of records.filter(stillOwed))
          byAgency.set(record.agency_id, [...(byAgency.get(record.agency_id) ?? []), record]);
        const keys: NotificationKey[] = [];
        for (const [agencyId, owed] of byAgency) {
          const recipient = await findRecipient(client, agencyId);
          if (!recipient?.email) {
            // No address: its inbox lists the steps; the outbox lists an agency's case emails, not its own.
            logger?.warn({ agencyId, steps: owed.length }, 'opened steps not told: their agency has no address');
            await markGathered(client, owed, null);
            continue;
          }
          const email = await emailFor(client, recipient, owed, input.round);
          const [first] = owed;
          const single = owed.length === 1 && first ? first : undefined;
          const dues = owed.flatMap((r) => (r.due_at ? [r.due_at.getTime()] : []));
          const row = await enqueue(client, {
            caseId: `${CASE_ID_PREFIX}${agencyId}`,
            alarmId: input.round,
            reference: single?.reference ?? 'Waiting on your agency',
            stepId: single?.step_id ?? STEP_OPENED_NOTICE,
            stepKind: single?.kind ?? STEP_OPENED_NOTICE,
            kind: STEP_OPENED_NOTICE,
            recipientAgencyId: agencyId,
            recipientEmail: recipient.email,
            subject: email.subject,
            bodyText: email.text,
            dueAt: dues.length > 0 ? new Date(Math.min(...dues)).toISOString() : null,
          });
          await markGathered(client, owed, row.id);
          keys.push({ caseId: row.caseId, alarmId: row.alarmId });
        }
        if (keys.length > 0) logger?.info({ round: input.round, agencies: keys.length }, 'opened steps gathered');
        return keys;
      });
    },
  };
}
