/**
 * What a track contributes to the case rules: checks beyond the details schema, what a sign-off sets in motion,
 * the validity windows it watches, and what happens when one of them closes. The generic parts (who may sign,
 * schema validation, the due-date reminder ladder) live in `case.ts` and `alarms.ts`.
 */
import { addDaysToInstant, type IsoDate } from '../dates';
import type { Alarm, CaseState, Rejection } from '../case-state';
import type { StepDetails } from '../steps';
import type { Actor, Instant, Step, StepKind } from '../types';

export interface SignOffContext {
  state: CaseState;
  step: Step;
  outcome: string;
  details: StepDetails;
  actor: Actor;
  now: Instant;
  today: IsoDate;
}

export interface TrackRules {
  check: Partial<Record<StepKind, (ctx: SignOffContext) => Rejection | null>>;
  /** Runs after the signed step itself was updated; `state` already holds that update. */
  after: Partial<Record<StepKind, (state: CaseState, ctx: SignOffContext) => CaseState>>;
  windowAlarms(state: CaseState): Alarm[];
  /** Keyed by the kind of step an 'expired' alarm is attached to. */
  expire: Partial<Record<StepKind, (state: CaseState, step: Step, now: Instant) => CaseState>>;
}

/** Reads a detail the schema already guaranteed to be a string (a date or a code). */
export function text(details: StepDetails, field: string): string {
  const value = details[field];
  return typeof value === 'string' ? value : '';
}

export function dateOrder(field: string, message: string): Rejection {
  return { code: 'date_order', field: `details.${field}`, message };
}

export function outOfRange(field: string, message: string): Rejection {
  return { code: 'date_out_of_range', field: `details.${field}`, message };
}

/** The first rejection of several checks, evaluated lazily in order. */
export function firstOf(...checks: Array<() => Rejection | null>): Rejection | null {
  for (const check of checks) {
    const rejection = check();
    if (rejection) return rejection;
  }
  return null;
}

/** Lead-time alarms before an end, dropping any that would lie before the moment the window was set. */
export function leadAlarms(
  base: Omit<Alarm, 'id' | 'at' | 'kind'>,
  endsAt: Instant,
  leadDays: number[],
  notBefore: Instant,
): Alarm[] {
  return leadDays
    .map((days) => addDaysToInstant(endsAt, -days))
    .filter((at) => at >= notBefore)
    .map((at) => ({
      ...base,
      id: `${base.stepId}:expiry_reminder:${base.subject}:${at}`,
      at,
      kind: 'expiry_reminder' as const,
    }));
}

export function expiredAlarm(base: Omit<Alarm, 'id' | 'at' | 'kind'>, endsAt: Instant): Alarm {
  return { ...base, id: `${base.stepId}:expired:${base.subject}:${endsAt}`, at: endsAt, kind: 'expired' };
}
