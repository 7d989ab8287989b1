/**
 * The delivery activities against a real PostgreSQL and a real SMTP server (the embedded capture): one email per
 * notification of a case's alarm, no personal data in it, and an SMTP outage that delays mail without losing or
 * doubling it. (The notify activity, which starts each delivery workflow, runs end to end in test/cases.)
 */
import { randomUUID } from 'node:crypto';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { CancelledFailure } from '@temporalio/activity';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { Pool } from 'pg';
import { createDeliveryActivities, notificationMessageId } from '../../../activities/notifications';
import { createAccessService } from '../../../app/access-service';
import { createLogger } from '../../../core/logger';
import {
  enqueue,
  findNotification,
  findRecipient,
  listNotifications,
  type NewNotification,
  type Notification,
} from '../../../db/notifications';
import { operationsCounts } from '../../../db/operations-counts';
import { listCaseReminders } from '../../../db/reminders';
import { renderNotification } from '../../../mail/render';
import { startMailCapture, type MailCapture } from '../../../mail/capture-server';
import { createMailTransport } from '../../../mail/transport';
import { saveSurvivor } from '../../../db/survivors';
import { createPool } from '../../../db/pool';
import { eventually } from '../../support/eventually';
import { startTestDatabase, type TestDatabase } from '../../support/postgres';
import { wallClock } from '../../../core/clock';
import type { Actor } from '../../../domain/types';

