/**
 * A list's cursor as the API hands it out: the read model's position (db/read-model.ts `keysetPage`, a notification's
 * id) with an HMAC over it, the list it belongs to and the filters and sort its page was read with, under a key derived
 * (HKDF) from the identity keys, as the name index's is (core/name-index.ts). A cursor the service did not make, one of
 * another list, or one changed by a single character is refused before any query runs with it: a client's text never
 * reaches PostgreSQL as a position (a garbled one made PostgreSQL refuse the query, and log the statement with the
 * client's text as an ERROR line). One sent with other filters or another sort than its page's is refused too, saying
 * so: its position is no place in that other list (`sort=-dueAt` with a `sort=dueAt` cursor answered a page that was
 * the next of nothing, `status=overdue` added an empty one).
 */
import { createHash, createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import type { IdentityKeyring } from './identity-cipher';

/** The lists that page with a cursor; a cursor of one is no cursor of another. */
export type CursorList = 'steps' | 'cases' | 'notifications' | 'tokens' | 'calendar_feeds' | 'audit' | 'users';

/**
 * What a page is read with: its filters and sort, as the list reads them, and its `cursor` and `limit`, which are
 * not part of it (a next page may be longer or shorter). A value undefined is a filter not given.
 */
export type ListScope = Readonly<Record<string, unknown>>;

/** A value of a scope in its canonical form: an instant as ISO text, a list (of terms, of instants) in sorted order. */
function canonicalValue(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((item) => JSON.stringify(canonicalValue(item))).sort();
  return value;
}

/**
 * The one rule every list's cursor is bound by: the scope's filters and sort, but `cursor` and `limit`, those not
 * given left out, in the order of their names. `?sort=dueAt&status=pending` and `?status=pending&sort=dueAt` are one
 * scope; `agencyId` left out and `agencyId` undefined are one too.
 */
function canonicalScope(scope: ListScope): string {
  const entries = Object.entries(scope)
    .filter(([name, value]) => name !== 'cursor' && name !== 'limit' && value !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => [name, canonicalValue(value)]);
  return JSON.stringify(entries);
}

/** Separates this key's use from sealing and from the name index: the same identity key never serves as both. */
const HKDF_INFO = 'relief-cases list cursor v1';

/** The bytes of the HMAC a cursor carries: 128 bits, 22 characters. */
const TAG_BYTES = 16;
/** The bytes of its scope's HMAC: 64 bits, 11 characters, to tell filters changed from a cursor not made here. */
const SCOPE_BYTES = 8;

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

/** The scope's HMAC, keyed: the cursor says nothing of the filters (a name search's terms) to whoever reads it. */
const scopeTagOf = (key: Buffer, list: CursorList, scope: ListScope): string =>
  createHmac('sha256', key)
    .update(`scope\n${list}\n${canonicalScope(scope)}`, 'utf8')
    .digest()
    .subarray(0, SCOPE_BYTES)
    .toString('base64url');

const tagOf = (key: Buffer, list: CursorList, scopeTag: string, body: string): Buffer =>
  createHmac('sha256', key).update(`${list}\n${scopeTag}\n${body}`, 'utf8').digest().subarray(0, TAG_BYTES);

/**
 * The cursor of `position` in `list` read with `scope`: `<position>.<scope's HMAC>.<HMAC of the three>`, each
 * base64url.
 */
export function signCursor(keys: readonly Buffer[], list: CursorList, scope: ListScope, position: string): string {
  const body = Buffer.from(position, 'utf8').toString('base64url');
  const scopeTag = scopeTagOf(keys[0]!, list, scope);
  return `${body}.${scopeTag}.${tagOf(keys[0]!, list, scopeTag, body).toString('base64url')}`;
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/**
 * A cursor opened: the position it holds; or why it is refused, `foreign` (not a cursor of `list` signed with one of
 * `keys`: forged, garbled, of another list, made before cursors were bound to their filters) or `other_scope` (one of
 * this list, handed out with other filters or another sort than `scope`).
 */
export type OpenedCursor = { position: string } | { refused: 'foreign' | 'other_scope' };

export function openCursor(keys: readonly Buffer[], list: CursorList, scope: ListScope, cursor: string): OpenedCursor {
  const foreign = { refused: 'foreign' } as const;
  const [body, scopeTag, tag, ...rest] = cursor.split('.');
  const parts = [body, scopeTag, tag];
  if (rest.length > 0 || !parts.every((part) => part && BASE64URL.test(part))) return foreign;
  const given = Buffer.from(tag!, 'base64url');
  if (given.length !== TAG_BYTES) return foreign;
  const key = keys.find((candidate) => timingSafeEqual(tagOf(candidate, list, scopeTag!, body!), given));
  if (!key) return foreign;
  if (scopeTagOf(key, list, scope) !== scopeTag) return { refused: 'other_scope' };
  return { position: Buffer.from(body!, 'base64url').toString('utf8') };
}
