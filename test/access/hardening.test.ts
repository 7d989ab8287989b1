/**
 * What protects the API beyond permissions: rate limits, closed CORS, security headers, the body limit, the
 * configuration that refuses unsafe combinations, and logs that never hold a password, a token or an Authorization
 * header. Apps are built with createApp over the stack's real database and write side, one per setting.
 * (Helmet and the 413 on unauthenticated requests are in test/api/suites/openapi-and-basics.ts; IDENTITY_KEYS required
 * with DATABASE_URL is in test/app/suites/config.ts.)
 */
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import request from 'supertest';
import { createApp, type ApiDeps } from '../../api/app';
import { createServices, type ServiceParts } from '../../app/services';
import { ConfigError, loadConfig } from '../../app/config';
import { createLogger } from '../../core/logger';
import { issueToken } from '../../db/tokens';
import { bearer, createTestUser, TEST_PASSWORD } from '../support/auth';
import { eventually, PUBLIC_BASE_URL, startStack, type Stack } from '../support/stack';
import { createConsole } from '../../web/console';
import { wallClock } from '../../core/clock';
import { DEMO_AGENCIES } from '../../db/seed';
import { openDemoCase } from '../support/demo-cases';
import { withoutRandomParts } from '../support/scan';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
// The rate limits count in the database, for every app on it: each test starts with none counted.
beforeEach(async () => {
  await stack.resetRateLimits();
});
afterAll(async () => {
  await stack?.stop();
});

const headersOf = (username: string) => stack.users[username]!.headers;

/** A police officer with TEST_PASSWORD, and an API key of theirs. */
const officer = (username: string) =>
  createTestUser(stack.pool, {
    username,
    agencyId: 'demo-police',
    roles: ['agency_officer'],
    password: TEST_PASSWORD,
  });

/** An app over the stack's database and write side, with these settings. */
const appWith = (settings: Partial<ApiDeps & ServiceParts>) => {
  const parts = { logger: createLogger({ level: 'silent' }), pool: stack.pool, now: wallClock, ...settings };
  return createApp({
    cases: stack.cases,
    ready: async () => ({ ok: true, checks: {} }),
    ...createServices(parts),
    ...parts,
  });
};

/** A rate limit's Retry-After: the seconds left of its minute's window (api/rate-limits.ts), 1 to 60. */
const inTheMinute = (retryAfter: string | undefined) => {
  const seconds = Number(retryAfter);
  return Number.isInteger(seconds) && seconds >= 1 && seconds <= 60 ? 'in the minute' : retryAfter;
};

describe('rate limits', () => {
  it('refuses the 4th sign-in a minute from one address with 429 and Retry-After', async () => {
    const app = appWith({ rateLimits: { signInPerMinute: 3, writesPerMinute: 5 } });
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      await request(app)
        .post('/api/auth/sign-in')
        .send({ username: 'demo-advocate', password: `guess number ${attempt}` })
        .expect(401);
    }
    // Even the right password: the address has spent its attempts.
    const limited = await request(app)
      .post('/api/auth/sign-in')
      .send({ username: 'demo-advocate', password: TEST_PASSWORD })
      .expect(429);
    expect(limited.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(inTheMinute(limited.headers['retry-after'])).toBe('in the minute');
    expect(limited.body).toMatchObject({ status: 429, code: 'rate_limited' });
    // Another API process on the same database counts the same attempts: its own limit of 4 was spent on the first.
    const other = appWith({ rateLimits: { signInPerMinute: 4, writesPerMinute: 5 } });
    await request(other)
      .post('/api/auth/sign-in')
      .send({ username: 'demo-advocate', password: TEST_PASSWORD })
      .expect(429);
    // Until the count is forgotten, as a minute later.
    await stack.resetRateLimits();
    await request(other)
      .post('/api/auth/sign-in')
      .send({ username: 'demo-advocate', password: TEST_PASSWORD })
      .expect(201);
  });

  it('counts one limit across API processes: attempts alternating between two apps are refused after the limit', async () => {
    const [first, second] = [1, 2].map(() => appWith({ rateLimits: { signInPerMinute: 4, writesPerMinute: 5 } }));
    const statuses: number[] = [];
    for (let attempt = 1; attempt <= 6; attempt += 1) {
      const res = await request(attempt % 2 ? first! : second!)
        .post('/api/auth/sign-in')
        .send({ username: 'demo-advocate', password: `alternating guess ${attempt}` });
      statuses.push(res.status);
    }
    // Each process alone has seen three: counted per process, none would have been refused.
    expect(statuses).toEqual([401, 401, 401, 401, 429, 429]);
    const { rows } = await stack.pool.query<{ hits: number }>('SELECT hits FROM rate_limit_hits ORDER BY hits DESC');
    // One row for the limit and the address, refused attempts counted too.
    expect(rows.map((row) => row.hits)).toEqual([6]);
  });

  it("refuses a user's 6th write a minute, not another user's, and never limits reads", async () => {
    const app = appWith({ rateLimits: { signInPerMinute: 3, writesPerMinute: 5 } });
    const busy = stack.users['demo-police-officer']!;
    const keys = await Promise.all(
      [1, 2, 3, 4, 5, 6].map((n) =>
        issueToken(stack.pool, {
          userId: busy.user.id,
          kind: 'api_key',
          label: `script ${n}`,
          expiresAt: new Date(Date.now() + 3600_000),
        }),
      ),
    );
    for (const key of keys.slice(0, 5)) {
      await request(app).post(`/api/tokens/${key.id}/revoke`).set(busy.headers).expect(200);
    }
    const limited = await request(app).post(`/api/tokens/${keys[5]!.id}/revoke`).set(busy.headers).expect(429);
    expect(inTheMinute(limited.headers['retry-after'])).toBe('in the minute');
    expect(limited.body).toMatchObject({ status: 429, code: 'rate_limited' });
    const live = async () =>
      (
        await stack.pool.query<{ label: string }>(
          'SELECT label FROM access_tokens WHERE id = ANY($1) AND revoked_at IS NULL',
          [keys.map((key) => key.id)],
        )
      ).rows;
    expect(await live()).toEqual([{ label: 'script 6' }]);
    await request(app).post(`/api/tokens/${keys[5]!.id}/revoke`).set(headersOf('demo-system-admin')).expect(200);
    expect(await live()).toEqual([]);
    for (let read = 1; read <= 8; read += 1) {
      await request(app).get('/api/me').set(busy.headers).expect(200);
    }
  });
});

