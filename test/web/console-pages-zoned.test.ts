/**
 * Days and hours on console pages when the demo agencies work in time zones of their own, fetched over HTTP against
 * the whole service, for the files that served the console the same way (one stack, the demo users): one stack for
 * all of them, each old file's tests under a `describe` named after it, where each file started its own PostgreSQL
 * and Temporal server (README "Tests"). Each set the zones it reads on the demo agencies: each starts from the demo
 * agencies as seeded, as on a stack of its own.
 */
import request from 'supertest';
import { deadlineZone, formatCalendarDay, formatDateTime, lastDayToAct } from '../../core/people-dates';
import { instantOfLocal, localDateOf, startOfLocalDay } from '../../core/time-zones';
import { upsertAgencies } from '../../db/agencies';
import { DEMO_AGENCIES, DEMO_AGENCY_LIST } from '../../db/seed';
import { addDays, dateOf } from '../../domain/dates';
import { SESSION_COOKIE } from '../../web/session';
import { consoleStackPerFile, describeSharing, openDemoCase } from '../support/console';
import { eventually } from '../support/eventually';
import type { AgencyKind } from '../../domain/types';
import { DEMO_WORKER_OF } from '../support/auth';

const service = consoleStackPerFile();
/** The demo agencies as seeded (db/seed.ts), their time zones among what they hold. */
const demoAgenciesAsSeeded = () => upsertAgencies(service.stack.pool, DEMO_AGENCY_LIST);

