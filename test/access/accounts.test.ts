/**
 * Accounts on the real stack: signing in and out, sessions that expire, API keys, the administration of users and
 * agencies, and the `admin create-admin` command run as a real child process against a real database.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import { createApp } from '../../api/app';
import { createLogger } from '../../app/logger';
import { issueToken } from '../../db/tokens';
import { bearer, TEST_PASSWORD, type TestUser } from '../support/auth';
import { startTestDatabase, type TestDatabase } from '../support/postgres';
import { eventually, startStack, type Stack } from '../support/stack';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

const user = (username: string): TestUser => stack.users[username]!;
const admin = () => user('demo-admin');
const HOUR_MS = 3600 * 1000;

const signIn = (username: string, password: string) => request(stack.app).post('/api/auth/sign-in').send({ username, password });

/** The audit rows the request behind this response left. */
async function auditOf(res: request.Response): Promise<{ action: string; outcome: string; user_id: string | null; detail: string | null }[]> {
  const { rows } = await stack.pool.query<{ action: string; outcome: string; user_id: string | null; detail: string | null }>(
    'SELECT action, outcome, user_id, detail FROM audit_events WHERE request_id = $1',
    [res.headers['x-request-id']],
  );
  return rows;
}

describe('signing in', () => {
  it('answers a session token for the right password, which works and lasts 12 hours', async () => {
    const before = Date.now();
    const res = await signIn('demo-police-officer', TEST_PASSWORD).expect(201);
    const session = res.body as { token: string; expiresAt: string; user: { username: string } };
    expect(res.headers['cache-control']).toBe('no-store');
    expect(session.user.username).toBe('demo-police-officer');
    expect(Date.parse(session.expiresAt)).toBeGreaterThanOrEqual(before + 12 * HOUR_MS - 1000);
    expect(Date.parse(session.expiresAt)).toBeLessThanOrEqual(Date.now() + 12 * HOUR_MS + 1000);
    const me = await request(stack.app).get('/api/me').set(bearer(session.token)).expect(200);
    expect(me.body).toMatchObject({ user: { username: 'demo-police-officer', agencyId: 'demo-police' }, can: { openCases: true, signSteps: true, readAudit: false, administer: false } });
    expect(await auditOf(res)).toEqual([expect.objectContaining({ action: 'auth.sign_in', outcome: 'allowed', user_id: user('demo-police-officer').user.id })]);
  });

  it('answers a wrong password and an unknown user alike, and audits both as denied', async () => {
    const wrongPassword = await signIn('demo-police-officer', 'not the password at all').expect(401);
    const unknownUser = await signIn('nobody-by-this-name', TEST_PASSWORD).expect(401);
    const { requestId: _a, ...wrong } = wrongPassword.body as Record<string, unknown>;
    const { requestId: _b, ...unknown } = unknownUser.body as Record<string, unknown>;
    expect(wrong).toEqual(unknown);
    expect(wrong).toMatchObject({ status: 401, code: 'invalid_credentials' });
    // The audit names the targeted account when it exists, never what was typed (it may be a password).
    expect(await auditOf(wrongPassword)).toEqual([
      expect.objectContaining({ action: 'auth.sign_in', outcome: 'denied', user_id: user('demo-police-officer').user.id, detail: 'wrong_password_or_disabled' }),
    ]);
    expect(await auditOf(unknownUser)).toEqual([
      expect.objectContaining({ action: 'auth.sign_in', outcome: 'denied', user_id: null, detail: 'unknown_username' }),
    ]);
    for (const res of [wrongPassword, unknownUser]) {
      expect(JSON.stringify(await auditOf(res))).not.toMatch(/not the password|correct horse|nobody-by-this-name/);
    }
  });

  it('refuses a disabled user, whose tokens stop working at once', async () => {
    const password = 'a long enough password 1';
    const created = await request(stack.app).post('/api/users').set(admin().headers)
      .send({ username: 'leaving-officer', displayName: 'Leaving Officer', agencyId: 'demo-police', roles: ['agency_officer'], password }).expect(201);
    const userId = (created.body as { id: string }).id;
    const { token } = (await signIn('leaving-officer', password).expect(201)).body as { token: string };
    const key = (await request(stack.app).post('/api/tokens').set(bearer(token)).send({ label: 'script' }).expect(201)).body as { token: string };
    await request(stack.app).get('/api/me').set(bearer(key.token)).expect(200);

    await request(stack.app).post(`/api/users/${userId}/disable`).set(user('demo-coordinator').headers).expect(403);
    const disabled = await request(stack.app).post(`/api/users/${userId}/disable`).set(admin().headers).expect(200);
    expect((disabled.body as { disabledAt: string | null }).disabledAt).toEqual(expect.any(String));

    for (const dead of [token, key.token]) {
      const res = await request(stack.app).get('/api/me').set(bearer(dead)).expect(401);
      expect(res.body).toMatchObject({ code: 'invalid_token' });
    }
    await signIn('leaving-officer', password).expect(401);
  });

  it('refuses an expired session with invalid_token', async () => {
    const { token } = await issueToken(stack.pool, { userId: user('demo-advocate').user.id, kind: 'session', label: 'expired', expiresAt: new Date(Date.now() - 1000) });
    const res = await request(stack.app).get('/api/me').set(bearer(token)).expect(401);
    expect(res.body).toMatchObject({ status: 401, code: 'invalid_token' });
    expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="relief-cases", error="invalid_token"$/);
  });

  it('signs out by revoking the session it is called with', async () => {
    const { token } = (await signIn('demo-advocate', TEST_PASSWORD).expect(201)).body as { token: string };
    const res = await request(stack.app).post('/api/auth/sign-out').set(bearer(token)).expect(204);
    expect(await auditOf(res)).toEqual([expect.objectContaining({ action: 'auth.sign_out', outcome: 'allowed', user_id: user('demo-advocate').user.id })]);
    await request(stack.app).get('/api/me').set(bearer(token)).expect(401);
    // Other tokens of the same user are untouched.
    await request(stack.app).get('/api/me').set(user('demo-advocate').headers).expect(200);
  });

  it('changes your own password only with the current one, and only to a long one', async () => {
    const me = user('demo-hhs-officer');
    const change = (body: object) => request(stack.app).post('/api/me/password').set(me.headers).send(body);
    const wrong = await change({ currentPassword: 'not it at all', newPassword: 'a brand new passphrase' }).expect(403);
    expect(wrong.body).toMatchObject({ code: 'wrong_password', errors: [{ field: 'currentPassword' }] });
    const short = await change({ currentPassword: TEST_PASSWORD, newPassword: 'short' }).expect(422);
    expect(short.body).toMatchObject({ errors: [{ field: 'newPassword' }] });
    await change({ currentPassword: TEST_PASSWORD, newPassword: 'a brand new passphrase' }).expect(204);
    await signIn('demo-hhs-officer', TEST_PASSWORD).expect(401);
    await signIn('demo-hhs-officer', 'a brand new passphrase').expect(201);
  });
});

