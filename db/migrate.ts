/**
 * Applies the SQL migrations in db/migrations (node-pg-migrate, files ordered by their timestamp prefix).
 * Run at service start-up, or by hand: `npx tsx db/migrate.ts` with DATABASE_URL set.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { RunnerOption } from 'node-pg-migrate' with { 'resolution-mode': 'import' };
import { Client } from 'pg';
import type { Logger } from '../core/logger';
import { namingDatabaseUrl, type DatabaseVariable } from './pool';

export const MIGRATIONS_DIR = join(__dirname, 'migrations');

/** What we read of each applied migration. */
type Runner = (options: RunnerOption) => Promise<Array<{ name: string }>>;

/**
 * node-pg-migrate is an ES module. Node 20.19+ loads it with require() (require(esm)); jest's CommonJS runtime does
 * not on Node 20, so jest.config.js has it compiled to CommonJS like the other ESM-only packages.
 */
function loadRunner(): Runner {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- require(esm) of an ESM-only package from CommonJS
  return (require('node-pg-migrate') as { runner: Runner }).runner;
}

/** Applies every pending migration; returns the names applied. Concurrent callers wait for each other's lock. */
export async function migrate(databaseUrl: string, logger?: Logger): Promise<string[]> {
  const client = new Client({ connectionString: databaseUrl });
  // A connection lost meanwhile fails the migration; unheard, its 'error' event would crash the process.
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await migrateWith(client, logger);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * `migrate` for a deployment: as its tables' owner, MIGRATION_DATABASE_URL, or DATABASE_URL without it, the variable
 * named when PostgreSQL cannot be reached there or refuses the login (`namingDatabaseUrl`).
 */
export function migrateDeployment(database: DeploymentDatabase, logger?: Logger) {
  const owner = ownerOf(database);
  return namingDatabaseUrl(owner.variable, owner.url, () => migrate(owner.url, logger));
}

interface DeploymentDatabase {
  url: string;
  migrationUrl?: string;
}

/** Who owns a deployment's tables: MIGRATION_DATABASE_URL, or DATABASE_URL without it. */
export function ownerOf({ url, migrationUrl }: DeploymentDatabase): { variable: DatabaseVariable; url: string } {
  return migrationUrl ? { variable: 'MIGRATION_DATABASE_URL', url: migrationUrl } : { variable: 'DATABASE_URL', url };
}

/**
 * Refuses a database that ran a migration no longer among the files (one renamed or deleted), naming it: its SQL
 * would otherwise run again under the new name. One numbered after every file is a newer release's (running side by
 * side with this one during a rolling deployment, or before a rollback to this one): left be, as node-pg-migrate's
 * order check left it.
 */
async function refuseLostMigrations(dbClient: Client): Promise<void> {
  const table = await dbClient.query<{ t: string | null }>(`SELECT to_regclass('pgmigrations')::text AS t`);
  if (!table.rows[0]?.t) return;
  const files = readdirSync(MIGRATIONS_DIR)
    .filter((file) => file.endsWith('.sql'))
    .map((file) => file.replace(/\.sql$/, ''))
    .sort();
  const newest = files.at(-1) ?? '';
  const applied = await dbClient.query<{ name: string }>('SELECT name FROM pgmigrations ORDER BY run_on, id');
  const lost = applied.rows.map((row) => row.name).filter((name) => name < newest && !files.includes(name));
  if (lost.length > 0) {
    throw new Error(
      `the database ran migrations that are not in ${MIGRATIONS_DIR} (renamed or deleted): ${lost.join(', ')}`,
    );
  }
}

async function migrateWith(dbClient: Client, logger?: Logger): Promise<string[]> {
  await refuseLostMigrations(dbClient);
  const options: RunnerOption = {
    dbClient,
    dir: MIGRATIONS_DIR,
    migrationsTable: 'pgmigrations',
    direction: 'up',
    count: Infinity,
    // A migration numbered below one already applied is applied too, where node-pg-migrate's check refused to start
    // ("Not run migration … is preceding already run migration …"): migrations merged from parallel work land out of
    // order (1797870000000_payload-key-checks after 1797880000000_step-signed-by), and a deployment that ran the
    // release between them could not upgrade. Each is written against the tables before it alone; a renamed or deleted
    // one, which the check also caught, is refused by `refuseLostMigrations`.
    checkOrder: false,
    singleTransaction: true,
    advisoryLockMode: 'wait',
    verbose: false,
    logger: {
      // Migration SQL goes to debug: info stays readable at start-up.
      debug: (message: string) => logger?.debug(message),
      info: (message: string) => logger?.debug(message),
      warn: (message: string) => logger?.warn(message),
      error: (message: string) => logger?.error(message),
    },
  };
  const applied = await loadRunner()(options);
  if (applied.length > 0) logger?.info(`applied migrations: ${applied.map((m) => m.name).join(', ')}`);
  return applied.map((m) => m.name);
}

if (require.main === module) {
  const url = process.env.DATABASE_URL;
  if (!url) {
    console.error('DATABASE_URL is not set');
    process.exit(2);
  }
  migrate(url).then(
    (applied) => console.log(applied.length > 0 ? `applied: ${applied.join(', ')}` : 'nothing to apply'),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exitCode = 1;
    },
  );
}
