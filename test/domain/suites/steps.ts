import { signedEventDate } from '../../../domain/case';
import { STEP_CATALOGUE } from '../../../domain/steps';
import { STEP_KINDS, type AgencyKind, type StepKind } from '../../../domain/types';

describe('steps', () => {
  const OWNERS: Record<AgencyKind, StepKind[]> = {
    law_enforcement: [
      'identification',
      'cp_request',
      'cp_renewal_request',
      'hhs_minor_notification',
      'le_declaration',
      'u_visa_certification',
    ],
    ice: ['cp_decision', 'cp_renewal_decision'],
    hhs: ['hhs_interim_letter', 'hhs_eligibility_letter', 'hhs_certification_letter'],
    advocate: [
      'hhs_certification_request',
      't_visa_filing',
      't_visa_receipt',
      't_visa_bona_fide',
      't_visa_evidence_response',
      't_visa_decision',
      't_visa_adjustment_filing',
      'u_visa_petition',
    ],
    coordinator: [],
  };

  describe('step catalogue', () => {
    it('covers every step kind', () => {
      expect(Object.keys(STEP_CATALOGUE).sort()).toEqual([...STEP_KINDS].sort());
    });

    it.each(Object.entries(OWNERS))('%s owns exactly its steps', (owner, kinds) => {
      const owned = STEP_KINDS.filter((kind) => STEP_CATALOGUE[kind].owner === owner);
      expect(owned.sort()).toEqual([...kinds].sort());
    });

    it('accepts the documented outcomes with their details', () => {
      const parse = (kind: StepKind, outcome: string, details: unknown) =>
        STEP_CATALOGUE[kind].outcomes[outcome]?.details.safeParse(details).success;
      expect(parse('cp_decision', 'granted', { validUntil: '2028-01-01' })).toBe(true);
      expect(parse('cp_decision', 'denied', { reason: 'not_potential_witness' })).toBe(true);
      expect(parse('hhs_certification_letter', 'certified', { eligibilityDate: '2026-01-01' })).toBe(true);
      expect(
        parse('t_visa_decision', 'approved', {
          approvedOn: '2026-01-01',
          validUntil: '2030-01-01',
          adjustmentEligibleFrom: '2029-01-01',
        }),
      ).toBe(true);
      // The adjustment date may be left to the policy (3 years of T status); the approval date may not.
      expect(parse('t_visa_decision', 'approved', { approvedOn: '2026-01-01', validUntil: '2030-01-01' })).toBe(true);
      expect(parse('t_visa_decision', 'approved', { validUntil: '2030-01-01' })).toBe(false);
      expect(
        parse('t_visa_decision', 'evidence_requested', {
          notice: 'other',
          issuedOn: '2026-01-01',
          respondBy: '2026-02-01',
        }),
      ).toBe(false);
      expect(parse('le_declaration', 'declined', { reason: 'x'.repeat(65) })).toBe(false);
      expect(parse('cp_decision', 'granted', { validUntil: '2028-02-30' })).toBe(false);
    });

    it('lets only the interim letter be amended after completion', () => {
      const amendments = STEP_KINDS.flatMap((kind) =>
        Object.entries(STEP_CATALOGUE[kind].outcomes)
          .filter(([, outcome]) => outcome.appliesTo === 'completed')
          .map(([name]) => `${kind}.${name}`),
      );
      expect(amendments).toEqual(['hhs_interim_letter.extended']);
    });
  });

  describe('the date a sign-off gave for its event', () => {
    test.each([
      [
        'a CP grant: when it was granted, not its end',
        'cp_decision',
        'granted',
        { grantedOn: '2026-02-28', validUntil: '2028-02-27' },
        '2026-02-28',
      ],
      [
        "a response to an RFE: when it was sent, not the notice's issue date kept on the step",
        't_visa_evidence_response',
        'responded',
        { notice: 'rfe', issuedOn: '2026-10-01', respondBy: '2026-12-10', respondedOn: '2026-12-03' },
        '2026-12-03',
      ],
      [
        'a certification letter: none (its benefit window is not when it came)',
        'hhs_certification_letter',
        'certified',
        { eligibilityDate: '2026-12-04', benefitEndsOn: '2027-04-03' },
        undefined,
      ],
      ['a step not signed', 'cp_request', null, {}, undefined],
      ['a kind this code does not know', 'no_such_kind', 'done', { doneOn: '2026-01-01' }, undefined],
    ])('%s', (_case, kind, outcome, details, expected) => {
      expect(signedEventDate({ kind, outcome, details })).toBe(expected);
    });
  });
});
