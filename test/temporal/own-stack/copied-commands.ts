/**
 * Probe F2: a sealed command is bound to the case and the update it was issued for. Someone with Temporal namespace
 * access and no payload keys copies the sealed payloads of one case's sign-off, transfer and close out of its history,
 * byte for byte, and sends them to another case naming the same agencies, or to the same case again under a new
 * update id; copies the case's sealed start input to start it under another workflow id; and copies a sealed delivery
 * report to another case. On the official dev
 * server, with only the data-free client (raw gRPC calls, payloads passed through as they were read): every attempt
 * is refused, and neither case changes.
 */
import { randomUUID } from 'node:crypto';
import { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { upsertAgencies } from '../../../db/agencies';
import { getCase } from '../../../db/read-model';
import { DEMO_AGENCIES } from '../../../db/seed';
import type { DeliveryReport } from '../../../domain/alarms';
import type { Rejection } from '../../../domain/case-state';
import { EncryptionCodec } from '../../../temporal/codec';
import {
  caseStateQuery,
  deliveryReportSignal,
  REJECTION_FAILURE_TYPE,
  workflowIdOf,
} from '../../../workflows/contract';
import { demoActor, openDemoCase } from '../../support/demo-cases';
import { eventually, startStack, TEST_PAYLOAD_KEYRING, type Stack } from '../../support/stack';

describe('copied-commands', () => {
  type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
  type Payloads = temporal.api.common.v1.IPayloads;
  const { EventType, UpdateWorkflowExecutionLifecycleStage, WorkflowExecutionStatus } = temporal.api.enums.v1;

  const OTHER_POLICE = 'copied-commands-police';

  let stack: Stack;
  /** What anyone with network access to the frontend has: a connection, and no payload keys. */
  let plain: Client;
  let namespace: string;
  beforeAll(async () => {
    stack = await startStack({ server: 'dev' });
    namespace = stack.env.namespace ?? 'default';
    plain = new Client({ connection: stack.env.connection, namespace });
    await upsertAgencies(stack.pool, [
      { id: OTHER_POLICE, kind: 'law_enforcement', name: 'Copied Commands Police (fictitious)', email: null },
    ]);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const actor = demoActor;
  const openCase = () => openDemoCase(stack, 'Copied Commands Test');

  /** A workflow's history as the server stores it: every payload still sealed, as `temporal workflow show` prints it. */
  async function rawHistory(workflowId: string): Promise<HistoryEvent[]> {
    const events: HistoryEvent[] = [];
    let nextPageToken: Uint8Array | undefined;
    do {
      const page = await plain.workflowService.getWorkflowExecutionHistory({
        namespace,
        execution: { workflowId },
        nextPageToken,
      });
      events.push(...(page.history?.events ?? []));
      nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
    } while (nextPageToken);
    return events;
  }

  /** The sealed arguments (and update id) of each update the case's history accepted under this name. */
  async function acceptedUpdates(workflowId: string, name: string): Promise<{ updateId: string; args: Payloads }[]> {
    return (await rawHistory(workflowId)).flatMap((event) => {
      const request = event.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest;
      if (request?.input?.name !== name || !request.input.args) return [];
      return [{ updateId: request.meta?.updateId ?? '', args: request.input.args }];
    });
  }

  /**
   * Sends sealed arguments, unchanged, as an update to a workflow (`temporal workflow update execute --input-base64`),
   * and answers the refusal's code, or 'accepted'.
   */
  async function sendCopy(workflowId: string, name: string, args: Payloads, updateId: string): Promise<string> {
    const { outcome } = await plain.workflowService.updateWorkflowExecution({
      namespace,
      workflowExecution: { workflowId },
      request: { meta: { updateId, identity: 'someone-without-keys' }, input: { name, args } },
      waitPolicy: {
        lifecycleStage: UpdateWorkflowExecutionLifecycleStage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED,
      },
    });
    if (!outcome) throw new Error(`no outcome for ${name} on ${workflowId}`);
    if (outcome.success) return 'accepted';
    const failure = outcome.failure!;
    expect(failure.applicationFailureInfo?.type).toBe(REJECTION_FAILURE_TYPE);
    // The refusal's details are sealed like every payload: the test holds the keys to read which rule refused.
    const [details] = await new EncryptionCodec(TEST_PAYLOAD_KEYRING).decode(
      failure.applicationFailureInfo?.details?.payloads ?? [],
    );
    return defaultPayloadConverter.fromPayload<Rejection>(details!).code;
  }

  /** What must not change: the read model, the workflow's own state, and the history beyond its workflow tasks. */
  async function fingerprint(caseId: string) {
    const workflowId = workflowIdOf(caseId);
    const view = await getCase(stack.pool, caseId);
    const state = await stack.client.workflow.getHandle(workflowId).query(caseStateQuery);
    const events = (await rawHistory(workflowId))
      .map((event) => EventType[event.eventType ?? 0] ?? String(event.eventType))
      .filter((name) => !name.startsWith('EVENT_TYPE_WORKFLOW_TASK_'));
    return {
      view: { version: view?.version, agencies: view?.agencies, steps: view?.steps, status: view?.status },
      state: { version: state.version, agencies: state.agencies, steps: state.steps, status: state.status },
      events,
    };
  }

  const stepStatus = (view: { steps: { id: string; status: string }[] } | null, stepId: string) =>
    view?.steps.find((step) => step.id === stepId)?.status;

  test("a sealed sign-off, transfer or close copied from one case's history is refused by another case and by its own", async () => {
    const source = await openCase();
    const target = await openCase();
    const sourceId = workflowIdOf(source.caseId);
    const targetId = workflowIdOf(target.caseId);

    // The rightful owners act on the source case, through the service.
    const signOff = {
      stepId: 'cp_request-1',
      outcome: 'requested',
      details: { requestedOn: source.openedAt.slice(0, 10) },
    };
    await stack.cases.signOff(source.caseId, signOff, actor('law_enforcement'));
    await stack.cases.transfer(
      source.caseId,
      { agencyKind: 'law_enforcement', toAgencyId: OTHER_POLICE, reason: 'moved_jurisdiction' },
      actor('coordinator'),
    );
    const [signed] = await acceptedUpdates(sourceId, 'signOff');
    const [transferred] = await acceptedUpdates(sourceId, 'transfer');
    expect(signed?.args.payloads?.[0]?.metadata?.['encoding']).toEqual(Buffer.from('binary/encrypted'));
    const untouched = await fingerprint(target.caseId);

    // Onto the other case: under the update id it was recorded with, and under a new one.
    for (const updateId of [signed!.updateId, randomUUID()]) {
      expect(await sendCopy(targetId, 'signOff', signed!.args, updateId)).toBe('unbound_command');
      expect(await sendCopy(targetId, 'transfer', transferred!.args, updateId)).toBe('unbound_command');
    }
    // Onto its own case again, under a new update id (under its own, Temporal answers the first outcome, runs nothing).
    const sourceBefore = await fingerprint(source.caseId);
    expect(await sendCopy(sourceId, 'signOff', signed!.args, randomUUID())).toBe('unbound_command');
    expect(await sendCopy(sourceId, 'transfer', transferred!.args, randomUUID())).toBe('unbound_command');
    expect(await fingerprint(source.caseId)).toEqual(sourceBefore);

    // A close, copied once the source case is closed.
    await stack.cases.close(source.caseId, { status: 'closed', reason: 'relief_obtained' }, actor('coordinator'));
    const [closed] = await acceptedUpdates(sourceId, 'close');
    expect(await sendCopy(targetId, 'close', closed!.args, closed!.updateId)).toBe('unbound_command');
    expect(await sendCopy(targetId, 'close', closed!.args, randomUUID())).toBe('unbound_command');

    const after = await fingerprint(target.caseId);
    expect(after).toEqual(untouched);
    expect(stepStatus(after.state, 'cp_request-1')).toBe('pending');
    expect(after.view.agencies).toEqual(DEMO_AGENCIES);
    expect(after.state.status).toBe('open');

    // The service's own commands still go through.
    const own = await stack.cases.signOff(target.caseId, signOff, actor('law_enforcement'));
    expect(stepStatus(own, 'cp_request-1')).toBe('completed');
  });

  test("a case's sealed start input copied under another workflow id fails at once and projects nothing", async () => {
    const source = await openCase();
    const [started] = await rawHistory(workflowIdOf(source.caseId));
    const input = started?.workflowExecutionStartedEventAttributes?.input;
    expect(input?.payloads?.length).toBe(1);

    const copyId = workflowIdOf(randomUUID());
    await plain.workflowService.startWorkflowExecution({
      namespace,
      workflowId: copyId,
      workflowType: { name: 'caseWorkflow' },
      taskQueue: { name: stack.taskQueue },
      input,
      identity: 'someone-without-keys',
      requestId: randomUUID(),
    });
    const status = await eventually(async () => {
      const { workflowExecutionInfo } = await plain.workflowService.describeWorkflowExecution({
        namespace,
        execution: { workflowId: copyId },
      });
      const current = workflowExecutionInfo?.status ?? WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_UNSPECIFIED;
      return current === WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING ? undefined : current;
    }, `the copy ${copyId} to end`).catch(async (error: unknown) => {
      await plain.workflow.getHandle(copyId).terminate('test cleanup: copied start');
      throw error;
    });
    expect(WorkflowExecutionStatus[status]).toBe('WORKFLOW_EXECUTION_STATUS_FAILED');

    // It ran nothing: no projection (a local activity's marker), no search attributes; the source case is as it was.
    const events = (await rawHistory(copyId)).map((event) => EventType[event.eventType ?? 0]);
    expect(events.filter((name) => !name?.startsWith('EVENT_TYPE_WORKFLOW_TASK_'))).toEqual([
      'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED',
      'EVENT_TYPE_WORKFLOW_EXECUTION_FAILED',
    ]);
    const view = await getCase(stack.pool, source.caseId);
    expect(view?.version).toBe(source.version);
    expect(view?.timeline).toEqual(source.timeline);
  });

  test("a sealed delivery report copied from one case's history is dropped by another case", async () => {
    const source = await openCase();
    const target = await openCase();
    const report: DeliveryReport = {
      caseId: source.caseId,
      alarmId: 'cp_request-1:due',
      stepId: 'cp_request-1',
      kind: 'due',
      recipientAgencyId: DEMO_AGENCIES.law_enforcement,
      status: 'failing',
      at: source.openedAt,
    };
    // The source case's own report, sealed by the service's client, is written into its timeline.
    await stack.client.workflow.getHandle(workflowIdOf(source.caseId)).signal(deliveryReportSignal, report);
    await eventually(
      async () =>
        (await getCase(stack.pool, source.caseId))?.timeline.some((entry) => entry.type === 'notification.failing'),
      "the source case's delivery report",
    );

    // Its sealed payload, copied byte for byte to the other case, which names the same agencies.
    const signalled = (await rawHistory(workflowIdOf(source.caseId))).find(
      (event) => event.workflowExecutionSignaledEventAttributes?.signalName === 'deliveryReport',
    );
    const input = signalled?.workflowExecutionSignaledEventAttributes?.input;
    expect(input?.payloads?.length).toBe(1);
    const before = await fingerprint(target.caseId);
    await plain.workflowService.signalWorkflowExecution({
      namespace,
      workflowExecution: { workflowId: workflowIdOf(target.caseId) },
      signalName: 'deliveryReport',
      input,
      identity: 'someone-without-keys',
      requestId: randomUUID(),
    });
    // Once the worker has handled it (a workflow task completed after the signal), nothing of the case has changed.
    await eventually(async () => {
      const names = (await rawHistory(workflowIdOf(target.caseId))).map((event) => EventType[event.eventType ?? 0]);
      return (
        names.lastIndexOf('EVENT_TYPE_WORKFLOW_TASK_COMPLETED') >
        names.indexOf('EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED')
      );
    }, 'the copied report to be handled');
    const after = await fingerprint(target.caseId);
    expect(after.state).toEqual(before.state);
    expect(after.view).toEqual(before.view);
    expect((await getCase(stack.pool, target.caseId))?.timeline).toEqual(target.timeline);
  });
});
