/**
 * Accounts on the real stack: signing in and out, sessions that expire, API keys, the administration of users and
 * agencies, and the `admin create-admin` command run as a real child process against a real database.
 */
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import request from 'supertest';
import { createApp } from '../../api/app';
import { createServices } from '../../app/services';
import { createLogger } from '../../core/logger';
import { upsertAgencies } from '../../db/agencies';
import { issueToken } from '../../db/tokens';
import { ROLES } from '../../domain/types';
import { setPassword } from '../../db/users';
import { bearer, createTestUser, createWorker, TEST_PASSWORD, TEST_SCRYPT_COST, type TestUser } from '../support/auth';
import { startTestDatabase, type TestDatabase } from '../support/postgres';
import { eventually, startStack, type Stack } from '../support/stack';
import { wallClock } from '../../core/clock';
import { TOKEN_SHAPE } from '../../core/token-format';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
// Many tests here sign in from the one test address: each starts with the sign-in limit unspent.
beforeEach(async () => {
  await stack.resetRateLimits();
});
afterAll(async () => {
  await stack?.stop();
});

const user = (username: string): TestUser => stack.users[username]!;
/** The task force's admin: administers demo-task-force's users only. */
const admin = () => user('demo-admin');
/** Administers every agency and its admins (created by `admin create-admin`; seeded here). */
const systemAdmin = () => user('demo-system-admin');
const HOUR_MS = 3600 * 1000;

const signIn = (username: string, password: string) =>
  request(stack.app).post('/api/auth/sign-in').send({ username, password });