describe('API keys', () => {
  interface TokenView {
    id: string;
    kind: string;
    label: string;
    expiresAt: string;
    revokedAt: string | null;
  }

  it('is shown once, works, is listed without its secret, and stops at once when revoked', async () => {
    const owner = user('demo-hhs-officer');
    const created = await request(stack.app).post('/api/tokens').set(owner.headers).send({ label: 'letters robot', expiresInDays: 30 }).expect(201);
    const issued = created.body as TokenView & { token: string };
    expect(created.headers['cache-control']).toBe('no-store');
    expect(issued).toMatchObject({ kind: 'api_key', label: 'letters robot', revokedAt: null });
    expect(Date.parse(issued.expiresAt) - Date.now()).toBeGreaterThan(29 * 24 * HOUR_MS);
    await request(stack.app).get('/api/me').set(bearer(issued.token)).expect(200);

    const listed = await request(stack.app).get('/api/tokens').set(owner.headers).expect(200);
    const items = (listed.body as { items: (TokenView & { token?: string })[] }).items;
    expect(items).toContainEqual(expect.objectContaining({ id: issued.id, label: 'letters robot' }));
    expect(items.every((item) => item.token === undefined)).toBe(true);
    expect(JSON.stringify(listed.body)).not.toContain(issued.token.slice(20));

    const revoked = await request(stack.app).post(`/api/tokens/${issued.id}/revoke`).set(owner.headers).expect(200);
    expect((revoked.body as TokenView).revokedAt).toEqual(expect.any(String));
    await request(stack.app).get('/api/me').set(bearer(issued.token)).expect(401);
  });

  it("cannot be revoked by another user (404), only by its owner or an admin", async () => {
    const issued = (await request(stack.app).post('/api/tokens').set(user('demo-ice-officer').headers).send({ label: 'cp robot' }).expect(201)).body as { id: string; token: string };
    const res = await request(stack.app).post(`/api/tokens/${issued.id}/revoke`).set(user('demo-police-officer').headers).expect(404);
    expect(res.body).toMatchObject({ code: 'token_not_found' });
    await request(stack.app).get('/api/me').set(bearer(issued.token)).expect(200);
    await request(stack.app).post(`/api/tokens/${issued.id}/revoke`).set(admin().headers).expect(200);
    await request(stack.app).get('/api/me').set(bearer(issued.token)).expect(401);
  });

  it('records when it was last used', async () => {
    const created = (await request(stack.app).post('/api/tokens').set(user('demo-ice-officer').headers).send({ label: 'usage' }).expect(201)).body as { id: string; token: string; lastUsedAt: string | null };
    expect(created.lastUsedAt).toBeNull();
    await request(stack.app).get('/api/me').set(bearer(created.token)).expect(200);
    const listed = await eventually(async () => {
      const { items } = (await request(stack.app).get('/api/tokens').set(bearer(created.token)).expect(200)).body as { items: { id: string; lastUsedAt: string | null }[] };
      return items.find((token) => token.id === created.id && token.lastUsedAt !== null);
    }, 'lastUsedAt to be recorded');
    expect(Date.now() - Date.parse(listed.lastUsedAt!)).toBeLessThan(60_000);
  });

  it('lasts at most 365 days', async () => {
    const res = await request(stack.app).post('/api/tokens').set(user('demo-advocate').headers).send({ label: 'too long', expiresInDays: 366 }).expect(422);
    expect(res.body).toMatchObject({ status: 422, errors: [expect.objectContaining({ field: 'expiresInDays' })] });
  });
});