describe("a rate limit's 429", () => {
  /** The windows counted so far end in `seconds`, as they would that far into their minute. */
  const windowsEndIn = (seconds: number) =>
    stack.pool.query(`UPDATE rate_limit_hits SET window_ends_at = statement_timestamp() + make_interval(secs => $1)`, [
      seconds,
    ]);
  /** What a 429 tells: how long to wait (about 20 seconds, in Retry-After and in RateLimit's t alike), and its policy. */
  const waits = (res: { status: number; headers: Record<string, string | undefined>; body: unknown }) => {
    const retryAfter = Number(res.headers['retry-after']);
    return {
      status: res.status,
      code: (res.body as { code?: string }).code,
      retryAfter: retryAfter >= 18 && retryAfter <= 20 ? 'about 20' : retryAfter,
      rateLimit: res.headers.ratelimit?.replace(`t=${retryAfter}`, 't=<Retry-After>'),
      policy: res.headers['ratelimit-policy']?.replace(/pk=:[A-Za-z0-9+/=]+:$/, 'pk=:<key>:'),
    };
  };
  const told = (limit: number) => ({
    status: 429,
    code: 'rate_limited',
    retryAfter: 'about 20',
    rateLimit: `"${limit}-in-1min"; r=0; t=<Retry-After>`,
    policy: `"${limit}-in-1min"; q=${limit}; w=60; pk=:<key>:`,
  });

  it("tells the real wait in Retry-After, the wait RateLimit tells, and carries the RateLimit headers, a refused read's too", async () => {
    const limits = { signInPerMinute: 3, writesPerMinute: 5, auditedReadsPerMinute: 600, refusedReadsPerMinute: 2 };
    const app = appWith({ rateLimits: limits });
    const signIn = () =>
      request(app).post('/api/auth/sign-in').send({ username: 'nobody-429', password: 'not the password' });
    for (let n = 0; n < 3; n += 1) await signIn().expect(401);
    const nowhere = '00000000-0000-4000-8000-00000000c429';
    const refusedRead = () => request(app).get(`/api/cases/${nowhere}/survivor`).set(headersOf('demo-police-officer'));
    for (let n = 0; n < 2; n += 1) await refusedRead().expect(403);
    const write = () => request(app).post('/api/tokens/nosuchtoken00000/revoke').set(headersOf('demo-advocate'));
    for (let n = 0; n < 5; n += 1) expect((await write()).status).not.toBe(429);
    // 40 seconds into the minute: 20 to wait, not 60.
    await windowsEndIn(20);
    const answers = {
      signIn: waits(await signIn()),
      refusedRead: waits(await refusedRead()),
      write: waits(await write()),
    };
    expect(answers).toEqual({ signIn: told(3), refusedRead: told(2), write: told(5) });
  });
});

