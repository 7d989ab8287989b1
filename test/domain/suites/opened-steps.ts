import { snapshotOf } from '../../../domain/case';
import type { CaseState } from '../../../domain/case-state';
import { openedStepsToTell } from '../../../domain/opened-steps';
import type { AppliedCommand } from '../../../domain/types';
import { actorOf, correct, noon, OPENED_ON, openAdult, sign } from '../case-fixtures';

describe('opened-steps', () => {
  /** The steps a command's projection tells, by id and the step named as having opened it. */
  function told(state: CaseState, applied: Omit<AppliedCommand, 'caseId' | 'version'>) {
    return openedStepsToTell(snapshotOf(state), { ...applied, caseId: state.caseId, version: state.version }).map(
      ({ step, openedByKind, openedSeq }) => ({ stepId: step.id, agencyId: step.agencyId, openedByKind, openedSeq }),
    );
  }

  const requested = () => sign(openAdult(), 'cp_request-1', 'requested', { requestedOn: OPENED_ON }, noon(OPENED_ON));
  const signOff = (stepId: string, by: Parameters<typeof actorOf>[0]) => ({
    action: 'step.sign_off' as const,
    stepId,
    actor: actorOf(by),
  });

  describe('the steps a command opened for another agency', () => {
    it("tells ICE of the police's CP request, keyed by the step's opening", () => {
      const [decision, ...others] = told(requested(), signOff('cp_request-1', 'law_enforcement'));
      expect(others).toEqual([]);
      expect(decision).toMatchObject({ stepId: 'cp_decision-1', agencyId: 'agency-ice', openedByKind: undefined });
      const state = requested();
      const opening = state.timeline.find((entry) => entry.type === 'step.opened' && entry.stepId === 'cp_decision-1');
      expect(decision!.openedSeq).toBe(opening!.seq);
    });

    it("tells the advocates of the T-visa filing the case's opening opens, not the police of their own steps", () => {
      const opened = told(openAdult(), { action: 'case.open', stepId: null, actor: actorOf('law_enforcement') });
      expect(opened.map((step) => step.stepId)).toEqual(['t_visa_filing-1']);
    });

    it('tells nothing of steps opened before the command, nor of a renewal request a grant opens', () => {
      const granted = sign(requested(), 'cp_decision-1', 'granted', { grantedOn: '2026-01-06' }, noon('2026-01-06'));
      // The advocates' certification request opens (told); the police's renewal request is asked for at its lead.
      expect(told(granted, signOff('cp_decision-1', 'ice')).map((step) => step.stepId)).toEqual([
        'hhs_certification_request-1',
      ]);
      // A later command of another step tells none of them again.
      const filed = sign(granted, 't_visa_filing-1', 'filed', { filedOn: '2026-01-07' }, noon('2026-01-07'));
      expect(told(filed, signOff('t_visa_filing-1', 'advocate')).map((step) => step.stepId)).not.toContain(
        'hhs_certification_request-1',
      );
    });

    it('tells nothing of a sign-off entered after the fact, a correction or a command without a user', () => {
      const late = sign(openAdult(), 'cp_request-1', 'requested', { requestedOn: OPENED_ON }, noon('2026-01-20'));
      expect(told(late, signOff('cp_request-1', 'law_enforcement'))).toEqual([]);
      const onTheSixth = sign(
        openAdult(),
        'cp_request-1',
        'requested',
        { requestedOn: '2026-01-06' },
        noon('2026-01-06'),
      );
      const corrected = correct(
        onTheSixth,
        'cp_request-1',
        'requested',
        { requestedOn: OPENED_ON },
        noon('2026-01-06'),
      );
      expect(corrected.steps.find((step) => step.id === 'cp_decision-1')?.status).toBe('pending');
      expect(
        told(corrected, { action: 'step.correct', stepId: 'cp_request-1', actor: actorOf('coordinator') }),
      ).toEqual([]);
      expect(told(requested(), { action: 'step.sign_off', stepId: 'cp_request-1', actor: null })).toEqual([]);
    });
  });
});
