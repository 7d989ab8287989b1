/** Work lists across cases, straight from the read model: pending or overdue steps, and notifications. */
import { listNotifications } from '../../db/notifications';
import { AppError } from '../../app/errors';
import { InvalidCursorError, listSteps } from '../../db/read-model';
import type { ApiDeps } from '../deps';
import { route, type Route } from '../route';
import { NotificationListQuerySchema, NotificationPageSchema, StepListQuerySchema, StepPageSchema } from '../schemas';

/** A bare date bound means the start of that day in UTC. */
const instant = (bound: string | undefined) => (bound === undefined ? undefined : bound.length === 10 ? `${bound}T00:00:00.000Z` : new Date(bound).toISOString());

export function listRoutes(deps: ApiDeps): Route[] {
  return [
    route({
      method: 'get',
      path: '/api/steps',
      tag: 'lists',
      summary: 'Pending or overdue steps across cases, filtered and sorted by due date, one page at a time.',
      query: StepListQuerySchema,
      responses: { 200: { description: 'one page; pass nextCursor as cursor for the next', schema: StepPageSchema } },
      handle: async ({ query }) => {
        const page = await listSteps(deps.pool, {
          status: query.status,
          agencyId: query.agencyId,
          kind: query.kind,
          dueBefore: instant(query.dueBefore),
          dueAfter: instant(query.dueAfter),
          sort: query.sort === 'dueAt' ? 'due_at' : '-due_at',
          limit: query.limit,
          cursor: query.cursor,
          now: deps.now?.() ?? new Date(),
        }).catch((error: unknown) => {
          if (error instanceof InvalidCursorError) {
            throw new AppError('bad_request', error.message, { code: 'invalid_cursor', fields: [{ field: 'cursor', message: 'not a cursor of this list' }] });
          }
          throw error;
        });
        return { status: 200, body: page };
      },
    }),
    route({
      method: 'get',
      path: '/api/notifications',
      tag: 'lists',
      summary: 'Notifications (reminders, escalations, expiries), newest first, one page at a time.',
      query: NotificationListQuerySchema,
      responses: { 200: { description: 'one page; pass nextCursor as cursor for the next', schema: NotificationPageSchema } },
      handle: async ({ query }) => ({
        status: 200,
        body: await listNotifications(deps.pool, { caseId: query.caseId, agencyId: query.agencyId, limit: query.limit, cursor: query.cursor }),
      }),
    }),
  ];
}
