/**
 * The start-up check of the identity keyring against the data (db/sealed-places.ts): the API and worker processes,
 * and the admin commands that open sealed data, refuse to start while rows are sealed under a key IDENTITY_KEYS does
 * not hold, rather than start and fail each read of them (an identity, a document, a note withheld from everyone).
 * One statement per sealed place (db/sealed-places.ts says what that costs).
 */
import type { IdentityKeyring } from '../core/identity-cipher';
import type { Queryable } from '../db/pool';
import { identityKeysMissing, type KeyInUse } from '../db/sealed-places';
import { keysNotOpeningTheirSurvivors } from '../db/survivors';

export class IdentityKeysMissingError extends Error {
  constructor(
    readonly missing: KeyInUse[],
    developmentKey: boolean,
  ) {
    const ids = missing.map((use) => use.keyId);
    super(
      `IDENTITY_KEYS lacks ${ids.length === 1 ? 'the identity key' : 'identity keys'} ${ids.join(', ')} that data is ` +
        `still sealed under: ${missing.map((use) => `${use.keyId} in ${use.places.join('; ')}`).join('; and ')}. ` +
        (developmentKey
          ? 'IDENTITY_KEYS is not set, so the embedded mode used its development key from the data folder: set ' +
            'IDENTITY_KEYS as it was before. '
          : '') +
        'Put each key back in IDENTITY_KEYS after the current one (IDENTITY_KEYS=<current>,<key id>:<its key>) and ' +
        'start again; a key is dropped only once `npm run admin -- reseal` has re-sealed everything under the ' +
        'current one (README, "Keys and their rotation").',
    );
    this.name = 'IdentityKeysMissingError';
  }
}

/** A key of IDENTITY_KEYS whose id is in use but whose bytes are not those that sealed the data under it. */
export class IdentityKeyWrongError extends Error {
  constructor(readonly keyIds: string[]) {
    super(
      `IDENTITY_KEYS: the key${keyIds.length === 1 ? '' : 's'} ${keyIds.join(', ')} do${keyIds.length === 1 ? 'es' : ''} ` +
        'not open the survivors sealed under that id: the id is right but the key is not the one that sealed them. ' +
        'Give each key id with the key it was created with (the same IDENTITY_KEYS as the other processes).',
    );
    this.name = 'IdentityKeyWrongError';
  }
}

/**
 * Throws IdentityKeysMissingError when some data is sealed under a key the keyring lacks, and IdentityKeyWrongError
 * when a key id it holds comes with other bytes than those that sealed the data.
 */
export async function refuseMissingIdentityKeys(
  db: Queryable,
  keyring: IdentityKeyring | undefined,
  options: { developmentKey?: boolean } = {},
): Promise<void> {
  const held = keyring ? [keyring.current, ...(keyring.previous ?? [])].map((key) => key.id) : [];
  const missing = await identityKeysMissing(db, held);
  if (missing.length > 0) throw new IdentityKeysMissingError(missing, options.developmentKey === true);
  const wrong = await keysNotOpeningTheirSurvivors(db, keyring);
  if (wrong.length > 0) throw new IdentityKeyWrongError(wrong);
}
