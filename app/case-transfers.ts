/**
 * What the API does around a case's transfer update (app/case-commands.ts): it checks the new agency against the
 * agencies table (which the workflow's pure rule cannot see) before. Both agencies are told by the workflow, which
 * records the transfer's emails in the outbox (activities/transfer-notices.ts).
 */
import type { Pool } from 'pg';
import { AppError } from '../core/errors';
import type { TransferCaseRequest } from '../domain/case';
import { agencyProblem } from './case-reads';

export interface CaseTransfersDeps {
  pool: Pool;
}

export type CaseTransfers = ReturnType<typeof createCaseTransfers>;

export function createCaseTransfers(deps: CaseTransfersDeps) {
  return {
    /** The new agency must be a known agency of the kind it takes over (422 otherwise, naming `toAgencyId`). */
    async checkTarget(request: TransferCaseRequest): Promise<void> {
      const problem = await agencyProblem(deps.pool, request.toAgencyId, request.agencyKind, 'toAgencyId');
      if (problem)
        throw new AppError('unprocessable', `The case cannot be transferred to ${request.toAgencyId}.`, {
          code: 'invalid_agency',
          fields: [problem],
        });
    },
  };
}
