/**
 * The steps a command opened that wait on another agency than the one that gave it: a CP request's decision reaching
 * ICE, a certification request's letter reaching HHS, a T-visa filing reaching the advocate with the case's opening.
 * Each is recorded as the command's projection is written (db/read-model.ts `projectCase`, one row per step in the same
 * statement), and told to its agency by email within minutes, gathered into one email per agency (kind `step_opened`,
 * workflows/opened-step-notices.ts): before, an agency learned of it from its inbox or from the reminder days before
 * its due date. Read from the projection alone (the snapshot and the command that produced it), so no workflow
 * changes.
 *
 * Not told:
 * - a step the acting agency opened for itself (the police's CP request and declaration on the case they open): it
 *   knows, having just acted, and its inbox lists them; an email would be noise;
 * - steps opened by a command entered after the fact (its timeline entry says "happened on …, recorded on …",
 *   domain/case.ts `recordedLate`): the request reached the agency outside the service on that past day, and the
 *   notice of what passed tells what fell due meanwhile;
 * - steps opened by a correction (its own "Now needed" email, `step_reopened`), by an alarm or an event no one
 *   entered (their reminders), by a transfer (its own email lists them);
 * - a renewal request a grant opens (`TOLD_AT_THE_LEAD`): due as the grant ends, up to two years on, it is asked for
 *   by the grant's expiry reminders at their lead (120 days for CP); told at the grant, it would be noise;
 * - a step needed again after its kind's earlier step was cancelled (the HHS certification letter a CP grant makes
 *   needed again once a T-visa denial withdrew the first): its "Needed again" email (`step_reopened`) tells it.
 */
import { knowsOfStepKind } from './access';
import type { CaseProjection } from './alarms';
import { recordedLateIn, SIGN_OFF_ENTRIES } from './case';
import type { Actor, AppliedCommand, Step, StepKind } from './types';

/** Steps owed before a grant ends, asked for by its expiry reminders rather than when the grant opens them. */
const TOLD_AT_THE_LEAD: ReadonlySet<StepKind> = new Set(['cp_renewal_request']);

/** What the outbox rows of these notices (one email per agency, gathered) name as their kind. */
export const STEP_OPENED_NOTICE = 'step_opened';

/** A step to tell its agency, with the timeline entry that opened it and what opened it. */
export interface OpenedStepToTell {
  /**
   * The `seq` of the timeline entry that opened it: with the case and the step, the key of its record, so a retried
   * projection (a worker that died mid-way, a command retried) records nothing more, and a step opened again under the
   * same id is told again.
   */
  openedSeq: number;
  step: Step & { agencyId: string };
  /** Who acted: the user and the agency they acted for. */
  actor: Actor;
  /**
   * The step whose sign-off opened it, named to the recipient only when it may know of that step (`knowsOfStepKind`:
   * a T or U petition is never told to the police); absent too for a step asked for again.
   */
  openedByKind?: StepKind;
}

/** The index of the last entry `matches`, -1 for none (the lib this builds against has no `findLastIndex`). */
function lastIndexWhere<T>(items: readonly T[], matches: (item: T) => boolean): number {
  let index = items.length - 1;
  while (index >= 0 && !matches(items[index]!)) index -= 1;
  return index;
}

/** The timeline entry that records what the command did, and the step it is about; undefined when none is kept. */
function commandEntry(
  snapshot: CaseProjection,
  applied: AppliedCommand,
): { index: number; stepId: string } | undefined {
  const { timeline } = snapshot;
  const stepId =
    applied.action === 'case.open'
      ? snapshot.steps.find((step) => step.kind === 'identification')?.id
      : (applied.stepId ?? undefined);
  if (stepId === undefined) return undefined;
  const types = applied.action === 'case.ask_again' ? new Set(['step.asked_again']) : SIGN_OFF_ENTRIES;
  const index = lastIndexWhere(timeline, (entry) => entry.stepId === stepId && types.has(entry.type));
  return index < 0 ? undefined : { index, stepId };
}

/**
 * The steps `applied` opened for another agency, pending as the snapshot holds them and with an agency named: for a
 * case's opening and a sign-off, those whose opening the timeline records after the command's own entry; for a
 * request asked again, the step it opened. None for other commands, for a command without a user, or one entered
 * after the fact.
 */
export function openedStepsToTell(snapshot: CaseProjection, applied: AppliedCommand | undefined): OpenedStepToTell[] {
  const actor = applied?.actor;
  if (!applied || !actor || !['case.open', 'step.sign_off', 'case.ask_again'].includes(applied.action)) return [];
  const command = commandEntry(snapshot, applied);
  if (!command) return [];
  const { timeline } = snapshot;
  if (recordedLateIn(timeline[command.index]!.summary)) return [];
  const signed = snapshot.steps.find((step) => step.id === command.stepId);
  return snapshot.steps.flatMap((step): OpenedStepToTell[] => {
    const { agencyId } = step;
    if (step.status !== 'pending' || agencyId === null || agencyId === actor.agencyId) return [];
    if (TOLD_AT_THE_LEAD.has(step.kind)) return [];
    if (snapshot.steps.some((other) => other.kind === step.kind && other.status === 'cancelled')) return [];
    const opened = lastIndexWhere(timeline, (entry) => entry.type === 'step.opened' && entry.stepId === step.id);
    const askedFor = applied.action === 'case.ask_again';
    if (opened < 0 || (askedFor ? step.id !== command.stepId : opened < command.index)) return [];
    const named = !askedFor && signed && knowsOfStepKind(step.agencyKind, signed.kind) ? signed.kind : undefined;
    return [
      {
        openedSeq: timeline[opened]!.seq,
        step: { ...step, agencyId },
        actor,
        ...(named ? { openedByKind: named } : {}),
      },
    ];
  });
}
