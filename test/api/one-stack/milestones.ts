/**
 * Milestones (issue 18): an officer or advocate reads how the other agencies' steps their own work depends on went
 * (domain/access.ts `canSeeMilestone`) — kind, status, outcome, dates, signing agency — and nothing else of them: no
 * step id, details, notes, documents, reminders or timeline entries, and no way to act on them. Real parts: the
 * case workflow on the time-skipping Temporal server, PostgreSQL, the demo users (test/support/stack.ts).
 */
import request from 'supertest';
import { CaseViewSchema } from '../../../api/schemas';
import { DEMO_AGENCIES } from '../../../db/seed';
import { addYears, endOfDay } from '../../../domain/dates';
import type { AgencyKind } from '../../../domain/types';
import { needlesIn } from '../../support/scan';
import type { Stack } from '../../support/stack';
import { describeOnSharedStack, sharedStack } from '../../support/shared-stack';

describeOnSharedStack('milestones', () => {
  const SURVIVOR = { name: 'Marisol Ekwueme-Lindqvist', birthDate: '1991-02-17', aNumber: 'A417205938' };
  /** The survivor's identity in the forms it could be written in; the ICE officer's note names her. */
  const NEEDLES = [SURVIVOR.name, 'Marisol', 'Ekwueme', 'Lindqvist', SURVIVOR.birthDate, SURVIVOR.aNumber, '417205938'];
  const NOTE = `Granted for ${SURVIVOR.name}, born ${SURVIVOR.birthDate}`;
  const MILESTONE_FIELDS = [
    'agencyId',
    'completedAt',
    'expiresAt',
    'formerTypedDays',
    'kind',
    'outcome',
    'status',
    'track',
    'typedDay',
  ];

  let stack: Stack;
  let caseId: string;
  let today: string;
  let iceLetterId: string;
  let keys = 0;
  const key = () => `milestones-${(keys += 1)}`;

  type View = ReturnType<typeof CaseViewSchema.parse>;
  /** The case as the user reads it, held to the OpenAPI schema, with the reply's raw text for scanning. */
  async function caseAs(username: string): Promise<{ view: View; text: string }> {
    const res = await request(stack.app).get(`/api/cases/${caseId}`).set(stack.users[username]!.headers).expect(200);
    return { view: CaseViewSchema.parse(res.body), text: res.text };
  }

  const signOff = (kind: AgencyKind, stepId: string, body: object) =>
    request(stack.app)
      .post(`/api/cases/${caseId}/steps/${stepId}/sign-off`)
      .set(stack.as(kind))
      .set('Idempotency-Key', key())
      .send(body);

  beforeAll(async () => {
    stack = sharedStack();
    today = new Date(await stack.env.currentTimeMs()).toISOString().slice(0, 10);
    const opened = await request(stack.app)
      .post('/api/cases')
      .set(stack.as('law_enforcement'))
      .set('Idempotency-Key', key())
      .send({ identifiedOn: today, survivor: SURVIVOR, agencies: DEMO_AGENCIES, usesUVisa: true })
      .expect(201);
    caseId = (opened.body as { caseId: string }).caseId;
    await signOff('law_enforcement', 'cp_request-1', { outcome: 'requested', details: { requestedOn: today } }).expect(
      200,
    );
    // ICE adds its decision letter and grants CP with a note naming the survivor; the police sign the declaration.
    const letter = await request(stack.app)
      .post(`/api/cases/${caseId}/steps/cp_decision-1/documents`)
      .set(stack.as('ice'))
      .attach('file', Buffer.from('%PDF-1.4\n% CP grant\n%%EOF\n'), 'CP grant.pdf')
      .expect(201);
    iceLetterId = (letter.body as { id: string }).id;
    await signOff('ice', 'cp_decision-1', {
      outcome: 'granted',
      details: { grantedOn: today, validUntil: addYears(today, 2), note: NOTE },
    }).expect(200);
    await signOff('law_enforcement', 'le_declaration-1', { outcome: 'signed', details: { signedOn: today } }).expect(
      200,
    );
    // The advocate asks HHS to certify the adult: HHS's letter is now pending.
    await signOff('advocate', 'hhs_certification_request-1', {
      outcome: 'requested',
      details: { requestedOn: today },
    }).expect(200);
  });

  describe('the advocate preparing the T visa', () => {
    it('reads that CP was granted and until when, and that the declaration was signed, by whom', async () => {
      const { view: whole } = await caseAs('demo-coordinator');
      const { view } = await caseAs('demo-advocate');
      // Each milestone says what the whole case says of its step, in these fields alone.
      const asMilestone = (stepId: string) => {
        const { kind, track, status, outcome, completedAt, expiresAt, agencyId, details } = whole.steps.find(
          (step) => step.id === stepId,
        )!;
        // The day typed for it, where its sign-off gave one and it was kept at that day: nothing completedAt does not say.
        const typed = Object.entries(details).find(([field]) => field.endsWith('On'))?.[1];
        const typedDay = typeof typed === 'string' && completedAt?.startsWith(typed) ? typed : null;
        // Never corrected: no day it gave before.
        return { kind, track, status, outcome, completedAt, expiresAt, agencyId, typedDay, formerTypedDays: [] };
      };
      const byKind = new Map(view.milestones.map((milestone) => [milestone.kind, milestone]));
      expect(byKind.get('cp_decision')).toEqual(asMilestone('cp_decision-1'));
      expect(byKind.get('cp_decision')).toMatchObject({
        status: 'completed',
        outcome: 'granted',
        agencyId: DEMO_AGENCIES.ice,
        completedAt: expect.any(String) as unknown,
        // Valid through the day ICE's letter names: it stops at the start of the next.
        expiresAt: endOfDay(addYears(today, 2)),
      });
      expect(byKind.get('le_declaration')).toEqual(asMilestone('le_declaration-1'));
      expect(byKind.get('le_declaration')).toMatchObject({
        status: 'completed',
        outcome: 'signed',
        agencyId: DEMO_AGENCIES.law_enforcement,
      });
      // Still to come: HHS's certification letter and the U-visa certification, pending with no outcome.
      expect(byKind.get('hhs_certification_letter')).toEqual(asMilestone('hhs_certification_letter-1'));
      expect(byKind.get('u_visa_certification')).toMatchObject({ status: 'pending', outcome: null, completedAt: null });
      // Nothing of the steps it does not depend on (the CP request, the identification), nor of its own.
      expect([...byKind.keys()].sort()).toEqual([
        'cp_decision',
        'hhs_certification_letter',
        'le_declaration',
        'u_visa_certification',
      ]);
      for (const milestone of view.milestones) expect(Object.keys(milestone).sort()).toEqual(MILESTONE_FIELDS);
    });

    it("sees no step id, detail, note or timeline entry of those steps, and nothing of the survivor's identity", async () => {
      const { view, text } = await caseAs('demo-advocate');
      expect(view.steps.every((step) => step.agencyId === DEMO_AGENCIES.advocate)).toBe(true);
      const ownSteps = new Set(view.steps.map((step) => step.id));
      expect(view.timeline.filter((entry) => entry.stepId !== null && !ownSteps.has(entry.stepId))).toEqual([]);
      for (const hidden of ['cp_decision-1', 'le_declaration-1', 'u_visa_certification-1', 'grantedOn', 'signedOn'])
        expect({ hidden, found: text.includes(hidden) }).toEqual({ hidden, found: false });
      expect(
        needlesIn(
          NEEDLES.map((needle) => needle.toLowerCase()),
          text,
        ),
      ).toEqual([]);
      // The scan would have found the note: the coordinator, who reads identities, is shown it.
      expect((await caseAs('demo-coordinator')).text).toContain(SURVIVOR.name);
    });

    it("still may not list, open or sign those steps' documents and sign-offs, nor see their reminders", async () => {
      const advocate = stack.as('advocate');
      // A step the advocate does not see is, to it, one the case does not have (test/access/own-stack/hidden-steps.ts).
      await request(stack.app).get(`/api/cases/${caseId}/steps/cp_decision-1/documents`).set(advocate).expect(404);
      const listed = await request(stack.app).get(`/api/cases/${caseId}/documents`).set(advocate).expect(200);
      expect(listed.body).toEqual({ items: [] });
      await request(stack.app).get(`/api/cases/${caseId}/documents/${iceLetterId}`).set(advocate).expect(404);
      await signOff('advocate', 'u_visa_certification-1', { outcome: 'signed', details: { signedOn: today } }).expect(
        404,
      );
      // Reminders of its own steps only (the T-visa filing's), none of the CP validity it now knows of.
      const ownSteps = new Set((await caseAs('demo-advocate')).view.steps.map((step) => step.id));
      const reminders = await request(stack.app).get(`/api/cases/${caseId}/reminders`).set(advocate).expect(200);
      const remindedSteps = (reminders.body as { items: { stepId: string }[] }).items.map((item) => item.stepId);
      expect(remindedSteps.length).toBeGreaterThan(0);
      expect(remindedSteps.filter((stepId) => !ownSteps.has(stepId))).toEqual([]);
    });
  });

  describe('the other roles', () => {
    it('the police officer reads how ICE decided their CP request; HHS reads it too, for the certification', async () => {
      const police = (await caseAs('demo-police-officer')).view.milestones;
      expect(police).toEqual([expect.objectContaining({ kind: 'cp_decision', outcome: 'granted' }) as unknown]);
      const hhs = (await caseAs('demo-hhs-officer')).view.milestones;
      expect(hhs).toEqual([expect.objectContaining({ kind: 'cp_decision', outcome: 'granted' }) as unknown]);
    });

    it('the ICE officer gets no milestones: none of the advocate, law enforcement or HHS steps', async () => {
      const { view } = await caseAs('demo-ice-officer');
      expect(view.milestones).toEqual([]);
      expect(view.steps.map((step) => step.kind)).toEqual(['cp_decision']);
    });

    it('the coordinator and the supervisor see every step as before, and no milestones', async () => {
      const coordinator = (await caseAs('demo-coordinator')).view;
      const supervisor = (await caseAs('demo-supervisor')).view;
      expect(coordinator.milestones).toEqual([]);
      expect(supervisor.milestones).toEqual([]);
      const { rows } = await stack.pool.query<{ n: string }>(
        'SELECT count(*) AS n FROM case_steps WHERE case_id = $1',
        [caseId],
      );
      expect(coordinator.steps).toHaveLength(Number(rows[0]!.n));
      expect(supervisor.steps.map((step) => step.id)).toEqual(coordinator.steps.map((step) => step.id));
    });

    it('a sign-off answers with the milestones of its signer', async () => {
      const signed = await signOff('advocate', 't_visa_filing-1', { outcome: 'filed', details: { filedOn: today } });
      expect(signed.status).toBe(200);
      const kinds = CaseViewSchema.parse(signed.body).milestones.map((milestone) => milestone.kind);
      expect(kinds).toContain('cp_decision');
    });
  });

  describe('an HHS certification', () => {
    it("tells the advocate until when the benefits it opened run, the day its reminders name; nothing of the survivor's", async () => {
      const certified = await signOff('hhs', 'hhs_certification_letter-1', {
        outcome: 'certified',
        details: { eligibilityDate: today },
      });
      expect(certified.status).toBe(200);
      const letter = (await caseAs('demo-coordinator')).view.steps.find(
        (step) => step.id === 'hhs_certification_letter-1',
      )!;
      const endsOn = letter.details['benefitEndsOn'] as string;
      expect(endsOn > today).toBe(true);
      // The letter itself does not expire: its milestone carries the end of the benefits, as its reminders date it.
      expect(letter.expiresAt).toBeNull();
      const { view, text } = await caseAs('demo-advocate');
      expect(view.milestones.find((milestone) => milestone.kind === 'hhs_certification_letter')).toMatchObject({
        status: 'completed',
        outcome: 'certified',
        agencyId: DEMO_AGENCIES.hhs,
        expiresAt: endOfDay(endsOn),
      });
      const reminders = await request(stack.app)
        .get(`/api/cases/${caseId}/reminders`)
        .set(stack.as('advocate'))
        .expect(200);
      const leads = (reminders.body as { items: { about: string; recipientAgencyId: string }[] }).items.filter(
        (item) => item.about === 'benefit_window',
      );
      expect(leads.map((item) => item.recipientAgencyId)).toEqual([DEMO_AGENCIES.advocate]);
      // Still no detail of the letter (its eligibility date, its note) and nothing of the survivor's identity.
      for (const hidden of ['eligibilityDate', 'benefitEndsOn', 'hhs_certification_letter-1'])
        expect({ hidden, found: text.includes(hidden) }).toEqual({ hidden, found: false });
      expect(
        needlesIn(
          NEEDLES.map((needle) => needle.toLowerCase()),
          text,
        ),
      ).toEqual([]);
    });
  });
});
