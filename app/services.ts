/**
 * The services the API's routes call, built from their parts in one place, so the composition root (service.ts)
 * and the tests' stacks wire them alike.
 */
import { createAccessService, type AccessDeps, type AccessService } from './access-service';
import { createAuditService, type AuditService } from './audit-service';
import { createCalendarFeeds, type CalendarFeedDeps, type CalendarFeeds } from './calendar-feeds';
import { createIdempotencyService, type IdempotencyDeps, type IdempotencyService } from './idempotency-service';
import { createCaseReads, type CaseReads, type CaseReadsDeps } from './case-reads';
import { createCaseTransfers, type CaseTransfers } from './case-transfers';
import { createDocuments, type Documents, type DocumentsDeps } from './documents';
import { createListsService, type ListsDeps, type ListsService } from './lists-service';
import { createRateCounts, type RateCounts } from './rate-counts';
import { createSurvivorRecords, type SurvivorRecords, type SurvivorRecordsDeps } from './survivor-records';
import { createReportsService, type ReportsService } from './reports-service';

export type ServiceParts = AccessDeps &
  ListsDeps &
  CaseReadsDeps &
  IdempotencyDeps &
  CalendarFeedDeps &
  DocumentsDeps &
  SurvivorRecordsDeps;

export interface Services {
  access: AccessService;
  audit: AuditService;
  lists: ListsService;
  caseReads: CaseReads;
  /** The checks before a case's transfer (its emails are the workflow's). */
  caseTransfers: CaseTransfers;
  survivorRecords: SurvivorRecords;
  /** The documents that prove each step. */
  documents: Documents;
  idempotency: IdempotencyService;
  /** The counts of the API's rate limits and of each user's uploads in flight, shared by every process on the database. */
  rateCounts: RateCounts;
  calendarFeeds: CalendarFeeds;
  /** The compliance report's figures. */
  reports: ReportsService;
}

export function createServices(parts: ServiceParts): Services {
  const caseReads = createCaseReads(parts);
  const access = createAccessService(parts);
  const rateCounts = createRateCounts(parts);
  return {
    access,
    audit: createAuditService(parts),
    lists: createListsService(parts),
    caseReads,
    caseTransfers: createCaseTransfers(parts),
    survivorRecords: createSurvivorRecords(parts, caseReads),
    documents: createDocuments(parts, caseReads, rateCounts),
    idempotency: createIdempotencyService(parts),
    rateCounts,
    calendarFeeds: createCalendarFeeds(parts, access),
    reports: createReportsService(parts),
  };
}
