/**
 * The sign-off and "Ask again" forms in a case worker's words (probe D9): a minor's CP request, asked for with no
 * deadline, is headed "no deadline", never "due —"; a day typed as the hint writes it ("25 November 2026", where no
 * date picker is offered) is taken as that day, where it was refused "as a real date"; the "Asked on" hint says that
 * asking again opens a new request step to sign. The whole service on real parts.
 */
import request from 'supertest';
import { addDays, dateOf } from '../../domain/dates';
import { SESSION_COOKIE } from '../../web/session';
import { consoleStackPerFile, openDemoCase } from '../support/console';
import { cookiesSetBy } from '../support/forms';
import { PUBLIC_BASE_URL } from '../support/stack';

const suite = consoleStackPerFile();
const session = () => `${SESSION_COOKIE}=${suite.sessionCookie('demo-police-officer')}`;

/** The page's text as read: no tags, no marks that set names apart, spaces as one. */
const pageText = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/[\u2068\u2069]/gu, '')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/\s+/g, ' ');

const today = async () => dateOf(new Date(await suite.stack.env.currentTimeMs()).toISOString());

test("a minor's CP request, with no deadline, is headed so", async () => {
  const todayOn = await today();
  const { caseId } = await openDemoCase(suite, 'form-words-minor', {
    identifiedOn: addDays(todayOn, -2),
    name: 'Minor Words (fictitious)',
    birthDate: `${Number(todayOn.slice(0, 4)) - 15}-03-01`,
  });
  const view = await request(suite.app).get(`/api/cases/${caseId}`).set(suite.stack.as('law_enforcement')).expect(200);
  const requestStep = (view.body as { steps: { id: string; dueAt: string | null }[] }).steps.find(
    (step) => step.id === 'cp_request-1',
  );
  expect(requestStep?.dueAt).toBeNull();
  const page = await request(suite.app).get(`/cases/${caseId}/steps/cp_request-1`).set('Cookie', session()).expect(200);
  const text = pageText(page.text);
  expect(text).toContain('; no deadline; Pending .');
  expect(text).not.toContain('due —');
});

test('a day typed as the hint writes it is taken as that day', async () => {
  const todayOn = await today();
  const { caseId } = await openDemoCase(suite, 'form-words-typed-day', {
    identifiedOn: addDays(todayOn, -20),
    name: 'Typed Day (fictitious)',
  });
  const requestedOn = addDays(todayOn, -15);
  const typed = new Date(`${requestedOn}T00:00:00Z`).toLocaleDateString('en-GB', {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  });
  expect(typed).toMatch(/^\d{1,2} [A-Z][a-z]+ \d{4}$/);
  const form = await request(suite.app)
    .get(`/cases/${caseId}/steps/cp_request-1?outcome=requested`)
    .set('Cookie', session())
    .expect(200);
  const hidden = Object.fromEntries(
    [...form.text.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1]!, m[2]!]),
  );
  await request(suite.app)
    .post(`/cases/${caseId}/steps/cp_request-1`)
    .set('Cookie', [session(), ...cookiesSetBy(form)].join('; '))
    .set('Origin', new URL(PUBLIC_BASE_URL).origin)
    .type('form')
    .send({ ...hidden, outcome: 'requested', 'details.requestedOn': typed, confirm: 'yes' })
    .expect(303);
  const view = await request(suite.app).get(`/api/cases/${caseId}`).set(suite.stack.as('coordinator')).expect(200);
  const steps = (view.body as { steps: { id: string; status: string; details: Record<string, unknown> }[] }).steps;
  expect(steps.find((step) => step.id === 'cp_request-1')).toMatchObject({
    status: 'completed',
    details: { requestedOn },
  });
});

test('the "Asked on" hint says asking again opens a new request step to sign', async () => {
  const todayOn = await today();
  const { caseId } = await openDemoCase(suite, 'form-words-ask-again', {
    identifiedOn: addDays(todayOn, -30),
    name: 'Asked On Words (fictitious)',
  });
  const sign = (stepId: string, kind: 'law_enforcement' | 'ice', body: object) =>
    request(suite.app)
      .post(`/api/cases/${caseId}/steps/${stepId}/sign-off`)
      .set(suite.stack.as(kind))
      .set('Idempotency-Key', `form-words-${stepId}`)
      .send(body)
      .expect(200);
  await sign('cp_request-1', 'law_enforcement', {
    outcome: 'requested',
    details: { requestedOn: addDays(todayOn, -28) },
  });
  await sign('cp_decision-1', 'ice', {
    outcome: 'denied',
    details: { reason: 'other', decidedOn: addDays(todayOn, -20) },
  });
  const page = await request(suite.app).get(`/cases/${caseId}`).set('Cookie', session()).expect(200);
  const text = pageText(page.text);
  expect(text).toContain('The day it was decided to ask again');
  expect(text).toContain('A new request step opens as of that day, to sign off once the request is made.');
  expect(text).not.toContain('the day it was asked for a case entered after the fact');
});