describe('administration', () => {
  const newUser = (fields: Record<string, unknown> = {}) => ({ username: 'new-officer', displayName: 'New Officer', agencyId: 'demo-police', roles: ['agency_officer'], ...fields });

  it('creates users whose roles fit their agency, with unique usernames and long passwords', async () => {
    const misfit = await request(stack.app).post('/api/users').set(admin().headers).send(newUser({ roles: ['advocate'] })).expect(422);
    expect(misfit.body).toMatchObject({ code: 'roles_not_for_agency', errors: [expect.objectContaining({ field: 'roles' })] });
    const taken = await request(stack.app).post('/api/users').set(admin().headers).send(newUser({ username: 'demo-police-officer' })).expect(409);
    expect(taken.body).toMatchObject({ code: 'username_taken', errors: [expect.objectContaining({ field: 'username' })] });
    const short = await request(stack.app).post('/api/users').set(admin().headers).send(newUser({ password: 'short pass' })).expect(422);
    expect(short.body).toMatchObject({ errors: [expect.objectContaining({ field: 'password' })] });

    const created = await request(stack.app).post('/api/users').set(admin().headers).send(newUser({ roles: ['agency_officer', 'supervisor'] })).expect(201);
    expect(created.body).toMatchObject({ username: 'new-officer', agencyId: 'demo-police', agencyKind: 'law_enforcement', roles: ['agency_officer', 'supervisor'] });
    const listed = await request(stack.app).get('/api/users').query({ agencyId: 'demo-police' }).set(admin().headers).expect(200);
    const items = (listed.body as { items: { username: string; agencyId: string }[] }).items;
    expect(items.map((u) => u.username)).toEqual(expect.arrayContaining(['demo-police-officer', 'new-officer']));
    expect(items.every((u) => u.agencyId === 'demo-police')).toBe(true);
  });

  it('refuses user and agency administration to everyone but admins', async () => {
    for (const username of ['demo-coordinator', 'demo-supervisor', 'demo-police-officer']) {
      const headers = user(username).headers;
      await request(stack.app).post('/api/users').set(headers).send(newUser({ username: `by-${username}` })).expect(403);
      await request(stack.app).get('/api/users').set(headers).expect(403);
      await request(stack.app).post('/api/agencies').set(headers).send({ id: 'sneaky-agency', kind: 'hhs', name: 'Sneaky' }).expect(403);
    }
    const { rows } = await stack.pool.query('SELECT 1 FROM agencies WHERE id = $1 UNION ALL SELECT 1 FROM users WHERE username LIKE $2', ['sneaky-agency', 'by-%']);
    expect(rows).toEqual([]);
  });

  it('registers agencies of a fixed kind', async () => {
    const agency = { id: 'county-sheriff', kind: 'law_enforcement', name: 'County Sheriff (fictitious)', email: 'unit@sheriff.example.gov' };
    await request(stack.app).post('/api/agencies').set(admin().headers).send(agency).expect(201);
    await request(stack.app).post('/api/agencies').set(admin().headers).send({ ...agency, name: 'County Sheriff Office (fictitious)' }).expect(201);
    const changed = await request(stack.app).post('/api/agencies').set(admin().headers).send({ ...agency, kind: 'hhs' }).expect(409);
    expect(changed.body).toMatchObject({ code: 'agency_kind_fixed', errors: [expect.objectContaining({ field: 'kind' })] });
    const invalid = await request(stack.app).post('/api/agencies').set(admin().headers).send({ ...agency, kind: 'militia' }).expect(422);
    expect(invalid.body).toMatchObject({ errors: [expect.objectContaining({ field: 'kind' })] });
    const listed = await request(stack.app).get('/api/agencies').set(user('demo-advocate').headers).expect(200);
    expect((listed.body as { items: unknown[] }).items).toContainEqual({ ...agency, name: 'County Sheriff Office (fictitious)' });
  });
});

