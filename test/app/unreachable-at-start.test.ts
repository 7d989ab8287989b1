/**
 * A Temporal that cannot be reached at TEMPORAL_ADDRESS stops the service, and `npm run admin -- reproject`, with one
 * line naming the variable and the address tried, never the SDK's bare "Failed to connect before the deadline". So
 * does a PostgreSQL that cannot be reached at MIGRATION_DATABASE_URL or DATABASE_URL, or that refuses its login (a
 * process started before the database is up, as an operator starting the separate processes in any order may do),
 * never node-postgres's bare "connect ECONNREFUSED 127.0.0.1:5740", and never the URL's password; and so do the admin
 * commands. A TLS that fails there (a certificate for another name, a server without TLS, a CA file not there) is named
 * the same way, with what to check.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { ensureOwnedDir, serverUser } from '../../db/embedded-postgres';
import { eventually } from '../support/eventually';
import { freePort } from '../support/ports';
import { startTestDatabase, type TestDatabase } from '../support/postgres';

const ROOT = resolve(__dirname, '../..');
const key = () => randomBytes(32).toString('base64');
/** One deployment's keys, which its processes share: a key id given with other bytes is refused before Temporal. */
const KEYS = { IDENTITY_KEYS: `i:${key()}`, PAYLOAD_KEYS: `p:${key()}` };

let database: TestDatabase;
let dataDir: string;
/** The test PostgreSQL's certificate and its CA, once TLS is on. */
let tlsDir: string | undefined;
/** Where nothing listens. */
let address: string;

beforeAll(async () => {
  database = await startTestDatabase();
  dataDir = await mkdtemp(join(tmpdir(), 'relief-cases-unreachable-at-start-'));
  address = `127.0.0.1:${await freePort()}`;
}, 60_000);

afterAll(async () => {
  await database.stop();
  await rm(dataDir, { recursive: true, force: true });
  if (tlsDir) await rm(tlsDir, { recursive: true, force: true });
});

function run(script: string, args: string[], env: Record<string, string>) {
  return new Promise<{ code: number | null; stderr: string }>((done) => {
    const child = execFile(
      process.execPath,
      [require.resolve('tsx/cli'), script, ...args],
      { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, timeout: 60_000 },
      (_error, _stdout, stderr) => done({ code: child.exitCode, stderr }),
    );
  });
}

const named = () =>
  new RegExp(`^TEMPORAL_ADDRESS ${address} cannot be reached \\(Failed to connect before the deadline\\)`, 'm');

test('npm start as a deployment process exits 1 naming TEMPORAL_ADDRESS and the address tried', async () => {
  const { code, stderr } = await run('main.ts', [], {
    SERVICE_ROLE: 'api',
    HOST: '127.0.0.1',
    PORT: String(await freePort()),
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    DATABASE_URL: database.connectionString,
    MIGRATION_DATABASE_URL: database.ownerConnectionString,
    TEMPORAL_ADDRESS: address,
    SMTP_URL: 'smtp://127.0.0.1:2',
    PUBLIC_BASE_URL: 'https://relief.example.org',
    ...KEYS,
  });
  expect(code).toBe(1);
  expect(stderr).toMatch(named());
}, 60_000);

/** A deployment's API process against this PostgreSQL, or the one given, with Temporal where nothing listens. */
const deploymentProcess = async (database: Record<string, string>) =>
  run('main.ts', [], {
    SERVICE_ROLE: 'api',
    HOST: '127.0.0.1',
    PORT: String(await freePort()),
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    TEMPORAL_ADDRESS: address,
    SMTP_URL: 'smtp://127.0.0.1:2',
    PUBLIC_BASE_URL: 'https://relief.example.org',
    ...KEYS,
    ...database,
  });

test('a deployment process started before its PostgreSQL is up exits 1 naming the variable and the address, not the password', async () => {
  const port = await freePort();
  const { code, stderr } = await deploymentProcess({
    DATABASE_URL: `postgres://relief_service:service-secret@127.0.0.1:${port}/relief`,
    MIGRATION_DATABASE_URL: `postgres://owner:owner-secret@127.0.0.1:${port}/relief`,
  });
  expect(code).toBe(1);
  expect(stderr).toMatch(
    new RegExp(
      `^MIGRATION_DATABASE_URL postgres://owner@127\\.0\\.0\\.1:${port}/relief cannot be used \\(connect ECONNREFUSED 127\\.0\\.0\\.1:${port}\\)`,
      'm',
    ),
  );
  expect(stderr).not.toMatch(/secret/);
}, 60_000);

