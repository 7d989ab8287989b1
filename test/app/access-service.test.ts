/** The access service without HTTP: sign-in, its lockout and its audit rows, as the routes rely on them. */
import { createAccessService } from '../../app/access-service';
import { AppError } from '../../core/errors';
import { createLogger } from '../../core/logger';
import { seedDemoAgencies } from '../../db/seed';
import type { Actor } from '../../domain/types';
import { createTestUser, TEST_PASSWORD, type TestUser } from '../support/auth';
import { eventually } from '../support/eventually';
import { startTestDatabase, type TestDatabase } from '../support/postgres';

let db: TestDatabase;
/** A police officer of the demo agency, whose password is TEST_PASSWORD. */
const officer = (username: string) =>
  createTestUser(db.pool, { username, agencyId: 'demo-police', roles: ['agency_officer'], password: TEST_PASSWORD });
beforeAll(async () => {
  db = await startTestDatabase();
  await seedDemoAgencies(db.pool);
  await officer('svc-officer');
});
afterAll(() => db?.stop());

const codeOf = (error: unknown): string =>
  error instanceof AppError ? (error.options.code ?? error.message) : String(error);

it('signs in, refuses a wrong password, locks the account after repeated ones, and audits each attempt', async () => {
  const clock = new Date('2026-03-01T12:00:00Z');
  const access = createAccessService({
    pool: db.pool,
    logger: createLogger({ level: 'silent' }),
    lockout: {
      policy: { freeFailures: 2, firstLockMs: 60_000, maxLockMs: 600_000, forgetAfterMs: 3_600_000 },
      now: async () => clock,
    },
  });

  const session = await access.signIn({ username: 'svc-officer', password: TEST_PASSWORD }, 'svc-1');
  expect(session.token).toMatch(/^rc_/);
  expect(session.user.username).toBe('svc-officer');

  const codes: string[] = [];
  for (let attempt = 0; attempt < 5; attempt++) {
    codes.push(
      await access
        .signIn({ username: 'svc-officer', password: 'wrong' }, `svc-wrong-${attempt}`)
        .then(() => 'signed in', codeOf),
    );
  }
  expect(codes[0]).toBe('invalid_credentials');
  expect(codes).toContain('account_locked');
  // Locked: even the right password is refused unchecked until the lock ends.
  await expect(access.signIn({ username: 'svc-officer', password: TEST_PASSWORD }, 'svc-2')).rejects.toMatchObject({
    options: { code: 'account_locked' },
  });

  const { rows } = await db.pool.query<{ request_id: string; outcome: string; detail: string | null }>(
    "SELECT request_id, outcome, detail FROM audit_events WHERE action = 'auth.sign_in' AND request_id LIKE 'svc-%' ORDER BY id",
  );
  expect(rows[0]).toMatchObject({ request_id: 'svc-1', outcome: 'allowed' });
  expect(rows[1]).toMatchObject({ request_id: 'svc-wrong-0', outcome: 'denied', detail: 'password_wrong' });
  expect(rows.at(-1)).toMatchObject({ request_id: 'svc-2', outcome: 'denied', detail: 'account_locked' });
});

it('answers 404 for OpenID Connect when no verifier is configured', async () => {
  const access = createAccessService({ pool: db.pool, logger: createLogger({ level: 'silent' }) });
  await expect(access.oidcNonce()).rejects.toMatchObject({ options: { code: 'oidc_not_configured' } });
});

describe('password checks running at once', () => {
  // The default policy's free failures, with a clock of the test's: no failure before these sign-ins.
  const policy = { freeFailures: 5, firstLockMs: 60_000, maxLockMs: 3_600_000, forgetAfterMs: 24 * 3_600_000 };
  const accessAt = (clock: Date) =>
    createAccessService({
      pool: db.pool,
      logger: createLogger({ level: 'silent' }),
      lockout: { policy, now: async () => clock },
    });
  const signInsAtOnce = (access: ReturnType<typeof accessAt>, username: string, password: string, count: number) =>
    Promise.all(
      Array.from({ length: count }, (_, attempt) =>
        access.signIn({ username, password }, `${username}-${attempt}`).then(() => 'signed in', codeOf),
      ),
    );

  it('never counts a right password as a failure: twelve right sign-ins at once all sign in, and leave no count', async () => {
    // Each check was counted as a failure until its password was judged, so the sixth locked the account for the
    // others still running: "eight simultaneous correct sign-ins gave six 201 and two 429 account_locked".
    await officer('svc-twelve-tabs');
    const access = accessAt(new Date('2026-03-02T12:00:00Z'));
    expect(await signInsAtOnce(access, 'svc-twelve-tabs', TEST_PASSWORD, 12)).toEqual(Array(12).fill('signed in'));
    // And a wrong password after them is the first failure, not the thirteenth.
    expect(await signInsAtOnce(access, 'svc-twelve-tabs', 'wrong', 1)).toEqual(['invalid_credentials']);
    expect(await signInsAtOnce(access, 'svc-twelve-tabs', TEST_PASSWORD, 1)).toEqual(['signed in']);
  });

  it('still checks no more wrong passwords at once than the free failures and the one that locks', async () => {
    await officer('svc-guessed');
    const codes = await signInsAtOnce(accessAt(new Date('2026-03-03T12:00:00Z')), 'svc-guessed', 'guess', 12);
    expect(codes.filter((code) => code === 'invalid_credentials')).toHaveLength(policy.freeFailures + 1);
    expect(codes.filter((code) => code === 'account_locked')).toHaveLength(12 - policy.freeFailures - 1);
  });
});

it('of two system administrators disabling each other at the same moment, one is disabled and the other refused: one is always left', async () => {
  const access = createAccessService({ pool: db.pool, logger: createLogger({ level: 'silent' }) });
  const systemAdmin = (username: string) =>
    createTestUser(db.pool, {
      username,
      agencyId: 'demo-task-force',
      roles: ['system_admin'],
      password: TEST_PASSWORD,
    });
  const [first, second] = [await systemAdmin('svc-ops-first'), await systemAdmin('svc-ops-second')];
  const actorOf = ({ user }: TestUser): Actor => ({
    userId: user.id,
    agencyId: user.agencyId,
    agencyKind: user.agencyKind,
    roles: user.roles,
  });
  const ids = [first.user.id, second.user.id];
  // Each request has found its caller enabled (its token authenticated) before either disables anyone: their two rows
  // are held here until both disablings wait on them, as two requests sent in the same instant would.
  const holder = await db.pool.connect();
  let outcomes: Promise<string[]>;
  try {
    await holder.query('BEGIN');
    await holder.query('SELECT 1 FROM users WHERE id = ANY($1::uuid[]) FOR UPDATE', [ids]);
    outcomes = Promise.all([
      access.disableUser(actorOf(first), second.user.id).then(() => 'disabled', codeOf),
      access.disableUser(actorOf(second), first.user.id).then(() => 'disabled', codeOf),
    ]);
    await eventually(async () => {
      const { rows } = await db.pool.query<{ waiting: number }>(
        "SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query ILIKE '%users%'",
      );
      return rows[0]!.waiting >= 2;
    }, 'both disablings waiting on the rows');
    await holder.query('COMMIT');
  } finally {
    holder.release();
  }
  expect((await outcomes).sort()).toEqual(['disabled', 'user_disabled']);
  const { rows } = await db.pool.query<{ enabled: number }>(
    'SELECT count(*)::int AS enabled FROM users WHERE id = ANY($1::uuid[]) AND disabled_at IS NULL',
    [ids],
  );
  expect(rows[0]!.enabled).toBe(1);
});
