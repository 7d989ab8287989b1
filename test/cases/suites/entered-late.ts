/**
 * A case entered four months after the survivor was identified, end to end on real parts (time skipping, PostgreSQL,
 * a real SMTP server): of the reminders, due notices and escalations that would have fired before it was entered, not
 * one is sent on its own; the coordinator gets one notice listing them, each agency owed one of them a notice of its own,
 * and the steps are honestly overdue.
 */
import request from 'supertest';
import { upsertAgencies } from '../../../db/agencies';
import { listNotifications } from '../../../db/notifications';
import { getCase } from '../../../db/read-model';
import { DEMO_AGENCIES } from '../../../db/seed';
import { DEFAULT_POLICY } from '../../../domain/policy';
import { countOf } from '../../../mail/render';
import { workingActor } from '../../../domain/access';
import { workflowIdOf } from '../../../workflows/contract';
import { eventually, startStack, type Stack } from '../../support/stack';

describe('entered-late', () => {
  const DAY_MS = 86_400_000;
  const HOUR_MS = 3_600_000;
  const MINUTE_MS = 60_000;

  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  /** The officer who enters the cases. */
  const police = workingActor({
    userId: 'officer-late',
    agencyId: DEMO_AGENCIES.law_enforcement,
    agencyKind: 'law_enforcement',
  });

  /** The coordinator who closes them. */
  const coordinator = workingActor({
    userId: 'coordinator-late',
    agencyId: DEMO_AGENCIES.coordinator,
    agencyKind: 'coordinator',
  });

  /** A case of an adult identified 120 days ago, entered now: the deadlines of its first steps passed long ago. */
  async function openedLate(name: string, now: number) {
    return stack.cases.open(
      {
        identifiedAt: new Date(now - 120 * DAY_MS).toISOString(),
        survivor: { name, birthDate: '1990-02-02' },
        agencies: DEMO_AGENCIES,
      },
      police,
    );
  }

  test('a case entered late sends no reminder for a date already passed, only one notice of what passed to each agency owed one', async () => {
    const now = await stack.env.currentTimeMs();
    const opened = await openedLate('Entered Late Person', now);
    // Honestly overdue: the CP request was due 14 days after the identification, months ago.
    const cpRequest = opened.steps.find((step) => step.id === 'cp_request-1')!;
    expect(Date.parse(cpRequest.dueAt!)).toBeLessThan(now - 100 * DAY_MS);

    // An hour on (every alarm still to come is a whole number of days away), once every email owed went out.
    await stack.env.sleep(HOUR_MS);
    const notifications = await eventually(async () => {
      const { items } = await listNotifications(stack.pool, { caseId: opened.caseId, limit: 50 });
      return items.length > 0 && items.every((n) => !n.recipientEmail || n.sentAt) ? items : undefined;
    }, 'the notice of what passed, sent');

    // One notice per agency owed one of what passed: the coordinator's lists all, each other agency its own alone.
    expect(notifications.map((n) => n.kind)).toEqual(notifications.map(() => 'passed_summary'));
    const byAgency = new Map(notifications.map((n) => [n.recipientAgencyId, n.bodyText]));
    expect([...byAgency.keys()].sort()).toEqual(
      [DEMO_AGENCIES.coordinator, DEMO_AGENCIES.law_enforcement, DEMO_AGENCIES.advocate].sort(),
    );
    expect(byAgency.size).toBe(notifications.length);
    expect(byAgency.get(DEMO_AGENCIES.coordinator)).toMatch(
      /Continued Presence request[\s\S]*T visa application filing/,
    );
    expect(byAgency.get(DEMO_AGENCIES.law_enforcement)).toMatch(/Continued Presence request/);
    expect(byAgency.get(DEMO_AGENCIES.law_enforcement)).not.toMatch(/T visa/);
    expect(byAgency.get(DEMO_AGENCIES.advocate)).not.toMatch(/Continued Presence request/);
    const emails = stack.mail.messages().filter((message) => message.text.includes(opened.reference));
    expect(emails).toHaveLength(notifications.filter((n) => n.recipientEmail).length);

    // The timeline says what passed, and that no alarm fired on its own.
    const timeline = (await getCase(stack.pool, opened.caseId))!.timeline;
    expect(timeline.filter((entry) => entry.type === 'alarm.passed' && entry.stepId === 'cp_request-1').length).toBe(
      DEFAULT_POLICY.reminders.cp_request.beforeDueDays.length +
        1 +
        DEFAULT_POLICY.reminders.cp_request.escalateAfterDays.length,
    );
    expect(
      timeline.filter((entry) => /^alarm\.(reminder|due|escalation|expiry_reminder|expired)$/.test(entry.type)),
    ).toEqual([]);
  });

  test('a step the police signed before a transfer: the new police are not told its reminders passed, the coordinator is (probe X13)', async () => {
    const now = await stack.env.currentTimeMs();
    await upsertAgencies(stack.pool, [
      { id: 'late-new-police', kind: 'law_enforcement', name: 'Late New Police (fictitious)', email: null },
    ]);
    const opened = await openedLate('Transferred While Entered', now);
    // Within the entry session: the police record their CP request (late), then the case changes police.
    await stack.cases.signOff(
      opened.caseId,
      {
        stepId: 'cp_request-1',
        outcome: 'requested',
        details: { requestedOn: new Date(now).toISOString().slice(0, 10) },
      },
      police,
    );
    await stack.cases.transfer(
      opened.caseId,
      { agencyKind: 'law_enforcement', toAgencyId: 'late-new-police', reason: 'moved_jurisdiction' },
      coordinator,
    );

    await stack.env.sleep(HOUR_MS);
    const notices = await eventually(async () => {
      const { items } = await listNotifications(stack.pool, { caseId: opened.caseId, limit: 50 });
      const passed = items.filter((n) => n.kind === 'passed_summary');
      return passed.length > 0 && passed.every((n) => !n.recipientEmail || n.sentAt) ? passed : undefined;
    }, 'the notices of what passed');
    const byAgency = new Map(notices.map((n) => [n.recipientAgencyId, n.bodyText]));
    expect(byAgency.get(DEMO_AGENCIES.coordinator)).toMatch(/Continued Presence request/);
    // The declaration they took over is theirs, missed reminders and all; the CP request was never theirs to make.
    expect(byAgency.get('late-new-police')).toMatch(/Declaration/i);
    expect(byAgency.get('late-new-police')).not.toMatch(/Continued Presence request/);
    // The police who made it are off the case: nothing more about it goes to them.
    expect(byAgency.has(DEMO_AGENCIES.law_enforcement)).toBe(false);
  });

  test('a history entered in order, one sign-off after another: the petition filed inside a window long closed is taken, and one notice tells the whole session', async () => {
    const now = await stack.env.currentTimeMs();
    const day = (daysAgo: number) => new Date(now - daysAgo * DAY_MS).toISOString().slice(0, 10);
    const actor = (kind: 'law_enforcement' | 'advocate') =>
      workingActor({ userId: `officer-${kind}`, agencyId: DEMO_AGENCIES[kind], agencyKind: kind });
    const opened = await stack.cases.open(
      {
        identifiedOn: day(1000),
        usesUVisa: true,
        survivor: { name: 'Entered In Order', birthDate: '1988-03-03' },
        agencies: DEMO_AGENCIES,
      },
      actor('law_enforcement'),
    );
    const sign = (
      stepId: string,
      outcome: string,
      details: Record<string, string>,
      kind: 'law_enforcement' | 'advocate',
    ) => stack.cases.signOff(opened.caseId, { stepId, outcome, details }, actor(kind));
    // Each entry is its own command, as a person types them; the window closed about 800 days ago.
    await sign('cp_request-1', 'requested', { requestedOn: day(995) }, 'law_enforcement');
    await sign('u_visa_certification-1', 'signed', { signedOn: day(980) }, 'law_enforcement');
    const filed = await sign('u_visa_petition-1', 'filed', { filedOn: day(900) }, 'advocate');
    expect(filed.steps.find((step) => step.id === 'u_visa_petition-1')?.status).toBe('completed');

    await stack.env.sleep(HOUR_MS);
    const notices = await eventually(async () => {
      const { items } = await listNotifications(stack.pool, { caseId: opened.caseId, limit: 50 });
      return items.length > 0 && items.every((n) => !n.recipientEmail || n.sentAt) ? items : undefined;
    }, 'the notice of what passed, sent');
    // One notice per agency owed one, however many sign-offs the session took.
    expect(notices.map((n) => n.kind)).toEqual(notices.map(() => 'passed_summary'));
    expect(new Set(notices.map((n) => n.recipientAgencyId)).size).toBe(notices.length);
    const told = notices.find((n) => n.recipientAgencyId === DEMO_AGENCIES.coordinator)!.bodyText;
    // The CP request, made five days after the identification, was in time: nothing of it is told as missed.
    expect(told).not.toMatch(/Continued Presence request/);
    expect(told).toMatch(/Declaration/i);

    const view = (await getCase(stack.pool, opened.caseId))!;
    expect(view.steps.find((step) => step.id === 'u_visa_certification-1')?.status).toBe('completed');
    expect(view.steps.some((step) => step.id === 'u_visa_certification-2')).toBe(false);
  });

  test('a case entered late and closed at once tells what passed as it closes; one withdrawn tells nothing', async () => {
    const now = await stack.env.currentTimeMs();
    const endedAt = async (status: 'closed' | 'withdrawn', name: string) => {
      const opened = await openedLate(name, now);
      await stack.cases.close(opened.caseId, { status, reason: 'other' }, coordinator);
      // Within the session's 30 minutes: the workflow ends with the close, having told whatever it tells.
      await stack.client.workflow.getHandle(workflowIdOf(opened.caseId)).result();
      const { items } = await listNotifications(stack.pool, { caseId: opened.caseId, limit: 50 });
      return items;
    };

    const closed = await endedAt('closed', 'Closed While Entered');
    expect(closed.map((n) => n.kind)).toEqual(closed.map(() => 'passed_summary'));
    const byAgency = new Map(closed.map((n) => [n.recipientAgencyId, n.bodyText]));
    expect([...byAgency.keys()].sort()).toEqual(
      [DEMO_AGENCIES.coordinator, DEMO_AGENCIES.law_enforcement, DEMO_AGENCIES.advocate].sort(),
    );
    // The steps the close cancelled were missed all the same: the declaration was overdue long before.
    expect(byAgency.get(DEMO_AGENCIES.coordinator)).toMatch(/Continued Presence request[\s\S]*Declaration/i);

    expect(await endedAt('withdrawn', 'Withdrawn While Entered')).toEqual([]);
  });

  test('a case entered late and closed before a step fell due still lists the reminder that step missed', async () => {
    const now = await stack.env.currentTimeMs();
    // Identified ten days ago: the CP request is due in four days, and its reminder a week before that fell three days
    // before the case was entered. The close cancels the request before it fell due: cancelled is not done in time.
    const opened = await stack.cases.open(
      {
        identifiedAt: new Date(now - 10 * DAY_MS).toISOString(),
        survivor: { name: 'Closed Before Due', birthDate: '1990-02-02' },
        agencies: DEMO_AGENCIES,
      },
      police,
    );
    expect(Date.parse(opened.steps.find((step) => step.id === 'cp_request-1')!.dueAt!)).toBeGreaterThan(now);
    await stack.cases.close(opened.caseId, { status: 'closed', reason: 'other' }, coordinator);
    await stack.client.workflow.getHandle(workflowIdOf(opened.caseId)).result();
    const { items } = await listNotifications(stack.pool, { caseId: opened.caseId, limit: 50 });
    const byAgency = new Map(items.filter((n) => n.kind === 'passed_summary').map((n) => [n.recipientAgencyId, n]));
    expect(byAgency.get(DEMO_AGENCIES.coordinator)?.bodyText).toMatch(/Reminder: Continued Presence request/);
    expect(byAgency.get(DEMO_AGENCIES.law_enforcement)?.bodyText).toMatch(/Continued Presence request/);
  });

  test('a minor entered late: notified within the session, the police are not urged to notify HHS; not notified, they are told at its end', async () => {
    const now = await stack.env.currentTimeMs();
    // Identified ten days ago, turning 18 in twenty: the birthday leads of 90 and 30 days fell before the entry.
    const birthday = new Date(now + 20 * DAY_MS).toISOString().slice(0, 10);
    const birthDate = `${Number(birthday.slice(0, 4)) - 18}${birthday.slice(4)}`;
    const identifiedAt = new Date(now - 10 * DAY_MS).toISOString();
    const enterMinor = (name: string) =>
      stack.cases.open({ identifiedAt, survivor: { name, birthDate }, agencies: DEMO_AGENCIES }, police);
    const notified = await enterMinor('Minor Notified Late');
    expect(notified.path).toBe('minor');
    await stack.cases.signOff(
      notified.caseId,
      { stepId: 'hhs_minor_notification-1', outcome: 'notified', details: { notifiedOn: identifiedAt.slice(0, 10) } },
      police,
    );
    const notNotified = await enterMinor('Minor Not Notified');

    // An hour on: the sessions' notices went out (every alarm still to come is days away).
    await stack.env.sleep(HOUR_MS);
    const policeMail = (caseId: string) =>
      eventually(async () => {
        const { items } = await listNotifications(stack.pool, { caseId, limit: 50 });
        const told = items.filter((n) => n.kind === 'passed_summary');
        return told.length > 0 && items.every((n) => !n.recipientEmail || n.sentAt)
          ? items.filter((n) => n.recipientAgencyId === DEMO_AGENCIES.law_enforcement)
          : undefined;
      }, 'the notices of what passed, sent');

    const toldNotified = await policeMail(notified.caseId);
    expect(toldNotified.filter((n) => n.kind !== 'passed_summary')).toEqual([]);
    expect(toldNotified.map((n) => n.bodyText).join('\n')).not.toMatch(/turns 18/);
    const toldNotNotified = await policeMail(notNotified.caseId);
    expect(toldNotNotified.map((n) => n.kind)).toEqual(['passed_summary']);
    expect(toldNotNotified[0]!.bodyText).toMatch(/Urgent before the minor turns 18/);

    // The same notices, listed to a supervisor, who may not read the identity: without the birthday. Its line, placed
    // among the dated ones, told the week a reminder of it fell (and that it was near) to every reader of the list.
    const listed = async (username: string) => {
      const answer = await request(stack.app)
        .get('/api/notifications')
        .query({ caseId: notNotified.caseId })
        .set(stack.users[username]!.headers)
        .expect(200);
      const { items } = answer.body as { items: { recipientAgencyId: string; subject: string; bodyText: string }[] };
      return new Map(items.map((n) => [n.recipientAgencyId, n]));
    };
    const forCoordinator = await listed('demo-coordinator');
    const forSupervisor = await listed('demo-supervisor');
    expect([...forSupervisor.keys()].sort()).toEqual([...forCoordinator.keys()].sort());
    const aboutTheBirthday = /turns 18|turned 18|urgent/i;
    const listedLines = (text: string) => text.split('\n').filter((line) => line.startsWith('- '));
    for (const [agencyId, shown] of forCoordinator) {
      const supervised = forSupervisor.get(agencyId)!;
      expect(`${supervised.subject}\n${supervised.bodyText}`).not.toMatch(aboutTheBirthday);
      const others = listedLines(shown.bodyText).filter((line) => !aboutTheBirthday.test(line));
      expect(listedLines(supervised.bodyText)).toEqual(others);
      expect(supervised.subject).toBe(
        `Brought up to date: ${countOf(others.length, 'reminder')} not sent (case ${notNotified.reference})`,
      );
    }
    expect(forCoordinator.get(DEMO_AGENCIES.coordinator)!.subject).toMatch(
      /^Urgent: notify HHS before the minor turns 18/,
    );
  });

  test('an alarm firing during an entry session does not postpone its notice: it comes 30 minutes after the last entry', async () => {
    const now = await stack.env.currentTimeMs();
    // A minor identified 23 h 55 min ago: the 12-hour reminder passed before the entry, the 24-hour due notice fires
    // 5 minutes after it.
    const tenYearsAgo = new Date(now - 10 * 365 * DAY_MS).toISOString().slice(0, 10);
    const opened = await stack.cases.open(
      {
        identifiedAt: new Date(now - 24 * HOUR_MS + 5 * MINUTE_MS).toISOString(),
        survivor: { name: 'Minor Due Soon After Entry', birthDate: tenYearsAgo },
        agencies: DEMO_AGENCIES,
      },
      police,
    );
    expect(opened.path).toBe('minor');

    // 31 minutes after the entry, 26 after the due notice fired: the session's notice is there already.
    await stack.env.sleep(31 * MINUTE_MS);
    const notifications = await eventually(async () => {
      const { items } = await listNotifications(stack.pool, { caseId: opened.caseId, limit: 50 });
      return items.some((n) => n.kind === 'passed_summary') ? items : undefined;
    }, 'the notice of what passed, 30 minutes after the entry');
    expect(notifications.filter((n) => n.kind === 'due').map((n) => n.stepId)).toEqual(['hhs_minor_notification-1']);
    const told = notifications.find(
      (n) => n.kind === 'passed_summary' && n.recipientAgencyId === DEMO_AGENCIES.coordinator,
    );
    expect(told?.bodyText).toMatch(/Reminder: HHS notification of a minor/);
  });

  /**
   * A CP grant entered after the fact, as the police and ICE enter it: a case identified `days.identified` days ago, its
   * CP requested and granted that many days ago, valid for `days.validFor` more. Answers the case, a signer of its steps
   * and the day so many days ago.
   */
  async function grantEntered(
    name: string,
    days: { identified: number; requested: number; granted: number; validFor: number },
  ) {
    const now = await stack.env.currentTimeMs();
    const day = (daysAgo: number) => new Date(now - daysAgo * DAY_MS).toISOString().slice(0, 10);
    const ice = workingActor({ userId: 'cp-officer-late', agencyId: DEMO_AGENCIES.ice, agencyKind: 'ice' });
    const opened = await stack.cases.open(
      { identifiedOn: day(days.identified), survivor: { name, birthDate: '1991-04-04' }, agencies: DEMO_AGENCIES },
      police,
    );
    const sign = (stepId: string, outcome: string, details: Record<string, string>, actor: typeof police) =>
      stack.cases.signOff(opened.caseId, { stepId, outcome, details }, actor);
    await sign('cp_request-1', 'requested', { requestedOn: day(days.requested) }, police);
    await sign('cp_decision-1', 'granted', { grantedOn: day(days.granted), validUntil: day(-days.validFor) }, ice);
    return { opened, sign, day };
  }

  /**
   * A CP grant entered after the fact inside every renewal lead, as ICE enters it (probe T2), then, in the same session,
   * the renewal request when `renewed`. Answers the case, and its emails once the session's notice is out.
   */
  async function grantEnteredLate(name: string, renewed: boolean) {
    // Valid for two more weeks: the leads of 120, 60 and 30 days are all behind it.
    const { opened, sign, day } = await grantEntered(name, {
      identified: 710,
      requested: 709,
      granted: 700,
      validFor: 14,
    });
    // A few minutes pass between the entries, as a person types them.
    await stack.env.sleep(5 * MINUTE_MS);
    const between = (await listNotifications(stack.pool, { caseId: opened.caseId, limit: 50 })).items;
    if (renewed) await sign('cp_renewal_request-1', 'requested', { requestedOn: day(30) }, police);
    await stack.env.sleep(HOUR_MS);
    const after = await eventually(async () => {
      const { items } = await listNotifications(stack.pool, { caseId: opened.caseId, limit: 50 });
      return items.some((n) => n.kind === 'passed_summary') && items.every((n) => !n.recipientEmail || n.sentAt)
        ? items
        : undefined;
    }, 'the notice of what passed, sent');
    const emails = stack.mail.messages().filter((m) => m.subject.includes(opened.reference));
    return { opened, between, after, emails };
  }

  test('a grant entered after the fact and its renewal request entered next: no "still owed" email, between the entries or after', async () => {
    const { between, after, emails } = await grantEnteredLate('Renewed In Session', true);
    expect(between.filter((n) => n.kind === 'expiry_reminder')).toEqual([]);
    expect(after.filter((n) => n.kind === 'expiry_reminder')).toEqual([]);
    expect(emails.length).toBeGreaterThan(0);
    expect(emails.filter((m) => m.text.includes('still owed'))).toEqual([]);
    // The leads that passed were moot, not missed: the renewal was requested before the grant ran out, so the notice
    // lists none of them (it listed them by the end they named before `groundAndCatchUpRules`).
    const told = after.find((n) => n.kind === 'passed_summary' && n.recipientAgencyId === DEMO_AGENCIES.coordinator);
    expect(told?.bodyText).not.toContain('- Expiring: Continued Presence');
    expect(told?.bodyText).not.toContain('- Reminder: Continued Presence renewal request');
  });

  test("a grant entered after the fact with its renewal still owed is announced once, at the session's end", async () => {
    const { opened, between, after, emails } = await grantEnteredLate('Not Renewed In Session', false);
    // The leads that passed name the renewal request still owed, as the live reminder does.
    const told = after.find((n) => n.kind === 'passed_summary' && n.recipientAgencyId === DEMO_AGENCIES.coordinator);
    expect(told?.bodyText).toContain('- Reminder: Continued Presence renewal request, due ');
    expect(told?.bodyText).not.toContain('- Expiring: Continued Presence');
    expect(between.filter((n) => n.kind === 'expiry_reminder')).toEqual([]);
    const reminders = await eventually(async () => {
      const { items } = await listNotifications(stack.pool, { caseId: opened.caseId, limit: 50 });
      const found = items.filter((n) => n.kind === 'expiry_reminder');
      return found.length > 0 && found.every((n) => n.sentAt) ? found : undefined;
    }, 'the renewal reminder, after the session');
    expect(reminders).toHaveLength(1);
    expect(reminders[0]!.recipientAgencyId).toBe(DEMO_AGENCIES.law_enforcement);
    expect(reminders[0]!.subject).toMatch(/^Reminder: Continued Presence renewal request due /);
    expect(emails.some((m) => m.subject.startsWith('Brought up to date'))).toBe(true);
  });

  /**
   * Probe V1 (case H5): a CP grant entered three days after it was granted, inside every renewal lead, with nothing else
   * late (no notice of what passed), then, 3 s later in the same sitting, the renewal request when `renewed`. Answers
   * the case's notifications between the entries and once an hour has passed.
   */
  async function grantEnteredDaysLate(name: string, renewed: boolean) {
    // Valid for 23 more days: the leads of 120, 60 and 30 days are all behind it.
    const { opened, sign, day } = await grantEntered(name, { identified: 4, requested: 4, granted: 3, validFor: 23 });
    await stack.env.sleep(3_000);
    const between = (await listNotifications(stack.pool, { caseId: opened.caseId, limit: 50 })).items;
    if (renewed) await sign('cp_renewal_request-1', 'requested', { requestedOn: day(2) }, police);
    await stack.env.sleep(HOUR_MS);
    const reminders = async () =>
      (await listNotifications(stack.pool, { caseId: opened.caseId, limit: 50 })).items.filter(
        (n) => n.kind === 'expiry_reminder',
      );
    return { opened, between, reminders };
  }

  test('a grant entered days after the fact, nothing else late, and its renewal entered 3 s later: no "still owed" email (probe V1)', async () => {
    const { opened, between, reminders } = await grantEnteredDaysLate('Renewed Seconds Later', true);
    expect(between.filter((n) => n.kind === 'expiry_reminder')).toEqual([]);
    expect(await reminders()).toEqual([]);
    expect(
      stack.mail.messages().filter((m) => m.subject.includes(opened.reference) && m.text.includes('still owed')),
    ).toEqual([]);
  });

  test("a grant entered days after the fact, nothing else late, renewal still owed: announced once, at the session's end (probe V1)", async () => {
    const { between, reminders } = await grantEnteredDaysLate('Not Renewed Days Late', false);
    expect(between.filter((n) => n.kind === 'expiry_reminder')).toEqual([]);
    const sent = await eventually(async () => {
      const found = await reminders();
      return found.length > 0 && found.every((n) => n.sentAt) ? found : undefined;
    }, 'the renewal reminder, after the session');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.recipientAgencyId).toBe(DEMO_AGENCIES.law_enforcement);
    expect(sent[0]!.subject).toMatch(/^Reminder: Continued Presence renewal request due /);
  });
});
