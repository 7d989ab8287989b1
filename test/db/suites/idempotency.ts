import {
  claim,
  complete,
  deleteExpiredIdempotencyKeys,
  IDEMPOTENCY_LEASE_MS,
  IDEMPOTENCY_TTL_MS,
  release,
} from '../../../db/idempotency';
import { startTestDatabase, type TestDatabase } from '../../support/postgres';

describe('idempotency', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await startTestDatabase();
  });
  afterAll(async () => {
    await db.stop();
  });

  const scope = 'POST /cases:demo-police';
  const at = (ms: number) => new Date(Date.UTC(2026, 5, 1) + ms);
  const inProgress = (takeOverInMs: number) => ({ inProgress: { takeOverInMs } });

  it('claims a new key, reports it in progress, then replays the stored response', async () => {
    expect(await claim(db.pool, scope, 'k-1', 'hash-a', at(0))).toBe('new');
    expect(await claim(db.pool, scope, 'k-1', 'hash-a', at(1))).toEqual(inProgress(IDEMPOTENCY_LEASE_MS - 1));
    await complete(db.pool, scope, 'k-1', 201, { caseId: 'c-1' }, at(2));
    expect(await claim(db.pool, scope, 'k-1', 'hash-a', at(3))).toEqual({
      replay: { statusCode: 201, body: { caseId: 'c-1' } },
    });
    // A second complete() (a confused handler) does not overwrite the first answer.
    await complete(db.pool, scope, 'k-1', 500, { oops: true }, at(4));
    expect(await claim(db.pool, scope, 'k-1', 'hash-a', at(5))).toEqual({
      replay: { statusCode: 201, body: { caseId: 'c-1' } },
    });
  });

  it('refuses the same key for a different request, and keeps keys of other scopes apart', async () => {
    expect(await claim(db.pool, scope, 'k-2', 'hash-a', at(0))).toBe('new');
    expect(await claim(db.pool, scope, 'k-2', 'hash-b', at(1))).toBe('conflict');
    expect(await claim(db.pool, 'POST /cases:other-agency', 'k-2', 'hash-b', at(1))).toBe('new');
  });

  it('gives exactly one of many concurrent first requests the claim', async () => {
    const results = await Promise.all(
      Array.from({ length: 5 }, () => claim(db.pool, scope, 'k-race', 'hash-a', at(0))),
    );
    expect(results.filter((r) => r === 'new')).toHaveLength(1);
    expect(results.filter((r) => typeof r === 'object' && 'inProgress' in r)).toHaveLength(4);
  });

  it('lets a released claim be taken again by the same request alone: the key stays bound to it', async () => {
    expect(await claim(db.pool, scope, 'k-3', 'hash-a', at(0))).toBe('new');
    await release(db.pool, scope, 'k-3');
    // The released request may have been applied all the same (a 503 after the start was sent): a changed one under
    // its key is refused, not handled as new.
    expect(await claim(db.pool, scope, 'k-3', 'hash-b', at(1))).toBe('conflict');
    expect(await claim(db.pool, scope, 'k-3', 'hash-a', at(1))).toBe('new');
    expect(await claim(db.pool, scope, 'k-3', 'hash-a', at(2))).toEqual(inProgress(IDEMPOTENCY_LEASE_MS - 1));
    expect(await claim(db.pool, scope, 'k-3', 'hash-b', at(2))).toBe('conflict');
    await complete(db.pool, scope, 'k-3', 201, { caseId: 'c-3' }, at(3));
    expect(await claim(db.pool, scope, 'k-3', 'hash-a', at(4))).toEqual({
      replay: { statusCode: 201, body: { caseId: 'c-3' } },
    });
  });

  it('forgets keys after 24 hours and cleans them up', async () => {
    expect(await claim(db.pool, scope, 'k-4', 'hash-a', at(0))).toBe('new');
    await complete(db.pool, scope, 'k-4', 200, { ok: true }, at(1));
    expect(await claim(db.pool, scope, 'k-4', 'hash-b', at(IDEMPOTENCY_TTL_MS - 1))).toBe('conflict');
    expect(await claim(db.pool, scope, 'k-4', 'hash-b', at(IDEMPOTENCY_TTL_MS + 1))).toBe('new');

    expect(await claim(db.pool, scope, 'k-5', 'hash-a', at(0))).toBe('new');
    const removed = await deleteExpiredIdempotencyKeys(db.pool, at(IDEMPOTENCY_TTL_MS + 10));
    expect(removed).toBeGreaterThanOrEqual(1);
    const { rows } = await db.pool.query('SELECT key FROM idempotency_keys WHERE scope = $1 AND key = $2', [
      scope,
      'k-5',
    ]);
    expect(rows).toHaveLength(0);
  });

  it('lets a retry of the same request take over a claim left unanswered by a crashed request after minutes, not hours', async () => {
    expect(await claim(db.pool, scope, 'k-6', 'hash-a', at(0))).toBe('new');
    // The process that claimed it died: no answer, no release.
    expect(await claim(db.pool, scope, 'k-6', 'hash-a', at(IDEMPOTENCY_LEASE_MS - 1))).toEqual(inProgress(1));
    expect(IDEMPOTENCY_LEASE_MS).toBeLessThanOrEqual(5 * 60 * 1000);
    // Another request under the same key is still refused: only the same request may take the claim over.
    expect(await claim(db.pool, scope, 'k-6', 'hash-b', at(IDEMPOTENCY_LEASE_MS + 1))).toBe('conflict');
    expect(await claim(db.pool, scope, 'k-6', 'hash-a', at(IDEMPOTENCY_LEASE_MS + 1))).toBe('new');
    expect(await claim(db.pool, scope, 'k-6', 'hash-a', at(IDEMPOTENCY_LEASE_MS + 2))).toEqual(
      inProgress(IDEMPOTENCY_LEASE_MS - 1),
    );
    // An answered claim is never taken over: it is replayed.
    await complete(db.pool, scope, 'k-6', 201, { caseId: 'c-6' }, at(IDEMPOTENCY_LEASE_MS + 3));
    expect(await claim(db.pool, scope, 'k-6', 'hash-a', at(3 * IDEMPOTENCY_LEASE_MS))).toEqual({
      replay: { statusCode: 201, body: { caseId: 'c-6' } },
    });
  });

  it("takes a claim over after the API's own lease when it names one (seconds: its writes' wait and a margin)", async () => {
    const lease = 20_000;
    expect(await claim(db.pool, scope, 'k-7', 'hash-a', at(0), lease)).toBe('new');
    expect(await claim(db.pool, scope, 'k-7', 'hash-a', at(lease - 1), lease)).toEqual(inProgress(1));
    expect(await claim(db.pool, scope, 'k-7', 'hash-a', at(lease + 1), lease)).toBe('new');
  });

  it('says how long until an unanswered claim can be taken over, from its age, within the lease', async () => {
    const lease = 20_000;
    expect(await claim(db.pool, scope, 'k-8', 'hash-a', at(0), lease)).toBe('new');
    // The process that claimed it was killed: a retry 1.5 s later waits 18.5 s more, one 19.9 s later 0.1 s.
    expect(await claim(db.pool, scope, 'k-8', 'hash-a', at(1_500), lease)).toEqual(inProgress(18_500));
    expect(await claim(db.pool, scope, 'k-8', 'hash-a', at(19_900), lease)).toEqual(inProgress(100));
    // Claimed by a process whose clock runs ahead of this one's: never more than the lease.
    expect(await claim(db.pool, scope, 'k-8', 'hash-a', at(-3_000), lease)).toEqual(inProgress(lease));
  });
});
