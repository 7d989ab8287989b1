/**
 * Starts and stops the agencies' daily digest workflows (workflows/daily-digest.ts), one per agency whose digest is
 * on: when an admin turns it on or off (app/access-service.ts), and at service start for every agency that has it on.
 * Scheduled by Temporal, not by a timer of ours: a digest survives restarts and outages like any workflow. Stopping
 * one also sends the reminders and notices of what passed its digests were to carry, by email after all.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import type { Pool } from 'pg';
import { gatherPassedNotices, startDelivery, type NotificationDeps } from '../activities/notifications';
import { agenciesWithDigest } from '../db/agencies';
import { foldedRemindersOwed } from '../db/notifications';
import { isUrgentPassedNotice } from '../mail/render';
import { DIGEST_WORKFLOW_TYPE, digestWorkflowIdOf, type DigestInput } from '../workflows/contract';

export interface DigestSchedules {
  start(agencyId: string): Promise<void>;
  stop(agencyId: string): Promise<void>;
}

export function createDigestSchedules(temporal: NotificationDeps['temporal'], pool: Pool): DigestSchedules {
  return {
    /** Starts the agency's digest workflow, or finds it running. */
    async start(agencyId) {
      const input: DigestInput = { agencyId };
      await temporal.client.workflow.start(DIGEST_WORKFLOW_TYPE, {
        workflowId: digestWorkflowIdOf(agencyId),
        taskQueue: temporal.taskQueue,
        args: [input],
        workflowIdConflictPolicy: 'USE_EXISTING',
      });
    },
    /**
     * Ends it at once (one not running is already stopped), then starts the delivery of every reminder folded into
     * a digest that will now never be sent: the setting, turned off first, gave them the agency's address
     * (db/agencies.ts setDailyDigest). Called again, it finds those still unsent and their deliveries already
     * started, so a turn-off that failed halfway is finished by turning it off again, and nothing is sent twice.
     */
    async stop(agencyId) {
      await temporal.client.workflow
        .getHandle(digestWorkflowIdOf(agencyId))
        .terminate('daily digest turned off')
        .catch((error: unknown) => {
          if (!(error instanceof WorkflowNotFoundError)) throw error;
        });
      const owed = await foldedRemindersOwed(pool, agencyId);
      for (const row of owed) if (row.kind !== 'passed_summary') await startDelivery(temporal, row, row.kind);
      // The notices of what passed are gathered into one email, as for an agency that never had a digest.
      const passed = owed.filter((row) => row.kind === 'passed_summary');
      if (passed.length > 0) await gatherPassedNotices(temporal, agencyId, passed.some(isUrgentPassedNotice));
    },
  };
}

/** At service start: a workflow for every agency with its digest on (those running are found, not doubled). */
export async function startDigests(pool: Pool, schedules: DigestSchedules): Promise<number> {
  const agencies = await agenciesWithDigest(pool);
  for (const agencyId of agencies) await schedules.start(agencyId);
  return agencies.length;
}
