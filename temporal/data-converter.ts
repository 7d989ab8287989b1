import type { DataConverter } from '@temporalio/common';
import type { IdentityKeyring } from '../core/identity-cipher';
import { EncryptionCodec } from './codec';

/**
 * The one data converter for every client, worker and replayer of case workflows: default JSON payloads,
 * encrypted on the wire. All parties must use the same keyring (or one whose previous keys cover the history).
 */
export function dataConverterFor(keyring: IdentityKeyring): DataConverter {
  return { payloadCodecs: [new EncryptionCodec(keyring)] };
}
