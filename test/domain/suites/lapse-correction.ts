/**
 * A validity a typo ended early, corrected after its lapse was applied (probe R1): ICE enters a CP grant of
 * 2024-12-01 for 2025-12-01, the default end (2026-11-30) has passed, and when the entry session ends the grant
 * expires, cancelling the renewal request and the certification request. Corrected, the lapse follows the corrected
 * sign-off: withdrawn while the corrected grant still runs, with what it cancelled reopened as a sign-off of the right
 * date inside the entry session leaves it (the control case); standing, as of the corrected end, when that passed too.
 */
import { alarms, releaseHeldExpiries } from '../../../domain/alarms';
import { applyAskAgain, validateAskAgain } from '../../../domain/ask-again';
import { openCase } from '../../../domain/case';
import type { CaseState } from '../../../domain/case-state';
import { applyCorrection, previewCorrection, validateCorrection, type Correction } from '../../../domain/correction';
import type { Step } from '../../../domain/types';
import {
  actorOf,
  AGENCIES,
  correct,
  noon,
  openAdult,
  openMinor,
  runAlarmsUntil,
  SEALED_NOTE_SAMPLE,
  sign,
  stepOf,
} from '../case-fixtures';

describe('lapse-correction', () => {
  const IDENTIFIED_AT = '2024-11-20T15:00:00.000Z';
  /** The entry session, its end (the held expiries applied), and the correction made afterwards. */
  const ENTERED = '2026-12-05T07:04:00.000Z';
  const SESSION_ENDED = '2026-12-05T07:34:00.000Z';
  const CORRECTED = '2026-12-05T07:35:00.000Z';
  const TYPED = { grantedOn: '2024-12-01' };
  const MEANT = { grantedOn: '2025-12-01' };

  /** A case entered after the fact, with the rules a case opened on this code has from its first task. */
  function entered(flags: Partial<CaseState> = { correctsLapses: true }): CaseState {
    const input = {
      caseId: 'case-lapse',
      reference: 'RC-LAPSE-1',
      identifiedAt: IDENTIFIED_AT,
      minorTurns18On: null,
      agencies: AGENCIES,
      usesUVisa: false,
    };
    const state: CaseState = {
      ...openCase(input, ENTERED),
      datesAsWritten: true,
      lateLeadsRaised: true,
      holdsPassedExpiries: true,
      leavesOutMovedDates: true,
      deniedVisaWithdrawsCertification: true,
      lapsedCpWithdrawsCertification: true,
      followersByOpener: true,
      coordinatorToldOfLapses: true,
      ...flags,
    };
    return sign(state, 'cp_request-1', 'requested', { requestedOn: '2024-11-21' }, ENTERED);
  }

  /** The grant entered as typed, and the entry session's end, which applies its lapse. */
  function lapsed(flags?: Partial<CaseState>): CaseState {
    return releaseHeldExpiries(sign(entered(flags), 'cp_decision-1', 'granted', TYPED, ENTERED), SESSION_ENDED);
  }

  /** The control case: the grant entered with its right date inside the entry session. */
  const control = (): CaseState =>
    releaseHeldExpiries(sign(entered(), 'cp_decision-1', 'granted', MEANT, ENTERED), SESSION_ENDED);

  const correction = (details: Record<string, unknown>): Correction => ({
    stepId: 'cp_decision-1',
    outcome: 'granted',
    details,
    reason: SEALED_NOTE_SAMPLE,
  });
  const asIce = (details: Record<string, unknown>) => ({ correction: correction(details), actor: actorOf('ice') });
  /**
   * ICE no longer corrects a CP decision, which may open steps it is not told of (coordinator_corrects, probe Q1): the
   * rules judge the correction from the coordinator; `applyCorrection` still applies ICE's, as histories recorded before
   * hold them.
   */
  const judged = (details: Record<string, unknown>) => ({
    correction: correction(details),
    actor: actorOf('coordinator'),
  });

  /** A step as it stands for the case's work: no record of its corrections, which the control case has none of. */
  const standing = ({ details, ...step }: Step) => {
    const { correctedAt: _at, corrections: _count, correctionReason: _reason, ...rest } = details;
    return { ...step, details: rest };
  };
  const lines = (state: CaseState, after: CaseState) =>
    state.timeline.slice(after.timeline.length).map(({ type, stepId, summary }) => ({ type, stepId, summary }));
  const alarmsOf = (state: CaseState) =>
    alarms(state).map(({ id, at, stepId, kind, recipient }) => ({ id, at, stepId, kind, recipient }));

  describe('a CP grant dated a year early, which lapsed when the entry session ended', () => {
    it('lapsed: the grant expired, its renewal request and the certification request cancelled', () => {
      const state = lapsed();
      expect(stepOf(state, 'cp_decision-1')).toMatchObject({
        status: 'expired',
        details: { validUntil: '2026-11-30' },
      });
      expect(stepOf(state, 'cp_renewal_request-1').status).toBe('cancelled');
      expect(stepOf(state, 'hhs_certification_request-1').status).toBe('cancelled');
    });

    it('is refused on a case recorded before `correctsLapses`, as it was', () => {
      const state = lapsed({ correctsLapses: undefined });
      expect(validateCorrection(state, asIce(MEANT), CORRECTED)).toMatchObject({
        code: 'not_correctable',
        message: 'cp_decision-1 is expired: only a signed step is corrected',
      });
    });

    it('corrected to a grant still running: signed again, what the lapse cancelled reopened as the control case has it', () => {
      const before = lapsed();
      expect(validateCorrection(before, asIce(MEANT), CORRECTED)).toMatchObject({ code: 'coordinator_corrects' });
      expect(validateCorrection(before, judged(MEANT), CORRECTED)).toBeNull();
      const state = applyCorrection(before, asIce(MEANT), CORRECTED);
      const right = control();

      expect(stepOf(state, 'cp_decision-1')).toMatchObject({
        status: 'completed',
        expiresAt: '2027-12-01T00:00:00.000Z',
        details: { grantedOn: '2025-12-01', validUntil: '2027-11-30', corrections: 1 },
      });
      // The same steps, with the same dates, as the grant entered right; and the same alarms still to come.
      expect(state.steps.map(standing)).toEqual(right.steps.map(standing));
      expect(stepOf(state, 'cp_renewal_request-1')).toMatchObject({
        status: 'pending',
        dueAt: '2027-12-01T00:00:00.000Z',
      });
      expect(stepOf(state, 'hhs_certification_request-1')).toMatchObject({
        status: 'pending',
        dueAt: stepOf(right, 'hhs_certification_request-1').dueAt,
      });
      expect(alarmsOf(state)).toEqual(alarmsOf(right));
      // The renewal's leads and the grant's end, to the police and to the coordinator, all ahead again.
      expect(alarmsOf(state).filter((alarm) => alarm.kind === 'expired')).toEqual([
        expect.objectContaining({ at: '2027-12-01T12:00:00.000Z', recipient: 'law_enforcement' }),
        expect.objectContaining({ at: '2027-12-01T12:00:00.000Z', recipient: 'coordinator' }),
      ]);
      expect(alarmsOf(state).filter((alarm) => alarm.kind === 'expiry_reminder')).toHaveLength(3);

      const [said, passed] = [lines(state, before).slice(0, 6), lines(state, before).slice(6)];
      // The reopened certification request's reminders, dated by the grant as corrected, fell before the correction:
      // listed in the coordinator's notice of what passed, as the control case lists them.
      expect(passed.map((line) => [line.type, line.stepId])).toEqual([
        ['alarm.passed', 'hhs_certification_request-1'],
        ['alarm.passed', 'hhs_certification_request-1'],
        ['alarm.passed', 'hhs_certification_request-1'],
      ]);
      const certificationPassed = (of: CaseState) =>
        (of.passedAlarms ?? []).filter(
          (alarm) => alarm.stepId === 'hhs_certification_request-1' && alarm.date! > '2025',
        );
      expect(certificationPassed(state)).toHaveLength(3);
      expect(certificationPassed(state)).toEqual(certificationPassed(right));
      expect(said).toEqual([
        {
          type: 'step.corrected',
          stepId: 'cp_decision-1',
          summary:
            'cp_decision-1 corrected by ice: grantedOn 2024-12-01 → 2025-12-01; validUntil 2026-11-30 → 2027-11-30 (reason kept with the step)',
        },
        expect.objectContaining({ type: 'step.rescheduled', stepId: 'cp_renewal_request-1' }),
        expect.objectContaining({ type: 'step.rescheduled', stepId: 'hhs_certification_request-1' }),
        {
          type: 'step.lapse_corrected',
          stepId: 'cp_decision-1',
          summary: 'cp_decision-1 corrected: the lapse on 2026-11-30 is withdrawn',
        },
        {
          type: 'step.reopened',
          stepId: 'cp_renewal_request-1',
          summary:
            'cp_renewal_request-1 reopened, due 2027-12-01T00:00:00.000Z: the lapse of cp_decision-1 on 2026-11-30 is withdrawn',
        },
        {
          type: 'step.reopened',
          stepId: 'hhs_certification_request-1',
          summary: `hhs_certification_request-1 reopened, due ${stepOf(right, 'hhs_certification_request-1').dueAt}: the lapse of cp_decision-1 on 2026-11-30 is withdrawn`,
        },
      ]);
      // The lapse told already is history: nothing about it is sent or listed again.
      expect(state.firedAlarms).toEqual(expect.arrayContaining(before.firedAlarms));
      const newlyPassed = (state.passedAlarms ?? []).slice((before.passedAlarms ?? []).length);
      expect(newlyPassed.filter((alarm) => alarm.stepId === 'cp_decision-1')).toEqual([]);
    });

    it('the preview names what the correction reopens, as applying it does', () => {
      const before = lapsed();
      const asCoordinator = { correction: correction(MEANT), actor: actorOf('coordinator') };
      const preview = previewCorrection(before, asCoordinator, CORRECTED);
      const applied = applyCorrection(before, asCoordinator, CORRECTED);
      // Each as it is once reopened: pending, due as the correction has it.
      const reopened = before.steps
        .filter((step) => step.status === 'cancelled' && stepOf(applied, step.id).status === 'pending')
        .map((step) => stepOf(applied, step.id));
      expect(reopened.map((step) => step.id)).toEqual(['cp_renewal_request-1', 'hhs_certification_request-1']);
      expect(preview).toEqual({ named: [], unnamed: false, reopened, reopensUnnamed: false, lapses: null });
      // ICE is not told of the police's renewal request nor of the advocate's certification request, nor whether they
      // were cancelled by the lapse or signed before it: the coordinator corrects the grant (probe Q1).
      expect(previewCorrection(before, asIce(MEANT), CORRECTED)).toMatchObject({ code: 'coordinator_corrects' });
    });

    it('the coordinator may correct it too, at any time', () => {
      const state = correct(lapsed(), 'cp_decision-1', 'granted', MEANT, '2027-03-01T12:00:00.000Z');
      expect(stepOf(state, 'cp_decision-1').status).toBe('completed');
      expect(stepOf(state, 'cp_renewal_request-1').status).toBe('pending');
    });

    it('corrected to a grant that ended too: the lapse stands, as of the corrected end, and nothing is reopened', () => {
      const before = lapsed();
      const state = applyCorrection(before, asIce({ grantedOn: '2024-11-25' }), CORRECTED);
      expect(stepOf(state, 'cp_decision-1')).toMatchObject({
        status: 'expired',
        expiresAt: '2026-11-25T00:00:00.000Z',
        details: { grantedOn: '2024-11-25', validUntil: '2026-11-24' },
      });
      expect(stepOf(state, 'cp_renewal_request-1').status).toBe('cancelled');
      expect(stepOf(state, 'hhs_certification_request-1').status).toBe('cancelled');
      expect(lines(state, before).filter((line) => line.type === 'step.lapse_corrected')).toEqual([
        {
          type: 'step.lapse_corrected',
          stepId: 'cp_decision-1',
          summary: 'cp_decision-1 corrected: the lapse on 2026-11-30 stands, on 2026-11-24 as corrected',
        },
      ]);
      expect(lines(state, before).filter((line) => line.type === 'step.reopened')).toEqual([]);
      expect(alarms(state).filter((alarm) => alarm.stepId === 'cp_decision-1')).toEqual([]);
      expect(state.passedAlarms).toEqual(before.passedAlarms);
      expect(previewCorrection(before, judged({ grantedOn: '2024-11-25' }), CORRECTED)).toMatchObject({ reopened: [] });
    });
  });

  describe('a CP grant entered right, corrected to an end already past: the preview names the lapse it brings', () => {
    const OUTDATED = { grantedOn: '2024-11-25' };
    const asCoordinator = (details: Record<string, unknown>) => ({
      correction: correction(details),
      actor: actorOf('coordinator'),
    });

    it('names the grant, its corrected end and what its lapse cancels, as the entry session applies it', () => {
      const before = control();
      const preview = previewCorrection(before, asCoordinator(OUTDATED), CORRECTED);
      // Confirmed, the lapse is held while the entry session lasts and applied at its end.
      const applied = releaseHeldExpiries(
        applyCorrection(before, asCoordinator(OUTDATED), CORRECTED),
        '2026-12-05T08:10:00.000Z',
      );
      expect(stepOf(applied, 'cp_decision-1')).toMatchObject({
        status: 'expired',
        details: { validUntil: '2026-11-24' },
      });
      const cancelled = ['cp_renewal_request-1', 'hhs_certification_request-1'];
      expect(cancelled.map((id) => stepOf(applied, id).status)).toEqual(['cancelled', 'cancelled']);
      expect(preview).toMatchObject({
        named: [],
        unnamed: false,
        reopened: [],
        reopensUnnamed: false,
        lapses: {
          step: { id: 'cp_decision-1', expiresAt: '2026-11-25T00:00:00.000Z' },
          validUntil: '2026-11-24',
          cancels: cancelled.map((id) => ({ id, status: 'cancelled' })),
          cancelsUnnamed: false,
        },
      });
      // What the lapse cancels depends on whether the advocate made its request: ICE is not told, nor answered by it.
      expect(previewCorrection(before, asIce(OUTDATED), CORRECTED)).toMatchObject({ code: 'coordinator_corrects' });
    });

    it('a correction to an end still ahead names no lapse', () => {
      const preview = previewCorrection(control(), asCoordinator({ grantedOn: '2025-11-25' }), CORRECTED);
      expect(preview).toEqual({ named: [], unnamed: false, reopened: [], reopensUnnamed: false, lapses: null });
    });

    it('a lapsed grant corrected to an end past too: its lapse stands, cancelling nothing it had not', () => {
      expect(previewCorrection(lapsed(), asCoordinator(OUTDATED), CORRECTED)).toMatchObject({
        reopened: [],
        lapses: { step: { id: 'cp_decision-1' }, validUntil: '2026-11-24', cancels: [], cancelsUnnamed: false },
      });
    });
  });

  describe('asked again after the false lapse, then corrected', () => {
    it('the CP request asked again has nothing left to ask for: it is withdrawn, and the police are no longer chased', () => {
      const askedAt = '2026-12-05T07:40:00.000Z';
      const command = { stepKind: 'cp_request' as const, actor: actorOf('coordinator') };
      expect(validateAskAgain(lapsed(), command, askedAt)).toBeNull();
      const asked = applyAskAgain(lapsed(), command, askedAt);
      expect(stepOf(asked, 'cp_request-2').status).toBe('pending');

      const state = correct(asked, 'cp_decision-1', 'granted', MEANT, '2026-12-05T08:00:00.000Z');
      expect(state.steps.map((step) => step.id)).not.toContain('cp_request-2');
      expect(stepOf(state, 'cp_renewal_request-1').status).toBe('pending');
      expect(alarms(state).filter((alarm) => alarm.stepId === 'cp_request-2')).toEqual([]);
    });
  });

  describe('T status approved with an end typed years early, which ended before adjustment was filed', () => {
    it('corrected: T status runs again and the adjustment filing it had expired is pending again', () => {
      let state: CaseState = { ...openAdult(), correctsLapses: true };
      state = sign(state, 't_visa_filing-1', 'filed', { filedOn: '2026-02-01' }, noon('2026-02-01'));
      state = sign(state, 't_visa_receipt-1', 'received', { receivedOn: '2026-02-20' }, noon('2026-02-21'));
      state = sign(state, 't_visa_bona_fide-1', 'bona_fide', { determinedOn: '2026-06-01' }, noon('2026-06-02'));
      const approval = { approvedOn: '2026-07-10', adjustmentEligibleFrom: '2026-07-20' };
      state = sign(
        state,
        't_visa_decision-1',
        'approved',
        { ...approval, validUntil: '2026-08-09' },
        noon('2026-07-11'),
      );
      const ended = runAlarmsUntil(state, noon('2026-08-20'));
      expect(stepOf(ended, 't_visa_decision-1').status).toBe('expired');
      expect(stepOf(ended, 't_visa_adjustment_filing-1').status).toBe('expired');

      const corrected = correct(
        ended,
        't_visa_decision-1',
        'approved',
        { ...approval, validUntil: '2030-07-09' },
        noon('2026-08-21'),
      );
      expect(stepOf(corrected, 't_visa_decision-1')).toMatchObject({
        status: 'completed',
        expiresAt: '2030-07-10T00:00:00.000Z',
      });
      expect(stepOf(corrected, 't_visa_adjustment_filing-1')).toMatchObject({ status: 'pending', completedAt: null });
      expect(lines(corrected, ended).map((line) => line.type)).toContain('step.reopened');
    });
  });

  describe('a U certification signed on a day typed months early, whose window closed', () => {
    const signedOn = (day: string) => ({ signedOn: day });
    const certified = (flags: Partial<CaseState>) =>
      sign(
        { ...openAdult({ usesUVisa: true }), ...flags },
        'u_visa_certification-1',
        'signed',
        signedOn('2026-01-15'),
        noon('2026-01-16'),
      );

    it('corrected: the window runs again, its petition reopened and the certification asked for again withdrawn', () => {
      const closed = runAlarmsUntil(certified({ correctsLapses: true }), noon('2026-08-01'));
      expect(stepOf(closed, 'u_visa_certification-1').status).toBe('expired');
      expect(stepOf(closed, 'u_visa_petition-1').status).toBe('cancelled');
      expect(stepOf(closed, 'u_visa_certification-2').status).toBe('pending');

      const state = correct(closed, 'u_visa_certification-1', 'signed', signedOn('2026-06-15'), noon('2026-08-02'));
      const right = runAlarmsUntil(
        sign(
          { ...openAdult({ usesUVisa: true }), correctsLapses: true },
          'u_visa_certification-1',
          'signed',
          signedOn('2026-06-15'),
          noon('2026-06-16'),
        ),
        noon('2026-08-01'),
      );
      expect(stepOf(state, 'u_visa_certification-1').status).toBe('completed');
      expect(stepOf(state, 'u_visa_petition-1')).toMatchObject({
        status: 'pending',
        dueAt: stepOf(right, 'u_visa_petition-1').dueAt,
      });
      expect(state.steps.map((step) => step.id)).toEqual(right.steps.map((step) => step.id));
      expect(
        lines(state, closed).filter((line) => line.type !== 'step.corrected' && line.type !== 'step.rescheduled'),
      ).toEqual([
        {
          type: 'step.lapse_corrected',
          stepId: 'u_visa_certification-1',
          summary: 'u_visa_certification-1 corrected: the lapse on 2026-07-15 is withdrawn',
        },
        expect.objectContaining({ type: 'step.reopened', stepId: 'u_visa_petition-1' }),
        {
          type: 'step.withdrawn',
          stepId: 'u_visa_certification-2',
          summary: 'u_visa_certification-2 withdrawn: the lapse of u_visa_certification-1 on 2026-07-15 is withdrawn',
        },
      ]);
    });
  });

  describe("a minor's interim assistance letter entered with an end typed two months early, which lapsed", () => {
    const issued = (validUntil: string) => ({ issuedOn: '2026-01-09', validUntil });
    const notified = (): CaseState =>
      sign(
        { ...openMinor(), datesAsWritten: true, coordinatorToldOfLapses: true, correctsLapses: true },
        'hhs_minor_notification-1',
        'notified',
        { notifiedOn: '2026-01-05' },
        '2026-01-05T20:00:00.000Z',
      );
    const letterAlarms = (state: CaseState) =>
      alarmsOf(state).filter((alarm) => alarm.stepId === 'hhs_interim_letter-1');

    it('corrected: the letter runs again to its right end, the lapse withdrawn, its alarms to come as if entered right', () => {
      const typed = sign(notified(), 'hhs_interim_letter-1', 'issued', issued('2026-02-09'), noon('2026-01-09'));
      const ended = runAlarmsUntil(typed, noon('2026-02-20'));
      expect(stepOf(ended, 'hhs_interim_letter-1').status).toBe('expired');
      expect(letterAlarms(ended)).toEqual([]);

      const state = correct(ended, 'hhs_interim_letter-1', 'issued', issued('2026-04-09'), noon('2026-02-21'));
      const right = runAlarmsUntil(
        sign(notified(), 'hhs_interim_letter-1', 'issued', issued('2026-04-09'), noon('2026-01-09')),
        noon('2026-02-20'),
      );
      expect(stepOf(state, 'hhs_interim_letter-1')).toMatchObject({
        status: 'completed',
        expiresAt: '2026-04-10T00:00:00.000Z',
        details: { validUntil: '2026-04-09', corrections: 1 },
      });
      // What the lapse ended is running again: the letter's end and its leads to HHS, while the eligibility letter is owed.
      expect(stepOf(state, 'hhs_eligibility_letter-1').status).toBe('pending');
      expect(state.steps.map(standing)).toEqual(right.steps.map(standing));
      expect(letterAlarms(state)).toEqual(letterAlarms(right));
      expect(letterAlarms(state).filter((alarm) => alarm.kind === 'expired')).toEqual([
        expect.objectContaining({ at: '2026-04-10T12:00:00.000Z', recipient: 'hhs' }),
        expect.objectContaining({ at: '2026-04-10T12:00:00.000Z', recipient: 'coordinator' }),
      ]);
      expect(lines(state, ended).filter((line) => line.type !== 'step.corrected')).toEqual([
        {
          type: 'step.lapse_corrected',
          stepId: 'hhs_interim_letter-1',
          summary: 'hhs_interim_letter-1 corrected: the lapse on 2026-02-09 is withdrawn',
        },
      ]);
    });
  });
});
