/**
 * The HTTP side of a graceful stop (SIGTERM): stop accepting connections, let the requests under way finish, and
 * answer anything else with a clear 503, so a client never sees a request vanish. A write cut off at the deadline
 * gets the same 503 as any unfinished write: retried with its Idempotency-Key, it is applied once.
 */
import { randomUUID } from 'node:crypto';
import type { RequestListener, Server, ServerResponse } from 'node:http';
import { RETRY_AFTER_SECONDS } from '../core/errors';
import { PROBLEM_CONTENT_TYPE, problem } from './problem';
import { REQUEST_ID_HEADER } from './request-id';

export interface Drainable {
  /** The app, wrapped: each request is counted until its answer is sent. */
  handler: RequestListener;
  /**
   * Stops accepting and waits for the requests under way, up to `timeoutMs`; those still running then are answered
   * 503. Resolves once every connection is closed.
   */
  drain(server: Server, timeoutMs: number): Promise<void>;
}

function refuse(res: ServerResponse, detail: string): void {
  const requestId = String(res.getHeader(REQUEST_ID_HEADER) ?? randomUUID());
  res.writeHead(503, {
    'Content-Type': PROBLEM_CONTENT_TYPE,
    'Retry-After': String(RETRY_AFTER_SECONDS),
    Connection: 'close',
    [REQUEST_ID_HEADER]: requestId,
  });
  res.end(JSON.stringify(problem(503, requestId, { code: 'shutting_down', detail })));
}

export function drainable(app: RequestListener): Drainable {
  let draining = false;
  const underWay = new Set<ServerResponse>();
  const handler: RequestListener = (req, res) => {
    // A request on a connection kept alive from before the stop.
    if (draining) return refuse(res, 'The service is stopping: send this request again (same Idempotency-Key).');
    underWay.add(res);
    res.once('close', () => underWay.delete(res));
    app(req, res);
  };
  const drain = async (server: Server, timeoutMs: number) => {
    draining = true;
    // Each connection closes after its answer instead of waiting, kept alive, for a next request.
    for (const res of underWay) if (!res.headersSent) res.setHeader('Connection', 'close');
    // server.close() stops listening and closes idle connections at once; busy ones end after their answer.
    const closed = new Promise<void>((done) => server.close(() => done()));
    const settled = (ms: number) => {
      let timer: NodeJS.Timeout | undefined;
      const expired = new Promise<'expired'>((done) => (timer = setTimeout(() => done('expired'), ms)));
      return Promise.race([closed, expired]).finally(() => clearTimeout(timer));
    };
    if ((await settled(timeoutMs)) !== 'expired') return;
    for (const res of underWay) {
      if (!res.headersSent)
        refuse(
          res,
          'The service stopped before this request finished: it may still be applied. Send it again with the same Idempotency-Key.',
        );
    }
    // The 503s close their connections once flushed; an answer that was already streaming is cut after a moment.
    if ((await settled(1_000)) !== 'expired') return;
    server.closeAllConnections();
    await closed;
  };
  return { handler, drain };
}
