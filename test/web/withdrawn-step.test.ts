/**
 * A step a correction withdrew, opened from a form kept in another tab or a link in an email: the console says the
 * step was withdrawn and why, where it said only that the case has no such step. The whole service on real parts.
 */
import request from 'supertest';
import { SESSION_COOKIE } from '../../web/session';
import { consoleStackPerFile, openDemoCase } from '../support/console';

const suite = consoleStackPerFile();
/** A 1×1 PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8/5+hHgAHggJ/PchI7wAAAABJRU5ErkJggg==',
  'base64',
);
let caseId = '';

const write = (path: string, kind: 'law_enforcement' | 'ice' | 'coordinator', key: string, body: object) =>
  request(suite.app)
    .post(`/api/cases/${caseId}${path}`)
    .set(suite.stack.as(kind))
    .set('Idempotency-Key', `withdrawn-step-${key}`)
    .send(body)
    .expect(200);

beforeAll(async () => {
  caseId = (await openDemoCase(suite, 'withdrawn-step-open', { identifiedOn: '2025-11-03', name: 'Withdrawn Step' }))
    .caseId;
  await write('/steps/cp_request-1/sign-off', 'law_enforcement', 'request', {
    outcome: 'requested',
    details: { requestedOn: '2025-11-04' },
  });
  // The grant opens the adult's certification request; corrected to a denial, the request is withdrawn.
  await write('/steps/cp_decision-1/sign-off', 'ice', 'grant', {
    outcome: 'granted',
    details: { grantedOn: '2025-11-10' },
  });
  // The advocate had added the request's document: it stays the withdrawn step's.
  await request(suite.app)
    .post(`/api/cases/${caseId}/steps/hhs_certification_request-1/documents`)
    .set(suite.stack.as('advocate'))
    .attach('file', PNG, { filename: 'certification request.png' })
    .expect(201);
  // By the coordinator: ICE does not correct a grant that opens steps it is not told of (probe Q1).
  await write('/steps/cp_decision-1/corrections', 'coordinator', 'deny', {
    outcome: 'denied',
    details: { reason: 'not_potential_witness' },
    reason: 'entered on the wrong case',
  });
});

const asCoordinator = (path: string) =>
  request(suite.app)
    .get(path)
    .set('Cookie', `${SESSION_COOKIE}=${suite.sessionCookie('demo-coordinator')}`);
const stepPage = (stepId: string) => asCoordinator(`/cases/${caseId}/steps/${stepId}`);

test('the sign-off page of a withdrawn step says it was withdrawn and why', async () => {
  const page = await stepPage('hhs_certification_request-1').expect(409);
  expect(page.text).toContain('This step was withdrawn when the sign-off it followed from was corrected');
});

test('a step the case never had is still not found', async () => {
  const page = await stepPage('hhs_certification_request-7').expect(404);
  expect(page.text).toContain('This case has no such step you may see.');
});

test("the case page lists a withdrawn step's document apart, with its download and Remove", async () => {
  const page = await asCoordinator(`/cases/${caseId}`).expect(200);
  const section = page.text.slice(page.text.indexOf('Documents of steps a correction withdrew'));
  expect(section).toContain('HHS certification request (withdrawn by a correction):');
  expect(section).toMatch(
    /<a href="\/cases\/[^"]+\/documents\/[^"]+" download><bdi>certification request\.png<\/bdi><\/a>/,
  );
  expect(section).toContain(
    'Remove<span class="visually-hidden"> <bdi>certification request.png</bdi> from the withdrawn',
  );
});
