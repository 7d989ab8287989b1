/**
 * Which steps a correction re-dates or withdraws: those the corrected step's own sign-off opened. The README's
 * walk-through, entered after the fact: CP requested and granted on the same day (both dated at noon of it), the
 * certification requested and certified, the T visa filed; then the README's correction of the CP request. The grant's
 * renewal request and the certification request followed from the grant, not from the request, and stay as they were.
 */
import { alarms } from '../../../domain/alarms';
import { applyAskAgain, validateAskAgain } from '../../../domain/ask-again';
import { openCase } from '../../../domain/case';
import type { CaseState, Rejection } from '../../../domain/case-state';
import { applyCorrection, previewCorrection, validateCorrection } from '../../../domain/correction';
import { EARLIEST_DATE, LATEST_DATE } from '../../../domain/dates';
import type { Step } from '../../../domain/types';
import { actorOf, AGENCIES, correct, SEALED_NOTE_SAMPLE, sign, stepOf } from '../case-fixtures';

describe('correction-followers', () => {
  const IDENTIFIED_AT = '2026-11-20T15:00:00.000Z';
  /** When the walk-through's sign-offs are entered, and when the correction is. */
  const ENTERED = '2026-11-24T15:00:00.000Z';
  const CORRECTED = '2026-11-25T15:00:00.000Z';
  const REQUESTED_ON_AS_CORRECTED = { requestedOn: '2026-11-20' };
  const NOTE_ONLY = { requestedOn: '2026-11-21', note: SEALED_NOTE_SAMPLE };
  /** What the grant opened: the CP renewal request, and the certification request with what followed from it. */
  const GRANT_FOLLOWERS = ['cp_renewal_request-1', 'hhs_certification_request-1', 'hhs_certification_letter-1'];

  /** The case opened on the identification; `flags`: the rules the workflow sets at a new case's first task. */
  function opened(flags: Partial<CaseState>): CaseState {
    const input = {
      caseId: 'case-walk',
      reference: 'RC-WALK-1',
      identifiedAt: IDENTIFIED_AT,
      minorTurns18On: null,
      agencies: AGENCIES,
      usesUVisa: false,
    };
    return { ...openCase(input, IDENTIFIED_AT), datesAsWritten: true, ...flags };
  }

  /** `flags`: the rules the workflow sets at a new case's first task (a case recorded before has some unset). */
  function walkThrough(flags: Partial<CaseState> = { followersByOpener: true }): CaseState {
    let state = opened(flags);
    state = sign(state, 'cp_request-1', 'requested', { requestedOn: '2026-11-21' }, ENTERED);
    state = sign(state, 'cp_decision-1', 'granted', { grantedOn: '2026-11-21', validUntil: '2028-11-21' }, ENTERED);
    state = sign(state, 'hhs_certification_request-1', 'requested', { requestedOn: '2026-11-22' }, ENTERED);
    state = sign(state, 'hhs_certification_letter-1', 'certified', { eligibilityDate: '2026-11-22' }, ENTERED);
    return sign(state, 't_visa_filing-1', 'filed', { filedOn: '2026-11-23' }, ENTERED);
  }

  /** The case as a step opened before `openedBy` was kept reads: the rule reads the timeline instead. */
  const withoutOpenedBy = (state: CaseState): CaseState => ({
    ...state,
    steps: state.steps.map(({ openedBy: _openedBy, ...step }): Step => step),
  });

  const stepsOf = (state: CaseState, ids: string[]) => ids.map((id) => stepOf(state, id));
  const remindersOf = (state: CaseState, ids: string[]) => alarms(state).filter((alarm) => ids.includes(alarm.stepId));
  const cpValidityAlarms = (state: CaseState) => alarms(state).filter((alarm) => alarm.subject === 'cp_validity');
  const linesOf = (state: CaseState, type: string) =>
    state.timeline.filter((entry) => entry.type === type).map((entry) => entry.summary);

  function correctionRefusal(
    state: CaseState,
    stepId: string,
    outcome: string,
    details: Record<string, unknown>,
  ): Rejection | null {
    const correction = { stepId, outcome, details, reason: SEALED_NOTE_SAMPLE };
    return validateCorrection(state, { correction, actor: actorOf('coordinator') }, CORRECTED);
  }

  describe('a correction of the CP request, granted the same day', () => {
    it('the requests opened by the same-noon grant are not its followers: only the decision it asked for', () => {
      const signed = walkThrough();
      expect(stepOf(signed, 'cp_request-1').completedAt).toBe(stepOf(signed, 'cp_renewal_request-1').openedAt);
      expect(stepsOf(signed, GRANT_FOLLOWERS).map((step) => step.openedBy)).toEqual([
        'cp_decision-1',
        'cp_decision-1',
        'hhs_certification_request-1',
      ]);
      expect(stepOf(signed, 'cp_decision-1').openedBy).toBe('cp_request-1');
    });

    describe.each([
      ['steps that record who opened them', walkThrough],
      ['steps opened before that was kept (read from the timeline)', () => withoutOpenedBy(walkThrough())],
    ])('on %s', (_, build) => {
      it('a new request date re-dates the decision alone; the grant’s requests stay, with their reminders', () => {
        const signed = build();
        const corrected = correct(signed, 'cp_request-1', 'requested', REQUESTED_ON_AS_CORRECTED, CORRECTED);

        expect(stepsOf(corrected, GRANT_FOLLOWERS)).toEqual(stepsOf(signed, GRANT_FOLLOWERS));
        expect(remindersOf(corrected, GRANT_FOLLOWERS)).toEqual(remindersOf(signed, GRANT_FOLLOWERS));
        // The CP's three lead reminders and its expiry, which ask for the renewal while it is pending.
        expect(cpValidityAlarms(corrected)).toEqual(cpValidityAlarms(signed));
        expect(cpValidityAlarms(signed).map((alarm) => alarm.kind)).toEqual([
          'expiry_reminder',
          'expiry_reminder',
          'expiry_reminder',
          'expired',
        ]);
        expect(corrected.steps.map((step) => step.id)).toEqual(signed.steps.map((step) => step.id));
        // The decision opened when the request, as corrected, was made: on the day the case opened, so at its opening
        // (never before the request's own step), and falls due 30 days after instead of 31.
        const before = stepOf(signed, 'cp_decision-1');
        expect(before).toMatchObject({ openedAt: '2026-11-21T12:00:00.000Z', dueAt: '2026-12-21T12:00:00.000Z' });
        expect(stepOf(corrected, 'cp_decision-1')).toMatchObject({
          status: 'completed',
          outcome: 'granted',
          openedAt: IDENTIFIED_AT,
          dueAt: '2026-12-20T15:00:00.000Z',
          completedAt: before.completedAt,
        });
        expect(linesOf(corrected, 'step.withdrawn')).toEqual([]);
        expect(linesOf(corrected, 'step.rescheduled')).toEqual([expect.stringMatching(/^cp_decision-1 now due /)]);
      });

      it('a note alone moves and withdraws nothing', () => {
        const signed = build();
        const corrected = correct(signed, 'cp_request-1', 'requested', NOTE_ONLY, CORRECTED);

        // Whether a step records who opened it aside (the correction writes it on the decision it signs again).
        const others = (state: CaseState) => withoutOpenedBy(state).steps.filter((step) => step.id !== 'cp_request-1');
        expect(others(corrected)).toEqual(others(signed));
        expect(alarms(corrected)).toEqual(alarms(signed));
        expect(linesOf(corrected, 'step.withdrawn')).toEqual([]);
        expect(linesOf(corrected, 'step.rescheduled')).toEqual([]);
      });

      it('the grant, corrected to a denial afterwards, is refused: the certification that followed from it was signed', () => {
        const corrected = correct(build(), 'cp_request-1', 'requested', REQUESTED_ON_AS_CORRECTED, CORRECTED);
        expect(correctionRefusal(corrected, 'cp_decision-1', 'denied', { decidedOn: '2026-11-21' })).toMatchObject({
          code: 'later_steps_signed',
          message: expect.stringContaining('hhs_certification_request-1') as unknown,
        });
      });
    });
  });

  describe('a correction that would withdraw a signed step', () => {
    // A case recorded before `followersByOpener`: the old rule takes the grant's requests for the request's followers.
    const recordedBefore = () => walkThrough({});

    it('is refused naming the signed step, though the outcome stays the same', () => {
      expect(correctionRefusal(recordedBefore(), 'cp_request-1', 'requested', REQUESTED_ON_AS_CORRECTED)).toMatchObject(
        {
          code: 'later_steps_signed',
          message: expect.stringMatching(/hhs_certification_request-1 followed from it and was signed/) as unknown,
        },
      );
    });

    it('replays, on a history recorded before, as it was applied then', () => {
      const command = {
        correction: { stepId: 'cp_request-1', outcome: 'requested', details: NOTE_ONLY, reason: SEALED_NOTE_SAMPLE },
        actor: actorOf('coordinator'),
      };
      const applied = applyCorrection(recordedBefore(), command, CORRECTED);
      expect(linesOf(applied, 'step.withdrawn')).toEqual([
        'cp_renewal_request-1 withdrawn: no longer follows from cp_request-1 as corrected',
        'hhs_certification_request-1 withdrawn: no longer follows from cp_request-1 as corrected',
      ]);
    });
  });

  describe('a correction with a date the service cannot read (probe W2)', () => {
    /** Unreadable to JS (it threw: a 500), or half read (it claimed a date_order the corrector had not typed). */
    const UNREADABLE = ['', ' 2026-11-20', '11/20/2026', '2026-11-2', 'x'];
    const command = (stepId: string, outcome: string, details: Record<string, unknown>) => ({
      correction: { stepId, outcome, details, reason: SEALED_NOTE_SAMPLE },
      actor: actorOf('coordinator'),
    });
    const asExpected = (field: string) => ({
      code: 'invalid_details',
      field: `details.${field}`,
      message: `expected a date between ${EARLIEST_DATE} and ${LATEST_DATE} as YYYY-MM-DD`,
    });

    it.each(UNREADABLE)(
      'refuses %j as the day of a signed step, naming the field, in the validation and the preview',
      (day) => {
        const state = walkThrough();
        const request = command('cp_request-1', 'requested', { requestedOn: day });
        const grant = command('cp_decision-1', 'granted', { grantedOn: day, validUntil: '2028-11-21' });
        expect(validateCorrection(state, request, CORRECTED)).toEqual(asExpected('requestedOn'));
        expect(previewCorrection(state, request, CORRECTED)).toEqual(asExpected('requestedOn'));
        expect(validateCorrection(state, grant, CORRECTED)).toEqual(asExpected('grantedOn'));
        expect(previewCorrection(state, grant, CORRECTED)).toEqual(asExpected('grantedOn'));
      },
    );

    it('a date only out of order is still refused as such', () => {
      expect(
        correctionRefusal(walkThrough(), 'cp_request-1', 'requested', { requestedOn: '2026-11-22' }),
      ).toMatchObject({
        code: 'date_order',
        field: 'details.requestedOn',
      });
    });
  });

  describe("a refusal's words, to one who may not see the step that refuses it (probe P1)", () => {
    const asIce = (details: Record<string, unknown>, outcome = 'granted') =>
      validateCorrection(
        walkThrough(),
        {
          correction: { stepId: 'cp_decision-1', outcome, details, reason: SEALED_NOTE_SAMPLE },
          actor: actorOf('ice'),
        },
        CORRECTED,
      );

    it('names neither the signed certification request nor its day to ICE, nor refuses it by them; the coordinator reads both', () => {
      const denied = asIce({ deniedOn: '2026-11-21', reason: 'other' }, 'denied');
      const later = asIce({ grantedOn: '2026-11-23', validUntil: '2028-11-21' });
      const earlier = asIce({ grantedOn: '2026-11-20', validUntil: '2028-11-19' });
      // Refused alike, whatever the request records (probe Q1): the coordinator corrects a decision that may open it.
      expect([denied, later, earlier].map((refusal) => refusal?.code)).toEqual(Array(3).fill('coordinator_corrects'));
      expect(new Set([denied, later, earlier].map((refusal) => refusal?.message)).size).toBe(1);
      for (const refusal of [denied, later]) {
        expect(refusal?.message).toContain('a later step of another agency');
        expect(refusal?.message).not.toMatch(/hhs|certification|2026-11-22/);
      }
      const told = correctionRefusal(walkThrough(), 'cp_decision-1', 'granted', {
        grantedOn: '2026-11-23',
        validUntil: '2028-11-21',
      });
      expect(told?.message).toContain(
        'grantedOn must be on or before 2026-11-22, when the hhs_certification_request-1 that followed from it was signed',
      );
    });
  });

  describe('a CP grant corrected to a denial, while the certification request it opened is still to be made', () => {
    const CERTIFICATION = ['hhs_certification_request-1'];
    const DENIAL = { decidedOn: '2026-11-21', reason: 'other' };
    /** A new case's rules: those the workflow sets at its first task. */
    const NEW_CASE: Partial<CaseState> = {
      followersByOpener: true,
      deniedVisaWithdrawsCertification: true,
      lapsedCpWithdrawsCertification: true,
    };

    /** CP requested and granted (the certification request opens, pending), and the T visa filed and received. */
    function granted(flags: Partial<CaseState> = NEW_CASE): CaseState {
      let state = opened(flags);
      state = sign(state, 'cp_request-1', 'requested', { requestedOn: '2026-11-21' }, ENTERED);
      state = sign(state, 'cp_decision-1', 'granted', { grantedOn: '2026-11-21', validUntil: '2028-11-21' }, ENTERED);
      state = sign(state, 't_visa_filing-1', 'filed', { filedOn: '2026-11-22' }, ENTERED);
      return sign(state, 't_visa_receipt-1', 'received', { receivedOn: '2026-11-23' }, ENTERED);
    }
    const bonaFide = (state: CaseState, now = ENTERED) =>
      sign(state, 't_visa_bona_fide-1', 'bona_fide', { determinedOn: '2026-11-23' }, now);
    const askAgainRefusal = (state: CaseState, actor = actorOf('advocate')) =>
      validateAskAgain(state, { stepKind: 'hhs_certification_request', actor }, CORRECTED);

    it('a bona fide T visa not denied still backs the request: it stays pending, with its reminders', () => {
      const signed = bonaFide(granted());
      const corrected = correct(signed, 'cp_decision-1', 'denied', DENIAL, CORRECTED);

      expect(stepsOf(corrected, CERTIFICATION)).toEqual(stepsOf(signed, CERTIFICATION));
      expect(stepOf(corrected, 'hhs_certification_request-1').status).toBe('pending');
      expect(remindersOf(corrected, CERTIFICATION)).toEqual(remindersOf(signed, CERTIFICATION));
      expect(remindersOf(signed, CERTIFICATION)).not.toEqual([]);
      // The renewal request followed from the grant alone: it goes.
      expect(linesOf(corrected, 'step.withdrawn')).toEqual([
        'cp_renewal_request-1 withdrawn: no longer follows from cp_decision-1 as corrected',
      ]);
    });

    it('with no other ground it is withdrawn; a bona fide determination recorded later opens it again', () => {
      const corrected = correct(granted(), 'cp_decision-1', 'denied', DENIAL, CORRECTED);
      expect(corrected.steps.map((step) => step.id)).not.toContain('hhs_certification_request-1');
      expect(linesOf(corrected, 'step.withdrawn')).toContain(
        'hhs_certification_request-1 withdrawn: no longer follows from cp_decision-1 as corrected',
      );
      expect(askAgainRefusal(corrected)?.message).toContain('none of the events that qualify for it holds now');

      const reopened = bonaFide(corrected, CORRECTED);
      expect(stepOf(reopened, 'hhs_certification_request-1')).toMatchObject({
        status: 'pending',
        details: { unlockedBy: 't_visa_bona_fide' },
      });
    });

    it('withdrawn by the rule before, though the T visa backed it, it can be asked again, by the advocate or the coordinator', () => {
      const recordedBefore = bonaFide(granted({}));
      const corrected = correct(recordedBefore, 'cp_decision-1', 'denied', DENIAL, CORRECTED);
      expect(corrected.steps.map((step) => step.id)).not.toContain('hhs_certification_request-1');

      expect(askAgainRefusal(corrected)).toBeNull();
      expect(askAgainRefusal(corrected, actorOf('coordinator'))).toBeNull();
      const command = { stepKind: 'hhs_certification_request' as const, actor: actorOf('advocate') };
      expect(stepOf(applyAskAgain(corrected, command, CORRECTED), 'hhs_certification_request-1')).toMatchObject({
        status: 'pending',
        details: { askedAgain: true, unlockedBy: 't_visa_bona_fide' },
      });
    });
  });
});
