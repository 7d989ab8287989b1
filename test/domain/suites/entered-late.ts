/**
 * Cases entered after the fact (issue 14): a task force brings its open cases with it. Every sign-off takes the date
 * of the real event, in the past too; deadlines count from those events; validity that already ended is recorded and
 * then shows as expired; and the alarms that passed before the case was brought up to date are listed once for the
 * coordinator, never fired one by one. The case is entered on 2026-12-02 with events from the two years before.
 */
import { alarms, releaseHeldExpiries, stillToTell } from '../../../domain/alarms';
import { applySignOff, openCase, validateSignOff, type OpenCaseInput } from '../../../domain/case';
import { todayOf } from '../../../domain/dates';
import type { CaseState, PassedAlarm } from '../../../domain/case-state';
import {
  actorOf,
  AGENCIES,
  correct,
  noon,
  pendingIds,
  RECORDING_POLICY,
  refusal,
  sign,
  stepOf,
} from '../case-fixtures';

describe('entered-late', () => {
  const TODAY = '2026-12-02';
  const NOW = noon(TODAY);

  /** An adult's case identified at `identifiedAt`, as the API would open it. */
  const enterInput = (identifiedAt: string): OpenCaseInput => ({
    caseId: 'case-late',
    reference: 'RC-LATE-1',
    identifiedAt,
    minorTurns18On: null,
    agencies: AGENCIES,
    usesUVisa: false,
  });

  function enter(identifiedAt: string, overrides: Partial<OpenCaseInput> = {}): CaseState {
    return openCase({ ...enterInput(identifiedAt), ...overrides }, NOW);
  }

  const timelineOf = (state: CaseState, type: string) => state.timeline.filter((entry) => entry.type === type);

  describe('a case entered after the fact', () => {
    it("counts a minor's 24-hour HHS notice from the identification instant", () => {
      // Identified at 09:30 in New York (UTC-5), 2025-11-03.
      const state = enter('2025-11-03T14:30:00.000Z', { minorTurns18On: '2027-08-01' });
      expect(stepOf(state, 'hhs_minor_notification-1')).toMatchObject({
        openedAt: '2025-11-03T14:30:00.000Z',
        dueAt: '2025-11-04T14:30:00.000Z',
      });
      expect(
        state.timeline.find((entry) => entry.stepId === 'identification-1' && entry.type === 'step.completed'),
      ).toMatchObject({
        at: '2025-11-03T14:30:00.000Z',
        summary: expect.stringContaining('(happened on 2025-11-03, recorded on 2026-12-02)') as unknown,
      });
    });

    it("names the identification's day as the identifying agency wrote it, not the UTC day", () => {
      // 23:30 in New York on 2025-11-03 is already 2025-11-04 in UTC.
      const state = enter('2025-11-04T04:30:00.000Z', { identifiedOn: '2025-11-03' });
      expect(stepOf(state, 'identification-1').details).toMatchObject({ identifiedOn: '2025-11-03' });
      expect(
        state.timeline.find((entry) => entry.stepId === 'identification-1' && entry.type === 'step.completed')?.summary,
      ).toContain('(happened on 2025-11-03, recorded on 2026-12-02)');
    });

    it('opens its first steps at the identification, honestly overdue, and lists what passed once instead of sending it', () => {
      const state = enter('2025-11-03T14:30:00.000Z');
      expect(stepOf(state, 'cp_request-1')).toMatchObject({
        openedAt: '2025-11-03T14:30:00.000Z',
        dueAt: '2025-11-17T14:30:00.000Z',
        status: 'pending',
      });
      // Nothing still to come lies in the past: it was all settled when the case was entered.
      expect(alarms(state).filter((alarm) => alarm.at < NOW)).toEqual([]);
      const passed = state.passedAlarms ?? [];
      expect(passed.map((alarm) => [alarm.stepId, alarm.kind])).toEqual(
        expect.arrayContaining([
          ['cp_request-1', 'reminder'],
          ['cp_request-1', 'due'],
          ['cp_request-1', 'escalation'],
        ]),
      );
      expect(timelineOf(state, 'alarm.passed')).toHaveLength(passed.length);
      expect(state.timeline.some((entry) => /^alarm\.(reminder|due|escalation)$/.test(entry.type))).toBe(false);
      // One change, however many passed.
      expect(state.version).toBe(1);
    });

    it('records a CP grant from June 2025 as valid at most 24 months from grantedOn, renewal reminders scheduled from that', () => {
      let state = enter('2025-05-20T15:00:00.000Z');
      state = sign(state, 'cp_request-1', 'requested', { requestedOn: '2025-05-21' }, NOW);
      expect(stepOf(state, 'cp_decision-1')).toMatchObject({
        openedAt: '2025-05-21T12:00:00.000Z',
        dueAt: '2025-06-20T12:00:00.000Z',
      });
      expect(
        refusal(state, 'cp_decision-1', 'granted', { grantedOn: '2025-06-15', validUntil: '2027-06-16' }, NOW),
      ).toMatchObject({
        code: 'date_out_of_range',
        field: 'details.validUntil',
      });
      state = sign(state, 'cp_decision-1', 'granted', { grantedOn: '2025-06-15', validUntil: '2027-06-15' }, NOW);
      expect(stepOf(state, 'cp_decision-1')).toMatchObject({
        status: 'completed',
        completedAt: '2025-06-15T12:00:00.000Z',
        expiresAt: '2027-06-16T00:00:00.000Z',
      });
      const renewal = alarms(state).filter((alarm) => alarm.subject === 'cp_validity');
      expect(renewal.map((alarm) => [alarm.kind, alarm.at])).toEqual([
        ['expiry_reminder', '2027-02-16T00:00:00.000Z'],
        ['expiry_reminder', '2027-04-17T00:00:00.000Z'],
        ['expiry_reminder', '2027-05-17T00:00:00.000Z'],
        ['expired', '2027-06-16T00:00:00.000Z'],
      ]);
      expect(stepOf(state, 'cp_renewal_request-1').dueAt).toBe('2027-06-16T00:00:00.000Z');
      // The timeline says when it happened and when it was recorded.
      expect(
        state.timeline.find((entry) => entry.stepId === 'cp_decision-1' && entry.type === 'step.completed'),
      ).toMatchObject({
        at: '2025-06-15T12:00:00.000Z',
        summary: expect.stringContaining('(happened on 2025-06-15, recorded on 2026-12-02)') as unknown,
      });
    });

    it('records a CP grant that already lapsed, then shows it expired with its renewal request cancelled', () => {
      let state = enter('2024-01-10T15:00:00.000Z');
      state = sign(state, 'cp_request-1', 'requested', { requestedOn: '2024-01-11' }, NOW);
      state = sign(state, 'cp_decision-1', 'granted', { grantedOn: '2024-02-01', validUntil: '2026-01-31' }, NOW);
      expect(stepOf(state, 'cp_decision-1').status).toBe('expired');
      expect(stepOf(state, 'cp_renewal_request-1').status).toBe('cancelled');
      expect(
        (state.passedAlarms ?? []).some((alarm) => alarm.stepId === 'cp_decision-1' && alarm.kind === 'expired'),
      ).toBe(true);
    });

    it('records a lapsed interim letter, then shows it expired', () => {
      let state = enter('2025-09-01T15:00:00.000Z', { minorTurns18On: '2027-08-01' });
      state = sign(state, 'hhs_minor_notification-1', 'notified', { notifiedOn: '2025-09-01' }, NOW);
      state = sign(state, 'hhs_interim_letter-1', 'issued', { issuedOn: '2025-09-05', validUntil: '2025-12-04' }, NOW);
      expect(stepOf(state, 'hhs_interim_letter-1')).toMatchObject({
        status: 'expired',
        expiresAt: '2025-12-05T00:00:00.000Z',
      });
      expect(pendingIds(state)).toContain('hhs_eligibility_letter-1');
    });

    it('closes the window of an RFE answered in September', () => {
      let state = enter('2025-01-06T15:00:00.000Z');
      state = sign(state, 't_visa_filing-1', 'filed', { filedOn: '2025-02-01' }, NOW);
      state = sign(state, 't_visa_receipt-1', 'received', { receivedOn: '2025-02-20' }, NOW);
      state = sign(state, 't_visa_bona_fide-1', 'bona_fide', { determinedOn: '2025-06-01' }, NOW);
      state = sign(
        state,
        't_visa_decision-1',
        'evidence_requested',
        { notice: 'rfe', issuedOn: '2025-07-01', respondBy: '2025-09-26' },
        NOW,
      );
      expect(stepOf(state, 't_visa_evidence_response-1')).toMatchObject({
        status: 'pending',
        openedAt: '2025-07-01T12:00:00.000Z',
        dueAt: '2025-09-27T00:00:00.000Z',
      });
      state = sign(state, 't_visa_evidence_response-1', 'responded', { respondedOn: '2025-09-15' }, NOW);
      expect(stepOf(state, 't_visa_evidence_response-1')).toMatchObject({
        status: 'completed',
        completedAt: '2025-09-15T12:00:00.000Z',
      });
      expect(alarms(state).some((alarm) => alarm.stepId === 't_visa_evidence_response-1')).toBe(false);
    });

    it('records a U-visa certification whose window closed unused: the window shows closed and a new certification opens', () => {
      let state = enter('2025-01-06T15:00:00.000Z', { usesUVisa: true });
      state = sign(state, 'u_visa_certification-1', 'signed', { signedOn: '2025-02-01' }, NOW);
      expect(stepOf(state, 'u_visa_certification-1')).toMatchObject({
        status: 'expired',
        expiresAt: '2025-08-02T00:00:00.000Z',
      });
      expect(stepOf(state, 'u_visa_petition-1').status).toBe('cancelled');
      expect(stepOf(state, 'u_visa_certification-2').status).toBe('pending');
    });

    it('refuses an event before the step it signs opened, or after today', () => {
      const state = enter('2025-05-20T15:00:00.000Z');
      expect(refusal(state, 'cp_request-1', 'requested', { requestedOn: '2025-05-19' }, NOW)).toMatchObject({
        code: 'date_order',
        field: 'details.requestedOn',
      });
      expect(refusal(state, 'cp_request-1', 'requested', { requestedOn: '2026-12-03' }, NOW)).toMatchObject({
        code: 'date_order',
        field: 'details.requestedOn',
      });
      expect(refusal(state, 'cp_request-1', 'requested', { requestedOn: TODAY }, NOW)).toBeNull();
    });

    it('dates the steps the identification opened by its day where it happened, not the UTC day', () => {
      // 20:00 in Chicago on 2026-11-30 is already 1 December in UTC: the same evening's CP request is dated the 30th.
      const evening = enter('2026-12-01T02:00:00.000Z', { identifiedOn: '2026-11-30' });
      expect(refusal(evening, 'cp_request-1', 'requested', { requestedOn: '2026-11-30' }, NOW)).toBeNull();
      expect(refusal(evening, 'le_declaration-1', 'signed', { signedOn: '2026-11-29' }, NOW)).toMatchObject({
        code: 'date_order',
        message: 'signedOn (2026-11-29) is before le_declaration-1 opened (2026-11-30)',
      });
      // Guam (UTC+10) identifies on 3 December while it is still the 2nd in UTC: that day is today for the agency, and
      // the day before it precedes the identification.
      const east = openCase(
        {
          caseId: 'case-guam',
          reference: 'RC-GUAM-1',
          identifiedAt: '2026-12-02T14:30:00.000Z',
          identifiedOn: '2026-12-03',
          minorTurns18On: null,
          agencies: AGENCIES,
          usesUVisa: false,
        },
        '2026-12-02T14:40:00.000Z',
      );
      expect(
        refusal(east, 'cp_request-1', 'requested', { requestedOn: '2026-12-03' }, '2026-12-02T14:45:00.000Z'),
      ).toBeNull();
      expect(
        refusal(east, 'le_declaration-1', 'signed', { signedOn: '2026-12-02' }, '2026-12-02T14:45:00.000Z'),
      ).toMatchObject({
        code: 'date_order',
        field: 'details.signedOn',
      });
      expect(
        refusal(east, 'cp_request-1', 'requested', { requestedOn: '2026-12-04' }, '2026-12-02T14:45:00.000Z'),
      ).toMatchObject({
        code: 'date_order',
        message: 'requestedOn (2026-12-04) is after today (2026-12-03)',
      });
    });

    it('dates an HHS letter by the day on it, and a refusal by the day of the decision, when they are given', () => {
      let state = enter('2025-01-31T15:00:00.000Z', { usesUVisa: true });
      state = sign(state, 'cp_request-1', 'requested', { requestedOn: '2025-02-03' }, NOW);
      state = sign(state, 'cp_decision-1', 'granted', { grantedOn: '2025-02-28' }, NOW);
      state = sign(state, 'hhs_certification_request-1', 'requested', { requestedOn: '2025-03-10' }, NOW);
      state = sign(
        state,
        'hhs_certification_letter-1',
        'certified',
        { eligibilityDate: '2025-03-15', issuedOn: '2025-03-20' },
        NOW,
      );
      expect(stepOf(state, 'hhs_certification_letter-1').completedAt).toMatch(/^2025-03-20T/);
      state = sign(
        state,
        'le_declaration-1',
        'declined',
        { reason: 'insufficient_evidence', decidedOn: '2025-04-02' },
        NOW,
      );
      expect(stepOf(state, 'le_declaration-1')).toMatchObject({
        status: 'declined',
        completedAt: expect.stringMatching(/^2025-04-02T/) as unknown,
      });
      // Without them, the day they are recorded, as before; and never before the step opened.
      expect(
        refusal(
          state,
          'u_visa_certification-1',
          'declined',
          { reason: 'no_helpfulness', decidedOn: '2025-01-30' },
          NOW,
        ),
      ).toMatchObject({ code: 'date_order', field: 'details.decidedOn' });
    });

    it("computes a validity the letter does not state from the policy, from the event's date", () => {
      let state = enter('2025-05-20T15:00:00.000Z', { minorTurns18On: '2027-08-01' });
      state = sign(state, 'cp_request-1', 'requested', { requestedOn: '2025-05-21' }, NOW);
      state = sign(state, 'cp_decision-1', 'granted', { grantedOn: '2025-06-15' }, NOW);
      expect(stepOf(state, 'cp_decision-1')).toMatchObject({
        details: { grantedOn: '2025-06-15', validUntil: '2027-06-15' },
        expiresAt: '2027-06-16T00:00:00.000Z',
      });
      state = sign(state, 'hhs_minor_notification-1', 'notified', { notifiedOn: '2025-05-21' }, NOW);
      state = sign(state, 'hhs_interim_letter-1', 'issued', { issuedOn: '2026-10-01' }, NOW);
      expect(stepOf(state, 'hhs_interim_letter-1').details).toMatchObject({ validUntil: '2026-12-30' });
      expect(refusal(state, 'hhs_interim_letter-1', 'extended', { validUntil: '2027-01-30' }, NOW)).toMatchObject({
        code: 'date_out_of_range',
        field: 'details.validUntil',
      });
      const stated = sign(state, 'hhs_interim_letter-1', 'extended', { validUntil: '2027-01-15' }, NOW);
      expect(stepOf(stated, 'hhs_interim_letter-1')).toMatchObject({
        details: { validUntil: '2027-01-15', extensions: 1 },
        expiresAt: '2027-01-16T00:00:00.000Z',
      });
      const derived = sign(state, 'hhs_interim_letter-1', 'extended', {}, NOW);
      expect(stepOf(derived, 'hhs_interim_letter-1').details).toMatchObject({
        validUntil: '2027-01-29',
        extensions: 1,
      });
    });

    it('derives the adjustment date from the policy unless the approval notice gives one', () => {
      let state = enter('2025-01-06T15:00:00.000Z');
      state = sign(state, 't_visa_filing-1', 'filed', { filedOn: '2025-02-01' }, NOW);
      state = sign(state, 't_visa_receipt-1', 'received', { receivedOn: '2025-02-20' }, NOW);
      state = sign(state, 't_visa_bona_fide-1', 'bona_fide', { determinedOn: '2025-06-01' }, NOW);
      const derived = sign(
        state,
        't_visa_decision-1',
        'approved',
        { approvedOn: '2025-10-01', validUntil: '2029-09-30' },
        NOW,
      );
      expect(stepOf(derived, 't_visa_adjustment_filing-1').details).toEqual({ adjustmentEligibleFrom: '2028-10-01' });
      const stated = sign(
        state,
        't_visa_decision-1',
        'approved',
        { approvedOn: '2025-10-01', validUntil: '2029-09-30', adjustmentEligibleFrom: '2028-09-15' },
        NOW,
      );
      expect(stepOf(stated, 't_visa_adjustment_filing-1').details).toEqual({ adjustmentEligibleFrom: '2028-09-15' });
    });

    it('leaves cases opened under an older policy counting from when each step was recorded', () => {
      const state = enter('2025-11-03T14:30:00.000Z', { policy: RECORDING_POLICY });
      expect(stepOf(state, 'cp_request-1')).toMatchObject({ openedAt: NOW, dueAt: '2026-12-16T12:00:00.000Z' });
      expect(state.passedAlarms).toBeUndefined();
    });
  });

  /** Each legal limit at its last allowed and its first refused day, counted from the event. */
  describe('a history entered in order, as a task force brings it (expiries held while it is entered)', () => {
    /** A case whose workflow holds expiries revealed as passed (PASSED_NOTICE_GATHER_PATCH). */
    const entering = (identifiedAt: string, overrides: Partial<OpenCaseInput> = {}): CaseState => ({
      ...enter(identifiedAt, overrides),
      holdsPassedExpiries: true,
    });
    const LATER = noon('2026-12-02').replace('12:00', '12:40');

    it('takes the U-visa petition filed inside a window that closed years ago; releasing then applies nothing', () => {
      let state = entering('2021-05-01T15:00:00.000Z', { usesUVisa: true });
      state = sign(state, 'u_visa_certification-1', 'signed', { signedOn: '2021-06-03' }, NOW);
      expect(stepOf(state, 'u_visa_certification-1').status).toBe('completed');
      expect(stepOf(state, 'u_visa_petition-1').status).toBe('pending');
      expect(state.heldExpiries).toHaveLength(1);
      state = sign(state, 'u_visa_petition-1', 'filed', { filedOn: '2021-11-20' }, NOW);
      const released = releaseHeldExpiries(state, LATER);
      expect(stepOf(released, 'u_visa_certification-1').status).toBe('completed');
      expect(stepOf(released, 'u_visa_petition-1').status).toBe('completed');
      expect(released.steps.some((step) => step.id === 'u_visa_certification-2')).toBe(false);
      expect(released.heldExpiries).toBeUndefined();
    });

    it('takes a CP renewal requested before the grant lapsed, and then its renewal; only the renewal lapses', () => {
      let state = entering('2021-05-01T15:00:00.000Z');
      state = sign(state, 'cp_request-1', 'requested', { requestedOn: '2021-05-05' }, NOW);
      state = sign(state, 'cp_decision-1', 'granted', { grantedOn: '2021-07-01' }, NOW);
      state = sign(state, 'cp_renewal_request-1', 'requested', { requestedOn: '2023-03-01' }, NOW);
      state = sign(state, 'cp_renewal_decision-1', 'renewed', { renewedOn: '2023-05-01' }, NOW);
      expect(stepOf(state, 'cp_renewal_decision-1').details['validUntil']).toBe('2025-07-01');
      const released = releaseHeldExpiries(state, LATER);
      // The first grant was renewed in time; the renewal itself ran out on 1 Jul 2025 with nothing after it.
      expect(stepOf(released, 'cp_decision-1').status).toBe('completed');
      expect(stepOf(released, 'cp_renewal_request-1').status).toBe('completed');
      expect(stepOf(released, 'cp_renewal_decision-1').status).toBe('expired');
      expect(stepOf(released, 'cp_renewal_request-2').status).toBe('cancelled');
      expect((released.passedAlarms ?? []).filter((alarm) => alarm.kind === 'expired').map((a) => a.stepId)).toEqual([
        'cp_renewal_decision-1',
      ]);
    });

    it('applies, once released, an expiry the history shows was not acted on, and tells it as passed', () => {
      let state = entering('2024-01-10T15:00:00.000Z');
      state = sign(state, 'cp_request-1', 'requested', { requestedOn: '2024-01-11' }, NOW);
      state = sign(state, 'cp_decision-1', 'granted', { grantedOn: '2024-02-01', validUntil: '2026-01-31' }, NOW);
      expect(stepOf(state, 'cp_decision-1').status).toBe('completed');
      const released = releaseHeldExpiries(state, LATER);
      expect(released.version).toBe(state.version + 1);
      expect(stepOf(released, 'cp_decision-1').status).toBe('expired');
      expect(stepOf(released, 'cp_renewal_request-1').status).toBe('cancelled');
      expect(
        (released.passedAlarms ?? []).some((alarm) => alarm.stepId === 'cp_decision-1' && alarm.kind === 'expired'),
      ).toBe(true);
    });

    it('tells the coordinator no reminder of a step the history shows was done by its due date', () => {
      let state = entering('2025-11-03T14:30:00.000Z');
      // The CP request was due on 17 Nov 2025: its reminders passed when the case was entered.
      expect((state.passedAlarms ?? []).filter((alarm) => alarm.stepId === 'cp_request-1')).not.toEqual([]);
      state = sign(state, 'cp_request-1', 'requested', { requestedOn: '2025-11-10' }, NOW);
      const told = stillToTell(state, state.passedAlarms ?? []);
      expect(told.filter((alarm) => alarm.stepId === 'cp_request-1')).toEqual([]);
      // The declaration, still not signed, stays in it.
      expect(told.some((alarm) => alarm.stepId === 'le_declaration-1')).toBe(true);
    });

    it('tells the deadline a step missed, but not the escalation it was done before', () => {
      let state: CaseState = { ...entering('2025-11-03T14:30:00.000Z'), leavesOutMovedDates: true };
      const ofRequest = (told: PassedAlarm[]) =>
        told.filter((alarm) => alarm.stepId === 'cp_request-1').map((alarm) => alarm.kind);
      // Due on 17 Nov 2025 and escalated a week after; requested a day late, on 18 Nov.
      expect(ofRequest(state.passedAlarms ?? [])).toEqual(expect.arrayContaining(['due', 'escalation']));
      state = sign(state, 'cp_request-1', 'requested', { requestedOn: '2025-11-18' }, NOW);
      const told = ofRequest(stillToTell(state, state.passedAlarms ?? []));
      expect(told).toContain('due');
      expect(told).not.toContain('escalation');
      // Cases from before the rule listed it.
      expect(ofRequest(stillToTell({ ...state, leavesOutMovedDates: undefined }, state.passedAlarms ?? []))).toContain(
        'escalation',
      );
    });

    it('tells no reminder of a date corrected away, only those of the corrected date', () => {
      let state: CaseState = { ...entering('2024-11-01T15:00:00.000Z'), leavesOutMovedDates: true };
      state = sign(state, 'cp_request-1', 'requested', { requestedOn: '2024-11-05' }, NOW);
      // 2026 typed for 2024: the certification request it unlocks is due 14 days later, at once; its reminders passed.
      state = sign(state, 'cp_decision-1', 'granted', { grantedOn: '2026-11-20' }, NOW);
      const certification = (s: CaseState) => s.passedAlarms!.filter((a) => a.stepId === 'hhs_certification_request-1');
      const typoDue = stepOf(state, 'hhs_certification_request-1').dueAt;
      expect(certification(state).map((alarm) => alarm.date)).toContain(typoDue);
      state = correct(state, 'cp_decision-1', 'granted', { grantedOn: '2024-11-20' }, LATER);
      const dueAt = stepOf(state, 'hhs_certification_request-1').dueAt;
      expect(dueAt).toBe('2024-12-04T12:00:00.000Z');
      const told = stillToTell(state, state.passedAlarms ?? []).filter(
        (alarm) => alarm.stepId === 'hhs_certification_request-1',
      );
      expect(told.map((alarm) => alarm.date)).not.toContain(typoDue);
      expect(told.map((alarm) => alarm.kind)).toEqual(expect.arrayContaining(['reminder', 'due']));
      expect(told.every((alarm) => alarm.date === dueAt)).toBe(true);
      // Cases from before the rule listed both.
      const legacy = stillToTell({ ...state, leavesOutMovedDates: undefined }, state.passedAlarms ?? []);
      expect(legacy.map((alarm) => alarm.date)).toContain(typoDue);
    });
  });

  describe('legal limits, pinned at the boundary', () => {
    const base = () => {
      let state = enter('2025-01-06T15:00:00.000Z', { minorTurns18On: '2027-08-01', usesUVisa: true });
      state = sign(state, 'cp_request-1', 'requested', { requestedOn: '2025-01-07' }, NOW);
      state = sign(state, 'hhs_minor_notification-1', 'notified', { notifiedOn: '2025-01-07' }, NOW);
      state = sign(state, 't_visa_filing-1', 'filed', { filedOn: '2025-02-01' }, NOW);
      state = sign(state, 't_visa_receipt-1', 'received', { receivedOn: '2025-02-20' }, NOW);
      return sign(state, 't_visa_bona_fide-1', 'bona_fide', { determinedOn: '2025-06-01' }, NOW);
    };
    const state = base();

    it.each([
      [
        'CP initial grant: 24 months from grantedOn',
        'cp_decision-1',
        'granted',
        { grantedOn: '2025-06-15' },
        'validUntil',
        '2027-06-15',
        '2027-06-16',
      ],
      [
        'interim letter: 90 days from its issue',
        'hhs_interim_letter-1',
        'issued',
        { issuedOn: '2025-03-01' },
        'validUntil',
        '2025-05-30',
        '2025-05-31',
      ],
      [
        'RFE: 12 weeks + 3 days from the notice',
        't_visa_decision-1',
        'evidence_requested',
        { notice: 'rfe', issuedOn: '2025-07-01' },
        'respondBy',
        '2025-09-26',
        '2025-09-27',
      ],
      [
        'NOID: 30 days from the notice',
        't_visa_decision-1',
        'evidence_requested',
        { notice: 'noid', issuedOn: '2025-07-01' },
        'respondBy',
        '2025-07-31',
        '2025-08-01',
      ],
      [
        'T status: up to 4 years from approval',
        't_visa_decision-1',
        'approved',
        { approvedOn: '2025-10-01' },
        'validUntil',
        '2029-09-30',
        '2029-10-01',
      ],
    ] as const)('%s', (_what, stepId, outcome, details, field, lastAllowed, firstRefused) => {
      expect(refusal(state, stepId, outcome, { ...details, [field]: lastAllowed }, NOW)).toBeNull();
      expect(refusal(state, stepId, outcome, { ...details, [field]: firstRefused }, NOW)).toMatchObject({
        code: 'date_out_of_range',
        field: `details.${field}`,
      });
    });

    it('CP renewal: 24 months from the end of the grant it renews', () => {
      const granted = sign(
        state,
        'cp_decision-1',
        'granted',
        { grantedOn: '2025-06-15', validUntil: '2027-06-15' },
        NOW,
      );
      const requested = sign(granted, 'cp_renewal_request-1', 'requested', { requestedOn: '2026-11-20' }, NOW);
      expect(
        refusal(
          requested,
          'cp_renewal_decision-1',
          'renewed',
          { renewedOn: '2026-12-01', validUntil: '2029-06-15' },
          NOW,
        ),
      ).toBeNull();
      expect(
        refusal(
          requested,
          'cp_renewal_decision-1',
          'renewed',
          { renewedOn: '2026-12-01', validUntil: '2029-06-16' },
          NOW,
        ),
      ).toMatchObject({ code: 'date_out_of_range', field: 'details.validUntil' });
    });
  });

  describe('a past-dated sign-off on the day its step opened', () => {
    // Identified at 20:02 on 2026-12-01; the CP request, made that day, is recorded at noon on the 2nd.
    const identifiedAt = '2026-12-01T20:02:00.000Z';
    const requested = (state: CaseState) =>
      sign(state, 'cp_request-1', 'requested', { requestedOn: '2026-12-01' }, NOW);

    it('is dated no earlier than the step opened, and the decision it asks for counts from then', () => {
      const state = requested({ ...enter(identifiedAt), datesAsWritten: true });
      expect(stepOf(state, 'cp_request-1').completedAt).toBe(identifiedAt);
      expect(stepOf(state, 'cp_decision-1')).toMatchObject({
        openedAt: identifiedAt,
        dueAt: '2026-12-31T20:02:00.000Z',
      });
      const order = state.timeline.filter((entry) => entry.type === 'step.completed').map((entry) => entry.stepId);
      expect(order).toEqual(['identification-1', 'cp_request-1']);
    });

    it('was dated at the time of day it was recorded, hours before the step opened, on cases recorded before', () => {
      const state = requested(enter(identifiedAt));
      expect(stepOf(state, 'cp_request-1').completedAt).toBe('2026-12-01T12:00:00.000Z');
    });
  });

  describe('a past day read as written', () => {
    it('is dated at noon UTC, the same day from Samoa to Guam, whenever it was typed', () => {
      const identifiedAt = '2026-11-20T09:00:00.000Z';
      const at = (now: string) =>
        stepOf(
          sign(
            { ...enter(identifiedAt), datesAsWritten: true },
            'cp_request-1',
            'requested',
            { requestedOn: '2026-11-25' },
            now,
          ),
          'cp_decision-1',
        );
      // Typed at 02:00 UTC (the evening before in Chicago) and at 19:40 UTC: the decision falls due on the same day.
      expect(at('2026-12-02T02:00:00.000Z')).toMatchObject({
        openedAt: '2026-11-25T12:00:00.000Z',
        dueAt: '2026-12-25T12:00:00.000Z',
      });
      expect(at('2026-12-02T19:40:00.000Z')).toMatchObject({
        openedAt: '2026-11-25T12:00:00.000Z',
        dueAt: '2026-12-25T12:00:00.000Z',
      });
    });
  });

  describe('today, where the signer works', () => {
    // 08:00 on 3 Dec in Guam (UTC+10) is 22:00 on 2 Dec in UTC; the police there file what happened this morning.
    const now = '2026-12-02T22:00:00.000Z';
    const opened = () => enter('2026-12-01T09:00:00.000Z');
    const requested = { requestedOn: '2026-12-03' };

    it('is the day it is in the agency: Guam records its own today, ten hours ahead of UTC', () => {
      const signer = actorOf('law_enforcement');
      const signOff = { stepId: 'cp_request-1', outcome: 'requested', details: requested };
      expect(validateSignOff(opened(), signOff, signer, now, '2026-12-03')).toBeNull();
      // Without the day the API issued, "today" is UTC's.
      expect(validateSignOff(opened(), signOff, signer, now)).toMatchObject({
        code: 'date_order',
        message: 'requestedOn (2026-12-03) is after today (2026-12-02)',
      });
    });

    it('is never a day no zone has reached, whatever a command says', () => {
      expect(todayOf(now, '2026-12-03')).toBe('2026-12-03');
      // 22:00 UTC + 14 hours is still 3 Dec: the 4th is no one's today yet.
      expect(todayOf(now, '2026-12-04')).toBe('2026-12-02');
      expect(todayOf(now, 'tomorrow')).toBe('2026-12-02');
      expect(todayOf(now, '2026-12-01')).toBe('2026-12-02');
    });

    it('is no later than the day it is in the agency: Honolulu in the afternoon, already tomorrow in UTC', () => {
      // 14:03 on 4 Dec in Honolulu (UTC-10) is 00:03 on 5 Dec in UTC.
      const afternoon = '2026-12-05T00:03:00.000Z';
      const honolulu = '2026-12-04';
      const signer = actorOf('law_enforcement');
      const declared = (signedOn: string) => ({ stepId: 'le_declaration-1', outcome: 'signed', details: { signedOn } });
      expect(validateSignOff(opened(), declared('2026-12-05'), signer, afternoon, honolulu)).toMatchObject({
        code: 'date_order',
        field: 'details.signedOn',
        message: 'signedOn (2026-12-05) is after today (2026-12-04)',
      });
      expect(validateSignOff(opened(), declared(honolulu), signer, afternoon, honolulu)).toBeNull();
      // Guam, at the same moment, is on 5 Dec: its day is still taken.
      expect(validateSignOff(opened(), declared('2026-12-05'), signer, afternoon, '2026-12-05')).toBeNull();
      // 00:03 UTC less 12 hours is still 4 Dec: the 3rd is no one's today any more.
      expect(todayOf(afternoon, '2026-12-03')).toBe('2026-12-05');
    });

    it("says an entry was recorded after the fact only when its day is before the signer's today, naming that today", () => {
      const declaredLine = (signedOn: string, at: string, signerToday: string) => {
        const signOff = { stepId: 'le_declaration-1', outcome: 'signed', details: { signedOn } };
        const signed = applySignOff(opened(), signOff, actorOf('law_enforcement'), at, signerToday);
        return signed.timeline.find((entry) => entry.stepId === 'le_declaration-1' && entry.type === 'step.completed');
      };
      // Honolulu, 14:03 on 4 Dec (00:03 on 5 Dec in UTC): the same day, and the day before, recorded on the 4th.
      const afternoon = '2026-12-05T00:03:00.000Z';
      expect(declaredLine('2026-12-04', afternoon, '2026-12-04')?.summary).not.toContain('happened on');
      expect(declaredLine('2026-12-03', afternoon, '2026-12-04')?.summary).toContain(
        '(happened on 2026-12-03, recorded on 2026-12-04)',
      );
      // Guam, 08:00 on 3 Dec (22:00 on 2 Dec in UTC): this morning's event is not after the fact either.
      expect(declaredLine('2026-12-03', now, '2026-12-03')?.summary).not.toContain('happened on');
      // A case of Honolulu identified at 13:00 there and opened an hour later: recorded the same day.
      const identification = { identifiedAt: '2026-12-04T23:00:00.000Z', identifiedOn: '2026-12-04' };
      const openedIn = (openedOn?: string) =>
        openCase({ ...enterInput(identification.identifiedAt), ...identification, openedOn }, afternoon).timeline.find(
          (entry) => entry.stepId === 'identification-1' && entry.type === 'step.completed',
        )?.summary;
      expect(openedIn('2026-12-04')).not.toContain('happened on');
      // Without the opener's day, UTC's (cases started before it was given).
      expect(openedIn()).toContain('(happened on 2026-12-04, recorded on 2026-12-05)');
    });
  });
});
