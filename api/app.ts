/**
 * The Express app, built from its dependencies: no globals, no listening (the caller decides where it runs).
 * Order matters: the request id and logger come first so every later failure is logged and answered with the id.
 */
import cors from 'cors';
import express from 'express';
import helmet from 'helmet';
import { authenticate, authenticatedOf, refuseRepeatedAuthorization } from './auth';
import type { ApiDeps } from './deps';
import { idempotency, REPLAYED_HEADER } from './idempotency';
import { openApiDocument } from './openapi';
import { refuseDuplicateKeys } from './duplicate-keys';
import { errorHandler, notFound } from './problem';
import { bindRequestId, CORRELATION_ID_HEADER, REQUEST_ID_HEADER } from './request-id';
import { requestLog } from './request-log';
import { pathWordsOf } from '../core/log-vocabulary';
import { methodNotAllowed, mountRoute, queryNamesOf, route, type Route } from './route';
import { DEFAULT_RATE_LIMITS } from '../app/rate-limit-settings';
import { auditedReadLimit, rateLimiters, refusalAuditBudget, writeGiveBack } from './rate-limits';
import { accessRoutes } from './routes/access';
import { auditRoutes } from './routes/audit';
import { calendarRoutes } from './routes/calendar';
import { caseRoutes } from './routes/cases';
import { dashboardRoutes } from './routes/dashboard';
import { documentRoutes } from './routes/documents';
import { listRoutes } from './routes/lists';
import { operationRoutes } from './routes/operations';
import { metricsRoute, recordHttpMetrics } from './metrics';
import { codecCors, codecRoutes } from './routes/codec';
import { withoutTokens } from '../core/token-format';
import { reportRoutes } from './routes/reports';
import { readUtf8AliasAsUtf8, refuseIllFormedText, refuseUndecodableBody } from './well-formed-text';

export type { ApiDeps } from './deps';

const BODY_LIMIT = '64kb';

/**
 * The response headers an allowed origin's scripts may read (`Access-Control-Expose-Headers`): every one the OpenAPI
 * document lists for a client to read (api/openapi.ts), the rate limit's count and a download's name and digest too.
 */
const EXPOSED_HEADERS = [
  REQUEST_ID_HEADER,
  CORRELATION_ID_HEADER,
  'Retry-After',
  'RateLimit',
  'RateLimit-Policy',
  'Location',
  'ETag',
  REPLAYED_HEADER,
  'Content-Disposition',
  'Repr-Digest',
] as const;

/**
 * A script's fetch() (the Fetch standard: a browser, Node, a client generated from the OpenAPI document) sends
 * `Cache-Control: no-cache` with every If-None-Match it sets: a directive to the caches on the way, which Express's
 * freshness check (`req.fresh`) reads as "never 304", so such a client was answered 200 and the whole body every time.
 * The API is the origin, which answers the condition itself (RFC 9110 13.2.1): a conditional request's directive is
 * dropped, and an answer the same as the one it names is the 304 the document lists.
 */
function answerConditionsAsTheOrigin(req: express.Request, _res: express.Response, next: express.NextFunction): void {
  if (req.headers['if-none-match'] !== undefined) delete req.headers['cache-control'];
  next();
}

