/** The service's connection pool. One per process; close it on shutdown so the process can exit. */
import { createHash } from 'node:crypto';
import { PG_QUERY_TIMEOUT, unavailableDependency } from '../core/errors';
import { Pool, type PoolClient, type QueryConfig, type QueryResult, type QueryResultRow } from 'pg';

/** A pool or a client inside a transaction. */
export interface Queryable {
  query<R extends QueryResultRow>(text: string, values?: unknown[]): Promise<QueryResult<R>>;
  query<R extends QueryResultRow>(config: QueryConfig): Promise<QueryResult<R>>;
}

const statementNames = new Map<string, string>();

/**
 * A statement each connection prepares once (a named statement, its name derived from its text): PostgreSQL then
 * parses and plans it once per connection rather than on every call. For the queries every request makes; planning
 * one case's JSON or a work list costs about what running it does. A text composed from filters gets a name of its
 * own, so each combination is prepared once too.
 */
export function prepared(text: string, values: unknown[]): QueryConfig {
  let name = statementNames.get(text);
  if (name === undefined) {
    name = `q_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
    statementNames.set(text, name);
  }
  return { name, text, values };
}

export interface PoolOptions {
  /** Connections per process; PostgreSQL's default limit is 100 across all processes. */
  max?: number;
  /** Name shown in pg_stat_activity, to tell the API from the worker. */
  applicationName?: string;
  /** How long a query may go unanswered before it fails (default 15 s; tests shorten it). */
  queryTimeoutMs?: number;
  /** How long a connection is kept before it is closed once idle (default 60 s; tests shorten it). */
  connectionLifetimeSeconds?: number;
}

export function createPool(connectionString: string, options: PoolOptions = {}): Pool {
  const pool = new Pool({
    connectionString,
    max: options.max ?? 10,
    application_name: options.applicationName ?? 'relief-cases',
    idleTimeoutMillis: 30_000,
    // A request waiting for a connection to a PostgreSQL that does not answer fails after this, as a 503
    // (core/errors.ts), instead of hanging; it also bounds the wait for a free connection when all are busy.
    connectionTimeoutMillis: 5_000,
    // A PostgreSQL that stops answering (frozen, or a network that drops packets) fails a query after this, as a 503,
    // where it would hang the request as long as the server stays silent. Longer than any query of ours takes.
    query_timeout: options.queryTimeoutMs ?? 15_000,
    // A PostgreSQL asked to stop with SIGTERM (a smart shutdown: `pg_ctl stop -m smart`, what an operator or a
    // supervisor may send) refuses new connections and waits for every open one to end. A pool in use never lets its
    // connections idle out (the worker's heartbeat alone takes one every 5 s), so the server waited forever, half
    // down: new connections refused, a second process unable to start, and the embedded mode's restart never came.
    // Each connection is closed once idle after this, so such a stop finishes within it (plus a query's time).
    maxLifetimeSeconds: options.connectionLifetimeSeconds ?? 60,
  });
  // An idle client losing its connection (server restart) is reported here; without a listener it would crash the
  // process. The next query gets a fresh connection.
  pool.on('error', () => undefined);
  return pool;
}

export type DatabaseVariable = 'DATABASE_URL' | 'MIGRATION_DATABASE_URL';

/** SQLSTATEs of a login PostgreSQL refuses: class 28 (a wrong user or password), 3D000 (no such database). */
const REFUSED_LOGIN = /^(28|3D000$)/;

/**
 * Node's codes of a TLS certificate it refused: not signed by a CA it trusts (`sslrootcert`, or the system's),
 * self-signed, expired or not yet valid, or for another name than the URL's host (ERR_TLS_CERT_ALTNAME_INVALID).
 */
const REFUSED_CERTIFICATE = /CERT|SELF_SIGNED|UNABLE_TO_(VERIFY|GET_ISSUER)/;

/**
 * SQLSTATE insufficient_privilege: a migration run as a role that is not the tables' owner (the service's own, when
 * MIGRATION_DATABASE_URL is left out): reading the migrations' table (db/migrate.ts `refuseLostMigrations`,
 * "permission denied for table pgmigrations"), or, on a database never migrated, creating it, which node-pg-migrate
 * rethrows as a new error with the words alone ("Unable to ensure migrations table: error: permission denied for
 * schema public").
 */
const INSUFFICIENT_PRIVILEGE = '42501';

/** node-postgres's words when the URL asks for TLS (`sslmode`) and the server offers none. */
const NO_TLS_OFFERED = 'The server does not support SSL connections';

/**
 * What to check when a start-up's first use of PostgreSQL through `variable` failed with `error`, or undefined when
 * the error is not about reaching PostgreSQL there, its TLS or its login.
 */
function databaseUrlAdvice(variable: DatabaseVariable, error: unknown): string | undefined {
  const { code, message, syscall, path } = error as {
    code?: unknown;
    message?: unknown;
    syscall?: unknown;
    path?: unknown;
  };
  if (typeof code === 'string' && REFUSED_CERTIFICATE.test(code)) {
    return (
      `PostgreSQL's TLS certificate was refused: check that it is issued for the host in ${variable} and that ` +
      `sslrootcert there names the CA that signed it (node-postgres verifies the certificate for sslmode=require ` +
      `and verify-ca as for verify-full).`
    );
  }
  if (message === NO_TLS_OFFERED) {
    return `PostgreSQL there offers no TLS: turn ssl on in its postgresql.conf, or change sslmode in ${variable}.`;
  }
  if (syscall === 'open' && typeof path === 'string') {
    return `a file ${variable} names (sslrootcert, sslcert or sslkey) cannot be read: check its path and permissions.`;
  }
  if (code === INSUFFICIENT_PRIVILEGE || (typeof message === 'string' && /permission denied for /.test(message))) {
    return (
      `its user may not create or change the tables, which the migrations at start-up do: give the tables' owner in ` +
      `MIGRATION_DATABASE_URL (README, Security, "Database roles").`
    );
  }
  const refused = typeof code === 'string' && REFUSED_LOGIN.test(code);
  if (!refused && unavailableDependency(error) !== 'postgres') return undefined;
  return `check that PostgreSQL listens there and that the user, password and database in ${variable} are right.`;
}

