/**
 * Every request carries an id of the service's own: a fresh UUID, never one a caller offers. It is echoed in the
 * response (`X-Request-Id`), bound to every log line, stored in the audit trail a supervisor reads and carried on the
 * Actor into workflows, so it names one request of one user: a caller's id could be another user's, copied, and two
 * users' requests would share it in the log and the audit trail.
 * A caller's own `X-Request-Id` (its trace across services) is kept apart, as a correlation id: taken only when it is a
 * UUID (of any version, lowercased; an id of the caller's own words, `Ana-Zeta-1990-01-03`, would put a name and a
 * birth date in the log), echoed back as `X-Correlation-Id` and written on the request's log line as
 * `req.correlationId`, never in the audit trail nor anywhere the request's own id goes.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { withRequestId } from '../core/request-context';

export const REQUEST_ID_HEADER = 'X-Request-Id';
export const CORRELATION_ID_HEADER = 'X-Correlation-Id';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Run first for each request (api/request-log.ts), so the id is set before anything can log or fail: the request's
 * own id, and the caller's correlation id when it offered a UUID.
 */
export function assignRequestId(
  req: IncomingMessage,
  res: ServerResponse,
): { id: string; correlationId: string | undefined } {
  const offered = req.headers[REQUEST_ID_HEADER.toLowerCase()];
  const correlationId = typeof offered === 'string' && UUID.test(offered) ? offered.toLowerCase() : undefined;
  const id = randomUUID();
  res.setHeader(REQUEST_ID_HEADER, id);
  if (correlationId !== undefined) res.setHeader(CORRELATION_ID_HEADER, correlationId);
  return { id, correlationId };
}

/**
 * Runs the rest of the request with its id bound (core/request-context.ts): the services' log lines, and the Temporal
 * client's header to the workflow and its activities, carry it. Mounted after the body parser, which reads the body
 * in callbacks of the socket and would lose a binding made before it.
 */
export function bindRequestId(req: IncomingMessage, _res: ServerResponse, next: () => void): void {
  withRequestId(req.id, next);
}
