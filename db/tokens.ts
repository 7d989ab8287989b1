/**
 * Bearer tokens: opaque, random, stored as a SHA-256 of their secret, each with an expiry and revocable at once.
 * A token reads `rc_<id>_<secret>` (core/token-format.ts): the id finds the row, the secret proves possession. The
 * secret has 256 bits of entropy, so a fast hash is enough (a password needs a slow one; see core/passwords.ts).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import { TOKEN_SHAPE } from '../core/token-format';
import { prepared, type Queryable } from './pool';
import { principalFromRow, type Principal, type PrincipalRow } from './user-rows';

export type TokenKind = 'api_key' | 'session' | 'calendar_feed';

/** What a bearer token may be: a calendar feed's secret opens its feed only, never the API. */
export const BEARER_KINDS: readonly TokenKind[] = ['api_key', 'session'];

export interface TokenInfo {
  id: string;
  kind: TokenKind;
  label: string;
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

export interface IssuedToken extends TokenInfo {
  /** Shown once: only its hash is stored. */
  token: string;
}

const sha256 = (secret: string) => createHash('sha256').update(secret).digest();

interface TokenRow {
  id: string;
  kind: TokenKind;
  label: string;
  created_at: Date;
  expires_at: Date;
  revoked_at: Date | null;
  last_used_at: Date | null;
}

const tokenFromRow = (row: TokenRow): TokenInfo => ({
  id: row.id,
  kind: row.kind,
  label: row.label,
  createdAt: row.created_at.toISOString(),
  expiresAt: row.expires_at.toISOString(),
  revokedAt: row.revoked_at?.toISOString() ?? null,
  lastUsedAt: row.last_used_at?.toISOString() ?? null,
});

/** The user already holds `cap` live tokens of the kind asked for: none is made until they revoke one. */
export class TokenCapError extends Error {
  constructor(readonly cap: number) {
    super(`at most ${cap} live tokens of this kind`);
  }
}

const ISSUED_COLUMNS = 'id, kind, label, created_at, expires_at, revoked_at, last_used_at';

/**
 * A new token, its secret answered this once. With `cap`, at most that many of the user's tokens of this kind are
 * live (neither revoked nor expired at `cap.now`): the count and the insert run in one transaction holding the user's
 * row (FOR NO KEY UPDATE), so concurrent creates are counted one after another and never overshoot; a sign-in's
 * session, which takes no cap, is not held up by it.
 */
export async function issueToken(
  pool: Pool,
  options: { userId: string; kind: TokenKind; label: string; expiresAt: Date; cap?: { max: number; now: Date } },
): Promise<IssuedToken> {
  const id = randomBytes(10).toString('hex').slice(0, 16);
  const secret = randomBytes(32).toString('base64url');
  // The user's principal is copied onto the token (migration 1797898000000 keeps it true): read from the user's row
  // in the same statement, so a user that does not exist gets no token.
  const insert = `INSERT INTO access_tokens
      (id, user_id, username, agency_id, agency_kind, roles, user_disabled, kind, label, secret_hash, expires_at)
    SELECT $1, u.id, u.username, u.agency_id, u.agency_kind, u.roles, u.disabled, $3, $4, $5, $6
      FROM users u WHERE u.id = $2
    RETURNING ${ISSUED_COLUMNS}`;
  const values = [id, options.userId, options.kind, options.label, sha256(secret), options.expiresAt];
  const issued = ({ rows }: { rows: TokenRow[] }): IssuedToken => {
    if (!rows[0]) throw new Error(`no user ${options.userId} to issue a token to`);
    return { ...tokenFromRow(rows[0]), token: `rc_${id}_${secret}` };
  };
  const { cap } = options;
  if (!cap) {
    return issued(await pool.query<TokenRow>(insert, values));
  }
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT 1 FROM users WHERE id = $1 FOR NO KEY UPDATE', [options.userId]);
    const { rows: counted } = await client.query<{ live: number }>(
      `SELECT count(*)::int AS live FROM access_tokens
        WHERE user_id = $1 AND kind = $2 AND revoked_at IS NULL AND expires_at > $3`,
      [options.userId, options.kind, cap.now],
    );
    if (counted[0]!.live >= cap.max) throw new TokenCapError(cap.max);
    const token = issued(await client.query<TokenRow>(insert, values));
    await client.query('COMMIT');
    return token;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/**
 * Whether a token's `last_used_at` is a minute old ($2 is now): it says when a key was last used, to the minute, for
 * its owner to review, so it is refreshed no more often than that.
 */
const LAST_USED_STALE = `(t.last_used_at IS NULL OR t.last_used_at <= $2::timestamptz - interval '1 minute')`;

/**
 * Whether a session has gone unused for the idle limit ($3, in milliseconds; $2 is now): a console left signed in on a
 * shared computer, whose next user would otherwise be its person until the session's end, hours later. Measured from
 * its last use as `last_used_at` keeps it (to the minute), or from its sign-in. API keys and calendar feeds, made for
 * scripts and calendars that call now and then, have no idle limit.
 */
const LEFT_IDLE = `(t.kind = 'session' AND COALESCE(t.last_used_at, t.created_at) <= $2::timestamptz - $3::integer * interval '1 millisecond')`;

/** How long a session may go unused before it ends, unless told otherwise (`SESSION_IDLE_MINUTES`). */
export const DEFAULT_SESSION_IDLE_MS = 30 * 60 * 1000;

/** A token's id and secret (`rc_<id>_<secret>`), or null for text not shaped as one. */
function partsOf(token: string): { id: string; secret: string } | null {
  const match = TOKEN_SHAPE.exec(token);
  return match ? { id: match[1]!, secret: match[2]! } : null;
}

/** Whether the row is a token of one of `kinds` whose secret is this one (compared in constant time). */
const opensAs = (row: { kind: TokenKind; secret_hash: Buffer }, secret: string, kinds: readonly TokenKind[]) =>
  kinds.includes(row.kind) && timingSafeEqual(row.secret_hash, sha256(secret));

/** The principal a token's row carries, named as a user's row names it (principalFromRow). */
const TOKEN_PRINCIPAL_COLUMNS = `t.user_id AS id, t.username, t.agency_id, t.agency_kind, t.roles`;

/**
 * The token and the principal it carries: one row by primary key. Run `prepared` (db/pool.ts): planning costs more
 * than running it. Only the columns needed: each column formatted and parsed is a few microseconds of a lookup that
 * takes about fifty.
 */
const AUTHENTICATE_SQL = `
SELECT ${TOKEN_PRINCIPAL_COLUMNS}, t.kind, t.secret_hash, ${LAST_USED_STALE} AS last_used_stale
  FROM access_tokens t
 WHERE t.id = $1 AND t.revoked_at IS NULL AND t.expires_at > $2 AND NOT t.user_disabled AND NOT ${LEFT_IDLE}`;

/**
 * The user behind a live token (well-formed, known, secret matching, not expired, not revoked, user not disabled) of
 * one of `kinds` (by default those accepted as a bearer token): one prepared statement reading one row by primary
 * key, which every authenticated request waits for. Nothing is written on that path: `last_used_at` is refreshed,
 * unawaited, only when it is a minute old.
 */
export async function authenticateToken(
  pool: Queryable,
  token: string,
  now: Date,
  kinds: readonly TokenKind[] = BEARER_KINDS,
  sessionIdleMs = DEFAULT_SESSION_IDLE_MS,
): Promise<{ user: Principal; tokenId: string } | null> {
  const parts = partsOf(token);
  if (!parts) return null;
  const { id, secret } = parts;
  const { rows } = await pool.query<PrincipalRow & { kind: TokenKind; secret_hash: Buffer; last_used_stale: boolean }>(
    prepared(AUTHENTICATE_SQL, [id, now, sessionIdleMs]),
  );
  const row = rows[0];
  if (!row || !opensAs(row, secret, kinds)) return null;
  if (row.last_used_stale) {
    // Best effort: the condition repeated in SQL keeps concurrent requests of the same minute from writing twice.
    void pool
      .query(`UPDATE access_tokens t SET last_used_at = $2 WHERE t.id = $1 AND ${LAST_USED_STALE}`, [id, now])
      .catch(() => undefined);
  }
  return { user: principalFromRow(row), tokenId: id };
}

/**
 * Why a token whose secret is right no longer opens anything (revoked, expired, or its user disabled), with its id and
 * user, for the audit trail of a refusal: whose feed is still being fetched after it was revoked. Null for a secret
 * that matches no token, or a live one. Asked only on a refusal, never on the path every request takes.
 */
export async function refusedToken(
  pool: Queryable,
  token: string,
  now: Date,
  kinds: readonly TokenKind[],
  sessionIdleMs = DEFAULT_SESSION_IDLE_MS,
): Promise<{
  tokenId: string;
  kind: TokenKind;
  /** When it expires or expired: said to whoever still sends an expired one (api/auth.ts). */
  expiresAt: Date;
  user: Principal;
  why: 'revoked' | 'expired' | 'its user disabled' | 'left idle';
} | null> {
  const parts = partsOf(token);
  if (!parts) return null;
  const { id, secret } = parts;
  const { rows } = await pool.query<
    PrincipalRow & {
      kind: TokenKind;
      secret_hash: Buffer;
      expires_at: Date;
      revoked: boolean;
      expired: boolean;
      disabled: boolean;
      idle: boolean;
    }
  >(
    `SELECT ${TOKEN_PRINCIPAL_COLUMNS}, t.kind, t.secret_hash, t.expires_at, t.revoked_at IS NOT NULL AS revoked,
            t.expires_at <= $2 AS expired, t.user_disabled AS disabled, ${LEFT_IDLE} AS idle
       FROM access_tokens t
      WHERE t.id = $1`,
    [id, now, sessionIdleMs],
  );
  const row = rows[0];
  if (!row || !opensAs(row, secret, kinds)) return null;
  const why = row.revoked
    ? 'revoked'
    : row.expired
      ? 'expired'
      : row.disabled
        ? 'its user disabled'
        : row.idle
          ? 'left idle'
          : null;
  return why && { tokenId: id, kind: row.kind, expiresAt: row.expires_at, user: principalFromRow(row), why };
}

/** One page of a user's tokens; `nextCursor` is the last one's id, the position the next page starts after. */
export interface TokenPage {
  items: TokenInfo[];
  nextCursor: string | null;
}

/**
 * The user's tokens of these kinds, newest first, `limit` at a time; `after` is the id of the last of the page before
 * (a position the caller signed, core/list-cursor.ts). Ties of `created_at` are broken by id, so no token is skipped.
 */
export async function listTokens(
  pool: Pool,
  userId: string,
  kinds: readonly TokenKind[],
  page: { limit: number; after?: string },
): Promise<TokenPage> {
  const { rows } = await pool.query<TokenRow>(
    `SELECT ${ISSUED_COLUMNS} FROM access_tokens
      WHERE user_id = $1 AND kind = ANY($2::text[])
        AND ($4::text IS NULL
             OR (created_at, id) < (SELECT p.created_at, p.id FROM access_tokens p WHERE p.id = $4 AND p.user_id = $1))
      ORDER BY created_at DESC, id DESC LIMIT $3`,
    [userId, kinds, page.limit + 1, page.after ?? null],
  );
  const items = rows.slice(0, page.limit).map(tokenFromRow);
  return { items, nextCursor: rows.length > page.limit ? items[items.length - 1]!.id : null };
}

/** The token's owner and kind, for permission checks before revoking; null when there is no such token. */
export async function tokenOwner(pool: Pool, tokenId: string): Promise<{ userId: string; kind: TokenKind } | null> {
  const { rows } = await pool.query<{ user_id: string; kind: TokenKind }>(
    'SELECT user_id, kind FROM access_tokens WHERE id = $1',
    [tokenId],
  );
  return rows[0] ? { userId: rows[0].user_id, kind: rows[0].kind } : null;
}

export async function revokeToken(pool: Pool, tokenId: string, now: Date): Promise<TokenInfo | null> {
  const { rows } = await pool.query<TokenRow>(
    `UPDATE access_tokens SET revoked_at = COALESCE(revoked_at, $2) WHERE id = $1 RETURNING ${ISSUED_COLUMNS}`,
    [tokenId, now],
  );
  return rows[0] ? tokenFromRow(rows[0]) : null;
}

/** Revokes every live token of the user, but `except` (a token id) when given. */
export async function revokeUserTokens(
  db: Pool | PoolClient,
  userId: string,
  now: Date,
  options: { except?: string } = {},
): Promise<void> {
  await db.query(
    'UPDATE access_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL AND id IS DISTINCT FROM $3',
    [userId, now, options.except ?? null],
  );
}
