import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { IdentityKey, IdentityKeyring } from '../db/identity-cipher';
import type { Logger } from './logger';

/**
 * `IDENTITY_KEYS=current-id:base64key[,older-id:base64key...]`: the keys that seal survivors' identities at rest
 * (AES-256-GCM). The first seals new rows; the others only open rows sealed before a rotation.
 * Returns the problems found, each naming the variable, so start-up reports them with every other one.
 */
export function parseIdentityKeys(text: string): { keyring?: IdentityKeyring; problems: string[] } {
  const problems: string[] = [];
  const keys: IdentityKey[] = [];
  for (const [index, entry] of text.split(',').map((e) => e.trim()).filter(Boolean).entries()) {
    const separator = entry.indexOf(':');
    const id = entry.slice(0, separator).trim();
    const key = Buffer.from(entry.slice(separator + 1).trim(), 'base64');
    if (separator < 1 || key.length !== 32 || id === 'plaintext') {
      problems.push(`IDENTITY_KEYS: entry ${index + 1} must be "<key id>:<32 bytes in base64>" (e.g. "2026-11:$(openssl rand -base64 32)")`);
    } else keys.push({ id, key });
  }
  if (keys.length === 0 && problems.length === 0) problems.push('IDENTITY_KEYS: no key given');
  const [current, ...previous] = keys;
  return problems.length || !current ? { problems } : { keyring: { current, previous }, problems };
}

/**
 * The keyring of the configured keys or, in the embedded mode only, a development key kept beside the embedded
 * database (created on first start, readable by its owner only) so a developer needs no set-up.
 */
export function developmentKeyring(file: string, logger: Logger): IdentityKeyring {
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(file, `dev-${randomUUID().slice(0, 8)}:${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
  }
  const { keyring, problems } = parseIdentityKeys(readFileSync(file, 'utf8'));
  if (!keyring) throw new Error(`${file}: ${problems.join('; ')}`);
  logger.warn({ keyId: keyring.current.id }, 'using a development identity key from the data folder; set IDENTITY_KEYS outside development');
  return keyring;
}
