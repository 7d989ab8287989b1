/**
 * The start-up check of PAYLOAD_KEYS against the deployment (db/payload-key-checks.ts): the API and worker processes,
 * and `npm run admin -- reproject`, refuse to start while a key of PAYLOAD_KEYS has an id the deployment uses with
 * other bytes, rather than start, answer /ready, and fail to decode each workflow task (the worker) or answer (the
 * API) sealed under the deployment's key, while what they seal no other process opens.
 */
import type { IdentityKeyring } from '../core/identity-cipher';
import { payloadKeyIdsChecked, payloadKeysNotOpeningTheirCheck } from '../db/payload-key-checks';
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

/**
 * A process started without a payload key the deployment's processes held (each wrote its check): a rotation's key
 * whose payloads the cases' histories hold. Without it the worker fails each of their workflow tasks ("payload
 * encryption key … is not in the keyring") and the API fails to decode their answers, while /ready answers 200 and
 * every write to those cases times out. Refused in every mode, the embedded mode's development key alone and a
 * PAYLOAD_KEYS alike: an old key dropped on purpose (its histories past retention) is retired by deleting its check
 * (README, "Keys and their rotation").
 */
export class PayloadKeysMissingError extends Error {
  constructor(
    readonly keyIds: string[],
    developmentKey: boolean,
  ) {
    const one = keyIds.length === 1;
    const keys = `the payload key${one ? '' : 's'} ${keyIds.join(', ')}`;
    const why = developmentKey
      ? 'PAYLOAD_KEYS is not set, so the embedded mode used its development key from the data folder, but this data ' +
        `folder's Temporal payloads were sealed under ${keys} too (a rotation)`
      : `PAYLOAD_KEYS lacks ${keys}, which this deployment's processes held (a rotation), so Temporal payloads may be ` +
        `sealed under ${one ? 'it' : 'them'}`;
    super(
      `${why}: without ${one ? 'it' : 'them'} the cases whose histories hold such payloads cannot run. Set ` +
        'PAYLOAD_KEYS as it was before (PAYLOAD_KEYS=<current>,<older key id>:<its key>,…) and start again; a key ' +
        'dropped on purpose, once no history sealed with it is needed, is retired by deleting its check (README, ' +
        '"Keys and their rotation").',
    );
    this.name = 'PayloadKeysMissingError';
  }
}

/**
 * Throws PayloadKeyWrongError when a key of the keyring is not the deployment's key of its id, and
 * PayloadKeysMissingError when the deployment held payload keys the keyring lacks (`developmentKey`: the keyring is
 * the embedded mode's development key alone, which the message says).
 */
export async function refuseWrongPayloadKeys(
  db: Queryable,
  keyring: IdentityKeyring,
  options: { developmentKey?: boolean } = {},
): Promise<void> {
  const held = [keyring.current, ...(keyring.previous ?? [])];
  const wrong = await payloadKeysNotOpeningTheirCheck(db, held);
  if (wrong.length > 0) throw new PayloadKeyWrongError(wrong);
  const missing = (await payloadKeyIdsChecked(db)).filter((id) => !held.some((key) => key.id === id));
  if (missing.length > 0) throw new PayloadKeysMissingError(missing, options.developmentKey ?? false);
}
