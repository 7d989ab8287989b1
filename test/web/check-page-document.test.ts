/**
 * The sign-off check page names the document as the step records it: the same file sent again under another name
 * is the document already added (the API answers it for identical content), so the page names it by its first name,
 * the one the case page lists, not the name just sent. The whole service on real parts.
 */
import request from 'supertest';
import { SESSION_COOKIE } from '../../web/session';
import { consoleStackPerFile, openDemoCase } from '../support/console';
import { cookiesSetBy } from '../support/forms';
import { PUBLIC_BASE_URL } from '../support/stack';

const suite = consoleStackPerFile();
/** A 1×1 PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8/5+hHgAHggJ/PchI7wAAAABJRU5ErkJggg==',
  'base64',
);
const dayBefore = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);

test('the same bytes sent again under another name: the check page names the document the step has', async () => {
  const { caseId } = await openDemoCase(suite, 'check-page-document', {
    identifiedOn: dayBefore(3),
    name: 'Check Page Document (fictitious)',
  });
  const path = `/cases/${caseId}/steps/cp_request-1`;
  const session = `${SESSION_COOKIE}=${suite.sessionCookie('demo-police-officer')}`;
  const form = await request(suite.app).get(`${path}?outcome=requested`).set('Cookie', session).expect(200);
  const hidden = (name: string) => new RegExp(`name="${name}" value="([^"]+)"`).exec(form.text)![1]!;
  const send = (fileName: string) =>
    request(suite.app)
      .post(path)
      .set('Cookie', [session, ...cookiesSetBy(form)].join('; '))
      .set('Origin', new URL(PUBLIC_BASE_URL).origin)
      .field('_csrf', hidden('_csrf'))
      .field('idempotencyKey', hidden('idempotencyKey'))
      .field('outcome', 'requested')
      .field('details.requestedOn', dayBefore(2))
      .attach('document', PNG, { filename: fileName, contentType: 'image/png' })
      .expect(200);
  const documentOf = (html: string) => /<dt>Document<\/dt><dd>(.*?) \(already added to the step\)/.exec(html)?.[1];
  expect(documentOf((await send('alpha.png')).text)).toBe('<bdi>alpha.png</bdi>');
  expect(documentOf((await send('beta.png')).text)).toBe('<bdi>alpha.png</bdi>');
  const casePage = await request(suite.app).get(`/cases/${caseId}`).set('Cookie', session).expect(200);
  expect(casePage.text).toContain('alpha.png');
  expect(casePage.text).not.toContain('beta.png');
});
