/**
 * Records case-workflow histories for the replay test: `npm run record-histories`. Run it when a release changes
 * the workflow on purpose, after guarding the change with `patched()`; commit the new files beside the old ones so
 * running cases of every version stay replayable.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { workflowIdOf } from '../../workflows/definitions';
import { DEMO_AGENCIES } from '../../db/seed';
import type { Actor, AgencyKind } from '../../domain/types';
import { eventually, startStack } from '../support/stack';
import { workingActor } from '../../domain/access';

const DAY = 24 * 3600 * 1000;
/**
 * The generation of histories this script records. Earlier generations stay in histories/ and keep replaying:
 * v1 predates roles on the Actor (see ROLES_PATCH in workflows/case-workflow.ts); v2 carries them.
 */
const GENERATION = 'v2';
const actor = (kind: AgencyKind): Actor => workingActor({ userId: `recorder-${kind}`, agencyId: DEMO_AGENCIES[kind], agencyKind: kind });

async function main(): Promise<void> {
  const stack = await startStack();
  const dir = join(__dirname, 'histories');
  mkdirSync(dir, { recursive: true });
  try {
    const today = async () => new Date(await stack.env.currentTimeMs()).toISOString().slice(0, 10);
    const sign = async (caseId: string, stepId: string, outcome: string, details: Record<string, unknown>, kind: AgencyKind) =>
      stack.cases.signOff(caseId, { stepId, outcome, details }, actor(kind));

    // An adult case through CP, certification, filing and a reminder ladder, then closed.
    const adult = await stack.cases.open({ identifiedOn: await today(), survivor: { name: 'Recorded Adult', birthDate: '1990-01-01' }, agencies: DEMO_AGENCIES }, actor('law_enforcement'));
    await sign(adult.caseId, 'cp_request-1', 'requested', { requestedOn: await today() }, 'law_enforcement');
    await stack.env.sleep(40 * DAY);
    const on = await today();
    await sign(adult.caseId, 'cp_decision-1', 'granted', { validUntil: `${Number(on.slice(0, 4)) + 2}${on.slice(4)}` }, 'ice');
    await sign(adult.caseId, 'hhs_certification_request-1', 'requested', { requestedOn: on }, 'advocate');
    await sign(adult.caseId, 't_visa_filing-1', 'filed', { filedOn: on }, 'advocate');
    await stack.cases.close(adult.caseId, { status: 'closed', reason: 'recorded' }, actor('coordinator'));

    // A minor case with its 24-hour notification and letters, left open across reminders.
    const birth = `${Number((await today()).slice(0, 4)) - 16}-03-03`;
    const minor = await stack.cases.open({ identifiedOn: await today(), survivor: { name: 'Recorded Minor', birthDate: birth }, agencies: DEMO_AGENCIES }, actor('law_enforcement'));
    await stack.env.sleep(3 * DAY);
    await sign(minor.caseId, 'hhs_minor_notification-1', 'notified', { notifiedOn: await today() }, 'law_enforcement');
    await stack.env.sleep(10 * DAY);

    for (const [name, caseId] of [['adult-closed', adult.caseId], ['minor-open', minor.caseId]] as const) {
      const handle = stack.client.workflow.getHandle(workflowIdOf(caseId));
      await eventually(async () => ((await handle.fetchHistory()).events?.length ?? 0) > 10, `history of ${name}`);
      const file = join(dir, `${GENERATION}-${name}.json`);
      writeFileSync(file, historyToJSON(await handle.fetchHistory()));
      console.log(`recorded ${file}`);
    }
  } finally {
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
