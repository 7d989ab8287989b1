/**
 * The delivery activities against a real PostgreSQL and a real SMTP server that refuses the way real ones do: a
 * message it will never take (554 as spam, 552 too big) at the end of DATA, as against an address it does not know or
 * an outage, which every email to that address shares.
 */
import { randomUUID } from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { Pool } from 'pg';
import { SMTPServer, type SMTPServerDataStream } from 'smtp-server';
import { simpleParser } from 'mailparser';
import { createDeliveryActivities, notificationMessageId } from '../../../activities/notifications';
import { enqueue, findNotification, listNotifications, type Notification } from '../../../db/notifications';
import { renderNotification } from '../../../mail/render';
import { createMailTransport } from '../../../mail/transport';
import { wallClock } from '../../../core/clock';
import { startTestDatabase, type TestDatabase } from '../../support/postgres';

describe('refusing-server', () => {
  const from = 'Relief cases <no-reply@relief.example.org>';
  const publicBaseUrl = 'https://relief.example.org';
  const address = 'letters@hhs.example';

  let database: TestDatabase;
  let pool: Pool;
  let smtp: SMTPServer;
  let deliver: ReturnType<typeof createDeliveryActivities>['deliverNotification'];
  let reportFailing: ReturnType<typeof createDeliveryActivities>['reportDeliveryFailing'];
  /** The addresses the server does not know (550 5.1.1 to RCPT TO). */
  const unknownAddresses = new Set<string>();
  /** The Message-IDs of the emails the server took (answered 250). */
  const accepted: string[] = [];
  /** The Message-IDs whose message the server refuses at the end of DATA, and with what reply. */
  const refusedMessages = new Map<string, { code: number; reply: string }>();

  /** An outbox row to the HHS office, for a case of its own, as the notify activity writes it. */
  async function notification(day: number, to: string, caseId: string = randomUUID()): Promise<Notification> {
    const dueAt = `2026-11-0${day}T08:00:00.000Z`;
    const email = renderNotification({
      kind: 'reminder',
      caseId,
      reference: `RC-2026-000${day}`,
      stepKind: 'hhs_eligibility_letter',
      agencyName: 'HHS Office',
      dueAt,
      publicBaseUrl,
    });
    return enqueue(pool, {
      caseId,
      alarmId: `hhs_eligibility_letter-1:reminder:${dueAt}`,
      reference: `RC-2026-000${day}`,
      stepId: 'hhs_eligibility_letter-1',
      stepKind: 'hhs_eligibility_letter',
      kind: 'reminder',
      recipientAgencyId: 'hhs',
      recipientEmail: to,
      subject: email.subject,
      bodyText: email.text,
      dueAt,
    });
  }

  const messageIdOf = (row: Notification) => notificationMessageId(row.id, from);

  beforeAll(async () => {
    database = await startTestDatabase();
    pool = database.pool;
    await pool.query(
      `INSERT INTO agencies (id, kind, name, email) VALUES
         ('hhs', 'hhs', 'HHS Office', $1), ('task-force', 'coordinator', 'Task Force', 'tf@task-force.example')`,
      [address],
    );
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      disableReverseLookup: true,
      logger: false,
      onRcptTo(recipient, _session, callback) {
        if (!unknownAddresses.has(recipient.address)) return callback();
        const reply = `5.1.1 <${recipient.address}>: Recipient address rejected: User unknown in virtual mailbox table`;
        callback(Object.assign(new Error(reply), { responseCode: 550 }));
      },
      onData(stream: SMTPServerDataStream, _session, callback) {
        void simpleParser(stream).then((parsed) => {
          const messageId = parsed.messageId ?? '';
          const refusal = refusedMessages.get(messageId);
          if (refusal) {
            callback(Object.assign(new Error(refusal.reply), { responseCode: refusal.code }));
            return;
          }
          accepted.push(messageId);
          callback();
        });
      },
    });
    await new Promise<void>((ready) => smtp.listen(0, '127.0.0.1', ready));
    const port = (smtp.server.address() as { port: number }).port;
    const mailer = createMailTransport({ smtpUrl: `smtp://127.0.0.1:${port}`, from });
    const activities = createDeliveryActivities({ pool, mailer, from, publicBaseUrl, now: wallClock });
    deliver = (key) => new MockActivityEnvironment().run((k: typeof key) => activities.deliverNotification(k), key);
    reportFailing = (key) =>
      new MockActivityEnvironment().run((k: typeof key) => activities.reportDeliveryFailing(k), key);
  }, 60_000);

  afterAll(async () => {
    await new Promise<void>((closed) => (smtp ? smtp.close(closed) : closed()));
    await database?.stop();
  });

  describe('a message the server refuses for good', () => {
    it.each([
      [554, '5.7.1 Message rejected as spam'],
      [552, '5.3.4 Message size exceeds fixed maximum message size'],
    ])(
      'holds back no later email to the same address (%i at the end of DATA), and is still retried on its own',
      async (code, reply) => {
        // An address of its own for each case, as an agency's address corrected since would be.
        const to = `letters-${code}@hhs.example`;
        const refused = await notification(1, to);
        refusedMessages.set(messageIdOf(refused), { code, reply });
        await expect(deliver(refused)).rejects.toThrow(reply);

        // A later email to the same address, which the server takes: its attempt first sends the earlier ones held
        // back (oldest first), and the refused one is among them.
        const later = await notification(2, to);
        await expect(deliver(later)).resolves.toEqual({ sentAt: expect.any(String) as unknown });
        expect(accepted.filter((id) => id === messageIdOf(later))).toHaveLength(1);
        expect(await findNotification(pool, later)).toMatchObject({ failingSince: null, lastError: null });

        // The refused one is still owed and failing, with the server's reply, and goes out once the server takes it.
        const still = await findNotification(pool, refused);
        expect(still).toMatchObject({ sentAt: null, failingSince: expect.any(String) as unknown });
        expect(still?.lastError).toContain(String(code));
        refusedMessages.delete(messageIdOf(refused));
        await expect(deliver(refused)).resolves.toEqual({ sentAt: expect.any(String) as unknown });
        expect(accepted.filter((id) => id === messageIdOf(refused))).toHaveLength(1);
      },
    );
  });

  describe('an address the server refuses for good', () => {
    /** The coordinator's in-app notice of the case's email failing for an hour, as reportDeliveryFailing writes it. */
    async function coordinatorNotice(to: string, refuse?: (row: Notification) => void): Promise<string> {
      const caseId = randomUUID();
      await pool.query(
        `INSERT INTO cases (id, reference, path, status, opened_at, policy_version, agencies, version)
         VALUES ($1, 'RC-2026-0009', 'adult', 'open', now(), 'test', $2, 1)`,
        [caseId, JSON.stringify({ coordinator: 'task-force', hhs: 'hhs' })],
      );
      const row = await notification(9, to, caseId);
      refuse?.(row);
      await expect(deliver(row)).rejects.toThrow();
      await reportFailing(row);
      const notices = (await listNotifications(pool, { caseId, agencyId: 'task-force', limit: 10 })).items;
      expect(notices.map((notice) => notice.kind)).toEqual(['delivery_failing']);
      return notices[0]!.bodyText;
    }

    it("tells the coordinator that retrying will not deliver it and that a system administrator corrects the agency's address", async () => {
      const to = 'no-such-user@hhs.example';
      unknownAddresses.add(to);
      const text = await coordinatorNotice(to);
      expect(text).toContain('to HHS Office has failed since');
      expect(text).toContain(
        "The agency's mail server refuses the address it is sent to, so retrying will not deliver it",
      );
      expect(text).toContain("ask a system administrator to correct the agency's email address");
      expect(text).not.toContain(to);
    });

    it('says nothing of the address when the server refused the message, not the address', async () => {
      const text = await coordinatorNotice('letters-spam@hhs.example', (row) =>
        refusedMessages.set(messageIdOf(row), { code: 554, reply: '5.7.1 Message rejected as spam' }),
      );
      expect(text).toContain('to HHS Office has failed since');
      expect(text).not.toContain('refuses the address');
    });
  });
});
