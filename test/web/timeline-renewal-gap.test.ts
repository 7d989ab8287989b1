/**
 * A CP renewal the police requested days after the grant had ended, on a case brought up to date after the fact: the
 * request is taken, and the case page's timeline says how long the survivor went without Continued Presence, which no
 * other line said. One requested in time says nothing of the kind. The whole service on real parts (time skipping),
 * the page read as the coordinator reads it.
 */
import request from 'supertest';
import { formatCalendarDay } from '../../core/people-dates';
import { addDays, dateOf } from '../../domain/dates';
import { SESSION_COOKIE } from '../../web/session';
import { consoleStackPerFile, openDemoCase } from '../support/console';

const suite = consoleStackPerFile();

/** The timeline's sentences as read, tags and isolates removed. */
async function sentencesOf(caseId: string): Promise<string[]> {
  const page = await request(suite.app)
    .get(`/cases/${caseId}`)
    .set('Cookie', `${SESSION_COOKIE}=${suite.sessionCookie('demo-coordinator')}`)
    .expect(200);
  const start = page.text.indexOf('<ol class="timeline"');
  const list = page.text.slice(start, page.text.indexOf('</ol>', start));
  return [...list.matchAll(/<li><time[^>]*>[^<]*<\/time>(.*?)<\/li>/gs)].map(([, sentence = '']) =>
    sentence
      .replace(/<[^>]+>/g, '')
      .replace(/[\u2068\u2069]/gu, '')
      .trim(),
  );
}

/** A case identified 800 days ago, granted CP 790 days ago (two years), its renewal requested `renewalAgo` days ago. */
async function renewedAfter(key: string, renewalAgo: number) {
  const todayOn = dateOf(new Date(await suite.stack.env.currentTimeMs()).toISOString());
  const { caseId } = await openDemoCase(suite, key, {
    identifiedOn: addDays(todayOn, -800),
    name: `Renewal Gap Survivor ${key} (fictitious)`,
  });
  const sign = (as: 'law_enforcement' | 'ice', stepId: string, outcome: string, details: object) =>
    request(suite.app)
      .post(`/api/cases/${caseId}/steps/${stepId}/sign-off`)
      .set(suite.stack.as(as))
      .set('Idempotency-Key', `${key}-${stepId}`)
      .send({ outcome, details })
      .expect(200);
  await sign('law_enforcement', 'cp_request-1', 'requested', { requestedOn: addDays(todayOn, -799) });
  const granted = await sign('ice', 'cp_decision-1', 'granted', { grantedOn: addDays(todayOn, -790) });
  const grant = (granted.body as { steps: { id: string; details: Record<string, unknown> }[] }).steps.find(
    (step) => step.id === 'cp_decision-1',
  )!;
  const requestedOn = addDays(todayOn, -renewalAgo);
  await sign('law_enforcement', 'cp_renewal_request-1', 'requested', { requestedOn });
  return { caseId, lastDay: grant.details['validUntil'] as string, requestedOn };
}

const isRenewalLine = (sentence: string) => sentence.startsWith('Continued Presence renewal request signed off');

test('a renewal requested after the grant ended says the days without Continued Presence; one in time does not', async () => {
  const late = await renewedAfter('renewal-gap-late', 50);
  const days = Math.round((Date.parse(late.requestedOn) - Date.parse(late.lastDay)) / 86_400_000);
  expect(days).toBeGreaterThan(1);
  const [line] = (await sentencesOf(late.caseId)).filter(isRenewalLine);
  expect(line).toContain(
    `Requested ${days} days after Continued Presence ended (its last day was ${formatCalendarDay(late.lastDay)}): ` +
      `the survivor has been without Continued Presence since ${formatCalendarDay(addDays(late.lastDay, 1))}, ` +
      'until a renewal is granted.',
  );

  const inTime = await renewedAfter('renewal-gap-in-time', 100);
  const [timely] = (await sentencesOf(inTime.caseId)).filter(isRenewalLine);
  expect(timely).toBeDefined();
  expect(timely).not.toContain('without Continued Presence');
});
