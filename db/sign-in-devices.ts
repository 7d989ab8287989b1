/**
 * The browsers and clients that signed in to a user's account with its password: OWASP's "device cookies"
 * (Authentication Cheat Sheet; "Slow Down Online Guessing Attacks with Device Cookies"). Each successful password
 * sign-in answers a new device token, kept hashed here for the user; a sign-in to the same account that presents it
 * is judged by that device's own wrong passwords (db/sign-in-failures.ts, counted under the device's key) and not by
 * the account's count, which anyone who knows or guesses the username can run up. The token is random and looked up,
 * so none can be forged; one of another user's devices, or of a forgotten one, is no device of this account.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import { DEVICE_TOKEN_DAYS } from '../core/token-format';
import { inTransaction } from './pool';
import type { FailureCounter } from './sign-in-failures';

const DEVICE_LIFETIME_MS = DEVICE_TOKEN_DAYS * 24 * 3600 * 1000;
/** A user's devices kept, the newest: a browser beyond them signs in as a stranger does, until it succeeds. */
const DEVICES_PER_USER = 10;

/** A device's key: the SHA-256 of its token (256 random bits, so a fast hash is enough, as for API tokens). */
const deviceKey = (token: string): FailureCounter => createHash('sha256').update(token).digest();

/**
 * The key of `token`'s device when it signed in to the account `username` before and has not expired, else null:
 * its wrong passwords are counted under that key.
 */
export async function knownDevice(
  pool: Pool,
  token: string,
  username: string,
  now: Date,
): Promise<FailureCounter | null> {
  const { rows } = await pool.query<{ device_key: Buffer }>(
    `SELECT d.device_key FROM sign_in_devices d JOIN users u ON u.id = d.user_id
     WHERE d.device_key = $1 AND u.username = $2 AND d.expires_at > $3`,
    [deviceKey(token), username, now],
  );
  return rows[0]?.device_key ?? null;
}

/**
 * A new device token for the user, answered this once (only its hash is kept), lasting `DEVICE_TOKEN_DAYS`. The
 * device it `replaces` (the one that signed in with it) is forgotten: each sign-in rotates the token, so a copy taken
 * from the browser stops working when its owner next signs in. So are the user's devices beyond the newest ten, and
 * every expired one.
 */
export async function registerDevice(
  pool: Pool,
  userId: string,
  now: Date,
  replaces: FailureCounter | null,
): Promise<string> {
  const token = `rcd_${randomBytes(32).toString('base64url')}`;
  await inTransaction(pool, async (client) => {
    if (replaces) await client.query('DELETE FROM sign_in_devices WHERE device_key = $1', [replaces]);
    await client.query(
      'INSERT INTO sign_in_devices (device_key, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)',
      [deviceKey(token), userId, now, new Date(now.getTime() + DEVICE_LIFETIME_MS)],
    );
    await client.query(
      `DELETE FROM sign_in_devices WHERE expires_at <= $2 OR (user_id = $1 AND device_key <> $4 AND device_key NOT IN (
         SELECT device_key FROM sign_in_devices WHERE user_id = $1 ORDER BY created_at DESC LIMIT $3))`,
      [userId, now, DEVICES_PER_USER, deviceKey(token)],
    );
  });
  return token;
}

/** Every lockout of the user's devices lifted (an admin gave a new password): they are still known. */
export async function clearDeviceFailures(pool: Pool, userId: string): Promise<void> {
  await pool.query(
    'DELETE FROM sign_in_failures WHERE account_key IN (SELECT device_key FROM sign_in_devices WHERE user_id = $1)',
    [userId],
  );
}
