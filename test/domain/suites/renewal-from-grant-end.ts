/**
 * A CP renewal granted while the grant it renews is still in force, its last day included, runs on from the end of
 * that grant: its 24 months count from the day after the grant's last day, with that first day
 * (`renewalRunsOnFromGrantEnd`, domain/tracks/continued-presence.ts `grantEnd`). Before, a renewal granted on the
 * grant's last day counted from its own day, a day short: a grant through 30 Nov 2026 renewed on 29 Nov or on 1 Dec ran
 * through 30 Nov 2028, renewed on 30 Nov through 29 Nov 2028 (probe T2, 7 Dec 2026); and a grant through 28 Feb 2026
 * renewed ran through 28 Feb 2028, where 24 months from 1 Mar 2026 run through 29 Feb 2028, and ICE's letter stating
 * that day was refused.
 */
import type { CaseState, RuleFlags } from '../../../domain/case';
import { DATE_RULES, enteredAfterTheFact, refusal, sign, stepOf } from '../case-fixtures';

describe('renewal-from-grant-end', () => {
  const { renewalRunsOnFromGrantEnd: _, ...BEFORE } = DATE_RULES;
  const RULES = DATE_RULES;

  /** Entered after the fact on 7 Dec 2026, the day the probe entered it. */
  const ENTERED = '2026-12-07T07:35:00.000Z';

  /**
   * An adult identified on 1 Feb 2024, CP granted on `grantedOn` with its end left to the policy, the renewal requested
   * on 1 Sep 2026: the case as ICE finds it to decide the renewal, entered after the fact on the rules given.
   */
  function renewalRequested(rules: RuleFlags, grantedOn: string): CaseState {
    let state = enteredAfterTheFact('2024-02-01', ENTERED, rules);
    state = sign(state, 'cp_request-1', 'requested', { requestedOn: '2024-02-05' }, ENTERED);
    state = sign(state, 'cp_decision-1', 'granted', { grantedOn }, ENTERED);
    return sign(state, 'cp_renewal_request-1', 'requested', { requestedOn: '2026-01-10' }, ENTERED);
  }

  /** The renewal ICE granted on `renewedOn`, its end left to the policy: what it recorded and what it opened. */
  function renewedOn(rules: RuleFlags, grantedOn: string, renewedOn: string) {
    const renewed = sign(
      renewalRequested(rules, grantedOn),
      'cp_renewal_decision-1',
      'renewed',
      { renewedOn },
      ENTERED,
    );
    const { details, expiresAt } = stepOf(renewed, 'cp_renewal_decision-1');
    return { validUntil: details['validUntil'], expiresAt, renewalDue: stepOf(renewed, 'cp_renewal_request-2').dueAt };
  }

  const THROUGH_30_NOV_2028 = {
    validUntil: '2028-11-30',
    expiresAt: '2028-12-01T00:00:00.000Z',
    renewalDue: '2028-12-01T00:00:00.000Z',
  };

  test('a grant through 30 Nov 2026 renewed on its last day runs on through 30 Nov 2028, as renewed the day before or after', () => {
    expect(stepOf(renewalRequested(RULES, '2024-12-01'), 'cp_decision-1').details['validUntil']).toBe('2026-11-30');
    expect(renewedOn(RULES, '2024-12-01', '2026-11-29')).toEqual(THROUGH_30_NOV_2028);
    expect(renewedOn(RULES, '2024-12-01', '2026-11-30')).toEqual(THROUGH_30_NOV_2028);
    expect(renewedOn(RULES, '2024-12-01', '2026-12-01')).toEqual(THROUGH_30_NOV_2028);
  });

  test('a grant through 28 Feb 2026 renewed runs its 24 months from 1 Mar 2026, through 29 Feb 2028, as its letter may say', () => {
    expect(stepOf(renewalRequested(RULES, '2024-03-01'), 'cp_decision-1').details['validUntil']).toBe('2026-02-28');
    expect(renewedOn(RULES, '2024-03-01', '2026-02-20')).toMatchObject({ validUntil: '2028-02-29' });
    const letter = { renewedOn: '2026-02-20', validUntil: '2028-02-29' };
    expect(
      refusal(renewalRequested(RULES, '2024-03-01'), 'cp_renewal_decision-1', 'renewed', letter, ENTERED),
    ).toBeNull();
    // A day past those 24 months is refused, naming the last day they allow.
    expect(
      refusal(
        renewalRequested(RULES, '2024-03-01'),
        'cp_renewal_decision-1',
        'renewed',
        { ...letter, validUntil: '2028-03-01' },
        ENTERED,
      ),
    ).toEqual({
      code: 'date_out_of_range',
      field: 'details.validUntil',
      message:
        'a renewal lasts at most 24 months (until 2028-02-29); ICE CCHT "Continued Presence" resource guide: renewals of up to 2 years',
    });
  });

  test('a case without the rule (running before its patch) keeps the renewal it recorded a day short', () => {
    expect(renewedOn(BEFORE, '2024-12-01', '2026-11-30')).toEqual({
      validUntil: '2028-11-29',
      expiresAt: '2028-11-30T00:00:00.000Z',
      renewalDue: '2028-11-30T00:00:00.000Z',
    });
    expect(renewedOn(BEFORE, '2024-03-01', '2026-02-20')).toMatchObject({ validUntil: '2028-02-28' });
  });
});
