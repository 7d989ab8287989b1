/**
 * One log line per request, once its answer has gone (or its client has): the request's id, method and path, the
 * status, how long it took and who asked. Never a body, a header, a query parameter's value, a query parameter's name
 * no route knows, or a path segment that is neither a route's word nor an id: an Authorization header, a token put in
 * a URL or a survivor's name searched for or typed into a path (`/cases/maria-lopez`, `/cases?Jane%20Example`) never
 * reaches the log, nor the request's span with tracing on (app/span-url.ts `spanUrlAsLogged`).
 *
 * Our own, rather than pino-http: pino-http made two child loggers for every request, whether or not anything logged
 * through them, and that was a tenth of the CPU a case read costs (README, "Reads").
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { spanUrlAsLogged } from '../app/span-url';
import type { Logger } from '../core/logger';
import { STEP_KINDS } from '../domain/types';
import { assignRequestId } from './request-id';

declare module 'http' {
  interface IncomingMessage {
    /** Set by `requestLog` for every request, before any route or handler runs (api/request-id.ts). */
    id: string;
    /** The caller's own `X-Request-Id` when it is a UUID, for its trace; never the request's id (api/request-id.ts). */
    correlationId?: string;
    /** The service's logger; every line it writes within the request carries the request's id (core/logger.ts). */
    log: Logger;
  }
}

/**
 * The words a logged URL keeps as they are: the literal segments of the routes' paths (`api`, `cases`, `sign-off`) and
 * the names of the query parameters they read (`reference`, `limit`). Anything else a client puts in a URL is theirs,
 * and may be a person's name.
 */
interface LogVocabulary {
  pathWords: ReadonlySet<string>;
  queryNames: ReadonlySet<string>;
}

export interface RequestLogOptions {
  /**
   * The URL as it may be logged, given it with its query's values left out (a calendar feed's path is its credential,
   * and a query's names are logged too).
   */
  loggedUrl: (url: string) => string;
  /** Who made the request, once authenticated; nothing before. */
  actorOf: (res: ServerResponse) => { agencyId: string; userId: string } | undefined;
  /** The routes' words, asked at the first request (the routes are mounted after the log). */
  vocabulary: () => LogVocabulary;
}

export function requestLog(
  logger: Logger,
  options: RequestLogOptions,
): (req: IncomingMessage, res: ServerResponse, next: () => void) => void {
  // The line is built here field by field, none of them personal, so the logger's redaction (the net under log calls
  // elsewhere, core/logger.ts) has nothing to catch in it, and would cost the line three times its writing.
  const lines = logger.child({}, { redact: [] });
  let vocabulary: LogVocabulary | undefined;
  return (req, res, next) => {
    const started = Date.now();
    vocabulary ??= options.vocabulary();
    // As it arrived: a router mounted on a prefix rewrites `req.url` while the request passes through it.
    const url = withoutFreeText(options.loggedUrl(withoutQueryValues(req.url ?? '', vocabulary)), vocabulary);
    // The request's span, with tracing on, says the URL as this line does: it was recorded as sent.
    spanUrlAsLogged(url);
    const ids = assignRequestId(req, res);
    req.id = ids.id;
    req.correlationId = ids.correlationId;
    req.log = logger;
    // 'close' follows 'finish' on every response, and comes alone when the client went away before the answer.
    res.once('close', () => {
      const actor = options.actorOf(res);
      const line = {
        req: {
          id: req.id,
          ...(req.correlationId ? { correlationId: req.correlationId } : {}),
          method: req.method,
          url,
        },
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
 * The path with each segment that is neither a word of our routes nor an id in one of our forms left out
 * (`/api/cases/…`): a segment where an id belongs is text a person typed, a survivor's name put in a case's URL
 * (`/cases/maria-lopez-2010-05-02`), which the log must not keep, whatever its letters. Our ids are UUIDs (cases,
 * documents, users, keys, feeds) and step ids (`cp_request-1`, a step kind of ours and a number); an agency's id, a
 * short word its administrator chose, has the shape of a name and is left out too.
 */
function withoutFreeText(url: string, vocabulary: LogVocabulary): string {
  const query = url.indexOf('?');
  const path = query < 0 ? url : url.slice(0, query);
  const kept = path
    .split('/')
    .map((segment) => (segment === '' || isOurs(segment, vocabulary) ? segment : PLACEHOLDER))
    .join('/');
  return query < 0 ? kept : kept + url.slice(query);
}

const isOurs = (segment: string, vocabulary: LogVocabulary) =>
  vocabulary.pathWords.has(segment) ||
  UUID.test(segment) ||
  STEP_ID.test(segment) ||
  // What `withoutTokens` (core/token-format.ts) left of a token: a calendar feed's path reads `[secret].ics`.
  WITHHELD.test(segment);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const STEP_ID = new RegExp(`^(${STEP_KINDS.join('|')})-\\d{1,6}$`);
const WITHHELD = /^\[secret\](\.ics)?$/;
/** What stands for a segment or a query parameter's name the log leaves out, and for every value. */
const PLACEHOLDER = '…';

/**
 * The URL with each query parameter's value left out (`/cases?reference=…`), and the name of each parameter no route
 * reads too (`/api/cases?…=…`): a known name says what was asked, an unknown one may be a name or a birth date typed
 * into the address (`/api/cases?Jane%20Example%201994-03-02`).
 */
function withoutQueryValues(url: string, vocabulary: LogVocabulary): string {
  const query = url.indexOf('?');
  if (query < 0) return url;
  const names = [
    ...new Set(
      [...new URLSearchParams(url.slice(query + 1)).keys()].map((name) =>
        vocabulary.queryNames.has(name) ? name : PLACEHOLDER,
      ),
    ),
  ];
  return `${url.slice(0, query)}?${names.map((name) => `${name}=${PLACEHOLDER}`).join('&')}`;
}
