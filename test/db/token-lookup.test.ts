/**
 * The token lookup every authenticated request waits for: the token and its user read by primary key, nothing else
 * (issue 16), and the agency kind it answers kept true when an agency's kind changes.
 */
import { upsertAgencies } from '../../db/agencies';
import { authenticateToken, issueToken } from '../../db/tokens';
import { createUser } from '../../db/users';
import { startTestDatabase, type TestDatabase } from '../support/postgres';
import { planNodes, planOfRead } from '../support/query-plans';

let db: TestDatabase;
let token: string;
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

it('reads the token by its primary key and its user, and no other table', async () => {
  // Sequential scans priced out, as at a real user count: the plan shows the indexes the lookup has.
  const plan = await planOfRead(db.owner, (capture) => authenticateToken(capture, token, new Date()), {
    indexPathsOnly: true,
    generic: true,
  });
  const read = planNodes(plan).filter((n) => n['Relation Name'] !== undefined);
  expect(read.map((n) => [n['Relation Name'], n['Index Name']]).sort()).toEqual([
    ['access_tokens', 'access_tokens_pkey'],
    ['users', 'users_pkey'],
  ]);
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