test("a deployment process whose DATABASE_URL's login PostgreSQL refuses exits 1 naming DATABASE_URL", async () => {
  const service = new URL(database.connectionString);
  service.password = 'not-the-password';
  const { code, stderr } = await deploymentProcess({
    DATABASE_URL: service.toString(),
    MIGRATION_DATABASE_URL: database.ownerConnectionString,
  });
  expect(code).toBe(1);
  service.password = '';
  expect(stderr).toMatch(
    new RegExp(
      `^DATABASE_URL ${service.toString().replace(/[.?]/g, '\\$&')} cannot be used \\(password authentication failed`,
      'm',
    ),
  );
  expect(stderr).not.toMatch(/not-the-password/);
}, 60_000);

test('a deployment process without MIGRATION_DATABASE_URL, migrating as the service role, exits 1 saying to give the owner there', async () => {
  const { code, stderr } = await deploymentProcess({ DATABASE_URL: database.connectionString });
  const service = new URL(database.connectionString);
  const password = service.password;
  service.password = '';
  expect(code).toBe(1);
  expect(stderr).toMatch(
    new RegExp(
      // The check for migrations renamed or deleted (db/migrate.ts refuseLostMigrations) reads the migrations' table
      // first, which the service role may not read.
      `^DATABASE_URL ${service.toString().replace(/[.?]/g, '\\$&')} cannot be used \\(permission denied for table ` +
        'pgmigrations\\): its user may not create or change the tables, which the ' +
        "migrations at start-up do: give the tables' owner in MIGRATION_DATABASE_URL",
      'm',
    ),
  );
  // The one line, not node-pg-migrate's stack trace, nor the password.
  expect(stderr).not.toMatch(/^\s+at /m);
  expect(stderr).not.toContain(password);
}, 60_000);

test('npm run admin -- reproject exits naming TEMPORAL_ADDRESS and the address tried', async () => {
  const { code, stderr } = await run('admin.ts', ['reproject'], {
    DATABASE_URL: database.connectionString,
    TEMPORAL_ADDRESS: address,
    ...KEYS,
  });
  expect(code).toBe(1);
  expect(stderr).toMatch(named());
}, 60_000);

test('npm run admin -- reproject and create-admin exit naming DATABASE_URL when PostgreSQL is not up', async () => {
  const port = await freePort();
  const unreachable = new RegExp(
    `^DATABASE_URL postgres://relief_service@127\\.0\\.0\\.1:${port}/relief cannot be used \\(connect ECONNREFUSED`,
    'm',
  );
  const env = { DATABASE_URL: `postgres://relief_service:service-secret@127.0.0.1:${port}/relief`, ...KEYS };
  const reprojected = await run('admin.ts', ['reproject'], { ...env, TEMPORAL_ADDRESS: address });
  const created = await run(
    'admin.ts',
    ['create-admin', '--username', 'ops-admin', '--display-name', 'Ops Admin', '--agency', 'state-task-force'],
    env,
  );
  for (const { code, stderr } of [reprojected, created]) {
    expect(code).toBe(1);
    expect(stderr).toMatch(unreachable);
    expect(stderr).not.toMatch(/secret/);
  }
}, 60_000);

/**
 * Turns TLS on in the test PostgreSQL with a certificate for `db.relief.test` signed by a CA of its own (made with
 * openssl, as a DBA would), and answers that CA's file: a deployment's URL verifying it against 127.0.0.1 meets a
 * certificate for another name.
 */
