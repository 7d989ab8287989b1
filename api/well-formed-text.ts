/**
 * Text that is not well-formed Unicode (a lone UTF-16 surrogate, which JSON's `\ud800` escape can carry) is refused
 * at the door, once, before any route's schema reads the request. Such a string is not valid UTF-8: PostgreSQL's JSON
 * parser refuses it (a 500), a `text` column stores U+FFFD in its place, and echoed in a workflow's refusal it stops
 * the worker (Temporal's Core cannot encode it). The offending text itself is never echoed: its field is named with
 * the key's well-formed form. Path parameters, multipart fields and file names cannot carry one: they are decoded
 * from bytes as UTF-8, which never yields a lone surrogate (a bad sequence is a 400 or U+FFFD).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isUtf8 } from 'node:buffer';
import type { NextFunction, Request, Response } from 'express';
import { AppError } from '../core/errors';
import { noteDuplicateKeys } from './duplicate-keys';

const MESSAGE = 'is not valid Unicode text (an unpaired surrogate)';
/** A body may hold thousands of offences; naming a few is enough to find them. */
const MAX_NAMED = 10;

/** A value met on the walk, with the key it stands at and the value holding it: its path, read back only to name it. */
interface Met {
  value: unknown;
  key: string;
  holder: Met | undefined;
}

/** The dotted path of a value met, from the root: `details.requestedOn`, `(root)` for the root itself. */
function pathOf(met: Met): string {
  const keys: string[] = [];
  for (let at: Met | undefined = met; at?.holder; at = at.holder) keys.push(at.key);
  return keys.reverse().join('.') || '(root)';
}

/**
 * The dotted paths (as the API names fields: `details.requestedOn`, `items.0`) of every key or string that is not
 * well-formed, up to MAX_NAMED. Walked without recursion: a 64 kB body can nest thousands of levels deep. Each value
 * keeps only the key it stands at and its holder, and a path is spelled out only to name it, so the walk takes time in
 * proportion to the body: copying each value's path, 32,000 levels of `[[[…]]]` (64 kB) took 8 to 17 s of the one
 * thread every request is answered on.
 */
export function illFormedTextPaths(value: unknown): string[] {
  const found: string[] = [];
  const pending: Met[] = [{ value, key: '', holder: undefined }];
  while (pending.length > 0 && found.length < MAX_NAMED) {
    const met = pending.pop()!;
    const current = met.value;
    if (typeof current === 'string') {
      if (!current.isWellFormed()) found.push(pathOf(met));
    } else if (typeof current === 'object' && current !== null) {
      for (const [key, inner] of Object.entries(current)) {
        const at: Met = { value: inner, key: key.toWellFormed(), holder: met };
        if (!key.isWellFormed()) found.push(pathOf(at));
        else pending.push(at);
      }
    }
  }
  return found.slice(0, MAX_NAMED);
}

/** An error the body parser answers with its own status and `type` (api/problem.ts reads both). */
const bodyError = (status: number, type: string, message: string, more: Record<string, unknown> = {}) =>
  Object.assign(new Error(message), { status, type, ...more });

/**
 * The JSON parser's `verify`: the body's bytes, after any Content-Encoding is undone, before they are decoded. JSON
 * is UTF-8 (RFC 8259 section 8.1). A body that is not valid UTF-8 would be decoded leniently, each bad byte becoming
 * U+FFFD, and stored so (a name no search finds again): it is refused whole, 400 `encoding_invalid`, nothing read.
 * A body in another Unicode charset (`charset=utf-16`, which the parser would take) is refused as any other charset
 * is: 415 `charset_unsupported`, which says the body must be UTF-8. On the way, the keys given twice are noted from
 * the same bytes (api/duplicate-keys.ts).
 */
export function refuseUndecodableBody(
  req: IncomingMessage,
  _res: ServerResponse,
  bytes: Buffer,
  charset: string,
): void {
  if (charset !== 'utf-8') throw bodyError(415, 'charset.unsupported', 'charset other than UTF-8', { charset });
  if (!isUtf8(bytes)) throw bodyError(400, 'encoding.invalid', 'body is not valid UTF-8');
  noteDuplicateKeys(req, bytes);
}

/**
 * Mounted before the JSON parser: `charset=utf8` (any case, quoted or not), a common alias of UTF-8 that many clients
 * send, is read as `utf-8`. The parser takes only charsets spelled `utf-…` and would refuse it with 415; other charsets
 * are still refused as before (415 `charset_unsupported`).
 */
export function readUtf8AliasAsUtf8(req: Request, _res: Response, next: NextFunction): void {
  const contentType = req.headers['content-type'];
  if (contentType !== undefined && UTF8_ALIAS.test(contentType))
    req.headers['content-type'] = contentType.replace(UTF8_ALIAS, '$1utf-8');
  next();
}
/** The charset parameter spelled `utf8`, bare or quoted, followed by another parameter or the end. */
const UTF8_ALIAS = /(;\s*charset=)(?:utf8|"utf8")(?=\s*(?:;|$))/i;

/** Mounted right after the body parser: the parsed body and the query string, before any route sees them. */
export function refuseIllFormedText(req: Request, _res: Response, next: NextFunction): void {
  const where = [
    { source: 'request body', fields: illFormedTextPaths(req.body) },
    { source: 'query string', fields: illFormedTextPaths(req.query) },
  ].find(({ fields }) => fields.length > 0);
  if (!where) {
    next();
    return;
  }
  next(
    new AppError('unprocessable', `The ${where.source} carries text that is not valid Unicode.`, {
      code: 'invalid_text',
      fields: where.fields.map((field) => ({ field, message: MESSAGE })),
    }),
  );
}
