/**
 * `npm run admin -- retire-payload-key <id>`: an old payload key dropped on purpose, once no workflow history the
 * namespace keeps holds a payload sealed under it. Every process refuses to start without a key the deployment held
 * (app/payload-keys-checked.ts), so a key is retired by deleting its check; done by hand, nothing stopped an operator
 * from deleting the check of a key that running cases still need, whose workflow tasks then fail to decode until the
 * key is given back. This reads every history first, and retires the key only when none holds it.
 */
import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import type { IdentityKeyring } from '../core/identity-cipher';
import { recordAudit } from '../db/audit';
import { payloadKeyIdsChecked } from '../db/payload-key-checks';
import { payloadKeyIdsIn } from '../temporal/codec';

/** How many of the histories that still hold the key the refusal names. */
const NAMED = 5;

/** Histories read at once: the frontend serves the command beside the running service. */
const CONCURRENCY = 4;

export type PayloadKeyRetirement =
  { retired: true; histories: number } | { retired: false; problem: string; histories?: number };

/**
 * Retires `keyId` (deletes its check and audits it, as the tables' owner) when it is not the keyring's current key, a
 * process of the deployment held it, and no workflow history in the namespace (running, or closed and kept for the
 * retention period) holds a payload sealed under it; otherwise says why not, naming the histories that hold it.
 */
export async function retirePayloadKey(
  client: Client,
  owner: Pool,
  keyring: IdentityKeyring,
  keyId: string,
): Promise<PayloadKeyRetirement> {
  if (keyring.current.id === keyId) {
    return {
      retired: false,
      problem: `${keyId} is the current payload key (the first of PAYLOAD_KEYS): it seals every new payload. Rotate first: put a new key first, restart every process, then retire ${keyId} once no history holds it.`,
    };
  }
  const held = await payloadKeyIdsChecked(owner);
  if (!held.includes(keyId)) {
    return {
      retired: false,
      problem: `No process of this deployment held a payload key ${keyId}, so there is nothing to retire (the keys it held: ${held.join(', ') || 'none'}).`,
    };
  }
  let histories = 0;
  const holding: string[] = [];
  for await (const { workflowId, history } of client.workflow.list().intoHistories({ concurrency: CONCURRENCY })) {
    histories += 1;
    if (history && payloadKeyIdsIn(history).has(keyId)) holding.push(workflowId);
  }
  if (holding.length > 0) {
    const one = holding.length === 1;
    const named = holding.slice(0, NAMED).join(', ');
    return {
      retired: false,
      histories,
      problem:
        `${holding.length} of the ${histories} workflow histories in the namespace ${one ? 'holds' : 'hold'} payloads sealed under ${keyId} ` +
        `(${named}${holding.length > NAMED ? ', …' : ''}): keep ${keyId} in PAYLOAD_KEYS until ${one ? 'it ends' : 'they end'} and the namespace's retention has passed, then run this again.`,
    };
  }
  await owner.query('DELETE FROM payload_key_checks WHERE payload_key_id = $1', [keyId]);
  await recordAudit(owner, {
    action: 'payload_keys.retire',
    outcome: 'allowed',
    detail: `command line; payload key ${keyId}; ${histories} workflow histories read, none holding it`,
  });
  return { retired: true, histories };
}
