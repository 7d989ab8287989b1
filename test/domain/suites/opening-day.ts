/**
 * A deadline in days counted from a typed day that is the own day of the step's opening, an hour already on the next
 * day in UTC, counts from that day as any typed day does, noon UTC of it (`openingDayCountsAsDay`, domain/case.ts
 * `daysCountedFrom`). Before, it counted from the opening's hour: a CP request typed 6 Dec for a minor identified at
 * 18:30 on 6 Dec in Honolulu (04:30 UTC on the 7th) had its decision due 2027-01-06T04:30Z, "6 Jan", where one
 * identified by day on 6 Dec had 5 Jan; asked again on 6 Dec after a denial at 19:09 there, the request was due
 * 2026-12-21T05:09Z, "21 Dec", not 20 Dec (probe, 7 Dec 2026). The step stays dated at its opening.
 */
import { startOfLocalDay } from '../../../core/time-zones';
import { applyAskAgain, validateAskAgain } from '../../../domain/ask-again';
import { applySignOff, openCase, validateSignOff, type RuleFlags } from '../../../domain/case';
import type { CaseState } from '../../../domain/case-state';
import type { SignOff } from '../../../domain/steps';
import type { AgencyKind } from '../../../domain/types';
import { AGENCIES, actorOf, stepOf } from '../case-fixtures';

describe('opening-day', () => {
  const HONOLULU = 'Pacific/Honolulu';
  const HONOLULU_TODAY = '2026-12-06';
  const RULES: RuleFlags = {
    datesAsWritten: true,
    daysDueAllDay: true,
    countsFromTypedToday: true,
    openingDayCountsAsDay: true,
  };
  const { openingDayCountsAsDay: _, ...BEFORE } = RULES;

  /** A case the Honolulu police open, identified at `identifiedAt` on 6 Dec there (by its day when not given). */
  function opened(rules: RuleFlags, minor: boolean, identifiedAt?: string): CaseState {
    return openCase(
      {
        caseId: 'opening-day',
        reference: 'RC-2026-0055',
        identifiedAt: identifiedAt ?? startOfLocalDay(HONOLULU_TODAY, HONOLULU),
        identifiedOn: HONOLULU_TODAY,
        ...(identifiedAt ? {} : { identifiedByDay: true }),
        minorTurns18On: minor ? '2030-03-03' : null,
        agencies: AGENCIES,
        usesUVisa: false,
      },
      '2026-12-07T04:35:00.000Z',
      rules,
    );
  }

  /** A sign-off by the step's agency in Honolulu at `at`, on its today there (6 Dec). */
  function signed(state: CaseState, kind: AgencyKind, signOff: SignOff, at: string): CaseState {
    expect(validateSignOff(state, signOff, actorOf(kind), at, HONOLULU_TODAY)).toBeNull();
    return applySignOff(state, signOff, actorOf(kind), at, HONOLULU_TODAY);
  }

  /** A minor identified at 18:30 on 6 Dec in Honolulu, the CP request typed 6 Dec: when the CP decision is due. */
  function decisionDue(rules: RuleFlags, identifiedAt?: string) {
    const request = { stepId: 'cp_request-1', outcome: 'requested', details: { requestedOn: HONOLULU_TODAY } };
    const { dueAt, dueOnADay } = stepOf(
      signed(opened(rules, true, identifiedAt), 'law_enforcement', request, '2026-12-07T05:00:00.000Z'),
      'cp_decision-1',
    );
    return { dueAt, dueOnADay };
  }

  /** An adult's CP denied at 19:09 on 6 Dec in Honolulu, then asked again on 6 Dec: when the new request is due. */
  function askedAgainDue(rules: RuleFlags) {
    const request = { stepId: 'cp_request-1', outcome: 'requested', details: { requestedOn: HONOLULU_TODAY } };
    const denial = { stepId: 'cp_decision-1', outcome: 'denied', details: { reason: 'not_potential_witness' } };
    const requested = signed(opened(rules, false), 'law_enforcement', request, '2026-12-07T04:40:00.000Z');
    const denied = signed(requested, 'ice', denial, '2026-12-07T05:09:00.000Z');
    const issued = { caseId: 'opening-day', updateId: 'ask-again-1', at: '2026-12-07T05:20:00.000Z' };
    const askAgain = {
      stepKind: 'cp_request' as const,
      askedOn: HONOLULU_TODAY,
      actor: actorOf('law_enforcement'),
      issued: { ...issued, today: HONOLULU_TODAY },
    };
    expect(validateAskAgain(denied, askAgain, issued.at)).toBeNull();
    const { dueAt, dueOnADay, openedAt } = stepOf(applyAskAgain(denied, askAgain, issued.at), 'cp_request-2');
    return { dueAt, dueOnADay, openedAt };
  }

  test("a request typed on an evening identification's day counts 30 days from that day, as one identified by day", () => {
    const due5Jan = { dueAt: '2027-01-05T12:00:00.000Z', dueOnADay: true };
    expect(decisionDue(RULES, '2026-12-07T04:30:00.000Z')).toEqual(due5Jan);
    expect(decisionDue(RULES)).toEqual(due5Jan);
  });

  test("asked again on the day of an evening denial, 14 days count from that day; the step opens at the denial's hour", () => {
    expect(askedAgainDue(RULES)).toEqual({
      dueAt: '2026-12-20T12:00:00.000Z',
      dueOnADay: true,
      openedAt: '2026-12-07T05:09:00.000Z',
    });
  });

  test("a case without the rule (running before its patch) keeps counting from the opening's hour", () => {
    expect(decisionDue(BEFORE, '2026-12-07T04:30:00.000Z')).toEqual({
      dueAt: '2027-01-06T04:30:00.000Z',
      dueOnADay: true,
    });
    expect(askedAgainDue(BEFORE).dueAt).toBe('2026-12-21T05:09:00.000Z');
  });
});
