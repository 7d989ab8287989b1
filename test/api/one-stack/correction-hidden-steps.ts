/**
 * A correction's answer tells its corrector nothing of the steps it may not see (outside probe Q1): the police
 * correcting their U certification, ICE its CP grant, get the same answer, status, code and words, in the preview and
 * in the correction itself, whether or not the advocate filed the U petition or asked HHS for its certification (and
 * when), so no bisection of the date, nor a changed outcome, dates a filing (8 U.S.C. 1367). The coordinator, who sees
 * every step, still corrects them, refused by those steps as before. Real parts: the case workflow on the
 * time-skipping Temporal server, PostgreSQL, the demo users (test/support/stack.ts).
 */
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { DEMO_AGENCIES } from '../../../db/seed';
import { addDays, dateOf } from '../../../domain/dates';
import type { Stack } from '../../support/stack';
import { describeOnSharedStack, sharedStack } from '../../support/shared-stack';

describeOnSharedStack('correction-hidden-steps', () => {
  let stack: Stack;
  let now = '';
  beforeAll(async () => {
    stack = sharedStack();
    now = dateOf(new Date(await stack.env.currentTimeMs()).toISOString());
  });

  const headersOf = (user: string) => stack.users[user]!.headers;

  async function openCase(identifiedOn: string, usesUVisa: boolean): Promise<string> {
    const response = await request(stack.app)
      .post('/api/cases')
      .set(headersOf('demo-police-officer'))
      .set('Idempotency-Key', randomUUID())
      .send({
        identifiedOn,
        usesUVisa,
        survivor: { name: 'Test Survivor (fictitious)', birthDate: '1990-04-05' },
        agencies: DEMO_AGENCIES,
        confirmNotDuplicate: true,
      })
      .expect(201);
    return (response.body as { caseId: string }).caseId;
  }

  async function signOff(user: string, caseId: string, stepId: string, body: object): Promise<void> {
    await request(stack.app)
      .post(`/api/cases/${caseId}/steps/${stepId}/sign-off`)
      .set(headersOf(user))
      .set('Idempotency-Key', randomUUID())
      .send(body)
      .expect(200);
  }

  interface Answer {
    status: number;
    body: unknown;
  }

  /** What the caller learns of an answer: its status and body, less what names the request itself. */
  function answerOf(res: request.Response): Answer {
    const body = { ...(res.body as Record<string, unknown>) };
    for (const own of ['instance', 'requestId', 'traceId']) delete body[own];
    return { status: res.status, body };
  }

  async function preview(user: string, caseId: string, stepId: string, body: object): Promise<Answer> {
    return answerOf(
      await request(stack.app)
        .post(`/api/cases/${caseId}/steps/${stepId}/corrections/preview`)
        .set(headersOf(user))
        .send(body),
    );
  }

  async function correct(user: string, caseId: string, stepId: string, body: object): Promise<Answer> {
    return answerOf(
      await request(stack.app)
        .post(`/api/cases/${caseId}/steps/${stepId}/corrections`)
        .set(headersOf(user))
        .set('Idempotency-Key', randomUUID())
        .send(body),
    );
  }

  /** The case's steps and timeline, as its coordinator reads them: unchanged by a refused correction. */
  async function recordOf(caseId: string): Promise<unknown> {
    const res = await request(stack.app).get(`/api/cases/${caseId}`).set(headersOf('demo-coordinator')).expect(200);
    const { steps, timeline, version } = res.body as Record<string, unknown>;
    return { steps, timeline, version };
  }

  /** Every answer the corrector gets for the probes, previews first, then the corrections themselves. */
  async function answers(user: string, caseId: string, stepId: string, probes: object[]): Promise<Answer[]> {
    const previews = [];
    for (const probe of probes) previews.push(await preview(user, caseId, stepId, probe));
    const corrections = [];
    for (const probe of probes) corrections.push(await correct(user, caseId, stepId, probe));
    return [...previews, ...corrections];
  }

  describe('a correction answers its corrector the same whatever the steps it may not see record', () => {
    test("the police's U certification: a U petition filed or not, the bisection of its day gives the same answers", async () => {
      const identifiedOn = addDays(now, -60);
      const signedOn = addDays(now, -50);
      const filedOn = addDays(now, -20);
      const cases: Record<'filed' | 'notFiled', string> = {
        filed: await openCase(identifiedOn, true),
        notFiled: await openCase(identifiedOn, true),
      };
      for (const caseId of Object.values(cases)) {
        await signOff('demo-police-officer', caseId, 'u_visa_certification-1', {
          outcome: 'signed',
          details: { signedOn },
        });
      }
      await signOff('demo-advocate', cases.filed, 'u_visa_petition-1', { outcome: 'filed', details: { filedOn } });

      const probes = [
        ...[-21, -20, -19].map((days) => ({
          outcome: 'signed',
          details: { signedOn: addDays(now, days) },
          reason: 'typo',
        })),
        { outcome: 'declined', details: { reason: 'no_helpfulness' }, reason: 'typo' },
      ];
      // The coordinator sees the petition: the day after its filing is refused on the case where it was filed only.
      const late = probes[2]!;
      expect(await preview('demo-coordinator', cases.filed, 'u_visa_certification-1', late)).toMatchObject({
        status: 422,
        body: { code: 'date_order' },
      });
      expect(await preview('demo-coordinator', cases.notFiled, 'u_visa_certification-1', late)).toMatchObject({
        status: 200,
      });

      const before = await recordOf(cases.notFiled);
      const filed = await answers('demo-police-officer', cases.filed, 'u_visa_certification-1', probes);
      const notFiled = await answers('demo-police-officer', cases.notFiled, 'u_visa_certification-1', probes);
      expect(notFiled).toEqual(filed);
      // Each answer is the coordinator's to give: the same refusal, naming neither the petition nor a day.
      for (const answer of filed) {
        expect(answer).toMatchObject({ status: 403, body: { code: 'coordinator_corrects' } });
        expect(JSON.stringify(answer.body)).not.toMatch(/petition|\d{4}-\d\d-\d\d/);
      }
      expect(await recordOf(cases.notFiled)).toEqual(before);
    });

    test("ICE's CP grant: the advocate's certification request made or not, the answers are the same", async () => {
      const identifiedOn = addDays(now, -60);
      const requestedOn = addDays(now, -20);
      const cases: Record<'requested' | 'notRequested', string> = {
        requested: await openCase(identifiedOn, false),
        notRequested: await openCase(identifiedOn, false),
      };
      for (const caseId of Object.values(cases)) {
        await signOff('demo-police-officer', caseId, 'cp_request-1', {
          outcome: 'requested',
          details: { requestedOn: addDays(now, -50) },
        });
        await signOff('demo-ice-officer', caseId, 'cp_decision-1', {
          outcome: 'granted',
          details: { grantedOn: addDays(now, -45) },
        });
      }
      await signOff('demo-advocate', cases.requested, 'hhs_certification_request-1', {
        outcome: 'requested',
        details: { requestedOn },
      });

      const probes = [
        ...[-21, -20, -19].map((days) => ({
          outcome: 'granted',
          details: { grantedOn: addDays(now, days) },
          reason: 'typo',
        })),
        { outcome: 'denied', details: { reason: 'not_potential_witness' }, reason: 'typo' },
      ];
      expect(await preview('demo-coordinator', cases.requested, 'cp_decision-1', probes[3]!)).toMatchObject({
        status: 409,
        body: { code: 'later_steps_signed' },
      });

      const before = await recordOf(cases.notRequested);
      const requested = await answers('demo-ice-officer', cases.requested, 'cp_decision-1', probes);
      const notRequested = await answers('demo-ice-officer', cases.notRequested, 'cp_decision-1', probes);
      expect(notRequested).toEqual(requested);
      for (const answer of requested) {
        expect(answer).toMatchObject({ status: 403, body: { code: 'coordinator_corrects' } });
      }
      expect(await recordOf(cases.notRequested)).toEqual(before);
    });
  });
});
