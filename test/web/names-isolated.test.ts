/**
 * A name stored with a right-to-left override (from before such names were refused) is set apart on the case page:
 * in a `<bdi>`, so it cannot reverse the rest of "Signed by … (agency) on …". The whole service on real parts.
 */
import request from 'supertest';
import { SESSION_COOKIE } from '../../web/session';
import { consoleStackPerFile, openDemoCase, requestContinuedPresence } from '../support/console';

const suite = consoleStackPerFile();
const REVERSING = 'Evil \u202eofficer';
let caseId = '';

beforeAll(async () => {
  caseId = (await openDemoCase(suite, 'names-isolated-open', { identifiedOn: '2025-11-03', name: 'Isolated Names' }))
    .caseId;
  // Stored as the API took it before: the API now refuses such a name (422), so it is written as it was kept.
  await suite.stack.pool.query('UPDATE users SET display_name = $1 WHERE username = $2', [
    REVERSING,
    'demo-police-officer',
  ]);
  await requestContinuedPresence(suite, caseId, 'names-isolated-sign', '2025-11-04');
});

test("the coordinator's case page sets the signer's name and agency apart in the Signed by line", async () => {
  const page = await request(suite.app)
    .get(`/cases/${caseId}`)
    .set('Cookie', `${SESSION_COOKIE}=${suite.sessionCookie('demo-coordinator')}`)
    .expect(200);
  expect(page.text).toContain(
    `Signed by <bdi>${REVERSING}</bdi> (<bdi>Demo City Police Department (fictitious)</bdi>) on 4 Nov 2025`,
  );
  // Wherever else the page names the signer (the timeline's "signed off by …"), the name is set apart as well.
  const everywhere = page.text.split(REVERSING).length - 1;
  expect(page.text.split(`<bdi>${REVERSING}</bdi>`).length - 1).toBe(everywhere);
  expect(everywhere).toBeGreaterThan(1);
});

test("the case page's list of agencies sets each agency's name apart, as the sentences do", async () => {
  const page = await request(suite.app)
    .get(`/cases/${caseId}`)
    .set('Cookie', `${SESSION_COOKIE}=${suite.sessionCookie('demo-coordinator')}`)
    .expect(200);
  const agencies = /<dt>Agencies<\/dt><dd>(.*?)<\/dd>/.exec(page.text)?.[1];
  expect(agencies).toContain('; Law enforcement: <bdi>Demo City Police Department (fictitious)</bdi>');
  expect(agencies?.split('<bdi>').length).toBe(6);
});
