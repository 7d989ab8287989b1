/**
 * A deadline whose last day is a day is met all of that day wherever in the US it is read (tester, 6 Dec 2026), on
 * real parts (time skipping, PostgreSQL, the API): a CP decision counted 30 days from a typed request date, an
 * advocate's certification request counted 14 days from a typed bona fide date, and an RFE's respond-by date are
 * not overdue, not "reached" and not escalated before their last day has ended everywhere in the US; ICE in Los
 * Angeles and the advocate in Honolulu read the day, "overdue" only once it is over where they are. A deadline
 * counted in days from an identification entered by its day is one too, counted as from a typed day (probe, 6 Dec
 * 2026: it fell at the police's midnight, a day early); one counted from an identification's hour keeps its instant.
 * And a new case opens on the rules of its run: a minor's reminders list at opening has the birthday alarm once the
 * birthday has begun in the US (`birthdayBeginsInUs`), not at its UTC midnight (OPENED_ON_CURRENT_RULES_PATCH).
 */
import { randomUUID } from 'node:crypto';
import type { Express } from 'express';
import request from 'supertest';
import { agencyDeadlines } from '../../../db/deadlines';
import { listNotifications } from '../../../db/notifications';
import { listCaseReminders } from '../../../db/reminders';
import { wordsFor } from '../../../web/labels';
import { createWorker, type TestUser } from '../../support/auth';
import { eventually, startStack, type Stack } from '../../support/stack';

