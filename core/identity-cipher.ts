/**
 * Seals a survivor's identity for storage: AES-256-GCM with a random 96-bit nonce, the key named by its id so keys
 * can rotate (old rows stay readable while their key is kept in the keyring). The case id is bound as associated
 * data, so a sealed identity copied onto another case does not open.
 * Stored layout: nonce (12 bytes) || ciphertext || tag (16 bytes).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export interface IdentityKey {
  id: string;
  /** 32 bytes. */
  key: Buffer;
}

export interface IdentityKeyring {
  /** Seals new rows. */
  current: IdentityKey;
  /** Keys that may still open older rows, by id (the current one need not be repeated). */
  previous?: IdentityKey[];
}

/** Rows written without a keyring (local development only): the JSON is stored as is. */
const PLAINTEXT_KEY_ID = 'plaintext';

const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/**
 * A row sealed under a key the keyring does not hold (dropped from IDENTITY_KEYS too early; the start-up check,
 * app/identity-keys-in-use.ts, refuses to start so, but a row may be written under it by another process meanwhile).
 * The API answers it 503 `identity_key_missing` (core/errors.ts), never a 500.
 */
export class IdentityKeyMissingError extends Error {
  constructor(readonly keyId: string) {
    super(`identity key ${keyId} is not in the keyring`);
    this.name = 'IdentityKeyMissingError';
  }
}

export function assertValidKey(key: IdentityKey): void {
  if (key.key.length !== 32) throw new Error(`identity key ${key.id} must be 32 bytes, not ${key.key.length}`);
  if (!key.id || key.id === PLAINTEXT_KEY_ID) throw new Error('identity key id must be set and not "plaintext"');
}

export function seal(
  plaintext: Buffer,
  context: string,
  keyring: IdentityKeyring | undefined,
): { ciphertext: Buffer; keyId: string } {
  if (!keyring) return { ciphertext: plaintext, keyId: PLAINTEXT_KEY_ID };
  const { current } = keyring;
  assertValidKey(current);
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', current.key, nonce);
  cipher.setAAD(Buffer.from(context));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { ciphertext: Buffer.concat([nonce, body, cipher.getAuthTag()]), keyId: current.id };
}

export function open(ciphertext: Buffer, keyId: string, context: string, keyring: IdentityKeyring | undefined): Buffer {
  if (keyId === PLAINTEXT_KEY_ID) return ciphertext;
  const key = [keyring?.current, ...(keyring?.previous ?? [])].find((candidate) => candidate?.id === keyId);
  if (!key) throw new IdentityKeyMissingError(keyId);
  const nonce = ciphertext.subarray(0, NONCE_BYTES);
  const tag = ciphertext.subarray(ciphertext.length - TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key.key, nonce);
  decipher.setAAD(Buffer.from(context));
  decipher.setAuthTag(tag);
  return Buffer.concat([
    decipher.update(ciphertext.subarray(NONCE_BYTES, ciphertext.length - TAG_BYTES)),
    decipher.final(),
  ]);
}
