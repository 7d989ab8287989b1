/**
 * Correcting a sign-off (`POST /api/cases/{caseId}/steps/{stepId}/corrections`) on real parts: who may (the signing
 * agency within its window, the coordinator at any time) and who may not, what the audit trail and the timeline keep,
 * the reminders that follow the corrected date, the refusals that name the later steps, and the reason kept out of
 * Temporal in plain text. Then in a real browser (Debian's chromium), the console's "Correct" form, checked with axe.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import request from 'supertest';
import { z } from 'zod';
import { CorrectionPreviewSchema, ReminderListSchema } from '../../../api/schemas';
import { DEMO_AGENCIES } from '../../../db/seed';
import { CORRECTION_WINDOW } from '../../../domain/policy';
import { addDays, addYears, dateOf } from '../../../domain/dates';
import { caseStateQuery, workflowIdOf } from '../../../workflows/contract';
import { createConsole } from '../../../web/console';
import { CHROMIUM_PATH } from '../../support/install-browser';
import { signInThroughPage } from '../../support/sign-in-page';
import { eventually, startStack, type Stack } from '../../support/stack';
import { expectAccessible } from '../../support/axe';
import { formatCalendarDay } from '../../../core/people-dates';

describe('corrections', () => {
  type Reminder = z.infer<typeof ReminderListSchema>['items'][number];
  interface StepBody {
    id: string;
    status: string;
    outcome: string | null;
    dueAt: string | null;
    openedAt: string;
    details: Record<string, unknown>;
  }
  interface CaseBody {
    caseId: string;
    version: number;
    steps: StepBody[];
    timeline: { type: string; stepId: string | null; summary: string }[];
  }

  /** The steps a CP grant opens on the adult path, as a preview names them to the coordinator. */
  const GRANT_FOLLOWERS = [
    {
      kind: 'cp_renewal_request',
      agencyKind: 'law_enforcement',
      agencyId: DEMO_AGENCIES.law_enforcement,
      agencyName: 'Demo City Police Department (fictitious)',
    },
    {
      kind: 'hhs_certification_request',
      agencyKind: 'advocate',
      agencyId: DEMO_AGENCIES.advocate,
      agencyName: 'Demo Survivor Legal Advocates (fictitious)',
    },
  ];
  const DAY_MS = 86_400_000;
  const REASON = 'Typed the day of the call, not the day of the request (Jane Example)';

  let stack: Stack;
  let server: Server | undefined;
  let browser: Browser | undefined;
  let base = '';
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((closed) => (server ? server.close(closed) : closed(undefined)));
    await stack?.stop();
  });

  const today = async () => dateOf(new Date(await stack.env.currentTimeMs()).toISOString());
  const headersOf = (user: string) => stack.users[user]!.headers;
  const stepOf = (view: CaseBody, id: string) => view.steps.find((step) => step.id === id)!;

  async function openCase(identifiedOn: string): Promise<CaseBody> {
    const response = await request(stack.app)
      .post('/api/cases')
      .set(headersOf('demo-police-officer'))
      .set('Idempotency-Key', randomUUID())
      .send({
        identifiedOn,
        survivor: { name: 'Test Survivor (fictitious)', birthDate: '1990-04-05' },
        agencies: DEMO_AGENCIES,
        // One fictitious survivor opened again on purpose, not a request sent twice (409 possible_duplicate).
        confirmNotDuplicate: true,
      })
      .expect(201);
    return response.body as CaseBody;
  }

  async function signOff(user: string, caseId: string, stepId: string, body: object): Promise<CaseBody> {
    const response = await request(stack.app)
      .post(`/api/cases/${caseId}/steps/${stepId}/sign-off`)
      .set(headersOf(user))
      .set('Idempotency-Key', randomUUID())
      .send(body)
      .expect(200);
    return response.body as CaseBody;
  }

  function correct(user: string, caseId: string, stepId: string, body: object, key: string = randomUUID()) {
    return request(stack.app)
      .post(`/api/cases/${caseId}/steps/${stepId}/corrections`)
      .set(headersOf(user))
      .set('Idempotency-Key', key)
      .send(body);
  }

  /** The whole case, as its coordinator sees it (an officer sees only the steps of their own agency). */
  async function readCase(caseId: string): Promise<CaseBody> {
    return (await request(stack.app).get(`/api/cases/${caseId}`).set(headersOf('demo-coordinator')).expect(200))
      .body as CaseBody;
  }

  async function reminders(caseId: string, stepId: string): Promise<Reminder[]> {
    const response = await request(stack.app)
      .get(`/api/cases/${caseId}/reminders`)
      .set(headersOf('demo-coordinator'))
      .expect(200);
    return ReminderListSchema.parse(response.body).items.filter((item) => item.stepId === stepId);
  }

  /** A case opened ten days ago whose CP request the police signed as made two days ago; `now`: today. */
  async function requestedTwoDaysAgo(): Promise<{ now: string; opened: string }> {
    const now = await today();
    const opened = (await openCase(addDays(now, -10))).caseId;
    await signOff('demo-police-officer', opened, 'cp_request-1', {
      outcome: 'requested',
      details: { requestedOn: addDays(now, -2) },
    });
    return { now, opened };
  }

  describe('correcting a sign-off through the API', () => {
    let caseId: string;
    let requestedOn: string;

    test('the signing agency corrects a date: the deadline and reminders that follow move, the original stays', async () => {
      const now = await today();
      caseId = (await openCase(addDays(now, -10))).caseId;
      requestedOn = addDays(now, -2);
      await signOff('demo-police-officer', caseId, 'cp_request-1', {
        outcome: 'requested',
        details: { requestedOn, note: 'first note' },
      });
      const dueBefore = stepOf(await readCase(caseId), 'cp_decision-1').dueAt!;
      const before = await reminders(caseId, 'cp_decision-1');
      expect(before.length).toBeGreaterThan(0);

      const key = randomUUID();
      const corrected = addDays(now, -5);
      const response = await correct(
        'demo-police-officer',
        caseId,
        'cp_request-1',
        { outcome: 'requested', details: { requestedOn: corrected }, reason: REASON },
        key,
      ).expect(200);
      const view = response.body as CaseBody;
      const step = stepOf(view, 'cp_request-1');
      expect(step.details).toMatchObject({
        requestedOn: corrected,
        note: 'first note', // no note given: the step keeps its own
        corrections: 1,
        correctionReason: REASON, // opened for one who reads the identity
      });
      expect(step.details['correctedAt']).toEqual(expect.any(String));
      // The decision it opened is due exactly three days sooner (the step keeps the moment it was signed), and its
      // reminders moved with it.
      const movedBy = (from: string, to: string) => Date.parse(to) - Date.parse(from);
      expect(movedBy(dueBefore, stepOf(await readCase(caseId), 'cp_decision-1').dueAt!)).toBe(-3 * DAY_MS);
      const after = await reminders(caseId, 'cp_decision-1');
      expect(after.map((item) => item.kind)).toEqual(before.map((item) => item.kind));
      after.forEach((item, i) => expect(movedBy(before[i]!.at, item.at)).toBe(-3 * DAY_MS));
      // The timeline keeps the original sign-off and says what changed and what moved.
      const timeline = (await readCase(caseId)).timeline;
      const kept = ['step.completed', 'step.corrected', 'step.rescheduled'];
      expect(
        timeline
          .filter((entry) => kept.includes(entry.type) && entry.stepId?.startsWith('cp_'))
          .map((entry) => entry.type),
      ).toEqual(kept);
      expect(timeline.find((entry) => entry.type === 'step.corrected')!.summary).toContain(
        `requestedOn ${requestedOn} → ${corrected}`,
      );
      expect(JSON.stringify(view.timeline)).not.toContain('Jane Example');

      // Retried with its key: applied once.
      const again = await correct(
        'demo-police-officer',
        caseId,
        'cp_request-1',
        { outcome: 'requested', details: { requestedOn: corrected }, reason: REASON },
        key,
      ).expect(200);
      expect(stepOf(again.body as CaseBody, 'cp_request-1').details['corrections']).toBe(1);
      requestedOn = corrected;

      // Audited: the API's row for each request (the retry too) and the workflow's own, once; no word of the reason.
      const audit = await stack.pool.query<{ user_id: string; outcome: string; applied: boolean }>(
        `SELECT user_id, outcome, applied_version IS NOT NULL AS applied, detail FROM audit_events
        WHERE case_id = $1 AND action = 'step.correct' ORDER BY id`,
        [caseId],
      );
      const police = stack.users['demo-police-officer']!.user.id;
      expect(audit.rows.map((row) => [row.user_id, row.outcome, row.applied]).sort()).toEqual([
        [police, 'allowed', false],
        [police, 'allowed', false],
        [police, 'allowed', true],
      ]);
      expect(JSON.stringify(audit.rows)).not.toContain('Jane');
      // The workflow holds the reason sealed: its state, decoded, never shows it.
      const state = await stack.client.workflow.getHandle(workflowIdOf(caseId)).query(caseStateQuery);
      expect(JSON.stringify(state)).not.toContain('Jane Example');
      expect(JSON.stringify(state)).toContain('sealed:');
    });

    test('a correction that moves no date moves no deadline, however long after the sign-off it comes', async () => {
      const now = await today();
      const id = (await openCase(addDays(now, -3))).caseId;
      const details = { requestedOn: addDays(now, -1) };
      await signOff('demo-police-officer', id, 'cp_request-1', { outcome: 'requested', details });
      const dueBefore = stepOf(await readCase(id), 'cp_decision-1').dueAt;
      const remindersBefore = await reminders(id, 'cp_decision-1');

      await stack.env.sleep('53 hours');
      const note = 'Badge number of the requesting officer added';
      await correct('demo-police-officer', id, 'cp_request-1', {
        outcome: 'requested',
        details: { ...details, note },
        reason: REASON,
      }).expect(200);
      const view = await readCase(id);
      expect(stepOf(view, 'cp_request-1').details['note']).toBe(note);
      expect(stepOf(view, 'cp_decision-1').dueAt).toBe(dueBefore);
      expect(await reminders(id, 'cp_decision-1')).toEqual(remindersBefore);
      expect(view.timeline.filter((entry) => entry.type === 'step.corrected')).toHaveLength(1);
      expect(view.timeline.map((entry) => entry.type)).not.toContain('step.rescheduled');
    });

    test('who may not: another agency, a supervisor; one who does not read identities sees the reason withheld', async () => {
      const body = { outcome: 'requested', details: { requestedOn, note: 'x' }, reason: 'not mine' };
      // ICE does not see the police's step: for it the case has no such step.
      const ice = await correct('demo-ice-officer', caseId, 'cp_request-1', body).expect(404);
      expect(ice.body).toMatchObject({ code: 'unknown_step' });
      const supervisor = await correct('demo-supervisor', caseId, 'cp_request-1', body).expect(403);
      expect(supervisor.body).toMatchObject({ code: 'role_not_permitted' });
      const refused = await stack.pool.query<{ outcome: string }>(
        "SELECT outcome FROM audit_events WHERE case_id = $1 AND action = 'step.correct' AND status = 403",
        [caseId],
      );
      expect(refused.rows).toEqual([{ outcome: 'denied' }]);
      const read = await request(stack.app).get(`/api/cases/${caseId}`).set(headersOf('demo-supervisor')).expect(200);
      const details = stepOf(read.body as CaseBody, 'cp_request-1').details;
      expect(details).toMatchObject({ correctionReasonWithheld: true });
      expect(details).not.toHaveProperty('correctionReason');
      // A step never signed, or a correction that changes nothing, is refused naming why.
      const unsigned = await correct('demo-police-officer', caseId, 'le_declaration-1', {
        outcome: 'signed',
        details: { signedOn: requestedOn },
        reason: 'x',
      }).expect(409);
      expect(unsigned.body).toMatchObject({ code: 'not_correctable' });
      // The identification is no sign-off: the refusal says so and what to do instead, at the preview too.
      const identification = {
        outcome: 'completed',
        details: { identifiedOn: requestedOn },
        reason: 'typed the wrong day',
      };
      const why =
        "The identification is not a sign-off and cannot be corrected: the case's path and deadlines were set from it when the case opened. If it was entered wrongly, the case's coordinator withdraws the case (reason: opened in error) and it is opened again with the right identification.";
      const notASignOff = await correct('demo-coordinator', caseId, 'identification-1', identification).expect(409);
      expect(notASignOff.body).toMatchObject({
        code: 'not_correctable',
        detail: why,
        errors: [{ field: 'stepId', message: why }],
      });
      const previewed = await request(stack.app)
        .post(`/api/cases/${caseId}/steps/identification-1/corrections/preview`)
        .set(headersOf('demo-coordinator'))
        .send(identification)
        .expect(409);
      expect(previewed.body).toMatchObject({ code: 'not_correctable', detail: why });
      const same = await correct('demo-police-officer', caseId, 'cp_request-1', {
        outcome: 'requested',
        details: { requestedOn },
        reason: 'again',
      }).expect(422);
      expect(same.body).toMatchObject({
        code: 'invalid_details',
        errors: [
          { field: 'details', message: 'the correction changes nothing: change a date, a detail or the outcome' },
        ],
      });
      const noReason = await correct('demo-police-officer', caseId, 'cp_request-1', {
        outcome: 'requested',
        details: { requestedOn },
      }).expect(422);
      expect(JSON.stringify(noReason.body)).toContain('reason');
    });

    test('a correction later steps contradict is refused naming them; one they allow reopens or withdraws them', async () => {
      const now = await today();
      await signOff('demo-ice-officer', caseId, 'cp_decision-1', { outcome: 'granted', details: { grantedOn: now } });
      // The decision was signed as of today: the request cannot have been made after it.
      const late = await correct('demo-coordinator', caseId, 'cp_request-1', {
        outcome: 'requested',
        details: { requestedOn: addDays(now, 1) },
        reason: 'x',
      }).expect(422);
      expect(late.body).toMatchObject({ code: 'date_order' });
      const earlier = await correct('demo-coordinator', caseId, 'cp_request-1', {
        outcome: 'requested',
        details: { requestedOn: addDays(now, -1) },
        reason: 'the day before',
      }).expect(200);
      expect(stepOf(earlier.body as CaseBody, 'cp_request-1').details['corrections']).toBe(2);

      // The grant opened the renewal request and the certification request; while neither is signed, it may become a
      // denial, by the coordinator: ICE is not told of either, so it does not correct what opens them (probe Q1).
      await correct('demo-coordinator', caseId, 'cp_decision-1', {
        outcome: 'denied',
        details: { reason: 'not_potential_witness' },
        reason: 'entered on the wrong case',
      }).expect(200);
      const view = await readCase(caseId);
      // Opened in error, they go; the timeline keeps their opening and says why they went.
      expect(view.steps.map((step) => step.id)).not.toContain('cp_renewal_request-1');
      expect(view.steps.map((step) => step.id)).not.toContain('hhs_certification_request-1');
      expect(view.timeline.filter((entry) => entry.type === 'step.withdrawn').map((entry) => entry.stepId)).toEqual([
        'cp_renewal_request-1',
        'hhs_certification_request-1',
      ]);
      // A sign-off of a withdrawn step (a form opened before the correction, say) finds a step no longer waiting, not none.
      const withdrawn = await request(stack.app)
        .post(`/api/cases/${caseId}/steps/hhs_certification_request-1/sign-off`)
        .set(headersOf('demo-advocate'))
        .set('Idempotency-Key', randomUUID())
        .send({ outcome: 'requested', details: { requestedOn: now } })
        .expect(409);
      expect(withdrawn.body).toMatchObject({ code: 'step_not_pending', errors: [{ field: 'stepId' }] });
      expect((withdrawn.body as { detail: string }).detail).toContain('withdrawn');
      // Back to granted: they open again, under the same ids.
      const regranted = await correct('demo-coordinator', caseId, 'cp_decision-1', {
        outcome: 'granted',
        details: { grantedOn: now },
        reason: 'it was granted after all',
      }).expect(200);
      expect(regranted.body).toMatchObject({ caseId });
      expect(stepOf(await readCase(caseId), 'hhs_certification_request-1').status).toBe('pending');
      await signOff('demo-advocate', caseId, 'hhs_certification_request-1', {
        outcome: 'requested',
        details: { requestedOn: now },
      });
      const denial = { outcome: 'denied', details: { reason: 'not_potential_witness' }, reason: 'x' };
      const refused = await correct('demo-coordinator', caseId, 'cp_decision-1', denial).expect(409);
      expect(refused.body).toMatchObject({ code: 'later_steps_signed', errors: [{ field: 'outcome' }] });
      expect((refused.body as { detail: string }).detail).toContain('hhs_certification_request-1');
      // ICE does not see the advocate's request: it is refused as it was before the request was made, naming nothing.
      const byIce = await correct('demo-ice-officer', caseId, 'cp_decision-1', denial).expect(403);
      expect(byIce.body).toMatchObject({ code: 'coordinator_corrects' });
      expect((byIce.body as { detail: string }).detail).toContain('a later step of another agency');
      expect((byIce.body as { detail: string }).detail).not.toContain('hhs_certification');
    });

    test('a preview says which pending steps a correction would withdraw, as each reader may be told, and applies nothing', async () => {
      const now = await today();
      const { caseId: previewed } = await openCase(addDays(now, -10));
      await signOff('demo-police-officer', previewed, 'cp_request-1', {
        outcome: 'requested',
        details: { requestedOn: addDays(now, -3) },
      });
      // The grant opened the police's renewal request and the advocate's certification request.
      await signOff('demo-ice-officer', previewed, 'cp_decision-1', {
        outcome: 'granted',
        details: { grantedOn: now },
      });
      const before = await readCase(previewed);
      const denial = {
        outcome: 'denied',
        details: { reason: 'not_potential_witness' },
        reason: 'entered on the wrong case',
      };
      const preview = (user: string, body: object) =>
        request(stack.app)
          .post(`/api/cases/${previewed}/steps/cp_decision-1/corrections/preview`)
          .set(headersOf(user))
          .send(body);

      // ICE sees neither step, nor whether they are still to be made: the coordinator corrects the grant (probe Q1).
      const toIce = await preview('demo-ice-officer', denial).expect(403);
      expect(toIce.body).toMatchObject({ code: 'coordinator_corrects' });
      // The coordinator sees every step: each is named, with the agency that owes it.
      const toCoordinator = await preview('demo-coordinator', denial).expect(200);
      expect(CorrectionPreviewSchema.parse(toCoordinator.body)).toEqual({
        withdraws: GRANT_FOLLOWERS,
        withdrawsUnnamed: false,
        reopens: [],
        reopensUnnamed: false,
        lapses: null,
      });
      // A correction that withdraws nothing (a date moved) says so.
      const redated = await preview('demo-coordinator', {
        outcome: 'granted',
        details: { grantedOn: addDays(now, -1) },
        reason: 'granted the day before',
      }).expect(200);
      expect(redated.body).toEqual({
        withdraws: [],
        withdrawsUnnamed: false,
        reopens: [],
        reopensUnnamed: false,
        lapses: null,
      });
      // Refused as the correction would be: one that changes nothing; a step the caller does not see, not found.
      const unchanged = await preview('demo-coordinator', {
        outcome: 'granted',
        details: { grantedOn: now },
        reason: 'x',
      }).expect(422);
      expect(unchanged.body).toMatchObject({ code: 'invalid_details', errors: [{ field: 'details' }] });
      expect((await preview('demo-police-officer', denial).expect(404)).body).toMatchObject({ code: 'unknown_step' });
      await preview('demo-supervisor', denial).expect(403);

      // Nothing was applied: the case is as it was, the steps still pending.
      const after = await readCase(previewed);
      expect(after.version).toBe(before.version);
      expect(after.steps).toEqual(before.steps);
      expect(after.timeline).toEqual(before.timeline);
    });

    test("a preview of a correction moving a grant's end into the past names the lapse and what it cancels", async () => {
      // Entered after the fact with its right date, the grant runs for a year more; typed two years early, it would
      // have ended two weeks ago.
      const identifiedOn = addDays(await today(), -745);
      const { caseId: id } = await openCase(identifiedOn);
      await signOff('demo-police-officer', id, 'cp_request-1', {
        outcome: 'requested',
        details: { requestedOn: addDays(identifiedOn, 1) },
      });
      await signOff('demo-ice-officer', id, 'cp_decision-1', {
        outcome: 'granted',
        details: { grantedOn: addDays(identifiedOn, 376) },
      });
      const outdated = addDays(identifiedOn, 2);
      const preview = async (user: string, grantedOn: string) =>
        CorrectionPreviewSchema.parse(
          (
            await request(stack.app)
              .post(`/api/cases/${id}/steps/cp_decision-1/corrections/preview`)
              .set(headersOf(user))
              .send({ outcome: 'granted', details: { grantedOn }, reason: 'typed from the wrong letter' })
              .expect(200)
          ).body,
        );
      const grant = { kind: 'cp_decision', agencyKind: 'ice', agencyId: DEMO_AGENCIES.ice };
      expect(await preview('demo-coordinator', outdated)).toEqual({
        withdraws: [],
        withdrawsUnnamed: false,
        reopens: [],
        reopensUnnamed: false,
        lapses: {
          step: { ...grant, agencyName: expect.any(String) as string },
          validUntil: addDays(addYears(outdated, 2), -1),
          cancels: GRANT_FOLLOWERS,
          cancelsUnnamed: false,
        },
      });
      // ICE sees neither step the lapse cancels, nor whether they were still to be made: the coordinator corrects it.
      const toIce = await request(stack.app)
        .post(`/api/cases/${id}/steps/cp_decision-1/corrections/preview`)
        .set(headersOf('demo-ice-officer'))
        .send({ outcome: 'granted', details: { grantedOn: outdated }, reason: 'typed from the wrong letter' })
        .expect(403);
      expect(toIce.body).toMatchObject({ code: 'coordinator_corrects' });
      // A correction that leaves the end ahead brings no lapse.
      expect((await preview('demo-coordinator', addDays(identifiedOn, 370))).lapses).toBeNull();
    });

    test("the README's walk-through, then its correction: the CP request re-dates its decision alone", async () => {
      // CP requested and granted the same day, entered after the fact (both dated at noon of it), the certification
      // requested and certified, the T visa filed; then the README's correction of the request's date.
      const now = await today();
      const walk = (await openCase(addDays(now, -10))).caseId;
      const cpOn = addDays(now, -5);
      await signOff('demo-police-officer', walk, 'cp_request-1', {
        outcome: 'requested',
        details: { requestedOn: cpOn },
      });
      await signOff('demo-ice-officer', walk, 'cp_decision-1', { outcome: 'granted', details: { grantedOn: cpOn } });
      await signOff('demo-advocate', walk, 'hhs_certification_request-1', {
        outcome: 'requested',
        details: { requestedOn: addDays(now, -4) },
      });
      await signOff('demo-hhs-officer', walk, 'hhs_certification_letter-1', {
        outcome: 'certified',
        details: { eligibilityDate: addDays(now, -4) },
      });
      await signOff('demo-advocate', walk, 't_visa_filing-1', {
        outcome: 'filed',
        details: { filedOn: addDays(now, -3) },
      });
      const before = await readCase(walk);
      const cpValidity = async () =>
        (await reminders(walk, 'cp_decision-1')).filter((item) => item.about === 'cp_validity');
      const leadsBefore = await cpValidity();
      expect(leadsBefore.filter((item) => item.kind === 'expiry_reminder')).toHaveLength(3);

      await correct('demo-police-officer', walk, 'cp_request-1', {
        outcome: 'requested',
        details: { requestedOn: addDays(cpOn, -1) },
        reason: 'typed the day after the call',
      }).expect(200);
      const after = await readCase(walk);
      expect(after.steps.map((step) => step.id)).toEqual(before.steps.map((step) => step.id));
      for (const id of ['cp_renewal_request-1', 'hhs_certification_request-1', 'hhs_certification_letter-1']) {
        expect(stepOf(after, id)).toEqual(stepOf(before, id));
      }
      expect(after.timeline.filter((entry) => entry.type === 'step.withdrawn')).toEqual([]);
      expect(await cpValidity()).toEqual(leadsBefore);
      expect(stepOf(after, 'cp_decision-1').openedAt < stepOf(before, 'cp_decision-1').openedAt).toBe(true);

      // The grant is followed by a certification signed since: it stays a grant.
      const denied = await correct('demo-coordinator', walk, 'cp_decision-1', {
        outcome: 'denied',
        details: { reason: 'not_potential_witness' },
        reason: 'entered on the wrong case',
      }).expect(409);
      expect(denied.body).toMatchObject({ code: 'later_steps_signed' });
      expect((denied.body as { detail: string }).detail).toContain('hhs_certification_request-1');
    });

    test('two corrections made from the same reading: the second is refused, not silently laid over the first', async () => {
      const opened = await openCase(await today());
      const on = await today();
      await signOff('demo-police-officer', opened.caseId, 'cp_request-1', {
        outcome: 'requested',
        details: { requestedOn: on },
      });
      const officer = correct('demo-police-officer', opened.caseId, 'cp_request-1', {
        outcome: 'requested',
        details: { requestedOn: on, note: 'officer: requested by phone' },
        reason: 'officer: add how it was requested',
        expectedCorrections: 0,
      });
      const coordinator = correct('demo-coordinator', opened.caseId, 'cp_request-1', {
        outcome: 'requested',
        details: { requestedOn: on, note: 'coordinator: noted the call' },
        reason: 'coordinator: add the call',
        expectedCorrections: 0,
      });
      const answers = await Promise.all([officer, coordinator]);
      expect(answers.map((answer) => answer.status).sort()).toEqual([200, 409]);
      const refused = answers.find((answer) => answer.status === 409)!;
      expect(refused.body).toMatchObject({ code: 'correction_conflict', errors: [{ field: 'expectedCorrections' }] });
      expect(stepOf(await readCase(opened.caseId), 'cp_request-1').details['corrections']).toBe(1);
      // Read again, the correction is made over the first.
      await correct('demo-coordinator', opened.caseId, 'cp_request-1', {
        outcome: 'requested',
        details: { requestedOn: on, note: 'coordinator: noted the call' },
        reason: 'coordinator: add the call',
        expectedCorrections: 1,
      }).expect(200);
      expect(stepOf(await readCase(opened.caseId), 'cp_request-1').details['corrections']).toBe(2);
    });

    test('a CP grant typed a year early, lapsed when its entry session ended, is corrected as the control case has it', async () => {
      // Probe R1: entered after the fact, the grant as typed ends before today, and the end of the entry session (its
      // notice gathers 30 minutes) applies the lapse, cancelling the renewal and certification requests.
      const identifiedOn = addDays(await today(), -745);
      const meant = addDays(identifiedOn, 376);
      const enter = async (grantedOn: string) => {
        const { caseId: id } = await openCase(identifiedOn);
        await signOff('demo-police-officer', id, 'cp_request-1', {
          outcome: 'requested',
          details: { requestedOn: addDays(identifiedOn, 1) },
        });
        await signOff('demo-ice-officer', id, 'cp_decision-1', { outcome: 'granted', details: { grantedOn } });
        return id;
      };
      const lapsing = await enter(addYears(meant, -1));
      const control = await enter(meant);
      await stack.env.sleep('31 minutes');
      const lapsed = await eventually(async () => {
        const view = await readCase(lapsing);
        return stepOf(view, 'cp_decision-1').status === 'expired' ? view : undefined;
      }, 'the grant as typed lapsed when the entry session ended');
      expect(stepOf(lapsed, 'cp_renewal_request-1').status).toBe('cancelled');
      expect(stepOf(lapsed, 'hhs_certification_request-1').status).toBe('cancelled');

      const correction = { outcome: 'granted', details: { grantedOn: meant }, reason: 'typed the year before' };
      // What the lapse cancelled depends on the other agencies' steps: ICE is refused, the coordinator told it by name.
      const toIce = await request(stack.app)
        .post(`/api/cases/${lapsing}/steps/cp_decision-1/corrections/preview`)
        .set(headersOf('demo-ice-officer'))
        .send(correction)
        .expect(403);
      expect(toIce.body).toMatchObject({ code: 'coordinator_corrects' });
      const preview = async (user: string) =>
        CorrectionPreviewSchema.parse(
          (
            await request(stack.app)
              .post(`/api/cases/${lapsing}/steps/cp_decision-1/corrections/preview`)
              .set(headersOf(user))
              .send(correction)
              .expect(200)
          ).body,
        );
      const reopens = (await preview('demo-coordinator')).reopens.map((step) => step.kind);
      expect(reopens).toEqual(['cp_renewal_request', 'hhs_certification_request']);

      const key = randomUUID();
      const first = await correct('demo-coordinator', lapsing, 'cp_decision-1', correction, key).expect(200);
      const corrected = await readCase(lapsing);
      expect(stepOf(corrected, 'cp_decision-1')).toMatchObject({ status: 'completed', details: { grantedOn: meant } });
      // The case's steps as the control case's, whose grant was entered with its right date: the same statuses and dates.
      const standing = ({ details, ...step }: StepBody) => {
        const { correctedAt: _at, corrections: _count, correctionReason: _reason, ...rest } = details;
        return { ...step, details: rest };
      };
      expect(corrected.steps.map(standing)).toEqual((await readCase(control)).steps.map(standing));
      const reopened = corrected.timeline.filter((entry) => entry.type === 'step.reopened');
      expect(reopened.map((entry) => entry.stepId)).toEqual(['cp_renewal_request-1', 'hhs_certification_request-1']);

      // Retried with its key: the same answer, and one correction.
      const again = await correct('demo-coordinator', lapsing, 'cp_decision-1', correction, key).expect(200);
      expect(again.body).toEqual(first.body);
      const timeline = (await readCase(lapsing)).timeline;
      expect(timeline.filter((entry) => entry.type === 'step.corrected')).toHaveLength(1);
    });

    test('a missing reason, an over-long note and a direction override are refused in words, by their field, in the preview too (probe T5)', async () => {
      const { now, opened } = await requestedTwoDaysAgo();
      const changed = { outcome: 'requested', details: { requestedOn: addDays(now, -3) } };
      const refusals: [object, { field: string; message: string }][] = [
        [
          changed,
          {
            field: 'reason',
            message: 'Give the reason for the correction, in your own words (at most 500 characters)',
          },
        ],
        [
          { ...changed, reason: 'r'.repeat(501) },
          { field: 'reason', message: 'The reason for the correction can be at most 500 characters' },
        ],
        [
          { ...changed, details: { ...changed.details, note: 'n'.repeat(501) }, reason: REASON },
          { field: 'details.note', message: 'The note can be at most 500 characters' },
        ],
        // A note keeps its lines but not a direction override, which would reverse what follows it.
        [
          { ...changed, details: { ...changed.details, note: 'first line\nsecond \u202eenil' }, reason: REASON },
          { field: 'details.note', message: expect.stringContaining('without direction controls') as string },
        ],
        [
          { ...changed, reason: 'typo \u202eoyt' },
          { field: 'reason', message: expect.stringContaining('without direction controls') as string },
        ],
      ];
      for (const [body, error] of refusals) {
        for (const path of ['corrections', 'corrections/preview']) {
          const refused = await request(stack.app)
            .post(`/api/cases/${opened}/steps/cp_request-1/${path}`)
            .set(headersOf('demo-police-officer'))
            .set('Idempotency-Key', randomUUID())
            .send(body)
            .expect(422);
          expect((refused.body as { errors: unknown[] }).errors).toEqual([error]);
        }
      }
    });

    test('a date the service cannot read is refused by its field, in the preview too, not answered 500 (probe W2)', async () => {
      const { now, opened } = await requestedTwoDaysAgo();
      await signOff('demo-ice-officer', opened, 'cp_decision-1', { outcome: 'granted', details: { grantedOn: now } });
      // JS cannot read the first three (a RangeError: 500); it half reads the others, as after the decision (date_order).
      for (const requestedOn of ['', ` ${now}`, '12/03/2026', now.slice(0, 8) + '3', 'x']) {
        for (const path of ['corrections', 'corrections/preview']) {
          const refused = await request(stack.app)
            .post(`/api/cases/${opened}/steps/cp_request-1/${path}`)
            .set(headersOf('demo-police-officer'))
            .set('Idempotency-Key', randomUUID())
            .send({ outcome: 'requested', details: { requestedOn }, reason: REASON });
          expect([refused.status, refused.body]).toMatchObject([
            422,
            { code: 'invalid_details', errors: [{ field: 'details.requestedOn' }] },
          ]);
          expect((refused.body as { errors: { message: string }[] }).errors[0]!.message).toMatch(/as YYYY-MM-DD/);
        }
      }
    });

    test('after the window only the coordinator corrects', async () => {
      await stack.env.sleep((CORRECTION_WINDOW.days + 1) * DAY_MS);
      const body = { outcome: 'requested', details: { requestedOn: addDays(requestedOn, 1) }, reason: 'late fix' };
      const police = await correct('demo-police-officer', caseId, 'cp_request-1', body).expect(403);
      expect(police.body).toMatchObject({ code: 'correction_window_closed' });
      const coordinator = await correct('demo-coordinator', caseId, 'cp_request-1', body).expect(200);
      expect(stepOf(coordinator.body as CaseBody, 'cp_request-1').details['corrections']).toBe(3);
    });
  });

  /** The requested-on date the CP request of the case records now. */
  const requestedOnOf = async (caseId: string) => stepOf(await readCase(caseId), 'cp_request-1').details['requestedOn'];

  /** A browser page signed in as the user through the sign-in page. */
  const signedIn = (username: string): Promise<Page> => signInThroughPage(browser!, base, stack, username);

  describe('correcting a sign-off in the console', () => {
    beforeAll(async () => {
      // The console over HTTP on its own port, calling the API as in production; its public origin is that port.
      server = createServer();
      await new Promise<void>((listening) => server!.listen(0, '127.0.0.1', listening));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const secret = 'corrections-test-secret-'.padEnd(40, 'x');
      // The API's clock is the time-skipping server's, as the workflow's is: the console judges a correction's dates
      // against the day it says is today, which the tests above moved on.
      server.on(
        'request',
        stack.appWith({
          console: createConsole({ apiUrl: base, publicBaseUrl: base, secret }),
          now: async () => new Date(await stack.env.currentTimeMs()),
        }),
      );
      browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox'] });
    });

    test('the officer who signed corrects the date with a reason; a missing reason is shown next to its field', async () => {
      const now = await today();
      const { caseId } = await openCase(addDays(now, -10));
      await signOff('demo-police-officer', caseId, 'cp_request-1', {
        outcome: 'requested',
        details: { requestedOn: addDays(now, -2) },
      });

      const page = await signedIn('demo-police-officer');
      await page.goto(`${base}/cases/${caseId}`);
      await page.getByRole('link', { name: 'Correct the sign-off of Continued Presence request' }).click();
      expect(await page.locator('h1').textContent()).toContain('Correct the sign-off');
      // Prefilled with what the step records.
      expect(await page.getByLabel('Requested on (required)').inputValue()).toBe(addDays(now, -2));
      await expectAccessible(page);

      await page.getByLabel('Requested on (required)').fill(addDays(now, -4));
      await page.getByRole('button', { name: 'Continue' }).click();
      expect(await page.getByRole('alert').textContent()).toContain('There is a problem');
      expect(await page.locator('#reason-error').textContent()).toBe('Enter why the sign-off is corrected');
      expect(await page.getByLabel('Why it is corrected (required)').getAttribute('aria-invalid')).toBe('true');
      await expectAccessible(page);

      await page.getByLabel('Why it is corrected (required)').fill('The request went out two days earlier.');
      await page.getByRole('button', { name: 'Continue' }).click();
      // Check your answers: the date in words and the reason, nothing recorded yet; the answers can still change.
      await page
        .getByRole('heading', { name: 'Check your answers: correction of the Continued Presence request' })
        .waitFor();
      const answers = await page.locator('dl.answers').innerText();
      expect(answers).toContain(formatCalendarDay(addDays(now, -4)));
      expect(answers).toContain('The request went out two days earlier.');
      expect(await page.getByText('A correction cannot be undone.').count()).toBe(1);
      expect(await page.getByRole('link', { name: 'Cancel' }).getAttribute('href')).toBe(`/cases/${caseId}`);
      await expectAccessible(page);
      expect(await requestedOnOf(caseId)).toBe(addDays(now, -2));
      await page.getByRole('button', { name: 'Change your answers' }).click();
      expect(new URL(page.url()).search).toBe('');
      expect(await page.getByLabel('Why it is corrected (required)').inputValue()).toBe(
        'The request went out two days earlier.',
      );
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByRole('button', { name: 'Confirm and record the correction' }).click();
      await page.waitForURL((url) => url.pathname === `/cases/${caseId}`);
      expect(await page.locator('body').textContent()).toContain('The correction was recorded.');
      expect(await page.locator('body').textContent()).toContain(
        `Continued Presence request: sign-off corrected by Demo City Police Department (fictitious) (requested on ${formatCalendarDay(addDays(now, -2))} → ${formatCalendarDay(addDays(now, -4))})`,
      );
      await expectAccessible(page);
      await page.context().close();
    });

    test('after its window the officer is told in words, at Continue, that the coordinator corrects it now', async () => {
      const now = await today();
      const { caseId } = await openCase(addDays(now, -10));
      await signOff('demo-police-officer', caseId, 'cp_request-1', {
        outcome: 'requested',
        details: { requestedOn: addDays(now, -2) },
      });
      await stack.env.sleep((CORRECTION_WINDOW.days + 1) * DAY_MS);

      const page = await signedIn('demo-police-officer');
      await page.goto(`${base}/cases/${caseId}/steps/cp_request-1/correct`);
      await page.getByLabel('Requested on (required)').fill(addDays(now, -3));
      await page.getByLabel('Why it is corrected (required)').fill('The request went out a day earlier.');
      // Refused before the check page, as "Confirm" would refuse it: the preview is checked as the correction is.
      await page.getByRole('button', { name: 'Continue' }).click();
      const said = await page.getByRole('alert').innerText();
      expect(await page.getByRole('button', { name: 'Confirm and record the correction' }).count()).toBe(0);
      expect(said).toContain(
        `The time in which your agency may correct this sign-off is over (${CORRECTION_WINDOW.days} days after it ` +
          `was signed, until ${formatCalendarDay(addDays(now, CORRECTION_WINDOW.days))}). Ask the case’s coordinator`,
      );
      expect(said).not.toMatch(/\d{4}-\d\d-\d\d|\b[a-z_]+-\d+\b/);
      await expectAccessible(page);
      expect(await requestedOnOf(caseId)).toBe(addDays(now, -2));
      await page.context().close();
    });
  });
});
