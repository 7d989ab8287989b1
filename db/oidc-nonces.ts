/**
 * Nonces of OpenID Connect sign-ins: the API issues one for each sign-in the console starts and takes it back when
 * the ID token carrying it opens a session, so a token from anywhere else (another relying party's flow, a token
 * copied from a log, the same token twice) opens none. Only hashes are stored.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Pool } from 'pg';

const hashOf = (nonce: string) => createHash('sha256').update(nonce).digest('base64url');

export async function issueOidcNonce(pool: Pool, expiresAt: Date): Promise<string> {
  const nonce = randomBytes(32).toString('base64url');
  // Expired nonces are of no use to anyone: each issue clears them, so the table holds only open sign-ins.
  await pool.query('DELETE FROM oidc_nonces WHERE expires_at < now()');
  await pool.query('INSERT INTO oidc_nonces (nonce_hash, expires_at) VALUES ($1, $2)', [hashOf(nonce), expiresAt]);
  return nonce;
}

/** True once for a nonce this service issued and that has not expired; it is then gone. */
export async function consumeOidcNonce(pool: Pool, nonce: string): Promise<boolean> {
  const { rowCount } = await pool.query('DELETE FROM oidc_nonces WHERE nonce_hash = $1 AND expires_at >= now()', [
    hashOf(nonce),
  ]);
  return rowCount === 1;
}