/** The audit rows the request behind this response left. */
async function auditOf(
  res: request.Response,
): Promise<{ action: string; outcome: string; user_id: string | null; detail: string | null }[]> {
  const { rows } = await stack.pool.query<{
    action: string;
    outcome: string;
    user_id: string | null;
    detail: string | null;
  }>('SELECT action, outcome, user_id, detail FROM audit_events WHERE request_id = $1', [res.headers['x-request-id']]);
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
    expect(me.body).toMatchObject({
      user: { username: 'demo-police-officer', agencyId: 'demo-police' },
      can: { openCases: true, signSteps: true, readAudit: false, administer: false, readReports: false },
    });
    expect(await auditOf(res)).toEqual([
      expect.objectContaining({
        action: 'auth.sign_in',
        outcome: 'allowed',
        user_id: user('demo-police-officer').user.id,
      }),
    ]);
  });

  it('audits a disabled user’s sign-in as such, saying whether their password was right, answered as any wrong one', async () => {
    // A user no other test here makes (createWorker names them after their agency), then disabled.
    const departed = await createWorker(stack.pool, 'demo-advocates', 'advocate');
    const { username } = departed.user;
    await request(stack.app).post(`/api/users/${departed.user.id}/disable`).set(systemAdmin().headers).expect(200);
    const right = await signIn(username, TEST_PASSWORD).expect(401);
    const wrong = await signIn(username, 'not the password at all').expect(401);
    const { requestId: _a, ...rightAnswer } = right.body as Record<string, unknown>;
    const { requestId: _b, ...wrongAnswer } = wrong.body as Record<string, unknown>;
    expect(rightAnswer).toEqual(wrongAnswer);
    expect(rightAnswer).toMatchObject({ status: 401, code: 'invalid_credentials' });
    const denied = { action: 'auth.sign_in', outcome: 'denied', user_id: departed.user.id };
    expect(await auditOf(right)).toEqual([{ ...denied, detail: 'user_disabled; password_right' }]);
    expect(await auditOf(wrong)).toEqual([{ ...denied, detail: 'user_disabled; password_wrong' }]);
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
      expect.objectContaining({
        action: 'auth.sign_in',
        outcome: 'denied',
        user_id: user('demo-police-officer').user.id,
        detail: 'password_wrong',
      }),
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
    const created = await request(stack.app)
      .post('/api/users')
      .set(systemAdmin().headers)
      .send({
        username: 'leaving-officer',
        displayName: 'Leaving Officer',
        agencyId: 'demo-police',
        roles: ['agency_officer'],
        password,
      })
      .expect(201);
    const userId = (created.body as { id: string }).id;
    const { token } = (await signIn('leaving-officer', password).expect(201)).body as { token: string };
    const key = (
      await request(stack.app)
        .post('/api/tokens')
        .set(bearer(token))
        .send({ label: 'script', currentPassword: password })
        .expect(201)
    ).body as { token: string };
    await request(stack.app).get('/api/me').set(bearer(key.token)).expect(200);

    await request(stack.app).post(`/api/users/${userId}/disable`).set(user('demo-coordinator').headers).expect(403);
    await request(stack.app).post(`/api/users/${userId}/disable`).set(admin().headers).expect(403);
    const disabled = await request(stack.app)
      .post(`/api/users/${userId}/disable`)
      .set(systemAdmin().headers)
      .expect(200);
    expect((disabled.body as { disabledAt: string | null }).disabledAt).toEqual(expect.any(String));

    for (const dead of [token, key.token]) {
      const res = await request(stack.app).get('/api/me').set(bearer(dead)).expect(401);
      expect(res.body).toMatchObject({ code: 'invalid_token' });
    }
    await signIn('leaving-officer', password).expect(401);
  });

  it('refuses an expired session or API key with invalid_token, saying it expired and when to whoever holds it', async () => {
    const expiresAt = new Date(Date.now() - 1000);
    const expired = (kind: 'session' | 'api_key') =>
      issueToken(stack.pool, { userId: user('demo-advocate').user.id, kind, label: 'expired', expiresAt });
    const said = '"The access token expired"';
    const answered = async (token: string) => {
      const res = await request(stack.app).get('/api/me').set(bearer(token)).expect(401);
      expect(res.body).toMatchObject({ status: 401, code: 'invalid_token' });
      return { detail: (res.body as { detail: string }).detail, challenge: res.headers['www-authenticate'] };
    };
    expect(await answered((await expired('session')).token)).toEqual({
      detail: `This session expired at ${expiresAt.toISOString()}: sign in again.`,
      challenge: `Bearer realm="relief-cases", error="invalid_token", error_description=${said}`,
    });
    // A nightly sync's key runs out on a day: its log says so, not "malformed, unknown, expired or revoked".
    const key = await expired('api_key');
    expect(await answered(key.token)).toEqual({
      detail: `This API key expired at ${expiresAt.toISOString()}: its user makes a new one (POST /api/tokens) for the script to send instead.`,
      challenge: `Bearer realm="relief-cases", error="invalid_token", error_description=${said}`,
    });
    // Its id with another secret is no one's key, and revoked it is one that opens nothing: told no more of either.
    const generic = {
      detail: 'The token is not valid: malformed, unknown, expired, revoked, or a session left unused too long.',
      challenge: 'Bearer realm="relief-cases", error="invalid_token"',
    };
    expect(await answered(`rc_${key.id}_${randomBytes(32).toString('base64url')}`)).toEqual(generic);
    await request(stack.app).post(`/api/tokens/${key.id}/revoke`).set(user('demo-advocate').headers).expect(200);
    expect(await answered(key.token)).toEqual(generic);
  });

  it('ends a session left unused for 30 minutes, as a console left open on a shared computer', async () => {
    const idOf = (token: string) => TOKEN_SHAPE.exec(token)![1]!;
    /** A session whose last use (or its sign-in, when never used since) was `minutes` ago. */
    const sessionUnusedFor = async (minutes: number, used: boolean) => {
      const { token } = (await signIn('demo-advocate', TEST_PASSWORD).expect(201)).body as { token: string };
      await stack.pool.query(
        `UPDATE access_tokens
            SET created_at = now() - CASE WHEN $2 THEN interval '1 hour' ELSE $1 * interval '1 minute' END,
                last_used_at = CASE WHEN $2 THEN now() - $1 * interval '1 minute' END
          WHERE id = $3`,
        [minutes, used, idOf(token)],
      );
      return token;
    };
    // Used 29 minutes ago, or signed in 29 minutes ago and not used since: it still works.
    for (const used of [true, false])
      await request(stack.app)
        .get('/api/me')
        .set(bearer(await sessionUnusedFor(29, used)))
        .expect(200);
    // 31 minutes: the next person at the keyboard is not its user.
    for (const used of [true, false]) {
      const token = await sessionUnusedFor(31, used);
      const res = await request(stack.app).get('/api/me').set(bearer(token)).expect(401);
      expect(res.body).toMatchObject({
        status: 401,
        code: 'invalid_token',
        detail: 'The token is not valid: malformed, unknown, expired, revoked, or a session left unused too long.',
      });
      expect(await auditOf(res)).toEqual([
        expect.objectContaining({
          action: 'auth.token_refused',
          outcome: 'denied',
          user_id: user('demo-advocate').user.id,
          detail: `token ${idOf(token)}; left idle; GET /api/me`,
        }),
      ]);
    }
    // An API key, made for scripts that call now and then, has no idle limit.
    const key = user('demo-advocate');
    await stack.pool.query(`UPDATE access_tokens SET last_used_at = now() - interval '5 hours' WHERE id = $1`, [
      idOf(key.token),
    ]);
    await request(stack.app).get('/api/me').set(key.headers).expect(200);
  });

  it('signs out by revoking the session it is called with', async () => {
    const { token } = (await signIn('demo-advocate', TEST_PASSWORD).expect(201)).body as { token: string };
    const res = await request(stack.app).post('/api/auth/sign-out').set(bearer(token)).expect(204);
    expect(await auditOf(res)).toEqual([
      expect.objectContaining({ action: 'auth.sign_out', outcome: 'allowed', user_id: user('demo-advocate').user.id }),
    ]);
    await request(stack.app).get('/api/me').set(bearer(token)).expect(401);
    // Other tokens of the same user are untouched.
    await request(stack.app).get('/api/me').set(user('demo-advocate').headers).expect(200);
  });

  it('changes your own password only with the current one, and only to a long one', async () => {
    const me = await createTestUser(stack.pool, {
      username: 'password-changer',
      agencyId: 'demo-hhs-otip',
      roles: ['agency_officer'],
      password: TEST_PASSWORD,
    });
    const change = (body: object) => request(stack.app).post('/api/me/password').set(me.headers).send(body);
    const wrong = await change({ currentPassword: 'not it at all', newPassword: 'a brand new passphrase' }).expect(403);
    expect(wrong.body).toMatchObject({ code: 'wrong_password', errors: [{ field: 'currentPassword' }] });
    const short = await change({ currentPassword: TEST_PASSWORD, newPassword: 'short' }).expect(422);
    expect(short.body).toMatchObject({ errors: [{ field: 'newPassword' }] });
    await change({ currentPassword: TEST_PASSWORD, newPassword: 'a brand new passphrase' }).expect(204);
    await signIn('password-changer', TEST_PASSWORD).expect(401);
    await signIn('password-changer', 'a brand new passphrase').expect(201);
  });

  it('refuses a new password that is common or breached, one character repeated, or the username, saying why', async () => {
    const me = await createTestUser(stack.pool, {
      username: 'careless-changer',
      agencyId: 'demo-police',
      roles: ['agency_officer'],
      password: TEST_PASSWORD,
    });
    const change = (newPassword: string) =>
      request(stack.app).post('/api/me/password').set(me.headers).send({ currentPassword: TEST_PASSWORD, newPassword });
    const refusals: [string, RegExp][] = [
      ['aaaaaaaaaaaa', /one character repeated/],
      ['password1234', /too common/],
      ['qwertyuiop123', /too common/],
      ['Iloveyou2026!', /too common/],
      ['careless-changer 2026', /username/],
    ];
    for (const [newPassword, why] of refusals) {
      const res = await change(newPassword).expect(422);
      expect(res.body).toMatchObject({
        status: 422,
        code: 'weak_password',
        errors: [{ field: 'newPassword', message: expect.stringMatching(why) as unknown }],
      });
      expect((res.body as { detail: string }).detail).toMatch(/^Choose another password: /);
    }
    expect((await change('password1234')).body).toMatchObject({
      errors: [{ message: 'this password is too common (it is in lists of breached passwords); choose another' }],
    });
    // Refused changes leave the password and the user's key as they were.
    await request(stack.app).get('/api/me').set(me.headers).expect(200);
    await change('a sentence of my own choosing').expect(204);

    const created = await request(stack.app)
      .post('/api/users')
      .set(systemAdmin().headers)
      .send({
        username: 'weakly-created',
        displayName: 'Weakly Created',
        agencyId: 'demo-police',
        roles: ['agency_officer'],
        password: 'qwertyuiop123',
      })
      .expect(422);
    expect(created.body).toMatchObject({
      code: 'weak_password',
      errors: [{ field: 'password', message: expect.stringMatching(/too common/) as unknown }],
    });
    expect(await stack.pool.query("SELECT 1 FROM users WHERE username = 'weakly-created'")).toMatchObject({ rows: [] });
  });

  it('revokes every other session and API key of the user on a password change, keeping the one that made it', async () => {
    const me = await createTestUser(stack.pool, {
      username: 'revoking-changer',
      agencyId: 'demo-police',
      roles: ['agency_officer'],
      password: TEST_PASSWORD,
    });
    const sessionOf = async () =>
      ((await signIn('revoking-changer', TEST_PASSWORD).expect(201)).body as { token: string }).token;
    const [changing, other] = [await sessionOf(), await sessionOf()];
    const minted = (
      await request(stack.app)
        .post('/api/tokens')
        .set(bearer(other))
        .send({ label: 'script', currentPassword: TEST_PASSWORD })
        .expect(201)
    ).body as { token: string };
    const { token: stranger } = await issueToken(stack.pool, {
      userId: user('demo-police-officer').user.id,
      kind: 'session',
      label: 'someone else',
      expiresAt: new Date(Date.now() + HOUR_MS),
    });

    const res = await request(stack.app)
      .post('/api/me/password')
      .set(bearer(changing))
      .send({ currentPassword: TEST_PASSWORD, newPassword: 'a passphrase nobody saw' })
      .expect(204);
    expect(await auditOf(res)).toEqual([
      expect.objectContaining({ action: 'auth.password_change', outcome: 'allowed', user_id: me.user.id }),
    ]);
    for (const revoked of [other, minted.token, me.token]) {
      expect((await request(stack.app).get('/api/me').set(bearer(revoked)).expect(401)).body).toMatchObject({
        code: 'invalid_token',
      });
    }
    await request(stack.app).get('/api/me').set(bearer(changing)).expect(200);
    await request(stack.app).get('/api/me').set(bearer(stranger)).expect(200);
  });

  it('revokes every token of the user, none kept, when the password is set by someone else (a reset)', async () => {
    // An app of its own: the file's sign-ins have spent the address's limit on stack.app.
    const app = stack.appWith({});
    const target = await createTestUser(stack.pool, {
      username: 'reset-target',
      agencyId: 'demo-police',
      roles: ['agency_officer'],
      password: TEST_PASSWORD,
    });
    const session = (
      (
        await request(app)
          .post('/api/auth/sign-in')
          .send({ username: 'reset-target', password: TEST_PASSWORD })
          .expect(201)
      ).body as { token: string }
    ).token;
    await setPassword(stack.pool, target.user.id, 'a reset passphrase given', {
      now: new Date(),
      cost: TEST_SCRYPT_COST,
    });
    for (const revoked of [session, target.token]) await request(app).get('/api/me').set(bearer(revoked)).expect(401);
    await request(app)
      .post('/api/auth/sign-in')
      .send({ username: 'reset-target', password: 'a reset passphrase given' })
      .expect(201);
  });
});

