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
import request from 'supertest';
import { formatCalendarDay } from '../../core/people-dates';
import { localDateOf } from '../../core/time-zones';
import { upsertAgencies } from '../../db/agencies';
import { DEMO_AGENCIES, DEMO_AGENCY_LIST } from '../../db/seed';
import { addDays } from '../../domain/dates';
import { SESSION_COOKIE } from '../../web/session';
import { consoleStackPerFile } from '../support/console';
import { eventually } from '../support/eventually';

const service = consoleStackPerFile();
const CHICAGO = 'America/Chicago';

const zoned = (id: string, timeZone: string) => ({ ...DEMO_AGENCY_LIST.find((agency) => agency.id === id)!, timeZone });

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
  const read = await request(service.app).get(`/api/cases/${caseId}`).set(service.stack.as('coordinator')).expect(200);
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
  const read = await request(service.app).get(`/api/cases/${caseId}`).set(service.stack.as('coordinator')).expect(200);
  const { timeline } = read.body as { timeline: { type: string; stepId: string | null; typedDay: string | null }[] };
  expect(
    timeline.find((entry) => entry.type === 'step.completed' && entry.stepId === 'identification-1')?.typedDay,
  ).toBe(identifiedOn);
  atItsDay(await linesFor('demo-coordinator'));
  atItsDay(await linesFor('demo-police-officer'));
});