async function tlsOnWithCertificateFor(name: string): Promise<string> {
  const dir = (tlsDir = await mkdtemp(join(tmpdir(), 'relief-cases-tls-')));
  const runAs = serverUser();
  await ensureOwnedDir(dir, runAs);
  const openssl = (...args: string[]) => promisify(execFile)('openssl', args, { cwd: dir });
  await openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '2',
    '-subj',
    '/CN=Relief test CA',
  );
  await openssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'server.key',
    '-out',
    'server.csr',
    '-subj',
    `/CN=${name}`,
  );
  await writeFile(join(dir, 'san.cnf'), `subjectAltName=DNS:${name}\n`);
  await openssl(
    ...['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial'],
    ...['-out', 'server.crt', '-days', '2', '-extfile', 'san.cnf'],
  );
  for (const file of ['server.crt', 'server.key', 'ca.crt']) {
    if (runAs) await chown(join(dir, file), runAs.uid, runAs.gid);
  }
  await chmod(join(dir, 'server.key'), 0o600);
  await database.owner.query(`ALTER SYSTEM SET ssl_cert_file = '${join(dir, 'server.crt')}'`);
  await database.owner.query(`ALTER SYSTEM SET ssl_key_file = '${join(dir, 'server.key')}'`);
  await database.owner.query('ALTER SYSTEM SET ssl = on');
  await database.owner.query('SELECT pg_reload_conf()');
  // The server answers TLS once the reload has loaded the certificate (pg_stat_ssl of a connection that asks for it).
  await eventually(async () => {
    const client = new Client({ connectionString: `${database.ownerConnectionString}?sslmode=no-verify` });
    try {
      await client.connect();
      const { rows } = await client.query<{ ssl: boolean }>('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
      return rows[0]?.ssl === true;
    } catch {
      return false;
    } finally {
      await client.end().catch(() => undefined);
    }
  }, 'PostgreSQL answering TLS');
  return join(dir, 'ca.crt');
}

test("a deployment process whose DATABASE_URL's TLS fails exits 1 naming DATABASE_URL and what to check, not the password", async () => {
  // Asked of a PostgreSQL without TLS.
  const noTls = await deploymentProcess({
    DATABASE_URL: `${database.connectionString}?sslmode=require`,
    MIGRATION_DATABASE_URL: database.ownerConnectionString,
  });
  const ca = await tlsOnWithCertificateFor('db.relief.test');
  const service = new URL(database.connectionString);
  const password = service.password;
  const withTls = (sslrootcert: string) => {
    const url = new URL(service);
    url.search = new URLSearchParams({ sslmode: 'verify-full', sslrootcert }).toString();
    return url.toString();
  };
  // A certificate for another name than the URL's host (127.0.0.1), signed by the CA the URL names.
  const otherName = await deploymentProcess({
    DATABASE_URL: withTls(ca),
    MIGRATION_DATABASE_URL: database.ownerConnectionString,
  });
  // A CA file that is not there.
  const missing = join(dataDir, 'no-such-ca.crt');
  const noFile = await deploymentProcess({
    DATABASE_URL: withTls(missing),
    MIGRATION_DATABASE_URL: database.ownerConnectionString,
  });
  const address = (sslrootcert: string) => {
    const url = new URL(withTls(sslrootcert));
    url.password = '';
    return url.toString().replace(/[.?]/g, '\\$&');
  };
  expect(noTls.code).toBe(1);
  expect(noTls.stderr).toMatch(
    /^DATABASE_URL \S+ cannot be used \(The server does not support SSL connections\): PostgreSQL there offers no TLS: /m,
  );
  expect(otherName.code).toBe(1);
  expect(otherName.stderr).toMatch(
    new RegExp(
      `^DATABASE_URL ${address(ca)} cannot be used \\(Hostname/IP does not match certificate's altnames: .*\\): ` +
        "PostgreSQL's TLS certificate was refused: check that it is issued for the host in DATABASE_URL",
      'm',
    ),
  );
  expect(noFile.code).toBe(1);
  expect(noFile.stderr).toMatch(
    new RegExp(
      `^DATABASE_URL ${address(missing)} cannot be used \\(ENOENT: no such file or directory, open '.*no-such-ca\\.crt'\\): ` +
        'a file DATABASE_URL names \\(sslrootcert, sslcert or sslkey\\) cannot be read',
      'm',
    ),
  );
  for (const { stderr } of [noTls, otherName, noFile]) expect(stderr).not.toContain(password);
}, 90_000);
