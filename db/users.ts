/** The people who use the service: each belongs to one agency and holds roles (see domain/access.ts). */
import { randomUUID } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import { hashPassword, verifyPassword, type ScryptCost } from '../core/passwords';
import type { Role } from '../domain/types';
import { inTransaction } from './pool';
import { revokeUserTokens } from './tokens';
import { USER_COLUMNS, USER_FROM, userFromRow, type User, type UserRow } from './user-rows';

export interface NewUser {
  username: string;
  displayName: string;
  agencyId: string;
  roles: Role[];
  /** Omitted: the user signs in with API keys only. */
  password?: string;
}

/** Username taken: the caller's error, reported on the field. */
export class UsernameTakenError extends Error {
  constructor(readonly username: string) {
    super(`the username ${username} is taken`);
    this.name = 'UsernameTakenError';
  }
}

export async function createUser(db: Pool | PoolClient, user: NewUser, cost?: ScryptCost): Promise<User> {
  const passwordHash = user.password === undefined ? null : await hashPassword(user.password, cost);
  const id = randomUUID();
  try {
    // With its agency's kind (the copy the token lookup reads); callers check first that the agency exists.
    const { rowCount } = await db.query(
      `INSERT INTO users (id, username, display_name, agency_id, agency_kind, roles, password_hash)
       SELECT $1, $2, $3, a.id, a.kind, $5, $6 FROM agencies a WHERE a.id = $4`,
      [id, user.username, user.displayName, user.agencyId, user.roles, passwordHash],
    );
    if (rowCount === 0) throw new Error(`no agency ${user.agencyId}`);
  } catch (error) {
    if ((error as { code?: string }).code === '23505') throw new UsernameTakenError(user.username);
    throw error;
  }
  return (await findUser(db, { id }))!;
}

export async function findUser(db: Pool | PoolClient, by: { id: string } | { username: string }): Promise<User | null> {
  const [column, value] = 'id' in by ? ['u.id', by.id] : ['u.username', by.username];
  const { rows } = await db.query<UserRow>(`SELECT ${USER_COLUMNS} FROM ${USER_FROM} WHERE ${column} = $1`, [value]);
  return rows[0] ? userFromRow(rows[0]) : null;
}

/** One page of users; `nextCursor` is the last one's id, the position the next page starts after. */
export interface UserPage {
  items: User[];
  nextCursor: string | null;
}

/**
 * The users (of one agency, or every agency's), by agency and username, `limit` at a time; `after` is the id of the
 * last of the page before (a position the caller signed, core/list-cursor.ts). Usernames are unique, so no user is
 * skipped nor listed twice.
 */
export async function listUsers(
  pool: Pool,
  filter: { agencyId?: string },
  page: { limit: number; after?: string },
): Promise<UserPage> {
  const { rows } = await pool.query<UserRow>(
    `SELECT ${USER_COLUMNS} FROM ${USER_FROM}
      WHERE ($1::text IS NULL OR u.agency_id = $1)
        AND ($3::uuid IS NULL OR (u.agency_id, u.username) > (SELECT p.agency_id, p.username FROM users p WHERE p.id = $3))
      ORDER BY u.agency_id, u.username LIMIT $2`,
    [filter.agencyId ?? null, page.limit + 1, page.after ?? null],
  );
  const items = rows.slice(0, page.limit).map(userFromRow);
  return { items, nextCursor: rows.length > page.limit ? items[items.length - 1]!.id : null };
}

/** A fixed hash to verify against when the user does not exist, so timing does not tell which usernames do. */
let decoyHash: Promise<string> | undefined;

/**
 * Why a username and password open no session, for the sign-in's audit row only (the answer is one for all): no such
 * user, a wrong password (or none set), or a disabled user's, right or wrong, so a supervisor tells someone still
 * holding a departed person's password from a typo.
 */
export type PasswordRefusal =
  'unknown_username' | 'password_wrong' | 'user_disabled; password_right' | 'user_disabled; password_wrong';

/** The active user with this username and password, or why not (`PasswordRefusal`). */
export async function checkPassword(pool: Pool, username: string, password: string): Promise<User | PasswordRefusal> {
  const { rows } = await pool.query<UserRow & { password_hash: string | null }>(
    `SELECT ${USER_COLUMNS}, u.password_hash FROM ${USER_FROM} WHERE u.username = $1`,
    [username],
  );
  const row = rows[0];
  const stored = row?.password_hash ?? (await (decoyHash ??= hashPassword('decoy password, never matches')));
  const matches = await verifyPassword(password, stored);
  if (!row) return 'unknown_username';
  const right = row.password_hash !== null && matches;
  if (row.disabled_at) return right ? 'user_disabled; password_right' : 'user_disabled; password_wrong';
  return right ? userFromRow(row) : 'password_wrong';
}

/**
 * Sets the password and, in the same transaction, revokes every token of the user but `keepTokenId` (the session
 * that proved the old password, when the user changes their own): whoever learnt the old password, or holds a session
 * or key minted with it, is out at once. A reset by someone else keeps none; `enable` also lifts a disabling, so a
 * re-enabled user comes back with this password only. `whileDisabled`: the change holds only for a user still as the
 * caller found them, disabled (true, an enabling) or not (false, a reset); else nothing is written and it answers false,
 * as for a user it does not find: of two enablings at once one gives the password, and a reset racing a disabling
 * gives none to a user who may not sign in.
 */
