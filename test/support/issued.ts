import { randomUUID } from 'node:crypto';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Issued } from '../../domain/issued';

/**
 * What a command sent straight to a case's workflow carries to pass as one the API issued (domain/issued.ts): this
 * case, the update id to send it with and the test server's time. Send it with `updateId: issued.updateId`.
 */
export async function issuedNow(env: TestWorkflowEnvironment, caseId: string): Promise<Issued> {
  return { caseId, updateId: randomUUID(), at: new Date(await env.currentTimeMs()).toISOString() };
}

/**
 * The rejection a case workflow's validator refused an update with (its `details[0]`, domain/case-state.ts
 * `Rejection`); fails the test when the update was accepted or failed otherwise.
 */
export async function updateRefusal(update: Promise<unknown>): Promise<unknown> {
  const failure: unknown = await update.then(
    () => new Error('accepted'),
    (error: unknown) => error,
  );
  expect(failure).toBeInstanceOf(WorkflowUpdateFailedError);
  const cause = (failure as WorkflowUpdateFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  return (cause as ApplicationFailure).details?.[0];
}
