import type { DataConverter } from '@temporalio/common';
import type { IdentityKeyring } from '../core/identity-cipher';
import { EncryptionCodec } from './codec';

/** The failure converter's module, by path as the SDK takes it (temporal/failure-converter.ts). */
export const FAILURE_CONVERTER_PATH = require.resolve('./failure-converter');

/**
 * The one data converter for every client, worker and replayer of case workflows: default JSON payloads, and
 * failures' messages and stack traces inside a payload, all encrypted on the wire. All parties must use the same
 * keyring (or one whose previous keys cover the history). The workflow bundle converts the workflows' own failures
 * with the same module (temporal/worker.ts `caseBundleSettings`).
 */
export function dataConverterFor(keyring: IdentityKeyring): DataConverter {
  return { payloadCodecs: [new EncryptionCodec(keyring)], failureConverterPath: FAILURE_CONVERTER_PATH };
}
