/**
 * A sign-off's (or a correction's) rules on its dates are judged together (domain/case-state.ts `together`): the
 * refusal names every broken rule, each field's first, so a case worker fixes them all in one send. The first is the
 * refusal it was when only one was answered, so what is refused, and with which code, does not change.
 */
import { together, type Rejection } from '../../../domain/case-state';
import { validateCorrection } from '../../../domain/correction';
import { actorOf, noon, openAdult, refusal, SEALED_NOTE_SAMPLE, sign } from '../case-fixtures';

describe('broken-rules-together', () => {
  /** A case whose Continued Presence was requested on 6 Jan 2026: its decision is pending with ICE. */
  const requested = () =>
    sign(openAdult(), 'cp_request-1', 'requested', { requestedOn: '2026-01-06' }, noon('2026-01-06'));

  const NOW = noon('2026-01-20');

  describe('broken rules judged together', () => {
    it('a grant dated after today that ends before it is granted names both fields, the first as it was alone', () => {
      const both = refusal(
        requested(),
        'cp_decision-1',
        'granted',
        { grantedOn: '2026-02-01', validUntil: '2026-01-25' },
        NOW,
      );
      expect(both).toEqual({
        code: 'date_order',
        field: 'details.grantedOn',
        message: 'grantedOn (2026-02-01) is after today (2026-01-20)',
        more: [
          {
            code: 'date_order',
            field: 'details.validUntil',
            message: 'validUntil (2026-01-25) is before grantedOn (2026-02-01)',
          },
        ],
      });
      // The first broken rule is the refusal a grant breaking it alone gets.
      const { more: _more, ...first } = both!;
      expect(first).toEqual(refusal(requested(), 'cp_decision-1', 'granted', { grantedOn: '2026-02-01' }, NOW));
    });

    it('a grant dated before its step opened that lasts past its limit: each event date, and each track rule', () => {
      const rejection = refusal(
        requested(),
        'cp_decision-1',
        'granted',
        { grantedOn: '2025-12-01', validUntil: '2029-01-01' },
        NOW,
      );
      // Before the decision opened (6 Jan), and past the 24 months a grant lasts: two fields, two rules.
      expect(rejection).toMatchObject({
        code: 'date_order',
        field: 'details.grantedOn',
        message: 'grantedOn (2025-12-01) is before cp_decision-1 opened (2026-01-06)',
        more: [{ code: 'date_out_of_range', field: 'details.validUntil' }],
      });
    });

    it('a correction is judged the same way: every broken date rule of the corrected sign-off', () => {
      const granted = sign(requested(), 'cp_decision-1', 'granted', { validUntil: '2027-01-20' }, NOW);
      const rejection = validateCorrection(
        granted,
        {
          correction: {
            stepId: 'cp_decision-1',
            outcome: 'granted',
            details: { grantedOn: '2026-02-01', validUntil: '2026-01-25' },
            reason: SEALED_NOTE_SAMPLE,
          },
          actor: actorOf('coordinator'),
        },
        NOW,
      );
      expect(rejection).toMatchObject({
        code: 'date_order',
        field: 'details.grantedOn',
        more: [{ code: 'date_order', field: 'details.validUntil' }],
      });
    });

    it('a sign-off breaking one rule is refused as before, with that rule alone', () => {
      const rejection = refusal(
        requested(),
        'cp_decision-1',
        'granted',
        { grantedOn: '2026-01-15', validUntil: '2026-01-10' },
        NOW,
      );
      expect(rejection).toEqual({
        code: 'date_order',
        field: 'details.validUntil',
        message: 'validUntil (2026-01-10) is before grantedOn (2026-01-15)',
      });
    });

    it('a field broken by several rules is named once, by the first it breaks; a rule naming no field is kept', () => {
      const rule = (field: string, message: string): Rejection => ({ code: 'date_order', field, message });
      const first = rule('details.eligibilityDate', 'before the TVPA');
      const again = rule('details.eligibilityDate', 'no benefit period');
      const other = rule('details.issuedOn', 'after today');
      const noField: Rejection = { code: 'evidence_response_pending', message: 'answer the pending one first' };
      expect(together([null, { ...first, more: [again] }, undefined, other, noField])).toEqual({
        ...first,
        more: [other, noField],
      });
      expect(together([null, undefined])).toBeNull();
      expect(together([other])).toEqual(other);
    });
  });
});
