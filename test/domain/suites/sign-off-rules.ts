import { REJECTION_CODES, type Rejection } from '../../../domain/case-state';
import { applySignOff, closeCase, validateSignOff, validateTransfer } from '../../../domain/case';
import { actorOf, noon, openAdult, openMinor, refusal, SEALED_NOTE_SAMPLE, sign, stepOf } from '../case-fixtures';

describe('sign-off-rules', () => {
  const NOW = noon('2026-01-06');

  describe('sign-off refusals', () => {
    const seen = new Set<string>();
    const expectRefusal = (rejection: Rejection | null, code: Rejection['code'], field?: string) => {
      expect(rejection).toMatchObject({ code, ...(field ? { field } : {}) });
      expect(rejection?.message).not.toBe('');
      seen.add(code);
    };

    it('case_not_open', () => {
      const closed = closeCase(
        openAdult(),
        { status: 'withdrawn', reason: 'survivor_request' },
        actorOf('coordinator'),
        NOW,
      );
      expectRefusal(refusal(closed, 'cp_request-1', 'requested', { requestedOn: '2026-01-06' }, NOW), 'case_not_open');
    });

    it('unknown_step', () => {
      expectRefusal(
        refusal(openAdult(), 'cp_decision-7', 'granted', {}, NOW, actorOf('ice')),
        'unknown_step',
        'stepId',
      );
    });

    it('wrong_agency_kind: ICE cannot request CP', () => {
      const rejection = refusal(
        openAdult(),
        'cp_request-1',
        'requested',
        { requestedOn: '2026-01-06' },
        NOW,
        actorOf('ice'),
      );
      expectRefusal(rejection, 'wrong_agency_kind');
      // Who signs is no field of the request: none is named.
      expect(rejection).not.toHaveProperty('field');
      // The kinds in words, never their codes (law_enforcement, ice).
      expect(rejection?.message).toBe(
        'step cp_request-1 is for law enforcement, not ICE Center for Countering Human Trafficking',
      );
    });

    it('wrong_agency: another law-enforcement agency than the case one', () => {
      const stranger = actorOf('law_enforcement', 'agency-le-elsewhere');
      const rejection = refusal(openAdult(), 'cp_request-1', 'requested', { requestedOn: '2026-01-06' }, NOW, stranger);
      expectRefusal(rejection, 'wrong_agency');
      expect(rejection).not.toHaveProperty('field');
      expect(rejection?.message).toBe('step cp_request-1 is for the agency acting as law enforcement on this case');
    });

    it('role_not_permitted: a supervisor or an admin of the owning agency oversees but does not sign', () => {
      for (const roles of [['supervisor'], ['admin'], []] as const) {
        const overseer = { ...actorOf('law_enforcement'), roles };
        const rejection = refusal(
          openAdult(),
          'cp_request-1',
          'requested',
          { requestedOn: '2026-01-06' },
          NOW,
          overseer,
        );
        expectRefusal(rejection, 'role_not_permitted');
        expect(rejection).not.toHaveProperty('field');
      }
    });

    it('unknown_outcome', () => {
      const rejection = refusal(openAdult(), 'cp_request-1', 'granted', {}, NOW);
      expectRefusal(rejection, 'unknown_outcome', 'outcome');
      expect(rejection?.message).toMatch(/requested/);
    });

    it('step_not_pending: signing twice, or the identification done at open', () => {
      const once = sign(openAdult(), 'cp_request-1', 'requested', { requestedOn: '2026-01-06' }, NOW);
      expectRefusal(
        refusal(once, 'cp_request-1', 'requested', { requestedOn: '2026-01-06' }, NOW),
        'step_not_pending',
        'stepId',
      );
      expectRefusal(
        refusal(once, 'identification-1', 'identified', { identifiedOn: '2026-01-05', path: 'adult' }, NOW),
        'step_not_pending',
      );
    });

    it('outcome_not_applicable: extending an interim letter never issued', () => {
      const notified = sign(openMinor(), 'hhs_minor_notification-1', 'notified', { notifiedOn: '2026-01-05' }, NOW);
      expectRefusal(
        refusal(notified, 'hhs_interim_letter-1', 'extended', {}, NOW),
        'outcome_not_applicable',
        'outcome',
      );
    });

    it('invalid_details: a missing date, a malformed date, an unexpected field, an unsealed or over-long note, a free-text reason', () => {
      const state = openAdult();
      expectRefusal(refusal(state, 'cp_request-1', 'requested', {}, NOW), 'invalid_details', 'details.requestedOn');
      expectRefusal(
        refusal(state, 'cp_request-1', 'requested', { requestedOn: '06/01/2026' }, NOW),
        'invalid_details',
        'details.requestedOn',
      );
      // An unknown key is named only as a typo of a field the outcome takes (domain/unknown-names.ts).
      expectRefusal(
        refusal(state, 'cp_request-1', 'requested', { requestedOn: '2026-01-06', survivorName: 'x' }, NOW),
        'invalid_details',
        'details',
      );
      expectRefusal(
        refusal(state, 'cp_request-1', 'requested', { requestedOn: '2026-01-06', requestedOm: 'x' }, NOW),
        'invalid_details',
        'details.requestedOm',
      );
      expectRefusal(
        refusal(state, 'cp_request-1', 'requested', { requestedOn: '2026-01-06', note: 'met Jane Example' }, NOW),
        'invalid_details',
        'details.note',
      );
      expectRefusal(
        refusal(
          state,
          'cp_request-1',
          'requested',
          { requestedOn: '2026-01-06', note: `sealed:k:${'A'.repeat(3000)}` },
          NOW,
        ),
        'invalid_details',
        'details.note',
      );
      expectRefusal(
        refusal(state, 'cp_request-1', 'requested', { requestedOn: '2026-01-06', note: 42 }, NOW),
        'invalid_details',
        'details.note',
      );
      expectRefusal(
        refusal(state, 'le_declaration-1', 'declined', { reason: 'Declined because of the victim' }, NOW),
        'invalid_details',
        'details.reason',
      );
    });

    it('date_order: an event dated in the future', () => {
      expectRefusal(
        refusal(openAdult(), 'cp_request-1', 'requested', { requestedOn: '2026-01-07' }, NOW),
        'date_order',
        'details.requestedOn',
      );
    });

    it('date_out_of_range, extension_limit_reached and evidence_response_pending are covered by the track tests', () => {
      ['date_out_of_range', 'extension_limit_reached', 'evidence_response_pending'].forEach((code) => seen.add(code));
    });

    it('not_correctable, correction_window_closed, later_steps_signed and correction_conflict are covered by test/api/own-stack/corrections.ts', () => {
      ['not_correctable', 'correction_window_closed', 'later_steps_signed', 'correction_conflict'].forEach((code) =>
        seen.add(code),
      );
    });

    it('unbound_command is covered by test/domain/suites/issued.ts and test/temporal/own-stack/copied-commands.ts', () => {
      seen.add('unbound_command');
    });

    it('coordinator_corrects is covered by test/api/one-stack/correction-hidden-steps.ts', () => {
      seen.add('coordinator_corrects');
    });

    it('nothing_to_ask_again is covered by test/domain/suites/ask-again.ts', () => {
      seen.add('nothing_to_ask_again');
    });

    it('transferred_meanwhile: a transfer naming the agency it replaces, which another has replaced since', () => {
      const state = openAdult();
      const transfer = { agencyKind: 'advocate' as const, toAgencyId: 'agency-adv-2', actor: actorOf('coordinator') };
      expect(validateTransfer(state, { ...transfer, fromAgencyId: state.agencies.advocate }, NOW)).toBeNull();
      expectRefusal(
        validateTransfer(state, { ...transfer, fromAgencyId: 'agency-adv-elsewhere' }, NOW),
        'transferred_meanwhile',
        'fromAgencyId',
      );
    });

    it('every rejection code is exercised', () => {
      expect([...seen].sort()).toEqual([...REJECTION_CODES].sort());
    });

    it('applySignOff applies what was validated without judging it again, so a rule changed since cannot stall a replay', () => {
      const state = openAdult();
      // Refused today (ICE does not sign law enforcement's step), but a history may hold one accepted under older rules.
      const signOff = { stepId: 'cp_request-1', outcome: 'requested', details: { requestedOn: '2026-01-06' } };
      expect(validateSignOff(state, signOff, actorOf('ice'), NOW)).toMatchObject({ code: 'wrong_agency_kind' });
      expect(stepOf(applySignOff(state, signOff, actorOf('ice'), NOW), 'cp_request-1').status).toBe('completed');
      // What no validator lets through is an error, not a state.
      expect(() =>
        applySignOff(
          state,
          { stepId: 'cp_request-9', outcome: 'requested', details: {} },
          actorOf('law_enforcement'),
          NOW,
        ),
      ).toThrow(/without being validated/);
      expect(stepOf(state, 'cp_request-1').status).toBe('pending');
    });

    it('a note in plain text is refused to new sign-offs but still applies, as recorded histories replay it', () => {
      const state = openAdult();
      const signOff = {
        stepId: 'cp_request-1',
        outcome: 'requested',
        details: { requestedOn: '2026-01-06', note: '  task force referral ' },
      };
      expect(validateSignOff(state, signOff, actorOf('law_enforcement'), NOW)).toMatchObject({
        code: 'invalid_details',
        field: 'details.note',
      });
      const next = applySignOff(state, signOff, actorOf('law_enforcement'), NOW);
      expect(stepOf(next, 'cp_request-1')).toMatchObject({
        status: 'completed',
        details: { requestedOn: '2026-01-06', note: 'task force referral' },
      });
    });

    it('a valid sign-off returns null from the validator and bumps the version by one, with a timeline entry', () => {
      const state = openAdult();
      const signOff = {
        stepId: 'cp_request-1',
        outcome: 'requested',
        details: { requestedOn: '2026-01-06', note: SEALED_NOTE_SAMPLE },
      };
      expect(validateSignOff(state, signOff, actorOf('law_enforcement'), NOW)).toBeNull();
      const next = applySignOff(state, signOff, actorOf('law_enforcement'), NOW);
      expect(next.version).toBe(state.version + 1);
      expect(stepOf(next, 'cp_request-1')).toMatchObject({
        status: 'completed',
        completedAt: NOW,
        outcome: 'requested',
        details: signOff.details,
      });
      expect(next.timeline.find((e) => e.type === 'step.completed' && e.stepId === 'cp_request-1')).toMatchObject({
        actorAgencyId: 'agency-le',
      });
      expect(state.steps).not.toBe(next.steps); // the input state is not mutated
      expect(stepOf(state, 'cp_request-1').status).toBe('pending');
    });
  });
});
