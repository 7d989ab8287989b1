/**
 * What the sign-off pages advise should a sign-off turn out wrong agrees with who the API lets correct it: ICE's
 * Continued Presence decision may open steps ICE is not told of, so only the case's coordinator corrects it
 * (`coordinator_corrects`), and its check page and its "signed meanwhile" page say to ask them; the police's CP request
 * is corrected by the police or the coordinator, as its pages say. The whole service on real parts, through HTTP.
 */
import request from 'supertest';
import { SESSION_COOKIE } from '../../web/session';
import { consoleStackPerFile, openDemoCase } from '../support/console';
import { cookiesSetBy } from '../support/forms';
import { PUBLIC_BASE_URL } from '../support/stack';

const suite = consoleStackPerFile();

/** The page's text as read: no tags, no marks that set names apart, spaces as one. */
const pageText = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/[\u2068\u2069]/gu, '')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/\s+/g, ' ');

/** The form of a step sent by one of its officers, without confirming: its check page, or its refusal. */
async function sent(caseId: string, username: string, stepId: string, answers: Record<string, string>) {
  const session = `${SESSION_COOKIE}=${suite.sessionCookie(username)}`;
  const form = await request(suite.app)
    .get(`/cases/${caseId}/steps/${stepId}?outcome=${answers.outcome}`)
    .set('Cookie', session)
    .expect(200);
  const hidden = Object.fromEntries(
    [...form.text.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1]!, m[2]!]),
  );
  return async () => {
    const page = await request(suite.app)
      .post(`/cases/${caseId}/steps/${stepId}`)
      .set('Cookie', [session, ...cookiesSetBy(form)].join('; '))
      .set('Origin', new URL(PUBLIC_BASE_URL).origin)
      .type('form')
      .send({ ...hidden, ...answers });
    return pageText(page.text);
  };
}

async function signViaApi(caseId: string, kind: 'law_enforcement' | 'ice', stepId: string, body: object) {
  await request(suite.app)
    .post(`/api/cases/${caseId}/steps/${stepId}/sign-off`)
    .set(suite.stack.as(kind))
    .set('Idempotency-Key', `correction-advice-${caseId}-${stepId}`)
    .send(body)
    .expect(200);
}

const ORDINARY = "the agency that signed it or the case's coordinator can correct it, with a reason";
const ASK_COORDINATOR = "ask the case's coordinator to correct it: only they can";
const CORRECT_THERE = 'and if it differs, correct the sign-off there';
const ASK_TO_CORRECT = "and if it differs, ask the case's coordinator to correct the sign-off";

test('the check page and the signed-meanwhile page say who corrects the step, as the API judges it', async () => {
  const { caseId } = await openDemoCase(suite, 'correction-advice', {
    identifiedOn: '2026-11-20',
    name: 'Correction Advice (fictitious)',
  });
  const request_ = { outcome: 'requested', 'details.requestedOn': '2026-11-25' };
  const police = await sent(caseId, 'demo-police-officer', 'cp_request-1', request_);
  const policeCheck = await police();
  expect(policeCheck).toContain('Check your answers');
  expect(policeCheck).toContain(ORDINARY);
  expect(policeCheck).not.toContain(ASK_COORDINATOR);
  // Signed meanwhile, in another window: the form's answers are shown, with the police's own advice.
  await signViaApi(caseId, 'law_enforcement', 'cp_request-1', {
    outcome: 'requested',
    details: { requestedOn: '2026-11-25' },
  });
  const policeMeanwhile = await police();
  expect(policeMeanwhile).toContain(CORRECT_THERE);
  expect(policeMeanwhile).not.toContain(ASK_TO_CORRECT);

  const grant = { outcome: 'granted', 'details.grantedOn': '2026-11-30' };
  const ice = await sent(caseId, 'demo-ice-officer', 'cp_decision-1', grant);
  const iceCheck = await ice();
  expect(iceCheck).toContain('Check your answers');
  expect(iceCheck).toContain(ASK_COORDINATOR);
  expect(iceCheck).not.toContain(ORDINARY);
  await signViaApi(caseId, 'ice', 'cp_decision-1', { outcome: 'granted', details: { grantedOn: '2026-11-30' } });
  const iceMeanwhile = await ice();
  expect(iceMeanwhile).toContain(ASK_TO_CORRECT);
  expect(iceMeanwhile).not.toContain(CORRECT_THERE);

  // As the API has it: ICE's correction of its grant is refused for the coordinator's.
  const refused = await request(suite.app)
    .post(`/api/cases/${caseId}/steps/cp_decision-1/corrections`)
    .set(suite.stack.as('ice'))
    .set('Idempotency-Key', 'correction-advice-ice-corrects')
    .send({ outcome: 'granted', details: { grantedOn: '2026-11-29' }, reason: 'Typed the wrong day.' });
  expect(refused.body).toMatchObject({ code: 'coordinator_corrects' });
});
