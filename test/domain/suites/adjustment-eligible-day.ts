/**
 * The reminder that a survivor may now adjust status ("Can be filed now", the approval's `adjustmentEligibleFrom`)
 * fires once that day has begun everywhere in the US, at noon UTC (`adjustmentEligibleOnItsDay`, domain/tracks/t-visa.ts).
 * Before, it fired at midnight UTC, 16:00 the day before in Los Angeles, where the advocate it told to file was then
 * refused a filing typed that day, "filedOn must be on or after" the next (probe T2, 7 Dec 2026: T status approved on
 * 8 Dec 2023, the reminder listed at 2026-12-08T00:00:00.000Z). Its id is the same, so one sent before the rule is not
 * sent again.
 */
import { localDateOf } from '../../../core/time-zones';
import { alarms } from '../../../domain/alarms';
import { validateSignOff, type CaseState, type RuleFlags } from '../../../domain/case';
import { actorOf, DATE_RULES, enteredAfterTheFact, sign } from '../case-fixtures';

describe('adjustment-eligible-day', () => {
  const LOS_ANGELES = 'America/Los_Angeles';
  const RULES = DATE_RULES;
  const { adjustmentEligibleOnItsDay: _, ...BEFORE } = DATE_RULES;

  /** Entered after the fact on 7 Dec 2026, as the probe entered it. */
  const ENTERED = '2026-12-07T07:51:00.000Z';

  /** T status approved on 8 Dec 2023 through 7 Dec 2027, no adjustment date on the notice: 3 years give 8 Dec 2026. */
  function approved(rules: RuleFlags): CaseState {
    let state = enteredAfterTheFact('2022-01-10', ENTERED, rules);
    state = sign(state, 't_visa_filing-1', 'filed', { filedOn: '2022-02-01' }, ENTERED);
    state = sign(state, 't_visa_receipt-1', 'received', { receivedOn: '2022-02-15' }, ENTERED);
    state = sign(state, 't_visa_bona_fide-1', 'bona_fide', { determinedOn: '2022-06-01' }, ENTERED);
    return sign(
      state,
      't_visa_decision-1',
      'approved',
      { approvedOn: '2023-12-08', validUntil: '2027-12-07' },
      ENTERED,
    );
  }

  /** The "Can be filed now" reminder, and what an advocate in Los Angeles typing that day's filing then is answered. */
  function whenItFires(rules: RuleFlags) {
    const state = approved(rules);
    const reminder = alarms(state).find((alarm) => alarm.subject === 'adjustment_eligible')!;
    const laToday = localDateOf(reminder.at, LOS_ANGELES);
    const filing = { stepId: 't_visa_adjustment_filing-1', outcome: 'filed', details: { filedOn: laToday } };
    return {
      id: reminder.id,
      at: reminder.at,
      laToday,
      filingThen: validateSignOff(state, filing, actorOf('advocate'), reminder.at, laToday),
    };
  }

  test('the reminder fires once 8 Dec has begun everywhere in the US: a filing typed that day in Los Angeles is taken', () => {
    expect(whenItFires(RULES)).toEqual({
      id: 't_visa_adjustment_filing-1:reminder:adjustment_eligible:2026-12-08T00:00:00.000Z',
      at: '2026-12-08T12:00:00.000Z',
      laToday: '2026-12-08',
      filingThen: null,
    });
  });

  test('a case without the rule (running before its patch) keeps the reminder at midnight UTC, the day before in Los Angeles', () => {
    const before = whenItFires(BEFORE);
    expect(before).toMatchObject({
      id: 't_visa_adjustment_filing-1:reminder:adjustment_eligible:2026-12-08T00:00:00.000Z',
      at: '2026-12-08T00:00:00.000Z',
      laToday: '2026-12-07',
    });
    expect(before.filingThen).toMatchObject({ code: 'date_order', field: 'details.filedOn' });
  });
});
