/**
 * HHS's certification letter once its ground goes and comes back (`groundAndCatchUpRules`): withdrawn by a T-visa
 * denial, HHS told; the denial corrected to an approval opens it again, HHS told once, by the correction's notice.
 */
import type { CaseState } from '../../../domain/case-state';
import { correct, noon, openAdult, sign, stepOf } from '../case-fixtures';

describe('certification-letter-ground', () => {
  const withRules = (state: CaseState): CaseState => ({
    ...state,
    deniedVisaWithdrawsCertification: true,
    followersByOpener: true,
    tellsWithdrawnSteps: true,
    datesAsWritten: true,
    groundAndCatchUpRules: true,
  });

  function deniedAfterRequest(): CaseState {
    let state = withRules(openAdult());
    state = sign(state, 't_visa_filing-1', 'filed', { filedOn: '2026-02-01' }, noon('2026-02-01'));
    state = sign(state, 't_visa_receipt-1', 'received', { receivedOn: '2026-02-20' }, noon('2026-02-21'));
    state = sign(state, 't_visa_bona_fide-1', 'bona_fide', { determinedOn: '2026-06-01' }, noon('2026-06-02'));
    state = sign(state, 'hhs_certification_request-1', 'requested', { requestedOn: '2026-06-02' }, noon('2026-06-02'));
    state = sign(
      state,
      't_visa_decision-1',
      'denied',
      { reason: 'other', decidedOn: '2026-06-03' },
      noon('2026-06-03'),
    );
    // As the workflow leaves it once the emails queued are recorded.
    return { ...state, stepChangesToTell: [] };
  }

  test('a denial corrected to an approval: the letter is needed again, told to HHS once', () => {
    const denied = deniedAfterRequest();
    expect(stepOf(denied, 'hhs_certification_letter-1').status).toBe('cancelled');
    const approval = { approvedOn: '2026-06-03', validUntil: '2030-06-02' };
    const corrected = correct(denied, 't_visa_decision-1', 'approved', approval, noon('2026-06-04'));
    expect(stepOf(corrected, 'hhs_certification_letter-2').status).toBe('pending');
    const toHhs = (corrected.stepChangesToTell ?? []).filter((notice) => notice.recipient === 'hhs');
    expect(toHhs).toEqual([
      expect.objectContaining({
        kind: 'step_reopened',
        stepId: 'hhs_certification_letter-2',
        correctedBy: 'coordinator',
      }),
    ]);
  });
});
