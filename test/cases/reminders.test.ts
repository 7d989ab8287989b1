/**
 * Reminders and escalations fire at the right virtual time (time skipping, no sleeps), go out through a real SMTP
 * server exactly once, survive an SMTP outage and a worker restart, and carry no personal data.
 */
import { findRecipient, listNotifications, type Notification } from '../../db/notifications';
import { DEMO_AGENCIES } from '../../db/seed';
import type { Actor } from '../../domain/types';
import { eventually, PUBLIC_BASE_URL, startStack, type Stack } from '../support/stack';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

const DAY = 24 * 3600 * 1000;
const SURVIVOR_NAME = 'Ilse Varga-Montoya';
const lawEnforcement: Actor = { userId: 'officer-1', agencyId: DEMO_AGENCIES.law_enforcement, agencyKind: 'law_enforcement' };

async function openAdultCase() {
  const today = new Date(await stack.env.currentTimeMs()).toISOString().slice(0, 10);
  return stack.cases.open(
    { identifiedOn: today, survivor: { name: SURVIVOR_NAME, birthDate: '1988-08-08', contact: 'ilse@example.net' }, agencies: DEMO_AGENCIES },
    lawEnforcement,
  );
}

async function notificationsOf(caseId: string, stepId: string): Promise<Notification[]> {
  const { items } = await listNotifications(stack.pool, { caseId, limit: 100 });
  return items.filter((n) => n.stepId === stepId);
}

const emailsFor = (reference: string) => stack.mail.messages().filter((m) => m.subject.includes(reference) || m.text.includes(reference));

test('the CP request is reminded before due, at due, then escalated to the coordinator', async () => {
  const view = await openAdultCase();
  const cpRequest = view.steps.find((s) => s.id === 'cp_request-1')!;
  const dueAt = Date.parse(cpRequest.dueAt!);
  const openedAt = await stack.env.currentTimeMs();
  expect(dueAt - openedAt).toBeGreaterThan(8 * DAY); // the default SLA is 14 days: a reminder 7 days before falls after opening

  await stack.env.sleep(dueAt - 8 * DAY - openedAt);
  expect(await notificationsOf(view.caseId, 'cp_request-1')).toHaveLength(0);

  await stack.env.sleep(2 * DAY);
  const [reminder] = await eventually(async () => {
    const found = await notificationsOf(view.caseId, 'cp_request-1');
    return found.length === 1 && found[0]!.sentAt ? found : undefined;
  }, 'the reminder');
  expect(reminder).toMatchObject({ kind: 'reminder', recipientAgencyId: DEMO_AGENCIES.law_enforcement });

  await stack.env.sleep(dueAt + DAY - (await stack.env.currentTimeMs()));
  await eventually(async () => (await notificationsOf(view.caseId, 'cp_request-1')).some((n) => n.kind === 'due' && n.sentAt), 'the due notice');

  await stack.env.sleep(7 * DAY);
  const all = await eventually(async () => {
    const found = await notificationsOf(view.caseId, 'cp_request-1');
    return found.some((n) => n.kind === 'escalation' && n.sentAt) ? found : undefined;
  }, 'the escalation');
  expect(all.map((n) => n.kind).sort()).toEqual(['due', 'escalation', 'reminder']);
  expect(all.find((n) => n.kind === 'escalation')!.recipientAgencyId).toBe(DEMO_AGENCIES.coordinator);

  const emails = emailsFor(view.reference).filter((m) => m.text.includes('cp_request-1') || /Continued Presence request/i.test(m.subject + m.text));
  expect(emails).toHaveLength(3);
  const officer = await findRecipient(stack.pool, DEMO_AGENCIES.law_enforcement);
  const coordinator = await findRecipient(stack.pool, DEMO_AGENCIES.coordinator);
  const recipients = emails.map((m) => m.to.join(','));
  expect(recipients.filter((to) => to.includes(officer!.email!))).toHaveLength(2);
  expect(recipients.filter((to) => to.includes(coordinator!.email!))).toHaveLength(1);
  for (const email of emails) {
    expect(email.text).toContain(view.reference);
    expect(email.text).toContain(`${PUBLIC_BASE_URL}/cases/${view.caseId}`);
    expect(email.text).toContain(cpRequest.dueAt!.slice(0, 10));
    expect(email.subject + email.text).not.toContain(SURVIVOR_NAME);
    expect(email.subject + email.text).not.toContain('1988-08-08');
    expect(email.subject + email.text).not.toContain('ilse@example.net');
  }
});

test('an SMTP outage delays a reminder; it is then delivered exactly once', async () => {
  const view = await openAdultCase();
  const dueAt = Date.parse(view.steps.find((s) => s.id === 'cp_request-1')!.dueAt!);
  stack.mail.setDown(true);
  try {
    await stack.env.sleep(dueAt - 6 * DAY - (await stack.env.currentTimeMs()));
    const [pending] = await eventually(async () => {
      const found = await notificationsOf(view.caseId, 'cp_request-1');
      return found.length === 1 && found[0]!.attempts >= 1 ? found : undefined;
    }, 'a failed attempt');
    expect(pending!.sentAt).toBeNull();
    expect(emailsFor(view.reference)).toHaveLength(0);
  } finally {
    stack.mail.setDown(false);
  }
  // The activity's retry (backoff of at most 30 minutes) goes through once SMTP is back.
  await stack.env.sleep(3600 * 1000);
  await eventually(async () => (await notificationsOf(view.caseId, 'cp_request-1'))[0]?.sentAt, 'delivery after the outage');
  await stack.env.sleep(DAY);
  expect(emailsFor(view.reference).filter((m) => /reminder/i.test(m.subject))).toHaveLength(1);
  expect(await notificationsOf(view.caseId, 'cp_request-1')).toHaveLength(1);
});