describeSharing(service, 'case-page-identified-zone', () => {
  /**
   * A case's page and the lists of steps read its due dates in the zone the case was identified in, which the API answers
   * with it (`identifiedIn`, `caseIdentifiedIn`): the police in Chicago identify a survivor on a day, and the task force
   * in New York reads the CP request's last day on the police's; once the police have moved to Los Angeles, the same
   * day, where it read a day later before the case kept its zone. Its timeline reads an identification entered by its
   * date alone (kept as the start of that day in Chicago) on that day, with no hour, also once the police have moved:
   * the day is recognised in the zone the case kept, where it was looked for in the police's zones as they are now, and
   * the timeline read "3 Dec 2026, 01:00 EST" in New York, "2 Dec 2026, 22:00 PST" to the police. The whole service on
   * real parts, the console calling the API over HTTP.
   */
  beforeAll(demoAgenciesAsSeeded);

  const CHICAGO = 'America/Chicago';

  const zoned = (id: string, timeZone: string) => ({
    ...DEMO_AGENCY_LIST.find((agency) => agency.id === id)!,
    timeZone,
  });

  /** The last day shown in the due cell of the row naming `rowName` on a page. */
  async function dueDayOn(username: string, path: string, rowName: string): Promise<string> {
    const due = await eventually(async () => {
      const page = await request(service.app)
        .get(path)
        .set('Cookie', `${SESSION_COOKIE}=${service.sessionCookie(username)}`)
        .expect(200);
      const row = page.text.split('<tr>').find((cells) => cells.includes(rowName));
      // The due cell: its last day, then the words beside it (web/views/due.eta).
      return /<span class="date">([^<]*)<\/span> <span class="relative/.exec(row ?? '') ?? false;
    }, `the due date on ${path}`);
    return due[1]!;
  }

  test("a case's page and the step lists keep its last days where its police have moved since, as the API keeps its zone", async () => {
    await upsertAgencies(service.stack.pool, [
      zoned(DEMO_AGENCIES.law_enforcement, CHICAGO),
      zoned(DEMO_AGENCIES.coordinator, 'America/New_York'),
    ]);
    const identifiedOn = addDays(
      localDateOf(new Date(await service.stack.env.currentTimeMs()).toISOString(), CHICAGO),
      -3,
    );
    const opened = await request(service.app)
      .post('/api/cases')
      .set(service.stack.as('law_enforcement'))
      .set('Idempotency-Key', 'case-page-identified-zone-1')
      .send({
        // At the police's midnight by the hour: identified by its day alone, a case counts as from a typed day.
        identifiedAt: `${identifiedOn}T00:00`,
        survivor: { name: 'Moved Police Reader (fictitious)', birthDate: '1990-05-06' },
        agencies: DEMO_AGENCIES,
      })
      .expect(201);
    const { caseId, reference } = opened.body as { caseId: string; reference: string };
    // 14 days from the police's midnight: its last day is the 13th day after, Chicago's.
    const lastDay = formatCalendarDay(addDays(identifiedOn, 13));
    const casePage = `/cases/${caseId}`;
    expect(await dueDayOn('demo-coordinator', casePage, 'Continued Presence request')).toBe(lastDay);

    await upsertAgencies(service.stack.pool, [zoned(DEMO_AGENCIES.law_enforcement, 'America/Los_Angeles')]);
    const read = await request(service.app)
      .get(`/api/cases/${caseId}`)
      .set(service.stack.as('coordinator'))
      .expect(200);
    expect((read.body as { identifiedIn: string | null }).identifiedIn).toBe(CHICAGO);
    expect(await dueDayOn('demo-coordinator', casePage, 'Continued Presence request')).toBe(lastDay);
    expect(await dueDayOn('demo-police-officer', casePage, 'Continued Presence request')).toBe(lastDay);
    // The lists of many cases' steps read each row in its own case's zone: the Steps page, and the police's inbox.
    expect(await dueDayOn('demo-coordinator', '/steps?status=pending&kind=cp_request', reference)).toBe(lastDay);
    expect(await dueDayOn('demo-police-officer', '/', reference)).toBe(lastDay);
    // The caseload's next due date, the CP request's: the case's own.
    expect(await dueDayOn('demo-coordinator', '/cases', reference)).toBe(lastDay);
  });

  /** The timeline's lines as read: "<when> | <sentence>". */
  function timelineLines(html: string): string[] {
    const start = html.indexOf('<ol class="timeline"');
    const list = html.slice(start, html.indexOf('</ol>', start));
    return [...list.matchAll(/<li><time[^>]*>([^<]*)<\/time>(.*?)<\/li>/gs)].map(
      ([, when = '', sentence = '']) =>
        `${when} | ${sentence
          .replace(/<[^>]+>/g, '')
          .replace(/[\u2068\u2069]/gu, '')
          .replace(/\s+/g, ' ')
          .trim()}`,
    );
  }

  test("a case's timeline reads an identification entered by its date on that day, after its police moved", async () => {
    await upsertAgencies(service.stack.pool, [
      zoned(DEMO_AGENCIES.law_enforcement, CHICAGO),
      zoned(DEMO_AGENCIES.coordinator, 'America/New_York'),
    ]);
    const identifiedOn = addDays(
      localDateOf(new Date(await service.stack.env.currentTimeMs()).toISOString(), CHICAGO),
      -3,
    );
    const opened = await request(service.app)
      .post('/api/cases')
      .set(service.stack.as('law_enforcement'))
      .set('Idempotency-Key', 'case-page-identified-zone-2')
      .send({
        identifiedOn,
        survivor: { name: 'Moved Police Timeline (fictitious)', birthDate: '1990-05-06' },
        agencies: DEMO_AGENCIES,
      })
      .expect(201);
    const { caseId } = opened.body as { caseId: string };
    const linesFor = async (username: string) => {
      const page = await request(service.app)
        .get(`/cases/${caseId}`)
        .set('Cookie', `${SESSION_COOKIE}=${service.sessionCookie(username)}`)
        .expect(200);
      return timelineLines(page.text);
    };
    // What happened at the identification (its sign-off, the steps it opened) reads as the day typed, with no hour.
    const atItsDay = (lines: string[]) => {
      const day = formatCalendarDay(identifiedOn);
      const identification = lines.filter((line) => !line.includes('Case opened'));
      expect(identification.filter((line) => !line.startsWith(`${day} | `))).toEqual([]);
      expect(identification.some((line) => line.startsWith(`${day} | Victim identification signed off`))).toBe(true);
    };
    atItsDay(
      await eventually(async () => {
        const lines = await linesFor('demo-coordinator');
        return lines.some((line) => line.includes('Victim identification signed off')) && lines;
      }, 'the identification on the timeline'),
    );

    // Its police now work in Los Angeles, where the start of that day in Chicago is 22:00 the day before.
    await upsertAgencies(service.stack.pool, [zoned(DEMO_AGENCIES.law_enforcement, 'America/Los_Angeles')]);
    const read = await request(service.app)
      .get(`/api/cases/${caseId}`)
      .set(service.stack.as('coordinator'))
      .expect(200);
    const { timeline } = read.body as { timeline: { type: string; stepId: string | null; typedDay: string | null }[] };
    expect(
      timeline.find((entry) => entry.type === 'step.completed' && entry.stepId === 'identification-1')?.typedDay,
    ).toBe(identifiedOn);
    atItsDay(await linesFor('demo-coordinator'));
    atItsDay(await linesFor('demo-police-officer'));
  });
});

