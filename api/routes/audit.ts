/** The audit trail, for supervisors and admins, each the rows they see (domain/access.ts `auditScope`). */
import { canReadAudit } from '../../domain/access';
import type { ApiDeps } from '../deps';
import { route, type Route } from '../route';
import { AuditPageSchema, AuditQuerySchema } from '../schemas';

export function auditRoutes(deps: ApiDeps): Route[] {
  return [
    route({
      method: 'get',
      path: '/api/audit',
      tag: 'audit',
      summary:
        "Who did what, when, to which case, and how it ended; newest first. A supervisor sees their agency's users' " +
        "rows, and a supervisor of the coordinating agency also every row on the cases it coordinates; an agency's " +
        "admin their agency's users' rows; a system administrator every row.",
      allow: { test: canReadAudit, needs: 'the supervisor or admin role' },
      query: AuditQuerySchema,
      responses: { 200: { description: 'one page; pass nextCursor as cursor for the next', schema: AuditPageSchema } },
      handle: async ({ query, actor }) => {
        const page = await deps.audit.page(actor, query);
        return { status: 200, body: page };
      },
    }),
  ];
}
