/**
 * The console refuses a malformed request with a 4xx page that says what was wrong, never "Something went wrong" and
 * a 500: an address that does not decode, a field sent twice, a value too long, a multipart body without its
 * boundary, an idempotency key that cannot be one. The whole service on real parts, the console calling the API over
 * HTTP as in production.
 */
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { SESSION_COOKIE } from '../../web/session';
import { consoleStackPerFile, openDemoCase } from '../support/console';
import { cookiesSetBy } from '../support/forms';
import { PUBLIC_BASE_URL } from '../support/stack';

const service = consoleStackPerFile();
const origin = new URL(PUBLIC_BASE_URL).origin;
const session = () => `${SESSION_COOKIE}=${service.sessionCookie('demo-police-officer')}`;

/** A form on `page` posted as a browser would: with the page's CSRF token and cookies, and `fields` as sent. */
async function postFrom(page: string, path: string, fields: string, signedIn = true) {
  const shown = await request(service.app)
    .get(page)
    .set('Cookie', signedIn ? session() : '')
    .expect(200);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(shown.text)![1]!;
  return request(service.app)
    .post(path)
    .set('Cookie', [...(signedIn ? [session()] : []), ...cookiesSetBy(shown)].join('; '))
    .set('Origin', origin)
    .type('form')
    .send(`_csrf=${encodeURIComponent(csrf)}&${fields}`);
}

function expectRefusal(page: { status: number; text: string }, status: number, words: RegExp): void {
  expect(page.status).toBe(status);
  expect(page.text).toContain('This could not be done');
  expect(page.text).toMatch(words);
  expect(page.text).not.toContain('Something went wrong');
}

test('an address that does not decode is a 400 page, as the API answers it', async () => {
  for (const path of ['/cases/%ZZ', `/cases/${randomUUID()}/steps/%ZZ/correct`, '/users/%ZZ']) {
    const page = await request(service.app).get(path).set('Cookie', session());
    expectRefusal(page, 400, /could not be read/);
  }
});

/** The form shown again with what to do by its field, never an error page. */
function expectFormAgain(page: { status: number; text: string }, words: string): void {
  expect(page.status).toBe(422);
  expect(page.text).toContain(words);
  expect(page.text).not.toContain('This could not be done');
  expect(page.text).not.toContain('Something went wrong');
}

test('a field sent twice or too long is refused by name, signed in or not', async () => {
  expectFormAgain(
    await postFrom('/', '/calendar-feeds', `label=${'x'.repeat(150)}`),
    'The name of the feed must be 100 characters or fewer',
  );
  // A field sent twice is read as none: its form comes back asking for it.
  expectFormAgain(await postFrom('/', '/cases/by-name', 'name=Ana&name=Maria'), 'Enter a name');
  expectFormAgain(
    await postFrom('/sign-in', '/sign-in', 'username=a&username=b&password=x', false),
    'Enter your username',
  );
});

test('revoking a feed by an id that cannot be one is a 400 page', async () => {
  expectRefusal(await postFrom('/', '/calendar-feeds/zz/revoke', ''), 400, /./);
});

test('a multipart form without its boundary is a 400 page', async () => {
  const page = await request(service.app)
    .post(`/cases/${randomUUID()}/steps/le_declaration-1`)
    .set('Cookie', session())
    .set('Origin', origin)
    .set('Content-Type', 'multipart/form-data')
    .send('outcome=signed');
  expectRefusal(page, 400, /form could not be read/);
});

