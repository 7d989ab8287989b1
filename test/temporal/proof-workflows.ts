/** Small workflows that prove the official servers and SDK behave as the product relies on. */
import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  defineQuery,
  defineSignal,
  defineUpdate,
  proxyActivities,
  setHandler,
  sleep,
} from '@temporalio/workflow';
import type * as activities from './proof-activities';

export async function waitDays(days: number): Promise<{ startedAt: number; endedAt: number }> {
  const startedAt = Date.now();
  await sleep(`${days} days`);
  return { startedAt, endedAt: Date.now() };
}

const flaky = proxyActivities<typeof activities>({
  startToCloseTimeout: '10 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumAttempts: 5,
    nonRetryableErrorTypes: ['InvalidRequest'],
  },
});

export async function retryUntilSuccess(failures: number): Promise<{ attempts: number; waitedMs: number }> {
  const startedAt = Date.now();
  const { attempts } = await flaky.failTimes(failures);
  return { attempts, waitedMs: Date.now() - startedAt };
}

export async function failsWithoutRetry(): Promise<string> {
  try {
    await flaky.rejectAsInvalid();
    return 'unexpected success';
  } catch (error) {
    if (error instanceof ActivityFailure && error.cause instanceof ApplicationFailure)
      return error.cause.type ?? 'untyped';
    throw error;
  }
}

export const addNote = defineSignal<[string]>('addNote');
export const notes = defineQuery<string[]>('notes');
export const setLimit = defineUpdate<number, [number]>('setLimit');
export const finish = defineSignal('finish');

/** Holds notes; the update validator refuses limits that are not positive integers. */
export async function noteBoard(): Promise<string[]> {
  const board: string[] = [];
  let limit = 10;
  let finished = false;
  setHandler(addNote, (note) => void board.push(note));
  setHandler(notes, () => board.slice(0, limit));
  setHandler(finish, () => void (finished = true));
  setHandler(
    setLimit,
    (newLimit) => {
      const previous = limit;
      limit = newLimit;
      return previous;
    },
    {
      validator: (newLimit) => {
        if (!Number.isInteger(newLimit) || newLimit < 1)
          throw new Error(`limit must be a positive integer, got ${newLimit}`);
      },
    },
  );
  await condition(() => finished);
  return board.slice(0, limit);
}

const slow = proxyActivities<typeof activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '200 ms' },
});

/** Records a step, waits for a signal, records another: used to kill a worker in between. */
export async function twoSteps(): Promise<string[]> {
  let go = false;
  setHandler(finish, () => void (go = true));
  const first = await slow.echo('first');
  await condition(() => go);
  const second = await slow.echo('second');
  return [first, second];
}

/** A short real timer, for stopping the dev server while it is pending. */
export async function timerThenAnswer(seconds: number): Promise<string> {
  await sleep(`${seconds} seconds`);
  return `waited ${seconds}s`;
}

/**
 * Fails with a failure type that is not valid UTF-8 (a lone surrogate): Temporal's Core cannot encode the activation's
 * completion, and the worker fails for good. The type, since a failure's message now travels inside a payload
 * (temporal/failure-converter.ts), as escaped JSON, which Core encodes whatever text it holds.
 */
export async function failsWithIllFormedText(): Promise<void> {
  throw ApplicationFailure.create({ type: 'Refused\ud800', message: 'refused', nonRetryable: true });
}

const once = proxyActivities<typeof activities>({ startToCloseTimeout: '10 seconds', retry: { maximumAttempts: 1 } });

/** Fails quoting `text`, after an activity that failed quoting it too: both failures are in the history. */
export async function failsQuoting(text: string): Promise<never> {
  try {
    await once.failQuoting(text);
  } catch (error) {
    throw ApplicationFailure.create({
      type: 'Refused',
      message: `refused: ${text}`,
      cause: error as Error,
      nonRetryable: true,
    });
  }
  throw ApplicationFailure.nonRetryable('the activity did not fail');
}
