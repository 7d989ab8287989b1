/**
 * A CP grant or renewal signed without its day (`grantedOn`/`renewedOn` left empty, as the console offers it) runs from
 * the signer's today, the day it was checked on (`appliesSignersToday`, domain/case.ts `signedState`): ICE in Honolulu
 * granting at 19:01 on 6 Dec 2026 (05:01 UTC on the 7th) gives a grant through 5 Dec 2028, as one typed 6 Dec does.
 * Before, it ran from the UTC day of the moment, through 6 Dec 2028, and the renewal's due date, reminders and lapse came
 * a day late (probe, 7 Dec 2026). A correction signs it again on that day, kept with the step.
 */
import { applySignOff, openCase, validateSignOff, type RuleFlags } from '../../../domain/case';
import type { CaseState } from '../../../domain/case-state';
import { AGENCIES, actorOf, correct, SEALED_NOTE_SAMPLE, stepOf } from '../case-fixtures';

describe('signers-today', () => {
  const RULES: RuleFlags = {
    datesAsWritten: true,
    daysDueAllDay: true,
    countsFromTypedToday: true,
    monthsEndAsAnniversaries: true,
    appliesSignersToday: true,
  };
  // 19:01 on 6 Dec 2026 in Honolulu.
  const GRANTED_AT = '2026-12-07T05:01:03.807Z';
  const HONOLULU_TODAY = '2026-12-06';

  /** An adult case opened on 1 Dec, its CP requested on 2 Dec, on the rules given. */
  function requested(rules: RuleFlags): CaseState {
    const opened = openCase(
      {
        caseId: 'signers-today',
        reference: 'RC-2026-0054',
        identifiedAt: '2026-12-01T20:00:00.000Z',
        minorTurns18On: null,
        agencies: AGENCIES,
        usesUVisa: false,
      },
      '2026-12-01T20:00:00.000Z',
      rules,
    );
    return applySignOff(
      opened,
      { stepId: 'cp_request-1', outcome: 'requested', details: {} },
      actorOf('law_enforcement'),
      '2026-12-02T20:00:00.000Z',
    );
  }

  /** ICE grants CP at 19:01 on 6 Dec in Honolulu, with the details given, on its today there. */
  function granted(state: CaseState, details: Record<string, unknown>): CaseState {
    const signOff = { stepId: 'cp_decision-1', outcome: 'granted', details };
    expect(validateSignOff(state, signOff, actorOf('ice'), GRANTED_AT, HONOLULU_TODAY)).toBeNull();
    return applySignOff(state, signOff, actorOf('ice'), GRANTED_AT, HONOLULU_TODAY);
  }

  const grantOf = (state: CaseState) => {
    const { details, expiresAt } = stepOf(state, 'cp_decision-1');
    return { validUntil: details['validUntil'], expiresAt, renewalDue: stepOf(state, 'cp_renewal_request-1').dueAt };
  };

  const THROUGH_5_DEC = {
    validUntil: '2028-12-05',
    expiresAt: '2028-12-06T00:00:00.000Z',
    renewalDue: '2028-12-06T00:00:00.000Z',
  };

  test('a grant signed without its day in the Honolulu evening runs from that day, as one typed that day', () => {
    expect(grantOf(granted(requested(RULES), {}))).toEqual(THROUGH_5_DEC);
    expect(grantOf(granted(requested(RULES), { grantedOn: HONOLULU_TODAY }))).toEqual(THROUGH_5_DEC);
  });

  test('a correction a week later signs it again on that day: its end does not move', () => {
    const grant = granted(requested(RULES), {});
    expect(grant.signersDays).toEqual({ 'cp_decision-1': HONOLULU_TODAY });
    const corrected = correct(
      grant,
      'cp_decision-1',
      'granted',
      { note: SEALED_NOTE_SAMPLE },
      '2026-12-14T20:00:00.000Z',
    );
    expect(grantOf(corrected)).toEqual(THROUGH_5_DEC);
  });

  test('a case without the rule (running before its patch) keeps the UTC day of the moment', () => {
    const { appliesSignersToday: _, ...before } = RULES;
    expect(grantOf(granted(requested(before), {}))).toEqual({
      validUntil: '2028-12-06',
      expiresAt: '2028-12-07T00:00:00.000Z',
      renewalDue: '2028-12-07T00:00:00.000Z',
    });
  });
});
