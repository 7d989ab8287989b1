/**
 * A case entered after the fact (probe D9): the alarms that fell before it was brought up to date are listed in the
 * timeline as the coordinator's notice of what passed lists them (domain/alarms.ts `stillToTell`): not those of a
 * step the entered history shows done before they would have gone, each named as the notice names it (a reminder,
 * the "Deadline reached" notice, an escalation), on the day it was due, not at the hour it was kept at ("3 Nov 2026,
 * 00:00 UTC"); the alarms of a minor's 24-hour notice, a deadline shown at its hour, at theirs (probe K8). The whole
 * service on real parts, the page read as the coordinator reads it.
 */
import request from 'supertest';
import { listNotifications } from '../../db/notifications';
import { DEMO_AGENCIES } from '../../db/seed';
import { formatCalendarDay } from '../../core/people-dates';
import { addDays, dateOf } from '../../domain/dates';
import { SESSION_COOKIE } from '../../web/session';
import { consoleStackPerFile, openDemoCase, requestContinuedPresence } from '../support/console';
import { eventually } from '../support/stack';

const suite = consoleStackPerFile();

/** The timeline's lines as read: "<when> | <sentence>". */
async function timelineOf(caseId: string): Promise<string[]> {
  const page = await request(suite.app)
    .get(`/cases/${caseId}`)
    .set('Cookie', `${SESSION_COOKIE}=${suite.sessionCookie('demo-coordinator')}`)
    .expect(200);
  const start = page.text.indexOf('<ol class="timeline"');
  const list = page.text.slice(start, page.text.indexOf('</ol>', start));
  return [...list.matchAll(/<li><time[^>]*>([^<]*)<\/time>(.*?)<\/li>/gs)].map(
    ([, when = '', sentence = '']) =>
      `${when} | ${sentence
        .replace(/<[^>]+>/g, '')
        .replace(/[\u2068\u2069]/gu, '')
        .replace(/&quot;|&#34;/g, '"')
        .trim()}`,
  );
}

const passed = (line: string) => line.includes('before the case was brought up to date');

test("a request signed as of a day before its alarms leaves none of them on the timeline; the others are named and dated as the notice's", async () => {
  const todayOn = dateOf(new Date(await suite.stack.env.currentTimeMs()).toISOString());
  const { caseId } = await openDemoCase(suite, 'timeline-passed-alarms', {
    identifiedOn: addDays(todayOn, -70),
    name: 'Passed Alarms Survivor (fictitious)',
  });
  await requestContinuedPresence(suite, caseId, 'timeline-passed-alarms-request', addDays(todayOn, -69));

  // The coordinator's notice of what passed, once the entry session is over: what it lists, the timeline lists.
  await suite.stack.env.sleep(3_600_000);
  const notice = await eventually(async () => {
    const { items } = await listNotifications(suite.stack.pool, { caseId, limit: 50 });
    return items.find((n) => n.kind === 'passed_summary' && n.recipientAgencyId === DEMO_AGENCIES.coordinator);
  }, "the coordinator's notice of what passed");
  const listed = notice.bodyText.split('\n').filter((line) => line.startsWith('- '));
  const lines = (await timelineOf(caseId)).filter(passed);
  expect(lines).toHaveLength(listed.length);
  // The request was made the day after the identification: none of its alarms would have gone.
  expect(lines.filter((line) => line.includes('| Continued Presence request:'))).toEqual([]);
  // The decision ICE still owes: its alarms, each by its kind, on a day.
  const decision = lines.filter((line) => line.includes('| Continued Presence decision:'));
  expect(decision.length).toBeGreaterThan(0);
  for (const line of lines) expect(line).toMatch(/^\d{1,2} \w{3} \d{4} \| /);
  expect(decision.some((line) => line.includes(': an escalation was due'))).toBe(true);
  expect(decision.some((line) => line.includes(': a reminder was due'))).toBe(true);
});

test('a CP renewal requested before the grant ran out leaves its passed renewal reminders off the timeline, as off the notice', async () => {
  const todayOn = dateOf(new Date(await suite.stack.env.currentTimeMs()).toISOString());
  const { caseId } = await openDemoCase(suite, 'timeline-renewal-in-time', {
    identifiedOn: addDays(todayOn, -700),
    name: 'Renewed In Time Survivor (fictitious)',
  });
  const sign = (agencyKind: 'law_enforcement' | 'ice', stepId: string, outcome: string, details: object) =>
    request(suite.app)
      .post(`/api/cases/${caseId}/steps/${stepId}/sign-off`)
      .set(suite.stack.as(agencyKind))
      .set('Idempotency-Key', `timeline-renewal-in-time-${stepId}`)
      .send({ outcome, details })
      .expect(200);
  await sign('law_enforcement', 'cp_request-1', 'requested', { requestedOn: addDays(todayOn, -699) });
  // Two years from 695 days ago: the grant runs about a month more, its 120- and 60-day leads fell before the entry.
  await sign('ice', 'cp_decision-1', 'granted', { grantedOn: addDays(todayOn, -695) });
  await sign('law_enforcement', 'cp_renewal_request-1', 'requested', { requestedOn: addDays(todayOn, -20) });

  await suite.stack.env.sleep(3_600_000);
  const notice = await eventually(async () => {
    const { items } = await listNotifications(suite.stack.pool, { caseId, limit: 50 });
    return items.find((n) => n.kind === 'passed_summary' && n.recipientAgencyId === DEMO_AGENCIES.coordinator);
  }, "the coordinator's notice of what passed");
  const listed = notice.bodyText.split('\n').filter((line) => line.startsWith('- '));
  expect(notice.bodyText).not.toMatch(/Continued Presence/);
  const lines = (await timelineOf(caseId)).filter(passed);
  // The renewal was requested in time: no "Continued Presence ends …: a reminder was due" line, as the notice has none.
  expect(lines.filter((line) => /Continued Presence/.test(line))).toEqual([]);
  expect(lines).toHaveLength(listed.length);
});

test("a minor's 24-hour notice's alarms that passed before the case was entered are dated at their hour, as its reminders are", async () => {
  const todayOn = dateOf(new Date(await suite.stack.env.currentTimeMs()).toISOString());
  const identifiedOn = addDays(todayOn, -3);
  const { caseId } = await openDemoCase(suite, 'timeline-passed-alarms-minor', {
    identifiedOn,
    name: 'Passed Hours Survivor (fictitious)',
    birthDate: addDays(identifiedOn, -15 * 366),
  });
  const notice = await eventually(async () => {
    const lines = (await timelineOf(caseId)).filter(
      (line) => passed(line) && line.includes('| HHS notification of a minor (24 hours):'),
    );
    return lines.length >= 3 ? lines : undefined;
  }, "the notice's passed alarms on the timeline");
  // Reminded half-way, reached and escalated six hours late: each at its hour in the reader's zone words (the demo
  // agencies': UTC), as "Coming reminders" and the step's row say them, not on a day alone.
  const dueDay = addDays(identifiedOn, 1);
  const at = (day: string, hour: string) => `${formatCalendarDay(day)}, ${hour} UTC`;
  expect(notice).toEqual(
    expect.arrayContaining([
      expect.stringMatching(new RegExp(`^${at(identifiedOn, '12:00')} \\| .*: a reminder was due`)),
      expect.stringMatching(new RegExp(`^${at(dueDay, '00:00')} \\| .*: the "Deadline reached" notice was due`)),
      expect.stringMatching(new RegExp(`^${at(dueDay, '06:00')} \\| .*: an escalation was due`)),
    ]),
  );
});