describe('npm run admin -- create-admin', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await startTestDatabase();
  });
  afterAll(async () => {
    await db?.stop();
  });

  const run = promisify(execFile);
  const ROOT = join(__dirname, '..', '..');
  const IDENTITY_KEYS = `admin-test:${randomBytes(32).toString('base64')}`;
  // The command reads the service's whole configuration, as production sets it (no mail is sent).
  const SMTP_URL = 'smtp://mail.internal:25';

  /** Runs the command as an operator would, with only the environment given here. */
  async function adminCommand(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'admin.ts', ...args], {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', ...env },
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code?: number; stdout: string; stderr: string };
      return { code: failed.code ?? -1, stdout: failed.stdout, stderr: failed.stderr };
    }
  }

  const args = (username: string) => [
    'create-admin',
    '--username', username,
    '--display-name', 'First Administrator',
    '--agency', 'state-task-force',
    '--agency-kind', 'coordinator',
    '--agency-name', 'State Task Force (fictitious)',
  ];

  it('creates the first admin and its agency, with a printed password that signs in', async () => {
    const result = await adminCommand(args('first-admin'), { DATABASE_URL: db.connectionString, MIGRATION_DATABASE_URL: db.ownerConnectionString, IDENTITY_KEYS, SMTP_URL });
    expect(result).toMatchObject({ code: 0 });
    const password = /Password \(shown once, store it safely\): (\S+)/.exec(result.stdout)?.[1];
    expect(password).toEqual(expect.any(String));

    const app = createApp({ logger: createLogger({ level: 'silent' }), pool: db.pool, cases: stack.cases, ready: async () => ({ ok: true, checks: {} }) });
    const session = await request(app).post('/api/auth/sign-in').send({ username: 'first-admin', password }).expect(201);
    const me = await request(app).get('/api/me').set(bearer((session.body as { token: string }).token)).expect(200);
    expect(me.body).toMatchObject({ user: { username: 'first-admin', agencyId: 'state-task-force', agencyKind: 'coordinator', roles: ['admin'] }, can: { administer: true, openCases: false } });
    const { rows } = await db.pool.query<{ action: string }>("SELECT action FROM audit_events WHERE username = 'first-admin'");
    expect(rows.map((row) => row.action)).toEqual(['user.create_admin', 'auth.sign_in']);

    const again = await adminCommand(args('first-admin'), { DATABASE_URL: db.connectionString, MIGRATION_DATABASE_URL: db.ownerConnectionString, IDENTITY_KEYS, SMTP_URL });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('taken');
  });

  it('exits 2 without DATABASE_URL, with a clear message', async () => {
    const result = await adminCommand(args('second-admin'), {});
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('DATABASE_URL is not set');
  });

  it('exits 2 on a bad --username, naming it', async () => {
    const result = await adminCommand(args('Not A Username'), { DATABASE_URL: db.connectionString, IDENTITY_KEYS, SMTP_URL });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--username');
    const { rows } = await db.pool.query("SELECT 1 FROM users WHERE display_name = 'First Administrator' AND username <> 'first-admin'");
    expect(rows).toEqual([]);
  });
});
