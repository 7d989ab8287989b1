/**
 * Reminders and escalations fire at the right virtual time (time skipping, no sleeps), go out through a real SMTP
 * server exactly once, survive an SMTP outage and a worker restart, and carry no personal data.
 */
import request from 'supertest';
import { upsertAgencies } from '../../../db/agencies';
import { findRecipient, listNotifications, type Notification } from '../../../db/notifications';
import { getCase } from '../../../db/read-model';
import { listCaseReminders } from '../../../db/reminders';
import { DEMO_AGENCIES } from '../../../db/seed';
import { DEFAULT_POLICY, policyWithOverrides } from '../../../domain/policy';
import type { Actor } from '../../../domain/types';
import { eventually, PUBLIC_BASE_URL, startStack, type Stack } from '../../support/stack';
import { workingActor } from '../../../domain/access';
import { formatCalendarDay, formatDueDate } from '../../../core/people-dates';
import { stepLabel } from '../../../domain/labels';

describe('reminders', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const DAY = 24 * 3600 * 1000;
  const SURVIVOR_NAME = 'Ilse Varga-Montoya';
  const lawEnforcement: Actor = workingActor({
    userId: 'officer-1',
    agencyId: DEMO_AGENCIES.law_enforcement,
    agencyKind: 'law_enforcement',
  });

  async function openAdultCase() {
    const today = new Date(await stack.env.currentTimeMs()).toISOString().slice(0, 10);
    return stack.cases.open(
      {
        // As the day began where the police work, by the hour: its deadlines are instants counted from then (one
        // identified by its day alone is counted as from a typed day, due all of its last day, since session 49).
        identifiedAt: `${today}T00:00`,
        survivor: { name: SURVIVOR_NAME, birthDate: '1988-08-08', contact: 'ilse@example.net' },
        agencies: DEMO_AGENCIES,
        // One fictitious survivor opened again on purpose, not a request sent twice (409 possible_duplicate).
        confirmNotDuplicate: true,
      },
      lawEnforcement,
    );
  }

  async function notificationsOf(caseId: string, stepId: string): Promise<Notification[]> {
    const { items } = await listNotifications(stack.pool, { caseId, limit: 100 });
    return items.filter((n) => n.stepId === stepId);
  }

  const emailsFor = (reference: string) =>
    stack.mail.messages().filter((m) => m.subject.includes(reference) || m.text.includes(reference));

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
    await eventually(
      async () => (await notificationsOf(view.caseId, 'cp_request-1')).some((n) => n.kind === 'due' && n.sentAt),
      'the due notice',
    );

    await stack.env.sleep(7 * DAY);
    const all = await eventually(async () => {
      const found = await notificationsOf(view.caseId, 'cp_request-1');
      return found.some((n) => n.kind === 'escalation' && n.sentAt) ? found : undefined;
    }, 'the escalation');
    expect(all.map((n) => n.kind).sort()).toEqual(['due', 'escalation', 'reminder']);
    expect(all.find((n) => n.kind === 'escalation')!.recipientAgencyId).toBe(DEMO_AGENCIES.coordinator);

    const emails = emailsFor(view.reference).filter(
      (m) => m.text.includes('cp_request-1') || /Continued Presence request/i.test(m.subject + m.text),
    );
    expect(emails).toHaveLength(3);
    const officer = await findRecipient(stack.pool, DEMO_AGENCIES.law_enforcement);
    const coordinator = await findRecipient(stack.pool, DEMO_AGENCIES.coordinator);
    const recipients = emails.map((m) => m.to.join(','));
    expect(recipients.filter((to) => to.includes(officer!.email!))).toHaveLength(2);
    expect(recipients.filter((to) => to.includes(coordinator!.email!))).toHaveLength(1);
    // The escalation names the agency that must act and how to reach it, as the console's lists do.
    const escalation = emails.find((m) => m.subject.startsWith('ESCALATION'))!;
    expect(escalation.text).toContain(`owned by ${officer!.name},`);
    expect(escalation.text).toContain(`Please follow up with ${officer!.name}: ${officer!.email!}.`);
    for (const email of emails) {
      expect(email.text).toContain(view.reference);
      expect(email.text).toContain(`${PUBLIC_BASE_URL}/cases/${view.caseId}`);
      // Written as people read a deadline, its last day to act in the agency's zone (the demo agencies keep UTC).
      expect(email.text).toContain(formatDueDate(cpRequest.dueAt!, 'UTC'));
      expect(email.subject + email.text).not.toContain(SURVIVOR_NAME);
      expect(email.subject + email.text).not.toContain('1988-08-08');
      expect(email.subject + email.text).not.toContain('ilse@example.net');
    }
  });

  test('an SMTP outage delays a reminder; it is then delivered exactly once', async () => {
    const view = await openAdultCase();
    const dueAt = Date.parse(view.steps.find((s) => s.id === 'cp_request-1')!.dueAt!);
    await stack.mail.setDown(true);
    try {
      // A minute past the reminder's time: the first attempts fail against the refusing server.
      await stack.env.sleep(dueAt - 7 * DAY + 60_000 - (await stack.env.currentTimeMs()));
      const [pending] = await eventually(async () => {
        const found = await notificationsOf(view.caseId, 'cp_request-1');
        return found.length === 1 && found[0]!.attempts >= 1 ? found : undefined;
      }, 'a failed attempt');
      expect(pending!.sentAt).toBeNull();
      expect(emailsFor(view.reference)).toHaveLength(0);
    } finally {
      await stack.mail.setDown(false);
    }
    // The activity's retry (backoff of at most 30 minutes) goes through once SMTP is back.
    await stack.env.sleep(3600 * 1000);
    await eventually(
      async () => (await notificationsOf(view.caseId, 'cp_request-1'))[0]?.sentAt,
      'delivery after the outage',
    );
    await stack.env.sleep(DAY);
    expect(emailsFor(view.reference).filter((m) => /reminder/i.test(m.subject))).toHaveLength(1);
    expect(await notificationsOf(view.caseId, 'cp_request-1')).toHaveLength(1);
  });

  test('a reminder and a due notice held back by an SMTP outage until the step was signed off are not sent: the outbox says why', async () => {
    // The emails that ask for the step, not the coordinator's in-app notice that they kept failing.
    const askingFor = async (caseId: string, stepId: string) =>
      (await notificationsOf(caseId, stepId)).filter((n) => n.kind === 'reminder' || n.kind === 'due');
    const view = await openAdultCase();
    const today = new Date(await stack.env.currentTimeMs()).toISOString().slice(0, 10);
    const dueAt = Date.parse(view.steps.find((s) => s.id === 'cp_request-1')!.dueAt!);
    await stack.mail.setDown(true);
    try {
      // A minute past the due date: the reminder and the due notice were raised, and their sends fail.
      await stack.env.sleep(dueAt + 60_000 - (await stack.env.currentTimeMs()));
      await eventually(async () => {
        const found = await askingFor(view.caseId, 'cp_request-1');
        return found.length === 2 && found.every((n) => n.attempts >= 1);
      }, 'failed attempts of both');
      // The officer signs the step off before the mail server is back.
      await stack.cases.signOff(
        view.caseId,
        { stepId: 'cp_request-1', outcome: 'requested', details: { requestedOn: today } },
        lawEnforcement,
      );
    } finally {
      await stack.mail.setDown(false);
    }
    // The retries (backoff of at most 30 minutes) find the step done: nothing is sent, and each row says why.
    await stack.env.sleep(3600 * 1000);
    const settled = await eventually(async () => {
      const found = await askingFor(view.caseId, 'cp_request-1');
      return found.length === 2 && found.every((n) => n.lastError?.startsWith('not sent')) ? found : undefined;
    }, 'both settled as not sent');
    for (const row of settled) {
      expect(row).toMatchObject({
        sentAt: null,
        failingSince: null,
        lastError: 'not sent: the step was done before the email could go out',
      });
    }
    await stack.env.sleep(DAY);
    expect(emailsFor(view.reference).filter((m) => /Continued Presence request/.test(m.subject + m.text))).toEqual([]);
    // The case's reminders list them as not sent, neither sent nor failing.
    const reminders = (await listCaseReminders(stack.pool, view.caseId)).filter((r) => r.stepId === 'cp_request-1');
    expect(reminders.filter((r) => r.kind !== 'escalation').map((r) => [r.kind, r.status])).toEqual([
      ['reminder', 'not_sent'],
      ['due', 'not_sent'],
    ]);

    // The reminder, raised a week before due, failed for days: the timeline and the coordinator were told it kept
    // failing. Settled since, the case page's timeline and the dashboard's notice read it as settled, not retrying.
    const coordinator = stack.as('coordinator');
    const shown = await request(stack.app).get(`/api/cases/${view.caseId}`).set(coordinator).expect(200);
    const timeline = (shown.body as { timeline: { type: string; stepId: string | null; summary: string }[] }).timeline;
    const deliveries = timeline.filter((e) => e.stepId === 'cp_request-1' && e.type.startsWith('notification.'));
    expect(deliveries.map((e) => e.type)).toEqual(['notification.not_sent']);
    expect(deliveries[0]!.summary).toMatch(
      /^reminder email for cp_request-1 to \S+: delivery failing since \S+; not sent: the step was done before the email could go out \(settled at \S+\)$/,
    );
    const notices = await request(stack.app)
      .get('/api/notifications')
      .query({ caseId: view.caseId })
      .set(coordinator)
      .expect(200);
    const failingNotices = (
      notices.body as { items: { kind: string; stepId: string; failedEmail: unknown }[] }
    ).items.filter((n) => n.kind === 'delivery_failing' && n.stepId === 'cp_request-1');
    expect(failingNotices).toEqual([
      expect.objectContaining({
        failedEmail: {
          status: 'not_sent',
          at: expect.any(String) as unknown,
          reason: 'not sent: the step was done before the email could go out',
        },
      }),
    ]);
  });

  const plusDays = (date: string, days: number) =>
    new Date(Date.parse(`${date}T00:00:00.000Z`) + days * DAY).toISOString().slice(0, 10);

  async function grantCp(validForDays: number) {
    const view = await openAdultCase();
    const today = new Date(await stack.env.currentTimeMs()).toISOString().slice(0, 10);
    await stack.cases.signOff(
      view.caseId,
      { stepId: 'cp_request-1', outcome: 'requested', details: { requestedOn: today } },
      lawEnforcement,
    );
    const ice: Actor = workingActor({ userId: 'cp-officer', agencyId: DEMO_AGENCIES.ice, agencyKind: 'ice' });
    const validUntil = plusDays(today, validForDays);
    await stack.cases.signOff(
      view.caseId,
      { stepId: 'cp_decision-1', outcome: 'granted', details: { validUntil } },
      ice,
    );
    return { view, today, validUntil, ice };
  }

  const kindsOf = async (caseId: string) =>
    (await listNotifications(stack.pool, { caseId, limit: 200 })).items.map((n) => n.kind);

  test('Continued Presence is reminded ahead of expiry, then expires when nobody renews it, told to the police and the task force, withdrawing the certification request it alone stood on', async () => {
    const { view, validUntil } = await grantCp(130);
    // The renewal reminder lead is 120 days: 10 days after the grant it is due.
    await stack.env.sleep(11 * DAY);
    await eventually(async () => (await kindsOf(view.caseId)).includes('expiry_reminder'), 'the renewal reminder');
    expect(await kindsOf(view.caseId)).not.toContain('expired');

    await stack.env.sleep(Date.parse(`${validUntil}T00:00:00.000Z`) + 2 * DAY - (await stack.env.currentTimeMs()));
    // The lapse is told to the police and, in an email of its own, to the coordinator (`coordinatorToldOfLapses`).
    const lapses = await eventually(async () => {
      const found = (await notificationsOf(view.caseId, 'cp_decision-1')).filter((n) => n.kind === 'expired');
      return found.length === 2 && found.every((n) => n.sentAt) ? found : undefined;
    }, 'the expiry notices');
    expect(lapses.map((n) => n.recipientAgencyId).sort()).toEqual(
      [DEMO_AGENCIES.law_enforcement, DEMO_AGENCIES.coordinator].sort(),
    );
    const coordinator = await findRecipient(stack.pool, DEMO_AGENCIES.coordinator);
    const told = emailsFor(view.reference).filter(
      (m) => m.subject.startsWith('Expired:') && m.to.join(',').includes(coordinator!.email!),
    );
    expect(told).toHaveLength(1);
    expect(told[0]!.text).toContain('Continued Presence has lapsed: the work authorization it gave ends');
    expect(told[0]!.subject + told[0]!.text).not.toContain(SURVIVOR_NAME);
    const after = await stack.cases.signOff(
      view.caseId,
      { stepId: 'le_declaration-1', outcome: 'declined', details: { reason: 'investigation_closed' } },
      lawEnforcement,
    );
    expect(after.steps.find((s) => s.id === 'cp_decision-1')!.status).toBe('expired');
    expect(after.steps.find((s) => s.id === 'cp_renewal_request-1')!.status).toBe('cancelled');
    // A new case takes the rule at its first task (`lapsedCpWithdrawsCertification`): no advocate chased without a ground.
    expect(after.steps.find((s) => s.id === 'hhs_certification_request-1')!.status).toBe('cancelled');
  });

  test('a grant of three weeks, every renewal lead behind it, is reminded to the police at once, by email naming the renewal request owed and its due date', async () => {
    const { view, validUntil } = await grantCp(21);
    const [reminder] = await eventually(async () => {
      const found = (await notificationsOf(view.caseId, 'cp_decision-1')).filter((n) => n.kind === 'expiry_reminder');
      return found.length > 0 ? found : undefined;
    }, 'the renewal reminder');
    expect(reminder!.recipientAgencyId).toBe(DEMO_AGENCIES.law_enforcement);
    // The renewal request is due as the grant ends: its last day to act is the grant's last valid day.
    const subject = `Reminder: Continued Presence renewal request due ${formatCalendarDay(validUntil)} (case ${view.reference})`;
    await eventually(async () => emailsFor(view.reference).some((m) => m.subject === subject), 'its email');
  });

  test('a CP renewal reminder held back by an SMTP outage until the renewal was requested is not sent: the outbox says why', async () => {
    const { view } = await grantCp(130);
    const renewalReminders = async () =>
      (await notificationsOf(view.caseId, 'cp_decision-1')).filter((n) => n.kind === 'expiry_reminder');
    await stack.mail.setDown(true);
    try {
      // The renewal reminder lead is 120 days: 10 days after the grant it is raised, and its sends fail for a day.
      await stack.env.sleep(11 * DAY);
      const [held] = await eventually(async () => {
        const found = await renewalReminders();
        return found.length === 1 && found[0]!.attempts >= 1 ? found : undefined;
      }, 'a failed attempt of the renewal reminder');
      expect(held!.subject).toMatch(/^Reminder: Continued Presence renewal request due /);
      // The police request the renewal before the mail server is back.
      const requestedOn = new Date(await stack.env.currentTimeMs()).toISOString().slice(0, 10);
      await stack.cases.signOff(
        view.caseId,
        { stepId: 'cp_renewal_request-1', outcome: 'requested', details: { requestedOn } },
        lawEnforcement,
      );
    } finally {
      await stack.mail.setDown(false);
    }
    // The retry (backoff of at most 30 minutes) finds the renewal requested: nothing is sent, and the row says why.
    await stack.env.sleep(3600 * 1000);
    const [settled] = await eventually(async () => {
      const found = await renewalReminders();
      return found.length === 1 && found[0]!.lastError?.startsWith('not sent') ? found : undefined;
    }, 'the renewal reminder settled as not sent');
    expect(settled).toMatchObject({
      sentAt: null,
      failingSince: null,
      lastError: 'not sent: the step it asks for was done before the email could go out',
    });
    await stack.env.sleep(DAY);
    // The reminder to request the renewal; ICE is told of the request itself ("Waiting on your agency: … renewal decision").
    expect(emailsFor(view.reference).filter((m) => /renewal request/i.test(m.subject))).toEqual([]);
    const reminders = await listCaseReminders(stack.pool, view.caseId);
    expect(reminders.filter((r) => r.kind === 'expiry_reminder').map((r) => r.status)).toEqual(['not_sent']);
  });

  test("a minor's HHS notice reminder held back by an SMTP outage until the police part was transferred is not sent to the former police: the outbox says why, and the new police are told by the transfer's email", async () => {
    const NEW_POLICE = { id: 'k9-new-police', email: 'unit@k9-new-police.example.gov' };
    await upsertAgencies(stack.pool, [
      { id: NEW_POLICE.id, kind: 'law_enforcement', name: 'K9 New Police (fictitious)', email: NEW_POLICE.email },
    ]);
    // Identified early on a day (the 24 hours count from its start): the half-way reminder is still ahead.
    await stack.env.sleep(DAY - ((await stack.env.currentTimeMs()) % DAY) + 60_000);
    const today = new Date(await stack.env.currentTimeMs()).toISOString().slice(0, 10);
    const view = await stack.cases.open(
      {
        identifiedOn: today,
        survivor: { name: SURVIVOR_NAME, birthDate: plusDays(today, -15 * 365) },
        agencies: DEMO_AGENCIES,
        confirmNotDuplicate: true,
      },
      lawEnforcement,
    );
    expect(view.path).toBe('minor');
    const notice = view.steps.find((s) => s.id === 'hhs_minor_notification-1')!;
    const reminders = async () => (await notificationsOf(view.caseId, notice.id)).filter((n) => n.kind === 'reminder');
    const formerPolice = (await findRecipient(stack.pool, DEMO_AGENCIES.law_enforcement))!.email!;
    const to = (address: string) => emailsFor(view.reference).filter((m) => m.to.join(',').includes(address));
    await stack.mail.setDown(true);
    try {
      // Half-way through the 24 hours the police have to notify HHS: the reminder is raised, and its sends fail.
      await stack.env.sleep(Date.parse(notice.dueAt!) - DAY / 2 + 60_000 - (await stack.env.currentTimeMs()));
      const [held] = await eventually(async () => {
        const found = await reminders();
        return found.length === 1 && found[0]!.attempts >= 1 ? found : undefined;
      }, 'a failed attempt of the reminder');
      expect(held).toMatchObject({ recipientAgencyId: DEMO_AGENCIES.law_enforcement, sentAt: null });
      // The coordinator hands the case's police part to another agency before the mail server is back.
      const coordinator = workingActor({
        userId: 'coordinator-k9',
        agencyId: DEMO_AGENCIES.coordinator,
        agencyKind: 'coordinator',
      });
      const moved = await stack.cases.transfer(
        view.caseId,
        { agencyKind: 'law_enforcement', toAgencyId: NEW_POLICE.id, reason: 'moved_jurisdiction' },
        coordinator,
      );
      expect(moved.steps.find((s) => s.id === notice.id)).toMatchObject({ status: 'pending', agencyId: NEW_POLICE.id });
    } finally {
      await stack.mail.setDown(false);
    }
    // The retries (backoff of at most 30 minutes) find the step held by the new police: the former police are not
    // asked for it, and the row says why; the new police read it, with its due date, in the transfer's email.
    await stack.env.sleep(3600 * 1000);
    const [settled] = await eventually(async () => {
      const found = await reminders();
      return found.length === 1 && found[0]!.lastError?.startsWith('not sent') ? found : undefined;
    }, 'the reminder settled as not sent');
    expect(settled).toMatchObject({
      sentAt: null,
      failingSince: null,
      lastError: 'not sent: the step moved to another agency before the email could go out',
    });
    const told = await eventually(
      async () => to(NEW_POLICE.email).find((m) => m.subject.includes('was transferred to your agency')),
      "the transfer's email to the new police",
    );
    // It lists the step handed over, with its due date: what the reminder would have asked the former police for.
    expect(told.text).toContain(stepLabel('hhs_minor_notification'));
    await eventually(
      async () => to(formerPolice).find((m) => /transferred to another agency/i.test(m.subject + m.text)),
      "the transfer's email to the former police",
    );
    expect(to(formerPolice).filter((m) => m.subject.startsWith('Reminder'))).toEqual([]);
    const reminderList = await listCaseReminders(stack.pool, view.caseId);
    expect(reminderList.filter((r) => r.stepId === notice.id && r.kind === 'reminder').map((r) => r.status)).toEqual([
      'not_sent',
    ]);
  });

  test('T status ending within every lead is reminded to the advocate at once, naming the adjustment filing (I-485) owed', async () => {
    const view = await openAdultCase();
    const today = new Date(await stack.env.currentTimeMs()).toISOString().slice(0, 10);
    const advocate: Actor = workingActor({
      userId: 'attorney-1',
      agencyId: DEMO_AGENCIES.advocate,
      agencyKind: 'advocate',
    });
    const sign = (stepId: string, outcome: string, details: Record<string, string>) =>
      stack.cases.signOff(view.caseId, { stepId, outcome, details }, advocate);
    await sign('t_visa_filing-1', 'filed', { filedOn: today });
    await sign('t_visa_receipt-1', 'received', { receivedOn: today });
    await sign('t_visa_bona_fide-1', 'bona_fide', { determinedOn: today });
    const validUntil = plusDays(today, 21);
    await sign('t_visa_decision-1', 'approved', { approvedOn: today, validUntil, adjustmentEligibleFrom: today });
    const [reminder] = await eventually(async () => {
      const found = (await notificationsOf(view.caseId, 't_visa_decision-1')).filter(
        (n) => n.kind === 'expiry_reminder',
      );
      return found.length > 0 ? found : undefined;
    }, 'the T-status reminder');
    expect(reminder!.recipientAgencyId).toBe(DEMO_AGENCIES.advocate);
    expect(reminder!.subject).toBe(
      `Reminder: ${stepLabel('t_visa_adjustment_filing')} due ${formatCalendarDay(validUntil)} (case ${view.reference})`,
    );
    expect(reminder!.bodyText).toContain('is still owed: make it by');
  });

  test('a renewal moves the expiry: no expiry at the old date, the new validity is shown', async () => {
    const { view, today, validUntil, ice } = await grantCp(130);
    await stack.cases.signOff(
      view.caseId,
      { stepId: 'cp_renewal_request-1', outcome: 'requested', details: { requestedOn: today } },
      lawEnforcement,
    );
    const renewedUntil = plusDays(today, 2 * 365);
    const renewed = await stack.cases.signOff(
      view.caseId,
      { stepId: 'cp_renewal_decision-1', outcome: 'renewed', details: { validUntil: renewedUntil } },
      ice,
    );
    expect(renewed.steps.find((s) => s.id === 'cp_renewal_request-2')).toMatchObject({ status: 'pending' });

    await stack.env.sleep(Date.parse(`${validUntil}T00:00:00.000Z`) + 2 * DAY - (await stack.env.currentTimeMs()));
    const now = await stack.cases.signOff(
      view.caseId,
      { stepId: 'le_declaration-1', outcome: 'declined', details: { reason: 'investigation_closed' } },
      lawEnforcement,
    );
    expect(await kindsOf(view.caseId)).not.toContain('expired');
    expect(now.steps.filter((s) => s.status === 'expired')).toHaveLength(0);
  });

  test('a minor never notified to HHS moves to the adult path once, in the week after the 18th birthday', async () => {
    const today = new Date(await stack.env.currentTimeMs()).toISOString().slice(0, 10);
    const birthDate = plusDays(today, 40 - 18 * 365);
    const view = await stack.cases.open(
      { identifiedOn: today, survivor: { name: SURVIVOR_NAME, birthDate }, agencies: DEMO_AGENCIES },
      lawEnforcement,
    );
    expect(view.path).toBe('minor');
    const birthday = (await stack.cases.minorTurns18On(view.caseId))!;
    const ice: Actor = workingActor({ userId: 'cp-officer', agencyId: DEMO_AGENCIES.ice, agencyKind: 'ice' });
    await stack.cases.signOff(
      view.caseId,
      { stepId: 'cp_request-1', outcome: 'requested', details: { requestedOn: today } },
      lawEnforcement,
    );
    await stack.cases.signOff(view.caseId, { stepId: 'cp_decision-1', outcome: 'granted', details: {} }, ice);

    await stack.env.sleep(Date.parse(`${birthday}T00:00:00.000Z`) + 8 * DAY - (await stack.env.currentTimeMs()));
    const moved = await eventually(async () => {
      const current = (await getCase(stack.pool, view.caseId))!;
      return current.path === 'adult' ? current : undefined;
    }, 'the adult path');
    expect(moved.steps.find((s) => s.id === 'hhs_minor_notification-1')!.status).toBe('cancelled');
    expect(moved.steps.find((s) => s.id === 'hhs_certification_request-1')).toMatchObject({
      status: 'pending',
      details: { unlockedBy: 'cp_granted' },
    });
    const [notice] = await eventually(async () => {
      const found = (await notificationsOf(view.caseId, 'hhs_minor_notification-1')).filter(
        (n) => n.kind === 'expired',
      );
      return found.length > 0 ? found : undefined;
    }, 'the notice that the case moved');
    expect(notice).toMatchObject({ recipientAgencyId: DEMO_AGENCIES.coordinator, dueAt: null });

    // Weeks later, and after another change, it happened once.
    await stack.env.sleep(30 * DAY);
    const later = await stack.cases.signOff(
      view.caseId,
      { stepId: 'le_declaration-1', outcome: 'declined', details: { reason: 'investigation_closed' } },
      lawEnforcement,
    );
    expect(later.path).toBe('adult');
    expect(later.timeline.filter((entry) => entry.type === 'case.moved_to_adult_path')).toHaveLength(1);
    expect((await kindsOf(view.caseId)).filter((kind) => kind === 'expired')).toHaveLength(1);
  });

  test('new cases take a new policy; running cases keep the one they started with', async () => {
    const before = await openAdultCase();
    stack.setPolicy(
      policyWithOverrides({
        version: 'task-force-2027',
        sla: { cp_request: { days: 3, source: 'task force agreement' } },
      }),
    );
    try {
      const after = await openAdultCase();
      expect(after.policyVersion).toBe('task-force-2027');
      expect(before.policyVersion).not.toBe('task-force-2027');
      const dueIn = (view: typeof before) => {
        const step = view.steps.find((s) => s.id === 'cp_request-1')!;
        return Date.parse(step.dueAt!) - Date.parse(step.openedAt);
      };
      expect(dueIn(after)).toBe(3 * DAY);
      expect(dueIn(before)).toBe(14 * DAY);
    } finally {
      stack.setPolicy(DEFAULT_POLICY);
    }
  });
});
