/**
 * A sign-off's free-text note is sealed like the survivor's identity and shown only to those who may read it. A
 * note naming a person is signed through the API; then every row of every table, the case's Temporal history as the
 * server stores it, the workflow's own state, every email and every log line are scanned for it. Those working the
 * case read it back; a supervisor does not, an admin does not see the case at all, and an update sent straight to
 * Temporal with a note in plain text is refused even by a client holding the payload keys.
 */
import { randomUUID } from 'node:crypto';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import request from 'supertest';
import { DEMO_AGENCIES } from '../../db/seed';
import { workingActor } from '../../domain/access';
import type { AgencyKind } from '../../domain/types';
import { caseStateQuery, signOffUpdate } from '../../workflows/contract';
import { workflowIdOf } from '../../workflows/contract';
import { CaseViewSchema } from '../../api/schemas';
import { databaseRows, logCapture, needlesIn, storedHistory } from '../support/scan';
import { issuedNow } from '../support/issued';
import { startStack, type Stack } from '../support/stack';

const NOTE = 'Spoke with Ottoline Vasquez-Marrow, born 1979-04-23, at the shelter';
/** Every part of the note that would give the person away. */
const NEEDLES = ['Ottoline', 'Vasquez', 'Marrow', '1979-04-23', '04/23/1979', '19790423'].map((needle) =>
  needle.toLowerCase(),
);
const leaksIn = (text: string) => needlesIn(NEEDLES, text);

let stack: Stack;
let log: ReturnType<typeof logCapture>;
beforeAll(async () => {
  log = logCapture();
  stack = await startStack({ server: 'dev', log: { level: 'trace', destination: log.destination } });
});
afterAll(async () => {
  await stack?.stop();
});

let keys = 0;
const key = () => `sealed-notes-${(keys += 1)}`;
const today = () => new Date().toISOString().slice(0, 10);
const as = (kind: AgencyKind) => stack.as(kind);
const asUser = (username: string) => stack.users[username]!.headers;

async function openCase(): Promise<string> {
  const opened = await request(stack.app)
    .post('/api/cases')
    .set(as('law_enforcement'))
    .set('Idempotency-Key', key())
    .send({
      identifiedOn: today(),
      survivor: { name: 'Sealed Notes Test', birthDate: '1990-01-01' },
      agencies: DEMO_AGENCIES,
      // One fictitious survivor opened again on purpose, not a request sent twice (409 possible_duplicate).
      confirmNotDuplicate: true,
    })
    .expect(201);
  return (opened.body as { caseId: string }).caseId;
}

const signOffPath = (caseId: string, stepId: string) => `/api/cases/${caseId}/steps/${stepId}/sign-off`;
const detailsOf = (body: unknown, stepId: string) =>
  CaseViewSchema.parse(body).steps.find((step) => step.id === stepId)?.details;