describe("an admin's reset of a forgotten password, and enabling a disabled user", () => {
  type Given = { user: { id: string; disabledAt: string | null }; temporaryPassword: string };
  const reset = (userId: string, who: TestUser) =>
    request(stack.app).post(`/api/users/${userId}/password-reset`).set(who.headers);
  const enable = (userId: string, who: TestUser) =>
    request(stack.app).post(`/api/users/${userId}/enable`).set(who.headers);
  /** A user of the task force (the agency demo-admin administers), signed in once and holding an API key. */
  async function forgetful(username: string) {
    const target = await createTestUser(stack.pool, {
      username,
      agencyId: 'demo-task-force',
      roles: ['supervisor'],
      password: TEST_PASSWORD,
    });
    const session = ((await signIn(username, TEST_PASSWORD).expect(201)).body as { token: string }).token;
    return { target, tokens: [session, target.token] };
  }
  const revoked = async (tokens: string[]) => {
    for (const token of tokens) {
      const res = await request(stack.app).get('/api/me').set(bearer(token)).expect(401);
      expect(res.body).toMatchObject({ code: 'invalid_token' });
    }
  };

  it("gives a user of the admin's agency a temporary password shown once: the old one and every token stop, the new one signs in", async () => {
    const { target, tokens } = await forgetful('forgetful-supervisor');
    const res = await reset(target.user.id, admin()).expect(200);
    const given = res.body as Given;
    expect(res.headers['cache-control']).toBe('no-store');
    expect(given.user).toMatchObject({ id: target.user.id, disabledAt: null });
    expect(given.temporaryPassword).toMatch(/^[A-Za-z0-9_-]{24}$/);
    await revoked(tokens);
    await signIn('forgetful-supervisor', TEST_PASSWORD).expect(401);
    await signIn('forgetful-supervisor', given.temporaryPassword).expect(201);
    // Audited as the admin's, without the password.
    const rows = await auditOf(res);
    expect(rows).toEqual([
      expect.objectContaining({
        action: 'user.reset_password',
        outcome: 'allowed',
        user_id: admin().user.id,
        detail: `user ${target.user.id}; username ${target.user.username}`,
      }),
    ]);
    expect(JSON.stringify(rows)).not.toContain(given.temporaryPassword);
    // Each reset is a new password: the one before stops.
    const again = (await reset(target.user.id, systemAdmin()).expect(200)).body as Given;
    expect(again.temporaryPassword).not.toBe(given.temporaryPassword);
    await signIn('forgetful-supervisor', given.temporaryPassword).expect(401);
    await signIn('forgetful-supervisor', again.temporaryPassword).expect(201);
  });

  it("lets a system administrator reset any agency's user, an admin's included", async () => {
    const officer = await forgetful('forgetful-officer-of-sysadmin');
    const given = (await reset(officer.target.user.id, systemAdmin()).expect(200)).body as Given;
    await revoked(officer.tokens);
    await signIn('forgetful-officer-of-sysadmin', given.temporaryPassword).expect(201);
    const agencyAdmin = await createTestUser(stack.pool, {
      username: 'forgetful-admin',
      agencyId: 'demo-police',
      roles: ['admin'],
      password: TEST_PASSWORD,
    });
    const forAdmin = (await reset(agencyAdmin.user.id, systemAdmin()).expect(200)).body as Given;
    await signIn('forgetful-admin', forAdmin.temporaryPassword).expect(201);
  });

  it("refuses one's own password, another agency's user, an admin's or a system administrator's to an agency's admin, and a disabled user", async () => {
    const own = await reset(admin().user.id, admin()).expect(409);
    expect(own.body).toMatchObject({ code: 'cannot_reset_own_password' });
    await reset(systemAdmin().user.id, systemAdmin()).expect(409);
    const other = await reset(user('demo-police-officer').user.id, admin()).expect(403);
    expect(other.body).toMatchObject({ code: 'other_agency' });
    const sysadmin = await createTestUser(stack.pool, {
      username: 'sysadmin-of-task-force',
      agencyId: 'demo-task-force',
      roles: ['system_admin'],
      password: TEST_PASSWORD,
    });
    for (const target of [sysadmin, systemAdmin()]) {
      const res = await reset(target.user.id, admin()).expect(403);
      expect(res.body).toMatchObject({ code: expect.stringMatching(/^(admin_not_delegated|other_agency)$/) as string });
    }
    const denied = await reset(user('demo-supervisor').user.id, user('demo-coordinator')).expect(403);
    expect(denied.body).toMatchObject({ code: 'role_not_permitted' });
    expect(await auditOf(denied)).toEqual([
      expect.objectContaining({
        action: 'user.reset_password',
        outcome: 'denied',
        user_id: user('demo-coordinator').user.id,
      }),
    ]);
    await reset('00000000-0000-4000-8000-000000000000', admin()).expect(404);
    // Their passwords are unchanged.
    await signIn('sysadmin-of-task-force', TEST_PASSWORD).expect(201);
    const { target } = await forgetful('disabled-before-reset');
    await request(stack.app).post(`/api/users/${target.user.id}/disable`).set(admin().headers).expect(200);
    const disabled = await reset(target.user.id, admin()).expect(409);
    expect(disabled.body).toMatchObject({ code: 'user_disabled' });
  });

  it('lets a locked account sign in at once with the new password', async () => {
    const { target } = await forgetful('locked-out-supervisor');
    for (let i = 0; i < 6; i++) await signIn('locked-out-supervisor', 'not the password at all').expect(401);
    const locked = await signIn('locked-out-supervisor', TEST_PASSWORD).expect(429);
    expect(locked.body).toMatchObject({ code: 'account_locked' });
    await stack.resetRateLimits();
    const given = (await reset(target.user.id, admin()).expect(200)).body as Given;
    await signIn('locked-out-supervisor', given.temporaryPassword).expect(201);
  });

  it('enables a disabled user with a new temporary password, never the old one, audited', async () => {
    const { target } = await forgetful('returning-supervisor');
    await request(stack.app).post(`/api/users/${target.user.id}/disable`).set(admin().headers).expect(200);
    await signIn('returning-supervisor', TEST_PASSWORD).expect(401);

    await enable(target.user.id, user('demo-coordinator')).expect(403);
    await enable(user('demo-police-officer').user.id, admin()).expect(403);
    const res = await enable(target.user.id, admin()).expect(200);
    const given = res.body as Given;
    expect(given.user).toMatchObject({ id: target.user.id, disabledAt: null });
    const rows = await auditOf(res);
    expect(rows).toEqual([
      expect.objectContaining({
        action: 'user.enable',
        outcome: 'allowed',
        user_id: admin().user.id,
        detail: `user ${target.user.id}; username ${target.user.username}`,
      }),
    ]);
    expect(JSON.stringify(rows)).not.toContain(given.temporaryPassword);
    await signIn('returning-supervisor', TEST_PASSWORD).expect(401);
    const { token } = (await signIn('returning-supervisor', given.temporaryPassword).expect(201)).body as {
      token: string;
    };
    await request(stack.app).get('/api/me').set(bearer(token)).expect(200);
    // The key they held before being disabled stays revoked.
    await revoked([target.token]);
    const active = await enable(target.user.id, admin()).expect(409);
    expect(active.body).toMatchObject({ code: 'user_not_disabled' });
  });

  /**
   * Holds the user's row as a slow transaction would, until `writes` password writes wait on it: what each of them
   * read of the user before was read before any of them wrote. `end` commits, after its statement if given.
   */
  async function heldUserRow(userId: string) {
    const client = await stack.database.owner.connect();
    await client.query('BEGIN');
    await client.query('SELECT 1 FROM users WHERE id = $1 FOR UPDATE', [userId]);
    return {
      waiting: (writes: number) =>
        eventually(
          async () => {
            const { rows } = await stack.database.owner.query<{ n: number }>(
              `SELECT count(*)::int AS n FROM pg_stat_activity
             WHERE wait_event_type = 'Lock' AND query LIKE 'UPDATE users SET password_hash%'`,
            );
            return rows[0]!.n === writes;
          },
          `${writes} password writes waiting`,
          5_000,
        ).catch(async (error: unknown) => {
          await client.query('ROLLBACK');
          client.release();
          throw error;
        }),
      end: async (sql?: string) => {
        if (sql) await client.query(sql, [userId]);
        await client.query('COMMIT');
        client.release();
      },
    };
  }

  it('enables a user once when two admins enable them at once: the other is told they are not disabled', async () => {
    // Probe T1: two enables at once both answered 200, each with its own temporary password, of which only the one
    // written last signed in, and the agency was told twice; sent one after the other, the second answers 409.
    const { target } = await forgetful('enabled-twice-supervisor');
    await request(stack.app).post(`/api/users/${target.user.id}/disable`).set(admin().headers).expect(200);
    const row = await heldUserRow(target.user.id);
    const both = Promise.all([enable(target.user.id, admin()), enable(target.user.id, systemAdmin())]);
    await row.waiting(2);
    await row.end();
    const answers = await both;
    expect(answers.map((res) => res.status).sort()).toEqual([200, 409]);
    const refused = answers.find((res) => res.status === 409)!;
    expect(refused.body).toMatchObject({ code: 'user_not_disabled' });
    expect(await auditOf(refused)).toEqual([expect.objectContaining({ action: 'user.enable', outcome: 'rejected' })]);
    const given = answers.find((res) => res.status === 200)!.body as Given;
    await signIn('enabled-twice-supervisor', given.temporaryPassword).expect(201);
  });

  it('refuses a reset of a user disabled while it was being made, as a reset of a disabled user is', async () => {
    // Probe T1: a reset racing a disable answered 200 with a temporary password for a user who cannot sign in.
    const { target } = await forgetful('disabled-meanwhile-supervisor');
    const row = await heldUserRow(target.user.id);
    // Sent now (a supertest request leaves once awaited).
    const resetting = reset(target.user.id, admin()).then((res) => res);
    await row.waiting(1);
    await row.end('UPDATE users SET disabled_at = now() WHERE id = $1');
    const refused = await resetting;
    expect([refused.status, (refused.body as { code?: string }).code]).toEqual([409, 'user_disabled']);
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
    const created = await request(stack.app)
      .post('/api/tokens')
      .set(owner.headers)
      .send({ label: 'letters robot', expiresInDays: 30, currentPassword: TEST_PASSWORD })
      .expect(201);
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

  it('audits a revoked key still sent as a denial naming the key, its user, the route and the case, within a budget', async () => {
    const owner = user('demo-police-officer');
    const created = await request(stack.app)
      .post('/api/tokens')
      .set(owner.headers)
      .send({ label: 'intake script', currentPassword: TEST_PASSWORD })
      .expect(201);
    const issued = created.body as TokenView & { token: string };
    await request(stack.app).post(`/api/tokens/${issued.id}/revoke`).set(owner.headers).expect(200);
    const caseId = randomUUID();

    const read = await request(stack.app).get(`/api/cases/${caseId}/survivor`).set(bearer(issued.token)).expect(401);
    expect(read.body).toMatchObject({ code: 'invalid_token' });
    const { rows } = await stack.pool.query<{ user_id: string; case_id: string; status: number }>(
      'SELECT user_id, case_id, status FROM audit_events WHERE request_id = $1',
      [read.headers['x-request-id']],
    );
    expect(await auditOf(read)).toEqual([
      {
        action: 'auth.token_refused',
        outcome: 'denied',
        user_id: owner.user.id,
        detail: `token ${issued.id}; revoked; GET /api/cases/:caseId/survivor`,
      },
    ]);
    expect(rows).toEqual([{ user_id: owner.user.id, case_id: caseId, status: 401 }]);
    // Its supervisor's list shows it, as every denial of their agency's users.
    const close = await request(stack.app)
      .post(`/api/cases/not-a-case/close`)
      .set(bearer(issued.token))
      .set('Idempotency-Key', 'close-with-a-revoked-key')
      .send({ outcome: 'closed' })
      .expect(401);
    expect(await auditOf(close)).toEqual([
      expect.objectContaining({ detail: `token ${issued.id}; revoked; POST /api/cases/:caseId/close` }),
    ]);

    // The key's id with another secret, or text that is no token, names no one and leaves no row.
    const forged = `rc_${issued.id}_${randomBytes(24).toString('base64url')}`;
    for (const token of [forged, 'rc_0000000000000000_nothing-of-ours'])
      expect(await auditOf(await request(stack.app).get('/api/me').set(bearer(token)).expect(401))).toEqual([]);

    // A script that keeps sending it writes no more than the user's budget of refusals a minute (30), all still 401.
    const more = [];
    for (let n = 0; n < 30; n += 1) more.push(await request(stack.app).get('/api/me').set(bearer(issued.token)));
    expect(more.every((res) => res.status === 401)).toBe(true);
    const written = (await Promise.all(more.map(auditOf))).filter((audited) => audited.length > 0);
    expect(written).toHaveLength(28);
  });

  it('takes a 20th live key and refuses the 21st, 409 saying to revoke one; a revoked key frees its place', async () => {
    // Made with one live key of its own (its headers'); 18 more straight in the database, so the API makes the 20th.
    const owner = await createTestUser(stack.pool, {
      username: 'key-hoarder',
      agencyId: 'demo-police',
      roles: ['agency_officer'],
      password: TEST_PASSWORD,
    });
    for (let n = 0; n < 18; n += 1)
      await issueToken(stack.pool, {
        userId: owner.user.id,
        kind: 'api_key',
        label: `Key ${n}`,
        expiresAt: new Date(Date.now() + HOUR_MS),
      });
    const live = async () =>
      (
        (await request(stack.app).get('/api/tokens').query({ kind: 'api_key', limit: 100 }).set(owner.headers))
          .body as { items: TokenView[] }
      ).items.filter((key) => key.revokedAt === null).length;
    expect(await live()).toBe(19);
    const make = (label: string) =>
      request(stack.app).post('/api/tokens').set(owner.headers).send({ label, currentPassword: TEST_PASSWORD });
    const twentieth = (await make('The 20th').expect(201)).body as TokenView;
    expect(await live()).toBe(20);
    const refused = await make('One too many').expect(409);
    expect(refused.body).toMatchObject({
      code: 'too_many_api_keys',
      detail: expect.stringMatching(/20 API keys in use.*Revoke one/) as unknown,
    });
    expect(await live()).toBe(20);
    await request(stack.app).post(`/api/tokens/${twentieth.id}/revoke`).set(owner.headers).expect(200);
    await make('After revoking').expect(201);
  });

  it("cannot be revoked by another user (404), nor by another agency's admin, only by its owner or an admin of theirs", async () => {
    const issued = (
      await request(stack.app)
        .post('/api/tokens')
        .set(user('demo-ice-officer').headers)
        .send({ label: 'cp robot', currentPassword: TEST_PASSWORD })
        .expect(201)
    ).body as { id: string; token: string };
    const res = await request(stack.app)
      .post(`/api/tokens/${issued.id}/revoke`)
      .set(user('demo-police-officer').headers)
      .expect(404);
    expect(res.body).toMatchObject({ code: 'token_not_found' });
    const byOtherAdmin = await request(stack.app)
      .post(`/api/tokens/${issued.id}/revoke`)
      .set(admin().headers)
      .expect(404);
    expect(byOtherAdmin.body).toMatchObject({ code: 'token_not_found' });
    await request(stack.app).get('/api/me').set(bearer(issued.token)).expect(200);
    await request(stack.app).post(`/api/tokens/${issued.id}/revoke`).set(systemAdmin().headers).expect(200);
    await request(stack.app).get('/api/me').set(bearer(issued.token)).expect(401);
  });

  it("can be listed by an admin of its owner's, to revoke it; not by another agency's admin, nor for an admin", async () => {
    const ownAgency = admin().user.agencyId;
    const keyholder = await createTestUser(stack.pool, {
      username: 'listed-keyholder',
      agencyId: ownAgency,
      roles: ['coordinator'],
      password: TEST_PASSWORD,
    });
    const issued = (
      await request(stack.app)
        .post('/api/tokens')
        .set(keyholder.headers)
        .send({ label: 'listed robot', currentPassword: TEST_PASSWORD })
        .expect(201)
    ).body as { id: string; token: string };
    const listOf = (userId: string, headers: Record<string, string>) =>
      request(stack.app).get('/api/tokens').query({ userId, kind: 'api_key' }).set(headers);

    const listed = await listOf(keyholder.user.id, admin().headers).expect(200);
    const items = (listed.body as { items: (TokenView & { token?: string })[] }).items;
    expect(items).toContainEqual(expect.objectContaining({ id: issued.id, label: 'listed robot', revokedAt: null }));
    expect(JSON.stringify(listed.body)).not.toContain(issued.token.slice(20));
    // The admin's own list is theirs still: the key is not in it.
    const own = await request(stack.app).get('/api/tokens').set(admin().headers).expect(200);
    expect(JSON.stringify(own.body)).not.toContain(issued.id);
    await request(stack.app).post(`/api/tokens/${issued.id}/revoke`).set(admin().headers).expect(200);
    await request(stack.app).get('/api/me').set(bearer(issued.token)).expect(401);

    // The same delegation as the other user admin routes: 403 for a user not theirs, 404 for none.
    expect((await listOf(keyholder.user.id, user('demo-police-officer').headers).expect(403)).body).toMatchObject({
      code: 'role_not_permitted',
    });
    expect((await listOf(user('demo-ice-officer').user.id, admin().headers).expect(403)).body).toMatchObject({
      code: 'other_agency',
    });
    const fellowAdmin = await createTestUser(stack.pool, {
      username: 'listed-fellow-admin',
      agencyId: ownAgency,
      roles: ['admin'],
    });
    expect((await listOf(fellowAdmin.user.id, admin().headers).expect(403)).body).toMatchObject({
      code: 'admin_not_delegated',
    });
    await listOf('00000000-0000-4000-8000-000000000000', admin().headers).expect(404);
    await listOf(user('demo-ice-officer').user.id, systemAdmin().headers).expect(200);
    // Anyone may name themselves.
    await listOf(keyholder.user.id, keyholder.headers).expect(200);
  });

  it("lists a user's calendar feeds to an admin of theirs, who may revoke one, as for API keys", async () => {
    const subscriber = await createTestUser(stack.pool, {
      username: 'listed-subscriber',
      agencyId: admin().user.agencyId,
      roles: ['coordinator'],
      password: TEST_PASSWORD,
    });
    const feed = (
      await request(stack.app)
        .post('/api/me/calendar-feeds')
        .set(subscriber.headers)
        .send({ label: 'pasted in the shared calendar', currentPassword: TEST_PASSWORD })
        .expect(201)
    ).body as { id: string; url: string };
    const feedsOf = (userId: string, headers: Record<string, string>) =>
      request(stack.app).get('/api/tokens').query({ userId, kind: 'calendar_feed' }).set(headers);

    const listed = await feedsOf(subscriber.user.id, admin().headers).expect(200);
    expect((listed.body as { items: TokenView[] }).items).toEqual([
      expect.objectContaining({ id: feed.id, kind: 'calendar_feed', label: 'pasted in the shared calendar' }),
    ]);
    expect(JSON.stringify(listed.body)).not.toContain(feed.url.split('/').pop()!.slice(0, 30));
    // Keys and sessions stay the default list: a feed is asked for by its kind.
    const defaults = await request(stack.app)
      .get('/api/tokens')
      .query({ userId: subscriber.user.id })
      .set(admin().headers);
    expect(JSON.stringify(defaults.body)).not.toContain(feed.id);

    // The delegation of the key list: 403 for another agency's user or an admin, 404 for no user.
    expect((await feedsOf(subscriber.user.id, user('demo-police-officer').headers).expect(403)).body).toMatchObject({
      code: 'role_not_permitted',
    });
    expect((await feedsOf(user('demo-ice-officer').user.id, admin().headers).expect(403)).body).toMatchObject({
      code: 'other_agency',
    });
    await feedsOf('00000000-0000-4000-8000-000000000000', admin().headers).expect(404);

    // The one pasted by mistake is revoked by the admin, audited as a key's revocation naming whose it was, and its
    // address answers 404 from then on; the user stays.
    const revoked = await request(stack.app).post(`/api/tokens/${feed.id}/revoke`).set(admin().headers).expect(200);
    const revokedFeed = revoked.body as TokenView;
    expect(revokedFeed).toMatchObject({ id: feed.id, kind: 'calendar_feed' });
    expect(revokedFeed.revokedAt).not.toBeNull();
    expect(await auditOf(revoked)).toEqual([
      {
        action: 'token.revoke',
        outcome: 'allowed',
        user_id: admin().user.id,
        detail: `token ${feed.id}; user ${subscriber.user.id}; username listed-subscriber`,
      },
    ]);
    await request(stack.app).get(new URL(feed.url).pathname).expect(404);
    await request(stack.app).get('/api/me').set(subscriber.headers).expect(200);
  });

  it('records when it was last used', async () => {
    const created = (
      await request(stack.app)
        .post('/api/tokens')
        .set(user('demo-ice-officer').headers)
        .send({ label: 'usage', currentPassword: TEST_PASSWORD })
        .expect(201)
    ).body as { id: string; token: string; lastUsedAt: string | null };
    expect(created.lastUsedAt).toBeNull();
    await request(stack.app).get('/api/me').set(bearer(created.token)).expect(200);
    const listed = await eventually(async () => {
      const { items } = (await request(stack.app).get('/api/tokens').set(bearer(created.token)).expect(200)).body as {
        items: { id: string; lastUsedAt: string | null }[];
      };
      return items.find((token) => token.id === created.id && token.lastUsedAt !== null);
    }, 'lastUsedAt to be recorded');
    expect(Date.now() - Date.parse(listed.lastUsedAt!)).toBeLessThan(60_000);
  });

  it('is created only with the current password, named as the field at fault', async () => {
    const owner = user('demo-advocate');
    const missing = await request(stack.app)
      .post('/api/tokens')
      .set(owner.headers)
      .send({ label: 'no password' })
      .expect(422);
    expect(missing.body).toMatchObject({
      status: 422,
      errors: [expect.objectContaining({ field: 'currentPassword' })],
    });
    const wrong = await request(stack.app)
      .post('/api/tokens')
      .set(owner.headers)
      .send({ label: 'wrong password', currentPassword: 'not the password at all' })
      .expect(403);
    expect(wrong.body).toMatchObject({
      status: 403,
      code: 'wrong_password',
      errors: [{ field: 'currentPassword', message: 'wrong' }],
    });
    const { rows } = await stack.pool.query(
      "SELECT 1 FROM access_tokens WHERE label IN ('no password', 'wrong password')",
    );
    expect(rows).toEqual([]);
    await request(stack.app)
      .post('/api/tokens')
      .set(owner.headers)
      .send({ label: 'right password', currentPassword: TEST_PASSWORD })
      .expect(201);
  });

  it('lasts at most 365 days', async () => {
    const res = await request(stack.app)
      .post('/api/tokens')
      .set(user('demo-advocate').headers)
      .send({ label: 'too long', expiresInDays: 366, currentPassword: TEST_PASSWORD })
      .expect(422);
    expect(res.body).toMatchObject({ status: 422, errors: [expect.objectContaining({ field: 'expiresInDays' })] });
  });
});

describe('administration', () => {
  const newUser = (fields: Record<string, unknown> = {}) => ({
    username: 'new-officer',
    displayName: 'New Officer',
    agencyId: 'demo-police',
    roles: ['agency_officer'],
    ...fields,
  });

  it('creates users whose roles fit their agency, with unique usernames and long passwords', async () => {
    const misfit = await request(stack.app)
      .post('/api/users')
      .set(systemAdmin().headers)
      .send(newUser({ roles: ['advocate'] }))
      .expect(422);
    expect(misfit.body).toMatchObject({
      code: 'roles_not_for_agency',
      errors: [expect.objectContaining({ field: 'roles' })],
    });
    // The agency's kind in words, never its code (law_enforcement).
    expect((misfit.body as { errors: { message: string }[] }).errors[0]!.message).toBe(
      'users of an agency acting as law enforcement may hold agency_officer, supervisor, admin; not advocate',
    );
    const taken = await request(stack.app)
      .post('/api/users')
      .set(systemAdmin().headers)
      .send(newUser({ username: 'demo-police-officer' }))
      .expect(409);
    expect(taken.body).toMatchObject({
      code: 'username_taken',
      errors: [expect.objectContaining({ field: 'username' })],
    });
    const short = await request(stack.app)
      .post('/api/users')
      .set(systemAdmin().headers)
      .send(newUser({ password: 'short pass' }))
      .expect(422);
    expect(short.body).toMatchObject({ errors: [expect.objectContaining({ field: 'password' })] });

    const created = await request(stack.app)
      .post('/api/users')
      .set(systemAdmin().headers)
      .send(newUser({ roles: ['agency_officer', 'supervisor'] }))
      .expect(201);
    expect(created.body).toMatchObject({
      username: 'new-officer',
      agencyId: 'demo-police',
      agencyKind: 'law_enforcement',
      roles: ['agency_officer', 'supervisor'],
    });
    const listed = await request(stack.app)
      .get('/api/users')
      .query({ agencyId: 'demo-police' })
      .set(systemAdmin().headers)
      .expect(200);
    const items = (listed.body as { items: { username: string; agencyId: string }[] }).items;
    expect(items.map((u) => u.username)).toEqual(expect.arrayContaining(['demo-police-officer', 'new-officer']));
    expect(items.every((u) => u.agencyId === 'demo-police')).toBe(true);
  });

  it('lists users one page at a time, as the other lists (limit, cursor, nextCursor), and reads one by id', async () => {
    // It answered every user at once, with no nextCursor, and refused `limit` as an unknown parameter.
    const headers = systemAdmin().headers;
    const pageOf = async (query: Record<string, string | number>) =>
      (await request(stack.app).get('/api/users').query(query).set(headers).expect(200)).body as {
        items: { id: string; username: string; agencyId: string }[];
        nextCursor: string | null;
      };
    const whole = await pageOf({ limit: 200 });
    expect(whole.nextCursor).toBeNull();
    expect(whole.items.length).toBeGreaterThan(4);
    const paged: string[] = [];
    let page = await pageOf({ limit: 2 });
    for (;;) {
      expect(page.items.length).toBeLessThanOrEqual(2);
      paged.push(...page.items.map((u) => u.username));
      if (page.nextCursor === null) break;
      page = await pageOf({ limit: 2, cursor: page.nextCursor });
    }
    // Every user once, by agency and username, as the whole list.
    expect(paged).toEqual(whole.items.map((u) => u.username));

    const first = await pageOf({ limit: 1, agencyId: 'demo-police' });
    const otherFilters = await request(stack.app)
      .get('/api/users')
      .query({ limit: 1, agencyId: 'demo-advocates', cursor: first.nextCursor! })
      .set(headers)
      .expect(400);
    expect(otherFilters.body).toMatchObject({ code: 'invalid_cursor', errors: [{ field: 'cursor' }] });
    const garbled = await request(stack.app).get('/api/users').query({ cursor: 'x.y.z' }).set(headers).expect(400);
    expect(garbled.body).toMatchObject({ code: 'invalid_cursor' });
    const tooMany = await request(stack.app).get('/api/users').query({ limit: 201 }).set(headers).expect(400);
    expect(tooMany.body).toMatchObject({ errors: [{ field: 'limit' }] });

    // One user by id, as the list shows them: an agency's admin their own agency's only.
    const officer = whole.items.find((u) => u.username === 'demo-police-officer')!;
    const read = await request(stack.app).get(`/api/users/${officer.id}`).set(headers).expect(200);
    expect(read.body).toMatchObject({ id: officer.id, username: 'demo-police-officer', agencyId: 'demo-police' });
    const notTheirs = await request(stack.app).get(`/api/users/${officer.id}`).set(user('demo-admin').headers);
    expect(notTheirs.status).toBe(404);
    expect(notTheirs.body).toMatchObject({ code: 'user_not_found' });
  });

  it.each([
    ['a line break', 'Evil\r\nBcc: x@evil.example', 'one line of text'],
    ['a right-to-left override', 'Officer \u202eevil', 'without direction controls'],
    ['a zero-width space only', '\u200b', 'visible text'],
  ])('refuses a display name with %s, naming displayName', async (_what, displayName, message) => {
    const res = await request(stack.app)
      .post('/api/users')
      .set(systemAdmin().headers)
      .send(newUser({ username: 'unreadable-name', displayName }))
      .expect(422);
    expect((res.body as { errors: object[] }).errors).toEqual([
      { field: 'displayName', message: expect.stringContaining(message) as unknown },
    ]);
  });

  it('creates users whose names have accents or another script, as typed', async () => {
    for (const [username, displayName] of [
      ['accented-officer', 'José Müller-Núñez'],
      ['arabic-officer', 'فاطمة الزهراء'],
      ['hindi-officer', 'अनन्या शर्मा'],
    ]) {
      const created = await request(stack.app)
        .post('/api/users')
        .set(systemAdmin().headers)
        .send(newUser({ username, displayName }))
        .expect(201);
      expect(created.body).toMatchObject({ username, displayName });
    }
  });

  it("creates an agency's admin's user in their own agency when agencyId is left out; a system administrator must name it", async () => {
    const { agencyId: _, ...unplaced } = newUser({ username: 'placed-coordinator', roles: ['coordinator'] });
    const unnamed = await request(stack.app).post('/api/users').set(systemAdmin().headers).send(unplaced).expect(422);
    expect(unnamed.body).toMatchObject({
      detail: 'Name the agency the user works for (agencyId).',
      errors: [{ field: 'agencyId', message: 'which agency the user works for' }],
    });
    const created = await request(stack.app).post('/api/users').set(admin().headers).send(unplaced).expect(201);
    expect(created.body).toMatchObject({ username: 'placed-coordinator', agencyId: 'demo-task-force' });
  });

  it('refuses user and agency administration to everyone but admins', async () => {
    for (const username of ['demo-coordinator', 'demo-supervisor', 'demo-police-officer']) {
      const headers = user(username).headers;
      await request(stack.app)
        .post('/api/users')
        .set(headers)
        .send(newUser({ username: `by-${username}` }))
        .expect(403);
      await request(stack.app).get('/api/users').set(headers).expect(403);
      await request(stack.app)
        .post('/api/agencies')
        .set(headers)
        .send({ id: 'sneaky-agency', kind: 'hhs', name: 'Sneaky' })
        .expect(403);
    }
    const { rows } = await stack.pool.query(
      'SELECT 1 FROM agencies WHERE id = $1 UNION ALL SELECT 1 FROM users WHERE username LIKE $2',
      ['sneaky-agency', 'by-%'],
    );
    expect(rows).toEqual([]);
  });

  it('has the users table accept exactly the roles of domain/access.ts', async () => {
    const { rows } = await stack.pool.query<{ def: string }>(
      "SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conname = 'users_roles_check'",
    );
    expect([...(rows[0]?.def ?? '').matchAll(/'(\w+)'::text/g)].map((match) => match[1])).toEqual([...ROLES]);
  });

  it('registers agencies of a fixed kind', async () => {
    const agency = {
      id: 'county-sheriff',
      kind: 'law_enforcement',
      name: 'County Sheriff (fictitious)',
      email: 'unit@sheriff.example.gov',
    };
    const byAgencyAdmin = await request(stack.app).post('/api/agencies').set(admin().headers).send(agency).expect(403);
    expect(byAgencyAdmin.body).toMatchObject({ code: 'role_not_permitted' });
    await request(stack.app).post('/api/agencies').set(systemAdmin().headers).send(agency).expect(201);
    await request(stack.app)
      .post('/api/agencies')
      .set(systemAdmin().headers)
      .send({ ...agency, name: 'County Sheriff Office (fictitious)' })
      .expect(201);
    const changed = await request(stack.app)
      .post('/api/agencies')
      .set(systemAdmin().headers)
      .send({ ...agency, kind: 'hhs' })
      .expect(409);
    expect(changed.body).toMatchObject({
      code: 'agency_kind_fixed',
      errors: [expect.objectContaining({ field: 'kind' })],
      // The kind in words, never its code (law_enforcement).
      detail: 'Agency county-sheriff acts as law enforcement: its kind cannot change.',
    });
    const invalid = await request(stack.app)
      .post('/api/agencies')
      .set(systemAdmin().headers)
      .send({ ...agency, kind: 'militia' })
      .expect(422);
    expect(invalid.body).toMatchObject({ errors: [expect.objectContaining({ field: 'kind' })] });
    const listed = await request(stack.app).get('/api/agencies').set(user('demo-advocate').headers).expect(200);
    expect((listed.body as { items: unknown[] }).items).toContainEqual({
      ...agency,
      name: 'County Sheriff Office (fictitious)',
      timeZone: null,
      dailyDigest: false,
    });
  });
});

describe("notices to the agency's own address", () => {
  /** The captured messages to `agencyId`'s addresses, once `count` of them arrived. */
  const noticesAbout = (agencyId: string, count: number) =>
    eventually(() => {
      // Each test agency's addresses are at a domain named after its id; the notices name it by its name.
      const found = stack.mail.messages().filter((message) => message.to.some((address) => address.includes(agencyId)));
      return found.length >= count && found;
    }, `${count} notice(s) about ${agencyId}`);

  it("tells an agency's address of a user added to it, by its own admin or a system administrator, without the password", async () => {
    const password = 'a long enough password 2';
    await upsertAgencies(stack.pool, [
      {
        id: 'notice-police',
        kind: 'law_enforcement',
        name: 'Notice Police (fictitious)',
        email: 'unit@notice-police.example.gov',
      },
    ]);
    const ownAdmin = await createTestUser(stack.pool, {
      username: 'notice-police-admin',
      agencyId: 'notice-police',
      roles: ['admin'],
    });
    await request(stack.app)
      .post('/api/users')
      .set(ownAdmin.headers)
      .send({
        username: 'notice-officer',
        displayName: 'Notice Officer (fictitious)',
        agencyId: 'notice-police',
        roles: ['agency_officer'],
        password,
      })
      .expect(201);
    await request(stack.app)
      .post('/api/users')
      .set(systemAdmin().headers)
      .send({
        username: 'notice-second-admin',
        displayName: 'Second Admin (fictitious)',
        agencyId: 'notice-police',
        roles: ['admin'],
      })
      .expect(201);

    // Sent after each answer, so they may arrive in either order.
    const notices = await noticesAbout('notice-police', 2);
    expect(notices.map(({ to, subject }) => ({ to, subject }))).toEqual([
      { to: ['unit@notice-police.example.gov'], subject: 'A user was added to Notice Police (fictitious)' },
      { to: ['unit@notice-police.example.gov'], subject: 'A user was added to Notice Police (fictitious)' },
    ]);
    const about = (username: string) => notices.find((notice) => notice.text.includes(`The user ${username} `))!.text;
    expect(about('notice-officer')).toContain(
      'The user notice-officer was added to your agency, Notice Police (fictitious), with the roles: agency officer.',
    );
    expect(about('notice-officer')).toContain('Added by Test notice-police-admin of Notice Police (fictitious) on ');
    expect(about('notice-second-admin')).toContain(
      'The user notice-second-admin was added to your agency, Notice Police (fictitious), with the roles: admin.',
    );
    expect(about('notice-second-admin')).toContain(
      'Added by Demo System Administrator (fictitious) of Demo Anti-Trafficking Task Force (fictitious) on ',
    );
    // No password, no display name: the notice says that an account exists, not who holds it.
    for (const notice of notices) expect(notice.text).not.toMatch(/long enough password|Notice Officer|Second Admin/);
  });

  it("tells an agency's address of a user given a new temporary password or enabled again, never the password", async () => {
    await upsertAgencies(stack.pool, [
      { id: 'notice-hhs', kind: 'hhs', name: 'Notice HHS (fictitious)', email: 'desk@notice-hhs.example.gov' },
    ]);
    const target = await createTestUser(stack.pool, {
      username: 'notice-hhs-officer',
      agencyId: 'notice-hhs',
      roles: ['agency_officer'],
    });
    const reset = await request(stack.app)
      .post(`/api/users/${target.user.id}/password-reset`)
      .set(systemAdmin().headers)
      .expect(200);
    await request(stack.app).post(`/api/users/${target.user.id}/disable`).set(systemAdmin().headers).expect(200);
    const enabled = await request(stack.app)
      .post(`/api/users/${target.user.id}/enable`)
      .set(systemAdmin().headers)
      .expect(200);

    const notices = await noticesAbout('notice-hhs', 2);
    expect(notices.map(({ subject }) => subject).sort()).toEqual([
      'A user of Notice HHS (fictitious) has a new password',
      'A user of Notice HHS (fictitious) was enabled again',
    ]);
    const texts = notices.map((notice) => notice.text).join('\n');
    expect(texts).toContain(
      'The user notice-hhs-officer of your agency, Notice HHS (fictitious), was given a new temporary password',
    );
    expect(texts).toContain(
      'Set by Demo System Administrator (fictitious) of Demo Anti-Trafficking Task Force (fictitious) on ',
    );
    for (const given of [reset, enabled])
      expect(texts).not.toContain((given.body as { temporaryPassword: string }).temporaryPassword);
  });

  it('tells the old address and the new one of a change of notification address; a refused change tells nobody and changes nothing', async () => {
    const agency = {
      id: 'notice-advocates',
      kind: 'advocate',
      name: 'Notice Advocates (fictitious)',
      email: 'intake@notice-advocates.example.org',
    };
    await request(stack.app).post('/api/agencies').set(systemAdmin().headers).send(agency).expect(201);
    const [registered] = await noticesAbout('notice-advocates', 1);
    // A first address is told it was set, without the alarm of a change (probe M10).
    expect(registered).toMatchObject({
      to: ['intake@notice-advocates.example.org'],
      subject: 'The notification address of Notice Advocates (fictitious) was set',
    });
    expect(registered!.text).not.toContain('did not expect');

    await request(stack.app)
      .post('/api/agencies')
      .set(admin().headers)
      .send({ ...agency, email: 'takeover@attacker.example.org' })
      .expect(403);
    await request(stack.app)
      .post('/api/agencies')
      .set(systemAdmin().headers)
      .send({ ...agency, name: 'Renamed Notice Advocates (fictitious)' })
      .expect(201);
    await request(stack.app)
      .post('/api/agencies')
      .set(systemAdmin().headers)
      .send({ ...agency, email: 'legal@notice-advocates.example.org' })
      .expect(201);

    const notices = await noticesAbout('notice-advocates', 2);
    // The refused takeover and the rename (same address) sent nothing: the second notice is the real change.
    expect(notices).toHaveLength(2);
    expect(notices[1]).toMatchObject({
      to: ['intake@notice-advocates.example.org', 'legal@notice-advocates.example.org'],
      subject: 'The notification address of Notice Advocates (fictitious) was changed',
    });
    expect(notices[1]!.text).toContain(
      'changed from intake@notice-advocates.example.org to legal@notice-advocates.example.org',
    );
    expect(notices[1]!.text).toContain(
      'Changed by Demo System Administrator (fictitious) of Demo Anti-Trafficking Task Force (fictitious) on ',
    );
    const { rows } = await stack.pool.query<{ email: string }>('SELECT email FROM agencies WHERE id = $1', [
      'notice-advocates',
    ]);
    expect(rows).toEqual([{ email: 'legal@notice-advocates.example.org' }]);
  });

  it('tells the old address that it was removed and that nothing is emailed any more, not that a new one has it', async () => {
    const agency = {
      id: 'notice-removed',
      kind: 'advocate',
      name: 'Notice Removed Advocates (fictitious)',
      email: 'intake@notice-removed.example.org',
    };
    await request(stack.app).post('/api/agencies').set(systemAdmin().headers).send(agency).expect(201);
    // Saved without `email`, the agency has no address any more (its emails stay in the app).
    const { email: _, ...withoutEmail } = agency;
    await request(stack.app).post('/api/agencies').set(systemAdmin().headers).send(withoutEmail).expect(201);

    const notices = await noticesAbout('notice-removed', 2);
    expect(notices).toHaveLength(2);
    expect(notices[1]).toMatchObject({
      to: ['intake@notice-removed.example.org'],
      subject: 'The notification address of Notice Removed Advocates (fictitious) was removed',
    });
    const text = notices[1]!.text;
    expect(text).toContain(
      'The notification address of your agency, Notice Removed Advocates (fictitious), was removed: it was intake@notice-removed.example.org, and your agency has none now.',
    );
    expect(text).toContain(
      "Emails about your agency's cases are no longer sent: they are shown in the app only, until an address is set again.",
    );
    expect(text).toContain('Removed by Demo System Administrator (fictitious) of ');
    expect(text).toContain('If your agency did not expect this change, contact your system administrator at once.');
    expect(text).not.toMatch(/\(none\)|new address/);
  });

  it('keeps the change when the mail server is down, and logs the notice as not sent', async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write: (chunk: Buffer, _encoding, done) => void (lines.push(chunk.toString()), done()),
    });
    const app = stack.appWith({ logger: createLogger({ level: 'info', destination }) });
    await stack.mail.setDown(true);
    try {
      await request(app)
        .post('/api/users')
        .set(systemAdmin().headers)
        .send({
          username: 'notice-during-outage',
          displayName: 'Outage Officer (fictitious)',
          agencyId: 'demo-police',
          roles: ['agency_officer'],
        })
        .expect(201);
      const logged = await eventually(
        () =>
          lines
            .map((line) => JSON.parse(line) as { msg: string; agencyId?: string })
            .find((entry) => entry.msg === 'agency notice not sent'),
        'the failure logged',
      );
      expect(logged).toMatchObject({ agencyId: 'demo-police' });
    } finally {
      await stack.mail.setDown(false);
    }
    const { rows } = await stack.pool.query('SELECT 1 FROM users WHERE username = $1', ['notice-during-outage']);
    expect(rows).toHaveLength(1);
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
  async function adminCommand(
    args: string[],
    env: Record<string, string>,
  ): Promise<{ code: number; stdout: string; stderr: string }> {
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
    '--username',
    username,
    '--display-name',
    'First Administrator',
    '--agency',
    'state-task-force',
    '--agency-kind',
    'coordinator',
    '--agency-name',
    'State Task Force (fictitious)',
  ];

  it('creates a system administrator and its agency, with a printed password that signs in', async () => {
    const result = await adminCommand(args('first-admin'), {
      DATABASE_URL: db.connectionString,
      MIGRATION_DATABASE_URL: db.ownerConnectionString,
      IDENTITY_KEYS,
      SMTP_URL,
    });
    expect(result).toMatchObject({ code: 0 });
    const password = /Password \(shown once, store it safely\): (\S+)/.exec(result.stdout)?.[1];
    expect(password).toEqual(expect.any(String));

    const app = createApp({
      logger: createLogger({ level: 'silent' }),
      ...createServices({ now: wallClock, pool: db.pool, logger: createLogger({ level: 'silent' }) }),
      cases: stack.cases,
      ready: async () => ({ ok: true, checks: {} }),
    });
    const session = await request(app)
      .post('/api/auth/sign-in')
      .send({ username: 'first-admin', password })
      .expect(201);
    const me = await request(app)
      .get('/api/me')
      .set(bearer((session.body as { token: string }).token))
      .expect(200);
    expect(me.body).toMatchObject({
      user: {
        username: 'first-admin',
        agencyId: 'state-task-force',
        agencyKind: 'coordinator',
        roles: ['system_admin'],
      },
      can: { administer: true, openCases: false },
    });
    // A system administrator registers agencies, which an agency's admin may not.
    const agency = { id: 'county-hhs', kind: 'hhs', name: 'County HHS (fictitious)', email: null };
    await request(app)
      .post('/api/agencies')
      .set(bearer((session.body as { token: string }).token))
      .send(agency)
      .expect(201);
    const { rows } = await db.pool.query<{ action: string }>(
      "SELECT action FROM audit_events WHERE username = 'first-admin'",
    );
    expect(rows.map((row) => row.action)).toEqual(['user.create_admin', 'auth.sign_in', 'agency.save']);
    // Its row says what the command did, as user.create's does, never the password.
    const created = await db.pool.query<{ user_id: string; detail: string }>(
      "SELECT user_id, detail FROM audit_events WHERE action = 'user.create_admin' AND username = 'first-admin'",
    );
    expect(created.rows).toEqual([
      {
        user_id: expect.any(String) as unknown,
        detail:
          `command line; user ${created.rows[0]!.user_id}; username first-admin; agency state-task-force; ` +
          'roles: system_admin; its agency registered too; a temporary password made',
      },
    ]);
    expect(created.rows[0]!.detail).not.toContain(password!);

    const again = await adminCommand(args('first-admin'), {
      DATABASE_URL: db.connectionString,
      MIGRATION_DATABASE_URL: db.ownerConnectionString,
      IDENTITY_KEYS,
      SMTP_URL,
    });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('taken');
  });

  it('refuses a taken username before registering its new agency: no agency is left behind without its audit row', async () => {
    const env = {
      DATABASE_URL: db.connectionString,
      MIGRATION_DATABASE_URL: db.ownerConnectionString,
      IDENTITY_KEYS,
      SMTP_URL,
    };
    const withAgency = (username: string, agency: string) => {
      const command = args(username);
      command[command.indexOf('--agency') + 1] = agency;
      command[command.indexOf('--agency-name') + 1] = `${agency} (fictitious)`;
      command[command.indexOf('--display-name') + 1] = 'Holder Administrator';
      return command;
    };
    expect(await adminCommand(withAgency('holder-admin', 'holder-agency'), env)).toMatchObject({ code: 0 });
    const refused = await adminCommand(withAgency('holder-admin', 'unregistered-agency'), env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('The username holder-admin is taken.');
    const agencies = await db.pool.query("SELECT id FROM agencies WHERE id = 'unregistered-agency'");
    expect(agencies.rows).toEqual([]);
    const audited = await db.pool.query("SELECT 1 FROM audit_events WHERE detail LIKE '%unregistered-agency%'");
    expect(audited.rows).toEqual([]);
  });

  it('exits 2 without DATABASE_URL, with a clear message', async () => {
    const result = await adminCommand(args('second-admin'), {});
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('DATABASE_URL is not set');
  });

  it('exits 2 on a bad --username, naming it', async () => {
    const result = await adminCommand(args('Not A Username'), {
      DATABASE_URL: db.connectionString,
      IDENTITY_KEYS,
      SMTP_URL,
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--username');
    const { rows } = await db.pool.query(
      "SELECT 1 FROM users WHERE display_name = 'First Administrator' AND username <> 'first-admin'",
    );
    expect(rows).toEqual([]);
  });

  it("exits 2 without --display-name, naming it and saying it is required, not in zod's words", async () => {
    const withoutName = args('fourth-admin');
    withoutName.splice(withoutName.indexOf('--display-name'), 2);
    const result = await adminCommand(withoutName, { DATABASE_URL: db.connectionString, IDENTITY_KEYS, SMTP_URL });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^--display-name: is required\n/);
    expect(result.stderr).not.toMatch(/Invalid input|received undefined/);
  });

  it('exits 2 on a --display-name with a direction override, naming it, as the API refuses it', async () => {
    const withOverride = args('third-admin');
    withOverride[withOverride.indexOf('--display-name') + 1] = 'Admin \u202Enimda';
    const result = await adminCommand(withOverride, { DATABASE_URL: db.connectionString, IDENTITY_KEYS, SMTP_URL });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--display-name');
    expect(result.stderr).toContain('direction controls');
    const { rows } = await db.pool.query("SELECT 1 FROM users WHERE username = 'third-admin'");
    expect(rows).toEqual([]);
  });
});
