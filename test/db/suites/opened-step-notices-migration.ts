/**
 * The migration that records steps to tell their agency (`opened_step_notices`, the `step_opened` outbox kind), run
 * down and up again on a database that holds such rows beside other emails: undoing it drops only what it added.
 */
import { randomUUID } from 'node:crypto';
import { migrate } from '../../../db/migrate';
import { enqueue } from '../../../db/notifications';
import { migrationsFrom, undoMigrations } from '../../support/migrations';
import { startTestDatabase, type TestDatabase } from '../../support/postgres';

describe('opened-step-notices-migration', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await startTestDatabase();
  });
  afterAll(async () => {
    await db?.stop();
  });

  const fromOpenedStepNotices = migrationsFrom(/step-opened-notices\.sql$/);

  const email = (caseId: string, kind: 'due' | 'step_opened') => ({
    caseId,
    alarmId: `${kind}:2026-12-07T00:00:00.000Z`,
    reference: 'RC-MIG-1',
    stepId: 'cp_decision-1',
    stepKind: 'cp_decision',
    kind,
    recipientAgencyId: 'ice-a',
    recipientEmail: 'ice@example.org',
    subject: kind,
    bodyText: 'text',
    dueAt: '2027-01-06T00:00:00.000Z',
  });

  test('undone, it drops the steps to tell and their emails, and keeps every other email; redone, it records again', async () => {
    const caseId = randomUUID();
    await enqueue(db.pool, email(caseId, 'due'));
    await enqueue(db.pool, email('step-opened:ice-a', 'step_opened'));
    await db.owner.query(
      `INSERT INTO opened_step_notices (case_id, step_id, opened_seq, agency_id, actor_user_id, actor_agency_id)
     VALUES ($1, 'cp_decision-1', 2, 'ice-a', 'user-1', 'police-a')`,
      [caseId],
    );
    const kinds = async () =>
      (await db.owner.query<{ kind: string }>('SELECT kind FROM notifications ORDER BY kind')).rows.map((r) => r.kind);
    const tableExists = async () =>
      (await db.owner.query<{ t: string | null }>(`SELECT to_regclass('opened_step_notices')::text AS t`)).rows[0]!.t;

    await undoMigrations(db.ownerConnectionString, fromOpenedStepNotices);
    expect(await tableExists()).toBeNull();
    expect(await kinds()).toEqual(['due']);
    // The kinds before it are still the only ones the outbox takes.
    await expect(enqueue(db.pool, email('step-opened:ice-a', 'step_opened'))).rejects.toMatchObject({ code: '23514' });

    expect(await migrate(db.ownerConnectionString)).toEqual(fromOpenedStepNotices);
    expect(await tableExists()).toBe('opened_step_notices');
    await enqueue(db.pool, email('step-opened:ice-a', 'step_opened'));
    expect(await kinds()).toEqual(['due', 'step_opened']);
  });
});
