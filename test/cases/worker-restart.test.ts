/**
 * A worker stopped mid-case and replaced loses nothing: the alarm that came due while no worker ran is handled by
 * the new worker, exactly once. On the official dev server (real time) with a policy whose CP-request deadline is
 * three seconds, because the time-skipping server stops skipping while a workflow task waits for a worker.
 */
import { temporal } from '@temporalio/proto';
import { workflowIdOf } from '../../workflows/definitions';
import { listNotifications } from '../../db/notifications';
import { DEMO_AGENCIES } from '../../db/seed';
import { policyWithOverrides } from '../../domain/policy';
import type { Actor } from '../../domain/types';
import { eventually, startStack, type Stack } from '../support/stack';
import { workingActor } from '../../domain/access';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ server: 'dev' });
  stack.setPolicy(
    policyWithOverrides({
      version: 'test-short-cp-request',
      sla: { cp_request: { days: 3 / 86_400, source: 'test: three seconds' } },
      reminders: { cp_request: { beforeDueDays: [], atDue: true, escalateAfterDays: [], source: 'test' } },
    }),
  );
});
afterAll(async () => {
  await stack?.stop();
});

const lawEnforcement: Actor = workingActor({ userId: 'officer-1', agencyId: DEMO_AGENCIES.law_enforcement, agencyKind: 'law_enforcement' });

test('a worker restarted mid-case loses nothing: the alarm that fell due while it was down goes out once', async () => {
  const today = new Date().toISOString().slice(0, 10);
  const view = await stack.cases.open({ identifiedOn: today, survivor: { name: 'Restart Case', birthDate: '1988-08-08' }, agencies: DEMO_AGENCIES }, lawEnforcement);
  await stack.stopWorker();

  const handle = stack.client.workflow.getHandle(workflowIdOf(view.caseId));
  await eventually(
    async () => (await handle.fetchHistory()).events!.some((e) => e.eventType === temporal.api.enums.v1.EventType.EVENT_TYPE_TIMER_FIRED),
    'the due timer to fire with no worker running',
  );
  const notified = async () => (await listNotifications(stack.pool, { caseId: view.caseId, limit: 10 })).items;
  expect(await notified()).toHaveLength(0);

  await stack.startWorker();
  const [notice] = await eventually(async () => {
    const items = await notified();
    return items.length === 1 && items[0]!.sentAt ? items : undefined;
  }, 'the due notice from the new worker', 30_000);
  expect(notice).toMatchObject({ kind: 'due', stepId: 'cp_request-1' });
  expect(stack.mail.messages().filter((m) => m.text.includes(view.reference))).toHaveLength(1);

  // The case's state survived: it still takes sign-offs, and its search attributes say what is pending.
  const signed = await stack.cases.signOff(view.caseId, { stepId: 'cp_request-1', outcome: 'requested', details: { requestedOn: today } }, lawEnforcement);
  expect(signed.steps.find((s) => s.id === 'cp_request-1')!.status).toBe('completed');
  const description = await handle.describe();
  expect(description.searchAttributes.PendingStepKinds).toEqual(expect.arrayContaining(['cp_decision']));
});
