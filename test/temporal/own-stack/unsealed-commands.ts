/**
 * Issue 13: only the service commands a case. Someone who reaches the Temporal frontend without the payload keys
 * (a plain client, as `temporal workflow update execute` or `start` or `signal` would be) sends an update, a start
 * and a signal straight to the official dev server: none of them changes a case, its read model or its history.
 */
import { randomUUID } from 'node:crypto';
import { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { AppError, RETRY_AFTER_SECONDS } from '../../../core/errors';
import { getCase } from '../../../db/read-model';
import { DEMO_AGENCIES } from '../../../db/seed';
import type { DeliveryReport } from '../../../domain/alarms';
import { workflowIdOf } from '../../../workflows/contract';
import { caseStateQuery, signOffUpdate, type CaseWorkflowInput } from '../../../workflows/contract';
import { demoActor, openDemoCase } from '../../support/demo-cases';
import { eventually, startStack, type Stack } from '../../support/stack';

describe('unsealed-commands', () => {
  const EventType = temporal.api.enums.v1.EventType;

  let stack: Stack;
  /** What anyone with network access to the frontend has: a connection, and no payload keys. */
  let plain: Client;
  beforeAll(async () => {
    stack = await startStack({ server: 'dev' });
    plain = new Client({ connection: stack.env.connection, namespace: stack.env.namespace ?? 'default' });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const actor = demoActor;
  const openCase = () => openDemoCase(stack, 'Unsealed Test');

  /** The event types of a workflow's history, as the server stores it. */
  async function eventsOf(workflowId: string): Promise<string[]> {
    const history = await stack.env.client.workflow.getHandle(workflowId).fetchHistory();
    return (history.events ?? []).map((event) => EventType[event.eventType ?? 0] ?? String(event.eventType));
  }

  /** The worker saw the workflow's last task and refused it: the history ends in a failed workflow task. */
  async function refusedByWorker(workflowId: string): Promise<void> {
    await eventually(
      async () => (await eventsOf(workflowId)).includes('EVENT_TYPE_WORKFLOW_TASK_FAILED'),
      `a failed workflow task on ${workflowId}`,
    );
  }

  const stepStatus = (view: { steps: { id: string; status: string }[] } | null, stepId: string) =>
    view?.steps.find((step) => step.id === stepId)?.status;

  test('an unsealed sign-off update, with the rightful owner as its actor, is never applied and leaves the case working', async () => {
    const opened = await openCase();
    const workflowId = workflowIdOf(opened.caseId);
    const eventsBefore = await eventsOf(workflowId);
    const signOff = {
      stepId: 'cp_request-1',
      outcome: 'requested',
      details: { requestedOn: opened.openedAt.slice(0, 10) },
    };

    // The worker cannot decode the update, so it never reaches the validator or the handler: the caller gets no answer.
    const forged = plain.workflow
      .getHandle(workflowId)
      .executeUpdate(signOffUpdate, { args: [{ signOff, actor: actor('law_enforcement') }] });
    const deadline = stack.env.connection.withDeadline(Date.now() + 3_000, () => forged);
    await expect(deadline).rejects.toThrow();

    // Until the server drops the undeliverable update, the case's workflow task stays failed and queries are refused.
    const state = await eventually(
      () =>
        stack.client.workflow
          .getHandle(workflowId)
          .query(caseStateQuery)
          .catch(() => undefined),
      'the case answering queries again',
      60_000,
    );
    expect(state.version).toBe(opened.version);
    expect(stepStatus(state, 'cp_request-1')).toBe('pending');
    const view = await getCase(stack.pool, opened.caseId);
    expect(view?.version).toBe(opened.version);
    expect(stepStatus(view, 'cp_request-1')).toBe('pending');
    // No update was ever accepted into the history.
    const eventsAfter = (await eventsOf(workflowId)).filter((name) => !name.startsWith('EVENT_TYPE_WORKFLOW_TASK_'));
    expect(eventsAfter).toEqual(eventsBefore.filter((name) => !name.startsWith('EVENT_TYPE_WORKFLOW_TASK_')));

    // The service's own sealed command still goes through.
    const signed = await stack.cases.signOff(opened.caseId, signOff, actor('law_enforcement'));
    expect(stepStatus(signed, 'cp_request-1')).toBe('completed');
  });

  test('an unsealed start creates no case: the worker refuses its first task and nothing is projected', async () => {
    const caseId = randomUUID();
    const workflowId = workflowIdOf(caseId);
    const input: CaseWorkflowInput = {
      kind: 'open',
      open: {
        caseId,
        reference: 'FORGED-1',
        identifiedAt: new Date(await stack.env.currentTimeMs()).toISOString(),
        minorTurns18On: null,
        agencies: DEMO_AGENCIES,
        usesUVisa: false,
        openedBy: actor('law_enforcement'),
      },
      searchAttributes: true,
    };
    await plain.workflow.start('caseWorkflow', { taskQueue: stack.taskQueue, workflowId, args: [input] });
    await refusedByWorker(workflowId);

    expect(await getCase(stack.pool, caseId)).toBeNull();
    // The workflow code never ran: no activity was scheduled and no search attribute set.
    expect((await eventsOf(workflowId)).filter((name) => !name.startsWith('EVENT_TYPE_WORKFLOW_TASK_'))).toEqual([
      'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED',
    ]);
    await stack.env.client.workflow.getHandle(workflowId).terminate('test cleanup: forged start');
  });

  test('an unsealed signal changes neither the case state nor its read model', async () => {
    const opened = await openCase();
    const workflowId = workflowIdOf(opened.caseId);
    const report: DeliveryReport = {
      caseId: opened.caseId,
      alarmId: 'cp_request-1:due:forged',
      stepId: 'cp_request-1',
      kind: 'due',
      recipientAgencyId: DEMO_AGENCIES.law_enforcement,
      status: 'failing',
      at: opened.openedAt,
    };
    await plain.workflow.getHandle(workflowId).signal('deliveryReport', report);
    await refusedByWorker(workflowId);

    const view = await getCase(stack.pool, opened.caseId);
    expect(view?.version).toBe(opened.version);
    expect(view?.timeline.some((entry) => entry.type.startsWith('notification.'))).toBe(false);
    expect(view?.timeline).toEqual(opened.timeline);
    // The history holds the signal (the server accepted it) but no activity ran after it: nothing was projected.
    const events = await eventsOf(workflowId);
    const signalled = events.indexOf('EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED');
    expect(signalled).toBeGreaterThan(0);
    expect(events.slice(signalled).filter((name) => name.startsWith('EVENT_TYPE_ACTIVITY_'))).toEqual([]);
  });

  test("while an unsealed update holds the case's workflow task failed, the case's writes answer 503 case_busy, not 500 (probe W3)", async () => {
    const opened = await openCase();
    const workflowId = workflowIdOf(opened.caseId);
    const signOff = {
      stepId: 'cp_request-1',
      outcome: 'requested',
      details: { requestedOn: opened.openedAt.slice(0, 10) },
    };
    // Left waiting: the server holds the forged update, and the workflow task that cannot decode it stays failed. Given
    // up at the end, or its client would retry it after the server stops.
    const giveUp = new AbortController();
    const forged = plain
      .withAbortSignal(giveUp.signal, () =>
        plain.workflow
          .getHandle(workflowId)
          .executeUpdate(signOffUpdate, { args: [{ signOff, actor: actor('law_enforcement') }] }),
      )
      .catch(() => undefined);
    await refusedByWorker(workflowId);

    // At first the server may hold the write too (a 503 workflow_timeout); once the task is in failed state it refuses
    // the update at once (FAILED_PRECONDITION), which is as much a passing outage as the timeout.
    const cases = stack.casesOn(stack.client, { writeTimeoutMs: 3_000 });
    const askAgain = () =>
      cases
        .askAgain(opened.caseId, { stepKind: 'cp_request' }, actor('coordinator'), { operationId: randomUUID() })
        .then(
          () => undefined,
          (error: unknown) => error,
        );
    let answer = await askAgain();
    for (
      let tries = 1;
      tries < 10 && answer instanceof AppError && answer.options.code === 'workflow_timeout';
      tries++
    ) {
      answer = await askAgain();
    }
    expect(answer).toBeInstanceOf(AppError);
    expect(answer).toMatchObject({
      status: 503,
      options: { code: 'case_busy', headers: { 'Retry-After': String(RETRY_AFTER_SECONDS) } },
    });
    giveUp.abort();
    await forged;
  });
});
