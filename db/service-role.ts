/**
 * The service never runs as the owner of its tables. Migrations (as the owner) grant the service's privileges to the
 * group role `relief_app` (INSERT and SELECT only on the audit trail); the service logs in as a member of it.
 * In the embedded mode and in tests, `ensureServiceLogin` creates that member; elsewhere an operator does.
 */
import { createHmac } from 'node:crypto';
import { Client } from 'pg';

const SERVICE_GROUP_ROLE = 'relief_app';
const EMBEDDED_SERVICE_LOGIN = 'relief_service';

/**
 * Creates (or re-keys) the login role `relief_service`, a member of `relief_app`, and returns its connection string.
 * Its password is derived from the owner's, so nothing more needs storing beside the embedded cluster.
 */
export async function ensureServiceLogin(ownerUrl: string): Promise<string> {
  const serviceUrl = serviceLoginUrl(ownerUrl);
  const password = decodeURIComponent(new URL(serviceUrl).password);
  const client = new Client({ connectionString: ownerUrl });
  // A connection lost meanwhile fails the query in flight; unheard, its 'error' event would crash the process.
  client.on('error', () => undefined);
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [EMBEDDED_SERVICE_LOGIN]);
    const verb = rowCount ? 'ALTER' : 'CREATE';
    // Role DDL takes no bind parameters; the password is base64url and escaped all the same.
    await client.query(
      `${verb} ROLE ${EMBEDDED_SERVICE_LOGIN} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD ${client.escapeLiteral(password)}`,
    );
    await client.query(`GRANT ${SERVICE_GROUP_ROLE} TO ${EMBEDDED_SERVICE_LOGIN}`);
  } finally {
    await client.end();
  }
  return serviceUrl;
}

/** The connection string of `relief_service` on the owner's server and database. */
export function serviceLoginUrl(ownerUrl: string): string {
  const url = new URL(ownerUrl);
  url.password = createHmac('sha256', decodeURIComponent(url.password))
    .update(EMBEDDED_SERVICE_LOGIN)
    .digest('base64url');
  url.username = EMBEDDED_SERVICE_LOGIN;
  return url.toString();
}

/** True when the connected role could rewrite the audit trail: then it is the owner, not the service's role. */
export async function canRewriteAudit(db: {
  query(sql: string): Promise<{ rows: { rewrite: boolean }[] }>;
}): Promise<boolean> {
  const { rows } = await db.query(
    `SELECT has_table_privilege(current_user, 'audit_events', 'UPDATE') OR has_table_privilege(current_user, 'audit_events', 'DELETE') AS rewrite`,
  );
  return rows[0]?.rewrite ?? true;
}
