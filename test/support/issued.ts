import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Issued } from '../../domain/issued';

/**
 * What a command sent straight to a case's workflow carries to pass as one the API issued (domain/issued.ts): this
 * case, the update id to send it with and the test server's time. Send it with `updateId: issued.updateId`.
 */
export async function issuedNow(env: TestWorkflowEnvironment, caseId: string): Promise<Issued> {
  return { caseId, updateId: randomUUID(), at: new Date(await env.currentTimeMs()).toISOString() };
}
