/** Shared builders for the domain tests: one set of agencies, actors per kind, and a sign-off helper. */
import { alarms, fireAlarm, nextAlarm } from '../../domain/alarms';
import { applySignOff, openCase, validateSignOff, type OpenCaseInput, type RuleFlags } from '../../domain/case';
import type { CaseState, Rejection } from '../../domain/case-state';
import type { Actor, AgencyKind, CaseAgencies, Step } from '../../domain/types';
import { workingActor } from '../../domain/access';
import { applyCorrection, validateCorrection } from '../../domain/correction';
import { DEFAULT_POLICY, type Policy } from '../../domain/policy';

export const AGENCIES: CaseAgencies = {
  law_enforcement: 'agency-le',
  ice: 'agency-ice',
  hhs: 'agency-hhs',
  advocate: 'agency-adv',
  coordinator: 'agency-coord',
};

export function actorOf(kind: AgencyKind, agencyId: string = AGENCIES[kind]): Actor {
  return workingActor({ userId: `user-${kind}`, agencyId, agencyKind: kind });
}

/** A note in the sealed form the API sends (db/sealed-notes.ts); the domain checks its form, never opens it. */
export const SEALED_NOTE_SAMPLE = 'sealed:test-key:bm90IHJlYWxseSBzZWFsZWQ=';

/** Noon UTC on a date: a readable "now" for sign-offs. */
export const noon = (date: string) => `${date}T12:00:00.000Z`;

export const OPENED_ON = '2026-01-05';

/** The policy of cases opened before deadlines counted from events: steps count from when they were recorded. */
export const RECORDING_POLICY: Policy = { ...DEFAULT_POLICY, version: '2025-05-05.1', countsFrom: undefined };

export function openAdult(overrides: Partial<OpenCaseInput> = {}): CaseState {
  return openCase(
    {
      caseId: 'case-1',
      reference: 'RC-2026-0001',
      identifiedAt: `${OPENED_ON}T08:00:00.000Z`,
      minorTurns18On: null,
      agencies: AGENCIES,
      usesUVisa: false,
      ...overrides,
    },
    noon(OPENED_ON),
  );
}

/**
 * The rules of dates, among those a case begun on today's code opens on (workflows/case-workflow.ts `PATCHED_RULES`),
 * that the tests of the newest build on; each such test leaves its own rule out for the case running before its patch.
 */
export const DATE_RULES: RuleFlags = {
  datesAsWritten: true,
  holdsPassedExpiries: true,
  daysDueAllDay: true,
  countsFromTypedToday: true,
  monthsEndAsAnniversaries: true,
  appliesSignersToday: true,
  openingDayCountsAsDay: true,
  renewalRunsOnFromGrantEnd: true,
  adjustmentEligibleOnItsDay: true,
};

/** An adult identified on `identifiedOn` (by its day, in UTC), entered after the fact at `enteredAt` on `rules`. */
export function enteredAfterTheFact(identifiedOn: string, enteredAt: string, rules: RuleFlags): CaseState {
  return openCase(
    {
      caseId: `entered-${identifiedOn}`,
      reference: 'RC-2026-0056',
      identifiedAt: `${identifiedOn}T00:00:00.000Z`,
      identifiedOn,
      identifiedByDay: true,
      minorTurns18On: null,
      agencies: AGENCIES,
      usesUVisa: false,
    },
    enteredAt,
    rules,
  );
}

export function openMinor(minorTurns18On = '2026-09-01', overrides: Partial<OpenCaseInput> = {}): CaseState {
  return openAdult({ minorTurns18On, ...overrides });
}

export function stepOf(state: CaseState, id: string): Step {
  const step = state.steps.find((candidate) => candidate.id === id);
  if (!step) throw new Error(`no step ${id}; have ${state.steps.map((s) => s.id).join(', ')}`);
  return step;
}

/** Signs a step as its owning agency, failing the test with the rejection if the rules refuse it. */
export function sign(
  state: CaseState,
  stepId: string,
  outcome: string,
  details: Record<string, unknown>,
  now: string,
): CaseState {
  const actor = actorOf(stepOf(state, stepId).agencyKind);
  const rejection = validateSignOff(state, { stepId, outcome, details }, actor, now);
  if (rejection) throw new Error(`unexpected rejection ${JSON.stringify(rejection)}`);
  return applySignOff(state, { stepId, outcome, details }, actor, now);
}

/**
 * Corrects a sign-off as the case's coordinator (what `sign` takes, the outcome and details as corrected), failing the
 * test with the rejection if the rules refuse it.
 */
export function correct(...[state, stepId, outcome, details, now]: Parameters<typeof sign>): CaseState {
  const command = {
    correction: { stepId, outcome, details, reason: SEALED_NOTE_SAMPLE },
    actor: actorOf('coordinator'),
  };
  const rejection = validateCorrection(state, command, now);
  if (rejection) throw new Error(`unexpected rejection ${JSON.stringify(rejection)}`);
  return applyCorrection(state, command, now);
}

/** The rules' answer to a sign-off by the step's owner (or a given actor). */
export function refusal(
  state: CaseState,
  stepId: string,
  outcome: string,
  details: Record<string, unknown>,
  now: string,
  actor?: Actor,
): Rejection | null {
  const signer = actor ?? actorOf(state.steps.find((s) => s.id === stepId)?.agencyKind ?? 'advocate');
  return validateSignOff(state, { stepId, outcome, details }, signer, now);
}

export const pendingIds = (state: CaseState) => state.steps.filter((s) => s.status === 'pending').map((s) => s.id);

/** Fires every alarm due up to `until`, earliest first, as the workflow's timer loop would. */
export function runAlarmsUntil(state: CaseState, until: string): CaseState {
  let current = state;
  for (let next = nextAlarm(current); next && next.at <= until; next = nextAlarm(current)) {
    current = fireAlarm(current, next, next.at);
  }
  return current;
}

/** The first certification request's alarms still to come. */
export const certificationAlarms = (state: CaseState) =>
  alarms(state).filter((alarm) => alarm.stepId === 'hhs_certification_request-1');

/**
 * The timeline's entry when the first certification request loses the ground it stood on (`ended`: the T visa denied,
 * CP lapsed) with no other left (domain/tracks/certification-grounds.ts).
 */
export const certificationWithdrawal = (ended: string) => ({
  type: 'step.cancelled',
  stepId: 'hhs_certification_request-1',
  summary: `hhs_certification_request-1 cancelled: ${ended}; certification needs CP or a bona fide application`,
});
