import { alarms } from '../../../domain/alarms';
import type { CaseState } from '../../../domain/case-state';
import { applyCorrection, validateCorrection } from '../../../domain/correction';
import type { AgencyKind } from '../../../domain/types';
import { actorOf, AGENCIES, noon, openAdult, SEALED_NOTE_SAMPLE, sign, stepOf } from '../case-fixtures';

describe('needed-again-dates', () => {
  const RULES: Partial<CaseState> = {
    followersByOpener: true,
    holdsPassedExpiries: true,
    lateLeadsRaised: true,
    tellsCorrectedEnds: true,
    tellsWithdrawnSteps: true,
    tellsNeededAgainDates: true,
  };

  /** CP granted through 1 May 2027 on 20 Jan 2026, corrected by ICE to a denial the next day. */
  function denied(flags: Partial<CaseState> = RULES): CaseState {
    const opened: CaseState = { ...openAdult(), ...flags };
    const requested = sign(opened, 'cp_request-1', 'requested', { requestedOn: '2026-01-06' }, noon('2026-01-06'));
    const granted = sign(requested, 'cp_decision-1', 'granted', { validUntil: '2027-05-01' }, noon('2026-01-20'));
    return correctGrant(granted, 'denied', { decidedOn: '2026-01-20', reason: 'other' }, '2026-01-21');
  }

  /** The CP decision corrected by ICE on `on` (a history recorded before probe Q1), failing the test if the rules refuse it. */
  function correctGrant(state: CaseState, outcome: string, details: Record<string, string>, on: string): CaseState {
    const command = {
      correction: { stepId: 'cp_decision-1', outcome, details, reason: SEALED_NOTE_SAMPLE },
      actor: actorOf('ice'),
    };
    // ICE no longer corrects a CP decision (coordinator_corrects, probe Q1), but histories recorded before hold such
    // corrections, applied as recorded: judged here as the rules still accept the correction itself, from the coordinator.
    expect(validateCorrection(state, { ...command, actor: actorOf('coordinator') }, noon(on))).toBeNull();
    return applyCorrection(state, command, noon(on));
  }

  /** Corrected back to the grant: the renewal request is "Needed again" to the police and the coordinator. */
  const grantedAgain = (flags?: Partial<CaseState>) =>
    correctGrant(denied(flags), 'granted', { validUntil: '2027-05-01' }, '2026-01-22');

  /** What the "Corrected" emails of a due date say, to whom. */
  const dueCorrections = (state: CaseState) =>
    (state.endCorrections ?? [])
      .filter((end) => end.kind === 'due')
      .map(({ stepId, recipient, agencyId, date, was, endNow }) => ({
        stepId,
        recipient,
        agencyId,
        date,
        was,
        endNow,
      }));

  describe('the due date a "Needed again" email named, moved by a later correction', () => {
    it('moved a month earlier: told once to the police and once to the coordinator, with the date as corrected', () => {
      const reopened = grantedAgain();
      const named = stepOf(reopened, 'cp_renewal_request-1').dueAt!;
      expect(named).toBe('2027-05-02T00:00:00.000Z');
      const earlier = correctGrant(reopened, 'granted', { validUntil: '2027-04-10' }, '2026-01-23');
      const due = stepOf(earlier, 'cp_renewal_request-1').dueAt!;
      expect(due).toBe('2027-04-11T00:00:00.000Z');
      const told = (recipient: AgencyKind) => ({
        stepId: 'cp_renewal_request-1',
        recipient,
        agencyId: AGENCIES[recipient],
        date: due,
        was: named,
        endNow: undefined,
      });
      expect(dueCorrections(earlier)).toEqual([told('law_enforcement'), told('coordinator')]);
      // Once per correction: one that leaves the date where it is tells nothing more.
      const again = correctGrant(
        earlier,
        'granted',
        { validUntil: '2027-04-10', note: SEALED_NOTE_SAMPLE },
        '2026-01-24',
      );
      expect(dueCorrections(again)).toHaveLength(2);
    });

    it('moved into the past: told as overdue, once to each', () => {
      const past = correctGrant(
        grantedAgain(),
        'granted',
        { grantedOn: '2026-01-20', validUntil: '2026-01-21' },
        '2026-01-23',
      );
      // The grant's lapse waits for the entry session's end: the renewal request is pending, overdue.
      expect(stepOf(past, 'cp_renewal_request-1')).toMatchObject({
        status: 'pending',
        dueAt: '2026-01-22T00:00:00.000Z',
      });
      expect(dueCorrections(past)).toEqual([
        expect.objectContaining({ recipient: 'law_enforcement', date: '2026-01-22T00:00:00.000Z', endNow: 'ended' }),
        expect.objectContaining({ recipient: 'coordinator', date: '2026-01-22T00:00:00.000Z', endNow: 'ended' }),
      ]);
    });

    it('withdrawn by a later correction, is told by "No longer needed" alone, and not as corrected once reopened', () => {
      const deniedAgain = correctGrant(
        grantedAgain(),
        'denied',
        { decidedOn: '2026-01-20', reason: 'other' },
        '2026-01-23',
      );
      expect(dueCorrections(deniedAgain)).toEqual([]);
      const back = correctGrant(deniedAgain, 'granted', { validUntil: '2027-03-01' }, '2026-01-24');
      expect(dueCorrections(back)).toEqual([]);
      const renewal = back.announcedEnds?.filter((end) => end.kind === 'due' && end.stepId === 'cp_renewal_request-1');
      expect(renewal?.map((end) => end.date)).toEqual(['2027-03-02T00:00:00.000Z', '2027-03-02T00:00:00.000Z']);
    });

    it('tells nothing on cases recorded before the rule', () => {
      const reopened = grantedAgain({ ...RULES, tellsNeededAgainDates: undefined });
      const earlier = correctGrant(reopened, 'granted', { validUntil: '2027-04-10' }, '2026-01-23');
      expect(dueCorrections(earlier)).toEqual([]);
    });
  });

  describe('a denial corrected back to a grant with every lead behind its end', () => {
    /** The window's announcement of the renewal still owed, to the police, not yet sent. */
    const announcement = (state: CaseState) =>
      alarms(state).filter((alarm) => alarm.onRecord && alarm.stepId === 'cp_decision-1');

    it('sends the police "Needed again" for the renewal request, not also the reminder that it is still owed', () => {
      const reopened = correctGrant(denied(), 'granted', { validUntil: '2026-02-20' }, '2026-01-22');
      expect(reopened.stepChangesToTell?.filter((notice) => notice.kind === 'step_reopened')).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ stepId: 'cp_renewal_request-1', recipient: 'law_enforcement' }),
        ]),
      );
      expect(announcement(reopened)).toEqual([]);
      expect(reopened.timeline.at(-1)).toMatchObject({
        type: 'reminder.not_sent',
        stepId: 'cp_decision-1',
        summary:
          'expiry_reminder (cp_validity) for cp_decision-1 not sent to law enforcement: the "Needed again" email of ' +
          'cp_renewal_request-1 says it',
      });
    });

    it('on cases recorded before the rule, raises both', () => {
      const before = correctGrant(
        denied({ ...RULES, tellsNeededAgainDates: undefined }),
        'granted',
        { validUntil: '2026-02-20' },
        '2026-01-22',
      );
      expect(announcement(before)).toEqual([expect.objectContaining({ recipient: 'law_enforcement' })]);
    });
  });
});
