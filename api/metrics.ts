/**
 * Prometheus metrics over HTTP: the latency of every request by its route pattern, and `GET /metrics` for the
 * scraper, guarded by the bearer token `METRICS_TOKEN` (without one the route is not mounted: 404). The registry and
 * the metrics themselves are app/metrics.ts'.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { AppError } from '../core/errors';
import type { ServiceMetrics } from '../app/metrics';
import { route, type Route } from './route';

/**
 * The route's pattern as Express matched it (`/api/cases/:caseId`), never the path itself, which carries ids; the
 * console's routes under their router's mount point. Requests no route matched (404s, static files) share one label.
 */
function routeLabel(req: Request): string {
  const matched = (req.route as { path?: unknown } | undefined)?.path;
  return typeof matched === 'string' ? `${req.baseUrl}${matched}` : 'unmatched';
}

/** Times every request from its arrival to its last byte handed to the socket. */
export function recordHttpMetrics(metrics: Pick<ServiceMetrics, 'httpRequestDuration'>): RequestHandler {
  return (req, res, next) => {
    const end = metrics.httpRequestDuration.startTimer();
    res.once('finish', () => end({ method: req.method, route: routeLabel(req), status: String(res.statusCode) }));
    next();
  };
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/** `GET /metrics` in Prometheus' text format, for a scraper sending `Authorization: Bearer <METRICS_TOKEN>`. */
export function metricsRoute(metrics: Pick<ServiceMetrics, 'registry'>, token: string): Route {
  const expected = digest(`Bearer ${token}`);
  return route({
    method: 'get',
    path: '/metrics',
    tag: 'operations',
    summary: "Prometheus metrics (text format) for a scraper holding METRICS_TOKEN; labels carry no one's data.",
    actor: false,
    documented: false,
    // Prometheus sends a scrape's configured `params`: the metrics are the same whatever they say.
    anyQuery: true,
    responses: { 200: { description: 'the metrics' }, 401: { description: 'no or wrong token', problem: true } },
    handle: async ({ req }) => {
      // Compared as digests in constant time: the answer's timing says nothing about how much of a guess was right.
      if (!timingSafeEqual(digest(req.get('Authorization') ?? ''), expected)) {
        throw new AppError('unauthenticated', 'Send Authorization: Bearer <METRICS_TOKEN>.', {
          code: 'unauthenticated',
          headers: { 'WWW-Authenticate': 'Bearer realm="metrics"' },
        });
      }
      return {
        status: 200,
        body: await metrics.registry.metrics(),
        contentType: metrics.registry.contentType,
      };
    },
  });
}
