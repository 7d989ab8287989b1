/**
 * The services the API's routes call, built from their parts in one place, so the composition root (service.ts)
 * and the tests' stacks wire them alike.
 */
import { createAccessService, type AccessDeps, type AccessService } from './access-service';
import { createAuditService, type AuditService } from './audit-service';

export type ServiceParts = AccessDeps;

export interface Services {
  access: AccessService;
  audit: AuditService;
}

export function createServices(parts: ServiceParts): Services {
  return { access: createAccessService(parts), audit: createAuditService(parts) };
}
