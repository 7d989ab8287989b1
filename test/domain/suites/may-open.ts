/**
 * Which steps the coordinator alone corrects (`coordinatorCorrects`, domain/correction.ts) rests on a hand-written
 * table of what a sign-off of each kind may open (`MAY_OPEN`). Here it is derived from the tracks themselves
 * (domain/tracks, each kind's `after`): cases are explored from their opening, every pending step signed with every
 * outcome it takes (and an amendment of a completed one), and time let pass to each alarm that changes a step (a
 * lapse), as far as the rules accept; every step a sign-off opened is seen. Then: every step kind whose sign-off was
 * seen to open a step its own agency is not told of (`knowsOfStepKind`) is one the rule gives the coordinator, and no
 * other is; and, for any agency that could correct, the rule refuses exactly the kinds seen to open a step it is not
 * told of (an opening the table misses, or one no track makes any more, fails it, wherever it changes who corrects).
 */
import { fireAlarm, nextAlarm } from '../../../domain/alarms';
import { knowsOfStepKind } from '../../../domain/access';
import { applySignOff, validateSignOff } from '../../../domain/case';
import type { CaseState } from '../../../domain/case-state';
import { coordinatorCorrects } from '../../../domain/correction';
import { addDays, dateOf } from '../../../domain/dates';
import { refusalReasonsOf } from '../../../domain/reasons';
import { STEP_CATALOGUE } from '../../../domain/steps';
import { afterFor } from '../../../domain/tracks';
import { AGENCY_KINDS, type StepKind } from '../../../domain/types';
import { actorOf, noon, openAdult, openMinor, OPENED_ON } from '../case-fixtures';

