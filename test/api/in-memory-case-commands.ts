/**
 * A stand-in for the WRITE side only (app/case-commands.ts runs these through the Temporal workflow; the lead's
 * end-to-end tests cover that path). It applies the real domain rules and projects into the real read model, so the
 * API under test reads real rows from a real PostgreSQL. `gate` lets a test hold a command mid-flight.
 */
import type { Pool } from 'pg';
import type { CaseCommands, CaseView } from '../../api/deps';
import type { CloseCaseBody, OpenCaseRequest } from '../../api/schemas';
import { AppError } from '../../app/errors';
import { getCase, projectCase, saveSurvivor } from '../../db/read-model';
import {
  applyClose,
  applySignOff,
  minorTurns18OnFor,
  openCase,
  snapshotOf,
  validateClose,
  validateSignOff,
  type CaseState,
  type Rejection,
  type SignOff,
} from '../../domain';
import type { Actor } from '../../domain/types';

const KINDS: Partial<Record<Rejection['code'], 'forbidden' | 'conflict' | 'not_found'>> = {
  wrong_agency_kind: 'forbidden',
  wrong_agency: 'forbidden',
  unknown_step: 'not_found',
  step_not_pending: 'conflict',
  case_not_open: 'conflict',
};

export class InMemoryCaseCommands implements CaseCommands {
  private readonly states = new Map<string, CaseState>();
  private counter = 0;
  /** Commands run so far: a replayed request must not add one. */
  calls = 0;
  /** The actor of the last command, to show what the API hands the write side. */
  lastActor: Actor | undefined;
  /** When set, the next command fails with it (a fault of ours, not a refusal). */
  failNext: Error | undefined;
  /** When set, each command waits for it after announcing itself through `entered`. */
  gate: { entered: () => void; release: Promise<void> } | undefined;

  constructor(
    private readonly pool: Pool,
    private readonly now: () => Date,
  ) {}

  async open(request: OpenCaseRequest, actor: Actor): Promise<CaseView> {
    await this.enter(actor);
    this.counter += 1;
    const caseId = `00000000-0000-4000-8000-${String(this.counter).padStart(12, '0')}`;
    const identifiedAt = `${request.identifiedOn}T00:00:00.000Z`;
    const state = openCase(
      {
        caseId,
        reference: request.reference ?? `RC-TEST-${this.counter}`,
        identifiedAt,
        minorTurns18On: minorTurns18OnFor(request.survivor.birthDate, identifiedAt),
        agencies: request.agencies,
        usesUVisa: request.usesUVisa ?? false,
        openedBy: actor,
      },
      this.now().toISOString(),
    );
    await saveSurvivor(this.pool, caseId, request.survivor);
    return this.store(state);
  }

  async signOff(caseId: string, signOff: SignOff, actor: Actor): Promise<CaseView> {
    await this.enter(actor);
    const state = this.stateOf(caseId);
    const now = this.now().toISOString();
    throwIfRejected(validateSignOff(state, signOff, actor, now));
    return this.store(applySignOff(state, signOff, actor, now));
  }

  async close(caseId: string, command: CloseCaseBody, actor: Actor): Promise<CaseView> {
    await this.enter(actor);
    const state = this.stateOf(caseId);
    const now = this.now().toISOString();
    throwIfRejected(validateClose(state, { ...command, actor }, now));
    return this.store(applyClose(state, { ...command, actor }, now));
  }

  private async enter(actor: Actor): Promise<void> {
    this.calls += 1;
    this.lastActor = actor;
    const failure = this.failNext;
    this.failNext = undefined;
    if (failure) throw failure;
    if (this.gate) {
      this.gate.entered();
      await this.gate.release;
    }
  }

  private stateOf(caseId: string): CaseState {
    const state = this.states.get(caseId);
    if (!state) throw new AppError('not_found', 'No such case.');
    return state;
  }

  private async store(state: CaseState): Promise<CaseView> {
    this.states.set(state.caseId, state);
    await projectCase(this.pool, snapshotOf(state));
    const view = await getCase(this.pool, state.caseId);
    if (!view) throw new Error('projection did not land');
    return view;
  }
}

function throwIfRejected(rejection: Rejection | null): void {
  if (!rejection) return;
  throw new AppError(KINDS[rejection.code] ?? 'unprocessable', rejection.message, {
    code: rejection.code,
    fields: rejection.field ? [{ field: rejection.field, message: rejection.message }] : undefined,
  });
}
