/**
 * The HTTP contract on the real write side: the app from test/support/stack.ts, with the case workflow on the
 * official time-skipping server, the read model in PostgreSQL and the real CaseCommands. Proves read-your-writes
 * through HTTP and that the workflow's refusals reach the client as problems, never as 500s.
 */
import request from 'supertest';
import { DEMO_AGENCIES } from '../../../db/seed';
import type { AgencyKind } from '../../../domain/types';
import type { Stack } from '../../support/stack';
import { describeOnSharedStack, sharedStack } from '../../support/shared-stack';

describeOnSharedStack('through-workflow', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = sharedStack();
  });

  const as = (kind: AgencyKind) => stack.as(kind);
  let keys = 0;
  const key = () => `through-workflow-${(keys += 1)}`;

  interface CaseBody {
    caseId: string;
    status: string;
    steps: { id: string; kind: string; status: string }[];
  }

  async function today(): Promise<string> {
    return new Date(await stack.env.currentTimeMs()).toISOString().slice(0, 10);
  }

  test('open, sign off and close a case over HTTP, reading each write back', async () => {
    const on = await today();
    const opened = await request(stack.app)
      .post('/api/cases')
      .set(as('law_enforcement'))
      .set('Idempotency-Key', key())
      .send({
        identifiedOn: on,
        survivor: { name: 'Rosalind Okonkwo-Vale', birthDate: '1988-09-30' },
        agencies: DEMO_AGENCIES,
      })
      .expect(201);
    const view = opened.body as CaseBody;
    expect(opened.headers.location).toBe(`/api/cases/${view.caseId}`);
    expect(JSON.stringify(view)).not.toContain('Rosalind');

    const signOffPath = `/api/cases/${view.caseId}/steps/cp_request-1/sign-off`;
    // The coordinator sees the police's step and may not sign it (another agency's officer does not see it: 404).
    const refused = await request(stack.app)
      .post(signOffPath)
      .set(as('coordinator'))
      .set('Idempotency-Key', key())
      .send({ outcome: 'requested', details: { requestedOn: on } })
      .expect(403);
    expect(refused.body).toMatchObject({ status: 403, code: 'wrong_agency_kind' });
    const badDetails = await request(stack.app)
      .post(signOffPath)
      .set(as('law_enforcement'))
      .set('Idempotency-Key', key())
      .send({ outcome: 'requested', details: { requestedOn: 'soon' } })
      .expect(422);
    expect(badDetails.body).toMatchObject({
      status: 422,
      errors: [expect.objectContaining({ field: expect.stringContaining('requestedOn') as unknown })],
    });

    const signKey = key();
    const signed = await request(stack.app)
      .post(signOffPath)
      .set(as('law_enforcement'))
      .set('Idempotency-Key', signKey)
      .send({ outcome: 'requested', details: { requestedOn: on } })
      .expect(200);
    const after = signed.body as CaseBody;
    expect(after.steps.find((s) => s.id === 'cp_request-1')?.status).toBe('completed');
    // The officer sees their own agency's steps; the coordinator sees the CP decision that opened for ICE.
    expect(after.steps.find((s) => s.kind === 'cp_decision')).toBeUndefined();
    const overseen = await request(stack.app).get(`/api/cases/${after.caseId}`).set(as('coordinator')).expect(200);
    expect((overseen.body as CaseBody).steps.find((s) => s.kind === 'cp_decision')?.status).toBe('pending');
    const replay = await request(stack.app)
      .post(signOffPath)
      .set(as('law_enforcement'))
      .set('Idempotency-Key', signKey)
      .send({ outcome: 'requested', details: { requestedOn: on } })
      .expect(200);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    // Without the key the same sign-off is a new request, and the workflow refuses it: the step is no longer pending.
    await request(stack.app)
      .post(signOffPath)
      .set(as('law_enforcement'))
      .set('Idempotency-Key', key())
      .send({ outcome: 'requested', details: { requestedOn: on } })
      .expect(409);

    const pending = await request(stack.app)
      .get('/api/steps')
      .query({ agencyId: DEMO_AGENCIES.ice, kind: 'cp_decision' })
      .set(as('ice'))
      .expect(200);
    expect((pending.body as { items: { caseId: string }[] }).items.map((i) => i.caseId)).toContain(view.caseId);

    const survivor = await request(stack.app).get(`/api/cases/${view.caseId}/survivor`).set(as('advocate')).expect(200);
    expect(survivor.body).toMatchObject({ name: 'Rosalind Okonkwo-Vale' });

    const closed = await request(stack.app)
      .post(`/api/cases/${view.caseId}/close`)
      .set(as('coordinator'))
      .set('Idempotency-Key', key())
      .send({ status: 'closed', reason: 'relief_obtained' })
      .expect(200);
    expect((closed.body as CaseBody).status).toBe('closed');
    await request(stack.app)
      .post(signOffPath.replace('cp_request-1', 'le_declaration-1'))
      .set(as('law_enforcement'))
      .set('Idempotency-Key', key())
      .send({ outcome: 'signed', details: { signedOn: on } })
      .expect(409);
  });
});
