/**
 * A step's pages as a person reads them: titles that name the step, a case that is not there said as such. The whole
 * service on real parts, the console calling the API over HTTP as in production; pages read as HTML.
 */
import request from 'supertest';
import { DEMO_AGENCIES } from '../../db/seed';
import { SESSION_COOKIE } from '../../web/session';
import { consoleStackPerFile } from '../support/console';

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
