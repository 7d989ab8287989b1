/**
 * The one place where failures become HTTP answers: every error of the API leaves as `application/problem+json`
 * (RFC 9457) with the request id, and only a genuine fault of ours is a 500. PostgreSQL or Temporal being
 * unreachable is not one: it is a 503 with Retry-After (core/errors.ts `asAppError`).
 */
import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import { STATUS_CODES } from 'node:http';
import { z } from 'zod';
import { asAppError, type FieldProblem } from '../core/errors';
import { PRIVATE_ANSWER } from './reply';
import type { Problem } from './schemas';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Where an invalid input came from decides its status: a bad URL is a bad request, a bad body is unprocessable. */
export type InputSource = 'params' | 'query' | 'body';

/** A zod failure on one part of the request, kept apart from other errors so the handler knows its source. */
export class InputError extends Error {
  constructor(
    readonly source: InputSource,
    readonly issues: z.core.$ZodIssue[],
  ) {
    super(`invalid ${source}`);
    this.name = 'InputError';
  }
}

/** A body in a format other than JSON: AppError has no kind for it because only the HTTP layer can meet it. */
export class UnsupportedMediaTypeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedMediaTypeError';
  }
}

/** Unknown fields named in one object: a body of thousands would otherwise answer with a list as long as itself. */
const MAX_UNKNOWN_NAMED = 10;

const counted = (n: number) => `${n.toLocaleString('en-US')} more unknown field${n === 1 ? '' : 's'}`;

/**
 * One refusal of a field's type and size, not two that contradict each other. zod measures a value whose type is
 * wrong all the same: a list of roles sent as the text "agency_officer" was "must be a list, not text" and "must have
 * at most 6 characters", a name sent as `[]` "must be text, not a list" and "must not be empty". And it holds a whole
 * number to the safe-integer range beside the field's own bounds: 1e20 for `expectedCorrections` was "must be at most
 * 9007199254740991" and "must be at most 1000000". A field of the wrong type is told its type only; the safe-integer
 * range is said only of a field that has no bound of its own.
 */
function oneRefusalPerField(issues: z.core.$ZodIssue[]): z.core.$ZodIssue[] {
  const at = (issue: z.core.$ZodIssue) => issue.path.map(String).join('.');
  const isBound = (issue: z.core.$ZodIssue) => issue.code === 'too_big' || issue.code === 'too_small';
  const safeIntegerRange = (issue: z.core.$ZodIssue) => isBound(issue) && 'origin' in issue && issue.origin === 'int';
  const wrongType = new Set(issues.filter((issue) => issue.code === 'invalid_type').map(at));
  const ownBound = new Set(issues.filter((issue) => isBound(issue) && !safeIntegerRange(issue)).map(at));
  return issues.filter((issue) =>
    wrongType.has(at(issue)) ? issue.code === 'invalid_type' : !(safeIntegerRange(issue) && ownBound.has(at(issue))),
  );
}

function fieldProblems(issues: z.core.$ZodIssue[]): FieldProblem[] {
  return oneRefusalPerField(issues).flatMap((issue): FieldProblem[] => {
    const at = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      const named = issue.keys
        .slice(0, MAX_UNKNOWN_NAMED)
        .map((key) => ({ field: at ? `${at}.${key}` : key, message: 'unknown field' }));
      const more = issue.keys.length - named.length;
      if (more === 0) return named;
      const message = `and ${counted(more)}, not named here: remove every field this API does not take`;
      return [...named, { field: at || '(root)', message }];
    }
    return [{ field: at || '(root)', message: issue.message }];
  });
}

export function problem(
  status: number,
  requestId: string,
  fields: Partial<Omit<Problem, 'status' | 'requestId'>> = {},
): Problem {
  const title = fields.title ?? STATUS_CODES[status] ?? 'Error';
  return {
    type: fields.type ?? 'about:blank',
    title,
    status,
    ...(fields.detail === undefined ? {} : { detail: fields.detail }),
    ...(fields.code === undefined ? {} : { code: fields.code }),
    ...(fields.errors === undefined ? {} : { errors: fields.errors }),
    requestId,
  };
}

function sendProblem(res: Response, body: Problem, headers: Record<string, string> = {}): void {
  res
    .status(body.status)
    .set({ ...PRIVATE_ANSWER, ...headers })
    .type(PROBLEM_CONTENT_TYPE)
    .send(JSON.stringify(body));
}

