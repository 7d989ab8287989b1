/**
 * One answer per console page on whether a step is overdue (probe M2): the API's (each step's `overdue`, the
 * dashboard's counts, `status=overdue`), never a list fetched in part nor a rule of the console's own. A police officer
 * in Guam reads, at 03:41 on 7 Dec there, a CP request due on the day 6 Dec: a deadline that is a day, met all of 6 Dec
 * wherever in the US it is read, so not overdue until that day has ended everywhere in the US (12:00 UTC on 7 Dec,
 * 22:00 in Guam). The inbox, the Steps page and the cases list all say so, and the inbox counts every overdue step,
 * 200 or more. The whole service on real parts, the console calling the API over HTTP on a clock the test sets; the
 * read model's rows written directly.
 */
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { upsertAgencies } from '../../db/agencies';
import { DEMO_AGENCIES, DEMO_AGENCY_LIST } from '../../db/seed';
import { SESSION_COOKIE } from '../../web/session';
import { consoleStackPerFile } from '../support/console';
import { eventually } from '../support/eventually';

// 03:41 on 7 Dec in Guam; 09:41 on 6 Dec in Los Angeles, where 6 Dec is still running.
const NOW = new Date('2026-12-06T17:41:00.000Z');
const GUAM = 'Pacific/Guam';
const POLICE = DEMO_AGENCIES.law_enforcement;

const service = consoleStackPerFile({}, { api: { now: async () => NOW } });

const page = (path: string) =>
  request(service.app)
    .get(path)
    .set('Cookie', `${SESSION_COOKIE}=${service.sessionCookie('demo-police-officer')}`)
    .expect(200)
    .then((reply) => reply.text);

/** A case of the police's with pending CP requests, each due on a day (`dueOnADay`) at the given UTC midnight. */
async function caseWithSteps(reference: string, dues: readonly string[]): Promise<void> {
  const id = randomUUID();
  const owner = service.stack.database.owner;
  await owner.query(
    `INSERT INTO cases (id, reference, path, status, opened_at, policy_version, agencies, version)
     VALUES ($1, $2, 'adult', 'open', '2026-11-01T12:00:00Z', 'test', $3, 1)`,
    [id, reference, JSON.stringify(DEMO_AGENCIES)],
  );
  await owner.query(
    `INSERT INTO case_steps (case_id, step_id, kind, track, agency_kind, agency_id, status, opened_at, due_at, due_on_a_day)
     SELECT $1, 'cp_request-' || n, 'cp_request', 'continued_presence', 'law_enforcement', $2, 'pending',
            '2026-11-01T12:00:00Z', due, true
       FROM unnest($3::timestamptz[]) WITH ORDINALITY AS d(due, n)`,
    [id, POLICE, dues],
  );
}

/** The table row of a page that names `reference`, as plain text, its cells by their label. */
function rowsOf(html: string, reference: string): Record<string, string>[] {
  return [...html.matchAll(/<tr>([\s\S]*?)<\/tr>/g)]
    .map((row) => row[1]!)
    .filter((row) => row.includes(`>${reference}<`))
    .map((row) =>
      Object.fromEntries(
        [...row.matchAll(/<td data-label="([^"]+)">([\s\S]*?)<\/td>/g)].map((cell) => [
          cell[1]!,
          cell[2]!
            .replace(/<[^>]+>/g, '')
            .replace(/\s+/g, ' ')
            .trim(),
        ]),
      ),
    );
}

const STILL_DUE = 'overdue from 22:00 Guam time on 7 Dec 2026, once 6 Dec 2026 has ended everywhere in the US';

beforeAll(async () => {
  await upsertAgencies(service.stack.pool, [
    { ...DEMO_AGENCY_LIST.find((agency) => agency.id === POLICE)!, timeZone: GUAM },
  ]);
  // Due 6 Dec (the end of that day, UTC): not overdue at NOW. Due 1 Dec: overdue everywhere.
  await caseWithSteps('RC-M2-DUE-6-DEC', ['2026-12-07T00:00:00Z']);
  await caseWithSteps(
    'RC-M2-OVERDUE',
    Array.from({ length: 9 }, () => '2026-12-02T00:00:00Z'),
  );
});

