/**
 * Text that is not well-formed Unicode (a lone UTF-16 surrogate, which JSON's `\ud800` escape can carry) is refused
 * at the door, once, before any route's schema reads the request. Such a string is not valid UTF-8: PostgreSQL's JSON
 * parser refuses it (a 500), a `text` column stores U+FFFD in its place, and echoed in a workflow's refusal it stops
 * the worker (Temporal's Core cannot encode it). The offending text itself is never echoed: its field is named with
 * the key's well-formed form. Path parameters, multipart fields and file names cannot carry one: they are decoded
 * from bytes as UTF-8, which never yields a lone surrogate (a bad sequence is a 400 or U+FFFD).
 */
import type { NextFunction, Request, Response } from 'express';
import { AppError } from '../core/errors';

const MESSAGE = 'is not valid Unicode text (an unpaired surrogate)';
/** A body may hold thousands of offences; naming a few is enough to find them. */
const MAX_NAMED = 10;

/**
 * The dotted paths (as the API names fields: `details.requestedOn`, `items.0`) of every key or string that is not
 * well-formed, up to MAX_NAMED. Walked without recursion: a 64 kB body can nest thousands of levels deep.
 */
function illFormedTextPaths(value: unknown): string[] {
  const found: string[] = [];
  const pending: { value: unknown; path: string[] }[] = [{ value, path: [] }];
  while (pending.length > 0 && found.length < MAX_NAMED) {
    const { value: current, path } = pending.pop()!;
    if (typeof current === 'string') {
      if (!current.isWellFormed()) found.push(path.join('.') || '(root)');
    } else if (typeof current === 'object' && current !== null) {
      for (const [key, inner] of Object.entries(current)) {
        const at = [...path, key.toWellFormed()];
        if (!key.isWellFormed()) found.push(at.join('.'));
        else pending.push({ value: inner, path: at });
      }
    }
  }
  return found.slice(0, MAX_NAMED);
}

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