describeSharing(service, 'steps-day-at-the-hour', () => {
  /**
   * A day typed in the Steps page's due filters lists a step under the day its row shows as due, also for the minors'
   * 24-hour notice to HHS, shown at its hour (re-probe): a minor identified by the date alone in Los Angeles is due
   * for that notice at the police's next midnight, which the police's row shows as "00:00 PST" on that day, where a
   * step counted in days at the same instant shows the day before. The whole service on real parts, read by the police.
   */
  beforeAll(demoAgenciesAsSeeded);

  const LOS_ANGELES = 'America/Los_Angeles';

  const page = (path: string) =>
    request(service.app)
      .get(path)
      .set('Cookie', `${SESSION_COOKIE}=${service.sessionCookie('demo-police-officer')}`)
      .expect(200);

  let caseRef = '';
  let dueDay = '';
  /** The notice's row, by its step cell (the kind filter's options name it too). */
  const NOTICE_ROW = '<td data-label="Step">HHS notification of a minor (24 hours)</td>';

  beforeAll(async () => {
    await upsertAgencies(service.stack.pool, [
      { ...DEMO_AGENCY_LIST.find((agency) => agency.id === DEMO_AGENCIES.law_enforcement)!, timeZone: LOS_ANGELES },
    ]);
    const identifiedOn = addDays(localDateOf(new Date().toISOString(), LOS_ANGELES), -3);
    const opened = await request(service.app)
      .post('/api/cases')
      .set(service.stack.as('law_enforcement'))
      .set('Idempotency-Key', 'steps-day-at-the-hour-1')
      .send({
        identifiedOn,
        survivor: { name: 'Hour Filter (fictitious)', birthDate: addDays(identifiedOn, -15 * 366) },
        agencies: DEMO_AGENCIES,
      })
      .expect(201);
    const body = opened.body as { reference: string; steps: { id: string; dueAt: string | null }[] };
    caseRef = body.reference;
    const dueAt = body.steps.find((step) => step.id === 'hhs_minor_notification-1')!.dueAt!;
    // 24 hours from the day of the identification: due exactly as the police's next day begins.
    dueDay = addDays(identifiedOn, 1);
    expect(dueAt).toBe(startOfLocalDay(dueDay, LOS_ANGELES));
    // The row shows it at its hour, on that day: "… 00:00 PST".
    expect(formatDateTime(dueAt, LOS_ANGELES)).toMatch(/, 00:00 P[SD]T$/);
    await eventually(async () => {
      const listed = await page('/steps?status=pending&kind=hhs_minor_notification');
      return listed.text.includes(caseRef) && listed.text.includes(formatDateTime(dueAt, LOS_ANGELES));
    }, 'the notice listed at its hour');
  });

  const stepsDue = (kind: string, from: string, before: string) =>
    page(`/steps?${new URLSearchParams({ kind, dueAfter: from, dueBefore: before }).toString()}`);

  test.each(['hhs_minor_notification', ''])(
    "the notice due at the police's midnight is found under the day its row shows (kind filter '%s')",
    async (kind) => {
      const onItsDay = (await stepsDue(kind, dueDay, addDays(dueDay, 1))).text;
      expect(onItsDay).toContain(caseRef);
      expect(onItsDay).toContain(NOTICE_ROW);
      expect((await stepsDue(kind, addDays(dueDay, -1), dueDay)).text).not.toContain(NOTICE_ROW);
      expect((await stepsDue(kind, addDays(dueDay, 1), addDays(dueDay, 2))).text).not.toContain(NOTICE_ROW);
    },
  );
});