/** The problem an error stands for, or null when it is a fault of ours (then it is a 500). */
export function problemFor(error: unknown, requestId: string): Problem | null {
  const appError = asAppError(error);
  if (appError) {
    return problem(appError.status, requestId, {
      detail: appError.message,
      code: appError.options.code,
      errors: appError.options.fields,
    });
  }
  if (error instanceof InputError) {
    const status = error.source === 'body' ? 422 : 400;
    const where = { params: 'path', query: 'query string', body: 'request body' }[error.source];
    return problem(status, requestId, {
      detail: `The ${where} is not valid.`,
      code: `invalid_${error.source}`,
      errors: fieldProblems(error.issues),
    });
  }
  if (error instanceof UnsupportedMediaTypeError)
    return problem(415, requestId, { detail: error.message, code: 'unsupported_media_type' });
  const bodyParser = bodyParserProblem(error, requestId);
  if (bodyParser) return bodyParser;
  return null;
}

const PATH_NOT_DECODED =
  'holds a % not followed by two hexadecimal digits, or percent-encoded bytes that are not UTF-8 text: encode each part with encodeURIComponent';

/**
 * Express's own 4xx errors. body-parser's carry a `type` (the JSON parser's message may quote the body, so it is
 * never echoed), except when the body does not decompress as its Content-Encoding says: that is zlib's own error
 * (with an `errno`), given a status. The router's (a path parameter that is not valid percent-encoding) is a URIError
 * given a status.
 */
function bodyParserProblem(error: unknown, requestId: string): Problem | null {
  if (typeof error !== 'object' || error === null || !('status' in error)) return null;
  const { status } = error;
  if (typeof status !== 'number' || status < 400 || status >= 500) return null;
  if (!('type' in error)) {
    // The router's message quotes the part it could not decode, which may be a name typed where an id belongs: not
    // echoed; nor can it say which parameter the part was, so the path is named.
    if (error instanceof URIError)
      return problem(status, requestId, {
        detail: 'The request path is not valid: a part of it does not decode as percent-encoded UTF-8 text.',
        code: 'invalid_path',
        errors: [{ field: '(path)', message: PATH_NOT_DECODED }],
      });
    if ('errno' in error)
      return problem(status, requestId, {
        detail:
          'The request body could not be decoded: it is not valid data of the encoding its Content-Encoding header ' +
          'names. Send it compressed as that header says, or uncompressed without the header.',
        code: 'encoding_invalid',
      });
    return problem(status, requestId, { detail: 'The request cannot be read.' });
  }
  const { type } = error;
  const detail =
    type === 'entity.parse.failed'
      ? // The parser takes only an object or an array: `null`, `42` and `"text"` fail here too.
        'The request body is not a JSON object: it is not valid JSON, or it is a lone value (null, a number, a string).'
      : type === 'entity.too.large'
        ? 'The request body is larger than this API accepts.'
        : type === 'encoding.unsupported'
          ? 'The request body is compressed with an encoding this API does not decode: its Content-Encoding header ' +
            'must be gzip, deflate or br, or be left out for a body sent uncompressed.'
          : type === 'encoding.invalid'
            ? 'The request body could not be decoded: it is not valid UTF-8. Send the JSON encoded as UTF-8.'
            : type === 'charset.unsupported'
              ? `The request body must be JSON encoded as UTF-8, not ${charsetOf(error)}: send it as UTF-8, with ` +
                'charset=utf-8 in its Content-Type or no charset.'
              : 'The request body cannot be read.';
  return problem(status, requestId, { detail, code: typeof type === 'string' ? type.replace(/\./g, '_') : undefined });
}

/** The charset a refused body was sent in, as its Content-Type named it (a token: echoed only when it is one). */
function charsetOf(error: object): string {
  const charset = 'charset' in error ? error.charset : undefined;
  return typeof charset === 'string' && /^[A-Za-z0-9._:+-]{1,40}$/.test(charset) ? charset : 'another charset';
}

export const notFound: RequestHandler = (req, res) => {
  // The path is not repeated: it may hold a name typed by mistake (`/api/cases/maria-lopez`), and an answer ends up in
  // screens and bug reports. The caller knows what it asked; the log has it as api/request-log.ts keeps it.
  sendProblem(
    res,
    problem(404, req.id, {
      detail: `No route for ${req.method} at this path: the API's routes are in /api/openapi.json.`,
      code: 'no_route',
    }),
  );
};

export const errorHandler: ErrorRequestHandler = (error: unknown, req, res, next) => {
  if (res.headersSent) {
    next(error);
    return;
  }
  const requestId = req.id;
  const known = problemFor(error, requestId);
  if (known) {
    // A dependency that is down is not the client's doing: operators see its cause in the log, the client does not.
    if (known.status >= 500)
      req.log.warn({ err: error, reqId: requestId }, `answered ${known.status}: ${known.code ?? 'unavailable'}`);
    sendProblem(res, known, asAppError(error)?.options.headers);
    return;
  }
  // The logger writes the error as it may be logged (type, code, a message holding no value, stack frames;
  // core/loggable-error.ts); the request body is never attached.
  req.log.error({ err: error, reqId: requestId }, 'unhandled error');
  sendProblem(
    res,
    problem(500, requestId, { detail: 'An unexpected error occurred; quote the request id when reporting it.' }),
  );
};
