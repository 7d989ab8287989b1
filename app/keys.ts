import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { IdentityKey, IdentityKeyring } from '../core/identity-cipher';
import type { Logger } from '../core/logger';

/**
 * A keyring from `current-id:base64key[,older-id:base64key...]` (AES-256-GCM keys): the first seals new data; the
 * others only open data sealed before a rotation. Two are configured: IDENTITY_KEYS (survivors' identities at
 * rest) and PAYLOAD_KEYS (every Temporal payload). Returns the problems found, each naming the variable, so
 * start-up reports them with every other one.
 */
export type KeyVariable = 'IDENTITY_KEYS' | 'PAYLOAD_KEYS';

export function parseKeyring(variable: KeyVariable, text: string): { keyring?: IdentityKeyring; problems: string[] } {
  const problems: string[] = [];
  const keys: IdentityKey[] = [];
  for (const [index, entry] of text
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)
    .entries()) {
    const separator = entry.indexOf(':');
    const id = entry.slice(0, separator).trim();
    const key = Buffer.from(entry.slice(separator + 1).trim(), 'base64');
    if (separator < 1 || key.length !== 32 || id === 'plaintext') {
      problems.push(
        `${variable}: entry ${index + 1} must be "<key id>:<32 bytes in base64>" (e.g. "2026-11:$(openssl rand -base64 32)")`,
      );
    } else keys.push({ id, key });
  }
  if (keys.length === 0 && problems.length === 0) problems.push(`${variable}: no key given`);
  const [current, ...previous] = keys;
  return problems.length || !current ? { problems } : { keyring: { current, previous }, problems };
}

/**
 * The keyring of the configured keys or, in the embedded mode only, a development key kept beside the embedded
 * database (created on first start, readable by its owner only) so a developer needs no set-up.
 */
/** A secret kept in a file of the data folder (mode 0600), created at first use: for development only. */
export function developmentSecret(file: string, create: () => string): string {
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(file, `${create()}\n`, { mode: 0o600 });
  }
  return readFileSync(file, 'utf8').trim();
}

export function developmentKeyring(variable: KeyVariable, file: string, logger: Logger): IdentityKeyring {
  const value = developmentSecret(file, () => `dev-${randomUUID().slice(0, 8)}:${randomBytes(32).toString('base64')}`);
  const { keyring, problems } = parseKeyring(variable, value);
  if (!keyring) throw new Error(`${file}: ${problems.join('; ')}`);
  logger.warn(
    { keyId: keyring.current.id, file },
    `using a development key from the data folder; set ${variable} outside development`,
  );
  return keyring;
}
