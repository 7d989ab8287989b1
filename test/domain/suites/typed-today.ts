/**
 * A deadline counted in days from a day typed as today, or as tomorrow in UTC (a Guam officer's today from 14:00 UTC),
 * counts from noon UTC of that day, as one from an earlier day does, so every US reader reads the same last day
 * (`countsFromTypedToday`, domain/case.ts `daysCountedFrom`). Before, it counted from the moment it was typed: a CP
 * request identified on 6 Dec at 17:39 UTC came due at 17:39 on 20 Dec, "20 Dec" in UTC and "21 Dec" in Guam (probe,
 * 6 Dec 2026). The event itself stays dated when it was recorded: its noon may be ahead of it.
 */
import { startOfLocalDay } from '../../../core/time-zones';
import { applySignOff, openCase, validateSignOff } from '../../../domain/case';
import type { CaseState, RuleFlags } from '../../../domain/case';
import { applyAskAgain } from '../../../domain/ask-again';
import { AGENCIES, actorOf, stepOf } from '../case-fixtures';

describe('typed-today', () => {
  const GUAM = 'Pacific/Guam';
  // 17:39 UTC on 6 Dec: 03:39 on 7 Dec in Guam.
  const NOW = '2026-12-06T17:39:50.674Z';
  const LATER = '2026-12-06T17:45:00.000Z';
  const RULES: RuleFlags = { datesAsWritten: true, daysDueAllDay: true, countsFromTypedToday: true };

  /** A case the police in Guam open by the day typed, on the rules given. */
  function openedOn(identifiedOn: string, rules: RuleFlags = RULES): CaseState {
    return openCase(
      {
        caseId: `typed-${identifiedOn}`,
        reference: `RC-${identifiedOn}`,
        identifiedAt: startOfLocalDay(identifiedOn, GUAM),
        identifiedOn,
        identifiedByDay: true,
        minorTurns18On: null,
        agencies: AGENCIES,
        usesUVisa: false,
      },
      NOW,
      rules,
    );
  }

  /** The CP request signed by the Guam police with `requestedOn`, on their today (7 Dec). */
  function requested(state: CaseState, requestedOn: string): CaseState {
    const signOff = { stepId: 'cp_request-1', outcome: 'requested', details: { requestedOn } };
    const actor = actorOf('law_enforcement');
    expect(validateSignOff(state, signOff, actor, LATER, '2026-12-07')).toBeNull();
    return applySignOff(state, signOff, actor, LATER, '2026-12-07');
  }

  test('an identification by a day equal to the UTC date, or a day ahead of it, counts 14 days from that day', () => {
    // 6 Dec is the UTC date: 14 days from it are due 20 Dec, at noon UTC as from an earlier day (1 Dec: 15 Dec).
    expect(stepOf(openedOn('2026-12-06'), 'cp_request-1')).toMatchObject({
      dueAt: '2026-12-20T12:00:00.000Z',
      dueOnADay: true,
    });
    expect(stepOf(openedOn('2026-12-01'), 'cp_request-1').dueAt).toBe('2026-12-15T12:00:00.000Z');
    // 7 Dec, the Guam officer's today, is a day ahead of UTC: due 21 Dec. Every step opened with it counts the same.
    const ahead = openedOn('2026-12-07');
    expect(stepOf(ahead, 'cp_request-1').dueAt).toBe('2026-12-21T12:00:00.000Z');
    for (const step of ahead.steps.filter((each) => each.dueAt && each.kind !== 'identification')) {
      expect({ step: step.id, at: step.dueAt!.slice(10) }).toEqual({ step: step.id, at: 'T12:00:00.000Z' });
    }
    // The steps open when the case was entered, not at a noon ahead of it.
    expect(stepOf(ahead, 'cp_request-1').openedAt <= NOW).toBe(true);
  });

  test('a sign-off dated the UTC date or a day ahead of it counts 30 days from that day, dated when recorded', () => {
    const onSixth = requested(openedOn('2026-12-06'), '2026-12-06');
    const onSeventh = requested(openedOn('2026-12-06'), '2026-12-07');
    // 30 days from 6 Dec: 5 Jan; from 7 Dec: 6 Jan, where both fell at 17:45 on 5 Jan.
    expect(stepOf(onSixth, 'cp_decision-1')).toMatchObject({ dueAt: '2027-01-05T12:00:00.000Z', dueOnADay: true });
    expect(stepOf(onSeventh, 'cp_decision-1')).toMatchObject({ dueAt: '2027-01-06T12:00:00.000Z', dueOnADay: true });
    // The request and the decision it opens are dated when it was recorded: 7 Dec's noon is ahead of it.
    expect(stepOf(onSeventh, 'cp_request-1').completedAt).toBe(LATER);
    expect(stepOf(onSeventh, 'cp_decision-1').openedAt).toBe(LATER);
    expect(onSeventh.timeline.every((entry) => entry.at <= LATER)).toBe(true);
  });

  test('a step asked again on a day ahead of the UTC date counts from that day', () => {
    const declined = applySignOff(
      requested(openedOn('2026-12-06'), '2026-12-07'),
      {
        stepId: 'cp_decision-1',
        outcome: 'denied',
        details: { reason: 'not_potential_witness', decidedOn: '2026-12-07' },
      },
      actorOf('ice'),
      LATER,
      '2026-12-07',
    );
    const askedAgain = applyAskAgain(
      declined,
      { stepKind: 'cp_request', askedOn: '2026-12-07', actor: actorOf('law_enforcement') },
      LATER,
    );
    // 14 days from 7 Dec: 21 Dec.
    expect(stepOf(askedAgain, 'cp_request-2').dueAt).toBe('2026-12-21T12:00:00.000Z');
  });

  test('a case without the rule (opened before its patch) keeps counting from the moment it was typed', () => {
    const before = openedOn('2026-12-06', { datesAsWritten: true, daysDueAllDay: true });
    expect(stepOf(before, 'cp_request-1').dueAt).toBe('2026-12-20T17:39:50.674Z');
    expect(stepOf(requested(before, '2026-12-07'), 'cp_decision-1').dueAt).toBe('2027-01-05T17:45:00.000Z');
  });
});
