/**
 * A JSON object that gives a key twice (`{"reference":"A","reference":"B"}`) is refused, 400 `duplicate_key` naming
 * it: JSON.parse keeps the last silently, so the request would mean one thing to its sender and another to the API.
 * The body parser's raw bytes are scanned once (api/well-formed-text.ts `refuseUndecodableBody`), without decoding
 * the body again; the refusal is made after the parser has read the body as JSON, so a body that is not JSON at all
 * is still refused as such.
 */
import type { IncomingMessage } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import { AppError } from '../core/errors';

/** A body may give many keys twice; naming a few is enough to find them. */
const MAX_NAMED = 10;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;

interface Container {
  /** An object's keys so far; null for an array. */
  keys: Set<string> | null;
  /** Its dotted path, as the API names fields (`agencies.1.id`). */
  path: string;
  /** An object: the next string is a key. */
  awaitingKey: boolean;
  /** An object: its current key, in its well-formed form; an array: its current index. */
  at: string | number;
}

const joined = (path: string, name: string | number) => (path ? `${path}.${name}` : String(name));

/**
 * The dotted paths of the keys given twice in one object, up to MAX_NAMED, read from JSON text as bytes. Structural
 * characters are ASCII, and in UTF-8 no byte of a multi-byte character is ASCII, so the bytes are read as they are.
 * A key with an escape is decoded (`"\u0061"` is `"a"`). On text that is not JSON it stops early or names nothing
 * that matters: the parser refuses that body anyway.
 */
function duplicateKeyPaths(bytes: Uint8Array): string[] {
  const found: string[] = [];
  const open: Container[] = [];
  const length = bytes.length;
  let i = 0;
  while (i < length && found.length < MAX_NAMED) {
    const byte = bytes[i]!;
    if (byte === QUOTE) {
      let end = i + 1;
      let escaped = false;
      while (end < length && bytes[end] !== QUOTE) {
        if (bytes[end] === BACKSLASH) {
          escaped = true;
          end++;
        }
        end++;
      }
      const container = open.at(-1);
      if (container?.keys && container.awaitingKey) {
        const key = keyOf(bytes, i, end, escaped);
        if (key === undefined) return found;
        const named = key.toWellFormed();
        if (!container.keys.has(key)) container.keys.add(key);
        else if (!found.includes(joined(container.path, named))) found.push(joined(container.path, named));
        container.at = named;
        container.awaitingKey = false;
      }
      i = end + 1;
      continue;
    }
    if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) {
      const parent = open.at(-1);
      open.push({
        keys: byte === OPEN_OBJECT ? new Set() : null,
        path: parent ? joined(parent.path, parent.at) : '',
        awaitingKey: byte === OPEN_OBJECT,
        at: 0,
      });
    } else if (byte === CLOSE_OBJECT || byte === CLOSE_ARRAY) {
      open.pop();
    } else if (byte === COMMA) {
      const container = open.at(-1);
      if (container?.keys) container.awaitingKey = true;
      else if (container) container.at = (container.at as number) + 1;
    }
    i++;
  }
  return found;
}

/** The key between the quotes at `start` and `end`, decoded when it has an escape; undefined when it is not JSON. */
function keyOf(bytes: Uint8Array, start: number, end: number, escaped: boolean): string | undefined {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset + start, end + 1 - start).toString('utf8');
  if (!escaped) return text.slice(1, -1);
  try {
    const key: unknown = JSON.parse(text);
    return typeof key === 'string' ? key : undefined;
  } catch {
    return undefined;
  }
}

const duplicatesOf = new WeakMap<IncomingMessage, string[]>();

/** Called by the JSON parser's `verify` with the body's bytes: notes the keys given twice, for the refusal below. */
export function noteDuplicateKeys(req: IncomingMessage, bytes: Uint8Array): void {
  const paths = duplicateKeyPaths(bytes);
  if (paths.length > 0) duplicatesOf.set(req, paths);
}

/** Mounted right after the JSON parser, which has read the body as JSON: refuses one that gave a key twice. */
export function refuseDuplicateKeys(req: Request, _res: Response, next: NextFunction): void {
  const paths = duplicatesOf.get(req);
  if (!paths) {
    next();
    return;
  }
  next(
    new AppError('bad_request', 'The request body gives a field more than once: send each field once.', {
      code: 'duplicate_key',
      fields: paths.map((field) => ({ field, message: 'is given more than once in the same object: send it once' })),
    }),
  );
}
