/**
 * The cap on a user's live API keys and calendar feeds (db/tokens.ts `issueToken` with `cap`), on a real PostgreSQL:
 * creates asked for at once are counted one after another, so exactly the cap is made, never more; a revoked or
 * expired token frees its place; sessions take no cap. And the token list pages without skipping or repeating.
 */
import { upsertAgencies } from '../../../db/agencies';
import { issueToken, listTokens, revokeToken, TokenCapError, type TokenKind } from '../../../db/tokens';
import { createUser } from '../../../db/users';
import { startTestDatabase, type TestDatabase } from '../../support/postgres';

describe('token-cap', () => {
  let db: TestDatabase;
  let userId: string;
  beforeAll(async () => {
    db = await startTestDatabase();
    await upsertAgencies(db.pool, [
      { id: 'cap-agency', kind: 'advocate', name: 'Cap Legal (fictitious)', email: null },
    ]);
    ({ id: userId } = await createUser(db.pool, {
      username: 'cap-user',
      displayName: 'Cap User',
      agencyId: 'cap-agency',
      roles: ['advocate'],
    }));
  }, 120_000);
  afterAll(async () => {
    await db?.stop();
  });

  const HOUR = 3_600_000;
  const issue = (kind: TokenKind, label: string, cap?: number, expiresInMs = HOUR) =>
    issueToken(db.pool, {
      userId,
      kind,
      label,
      expiresAt: new Date(Date.now() + expiresInMs),
      ...(cap !== undefined && { cap: { max: cap, now: new Date() } }),
    });

  it('makes exactly the cap of 25 creates asked for at once, and one more once one is revoked', async () => {
    const settled = await Promise.allSettled(Array.from({ length: 25 }, (_, n) => issue('calendar_feed', `f${n}`, 20)));
    expect(settled.filter((one) => one.status === 'fulfilled')).toHaveLength(20);
    const refused = settled.filter((one) => one.status === 'rejected');
    expect(refused).toHaveLength(5);
    for (const one of refused) expect(one.reason).toBeInstanceOf(TokenCapError);
    // Each kind is counted apart, and sessions take no cap.
    await issue('api_key', 'key', 20);
    await issue('session', 'session');

    const first = (settled.find((one) => one.status === 'fulfilled') as PromiseFulfilledResult<{ id: string }>).value;
    await revokeToken(db.pool, first.id, new Date());
    await issue('calendar_feed', 'after revoking', 20);
    await expect(issue('calendar_feed', 'one too many', 20)).rejects.toBeInstanceOf(TokenCapError);
  });

  it('pages a user\u2019s tokens newest first, each once', async () => {
    const all: string[] = [];
    let after: string | undefined;
    let pages = 0;
    do {
      const page = await listTokens(db.pool, userId, ['calendar_feed'], { limit: 4, after });
      all.push(...page.items.map((token) => token.id));
      after = page.nextCursor ?? undefined;
      pages += 1;
    } while (after);
    const everyone = await db.pool.query<{ id: string }>(
      `SELECT id FROM access_tokens WHERE user_id = $1 AND kind = 'calendar_feed' ORDER BY created_at DESC, id DESC`,
      [userId],
    );
    expect(all).toEqual(everyone.rows.map((row) => row.id));
    expect(pages).toBe(Math.ceil(all.length / 4));
  });
});
