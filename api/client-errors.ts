/**
 * Requests Node's HTTP parser refuses before any handler sees them: headers or a URL larger than it reads (431), a
 * request that is not valid HTTP, such as one with both Content-Length and Transfer-Encoding (400), a request not
 * received in time (408). Node answers them with an empty body; here they are answered in the API's one error shape
 * (application/problem+json with a code and the problem in words), then the connection is closed: what follows on it
 * cannot be trusted to start where the parser thinks. Nothing of the request is logged or echoed: the parser's error
 * carries its raw bytes (`rawPacket`), which may hold a token or a survivor's name.
 */
import { randomUUID } from 'node:crypto';
import { STATUS_CODES, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { PROBLEM_CONTENT_TYPE, problem } from './problem';
import { PRIVATE_ANSWER } from './reply';
import { REQUEST_ID_HEADER } from './request-id';

interface ClientProblem {
  status: number;
  code: string;
  detail: string;
}

const NOT_HTTP: ClientProblem = {
  status: 400,
  code: 'request_malformed',
  detail: 'The request is not valid HTTP and cannot be read.',
};

/** What Node's parser refused, by its error code (the statuses are Node's own, given words). */
const PROBLEMS: Record<string, ClientProblem> = {
  HPE_HEADER_OVERFLOW: {
    status: 431,
    code: 'headers_too_large',
    detail:
      'The request headers, its URL included, are larger than this API reads: send a shorter URL, or fewer or ' +
      'shorter headers.',
  },
  HPE_CHUNK_EXTENSIONS_OVERFLOW: {
    status: 413,
    code: 'chunk_extensions_too_large',
    detail: 'The request body is sent in chunks whose extensions are larger than this API reads: send it without them.',
  },
  ERR_HTTP_REQUEST_TIMEOUT: {
    status: 408,
    code: 'request_timeout',
    detail: 'The request was not received in time: send it again.',
  },
  HPE_INVALID_TRANSFER_ENCODING: {
    ...NOT_HTTP,
    detail: 'The request is not valid HTTP: its Transfer-Encoding header is not one this API reads (chunked).',
  },
  HPE_INVALID_CONTENT_LENGTH: {
    ...NOT_HTTP,
    detail: 'The request is not valid HTTP: its Content-Length header is not a single number.',
  },
  HPE_INVALID_HEADER_TOKEN: {
    ...NOT_HTTP,
    detail: 'The request is not valid HTTP: a header name or value holds a character HTTP does not allow.',
  },
  HPE_INVALID_METHOD: { ...NOT_HTTP, detail: 'The request is not valid HTTP: its method is not one HTTP has.' },
  HPE_INVALID_URL: { ...NOT_HTTP, detail: 'The request is not valid HTTP: its URL is malformed.' },
};

const BOTH_LENGTHS: ClientProblem = {
  ...NOT_HTTP,
  detail: 'The request is not valid HTTP: it has both a Content-Length and a Transfer-Encoding header. Send only one.',
};

type ParseError = Error & { code?: string; reason?: string };

/** Its problem: the parser's code, and for a Transfer-Encoding its reason (the parser's own words, not the request's). */
function problemOf(error: ParseError): ClientProblem {
  const bothLengths =
    error.code === 'HPE_UNEXPECTED_CONTENT_LENGTH' ||
    (error.code === 'HPE_INVALID_TRANSFER_ENCODING' && /Content-Length/i.test(String(error.reason)));
  return bothLengths ? BOTH_LENGTHS : (PROBLEMS[error.code ?? ''] ?? NOT_HTTP);
}

/** The answer to a request the parser refused, as raw HTTP: there is no response object to write it with. */
function answerOf(error: ParseError): string {
  const { status, code, detail } = problemOf(error);
  const requestId = randomUUID();
  const body = JSON.stringify(problem(status, requestId, { code, detail }));
  const headers = {
    'Content-Type': PROBLEM_CONTENT_TYPE,
    'Content-Length': String(Buffer.byteLength(body)),
    ...PRIVATE_ANSWER,
    [REQUEST_ID_HEADER]: requestId,
    Connection: 'close',
  };
  const head = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
  return `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${head.join('')}\r\n${body}`;
}

/**
 * How long a connection whose refusal was written is kept for its client to read it and close: then it is closed
 * whatever the client does. Ending it alone left it half open for as long as the client neither read nor closed it, a
 * file descriptor held for good: a client sending its headers a byte at a time, never reading, kept every connection
 * the headers timeout refused (probe Q6: 100 of them, still held 100 s later, where readers' were freed at 60 s).
 */
const REFUSED_CONNECTION_GRACE_MS = 2_000;

/** Answers, on `server`, the requests Node's parser refuses in the API's error shape, then closes their connection. */
export function answerClientErrors(server: Server): void {
  server.on('clientError', (error: ParseError, socket: Duplex) => {
    // A connection the client reset, or one whose answer has begun (a response was under way): nothing to say on it.
    const answering = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent;
    if (error.code === 'ECONNRESET' || !socket.writable || answering) {
      socket.destroy();
      return;
    }
    const closing = setTimeout(() => socket.destroy(), REFUSED_CONNECTION_GRACE_MS).unref();
    socket.once('close', () => clearTimeout(closing));
    socket.end(answerOf(error));
  });
}
