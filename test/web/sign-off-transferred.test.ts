/**
 * A sign-off confirmed after the case was transferred away (probe D9): the police are at "Check your answers", the
 * coordinator transfers the case to another police agency, the police press Confirm. Nothing is signed; the page says
 * the case was transferred and to whom (the agency's notice of the transfer named it), and shows what was entered so
 * it can be handed over, where it answered the generic "Your agency does not take part in this case" and lost it.
 * The whole service on real parts.
 */
import request from 'supertest';
import { upsertAgencies } from '../../db/agencies';
import { SESSION_COOKIE } from '../../web/session';
import { consoleStackPerFile, openDemoCase } from '../support/console';
import { cookiesSetBy } from '../support/forms';
import { PUBLIC_BASE_URL } from '../support/stack';

const suite = consoleStackPerFile();

beforeAll(async () => {
  await upsertAgencies(suite.stack.pool, [
    {
      id: 'new-police',
      kind: 'law_enforcement',
      name: 'New City Police (fictitious)',
      email: 'unit@new-police.example.gov',
    },
  ]);
});

/** The page's text as read: no tags, no marks that set names apart, spaces as one. */
const pageText = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/[\u2068\u2069]/gu, '')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/\s+/g, ' ');

test('confirmed after a transfer away: refused in words naming the new agency, with what was entered', async () => {
  const { caseId } = await openDemoCase(suite, 'sign-off-transferred', {
    identifiedOn: '2026-11-20',
    name: 'Transferred Meanwhile (fictitious)',
  });
  const session = `${SESSION_COOKIE}=${suite.sessionCookie('demo-police-officer')}`;
  const form = await request(suite.app)
    .get(`/cases/${caseId}/steps/cp_request-1?outcome=requested`)
    .set('Cookie', session)
    .expect(200);
  const hidden = Object.fromEntries(
    [...form.text.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1]!, m[2]!]),
  );

  await request(suite.app)
    .post(`/api/cases/${caseId}/transfers`)
    .set(suite.stack.as('coordinator'))
    .set('Idempotency-Key', 'sign-off-transferred-move')
    .send({ agencyKind: 'law_enforcement', toAgencyId: 'new-police', reason: 'moved_jurisdiction' })
    .expect(200);

  const confirmed = await request(suite.app)
    .post(`/cases/${caseId}/steps/cp_request-1`)
    .set('Cookie', [session, ...cookiesSetBy(form)].join('; '))
    .set('Origin', new URL(PUBLIC_BASE_URL).origin)
    .type('form')
    .send({ ...hidden, outcome: 'requested', 'details.requestedOn': '2026-11-25', confirm: 'yes' })
    .expect(403);
  const text = pageText(confirmed.text);
  expect(text).toContain(
    'This case was transferred from your agency to New City Police (fictitious); your agency no longer takes part in it.',
  );
  expect(text).not.toContain('Your agency does not take part in this case');
  expect(text).toContain('What you entered');
  expect(text).toContain('25 Nov 2026');
  expect(text).toContain('hand it over to the agency that now has the case');

  // Nothing was signed: the request waits for the new police.
  const view = await request(suite.app).get(`/api/cases/${caseId}`).set(suite.stack.as('coordinator')).expect(200);
  const steps = (view.body as { steps: { id: string; status: string; agencyId: string }[] }).steps;
  expect(steps.find((step) => step.id === 'cp_request-1')).toMatchObject({ status: 'pending', agencyId: 'new-police' });
});
