/**
 * `POST /api/cases/{caseId}/ask-again` on real parts (time-skipping Temporal, embedded PostgreSQL): once Continued
 * Presence lapsed, the coordinator asks for it again and a fresh request opens with its reminders; while the grant
 * was in force the same request is refused 409 by name; a retry with the same Idempotency-Key gives the same answer
 * and opens no second step; an agency that neither coordinates nor owns the request is refused 403. A CP grant corrected
 * to a denial leaves standing the certification request a bona fide T visa backs: nothing to ask again.
 */
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { z } from 'zod';
import { ReminderListSchema } from '../../../api/schemas';
import { DEMO_AGENCIES } from '../../../db/seed';
import { addDays, dateOf } from '../../../domain/dates';
import type { Actor } from '../../../domain/types';
import { askAgainUpdate, workflowIdOf } from '../../../workflows/contract';
import { issuedNow, updateRefusal } from '../../support/issued';
import { eventually, startStack, type Stack } from '../../support/stack';

describe('ask-again', () => {
  type Reminder = z.infer<typeof ReminderListSchema>['items'][number];
  interface CaseBody {
    caseId: string;
    steps: { id: string; kind: string; status: string; agencyId: string | null; dueAt: string | null }[];
    timeline: { type: string; stepId: string | null; actorAgencyId: string | null; summary: string }[];
  }

  const DAY_MS = 86_400_000;

  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const today = async () => dateOf(new Date(await stack.env.currentTimeMs()).toISOString());

  async function sign(caseId: string, stepId: string, outcome: string, details: object, user: string) {
    await request(stack.app)
      .post(`/api/cases/${caseId}/steps/${stepId}/sign-off`)
      .set(stack.users[user]!.headers)
      .set('Idempotency-Key', randomUUID())
      .send({ outcome, details })
      .expect(200);
  }

  const askAgain = (caseId: string, user: string, body: object, key: string = randomUUID()) =>
    request(stack.app)
      .post(`/api/cases/${caseId}/ask-again`)
      .set(stack.users[user]!.headers)
      .set('Idempotency-Key', key)
      .send(body);

  /** A case opened by the police, identified on that day; its id. */
  async function openCase(identifiedOn: string, name: string, birthDate: string): Promise<string> {
    const opened = await request(stack.app)
      .post('/api/cases')
      .set(stack.as('law_enforcement'))
      .set('Idempotency-Key', randomUUID())
      .send({ identifiedOn, survivor: { name, birthDate }, agencies: DEMO_AGENCIES })
      .expect(201);
    return (opened.body as CaseBody).caseId;
  }

  const readCase = async (caseId: string) =>
    (await request(stack.app).get(`/api/cases/${caseId}`).set(stack.as('coordinator')).expect(200)).body as CaseBody;

  test('after CP lapsed the coordinator asks again: cp_request-2 opens with its reminders, once per key', async () => {
    const identifiedOn = await today();
    const caseId = await openCase(identifiedOn, 'Ask Again Survivor (fictitious)', '1991-02-03');
    await sign(caseId, 'cp_request-1', 'requested', { requestedOn: identifiedOn }, 'demo-police-officer');
    const validUntil = addDays(identifiedOn, 5);
    await sign(caseId, 'cp_decision-1', 'granted', { grantedOn: identifiedOn, validUntil }, 'demo-ice-officer');

    // While the grant is in force (its renewal still to request) nothing is asked again: refused by name.
    const inForce = await askAgain(caseId, 'demo-coordinator', { stepKind: 'cp_request' }).expect(409);
    expect(inForce.body).toMatchObject({ code: 'nothing_to_ask_again' });
    expect((inForce.body as { errors: { field: string }[] }).errors[0]?.field).toBe('stepKind');
    // A kind that cannot be asked again is the body's error, by its field.
    const unknown = await askAgain(caseId, 'demo-coordinator', { stepKind: 't_visa_filing' }).expect(422);
    expect((unknown.body as { errors: { field: string }[] }).errors[0]?.field).toBe('stepKind');

    await stack.env.sleep(7 * DAY_MS);
    await eventually(async () => {
      const view = await readCase(caseId);
      return view.steps.find((step) => step.id === 'cp_decision-1')?.status === 'expired' ? view : undefined;
    }, 'the grant lapsed');

    // Neither the coordinator nor the police: refused before it reaches the workflow.
    const advocate = await askAgain(caseId, 'demo-advocate', { stepKind: 'cp_request' }).expect(403);
    // In words, as the 409s name the request: no codes.
    expect(advocate.body).toMatchObject({
      code: 'wrong_agency_kind',
      detail:
        'asking again for the Continued Presence request is for law enforcement or the coordinator, ' +
        'not the attorney or advocate',
    });
    // Sent straight at the workflow, around the API, the update's validator holds to the same rules, and to its seal.
    const forged = async (actor: Actor, sealed = true) => {
      const issued = await issuedNow(stack.env, caseId);
      return updateRefusal(
        stack.client.workflow.getHandle(workflowIdOf(caseId)).executeUpdate(askAgainUpdate, {
          args: [{ stepKind: 'cp_request', actor, ...(sealed ? { issued } : {}) }],
          updateId: issued.updateId,
        }),
      );
    };
    expect(await forged(stack.users['demo-advocate']!.actor)).toMatchObject({ code: 'wrong_agency_kind' });
    expect(await forged(stack.users['demo-supervisor']!.actor)).toMatchObject({ code: 'role_not_permitted' });
    expect(await forged(stack.users['demo-coordinator']!.actor, false)).toMatchObject({ code: 'unbound_command' });

    const key = randomUUID();
    const asked = await askAgain(caseId, 'demo-coordinator', { stepKind: 'cp_request' }, key).expect(200);
    const body = asked.body as CaseBody;
    const fresh = body.steps.find((step) => step.id === 'cp_request-2');
    expect(fresh).toMatchObject({ kind: 'cp_request', status: 'pending', agencyId: DEMO_AGENCIES.law_enforcement });
    expect(body.timeline.at(-1)).toMatchObject({
      type: 'step.asked_again',
      stepId: 'cp_request-2',
      actorAgencyId: DEMO_AGENCIES.coordinator,
      summary: 'cp_request-2 asked again by coordinator after cp_decision-1 expired',
    });

    // Its reminders are the policy's: before the due date, the due date, then the escalation to the coordinator.
    const reminders = ReminderListSchema.parse(
      (await request(stack.app).get(`/api/cases/${caseId}/reminders`).set(stack.as('coordinator')).expect(200)).body,
    ).items.filter((item: Reminder) => item.stepId === 'cp_request-2');
    expect(reminders.map((item) => item.kind)).toEqual(expect.arrayContaining(['reminder', 'due', 'escalation']));
    expect(reminders.find((item) => item.kind === 'due')?.at).toBe(fresh!.dueAt);

    // The same request again (a double click, a retry after a timeout): the same answer, and still one new step.
    const retried = await askAgain(caseId, 'demo-coordinator', { stepKind: 'cp_request' }, key).expect(200);
    expect(retried.body).toEqual(asked.body);
    const after = await readCase(caseId);
    expect(after.steps.filter((step) => step.kind === 'cp_request').map((step) => step.id)).toEqual([
      'cp_request-1',
      'cp_request-2',
    ]);
    // Asked again while the new request is pending: refused by name.
    const pending = await askAgain(caseId, 'demo-police-officer', { stepKind: 'cp_request' }).expect(409);
    expect((pending.body as { detail: string }).detail).toContain('it was asked again already and is pending');

    const { rows } = await stack.pool.query<{ outcome: string; status: number | null }>(
      `SELECT outcome, status FROM audit_events WHERE case_id = $1 AND action = 'case.ask_again' ORDER BY id`,
      [caseId],
    );
    // Every call is audited; the workflow's row (no HTTP status) says it was applied once.
    expect(rows.filter((row) => row.outcome === 'allowed' && row.status === null)).toHaveLength(1);
    expect(rows.map((row) => row.outcome).sort()).toEqual([
      'allowed',
      'allowed',
      'allowed',
      'denied',
      'rejected',
      'rejected',
      'rejected',
    ]);
  });

  test('a case entered after the fact: asked again as of a past day (askedOn), the request is then signed as of its day', async () => {
    const todayOn = await today();
    const identifiedOn = addDays(todayOn, -60);
    const caseId = await openCase(identifiedOn, 'Asked Before Survivor (fictitious)', '1990-04-05');
    const deniedOn = addDays(todayOn, -40);
    await sign(caseId, 'cp_request-1', 'requested', { requestedOn: addDays(todayOn, -55) }, 'demo-police-officer');
    await sign(caseId, 'cp_decision-1', 'denied', { reason: 'other', decidedOn: deniedOn }, 'demo-ice-officer');

    // Before the denial, or after today: refused by the field.
    const early = await askAgain(caseId, 'demo-police-officer', {
      stepKind: 'cp_request',
      askedOn: addDays(deniedOn, -1),
    }).expect(422);
    expect(early.body).toMatchObject({ code: 'date_order' });
    expect((early.body as { errors: { field: string }[] }).errors[0]?.field).toBe('askedOn');
    const askedOn = addDays(todayOn, -20);
    const asked = await askAgain(caseId, 'demo-police-officer', { stepKind: 'cp_request', askedOn }).expect(200);
    const fresh = (asked.body as CaseBody).steps.find((step) => step.id === 'cp_request-2');
    expect(fresh).toMatchObject({ status: 'pending', dueAt: `${addDays(askedOn, 14)}T12:00:00.000Z` });
    await sign(caseId, 'cp_request-2', 'requested', { requestedOn: askedOn }, 'demo-police-officer');
    const after = await readCase(caseId);
    expect(after.steps.find((step) => step.id === 'cp_request-2')?.status).toBe('completed');
  });

  test('a case opened without a U visa: asking for the U certification starts following one, once per key, and the police sign it', async () => {
    const identifiedOn = await today();
    const caseId = await openCase(identifiedOn, 'Later U Visa Survivor (fictitious)', '1992-06-07');
    const onTrack = async () =>
      (
        (await request(stack.app).get('/api/cases?track=u_visa').set(stack.as('coordinator')).expect(200)).body as {
          items: { caseId: string }[];
        }
      ).items.some((item) => item.caseId === caseId);
    expect(await onTrack()).toBe(false);

    // Not before the survivor was identified: refused by the field.
    const early = await askAgain(caseId, 'demo-coordinator', {
      stepKind: 'u_visa_certification',
      askedOn: addDays(identifiedOn, -1),
    }).expect(422);
    expect((early.body as { errors: { field: string }[] }).errors[0]?.field).toBe('askedOn');

    const key = randomUUID();
    const asked = await askAgain(caseId, 'demo-coordinator', { stepKind: 'u_visa_certification' }, key).expect(200);
    const body = asked.body as CaseBody;
    expect(body.steps.find((step) => step.id === 'u_visa_certification-1')).toMatchObject({
      kind: 'u_visa_certification',
      status: 'pending',
      agencyId: DEMO_AGENCIES.law_enforcement,
    });
    expect(body.timeline.at(-1)).toMatchObject({
      type: 'step.asked_again',
      stepId: 'u_visa_certification-1',
      summary: 'u_visa_certification-1 asked for by coordinator: the case now follows a U visa',
    });
    const retried = await askAgain(caseId, 'demo-coordinator', { stepKind: 'u_visa_certification' }, key).expect(200);
    expect(retried.body).toEqual(asked.body);
    const after = await readCase(caseId);
    expect(after.steps.filter((step) => step.kind === 'u_visa_certification')).toHaveLength(1);
    expect(await onTrack()).toBe(true);

    await sign(caseId, 'u_visa_certification-1', 'signed', { signedOn: identifiedOn }, 'demo-police-officer');
    const signed = await readCase(caseId);
    expect(signed.steps.find((step) => step.id === 'u_visa_petition-1')?.status).toBe('pending');
  });

  test('a CP grant ICE corrects to a denial keeps the certification request a bona fide T visa still backs', async () => {
    const on = await today();
    const caseId = await openCase(on, 'Backed Certification Survivor (fictitious)', '1990-06-07');
    await sign(caseId, 'cp_request-1', 'requested', { requestedOn: on }, 'demo-police-officer');
    await sign(caseId, 'cp_decision-1', 'granted', { grantedOn: on, validUntil: addDays(on, 365) }, 'demo-ice-officer');
    await sign(caseId, 't_visa_filing-1', 'filed', { filedOn: on }, 'demo-advocate');
    await sign(caseId, 't_visa_receipt-1', 'received', { receivedOn: on }, 'demo-advocate');
    await sign(caseId, 't_visa_bona_fide-1', 'bona_fide', { determinedOn: on }, 'demo-advocate');

    await request(stack.app)
      .post(`/api/cases/${caseId}/steps/cp_decision-1/corrections`)
      // By the coordinator: ICE does not correct a grant, which opens steps it is not told of (probe Q1).
      .set(stack.users['demo-coordinator']!.headers)
      .set('Idempotency-Key', randomUUID())
      .send({ outcome: 'denied', details: { decidedOn: on, reason: 'other' }, reason: 'typo' })
      .expect(200);

    const view = await readCase(caseId);
    expect(view.steps.find((step) => step.id === 'hhs_certification_request-1')).toMatchObject({ status: 'pending' });
    expect(view.timeline.map((entry) => entry.summary)).not.toContain(
      'hhs_certification_request-1 withdrawn: no longer follows from cp_decision-1 as corrected',
    );
    // Nothing to ask again: the request still stands, and the advocate is told so.
    const asked = await askAgain(caseId, 'demo-advocate', { stepKind: 'hhs_certification_request' }).expect(409);
    expect((asked.body as { detail: string }).detail).toContain('the HHS certification request is still pending');
  });
});
