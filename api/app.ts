/**
 * The Express app, built from its dependencies: no globals, no listening (the caller decides where it runs).
 * Order matters: the request id and logger come first so every later failure is logged and answered with the id.
 */
import express from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import type { Actor } from '../domain/types';
import { identifyActor } from './actor';
import type { ApiDeps } from './deps';
import { idempotency } from './idempotency';
import { openApiDocument } from './openapi';
import { errorHandler, notFound } from './problem';
import { assignRequestId } from './request-id';
import { mountRoute, route, type Route } from './route';
import { caseRoutes } from './routes/cases';
import { listRoutes } from './routes/lists';
import { operationRoutes } from './routes/operations';

export type { ApiDeps, CaseCommands, CaseView, Readiness } from './deps';

export const BODY_LIMIT = '64kb';

export function createApp(deps: ApiDeps): express.Express {
  const app = express();
  app.use(
    pinoHttp({
      logger: deps.logger,
      genReqId: assignRequestId,
      // Method, path and status only: bodies and headers (Authorization included) never reach the log.
      serializers: {
        req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      customProps: (_req, res) => {
        const actor = (res as unknown as express.Response).locals?.actor as Actor | undefined;
        return actor ? { actor: { agencyId: actor.agencyId, userId: actor.userId } } : {};
      },
    }),
  );
  app.use(helmet());
  app.use(express.json({ limit: BODY_LIMIT }));

  const routes: Route[] = [...operationRoutes(deps), ...caseRoutes(deps), ...listRoutes(deps)];
  let document: unknown;
  routes.push(
    route({
      method: 'get',
      path: '/api/openapi.json',
      tag: 'operations',
      summary: 'This document: OpenAPI 3.1, generated from the routes and schemas the API runs.',
      actor: false,
      responses: { 200: { description: 'the OpenAPI document' } },
      handle: async () => ({ status: 200, body: (document ??= openApiDocument(routes)) }),
    }),
  );

  const mountOptions = { identifyActor: identifyActor(deps.pool), idempotency: idempotency(deps.pool) };
  for (const spec of routes) mountRoute(app, spec, mountOptions);

  app.use(notFound);
  app.use(errorHandler);
  return app;
}
