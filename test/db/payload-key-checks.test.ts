/**
 * A process given PAYLOAD_KEYS with the deployment's key id but other bytes (a copy-paste slip) refuses to start,
 * naming PAYLOAD_KEYS and the key id, where it started, answered /ready 200, and its worker then failed to decode
 * each workflow task while the cases stopped. The deployment keeps a check of each key's bytes (db/payload-key-checks.ts),
 * written by the first process that held its id. So is a process lacking a key the deployment's processes held (a
 * rotation's), in every mode, where outside the embedded mode it started, answered /ready 200, and failed to decode the
 * cases sealed under that key.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { IdentityKey, IdentityKeyring } from '../../core/identity-cipher';
import { PayloadKeysMissingError, PayloadKeyWrongError, refuseWrongPayloadKeys } from '../../app/payload-keys-checked';
import { startTestDatabase, type TestDatabase } from '../support/postgres';
import { commandOf } from '../support/processes';
import {
  freeEmbeddedPorts,
  keyringVariable,
  startEmbeddedServiceProcess,
  startServiceProcess,
} from '../support/service-process';

const ROOT = join(__dirname, '..', '..');
const RIGHT: IdentityKey = { id: 'p2027a', key: randomBytes(32) };
/** The deployment's key id, with other bytes. */
const SLIPPED: IdentityKey = { id: RIGHT.id, key: randomBytes(32) };
const NEXT: IdentityKey = { id: 'p2028b', key: randomBytes(32) };
/** An embedded mode's development key, held in this deployment too (below). */
const DEVELOPMENT: IdentityKey = { id: 'dev-0a1b2c3d', key: randomBytes(32) };
/** Every payload key this deployment's processes hold, once the tests below have held them. */
const ALL: IdentityKeyring = { current: NEXT, previous: [RIGHT, DEVELOPMENT] };
const REFUSED = /PAYLOAD_KEYS: the key p2027a is not the one this deployment uses under that id/;

let db: TestDatabase;
beforeAll(async () => {
  db = await startTestDatabase();
  // The deployment's first process, with the right key: it writes the check of p2027a.
  await refuseWrongPayloadKeys(db.pool, { current: RIGHT });
}, 60_000);
afterAll(async () => {
  await db?.stop();
});

test('the right key passes again; the same key id with other bytes is refused by name, and leaves the check as it was', async () => {
  await expect(refuseWrongPayloadKeys(db.pool, { current: RIGHT })).resolves.toBeUndefined();
  const refused = refuseWrongPayloadKeys(db.pool, { current: SLIPPED });
  await expect(refused).rejects.toThrow(PayloadKeyWrongError);
  await expect(refused).rejects.toThrow(REFUSED);
  await expect(refuseWrongPayloadKeys(db.pool, { current: RIGHT })).resolves.toBeUndefined();
});

test('after a rotation the new key gets its check; an older key kept with other bytes is refused too', async () => {
  await expect(refuseWrongPayloadKeys(db.pool, { current: NEXT, previous: [RIGHT] })).resolves.toBeUndefined();
  await expect(refuseWrongPayloadKeys(db.pool, { current: NEXT, previous: [SLIPPED] })).rejects.toThrow(REFUSED);
  await expect(
    refuseWrongPayloadKeys(db.pool, { current: { id: NEXT.id, key: randomBytes(32) }, previous: [RIGHT] }),
  ).rejects.toThrow(/^PAYLOAD_KEYS: the key p2028b is not the one/);
  const { rows } = await db.owner.query<{ id: string }>(
    'SELECT payload_key_id AS id FROM payload_key_checks ORDER BY 1',
  );
  expect(rows.map((row) => row.id)).toEqual(['p2027a', 'p2028b']);
});

test("the service's role adds a check, but may neither rewrite nor delete one", async () => {
  await expect(db.pool.query("UPDATE payload_key_checks SET sealed_check = '\\x00'")).rejects.toThrow(
    /permission denied/,
  );
  await expect(db.pool.query('DELETE FROM payload_key_checks')).rejects.toThrow(/permission denied/);
});

test('the embedded mode on its development key alone is refused, naming PAYLOAD_KEYS and the keys, once another payload key was held there (a rotation)', async () => {
  // The data folder's processes held p2027a and p2028b (above): its histories hold payloads sealed under them, which
  // the development key alone cannot open (the worker failed every workflow task of those cases, /ready 200).
  const refused = refuseWrongPayloadKeys(db.pool, { current: DEVELOPMENT }, { developmentKey: true });
  await expect(refused).rejects.toThrow(PayloadKeysMissingError);
  await expect(refused).rejects.toThrow(
    /^PAYLOAD_KEYS is not set, so the embedded mode used its development key .* payload keys p2027a, p2028b too/,
  );
  // Given the keys as they were (PAYLOAD_KEYS set), it starts.
  await expect(refuseWrongPayloadKeys(db.pool, ALL)).resolves.toBeUndefined();
});

test('a PAYLOAD_KEYS lacking a key the deployment held is refused the same way, naming PAYLOAD_KEYS and each key', async () => {
  // It passed (outside the embedded mode nothing was checked but the bytes), and failed each case sealed under them.
  const refused = refuseWrongPayloadKeys(db.pool, { current: DEVELOPMENT });
  await expect(refused).rejects.toThrow(PayloadKeysMissingError);
  await expect(refused).rejects.toThrow(
    /^PAYLOAD_KEYS lacks the payload keys p2027a, p2028b, which this deployment's processes held .* retired by deleting its check/,
  );
  await expect(refuseWrongPayloadKeys(db.pool, { current: NEXT, previous: [DEVELOPMENT] })).rejects.toThrow(
    /^PAYLOAD_KEYS lacks the payload key p2027a, which/,
  );
});

