import { randomUUID } from 'node:crypto';
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Pool } from 'pg';
import { AppError, type ProblemKind } from './errors';
import type { IdentityKeyring } from '../db/identity-cipher';
import { deleteSurvivor, getCase, saveSurvivor, type CaseView } from '../db/read-model';
import { minorTurns18OnFor, validateOpenCase, type OpenCaseInput, type Policy, type Rejection, type RejectionCode, type SignOff } from '../domain';
import type { Actor, CaseAgencies } from '../domain/types';
import { caseWorkflow, closeUpdate, REJECTION_FAILURE_TYPE, signOffUpdate, syncUpdate } from '../workflows/case-workflow';

export interface SurvivorIdentity {
  name: string;
  birthDate: string;
  aNumber?: string;
  contact?: string;
}

export interface OpenCaseRequest {
  reference?: string;
  identifiedOn: string;
  survivor: SurvivorIdentity;
  agencies: CaseAgencies;
  usesUVisa?: boolean;
}

export interface CloseRequest {
  status: 'closed' | 'withdrawn';
  reason: string;
}

/** What each rule's refusal means to an HTTP client. */
const REJECTION_KINDS: Record<RejectionCode, ProblemKind> = {
  case_not_open: 'conflict',
  unknown_step: 'not_found',
  wrong_agency_kind: 'forbidden',
  wrong_agency: 'forbidden',
  role_not_permitted: 'forbidden',
  unknown_outcome: 'unprocessable',
  step_not_pending: 'conflict',
  outcome_not_applicable: 'conflict',
  invalid_details: 'unprocessable',
  date_order: 'unprocessable',
  date_out_of_range: 'unprocessable',
  extension_limit_reached: 'conflict',
  evidence_response_pending: 'conflict',
};

export const workflowIdOf = (caseId: string) => `case-${caseId}`;

function newReference(now: Date): string {
  return `RC-${now.getUTCFullYear()}-${randomUUID().slice(0, 8).toUpperCase()}`;
}

/**
 * The write side of the service: every change goes through the case's workflow, and each command returns the case
 * as the read model shows it afterwards (read-your-writes). The survivor's identity is stored in PostgreSQL only;
 * the workflow gets the case reference, the path and the dates its deadlines need.
 */
export class CaseCommands {
  constructor(
    private readonly deps: {
      client: Client;
      pool: Pool;
      /** Seals the survivor's identity at rest. */
      identityKeyring: IdentityKeyring;
      taskQueue: string;
      policy: () => Policy;
      searchAttributes: boolean;
      historyLimit?: number;
      /** The service's clock; tests pass the time-skipping server's. */
      now?: () => Date | Promise<Date>;
    },
  ) {}

  async open(request: OpenCaseRequest, actor: Actor): Promise<CaseView> {
    const now = (await this.deps.now?.()) ?? new Date();
    const caseId = randomUUID();
    const identifiedAt = `${request.identifiedOn}T00:00:00.000Z`;
    const open: OpenCaseInput = {
      caseId,
      reference: request.reference ?? newReference(now),
      identifiedAt,
      // The workflow learns only the day a minor turns 18 (a deadline), never the birth date.
      minorTurns18On: minorTurns18OnFor(request.survivor.birthDate, identifiedAt),
      agencies: request.agencies,
      usesUVisa: request.usesUVisa ?? false,
      policy: this.deps.policy(),
      openedBy: actor,
    };
    const rejection = validateOpenCase(open, now.toISOString());
    if (rejection) throw rejectionError(rejection);
    await saveSurvivor(this.deps.pool, caseId, request.survivor, this.deps.identityKeyring);
    const handle = await this.deps.client.workflow
      .start(caseWorkflow, {
        workflowId: workflowIdOf(caseId),
        taskQueue: this.deps.taskQueue,
        args: [{ kind: 'open', open, searchAttributes: this.deps.searchAttributes, historyLimit: this.deps.historyLimit }],
      })
      .catch(async (error: unknown) => {
        if (error instanceof WorkflowExecutionAlreadyStartedError) throw new AppError('conflict', 'This case already exists.');
        // No case will ever hold this identity: personal data is not kept for a case that does not exist.
        await deleteSurvivor(this.deps.pool, caseId);
        throw error;
      });
    // Once started the case exists, even if this wait fails: the identity stays with it.
    await handle.executeUpdate(syncUpdate);
    return this.read(caseId);
  }

  async signOff(caseId: string, signOff: SignOff, actor: Actor): Promise<CaseView> {
    const handle = this.deps.client.workflow.getHandle(workflowIdOf(caseId));
    await this.command(caseId, () => handle.executeUpdate(signOffUpdate, { args: [{ signOff, actor }] }));
    return this.read(caseId);
  }

  async close(caseId: string, request: CloseRequest, actor: Actor): Promise<CaseView> {
    const handle = this.deps.client.workflow.getHandle(workflowIdOf(caseId));
    await this.command(caseId, () => handle.executeUpdate(closeUpdate, { args: [{ ...request, actor }] }));
    return this.read(caseId);
  }

  private async read(caseId: string): Promise<CaseView> {
    const view = await getCase(this.deps.pool, caseId);
    if (!view) throw new AppError('not_found', `No case ${caseId}.`);
    return view;
  }

  /** Runs an update and turns the workflow's refusals into application errors with their HTTP meaning. */
  private async command(caseId: string, run: () => Promise<unknown>): Promise<void> {
    try {
      await run();
    } catch (error) {
      if (error instanceof WorkflowNotFoundError || isCompletedWorkflowError(error)) {
        // A closed or withdrawn case's workflow has ended; only the read model still knows the case.
        const view = await getCase(this.deps.pool, caseId);
        if (!view) throw new AppError('not_found', `No case ${caseId}.`);
        throw new AppError('conflict', `The case is ${view.status}.`, { code: 'case_not_open' });
      }
      if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure && error.cause.type === REJECTION_FAILURE_TYPE) {
        throw rejectionError(error.cause.details?.[0] as Rejection);
      }
      throw error;
    }
  }
}

/** A refusal of the case rules as the API answers it (403, 404, 409 or 422, with the field named). */
export function rejectionError(rejection: Rejection): AppError {
  return new AppError(REJECTION_KINDS[rejection.code], rejection.message, {
    code: rejection.code,
    fields: rejection.field ? [{ field: rejection.field, message: rejection.message }] : undefined,
  });
}

/** An update sent to a case whose workflow has ended (closed or withdrawn). */
function isCompletedWorkflowError(error: unknown): boolean {
  return error instanceof Error && /workflow execution already completed/i.test(error.message);
}
