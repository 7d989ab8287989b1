/**
 * The notify activity against a real PostgreSQL and a real SMTP server (the embedded capture): one email per alarm,
 * no personal data in it, and an SMTP outage that delays mail without losing or doubling it.
 */
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import type { Pool } from 'pg';
import { createNotificationActivities, notificationMessageId, type NotifyInput } from '../../activities/notifications';
import { createLogger } from '../../app/logger';
import { findNotification, listNotifications } from '../../db/notifications';
import { startMailCapture, type MailCapture } from '../../mail/capture-server';
import { createMailTransport } from '../../mail/transport';
import { saveSurvivor } from '../../db/survivors';
import { startTestDatabase, type TestDatabase } from '../support/postgres';

const from = 'Relief cases <no-reply@relief.example.org>';
const publicBaseUrl = 'https://relief.example.org';
const caseId = randomUUID();
// Personal data the case has, held where it belongs (the survivors table); it must never reach an email or a log.
const survivor = { name: 'Amara Quetzal-Nakamura', birthDate: '2009-03-14', aNumber: 'A203948576' };

let database: TestDatabase;
let pool: Pool;
let capture: MailCapture;
let logLines: string[];
let notify: (input: NotifyInput) => Promise<{ notificationId: string; sent: boolean }>;

let alarmSeq = 0;
function alarm(overrides: Partial<NotifyInput> = {}): NotifyInput {
  alarmSeq += 1;
  return {
    alarmId: `cp_decision-1:reminder:2026-11-16T08:00:00.000Z#${alarmSeq}`,
    caseId,
    reference: 'RC-2026-0001',
    stepId: 'cp_decision-1',
    stepKind: 'cp_decision',
    kind: 'reminder',
    recipientAgencyId: 'ice-ccht',
    dueAt: '2026-11-23T08:00:00.000Z',
    ...overrides,
  };
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
  const activities = createNotificationActivities({ pool, mailer, from, publicBaseUrl, logger });
  notify = (input) => activities.notify(input);
});

afterAll(async () => {
  await capture?.close();
  await database?.stop();
});

beforeEach(() => {
  capture.clear();
  capture.setDown(false);
});

function mailFor(notificationId: string) {
  return capture.messages().filter((m) => m.messageId === notificationMessageId(notificationId, from));
}