describeSharing(service, 'steps-day-east-of-the-police', () => {
  /**
   * A day typed in the Steps page's due filters lists a step under the day its row shows as due, also for a reader east
   * of the police (probe E4): the police in Chicago identify a survivor at 15:00 by the hour, so the CP request (14 days)
   * falls due at 15:00 in Chicago, already 07:00 the next day in Guam, where the task force reads it; that is before
   * the police's midnight, and the bound alone listed it under the day before (the gap web/day-bounds.ts documented).
   * A case identified at the police's midnight that day (00:00 by the hour, as a case identified by its date alone
   * counted before session 49), due at the police's midnight, still shows, and is found under, the day before it. The whole service on real parts, the console calling the API over HTTP.
   */
  beforeAll(demoAgenciesAsSeeded);

  const CHICAGO = 'America/Chicago';
  const GUAM = 'Pacific/Guam';

  const page = (path: string) =>
    request(service.app)
      .get(path)
      .set('Cookie', `${SESSION_COOKIE}=${service.sessionCookie('demo-coordinator')}`)
      .expect(200);

  const zoned = (id: string, timeZone: string) => ({
    ...DEMO_AGENCY_LIST.find((agency) => agency.id === id)!,
    timeZone,
  });

  /** A case the police open by the hour (`identifiedAt`): its reference and CP due. */
  async function openCase(key: string, identification: Record<string, string>) {
    const opened = await request(service.app)
      .post('/api/cases')
      .set(service.stack.as('law_enforcement'))
      .set('Idempotency-Key', key)
      .send({
        ...identification,
        survivor: { name: `East ${key} (fictitious)`, birthDate: '1990-05-06' },
        agencies: DEMO_AGENCIES,
      })
      .expect(201);
    const body = opened.body as { reference: string; steps: { id: string; dueAt: string | null }[] };
    return { reference: body.reference, dueAt: body.steps.find((step) => step.id === 'cp_request-1')!.dueAt! };
  }

  const stepsDue = (from: string, before: string) =>
    page(`/steps?${new URLSearchParams({ kind: 'cp_request', dueAfter: from, dueBefore: before }).toString()}`);

  test('read in Guam, a CP request counted from a Chicago identification hour is found under the day its row shows', async () => {
    await upsertAgencies(service.stack.pool, [
      zoned(DEMO_AGENCIES.law_enforcement, CHICAGO),
      zoned(DEMO_AGENCIES.coordinator, GUAM),
    ]);
    const identifiedOn = addDays(localDateOf(new Date().toISOString(), CHICAGO), -3);
    const byTheHour = await openCase('east-hour', { identifiedAt: instantOfLocal(identifiedOn, '15:00', CHICAGO) });
    const atMidnight = await openCase('east-day', { identifiedAt: `${identifiedOn}T00:00` });
    const shown = (dueAt: string) => lastDayToAct(dueAt, deadlineZone(dueAt, GUAM, [CHICAGO]));
    // 15:00 in Chicago is the next day in Guam; the police's midnight is the day before it there.
    const hourDay = addDays(identifiedOn, 15);
    expect(shown(byTheHour.dueAt)).toBe(hourDay);
    expect(shown(atMidnight.dueAt)).toBe(addDays(identifiedOn, 13));
    await eventually(async () => {
      const listed = await page('/steps?kind=cp_request');
      return listed.text.includes(byTheHour.reference) && listed.text.includes(atMidnight.reference);
    }, 'both cases listed');

    const onItsDay = (await stepsDue(hourDay, addDays(hourDay, 1))).text;
    expect(onItsDay).toContain(byTheHour.reference);
    expect(onItsDay).not.toContain(atMidnight.reference);
    expect((await stepsDue(addDays(hourDay, -1), hourDay)).text).not.toContain(byTheHour.reference);
    const dayCounted = addDays(identifiedOn, 13);
    const onTheDayBefore = (await stepsDue(dayCounted, addDays(dayCounted, 1))).text;
    expect(onTheDayBefore).toContain(atMidnight.reference);
    expect(onTheDayBefore).not.toContain(byTheHour.reference);
  });
});

