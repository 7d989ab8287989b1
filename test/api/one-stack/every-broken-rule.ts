/**
 * A sign-off or correction breaking several of the case's rules on its dates is answered with every one in `errors`
 * (one per field, as a schema's problems are), not the first alone, so a case worker fixes them all in one send: the
 * workflow's update validator judges them together (domain/case-state.ts `together`) and the API answers them all
 * (app/case-commands.ts `rejectionError`); the preview, which judges with the same rules, too. Over HTTP on real parts.
 */
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { Problem } from '../../../api/schemas';
import { DEMO_AGENCIES } from '../../../db/seed';
import { addDays } from '../../../domain/dates';
import type { Stack } from '../../support/stack';
import { describeOnSharedStack, sharedStack } from '../../support/shared-stack';

describeOnSharedStack('every-broken-rule', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = sharedStack();
  });

  const headersOf = (user: string) => stack.users[user]!.headers;

  /** A case whose Continued Presence the police requested: its decision is ICE's to sign. */
  async function requestedCase(today: string): Promise<string> {
    const opened = await request(stack.app)
      .post('/api/cases')
      .set(headersOf('demo-police-officer'))
      .set('Idempotency-Key', randomUUID())
      .send({
        identifiedOn: addDays(today, -10),
        survivor: { name: 'Every Rule (fictitious)', birthDate: '1990-04-05' },
        agencies: DEMO_AGENCIES,
        confirmNotDuplicate: true,
      })
      .expect(201);
    const caseId = (opened.body as { caseId: string }).caseId;
    await request(stack.app)
      .post(`/api/cases/${caseId}/steps/cp_request-1/sign-off`)
      .set(headersOf('demo-police-officer'))
      .set('Idempotency-Key', randomUUID())
      .send({ outcome: 'requested', details: { requestedOn: addDays(today, -2) } })
      .expect(200);
    return caseId;
  }

  const stepOf = async (caseId: string, stepId: string) => {
    const view = await request(stack.app).get(`/api/cases/${caseId}`).set(stack.as('coordinator')).expect(200);
    return (view.body as { steps: { id: string; status: string; details: Record<string, unknown> }[] }).steps.find(
      (step) => step.id === stepId,
    );
  };

  test('a grant dated after today that ends before it was granted: both refused at once, in errors and in the detail', async () => {
    const today = new Date(await stack.env.currentTimeMs()).toISOString().slice(0, 10);
    const caseId = await requestedCase(today);
    const grantedOn = addDays(today, 3);
    const validUntil = addDays(today, 1);
    const broken = {
      code: 'date_order',
      detail: `grantedOn (${grantedOn}) is after today (${today}); validUntil (${validUntil}) is before grantedOn (${grantedOn})`,
      errors: [
        { field: 'details.grantedOn', message: `grantedOn (${grantedOn}) is after today (${today})` },
        { field: 'details.validUntil', message: `validUntil (${validUntil}) is before grantedOn (${grantedOn})` },
      ],
    };
    for (const path of ['sign-off/preview', 'sign-off']) {
      const refused = await request(stack.app)
        .post(`/api/cases/${caseId}/steps/cp_decision-1/${path}`)
        .set(headersOf('demo-ice-officer'))
        .set('Idempotency-Key', randomUUID())
        .send({ outcome: 'granted', details: { grantedOn, validUntil } })
        .expect(422);
      const { code, detail, errors } = refused.body as Problem;
      expect([path, { code, detail, errors }]).toEqual([path, broken]);
    }
    // Refused, as the first rule alone refused it: nothing was signed.
    expect((await stepOf(caseId, 'cp_decision-1'))?.status).toBe('pending');

    // A correction of the grant made right is judged the same way.
    await request(stack.app)
      .post(`/api/cases/${caseId}/steps/cp_decision-1/sign-off`)
      .set(headersOf('demo-ice-officer'))
      .set('Idempotency-Key', randomUUID())
      .send({ outcome: 'granted', details: { grantedOn: today } })
      .expect(200);
    for (const path of ['corrections/preview', 'corrections']) {
      const refused = await request(stack.app)
        .post(`/api/cases/${caseId}/steps/cp_decision-1/${path}`)
        .set(headersOf('demo-coordinator'))
        .set('Idempotency-Key', randomUUID())
        .send({ outcome: 'granted', details: { grantedOn, validUntil }, reason: 'Entered from the wrong letter' })
        .expect(422);
      expect([path, (refused.body as Problem).errors]).toEqual([path, broken.errors]);
    }
    expect((await stepOf(caseId, 'cp_decision-1'))?.details['grantedOn']).toBe(today);
  });

  test('an outcome the step can no longer take is refused naming `outcome`: a second extension, a second evidence request', async () => {
    const today = new Date(await stack.env.currentTimeMs()).toISOString().slice(0, 10);
    const opened = await request(stack.app)
      .post('/api/cases')
      .set(headersOf('demo-police-officer'))
      .set('Idempotency-Key', randomUUID())
      .send({
        identifiedOn: addDays(today, -3),
        survivor: { name: 'Outcome Refused (fictitious)', birthDate: addDays(today, -15 * 365) },
        agencies: DEMO_AGENCIES,
        confirmNotDuplicate: true,
      })
      .expect(201);
    const caseId = (opened.body as { caseId: string }).caseId;
    const sign = (user: string, stepId: string, outcome: string, details: object, status = 200) =>
      request(stack.app)
        .post(`/api/cases/${caseId}/steps/${stepId}/sign-off`)
        .set(headersOf(user))
        .set('Idempotency-Key', randomUUID())
        .send({ outcome, details })
        .expect(status);
    await sign('demo-police-officer', 'hhs_minor_notification-1', 'notified', { notifiedOn: addDays(today, -3) });
    await sign('demo-hhs-officer', 'hhs_interim_letter-1', 'issued', { issuedOn: addDays(today, -2) });
    await sign('demo-hhs-officer', 'hhs_interim_letter-1', 'extended', {});
    const again = await sign('demo-hhs-officer', 'hhs_interim_letter-1', 'extended', {}, 409);
    expect((again.body as Problem).code).toBe('extension_limit_reached');
    expect((again.body as Problem).errors?.map(({ field }) => field)).toEqual(['outcome']);

    await sign('demo-advocate', 't_visa_filing-1', 'filed', { filedOn: addDays(today, -2) });
    await sign('demo-advocate', 't_visa_receipt-1', 'received', { receivedOn: addDays(today, -1) });
    await sign('demo-advocate', 't_visa_bona_fide-1', 'bona_fide', { determinedOn: today });
    const rfe = { notice: 'rfe', issuedOn: today, respondBy: addDays(today, 30) };
    await sign('demo-advocate', 't_visa_decision-1', 'evidence_requested', rfe);
    const second = await sign('demo-advocate', 't_visa_decision-1', 'evidence_requested', rfe, 409);
    expect((second.body as Problem).code).toBe('evidence_response_pending');
    expect((second.body as Problem).errors).toEqual([
      { field: 'outcome', message: 'answer the pending evidence request before recording another' },
    ]);
  });
});
