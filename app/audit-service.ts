/**
 * The audit trail: written by the API for each audited request, and read as its readers see it (domain/access.ts
 * `auditScope`).
 */
import type { Pool } from 'pg';
import { listAudit, recordAudit, type AuditEntry, type AuditFilter } from '../db/audit';
import { auditScope } from '../domain/access';
import { instantOfBound } from '../domain/dates';
import type { Actor } from '../domain/types';
import type { IdentityKeyring } from '../core/identity-cipher';
import { cursorKeys } from '../core/list-cursor';
import { pagedList } from './lists-service';

/** A page's filter as a reader asks for it: bounds are instants or dates (domain/dates.ts). */
type AuditQuery = Omit<AuditFilter, 'from' | 'to' | 'visibleTo'> & { from?: string; to?: string };

/** The vocabulary of the trail, for the API's schemas and its audit of each request. */
export { AUDIT_OUTCOMES, type AuditOutcome } from '../db/audit';

export type AuditService = ReturnType<typeof createAuditService>;

export function createAuditService(deps: {
  pool: Pool;
  /** Signs the trail's cursors (core/list-cursor.ts); without it, the development-only fixed key. */
  identityKeyring?: IdentityKeyring;
}) {
  return {
    /** Appends one row; the API writes each audited request's before it answers (api/route.ts). */
    record: (entry: AuditEntry) => recordAudit(deps.pool, entry),

    /**
     * One page, newest first, of the rows the reader sees. Its cursor is signed and bound to the filters, as every
     * list's (app/lists-service.ts `pagedList`): a row's id from the client's hand is no position.
     */
    page(actor: Actor, query: AuditQuery) {
      const bound = (value: string | undefined) => (value === undefined ? undefined : new Date(instantOfBound(value)));
      return pagedList(cursorKeys(deps.identityKeyring), 'audit', query, 'query', (cursor) =>
        listAudit(deps.pool, {
          ...query,
          cursor,
          from: bound(query.from),
          to: bound(query.to),
          visibleTo: auditScope(actor),
        }),
      );
    },
  };
}
