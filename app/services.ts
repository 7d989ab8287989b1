/**
 * The services the API's routes call, built from their parts in one place, so the composition root (service.ts)
 * and the tests' stacks wire them alike.
 */
import { createAccessService, type AccessDeps, type AccessService } from './access-service';
import { createAuditService, type AuditService } from './audit-service';
import { createIdempotencyService, type IdempotencyService } from './idempotency-service';
import { createCaseReads, type CaseReads, type CaseReadsDeps } from './case-reads';
import { createListsService, type ListsDeps, type ListsService } from './lists-service';

export type ServiceParts = AccessDeps & ListsDeps & CaseReadsDeps;

export interface Services {
  access: AccessService;
  audit: AuditService;
  lists: ListsService;
  caseReads: CaseReads;
  idempotency: IdempotencyService;
}

export function createServices(parts: ServiceParts): Services {
  return {
    access: createAccessService(parts),
    audit: createAuditService(parts),
    lists: createListsService(parts),
    caseReads: createCaseReads(parts),
    idempotency: createIdempotencyService(parts),
  };
}
