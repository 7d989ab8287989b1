import type { Pool } from 'pg';
import type { Transporter } from 'nodemailer';
import type { Logger } from '../core/logger';
import type { Clock } from '../core/clock';
import { projectCase } from '../db/read-model';
import type { CaseProjection } from '../domain/alarms';
import type { AppliedCommand } from '../domain/types';
import { createDigestActivities } from './digest';
import { createNotificationActivities, type NotificationDeps } from './notifications';
import { createOpenedStepActivities } from './opened-steps';
import { createTransferNoticeActivities } from './transfer-notices';

export interface ActivityDeps {
  pool: Pool;
  /** The connections email sends hold (activities/notifications.ts DeliveryDeps); default `pool`. */
  mailPool?: Pool;
  mailer: Transporter;
  from: string;
  publicBaseUrl: string;
  /** Starts each notification's delivery workflow (activities/notifications.ts NotificationDeps). */
  temporal: NotificationDeps['temporal'];
  logger: Logger;
  /** The service's clock, for when an email was sent or failed. */
  now: Clock;
  /** The deployment's TIMEZONE: the daily digest's for an agency without a zone of its own (default UTC). */
  timeZone?: string;
}

/**
 * Every side effect the case workflow asks for, built from its dependencies (the samples'
 * activities-dependency-injection pattern), so tests and the service wire the same code to real parts.
 */
export function createActivities(deps: ActivityDeps) {
  return {
    /**
     * Writes the workflow's state and its alarms to come into the read model; a late or repeated projection is a
     * no-op. With `applied`, the command that produced this state gets its audit row in the same transaction.
     * `historyLength`, the workflow's when it projected, settles which of two projections of one version stays.
     * In the same statement, each step the command opened for another agency is recorded to be told to it, gathered
     * into one email per agency within minutes (activities/opened-steps.ts); once, keyed by the step's opening.
     */
    async projectCase(snapshot: CaseProjection, applied?: AppliedCommand, historyLength?: number): Promise<void> {
      await projectCase(deps.pool, snapshot, { command: applied, historyLength, timeZone: deps.timeZone });
      // At debug: a line per write, for following one request (its id is bound) through to the read model.
      deps.logger.debug(
        { caseId: snapshot.caseId, version: snapshot.version, action: applied?.action },
        'case projected',
      );
    },
    ...createNotificationActivities(deps),
    ...createTransferNoticeActivities(deps),
    ...createDigestActivities(deps),
    ...createOpenedStepActivities(deps),
  };
}

export type CaseActivities = ReturnType<typeof createActivities>;
