/**
 * The start-up check of PAYLOAD_KEYS against the deployment (db/payload-key-checks.ts): the API and worker processes,
 * and `npm run admin -- reproject`, refuse to start while a key of PAYLOAD_KEYS has an id the deployment uses with
 * other bytes, rather than start, answer /ready, and fail to decode each workflow task (the worker) or answer (the
 * API) sealed under the deployment's key, while what they seal no other process opens.
 */
import type { IdentityKeyring } from '../core/identity-cipher';
import { payloadKeysNotOpeningTheirCheck } from '../db/payload-key-checks';
import type { Queryable } from '../db/pool';

/** A key of PAYLOAD_KEYS whose id the deployment uses but whose bytes are not the deployment's key of that id. */
export class PayloadKeyWrongError extends Error {
  constructor(readonly keyIds: string[]) {
    const one = keyIds.length === 1;
    super(
      `PAYLOAD_KEYS: the key${one ? '' : 's'} ${keyIds.join(', ')} ${one ? 'is' : 'are'} not the one${one ? '' : 's'} ` +
        'this deployment uses under that id: the id is right but the bytes are not those the other processes seal ' +
        'Temporal payloads with. Give each key id with the key it was created with (the same PAYLOAD_KEYS as the ' +
        'other processes); a new key takes a new id (README, "Keys and their rotation").',
    );
    this.name = 'PayloadKeyWrongError';
  }
}

/** Throws PayloadKeyWrongError when a key of the keyring is not the deployment's key of its id. */
export async function refuseWrongPayloadKeys(db: Queryable, keyring: IdentityKeyring): Promise<void> {
  const wrong = await payloadKeysNotOpeningTheirCheck(db, [keyring.current, ...(keyring.previous ?? [])]);
  if (wrong.length > 0) throw new PayloadKeyWrongError(wrong);
}
