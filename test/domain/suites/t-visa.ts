import { alarms, fireAlarm } from '../../../domain/alarms';
import type { CaseState } from '../../../domain/case-state';
import {
  certificationAlarms,
  certificationWithdrawal,
  noon,
  openAdult,
  openMinor,
  pendingIds,
  refusal,
  sign,
  stepOf,
} from '../case-fixtures';

describe('t-visa', () => {
  function awaitingDecision(state: CaseState = openAdult()): CaseState {
    let next = sign(state, 't_visa_filing-1', 'filed', { filedOn: '2026-02-01' }, noon('2026-02-01'));
    expect(stepOf(next, 't_visa_receipt-1')).toMatchObject({ status: 'pending', agencyKind: 'advocate' });
    next = sign(next, 't_visa_receipt-1', 'received', { receivedOn: '2026-02-20' }, noon('2026-02-21'));
    expect(stepOf(next, 't_visa_bona_fide-1').status).toBe('pending');
    return sign(next, 't_visa_bona_fide-1', 'bona_fide', { determinedOn: '2026-06-01' }, noon('2026-06-02'));
  }

  const approval = { approvedOn: '2027-01-10', validUntil: '2031-01-09', adjustmentEligibleFrom: '2030-01-10' };
  const rfe = (respondBy: string) => ({ notice: 'rfe', issuedOn: '2026-07-01', respondBy });

  describe('T visa', () => {
    it('happy path: filing, receipt, bona fide, an RFE answered, approval, adjustment filing', () => {
      let state = awaitingDecision();
      state = sign(state, 't_visa_decision-1', 'evidence_requested', rfe('2026-09-26'), noon('2026-07-03'));
      expect(stepOf(state, 't_visa_decision-1').status).toBe('pending');
      expect(stepOf(state, 't_visa_evidence_response-1')).toMatchObject({
        status: 'pending',
        dueAt: '2026-09-27T00:00:00.000Z',
        details: { notice: 'rfe', issuedOn: '2026-07-01', respondBy: '2026-09-26' },
      });
      state = sign(state, 't_visa_evidence_response-1', 'responded', { respondedOn: '2026-09-10' }, noon('2026-09-10'));
      state = sign(state, 't_visa_decision-1', 'approved', approval, noon('2027-01-11'));
      expect(stepOf(state, 't_visa_decision-1')).toMatchObject({
        status: 'completed',
        expiresAt: '2031-01-10T00:00:00.000Z',
      });
      expect(stepOf(state, 't_visa_adjustment_filing-1')).toMatchObject({
        status: 'pending',
        dueAt: '2031-01-10T00:00:00.000Z',
      });
      state = sign(state, 't_visa_adjustment_filing-1', 'filed', { filedOn: '2030-02-01' }, noon('2030-02-01'));
      expect(alarms(state).some((a) => a.subject === 't_status' || a.subject === 'adjustment_eligible')).toBe(false);
      expect(state.timeline.map((e) => e.type)).toContain('notice.received');
    });

    it('RFE reminders run off the respondBy date and move to a new respondBy with new ids', () => {
      const base = awaitingDecision();
      const first = sign(base, 't_visa_decision-1', 'evidence_requested', rfe('2026-09-26'), noon('2026-07-03'));
      const responseAlarms = (s: CaseState) => alarms(s).filter((a) => a.stepId === 't_visa_evidence_response-1');
      expect(responseAlarms(first).map((a) => [a.kind, a.at])).toEqual([
        ['reminder', '2026-09-06T00:00:00.000Z'],
        ['reminder', '2026-09-20T00:00:00.000Z'],
        ['reminder', '2026-09-25T00:00:00.000Z'],
        ['due', '2026-09-27T00:00:00.000Z'],
      ]);
      const other = sign(base, 't_visa_decision-1', 'evidence_requested', rfe('2026-09-20'), noon('2026-07-03'));
      const ids = new Set(responseAlarms(first).map((a) => a.id));
      expect(responseAlarms(other).every((a) => !ids.has(a.id))).toBe(true);
      expect(responseAlarms(other).find((a) => a.kind === 'due')?.at).toBe('2026-09-21T00:00:00.000Z');
    });

    it('evidence requests repeat, one at a time', () => {
      let state = sign(
        awaitingDecision(),
        't_visa_decision-1',
        'evidence_requested',
        rfe('2026-09-26'),
        noon('2026-07-03'),
      );
      expect(
        refusal(state, 't_visa_decision-1', 'evidence_requested', rfe('2026-09-26'), noon('2026-07-04')),
      ).toMatchObject({
        code: 'evidence_response_pending',
      });
      state = sign(state, 't_visa_evidence_response-1', 'responded', { respondedOn: '2026-09-10' }, noon('2026-09-10'));
      state = sign(
        state,
        't_visa_decision-1',
        'evidence_requested',
        { notice: 'noid', issuedOn: '2026-11-01', respondBy: '2026-12-01' },
        noon('2026-11-02'),
      );
      expect(stepOf(state, 't_visa_evidence_response-2')).toMatchObject({
        status: 'pending',
        details: { notice: 'noid' },
      });
    });

    it('bounds respondBy by the notice type: 12 weeks + 3 days for an RFE, 30 days for a NOID', () => {
      const state = awaitingDecision();
      expect(
        refusal(state, 't_visa_decision-1', 'evidence_requested', rfe('2026-09-26'), noon('2026-07-03')),
      ).toBeNull();
      expect(
        refusal(state, 't_visa_decision-1', 'evidence_requested', rfe('2026-09-27'), noon('2026-07-03')),
      ).toMatchObject({
        code: 'date_out_of_range',
        field: 'details.respondBy',
        message: expect.stringMatching(/^a request for evidence \(RFE\) allows at most 87 days/) as unknown,
      });
      const noid = { notice: 'noid', issuedOn: '2026-07-01', respondBy: '2026-08-01' };
      expect(refusal(state, 't_visa_decision-1', 'evidence_requested', noid, noon('2026-07-03'))).toMatchObject({
        code: 'date_out_of_range',
        message: expect.stringMatching(/^a notice of intent to deny \(NOID\) allows at most 30 days/) as unknown,
      });
      expect(
        refusal(
          state,
          't_visa_decision-1',
          'evidence_requested',
          { ...noid, respondBy: '2026-06-30' },
          noon('2026-07-03'),
        ),
      ).toMatchObject({
        code: 'date_order',
        field: 'details.respondBy',
      });
    });

    it('checks the approval dates: status at most 4 years, adjustment date inside the status', () => {
      const state = awaitingDecision();
      expect(
        refusal(state, 't_visa_decision-1', 'approved', { ...approval, validUntil: '2031-01-11' }, noon('2027-01-11')),
      ).toMatchObject({
        code: 'date_out_of_range',
        field: 'details.validUntil',
      });
      expect(
        refusal(
          state,
          't_visa_decision-1',
          'approved',
          { ...approval, adjustmentEligibleFrom: '2031-02-01' },
          noon('2027-01-11'),
        ),
      ).toMatchObject({
        code: 'date_order',
        field: 'details.adjustmentEligibleFrom',
      });
    });

    it('after approval reminds before T status ends and when adjustment becomes possible; lapsing loses the path', () => {
      const state = sign(awaitingDecision(), 't_visa_decision-1', 'approved', approval, noon('2027-01-11'));
      const tAlarms = alarms(state).filter((a) => a.subject === 't_status' || a.subject === 'adjustment_eligible');
      expect(tAlarms.map((a) => [a.kind, a.at, a.recipient])).toEqual([
        ['reminder', '2030-01-10T00:00:00.000Z', 'advocate'],
        ['expiry_reminder', '2030-07-14T00:00:00.000Z', 'advocate'],
        ['expiry_reminder', '2030-10-12T00:00:00.000Z', 'advocate'],
        ['expiry_reminder', '2030-12-11T00:00:00.000Z', 'advocate'],
        ['expired', '2031-01-10T00:00:00.000Z', 'advocate'],
      ]);
      const end = tAlarms.at(-1)!;
      const lapsed = fireAlarm(state, end, end.at);
      expect(stepOf(lapsed, 't_visa_adjustment_filing-1').status).toBe('expired');
      expect(stepOf(lapsed, 't_visa_decision-1').status).toBe('expired');
    });

    it('refuses an adjustment filed after T status ended, however late the case was entered', () => {
      // Identified in 2020 and entered on 2026-01-05: T status ended on 2024-05-31, its lapse held while it is entered.
      const entered = noon('2026-01-05');
      let state: CaseState = { ...openAdult({ identifiedAt: '2020-01-02T08:00:00.000Z' }), holdsPassedExpiries: true };
      state = sign(state, 't_visa_filing-1', 'filed', { filedOn: '2020-01-10' }, entered);
      state = sign(state, 't_visa_receipt-1', 'received', { receivedOn: '2020-01-20' }, entered);
      state = sign(state, 't_visa_bona_fide-1', 'bona_fide', { determinedOn: '2020-03-01' }, entered);
      state = sign(
        state,
        't_visa_decision-1',
        'approved',
        { approvedOn: '2020-06-01', validUntil: '2024-05-31', adjustmentEligibleFrom: '2023-06-01' },
        entered,
      );
      expect(stepOf(state, 't_visa_adjustment_filing-1').status).toBe('pending');
      expect(refusal(state, 't_visa_adjustment_filing-1', 'filed', { filedOn: '2024-08-01' }, entered)).toEqual({
        code: 'date_order',
        field: 'details.filedOn',
        message:
          'filedOn must be on or before 2024-05-31, the last day of T status: adjustment must be filed while T status ' +
          'lasts, and a survivor whose T status ended before filing has lost this path',
      });
      // Its last day is still in time.
      const filed = sign(state, 't_visa_adjustment_filing-1', 'filed', { filedOn: '2024-05-31' }, entered);
      expect(stepOf(filed, 't_visa_adjustment_filing-1').status).toBe('completed');
    });

    it('refuses an adjustment filed before the survivor may adjust unless the investigation was complete by then', () => {
      const state = sign(awaitingDecision(), 't_visa_decision-1', 'approved', approval, noon('2027-01-11'));
      const at = noon('2028-03-01');
      expect(refusal(state, 't_visa_adjustment_filing-1', 'filed', { filedOn: '2028-03-01' }, at)).toEqual({
        code: 'date_order',
        field: 'details.filedOn',
        message:
          'filedOn must be on or after 2030-01-10, when the survivor may adjust status: an earlier filing is possible ' +
          'only once the investigation or prosecution is complete: give investigationCompleteDate',
      });
      const after = { filedOn: '2028-02-01', investigationCompleteDate: '2028-02-20' };
      expect(refusal(state, 't_visa_adjustment_filing-1', 'filed', after, at)).toMatchObject({
        code: 'date_order',
        field: 'details.investigationCompleteDate',
      });
      const future = { filedOn: '2028-03-01', investigationCompleteDate: '2028-03-02' };
      expect(refusal(state, 't_visa_adjustment_filing-1', 'filed', future, at)).toMatchObject({
        field: 'details.investigationCompleteDate',
        message: 'investigationCompleteDate (2028-03-02) is after today (2028-03-01)',
      });
      // Complete before T status was approved, so before the step opened, as an investigation often is: no event of it.
      const basis = { filedOn: '2028-03-01', investigationCompleteDate: '2026-12-01' };
      const early = sign(state, 't_visa_adjustment_filing-1', 'filed', basis, at);
      expect(stepOf(early, 't_visa_adjustment_filing-1')).toMatchObject({ status: 'completed', details: basis });
      // From the day the survivor may adjust, no basis is asked.
      const onTheDay = sign(
        state,
        't_visa_adjustment_filing-1',
        'filed',
        { filedOn: '2030-01-10' },
        noon('2030-01-10'),
      );
      expect(stepOf(onTheDay, 't_visa_adjustment_filing-1').status).toBe('completed');
    });

    it('a denial closes the pending evidence response', () => {
      let state = sign(
        awaitingDecision(),
        't_visa_decision-1',
        'evidence_requested',
        rfe('2026-09-26'),
        noon('2026-07-03'),
      );
      state = sign(state, 't_visa_decision-1', 'denied', { reason: 'not_a_victim' }, noon('2026-08-01'));
      expect(stepOf(state, 't_visa_evidence_response-1').status).toBe('cancelled');
      expect(state.steps.some((s) => s.kind === 't_visa_adjustment_filing')).toBe(false);
    });

    it("refuses a denial for no response before the NOID's response window closed, naming decidedOn", () => {
      const noid = { notice: 'noid', issuedOn: '2026-07-01', respondBy: '2026-07-31' };
      const noticed = sign(awaitingDecision(), 't_visa_decision-1', 'evidence_requested', noid, noon('2026-07-03'));
      const due = {
        code: 'date_order',
        field: 'details.decidedOn',
        message:
          'decidedOn must be after 2026-07-31, the day the response to a notice of intent to deny (NOID) was due: a ' +
          'denial for not responding cannot come before the time to respond has passed',
      };
      const denial = (details: object, at: string) =>
        refusal(noticed, 't_visa_decision-1', 'denied', { reason: 'no_response', ...details }, at);
      // Decided on the day the response was due, or recorded before it without a day: the survivor could still respond.
      expect(denial({ decidedOn: '2026-07-31' }, noon('2026-08-05'))).toEqual(due);
      expect(denial({}, noon('2026-07-20'))).toEqual(due);
      // The day after it, or recorded after it without a day, it is taken; so is a denial for another reason before it.
      expect(denial({ decidedOn: '2026-08-01' }, noon('2026-08-05'))).toBeNull();
      expect(denial({}, noon('2026-08-01'))).toBeNull();
      expect(
        refusal(noticed, 't_visa_decision-1', 'denied', { reason: 'not_a_victim' }, noon('2026-07-20')),
      ).toBeNull();
      // A request for evidence (RFE) not answered is held to its own day, named as such.
      const asked = sign(
        awaitingDecision(),
        't_visa_decision-1',
        'evidence_requested',
        rfe('2026-09-26'),
        noon('2026-07-03'),
      );
      const early = refusal(asked, 't_visa_decision-1', 'denied', { reason: 'no_response' }, noon('2026-09-26'));
      expect(early?.field).toBe('details.decidedOn');
      expect(early?.message).toContain(
        'after 2026-09-26, the day the response to a request for evidence (RFE) was due',
      );
    });

    it('refuses a denial for no response on a case that records no RFE or NOID, naming the reason', () => {
      const state = awaitingDecision();
      const denial = (reason: string) =>
        refusal(state, 't_visa_decision-1', 'denied', { reason, decidedOn: '2026-11-01' }, noon('2026-11-02'));
      expect(denial('no_response')).toMatchObject({
        code: 'invalid_details',
        field: 'details.reason',
        message: expect.stringMatching(
          /^no request for evidence \(RFE\) or notice of intent to deny \(NOID\) is recorded on this case: record the notice first/,
        ) as unknown,
      });
      expect(denial('not_a_victim')).toBeNull();
      // Once the notice is recorded and its date to respond by has passed, the same denial is taken.
      const noticed = sign(state, 't_visa_decision-1', 'evidence_requested', rfe('2026-09-26'), noon('2026-07-03'));
      expect(
        refusal(
          noticed,
          't_visa_decision-1',
          'denied',
          { reason: 'no_response', decidedOn: '2026-11-01' },
          noon('2026-11-02'),
        ),
      ).toBeNull();
    });

    describe('a denial and the certification request the bona fide determination opened', () => {
      const withdrawing = (state: CaseState): CaseState => ({ ...state, deniedVisaWithdrawsCertification: true });
      // The day after the bona fide determination: the request's reminders are all still to come.
      const deny = (state: CaseState) =>
        sign(state, 't_visa_decision-1', 'denied', { reason: 'not_a_victim' }, noon('2026-06-03'));

      it('cancels it, with the reason in the timeline, when no CP grant is in force', () => {
        const bonaFide = awaitingDecision(withdrawing(openAdult()));
        expect(stepOf(bonaFide, 'hhs_certification_request-1')).toMatchObject({
          status: 'pending',
          details: { unlockedBy: 't_visa_bona_fide' },
        });
        expect(certificationAlarms(bonaFide).length).toBeGreaterThan(0);
        const denied = deny(bonaFide);
        expect(stepOf(denied, 'hhs_certification_request-1').status).toBe('cancelled');
        expect(denied.timeline.at(-1)).toMatchObject(certificationWithdrawal('the T-visa application was denied'));
        expect(certificationAlarms(denied)).toEqual([]);
      });

      it('keeps it while a CP grant is in force, and on cases from before the rule', () => {
        let granted = sign(
          withdrawing(openAdult()),
          'cp_request-1',
          'requested',
          { requestedOn: '2026-01-06' },
          noon('2026-01-06'),
        );
        granted = sign(granted, 'cp_decision-1', 'granted', { grantedOn: '2026-01-20' }, noon('2026-01-20'));
        const withCp = deny(awaitingDecision(granted));
        expect(stepOf(withCp, 'hhs_certification_request-1')).toMatchObject({
          status: 'pending',
          details: { unlockedBy: 'cp_granted' },
        });
        const legacy = deny(awaitingDecision(openAdult()));
        expect(stepOf(legacy, 'hhs_certification_request-1').status).toBe('pending');
        expect(certificationAlarms(legacy).length).toBeGreaterThan(0);
      });

      it('refuses HHS a certification the denial left without ground, once the request was made; CP gives one again', () => {
        let state = sign(
          awaitingDecision(withdrawing(openAdult())),
          'hhs_certification_request-1',
          'requested',
          { requestedOn: '2026-06-02' },
          noon('2026-06-02'),
        );
        state = deny(state);
        // The letter step waits still (withdrawing it is a change to what the workflow does), but may not be certified.
        expect(stepOf(state, 'hhs_certification_letter-1').status).toBe('pending');
        const certify = { eligibilityDate: '2026-06-03' };
        expect(refusal(state, 'hhs_certification_letter-1', 'certified', certify, noon('2026-06-03'))).toEqual({
          code: 'invalid_details',
          field: 'outcome',
          message:
            'no ground for certification holds on this case now: HHS certifies an adult once Continued Presence is in ' +
            'force, a bona fide T visa application has not been denied, or T status is granted',
        });
        expect(
          refusal(state, 'hhs_certification_letter-1', 'denied', { reason: 'other' }, noon('2026-06-03')),
        ).toBeNull();
        state = sign(state, 'cp_request-1', 'requested', { requestedOn: '2026-06-03' }, noon('2026-06-03'));
        state = sign(state, 'cp_decision-1', 'granted', { grantedOn: '2026-06-10' }, noon('2026-06-10'));
        expect(
          refusal(
            state,
            'hhs_certification_letter-1',
            'certified',
            { eligibilityDate: '2026-06-10' },
            noon('2026-06-10'),
          ),
        ).toBeNull();
      });

      it('a CP grant after the withdrawal opens a new request: the denial ended that ground, not the eligibility', () => {
        let state = deny(awaitingDecision(withdrawing(openAdult())));
        expect(stepOf(state, 'hhs_certification_request-1').status).toBe('cancelled');
        state = sign(state, 'cp_request-1', 'requested', { requestedOn: '2026-06-10' }, noon('2026-06-10'));
        state = sign(state, 'cp_decision-1', 'granted', { grantedOn: '2026-06-20' }, noon('2026-06-20'));
        expect(stepOf(state, 'hhs_certification_request-2')).toMatchObject({
          status: 'pending',
          agencyKind: 'advocate',
          details: { unlockedBy: 'cp_granted' },
        });
        expect(alarms(state).some((alarm) => alarm.stepId === 'hhs_certification_request-2')).toBe(true);
      });
    });

    it('is open to minors too', () => {
      expect(stepOf(awaitingDecision(openMinor()), 't_visa_decision-1').status).toBe('pending');
    });
  });

  describe('law-enforcement declaration (I-914 Supplement B)', () => {
    it('is requested from law enforcement at open, beside the T-visa filing', () => {
      const state = openAdult();
      expect(stepOf(state, 'le_declaration-1')).toMatchObject({
        status: 'pending',
        agencyKind: 'law_enforcement',
        track: 'le_declaration',
      });
      expect(stepOf(state, 't_visa_filing-1').status).toBe('pending');
    });

    it('a decline never blocks the T-visa filing', () => {
      const declined = sign(
        openAdult(),
        'le_declaration-1',
        'declined',
        { reason: 'investigation_closed' },
        noon('2026-01-10'),
      );
      expect(stepOf(declined, 'le_declaration-1').status).toBe('declined');
      expect(refusal(declined, 't_visa_filing-1', 'filed', { filedOn: '2026-01-10' }, noon('2026-01-10'))).toBeNull();
    });

    it('silence never blocks it either, and signing later changes nothing on the T track', () => {
      const filed = sign(openAdult(), 't_visa_filing-1', 'filed', { filedOn: '2026-01-10' }, noon('2026-01-10'));
      expect(stepOf(filed, 'le_declaration-1').status).toBe('pending');
      const signed = sign(filed, 'le_declaration-1', 'signed', { signedOn: '2026-02-01' }, noon('2026-02-01'));
      expect(pendingIds(signed)).toEqual(pendingIds(filed).filter((id) => id !== 'le_declaration-1'));
    });
  });
});
