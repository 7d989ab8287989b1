/**
 * The console's forms when the API refuses for a limit, not for what was typed: the answer is the form again, the
 * refusal said in words and what was entered kept, never an error page. The over-the-cap refusal of a 21st live API
 * key, and a document refused because the user already has as many uploads under way as one may (429; here every
 * upload is, the API allowing none at once). The whole service on real parts, as a browser sends its forms.
 */
import request from 'supertest';
import { issueToken } from '../../db/tokens';
import { SESSION_COOKIE } from '../../web/session';
import { createTestUser, TEST_PASSWORD } from '../support/auth';
import { consoleStackPerFile, openDemoCase, requestContinuedPresence } from '../support/console';
import { cookiesSetBy } from '../support/forms';
import { PUBLIC_BASE_URL } from '../support/stack';

const suite = consoleStackPerFile({}, { api: { documentLimits: { uploadsPerUser: 0 } } });
/** A 1×1 PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8/5+hHgAHggJ/PchI7wAAAABJRU5ErkJggg==',
  'base64',
);
const dayBefore = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);
const hidden = (html: string, name: string) => new RegExp(`name="${name}" value="([^"]+)"`).exec(html)![1]!;
/** The text a person reads: tags gone, entities and spaces as a browser shows them. */
const textOf = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&rsquo;|&#8217;/g, '’')
    .replace(/\s+/g, ' ');

test("the keys page says in words that a 21st live API key is over the cap, and keeps the key's name", async () => {
  // One live key of its own (the session's), 19 more: at the cap of 20.
  const owner = await createTestUser(suite.stack.pool, {
    username: 'console-key-hoarder',
    agencyId: 'demo-police',
    roles: ['agency_officer'],
    password: TEST_PASSWORD,
  });
  for (let n = 0; n < 19; n += 1)
    await issueToken(suite.stack.pool, {
      userId: owner.user.id,
      kind: 'api_key',
      label: `Key ${n}`,
      expiresAt: new Date(Date.now() + 3_600_000),
    });
  const session = `${SESSION_COOKIE}=${await suite.sealToken(owner.token)}`;
  const page = await request(suite.app).get('/account/api-keys').set('Cookie', session).expect(200);
  const refused = await request(suite.app)
    .post('/account/api-keys')
    .set('Cookie', [session, ...cookiesSetBy(page)].join('; '))
    .set('Origin', new URL(PUBLIC_BASE_URL).origin)
    .type('form')
    .send({
      _csrf: hidden(page.text, '_csrf'),
      label: 'Nightly export',
      expiresInDays: '30',
      currentPassword: TEST_PASSWORD,
    });
  expect(refused.status).toBe(400);
  expect(refused.text).toMatch(/<title>Error: /);
  expect(textOf(refused.text)).toContain(
    'You already have 20 API keys in use, the most one may have. Revoke one you no longer use, then make another.',
  );
  expect(refused.text).toMatch(/name="label"[^>]*value="Nightly export"|value="Nightly export"[^>]*name="label"/);
  expect(refused.text).not.toMatch(/too_many_api_keys|"status"|Something went wrong/);
});

test('a document refused because too many uploads are under way: the sign-off form again, in words, its answers kept', async () => {
  const { caseId } = await openDemoCase(suite, 'limits-in-words-upload', {
    identifiedOn: dayBefore(3),
    name: 'Upload Limit Probe (fictitious)',
  });
  const path = `/cases/${caseId}/steps/cp_request-1`;
  const session = `${SESSION_COOKIE}=${suite.sessionCookie('demo-police-officer')}`;
  const form = await request(suite.app).get(`${path}?outcome=requested`).set('Cookie', session).expect(200);
  const requestedOn = dayBefore(2);
  const refused = await request(suite.app)
    .post(path)
    .set('Cookie', [session, ...cookiesSetBy(form)].join('; '))
    .set('Origin', new URL(PUBLIC_BASE_URL).origin)
    .field('_csrf', hidden(form.text, '_csrf'))
    .field('idempotencyKey', hidden(form.text, 'idempotencyKey'))
    .field('outcome', 'requested')
    .field('details.requestedOn', requestedOn)
    .attach('document', PNG, { filename: 'letter.png', contentType: 'image/png' });
  expect(refused.text).toMatch(/<title>Error: /);
  // The API's words: how many are under way, and to send this one again once one has finished.
  expect(textOf(refused.text)).toMatch(/You already have \d+ uploads under way.*send this one again/);
  // The form again, with the date entered, ready to send once more (the file is chosen again: no page can keep it).
  expect(refused.text).toContain(`value="${requestedOn}"`);
  expect(refused.text).toMatch(/<form[^>]*method="post"/i);
  expect(refused.text).not.toMatch(/too_many_uploads|This could not be done|Something went wrong/);
  // Nothing was signed.
  const view = await request(suite.app)
    .get(`/api/cases/${caseId}`)
    .set(suite.stack.users['demo-police-officer']!.headers)
    .expect(200);
  const steps = (view.body as { steps: { id: string; status: string }[] }).steps;
  expect(steps.find((step) => step.id === 'cp_request-1')?.status).toBe('pending');
});

test("a document refused because too many uploads are under way: a signed step's documents form again, in words", async () => {
  const { caseId } = await openDemoCase(suite, 'limits-in-words-later-upload', {
    identifiedOn: dayBefore(3),
    name: 'Later Upload Limit Probe (fictitious)',
  });
  await requestContinuedPresence(suite, caseId, 'limits-in-words-later-upload-sign', dayBefore(2));
  const path = `/cases/${caseId}/steps/cp_request-1/documents`;
  const session = `${SESSION_COOKIE}=${suite.sessionCookie('demo-police-officer')}`;
  const form = await request(suite.app).get(path).set('Cookie', session).expect(200);
  const refused = await request(suite.app)
    .post(path)
    .set('Cookie', [session, ...cookiesSetBy(form)].join('; '))
    .set('Origin', new URL(PUBLIC_BASE_URL).origin)
    .field('_csrf', hidden(form.text, '_csrf'))
    .attach('document', PNG, { filename: 'receipt.png', contentType: 'image/png' });
  expect(refused.status).toBe(429);
  expect(refused.text).toMatch(/<title>Error: /);
  expect(textOf(refused.text)).toMatch(/You already have \d+ uploads under way.*send this one again/);
  // The form again, its file to choose again (no page can keep one).
  expect(refused.text).toMatch(/<form[^>]*method="post"[^>]*enctype="multipart\/form-data"/i);
  expect(textOf(refused.text)).toContain('Choose the file again: it was not added.');
  expect(refused.text).not.toMatch(/too_many_uploads|This could not be done|Something went wrong/);
  const listed = await request(suite.app)
    .get(`/api/cases/${caseId}/steps/cp_request-1/documents`)
    .set(suite.stack.as('law_enforcement'))
    .expect(200);
  expect((listed.body as { items: unknown[] }).items).toEqual([]);
});
