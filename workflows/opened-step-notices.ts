/**
 * Tells each agency, by one email gathered every few minutes, of the steps that opened for it on another agency's
 * command (domain/opened-steps.ts says which): the command's projection only records them (db/read-model.ts
 * `projectCase`, in the statement that writes the case), so a sign-off waits for no email. One workflow for the
 * deployment: it sleeps `everyMs` (2 minutes by default), has the steps recorded since gathered into one outbox row per
 * agency (`gatherOpenedSteps`: every query, zone and word is the activity's), sends each with the delivery activity
 * every notification uses, each on its own, and goes round again; it continues as new every few hours so its history stays short.
 *
 * Exactly once per step: the gathering marks each record with the outbox row it went into in the transaction that
 * writes the row, keyed by the round's instant, so a retried gathering finds the rows it wrote and gathers nothing
 * more. The send holds the row's lock and records sent_at, with a Message-ID derived from the row. An SMTP outage holds
 * the emails back, each retried with backoff for as long as it lasts; steps opened meanwhile go into the next round.
 */
import { continueAsNew, proxyActivities, sleep } from '@temporalio/workflow';
import type { CaseActivities } from '../activities';
import { DEFAULT_OPENED_STEP_GATHER_MS, type OpenedStepNoticesInput } from './contract';
import { GATHERED_DELIVERY, GATHERING } from './daily-digest';

const { gatherOpenedSteps } = proxyActivities<CaseActivities>(GATHERING);
/** As the daily digest's. */
const { deliverNotification } = proxyActivities<CaseActivities>(GATHERED_DELIVERY);

/** About ten events a round: a hundred rounds (over three hours at 2 minutes) keep the history well under limits. */
const ROUNDS_PER_RUN = 100;

type EmailKey = NonNullable<OpenedStepNoticesInput['unsent']>[number];

export async function openedStepNotices(input: OpenedStepNoticesInput): Promise<void> {
  const everyMs = input.everyMs ?? DEFAULT_OPENED_STEP_GATHER_MS;
  // Each email is sent on its own, never awaited by the rounds: one agency's address refused for hours (or a mail
  // outage) holds back that agency's emails, not the next round's for every other agency. What is still being sent
  // when the run continues as new is handed to the next run, which sends it again: the send checks sent_at under the
  // row's lock, so an email an abandoned attempt did send is not sent twice.
  const unsent = new Map<string, EmailKey>();
  const send = (key: EmailKey) => {
    const id = `${key.caseId}/${key.alarmId}`;
    unsent.set(id, key);
    // Retried without limit; a failure that ends the retries leaves it unsent, for the next run.
    deliverNotification(key).then(
      () => unsent.delete(id),
      () => undefined,
    );
  };
  (input.unsent ?? []).forEach(send);
  for (let round = 0; round < ROUNDS_PER_RUN; round += 1) {
    await sleep(everyMs);
    // Workflow time: deterministic, the same on a retry (the round's key), skipped ahead by the test server.
    (await gatherOpenedSteps({ round: new Date(Date.now()).toISOString() })).forEach(send);
  }
  await continueAsNew<typeof openedStepNotices>({ everyMs: input.everyMs, unsent: [...unsent.values()] });
}
