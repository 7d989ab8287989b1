/**
 * `npm run admin -- retire-payload-key <id>` (app/payload-key-retirement.ts): an old payload key is retired, its check
 * deleted so processes start without it, only once no workflow history in the namespace holds a payload sealed under
 * it. Retiring it by hand (deleting the check) let processes start without a key that running cases still needed.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { IdentityKey, IdentityKeyring } from '../../core/identity-cipher';
import { PayloadKeysMissingError, refuseWrongPayloadKeys } from '../../app/payload-keys-checked';
import { retirePayloadKey, type PayloadKeyRetirement } from '../../app/payload-key-retirement';
import { dataConverterFor } from '../../temporal/data-converter';
import { addNote, finish, noteBoard } from '../temporal/proof-workflows';
import * as activities from '../temporal/proof-activities';
import { startTestDatabase, type TestDatabase } from '../support/postgres';
import { keyringVariable } from '../support/service-process';
import { createLocalEnv, workflowBundle } from '../support/temporal';

const ROOT = join(__dirname, '..', '..');
const key = (id: string): IdentityKey => ({ id, key: randomBytes(32) });
/** Sealed the history of the one case below. */
const OLD = key('p2025a');
/** Held by the deployment's processes, but no payload was ever sealed under it. */
const UNUSED = key('p2026a');
const CURRENT = key('p2027a');
const DEPLOYMENT: IdentityKeyring = { current: CURRENT, previous: [UNUSED, OLD] };

let db: TestDatabase;
let env: TestWorkflowEnvironment;
let client: Client;

beforeAll(async () => {
  [db, env] = await Promise.all([startTestDatabase(), createLocalEnv()]);
  // Every key the deployment's processes held has its check.
  await refuseWrongPayloadKeys(db.pool, DEPLOYMENT);
  // A workflow run while OLD was the current key: its history holds payloads sealed under OLD.
  const sealedUnderOld = dataConverterFor({ current: OLD });
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: 'retire-key',
    workflowBundle: await workflowBundle(require.resolve('../temporal/proof-workflows')),
    activities,
    dataConverter: sealedUnderOld,
  });
  await worker.runUntil(async () => {
    const handle = await new Client({ connection: env.connection, dataConverter: sealedUnderOld }).workflow.start(
      noteBoard,
      { taskQueue: 'retire-key', workflowId: 'case-sealed-under-old' },
    );
    await handle.signal(addNote, 'a note');
    await handle.signal(finish);
    await handle.result();
  });
  client = new Client({ connection: env.connection, dataConverter: dataConverterFor(DEPLOYMENT) });
}, 120_000);

afterAll(async () => {
  await db?.stop();
  await env?.teardown();
});

const checks = async () =>
  (await db.owner.query<{ id: string }>('SELECT payload_key_id AS id FROM payload_key_checks ORDER BY 1')).rows.map(
    (row) => row.id,
  );

/** What a refusal says ('' for a key retired). */
const problemOf = (outcome: PayloadKeyRetirement) => (outcome.retired ? '' : outcome.problem);

test('the current key and a key the deployment never held are refused, each saying why', async () => {
  expect(problemOf(await retirePayloadKey(client, db.owner, DEPLOYMENT, CURRENT.id))).toMatch(
    /^p2027a is the current payload key \(the first of PAYLOAD_KEYS\)/,
  );
  expect(problemOf(await retirePayloadKey(client, db.owner, DEPLOYMENT, 'p1999z'))).toMatch(
    /^No process of this deployment held a payload key p1999z, .* p2025a, p2026a, p2027a/,
  );
  expect(await checks()).toEqual(['p2025a', 'p2026a', 'p2027a']);
});

test('a key a history still holds is kept, naming the history; one that none holds is retired and audited', async () => {
  const kept = await retirePayloadKey(client, db.owner, DEPLOYMENT, OLD.id);
  expect(kept).toMatchObject({ retired: false, histories: 1 });
  expect(problemOf(kept)).toMatch(
    /^1 of the 1 workflow histories in the namespace holds payloads sealed under p2025a \(case-sealed-under-old\): keep p2025a/,
  );
  // A process without UNUSED is refused while its check is kept...
  await expect(refuseWrongPayloadKeys(db.pool, { current: CURRENT, previous: [OLD] })).rejects.toThrow(
    PayloadKeysMissingError,
  );
  await expect(retirePayloadKey(client, db.owner, DEPLOYMENT, UNUSED.id)).resolves.toEqual({
    retired: true,
    histories: 1,
  });
  expect(await checks()).toEqual(['p2025a', 'p2027a']);
  // ...and starts once it is retired.
  await expect(refuseWrongPayloadKeys(db.pool, { current: CURRENT, previous: [OLD] })).resolves.toBeUndefined();
  const { rows } = await db.owner.query<{ detail: string; user_id: string | null }>(
    "SELECT detail, user_id FROM audit_events WHERE action = 'payload_keys.retire'",
  );
  expect(rows).toEqual([
    { detail: 'command line; payload key p2026a; 1 workflow histories read, none holding it', user_id: null },
  ]);
});

test('npm run admin -- retire-payload-key refuses with exit 1 while a history holds the key, naming it', async () => {
  const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((done) => {
    const child = execFile(
      process.execPath,
      [require.resolve('tsx/cli'), 'admin.ts', 'retire-payload-key', OLD.id],
      {
        cwd: ROOT,
        timeout: 60_000,
        env: {
          PATH: process.env.PATH ?? '',
          DATABASE_URL: db.connectionString,
          MIGRATION_DATABASE_URL: db.ownerConnectionString,
          TEMPORAL_ADDRESS: env.address,
          PAYLOAD_KEYS: keyringVariable({ current: CURRENT, previous: [OLD] }),
          IDENTITY_KEYS: keyringVariable({ current: key('i2027a') }),
        },
      },
      (_error, _stdout, stderr) => done({ code: child.exitCode, stderr }),
    );
  });
  expect(stderr).toMatch(/^1 of the 1 workflow histories .* sealed under p2025a \(case-sealed-under-old\)/m);
  expect(code).toBe(1);
  expect(await checks()).toEqual(['p2025a', 'p2027a']);
}, 60_000);
