/**
 * The embedded server as the service runs it: first start initialises a cluster, migrations apply to an empty
 * database, and a restart on the same folder keeps the rows and the generated credentials.
 */
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../db/embedded-postgres';
import { DEMO_AGENCY_LIST, seedDemoAgencies } from '../../db/seed';
import { createPool } from '../../db/pool';
import { AGENCY_KINDS } from '../../domain/types';
import { migrateInChildProcess } from '../support/postgres';
import { freePort } from '../support/ports';

let root: string;
let server: EmbeddedPostgres | undefined;
const logged: string[] = [];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'relief-cases-embedded-test-'));
  await chmod(root, 0o755); // as root, the server runs as `postgres`, which must reach the data folder inside
});
afterAll(async () => {
  await server?.stop();
  await rm(root, { recursive: true, force: true });
});

async function query<T>(connectionString: string, sql: string): Promise<T[]> {
  const client = new Client({ connectionString });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

it('initialises, migrates, seeds, and keeps everything across a restart', async () => {
  const dataDir = join(root, 'postgres');
  const port = await freePort();
  server = await startEmbeddedPostgres({ dataDir, port, logger: (_level, line) => logged.push(line) });
  expect(logged.some((line) => line.includes('ready to accept connections'))).toBe(true);

  // Migrations on an empty database, then again: nothing left to apply.
  expect(await migrateInChildProcess(server.connectionString)).toMatch(/applied: .*read-model/);
  expect(await migrateInChildProcess(server.connectionString)).toMatch(/nothing to apply/);

  const pool = createPool(server.connectionString);
  try {
    await seedDemoAgencies(pool);
    await seedDemoAgencies(pool); // idempotent
    const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM agencies');
    expect(rows[0]?.n).toBe(DEMO_AGENCY_LIST.length);
    // The table's kinds are the domain's kinds.
    const check = await pool.query<{ def: string }>(
      `SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conname = 'agencies_kind_check'`,
    );
    const kinds = [...(check.rows[0]?.def ?? '').matchAll(/'(\w+)'::text/g)].map((m) => m[1]);
    expect(kinds).toEqual([...AGENCY_KINDS]);
    await expect(pool.query(`INSERT INTO agencies (id, kind, name) VALUES ('x', 'usps', 'x')`)).rejects.toThrow(
      /check constraint/,
    );
  } finally {
    await pool.end();
  }

  const credentials = await readFile(join(dataDir, 'credentials.json'), 'utf8');
  await server.stop();
  expect(existsSync(join(dataDir, 'pgdata', 'postmaster.pid'))).toBe(false); // a clean shutdown, no server left
  await expect(query(server.connectionString, 'SELECT 1')).rejects.toThrow();

  server = await startEmbeddedPostgres({ dataDir, port: await freePort() });
  expect(await readFile(join(dataDir, 'credentials.json'), 'utf8')).toBe(credentials);
  const agencies = await query<{ id: string }>(server.connectionString, 'SELECT id FROM agencies ORDER BY id');
  expect(agencies.map((a) => a.id)).toEqual(DEMO_AGENCY_LIST.map((a) => a.id).sort());
  await server.stop();
  server = undefined;
});

it('refuses a wrong password', async () => {
  const dataDir = join(root, 'postgres');
  server = await startEmbeddedPostgres({ dataDir, port: await freePort() });
  const wrong = server.connectionString.replace(/:[^:@]+@/, ':wrong@');
  await expect(query(wrong, 'SELECT 1')).rejects.toThrow(/password authentication failed/);
  await server.stop();
  server = undefined;
});

it('refuses to start on a folder whose server a running service holds, and leaves that server alone', async () => {
  const dataDir = join(root, 'postgres');
  server = await startEmbeddedPostgres({ dataDir, port: await freePort() });
  // This process started it and still runs: a second `npm start` on the same DATA_DIR is what this looks like.
  await expect(startEmbeddedPostgres({ dataDir, port: await freePort() })).rejects.toThrow(
    /belongs to a service still running \(pid \d+\).*another DATA_DIR/,
  );
  expect(await query<{ one: number }>(server.connectionString, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
  await server.stop();
  server = undefined;
});
