/**
 * The outbox's migrations, each on a database that already holds rows of the shape before it. Keying notifications
 * by case and alarm: every row keeps its contents and gets its case-qualified id, a second case can then have the
 * same alarm, and every existing case gets its reference reserved for the agency that opened it. Dropping dates
 * derived from a birth date: a minor's 18th-birthday reminders lose their date everywhere a reader sees it.
 */
import { randomUUID } from 'node:crypto';
import { migrate } from '../../../db/migrate';
import { enqueue, findNotification, listNotifications } from '../../../db/notifications';
import { migrationsFrom, undoMigrations } from '../../support/migrations';
import { startTestDatabase, type TestDatabase } from '../../support/postgres';
import { withoutRandomParts } from '../../support/scan';

describe('outbox-migration', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await startTestDatabase();
  });
  afterAll(async () => {
    await db?.stop();
  });

  const undo = (migrations: string[]) => undoMigrations(db.ownerConnectionString, migrations);

  const fromOutboxOn = migrationsFrom(/case-keyed-outbox\.sql$/);

  test('existing outbox rows and cases come through the migration intact', async () => {
    await undo(fromOutboxOn);
    const [first, second] = [randomUUID(), randomUUID()];
    const alarmId = 'hhs_minor_notification-1:due:2026-11-24T00:00:00.000Z';
    for (const [caseId, reference, opener] of [
      [first, 'RC-OLD-1', 'police-a'],
      [second, 'RC-OLD-2', 'task-force-b'],
    ]) {
      await db.owner.query(
        `INSERT INTO cases (id, reference, path, status, opened_at, policy_version, agencies, version) VALUES ($1, $2, 'minor', 'open', now(), 'p', $3, 1)`,
        [caseId, reference, JSON.stringify({ law_enforcement: 'police-a', coordinator: 'task-force-b' })],
      );
      await db.owner.query(
        `INSERT INTO case_timeline (case_id, seq, at, type, actor_agency_id, summary) VALUES ($1, 1, now(), 'case.opened', $2, 'opened')`,
        [caseId, opener],
      );
    }
    // The old outbox: the alarm id alone is the key, so the second case's identical alarm had no row of its own.
    await db.owner.query(
      `INSERT INTO notifications (id, case_id, reference, step_id, step_kind, kind, recipient_agency_id, recipient_email, subject, body_text, due_at, sent_at, attempts)
     VALUES ($1, $2, 'RC-OLD-1', 'hhs_minor_notification-1', 'hhs_minor_notification', 'due', 'police-a', 'a@police.example', 'Due today', 'text', '2026-11-24T00:00:00Z', now(), 1)`,
      [alarmId, first],
    );

    expect(await migrate(db.ownerConnectionString)).toEqual(fromOutboxOn);

    const kept = await findNotification(db.pool, { caseId: first, alarmId });
    expect(kept).toMatchObject({
      id: `${first}/${alarmId}`,
      reference: 'RC-OLD-1',
      subject: 'Due today',
      attempts: 1,
      sentAt: expect.any(String) as unknown,
      failingSince: null,
    });
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
    // The service never rewrites whose a reservation is (its reference only, with a survivor correction's new one).
    await expect(
      db.pool.query(`UPDATE case_references SET opened_by_agency_id = 'X' WHERE case_id = $1`, [first]),
    ).rejects.toMatchObject({ code: '42501' });
  });

  test("a minor's 18th-birthday reminders written before the grid lose their date wherever a reader sees it", async () => {
    const fromBirthdayFreeOn = migrationsFrom(/birthday-free-notifications\.sql$/);
    await undo(fromBirthdayFreeOn);
    const caseId = randomUUID();
    const lead = '2027-03-15T00:00:00.000Z';
    // The email as such rows were written then (mail/render.ts of that time), naming a day derived from the birth date.
    const step = 'HHS notification of a minor (24 hours)';
    const old = {
      subject: `Expiring: ${step} valid until 15 Mar 2027 (case RC-OLD-3)`,
      text: [
        'To: Police A',
        '',
        `What "${step}" granted stops being valid on 15 Mar 2027. Act before then if it must be renewed or used.`,
        '',
        'Case reference: RC-OLD-3',
        `Step: ${step}`,
        'Date: 15 Mar 2027',
        '',
        `Open the case: https://relief.example.org/cases/${caseId}`,
        '',
        'This message intentionally carries no personal details. Sign in to see the case.',
      ].join('\n'),
    };
    const row = {
      caseId,
      reference: 'RC-OLD-3',
      stepId: 'hhs_minor_notification-1',
      stepKind: 'hhs_minor_notification',
      kind: 'expiry_reminder' as const,
    };
    const sentId = `hhs_minor_notification-1:expiry_reminder:minor_turns_18:${lead}`;
    const owedId = 'hhs_minor_notification-1:expiry_reminder:minor_turns_18:2027-05-14T00:00:00.000Z';
    for (const [alarmId, sent] of [
      [sentId, true],
      [owedId, false],
    ] as const) {
      // Written with the columns of that time: today's enqueue writes columns added since (digest_date).
      await db.owner.query(
        `INSERT INTO notifications
         (case_id, alarm_id, reference, step_id, step_kind, kind, recipient_agency_id, recipient_email, subject, body_text, due_at)
       VALUES ($1, $2, $3, $4, $5, $6, 'police-a', 'a@police.example', $7, $8, $9)`,
        [row.caseId, alarmId, row.reference, row.stepId, row.stepKind, row.kind, old.subject, old.text, lead],
      );
      if (sent)
        await db.owner.query(`UPDATE notifications SET sent_at = now() WHERE case_id = $1 AND alarm_id = $2`, [
          caseId,
          alarmId,
        ]);
    }

    expect(await migrate(db.ownerConnectionString)).toEqual(fromBirthdayFreeOn);

    const { items } = await listNotifications(db.pool, { caseId, limit: 10 });
    expect(items).toHaveLength(2);
    for (const item of items) {
      expect(item).toMatchObject({
        dueAt: null,
        subject: 'Urgent: notify HHS before the minor turns 18 (case RC-OLD-3)',
      });
      expect(item.bodyText).toContain('Open the case: https://relief.example.org/cases/');
      expect(item.bodyText).toContain('("HHS notification of a minor (24 hours)") must be made before then');
      expect(withoutRandomParts(`${item.subject}${item.bodyText}`)).not.toMatch(/2027|valid until/);
    }
    // The sent one's id is gone; the owed one keeps its id until its delivery workflow has sent it.
    const ids = items.map((item) => item.alarmId);
    expect(ids).toContain(owedId);
    expect(ids.find((id) => id !== owedId)).toMatch(
      /^hhs_minor_notification-1:expiry_reminder:minor_turns_18:legacy-[0-9a-f-]{36}$/,
    );
  });

  test("an agency's references differing only in letter case are kept, the later renamed, before they become unique", async () => {
    const fromAnyCaseOn = migrationsFrom(/reference-unique-any-case\.sql$/);
    await undo(fromAnyCaseOn);
    const [first, second, third, other] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    const opened = [
      // The agency already holds the name a rename would take first: the second variant goes on to -3.
      [first, 'police-a', 'TF-legacy-07', '2026-01-01T00:00:00Z'],
      [second, 'police-a', 'tf-LEGACY-07-2', '2026-01-02T00:00:00Z'],
      [third, 'police-a', 'tf-legacy-07', '2026-01-03T00:00:00Z'],
      // Another agency's is its own.
      [other, 'police-b', 'TF-LEGACY-07', '2026-01-04T00:00:00Z'],
    ];
    for (const [caseId, agencyId, reference, at] of opened) {
      await db.owner.query(
        `INSERT INTO cases (id, reference, path, status, opened_at, policy_version, agencies, version) VALUES ($1, $2, 'adult', 'open', $3, 'p', $4, 1)`,
        [caseId, reference, at, JSON.stringify({ law_enforcement: agencyId })],
      );
      await db.owner.query(
        'INSERT INTO case_references (case_id, opened_by_agency_id, reference, created_at) VALUES ($1, $2, $3, $4)',
        [caseId, agencyId, reference, at],
      );
    }

    expect(await migrate(db.ownerConnectionString)).toEqual(fromAnyCaseOn);

    const { rows } = await db.pool.query<{ case_id: string; reserved: string; shown: string }>(
      `SELECT r.case_id, r.reference AS reserved, c.reference AS shown
     FROM case_references r JOIN cases c ON c.id = r.case_id WHERE r.case_id = ANY($1) ORDER BY r.created_at`,
      [[first, second, third, other]],
    );
    expect(rows).toEqual([
      { case_id: first, reserved: 'TF-legacy-07', shown: 'TF-legacy-07' },
      { case_id: second, reserved: 'tf-LEGACY-07-2', shown: 'tf-LEGACY-07-2' },
      { case_id: third, reserved: 'tf-legacy-07-3', shown: 'tf-legacy-07-3' },
      { case_id: other, reserved: 'TF-LEGACY-07', shown: 'TF-LEGACY-07' },
    ]);
    // The same name in other letters is refused from now on.
    await expect(
      db.owner.query(
        `INSERT INTO case_references (case_id, opened_by_agency_id, reference) VALUES ($1, 'police-a', 'tf-LEGACY-07')`,
        [randomUUID()],
      ),
    ).rejects.toMatchObject({ code: '23505' });
  });
});
