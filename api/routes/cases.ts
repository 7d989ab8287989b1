/**
 * One case: open it, read it, sign its steps, ask again for a request refused or lapsed, transfer it to another agency, close it. Reads are app/case-reads.ts' (`deps.caseReads`); writes go
 * through the case's workflow (`deps.cases`) and answer with the case as it is afterwards.
 */
import { caseNotOpen, rejectionError } from '../../app/case-commands';
import { showsSealedDetails } from '../../app/step-notes';
import { closeCaseSchema, unknownStep } from '../../domain/case';
import { askAgainSchema, askerRefusal } from '../../domain/ask-again';
import { CORRECTION_WINDOW } from '../../domain/policy';
import { actingRefusal, canSeeStepId, opensCases } from '../../domain/access';
import type { Actor, AgencyKind } from '../../domain/types';
import type { ApiDeps, CaseView } from '../deps';
import { route, type Permission, type Route } from '../route';
import {
  CaseParamsSchema,
  CaseViewSchema,
  CorrectionBodySchema,
  CorrectionPreviewSchema,
  OpenCaseRequestSchema,
  ReminderListSchema,
  SignOffBodySchema,
  StepParamsSchema,
  SurvivorCorrectedSchema,
  SurvivorCorrectionSchema,
  SurvivorRevisionsSchema,
  SurvivorReadSchema,
  SurvivorEnteredSchema,
  SurvivorEntrySchema,
  TransferCaseBodySchema,
} from '../schemas';

/** What the audit row of a write of the identity says of the case's reference: its new one, when it got one. */
function newReferenceNamed(body: unknown): string | undefined {
  const reference = (body as { reference?: unknown } | undefined)?.reference;
  return typeof reference === 'string' ? `new reference ${reference}` : undefined;
}

/** How a sign-off is refused, and its preview the same way (`previewSignOff` runs the sign-off's checks). */
const signOffRefusals = {
  403: { description: 'a step the caller sees that another agency signs, or a role that may not sign', problem: true },
  404: { description: 'no such step the caller may see', problem: true },
  409: {
    description: 'the case is not open (whatever the step), or the step is not in a state to accept this',
    problem: true,
  },
} as const;

/** How a correction is refused, and its preview the same way (`previewCorrection` runs the correction's checks). */
const correctionRefusals = {
  403: {
    description:
      "neither the step's agency (within its window) nor the case's coordinator, or a step whose sign-off may open steps the caller's agency is not told of, which only the coordinator corrects (coordinator_corrects)",
    problem: true,
  },
  404: { description: 'no such step the caller may see', problem: true },
  409: {
    description:
      'the case is not open (whatever the step), the step is not signed, or steps that followed from it were signed (named)',
    problem: true,
  },
  422: { description: 'the corrected sign-off is invalid (the field is named)', problem: true },
} as const;

const OPENS_CASES: Permission = {
  test: opensCases,
  needs: 'an officer of a law-enforcement agency or a coordinator',
};

