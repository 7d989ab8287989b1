/**
 * An agency's daily digest: sleeps until the agency's next local morning, has the digest built and put in the outbox,
 * sends it, and goes round again; continues as new every few weeks so its history stays short. Every date and zone
 * computation is an activity's (app/time-zones.ts explains why none is done in workflow code). The setting is read
 * before each digest, so a workflow whose agency turned its digest off ends by itself.
 *
 * Exactly once per agency and day: the outbox row is keyed by the agency and its local date, and the send is the
 * delivery activity every notification uses (row lock, sent_at, a Message-ID derived from the row). An SMTP outage
 * holds the digest back, retried with backoff for as long as it lasts; the days it covered are then each sent, late,
 * never skipped, since the next date is the one after the last handled.
 */
import { continueAsNew, proxyActivities, sleep, type ActivityOptions } from '@temporalio/workflow';
import type { CaseActivities } from '../activities';
import type { DigestInput } from './contract';

/** A gathered email's reading and writing (a digest's, workflows/opened-step-notices.ts's): quick retries. */
export const GATHERING: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
};
const { nextDigest, composeDigest } = proxyActivities<CaseActivities>(GATHERING);

/**
 * A gathered email's delivery, as a notification's after its first hour: no limit, at most 30 minutes late once the
 * server is back.
 */
export const GATHERED_DELIVERY: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumInterval: '30 minutes' },
};
const { deliverNotification } = proxyActivities<CaseActivities>(GATHERED_DELIVERY);

/** About 150 events a day at most: a month of digests per run keeps a history well under Temporal's limits. */
const DIGESTS_PER_RUN = 30;

export async function dailyDigest(input: DigestInput): Promise<void> {
  let lastDate = input.lastDate;
  for (let handled = 0; handled < DIGESTS_PER_RUN; handled += 1) {
    // Workflow time: deterministic, and skipped ahead by the time-skipping test server.
    const next = await nextDigest({
      agencyId: input.agencyId,
      after: lastDate,
      now: new Date(Date.now()).toISOString(),
    });
    if (!next) return;
    const wait = Date.parse(next.at) - Date.now();
    if (wait > 0) await sleep(wait);
    const key = await composeDigest({ agencyId: input.agencyId, date: next.date });
    if (key) await deliverNotification(key);
    lastDate = next.date;
  }
  await continueAsNew<typeof dailyDigest>({ agencyId: input.agencyId, lastDate });
}