describe('days-due-all-day', () => {
  const AGENCIES = {
    law_enforcement: 'le-chicago',
    ice: 'ice-la',
    hhs: 'hhs-1',
    advocate: 'adv-honolulu',
    coordinator: 'coord-1',
  } as const;
  type Kind = keyof typeof AGENCIES;
  const ZONES = { ice: 'America/Los_Angeles', advocate: 'Pacific/Honolulu' } as const;

  let stack: Stack;
  let app: Express;
  const workers: Partial<Record<Kind, TestUser>> = {};

  beforeAll(async () => {
    stack = await startStack();
    await stack.pool.query(
      `INSERT INTO agencies (id, kind, name, email, time_zone) VALUES
       ('le-chicago', 'law_enforcement', 'Chicago Police', 'police@example.gov', 'America/Chicago'),
       ('ice-la', 'ice', 'ICE Los Angeles', 'ice@example.gov', 'America/Los_Angeles'),
       ('hhs-1', 'hhs', 'HHS Office', 'hhs@example.gov', 'America/New_York'),
       ('adv-honolulu', 'advocate', 'Honolulu Legal Aid', 'advocate@example.org', 'Pacific/Honolulu'),
       ('coord-1', 'coordinator', 'Task Force', 'coordinator@example.gov', 'America/Chicago')`,
    );
    for (const [kind, agencyId] of Object.entries(AGENCIES) as [Kind, string][])
      workers[kind] = await createWorker(stack.pool, agencyId, kind);
    // The API's clock is the test server's, which the test moves ahead.
    app = stack.appWith({ now: async () => new Date(await stack.env.currentTimeMs()) });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const DAY_MS = 86_400_000;
  const HOUR_MS = 3_600_000;

  interface StepBody {
    id: string;
    kind: string;
    openedAt: string;
    dueAt: string | null;
    dueOnADay: boolean;
    overdue: boolean;
  }
  interface CaseBody {
    caseId: string;
    steps: StepBody[];
  }

  async function send(as: Kind, path: string, body: object): Promise<CaseBody> {
    const response = await request(app)
      .post(path)
      .set(workers[as]!.headers)
      .set('Idempotency-Key', randomUUID())
      .send(body);
    expect([200, 201]).toContain(response.status);
    return response.body as CaseBody;
  }

  async function stepOf(as: Kind, caseId: string, stepId: string): Promise<StepBody> {
    const response = await request(app).get(`/api/cases/${caseId}`).set(workers[as]!.headers).expect(200);
    return (response.body as CaseBody).steps.find((step) => step.id === stepId)!;
  }

  /** The ids of the steps of the case the agency's overdue list holds (the SQL of db/overdue.ts). */
  async function overdueListed(as: Kind, caseId: string): Promise<string[]> {
    const response = await request(app)
      .get('/api/steps?status=overdue&limit=200')
      .set(workers[as]!.headers)
      .expect(200);
    const items = (response.body as { items: { caseId: string; id: string }[] }).items;
    return items.filter((item) => item.caseId === caseId).map((item) => item.id);
  }

  async function sleepUntil(at: number): Promise<void> {
    const now = await stack.env.currentTimeMs();
    if (at > now) await stack.env.sleep(at - now);
  }

  /** The alarms of a kind raised for a step of the case (the outbox's rows, sent or not). */
  async function raised(caseId: string, stepId: string, kind: 'due' | 'escalation'): Promise<number> {
    const { items } = await listNotifications(stack.pool, { caseId, limit: 200 });
    return items.filter((n) => n.stepId === stepId && n.kind === kind).length;
  }

  /**
   * How the agency's console reads the step at the test server's time: its day, its words, and whether it is overdue,
   * which is the API's `overdue` of the step as read then (the console has no rule of its own).
   */
  async function readIn(zone: string, as: Kind, caseId: string, stepId: string) {
    const step = await stepOf(as, caseId, stepId);
    const words = wordsFor(zone, new Date(await stack.env.currentTimeMs()), []);
    return {
      day: words.dueOf(step.kind, step.dueAt),
      words: words.due(step.dueAt, step.kind, null, step.dueOnADay, step.overdue),
      overdue: step.overdue,
    };
  }

  const OF_THE_DAY = [
    ['ice', 'cp_decision-1'],
    ['advocate', 'hhs_certification_request-1'],
    ['advocate', 't_visa_evidence_response-1'],
  ] as const;

  /**
   * The tester's case, its three deadlines on D, tomorrow at the test server's time: ICE's CP decision (30 days from the
   * police's request, typed), the advocate's certification request (14 days from the bona fide determination, typed),
   * and the advocate's answer to an RFE to respond by D.
   */
  async function caseDueOnD() {
    const start = await stack.env.currentTimeMs();
    const day = (offset: number) => new Date(start + offset * DAY_MS).toISOString().slice(0, 10);
    const lastDay = day(1);
    const { caseId } = await send('law_enforcement', '/api/cases', {
      identifiedOn: day(-31),
      survivor: { name: 'Test Survivor (fictitious)', birthDate: '1988-03-04' },
      agencies: AGENCIES,
      confirmNotDuplicate: true,
    });
    const steps = `/api/cases/${caseId}/steps`;
    await send('law_enforcement', `${steps}/cp_request-1/sign-off`, {
      outcome: 'requested',
      details: { requestedOn: day(-29) },
    });
    await send('advocate', `${steps}/t_visa_filing-1/sign-off`, { outcome: 'filed', details: { filedOn: day(-15) } });
    await send('advocate', `${steps}/t_visa_receipt-1/sign-off`, {
      outcome: 'received',
      details: { receivedOn: day(-14) },
    });
    await send('advocate', `${steps}/t_visa_bona_fide-1/sign-off`, {
      outcome: 'bona_fide',
      details: { determinedOn: day(-13) },
    });
    await send('advocate', `${steps}/t_visa_decision-1/sign-off`, {
      outcome: 'evidence_requested',
      details: { notice: 'rfe', issuedOn: day(-12), respondBy: lastDay },
    });
    return { caseId, lastDay, dayStart: Date.parse(`${lastDay}T00:00:00.000Z`), day };
  }

  test("the tester's three deadlines are due on D and read overdue in the API and its lists only once D has ended everywhere in the US", async () => {
    const { caseId, lastDay, dayStart, day } = await caseDueOnD();
    expect(await stepOf('ice', caseId, 'cp_decision-1')).toMatchObject({
      dueAt: `${lastDay}T12:00:00.000Z`,
      dueOnADay: true,
    });
    expect(await stepOf('advocate', caseId, 'hhs_certification_request-1')).toMatchObject({
      dueAt: `${lastDay}T12:00:00.000Z`,
      dueOnADay: true,
    });
    expect(await stepOf('advocate', caseId, 't_visa_evidence_response-1')).toMatchObject({
      dueAt: `${day(2)}T00:00:00.000Z`,
      dueOnADay: true,
    });

    // D, 13:00 UTC: 05:00 in Los Angeles, 03:00 in Honolulu; past the CP decision's and the request's due instants.
    await sleepUntil(dayStart + 13 * HOUR_MS);
    for (const [as, stepId] of OF_THE_DAY) expect(await stepOf(as, caseId, stepId)).toMatchObject({ overdue: false });
    expect(await overdueListed('ice', caseId)).toEqual([]);
    expect(await overdueListed('advocate', caseId)).toEqual([]);

    // D+1, 09:30 UTC: 23:30 on D in Honolulu, where D is not over; past the RFE's due instant.
    await sleepUntil(dayStart + DAY_MS + 9.5 * HOUR_MS);
    for (const [as, stepId] of OF_THE_DAY) expect(await stepOf(as, caseId, stepId)).toMatchObject({ overdue: false });
    expect(await overdueListed('advocate', caseId)).toEqual([]);

    // D+1, 12:30 UTC: D has ended everywhere in the US.
    await sleepUntil(dayStart + DAY_MS + 12.5 * HOUR_MS);
    for (const [as, stepId] of OF_THE_DAY) expect(await stepOf(as, caseId, stepId)).toMatchObject({ overdue: true });
    expect(await overdueListed('ice', caseId)).toEqual(['cp_decision-1']);
    expect((await overdueListed('advocate', caseId)).sort()).toEqual([
      'hhs_certification_request-1',
      't_visa_evidence_response-1',
    ]);
    // The daily digest reads its deadlines with the fact, and words them by the same rule (test/mail/suites/digest.ts).
    const deadlines = await agencyDeadlines(stack.pool, AGENCIES.ice);
    expect(deadlines.find((d) => d.caseId === caseId && d.stepId === 'cp_decision-1')).toMatchObject({
      dueOnADay: true,
    });
  });

  test('ICE in Los Angeles and the advocate in Honolulu read D as the day, and "overdue" as the API says it, once D has ended everywhere in the US', async () => {
    const { caseId, lastDay, dayStart } = await caseDueOnD();
    const shownDay = new RegExp(`^${Number(lastDay.slice(8))} `);
    const decision = (zone: string) => readIn(zone, 'ice', caseId, 'cp_decision-1');
    const certification = (zone: string) => readIn(zone, 'advocate', caseId, 'hhs_certification_request-1');
    const rfe = (zone: string) => readIn(zone, 'advocate', caseId, 't_visa_evidence_response-1');
    // Its last day has ended where it is read, not yet everywhere in the US: when it becomes overdue, on the reader's
    // clock (12:00 UTC on D+1), never "overdue by 1 day" beside a status that says it is not.
    const notYet = new RegExp(
      `^overdue from \\d\\d:00 [A-Z]+ on \\d+ \\w+ \\d{4}, once ${Number(lastDay.slice(8))} \\w+ \\d{4} has ended everywhere in the US$`,
    );

    // D, 13:00 UTC: 05:00 in Los Angeles, 03:00 in Honolulu.
    await sleepUntil(dayStart + 13 * HOUR_MS);
    for (const read of [await decision(ZONES.ice), await certification(ZONES.advocate), await rfe(ZONES.advocate)]) {
      expect(read).toMatchObject({ words: 'due today', overdue: false });
      expect(read.day).toMatch(shownDay);
    }

    // D+1, 09:30 UTC: 23:30 on D in Honolulu; 01:30 on D+1 in Los Angeles, whose D is over.
    await sleepUntil(dayStart + DAY_MS + 9.5 * HOUR_MS);
    expect(await certification(ZONES.advocate)).toMatchObject({ words: 'due today', overdue: false });
    expect(await rfe(ZONES.advocate)).toMatchObject({ words: 'due today', overdue: false });
    const inLosAngeles = await decision(ZONES.ice);
    expect(inLosAngeles.overdue).toBe(false);
    expect(inLosAngeles.words).toMatch(notYet);

    // D+1, 10:30 UTC: 00:30 on D+1 in Honolulu.
    await sleepUntil(dayStart + DAY_MS + 10.5 * HOUR_MS);
    for (const read of [await certification(ZONES.advocate), await rfe(ZONES.advocate)]) {
      expect(read.overdue).toBe(false);
      expect(read.words).toMatch(notYet);
    }

    // D+1, 12:30 UTC: D has ended everywhere in the US.
    await sleepUntil(dayStart + DAY_MS + 12.5 * HOUR_MS);
    for (const read of [await decision(ZONES.ice), await certification(ZONES.advocate), await rfe(ZONES.advocate)])
      expect(read).toMatchObject({ words: 'overdue by 1 day', overdue: true });
  });

  test('"Deadline reached" and the escalation of a deadline due on D come only once D has ended everywhere in the US', async () => {
    const { caseId, dayStart } = await caseDueOnD();
    await sleepUntil(dayStart + DAY_MS + 11.5 * HOUR_MS);
    for (const [, stepId] of OF_THE_DAY) expect(await raised(caseId, stepId, 'due')).toBe(0);
    await sleepUntil(dayStart + DAY_MS + 12.5 * HOUR_MS);
    for (const [, stepId] of OF_THE_DAY)
      await eventually(async () => (await raised(caseId, stepId, 'due')) === 1, `the at-due alarm of ${stepId}`);

    // The escalation, 7 days after: counted from the end of D everywhere in the US, not from noon UTC of D.
    await sleepUntil(dayStart + 8 * DAY_MS + 11.5 * HOUR_MS);
    expect(await raised(caseId, 'cp_decision-1', 'escalation')).toBe(0);
    await sleepUntil(dayStart + 8 * DAY_MS + 12.5 * HOUR_MS);
    await eventually(async () => (await raised(caseId, 'cp_decision-1', 'escalation')) === 1, 'the escalation');
  });

  test("a deadline counted from an identification's hour keeps its instant", async () => {
    const start = await stack.env.currentTimeMs();
    const identifiedAt = new Date(start - HOUR_MS).toISOString();
    const { caseId } = await send('law_enforcement', '/api/cases', {
      identifiedAt,
      survivor: { name: 'Test Survivor Two (fictitious)', birthDate: '1990-07-08' },
      agencies: AGENCIES,
      confirmNotDuplicate: true,
    });
    const cpRequest = await stepOf('law_enforcement', caseId, 'cp_request-1');
    expect(cpRequest).toMatchObject({ dueOnADay: false });
    const dueAt = Date.parse(cpRequest.dueAt!);
    expect(dueAt).toBe(Date.parse(identifiedAt) + 14 * DAY_MS);

    await sleepUntil(dueAt - 60_000);
    expect(await stepOf('law_enforcement', caseId, 'cp_request-1')).toMatchObject({ overdue: false });
    expect(await raised(caseId, 'cp_request-1', 'due')).toBe(0);
    await sleepUntil(dueAt + 60_000);
    expect(await stepOf('law_enforcement', caseId, 'cp_request-1')).toMatchObject({ overdue: true });
    expect(await overdueListed('law_enforcement', caseId)).toContain('cp_request-1');
    await eventually(
      async () => (await raised(caseId, 'cp_request-1', 'due')) === 1,
      'the at-due alarm at its instant',
    );
  });

  test('14 days from an identification entered by its day are due on the 14th day after it, all of that day', async () => {
    const start = await stack.env.currentTimeMs();
    const day = (offset: number) => new Date(start + offset * DAY_MS).toISOString().slice(0, 10);
    const lastDay = day(0);
    const dayStart = Date.parse(`${lastDay}T00:00:00.000Z`);
    const { caseId } = await send('law_enforcement', '/api/cases', {
      identifiedOn: day(-14),
      survivor: { name: 'Test Survivor Three (fictitious)', birthDate: '1991-05-06' },
      agencies: AGENCIES,
      confirmNotDuplicate: true,
    });
    // As a sign-off dated that day counts (noon UTC of it), not from the police's midnight, which ended it a day early.
    const cpRequest = await stepOf('law_enforcement', caseId, 'cp_request-1');
    expect(cpRequest).toMatchObject({ dueAt: `${lastDay}T12:00:00.000Z`, dueOnADay: true });

    // D, 13:00 UTC: 07:00 in Chicago, where the police read D as the day the request is due.
    await sleepUntil(dayStart + 13 * HOUR_MS);
    expect(await stepOf('law_enforcement', caseId, 'cp_request-1')).toMatchObject({ overdue: false });
    expect(await readIn('America/Chicago', 'law_enforcement', caseId, 'cp_request-1')).toMatchObject({
      words: 'due today',
      overdue: false,
    });
    expect(await overdueListed('law_enforcement', caseId)).not.toContain('cp_request-1');

    // D+1, 11:30 UTC: D is not over everywhere in the US yet; at 12:30 it is.
    await sleepUntil(dayStart + DAY_MS + 11.5 * HOUR_MS);
    expect(await stepOf('law_enforcement', caseId, 'cp_request-1')).toMatchObject({ overdue: false });
    await sleepUntil(dayStart + DAY_MS + 12.5 * HOUR_MS);
    expect(await stepOf('law_enforcement', caseId, 'cp_request-1')).toMatchObject({ overdue: true });
  });

  test("a minor's case opens on its run's rules: the birthday alarm listed at opening comes once the birthday began in the US", async () => {
    const start = await stack.env.currentTimeMs();
    const identifiedOn = new Date(start - DAY_MS).toISOString().slice(0, 10);
    // Identified by day in Chicago: the reminders' grid runs from the police's midnight there (05:00 or 06:00 UTC), so
    // its point on the 18th birthday, 105 weeks on, is after the birthday's UTC midnight and before it began in the US.
    const birthday = new Date(Date.parse(`${identifiedOn}T00:00:00.000Z`) + 105 * 7 * DAY_MS)
      .toISOString()
      .slice(0, 10);
    const birthDate = `${Number(birthday.slice(0, 4)) - 18}${birthday.slice(4)}`;
    const { caseId } = await send('law_enforcement', '/api/cases', {
      identifiedOn,
      survivor: { name: 'Test Minor (fictitious)', birthDate },
      agencies: AGENCIES,
      confirmNotDuplicate: true,
    });
    // The 24-hour HHS notification keeps counting in hours from the start of the identification's day in Chicago.
    const notification = await stepOf('law_enforcement', caseId, 'hhs_minor_notification-1');
    expect(notification).toMatchObject({ dueOnADay: false });
    expect(Date.parse(notification.dueAt!)).toBe(Date.parse(notification.openedAt) + DAY_MS);
    const gridPoint = (weeks: number) => new Date(Date.parse(notification.openedAt) + weeks * 7 * DAY_MS).toISOString();
    expect(gridPoint(105).slice(0, 10)).toBe(birthday);

    const reminders = await listCaseReminders(stack.pool, caseId);
    const turns18 = reminders.filter((alarm) => alarm.kind === 'expired' && alarm.about === 'minor_turns_18');
    expect(turns18.map((alarm) => alarm.at)).toEqual([gridPoint(106)]);
  });
});
