/**
 * Realistic case histories for the read-model benchmark, produced by the real domain rules: each case is opened,
 * then walked forward in time with the sign-offs an agency would plausibly give and the alarms the workflow would
 * fire, until it stalls, closes or reaches the horizon. The result is a `CaseSnapshot` exactly as the workflow would
 * hand it to `projectCase`: varied paths, agencies' steps in every status, due dates behind and ahead of us.
 */
import {
  addDays,
  addMonths,
  addYears,
  applySignOff,
  closeCase,
  dateOf,
  fireAlarm,
  nextAlarm,
  openCase,
  snapshotOf,
  validateSignOff,
  type CaseState,
  type SignOff,
} from '../domain';
import type { AgencyKind, CaseAgencies, CaseSnapshot, Instant, StepKind } from '../domain/types';
import { workingActor } from '../domain/access';
import { refusalReasonsOf } from '../domain/reasons';

type Candidate = { outcome: string; details: Record<string, string> };

/** What an agency may answer for a step on a given day, most likely first; invalid candidates are skipped. */
function candidatesFor(kind: StepKind, today: string, random: () => number): Candidate[] {
  const on = (field: string): Candidate['details'] => ({ [field]: today });
  // A refusal gives a code of its step's list (for a step never refused, this is never offered).
  const refusal = { reason: refusalReasonsOf(kind)[0] ?? 'other' };
  const mostly = (likely: Candidate, unlikely: Candidate, p = 0.85) =>
    random() < p ? [likely, unlikely] : [unlikely, likely];
  switch (kind) {
    case 'identification':
      return [];
    case 'cp_request':
    case 'cp_renewal_request':
    case 'hhs_certification_request':
      return [{ outcome: 'requested', details: on('requestedOn') }];
    case 'cp_decision':
      return mostly(
        { outcome: 'granted', details: { validUntil: addMonths(today, 24) } },
        { outcome: 'denied', details: refusal },
      );
    case 'cp_renewal_decision':
      return [12, 6].map((months) => ({ outcome: 'renewed', details: { validUntil: addMonths(today, months) } }));
    case 'hhs_minor_notification':
      return [{ outcome: 'notified', details: on('notifiedOn') }];
    case 'hhs_interim_letter':
      return [{ outcome: 'issued', details: { issuedOn: today, validUntil: addDays(today, 89) } }];
    case 'hhs_eligibility_letter':
      return [{ outcome: 'issued', details: { eligibilityDate: today } }];
    case 'hhs_certification_letter':
      return mostly(
        { outcome: 'certified', details: { eligibilityDate: today } },
        { outcome: 'denied', details: refusal },
        0.95,
      );
    case 't_visa_filing':
    case 'u_visa_petition':
      return [{ outcome: 'filed', details: on('filedOn') }];
    case 't_visa_adjustment_filing':
      // Before the survivor may adjust, filed on an investigation or prosecution complete that day.
      return [
        { outcome: 'filed', details: on('filedOn') },
        { outcome: 'filed', details: { ...on('filedOn'), investigationCompleteDate: today } },
      ];
    case 't_visa_receipt':
      return [{ outcome: 'received', details: on('receivedOn') }];
    case 't_visa_bona_fide':
      return mostly(
        { outcome: 'bona_fide', details: on('determinedOn') },
        { outcome: 'not_bona_fide', details: on('determinedOn') },
      );
    case 't_visa_evidence_response':
      return [{ outcome: 'responded', details: on('respondedOn') }];
    case 't_visa_decision': {
      const approved = {
        outcome: 'approved',
        details: {
          approvedOn: today,
          validUntil: addDays(addYears(today, 4), -1),
          adjustmentEligibleFrom: addYears(today, 3),
        },
      };
      const rfe = {
        outcome: 'evidence_requested',
        details: { notice: 'rfe', issuedOn: today, respondBy: addDays(today, 84) },
      };
      const denied = { outcome: 'denied', details: refusal };
      const roll = random();
      return roll < 0.3 ? [rfe, approved] : roll < 0.9 ? [approved] : [denied];
    }
    case 'le_declaration':
    case 'u_visa_certification':
      return mostly({ outcome: 'signed', details: on('signedOn') }, { outcome: 'declined', details: refusal }, 0.8);
  }
}

const DAY_MS = 86_400_000;
const noonOf = (ms: number): Instant => `${dateOf(new Date(ms).toISOString())}T12:00:00.000Z`;

/** Fires, in order, every alarm due by `until`, as the workflow's timers would have. */
function fireAlarmsUntil(state: CaseState, until: Instant): CaseState {
  let current = state;
  for (let guard = 0; guard < 500; guard++) {
    const alarm = nextAlarm(current);
    if (!alarm || alarm.at > until || current.status !== 'open') break;
    const next = fireAlarm(current, alarm, alarm.at);
    // A stale alarm leaves the state untouched; without a change the same alarm would come back forever.
    if (next === current) break;
    current = next;
  }
  return current;
}

function trySignOff(
  state: CaseState,
  stepId: string,
  kind: StepKind,
  owner: AgencyKind,
  now: Instant,
  random: () => number,
): CaseState {
  const actor = workingActor({ userId: `bench-${owner}`, agencyId: state.agencies[owner], agencyKind: owner });
  for (const candidate of candidatesFor(kind, dateOf(now), random)) {
    const signOff: SignOff = { stepId, ...candidate };
    if (!validateSignOff(state, signOff, actor, now)) return applySignOff(state, signOff, actor, now);
  }
  return state;
}

/**
 * One case's history up to `horizon`: identified up to four years earlier; each week-or-so the agencies act on
 * their pending steps with the case's own diligence; a case may stall (its steps go overdue) or be closed.
 */
export function syntheticCase(
  identity: { caseId: string; reference: string; agencies: CaseAgencies },
  horizon: Date,
  random: () => number,
): CaseSnapshot {
  const horizonMs = horizon.getTime();
  const identifiedMs = horizonMs - Math.floor(random() * 4 * 365) * DAY_MS - Math.floor(random() * 10) * 3_600_000;
  const identifiedAt = new Date(identifiedMs).toISOString();
  const isMinor = random() < 0.25;
  let state = openCase(
    {
      ...identity,
      identifiedAt,
      minorTurns18On: isMinor ? addDays(dateOf(identifiedAt), 30 + Math.floor(random() * 5 * 365)) : null,
      usesUVisa: random() < 0.2,
    },
    new Date(identifiedMs + 3_600_000).toISOString(),
  );
  const diligence = 0.2 + random() * 0.7;
  const stallsAfterDays = random() < 0.35 ? random() * 4 * 365 : Number.POSITIVE_INFINITY;
  for (let day = identifiedMs + DAY_MS; day < horizonMs; day += (1 + Math.floor(random() * 14)) * DAY_MS) {
    const now = noonOf(day);
    state = fireAlarmsUntil(state, now);
    if (state.status !== 'open' || day - identifiedMs > stallsAfterDays * DAY_MS) continue;
    for (const step of state.steps.filter((s) => s.status === 'pending')) {
      if (random() < diligence / 4) state = trySignOff(state, step.id, step.kind, step.agencyKind, now, random);
    }
    if (random() < 0.002) {
      const coordinator = workingActor({
        userId: 'bench-coordinator',
        agencyId: state.agencies.coordinator,
        agencyKind: 'coordinator',
      });
      state = closeCase(
        state,
        { status: random() < 0.8 ? 'closed' : 'withdrawn', reason: 'relief_obtained' },
        coordinator,
        now,
      );
    }
  }
  return snapshotOf(fireAlarmsUntil(state, horizon.toISOString()));
}
