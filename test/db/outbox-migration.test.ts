/**
 * The migration that keys notifications by case and alarm, on a database that already holds rows of the old shape:
 * every row keeps its contents and gets its case-qualified id, a second case can then have the same alarm, and every
 * existing case gets its reference reserved for the agency that opened it.
 */
import { randomUUID } from 'node:crypto';
import { readdirSync } from 'node:fs';
import type { RunnerOption } from 'node-pg-migrate' with { 'resolution-mode': 'import' };
import { Pool } from 'pg';
import { MIGRATIONS_DIR, migrate } from '../../db/migrate';
import { enqueue, findNotification } from '../../db/notifications';
import { startTestDatabase, type TestDatabase } from '../support/postgres';

let db: TestDatabase;
let owner: Pool;
beforeAll(async () => {
  db = await startTestDatabase();
  owner = new Pool({ connectionString: db.ownerConnectionString });
});
afterAll(async () => {
  await owner?.end();
  await db?.stop();
});

const OUTBOX_MIGRATION = '1795800000000_case-keyed-outbox.sql';
/** The outbox migration and every later one: undone, the database stands as it did before the outbox release. */
const FROM_OUTBOX = readdirSync(MIGRATIONS_DIR).filter((file) => file.endsWith('.sql') && file >= OUTBOX_MIGRATION).length;

/** Undoes the outbox migration (and those after it), as the database stood before that release. */
async function undoOutboxMigration(): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- require(esm) of an ESM-only package, as db/migrate.ts does
  const { runner } = require('node-pg-migrate') as { runner: (options: RunnerOption) => Promise<unknown> };
  await runner({ databaseUrl: db.ownerConnectionString, dir: MIGRATIONS_DIR, migrationsTable: 'pgmigrations', direction: 'down', count: FROM_OUTBOX, verbose: false, log: () => undefined });
}

test('existing outbox rows and cases come through the migration intact', async () => {
  await undoOutboxMigration();
  const [first, second] = [randomUUID(), randomUUID()];
  const alarmId = 'hhs_minor_notification-1:due:2026-11-24T00:00:00.000Z';
  for (const [caseId, reference, opener] of [
    [first, 'RC-OLD-1', 'police-a'],
    [second, 'RC-OLD-2', 'task-force-b'],
  ]) {
    await owner.query(
      `INSERT INTO cases (id, reference, path, status, opened_at, policy_version, agencies, version) VALUES ($1, $2, 'minor', 'open', now(), 'p', $3, 1)`,
      [caseId, reference, JSON.stringify({ law_enforcement: 'police-a', coordinator: 'task-force-b' })],
    );
    await owner.query(`INSERT INTO case_timeline (case_id, seq, at, type, actor_agency_id, summary) VALUES ($1, 1, now(), 'case.opened', $2, 'opened')`, [caseId, opener]);
  }
  // The old outbox: the alarm id alone is the key, so the second case's identical alarm had no row of its own.
  await owner.query(
    `INSERT INTO notifications (id, case_id, reference, step_id, step_kind, kind, recipient_agency_id, recipient_email, subject, body_text, due_at, sent_at, attempts)
     VALUES ($1, $2, 'RC-OLD-1', 'hhs_minor_notification-1', 'hhs_minor_notification', 'due', 'police-a', 'a@police.example', 'Due today', 'text', '2026-11-24T00:00:00Z', now(), 1)`,
    [alarmId, first],
  );

  expect((await migrate(db.ownerConnectionString))[0]).toMatch(/case-keyed-outbox$/);

  const kept = await findNotification(db.pool, { caseId: first, alarmId });
  expect(kept).toMatchObject({ id: `${first}/${alarmId}`, reference: 'RC-OLD-1', subject: 'Due today', attempts: 1, sentAt: expect.any(String) as unknown, failingSince: null });
  // The second case's notice now has a row of its own.
  const own = await enqueue(db.pool, {
    caseId: second,
    alarmId,
    reference: 'RC-OLD-2',
    stepId: 'hhs_minor_notification-1',
    stepKind: 'hhs_minor_notification',
    kind: 'due',
    recipientAgencyId: 'police-a',
    recipientEmail: 'a@police.example',
    subject: 'Due today',
    bodyText: 'text',
    dueAt: '2026-11-24T00:00:00.000Z',
  });
  expect(own).toMatchObject({ id: `${second}/${alarmId}`, sentAt: null });
  const { rows } = await db.pool.query<{ case_id: string; opened_by_agency_id: string; reference: string }>(
    'SELECT case_id, opened_by_agency_id, reference FROM case_references WHERE case_id = ANY($1) ORDER BY reference',
    [[first, second]],
  );
  expect(rows).toEqual([
    { case_id: first, opened_by_agency_id: 'police-a', reference: 'RC-OLD-1' },
    { case_id: second, opened_by_agency_id: 'task-force-b', reference: 'RC-OLD-2' },
  ]);
  // A reservation is never rewritten by the service.
  await expect(db.pool.query(`UPDATE case_references SET reference = 'X' WHERE case_id = $1`, [first])).rejects.toMatchObject({ code: '42501' });
});
