/**
 * The token lookup every authenticated request waits for: one row, the token's, read by primary key (issue 16), and
 * the principal that row carries kept true when the user's roles or state, or their agency's kind, change.
 */
import { upsertAgencies } from '../../../db/agencies';
import { authenticateToken, issueToken } from '../../../db/tokens';
import { createUser, disableUser, setPassword, setUserRoles } from '../../../db/users';
import { startTestDatabase, type TestDatabase } from '../../support/postgres';
import { planNodes, planOfRead } from '../../support/query-plans';

describe('token-lookup', () => {
  let db: TestDatabase;
  let token: string;
  let userId: string;
  beforeAll(async () => {
    db = await startTestDatabase();
    await upsertAgencies(db.pool, [
      { id: 'lookup-agency', kind: 'advocate', name: 'Lookup Legal (fictitious)', email: null },
    ]);
    const user = await createUser(db.pool, {
      username: 'lookup-user',
      displayName: 'Lookup User',
      agencyId: 'lookup-agency',
      roles: ['advocate'],
    });
    userId = user.id;
    ({ token } = await issueToken(db.pool, {
      userId: user.id,
      kind: 'api_key',
      label: 'lookup',
      expiresAt: new Date(Date.now() + 3_600_000),
    }));
  }, 120_000);
  afterAll(async () => {
    await db?.stop();
  });

  it('reads the token by its primary key, and no other table', async () => {
    // Sequential scans priced out, as at a real user count: the plan shows the indexes the lookup has.
    const plan = await planOfRead(db.owner, (capture) => authenticateToken(capture, token, new Date()), {
      indexPathsOnly: true,
      generic: true,
    });
    const read = planNodes(plan).filter((n) => n['Relation Name'] !== undefined);
    expect(read.map((n) => [n['Relation Name'], n['Index Name']])).toEqual([['access_tokens', 'access_tokens_pkey']]);
  });

  it("answers the user's agency kind, and the new one after the agency's kind is changed", async () => {
    expect((await authenticateToken(db.pool, token, new Date()))?.user).toMatchObject({
      username: 'lookup-user',
      agencyId: 'lookup-agency',
      agencyKind: 'advocate',
      roles: ['advocate'],
    });
    await upsertAgencies(db.pool, [
      { id: 'lookup-agency', kind: 'coordinator', name: 'Lookup (fictitious)', email: null },
    ]);
    expect((await authenticateToken(db.pool, token, new Date()))?.user.agencyKind).toBe('coordinator');
  });

  it("answers the user's roles as they are now, and nothing once the user is disabled, however that is written", async () => {
    await setUserRoles(db.pool, userId, ['advocate', 'supervisor']);
    expect((await authenticateToken(db.pool, token, new Date()))?.user.roles).toEqual(['advocate', 'supervisor']);

    // Written straight to the table, as an operator might: the token's copy follows in the same statement.
    await db.pool.query('UPDATE users SET disabled_at = now() WHERE id = $1', [userId]);
    expect(await authenticateToken(db.pool, token, new Date())).toBeNull();
    await db.pool.query('UPDATE users SET disabled_at = NULL WHERE id = $1', [userId]);
    expect((await authenticateToken(db.pool, token, new Date()))?.user.username).toBe('lookup-user');

    // The service's own way revokes every token besides; a new password and an enabling bring none back.
    await disableUser(db.pool, userId);
    await setPassword(db.pool, userId, 'a new password for lookup-user', { now: new Date(), enable: true });
    expect(await authenticateToken(db.pool, token, new Date())).toBeNull();
  });

  it('issues no token to a user that does not exist', async () => {
    await expect(
      issueToken(db.pool, {
        userId: '00000000-0000-4000-8000-000000000000',
        kind: 'session',
        label: 'nobody',
        expiresAt: new Date(Date.now() + 3_600_000),
      }),
    ).rejects.toThrow('no user 00000000-0000-4000-8000-000000000000 to issue a token to');
  });
});
