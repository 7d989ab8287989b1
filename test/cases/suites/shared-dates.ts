/**
 * Many cases at once, sharing every date, and a mail server that is down for more than a week: each case keeps its
 * own reminders and emails, and no outage loses, doubles or kills a case. Time skipping on the official test server.
 */
import { listNotifications, type Notification } from '../../../db/notifications';
import { DEMO_AGENCIES } from '../../../db/seed';
import { workingActor } from '../../../domain/access';
import type { Actor, CaseAgencies } from '../../../domain/types';
import { notificationMessageId } from '../../../activities/notifications';
import { getCase, type CaseView } from '../../../db/read-model';
import { temporal } from '@temporalio/proto';
import { deliveryWorkflowIdOf, workflowIdOf } from '../../../workflows/contract';
import { eventually, startStack, type Stack } from '../../support/stack';

describe('shared-dates', () => {
  const DAY = 24 * 3600 * 1000;
  const HOUR = 3600 * 1000;
  const FROM = 'Relief cases <no-reply@relief.example.org>';
  /** The longest wait between two delivery attempts (workflows/notification-delivery.ts). */
  const MAX_BACKOFF_MS = 30 * 60 * 1000;

  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
    await stack.pool.query(
      `INSERT INTO agencies (id, kind, name, email) VALUES ('second-police', 'law_enforcement', 'Second Police Department', 'alerts@second-police.example')`,
    );
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const officerOf = (agencyId: string): Actor =>
    workingActor({ userId: `officer-${agencyId}`, agencyId, agencyKind: 'law_enforcement' });
  const now = async () => new Date(await stack.env.currentTimeMs()).toISOString();
  const today = async () => (await now()).slice(0, 10);

  async function open(options: { birthDate: string; identifiedAt?: string; agencies?: CaseAgencies }) {
    const agencies = options.agencies ?? DEMO_AGENCIES;
    return stack.cases.open(
      // The instant, not the day: a day alone means its midnight, and the 24-hour notice's reminder would then have
      // passed before the case was opened, at whatever hour the suite runs.
      {
        identifiedAt: options.identifiedAt ?? (await now()),
        survivor: { name: 'Shared Date Person', birthDate: options.birthDate },
        agencies,
        // One fictitious survivor opened again on purpose, not a request sent twice (409 possible_duplicate).
        confirmNotDuplicate: true,
      },
      officerOf(agencies.law_enforcement),
    );
  }

  async function notificationsOf(caseId: string): Promise<Notification[]> {
    return (await listNotifications(stack.pool, { caseId, limit: 500 })).items;
  }

  /**
   * The notifications of these cases once every one that owes an email has been sent. Alarms that fell due at the end
   * of a skipped stretch may still be raised after it: a read finding one of them not yet sent waits for it.
   */
  async function delivered(caseIds: string[], what: string, timeoutMs = 60_000): Promise<Notification[][]> {
    return eventually(
      async () => {
        const all = await Promise.all(caseIds.map(notificationsOf));
        return all.every((rows) => rows.every((n) => !n.recipientEmail || n.sentAt)) ? all : undefined;
      },
      what,
      timeoutMs,
    );
  }

  /** No email went out twice: every Message-ID the mail server received, it received once. */
  function expectNoDuplicateEmails(): void {
    const ids = stack.mail.messages().map((m) => m.messageId);
    expect(ids.length).toBe(new Set(ids).size);
  }

  const emailsOf = (notification: Notification) =>
    stack.mail.messages().filter((m) => m.messageId === notificationMessageId(notification.id, FROM));

  // First: the cases of every test live on in the one time-skipping server, and an outage after the 50 cases below
  // would have all of their emails retried every 30 minutes through eight skipped days.
  test('SMTP down for 8 days: the case stays open and takes sign-offs, the failure is shown, then every email goes out once', async () => {
    const birthDate = `${Number((await today()).slice(0, 4)) - 16}-02-02`;
    const view = await open({ birthDate });
    const handle = stack.client.workflow.getHandle(workflowIdOf(view.caseId));
    await stack.mail.setDown(true);
    try {
      // Past the 24-hour notice and its escalation, and more than an hour of failing deliveries.
      await stack.env.sleep(3 * DAY);
      const failing = await eventually(async () => {
        const rows = (await notificationsOf(view.caseId)).filter((n) => n.recipientEmail && n.failingSince);
        return rows.length > 0 ? rows : undefined;
      }, 'a delivery reported failing');
      expect(failing.every((n) => n.sentAt === null && n.attempts >= 1 && n.lastError !== null)).toBe(true);
      const timeline = await eventually(async () => {
        const entries = (await getCase(stack.pool, view.caseId))!.timeline.filter(
          (t) => t.type === 'notification.failing',
        );
        return entries.length > 0 ? entries : undefined;
      }, 'the case timeline to say delivery is failing');
      expect(timeline[0]!.summary).toMatch(/delivery failing since \d{4}-\d\d-\d\dT/);
      const notices = (
        await listNotifications(stack.pool, { caseId: view.caseId, agencyId: DEMO_AGENCIES.coordinator, limit: 50 })
      ).items.filter((n) => n.kind === 'delivery_failing');
      expect(notices.length).toBeGreaterThan(0);
      expect(notices.every((n) => n.recipientEmail === null)).toBe(true);

      // The case is not waiting on its mail: a sign-off in the middle of the outage is applied at once.
      const signed = await stack.cases.signOff(
        view.caseId,
        { stepId: 'cp_request-1', outcome: 'requested', details: { requestedOn: await today() } },
        officerOf(DEMO_AGENCIES.law_enforcement),
      );
      expect(signed.steps.find((s) => s.id === 'cp_request-1')!.status).toBe('completed');

      await stack.env.sleep(5 * DAY);
      expect((await handle.describe()).status.name).toBe('RUNNING');
      expect(stack.mail.messages().filter((m) => m.text.includes(view.reference))).toHaveLength(0);
    } finally {
      await stack.mail.setDown(false);
    }
    const backAt = await stack.env.currentTimeMs();

    // Every email owed goes out within one backoff of the server's return.
    await stack.env.sleep(MAX_BACKOFF_MS + HOUR);
    const [rows] = await delivered([view.caseId], 'every email after the outage');
    const owed = rows!.filter((n) => n.recipientEmail);
    expectNoDuplicateEmails();
    expect(owed.length).toBeGreaterThan(2);
    for (const notification of owed) {
      expect(emailsOf(notification)).toHaveLength(1);
      expect(notification.failingSince).toBeNull();
      // Late by at most one backoff after the server came back (or after the alarm, for one raised since).
      const { started, delivered } = await deliveryTimes(notification);
      expect(delivered - Math.max(backAt, started)).toBeLessThanOrEqual(MAX_BACKOFF_MS + 60_000);
    }
    await eventually(
      async () => (await getCase(stack.pool, view.caseId))!.timeline.some((t) => t.type === 'notification.delivered'),
      'the case timeline to say the late email was delivered',
    );
    expect((await handle.describe()).status.name).toBe('RUNNING');
  });

  test('50 minors identified the same day each get their own reminders and emails, exactly once', async () => {
    const birthDate = `${Number((await today()).slice(0, 4)) - 15}-09-09`;
    const cases: CaseView[] = [];
    const identifiedAt = await now();
    for (let batch = 0; batch < 5; batch += 1) {
      cases.push(...(await Promise.all(Array.from({ length: 10 }, () => open({ birthDate, identifiedAt })))));
    }
    const caseIds = cases.map((c) => c.caseId);
    // Identified the same day: the 24-hour notice of every case is due at the same instant, so its alarms share ids.
    const noticeDue = new Set(cases.map((c) => c.steps.find((s) => s.id === 'hhs_minor_notification-1')!.dueAt));
    expect(noticeDue.size).toBe(1);

    // Past the notice's reminder, due date and escalation, and the first reminders of other steps.
    await stack.env.sleep(30 * DAY);
    const notificationsPerCase = await delivered(caseIds, 'every email of the 50 cases', 120_000);

    const perCase = cases.map((view, i) => ({ view, notifications: notificationsPerCase[i]! }));
    const sharedAlarms = (notifications: Notification[]) =>
      notifications
        .filter((n) => n.stepId === 'hhs_minor_notification-1')
        .map((n) => n.alarmId)
        .sort();
    const alarmIds = sharedAlarms(perCase[0]!.notifications);
    expect(alarmIds).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^hhs_minor_notification-1:reminder:/),
        expect.stringMatching(/^hhs_minor_notification-1:due:/),
        expect.stringMatching(/^hhs_minor_notification-1:escalation:/),
      ]),
    );
    for (const { view, notifications } of perCase) {
      // Each case has the alarms the others have, in rows of its own.
      expect(sharedAlarms(notifications)).toEqual(alarmIds);
      for (const notification of notifications) {
        expect(notification.caseId).toBe(view.caseId);
        if (!notification.recipientEmail) continue;
        const emails = emailsOf(notification);
        expect(emails).toHaveLength(1);
        expect(emails[0]!.text).toContain(`Case reference: ${view.reference}`);
      }
    }
    expectNoDuplicateEmails();
  });

  test("a minor's 24-hour notice reaches each case's own police department when two minors are identified the same day", async () => {
    const birthDate = `${Number((await today()).slice(0, 4)) - 15}-06-15`;
    const identifiedAt = await now();
    const first = await open({ birthDate, identifiedAt });
    const second = await open({
      birthDate,
      identifiedAt,
      agencies: { ...DEMO_AGENCIES, law_enforcement: 'second-police' },
    });
    const dueOf = (view: typeof first) => view.steps.find((s) => s.id === 'hhs_minor_notification-1')!.dueAt;
    expect(dueOf(first)).toBe(dueOf(second));

    await stack.env.sleep(2 * DAY);
    await delivered([first.caseId, second.caseId], 'the notices of both minors');

    for (const [view, agencyId, address] of [
      [first, DEMO_AGENCIES.law_enforcement, undefined],
      [second, 'second-police', 'alerts@second-police.example'],
    ] as const) {
      const due = (await notificationsOf(view.caseId)).filter(
        (n) => n.stepId === 'hhs_minor_notification-1' && n.kind === 'due',
      );
      expect(due).toHaveLength(1);
      expect(due[0]).toMatchObject({ recipientAgencyId: agencyId, sentAt: expect.any(String) as unknown });
      const [email, ...more] = emailsOf(due[0]!);
      expect(more).toHaveLength(0);
      expect(email!.text).toContain(`Case reference: ${view.reference}`);
      if (address) expect(email!.to).toEqual([address]);
    }
  });

  /** When a notification's delivery workflow started and when its send succeeded, on the server's (skipped) clock. */
  async function deliveryTimes(notification: Notification): Promise<{ started: number; delivered: number }> {
    const { events } = await stack.client.workflow
      .getHandle(deliveryWorkflowIdOf(notification.deliveryId))
      .fetchHistory();
    const { EventType } = temporal.api.enums.v1;
    const at = (type: temporal.api.enums.v1.EventType) => {
      const event = events!.filter((e) => e.eventType === type).at(-1)!;
      return Number(event.eventTime!.seconds) * 1000 + Math.floor((event.eventTime!.nanos ?? 0) / 1e6);
    };
    return {
      started: at(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED),
      delivered: at(EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED),
    };
  }
});
