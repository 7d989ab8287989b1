/**
 * No day a case records as one of its events lies before the TVPA (enacted 2000-10-28), which created T status,
 * Continued Presence and the HHS letters: 1900 is a valid date, not a plausible day of a CP request. Cases that count
 * from events already hold a sign-off's dates to the day its step opened; cases on an older policy held them to
 * nothing, and a letter's eligibility date (no `…On`) was held to nothing on any case.
 */
import { TVPA_ENACTED } from '../../../domain/dates';
import { noon, openAdult, openMinor, RECORDING_POLICY, refusal, sign } from '../case-fixtures';

describe('before-the-tvpa', () => {
  const NOW = noon('2026-01-20');
  const WHY =
    'must be on or after 2000-10-28, when the TVPA, which created T status and Continued Presence, was enacted';

  describe('a day before the TVPA', () => {
    it('is refused as a sign-off date on a case whose policy does not hold it to its step, naming the field and why', () => {
      const legacy = openAdult({ policy: RECORDING_POLICY });
      expect(refusal(legacy, 'cp_request-1', 'requested', { requestedOn: '1900-01-01' }, NOW)).toEqual({
        code: 'date_out_of_range',
        field: 'details.requestedOn',
        message: `requestedOn ${WHY}`,
      });
      expect(refusal(legacy, 'cp_request-1', 'requested', { requestedOn: '2000-10-27' }, NOW)).toMatchObject({
        field: 'details.requestedOn',
      });
      expect(refusal(legacy, 'cp_request-1', 'requested', { requestedOn: TVPA_ENACTED }, NOW)).toBeNull();
    });

    it("is refused as a minor's eligibility letter's eligibility date", () => {
      const notified = sign(openMinor(), 'hhs_minor_notification-1', 'notified', { notifiedOn: '2026-01-05' }, NOW);
      expect(refusal(notified, 'hhs_eligibility_letter-1', 'issued', { eligibilityDate: '1999-12-31' }, NOW)).toEqual({
        code: 'date_out_of_range',
        field: 'details.eligibilityDate',
        message: `eligibilityDate ${WHY}`,
      });
      expect(
        refusal(notified, 'hhs_eligibility_letter-1', 'issued', { eligibilityDate: '2026-01-10' }, NOW),
      ).toBeNull();
    });
  });
});