describe('may-open', () => {
  const KINDS = Object.keys(STEP_CATALOGUE) as StepKind[];

  /** Details each outcome is signed with on day `on` (the rules refuse what does not fit, and that path is not taken). */
  function detailsOf(kind: StepKind, outcome: string, on: string): Record<string, unknown> | undefined {
    const refused = { reason: refusalReasonsOf(kind)[0] };
    const byOutcome: Record<string, Record<string, unknown>> = {
      'identification.identified': { identifiedOn: on, path: 'adult' },
      'cp_request.requested': { requestedOn: on },
      'cp_decision.granted': { grantedOn: on },
      'cp_decision.denied': refused,
      'cp_renewal_request.requested': { requestedOn: on },
      'cp_renewal_decision.renewed': { renewedOn: on },
      'cp_renewal_decision.denied': refused,
      'hhs_minor_notification.notified': { notifiedOn: on },
      'hhs_interim_letter.issued': { issuedOn: on },
      'hhs_interim_letter.extended': {},
      'hhs_eligibility_letter.issued': { eligibilityDate: on },
      'hhs_certification_request.requested': { requestedOn: on },
      'hhs_certification_letter.certified': { eligibilityDate: on },
      'hhs_certification_letter.denied': refused,
      't_visa_filing.filed': { filedOn: on },
      't_visa_receipt.received': { receivedOn: on },
      't_visa_bona_fide.bona_fide': { determinedOn: on },
      't_visa_bona_fide.not_bona_fide': { determinedOn: on },
      't_visa_evidence_response.responded': { respondedOn: on },
      't_visa_decision.evidence_requested': { notice: 'noid', issuedOn: on, respondBy: addDays(on, 30) },
      't_visa_decision.approved': {
        approvedOn: on,
        validUntil: addDays(on, 1000),
        adjustmentEligibleFrom: addDays(on, 900),
      },
      't_visa_decision.denied': refused,
      // Before the adjustmentEligibleFrom above: filed early, on an investigation complete that day.
      't_visa_adjustment_filing.filed': { filedOn: on, investigationCompleteDate: on },
      'le_declaration.signed': { signedOn: on },
      'le_declaration.declined': refused,
      'u_visa_certification.signed': { signedOn: on },
      'u_visa_certification.declined': refused,
      'u_visa_petition.filed': { filedOn: on },
    };
    return byOutcome[`${kind}.${outcome}`];
  }

  interface Explored {
    state: CaseState;
    now: string;
  }

  /** A case's steps as the exploration tells states apart (a kind's count capped, so asking again ends). */
  const signature = (state: CaseState) =>
    state.steps
      .map((step) => `${step.kind}:${step.status}:${step.outcome ?? ''}`)
      .sort()
      .join('|');

  /** The rules a new case runs under, every patch's flag set, and a case from before them. */
  const FLAGS: Partial<CaseState> = {
    deniedVisaWithdrawsCertification: true,
    lapsedCpWithdrawsCertification: true,
    followersByOpener: true,
    adultAt18: true,
    correctsLapses: true,
  };
  const OPENINGS: CaseState[] = [openAdult({ usesUVisa: true }), openMinor('2027-06-01', { usesUVisa: true })].flatMap(
    (state) => [state, { ...state, ...FLAGS }],
  );

  /** Most steps of one kind a case explored may hold: what asking again or a lapse reopens is seen once more, no more. */
  const AT_MOST_OF_A_KIND = 2;

  /** Every (signed kind, opened kind) the tracks were seen to open, and which (kind, outcome) were ever accepted. */
  function explore(group: readonly string[], opened: Set<string>, signed: Set<string>): void {
    const seen = new Set<string>();
    const queue: Explored[] = OPENINGS.map((state) => ({ state, now: noon(OPENED_ON) }));
    while (queue.length > 0) {
      const { state, now } = queue.shift()!;
      const key = `${signature(state)}#${state.minorTurns18On ?? ''}#${state.usesUVisa ? 'u' : ''}#${state.followersByOpener ? 'f' : ''}`;
      if (seen.has(key) || state.steps.length > 40) continue;
      seen.add(key);
      const at = noon(addDays(dateOf(now), 1));
      for (const step of state.steps.filter((candidate) => group.includes(STEP_CATALOGUE[candidate.kind].track))) {
        for (const [outcome, definition] of Object.entries(STEP_CATALOGUE[step.kind].outcomes)) {
          if (definition.appliesTo !== step.status) continue;
          const details = detailsOf(step.kind, outcome, dateOf(at));
          if (!details) continue;
          const signOff = { stepId: step.id, outcome, details };
          const actor = actorOf(step.agencyKind);
          if (validateSignOff(state, signOff, actor, at)) continue;
          signed.add(`${step.kind}.${outcome}`);
          const next = applySignOff(state, signOff, actor, at);
          const before = new Set(state.steps.map((other) => other.id));
          for (const other of next.steps) if (!before.has(other.id)) opened.add(`${step.kind}>${other.kind}`);
          const counts = KINDS.map((kind) => next.steps.filter((other) => other.kind === kind).length);
          if (Math.max(...counts) <= AT_MOST_OF_A_KIND) queue.push({ state: next, now: at });
        }
      }
      // Time passes to the next alarm that changes a step (a validity's lapse, a minor turning 18).
      let later = state;
      for (let alarm = nextAlarm(later); alarm; alarm = nextAlarm(later)) {
        later = fireAlarm(later, alarm, alarm.at);
        if (signature(later) !== signature(state)) {
          queue.push({ state: later, now: alarm.at > now ? alarm.at : now });
          break;
        }
      }
    }
  }

  /**
   * The tracks explored together: each with the HHS track, which what they do opens steps of (an adult's certification
   * request), so their steps interleave as on a case; tracks that open nothing of each other's apart, or the states
   * would be every combination of every track's.
   */
  const GROUPS = [
    ['intake', 'hhs'],
    ['continued_presence', 'hhs'],
    ['t_visa', 'hhs'],
    ['u_visa', 'le_declaration'],
  ];
  const opened = new Set<string>();
  const signed = new Set<string>();
  for (const group of GROUPS) explore(group, opened, signed);
  const openings = [...opened].map((pair) => pair.split('>') as [StepKind, StepKind]);

  test('every outcome of a kind whose sign-off opens steps was signed in the exploration', () => {
    const withAfter = KINDS.filter((kind) => afterFor(kind) !== undefined);
    const unsigned = withAfter.flatMap((kind) =>
      Object.keys(STEP_CATALOGUE[kind].outcomes)
        .map((outcome) => `${kind}.${outcome}`)
        .filter((name) => !signed.has(name)),
    );
    expect(unsigned).toEqual([]);
  });

  test('the kinds whose sign-off opens a step its own agency is not told of are the ones the rule gives the coordinator', () => {
    const derived = KINDS.filter((kind) =>
      openings.some(([from, to]) => from === kind && !knowsOfStepKind(STEP_CATALOGUE[kind].owner, to)),
    );
    const ruled = KINDS.filter((kind) => coordinatorCorrects(kind, STEP_CATALOGUE[kind].owner));
    expect(ruled).toEqual(derived);
  });

  test('for every agency that could correct, the rule says what the openings seen say: no opening missing, none stale', () => {
    const correctors = AGENCY_KINDS.filter((agency) => agency !== 'coordinator');
    const differing = KINDS.flatMap((kind) =>
      correctors
        .filter(
          (agency) =>
            coordinatorCorrects(kind, agency) !==
            openings.some(([from, to]) => from === kind && !knowsOfStepKind(agency, to)),
        )
        .map((agency) => `${kind} corrected by ${agency}: the rule says ${String(coordinatorCorrects(kind, agency))}`),
    );
    expect(differing).toEqual([]);
  });
});
