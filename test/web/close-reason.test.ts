/**
 * The case page's timeline says why a case was closed or withdrawn, the reason in the close form's words, as it says a
 * transfer's. The whole service on real parts, the console calling the API over HTTP as in production.
 */
import request from 'supertest';
import { SESSION_COOKIE } from '../../web/session';
import { consoleStackPerFile, openDemoCase } from '../support/console';
import { cookiesSetBy } from '../support/forms';
import { PUBLIC_BASE_URL } from '../support/stack';

const suite = consoleStackPerFile();

/** The close form sent by the case's coordinator with `fields`, as a browser would: its hidden fields and cookies. */
async function sendClose(caseId: string, fields: Record<string, string>) {
  const session = `${SESSION_COOKIE}=${suite.sessionCookie('demo-coordinator')}`;
  const form = await request(suite.app).get(`/cases/${caseId}/close`).set('Cookie', session).expect(200);
  const hidden = Object.fromEntries(
    [...form.text.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((match) => [
      match[1]!,
      match[2]!,
    ]),
  );
  return request(suite.app)
    .post(`/cases/${caseId}/close`)
    .set('Cookie', [session, ...cookiesSetBy(form)].join('; '))
    .set('Origin', new URL(PUBLIC_BASE_URL).origin)
    .type('form')
    .send({ ...hidden, ...fields });
}

/** The case page's text as its reader reads it: no tags, no marks that set names apart, spaces as one. */
const pageText = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/[\u2068\u2069]/gu, '')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/\s+/g, ' ');

test.each([
  ['closed', 'relief_obtained', 'closed', 'Relief obtained'],
  ['withdrawn', 'survivor_withdrew', 'withdrawn', 'The survivor withdrew their consent'],
])('a case %s says its reason in words on the timeline', async (status, reason, verb, said) => {
  const { caseId } = await openDemoCase(suite, `close-reason-${status}`, {
    identifiedOn: '2025-11-03',
    name: `Close Reason ${status}`,
  });
  const sent = await sendClose(caseId, { status, reason, confirm: 'yes' });
  expect(sent.status).toBe(303);
  const page = await request(suite.app)
    .get(`/cases/${caseId}`)
    .set('Cookie', `${SESSION_COOKIE}=${suite.sessionCookie('demo-coordinator')}`)
    .expect(200);
  const text = pageText(page.text);
  expect(text).toMatch(new RegExp(`Case ${verb} by [^.]+\\. Reason: ${said}\\.`));
  expect(text).not.toContain(reason);
});
