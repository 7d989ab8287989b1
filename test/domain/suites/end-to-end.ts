import { nextAlarm } from '../../../domain/alarms';
import type { CaseState } from '../../../domain/case-state';
import { closeCase } from '../../../domain/case';
import { actorOf, noon, openAdult, openMinor, pendingIds, runAlarmsUntil, sign, stepOf } from '../case-fixtures';

describe('end-to-end', () => {
  function expectWellFormedTimeline(state: CaseState) {
    expect(state.timeline.map((e) => e.seq)).toEqual(state.timeline.map((_, i) => i + 1));
    for (const step of state.steps) {
      expect(state.timeline.some((e) => e.type === 'step.opened' && e.stepId === step.id)).toBe(true);
    }
  }

  describe('end to end', () => {
    it('an adult: CP, certification, T visa with an RFE, U visa re-certified after a lapsed window, then closed', () => {
      let state = openAdult({ usesUVisa: true });
      state = sign(state, 'cp_request-1', 'requested', { requestedOn: '2026-01-06' }, noon('2026-01-06'));
      state = runAlarmsUntil(state, noon('2026-01-20'));
      state = sign(state, 'cp_decision-1', 'granted', { validUntil: '2028-01-20' }, noon('2026-01-20'));
      state = sign(state, 'le_declaration-1', 'declined', { reason: 'investigation_closed' }, noon('2026-01-21'));
      state = sign(
        state,
        'hhs_certification_request-1',
        'requested',
        { requestedOn: '2026-01-22' },
        noon('2026-01-22'),
      );
      state = sign(state, 'u_visa_certification-1', 'signed', { signedOn: '2026-01-23' }, noon('2026-01-23'));
      state = sign(state, 't_visa_filing-1', 'filed', { filedOn: '2026-02-01' }, noon('2026-02-01'));
      state = sign(
        state,
        'hhs_certification_letter-1',
        'certified',
        { eligibilityDate: '2026-02-10' },
        noon('2026-02-12'),
      );
      state = sign(state, 't_visa_receipt-1', 'received', { receivedOn: '2026-02-20' }, noon('2026-02-21'));
      state = runAlarmsUntil(state, noon('2026-07-25')); // the window closed at the end of 2026-07-23
      expect(stepOf(state, 'u_visa_certification-1').status).toBe('expired');
      expect(stepOf(state, 'u_visa_certification-2').status).toBe('pending');
      state = sign(state, 'u_visa_certification-2', 'signed', { signedOn: '2026-07-25' }, noon('2026-07-25'));
      state = sign(state, 'u_visa_petition-2', 'filed', { filedOn: '2026-08-01' }, noon('2026-08-01'));
      state = sign(state, 't_visa_bona_fide-1', 'bona_fide', { determinedOn: '2026-08-01' }, noon('2026-08-02'));
      state = sign(
        state,
        't_visa_decision-1',
        'evidence_requested',
        { notice: 'rfe', issuedOn: '2026-09-01', respondBy: '2026-11-20' },
        noon('2026-09-03'),
      );
      state = sign(state, 't_visa_evidence_response-1', 'responded', { respondedOn: '2026-11-01' }, noon('2026-11-01'));
      state = sign(
        state,
        't_visa_decision-1',
        'approved',
        { approvedOn: '2027-03-01', validUntil: '2031-02-28', adjustmentEligibleFrom: '2030-03-01' },
        noon('2027-03-02'),
      );
      state = sign(state, 'cp_renewal_request-1', 'requested', { requestedOn: '2027-09-01' }, noon('2027-09-01'));
      state = sign(state, 'cp_renewal_decision-1', 'renewed', { validUntil: '2030-01-20' }, noon('2027-10-01'));
      state = runAlarmsUntil(state, noon('2030-03-02'));
      expect(stepOf(state, 'cp_renewal_decision-1').status).toBe('expired'); // no second renewal was requested
      state = sign(state, 't_visa_adjustment_filing-1', 'filed', { filedOn: '2030-03-02' }, noon('2030-03-02'));
      expect(pendingIds(state)).toEqual([]);
      expect(nextAlarm(state)).toBeUndefined();
      state = closeCase(
        state,
        { status: 'closed', reason: 'relief_obtained' },
        actorOf('coordinator'),
        noon('2030-03-03'),
      );
      expect(state.status).toBe('closed');
      expect(state.firedAlarms.map((id) => id.split(':').slice(1, 3).join(':'))).toEqual([
        'expiry_reminder:benefit_window',
        ...Array<string>(3).fill('expiry_reminder:u_certification_window'),
        'expired:u_certification_window',
        ...Array<string>(3).fill('expiry_reminder:cp_validity'),
        'expired:cp_validity',
        'reminder:adjustment_eligible',
      ]);
      expectWellFormedTimeline(state);
    });

    it('a minor: notification late (escalated), interim letter extended, eligibility letter', () => {
      let state = openMinor('2026-09-01');
      state = runAlarmsUntil(state, '2026-01-06T15:00:00.000Z');
      expect(state.timeline.filter((e) => e.type.startsWith('alarm.')).map((e) => e.type)).toEqual([
        'alarm.reminder',
        'alarm.due',
        'alarm.escalation',
      ]);
      state = sign(
        state,
        'hhs_minor_notification-1',
        'notified',
        { notifiedOn: '2026-01-06' },
        '2026-01-06T15:00:00.000Z',
      );
      state = sign(
        state,
        'hhs_interim_letter-1',
        'issued',
        { issuedOn: '2026-01-09', validUntil: '2026-04-08' },
        noon('2026-01-09'),
      );
      state = runAlarmsUntil(state, noon('2026-04-01'));
      state = sign(state, 'hhs_interim_letter-1', 'extended', {}, noon('2026-04-01'));
      state = runAlarmsUntil(state, noon('2026-05-01'));
      expect(stepOf(state, 'hhs_interim_letter-1').status).toBe('completed');
      state = sign(state, 'hhs_eligibility_letter-1', 'issued', { eligibilityDate: '2026-05-01' }, noon('2026-05-01'));
      expect(pendingIds(state)).toEqual(['cp_request-1', 'le_declaration-1', 't_visa_filing-1']);
      expectWellFormedTimeline(state);
    });
  });
});
