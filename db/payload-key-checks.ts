/**
 * The check of each payload key (PAYLOAD_KEYS) against the deployment's (table payload_key_checks): a known constant
 * sealed under the key by the first process that held its id, which every later process must open with the key it
 * holds under that id. Temporal keeps no trace a process could check its keys against before it polls (a wrong key
 * shows only as each workflow task failing to decode), so the deployment keeps one here.
 */
import { open, seal, type IdentityKey } from '../core/identity-cipher';
import type { Queryable } from './pool';

/**
 * Bound as associated data, apart from the codec's own ('temporal-payload', temporal/codec.ts): the check never opens
 * as a payload, nor a payload as the check.
 */
const CHECK_CONTEXT = 'payload-key-check';
const CHECK_TEXT = 'relief-cases: this deployment seals its Temporal payloads under this key';

/**
 * The keys whose bytes do not open the check kept under their id: held under a key id the deployment uses, but not
 * the key it uses. A key id not seen before gets its check, sealed under the key given (written once: the first
 * process to write it wins, and every other, this one too, then reads the row kept).
 */
export async function payloadKeysNotOpeningTheirCheck(db: Queryable, keys: readonly IdentityKey[]): Promise<string[]> {
  const wrong: string[] = [];
  for (const key of keys) {
    const { ciphertext } = seal(Buffer.from(CHECK_TEXT), CHECK_CONTEXT, { current: key });
    await db.query(
      `INSERT INTO payload_key_checks (payload_key_id, sealed_check) VALUES ($1, $2)
       ON CONFLICT (payload_key_id) DO NOTHING`,
      [key.id, ciphertext],
    );
    const { rows } = await db.query<{ sealed_check: Buffer }>(
      'SELECT sealed_check FROM payload_key_checks WHERE payload_key_id = $1',
      [key.id],
    );
    let opened: string | undefined;
    try {
      opened = open(rows[0]!.sealed_check, key.id, CHECK_CONTEXT, { current: key }).toString('utf8');
    } catch {
      opened = undefined;
    }
    if (opened !== CHECK_TEXT) wrong.push(key.id);
  }
  return wrong;
}

/** The ids of every payload key a process of the deployment has held (each wrote its check), in order. */
export async function payloadKeyIdsChecked(db: Queryable): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>('SELECT payload_key_id AS id FROM payload_key_checks ORDER BY 1');
  return rows.map((row) => row.id);
}