describeSharing(service, 'steps-day-identified-zone', () => {
  /**
   * A day typed in the Steps page's due filters finds a step under the last day its row shows, in the zone its case was
   * identified in, also once the police have moved to another zone: the police in Chicago identify a survivor at midnight
   * (00:00 by the hour, as a case identified by its date alone counted before OPENED_ON_CURRENT_RULES_PATCH), the CP
   * request falls due at Chicago's midnight, and the task force in New York reads its last day as the day before.
   * Once the police have moved to Los Angeles, the row still shows that day (the case keeps its zone, `identifiedIn`),
   * but the filter bounded the days by the police's zones as they are now: it listed the step under the day after, the
   * one it passes on in New York, and not under the day its row shows. It bounds them by GET /api/me's
   * `dueDayTimeZones`, which has the zones cases were identified in too. The whole service on real parts, the console
   * calling the API over HTTP.
   */
  beforeAll(demoAgenciesAsSeeded);

  const CHICAGO = 'America/Chicago';

  const zoned = (id: string, timeZone: string) => ({
    ...DEMO_AGENCY_LIST.find((agency) => agency.id === id)!,
    timeZone,
  });

  const stepsDue = async (from: string, before: string) =>
    (
      await request(service.app)
        .get(`/steps?${new URLSearchParams({ kind: 'cp_request', dueAfter: from, dueBefore: before }).toString()}`)
        .set('Cookie', `${SESSION_COOKIE}=${service.sessionCookie('demo-coordinator')}`)
        .expect(200)
    ).text;

  test("the Steps page's due days find a step by the last day its row shows, in its case's zone, after the police moved", async () => {
    await upsertAgencies(service.stack.pool, [
      zoned(DEMO_AGENCIES.law_enforcement, CHICAGO),
      zoned(DEMO_AGENCIES.coordinator, 'America/New_York'),
    ]);
    const identifiedOn = addDays(
      localDateOf(new Date(await service.stack.env.currentTimeMs()).toISOString(), CHICAGO),
      -3,
    );
    const opened = await request(service.app)
      .post('/api/cases')
      .set(service.stack.as('law_enforcement'))
      .set('Idempotency-Key', 'steps-day-identified-zone-1')
      .send({
        identifiedAt: `${identifiedOn}T00:00`,
        survivor: { name: 'Moved Police Filter (fictitious)', birthDate: '1990-05-06' },
        agencies: DEMO_AGENCIES,
      })
      .expect(201);
    const { reference } = opened.body as { reference: string };
    // 14 days from the police's midnight: its last day is the 13th day after, Chicago's.
    const lastDay = addDays(identifiedOn, 13);
    await eventually(async () => (await stepsDue(lastDay, addDays(lastDay, 1))).includes(reference), 'listed');

    await upsertAgencies(service.stack.pool, [zoned(DEMO_AGENCIES.law_enforcement, 'America/Los_Angeles')]);
    expect(await stepsDue(lastDay, addDays(lastDay, 1))).toContain(reference);
    expect(await stepsDue(addDays(lastDay, 1), addDays(lastDay, 2))).not.toContain(reference);
  });
});

