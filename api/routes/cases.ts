/**
 * One case: open it, read it, sign its steps, close it. Reads come from the read model; writes go through the
 * case's workflow (`deps.cases`) and answer with the case as it is afterwards.
 */
import { AppError, type FieldProblem } from '../../app/errors';
import { getCase, getSurvivor } from '../../db/read-model';
import type { Actor } from '../../domain/types';
import { agencyKindOf } from '../actor';
import type { ApiDeps, CaseView } from '../deps';
import { route, type Route } from '../route';
import {
  CaseParamsSchema,
  CaseViewSchema,
  CloseCaseBodySchema,
  OpenCaseRequestSchema,
  SignOffBodySchema,
  StepParamsSchema,
  SurvivorSchema,
  type OpenCaseRequest,
} from '../schemas';

export function caseRoutes(deps: ApiDeps): Route[] {
  const now = () => deps.now?.() ?? new Date();
  const present = (view: CaseView) => withOverdue(view, now());

  const readCase = async (caseId: string): Promise<CaseView> => {
    const view = await getCase(deps.pool, caseId);
    if (!view) throw new AppError('not_found', `No case ${caseId}.`, { code: 'case_not_found' });
    return view;
  };

  return [
    route({
      method: 'post',
      path: '/api/cases',
      tag: 'cases',
      summary: 'Open a case: starts its workflow and answers with the case as the read model shows it.',
      body: OpenCaseRequestSchema,
      idempotent: true,
      responses: {
        201: { description: 'the new case; Location names it', schema: CaseViewSchema },
        403: { description: 'this agency may not open cases', problem: true },
      },
      handle: async ({ body, actor }) => {
        await checkAgencies(deps, body);
        const view = await deps.cases.open(body, actor);
        return { status: 201, body: present(view), headers: { Location: `/api/cases/${view.caseId}` } };
      },
    }),
    route({
      method: 'get',
      path: '/api/cases/:caseId',
      tag: 'cases',
      summary: 'The case with its steps, deadlines and timeline. Never the survivor identity.',
      params: CaseParamsSchema,
      responses: { 200: { description: 'the case', schema: CaseViewSchema }, 404: { description: 'no such case', problem: true } },
      handle: async ({ params }) => ({ status: 200, body: present(await readCase(params.caseId)) }),
    }),
    route({
      method: 'get',
      path: '/api/cases/:caseId/survivor',
      tag: 'cases',
      summary: "The survivor's identity, to the agencies taking part in the case only.",
      params: CaseParamsSchema,
      responses: {
        200: { description: 'the identity', schema: SurvivorSchema },
        403: { description: 'not an agency of this case', problem: true },
        404: { description: 'no such case', problem: true },
      },
      handle: async ({ params, actor }) => {
        const view = await readCase(params.caseId);
        requireParticipant(view, actor);
        const survivor = await getSurvivor(deps.pool, params.caseId, deps.identityKeyring);
        if (!survivor) throw new AppError('not_found', 'No survivor record for this case.', { code: 'survivor_not_found' });
        // Personal data: no shared cache may keep it.
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
      responses: {
        200: { description: 'the case after the sign-off', schema: CaseViewSchema },
        403: { description: 'the step belongs to another agency', problem: true },
        404: { description: 'no such case or step', problem: true },
        409: { description: 'the step or case is not in a state to accept this, or the key is in progress', problem: true },
      },
      handle: async ({ params, body, actor }) => {
        const view = await deps.cases.signOff(params.caseId, { stepId: params.stepId, ...body }, actor);
        return { status: 200, body: present(view) };
      },
    }),
    route({
      method: 'post',
      path: '/api/cases/:caseId/close',
      tag: 'cases',
      summary: 'Close or withdraw a case (its coordinator only); pending steps are cancelled.',
      params: CaseParamsSchema,
      body: CloseCaseBodySchema,
      idempotent: true,
      responses: {
        200: { description: 'the closed case', schema: CaseViewSchema },
        403: { description: "not the case's coordinator", problem: true },
        404: { description: 'no such case', problem: true },
        409: { description: 'the case is already closed, or the key is in progress', problem: true },
      },
      handle: async ({ params, body, actor }) => ({ status: 200, body: present(await deps.cases.close(params.caseId, body, actor)) }),
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

/** Until the access-control issue: only an agency taking part in the case sees who the survivor is. */
function requireParticipant(view: CaseView, actor: Actor): void {
  if (!Object.values(view.agencies).includes(actor.agencyId)) {
    throw new AppError('forbidden', 'Only the agencies taking part in this case may read the survivor identity.', { code: 'not_a_participant' });
  }
}

/** "Overdue" is computed on read, against the API's clock: a pending step whose due date has passed. */
function withOverdue(view: CaseView, now: Date): CaseView {
  const at = now.getTime();
  return {
    ...view,
    steps: view.steps.map((step) => ({ ...step, overdue: step.status === 'pending' && step.dueAt !== null && Date.parse(step.dueAt) < at })),
  };
}
