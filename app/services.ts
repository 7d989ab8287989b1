/**
 * The services the API's routes call, built from their parts in one place, so the composition root (service.ts)
 * and the tests' stacks wire them alike.
 */
import { createAccessService, type AccessDeps, type AccessService } from './access-service';
import { createAuditService, type AuditService } from './audit-service';
import { createIdempotencyService, type IdempotencyDeps, type IdempotencyService } from './idempotency-service';
import { createCaseReads, type CaseReads, type CaseReadsDeps } from './case-reads';
import { createListsService, type ListsDeps, type ListsService } from './lists-service';
import { createRateCounts, type RateCounts } from './rate-counts';
import { createReportsService, type ReportsService } from './reports-service';

export type ServiceParts = AccessDeps & ListsDeps & CaseReadsDeps & IdempotencyDeps;

export interface Services {
  access: AccessService;
  audit: AuditService;
  lists: ListsService;
  caseReads: CaseReads;
  idempotency: IdempotencyService;
  /** The counts of the API's rate limits, shared by every process on the database. */
  rateCounts: RateCounts;
  /** The compliance report's figures. */
  reports: ReportsService;
}

export function createServices(parts: ServiceParts): Services {
  return {
    access: createAccessService(parts),
    audit: createAuditService(parts),
    lists: createListsService(parts),
    caseReads: createCaseReads(parts),
    idempotency: createIdempotencyService(parts),
    rateCounts: createRateCounts(parts),
    reports: createReportsService(parts),
  };
}
