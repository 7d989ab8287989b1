/** Liveness, readiness and the development mailbox: what operators and developers ask of a running service. */
import { z } from 'zod';
import { RETRY_AFTER_SECONDS } from '../../core/errors';
import type { ApiDeps, Readiness } from '../deps';
import { PROBLEM_CONTENT_TYPE, problem } from '../problem';
import { route, type Route } from '../route';
import { HealthSchema, ProblemSchema, ReadySchema } from '../schemas';

export function operationRoutes(deps: ApiDeps): Route[] {
  const routes: Route[] = [
    route({
      method: 'get',
      path: '/health',
      tag: 'operations',
      summary: 'Liveness: answers 200 while the process runs.',
      actor: false,
      // A probe's own URL may carry parameters of its own: not the API's to refuse.
      anyQuery: true,
      responses: { 200: { description: 'alive', schema: HealthSchema } },
      handle: async () => ({ status: 200, body: { status: 'ok' } }),
    }),
    route({
      method: 'get',
      path: '/ready',
      tag: 'operations',
      summary:
        'Readiness: 200 when PostgreSQL and Temporal answer and a worker process of the case task queue was seen in the last 15 s, else 503 naming the failed checks (postgres, temporal, worker); answers within about a second.',
      actor: false,
      anyQuery: true,
      responses: {
        200: { description: 'ready', schema: ReadySchema },
        503: {
          description: 'not ready',
          schema: ProblemSchema.extend({ checks: z.record(z.string(), z.boolean()) }),
          problem: true,
        },
      },
      handle: async ({ req }) => {
        const readiness: Readiness = await deps.ready().catch(() => ({ ok: false, checks: { ready: false } }));
        if (readiness.ok) return { status: 200, body: { status: 'ready', checks: readiness.checks } };
        const failed = Object.keys(readiness.checks).filter((name) => !readiness.checks[name]);
        const body = {
          ...problem(503, req.id, { detail: `not ready: ${failed.join(', ')}`, code: 'not_ready' }),
          checks: readiness.checks,
        };
        return {
          status: 503,
          body,
          contentType: PROBLEM_CONTENT_TYPE,
          headers: { 'Retry-After': String(RETRY_AFTER_SECONDS) },
        };
      },
    }),
  ];
  const { mailbox } = deps;
  if (mailbox) {
    routes.push(
      route({
        method: 'get',
        path: '/dev/mail',
        tag: 'operations',
        summary: 'Embedded mode only: the emails the service sent, as captured by the local SMTP server.',
        actor: false,
        responses: { 200: { description: 'captured messages', schema: z.object({ items: z.array(z.unknown()) }) } },
        handle: async () => ({ status: 200, body: { items: mailbox.messages() } }),
      }),
    );
  }
  return routes;
}
