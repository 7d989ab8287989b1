/**
 * One log line per request, once its answer has gone (or its client has): the request's id, method and path, the
 * status, how long it took and who asked. Never a body, a header, a query parameter's value or a path segment that is
 * not an id: an Authorization header, a token put in a URL or a survivor's name searched for or typed into a path
 * never reaches the log.
 *
 * Our own, rather than pino-http: pino-http made two child loggers for every request, whether or not anything logged
 * through them, and that was a tenth of the CPU a case read costs (README, "Reads").
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../core/logger';
import { assignRequestId } from './request-id';

declare module 'http' {
  interface IncomingMessage {
    /** Set by `requestLog` for every request, before any route or handler runs (api/request-id.ts). */
    id: string;
    /** The service's logger; every line it writes within the request carries the request's id (core/logger.ts). */
    log: Logger;
  }
}

export interface RequestLogOptions {
  /**
   * The URL as it may be logged, given it with its query's values left out (a calendar feed's path is its credential,
   * and a query's names are logged too).
   */
  loggedUrl: (url: string) => string;
  /** Who made the request, once authenticated; nothing before. */
  actorOf: (res: ServerResponse) => { agencyId: string; userId: string } | undefined;
}

export function requestLog(
  logger: Logger,
  options: RequestLogOptions,
): (req: IncomingMessage, res: ServerResponse, next: () => void) => void {
  // The line is built here field by field, none of them personal, so the logger's redaction (the net under log calls
  // elsewhere, core/logger.ts) has nothing to catch in it, and would cost the line three times its writing.
  const lines = logger.child({}, { redact: [] });
  return (req, res, next) => {
    const started = Date.now();
    // As it arrived: a router mounted on a prefix rewrites `req.url` while the request passes through it.
    const url = withoutFreeText(options.loggedUrl(withoutQueryValues(req.url ?? '')));
    req.id = assignRequestId(req, res);
    req.log = logger;
    // 'close' follows 'finish' on every response, and comes alone when the client went away before the answer.
    res.once('close', () => {
      const actor = options.actorOf(res);
      const line = {
        req: { id: req.id, method: req.method, url },
        res: { statusCode: res.statusCode },
        responseTime: Date.now() - started,
        ...(actor ? { actor } : {}),
      };
      if (!res.writableFinished) lines.info({ ...line, aborted: true }, 'request aborted');
      else if (res.statusCode >= 500) lines.error(line, 'request errored');
      else lines.info(line, 'request completed');
    });
    next();
  };
}

/**
 * The path with each segment that is not an id or a word of ours left out (`/api/cases/…`): our routes, ids and step ids
 * are lowercase ASCII, and a segment with capitals, spaces or other letters is text a person typed where an id
 * belongs (a survivor's name put in a case's URL), which the log must not keep.
 */
function withoutFreeText(url: string): string {
  const query = url.indexOf('?');
  const path = query < 0 ? url : url.slice(0, query);
  const kept = path
    .split('/')
    .map((segment) => (ID_OR_WORD.test(segment.replaceAll(WITHHELD_SECRET, '')) ? segment : '…'))
    .join('/');
  return query < 0 ? kept : kept + url.slice(query);
}
const ID_OR_WORD = /^[a-z0-9._~-]*$/;
/** What `withoutTokens` (core/token-format.ts) puts where a token was: a calendar feed's path reads `[secret].ics`. */
const WITHHELD_SECRET = '[secret]';

/** The URL with each query parameter's value left out (`/cases?reference=…`): the names say what was asked. */
function withoutQueryValues(url: string): string {
  const query = url.indexOf('?');
  if (query < 0) return url;
  const names = [...new Set(new URLSearchParams(url.slice(query + 1)).keys())];
  return `${url.slice(0, query)}?${names.map((name) => `${encodeURIComponent(name)}=…`).join('&')}`;
}