describe('notifications', () => {
  const from = 'Relief cases <no-reply@relief.example.org>';
  const publicBaseUrl = 'https://relief.example.org';
  const caseId = randomUUID();
  const caseA = randomUUID();
  const caseB = randomUUID();
  // Personal data the case has, held where it belongs (the survivors table); it must never reach an email or a log.
  const survivor = { name: 'Amara Quetzal-Nakamura', birthDate: '2009-03-14', aNumber: 'A203948576' };

  let database: TestDatabase;
  let pool: Pool;
  let capture: MailCapture;
  let logLines: string[];
  let deliver: ReturnType<typeof createDeliveryActivities>['deliverNotification'];
  let reportFailing: ReturnType<typeof createDeliveryActivities>['reportDeliveryFailing'];

  /** The real alarm id of the CP decision's reminder: every case whose CP decision is due that day has the same one. */
  const SHARED_ALARM_ID = 'cp_decision-1:reminder:2026-11-16T08:00:00.000Z';

  /** An outbox row as the notify activity writes it, for a case of its own unless one is given. */
  async function notification(overrides: Partial<NewNotification> = {}): Promise<Notification> {
    const recipientAgencyId = overrides.recipientAgencyId ?? 'ice-ccht';
    const recipient = await findRecipient(pool, recipientAgencyId);
    const kind = overrides.kind ?? 'reminder';
    const reference = overrides.reference ?? 'RC-2026-0001';
    const caseId = overrides.caseId ?? randomUUID();
    const email = renderNotification({
      kind,
      caseId,
      reference,
      stepKind: 'cp_decision',
      agencyName: recipient!.name,
      dueAt: '2026-11-23T08:00:00.000Z',
      publicBaseUrl,
    });
    return enqueue(pool, {
      caseId,
      alarmId: SHARED_ALARM_ID,
      reference,
      stepId: 'cp_decision-1',
      stepKind: 'cp_decision',
      kind,
      recipientAgencyId,
      recipientEmail: recipient!.email,
      subject: email.subject,
      bodyText: email.text,
      dueAt: '2026-11-23T08:00:00.000Z',
      ...overrides,
    });
  }

  beforeAll(async () => {
    database = await startTestDatabase();
    pool = database.pool;
    await pool.query(
      `INSERT INTO agencies (id, kind, name, email) VALUES
         ('ice-ccht', 'ice', 'ICE CCHT Continued Presence Unit', 'cp-unit@ice.example'),
         ('metro-task-force', 'coordinator', 'Metro Anti-Trafficking Task Force', 'coordinator@taskforce.example'),
         ('county-sheriff', 'law_enforcement', 'County Sheriff', NULL)`,
    );
    await saveSurvivor(pool, caseId, survivor);

    capture = await startMailCapture({ port: 0 });
    logLines = [];
    const logger = createLogger({
      level: 'debug',
      destination: new Writable({
        write(chunk: Buffer, _encoding, done) {
          logLines.push(chunk.toString());
          done();
        },
      }),
    });
    const mailer = createMailTransport({ smtpUrl: capture.url, from });
    const activities = createDeliveryActivities({ pool, mailer, from, publicBaseUrl, logger, now: wallClock });
    // Run as Temporal runs them, in an activity context (the send heartbeats).
    deliver = (key) => new MockActivityEnvironment().run((k: typeof key) => activities.deliverNotification(k), key);
    reportFailing = (key) =>
      new MockActivityEnvironment().run((k: typeof key) => activities.reportDeliveryFailing(k), key);
  });

  afterAll(async () => {
    await capture?.close();
    await database?.stop();
  });

  beforeEach(async () => {
    capture.clear();
    await capture.setDown(false);
  });

  function mailFor(notificationId: string) {
    return capture.messages().filter((m) => m.messageId === notificationMessageId(notificationId, from));
  }

  type DeliveryActivities = ReturnType<typeof createDeliveryActivities>;

  /**
   * One send of the email with this Message-ID (that of the notification, or of the only notice an email of what
   * passed lists) whose database connection, and with it the row lock, is lost while a slow mail server talks, then its
   * retry, by the `same` worker process or by `another` (delivery activities of their own, remembering nothing).
   * PostgreSQL drops that connection alone and goes on `answering`, or restarts and is `back for the retry` only.
   * Answers how many copies the server received.
   */
  async function sendLosingConnection(
    notificationId: string,
    send: (activities: DeliveryActivities) => Promise<unknown>,
    { retriedBy, postgres }: { retriedBy: 'same' | 'another'; postgres: 'answering' | 'back for the retry' },
  ): Promise<number> {
    // A relay that holds each conversation until told to go on, then passes it to the capture: a slow mail server.
    const held: (() => void)[] = [];
    const relay = createServer((client) => {
      client.pause();
      held.push(() => {
        const server = connect(Number(new URL(capture.url).port), new URL(capture.url).hostname, () => {
          client.pipe(server).pipe(client);
          client.resume();
        });
      });
    });
    await new Promise<void>((listening) => relay.listen(0, '127.0.0.1', listening));
    const applicationName = `jest-mail-lost-${randomUUID()}`;
    const mailPool = createPool(database.connectionString, { max: 1, applicationName });
    const worker = (smtpUrl: string) =>
      createDeliveryActivities({
        pool,
        mailPool,
        mailer: createMailTransport({ smtpUrl, from }),
        from,
        publicBaseUrl,
        now: wallClock,
      });
    const first = worker(`smtp://127.0.0.1:${(relay.address() as AddressInfo).port}`);
    const attempt = (activities: DeliveryActivities) =>
      new MockActivityEnvironment().run((a: DeliveryActivities) => send(a), activities);
    const sent = () => capture.messages().filter((m) => m.messageId === notificationMessageId(notificationId, from));
    try {
      const firstAttempt = attempt(first);
      await eventually(() => held.length === 1, 'the send waiting on the mail server');
      // PostgreSQL drops the sending connection (a restart, a failover): the lock and the transaction go with it.
      if (postgres === 'answering')
        await pool.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [
          applicationName,
        ]);
      else await database.stopServer();
      held.shift()!();
      await expect(firstAttempt).rejects.toThrow();
      expect(sent()).toHaveLength(1);
      await database.startServer();

      await attempt(retriedBy === 'same' ? first : worker(capture.url));
      // A retry that sends again does so at once (the capture answers): nothing more is held back.
      expect(held).toHaveLength(0);
      return sent().length;
    } finally {
      relay.close();
      await mailPool.end();
    }
  }

  describe('deliverNotification', () => {
    it('sends one email naming the case reference, step, agency, due date and link, and nothing personal', async () => {
      const row = await notification({ caseId });
      const result = await deliver(row);

      expect(result).toEqual({ sentAt: expect.any(String) as unknown });
      const [message, ...others] = capture.messages();
      expect(others).toHaveLength(0);
      expect(message).toBeDefined();
      expect(message!.to).toEqual(['cp-unit@ice.example']);
      expect(message!.messageId).toBe(notificationMessageId(row.id, from));
      expect(message!.subject).toContain('RC-2026-0001');
      expect(message!.text).toContain('Case reference: RC-2026-0001');
      expect(message!.text).toContain('Step: Continued Presence decision');
      expect(message!.text).toContain('To: ICE CCHT Continued Presence Unit');
      expect(message!.text).toContain('23 Nov 2026');
      expect(message!.text).toContain(`https://relief.example.org/cases/${caseId}`);

      const stored = await findNotification(pool, row);
      expect(stored).toMatchObject({
        sentAt: result.sentAt,
        attempts: 1,
        lastError: null,
        failingSince: null,
        recipientEmail: 'cp-unit@ice.example',
      });

      const everything = [message!.subject, message!.text, JSON.stringify(stored), ...logLines].join('\n');
      for (const personal of Object.values(survivor)) expect(everything).not.toContain(personal);
      // Logs carry ids, not addresses.
      expect(logLines.join('\n')).not.toContain('cp-unit@ice.example');
    });

    it('keeps apart two cases whose alarms share an id: each its own row and its own email', async () => {
      const first = await notification({ reference: 'RC-SHARED-1' });
      const second = await notification({ reference: 'RC-SHARED-2' });
      expect(first.alarmId).toBe(second.alarmId);
      expect(first.id).not.toBe(second.id);
      await deliver(first);
      await deliver(second);
      expect(mailFor(first.id).map((m) => m.subject)).toEqual([expect.stringContaining('RC-SHARED-1')]);
      expect(mailFor(second.id).map((m) => m.subject)).toEqual([expect.stringContaining('RC-SHARED-2')]);
    });

    it('sends once when called twice for the same notification, one after the other or at the same time', async () => {
      const sequential = await notification();
      const first = await deliver(sequential);
      const second = await deliver(sequential);
      expect(second).toEqual(first);
      expect(mailFor(sequential.id)).toHaveLength(1);

      const concurrent = await notification();
      await Promise.all([deliver(concurrent), deliver(concurrent), deliver(concurrent)]);
      expect(mailFor(concurrent.id)).toHaveLength(1);
      expect(await findNotification(pool, concurrent)).toMatchObject({ attempts: 1 });
    });

    it('throws while SMTP is down, says since when delivery fails, and sends exactly one email once SMTP is back', async () => {
      const row = await notification();
      await capture.setDown(true);

      await expect(deliver(row)).rejects.toThrow(/ECONNREFUSED/);
      await expect(deliver(row)).rejects.toThrow();
      const during = await findNotification(pool, row);
      expect(during).toMatchObject({ sentAt: null, attempts: 2, failingSince: expect.any(String) as unknown });
      expect(during?.lastError).toMatch(/ECONNREFUSED/);
      expect((await listNotifications(pool, { unsentOnly: true, limit: 50 })).items.map((n) => n.id)).toContain(row.id);
      expect(capture.messages()).toHaveLength(0);
      // Each failed attempt's line says why (the error) and where to look, for whoever is on call with the log alone.
      const failed = logLines
        .map((line) => JSON.parse(line) as { level: number; msg: string; notificationId?: string; err?: unknown })
        .filter((line) => line.notificationId === row.id && line.msg.startsWith('notification email not sent'));
      expect(failed).toHaveLength(2);
      for (const line of failed) {
        expect(line).toMatchObject({ level: 40, err: { message: expect.stringMatching(/ECONNREFUSED/) as unknown } });
        expect(line.msg).toContain('SMTP_URL');
        expect(line.msg).toContain('docs/runbook.md, "A reminder keeps failing"');
      }

      await capture.setDown(false);
      const sent = await deliver(row);
      await expect(deliver(row)).resolves.toEqual(sent);

      expect(mailFor(row.id)).toHaveLength(1);
      expect(await findNotification(pool, row)).toMatchObject({
        sentAt: sent.sentAt,
        attempts: 3,
        lastError: null,
        failingSince: null,
      });
      expect((await listNotifications(pool, { unsentOnly: true, limit: 50 })).items.map((n) => n.id)).not.toContain(
        row.id,
      );
    });

    it('does not send a reminder held back by an outage until its step was done: its row says why, and is no longer owed or failing', async () => {
      const stepCase = randomUUID();
      await pool.query(
        `INSERT INTO cases (id, reference, path, status, opened_at, policy_version, agencies, version)
         VALUES ($1, 'RC-DONE-MEANWHILE', 'adult', 'open', now(), 'test', $2, 1)`,
        [stepCase, JSON.stringify({ coordinator: 'metro-task-force', ice: 'ice-ccht' })],
      );
      await pool.query(
        `INSERT INTO case_steps (case_id, step_id, kind, track, agency_kind, agency_id, status, opened_at, due_at)
         VALUES ($1, 'cp_decision-1', 'cp_decision', 'cp', 'ice', 'ice-ccht', 'pending', now(), now() + interval '7 days')`,
        [stepCase],
      );
      const kinds = ['reminder', 'due', 'escalation'] as const;
      const rows = await Promise.all(
        kinds.map((kind) => notification({ caseId: stepCase, alarmId: `cp_decision-1:${kind}:x`, kind })),
      );
      const expiry = await notification({
        caseId: stepCase,
        alarmId: 'cp_decision-1:expiry_reminder:x',
        kind: 'expiry_reminder',
      });
      await capture.setDown(true);
      for (const row of [...rows, expiry]) await expect(deliver(row)).rejects.toThrow(/ECONNREFUSED/);
      const before = await operationsCounts(pool, new Date());
      // The officer signs the step off while the mail server is still down (the projection marks it completed).
      await pool.query(`UPDATE case_steps SET status = 'completed', completed_at = now() WHERE case_id = $1`, [
        stepCase,
      ]);
      await capture.setDown(false);

      for (const row of rows) await expect(deliver(row)).resolves.toEqual({ sentAt: null });
      // Asked again (a retry that raced the settling), still nothing is sent.
      await expect(deliver(rows[0]!)).resolves.toEqual({ sentAt: null });
      for (const row of rows) {
        expect(mailFor(row.id)).toHaveLength(0);
        expect(await findNotification(pool, row)).toMatchObject({
          sentAt: null,
          failingSince: null,
          lastError: 'not sent: the step was done before the email could go out',
        });
      }
      const owed = (await listNotifications(pool, { unsentOnly: true, limit: 500 })).items.map((n) => n.id);
      for (const row of rows) expect(owed).not.toContain(row.id);
      // Nor counted as failing, nor listed as failed among the case's reminders: only the expiry reminder still fails.
      const after = await operationsCounts(pool, new Date());
      expect(after.failingEmails).toBe(before.failingEmails - rows.length);
      expect(after.unsentEmails).toBe(before.unsentEmails - rows.length);
      const failingOfCase = await pool.query<{ id: string }>(
        'SELECT id FROM notifications WHERE case_id = $1 AND failing_since IS NOT NULL',
        [stepCase],
      );
      expect(failingOfCase.rows.map((r) => r.id)).toEqual([expiry.id]);
      expect((await listCaseReminders(pool, stepCase)).map((r) => [r.kind, r.status])).toEqual(
        expect.arrayContaining([
          ['reminder', 'not_sent'],
          ['due', 'not_sent'],
          ['escalation', 'not_sent'],
        ]),
      );

      // An expiry reminder is about a window's end, its step done long before: it still goes out.
      await expect(deliver(expiry)).resolves.toEqual({ sentAt: expect.any(String) as unknown });
      expect(mailFor(expiry.id)).toHaveLength(1);
    });

    it('sends the emails an outage held back to one address oldest first, whichever retry comes first', async () => {
      // Three reminders to one address, written a day apart while the mail server was down; a fourth to another
      // address. Each send failed, and each is retried on its own backoff: the newest, at the shortest, comes first.
      const address = 'held-back@agency.example';
      await pool.query(
        `INSERT INTO agencies (id, kind, name, email) VALUES ('held-back', 'hhs', 'Held Back Office', $1)`,
        [address],
      );
      const rows = [];
      for (const day of [1, 2, 3]) {
        rows.push(
          await notification({
            caseId: randomUUID(),
            alarmId: `cp_decision-1:reminder:2026-11-0${day}T08:00:00.000Z`,
            recipientAgencyId: 'held-back',
            subject: `Held back ${day}`,
          }),
        );
      }
      const elsewhere = await notification({ caseId: randomUUID(), subject: 'Held back elsewhere' });
      await capture.setDown(true);
      for (const row of [...rows, elsewhere]) await expect(deliver(row)).rejects.toThrow(/ECONNREFUSED/);
      await capture.setDown(false);

      await expect(deliver(rows[2]!)).resolves.toEqual({ sentAt: expect.any(String) as unknown });
      const received = capture.messages().filter((m) => /^Held back/.test(m.subject));
      expect(received.map((m) => m.subject)).toEqual(['Held back 1', 'Held back 2', 'Held back 3']);
      // Their own retries find them sent: each went out once. The other address's email waits for its own retry.
      for (const row of rows) await expect(deliver(row)).resolves.toEqual({ sentAt: expect.any(String) as unknown });
      for (const row of rows) expect(mailFor(row.id)).toHaveLength(1);
      expect(mailFor(elsewhere.id)).toHaveLength(0);
      expect(await findNotification(pool, rows[0]!)).toMatchObject({ failingSince: null, lastError: null });
      await deliver(elsewhere);
      expect(mailFor(elsewhere.id)).toHaveLength(1);
    });

    it('sends a reminder whose step is still pending after an outage, as before', async () => {
      const stepCase = randomUUID();
      await pool.query(
        `INSERT INTO cases (id, reference, path, status, opened_at, policy_version, agencies, version)
         VALUES ($1, 'RC-STILL-PENDING', 'adult', 'open', now(), 'test', $2, 1)`,
        [stepCase, JSON.stringify({ coordinator: 'metro-task-force', ice: 'ice-ccht' })],
      );
      await pool.query(
        `INSERT INTO case_steps (case_id, step_id, kind, track, agency_kind, agency_id, status, opened_at, due_at)
         VALUES ($1, 'cp_decision-1', 'cp_decision', 'cp', 'ice', 'ice-ccht', 'pending', now(), now() + interval '7 days')`,
        [stepCase],
      );
      const row = await notification({ caseId: stepCase });
      await capture.setDown(true);
      await expect(deliver(row)).rejects.toThrow(/ECONNREFUSED/);
      await capture.setDown(false);
      const sent = await deliver(row);
      expect(sent.sentAt).toEqual(expect.any(String));
      expect(mailFor(row.id)).toHaveLength(1);
      expect(await findNotification(pool, row)).toMatchObject({
        sentAt: sent.sentAt,
        lastError: null,
        failingSince: null,
      });
    });

    it('holds only its own connections while a mail server hangs: the pool the cases use still answers', async () => {
      // A server that accepts and never says a word, as a stuck relay does.
      const sockets: Socket[] = [];
      const hung = createServer((socket) => sockets.push(socket));
      await new Promise<void>((listening) => hung.listen(0, '127.0.0.1', listening));
      const mailPool = createPool(database.connectionString, { max: 2, applicationName: 'jest-mail' });
      const activities = createDeliveryActivities({
        pool,
        mailPool,
        mailer: createMailTransport({ smtpUrl: `smtp://127.0.0.1:${(hung.address() as AddressInfo).port}`, from }),
        from,
        publicBaseUrl,
        now: wallClock,
      });
      try {
        // More sends than `pool` has connections (5): before, they took every one of them.
        const rows = await Promise.all(Array.from({ length: 6 }, () => notification()));
        const sends = rows.map((row) =>
          new MockActivityEnvironment().run((k: typeof row) => activities.deliverNotification(k), row),
        );
        await eventually(() => sockets.length === 2, 'both mail connections in use');
        const answered = await Promise.all(
          Array.from({ length: 5 }, () => pool.query<{ one: number }>('SELECT 1 AS one')),
        );
        expect(answered.map((result) => result.rows[0])).toEqual(Array(5).fill({ one: 1 }));
        // The relay goes away: the two sends fail, to be retried, and so do the others, refused or with no connection.
        const closed = new Promise((done) => hung.close(done));
        sockets.forEach((socket) => socket.destroy());
        await closed;
        const outcomes = await Promise.allSettled(sends);
        expect(outcomes.map((outcome) => outcome.status)).toEqual(Array(6).fill('rejected'));
        expect(await Promise.all(rows.map(async (row) => (await findNotification(pool, row))?.sentAt))).toEqual(
          Array(6).fill(null),
        );
        // A server that answers again sends them: none is left held back, to go out first with the emails of the tests
        // that follow (emails to one address go out oldest first).
        for (const row of rows) await deliver(row);
        expect(await Promise.all(rows.map(async (row) => (await findNotification(pool, row))?.sentAt))).toEqual(
          Array(6).fill(expect.any(String)),
        );
      } finally {
        if (hung.listening) hung.close();
        sockets.forEach((socket) => socket.destroy());
        await mailPool.end();
      }
    });

    it.each([
      // The sending can be recorded nowhere until the retry: the worker process remembers the email the server accepted.
      { when: 'PostgreSQL restarts while the mail server talks, and is back for the retry', retriedBy: 'same' },
      // Two worker processes on the task queue: Temporal gives the retry to whichever polls first.
      {
        when: 'its connection is lost while the mail server talks, and another worker process retries',
        retriedBy: 'another',
      },
    ] as const)('sends once when $when', async ({ retriedBy }) => {
      const row = await notification();
      const postgres = retriedBy === 'same' ? 'back for the retry' : 'answering';
      await expect(
        sendLosingConnection(row.id, (activities) => activities.deliverNotification(row), { retriedBy, postgres }),
      ).resolves.toBe(1);
      expect(await findNotification(pool, row)).toMatchObject({ sentAt: expect.any(String) as unknown });
    });

    it('sends notices of what passed once when the connection is lost while the server talks and another process retries', async () => {
      const agencyId = `passed-${randomUUID()}`;
      await pool.query(
        `INSERT INTO agencies (id, kind, name, email) VALUES ($1, 'ice', 'ICE field office', 'field@ice.example')`,
        [agencyId],
      );
      const row = await notification({ kind: 'passed_summary', recipientAgencyId: agencyId });
      await expect(
        sendLosingConnection(row.id, (activities) => activities.deliverPassedNotices({ agencyId }), {
          retriedBy: 'another',
          postgres: 'answering',
        }),
      ).resolves.toBe(1);
      expect(await findNotification(pool, row)).toMatchObject({ sentAt: expect.any(String) as unknown });
    });

    it('heartbeats while it waits for the row behind a send that hangs, and sends nothing once Temporal gave up on it', async () => {
      const row = await notification();
      const activities = createDeliveryActivities({
        pool,
        mailer: createMailTransport({ smtpUrl: capture.url, from }),
        from,
        publicBaseUrl,
        now: wallClock,
      });
      // Another attempt holds the row, as one whose mail server hangs does.
      const holder = await pool.connect();
      try {
        await holder.query('BEGIN');
        await findNotification(holder, row, { forUpdate: true });
        const environment = new MockActivityEnvironment();
        let heartbeats = 0;
        environment.on('heartbeat', () => heartbeats++);
        const waiting = environment.run((k: typeof row) => activities.deliverNotification(k), row);
        // Silent, Temporal would time it out (10 s) and start another attempt while this one still waits.
        await eventually(() => heartbeats > 0, 'a heartbeat while the attempt waits for the row');
        // It did time out all the same (Temporal unreachable meanwhile): the attempt that replaces it sends.
        environment.cancel();
        await holder.query('ROLLBACK');
        await expect(waiting).rejects.toThrow(CancelledFailure);
      } finally {
        holder.release();
      }
      expect(mailFor(row.id)).toHaveLength(0);
      expect(await findNotification(pool, row)).toMatchObject({ sentAt: null });
    });

    it('sends an escalation to the coordinator organisation and says it is one', async () => {
      const row = await notification({ kind: 'escalation', recipientAgencyId: 'metro-task-force' });
      await deliver(row);

      const [message] = mailFor(row.id);
      expect(message?.to).toEqual(['coordinator@taskforce.example']);
      expect(message?.subject).toMatch(/^ESCALATION: /);
      expect(message?.text).toContain('This is an escalation.');
      expect(message?.text).toContain('To: Metro Anti-Trafficking Task Force');
    });

    it("sends an email held back by an outage to the agency's address as an administrator changed it since, and none once it was removed", async () => {
      // People leave: the agency's notification address was a mailbox of someone gone, and the mail server is down.
      await pool.query(
        `INSERT INTO agencies (id, kind, name, email) VALUES ('river-hhs', 'hhs', 'River HHS', 'left@hhs.example')`,
      );
      const access = createAccessService({ pool, logger: createLogger({ level: 'silent' }) });
      const systemAdmin: Actor = {
        userId: randomUUID(),
        agencyId: 'metro-task-force',
        agencyKind: 'coordinator',
        roles: ['system_admin'],
      };
      const river = { id: 'river-hhs', kind: 'hhs', name: 'River HHS', timeZone: null } as const;
      const changed = await notification({ recipientAgencyId: 'river-hhs' });
      const removed = await notification({ recipientAgencyId: 'river-hhs' });
      const other = await notification();
      await capture.setDown(true);
      for (const row of [changed, removed, other]) await expect(deliver(row)).rejects.toThrow(/ECONNREFUSED/);

      await access.saveAgency(systemAdmin, { ...river, email: 'cases@hhs.example' });
      await capture.setDown(false);
      await deliver(changed);
      expect(mailFor(changed.id).map((m) => m.to)).toEqual([['cases@hhs.example']]);
      expect(await findNotification(pool, changed)).toMatchObject({ recipientEmail: 'cases@hhs.example' });

      await capture.setDown(true);
      await expect(deliver(removed)).rejects.toThrow(/ECONNREFUSED/);
      await access.saveAgency(systemAdmin, { ...river, email: null });
      await capture.setDown(false);
      await expect(deliver(removed)).resolves.toEqual({ sentAt: null });
      expect(mailFor(removed.id)).toHaveLength(0);
      expect(await findNotification(pool, removed)).toMatchObject({
        sentAt: null,
        recipientEmail: null,
        lastError: "not sent: the agency's notification address was removed before the email could go out",
        failingSince: null,
      });
      // Settled, no longer owed: the outbox counts it neither unsent nor failing.
      const settled = await pool.query('SELECT not_sent_at FROM notifications WHERE id = $1', [removed.id]);
      expect(settled.rows[0]).toEqual({ not_sent_at: expect.any(Date) as unknown });
      // Another agency's email held back meanwhile keeps its own address.
      await deliver(other);
      expect(mailFor(other.id).map((m) => m.to)).toEqual([['cp-unit@ice.example']]);
    });

    it('sends nothing for an in-app notification (an agency without an email address)', async () => {
      const row = await notification({ recipientAgencyId: 'county-sheriff' });
      await expect(deliver(row)).resolves.toEqual({ sentAt: null });
      expect(capture.messages()).toHaveLength(0);
    });
  });

  describe('reportDeliveryFailing', () => {
    it("tells the case's coordinator in the app, never by email, since when delivery fails", async () => {
      const failingCase = randomUUID();
      await pool.query(
        `INSERT INTO cases (id, reference, path, status, opened_at, policy_version, agencies, version)
         VALUES ($1, 'RC-FAILING', 'adult', 'open', now(), 'test', $2, 1)`,
        [failingCase, JSON.stringify({ coordinator: 'metro-task-force', ice: 'ice-ccht' })],
      );
      const row = await notification({ caseId: failingCase, reference: 'RC-FAILING' });
      await capture.setDown(true);
      await expect(deliver(row)).rejects.toThrow();
      const { failingSince } = (await findNotification(pool, row))!;

      await expect(reportFailing(row)).resolves.toBe(failingSince);
      await expect(reportFailing(row)).resolves.toBe(failingSince);
      const notices = (await listNotifications(pool, { caseId: failingCase, agencyId: 'metro-task-force', limit: 10 }))
        .items;
      expect(notices).toHaveLength(1);
      expect(notices[0]).toMatchObject({ kind: 'delivery_failing', recipientEmail: null, stepId: 'cp_decision-1' });
      expect(notices[0]!.subject).toBe('Email not delivered: Continued Presence decision (case RC-FAILING)');
      expect(notices[0]!.bodyText).toContain('to ICE CCHT Continued Presence Unit has failed since');
    });
  });

  describe('listNotifications', () => {
    beforeAll(async () => {
      await pool.query('DELETE FROM notifications');
      await capture.setDown(false);
      for (let i = 1; i <= 5; i += 1)
        await deliver(
          await notification({ caseId: caseA, alarmId: `${SHARED_ALARM_ID}:${i}`, reference: 'RC-LIST-A' }),
        );
      await deliver(
        await notification({
          caseId: caseB,
          reference: 'RC-LIST-B',
          kind: 'escalation',
          recipientAgencyId: 'metro-task-force',
        }),
      );
      await notification({
        caseId: caseB,
        alarmId: 'cp_request-1:due:2026-11-16T08:00:00.000Z',
        reference: 'RC-LIST-B',
        recipientAgencyId: 'county-sheriff',
      });
      await capture.setDown(true);
      await expect(
        deliver(
          await notification({
            caseId: caseB,
            alarmId: 'cp_decision-1:due:2026-11-23T08:00:00.000Z',
            reference: 'RC-LIST-B',
          }),
        ),
      ).rejects.toThrow();
      await capture.setDown(false);
    });

    it('filters by case and by agency', async () => {
      const byCase = await listNotifications(pool, { caseId: caseB, limit: 50 });
      expect(byCase.items).toHaveLength(3);
      expect(byCase.items.every((n) => n.caseId === caseB)).toBe(true);

      const byAgency = await listNotifications(pool, { agencyId: 'metro-task-force', limit: 50 });
      expect(byAgency.items.map((n) => n.kind)).toEqual(['escalation']);

      const both = await listNotifications(pool, { caseId: caseA, agencyId: 'metro-task-force', limit: 50 });
      expect(both.items).toEqual([]);
    });

    it('lists only mail still owed when asked for unsent ones', async () => {
      const unsent = await listNotifications(pool, { unsentOnly: true, limit: 50 });
      expect(unsent.items).toHaveLength(1);
      expect(unsent.items[0]).toMatchObject({
        caseId: caseB,
        recipientAgencyId: 'ice-ccht',
        sentAt: null,
        attempts: 1,
      });
    });

    it('pages newest first with a cursor, without repeats or gaps', async () => {
      const all = await listNotifications(pool, { limit: 50 });
      expect(all.nextCursor).toBeNull();
      expect(all.items).toHaveLength(8);

      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await listNotifications(pool, { limit: 3, cursor });
        expect(page.items.length).toBeLessThanOrEqual(3);
        seen.push(...page.items.map((n) => n.id));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      expect(seen).toEqual(all.items.map((n) => n.id));
      const createdAt = all.items.map((n) => n.createdAt);
      expect([...createdAt].sort().reverse()).toEqual(createdAt);
    });
  });
});