export function caseRoutes(deps: ApiDeps): Route[] {
  const { caseReads, caseTransfers, survivorRecords } = deps;
  /**
   * Applied after idempotency stored the reply (notes still sealed), so a replayed answer is shown the same way, to a
   * reader who still takes part in the case.
   */
  const revealNotes = (body: unknown, { actor }: { actor: Actor }, replayed: boolean) =>
    replayed ? caseReads.replayShown(body as CaseView, actor) : caseReads.notesShown(body as CaseView, actor);

  /**
   * The API's own check before a command reaches the workflow, whose validator applies the same rule again: the step,
   * unless it is one the actor may not see, which is refused exactly as a step the case does not have (the
   * workflow's own answer): a 403 for one, a 404 for another and a 409 for a withdrawn one would tell ICE, step id by
   * step id, how far a survivor's T visa has gone (8 U.S.C. 1367). A step of a kind the actor sees that the read
   * model does not hold (withdrawn, not projected yet, never opened) is the workflow's to judge.
   * A case that is not open is refused first, whatever the step, as its ended workflow refuses a step it never had:
   * a 404 for a hidden step there and a 409 for an absent one told ICE which T-visa steps a closed case has. Its status
   * is no secret from who sees the case.
   */
  const requireSeenStep = (view: CaseView, actor: Actor, stepId: string) => {
    if (view.status !== 'open') throw caseNotOpen(view.status);
    if (!canSeeStepId(actor, view, stepId)) throw rejectionError(unknownStep(stepId));
    return view.steps.find((candidate) => candidate.id === stepId);
  };
  const requireActing = (view: CaseView, actor: Actor, kind: AgencyKind, what: string) => {
    const refusal = actingRefusal(actor, view.agencies, kind, what);
    if (refusal) throw rejectionError(refusal);
  };
  /** Who may sign the step (and so preview its sign-off): one who sees it, of the agency that owes it. */
  const requireSigner = async (caseId: string, actor: Actor, stepId: string) => {
    const view = await caseReads.case(caseId, actor);
    const step = requireSeenStep(view, actor, stepId);
    if (step) requireActing(view, actor, step.agencyKind, `step ${step.id}`);
  };

  return [
    route({
      method: 'post',
      path: '/api/cases',
      tag: 'cases',
      summary: 'Open a case: starts its workflow and answers with the case as the read model shows it.',
      allow: OPENS_CASES,
      body: OpenCaseRequestSchema,
      idempotent: true,
      audit: 'case.open',
      reveal: revealNotes,
      responses: {
        201: {
          description: 'the new case; Location names it',
          schema: CaseViewSchema,
          headers: { Location: 'the new case: `/api/cases/{caseId}`' },
        },
        403: { description: 'this agency may not open cases', problem: true },
        409: {
          description:
            'reference_taken; or possible_duplicate: your agency has an open case of a survivor with the same name and birth date, identified at the same instant (named by reference); nothing opened, send confirmNotDuplicate: true under a new key if this is another person',
          problem: true,
        },
      },
      handle: async ({ body, actor, operationId }) => {
        await caseReads.checkAgencies(body.agencies);
        const view = await deps.cases.open(body, actor, { operationId });
        deps.metrics?.casesOpened.inc();
        return {
          status: 201,
          body: await caseReads.present(view, actor),
          headers: { Location: `/api/cases/${view.caseId}` },
        };
      },
    }),
    route({
      method: 'get',
      path: '/api/cases/:caseId',
      tag: 'cases',
      summary:
        "The case with its steps, deadlines and timeline, as far as the role sees it, and how the other agencies' steps an officer's or advocate's work depends on went (`milestones`). Never the survivor's identity; a step's note only to those who may read it (an answer that shows one is audited).",
      params: CaseParamsSchema,
      // A note or a correction's reason, shown opened, is sealed like the identity and may name the survivor: the
      // answer that shows any is recorded as `survivor.read` records the identity's (one row, naming the case).
      auditDisclosure: { action: 'case.read_notes', disclosed: (body) => showsSealedDetails(body as CaseView) },
      responses: {
        200: { description: 'the case', schema: CaseViewSchema },
      },
      reveal: revealNotes,
      handle: async ({ params, actor }) => ({
        status: 200,
        body: await caseReads.present(await caseReads.case(params.caseId, actor), actor),
      }),
    }),
    route({
      method: 'get',
      path: '/api/cases/:caseId/reminders',
      tag: 'cases',
      summary:
        "Every reminder, due notice, escalation and expiry of the case, still to come or already raised, in time order; only those of steps the role sees, and a minor's 18th-birthday reminders only to those who may read the identity.",
      params: CaseParamsSchema,
      responses: {
        200: { description: 'the reminders', schema: ReminderListSchema },
        403: { description: 'not an agency of this case', problem: true },
      },
      handle: async ({ params, actor }) => {
        return { status: 200, body: { items: await caseReads.reminders(params.caseId, actor) } };
      },
    }),
    route({
      method: 'get',
      path: '/api/cases/:caseId/survivor',
      tag: 'cases',
      summary:
        "The survivor's identity: only to those working the case for a participating agency, an ICE or HHS officer once their agency has a step on the case (a request reached it); every read is audited.",
      params: CaseParamsSchema,
      audit: 'survivor.read',
      responses: {
        200: { description: 'the identity, and how many corrections it has had', schema: SurvivorReadSchema },
        403: {
          description:
            'not an agency of this case, not one working it (not_permitted_identity), or an ICE or HHS officer whose agency has no step on it yet (identity_not_yet_requested)',
          problem: true,
        },
      },
      handle: async ({ params, actor }) => {
        const survivor = await caseReads.survivor(params.caseId, actor);
        return { status: 200, body: survivor };
      },
    }),
    route({
      method: 'post',
      path: '/api/cases/:caseId/survivor',
      tag: 'cases',
      summary:
        "Correct the survivor's identity (name, A-number, contact, preferred language) as one working the case; what it was is kept, sealed. Send only the fields to change, and `expectedCorrections`, so a correction someone made since you read the identity is not overwritten unseen.",
      params: CaseParamsSchema,
      body: SurvivorCorrectionSchema,
      idempotent: true,
      audit: 'survivor.correct',
      auditDetail: (_query, _params, body) => newReferenceNamed(body),
      // The answer is kept for replay with the identity sealed (the key store is a plain table), opened only for a
      // reader who may still read it: a replay may come after the corrector's access to the case ended.
      reveal: async (body, { params, actor }) => {
        await caseReads.identityCase(params.caseId, actor);
        return survivorRecords.shownAnswer(params.caseId, body as ReturnType<typeof survivorRecords.keptAnswer>);
      },
      responses: {
        200: {
          description: 'the identity as it now is, and the case’s new reference if it got one',
          schema: SurvivorCorrectedSchema,
        },
        403: { description: 'not one working this case', problem: true },
        409: {
          description:
            'a field this correction would change was corrected since `expectedCorrections` (survivor_corrected_meanwhile, naming each): nothing saved; the new reference is taken (reference_taken); or the key is in progress',
          problem: true,
        },
        422: {
          description:
            "the case's reference, or the new one, would say who the survivor is (reference_names_survivor, naming reference): nothing saved",
          problem: true,
        },
      },
      handle: async ({ params, body, actor, operationId }) => {
        const { reference, ...correction } = body;
        const corrected = await survivorRecords.correct(params.caseId, correction, actor, reference, { operationId });
        return { status: 200, body: survivorRecords.keptAnswer(params.caseId, corrected) };
      },
    }),
    route({
      method: 'put',
      path: '/api/cases/:caseId/survivor',
      tag: 'cases',
      summary:
        "Enter the survivor's identity of a case that has none: after PostgreSQL was restored from a backup older than the case (docs/runbook.md), from the agency's own file. The birth date must give the case's path and, for a minor, its 18th birthday. The same identity again is answered 200; another one on record is 409 `survivor_exists`, naming the fields that differ: correct those with POST, except the birth date, which is never corrected (the case is withdrawn as opened in error and opened again). The body may be what GET answers: its `corrections` is ignored.",
      params: CaseParamsSchema,
      body: SurvivorEntrySchema,
      audit: 'survivor.restore',
      auditDetail: (_query, _params, body) => newReferenceNamed(body),
      responses: {
        201: { description: 'the identity, recorded', schema: SurvivorEnteredSchema },
        200: { description: 'the case has this identity already', schema: SurvivorEnteredSchema },
        403: { description: 'not one working this case', problem: true },
        409: {
          description:
            'the case has another identity on record (survivor_exists, naming each field that differs: POST corrects all but birthDate, which is never corrected); or the new reference is taken (reference_taken)',
          problem: true,
        },
        422: {
          description:
            "the birth date does not fit the case; or the case's reference, or the new one, would say who the survivor is (reference_names_survivor, naming reference): nothing saved",
          problem: true,
        },
      },
      handle: async ({ params, body, actor }) => {
        const { corrections: _read, reference: asked, ...identity } = body;
        const { outcome, reference } = await survivorRecords.restore(
          params.caseId,
          identity,
          actor,
          () => deps.cases.minorTurns18On(params.caseId),
          asked,
        );
        return {
          status: outcome === 'recorded' ? 201 : 200,
          body: reference === undefined ? identity : { ...identity, reference },
        };
      },
    }),
    route({
      method: 'get',
      path: '/api/cases/:caseId/survivor/revisions',
      tag: 'cases',
      summary: "The survivor's identity as it was before each correction, newest first; every read is audited.",
      params: CaseParamsSchema,
      audit: 'survivor.read_revisions',
      responses: {
        200: { description: 'the earlier versions', schema: SurvivorRevisionsSchema },
        403: { description: 'not one working this case', problem: true },
      },
      handle: async ({ params, actor }) => ({
        status: 200,
        body: { items: await survivorRecords.revisions(params.caseId, actor) },
      }),
    }),
    route({
      method: 'post',
      path: '/api/cases/:caseId/steps/:stepId/sign-off',
      tag: 'cases',
      summary: 'Sign off a step as its owning agency; answers with the case after the workflow applied it.',
      params: StepParamsSchema,
      body: SignOffBodySchema,
      idempotent: true,
      audit: 'step.sign_off',
      reveal: revealNotes,
      responses: {
        200: { description: 'the case after the sign-off', schema: CaseViewSchema },
        ...signOffRefusals,
        409: { description: `${signOffRefusals[409].description}, or the key is in progress`, problem: true },
      },
      handle: async ({ params, body, actor, operationId }) => {
        await requireSigner(params.caseId, actor, params.stepId);
        const view = await deps.cases.signOff(params.caseId, { stepId: params.stepId, ...body }, actor, {
          operationId,
        });
        const signed = view.steps.find((candidate) => candidate.id === params.stepId);
        if (signed) deps.metrics?.signOffs.inc({ step_kind: signed.kind });
        return { status: 200, body: await caseReads.present(view, actor) };
      },
    }),
    route({
      method: 'post',
      path: '/api/cases/:caseId/steps/:stepId/sign-off/preview',
      tag: 'cases',
      summary:
        'Whether a sign-off would be taken, before it is sent: the same body, the same access and the same checks as ' +
        "the sign-off (the workflow's own rules, refused with the same answers), nothing recorded and no " +
        'Idempotency-Key. The web console judges its form by it before its check page.',
      params: StepParamsSchema,
      body: SignOffBodySchema,
      responses: { 204: { description: 'the sign-off would be taken' }, ...signOffRefusals },
      handle: async ({ params, body, actor }) => {
        await requireSigner(params.caseId, actor, params.stepId);
        await deps.cases.previewSignOff(params.caseId, { stepId: params.stepId, ...body }, actor);
        return { status: 204, body: null };
      },
    }),
    route({
      method: 'post',
      path: '/api/cases/:caseId/steps/:stepId/corrections',
      tag: 'cases',
      summary:
        `Correct a signed step: its agency within ${CORRECTION_WINDOW.days} days of the sign-off, the case coordinator at any time. The ` +
        'timeline keeps the original and says what changed; deadlines and reminders that follow from it move.',
      params: StepParamsSchema,
      body: CorrectionBodySchema,
      idempotent: true,
      audit: 'step.correct',
      reveal: revealNotes,
      responses: {
        200: { description: 'the case after the correction', schema: CaseViewSchema },
        ...correctionRefusals,
        409: { description: `${correctionRefusals[409].description}, or the key is in progress`, problem: true },
      },
      handle: async ({ params, body, actor, operationId }) => {
        requireSeenStep(await caseReads.case(params.caseId, actor), actor, params.stepId);
        const view = await deps.cases.correct(params.caseId, { stepId: params.stepId, ...body }, actor, {
          operationId,
        });
        return { status: 200, body: await caseReads.present(view, actor) };
      },
    }),
    route({
      method: 'post',
      path: '/api/cases/:caseId/steps/:stepId/corrections/preview',
      tag: 'cases',
      summary:
        'What a correction would withdraw, before it is made: the same body and the same checks as the correction ' +
        '(refused with the same answers), nothing recorded and no Idempotency-Key. Answers the pending steps of other ' +
        'agencies that confirming it would withdraw, and the ones it would make needed again, as the caller may be told of ' +
        'them; once it is made, those agencies are emailed that it is no longer needed, or needed again, and see it in ' +
        "the case's timeline. A correction that moves a validity's end into the past answers the lapse it brings and " +
        'what that lapse cancels (`lapses`).',
      params: StepParamsSchema,
      body: CorrectionBodySchema,
      responses: {
        200: { description: 'what the correction would withdraw', schema: CorrectionPreviewSchema },
        ...correctionRefusals,
      },
      handle: async ({ params, body, actor }) => {
        requireSeenStep(await caseReads.case(params.caseId, actor), actor, params.stepId);
        const preview = await deps.cases.previewCorrection(params.caseId, { stepId: params.stepId, ...body }, actor);
        return { status: 200, body: preview };
      },
    }),
    route({
      method: 'post',
      path: '/api/cases/:caseId/close',
      tag: 'cases',
      summary: 'Close or withdraw a case (its coordinator only); pending steps are cancelled.',
      params: CaseParamsSchema,
      body: closeCaseSchema(),
      idempotent: true,
      audit: 'case.close',
      reveal: revealNotes,
      responses: {
        200: { description: 'the closed case', schema: CaseViewSchema },
        403: { description: "not the case's coordinator", problem: true },
        409: { description: 'the case is already closed, or the key is in progress', problem: true },
      },
      handle: async ({ params, body, actor, operationId }) => {
        requireActing(await caseReads.case(params.caseId, actor), actor, 'coordinator', 'closing a case');
        return {
          status: 200,
          body: await caseReads.present(await deps.cases.close(params.caseId, body, actor, { operationId }), actor),
        };
      },
    }),
    route({
      method: 'post',
      path: '/api/cases/:caseId/transfers',
      tag: 'cases',
      summary:
        "Transfer the case's agency of a kind (police department, ICE, HHS, legal provider) to another agency of that kind (its coordinator only): the new agency gets its pending steps and reminders, the old one loses access at once, and both are told by email (the case reference only).",
      params: CaseParamsSchema,
      body: TransferCaseBodySchema,
      idempotent: true,
      audit: 'case.transfer',
      reveal: revealNotes,
      responses: {
        200: { description: 'the case after the transfer', schema: CaseViewSchema },
        403: { description: "not the case's coordinator", problem: true },
        409: {
          description:
            'the case is closed, `fromAgencyId` no longer has the role (`transferred_meanwhile`), or the key is in progress',
          problem: true,
        },
      },
      handle: async ({ params, body, actor, operationId }) => {
        const before = await caseReads.case(params.caseId, actor);
        requireActing(before, actor, 'coordinator', 'transferring a case');
        await caseTransfers.checkTarget(body);
        const view = await deps.cases.transfer(params.caseId, body, actor, { operationId });
        return { status: 200, body: await caseReads.present(view, actor) };
      },
    }),
    route({
      method: 'post',
      path: '/api/cases/:caseId/ask-again',
      tag: 'cases',
      summary:
        'Ask again for a request whose track ended without it: Continued Presence denied, lapsed or its renewal denied (`cp_request`), an ' +
        "adult's certification denied or its request withdrawn, while a qualifying event holds (`hhs_certification_request`), a U certification " +
        '(`u_visa_certification`) or a declaration (`le_declaration`) declined. Opens a ' +
        'fresh step with its deadline and reminders from the policy; never by itself, so a survivor who is no longer ' +
        'a witness is not chased. On a case that does not follow a U visa, `u_visa_certification` starts following one ' +
        '(an attorney often decides on it after the case was opened): its certification opens as on a case opened ' +
        "with `usesUVisa`. The case's coordinator, or an officer of the agency that owns the request. " +
        'A case entered after the fact gives `askedOn`, the day it was asked: the step opens as of that day, its ' +
        'deadline counts from it and the reminders already passed are told once, as for any entry after the fact.',
      params: CaseParamsSchema,
      body: askAgainSchema(),
      idempotent: true,
      audit: 'case.ask_again',
      reveal: revealNotes,
      responses: {
        200: { description: 'the case with the new request pending', schema: CaseViewSchema },
        403: { description: "neither the case's coordinator nor the agency that owns the request", problem: true },
        409: {
          description:
            'nothing to ask again (nothing_to_ask_again, saying why: a request pending, a grant in force, nothing ' +
            'refused, the minor path), the case is closed, or the key is in progress',
          problem: true,
        },
        422: {
          description:
            'the body violates the schema or the case rules, the errors naming each field: `askedOn` after today ' +
            'where the asker works, or before the track ended or, starting a U visa, the identification (date_order)',
          problem: true,
        },
      },
      handle: async ({ params, body, actor, operationId }) => {
        const before = await caseReads.case(params.caseId, actor);
        const refusal = askerRefusal(actor, before.agencies, body.stepKind);
        if (refusal) throw rejectionError(refusal);
        const view = await deps.cases.askAgain(params.caseId, body, actor, { operationId });
        return { status: 200, body: await caseReads.present(view, actor) };
      },
    }),
  ];
}
