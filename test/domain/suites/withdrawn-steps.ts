import { knowsOfStepKind } from '../../../domain/access';
import { applyCorrection, previewCorrection, validateCorrection } from '../../../domain/correction';
import type { CaseState } from '../../../domain/case-state';
import type { AgencyKind } from '../../../domain/types';
import { actorOf, noon, openAdult, runAlarmsUntil, SEALED_NOTE_SAMPLE, sign, stepOf } from '../case-fixtures';

describe('withdrawn-steps', () => {
  /** CP requested and granted on a case with the rule: the advocate's certification request and the police's renewal request open. */
  function granted(flags: Partial<CaseState> = { tellsWithdrawnSteps: true, followersByOpener: true }): CaseState {
    const opened: CaseState = { ...openAdult(), ...flags };
    const requested = sign(opened, 'cp_request-1', 'requested', { requestedOn: '2026-01-06' }, noon('2026-01-06'));
    return sign(requested, 'cp_decision-1', 'granted', { grantedOn: '2026-01-20' }, noon('2026-01-20'));
  }

  /** A step corrected by an officer of `by`, failing the test if the rules refuse it. */
  function correctAs(
    state: CaseState,
    by: AgencyKind,
    stepId: string,
    outcome: string,
    details: Record<string, unknown>,
    now: string,
  ) {
    const command = { correction: { stepId, outcome, details, reason: SEALED_NOTE_SAMPLE }, actor: actorOf(by) };
    // ICE no longer corrects a CP decision, which may open steps it is not told of (coordinator_corrects, probe Q1), but
    // histories recorded before hold such corrections, and `applyCorrection` applies them as recorded: what they tell
    // is checked as the rules still accept the correction itself, from the coordinator.
    const judgedBy = by === 'ice' && stepId.startsWith('cp_decision') ? 'coordinator' : by;
    expect(validateCorrection(state, { ...command, actor: actorOf(judgedBy) }, now)).toBeNull();
    return applyCorrection(state, command, now);
  }

  /** The CP decision corrected by an officer of `by`. */
  const correctDecision = (state: CaseState, by: AgencyKind, outcome: string, details: Record<string, string>) =>
    correctAs(state, by, 'cp_decision-1', outcome, details, noon('2026-01-21'));
  const DENIAL = { decidedOn: '2026-01-20', reason: 'other' };

  /** Who is told of which step, and what they are told of the correction. */
  const toldOf = (state: CaseState) =>
    (state.stepChangesToTell ?? []).map(({ stepId, recipient, correctedStepKind, correctedBy }) => ({
      stepId,
      recipient,
      correctedStepKind,
      correctedBy,
    }));

  describe('a pending step a correction withdraws', () => {
    it('is told to the agency that owed it and to the coordinator, not to the agency that corrected', () => {
      const denied = correctDecision(granted(), 'ice', 'denied', DENIAL);
      expect(denied.steps.map((step) => step.id)).not.toContain('hhs_certification_request-1');
      const ice = { correctedStepKind: 'cp_decision', correctedBy: 'ice' };
      expect(toldOf(denied)).toEqual([
        { stepId: 'cp_renewal_request-1', recipient: 'law_enforcement', ...ice },
        { stepId: 'cp_renewal_request-1', recipient: 'coordinator', ...ice },
        { stepId: 'hhs_certification_request-1', recipient: 'advocate', ...ice },
        { stepId: 'hhs_certification_request-1', recipient: 'coordinator', ...ice },
      ]);
      // One outbox key per correction, step and recipient.
      const ids = denied.stepChangesToTell!.map((notice) => notice.id);
      expect(new Set(ids).size).toBe(4);
      expect(ids[2]).toBe(
        `hhs_certification_request-1:step_withdrawn:hhs_certification_request:advocate:${denied.version}`,
      );
    });

    it('corrected by the coordinator, is told to the owners alone', () => {
      const denied = correctDecision(granted(), 'coordinator', 'denied', DENIAL);
      expect(toldOf(denied).map(({ stepId, recipient }) => [stepId, recipient])).toEqual([
        ['cp_renewal_request-1', 'law_enforcement'],
        ['hhs_certification_request-1', 'advocate'],
      ]);
      expect(toldOf(denied)[0]!.correctedBy).toBe('coordinator');
    });

    it('tells nothing when the correction withdraws nothing, and nothing more later', () => {
      const redated = correctDecision(granted(), 'ice', 'granted', { grantedOn: '2026-01-19' });
      expect(redated.stepChangesToTell).toBeUndefined();
      // A correction after one that withdrew steps adds nothing when it withdraws none itself.
      const denied = correctDecision(granted(), 'ice', 'denied', DENIAL);
      const again = correctDecision(denied, 'ice', 'denied', { ...DENIAL, decidedOn: '2026-01-19' });
      expect(again.stepChangesToTell).toEqual(denied.stepChangesToTell);
    });

    it('tells nothing on cases recorded before the rule', () => {
      expect(
        correctDecision(granted({ followersByOpener: true }), 'ice', 'denied', DENIAL).stepChangesToTell,
      ).toBeUndefined();
    });

    it('names the corrected step only to an agency that may know of it', () => {
      expect(knowsOfStepKind('advocate', 'cp_decision')).toBe(true);
      expect(knowsOfStepKind('law_enforcement', 'cp_decision')).toBe(true);
      expect(knowsOfStepKind('coordinator', 't_visa_filing')).toBe(true);
      // The police are never told that a T visa application was filed (8 U.S.C. 1367).
      expect(knowsOfStepKind('law_enforcement', 't_visa_filing')).toBe(false);
      expect(knowsOfStepKind('ice', 'hhs_certification_request')).toBe(false);
    });
  });

  /** Who is told which step is owed again, and how. */
  const toldOwedAgain = (state: CaseState) =>
    (state.stepChangesToTell ?? [])
      .filter((notice) => notice.kind === 'step_reopened')
      .map(({ stepId, recipient, correctedBy, again, dueAt }) => ({ stepId, recipient, correctedBy, again, dueAt }));

  describe('a step a correction leaves pending that was not', () => {
    it('is told once to the agency that owes it and to the coordinator, not to the agency that corrected', () => {
      const denied = correctDecision(granted(), 'ice', 'denied', DENIAL);
      expect(toldOwedAgain(denied)).toEqual([]);
      const grantedAgain = correctDecision(denied, 'ice', 'granted', { grantedOn: '2026-01-20' });
      const request = grantedAgain.steps.find((step) => step.id === 'hhs_certification_request-1')!;
      const renewal = grantedAgain.steps.find((step) => step.id === 'cp_renewal_request-1')!;
      const told = (step: typeof request, recipient: AgencyKind) => ({
        stepId: step.id,
        recipient,
        correctedBy: 'ice',
        again: true,
        dueAt: step.dueAt,
      });
      expect(toldOwedAgain(grantedAgain)).toEqual([
        told(renewal, 'law_enforcement'),
        told(renewal, 'coordinator'),
        told(request, 'advocate'),
        told(request, 'coordinator'),
      ]);
      // The earlier correction's notices stay queued as they were; this one adds its own, once each.
      const ids = grantedAgain.stepChangesToTell!.map((notice) => notice.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids).toContain(
        `hhs_certification_request-1:step_reopened:hhs_certification_request:advocate:${grantedAgain.version}`,
      );
    });

    it('corrected by the coordinator, is told to the owners alone', () => {
      const denied = correctDecision(granted(), 'ice', 'denied', DENIAL);
      const grantedAgain = correctDecision(denied, 'coordinator', 'granted', { grantedOn: '2026-01-20' });
      expect(toldOwedAgain(grantedAgain).map(({ stepId, recipient }) => [stepId, recipient])).toEqual([
        ['cp_renewal_request-1', 'law_enforcement'],
        ['hhs_certification_request-1', 'advocate'],
      ]);
    });

    it('a lapse withdrawn: the step it cancelled is owed again, the request it opened withdrawn by its role', () => {
      // The U certification signed with a typo, so its window lapsed: the petition cancelled, a second request opened.
      const certified = sign(
        { ...openAdult({ usesUVisa: true }), correctsLapses: true, tellsWithdrawnSteps: true },
        'u_visa_certification-1',
        'signed',
        { signedOn: '2026-01-15' },
        noon('2026-01-16'),
      );
      const lapsed = runAlarmsUntil(certified, noon('2026-08-01'));
      expect(stepOf(lapsed, 'u_visa_petition-1').status).toBe('cancelled');
      // Past the police's 14 days to correct it: the coordinator does.
      const state = correctAs(
        lapsed,
        'coordinator',
        'u_visa_certification-1',
        'signed',
        { signedOn: '2026-06-15' },
        noon('2026-08-02'),
      );
      const petition = stepOf(state, 'u_visa_petition-1');
      expect(toldOwedAgain(state)).toEqual([
        {
          stepId: 'u_visa_petition-1',
          recipient: 'advocate',
          correctedBy: 'coordinator',
          again: true,
          dueAt: petition.dueAt,
        },
      ]);
      // The police hear that their second request is withdrawn, named by its role.
      expect(
        (state.stepChangesToTell ?? [])
          .filter((notice) => notice.kind === 'step_withdrawn')
          .map(({ stepId, recipient, secondOf }) => ({ stepId, recipient, secondOf })),
      ).toEqual([{ stepId: 'u_visa_certification-2', recipient: 'law_enforcement', secondOf: 'lapsed' }]);
    });

    it('is what the preview of that correction says it reopens, even a step withdrawn since (gone from the case)', () => {
      const denied = correctDecision(granted(), 'ice', 'denied', DENIAL);
      expect(denied.steps.map((step) => step.id)).not.toContain('cp_renewal_request-1');
      const back = { stepId: 'cp_decision-1', outcome: 'granted', details: { grantedOn: '2026-01-20' } };
      const previewAs = (by: AgencyKind) =>
        previewCorrection(
          denied,
          { correction: { ...back, reason: SEALED_NOTE_SAMPLE }, actor: actorOf(by) },
          noon('2026-01-21'),
        );
      const emailed = (by: AgencyKind) =>
        toldOwedAgain(correctDecision(denied, by, 'granted', back.details)).map((notice) => notice.stepId);
      const reopenedIds = (by: AgencyKind) => {
        const preview = previewAs(by);
        return 'reopened' in preview ? preview.reopened.map((step) => step.id) : preview;
      };
      expect(reopenedIds('coordinator')).toEqual(['cp_renewal_request-1', 'hhs_certification_request-1']);
      expect(reopenedIds('coordinator')).toEqual([...new Set(emailed('coordinator'))]);
      // ICE is told of neither (the police's renewal request, the advocate's certification request): it may not correct
      // the decision that opens them, whatever they record, and its preview says so as the correction would.
      expect(previewAs('ice')).toMatchObject({ code: 'coordinator_corrects' });
      expect(new Set(emailed('ice'))).toEqual(new Set(['cp_renewal_request-1', 'hhs_certification_request-1']));
    });

    it('is not told of a step that stays pending, only moved', () => {
      const redated = correctDecision(granted(), 'ice', 'granted', { grantedOn: '2026-01-19' });
      expect(toldOwedAgain(redated)).toEqual([]);
    });
  });
});