describe('the write limit and retries', () => {
  const writesPerMinute = 2;
  const app = () => appWith({ rateLimits: { signInPerMinute: 3, writesPerMinute } });
  let keyCounter = 0;
  const newKey = () => `budget-${process.pid}-${(keyCounter += 1)}`;
  let today = '';
  beforeAll(async () => {
    today = new Date(await stack.env.currentTimeMs()).toISOString().slice(0, 10);
  });
  const open = (target: ReturnType<typeof app>, key: string, name: string) =>
    request(target)
      .post('/api/cases')
      .set(stack.as('law_enforcement'))
      .set('Idempotency-Key', key)
      .send({ identifiedOn: today, survivor: { name, birthDate: '1985-04-04' }, agencies: DEMO_AGENCIES });
  const hits = async () =>
    (await stack.pool.query<{ hits: number }>('SELECT hits FROM rate_limit_hits')).rows.map((row) => row.hits);

  it('spends none of the budget on a retry replayed from the key store; new writes spend it', async () => {
    const target = app();
    const first = newKey();
    await open(target, first, 'Budget Person').expect(201);
    // Retried as README "Retrying a write" prescribes (a lost answer, say), more often than the budget allows.
    for (let retry = 1; retry <= writesPerMinute + 2; retry += 1) {
      await open(target, first, 'Budget Person').expect(201).expect('Idempotent-Replayed', 'true');
    }
    expect(await hits()).toEqual([1]);
    await open(target, newKey(), 'Budget Person Two').expect(201);
    // The budget is spent by the new writes alone: the next new one waits a minute.
    const third = newKey();
    const limited = await open(target, third, 'Budget Person Three').expect(429);
    expect(limited.body).toMatchObject({ code: 'rate_limited' });
    expect(inTheMinute(limited.headers['retry-after'])).toBe('in the minute');
    // Refused before anything was attempted: retried with its key a minute later, it is applied.
    await stack.resetRateLimits();
    await open(target, third, 'Budget Person Three').expect(201);
    await open(target, third, 'Budget Person Three').expect(201).expect('Idempotent-Replayed', 'true');
    expect(await hits()).toEqual([1]);
  });

  it('spends none of the budget on a retry answered "still in progress"', async () => {
    const target = app();
    const key = newKey();
    // The new case's first row in the read model waits for this lock, so its write stays in progress.
    const client = await stack.pool.connect();
    await client.query('BEGIN');
    await client.query('LOCK TABLE cases IN SHARE MODE');
    const first = open(target, key, 'Budget Person Busy').then((res) => res);
    try {
      // Claimed, and counted as the new write it is.
      await eventually(
        async () =>
          (await stack.pool.query('SELECT 1 FROM idempotency_keys WHERE key = $1 AND status_code IS NULL', [key]))
            .rowCount === 1 && (await hits())[0] === 1,
        'the first request to claim its key',
      );
      for (let retry = 1; retry <= writesPerMinute + 2; retry += 1) {
        const busy = await open(target, key, 'Budget Person Busy').expect(409);
        expect(busy.body).toMatchObject({ code: 'idempotency_in_progress' });
      }
      expect(await hits()).toEqual([1]);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
    expect((await first).status).toBe(201);
  });
});

describe('per-account lockout', () => {
  /** An API process trusting the loopback proxy the tests call through, on a clock the test moves. */
  let clockMs = Date.now();
  const processes = () =>
    [1, 2].map(() => appWith({ trustedProxies: ['loopback'], lockout: { now: async () => new Date(clockMs) } }));
  const problemOf = (res: request.Response) => {
    const { requestId: _id, ...rest } = res.body as Record<string, unknown>;
    return { status: res.status, retryAfter: res.headers['retry-after'] as unknown, body: rest };
  };

  it('slows guesses for one account spread over addresses and API processes, the same for an unknown account', async () => {
    await createTestUser(stack.pool, {
      username: 'lockout-target',
      agencyId: 'demo-police',
      roles: ['agency_officer'],
      password: TEST_PASSWORD,
    });
    const [first, second] = processes() as [ReturnType<typeof appWith>, ReturnType<typeof appWith>];
    let address = 0;
    // Each guess from a new address, alternating between two processes over the one database.
    const guess = (username: string, password: string) => {
      address += 1;
      return request(address % 2 ? first : second)
        .post('/api/auth/sign-in')
        .set('X-Forwarded-For', `203.0.113.${address}`)
        .send({ username, password });
    };
    const answers = async (username: string) => {
      const statuses: number[] = [];
      let last: request.Response | undefined;
      for (let n = 1; n <= 20; n += 1) {
        last = await guess(username, `guess number ${n}`);
        statuses.push(last.status);
      }
      return { statuses, last: last! };
    };
    const known = await answers('lockout-target');
    const unknown = await answers('no-such-account-here');
    // Five failures are free, the sixth locks for a minute: the other fourteen are not even checked.
    expect(known.statuses).toEqual([...Array<number>(6).fill(401), ...Array<number>(14).fill(429)]);
    expect(unknown.statuses).toEqual(known.statuses);
    expect(problemOf(known.last)).toEqual({
      status: 429,
      retryAfter: '60',
      body: expect.objectContaining({ code: 'account_locked' }) as unknown,
    });
    expect(problemOf(unknown.last)).toEqual(problemOf(known.last));

    // The right password is refused while locked, with the same answer.
    const right = await guess('lockout-target', TEST_PASSWORD);
    expect(problemOf(right)).toEqual(problemOf(known.last));
    // Audited as denied, naming the targeted account, to spot guessing.
    const { rows } = await stack.pool.query(
      'SELECT outcome, status, username, detail FROM audit_events WHERE request_id = $1',
      [right.headers['x-request-id']],
    );
    expect(rows).toEqual([{ outcome: 'denied', status: 429, username: 'lockout-target', detail: 'account_locked' }]);

    // Once the minute has passed, one more failure locks for two minutes: the delay grows.
    clockMs += 61_000;
    await guess('lockout-target', 'one more guess').expect(401);
    expect((await guess('lockout-target', TEST_PASSWORD).expect(429)).headers['retry-after']).toBe('120');
    clockMs += 121_000;
    // The right password then signs in and forgives the failures: five are free again.
    await guess('lockout-target', TEST_PASSWORD).expect(201);
    for (let n = 1; n <= 5; n += 1) await guess('lockout-target', `after success ${n}`).expect(401);
    await guess('lockout-target', TEST_PASSWORD).expect(201);
  });

  it("tells a locked account's wait as every 429 does, in Retry-After and RateLimit naming the lockout: at sign-in and where the current password is asked", async () => {
    const owner = await createTestUser(stack.pool, {
      username: 'lockout-told',
      agencyId: 'demo-police',
      roles: ['agency_officer'],
      password: TEST_PASSWORD,
    });
    const [app] = processes() as [ReturnType<typeof appWith>];
    const signIn = (n: number, password: string) =>
      request(app)
        .post('/api/auth/sign-in')
        .set('X-Forwarded-For', `198.51.100.${n}`)
        .send({ username: 'lockout-told', password });
    for (let n = 1; n <= 6; n += 1) await signIn(n, `guess ${n}`).expect(401);
    const waitOf = (res: request.Response) => ({
      status: res.status,
      code: (res.body as { code?: string }).code,
      retryAfter: res.headers['retry-after'],
      rateLimit: res.headers.ratelimit,
      policy: res.headers['ratelimit-policy'],
    });
    // Locked for a minute after 5 free failures; no partition key, which could only come from what was typed.
    const told = {
      status: 429,
      code: 'account_locked',
      retryAfter: '60',
      rateLimit: '"5-wrong-in-a-row"; r=0; t=60',
      policy: '"5-wrong-in-a-row"; q=5',
    };
    expect(waitOf(await signIn(7, TEST_PASSWORD))).toEqual(told);
    // Where the current password is asked, the lock is the asking session's own (strangers' guesses do not lock it,
    // see below), told the same way.
    const key = (currentPassword: string) =>
      request(app).post('/api/tokens').set(owner.headers).send({ label: 'while locked', currentPassword });
    for (let n = 1; n <= 6; n += 1) await key(`guess ${n}`).expect(403);
    expect(waitOf(await key(TEST_PASSWORD))).toEqual(told);
  });

  it('reads a username typed in capitals or with spaces around it as the account it names, and counts its wrong passwords there', async () => {
    await officer('case-blind-officer');
    const [app] = processes() as [ReturnType<typeof appWith>];
    let address = 0;
    const signIn = (username: string, password: string, deviceToken?: string) => {
      address += 1;
      return request(app)
        .post('/api/auth/sign-in')
        .set('X-Forwarded-For', `198.51.100.${100 + address}`)
        .send({ username, password, ...(deviceToken === undefined ? {} : { deviceToken }) });
    };
    // Each was 401 "Wrong username or password." with the right password: the name was looked up as typed.
    for (const typed of ['Case-Blind-Officer', 'case-blind-officer ', ' CASE-BLIND-OFFICER\t']) {
      const signedIn = await signIn(typed, TEST_PASSWORD);
      expect([typed, signedIn.status, (signedIn.body as { user?: { username: string } }).user?.username]).toEqual([
        typed,
        201,
        'case-blind-officer',
      ]);
    }
    const device = (await signIn('case-blind-officer', TEST_PASSWORD).expect(201)).body as { deviceToken: string };
    // Six wrong passwords under six spellings are one account's six: the account is locked, however it is typed,
    // so another spelling gives a guesser no fresh allowance.
    const spellings = ['case-blind-officer', 'Case-Blind-Officer', 'CASE-BLIND-OFFICER', ' case-blind-officer'];
    for (const [n, typed] of [...spellings, 'case-blind-officer  ', 'cASE-bLIND-oFFICER'].entries())
      await signIn(typed, `guess ${n}`).expect(401);
    for (const typed of spellings) {
      const locked = await signIn(typed, TEST_PASSWORD);
      expect([typed, locked.status, (locked.body as { code?: string }).code]).toEqual([typed, 429, 'account_locked']);
    }
    // The person's own client, its device token presented, signs in under any spelling: the device is the account's.
    await signIn('Case-Blind-Officer ', TEST_PASSWORD, device.deviceToken).expect(201);
  });

  it('counts wrong current passwords when creating an API key against the same account', async () => {
    const owner = await createTestUser(stack.pool, {
      username: 'key-guesser',
      agencyId: 'demo-police',
      roles: ['agency_officer'],
      password: TEST_PASSWORD,
    });
    const [app] = processes() as [ReturnType<typeof appWith>];
    for (let n = 1; n <= 6; n += 1) {
      await request(app)
        .post('/api/tokens')
        .set(owner.headers)
        .send({ label: 'stolen session', currentPassword: `guess ${n}` })
        .expect(403);
    }
    const locked = await request(app)
      .post('/api/tokens')
      .set(owner.headers)
      .send({ label: 'stolen session', currentPassword: TEST_PASSWORD })
      .expect(429);
    expect(locked.body).toMatchObject({ code: 'account_locked' });
    await request(app).post('/api/auth/sign-in').send({ username: 'key-guesser', password: TEST_PASSWORD }).expect(429);
  });

  it("lets a signed-in person prove their current password while strangers' wrong sign-ins lock the account, not forgiving them", async () => {
    const owner = await officer('lockout-bystander');
    const [first, second] = processes() as [ReturnType<typeof appWith>, ReturnType<typeof appWith>];
    // A stranger, over both processes and many addresses, locks the account's sign-in.
    const signIn = (n: number, password: string) =>
      request(n % 2 ? first : second)
        .post('/api/auth/sign-in')
        .set('X-Forwarded-For', `198.51.100.${100 + n}`)
        .send({ username: 'lockout-bystander', password });
    for (let n = 1; n <= 6; n += 1) await signIn(n, `stranger guess ${n}`).expect(401);
    expect((await signIn(7, TEST_PASSWORD).expect(429)).body).toMatchObject({ code: 'account_locked' });

    // The person, signed in before, is judged by their session's own count: a typo is a plain 403, the right
    // password makes a key and a feed and changes the password, on either process.
    const typo = await request(first)
      .post('/api/tokens')
      .set(owner.headers)
      .send({ label: 'typo', currentPassword: 'not it' })
      .expect(403);
    expect(typo.body).toMatchObject({ code: 'wrong_password' });
    await request(first)
      .post('/api/tokens')
      .set(owner.headers)
      .send({ label: 'made while the account is locked', currentPassword: TEST_PASSWORD })
      .expect(201);
    await request(second)
      .post('/api/me/calendar-feeds')
      .set(owner.headers)
      .send({ label: 'made while the account is locked', currentPassword: TEST_PASSWORD })
      .expect(201);
    const newPassword = 'a new passphrase for a locked account';
    await request(first)
      .post('/api/me/password')
      .set(owner.headers)
      .send({ currentPassword: TEST_PASSWORD, newPassword })
      .expect(204);

    // The stranger is not forgiven by the person's successes: still locked, even with the new password.
    const still = await signIn(8, newPassword).expect(429);
    expect([(still.body as { code?: string }).code, still.headers['retry-after']]).toEqual(['account_locked', '60']);
  });

  it("locks a stolen token's current-password guesses on their own: the token and the account's sign-in, not the person's session", async () => {
    const stolen = await officer('stolen-session-owner');
    const [app] = processes() as [ReturnType<typeof appWith>];
    const signIn = (password: string) =>
      request(app).post('/api/auth/sign-in').send({ username: 'stolen-session-owner', password });
    const own = bearer(((await signIn(TEST_PASSWORD).expect(201)).body as { token: string }).token);
    const guess = (currentPassword: string) =>
      request(app).post('/api/tokens').set(stolen.headers).send({ label: 'thief', currentPassword });
    for (let n = 1; n <= 6; n += 1) await guess(`guess ${n}`).expect(403);
    const locked = await guess(TEST_PASSWORD).expect(429);
    expect([(locked.body as { code?: string }).code, locked.headers['retry-after']]).toEqual(['account_locked', '60']);
    // Counted against the account too: a sign-in presenting no device is locked.
    await signIn(TEST_PASSWORD).expect(429);

    // The person's own session is not held back by the thief's guesses: it changes the password, which revokes
    // the stolen key.
    await request(app)
      .post('/api/me/password')
      .set(own)
      .send({ currentPassword: TEST_PASSWORD, newPassword: 'a new passphrase after the theft' })
      .expect(204);
    await guess(TEST_PASSWORD).expect(401);
  });
});

describe("a device that signed in before (OWASP's device cookies)", () => {
  /** Two API processes over the one database, trusting the loopback proxy, on a clock that stands still. */
  const clockMs = Date.now();
  let first: ReturnType<typeof appWith>;
  let second: ReturnType<typeof appWith>;
  beforeAll(() => {
    [first, second] = [1, 2].map(() =>
      appWith({ trustedProxies: ['loopback'], lockout: { now: async () => new Date(clockMs) } }),
    ) as [ReturnType<typeof appWith>, ReturnType<typeof appWith>];
  });
  let address = 0;
  /** One sign-in from a new address, alternating between the two processes, with or without a device token. */
  const signIn = (username: string, password: string, deviceToken?: string) => {
    address += 1;
    return request(address % 2 ? first : second)
      .post('/api/auth/sign-in')
      .set('X-Forwarded-For', `192.0.2.${address % 250}`)
      .send({ username, password, ...(deviceToken === undefined ? {} : { deviceToken }) });
  };
  /** The device token a successful sign-in answers. */
  const deviceTokenOf = (res: request.Response) => (res.body as { deviceToken: string }).deviceToken;
  const codeOf = (res: request.Response) => (res.body as { code?: string }).code;
  const auditDetailOf = async (res: request.Response) =>
    (
      await stack.pool.query<{ outcome: string; detail: string | null }>(
        'SELECT outcome, detail FROM audit_events WHERE request_id = $1',
        [res.headers['x-request-id']],
      )
    ).rows;
  /** A stranger's twenty guesses, with no device token: five free, then the account is locked. */
  const strangerGuesses = async (username: string) => {
    const statuses: number[] = [];
    for (let n = 1; n <= 20; n += 1) statuses.push((await signIn(username, `stranger guess ${n}`)).status);
    return statuses;
  };

  it("lets the person's own client sign in while strangers' guesses keep the account locked to everyone else", async () => {
    await officer('device-owner');
    const before = await signIn('device-owner', TEST_PASSWORD).expect(201);
    const token = deviceTokenOf(before);
    expect(token).toMatch(/^rcd_[A-Za-z0-9_-]{43}$/);

    // The stranger, over both processes and many addresses, locks the account as before.
    expect(await strangerGuesses('device-owner')).toEqual([
      ...Array<number>(6).fill(401),
      ...Array<number>(14).fill(429),
    ]);
    const refused = await signIn('device-owner', TEST_PASSWORD).expect(429);
    expect([codeOf(refused), refused.headers['retry-after']]).toEqual(['account_locked', '60']);

    // The person's client, presenting its device token, signs in, on the other process too; audited as such.
    const signedIn = await signIn('device-owner', TEST_PASSWORD, token).expect(201);
    expect(await auditDetailOf(signedIn)).toEqual([{ outcome: 'allowed', detail: 'known_device' }]);
    const next = deviceTokenOf(signedIn);
    expect(next).not.toBe(token);
    await signIn('device-owner', TEST_PASSWORD, next).expect(201);

    // The stranger is not forgiven by the person's success: still locked.
    expect(codeOf(await signIn('device-owner', TEST_PASSWORD).expect(429))).toBe('account_locked');
    // A token once used is replaced by the one its answer gave: the old one exempts no one.
    const replaced = await signIn('device-owner', TEST_PASSWORD, token).expect(429);
    expect(codeOf(replaced)).toBe('account_locked');
    expect(await auditDetailOf(replaced)).toEqual([{ outcome: 'denied', detail: 'unknown_device; account_locked' }]);
  });

  it("gives no exemption to a forged device token, nor to another account's, and names a malformed one", async () => {
    await officer('device-victim');
    await officer('device-neighbour');
    const neighbours = deviceTokenOf(await signIn('device-neighbour', TEST_PASSWORD).expect(201));
    await strangerGuesses('device-victim');
    const forged = `rcd_${randomBytes(32).toString('base64url')}`;
    for (const token of [forged, neighbours]) {
      const res = await signIn('device-victim', TEST_PASSWORD, token).expect(429);
      expect([codeOf(res), res.headers['retry-after']]).toEqual(['account_locked', '60']);
    }
    const malformed = await signIn('device-victim', TEST_PASSWORD, 'rcd_not-a-token').expect(422);
    expect(JSON.stringify(malformed.body)).toContain('deviceToken');
  });

  it('locks a device that fails too often on its own, until it waits or an admin gives a new password', async () => {
    const owner = await officer('device-fumbler');
    const admin = await createTestUser(stack.pool, {
      username: 'device-fumbler-admin',
      agencyId: 'demo-police',
      roles: ['admin'],
      password: TEST_PASSWORD,
    });
    const token = deviceTokenOf(await signIn('device-fumbler', TEST_PASSWORD).expect(201));
    const statuses: number[] = [];
    for (let n = 1; n <= 8; n += 1) statuses.push((await signIn('device-fumbler', `typo ${n}`, token)).status);
    expect(statuses).toEqual([...Array<number>(6).fill(401), 429, 429]);
    const locked = await signIn('device-fumbler', TEST_PASSWORD, token).expect(429);
    expect([codeOf(locked), locked.headers['retry-after'], locked.headers.ratelimit]).toEqual([
      'device_locked',
      '60',
      '"5-wrong-in-a-row"; r=0; t=60',
    ]);
    expect(await auditDetailOf(locked)).toEqual([{ outcome: 'denied', detail: 'known_device; device_locked' }]);
    // The device's failures are its own: the account is not locked by them.
    await signIn('device-fumbler', TEST_PASSWORD).expect(201);

    // An admin's new password lifts the device's lock at once.
    await stack.resetRateLimits();
    const given = await request(first)
      .post(`/api/users/${owner.user.id}/password-reset`)
      .set(admin.headers)
      .set('Idempotency-Key', `reset-${randomBytes(6).toString('hex')}`)
      .expect(200);
    const { temporaryPassword } = given.body as { temporaryPassword: string };
    await signIn('device-fumbler', temporaryPassword, token).expect(201);
  });
});

describe('the audited read limit', () => {
  const limits = { signInPerMinute: 3, writesPerMinute: 5, auditedReadsPerMinute: 600, refusedReadsPerMinute: 4 };
  const deniedReadsOf = async (caseId: string) =>
    Number(
      (
        await stack.pool.query<{ n: string }>(
          `SELECT count(*) AS n FROM audit_events WHERE case_id = $1 AND action = 'survivor.read' AND outcome = 'denied'`,
          [caseId],
        )
      ).rows[0]!.n,
    );

  it("holds a user's refused reads to RATE_LIMIT_REFUSED_READS_PER_MINUTE across API processes: the refusals audited, those past the limit 429 with Retry-After and no row", async () => {
    const { caseId } = await openDemoCase(stack, 'Read Limit Probe');
    // Two processes on one database: the limit is counted there, whichever answers.
    const apps = [appWith({ rateLimits: limits }), appWith({ rateLimits: limits })];
    const statuses: number[] = [];
    for (let n = 0; n < 6; n += 1) {
      const res = await request(apps[n % 2]!)
        .get(`/api/cases/${caseId}/survivor`)
        .set(headersOf('demo-ice-officer'));
      statuses.push(res.status);
      if (res.status === 429) expect(inTheMinute(res.headers['retry-after'])).toBe('in the minute');
    }
    expect(statuses).toEqual([403, 403, 403, 403, 429, 429]);
    // Every refusal answered is in the trail; those held back by the limit wrote nothing.
    expect(await deniedReadsOf(caseId)).toBe(4);
    // Another user's reads are their own.
    await request(apps[0]!).get(`/api/cases/${caseId}`).set(headersOf('demo-police-officer')).expect(200);
  });

  it("counts an audited read of a survivor's identity as its row is written: past the limit, 429 with no row and no data", async () => {
    const { caseId } = await openDemoCase(stack, 'Audited Read Probe');
    // The stack's own parts: reading an identity needs its keyring.
    const app = stack.appWith({ rateLimits: { signInPerMinute: 3, writesPerMinute: 5, auditedReadsPerMinute: 2 } });
    const answers = [];
    for (let n = 0; n < 3; n += 1) {
      answers.push(await request(app).get(`/api/cases/${caseId}/survivor`).set(headersOf('demo-police-officer')));
    }
    expect(answers.map((res) => res.status)).toEqual([200, 200, 429]);
    expect(answers[0]!.text).toContain('Audited Read Probe');
    expect(answers[2]!.text).not.toContain('Audited Read Probe');
    const { rows } = await stack.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM audit_events WHERE case_id = $1 AND action = 'survivor.read'`,
      [caseId],
    );
    expect(Number(rows[0]!.n)).toBe(2);
  });

  it('does not count, nor write anything for, plain reads that write no audit row', async () => {
    const { caseId } = await openDemoCase(stack, 'Plain Read Probe');
    const app = appWith({ rateLimits: { signInPerMinute: 3, writesPerMinute: 5, auditedReadsPerMinute: 5 } });
    const hitsNow = async () =>
      (
        await stack.pool.query<{ n: string; hits: string }>(
          'SELECT count(*) AS n, coalesce(sum(hits), 0) AS hits FROM rate_limit_hits',
        )
      ).rows[0]!;
    const before = await hitsNow();
    const statuses: number[] = [];
    for (let n = 0; n < 20; n += 1) {
      statuses.push((await request(app).get(`/api/cases/${caseId}`).set(headersOf('demo-police-officer'))).status);
    }
    expect(statuses).toEqual(Array.from({ length: 20 }, () => 200));
    // No rate-limit write on the read path.
    expect(await hitsNow()).toEqual(before);
  });

  it('is 600 a minute unless RATE_LIMIT_AUDITED_READS_PER_MINUTE says otherwise', () => {
    expect(loadConfig({}).rateLimits.auditedReadsPerMinute).toBe(600);
    expect(loadConfig({ RATE_LIMIT_AUDITED_READS_PER_MINUTE: '1200' }).rateLimits.auditedReadsPerMinute).toBe(1200);
  });

  it('is 30 refused reads a minute by default, a budget apart from reads: the 31st refusal is 429 with no row, reads go on', async () => {
    expect(loadConfig({}).rateLimits.refusedReadsPerMinute).toBe(30);
    expect(loadConfig({ RATE_LIMIT_REFUSED_READS_PER_MINUTE: '60' }).rateLimits.refusedReadsPerMinute).toBe(60);
    const { caseId } = await openDemoCase(stack, 'Refused Read Probe');
    // The stack's default limits, and its keyring: reading an identity needs it.
    const app = stack.appWith({});
    const nowhere = '00000000-0000-4000-8000-00000000a404';
    const refusedRows = async () =>
      Number(
        (
          await stack.pool.query<{ n: string }>(
            `SELECT count(*) AS n FROM audit_events WHERE case_id = $1 AND action = 'survivor.read'`,
            [nowhere],
          )
        ).rows[0]!.n,
      );
    const statuses: number[] = [];
    for (let n = 0; n < 31; n += 1) {
      const res = await request(app).get(`/api/cases/${nowhere}/survivor`).set(headersOf('demo-police-officer'));
      statuses.push(res.status);
      if (res.status === 429) {
        expect(inTheMinute(res.headers['retry-after'])).toBe('in the minute');
        expect(res.body).toMatchObject({ code: 'rate_limited' });
      }
    }
    expect(statuses).toEqual([...Array.from({ length: 30 }, () => 403), 429]);
    expect(await refusedRows()).toBe(30);
    // A refusal is not a read: the same user's reads, audited ones included, are not held back by their refusals.
    const read = await request(app).get(`/api/cases/${caseId}/survivor`).set(headersOf('demo-police-officer'));
    expect(read.status).toBe(200);
  });

  it('never limits the reads of a user who met a refusal or two', async () => {
    const { caseId } = await openDemoCase(stack, 'Two Refusals Probe');
    const app = stack.appWith({
      rateLimits: { signInPerMinute: 3, writesPerMinute: 5, auditedReadsPerMinute: 3, refusedReadsPerMinute: 30 },
    });
    const nowhere = '00000000-0000-4000-8000-00000000b404';
    const statuses: number[] = [];
    for (const path of [`/api/cases/${nowhere}/survivor`, `/api/cases/${nowhere}/survivor`])
      statuses.push((await request(app).get(path).set(headersOf('demo-police-officer'))).status);
    for (let n = 0; n < 3; n += 1)
      statuses.push(
        (await request(app).get(`/api/cases/${caseId}/survivor`).set(headersOf('demo-police-officer'))).status,
      );
    expect(statuses).toEqual([403, 403, 200, 200, 200]);
  });
});

describe('X-Forwarded-For', () => {
  const guesses = async (app: ReturnType<typeof appWith>) => {
    const statuses: number[] = [];
    for (let n = 1; n <= 4; n += 1) {
      const res = await request(app)
        .post('/api/auth/sign-in')
        .set('X-Forwarded-For', `198.51.100.${n}`)
        .send({ username: `forwarded-probe-${n}`, password: 'not a password here' });
      statuses.push(res.status);
    }
    return statuses;
  };
  const limits = { signInPerMinute: 3, writesPerMinute: 5 };

  it('is ignored from a peer that is not a configured proxy (the default): the 4th sign-in from it is limited', async () => {
    expect(await guesses(appWith({ rateLimits: limits }))).toEqual([401, 401, 401, 429]);
  });

  it('names the client when the peer is a configured proxy', async () => {
    expect(await guesses(appWith({ rateLimits: limits, trustedProxies: ['loopback'] }))).toEqual([401, 401, 401, 401]);
  });

  it('reads TRUSTED_PROXIES as addresses, ranges and named ranges, and refuses anything else', () => {
    expect(loadConfig({}).http.trustedProxies).toEqual([]);
    expect(loadConfig({ TRUSTED_PROXIES: '10.0.0.0/8, 192.0.2.7, loopback, fd00::/8' }).http.trustedProxies).toEqual([
      '10.0.0.0/8',
      '192.0.2.7',
      'loopback',
      'fd00::/8',
    ]);
    for (const bad of ['*', 'true', '10.0.0.0/33', 'proxy.example.org', '10.0.0.1/8/2']) {
      expect(() => loadConfig({ TRUSTED_PROXIES: bad })).toThrow(/TRUSTED_PROXIES: must be a comma-separated list/);
    }
  });
});

describe('CORS', () => {
  const CONSOLE = 'https://console.example.org';
  const preflight = (app: ReturnType<typeof appWith>, origin: string) =>
    request(app)
      .options('/api/me')
      .set('Origin', origin)
      .set('Access-Control-Request-Method', 'GET')
      .set('Access-Control-Request-Headers', 'authorization');

  it('is closed by default: no origin is allowed, preflight or not', async () => {
    // OPTIONS answered as on any path (api/route.ts `methodNotAllowed`), with no CORS header.
    const pre = await preflight(stack.app, CONSOLE).expect(204);
    expect(pre.headers.allow).toBe('GET, HEAD, OPTIONS');
    expect(pre.headers['access-control-allow-origin']).toBeUndefined();
    const res = await request(stack.app)
      .get('/api/me')
      .set('Origin', CONSOLE)
      .set(headersOf('demo-advocate'))
      .expect(200);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('allows exactly the configured origins', async () => {
    const app = appWith({ corsOrigins: [CONSOLE] });
    const pre = await preflight(app, CONSOLE).expect(204);
    expect(pre.headers['access-control-allow-origin']).toBe(CONSOLE);
    // The preflight is CORS's own answer, as before: not the Allow of an OPTIONS that CORS leaves.
    expect(pre.headers.allow).toBeUndefined();
    expect(pre.headers['access-control-allow-headers']).toMatch(/authorization/i);
    const res = await request(app).get('/api/me').set('Origin', CONSOLE).set(headersOf('demo-advocate')).expect(200);
    expect(res.headers['access-control-allow-origin']).toBe(CONSOLE);

    const other = 'https://elsewhere.example.net';
    expect((await preflight(app, other)).headers['access-control-allow-origin']).toBeUndefined();
    const foreign = await request(app).get('/api/me').set('Origin', other).set(headersOf('demo-advocate')).expect(200);
    expect(foreign.headers['access-control-allow-origin']).toBeUndefined();
  });

  it("lets the allowed origin's scripts read the request id, the correlation id, Retry-After, Location and the headers the document lists", async () => {
    const app = appWith({ corsOrigins: [CONSOLE] });
    const exposed = (res: { headers: Record<string, string | undefined> }) =>
      (res.headers['access-control-expose-headers'] ?? '').split(',').map((name) => name.trim().toLowerCase());
    // What the OpenAPI document lists for a client to read: the rate limit's count, a download's name and digest.
    const wanted = [
      'x-request-id',
      'x-correlation-id',
      'retry-after',
      'location',
      'etag',
      'idempotent-replayed',
      'ratelimit',
      'ratelimit-policy',
      'content-disposition',
      'repr-digest',
    ];
    const res = await request(app)
      .get('/api/me')
      .set('Origin', CONSOLE)
      .set('X-Request-Id', '7d1c3f0e-2b4a-4c5d-9e6f-0a1b2c3d4e5f')
      .set(headersOf('demo-advocate'))
      .expect(200);
    expect(res.headers['x-request-id']).toBeDefined();
    expect(res.headers['x-correlation-id']).toBe('7d1c3f0e-2b4a-4c5d-9e6f-0a1b2c3d4e5f');
    expect(exposed(res)).toEqual(expect.arrayContaining(wanted));
    // A refusal too: a browser script reports its request id, and reads how long to wait.
    const refused = await request(app).get('/api/me').set('Origin', CONSOLE).expect(401);
    expect(exposed(refused)).toEqual(expect.arrayContaining(wanted));
  });
});

describe('prototype keys in a body', () => {
  // Written as text: an object literal's `__proto__` would set the prototype of the test's own object instead.
  const signOff = (caseId: string, body: string, key: string) =>
    request(stack.app)
      .post(`/api/cases/${caseId}/steps/cp_request-1/sign-off`)
      .set(headersOf('demo-police-officer'))
      .set('Idempotency-Key', key)
      .set('Content-Type', 'application/json')
      .send(body);

  it('refuses __proto__, constructor and prototype, at the top or in details, naming each as an unknown field', async () => {
    const { caseId } = await openDemoCase(stack, 'Prototype Probe');
    const today = new Date(await stack.env.currentTimeMs()).toISOString().slice(0, 10);
    const cases: [string, string][] = [
      [`{"outcome":"requested","details":{"requestedOn":"${today}","__proto__":{"note":"x"}}}`, 'details.__proto__'],
      [
        `{"outcome":"requested","details":{"requestedOn":"${today}","constructor":{"note":"x"}}}`,
        'details.constructor',
      ],
      [`{"outcome":"requested","details":{"requestedOn":"${today}","prototype":"x"}}`, 'details.prototype'],
      [`{"outcome":"requested","__proto__":{"isAdmin":true},"details":{"requestedOn":"${today}"}}`, '__proto__'],
      [`{"outcome":"requested","constructor":{"prototype":{}},"details":{"requestedOn":"${today}"}}`, 'constructor'],
      [`{"outcome":"requested","prototype":1,"details":{"requestedOn":"${today}"}}`, 'prototype'],
    ];
    for (const [index, [body, field]] of cases.entries()) {
      const refused = await signOff(caseId, body, `prototype-probe-${index}`);
      expect({ field, status: refused.status, errors: (refused.body as { errors?: unknown }).errors }).toEqual({
        field,
        status: 422,
        errors: [{ field, message: 'unknown field' }],
      });
    }
    // Nothing was signed off: the step is still pending, and the prototype of every object is as it was.
    const view = await request(stack.app).get(`/api/cases/${caseId}`).set(headersOf('demo-police-officer')).expect(200);
    const steps = (view.body as { steps: { id: string; status: string }[] }).steps;
    expect(steps.find((step) => step.id === 'cp_request-1')?.status).toBe('pending');
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    expect(({} as Record<string, unknown>).note).toBeUndefined();
    // The same sign-off without them is taken.
    await signOff(caseId, `{"outcome":"requested","details":{"requestedOn":"${today}"}}`, 'prototype-probe-ok').expect(
      200,
    );
  });
});

describe('HTTP hardening on authenticated routes', () => {
  it('sends the security headers with personal data, and no-store', async () => {
    const opened = await request(stack.app)
      .post('/api/cases')
      .set(stack.as('law_enforcement'))
      .set('Idempotency-Key', 'hardening-open-1')
      .send({
        identifiedOn: new Date(await stack.env.currentTimeMs()).toISOString().slice(0, 10),
        survivor: { name: 'Test Person', birthDate: '1990-02-03' },
        agencies: {
          law_enforcement: 'demo-police',
          ice: 'demo-ice-ccht',
          hhs: 'demo-hhs-otip',
          advocate: 'demo-advocates',
          coordinator: 'demo-task-force',
        },
      })
      .expect(201);
    const res = await request(stack.app)
      .get(`/api/cases/${(opened.body as { caseId: string }).caseId}/survivor`)
      .set(stack.as('advocate'))
      .expect(200);
    expect(res.headers).toMatchObject({
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'SAMEORIGIN',
      'strict-transport-security': expect.stringContaining('max-age=') as unknown,
      'content-security-policy': expect.stringContaining("default-src 'self'") as unknown,
      'cache-control': 'no-store',
    });
    expect(res.headers['x-powered-by']).toBeUndefined();
    // Every answer of the API, not only the survivor's: a case's notes, lists and the audit trail may name them too.
    const caseId = (opened.body as { caseId: string }).caseId;
    for (const path of [`/api/cases/${caseId}`, `/api/cases/${caseId}/reminders`, '/api/me', '/api/openapi.json']) {
      const answer = await request(stack.app).get(path).set(stack.as('advocate')).expect(200);
      expect([path, answer.headers['cache-control']]).toEqual([path, 'no-store']);
    }
    // A refusal too: what it names (a case's id, a field) is nobody's to keep.
    const unknown = '00000000-0000-4000-8000-000000000000';
    const refused = await request(stack.app).get(`/api/cases/${unknown}`).set(stack.as('advocate')).expect(403);
    expect(refused.headers['cache-control']).toBe('no-store');
  });

  it('answers a body over 64 kB with 413 before it is parsed, even signed in', async () => {
    const res = await request(stack.app)
      .post('/api/tokens')
      .set(headersOf('demo-advocate'))
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ label: 'x'.repeat(65 * 1024) }))
      .expect(413);
    expect(res.body).toMatchObject({ status: 413, code: 'entity_too_large' });
  });
});

describe('configuration refuses unsafe combinations', () => {
  const problemsOf = (env: NodeJS.ProcessEnv): string[] => {
    try {
      loadConfig(env);
    } catch (error) {
      if (error instanceof ConfigError) return error.problems;
      throw error;
    }
    throw new Error('expected a ConfigError');
  };

  it('refuses MIGRATION_DATABASE_URL without DATABASE_URL', () => {
    expect(problemsOf({ MIGRATION_DATABASE_URL: 'postgres://owner:pw@db.internal:5432/relief' })).toEqual([
      expect.stringMatching(/^MIGRATION_DATABASE_URL: set DATABASE_URL too/),
    ]);
  });

  it('refuses CORS_ORIGINS that are not URLs, and reads a list that is', () => {
    expect(problemsOf({ CORS_ORIGINS: 'https://console.example.org, console.example.org' })).toEqual([
      expect.stringMatching(/^CORS_ORIGINS/),
    ]);
    expect(
      loadConfig({ CORS_ORIGINS: 'https://console.example.org, https://ops.example.org' }).http.corsOrigins,
    ).toEqual(['https://console.example.org', 'https://ops.example.org']);
    expect(loadConfig({}).http.corsOrigins).toEqual([]);
  });

  it('reads the rate limits, the session lifetime and idle limit, and refuses a limit of zero', () => {
    const config = loadConfig({
      RATE_LIMIT_SIGN_IN_PER_MINUTE: '4',
      RATE_LIMIT_WRITES_PER_MINUTE: '30',
      SESSION_TTL_HOURS: '8',
      SESSION_IDLE_MINUTES: '15',
    });
    expect(config.rateLimits).toEqual({
      signInPerMinute: 4,
      writesPerMinute: 30,
      auditedReadsPerMinute: 600,
      refusedReadsPerMinute: 30,
      codecCallsPerMinute: 600,
    });
    expect(config.sessionTtlMs).toBe(8 * 3600 * 1000);
    expect(config.sessionIdleMs).toBe(15 * 60 * 1000);
    expect(loadConfig({}).sessionIdleMs).toBe(30 * 60 * 1000);
    expect(problemsOf({ SESSION_IDLE_MINUTES: '2' })).toEqual([expect.stringMatching(/^SESSION_IDLE_MINUTES/)]);
    expect(problemsOf({ RATE_LIMIT_SIGN_IN_PER_MINUTE: '0' })).toEqual([
      expect.stringMatching(/^RATE_LIMIT_SIGN_IN_PER_MINUTE/),
    ]);
  });
});

describe('logs', () => {
  it('never hold a password, a token or the Authorization header', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        done();
      },
    });
    const app = appWith({ logger: createLogger({ level: 'trace', destination: sink }) });
    const wrongPassword = 'an incorrect password, logged nowhere';
    await request(app)
      .post('/api/auth/sign-in')
      .send({ username: 'demo-coordinator', password: wrongPassword })
      .expect(401);
    const session = (
      await request(app)
        .post('/api/auth/sign-in')
        .send({ username: 'demo-coordinator', password: TEST_PASSWORD })
        .expect(201)
    ).body as { token: string };
    const key = (
      await request(app)
        .post('/api/tokens')
        .set(bearer(session.token))
        .send({ label: 'log probe', currentPassword: TEST_PASSWORD })
        .expect(201)
    ).body as { token: string };
    await request(app)
      .get('/api/me')
      .set('Authorization', 'Bearer rc_0000000000000000_not-a-real-secret-but-still-secret-xxxxxxxxx')
      .expect(401);
    await request(app)
      .get('/api/me')
      .set(bearer(key.token))
      .set('X-Request-Id', '00000000-0000-4000-8000-00000000010d')
      .expect(200);

    await eventually(
      () => lines.some((line) => line.includes('00000000-0000-4000-8000-00000000010d')),
      'the last request to be logged',
    );
    const log = lines.join('\n');
    expect(log).toContain('/api/auth/sign-in');
    expect(log).toContain('/api/tokens');
    for (const secret of [
      wrongPassword,
      TEST_PASSWORD,
      session.token,
      key.token,
      session.token.slice(20),
      key.token.slice(20),
      'not-a-real-secret',
    ]) {
      expect(log).not.toContain(secret);
    }
    expect(log).not.toMatch(/authorization|bearer/i);
  });

  it("never hold a name typed into an address, the API's or the console's, in its path or as a query parameter", async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        done();
      },
    });
    const secret = randomBytes(32).toString('base64url');
    const app = appWith({
      logger: createLogger({ level: 'info', destination: sink }),
      // Signed out, the console answers each page with its sign-in: it never asks the API (nowhere here).
      console: createConsole({ apiUrl: 'http://127.0.0.1:9', publicBaseUrl: PUBLIC_BASE_URL, secret }),
    });
    const caseId = '0f9c2a4e-1b7d-4c3e-9a55-6f1d2e3c4b5a';
    const coordinator = headersOf('demo-coordinator');
    const asked: [path: string, status: number, logged: string][] = [
      ['/api/cases?Jane%20Example%201994-03-02', 400, '/api/cases?…=…'],
      ['/api/cases?reference=RC-1994-0302&limit=5', 200, '/api/cases?reference=…&limit=…'],
      ['/api/cases/maria-lopez', 400, '/api/cases/…'],
      ['/api/cases/maria_lopez-1990/steps/cp_request-1/documents', 400, '/api/cases/…/steps/cp_request-1/documents'],
      [`/api/cases/${caseId}/steps/Maria-1/documents`, 400, `/api/cases/${caseId}/steps/…/documents`],
      ['/cases?Jane%20Example', 303, '/cases?…=…'],
      ['/cases?reference=Jane%20Example', 303, '/cases?reference=…'],
      ['/cases/maria-lopez-2010-05-02', 303, '/cases/…'],
      [`/cases/${caseId}/steps/cp_request-1/correct`, 303, `/cases/${caseId}/steps/cp_request-1/correct`],
      ['/sign-in', 200, '/sign-in'],
    ];
    for (const [index, [path, status]] of asked.entries())
      await request(app)
        .get(path)
        .set(path.startsWith('/api/') ? coordinator : {})
        .set('X-Request-Id', `00000000-0000-4000-8000-${String(index + 1).padStart(12, '0')}`)
        .expect(status);
    const loggedUrl = (index: number) => {
      const id = `00000000-0000-4000-8000-${String(index + 1).padStart(12, '0')}`;
      const line = lines.find((text) => text.includes(`"correlationId":"${id}"`));
      return line && (JSON.parse(line) as { req: { url: string } }).req.url;
    };
    await eventually(() => asked.every((_, index) => loggedUrl(index) !== undefined), 'every request to be logged');
    expect(asked.map((_, index) => loggedUrl(index))).toEqual(asked.map(([, , logged]) => logged));
    expect(withoutRandomParts(lines.join('\n'))).not.toMatch(/Jane|Example|1994|maria|lopez|2010-05-02|Maria/);
  });

  it('refuses a query parameter no route reads, naming it only when it reads as a typo of one it does', async () => {
    const coordinator = headersOf('demo-coordinator');
    const unknown = await request(appWith({}))
      .get('/api/cases?Jane%20Example%201994-03-02&jane=1')
      .set(coordinator)
      .expect(400);
    expect(unknown.body).toMatchObject({
      code: 'invalid_query',
      errors: [
        {
          field: '(root)',
          message: '2 unknown parameters (their names are not repeated: they may be text about a person)',
        },
      ],
    });
    expect(withoutRandomParts(unknown.text)).not.toMatch(/Jane|jane|Example|1994/);
    const typo = await request(appWith({})).get('/api/cases?refrence=RC-1&limt=5').set(coordinator).expect(400);
    expect(typo.body).toMatchObject({
      errors: [
        { field: 'refrence', message: 'unknown field' },
        { field: 'limt', message: 'unknown field' },
      ],
    });
  });

  it('names no unknown query parameter when it refuses what it holds (a NUL character), as when it refuses the name', async () => {
    const coordinator = headersOf('demo-coordinator');
    const withheld =
      'must not contain NUL characters, in an unknown parameter (its name is not repeated: it may be text about a person)';
    // Both answered `"field": "Jane Example"` (and "Jane Example 1994"), the name typed into the address.
    for (const path of ['/api/me?Jane%20Example=%00', '/api/cases?Jane%20Example%201994=%00']) {
      const res = await request(appWith({})).get(path).set(coordinator).expect(400);
      expect([path, res.body]).toEqual([
        path,
        expect.objectContaining({ code: 'invalid_query', errors: [{ field: '(root)', message: withheld }] }),
      ]);
      expect(withoutRandomParts(res.text)).not.toMatch(/Jane|Example|1994/);
    }
    // One the route reads, or a typo of one, is named as before.
    const named: [path: string, field: string][] = [
      ['/api/cases?reference=%00', 'reference'],
      ['/api/cases?refrence=%00', 'refrence'],
    ];
    for (const [path, field] of named)
      expect((await request(appWith({})).get(path).set(coordinator).expect(400)).body).toMatchObject({
        errors: [{ field, message: 'must not contain NUL characters' }],
      });
  });

  it('names no unknown body field when it refuses what it holds (a NUL character), at any depth', async () => {
    const officerHeaders = headersOf('demo-police-officer');
    const { caseId } = await openDemoCase(stack, 'Nul Key Probe');
    const withheld = (noun: string) =>
      `must not contain NUL characters, in an unknown ${noun} (its name is not repeated: it may be text about a person)`;
    const sent = async (path: string, body: object) =>
      request(appWith({}))
        .post(path)
        .set(officerHeaders)
        .set('Idempotency-Key', `nul-${randomBytes(6).toString('hex')}`)
        .send(body);
    // Each answered `"field": "Maria Lopez 1990-01-02"` (or `details.Maria Lopez 1990-01-02`), the name sent as a key.
    const signOff = `/api/cases/${caseId}/steps/cp_request-1/sign-off`;
    const unknown: [path: string, body: object, field: string][] = [
      ['/api/cases', { 'Maria Lopez 1990-01-02': '\u0000' }, '(root)'],
      [signOff, { outcome: 'requested', details: { 'Maria Lopez 1990-01-02': '\u0000' } }, 'details'],
    ];
    for (const [path, body, field] of unknown) {
      const res = await sent(path, body);
      expect([path, res.status, (res.body as { errors: unknown }).errors]).toEqual([
        path,
        422,
        [{ field, message: withheld('field') }],
      ]);
      expect(withoutRandomParts(res.text)).not.toMatch(/Maria|Lopez|1990/);
    }
    // A field the API or a sign-off's details take, or a typo of one, is named as before.
    const named: [body: object, field: string][] = [
      [{ outcome: 'requested', details: { requestedOn: '\u0000' } }, 'details.requestedOn'],
      [{ outcome: 'requested', details: { requestedOnn: '\u0000' } }, 'details.requestedOnn'],
      [{ outcome: '\u0000' }, 'outcome'],
    ];
    for (const [body, field] of named)
      expect(((await sent(signOff, body)).body as { errors: unknown }).errors).toEqual([
        { field, message: 'must not contain NUL characters' },
      ]);
  });

  it('refuses any query parameter on a route that reads none, in the same words, where it was ignored', async () => {
    const app = appWith({});
    const coordinator = headersOf('demo-coordinator');
    const { caseId } = await openDemoCase(stack, 'Query Probe');
    const unknownParameter = {
      status: 400,
      code: 'invalid_query',
      detail: 'The query string is not valid.',
      errors: [
        { field: '(root)', message: 'an unknown parameter (its name is not repeated: it may be text about a person)' },
      ],
    };
    // Each answered 200 (the write 422, for its empty body) before: the parameter was dropped without a word.
    const asked: [path: string, sent: () => request.Test][] = [
      ['/api/agencies?limit=5', () => request(app).get('/api/agencies?limit=5').set(coordinator)],
      ['/api/me?x=1', () => request(app).get('/api/me?x=1').set(coordinator)],
      ['a case', () => request(app).get(`/api/cases/${caseId}?Jane%20Example=1`).set(coordinator)],
      [
        "a case's reminders",
        () =>
          request(app)
            .get(`/api/cases/${caseId}/reminders?Jane%20Example=1994-03-02&Jane%20Example=2`)
            .set(coordinator),
      ],
      ['/api/openapi.json?v=2', () => request(app).get('/api/openapi.json?v=2')],
      [
        'a new case',
        () =>
          request(app)
            .post('/api/cases?Jane%20Example=1')
            .set(coordinator)
            .set('Idempotency-Key', 'query-probe-1')
            .send({}),
      ],
    ];
    for (const [path, sent] of asked) {
      const res = await sent();
      expect([path, res.status, res.body]).toEqual([path, 400, expect.objectContaining(unknownParameter)]);
      expect(withoutRandomParts(res.text)).not.toMatch(/Jane|Example|1994|limit|"x"|"v"/);
    }
    // Several at once are counted and never named, even names that other routes read (`limit`, `cursor`).
    const several = await request(app).get('/api/me?limit=5&cursor=abc').set(coordinator).expect(400);
    expect((several.body as { errors: unknown }).errors).toEqual([
      {
        field: '(root)',
        message: '2 unknown parameters (their names are not repeated: they may be text about a person)',
      },
    ]);
    // What is not the JSON API reads no query and refuses none: probes, calendar apps and Prometheus add their own.
    await request(app).get('/health?probe=1').expect(200);
    await request(app).get('/ready?probe=1').expect(200);
  });
});
