/**
 * Every request carries an id: the caller's `X-Request-Id` when it is a sane token (so a trace spans services),
 * else a fresh UUID. It is echoed in the response, bound to every log line and carried on the Actor into workflows.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { withRequestId } from '../core/request-context';

export const REQUEST_ID_HEADER = 'X-Request-Id';
const SANE_REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/** Run first for each request (api/request-log.ts), so the id is set before anything can log or fail. */
export function assignRequestId(req: IncomingMessage, res: ServerResponse): string {
  const offered = req.headers[REQUEST_ID_HEADER.toLowerCase()];
  const id = typeof offered === 'string' && SANE_REQUEST_ID.test(offered) ? offered : randomUUID();
  res.setHeader(REQUEST_ID_HEADER, id);
  return id;
}

/**
 * Runs the rest of the request with its id bound (core/request-context.ts): the services' log lines, and the Temporal
 * client's header to the workflow and its activities, carry it. Mounted after the body parser, which reads the body
 * in callbacks of the socket and would lose a binding made before it.
 */
export function bindRequestId(req: IncomingMessage, _res: ServerResponse, next: () => void): void {
  withRequestId(req.id, next);
}