describe('a note signed through the API', () => {
  let caseId: string;
  let signedKey: string;
  let signed: request.Response;
  beforeAll(async () => {
    caseId = await openCase();
    signedKey = key();
    signed = await request(stack.app)
      .post(signOffPath(caseId, 'cp_request-1'))
      .set(as('law_enforcement'))
      .set('Idempotency-Key', signedKey)
      .send({ outcome: 'requested', details: { requestedOn: today(), note: `  ${NOTE}  ` } })
      .expect(200);
  });

  test('is stored sealed: in no table, no stored history, no workflow state, no email and no log line', async () => {
    const rows = await databaseRows(stack);
    // The scan reads what it should: the step's sealed note is among the rows.
    const stepRows = rows.filter(
      (row) =>
        row.table === 'case_steps' && row.text.includes(caseId) && row.text.includes('"note": "sealed:test-key:'),
    );
    expect(stepRows).toHaveLength(1);

    const history = await storedHistory(stack, caseId);
    const state = await stack.client.workflow.getHandle(workflowIdOf(caseId)).query(caseStateQuery);
    const inState = state.steps.find((step) => step.id === 'cp_request-1')?.details['note'];
    expect(inState).toMatch(/^sealed:test-key:/);

    const leaks = {
      rows: rows.flatMap((row) => leaksIn(row.text).map((needle) => `${row.table}: ${needle}`)),
      history: leaksIn(history.text),
      state: leaksIn(JSON.stringify(state)),
      emails: stack.mail.messages().flatMap((message) => leaksIn(JSON.stringify(message))),
      logs: log.lines.flatMap(leaksIn),
    };
    expect(log.lines.some((line) => line.includes(caseId))).toBe(true);
    expect(leaks).toEqual({ rows: [], history: [], state: [], emails: [], logs: [] });
  });

  test('is shown, trimmed, to those who may read the identity, on the sign-off answer, its replay and the case', async () => {
    expect(detailsOf(signed.body, 'cp_request-1')).toEqual({ requestedOn: today(), note: NOTE });
    const replayed = await request(stack.app)
      .post(signOffPath(caseId, 'cp_request-1'))
      .set(as('law_enforcement'))
      .set('Idempotency-Key', signedKey)
      .send({ outcome: 'requested', details: { requestedOn: today(), note: `  ${NOTE}  ` } })
      .expect(200)
      .expect('Idempotent-Replayed', 'true');
    expect(replayed.body).toEqual(signed.body);
    for (const kind of ['law_enforcement', 'coordinator'] as const) {
      const view = await request(stack.app).get(`/api/cases/${caseId}`).set(as(kind)).expect(200);
      expect(detailsOf(view.body, 'cp_request-1')).toEqual({ requestedOn: today(), note: NOTE });
    }
  });

  test('is withheld from a supervisor; an admin does not see the case at all', async () => {
    const view = await request(stack.app).get(`/api/cases/${caseId}`).set(asUser('demo-supervisor')).expect(200);
    expect(detailsOf(view.body, 'cp_request-1')).toEqual({ requestedOn: today(), noteWithheld: true });
    expect(leaksIn(JSON.stringify(view.body))).toEqual([]);
    for (const username of ['demo-admin', 'demo-system-admin']) {
      const refused = await request(stack.app).get(`/api/cases/${caseId}`).set(asUser(username)).expect(403);
      expect(leaksIn(JSON.stringify(refused.body))).toEqual([]);
    }
  });

  test('that does not open here, or was written before notes were sealed, is shown under the same rule and never fails the case', async () => {
    // As a read model would hold them: a note sealed with a key since dropped, and one from before notes were sealed.
    await stack.pool.query(
      `UPDATE case_steps SET details = details || jsonb_build_object('note', $3::text) WHERE case_id = $1 AND step_id = $2`,
      [caseId, 'cp_request-1', 'sealed:retired-key:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
    );
    await stack.pool.query(
      `UPDATE case_steps SET details = details || jsonb_build_object('note', $3::text) WHERE case_id = $1 AND step_id = $2`,
      [caseId, 'identification-1', 'written before sealing'],
    );
    const officer = await request(stack.app).get(`/api/cases/${caseId}`).set(as('law_enforcement')).expect(200);
    expect(detailsOf(officer.body, 'cp_request-1')).toEqual({ requestedOn: today(), noteWithheld: true });
    expect(detailsOf(officer.body, 'identification-1')).toMatchObject({ note: 'written before sealing' });
    const supervisor = await request(stack.app).get(`/api/cases/${caseId}`).set(asUser('demo-supervisor')).expect(200);
    expect(detailsOf(supervisor.body, 'identification-1')).toMatchObject({ noteWithheld: true });
    expect(detailsOf(supervisor.body, 'identification-1')).not.toHaveProperty('note');
  });
});

test('an update sent straight to Temporal with a note in plain text is refused, even by a client with the payload keys', async () => {
  const caseId = await openCase();
  const handle = stack.client.workflow.getHandle(workflowIdOf(caseId));
  const actor = workingActor({
    userId: randomUUID(),
    agencyId: DEMO_AGENCIES.law_enforcement,
    agencyKind: 'law_enforcement',
  });
  const signOff = { stepId: 'cp_request-1', outcome: 'requested', details: { requestedOn: today(), note: NOTE } };
  const issued = await issuedNow(stack.env, caseId);
  const failure = await handle
    .executeUpdate(signOffUpdate, { args: [{ signOff, actor, issued }], updateId: issued.updateId })
    .then(
      () => undefined,
      (error: unknown) => error,
    );
  expect(failure).toBeInstanceOf(WorkflowUpdateFailedError);
  const cause = (failure as WorkflowUpdateFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  expect((cause as ApplicationFailure).details?.[0]).toMatchObject({ code: 'invalid_details', field: 'details.note' });
  const state = await handle.query(caseStateQuery);
  expect(state.steps.find((step) => step.id === 'cp_request-1')?.status).toBe('pending');
  expect(leaksIn(JSON.stringify(state))).toEqual([]);
});

test('a note too long, blank or not text is answered 422 naming details.note, and nothing is signed', async () => {
  const caseId = await openCase();
  for (const note of ['n'.repeat(501), '   ', 42]) {
    const refused = await request(stack.app)
      .post(signOffPath(caseId, 'cp_request-1'))
      .set(as('law_enforcement'))
      .set('Idempotency-Key', key())
      .send({ outcome: 'requested', details: { requestedOn: today(), note } })
      .expect(422);
    expect(refused.body).toMatchObject({ code: 'invalid_details', errors: [{ field: 'details.note' }] });
  }
  const view = await request(stack.app).get(`/api/cases/${caseId}`).set(as('law_enforcement')).expect(200);
  expect(CaseViewSchema.parse(view.body).steps.find((step) => step.id === 'cp_request-1')?.status).toBe('pending');
});
