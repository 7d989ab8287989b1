/**
 * A deadline that is a day (counted in days from a typed day: `dueOnADay`) reads in the emails and on the dashboard as
 * the console reads it, met all of its last day wherever in the US it is read, on real parts (time skipping,
 * PostgreSQL, the SMTP capture, the console): read after its due instant (noon UTC) on that very day, the transfer
 * email's list of the steps handed over, the "Needed again" email and the dashboard's escalation say "due 5 Dec 2026"
 * or "due today", not "overdue since 04:00 PST on 5 Dec 2026" or "overdue since 06:00 today"; the "Corrected" email of
 * a due date moved to the day before says it overdue since the day after it, not since its noon. The dashboard counts
 * such a step as due soon all of its last day, as GET /api/steps lists it, and reads an escalated step's last day in
 * the zone its case was identified in, as the step lists do. Such a step not overdue yet though its day has ended where
 * it is read (the advocate in Guam the morning after) reads the same in the case page, the daily digest and the
 * "Needed again" email: when it becomes overdue, on the reader's clock (core/people-dates.ts `notYetOverdueWords`).
 */
import request from 'supertest';
import { formatCalendarDay } from '../../../core/people-dates';
import { localDateOf } from '../../../core/time-zones';
import { upsertAgencies } from '../../../db/agencies';
import { listNotifications } from '../../../db/notifications';
import { DEMO_AGENCIES, DEMO_AGENCY_LIST } from '../../../db/seed';
import { addDays } from '../../../domain/dates';
import { stepLabel } from '../../../domain/labels';
import type { AgencyKind } from '../../../domain/types';
import { SESSION_COOKIE } from '../../../web/session';
import { consoleStackPerFile } from '../../support/console';
import { eventually } from '../../support/eventually';
import { writeAs } from '../../support/writes';

