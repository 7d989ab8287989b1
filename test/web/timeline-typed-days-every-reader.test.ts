/**
 * A step opened by a day typed elsewhere in the case reads as that day for every reader, also one who does not see
 * what opened it: ICE sees the CP decision the police's request opened, HHS the certification letter the advocate's
 * request opened, the advocate the T visa filing an identification entered by its date opened. Each read the hour
 * the day is kept at in their own zone ("21 Nov 2026, 04:00 PST", or in Honolulu the day before the identification),
 * where the coordinator read the day alone: the API now gives the entry its day, from the whole case.
 */
import request from 'supertest';
import { formatCalendarDay } from '../../core/people-dates';
import { upsertAgencies } from '../../db/agencies';
import { DEMO_AGENCIES, DEMO_AGENCY_LIST } from '../../db/seed';
import { addDays, dateOf } from '../../domain/dates';
import type { AgencyKind } from '../../domain/types';
import { DEMO_WORKER_OF } from '../support/auth';
import { SESSION_COOKIE } from '../../web/session';
import { consoleStackPerFile, openDemoCase } from '../support/console';

const suite = consoleStackPerFile();

const zoned = (kind: AgencyKind, timeZone: string) => ({
  ...DEMO_AGENCY_LIST.find((agency) => agency.id === DEMO_AGENCIES[kind])!,
  timeZone,
});

const signOff = (caseId: string, stepId: string, kind: AgencyKind, body: object) =>
  request(suite.app)
    .post(`/api/cases/${caseId}/steps/${stepId}/sign-off`)
    .set(suite.stack.as(kind))
    .set('Idempotency-Key', `every-reader-${stepId}`)
    .send(body)
    .expect(200);

/** The reader's timeline line of `opened` ("<when> | <sentence>"), as their case page shows it. */
async function openedLine(caseId: string, kind: AgencyKind, opened: string): Promise<string | undefined> {
  const page = await request(suite.app)
    .get(`/cases/${caseId}`)
    .set('Cookie', `${SESSION_COOKIE}=${suite.sessionCookie(DEMO_WORKER_OF[kind])}`)
    .expect(200);
  const start = page.text.indexOf('<ol class="timeline"');
  const list = page.text.slice(start, page.text.indexOf('</ol>', start));
  return [...list.matchAll(/<li><time[^>]*>([^<]*)<\/time>(.*?)<\/li>/gs)]
    .map(([, when = '', sentence = '']) => `${when} | ${sentence.replace(/<[^>]+>|[\u2068\u2069]/gu, '').trim()}`)
    .find((line) => line.includes(`${opened} opened`));
}

test('a step opened on a day typed in a sign-off its reader does not see reads as that day, as the coordinator reads it', async () => {
  await upsertAgencies(suite.stack.pool, [
    zoned('law_enforcement', 'America/Chicago'),
    zoned('ice', 'America/Los_Angeles'),
    zoned('hhs', 'America/New_York'),
    zoned('advocate', 'Pacific/Honolulu'),
    zoned('coordinator', 'America/Chicago'),
  ]);
  const todayOn = dateOf(new Date(await suite.stack.env.currentTimeMs()).toISOString());
  const identifiedOn = addDays(todayOn, -60);
  const { caseId } = await openDemoCase(suite, 'every-reader-case', {
    identifiedOn,
    name: 'Every Reader Survivor (fictitious)',
  });
  const requestedOn = addDays(todayOn, -50);
  await signOff(caseId, 'cp_request-1', 'law_enforcement', { outcome: 'requested', details: { requestedOn } });
  await signOff(caseId, 'cp_decision-1', 'ice', { outcome: 'granted', details: { grantedOn: addDays(todayOn, -40) } });
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
