import { randomBytes } from 'node:crypto';
import { Client, WorkflowFailedError } from '@temporalio/client';
import {
  ActivityFailure,
  ApplicationFailure,
  defaultPayloadConverter,
  METADATA_ENCODING_KEY,
  type Payload,
} from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { IdentityKey } from '../../../core/identity-cipher';
import { ENCRYPTED_ENCODING, EncryptionCodec, METADATA_KEY_ID } from '../../../temporal/codec';
import { dataConverterFor } from '../../../temporal/data-converter';
import { addNote, failsQuoting, finish, noteBoard, notes } from '../proof-workflows';
import * as activities from '../proof-activities';
import { createLocalEnv, workflowBundle } from '../../support/temporal';

describe('codec', () => {
  const EventType = temporal.api.enums.v1.EventType;
  const newKey = (id: string): IdentityKey => ({ id, key: randomBytes(32) });
  const toPayload = (value: unknown): Payload => defaultPayloadConverter.toPayload(value);
  const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? []).toString();

  describe('EncryptionCodec', () => {
    const k1 = newKey('k1');
    const codec = new EncryptionCodec({ current: k1 });

    test('round trip restores every payload exactly, and the sealed form names the key and hides the content', async () => {
      const originals = [
        toPayload({ note: 'Maria was moved to a shelter' }),
        toPayload('plain string'),
        toPayload(null),
        toPayload(42),
      ];
      const sealed = await codec.encode(originals);
      expect(sealed).toHaveLength(originals.length);
      for (const payload of sealed) {
        expect(text(payload.metadata?.[METADATA_ENCODING_KEY])).toBe(ENCRYPTED_ENCODING);
        expect(text(payload.metadata?.[METADATA_KEY_ID])).toBe('k1');
        expect(Object.keys(payload.metadata ?? {}).sort()).toEqual([METADATA_ENCODING_KEY, METADATA_KEY_ID].sort());
      }
      expect(Buffer.from(sealed[0]!.data!).includes('Maria')).toBe(false);
      // The original encoding travels inside the ciphertext too.
      expect(Buffer.from(sealed[0]!.data!).includes('json/plain')).toBe(false);

      const opened = await codec.decode(sealed);
      expect(opened.map((payload) => defaultPayloadConverter.fromPayload(payload))).toEqual([
        { note: 'Maria was moved to a shelter' },
        'plain string',
        null,
        42,
      ]);
      expect(text(opened[0]!.metadata?.[METADATA_ENCODING_KEY])).toBe('json/plain');
    });

    test('the same payload sealed twice gives different ciphertexts (fresh nonce each time)', async () => {
      const [a, b] = await codec.encode([toPayload('same'), toPayload('same')]);
      expect(Buffer.from(a!.data!).equals(Buffer.from(b!.data!))).toBe(false);
    });

    test('payloads it did not seal are refused: plain JSON, no encoding at all, or a sealed-looking payload of another key', async () => {
      await expect(codec.decode([toPayload({ actor: { agencyId: 'demo-ice-ccht' } })])).rejects.toThrow(
        'payload is not sealed by this service ("json/plain")',
      );
      await expect(codec.decode([{ data: Buffer.from('{}') }])).rejects.toThrow(
        'payload is not sealed by this service (no encoding)',
      );
      const foreign = await new EncryptionCodec({ current: newKey('attacker') }).encode([toPayload('x')]);
      await expect(codec.decode(foreign)).rejects.toThrow('"attacker" is not in the keyring');
    });

    test('after rotation, payloads sealed with the old key still open and new ones use the new key', async () => {
      const sealedWithOld = await codec.encode([toPayload('before rotation')]);
      const rotated = new EncryptionCodec({ current: newKey('k2'), previous: [k1] });
      expect(defaultPayloadConverter.fromPayload((await rotated.decode(sealedWithOld))[0]!)).toBe('before rotation');
      const [sealedWithNew] = await rotated.encode([toPayload('after rotation')]);
      expect(text(sealedWithNew!.metadata?.[METADATA_KEY_ID])).toBe('k2');
      // The old keyring cannot read what the new key sealed.
      await expect(codec.decode([sealedWithNew!])).rejects.toThrow('payload encryption key "k2" is not in the keyring');
    });

    test('a payload sealed with a key id missing from the keyring fails, naming the key id', async () => {
      const sealed = await new EncryptionCodec({ current: newKey('retired-2023') }).encode([toPayload('x')]);
      await expect(codec.decode(sealed)).rejects.toThrow(/"retired-2023" is not in the keyring/);
    });

    test('a tampered ciphertext fails authentication', async () => {
      const [sealed] = await codec.encode([toPayload('untouched')]);
      const data = Buffer.from(sealed!.data!);
      data[20] = data[20]! ^ 0x01;
      await expect(codec.decode([{ ...sealed!, data }])).rejects.toThrow(
        'payload sealed with key "k1" failed authentication',
      );
    });

    test('a key with the same id but different bytes does not open the payload', async () => {
      const sealed = await codec.encode([toPayload('x')]);
      await expect(new EncryptionCodec({ current: newKey('k1') }).decode(sealed)).rejects.toThrow(
        /failed authentication/,
      );
    });

    test('a key of the wrong length is refused when the codec is built', () => {
      expect(() => new EncryptionCodec({ current: { id: 'short', key: randomBytes(16) } })).toThrow(
        'identity key short must be 32 bytes, not 16',
      );
      expect(() => new EncryptionCodec({ current: k1, previous: [{ id: 'old', key: randomBytes(31) }] })).toThrow(
        /old must be 32 bytes/,
      );
    });
  });

  interface JsonPayload {
    metadata?: Record<string, string>;
    data?: string;
  }

  /** Every Payload anywhere in a history in its JSON form (bytes as base64): any object with a `metadata` map. */
  function payloadsIn(node: unknown, found: JsonPayload[] = []): JsonPayload[] {
    if (node === null || typeof node !== 'object') return found;
    const candidate = node as JsonPayload;
    if (candidate.metadata && typeof candidate.metadata === 'object' && 'encoding' in candidate.metadata)
      found.push(candidate);
    for (const child of Object.values(node)) payloadsIn(child, found);
    return found;
  }

  const fromBase64 = (value: string | undefined) => Buffer.from(value ?? '', 'base64');

  describe('encrypted payloads on the official dev server', () => {
    const secret = 'A-123-456-789 Maria Example';
    const keyring = { current: newKey('dev-1') };
    const dataConverter = dataConverterFor(keyring);
    const taskQueue = 'codec-proof';
    let env: TestWorkflowEnvironment;
    let worker: Worker;
    let running: Promise<void>;
    let client: Client;
    let history: temporal.api.history.v1.IHistory;

    beforeAll(async () => {
      env = await createLocalEnv();
      client = new Client({ connection: env.connection, dataConverter });
      worker = await Worker.create({
        connection: env.nativeConnection,
        taskQueue,
        workflowBundle: await workflowBundle(require.resolve('../proof-workflows')),
        activities,
        dataConverter,
      });
      running = worker.run();

      const handle = await client.workflow.start(noteBoard, { taskQueue, workflowId: 'codec-note-board' });
      await handle.signal(addNote, secret);
      expect(await handle.query(notes)).toEqual([secret]);
      await handle.signal(finish);
      expect(await handle.result()).toEqual([secret]);
      // A client without the codec sees what the server stores.
      history = await env.client.workflow.getHandle('codec-note-board').fetchHistory();
    });

    afterAll(async () => {
      worker?.shutdown();
      await running;
      await env?.teardown();
    });

    test('the stored history holds no plaintext of the secret, anywhere', () => {
      const wire = Buffer.from(temporal.api.history.v1.History.encode(history).finish());
      expect(wire.includes(secret)).toBe(false);
      expect(wire.includes('Maria')).toBe(false);

      // The JSON form is what the server's HTTP API and UI show: bytes as base64, decoded here before scanning.
      const json: unknown = temporal.api.history.v1.History.fromObject(history).toJSON();
      expect(JSON.stringify(json).includes(secret)).toBe(false);
      const payloads = payloadsIn(json);
      // At least the signal input and the workflow result (query answers are never stored).
      expect(payloads.length).toBeGreaterThanOrEqual(2);
      for (const payload of payloads) {
        expect(fromBase64(payload.metadata?.encoding).toString()).toBe(ENCRYPTED_ENCODING);
        expect(fromBase64(payload.metadata?.[METADATA_KEY_ID]).toString()).toBe('dev-1');
        expect(fromBase64(payload.data).length).toBeGreaterThan(28);
        expect(fromBase64(payload.data).includes(secret)).toBe(false);
        expect(fromBase64(payload.data).includes('Maria')).toBe(false);
      }
    });

    test('a client without the codec cannot read the result', async () => {
      await expect(env.client.workflow.getHandle('codec-note-board').result()).rejects.toThrow(/encoding/i);
    });

    test('with the codec, the signal in the history reads back as the secret', async () => {
      const signal = history.events!.find(
        (event) =>
          event.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED &&
          event.workflowExecutionSignaledEventAttributes?.signalName === 'addNote',
      );
      const sealed = signal!.workflowExecutionSignaledEventAttributes!.input!.payloads!;
      const opened = await new EncryptionCodec(keyring).decode(sealed);
      expect(opened.map((payload) => defaultPayloadConverter.fromPayload(payload))).toEqual([secret]);
    });

    test("a failure's message and stack trace are sealed too: the workflow's and its activity's, read back with the codec", async () => {
      const failed = await client.workflow
        .execute(failsQuoting, { taskQueue, workflowId: 'codec-failure', args: [secret] })
        .catch((error: unknown) => error);
      // With the data converter, the failures read as they were thrown.
      expect(failed).toBeInstanceOf(WorkflowFailedError);
      const refusal = (failed as WorkflowFailedError).cause;
      expect(refusal).toBeInstanceOf(ApplicationFailure);
      expect(refusal?.message).toBe(`refused: ${secret}`);
      const activity = refusal?.cause;
      expect(activity).toBeInstanceOf(ActivityFailure);
      expect((activity as ActivityFailure).cause?.message).toBe(`could not deliver to ${secret}`);

      // The server holds neither message nor stack trace in plain text: the failures say only "Encoded failure".
      const stored = await env.client.workflow.getHandle('codec-failure').fetchHistory();
      const wire = Buffer.from(temporal.api.history.v1.History.encode(stored).finish());
      expect(wire.includes('Maria')).toBe(false);
      expect(wire.includes('refused')).toBe(false);
      expect(wire.includes('could not deliver')).toBe(false);
      const failedEvent = stored.events!.find(
        (event) => event.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED,
      );
      const failure = failedEvent!.workflowExecutionFailedEventAttributes!.failure!;
      expect(failure.message).toBe('Encoded failure');
      expect(failure.stackTrace).toBe('');
      expect(text(failure.encodedAttributes?.metadata?.[METADATA_ENCODING_KEY])).toBe(ENCRYPTED_ENCODING);
    });

    test('the encrypted history replays with the same data converter', async () => {
      await expect(
        Worker.runReplayHistory(
          { workflowBundle: await workflowBundle(require.resolve('../proof-workflows')), dataConverter },
          history,
          'codec-note-board',
        ),
      ).resolves.toBeUndefined();
    });
  });
});
