/** The audit trail, for supervisors (their agency's users and cases) and admins (everything). */
import { listAudit } from '../../db/audit';
import { canReadAudit, readsWholeAudit } from '../../domain/access';
import type { ApiDeps } from '../deps';
import { route, type Route } from '../route';
import { AuditPageSchema, AuditQuerySchema } from '../schemas';
import { instantOfBound } from '../../domain/dates';

export function auditRoutes(deps: ApiDeps): Route[] {
  return [
    route({
      method: 'get',
      path: '/api/audit',
      tag: 'audit',
      summary: 'Who did what, when, to which case, and how it ended; newest first. A supervisor sees their own agency.',
      allow: { test: canReadAudit, needs: 'the supervisor or admin role' },
      query: AuditQuerySchema,
      responses: { 200: { description: 'one page; pass nextCursor as cursor for the next', schema: AuditPageSchema } },
      handle: async ({ query, actor }) => {
        const bound = (value: string | undefined) => (value === undefined ? undefined : new Date(instantOfBound(value)));
        const page = await listAudit(deps.pool, {
          ...query,
          from: bound(query.from),
          to: bound(query.to),
          visibleToAgency: readsWholeAudit(actor) ? undefined : actor.agencyId,
        });
        return { status: 200, body: page, headers: { 'Cache-Control': 'no-store' } };
      },
    }),
  ];
}