describeSharing(service, 'timeline-typed-days-every-reader', () => {
  /**
   * A step opened by a day typed elsewhere in the case reads as that day for every reader, also one who does not see
   * what opened it: ICE sees the CP decision the police's request opened, HHS the certification letter the advocate's
   * request opened, the advocate the T visa filing an identification entered by its date opened. Each read the hour
   * the day is kept at in their own zone ("21 Nov 2026, 04:00 PST", or in Honolulu the day before the identification),
   * where the coordinator read the day alone: the API now gives the entry its day, from the whole case.
   */
  beforeAll(demoAgenciesAsSeeded);

  const zoned = (kind: AgencyKind, timeZone: string) => ({
    ...DEMO_AGENCY_LIST.find((agency) => agency.id === DEMO_AGENCIES[kind])!,
    timeZone,
  });

  const signOff = (caseId: string, stepId: string, kind: AgencyKind, body: object) =>
    request(service.app)
      .post(`/api/cases/${caseId}/steps/${stepId}/sign-off`)
      .set(service.stack.as(kind))
      .set('Idempotency-Key', `every-reader-${stepId}`)
      .send(body)
      .expect(200);

  /** The reader's timeline line of `opened` ("<when> | <sentence>"), as their case page shows it. */
  async function openedLine(caseId: string, kind: AgencyKind, opened: string): Promise<string | undefined> {
    const page = await request(service.app)
      .get(`/cases/${caseId}`)
      .set('Cookie', `${SESSION_COOKIE}=${service.sessionCookie(DEMO_WORKER_OF[kind])}`)
      .expect(200);
    const start = page.text.indexOf('<ol class="timeline"');
    const list = page.text.slice(start, page.text.indexOf('</ol>', start));
    return [...list.matchAll(/<li><time[^>]*>([^<]*)<\/time>(.*?)<\/li>/gs)]
      .map(([, when = '', sentence = '']) => `${when} | ${sentence.replace(/<[^>]+>|[\u2068\u2069]/gu, '').trim()}`)
      .find((line) => line.includes(`${opened} opened`));
  }

  test('a step opened on a day typed in a sign-off its reader does not see reads as that day, as the coordinator reads it', async () => {
    await upsertAgencies(service.stack.pool, [
      zoned('law_enforcement', 'America/Chicago'),
      zoned('ice', 'America/Los_Angeles'),
      zoned('hhs', 'America/New_York'),
      zoned('advocate', 'Pacific/Honolulu'),
      zoned('coordinator', 'America/Chicago'),
    ]);
    const todayOn = dateOf(new Date(await service.stack.env.currentTimeMs()).toISOString());
    const identifiedOn = addDays(todayOn, -60);
    const { caseId } = await openDemoCase(service, 'every-reader-case', {
      identifiedOn,
      name: 'Every Reader Survivor (fictitious)',
    });
    const requestedOn = addDays(todayOn, -50);
    await signOff(caseId, 'cp_request-1', 'law_enforcement', { outcome: 'requested', details: { requestedOn } });
    await signOff(caseId, 'cp_decision-1', 'ice', {
      outcome: 'granted',
      details: { grantedOn: addDays(todayOn, -40) },
    });
    const certificationOn = addDays(todayOn, -30);
    await signOff(caseId, 'hhs_certification_request-1', 'advocate', {
      outcome: 'requested',
      details: { requestedOn: certificationOn },
    });

    const cases: [AgencyKind, string, string][] = [
      ['ice', 'Continued Presence decision', requestedOn],
      ['hhs', 'HHS certification letter', certificationOn],
      ['advocate', 'T visa application filing (Form I-914)', identifiedOn],
    ];
    const read = async (as: (reader: AgencyKind) => AgencyKind) =>
      Promise.all(
        cases.map(async ([reader, opened]) => ({ reader, line: await openedLine(caseId, as(reader), opened) })),
      );
    const coordinators = await read(() => 'coordinator');
    expect(coordinators.map(({ line }) => line?.split(' | ')[0])).toEqual(
      cases.map(([, , day]) => formatCalendarDay(day)),
    );
    // Each reader: ICE in Los Angeles, HHS in New York, the advocate in Honolulu.
    expect(await read((reader) => reader)).toEqual(coordinators);
  });
});
