/**
 * The HTTP side of a graceful stop (SIGTERM): stop accepting connections, let the requests under way finish, and
 * answer anything else with a clear 503, so a client never sees a request vanish. A write cut off at the deadline
 * gets the same 503 as any unfinished write: retried with its Idempotency-Key, it is applied once.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
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

/** The requests sent on a connection before its request under way was answered (HTTP/1.1 pipelining), in order. */
const waitingOn = new WeakMap<Socket, (() => void)[]>();

/**
 * Runs `handle` once every request sent before this one on its connection has been answered: a connection has one
 * request under way at a time. Node answers pipelined requests in order, but it handed them all to the app at once,
 * each answer held in memory until those before it were read: 600 connections each sending 20 GET /api/openapi.json
 * in one write (no account needed) and reading nothing took the process from 280 MB to over 4 GB, and a coordinator's
 * read of a case timed out at 20 s, still minutes after the client had gone (probe Q6). A client that waits for each
 * answer, as browsers and HTTP libraries do, never waits here. What waited on a connection that closed is never run.
 */
function inTurn(req: IncomingMessage, res: ServerResponse, handle: () => void): void {
  const socket = req.socket;
  const turn = () => {
    res.once('close', () => {
      const following = socket.destroyed ? undefined : waitingOn.get(socket)?.shift();
      if (following) following();
      else waitingOn.delete(socket);
    });
    handle();
  };
  const waiting = waitingOn.get(socket);
  if (waiting) waiting.push(turn);
  else {
    waitingOn.set(socket, []);
    turn();
  }
}

export function drainable(app: RequestListener): Drainable {
  let draining = false;
  const underWay = new Set<ServerResponse>();
  const handler: RequestListener = (req, res) =>
    inTurn(req, res, () => {
      // A request on a connection kept alive from before the stop, or sent on it while one before it was answered.
      if (draining) return refuse(res, 'The service is stopping: send this request again (same Idempotency-Key).');
      underWay.add(res);
      res.once('close', () => underWay.delete(res));
      app(req, res);
    });
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
