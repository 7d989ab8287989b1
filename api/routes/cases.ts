/**
 * One case: open it, read it, sign its steps, close it. Reads come from the read model; writes go through the
 * case's workflow (`deps.cases`) and answer with the case as it is afterwards.
 */
import { rejectionError, type OpenCaseRequest } from '../../app/case-commands';
import { CloseCaseSchema } from '../../domain/case';
import { AppError, type FieldProblem } from '../../core/errors';
import { agencyKindOf } from '../../db/agencies';
import { getCase, getSurvivor } from '../../db/read-model';
import { listCaseReminders, type Reminder } from '../../db/reminders';
import { caseNotesShown } from '../step-notes';
import { BIRTH_DATE_SUBJECTS } from '../../domain/alarms';
import { actingRefusal, canReadSurvivor, canSeeCase, canSeeStep, CASE_OPENERS, works } from '../../domain/access';
import type { Actor, AgencyKind } from '../../domain/types';
import type { ApiDeps, CaseView } from '../deps';
import { route, type Permission, type Route } from '../route';
import {
  CaseParamsSchema,
  CaseViewSchema,
  OpenCaseRequestSchema,
  ReminderListSchema,
  SignOffBodySchema,
  StepParamsSchema,
  SurvivorSchema,
} from '../schemas';

const OPENS_CASES: Permission = {
  test: (actor) => works(actor) && CASE_OPENERS.includes(actor.agencyKind),
  needs: 'an officer of a law-enforcement agency or a coordinator',
};

export function caseRoutes(deps: ApiDeps): Route[] {
  const now = () => deps.now?.() ?? new Date();
  /** The case as this actor may see it, with `overdue` computed on read. */
  const present = (view: CaseView, actor: Actor) => withOverdue(visibleTo(view, actor), now());

  /** Applied after idempotency stored the reply (notes still sealed), so a replayed answer is shown the same way. */
  const revealNotes = (body: unknown, { actor }: { actor: Actor }): CaseView => {
    const view = body as CaseView;
    return caseNotesShown(view, canReadSurvivor(actor, view.agencies), deps.identityKeyring);
  };

  /** The case, if it exists and the actor's agency takes part in it with a role that sees cases. */
  const readCase = async (caseId: string, actor: Actor): Promise<CaseView> => {
    const view = await getCase(deps.pool, caseId);
    if (!view) throw new AppError('not_found', `No case ${caseId}.`, { code: 'case_not_found' });
    if (!canSeeCase(actor, view.agencies)) {
      throw new AppError('forbidden', 'Your agency does not take part in this case, or your role does not see cases.', { code: 'not_a_participant' });
    }
    return view;
  };

  /** The API's own check before a command reaches the workflow, whose validator applies the same rule again. */
  const requireActing = (view: CaseView, actor: Actor, kind: AgencyKind, what: string) => {
    const refusal = actingRefusal(actor, view.agencies, kind, what);
    if (refusal) throw rejectionError(refusal);
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
        201: { description: 'the new case; Location names it', schema: CaseViewSchema },
        403: { description: 'this agency may not open cases', problem: true },
      },
      handle: async ({ body, actor, operationId }) => {
        await checkAgencies(deps, body);
        const view = await deps.cases.open(body, actor, { operationId });
        return { status: 201, body: present(view, actor), headers: { Location: `/api/cases/${view.caseId}` } };
      },
    }),
    route({
      method: 'get',
      path: '/api/cases/:caseId',
      tag: 'cases',
      summary: "The case with its steps, deadlines and timeline, as far as the role sees it. Never the survivor's identity; a step's note only to those who may read it.",
      params: CaseParamsSchema,
      responses: { 200: { description: 'the case', schema: CaseViewSchema }, 404: { description: 'no such case', problem: true } },
      reveal: revealNotes,
      handle: async ({ params, actor }) => ({ status: 200, body: present(await readCase(params.caseId, actor), actor) }),
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
        404: { description: 'no such case', problem: true },
      },
      handle: async ({ params, actor }) => {
        const view = visibleTo(await readCase(params.caseId, actor), actor);
        const reminders = await listCaseReminders(deps.pool, params.caseId);
        return { status: 200, body: { items: reminders.filter(visibleReminder(view, actor)).map(reminderItem) } };
      },
    }),
    route({
      method: 'get',
      path: '/api/cases/:caseId/survivor',
      tag: 'cases',
      summary: "The survivor's identity: only to those working the case for a participating agency; every read is audited.",
      params: CaseParamsSchema,
      audit: 'survivor.read',
      responses: {
        200: { description: 'the identity', schema: SurvivorSchema },
        403: { description: 'not an agency of this case', problem: true },
        404: { description: 'no such case', problem: true },
      },
      handle: async ({ params, actor }) => {
        const view = await readCase(params.caseId, actor);
        if (!canReadSurvivor(actor, view.agencies)) {
          throw new AppError('forbidden', "Only those working the case may read the survivor's identity.", { code: 'not_permitted_identity' });
        }
        const survivor = await getSurvivor(deps.pool, params.caseId, deps.identityKeyring);
        if (!survivor) throw new AppError('not_found', 'No survivor record for this case.', { code: 'survivor_not_found' });
        // Personal data: no cache may keep it.
        return { status: 200, body: survivor, headers: { 'Cache-Control': 'no-store' } };
      },
    }),
    route({
      method: 'post',
      path: '/api/cases/:caseId/steps/:stepId/sign-off',
      tag: 'cases',
      summary: "Sign off a step as its owning agency; answers with the case after the workflow applied it.",
      params: StepParamsSchema,
      body: SignOffBodySchema,
      idempotent: true,
      audit: 'step.sign_off',
      reveal: revealNotes,
      responses: {
        200: { description: 'the case after the sign-off', schema: CaseViewSchema },
        403: { description: 'the step belongs to another agency', problem: true },
        404: { description: 'no such case or step', problem: true },
        409: { description: 'the step or case is not in a state to accept this, or the key is in progress', problem: true },
      },
      handle: async ({ params, body, actor, operationId }) => {
        const before = await readCase(params.caseId, actor);
        const step = before.steps.find((candidate) => candidate.id === params.stepId);
        if (step) requireActing(before, actor, step.agencyKind, `step ${step.id}`);
        const view = await deps.cases.signOff(params.caseId, { stepId: params.stepId, ...body }, actor, { operationId });
        return { status: 200, body: present(view, actor) };
      },
    }),
    route({
      method: 'post',
      path: '/api/cases/:caseId/close',
      tag: 'cases',
      summary: 'Close or withdraw a case (its coordinator only); pending steps are cancelled.',
      params: CaseParamsSchema,
      body: CloseCaseSchema,
      idempotent: true,
      audit: 'case.close',
      reveal: revealNotes,
      responses: {
        200: { description: 'the closed case', schema: CaseViewSchema },
        403: { description: "not the case's coordinator", problem: true },
        404: { description: 'no such case', problem: true },
        409: { description: 'the case is already closed, or the key is in progress', problem: true },
      },
      handle: async ({ params, body, actor, operationId }) => {
        requireActing(await readCase(params.caseId, actor), actor, 'coordinator', 'closing a case');
        return { status: 200, body: present(await deps.cases.close(params.caseId, body, actor, { operationId }), actor) };
      },
    }),
  ];
}

