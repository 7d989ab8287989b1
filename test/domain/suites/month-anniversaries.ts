/**
 * A period of months counted with its first day ends the day before its anniversary, and where the month it ends in is
 * too short for that day (29 Feb in a common year, the 31st), the anniversary falls as a birthday does, on the first of
 * the month after (`monthsEndAsAnniversaries`, domain/dates.ts `anniversaryAfter`). Before, it ended the day before the
 * month's last day (probe Q1, 6 Dec 2026): a CP grant entered from 29 Feb 2024 ran through 27 Feb 2026, a day short of
 * two years, benefits from an eligibility date of 31 Oct 2025 through 27 Feb 2026, and T status approved on 29 Feb
 * 2024 was open to adjustment from 28 Feb 2027, before three years had passed.
 */
import { openCase, type CaseState, type RuleFlags } from '../../../domain/case';
import { AGENCIES, noon, sign, stepOf } from '../case-fixtures';

describe('month-anniversaries', () => {
  const ENTERED = noon('2026-12-06');
  const RULES: RuleFlags = { datesAsWritten: true, daysDueAllDay: true, countsFromTypedToday: true };
  const NOW_RULES: RuleFlags = { ...RULES, monthsEndAsAnniversaries: true };

  /** A case identified on `identifiedOn` and entered after the fact, on the rules given. */
  function identified(identifiedOn: string, rules: RuleFlags): CaseState {
    return openCase(
      {
        caseId: `months-${identifiedOn}`,
        reference: `RC-${identifiedOn}`,
        identifiedAt: `${identifiedOn}T08:00:00.000Z`,
        minorTurns18On: null,
        agencies: AGENCIES,
        usesUVisa: false,
      },
      ENTERED,
      rules,
    );
  }

  /** CP requested the day after the identification and granted on `grantedOn`, its end left to the policy. */
  function grantedOn(grantedOn: string, rules: RuleFlags): CaseState {
    const state = sign(
      identified('2024-02-01', rules),
      'cp_request-1',
      'requested',
      { requestedOn: '2024-02-02' },
      ENTERED,
    );
    return sign(state, 'cp_decision-1', 'granted', { grantedOn }, ENTERED);
  }

  /** A T visa filed, received, found bona fide and approved on 29 Feb 2024, with no adjustment date on the notice. */
  function approvedOnLeapDay(rules: RuleFlags): CaseState {
    let state = sign(identified('2024-02-01', rules), 't_visa_filing-1', 'filed', { filedOn: '2024-02-02' }, ENTERED);
    state = sign(state, 't_visa_receipt-1', 'received', { receivedOn: '2024-02-05' }, ENTERED);
    state = sign(state, 't_visa_bona_fide-1', 'bona_fide', { determinedOn: '2024-02-10' }, ENTERED);
    return sign(
      state,
      't_visa_decision-1',
      'approved',
      { approvedOn: '2024-02-29', validUntil: '2028-02-28' },
      ENTERED,
    );
  }

  /** An adult certified by HHS with an eligibility date of 31 Oct 2025, on a CP grant of 3 Oct 2025. */
  function certifiedOn31Oct(rules: RuleFlags): CaseState {
    let state = sign(
      identified('2025-10-01', rules),
      'cp_request-1',
      'requested',
      { requestedOn: '2025-10-02' },
      ENTERED,
    );
    state = sign(state, 'cp_decision-1', 'granted', { grantedOn: '2025-10-03' }, ENTERED);
    state = sign(state, 'hhs_certification_request-1', 'requested', { requestedOn: '2025-10-31' }, ENTERED);
    return sign(state, 'hhs_certification_letter-1', 'certified', { eligibilityDate: '2025-10-31' }, ENTERED);
  }

  describe('a period of months from a day its last month lacks', () => {
    it('a CP grant of 24 months from 29 Feb 2024 runs through 28 Feb 2026, two whole years', () => {
      const grant = stepOf(grantedOn('2024-02-29', NOW_RULES), 'cp_decision-1');
      expect(grant.details['validUntil']).toBe('2026-02-28');
      expect(grant.expiresAt).toBe('2026-03-01T00:00:00.000Z');
    });

    it('a grant from a day every month has ends the day before its anniversary, as before', () => {
      expect(stepOf(grantedOn('2024-02-28', NOW_RULES), 'cp_decision-1').details['validUntil']).toBe('2026-02-27');
      expect(stepOf(grantedOn('2024-03-01', NOW_RULES), 'cp_decision-1').details['validUntil']).toBe('2026-02-28');
    });

    it('T status approved on 29 Feb 2024 may be adjusted from 1 Mar 2027, once three years have passed', () => {
      const adjustment = stepOf(approvedOnLeapDay(NOW_RULES), 't_visa_adjustment_filing-1');
      expect(adjustment.details['adjustmentEligibleFrom']).toBe('2027-03-01');
    });

    it('benefits of 4 months from an eligibility date of 31 Oct 2025 last through 28 Feb 2026', () => {
      const letter = stepOf(certifiedOn31Oct(NOW_RULES), 'hhs_certification_letter-1');
      expect(letter.details).toMatchObject({ benefitMonths: 4, benefitEndsOn: '2026-02-28' });
    });

    it('a case recorded before the rule keeps the dates it computed then', () => {
      expect(stepOf(grantedOn('2024-02-29', RULES), 'cp_decision-1').details['validUntil']).toBe('2026-02-27');
      expect(stepOf(approvedOnLeapDay(RULES), 't_visa_adjustment_filing-1').details['adjustmentEligibleFrom']).toBe(
        '2027-02-28',
      );
      expect(stepOf(certifiedOn31Oct(RULES), 'hhs_certification_letter-1').details['benefitEndsOn']).toBe('2026-02-27');
    });
  });
});