export async function setPassword(
  pool: Pool,
  userId: string,
  password: string,
  options: { now: Date; keepTokenId?: string; enable?: boolean; whileDisabled?: boolean; cost?: ScryptCost },
): Promise<boolean> {
  const hash = await hashPassword(password, options.cost);
  const state =
    options.whileDisabled === undefined ? '' : ` AND disabled_at IS ${options.whileDisabled ? 'NOT NULL' : 'NULL'}`;
  return inTransaction(pool, async (client) => {
    const { rowCount } = await client.query(
      `UPDATE users SET password_hash = $2${options.enable ? ', disabled_at = NULL' : ''} WHERE id = $1${state}`,
      [userId, hash],
    );
    if (!rowCount) return false;
    await revokeUserTokens(client, userId, options.now, { except: options.keepTokenId });
    return true;
  });
}

/**
 * Disables the user and revokes every token of theirs, in one transaction; their tokens stop working at once
 * (authentication checks `disabled_at`). Unless the administrator disabling them (`by`) was disabled meanwhile
 * ('by_disabled', nothing changed): both rows are held first, in one order, so two administrators disabling each other
 * at the same moment take turns and the second finds itself disabled, where both were disabled and, of two system
 * administrators, none was left. Null if no such user. Without `by` (a test's set-up), no one's state is checked.
 */
export async function disableUser(
  pool: Pool,
  userId: string,
  options: { by?: string; now?: Date } = {},
): Promise<User | 'by_disabled' | null> {
  return inTransaction(pool, async (client) => {
    const { rows } = await client.query<{ id: string; disabled: boolean }>(
      'SELECT id, disabled_at IS NOT NULL AS disabled FROM users WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE',
      [[userId, options.by ?? userId]],
    );
    if (options.by !== undefined && rows.find((row) => row.id === options.by)?.disabled) return 'by_disabled';
    if (!rows.some((row) => row.id === userId)) return null;
    await client.query('UPDATE users SET disabled_at = COALESCE(disabled_at, now()) WHERE id = $1', [userId]);
    await revokeUserTokens(client, userId, options.now ?? new Date());
    return findUser(client, { id: userId });
  });
}

/** Replaces a user's roles (the service checked they fit the agency and the administrator); null if no such user. */
export async function setUserRoles(pool: Pool, userId: string, roles: readonly Role[]): Promise<User | null> {
  await pool.query('UPDATE users SET roles = $2 WHERE id = $1', [userId, roles]);
  return findUser(pool, { id: userId });
}

/** A user's identity at an OpenID Connect provider: the `iss` and `sub` its ID tokens carry. */
export interface UserIdentity {
  issuer: string;
  subject: string;
  userId: string;
  createdAt: string;
}

/** The identity is already linked to another user: one person at the provider is one user here. */
export class IdentityTakenError extends Error {
  constructor() {
    super('this identity is linked to another user');
    this.name = 'IdentityTakenError';
  }
}

interface IdentityRow {
  issuer: string;
  subject: string;
  user_id: string;
  created_at: Date;
}

const identityFromRow = (row: IdentityRow): UserIdentity => ({
  issuer: row.issuer,
  subject: row.subject,
  userId: row.user_id,
  createdAt: row.created_at.toISOString(),
});

/** Links (issuer, subject) to the user; linking it again to the same user answers the existing link. */
export async function linkIdentity(
  pool: Pool,
  identity: { issuer: string; subject: string; userId: string },
): Promise<UserIdentity> {
  // The first link stands: a pair already linked (to anyone) is left as it is, then read back to see to whom.
  await pool.query(
    'INSERT INTO user_identities (issuer, subject, user_id) VALUES ($1, $2, $3) ON CONFLICT (issuer, subject) DO NOTHING',
    [identity.issuer, identity.subject, identity.userId],
  );
  const { rows } = await pool.query<IdentityRow>(
    'SELECT issuer, subject, user_id, created_at FROM user_identities WHERE issuer = $1 AND subject = $2',
    [identity.issuer, identity.subject],
  );
  const linked = identityFromRow(rows[0]!);
  if (linked.userId !== identity.userId) throw new IdentityTakenError();
  return linked;
}

/**
 * Unlinks (issuer, subject) from the user, so it signs nobody in until linked again (to them or to another user: a
 * person who moved to another agency, whose new user it is linked to then). The link removed, or null when the user
 * had no such link.
 */
export async function unlinkIdentity(
  pool: Pool,
  identity: { issuer: string; subject: string; userId: string },
): Promise<UserIdentity | null> {
  const { rows } = await pool.query<IdentityRow>(
    `DELETE FROM user_identities WHERE issuer = $1 AND subject = $2 AND user_id = $3
      RETURNING issuer, subject, user_id, created_at`,
    [identity.issuer, identity.subject, identity.userId],
  );
  return rows[0] ? identityFromRow(rows[0]) : null;
}

export async function listIdentities(pool: Pool, userId: string): Promise<UserIdentity[]> {
  const { rows } = await pool.query<IdentityRow>(
    'SELECT issuer, subject, user_id, created_at FROM user_identities WHERE user_id = $1 ORDER BY issuer, subject',
    [userId],
  );
  return rows.map(identityFromRow);
}

/** The user (active or disabled) linked to this identity, or null. */
export async function findUserByIdentity(pool: Pool, issuer: string, subject: string): Promise<User | null> {
  const { rows } = await pool.query<UserRow>(
    `SELECT ${USER_COLUMNS} FROM ${USER_FROM} JOIN user_identities i ON i.user_id = u.id WHERE i.issuer = $1 AND i.subject = $2`,
    [issuer, subject],
  );
  return rows[0] ? userFromRow(rows[0]) : null;
}