describe('day-deadlines-told', () => {
  /** The console and the API on the test server's clock, so a page is read at the hour the test skips to. */
  const service = consoleStackPerFile({}, { onTestClock: true });

  const DAY_MS = 86_400_000;
  const HOUR_MS = 3_600_000;
  const NEW_ICE = { id: 'ice-la', email: 'cp-unit@ice-la.example.gov' };

  const zoned = (kind: AgencyKind, timeZone: string) => ({
    ...DEMO_AGENCY_LIST.find((agency) => agency.kind === kind)!,
    timeZone,
  });
  const emailOf = (kind: AgencyKind) => DEMO_AGENCY_LIST.find((agency) => agency.kind === kind)!.email!;

  beforeAll(async () => {
    await upsertAgencies(service.stack.pool, [
      zoned('advocate', 'America/New_York'),
      zoned('coordinator', 'America/Chicago'),
      {
        id: NEW_ICE.id,
        kind: 'ice',
        name: 'ICE Los Angeles (fictitious)',
        email: NEW_ICE.email,
        timeZone: 'America/Los_Angeles',
      },
    ]);
  });

  interface StepBody {
    id: string;
    dueAt: string | null;
    dueOnADay: boolean;
    status: string;
  }
  interface CaseBody {
    caseId: string;
    reference: string;
    steps: StepBody[];
  }

  const send = (as: AgencyKind, path: string, body: object) =>
    writeAs<CaseBody>({ app: service.app, as: (kind) => service.stack.as(kind) }, as, path, body);

  async function stepOf(caseId: string, stepId: string): Promise<StepBody | undefined> {
    const response = await request(service.app)
      .get(`/api/cases/${caseId}`)
      .set(service.stack.as('coordinator'))
      .expect(200);
    return (response.body as CaseBody).steps.find((step) => step.id === stepId);
  }

  /**
   * Skips to 13:00 UTC of the next day (D): an hour past noon UTC, the due instant of a deadline that is D, while D is
   * still on in every US zone. Answers D and a day `offset` days from it.
   */
  async function onDayD() {
    const now = await service.stack.env.currentTimeMs();
    const dayStart = Math.floor(now / DAY_MS) * DAY_MS + DAY_MS;
    await service.stack.env.sleep(dayStart + 13 * HOUR_MS - now);
    const day = (offset: number) => new Date(dayStart + offset * DAY_MS).toISOString().slice(0, 10);
    return { d: day(0), day, dayStart };
  }

  /** A case opened with its dates typed, `identifiedOn` that day. */
  /** A case identified on that day; `atMidnight`, at 00:00 by the hour there, whose deadlines are its police's midnights. */
  const openCase = (identifiedOn: string, atMidnight = false) =>
    send('law_enforcement', '/api/cases', {
      ...(atMidnight ? { identifiedAt: `${identifiedOn}T00:00` } : { identifiedOn }),
      survivor: { name: 'Test Survivor (fictitious)', birthDate: '1987-02-03' },
      agencies: DEMO_AGENCIES,
      confirmNotDuplicate: true,
    });

  /** The emails of the case to an address whose subject begins with `said`. */
  const emailsTo = (address: string, reference: string, said: string) =>
    service.stack.mail
      .messages()
      .filter((m) => m.subject.startsWith(said) && m.subject.includes(reference) && m.to.join(',').includes(address));

  /** Waits for the first such email, and answers it. */
  const awaitEmail = (address: string, reference: string, said: string) =>
    eventually(async () => emailsTo(address, reference, said)[0], `"${said}" to ${address}`);

  test("a transfer's email lists a step handed over due on D as due D, not overdue since its noon UTC, on D", async () => {
    const { d, day } = await onDayD();
    const { caseId, reference } = await openCase(day(-31));
    await send('law_enforcement', `/api/cases/${caseId}/steps/cp_request-1/sign-off`, {
      outcome: 'requested',
      details: { requestedOn: day(-30) },
    });
    expect(await stepOf(caseId, 'cp_decision-1')).toMatchObject({ dueAt: `${d}T12:00:00.000Z`, dueOnADay: true });

    // D, 13:00 UTC: 05:00 in Los Angeles, an hour after the CP decision's due instant.
    await send('coordinator', `/api/cases/${caseId}/transfers`, {
      agencyKind: 'ice',
      toAgencyId: NEW_ICE.id,
      reason: 'moved_jurisdiction',
    });
    const told = await awaitEmail(NEW_ICE.email, reference, `Case ${reference} was transferred to your agency`);
    expect(told.text.split('\n')).toContain(`- ${stepLabel('cp_decision')}, due ${formatCalendarDay(d)}`);
    expect(told.text).not.toContain('overdue');
  });

  /**
   * A case identified 17 days before D whose CP was granted 14 days before it: its HHS certification request, the
   * advocate's, is due on D (`dueOnADay`). Answers the case, its steps' path and the grant's details.
   */
  async function certificationDueOnD(day: (offset: number) => string) {
    const { caseId, reference } = await openCase(day(-17));
    const steps = `/api/cases/${caseId}/steps`;
    await send('law_enforcement', `${steps}/cp_request-1/sign-off`, {
      outcome: 'requested',
      details: { requestedOn: day(-16) },
    });
    const granted = { grantedOn: day(-14) };
    await send('ice', `${steps}/cp_decision-1/sign-off`, { outcome: 'granted', details: granted });
    expect(await stepOf(caseId, 'hhs_certification_request-1')).toMatchObject({
      dueAt: `${day(0)}T12:00:00.000Z`,
      dueOnADay: true,
    });
    return { caseId, reference, steps, granted };
  }

  /** The grant corrected to a denial and back: the certification request withdrawn, then needed again ("Needed again"). */
  async function certificationNeededAgain(
    { caseId, steps, granted }: Awaited<ReturnType<typeof certificationDueOnD>>,
    day: (offset: number) => string,
  ) {
    await send('coordinator', `${steps}/cp_decision-1/corrections`, {
      outcome: 'denied',
      details: { decidedOn: day(-14), reason: 'other' },
      reason: 'Entered the wrong outcome',
    });
    await send('coordinator', `${steps}/cp_decision-1/corrections`, {
      outcome: 'granted',
      details: granted,
      reason: 'The grant was right after all',
    });
    expect(await stepOf(caseId, 'hhs_certification_request-1')).toMatchObject({ status: 'pending', dueOnADay: true });
  }

  test('"Needed again" names a step due on D as due D on D, and its corrected due date as overdue since the day after it', async () => {
    const { d, day } = await onDayD();
    const certification = await certificationDueOnD(day);
    const { reference, steps } = certification;
    await certificationNeededAgain(certification, day);

    // D, 13:00 UTC: 08:00 in New York, an hour after the request's due instant; D is not over there.
    const label = stepLabel('hhs_certification_request');
    const again = await awaitEmail(emailOf('advocate'), reference, `Needed again: ${label}`);
    expect(again.subject).toBe(`Needed again: ${label} (case ${reference}), due ${formatCalendarDay(d)}`);
    expect(again.text).toContain(`"${label}" is needed again, due ${formatCalendarDay(d)}. `);
    expect(again.text).toContain('Make it by then, then record it on the case page.');

    // The grant a day earlier: the request is due on D-1, over everywhere in the US since 10:00 UTC on D.
    await send('coordinator', `${steps}/cp_decision-1/corrections`, {
      outcome: 'granted',
      details: { grantedOn: day(-15) },
      reason: 'Granted a day earlier',
    });
    const corrected = await awaitEmail(emailOf('advocate'), reference, `Corrected: ${label} is now`);
    expect(corrected.subject).toBe(
      `Corrected: ${label} is now due ${formatCalendarDay(day(-1))}, overdue since ${formatCalendarDay(d)} ` +
        `(case ${reference})`,
    );
  });

  test('the dashboard names an escalated step whose deadline a correction moved to today as due today, not overdue since its noon UTC', async () => {
    const { d, day, dayStart } = await onDayD();
    const { caseId, reference } = await openCase(day(-31));
    const cpRequest = `/api/cases/${caseId}/steps/cp_request-1`;
    await send('law_enforcement', `${cpRequest}/sign-off`, {
      outcome: 'requested',
      details: { requestedOn: day(-30) },
    });
    expect(await stepOf(caseId, 'cp_decision-1')).toMatchObject({ dueAt: `${d}T12:00:00.000Z`, dueOnADay: true });

    // Escalated to the coordinator a week after D ended everywhere in the US.
    await service.stack.env.sleep(dayStart + 8 * DAY_MS + 13 * HOUR_MS - (await service.stack.env.currentTimeMs()));
    await eventually(async () => {
      const { items } = await listNotifications(service.stack.pool, { caseId, limit: 200 });
      return items.some((n) => n.stepId === 'cp_decision-1' && n.kind === 'escalation') || undefined;
    }, 'the escalation of the CP decision');

    // The request's date was typed a week early: the decision is due today, D+8, at 13:00 UTC (07:00 in Chicago).
    await send('coordinator', `${cpRequest}/corrections`, {
      outcome: 'requested',
      details: { requestedOn: day(-22) },
      reason: 'The request date was typed a week early',
    });
    await eventually(async () => {
      const step = await stepOf(caseId, 'cp_decision-1');
      return step?.dueAt === `${day(8)}T12:00:00.000Z` || undefined;
    }, 'the decision due today');
    expect(await stepOf(caseId, 'cp_decision-1')).toMatchObject({ status: 'pending', dueOnADay: true });

    const page = await request(service.app)
      .get('/')
      .set('Cookie', `${SESSION_COOKIE}=${service.sessionCookie('demo-coordinator')}`)
      .expect(200);
    const list = /<ul aria-labelledby="escalations-heading">([\s\S]*?)<\/ul>/.exec(page.text)?.[1] ?? '';
    const item = list.split('<li>').find((li) => li.includes(reference));
    expect(item).toContain(stepLabel('cp_decision'));
    expect(item).toContain('<span class="relative">(due today)</span>');
    expect(item).not.toContain('overdue');
  });

  interface StepItem extends StepBody {
    caseId: string;
  }
  interface Counts {
    pending: number;
    dueSoon: number;
    overdue: number;
  }

  test('the dashboard counts a step due on D as due soon on D after its noon UTC, as the step lists list it, not as neither', async () => {
    const { d, day } = await onDayD();
    const { caseId } = await openCase(day(-31));
    await send('law_enforcement', `/api/cases/${caseId}/steps/cp_request-1/sign-off`, {
      outcome: 'requested',
      details: { requestedOn: day(-30) },
    });
    expect(await stepOf(caseId, 'cp_decision-1')).toMatchObject({ dueAt: `${d}T12:00:00.000Z`, dueOnADay: true });

    // D, 13:00 UTC: an hour after the CP decision's due instant, not overdue (D is on everywhere in the US).
    const steps = async (status: string) => {
      const response = await request(service.app)
        .get(`/api/steps?status=${status}&kind=cp_decision&limit=100`)
        .set(service.stack.as('coordinator'))
        .expect(200);
      const page = response.body as { items: StepItem[]; nextCursor: string | null };
      expect(page.nextCursor).toBeNull();
      return page.items;
    };
    const key = (step: StepItem) => `${step.caseId}/${step.id}`;
    const pending = await steps('pending');
    const overdue = new Set((await steps('overdue')).map(key));
    const dueSoon = (await steps('due_soon')).map(key);
    expect(pending.map(key)).toContain(`${caseId}/cp_decision-1`);
    expect(overdue).not.toContain(`${caseId}/cp_decision-1`);
    expect(dueSoon).toContain(`${caseId}/cp_decision-1`);

    // The counts: every pending step not overdue and due within the week is due soon, as the lists say.
    const response = await request(service.app).get('/api/dashboard').set(service.stack.as('coordinator')).expect(200);
    const dashboard = response.body as { asOf: string; byKind: (Counts & { kind: string })[] };
    const weekAhead = Date.parse(dashboard.asOf) + 7 * DAY_MS;
    const soon = pending.filter((step) => !overdue.has(key(step)) && Date.parse(step.dueAt ?? '') < weekAhead);
    expect(soon.map(key).sort()).toEqual([...dueSoon].sort());
    expect(dashboard.byKind.find((row) => row.kind === 'cp_decision')).toMatchObject({
      pending: pending.length,
      overdue: overdue.size,
      dueSoon: soon.length,
    });
  });

  test("the dashboard reads an escalated step's last day in the zone its case was identified in, where its police have moved since", async () => {
    const CHICAGO = 'America/Chicago';
    await upsertAgencies(service.stack.pool, [
      zoned('law_enforcement', CHICAGO),
      zoned('coordinator', 'America/New_York'),
    ]);
    const now = await service.stack.env.currentTimeMs();
    const identifiedOn = addDays(localDateOf(new Date(now).toISOString(), CHICAGO), -3);
    // Identified at the police's midnight by the hour: a case identified by its day alone counts as from a typed day.
    const { caseId, reference } = await openCase(identifiedOn, true);
    // 14 days from the police's midnight: its last day is the 13th day after, Chicago's (01:00 next day in New York).
    const lastDay = formatCalendarDay(addDays(identifiedOn, 13));

    // Escalated to the coordinator a week after it passed.
    await service.stack.env.sleep(19 * DAY_MS);
    await eventually(async () => {
      const { items } = await listNotifications(service.stack.pool, { caseId, limit: 200 });
      return items.some((n) => n.stepId === 'cp_request-1' && n.kind === 'escalation') || undefined;
    }, 'the escalation of the CP request');

    await upsertAgencies(service.stack.pool, [zoned('law_enforcement', 'America/Los_Angeles')]);
    const page = await request(service.app)
      .get('/')
      .set('Cookie', `${SESSION_COOKIE}=${service.sessionCookie('demo-coordinator')}`)
      .expect(200);
    const list = /<ul aria-labelledby="escalations-heading">([\s\S]*?)<\/ul>/.exec(page.text)?.[1] ?? '';
    const item = list.split('<li>').find((li) => li.includes(reference) && li.includes(stepLabel('cp_request')));
    expect(item).toContain(`(due <span class="date">${lastDay}</span>`);
  });

  /** The page's text as a reader sees it: tags out, spaces as one. */
  const textOf = (html: string) =>
    html
      .replace(/<[^>]+>/g, ' ')
      .replace(/\s+/g, ' ')
      .replace(/ \)/g, ')')
      .replace(/\( /g, '(');

  test('a step not overdue yet though its day has ended where it is read says so alike in the console, the digest and an email (Guam)', async () => {
    // The advocate in Guam, its digest on: its morning of D+1, 07:00 there, is 21:00 UTC on D, when D has ended in Guam
    // but not in Hawaii; the API calls the request overdue from noon UTC on D+1, 22:00 in Guam. The digest said only
    // "due D" beside its section "Due D+1", and "Needed again" the same, where the console said when it becomes overdue.
    await upsertAgencies(service.stack.pool, [zoned('advocate', 'Pacific/Guam')]);
    const advocate = DEMO_AGENCY_LIST.find((agency) => agency.kind === 'advocate')!.id;
    await request(service.app)
      .post(`/api/agencies/${advocate}/daily-digest`)
      .set(service.stack.users['demo-system-admin']!.headers)
      .send({ enabled: true })
      .expect(200);
    const { d, day, dayStart } = await onDayD();
    const certification = await certificationDueOnD(day);
    const { caseId, reference } = certification;

    // One instant, three surfaces: the digest of D+1, the request needed again then, and the case page read then.
    await service.stack.env.sleep(dayStart + 21 * HOUR_MS + 60_000 - (await service.stack.env.currentTimeMs()));
    const digest = await eventually(
      async () =>
        service.stack.mail
          .messages()
          .find(
            (m) =>
              m.subject.startsWith('Daily digest') &&
              m.to.join(',').includes(emailOf('advocate')) &&
              m.text.includes(reference),
          ),
      'the advocate’s digest',
    );
    await certificationNeededAgain(certification, day);
    const label = stepLabel('hhs_certification_request');
    const again = await awaitEmail(emailOf('advocate'), reference, `Needed again: ${label}`);
    const casePage = await request(service.app)
      .get(`/cases/${caseId}`)
      .set('Cookie', `${SESSION_COOKIE}=${service.sessionCookie('demo-advocate')}`)
      .expect(200);

    const due =
      `${formatCalendarDay(d)} (overdue from 22:00 Guam time on ${formatCalendarDay(day(1))}, ` +
      `once ${formatCalendarDay(d)} has ended everywhere in the US)`;
    expect(textOf(casePage.text)).toContain(due);
    expect(digest.text).toContain(`: ${label}, due ${due}\n`);
    expect(again.text).toContain(`is needed again, due ${due}.`);
  });
});
