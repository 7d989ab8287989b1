/**
 * Encrypts every Temporal payload before it leaves the process, so the Temporal server (and anyone reading its
 * database or UI) holds only ciphertext: workflow inputs, signals, results and activity arguments alike.
 *
 * The whole payload (its metadata and data) is serialised and sealed, so even the original encoding is hidden.
 * The key id travels in clear metadata, so histories written under an older key stay readable after rotation
 * as long as that key is kept in the keyring's `previous` list.
 *
 * It also refuses every payload it did not seal (plain, or sealed with a key not in the keyring): the actor inside
 * a command is then one the service put there, so only the service commands a case. Anyone who can reach the
 * Temporal frontend can still send an update, start or signal, but the worker cannot decode it: the workflow task
 * fails and the workflow code never sees the command (see README, "Security").
 */
import { METADATA_ENCODING_KEY, ValueError, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { assertValidKey, open, seal, type IdentityKeyring } from '../core/identity-cipher';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const METADATA_KEY_ID = 'encryption-key-id';

/**
 * Bound as associated data: a ciphertext sealed for another purpose with the same key (e.g. an identity row)
 * does not open as a payload, and vice versa.
 */
const PAYLOAD_CONTEXT = 'temporal-payload';

const ProtoPayload = temporal.api.common.v1.Payload;

export class EncryptionCodec implements PayloadCodec {
  private readonly knownKeyIds: ReadonlySet<string>;

  constructor(private readonly keyring: IdentityKeyring) {
    // A wrong key length or id is a deployment mistake: fail at start-up, not on the first workflow task.
    for (const key of [keyring.current, ...(keyring.previous ?? [])]) assertValidKey(key);
    this.knownKeyIds = new Set([keyring.current.id, ...(keyring.previous ?? []).map((key) => key.id)]);
  }

  // The work is synchronous; the executor turns a throw into a rejected promise, as callers of an async API expect.
  encode(payloads: Payload[]): Promise<Payload[]> {
    return new Promise((resolve) => resolve(payloads.map((payload) => this.sealPayload(payload))));
  }

  decode(payloads: Payload[]): Promise<Payload[]> {
    return new Promise((resolve) => resolve(payloads.map((payload) => this.openPayload(payload))));
  }

  private sealPayload(payload: Payload): Payload {
    const plaintext = Buffer.from(ProtoPayload.encode(payload).finish());
    const { ciphertext, keyId } = seal(plaintext, PAYLOAD_CONTEXT, this.keyring);
    return {
      metadata: { [METADATA_ENCODING_KEY]: Buffer.from(ENCRYPTED_ENCODING), [METADATA_KEY_ID]: Buffer.from(keyId) },
      data: ciphertext,
    };
  }

  private openPayload(payload: Payload): Payload {
    const metadata = payload.metadata ?? {};
    const encoding = metadata[METADATA_ENCODING_KEY];
    // A plain payload comes from a client without the keys (e.g. `temporal workflow update execute`): never obeyed.
    if (!encoding || Buffer.from(encoding).toString() !== ENCRYPTED_ENCODING) {
      const named = encoding ? `"${Buffer.from(encoding).toString()}"` : 'no encoding';
      throw new ValueError(
        `payload is not sealed by this service (${named}): refused; only the service's clients may command a case`,
      );
    }

    const keyIdBytes = metadata[METADATA_KEY_ID];
    if (!keyIdBytes) throw new ValueError(`encrypted payload has no ${METADATA_KEY_ID} metadata`);
    const keyId = Buffer.from(keyIdBytes).toString();
    // Checked here so the error speaks of payloads and names the missing key, before any cipher work.
    if (!this.knownKeyIds.has(keyId)) {
      throw new ValueError(
        `payload encryption key "${keyId}" is not in the keyring; add it to the previous keys to read this history`,
      );
    }
    if (!payload.data) throw new ValueError(`encrypted payload (key "${keyId}") has no data`);

    let plaintext: Buffer;
    try {
      plaintext = open(Buffer.from(payload.data), keyId, PAYLOAD_CONTEXT, this.keyring);
    } catch (cause) {
      throw new ValueError(`payload sealed with key "${keyId}" failed authentication (tampered or wrong key)`, cause);
    }
    return ProtoPayload.decode(plaintext);
  }
}

/**
 * The id of every key that sealed a payload anywhere in a history as the server keeps it (events' inputs, results,
 * markers, failures' encoded attributes, memos and headers): read from each payload's clear metadata, nothing opened.
 */
export function payloadKeyIdsIn(history: temporal.api.history.v1.IHistory): Set<string> {
  const ids = new Set<string>();
  const visit = (node: unknown): void => {
    if (node === null || typeof node !== 'object' || node instanceof Uint8Array) return;
    const keyId = (node as Payload).metadata?.[METADATA_KEY_ID];
    if (keyId instanceof Uint8Array) ids.add(Buffer.from(keyId).toString());
    for (const child of Object.values(node)) visit(child);
  };
  visit(history);
  return ids;
}
