/**
 * The console refuses a malformed request with a 4xx page that says what was wrong, never "Something went wrong" and
 * a 500: an address that does not decode, a field sent twice, a value too long, a multipart body without its
 * boundary. The whole service on real parts, the console calling the API over HTTP as in production.
 */
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { SESSION_COOKIE } from '../../web/session';
import { consoleStackPerFile } from '../support/console';
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
  expectRefusal(await postFrom('/', '/calendar-feeds', `label=${'x'.repeat(150)}`), 422, /label/);
  // A field sent twice is read as none: its form comes back asking for it.
  expectFormAgain(await postFrom('/', '/cases/by-name', 'name=Ana&name=Maria'), 'Enter a name');
  expectFormAgain(
    await postFrom('/sign-in', '/sign-in', 'username=a&username=b&password=x', false),
    'Enter your username and password.',
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
