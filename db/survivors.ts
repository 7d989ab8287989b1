/**
 * A survivor's identity, one row per case, sealed at rest (core/identity-cipher.ts). Only this module sees it in the
 * clear; nothing here logs.
 */
import type { Pool } from 'pg';
import type { Queryable } from './pool';
import { open, seal, type IdentityKeyring } from '../core/identity-cipher';

export interface SurvivorIdentity {
  name: string;
  /** YYYY-MM-DD */
  birthDate: string;
  aNumber?: string;
  contact?: string;
}

/**
 * Stores (or replaces) the identity of a case's survivor. Without a keyring the identity is stored unencrypted under
 * key id "plaintext": acceptable for local development only; production passes the configured keyring.
 */
export async function saveSurvivor(
  pool: Queryable,
  caseId: string,
  identity: SurvivorIdentity,
  keyring?: IdentityKeyring,
): Promise<void> {
  const plain: SurvivorIdentity = {
    name: identity.name,
    birthDate: identity.birthDate,
    aNumber: identity.aNumber,
    contact: identity.contact,
  };
  const { ciphertext, keyId } = seal(Buffer.from(JSON.stringify(plain)), caseId, keyring);
  await pool.query(
    `INSERT INTO survivors (case_id, identity_ciphertext, key_id) VALUES ($1, $2, $3)
     ON CONFLICT (case_id) DO UPDATE SET identity_ciphertext = EXCLUDED.identity_ciphertext, key_id = EXCLUDED.key_id, updated_at = now()`,
    [caseId, ciphertext, keyId],
  );
}

export async function getSurvivor(
  pool: Pool,
  caseId: string,
  keyring?: IdentityKeyring,
): Promise<SurvivorIdentity | null> {
  const { rows } = await pool.query<{ identity_ciphertext: Buffer; key_id: string }>(
    'SELECT identity_ciphertext, key_id FROM survivors WHERE case_id = $1',
    [caseId],
  );
  const row = rows[0];
  if (!row) return null;
  return JSON.parse(open(row.identity_ciphertext, row.key_id, caseId, keyring).toString('utf8')) as SurvivorIdentity;
}

/** Removes the identity, e.g. when the case's workflow could not be started after the identity was stored. */
export async function deleteSurvivor(pool: Queryable, caseId: string): Promise<void> {
  await pool.query('DELETE FROM survivors WHERE case_id = $1', [caseId]);
}
