/**
 * The case page's timeline shows a day typed as a day (probe D9): a request asked again on a past day ("Asked on"),
 * and a sign-off whose day was corrected since, read as the day typed, never at the noon UTC the workflow keeps such a
 * day as ("5 Nov 2026, 12:00 UTC"). The whole service on real parts, the page read as the coordinator reads it.
 */
import request from 'supertest';
import { formatCalendarDay } from '../../core/people-dates';
import { addDays, dateOf } from '../../domain/dates';
import { SESSION_COOKIE } from '../../web/session';
import { consoleStackPerFile, openDemoCase } from '../support/console';

const suite = consoleStackPerFile();

const write = (
  caseId: string,
  path: string,
  kind: 'law_enforcement' | 'ice' | 'coordinator',
  key: string,
  body: object,
) =>
  request(suite.app)
    .post(`/api/cases/${caseId}${path}`)
    .set(suite.stack.as(kind))
    .set('Idempotency-Key', `timeline-typed-days-${key}`)
    .send(body)
    .expect(200);

/** The timeline's lines as read: "<when> | <sentence>". */
async function timelineOf(caseId: string): Promise<string[]> {
  const page = await request(suite.app)
    .get(`/cases/${caseId}`)
    .set('Cookie', `${SESSION_COOKIE}=${suite.sessionCookie('demo-coordinator')}`)
    .expect(200);
  const list = page.text.slice(
    page.text.indexOf('<ol class="timeline"'),
    page.text.indexOf('</ol>', page.text.indexOf('<ol class="timeline"')),
  );
  return [...list.matchAll(/<li><time[^>]*>([^<]*)<\/time>(.*?)<\/li>/gs)].map(
    ([, when = '', sentence = '']) =>
      `${when} | ${sentence
        .replace(/<[^>]+>/g, '')
        .replace(/[\u2068\u2069]/gu, '')
        .trim()}`,
  );
}

/** An alarm that fell before the case was brought up to date: dated by when it was due, not by a day typed. */
const passedAlarm = (line: string) => line.includes('before the case was brought up to date');

const today = async () => dateOf(new Date(await suite.stack.env.currentTimeMs()).toISOString());

test('a request asked again on a past day reads as that day, with what it opened', async () => {
  const todayOn = await today();
  const { caseId } = await openDemoCase(suite, 'timeline-typed-days-asked', {
    identifiedOn: addDays(todayOn, -60),
    name: 'Asked Again Survivor (fictitious)',
  });
  await write(caseId, '/steps/cp_request-1/sign-off', 'law_enforcement', 'asked-request', {
    outcome: 'requested',
    details: { requestedOn: addDays(todayOn, -55) },
  });
  await write(caseId, '/steps/cp_decision-1/sign-off', 'ice', 'asked-denial', {
    outcome: 'denied',
    details: { reason: 'other', decidedOn: addDays(todayOn, -40) },
  });
  const askedOn = addDays(todayOn, -20);
  await write(caseId, '/ask-again', 'law_enforcement', 'asked-again', { stepKind: 'cp_request', askedOn });

  const lines = await timelineOf(caseId);
  const asked = lines.filter((line) => line.includes('Continued Presence request asked again'));
  expect(asked).toEqual([
    `${formatCalendarDay(askedOn)} | Continued Presence request asked again by Demo City Police Department (fictitious).`,
  ]);
  const opened = lines.filter((line) => line.includes('Continued Presence request opened'));
  expect(opened).toContain(
    `${formatCalendarDay(askedOn)} | Continued Presence request opened, owed by Demo City Police Department (fictitious).`,
  );
  // No line at the noon UTC the workflow keeps a typed day as.
  expect(lines.filter((line) => line.includes('12:00 UTC |') && !passedAlarm(line))).toEqual([]);
});

test('a grant whose day was corrected since still reads as the day typed then, as what it opened does', async () => {
  const todayOn = await today();
  const { caseId } = await openDemoCase(suite, 'timeline-typed-days-corrected', {
    identifiedOn: addDays(todayOn, -60),
    name: 'Corrected Grant Survivor (fictitious)',
  });
  await write(caseId, '/steps/cp_request-1/sign-off', 'law_enforcement', 'corrected-request', {
    outcome: 'requested',
    details: { requestedOn: addDays(todayOn, -55) },
  });
  const grantedOn = addDays(todayOn, -30);
  await write(caseId, '/steps/cp_decision-1/sign-off', 'ice', 'corrected-grant', {
    outcome: 'granted',
    details: { grantedOn },
  });
  // By the coordinator: ICE does not correct a grant, which opens steps it is not told of (probe Q1).
  await write(caseId, '/steps/cp_decision-1/corrections', 'coordinator', 'corrected-grant-day', {
    outcome: 'granted',
    details: { grantedOn: addDays(grantedOn, 1) },
    reason: 'the grant was signed a day later',
  });

  const lines = await timelineOf(caseId);
  expect(lines.filter((line) => line.includes('Continued Presence decision signed off'))).toEqual([
    expect.stringMatching(new RegExp(`^${formatCalendarDay(grantedOn)} \\| `)),
  ]);
  // Nor what the grant opened at its instant (the renewal request, the certification request).
  expect(lines.filter((line) => line.includes('12:00 UTC |') && !passedAlarm(line))).toEqual([]);
});