export function createApp(deps: ApiDeps): express.Express {
  const app = express();
  if (deps.metrics) app.use(recordHttpMetrics(deps.metrics));
  // Only configured proxies may say who the client is (X-Forwarded-For): believed from anyone, it would let one client
  // pass for many addresses and spread guesses past the per-address limits.
  app.set('trust proxy', deps.trustedProxies?.length ? [...deps.trustedProxies] : false);
  // The web console of this process names the browser it calls for, with a proof no other caller holds
  // (core/console-client.ts): the sign-in limit then counts people, not the console, in every mode and with no
  // TRUSTED_PROXIES; the address the browser reached the console from was itself judged by `trust proxy`.
  const vouchedClientOf = deps.console?.vouchedClientOf;
  if (vouchedClientOf)
    app.use((req, _res, next) => {
      const client = vouchedClientOf(req);
      if (client !== undefined) Object.defineProperty(req, 'ip', { value: client, configurable: true });
      next();
    });
  app.use(
    requestLog(deps.logger, {
      loggedUrl: withoutTokens,
      actorOf: (res) => {
        const actor = authenticatedOf(res as unknown as express.Response)?.actor;
        return actor && { agencyId: actor.agencyId, userId: actor.userId };
      },
      // Asked at the first request, when every route below is mounted.
      vocabulary: () => {
        const console = deps.console?.vocabulary?.();
        return {
          pathWords: new Set([...routes.flatMap((spec) => pathWordsOf(spec.path)), ...(console?.pathWords ?? [])]),
          queryNames: new Set([...routes.flatMap((spec) => queryNamesOf(spec.query)), ...(console?.queryNames ?? [])]),
        };
      },
    }),
  );
  app.use(helmet());
  app.use(answerConditionsAsTheOrigin);
  // Node keeps the first of several Authorization headers: a request with more than one is refused, not half-read.
  app.use(refuseRepeatedAuthorization);
  // The codec server's own CORS (the Temporal UI's origin only), before the API's, which would answer its preflight.
  if (deps.codec) app.use('/codec', ...codecCors(deps.codec));
  // CORS is closed unless origins are configured: a page on another site cannot call this API from a browser. An
  // allowed origin's scripts may read the headers they need beyond the few a browser shows them by default: the
  // request id to report (and the caller's own, echoed), how long to wait after a 429 or 503 and how much of a rate
  // limit is left, where a created thing is, a response's ETag for If-None-Match, whether a write was a replay of a
  // retry, and a download's file name and digest.
  if (deps.corsOrigins?.length)
    app.use(
      cors({ origin: [...deps.corsOrigins], credentials: false, maxAge: 600, exposedHeaders: [...EXPOSED_HEADERS] }),
    );
  // A body that is not valid UTF-8 is refused, not decoded with U+FFFD for each bad byte (api/well-formed-text.ts).
  app.use(readUtf8AliasAsUtf8);
  app.use(express.json({ limit: BODY_LIMIT, verify: refuseUndecodableBody }));
  // JSON.parse keeps the last of a key given twice: such a body is refused, its keys named (api/duplicate-keys.ts).
  app.use(refuseDuplicateKeys);
  // Before any route's schema: a lone surrogate would reach PostgreSQL or a workflow's refusal (api/well-formed-text.ts).
  app.use(refuseIllFormedText);
  app.use(bindRequestId);

  const routes: Route[] = [
    ...operationRoutes(deps),
    ...accessRoutes(deps),
    ...caseRoutes(deps),
    ...documentRoutes(deps),
    ...listRoutes(deps),
    ...dashboardRoutes(deps),
    ...auditRoutes(deps),
    ...(deps.metrics && deps.metricsToken ? [metricsRoute(deps.metrics, deps.metricsToken)] : []),
    ...(deps.codec ? codecRoutes(deps.codec) : []),
    ...calendarRoutes(deps),
    ...reportRoutes(deps),
  ];
  // Written out once, its bytes sent as they are: serialising half a megabyte for each request took about 10 ms of the
  // one thread, which no account or limit bounds (probe Q6: 1,000 connections asking for it at once held a
  // coordinator's read of a case for 15 s).
  let document: Buffer | undefined;
  routes.push(
    route({
      method: 'get',
      path: '/api/openapi.json',
      tag: 'operations',
      summary: 'This document: OpenAPI 3.1, generated from the routes and schemas the API runs.',
      actor: false,
      responses: { 200: { description: 'the OpenAPI document' } },
      handle: async () => ({
        status: 200,
        body: (document ??= Buffer.from(JSON.stringify(openApiDocument(routes)))),
        contentType: 'application/json',
      }),
    }),
  );

  const mountOptions = {
    authenticate: authenticate(deps.access, {
      record: deps.audit.record,
      withinBudget: refusalAuditBudget(deps.rateLimits ?? DEFAULT_RATE_LIMITS, deps.rateCounts),
    }),
    // A write the key store answers (a retry) was counted by the write limit before the store was asked: given back.
    idempotency: idempotency(deps.idempotency, writeGiveBack(deps.rateCounts)),
    rateLimits: rateLimiters(deps.rateLimits ?? DEFAULT_RATE_LIMITS, deps.rateCounts),
    // Counted only when a GET writes its audit row: a plain read writes nothing for the limit.
    auditedRead: auditedReadLimit(deps.rateLimits ?? DEFAULT_RATE_LIMITS, deps.rateCounts),
    audit: deps.audit.record,
  };
  for (const spec of routes) mountRoute(app, spec, mountOptions);
  // A path the API has, asked with a method it does not take: 405 with Allow, not 404.
  app.use(methodNotAllowed(routes));
  // The web console (web/): pages under `/`, after the API so it never shadows an API path.
  if (deps.console) app.use(deps.console);

  app.use(notFound);
  app.use(errorHandler);
  return app;
}