/** Every organisation named on a new case must exist and be of the kind it stands for. */
async function checkAgencies(deps: ApiDeps, request: OpenCaseRequest): Promise<void> {
  const problems: FieldProblem[] = [];
  for (const [kind, agencyId] of Object.entries(request.agencies)) {
    const actual = await agencyKindOf(deps.pool, agencyId);
    if (!actual) problems.push({ field: `agencies.${kind}`, message: `unknown agency ${agencyId}` });
    else if (actual !== kind) problems.push({ field: `agencies.${kind}`, message: `agency ${agencyId} is a ${actual} agency, not ${kind}` });
  }
  if (problems.length > 0) throw new AppError('unprocessable', 'The case names agencies that cannot take these roles.', { code: 'invalid_agencies', fields: problems });
}

/** An officer or advocate sees their own agency's steps and what concerns the whole case; oversight sees all. */
function visibleTo(view: CaseView, actor: Actor): CaseView {
  const steps = view.steps.filter((step) => canSeeStep(actor, step));
  if (steps.length === view.steps.length) return view;
  const visible = new Set(steps.map((step) => step.id));
  return { ...view, steps, timeline: view.timeline.filter((entry) => entry.stepId === null || visible.has(entry.stepId)) };
}

/**
 * A reminder is seen with its step. One whose date derives from a birth date is seen only by those who may read the
 * identity it derives from; for everyone else it does not exist, whether to come or raised.
 */
function visibleReminder(view: CaseView, actor: Actor): (reminder: Reminder) => boolean {
  const visibleSteps = new Set(view.steps.map((step) => step.id));
  const readsIdentity = canReadSurvivor(actor, view.agencies);
  return (reminder) => visibleSteps.has(reminder.stepId) && (readsIdentity || !BIRTH_DATE_SUBJECTS.has(reminder.about));
}

function reminderItem({ at, kind, stepId, stepKind, about, recipientAgencyId, status }: Reminder) {
  return { at, kind, stepId, stepKind, about, recipientAgencyId, status };
}

/** "Overdue" is computed on read, against the API's clock: a pending step whose due date has passed. */
function withOverdue(view: CaseView, now: Date): CaseView {
  const at = now.getTime();
  return {
    ...view,
    steps: view.steps.map((step) => ({ ...step, overdue: step.status === 'pending' && step.dueAt !== null && Date.parse(step.dueAt) < at })),
  };
}
