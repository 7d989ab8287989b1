/**
 * The case page's "Ask again" button: after ICE denied Continued Presence, the case's coordinator sees "Ask again for
 * Continued Presence" where the track ended, presses it, and the case shows the new request pending and the timeline
 * who asked; pressed again while that request is pending, the page says why nothing was asked. An agency that owns no
 * such request sees no button. On a case that does not follow a U visa, the coordinator sees "Ask for a U-visa
 * certification"; pressed, the case shows the U-visa track. The whole service on real parts, the console calling the
 * API over HTTP.
 */
import request from 'supertest';
import { DEMO_AGENCIES } from '../../db/seed';
import { SESSION_COOKIE } from '../../web/session';
import { consoleStackPerFile } from '../support/console';
import { cookiesSetBy } from '../support/forms';
import { PUBLIC_BASE_URL } from '../support/stack';

const suite = consoleStackPerFile();
let caseId = '';

async function sign(stepId: string, kind: 'law_enforcement' | 'ice', outcome: string, details: object) {
  await request(suite.app)
    .post(`/api/cases/${caseId}/steps/${stepId}/sign-off`)
    .set(suite.stack.as(kind))
    .set('Idempotency-Key', `ask-again-form-${stepId}`)
    .send({ outcome, details })
    .expect(200);
}

/** A case opened by the police without a U visa, identified on 3 Nov 2025; its id. */
async function openCase(key: string, name: string): Promise<string> {
  const opened = await request(suite.app)
    .post('/api/cases')
    .set(suite.stack.as('law_enforcement'))
    .set('Idempotency-Key', key)
    .send({ agencies: DEMO_AGENCIES, identifiedOn: '2025-11-03', survivor: { name, birthDate: '1990-01-01' } })
    .expect(201);
  return (opened.body as { caseId: string }).caseId;
}

beforeAll(async () => {
  caseId = await openCase('ask-again-form-1', 'Ask Again');
  await sign('cp_request-1', 'law_enforcement', 'requested', { requestedOn: '2025-11-04' });
  await sign('cp_decision-1', 'ice', 'denied', { reason: 'not_potential_witness' });
});

const sessionOf = (username: string) => `${SESSION_COOKIE}=${suite.sessionCookie(username)}`;
const casePage = (username: string) =>
  request(suite.app).get(`/cases/${caseId}`).set('Cookie', sessionOf(username)).expect(200);

/** The form of the page's button labelled `label`, as its HTML. */
function formOf(page: request.Response, label: string): string {
  const form = page.text
    .match(/<form class="stack" method="post" action="[^"]+"[^>]*>[\s\S]*?<\/form>/g)
    ?.find((html) => html.includes(`>${label}</button>`));
  if (!form) throw new Error(`no button "${label}" on the page`);
  return form;
}

/** Presses the page's button, as a browser would: the hidden fields of its form, with the page's cookies. */
function press(username: string, page: request.Response, label: string) {
  const form = [
    ...page.text.matchAll(/<form class="stack" method="post" action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/g),
  ].find((match) => match[2]!.includes(`>${label}</button>`));
  if (!form) throw new Error(`no button "${label}" on the page`);
  const hidden = Object.fromEntries(
    [...form[2]!.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1]!, m[2]!]),
  );
  return request(suite.app)
    .post(form[1]!)
    .set('Cookie', [sessionOf(username), ...cookiesSetBy(page)].join('; '))
    .set('Origin', new URL(PUBLIC_BASE_URL).origin)
    .type('form')
    .send(hidden);
}

