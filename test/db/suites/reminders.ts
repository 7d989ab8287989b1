/**
 * A case's reminders as the read model lists them: the projection's alarms to come, and once raised, the status
 * their outbox row gives them (sent, in the app only, failing). Real PostgreSQL, the domain's own states.
 */
import { randomUUID } from 'node:crypto';
import { createDigestActivities, foldedInto } from '../../../activities/digest';
import { formatCalendarDay } from '../../../core/people-dates';
import { enqueue, findNotification, markSent, recordFailure, type NewNotification } from '../../../db/notifications';
import { projectCase } from '../../../db/read-model';
import { agencyDeadlines } from '../../../db/deadlines';
import { listCaseReminders } from '../../../db/reminders';
import { DEMO_AGENCIES, seedDemoAgencies } from '../../../db/seed';
import { workingActor } from '../../../domain/access';
import { alarmDate } from '../../../domain/alarms';
import {
  alarms,
  applySignOff,
  closeCase,
  fireAlarm,
  openCase,
  snapshotOf,
  validateSignOff,
  type Alarm,
  type CaseState,
} from '../../../domain/case';
import { addDays, endOfDay } from '../../../domain/dates';
import { startTestDatabase, type TestDatabase } from '../../support/postgres';

describe('reminders', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await startTestDatabase();
  });
  afterAll(async () => {
    await db.stop();
  });

  const NOW = '2026-06-01T12:00:00.000Z';
  const coordinator = workingActor({
    userId: 'coordinator-1',
    agencyId: DEMO_AGENCIES.coordinator,
    agencyKind: 'coordinator',
  });

  /** A case of the demo agencies opened at NOW (a minor's when `minorTurns18On` is given), as the read model holds it. */
  async function projected(minorTurns18On: string | null): Promise<CaseState> {
    const caseId = randomUUID();
    const opened = openCase(
      {
        caseId,
        reference: `RC-TEST-${caseId.slice(0, 8)}`,
        identifiedAt: NOW,
        minorTurns18On,
        agencies: DEMO_AGENCIES,
        usesUVisa: false,
      },
      NOW,
    );
    await projectCase(db.pool, snapshotOf(opened));
    return opened;
  }

  function raised(state: CaseState, alarm: Alarm, recipientEmail: string | null): NewNotification {
    const stepKind = state.steps.find((step) => step.id === alarm.stepId)!.kind;
    return {
      caseId: state.caseId,
      alarmId: alarm.id,
      reference: state.reference,
      stepId: alarm.stepId,
      stepKind,
      kind: alarm.kind,
      recipientAgencyId: state.agencies[alarm.recipient],
      recipientEmail,
      subject: 'test',
      bodyText: 'test',
      dueAt: alarm.at,
    };
  }

  test('alarms to come are scheduled; raised ones show how their notification fared and stay after the case closes', async () => {
    const opened = await projected(null);
    const { caseId } = opened;
    const coming = alarms(opened);
    const listed = await listCaseReminders(db.pool, caseId);
    expect(listed.map((item) => [item.alarmId, item.at, item.status])).toEqual(
      coming.map((alarm) => [alarm.id, alarm.at, 'scheduled']),
    );

    // The first three fire: one emailed and sent, one emailed and failing, one to an agency without an address.
    const [sent, failing, inApp] = coming as [Alarm, Alarm, Alarm];
    let state = opened;
    for (const [alarm, email] of [
      [sent, 'a@example.org'],
      [failing, 'b@example.org'],
      [inApp, null],
    ] as const) {
      const row = await enqueue(db.pool, raised(state, alarm, email));
      if (alarm === sent) await markSent(db.pool, row.id, new Date());
      if (alarm === failing) await recordFailure(db.pool, row.id, 'connection refused', new Date());
      state = fireAlarm(state, alarm, alarm.at);
    }
    const closed = closeCase(state, { status: 'closed', reason: 'relief_obtained' }, coordinator, NOW);
    await projectCase(db.pool, snapshotOf(closed));

    // Closing left nothing to come; what was raised is still listed, at the time it was due.
    expect(await listCaseReminders(db.pool, caseId)).toEqual([
      expect.objectContaining({ alarmId: sent.id, at: sent.at, status: 'sent' }),
      expect.objectContaining({ alarmId: failing.id, at: failing.at, status: 'failed' }),
      expect.objectContaining({ alarmId: inApp.id, at: inApp.at, status: 'sent' }),
    ]);
  });

  test("an agency's deadlines (its calendar and digest) read past a minor's move to the adult path at 18, whose alarm names its week, not an end", async () => {
    const minor = await projected('2026-09-01');
    const { caseId } = minor;
    const { rows } = await db.pool.query<{ alarm_id: string }>(
      `SELECT alarm_id FROM case_alarms WHERE case_id = $1 AND kind = 'expired' AND about = 'minor_turns_18'`,
      [caseId],
    );
    expect(rows.map((row) => row.alarm_id)).toEqual([expect.stringMatching(/:expired:minor_turns_18:week-\d+$/)]);
    // Read to a date, as the digest reads them: the move is no deadline of the coordinator's, and reading it is no error.
    const deadlines = await agencyDeadlines(db.pool, DEMO_AGENCIES.coordinator, { until: new Date('2027-01-01') });
    expect(deadlines.filter((deadline) => deadline.caseId === caseId && deadline.about === 'minor_turns_18')).toEqual(
      [],
    );
  });

  test("a coordinating agency's deadlines (its calendar and digest) are the due dates of every pending step of the cases it coordinates", async () => {
    const opened = await projected(null);
    const { caseId } = opened;
    const dueOf = async (agencyId: string) =>
      (await agencyDeadlines(db.pool, agencyId))
        .filter((deadline) => deadline.caseId === caseId && deadline.kind === 'due')
        .map((deadline) => [deadline.stepId, deadline.at])
        .sort();
    const pending = opened.steps
      .filter((step) => step.status === 'pending' && step.dueAt !== null)
      .map((step) => [step.id, step.dueAt])
      .sort();

    expect(pending.length).toBeGreaterThan(0);
    // None of them is the coordinator's own: it owns no step, and chases them all.
    expect(opened.steps.some((step) => step.agencyId === DEMO_AGENCIES.coordinator)).toBe(false);
    expect(await dueOf(DEMO_AGENCIES.coordinator)).toEqual(pending);
    // The owner sees its own only; an agency that takes no part, none.
    expect(await dueOf(DEMO_AGENCIES.law_enforcement)).toEqual(
      opened.steps
        .filter(
          (step) => step.status === 'pending' && step.dueAt !== null && step.agencyId === DEMO_AGENCIES.law_enforcement,
        )
        .map((step) => [step.id, step.dueAt])
        .sort(),
    );
    expect(await dueOf('another-task-force')).toEqual([]);
  });

  /** Signs a step of a case of the demo agencies as its owning agency, failing the test if the rules refuse it. */
  function signed(state: CaseState, stepId: string, outcome: string, details: Record<string, unknown>, now: string) {
    const { agencyKind } = state.steps.find((step) => step.id === stepId)!;
    const actor = workingActor({ userId: `${agencyKind}-1`, agencyId: DEMO_AGENCIES[agencyKind], agencyKind });
    expect(validateSignOff(state, { stepId, outcome, details }, actor, now)).toBeNull();
    return applySignOff(state, { stepId, outcome, details }, actor, now);
  }

  test("the end of the benefits an HHS certification opened is a deadline of the advocate's alone, listed in its digest as expiring", async () => {
    const opened = await projected(null);
    let state = signed(opened, 'cp_request-1', 'requested', { requestedOn: '2026-06-01' }, NOW);
    state = signed(state, 'cp_decision-1', 'granted', { grantedOn: '2026-06-01', validUntil: '2028-06-01' }, NOW);
    state = signed(state, 'hhs_certification_request-1', 'requested', { requestedOn: '2026-06-01' }, NOW);
    state = signed(state, 'hhs_certification_letter-1', 'certified', { eligibilityDate: '2026-06-01' }, NOW);
    await projectCase(db.pool, snapshotOf(state));
    const endsOn = state.steps.find((step) => step.id === 'hhs_certification_letter-1')!.details['benefitEndsOn'];
    // Four months from the eligibility date (the policy's benefit period), which is not before its step opened: through
    // 30 Sep 2026.
    expect(endsOn).toBe('2026-09-30');
    // The day the advocate's reminders of it name (domain/alarms.ts alarmDate): the start of the day after the last.
    const reminder = alarms(state).find((alarm) => alarm.subject === 'benefit_window')!;
    const at = alarmDate(state, reminder)!;
    expect(at).toBe(endOfDay(endsOn as string));

    const benefitsOf = async (agencyId: string, options: { now?: Date } = {}) =>
      (await agencyDeadlines(db.pool, agencyId, options)).filter(
        (deadline) => deadline.caseId === state.caseId && deadline.about === 'benefit_window',
      );
    expect(await benefitsOf(DEMO_AGENCIES.advocate)).toEqual([
      {
        kind: 'expiry',
        caseId: state.caseId,
        caseReference: state.reference,
        stepId: 'hhs_certification_letter-1',
        stepKind: 'hhs_certification_letter',
        about: 'benefit_window',
        at,
        owedBy: null,
        identifiedIn: null,
        revision: { version: state.version, updatedAt: expect.any(String) as unknown },
      },
    ]);
    // Its reminders go to the advocate alone: not to HHS, which signed the letter, nor to the coordinator.
    for (const agencyId of [DEMO_AGENCIES.hhs, DEMO_AGENCIES.coordinator, DEMO_AGENCIES.law_enforcement])
      expect({ agencyId, listed: await benefitsOf(agencyId) }).toEqual({ agencyId, listed: [] });
    // Still to come until it has passed; gone after (no `expired` alarm leaves with it).
    expect(await benefitsOf(DEMO_AGENCIES.advocate, { now: new Date(Date.parse(at) - 1) })).toHaveLength(1);
    expect(await benefitsOf(DEMO_AGENCIES.advocate, { now: new Date(at) })).toEqual([]);

    // The advocate's digest 20 days before lists it under "Expiring", with the benefits' last day: the 30-day reminder
    // of it, folded into that digest (activities/digest.ts foldedInto), is not lost.
    await seedDemoAgencies(db.pool);
    await db.pool.query(`UPDATE agencies SET daily_digest = true, time_zone = 'UTC' WHERE id = $1`, [
      DEMO_AGENCIES.advocate,
    ]);
    const date = addDays(endsOn as string, -20);
    const digest = createDigestActivities({ pool: db.pool, publicBaseUrl: 'http://127.0.0.1:3000' });
    const key = await digest.composeDigest({ agencyId: DEMO_AGENCIES.advocate, date });
    const written = key && (await findNotification(db.pool, key));
    expect(written?.subject).toContain('Expiring: 1');
    expect(written?.bodyText).toContain(
      `HHS certification letter: benefit window until ${formatCalendarDay(endsOn as string)}`,
    );
    expect(
      foldedInto(
        { kind: 'expiry_reminder', stepKind: 'hhs_certification_letter', about: 'benefit_window', dueAt: at },
        new Date(`${addDays(endsOn as string, -21)}T12:00:00.000Z`),
        'UTC',
      ),
    ).toBe(date);
  });

  test("a coordinating agency's digest names the agency that owes each step and its address, as an escalation does", async () => {
    const opened = await projected(null);
    const cpRequest = opened.steps.find((step) => step.id === 'cp_request-1')!;
    // Due 14 days from NOW: in the digest's week 5 days before.
    expect(cpRequest.dueAt).toBe('2026-06-15T12:00:00.000Z');
    await seedDemoAgencies(db.pool);
    await db.pool.query(`UPDATE agencies SET daily_digest = true, time_zone = 'UTC' WHERE id = ANY($1)`, [
      [DEMO_AGENCIES.coordinator, DEMO_AGENCIES.law_enforcement],
    ]);
    const digest = createDigestActivities({ pool: db.pool, publicBaseUrl: 'http://127.0.0.1:3000' });
    const digestOf = async (agencyId: string) => {
      const key = await digest.composeDigest({ agencyId, date: '2026-06-10' });
      return (key && (await findNotification(db.pool, key)))?.bodyText ?? '';
    };
    // The lines of this case alone: other tests' cases share the database.
    const linesOfTheCase = (text: string) => text.split(`Case ${opened.reference}: `)[1]!.split('\n\n')[0]!;

    // The task force chases the police for the CP request: it is told whom, and how to reach them.
    const coordinators = await digestOf(DEMO_AGENCIES.coordinator);
    expect(linesOfTheCase(coordinators)).toContain(
      '  - Due this week: Continued Presence request, due 15 Jun 2026 (owed by Demo City Police Department ' +
        '(fictitious): trafficking-unit@police.example.gov)',
    );
    // And not that the police's reminders stopped: the digest replaces its own reminders only.
    expect(coordinators).toContain('A step another agency owes names that agency and its address');
    expect(coordinators).not.toContain('Reminders of these steps are not sent one by one');
    // The police's own step names no one: it is theirs.
    const polices = await digestOf(DEMO_AGENCIES.law_enforcement);
    expect(linesOfTheCase(polices)).toMatch(/^ {2}- Due this week: Continued Presence request, due 15 Jun 2026$/m);
    expect(polices).not.toContain('owed by');
    expect(polices).toContain(
      'Reminders of these steps are not sent one by one while your agency receives this digest',
    );
  });
});