describe.each(['api', 'worker'] as const)('a deployment process (%s)', (role) => {
  const deployment = (payloadKeyring: IdentityKeyring) => ({
    databaseUrl: db.connectionString,
    migrationUrl: db.ownerConnectionString,
    // Reached only once the keys are checked: the right key gets that far.
    temporalAddress: '127.0.0.1:1',
    taskQueue: 'payload-key-checks',
    smtpUrl: 'smtp://127.0.0.1:1',
    payloadKeyring,
  });
  const exitOf = (keyring: IdentityKeyring) =>
    startServiceProcess(deployment(keyring), role).then(
      () => {
        throw new Error(`the ${role} process started`);
      },
      (error: Error) => error.message,
    );

  test('given the key id with other bytes, refuses to start, names PAYLOAD_KEYS and the key id, and exits', async () => {
    const output = await exitOf({ current: SLIPPED });
    expect(output).toMatch(new RegExp(`^the ${role} process exited: [\\s\\S]*${REFUSED.source}`));
    // Before Temporal is reached, so before the worker polls.
    expect(output).not.toMatch(/TEMPORAL_ADDRESS|case worker running/);
  }, 120_000);

  test('given PAYLOAD_KEYS without keys the deployment held, refuses to start, names PAYLOAD_KEYS and the keys', async () => {
    const output = await exitOf({ current: RIGHT });
    expect(output).toMatch(
      new RegExp(
        `^the ${role} process exited: [\\s\\S]*PAYLOAD_KEYS lacks the payload keys dev-0a1b2c3d, p2028b, which`,
      ),
    );
    expect(output).not.toMatch(/TEMPORAL_ADDRESS|case worker running/);
  }, 120_000);

  test('given the right keys, gets past the check (to Temporal, which is not there)', async () => {
    const output = await exitOf(ALL);
    expect(output).toMatch(/TEMPORAL_ADDRESS 127\.0\.0\.1:1 cannot be reached/);
    expect(output).not.toMatch(/PAYLOAD_KEYS/);
  }, 120_000);
});

describe('npm run admin -- reproject', () => {
  const run = promisify(execFile);
  async function reproject(keyring: IdentityKeyring): Promise<{ code: number; stderr: string }> {
    try {
      const { stderr } = await run(process.execPath, ['--import', 'tsx', 'admin.ts', 'reproject'], {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH ?? '',
          DATABASE_URL: db.connectionString,
          TEMPORAL_ADDRESS: '127.0.0.1:1',
          IDENTITY_KEYS: `i:${randomBytes(32).toString('base64')}`,
          PAYLOAD_KEYS: keyringVariable(keyring),
        },
        timeout: 60_000,
      });
      return { code: 0, stderr };
    } catch (error) {
      const failed = error as { code?: number; stderr: string };
      return { code: failed.code ?? -1, stderr: failed.stderr };
    }
  }

  test('refuses the key id with other bytes, and a keyring lacking a key, by name, before Temporal; passes the right keys', async () => {
    const refused = await reproject({ current: SLIPPED });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(REFUSED);
    const lacking = await reproject({ current: NEXT, previous: [RIGHT] });
    expect(lacking.code).toBe(1);
    expect(lacking.stderr).toMatch(/PAYLOAD_KEYS lacks the payload key dev-0a1b2c3d, which/);
    const right = await reproject(ALL);
    expect(right.code).toBe(1);
    expect(right.stderr).toMatch(/TEMPORAL_ADDRESS 127\.0\.0\.1:1 cannot be reached/);
  }, 120_000);
});

describe('the embedded mode', () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'relief-payload-key-'));
    // As root, PostgreSQL runs as the `postgres` user, which must reach its folder inside this one.
    chmodSync(dataDir, 0o755);
  });
  afterAll(() => {
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });
  /** The processes whose command names the data folder: the embedded PostgreSQL and Temporal dev server. */
  const runningOnData = () =>
    readdirSync('/proc')
      .filter((entry) => /^\d+$/.test(entry))
      .filter((pid) => commandOf(Number(pid)).includes(dataDir));

  test('whose payload key file was replaced under the same id refuses to start, and leaves nothing running', async () => {
    const ports = await freeEmbeddedPorts();
    const first = await startEmbeddedServiceProcess(dataDir, ports);
    await first.stop('SIGTERM');
    const file = join(dataDir, 'keys', 'payload.key');
    const id = readFileSync(file, 'utf8').trim().split(':')[0]!;
    writeFileSync(file, `${id}:${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });

    const output = await startEmbeddedServiceProcess(dataDir, ports).then(
      async (started) => {
        await started.stop('SIGKILL');
        throw new Error('the embedded service started');
      },
      (error: Error) => error.message,
    );
    expect(output).toMatch(new RegExp(`^the all process exited: [\\s\\S]*PAYLOAD_KEYS: the key ${id} is not the one`));
    // Its PostgreSQL was stopped as it exited, and no Temporal dev server was started.
    expect(existsSync(join(dataDir, 'postgres', 'pgdata', 'postmaster.pid'))).toBe(false);
    expect(runningOnData()).toEqual([]);
  }, 240_000);
});

test('an old key dropped on purpose is retired by deleting its check (the owner): then a keyring without it passes', async () => {
  await db.owner.query("DELETE FROM payload_key_checks WHERE payload_key_id = 'dev-0a1b2c3d'");
  await expect(refuseWrongPayloadKeys(db.pool, { current: NEXT, previous: [RIGHT] })).resolves.toBeUndefined();
});
