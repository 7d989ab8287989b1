/**
 * A list's cursor as the API hands it out: the read model's position (db/read-model.ts `keysetPage`, a notification's
 * id) with an HMAC over it and the list it belongs to, under a key derived (HKDF) from the identity keys, as the name
 * index's is (core/name-index.ts). A cursor the service did not make, one of another list, or one changed by a single
 * character is refused before any query runs with it: a client's text never reaches PostgreSQL as a position (a
 * garbled one made PostgreSQL refuse the query, and log the statement with the client's text as an ERROR line).
 */
import { createHash, createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import type { IdentityKeyring } from './identity-cipher';

/** The lists that page with a cursor; a cursor of one is no cursor of another. */
export type CursorList = 'steps' | 'cases' | 'notifications' | 'tokens' | 'calendar_feeds';

/** Separates this key's use from sealing and from the name index: the same identity key never serves as both. */
const HKDF_INFO = 'relief-cases list cursor v1';

/** The bytes of the HMAC a cursor carries: 128 bits, 22 characters. */
const TAG_BYTES = 16;

/**
 * The keys cursors are signed with: the current identity key's first (it signs), then those of older identity keys,
 * so a cursor handed out before a rotation still pages. Without a keyring (local development only, where identities
 * are stored in plain text, core/identity-cipher.ts) a fixed, public key: it still refuses a garbled cursor.
 */
export function cursorKeys(keyring: IdentityKeyring | undefined): Buffer[] {
  if (!keyring) return [createHash('sha256').update(HKDF_INFO).digest()];
  return [keyring.current, ...(keyring.previous ?? [])].map(({ key }) =>
    Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), HKDF_INFO, 32)),
  );
}

const tagOf = (key: Buffer, list: CursorList, body: string): Buffer =>
  createHmac('sha256', key).update(`${list}\n${body}`, 'utf8').digest().subarray(0, TAG_BYTES);

/** The cursor of `position` in `list`: `<position, base64url>.<HMAC, base64url>`. */
export function signCursor(keys: readonly Buffer[], list: CursorList, position: string): string {
  const body = Buffer.from(position, 'utf8').toString('base64url');
  return `${body}.${tagOf(keys[0]!, list, body).toString('base64url')}`;
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** The position a cursor of `list` signed with one of `keys` holds; null for anything else. */
export function openCursor(keys: readonly Buffer[], list: CursorList, cursor: string): string | null {
  const [body, tag, ...rest] = cursor.split('.');
  if (rest.length > 0 || !body || !tag || !BASE64URL.test(body) || !BASE64URL.test(tag)) return null;
  const given = Buffer.from(tag, 'base64url');
  if (given.length !== TAG_BYTES) return null;
  const signed = keys.some((key) => timingSafeEqual(tagOf(key, list, body), given));
  return signed ? Buffer.from(body, 'base64url').toString('utf8') : null;
}
