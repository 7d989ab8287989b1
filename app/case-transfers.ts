/**
 * What the API does around a case's transfer update (app/case-commands.ts): it checks the new agency against the
 * agencies table (which the workflow's pure rule cannot see) before, and tells both agencies after.
 */
import type { Pool } from 'pg';
import { AppError } from '../core/errors';
import type { Clock } from '../core/clock';
import type { Logger } from '../core/logger';
import { deadlineTimeZones, findAgency } from '../db/agencies';
import type { CaseView } from '../db/read-model';
import type { TransferCaseRequest } from '../domain/case';
import type { Actor } from '../domain/types';
import { caseTransferredNotice, changedByOf, sendAgencyNotice, type NoticeMailer } from '../mail/agency-notices';
import { DEFAULT_BASE_URL } from './calendar-feeds';
import { agencyProblem } from './case-reads';

export interface CaseTransfersDeps {
  pool: Pool;
  logger: Logger;
  now: Clock;
  /** Sends the notices; without one, each is logged as not sent. */
  mailer?: NoticeMailer;
  /** Where the service is reachable (PUBLIC_BASE_URL): the new agency's notice links to the case page. */
  publicBaseUrl?: string;
  /** The deployment's TIMEZONE, for an agency without a zone of its own (default UTC). */
  timeZone?: string;
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

    /**
     * Tells the agency that lost the case and the one that took it over, by the case reference only; nothing when the
     * case did not change hands between `before` and `after` (a retry of a transfer already applied and told).
     * Best effort (mail/agency-notices.ts): the answer does not wait for the mail server.
     */
    async notify(before: CaseView, after: CaseView, request: TransferCaseRequest, actor: Actor): Promise<void> {
      const { agencyKind } = request;
      const fromAgencyId = before.agencies[agencyKind];
      const toAgencyId = after.agencies[agencyKind];
      if (fromAgencyId === toAgencyId) return;
      const [from, to, by, at, deadlineZones] = await Promise.all([
        findAgency(deps.pool, fromAgencyId),
        findAgency(deps.pool, toAgencyId),
        changedByOf(deps.pool, actor),
        deps.now(),
        deadlineTimeZones(deps.pool, deps.timeZone ?? 'UTC'),
      ]);
      if (!from || !to) return;
      const transfer = {
        reference: after.reference,
        agencyKind,
        from,
        to,
        pendingSteps: after.steps.filter((step) => step.status === 'pending' && step.agencyId === toAgencyId),
        caseId: after.caseId,
        publicBaseUrl: deps.publicBaseUrl ?? DEFAULT_BASE_URL,
        deadlineZones,
      };
      for (const agency of [from, to]) {
        void sendAgencyNotice(deps.mailer, deps.logger, caseTransferredNotice(agency, transfer, by, at));
      }
    },
  };
}
