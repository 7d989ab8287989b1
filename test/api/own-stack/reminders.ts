/**
 * `GET /api/cases/{caseId}/reminders` on real parts: a case's reminders to come with their dates and recipients,
 * raised ones as sent once time passes (time skipping), what each role sees, and a minor's 18th-birthday reminders
 * only for those who may read the identity, with no date derived from the birthday anywhere else.
 */
import request from 'supertest';
import { z } from 'zod';
import { ReminderListSchema } from '../../../api/schemas';
import { DEMO_AGENCIES } from '../../../db/seed';
import { upsertAgencies } from '../../../db/agencies';
import { listNotifications } from '../../../db/notifications';
import { addDays, addDaysToInstant, addYears, dateOf, type IsoDate } from '../../../domain/dates';
import { DEFAULT_POLICY } from '../../../domain/policy';
import { createWorker } from '../../support/auth';
import { eventually, startStack, type Stack } from '../../support/stack';

describe('reminders', () => {
  type Reminder = z.infer<typeof ReminderListSchema>['items'][number];
  interface CaseBody {
    caseId: string;
    steps: { id: string; agencyId: string | null; dueAt: string | null }[];
  }

  const DAY_MS = 86_400_000;

  let stack: Stack;
  let outsiderHeaders: { Authorization: string };
  beforeAll(async () => {
    stack = await startStack();
    await upsertAgencies(stack.pool, [
      { id: 'other-police', kind: 'law_enforcement', name: 'Other City Police (fictitious)', email: null },
    ]);
    outsiderHeaders = (await createWorker(stack.pool, 'other-police', 'law_enforcement')).headers;
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const today = async () => dateOf(new Date(await stack.env.currentTimeMs()).toISOString());

  async function openCase(key: string, birthDate: IsoDate, identifiedOn?: IsoDate): Promise<CaseBody> {
    const opened = await request(stack.app)
      .post('/api/cases')
      .set(stack.as('law_enforcement'))
      .set('Idempotency-Key', key)
      .send({
        // As the day began, by the hour: the deadlines are instants (one identified by its day alone is due all of its
        // last day, its "Deadline reached" once that day has ended everywhere in the US, since session 49).
        identifiedAt: `${identifiedOn ?? (await today())}T00:00`,
        survivor: { name: 'Test Survivor (fictitious)', birthDate },
        agencies: DEMO_AGENCIES,
        // One fictitious survivor opened again on purpose, not a request sent twice (409 possible_duplicate).
        confirmNotDuplicate: true,
      })
      .expect(201);
    return opened.body as CaseBody;
  }

  async function remindersAs(user: string, caseId: string): Promise<Reminder[]> {
    const response = await request(stack.app)
      .get(`/api/cases/${caseId}/reminders`)
      .set(stack.users[user]!.headers)
      .expect(200);
    return ReminderListSchema.parse(response.body).items;
  }

  test('an adult case lists its CP request reminder, due notice and escalation, then the reminder as sent once it fired', async () => {
    const opened = await openCase('reminders-adult-1', '1990-04-05');
    const dueAt = opened.steps.find((step) => step.id === 'cp_request-1')!.dueAt!;
    const ladder = DEFAULT_POLICY.reminders.cp_request;
    const expected = [
      ...ladder.beforeDueDays.map((days) => ({
        at: addDaysToInstant(dueAt, -days),
        kind: 'reminder',
        recipientAgencyId: DEMO_AGENCIES.law_enforcement,
      })),
      { at: dueAt, kind: 'due', recipientAgencyId: DEMO_AGENCIES.law_enforcement },
      ...ladder.escalateAfterDays.map((days) => ({
        at: addDaysToInstant(dueAt, days),
        kind: 'escalation',
        recipientAgencyId: DEMO_AGENCIES.coordinator,
      })),
    ];
    const cpRequest = (items: Reminder[]) => items.filter((item) => item.stepId === 'cp_request-1');

    const before = await remindersAs('demo-coordinator', opened.caseId);
    expect(cpRequest(before)).toEqual(
      expected.map((item) => ({
        ...item,
        stepId: 'cp_request-1',
        stepKind: 'cp_request',
        about: 'cp_request',
        status: 'scheduled',
        notSentReason: null,
      })),
    );
    const times = before.map((item) => item.at);
    expect(times).toEqual([...times].sort());

    const firstReminder = expected[0]!;
    await stack.env.sleep(Date.parse(firstReminder.at) + DAY_MS - (await stack.env.currentTimeMs()));
    const after = await eventually(async () => {
      const items = cpRequest(await remindersAs('demo-coordinator', opened.caseId));
      return items[0]?.status === 'sent' ? items : undefined;
    }, 'the CP request reminder, sent');
    expect(after.map((item) => [item.at, item.kind, item.status])).toEqual(
      expected.map((item, index) => [item.at, item.kind, index === 0 ? 'sent' : 'scheduled']),
    );
  });

  test('each role sees the reminders of the steps it sees; others are refused as the case read refuses them', async () => {
    const opened = await openCase('reminders-roles-1', '1985-06-07');
    const all = await remindersAs('demo-coordinator', opened.caseId);
    // The case as oversight sees it: every step with its owner (the opener sees its own steps only).
    const whole = (
      await request(stack.app)
        .get(`/api/cases/${opened.caseId}`)
        .set(stack.users['demo-coordinator']!.headers)
        .expect(200)
    ).body as CaseBody;
    const ownerOf = new Map(whole.steps.map((step) => [step.id, step.agencyId]));
    expect(new Set(all.map((item) => ownerOf.get(item.stepId)))).toEqual(
      new Set([DEMO_AGENCIES.law_enforcement, DEMO_AGENCIES.advocate]),
    );

    const ownAgency = (agencyId: string) => all.filter((item) => ownerOf.get(item.stepId) === agencyId);
    expect(await remindersAs('demo-police-officer', opened.caseId)).toEqual(ownAgency(DEMO_AGENCIES.law_enforcement));
    expect(await remindersAs('demo-advocate', opened.caseId)).toEqual(ownAgency(DEMO_AGENCIES.advocate));
    expect(await remindersAs('demo-ice-officer', opened.caseId)).toEqual(ownAgency(DEMO_AGENCIES.ice));
    expect(await remindersAs('demo-hhs-officer', opened.caseId)).toEqual(ownAgency(DEMO_AGENCIES.hhs));
    expect(await remindersAs('demo-supervisor', opened.caseId)).toEqual(all);

    // Whoever may not read the case gets the case read's answer, not an empty list.
    for (const headers of [stack.users['demo-admin']!.headers, outsiderHeaders]) {
      const read = await request(stack.app).get(`/api/cases/${opened.caseId}`).set(headers);
      const reminders = await request(stack.app).get(`/api/cases/${opened.caseId}/reminders`).set(headers);
      expect(read.status).toBeGreaterThanOrEqual(403);
      expect([reminders.status, reminders.body]).toEqual([
        read.status,
        expect.objectContaining({ code: (read.body as { code: string }).code }),
      ]);
    }
  });

  /** Signs a step of the case as an agency of that kind, its idempotency key made of `key` and the step. */
  const signerOf = (caseId: string, key: string) => (as: 'law_enforcement' | 'ice', stepId: string, body: object) =>
    request(stack.app)
      .post(`/api/cases/${caseId}/steps/${stepId}/sign-off`)
      .set(stack.as(as))
      .set('Idempotency-Key', `${key}-${stepId}`)
      .send(body)
      .expect(200);

  test('an agency sees the reminders addressed to it on a step it does not see: the police, the expiry of the CP that ICE granted', async () => {
    const opened = await openCase('reminders-recipient-1', '1985-06-07');
    const on = await today();
    const sign = signerOf(opened.caseId, 'reminders-recipient');
    await sign('law_enforcement', 'cp_request-1', { outcome: 'requested', details: { requestedOn: on } });
    // Valid for 100 days: the 60- and 30-day reminders to request the renewal are still to come.
    await sign('ice', 'cp_decision-1', {
      outcome: 'granted',
      details: { grantedOn: on, validUntil: addDays(on, 100) },
    });
    const validity = await eventually(async () => {
      const all = await remindersAs('demo-coordinator', opened.caseId);
      const expiry = all.filter((item) => item.stepId === 'cp_decision-1' && item.about === 'cp_validity');
      return expiry.length > 0 ? expiry : undefined;
    }, 'the CP expiry reminders listed');
    // The leads and the lapse are the police's; the lapse is told to the coordinator too.
    const toPolice = validity.filter((item) => item.recipientAgencyId === DEMO_AGENCIES.law_enforcement);
    const toCoordinator = validity.filter((item) => item.recipientAgencyId !== DEMO_AGENCIES.law_enforcement);
    expect(toPolice.map((item) => item.kind)).toEqual(['expiry_reminder', 'expiry_reminder', 'expired']);
    expect(toCoordinator.map((item) => [item.recipientAgencyId, item.kind])).toEqual([
      [DEMO_AGENCIES.coordinator, 'expired'],
    ]);

    const police = await remindersAs('demo-police-officer', opened.caseId);
    expect(police).toEqual(expect.arrayContaining(toPolice));
    // ICE's step is still not the police's to see.
    const view = await request(stack.app)
      .get(`/api/cases/${opened.caseId}`)
      .set(stack.users['demo-police-officer']!.headers)
      .expect(200);
    expect((view.body as CaseBody).steps.map((step) => step.id)).not.toContain('cp_decision-1');
    expect(await remindersAs('demo-advocate', opened.caseId)).not.toEqual(expect.arrayContaining([toPolice[0]]));
  });

  test("a minor's 18th-birthday reminders are listed to those who may read the identity, and no birthday date reaches the supervisor", async () => {
    const birthday = addDays(await today(), 200);
    const opened = await openCase('reminders-minor-1', addYears(birthday, -18));
    const leads = DEFAULT_POLICY.expiryLeads.minorTurns18.leadDays;
    const derived = [birthday, ...leads.map((lead) => addDays(birthday, -lead))];
    const birthdayReminders = (items: Reminder[]) => items.filter((item) => item.about === 'minor_turns_18');

    const coordinator = await remindersAs('demo-coordinator', opened.caseId);
    // The other reminders' own dates are not derived from the birthday; if one fell on a needle the scan could not tell.
    const ownDates = coordinator.filter((item) => item.about !== 'minor_turns_18').map((item) => dateOf(item.at));
    expect(derived.filter((date) => ownDates.includes(date))).toEqual([]);

    const listed = birthdayReminders(coordinator);
    const leadReminders = listed.filter((item) => item.kind === 'expiry_reminder');
    expect(leadReminders.length).toBeGreaterThan(0);
    expect(
      leadReminders.every((item) => item.stepId === 'hhs_minor_notification-1' && item.status === 'scheduled'),
    ).toBe(true);
    expect(
      leadReminders.every(
        (item) => item.recipientAgencyId === DEMO_AGENCIES.law_enforcement && item.at < `${birthday}T00:00:00.000Z`,
      ),
    ).toBe(true);
    // Unless HHS is notified before, the case moves to the adult path in the week after the birthday, told to the
    // coordinator.
    const moves = listed.filter((item) => item.kind !== 'expiry_reminder');
    expect(moves).toEqual([
      expect.objectContaining({
        kind: 'expired',
        stepId: 'hhs_minor_notification-1',
        status: 'scheduled',
        recipientAgencyId: DEMO_AGENCIES.coordinator,
      }),
    ]);
    const weekAfter = Date.parse(moves[0]!.at) - Date.parse(`${birthday}T00:00:00.000Z`);
    expect(weekAfter > 0 && weekAfter <= 7 * DAY_MS).toBe(true);
    expect(birthdayReminders(await remindersAs('demo-police-officer', opened.caseId))).toEqual(listed);

    const supervisor = await request(stack.app)
      .get(`/api/cases/${opened.caseId}/reminders`)
      .set(stack.users['demo-supervisor']!.headers)
      .expect(200);
    const seen = ReminderListSchema.parse(supervisor.body).items;
    expect(birthdayReminders(seen)).toEqual([]);
    expect(seen).toEqual(coordinator.filter((item) => item.about !== 'minor_turns_18'));
    expect(derived.filter((date) => supervisor.text.includes(date))).toEqual([]);
  });

  test("a reminder raised after a correction gave the case a new reference names the new one, not the workflow's (probe N5)", async () => {
    const opened = (
      await request(stack.app)
        .post('/api/cases')
        .set(stack.as('law_enforcement'))
        .set('Idempotency-Key', 'reminders-new-reference-1')
        .send({
          reference: 'NIKO-0015',
          identifiedOn: await today(),
          survivor: { name: 'Probe Quince (fictitious)', birthDate: '1991-02-03' },
          agencies: DEMO_AGENCIES,
        })
        .expect(201)
    ).body as CaseBody;
    // Corrected to a name the reference holds a word of: the case gets its agency's new number with it.
    await request(stack.app)
      .post(`/api/cases/${opened.caseId}/survivor`)
      .set(stack.as('law_enforcement'))
      .set('Idempotency-Key', 'reminders-new-reference-2')
      .send({ name: 'Niko Probe Quince', reference: 'TF-2026-0101' })
      .expect(200);

    const [first] = await remindersAs('demo-coordinator', opened.caseId);
    await stack.env.sleep(Date.parse(first!.at) + DAY_MS - (await stack.env.currentTimeMs()));
    const rows = await eventually(async () => {
      const { rows } = await stack.pool.query<{ reference: string; subject: string; body_text: string }>(
        // The opening's own email to the advocates ("Waiting on your agency") went out before the correction.
        "SELECT reference, subject, body_text FROM notifications WHERE case_id = $1 AND kind <> 'step_opened'",
        [opened.caseId],
      );
      return rows.length > 0 ? rows : undefined;
    }, "the case's first reminder, recorded");
    for (const row of rows) {
      expect(row.reference).toBe('TF-2026-0101');
      expect(row.subject).toContain('TF-2026-0101');
      expect(`${row.subject}\n${row.body_text}`).not.toContain('NIKO');
    }
  });

  test("a grant entered after the fact, its renewal reminder held for the entry session: listed as held at the session's end, then when it was sent (probe V6)", async () => {
    const on = await today();
    const opened = await openCase('reminders-held-1', '1988-08-08', addDays(on, -4));
    const sign = signerOf(opened.caseId, 'reminders-held');
    await sign('law_enforcement', 'cp_request-1', { outcome: 'requested', details: { requestedOn: addDays(on, -4) } });
    // Granted three days ago, valid for 23 more: every lead is behind it, so it is announced once, held for the session.
    const granted = { grantedOn: addDays(on, -3), validUntil: addDays(on, 23) };
    await sign('ice', 'cp_decision-1', { outcome: 'granted', details: granted });
    const enteredAt = await stack.env.currentTimeMs();
    const announcement = async () =>
      (await remindersAs('demo-coordinator', opened.caseId)).find(
        (item) => item.stepId === 'cp_decision-1' && item.kind === 'expiry_reminder',
      );

    const held = await announcement();
    expect(held).toMatchObject({ status: 'held', recipientAgencyId: DEMO_AGENCIES.law_enforcement });
    // At the session's end, 30 minutes after its last entry: not at its recording, already past.
    expect(Date.parse(held!.at) - enteredAt).toBeGreaterThan(29 * 60_000);
    expect(Date.parse(held!.at) - enteredAt).toBeLessThanOrEqual(30 * 60_000);

    await stack.env.sleep(60 * 60_000);
    const sent = await eventually(async () => {
      const item = await announcement();
      return item?.status === 'sent' ? item : undefined;
    }, 'the held announcement, sent');
    const { items } = await listNotifications(stack.pool, { caseId: opened.caseId, limit: 50 });
    const raised = items.find((n) => n.kind === 'expiry_reminder');
    expect(sent.at).toBe(raised!.createdAt);
  });
});
