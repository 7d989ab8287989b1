import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import * as activities from '../proof-activities';
import {
  addNote,
  failsWithoutRetry,
  finish,
  noteBoard,
  notes,
  retryUntilSuccess,
  setLimit,
  waitDays,
} from '../proof-workflows';
import { createTimeSkippingEnv, workflowBundle } from '../../support/temporal';

describe('time-skipping', () => {
  const EventType = temporal.api.enums.v1.EventType;
  let env: TestWorkflowEnvironment;
  let worker: Worker;
  let running: Promise<void>;
  const taskQueue = 'proof';

  beforeAll(async () => {
    env = await createTimeSkippingEnv();
    worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: await workflowBundle(require.resolve('../proof-workflows')),
      activities,
    });
    running = worker.run();
  });

  afterAll(async () => {
    worker?.shutdown();
    await running;
    await env?.teardown();
  });

  let started = 0;
  const options = () => ({ taskQueue, workflowId: `proof-${++started}` });

  test('a workflow waiting 90 days completes under time skipping', async () => {
    const wallStart = Date.now();
    const result = await env.client.workflow.execute(waitDays, { taskQueue, workflowId: 'ninety-days', args: [90] });
    const wallMs = Date.now() - wallStart;
    expect(result.endedAt - result.startedAt).toBeGreaterThanOrEqual(90 * 24 * 3600 * 1000);
    // Reported for the record; the speed target itself lives in bench/.
    console.log(`90-day workflow under time skipping: ${wallMs} ms of wall time`);
  });

  test('an activity is retried with backoff until it succeeds', async () => {
    const handle = await env.client.workflow.start(retryUntilSuccess, { ...options(), args: [2] });
    const { attempts, waitedMs } = await handle.result();
    expect(attempts).toBe(3);
    // Backoff of 1 s then 2 s between the three attempts, in workflow time.
    expect(waitedMs).toBeGreaterThanOrEqual(3000);
  });

  test('a non-retryable error type fails the activity on its first attempt', async () => {
    const handle = await env.client.workflow.start(failsWithoutRetry, options());
    expect(await handle.result()).toBe('InvalidRequest');
    const history = await handle.fetchHistory();
    const starts = history.events!.filter((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED);
    expect(starts).toHaveLength(1);
    expect(starts[0]!.activityTaskStartedEventAttributes!.attempt).toBe(1);
  });

  test('signals, queries and updates with a validator', async () => {
    const handle = await env.client.workflow.start(noteBoard, options());
    await handle.signal(addNote, 'first');
    await handle.signal(addNote, 'second');
    expect(await handle.query(notes)).toEqual(['first', 'second']);

    const rejection = handle.executeUpdate(setLimit, { args: [0] });
    await expect(rejection).rejects.toThrow(WorkflowUpdateFailedError);
    await expect(rejection).rejects.toMatchObject({ cause: { message: 'limit must be a positive integer, got 0' } });
    const updateEvents = async () =>
      (await handle.fetchHistory()).events!.filter(
        (e) =>
          e.workflowExecutionUpdateAcceptedEventAttributes ||
          e.workflowExecutionUpdateCompletedEventAttributes ||
          e.workflowExecutionUpdateAdmittedEventAttributes,
      );
    // A rejected update leaves no trace in history.
    expect(await updateEvents()).toHaveLength(0);

    expect(await handle.executeUpdate(setLimit, { args: [1] })).toBe(10);
    const accepted = (await updateEvents()).filter(
      (e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED,
    );
    expect(accepted).toHaveLength(1);
    expect(await handle.query(notes)).toEqual(['first']);

    await handle.signal(finish);
    expect(await handle.result()).toEqual(['first']);
  });
});
