/**
 * A change of attorney (probe S7): the coordinator transfers the advocate role to another legal provider mid-filing.
 * The new attorney carries the survivor's T visa on (answers the pending request for evidence, files the I-485 while T
 * status lasts), so it reads the filing's history as the attorney before it recorded it: the filing, the receipt, the
 * bona fide determination, the notice and its timeline entries, in the API's case view and on the case page. The
 * documents stay with the agency that added them, and the page offers no "Add a document" the API would refuse; the
 * former attorney gets 403 and the police still read nothing of the T visa (8 U.S.C. 1367). The whole service on real
 * parts.
 */
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { upsertAgencies } from '../../db/agencies';
import { addDays, dateOf } from '../../domain/dates';
import { SESSION_COOKIE } from '../../web/session';
import { createWorker, type TestUser } from '../support/auth';
import { consoleStackPerFile, openDemoCase, textOf } from '../support/console';

const suite = consoleStackPerFile();
const NEW_ATTORNEY = 'new-legal-aid';
let attorney: TestUser;
let attorneyCookie: string;
beforeAll(async () => {
  await upsertAgencies(suite.stack.pool, [
    {
      id: NEW_ATTORNEY,
      kind: 'advocate',
      name: 'New Legal Aid (fictitious)',
      email: 'intake@new-legal-aid.example.org',
      timeZone: null,
    },
  ]);
  attorney = await createWorker(suite.stack.pool, NEW_ATTORNEY, 'advocate');
  attorneyCookie = await suite.sealToken(attorney.token);
});

// A minimal PDF, as the I-797 receipt notice the first attorney adds.
const RECEIPT = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');

interface CaseBody {
  steps: { id: string; status: string; agencyId: string | null; outcome: string | null; details: object }[];
  timeline: { type: string; stepId: string | null; at: string; summary: string }[];
}

test('an attorney the case was transferred to reads the T-visa filing the attorney before it recorded', async () => {
  const today = dateOf(new Date(await suite.stack.env.currentTimeMs()).toISOString());
  const { caseId } = await openDemoCase(suite, 'transferred-attorney', {
    identifiedOn: addDays(today, -200),
    name: 'Changed Attorney Survivor (fictitious)',
  });
  const signOff = (stepId: string, body: object) =>
    request(suite.app)
      .post(`/api/cases/${caseId}/steps/${stepId}/sign-off`)
      .set(suite.stack.as('advocate'))
      .set('Idempotency-Key', randomUUID())
      .send(body)
      .expect(200);
  const filedOn = addDays(today, -190);
  await signOff('t_visa_filing-1', { outcome: 'filed', details: { filedOn } });
  await signOff('t_visa_receipt-1', { outcome: 'received', details: { receivedOn: addDays(today, -180) } });
  await request(suite.app)
    .post(`/api/cases/${caseId}/steps/t_visa_receipt-1/documents`)
    .set(suite.stack.as('advocate'))
    .attach('file', RECEIPT, { filename: 'I-797 receipt.pdf' })
    .expect(201);
  const determinedOn = addDays(today, -60);
  await signOff('t_visa_bona_fide-1', { outcome: 'bona_fide', details: { determinedOn } });
  await signOff('t_visa_decision-1', {
    outcome: 'evidence_requested',
    details: { notice: 'rfe', issuedOn: addDays(today, -10), respondBy: addDays(today, 70) },
  });

  const before = (await request(suite.app).get(`/api/cases/${caseId}`).set(suite.stack.as('advocate')).expect(200))
    .body as CaseBody;
  await request(suite.app)
    .post(`/api/cases/${caseId}/transfers`)
    .set(suite.stack.as('coordinator'))
    .set('Idempotency-Key', randomUUID())
    .send({ agencyKind: 'advocate', toAgencyId: NEW_ATTORNEY, reason: 'referred' })
    .expect(200);

  const view = (await request(suite.app).get(`/api/cases/${caseId}`).set(attorney.headers).expect(200))
    .body as CaseBody;
  const settled = view.steps.filter((step) => step.status === 'completed');
  expect(settled.map(({ id, agencyId, outcome, details }) => ({ id, agencyId, outcome, details }))).toEqual([
    { id: 't_visa_filing-1', agencyId: 'demo-advocates', outcome: 'filed', details: { filedOn } },
    {
      id: 't_visa_receipt-1',
      agencyId: 'demo-advocates',
      outcome: 'received',
      details: { receivedOn: addDays(today, -180) },
    },
    { id: 't_visa_bona_fide-1', agencyId: 'demo-advocates', outcome: 'bona_fide', details: { determinedOn } },
  ]);
  // Every timeline entry of the T visa, as the attorney before it read them.
  const filingEntries = (body: CaseBody) =>
    body.timeline
      .filter((entry) => entry.stepId?.startsWith('t_visa'))
      .map(({ type, stepId, at, summary }) => ({ type, stepId, at, summary }));
  expect(filingEntries(view)).toEqual(filingEntries(before));
  expect(filingEntries(view).filter((entry) => entry.stepId === 't_visa_filing-1').length).toBeGreaterThan(1);

  const page = await request(suite.app)
    .get(`/cases/${caseId}`)
    .set('Cookie', `${SESSION_COOKIE}=${attorneyCookie}`)
    .expect(200);
  const words = textOf(page.text);
  expect(words).toMatch(
    /T visa application filing \(Form I-914\) Demo Survivor Legal Advocates \(fictitious\) Completed/,
  );
  expect(words).toMatch(/T visa bona fide determination Demo Survivor Legal Advocates \(fictitious\) Completed/);
  // The receipt's document stays with the attorney that added it, and none is offered where the API would refuse it.
  expect(words).not.toContain('I-797 receipt.pdf');
  expect(page.text).not.toContain(`/cases/${caseId}/steps/t_visa_receipt-1/documents`);
  await request(suite.app)
    .post(`/api/cases/${caseId}/steps/t_visa_receipt-1/documents`)
    .set(attorney.headers)
    .attach('file', RECEIPT, { filename: 'copy.pdf' })
    .expect(404);
  // Its own pending steps still take documents.
  expect(page.text).toContain(`/cases/${caseId}/steps/t_visa_evidence_response-1/documents`);

  // Least privilege as before: the former attorney reads nothing of the case, the police nothing of the T visa.
  await request(suite.app).get(`/api/cases/${caseId}`).set(suite.stack.as('advocate')).expect(403);
  const police = (await request(suite.app).get(`/api/cases/${caseId}`).set(suite.stack.as('law_enforcement')))
    .body as CaseBody;
  expect(police.steps.filter((step) => step.id.startsWith('t_visa'))).toEqual([]);
  expect(police.timeline.filter((entry) => entry.stepId?.startsWith('t_visa'))).toEqual([]);
});
