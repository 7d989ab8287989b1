/**
 * A step's pages as a person reads them: titles that name the step, a case that is not there said as such, and a
 * sign-off refused because the step was signed meanwhile (in another window, or by the same form sent again at once)
 * headed as what it was, with what was typed shown back. The whole service on real parts, the console calling the
 * API over HTTP as in production; pages read as HTML.
 */
import request from 'supertest';
import { formatCalendarDay } from '../../core/people-dates';
import { DEMO_AGENCIES } from '../../db/seed';
import { SESSION_COOKIE } from '../../web/session';
import { consoleStackPerFile } from '../support/console';
import { cookiesSetBy } from '../support/forms';
import { PUBLIC_BASE_URL } from '../support/stack';

const service = consoleStackPerFile();
const today = () => new Date().toISOString().slice(0, 10);
let caseId = '';
let reference = '';

beforeAll(async () => {
  const opened = await request(service.app)
    .post('/api/cases')
    .set(service.stack.as('law_enforcement'))
    .set('Idempotency-Key', 'step-pages-1')
    .send({
      agencies: DEMO_AGENCIES,
      identifiedOn: today(),
      survivor: { name: 'Step Pages (fictitious)', birthDate: '1990-04-02' },
    })
    .expect(201);
  ({ caseId, reference } = opened.body as { caseId: string; reference: string });
});

const session = (username: string) => `${SESSION_COOKIE}=${service.stack.users[username]!.token}`;
const getAs = (username: string, path: string) => request(service.app).get(path).set('Cookie', session(username));

/** A page's text as read: tags dropped, entities decoded, spaces collapsed. */
const textOf = (html: string) =>
  html
    .replace(/<[^>]*>/g, ' ')
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
const titleOf = (html: string) => textOf(/<title>([^<]*)<\/title>/.exec(html)?.[1] ?? '');
const headingOf = (html: string) => textOf(/<h1>(.*?)<\/h1>/s.exec(html)?.[1] ?? '');

/**
 * A sign-off form as a browser holds it: its page's CSRF token, cookies and idempotency key; `send` posts `fields`
 * with them, as the check page's "Confirm and sign off" does.
 */
async function formOn(username: string, path: string) {
  const shown = await getAs(username, path).expect(200);
  const hidden = (name: string) => new RegExp(`name="${name}" value="([^"]+)"`).exec(shown.text)![1]!;
  const kept = { _csrf: hidden('_csrf'), idempotencyKey: hidden('idempotencyKey') };
  const cookies = [session(username), ...cookiesSetBy(shown)].join('; ');
  return (fields: Record<string, string>) =>
    request(service.app)
      .post(path.replace(/\?.*$/, ''))
      .set('Cookie', cookies)
      .set('Origin', new URL(PUBLIC_BASE_URL).origin)
      .type('form')
      .send({ ...kept, ...fields });
}

const signViaApi = (stepId: string, key: string, body: object) =>
  request(service.app)
    .post(`/api/cases/${caseId}/steps/${stepId}/sign-off`)
    .set(service.stack.as('law_enforcement'))
    .set('Idempotency-Key', key)
    .send(body)
    .expect(200);

test('a sign-off page is titled by its step, so two tabs of one case tell apart', async () => {
  const cp = await getAs('demo-police-officer', `/cases/${caseId}/steps/cp_request-1`).expect(200);
  expect(titleOf(cp.text)).toBe(`Sign off: Continued Presence request, case ${reference} · Relief cases console`);
  const declaration = await getAs('demo-police-officer', `/cases/${caseId}/steps/le_declaration-1`).expect(200);
  expect(titleOf(declaration.text)).toBe(
    `Sign off: Law-enforcement declaration (Form I-914, Supplement B), case ${reference} · Relief cases console`,
  );
});

test('a case that is not there is "no such case", whatever its address, never its id', async () => {
  const nil = '00000000-0000-0000-0000-000000000000';
  for (const path of [`/cases/${nil}`, '/cases/not-a-uuid']) {
    const page = await getAs('demo-coordinator', path).expect(404);
    expect([path, textOf(page.text)]).toEqual([path, expect.stringContaining('There is no such case.')]);
    expect(page.text).not.toContain(nil);
  }
});

test('a step signed in another window: the refused sign-off is headed "Sign off" and shows what was typed', async () => {
  const send = await formOn('demo-police-officer', `/cases/${caseId}/steps/le_declaration-1?outcome=signed`);
  await signViaApi('le_declaration-1', 'step-pages-other-window', {
    outcome: 'signed',
    details: { signedOn: today() },
  });
  const note = 'Signed at the station after the interview (fictitious)';
  const page = await send({ confirm: 'yes', outcome: 'signed', 'details.signedOn': today(), 'details.note': note });
  expect(page.status).toBe(409);
  expect(headingOf(page.text)).toBe('Sign off: Law-enforcement declaration (Form I-914, Supplement B)');
  const text = textOf(page.text);
  expect(text).toContain('This step is no longer waiting for a sign-off: it is completed.');
  expect(text).toContain('What you entered');
  expect(text).toContain(`Outcome Signed Signed on ${formatCalendarDay(today())} Note ${note}`);
  expect(page.text).toContain(`href="/cases/${caseId}"`);

  // The form opened again later: the step has no amendment, so it is no "Amend" either.
  const later = await getAs('demo-police-officer', `/cases/${caseId}/steps/le_declaration-1`).expect(200);
  expect(headingOf(later.text)).toBe('Sign off: Law-enforcement declaration (Form I-914, Supplement B)');
});
