/**
 * A database as it stood before a release, for the tests of a migration on rows of the shape before it: the
 * migrations from one named on are undone together, rows are written, then `migrate` runs them again.
 */
import { readdirSync } from 'node:fs';
import type { RunnerOption } from 'node-pg-migrate' with { 'resolution-mode': 'import' };
import { MIGRATIONS_DIR } from '../../db/migrate';

/** The migrations from the one named on, oldest first: undone together, as the database stood before that release. */
export function migrationsFrom(name: RegExp): string[] {
  const files = readdirSync(MIGRATIONS_DIR)
    .filter((file) => file.endsWith('.sql'))
    .sort();
  return files.slice(files.findIndex((file) => name.test(file))).map((file) => file.replace(/\.sql$/, ''));
}

/** Undoes these migrations, the latest first (their down migrations run), on the database `databaseUrl` owns. */
export async function undoMigrations(databaseUrl: string, migrations: string[]): Promise<void> {
  await runMigrations(databaseUrl, { direction: 'down', count: migrations.length });
}

/** Applies this one migration alone, as a release that had it but not some numbered before it did. */
export async function applyMigration(databaseUrl: string, migration: string): Promise<void> {
  await runMigrations(databaseUrl, { direction: 'up', file: migration, checkOrder: false });
}

async function runMigrations(
  databaseUrl: string,
  options: Pick<RunnerOption, 'direction' | 'count' | 'file' | 'checkOrder'>,
): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- require(esm) of an ESM-only package, as db/migrate.ts does
  const { runner } = require('node-pg-migrate') as { runner: (options: RunnerOption) => Promise<unknown> };
  await runner({
    databaseUrl,
    dir: MIGRATIONS_DIR,
    migrationsTable: 'pgmigrations',
    verbose: false,
    log: () => undefined,
    ...options,
  });
}