test('in Guam, the inbox says a step due on 6 Dec whose day still runs elsewhere in the US is pending, and counts as the API', async () => {
  const dashboard = await request(service.app).get('/api/dashboard').set(service.stack.as('law_enforcement'));
  expect((dashboard.body as { totals: unknown }).totals).toMatchObject({ overdue: 9, dueSoon: 1 });

  const inbox = await page('/');
  expect(inbox).toContain('<strong>9 overdue</strong>');
  expect(rowsOf(inbox, 'RC-M2-DUE-6-DEC')).toEqual([
    expect.objectContaining({ Due: `6 Dec 2026 (${STILL_DUE})`, Status: 'Pending' }),
  ]);
  expect(rowsOf(inbox, 'RC-M2-OVERDUE').map((row) => row.Status)).toEqual(Array(9).fill('Overdue'));
});

test('the Steps page lists it as due soon and pending, in the same words, and not among the overdue', async () => {
  const dueSoon = await page('/steps?status=due_soon');
  expect(rowsOf(dueSoon, 'RC-M2-DUE-6-DEC')).toEqual([
    expect.objectContaining({ Due: `6 Dec 2026 (${STILL_DUE})`, Status: 'Pending' }),
  ]);
  const overdue = await page('/steps?status=overdue');
  expect(rowsOf(overdue, 'RC-M2-DUE-6-DEC')).toEqual([]);
  expect(rowsOf(overdue, 'RC-M2-OVERDUE').map((row) => row.Status)).toEqual(Array(9).fill('Overdue'));
});

test('the cases list words its next due date as the overdue filter reads it', async () => {
  const cases = await page('/cases');
  expect(rowsOf(cases, 'RC-M2-DUE-6-DEC')).toEqual([
    expect.objectContaining({ 'Next due': `6 Dec 2026 (${STILL_DUE})` }),
  ]);
  expect(rowsOf(cases, 'RC-M2-OVERDUE')).toEqual([
    expect.objectContaining({ 'Next due': '1 Dec 2026 (overdue by 6 days)' }),
  ]);
  expect(rowsOf(await page('/cases?overdue=true'), 'RC-M2-DUE-6-DEC')).toEqual([]);
});

test('the inbox counts every overdue step, beyond the 200 a list page holds, and says "Overdue" of each', async () => {
  await caseWithSteps(
    'RC-M2-MANY',
    Array.from({ length: 206 }, () => '2026-12-01T00:00:00Z'),
  );
  const first = await page('/');
  expect(first).toContain('<strong>215 overdue</strong>');
  // 215 overdue steps, 50 a page: the fifth page holds the last 15 of them, then the step due 6 Dec.
  let html = first;
  for (let pageNumber = 2; pageNumber <= 5; pageNumber += 1) {
    const next = /<a href="(\/\?cursor=[^"]+)">Next page<\/a>/.exec(html)?.[1];
    expect(next).toBeDefined();
    html = await page(next!.replaceAll('&amp;', '&'));
  }
  const statuses = [...html.matchAll(/<td data-label="Status">[\s\S]*?>(Overdue|Pending)</g)].map((cell) => cell[1]!);
  expect(statuses).toEqual([...Array<string>(15).fill('Overdue'), 'Pending']);
  expect(rowsOf(html, 'RC-M2-DUE-6-DEC')).toEqual([expect.objectContaining({ Status: 'Pending' })]);
});

test("the inbox reads its list and its count of overdue steps, not the dashboard's escalations: it answers while the notifications table is locked", async () => {
  // A transaction holding the notifications table as a long write would: a read of it (the dashboard's escalations,
  // db/dashboard.ts openEscalations) waits for it, and a page that made one would wait too.
  const holder = await service.stack.database.owner.connect();
  try {
    await holder.query('BEGIN');
    await holder.query('LOCK TABLE notifications IN ACCESS EXCLUSIVE MODE');
    const waiting = async () => {
      const { rows } = await holder.query<{ n: number }>(
        `SELECT count(*)::integer AS n FROM pg_locks WHERE NOT granted AND relation = 'notifications'::regclass`,
      );
      return rows[0]!.n > 0 ? 'a read of the notifications table waiting for it' : undefined;
    };
    const answered = await Promise.race([
      page('/').then((html) => ({ html })),
      eventually(waiting, 'the inbox to answer or a read of notifications to wait').then((why) => ({ why })),
    ]);
    expect('html' in answered ? answered.html : answered.why).toMatch(/<strong>\d+ overdue<\/strong>/);
  } finally {
    await holder.query('ROLLBACK');
    holder.release();
  }
});