describe('notify', () => {
  it('sends one email naming the case reference, step, agency, due date and link, and nothing personal', async () => {
    const input = alarm();
    const result = await notify(input);

    expect(result).toEqual({ notificationId: input.alarmId, sent: true });
    const [message, ...others] = capture.messages();
    expect(others).toHaveLength(0);
    expect(message).toBeDefined();
    expect(message!.to).toEqual(['cp-unit@ice.example']);
    expect(message!.messageId).toBe(notificationMessageId(input.alarmId, from));
    expect(message!.subject).toContain('RC-2026-0001');
    expect(message!.text).toContain('Case reference: RC-2026-0001');
    expect(message!.text).toContain('Step: Continued Presence decision');
    expect(message!.text).toContain('To: ICE CCHT Continued Presence Unit');
    expect(message!.text).toContain('Monday, November 23, 2026 (2026-11-23)');
    expect(message!.text).toContain(`https://relief.example.org/cases/${caseId}`);

    const row = await findNotification(pool, input.alarmId);
    expect(row).toMatchObject({ sentAt: expect.any(String) as unknown, attempts: 1, lastError: null, recipientEmail: 'cp-unit@ice.example' });

    const everything = [message!.subject, message!.text, JSON.stringify(row), ...logLines].join('\n');
    for (const personal of Object.values(survivor)) expect(everything).not.toContain(personal);
    // Logs carry ids, not addresses.
    expect(logLines.join('\n')).not.toContain('cp-unit@ice.example');
  });

  it('sends once when called twice with the same alarm id, one after the other or at the same time', async () => {
    const sequential = alarm();
    const first = await notify(sequential);
    const second = await notify(sequential);
    expect([first.sent, second.sent]).toEqual([true, true]);
    expect(mailFor(sequential.alarmId)).toHaveLength(1);

    const concurrent = alarm();
    await Promise.all([notify(concurrent), notify(concurrent), notify(concurrent)]);
    expect(mailFor(concurrent.alarmId)).toHaveLength(1);
    expect(await findNotification(pool, concurrent.alarmId)).toMatchObject({ attempts: 1 });

    const { rows } = await pool.query<{ n: string }>('SELECT count(*) AS n FROM notifications WHERE id = ANY($1)', [[sequential.alarmId, concurrent.alarmId]]);
    expect(rows[0]?.n).toBe('2');
  });

  it('throws while SMTP is down, marks nothing sent, and sends exactly one email once SMTP is back', async () => {
    const input = alarm();
    capture.setDown(true);

    await expect(notify(input)).rejects.toMatchObject({ responseCode: 421 });
    await expect(notify(input)).rejects.toThrow();
    const during = await findNotification(pool, input.alarmId);
    expect(during).toMatchObject({ sentAt: null, attempts: 2 });
    expect(during?.lastError).toMatch(/421/);
    expect((await listNotifications(pool, { unsentOnly: true, limit: 50 })).items.map((n) => n.id)).toContain(input.alarmId);
    expect(capture.messages()).toHaveLength(0);

    capture.setDown(false);
    await expect(notify(input)).resolves.toEqual({ notificationId: input.alarmId, sent: true });
    await expect(notify(input)).resolves.toEqual({ notificationId: input.alarmId, sent: true });

    expect(mailFor(input.alarmId)).toHaveLength(1);
    expect(await findNotification(pool, input.alarmId)).toMatchObject({ sentAt: expect.any(String) as unknown, attempts: 3, lastError: null });
    expect((await listNotifications(pool, { unsentOnly: true, limit: 50 })).items.map((n) => n.id)).not.toContain(input.alarmId);
  });

  it('sends an escalation to the coordinator organisation and says it is one', async () => {
    const input = alarm({ kind: 'escalation', recipientAgencyId: 'metro-task-force', dueAt: '2026-11-23T08:00:00.000Z' });
    await notify(input);

    const [message] = mailFor(input.alarmId);
    expect(message?.to).toEqual(['coordinator@taskforce.example']);
    expect(message?.subject).toMatch(/^ESCALATION: /);
    expect(message?.text).toContain('This is an escalation.');
    expect(message?.text).toContain('To: Metro Anti-Trafficking Task Force');
  });

  it('keeps an in-app notification, and sends nothing, for an agency without an email address', async () => {
    const input = alarm({ recipientAgencyId: 'county-sheriff', stepKind: 'cp_request', stepId: 'cp_request-1' });
    await expect(notify(input)).resolves.toEqual({ notificationId: input.alarmId, sent: false });
    expect(capture.messages()).toHaveLength(0);
    expect(await findNotification(pool, input.alarmId)).toMatchObject({ recipientEmail: null, sentAt: null, subject: expect.stringContaining('Continued Presence request') as unknown });
  });

  it('fails, to be retried, when the recipient organisation is unknown', async () => {
    const input = alarm({ recipientAgencyId: 'no-such-agency' });
    await expect(notify(input)).rejects.toThrow(/no-such-agency/);
    expect(await findNotification(pool, input.alarmId)).toBeNull();
  });
});

describe('listNotifications', () => {
  beforeAll(async () => {
    await pool.query('DELETE FROM notifications');
    capture.setDown(false);
    for (let i = 1; i <= 5; i += 1) await notify(alarm({ caseId: 'case-list-a', reference: 'RC-LIST-A' }));
    await notify(alarm({ caseId: 'case-list-b', reference: 'RC-LIST-B', kind: 'escalation', recipientAgencyId: 'metro-task-force' }));
    await notify(alarm({ caseId: 'case-list-b', reference: 'RC-LIST-B', recipientAgencyId: 'county-sheriff' }));
    capture.setDown(true);
    await expect(notify(alarm({ caseId: 'case-list-b', reference: 'RC-LIST-B' }))).rejects.toThrow();
    capture.setDown(false);
  });

  it('filters by case and by agency', async () => {
    const byCase = await listNotifications(pool, { caseId: 'case-list-b', limit: 50 });
    expect(byCase.items).toHaveLength(3);
    expect(byCase.items.every((n) => n.caseId === 'case-list-b')).toBe(true);

    const byAgency = await listNotifications(pool, { agencyId: 'metro-task-force', limit: 50 });
    expect(byAgency.items.map((n) => n.kind)).toEqual(['escalation']);

    const both = await listNotifications(pool, { caseId: 'case-list-a', agencyId: 'metro-task-force', limit: 50 });
    expect(both.items).toEqual([]);
  });

  it('lists only mail still owed when asked for unsent ones', async () => {
    const unsent = await listNotifications(pool, { unsentOnly: true, limit: 50 });
    expect(unsent.items).toHaveLength(1);
    expect(unsent.items[0]).toMatchObject({ caseId: 'case-list-b', recipientAgencyId: 'ice-ccht', sentAt: null, attempts: 1 });
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
