/**
 * A window recorded with every lead behind it is announced once ("still owed: make it by …"), but when it is recorded
 * in an entry session, the session's next entry may record the very step that announcement says is owed (probe T2): a
 * CP grant entered after the fact, then its renewal request seconds later. Such an announcement waits for the session's
 * end, as what passed does, and goes out only if still true then.
 */
import {
  alarms,
  endEntrySession,
  fireAlarm,
  inEntrySession,
  nextAlarm,
  releaseHeldExpiries,
} from '../../../domain/alarms';
import { openCase } from '../../../domain/case';
import type { Alarm, CaseState } from '../../../domain/case-state';
import { AGENCIES, noon, openAdult, sign, stepOf } from '../case-fixtures';

describe('announced-after-session', () => {
  const NOW = noon('2026-12-05');
  const A_MINUTE_ON = '2026-12-05T12:01:00.000Z';
  /** When the session's notice of what passed is due: 30 minutes after its last entry. */
  const SESSION_END = '2026-12-05T12:31:00.000Z';

  const FLAGS = {
    holdsPassedExpiries: true,
    lateLeadsRaised: true,
    datesAsWritten: true,
    gathersAfterLastEntry: true,
    announcesAfterSession: true,
  } as const;

  /** A case identified two years ago and entered today, its CP granted until 19 Dec 2026: inside every renewal lead. */
  function grantEntered(flags: Partial<CaseState> = FLAGS): CaseState {
    const opened = openCase(
      {
        caseId: 'case-session',
        reference: 'RC-SESSION-1',
        identifiedAt: '2024-12-01T15:00:00.000Z',
        minorTurns18On: null,
        agencies: AGENCIES,
        usesUVisa: false,
      },
      NOW,
    );
    let state: CaseState = { ...opened, ...flags };
    state = sign(state, 'cp_request-1', 'requested', { requestedOn: '2024-12-02' }, NOW);
    return sign(state, 'cp_decision-1', 'granted', { grantedOn: '2024-12-20', validUntil: '2026-12-19' }, NOW);
  }

  /** The session's end as the workflow runs it: the held expiries released, the notice of what passed told. */
  function endSession(state: CaseState): CaseState {
    const released = releaseHeldExpiries(state, SESSION_END);
    return endEntrySession(released, released.passedAlarms?.length ?? 0, false);
  }

  /** Fires every alarm due at `now`, as the workflow does each time it wakes: the state after, and what it raised. */
  function fireDue(state: CaseState, now: string): { state: CaseState; raised: Alarm[] } {
    const raised: Alarm[] = [];
    let current = state;
    for (let next = nextAlarm(current); next && next.at <= now; next = nextAlarm(current)) {
      raised.push(next);
      current = fireAlarm(current, next, now);
    }
    return { state: current, raised };
  }

  const announcement = (state: CaseState) =>
    alarms(state).find((alarm) => alarm.stepId === 'cp_decision-1' && alarm.onRecord);

  describe("a window's announcement raised in an entry session", () => {
    it('waits while the session lasts: nothing "still owed" is raised as the grant is recorded', () => {
      const state = grantEntered();
      expect(state.passedAlarms?.length).toBeGreaterThan(0);
      expect(announcement(state)).toMatchObject({ kind: 'expiry_reminder', at: NOW, recipient: 'law_enforcement' });
      expect(fireDue(state, NOW).raised).toEqual([]);
    });

    it("is not raised at the session's end when the session recorded the renewal request it names", () => {
      const granted = fireDue(grantEntered(), NOW);
      expect(granted.raised).toEqual([]);
      const renewed = sign(
        granted.state,
        'cp_renewal_request-1',
        'requested',
        { requestedOn: '2026-11-01' },
        A_MINUTE_ON,
      );
      expect(stepOf(renewed, 'cp_renewal_request-1').status).toBe('completed');
      expect(fireDue(renewed, A_MINUTE_ON).raised).toEqual([]);
      expect(fireDue(endSession(renewed), SESSION_END).raised).toEqual([]);
    });

    it("is raised at the session's end, once, when the renewal request is still owed", () => {
      const granted = fireDue(grantEntered(), NOW);
      expect(granted.raised).toEqual([]);
      const ended = endSession(granted.state);
      // Not swept into what passed as the session ends: it was never missed.
      expect(announcement(ended)).toBeDefined();
      const { raised, state } = fireDue(ended, SESSION_END);
      expect(raised).toEqual([announcement(ended)]);
      expect(raised[0]).toMatchObject({ kind: 'expiry_reminder', at: NOW, recipient: 'law_enforcement' });
      expect(fireDue(state, SESSION_END).raised).toEqual([]);
    });

    it('is sent at once outside an entry session (a grant signed live)', () => {
      const opened = { ...openAdult(), ...FLAGS };
      const requested = sign(opened, 'cp_request-1', 'requested', { requestedOn: '2026-01-05' }, noon('2026-01-20'));
      const state = sign(requested, 'cp_decision-1', 'granted', { validUntil: '2026-02-10' }, noon('2026-01-20'));
      expect(state.passedAlarms ?? []).toEqual([]);
      expect(fireDue(state, noon('2026-01-20')).raised).toEqual([
        expect.objectContaining({ kind: 'expiry_reminder', onRecord: true }),
      ]);
    });

    it('is sent at once, as before, on a case recorded before the rule', () => {
      const state = grantEntered({ ...FLAGS, announcesAfterSession: undefined });
      expect(fireDue(state, NOW).raised).toEqual([
        expect.objectContaining({ kind: 'expiry_reminder', onRecord: true }),
      ]);
    });
  });

  /**
   * Probe V1 (case H5): a CP grant entered three days after it was granted, inside every lead, with nothing else late:
   * nothing passed, yet the sitting's next entry may be the renewal request the announcement would say is still owed.
   */
  describe('a grant entered after the fact with nothing passed', () => {
    const RECORDED = '2026-12-05T12:09:16.000Z';
    const THREE_SECONDS_ON = '2026-12-05T12:09:19.000Z';
    const WITH_BACKDATED = { ...FLAGS, backdatedEntriesHold: true } as const;

    function grantedLate(flags: Partial<CaseState> = WITH_BACKDATED): CaseState {
      const opened = openCase(
        {
          caseId: 'case-h5',
          reference: 'RC-H5',
          identifiedAt: noon('2026-12-01'),
          identifiedOn: '2026-12-01',
          minorTurns18On: null,
          agencies: AGENCIES,
          usesUVisa: false,
        },
        RECORDED,
      );
      const requested = sign(
        { ...opened, ...flags },
        'cp_request-1',
        'requested',
        { requestedOn: '2026-12-01' },
        RECORDED,
      );
      return sign(
        requested,
        'cp_decision-1',
        'granted',
        { grantedOn: '2026-12-02', validUntil: '2026-12-28' },
        RECORDED,
      );
    }

    it('opens an entry session, though nothing passed, and its announcement waits', () => {
      const state = grantedLate();
      expect(state.passedAlarms ?? []).toEqual([]);
      expect(inEntrySession(state)).toBe(true);
      expect(announcement(state)).toMatchObject({ kind: 'expiry_reminder', recipient: 'law_enforcement' });
      expect(fireDue(state, RECORDED).raised).toEqual([]);
    });

    it('sends no reminder when the renewal request is entered 3 s later', () => {
      const granted = fireDue(grantedLate(), RECORDED);
      expect(granted.raised).toEqual([]);
      const renewed = sign(
        granted.state,
        'cp_renewal_request-1',
        'requested',
        { requestedOn: '2026-12-03' },
        THREE_SECONDS_ON,
      );
      expect(fireDue(renewed, THREE_SECONDS_ON).raised).toEqual([]);
      const ended = endSession(renewed);
      expect(inEntrySession(ended)).toBe(false);
      expect(fireDue(ended, SESSION_END).raised).toEqual([]);
    });

    it("sends the reminder at the session's end, once, when the renewal is still owed", () => {
      const granted = fireDue(grantedLate(), RECORDED);
      expect(granted.raised).toEqual([]);
      const ended = endSession(granted.state);
      expect(inEntrySession(ended)).toBe(false);
      const { raised, state } = fireDue(ended, SESSION_END);
      expect(raised).toEqual([expect.objectContaining({ kind: 'expiry_reminder', onRecord: true })]);
      expect(fireDue(state, SESSION_END).raised).toEqual([]);
    });

    it('opens none for a grant signed live, announced at once', () => {
      const opened = { ...openAdult(), ...WITH_BACKDATED };
      const requested = sign(opened, 'cp_request-1', 'requested', { requestedOn: '2026-01-20' }, noon('2026-01-20'));
      const state = sign(requested, 'cp_decision-1', 'granted', { validUntil: '2026-02-10' }, noon('2026-01-20'));
      expect(inEntrySession(state)).toBe(false);
      expect(fireDue(state, noon('2026-01-20')).raised).toEqual([
        expect.objectContaining({ kind: 'expiry_reminder', onRecord: true }),
      ]);
    });

    it('is announced at once, as before, on a case recorded before the rule', () => {
      expect(fireDue(grantedLate(FLAGS), RECORDED).raised).toEqual([
        expect.objectContaining({ kind: 'expiry_reminder', onRecord: true }),
      ]);
    });
  });
});
