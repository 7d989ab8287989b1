/**
 * The two pages of a correction (its form, and the form sent) start as every page of a case does (`Kit.caseOf`): the
 * signed-in user first, then the case the address names: a case the reader may not open, or an address that names
 * none, is refused on a page that still shows who is signed in (the menu, "Sign out"), as the case page's own
 * refusal does. The whole service on real parts.
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

/** A correction form posted as a browser would, with the CSRF token of a page shown to the same browser. */
async function postCorrection(path: string, signedIn: boolean) {
  const shown = await request(service.app)
    .get(signedIn ? '/' : '/sign-in')
    .set('Cookie', signedIn ? session() : '')
    .expect(200);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(shown.text)![1]!;
  return request(service.app)
    .post(path)
    .set('Cookie', [...(signedIn ? [session()] : []), ...cookiesSetBy(shown)].join('; '))
    .set('Origin', origin)
    .type('form')
    .send(`_csrf=${encodeURIComponent(csrf)}&outcome=requested&reason=typo`);
}

test('a case the reader may not open is refused on a page that shows who is signed in, as the case page does', async () => {
  // Each refused as the case page of the same address is: an id no case could have, and one no case has (which
  // answers as a case of other agencies does, so that no answer tells whether a case exists).
  for (const caseId of ['not-a-case', randomUUID()]) {
    const casePage = await request(service.app).get(`/cases/${caseId}`).set('Cookie', session());
    expect(casePage.text).toContain('Sign out');
    const path = `/cases/${caseId}/steps/cp_request-1/correct`;
    const shown = await request(service.app).get(path).set('Cookie', session());
    expect([path, shown.status, shown.text.includes('Sign out')]).toEqual([path, casePage.status, true]);
    const sent = await postCorrection(path, true);
    expect([path, sent.status, sent.text.includes('Sign out')]).toEqual([path, casePage.status, true]);
  }
});