/**
 * Runs `work`, a start-up's first use of PostgreSQL through `url`, the value of `variable`. When PostgreSQL cannot be
 * reached there (not up yet, a wrong host or port), refuses the login, or its TLS fails (a certificate refused, a
 * server without TLS, a certificate file that cannot be read), the error names the variable and the address tried,
 * its password left out, and what to check, for the one line the service prints as it exits, where that line read
 * node-postgres's or Node's bare "connect ECONNREFUSED 127.0.0.1:5432", "password authentication failed for user …",
 * "Hostname/IP does not match certificate's altnames: …" or "ENOENT: no such file or directory, open '…'", naming
 * neither.
 */
export async function namingDatabaseUrl<T>(
  variable: DatabaseVariable,
  url: string,
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const advice = databaseUrlAdvice(variable, error);
    if (advice === undefined) throw error;
    // Its first line: node-pg-migrate writes the error's stack trace into the message of its own.
    const [reason] = String((error as { message?: unknown }).message).split('\n');
    throw new Error(`${variable} ${addressOf(url)} cannot be used (${reason}): ${advice}`, { cause: error });
  }
}

/**
 * A pool of a deployment's start-up or admin command, its first connection made here, so that a PostgreSQL that
 * cannot be reached or refuses the login is told naming `variable` (`namingDatabaseUrl`) before anything else runs.
 */
export async function reachablePool(variable: DatabaseVariable, url: string, options: PoolOptions = {}): Promise<Pool> {
  const pool = createPool(url, options);
  try {
    await namingDatabaseUrl(variable, url, () => pool.query('SELECT 1'));
    return pool;
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
}

/** A connection URL without its password, nor a parameter naming one (`?password=`, `sslpassword`). */
function addressOf(url: string): string {
  try {
    const address = new URL(url);
    address.password = '';
    for (const name of [...address.searchParams.keys()]) {
      if (name.toLowerCase().includes('password')) address.searchParams.delete(name);
    }
    return address.toString();
  } catch {
    return '(not a URL)';
  }
}

/** Runs `work` in one transaction on one connection: committed if it resolves, rolled back if it throws. */
export async function inTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  // A connection lost while checked out (PostgreSQL restarted, a failover) is reported on the client, not the pool:
  // without a listener it would crash the process. The query in flight fails with it, and the client is discarded.
  let lost: Error | undefined;
  const onLost = (error: Error) => {
    lost = error;
  };
  client.on('error', onLost);
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    // A query that timed out may still be under way on this connection: discarding it ends the transaction, where a
    // ROLLBACK would wait behind that query.
    if (error instanceof Error && error.message === PG_QUERY_TIMEOUT) lost ??= error;
    else await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.off('error', onLost);
    client.release(lost);
  }
}