test('the coordinator asks again for Continued Presence; pressed from an older page, it says why nothing was asked', async () => {
  // The advocate owns no CP request: no button for them.
  expect((await casePage('demo-advocate')).text).not.toContain('Ask again for');

  const page = await casePage('demo-coordinator');
  // Its day is the day it was decided to ask again.
  expect(formOf(page, 'Ask again for Continued Presence')).toContain('The day it was decided to ask again: today');
  const otherTab = await casePage('demo-coordinator');
  const sent = await press('demo-coordinator', page, 'Ask again for Continued Presence').expect(303);
  expect(sent.headers.location).toBe(`/cases/${caseId}?notice=asked-again`);

  const after = await request(suite.app)
    .get(sent.headers.location!)
    .set('Cookie', sessionOf('demo-coordinator'))
    .expect(200);
  expect(after.text).toContain('Asked again: the new request is pending, with its deadline and reminders.');
  expect(after.text).toMatch(/Continued Presence request asked again by [^<.]*<bdi>[^<]+<\/bdi>[^<.]*\./);
  // Nothing more to ask while the new request is pending: the button is gone.
  expect(after.text).not.toContain('Ask again for Continued Presence');
  const view = await request(suite.app).get(`/api/cases/${caseId}`).set(suite.stack.as('coordinator')).expect(200);
  const steps = (view.body as { steps: { id: string; status: string }[] }).steps;
  expect(steps.find((step) => step.id === 'cp_request-2')?.status).toBe('pending');

  // The same button pressed twice (a double click): the same answer, and still one new request.
  await press('demo-coordinator', page, 'Ask again for Continued Presence').expect(303);
  const again = await request(suite.app).get(`/api/cases/${caseId}`).set(suite.stack.as('coordinator')).expect(200);
  expect((again.body as { steps: { kind: string }[] }).steps.filter((step) => step.kind === 'cp_request')).toHaveLength(
    2,
  );

  // The button of a page opened before, in another tab: refused, in words, above the case.
  const refused = await press('demo-coordinator', otherTab, 'Ask again for Continued Presence').expect(409);
  expect(refused.text).toContain('<title>Error: Case ');
  expect(refused.text).toContain('There is a problem');
  // Someone else (this tab's own earlier press) asked already: said so, not as if nothing had been asked.
  expect(refused.text).toContain(
    'Continued Presence request cannot be asked again: it was asked again already and is pending',
  );
});

test('a case that does not follow a U visa: the coordinator asks for a U-visa certification, and the page shows its track', async () => {
  const uCaseId = await openCase('ask-again-form-u-visa', 'Later U Visa');
  const page = async (username: string) =>
    request(suite.app).get(`/cases/${uCaseId}`).set('Cookie', sessionOf(username)).expect(200);

  // The advocate may not ask for it: nothing shown to them. The police, who certify, may.
  expect((await page('demo-advocate')).text).not.toContain('Ask for a U-visa certification');
  expect((await page('demo-police-officer')).text).toContain('Ask for a U-visa certification');
  const before = await page('demo-coordinator');
  expect(before.text).not.toContain('<caption>U visa</caption>');
  // Nothing was asked before: its day is the day it was decided to make this request, not "to ask again".
  const form = formOf(before, 'Ask for a U-visa certification');
  expect(form).toContain(
    'The day it was decided to make this request: today, or an earlier day for a case entered after the fact, not ' +
      'before the day the survivor was identified. Its request step opens as of that day',
  );
  expect(form).not.toMatch(/ask again|asked again|A new request/i);

  const sent = await press('demo-coordinator', before, 'Ask for a U-visa certification').expect(303);
  expect(sent.headers.location).toBe(`/cases/${uCaseId}?notice=u-visa-asked`);
  const after = await request(suite.app)
    .get(sent.headers.location!)
    .set('Cookie', sessionOf('demo-coordinator'))
    .expect(200);
  expect(after.text).toContain(
    'The case now follows a U visa: the U-visa certification is pending with law enforcement',
  );
  expect(after.text).toMatch(
    /U visa certification \(Form I-918, Supplement B\) asked for by [^<.:]*<bdi>[^<]+<\/bdi>[^<.:]*: the case now follows a U visa\./,
  );
  // The U-visa track is listed with the certification pending, as on a case opened with it.
  expect(after.text).toContain('<caption>U visa</caption>');
  expect(after.text).toMatch(
    /<th scope="row" data-label="Step">U visa certification \(Form I-918, Supplement B\)<\/th>\s*<td data-label="Agency">[^<]*<\/td>\s*<td data-label="Status"><span class="status">Pending</,
  );
  expect(after.text).not.toContain('Ask for a U-visa certification');
});