test('a form whose idempotency key is not one is refused, to be opened again: never a 500, and nothing is sent', async () => {
  const { caseId } = await openDemoCase(service, `bad-key-${randomUUID()}`, {
    identifiedOn: '2026-11-20',
    name: 'Keyla Example',
  });
  const opening =
    'identifiedOn=2026-11-20&survivor.name=Keyla+Other&survivor.birthDate=1990-01-01&agencies.law_enforcement=demo-police' +
    '&agencies.ice=demo-ice-ccht&agencies.hhs=demo-hhs-otip&agencies.advocate=demo-advocates' +
    '&agencies.coordinator=demo-task-force';
  // Every form the API applies once, each sent as it would be applied (confirmed, changed, complete).
  const forms: [action: string, fields: string][] = [
    ['/cases', opening],
    [`/cases/${caseId}/ask-again`, 'stepKind=cp_request'],
    [`/cases/${caseId}/steps/cp_request-1`, 'outcome=requested&details.requestedOn=2026-11-21&confirm=yes'],
    [`/cases/${caseId}/steps/identification-1/correct`, 'outcome=identified&reason=typo&confirm=yes'],
    [`/cases/${caseId}/transfer`, 'toAgencyId=demo-police&confirm=yes'],
    [`/cases/${caseId}/close`, 'status=closed&reason=relief_obtained&confirm=yes'],
    [`/cases/${caseId}/survivor`, 'name=Keyla+Renamed'],
  ];
  // Outside Latin-1 (no header can hold it), outside ASCII, too short, with a space.
  const keys = ['%E2%98%83', '%C3%A9'.repeat(8), 'short', 'with+a+space'];
  for (const [action, fields] of forms) {
    for (const key of keys) {
      const page = await postFrom('/', action, `idempotencyKey=${key}&${fields}`);
      expect([action, key, page.status]).toEqual([action, key, 400]);
      expect(page.text).toContain('This form could not be accepted');
      expect(page.text).toContain('Open it again and fill it in anew');
      expect(page.text).not.toContain('Something went wrong');
    }
  }
  // The sign-off form as a browser sends it, multipart (it may carry a document).
  const shown = await request(service.app).get('/').set('Cookie', session()).expect(200);
  const multipart = await request(service.app)
    .post(`/cases/${caseId}/steps/cp_request-1`)
    .set('Cookie', [session(), ...cookiesSetBy(shown)].join('; '))
    .set('Origin', origin)
    .field('_csrf', /name="_csrf" value="([^"]+)"/.exec(shown.text)![1]!)
    .field('idempotencyKey', '☃')
    .field('outcome', 'requested')
    .field('details.requestedOn', '2026-11-21')
    .field('confirm', 'yes');
  expect(multipart.status).toBe(400);
  expect(multipart.text).toContain('Open it again and fill it in anew');
  // Nothing reached the API: the case is as it was opened.
  const view = await request(service.app).get(`/api/cases/${caseId}`).set(service.stack.as('law_enforcement'));
  const { status, steps } = view.body as { status: string; steps: { id: string; status: string }[] };
  expect(status).toBe('open');
  expect(steps.find((step) => step.id === 'cp_request-1')?.status).toBe('pending');
});

test('a form whose text is not UTF-8 is refused whole, nothing saved, where it was stored with U+FFFD', async () => {
  const { caseId } = await openDemoCase(service, `bad-requests-latin1-${randomUUID()}`, {
    identifiedOn: '2026-11-20',
    name: 'Ottoline Brackenbury',
  });
  // The survivor's corrected name as a crafted request sends it: "é" as the Latin-1 byte 0xE9, not UTF-8.
  const shown = await request(service.app).get('/').set('Cookie', session()).expect(200);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(shown.text)![1]!;
  const body = Buffer.concat([
    Buffer.from(`_csrf=${encodeURIComponent(csrf)}&name=Ottol`),
    Buffer.from([0xe9]),
    Buffer.from('ne+Brackenbury'),
  ]);
  const page = await request(service.app)
    .post(`/cases/${caseId}/survivor`)
    .set('Cookie', [session(), ...cookiesSetBy(shown)].join('; '))
    .set('Origin', origin)
    .type('form')
    // Sent as the bytes are: superagent would otherwise serialize a Buffer as an object's fields.
    .serialize((raw: unknown) => raw as string)
    .send(body);
  expect(page.status).toBe(400);
  expect(page.text).toContain('Some of its text could not be read (it was not sent as UTF-8)');
  const survivor = await request(service.app)
    .get(`/api/cases/${caseId}/survivor`)
    .set(service.stack.as('law_enforcement'))
    .expect(200);
  expect((survivor.body as { name: string }).name).toBe('Ottoline Brackenbury');
});
