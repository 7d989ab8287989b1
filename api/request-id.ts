/**
 * Every request carries an id: the caller's `X-Request-Id` when it is a UUID (so a trace spans services), lowercased,
 * else a fresh UUID. It is echoed in the response, bound to every log line, stored in the audit trail a supervisor
 * reads and carried on the Actor into workflows. A UUID of any version is taken; nothing else is: an id of the caller's
 * own words (`Ana-Zeta-1990-01-03`) would put a name and birth date in the log and the audit trail.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { withRequestId } from '../core/request-context';

export const REQUEST_ID_HEADER = 'X-Request-Id';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Run first for each request (api/request-log.ts), so the id is set before anything can log or fail. */
export function assignRequestId(req: IncomingMessage, res: ServerResponse): string {
  const offered = req.headers[REQUEST_ID_HEADER.toLowerCase()];
  const id = typeof offered === 'string' && UUID.test(offered) ? offered.toLowerCase() : randomUUID();
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
