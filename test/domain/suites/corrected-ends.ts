import { alarms, fireAlarm } from '../../../domain/alarms';
import { applyTransfer } from '../../../domain/case';
import type { CaseState } from '../../../domain/case-state';
import { tellCorrectedEnds } from '../../../domain/corrected-ends';
import { actorOf, AGENCIES, correct, noon, openAdult, SEALED_NOTE_SAMPLE, sign } from '../case-fixtures';

describe('corrected-ends', () => {
  /** A CP grant through 1 Dec 2027 recorded on 20 Jan 2026, on a case with the rule (and the late leads it follows). */
  function granted(flags: Partial<CaseState> = { tellsCorrectedEnds: true }): CaseState {
    const opened: CaseState = { ...openAdult(), lateLeadsRaised: true, ...flags };
    const requested = sign(opened, 'cp_request-1', 'requested', { requestedOn: '2026-01-06' }, noon('2026-01-06'));
    return sign(requested, 'cp_decision-1', 'granted', { validUntil: '2027-12-01' }, noon('2026-01-20'));
  }

  const validUntil = (state: CaseState, date: string, on: string) =>
    correct(state, 'cp_decision-1', 'granted', { validUntil: date }, noon(on));
  /** A correction of the grant's note alone: its end stays. */
  const noteOnly = (state: CaseState, date: string, on: string) =>
    correct(state, 'cp_decision-1', 'granted', { validUntil: date, note: SEALED_NOTE_SAMPLE }, noon(on));

  /** Corrected to an end within every lead, whose "Expiring" reminder is raised at once, to law enforcement. */
  function announcedWrong(flags?: Partial<CaseState>): CaseState {
    const wrong = validUntil(granted(flags), '2026-02-10', '2026-01-21');
    const expiring = alarms(wrong).find((alarm) => alarm.kind === 'expiry_reminder' && alarm.subject === 'cp_validity');
    expect(expiring).toMatchObject({ at: noon('2026-01-21'), recipient: 'law_enforcement' });
    return fireAlarm(wrong, expiring!, noon('2026-01-21'));
  }

  describe('an end an expiry email named, moved by a correction', () => {
    it('is told once to the recipient of that email, with the end as corrected and the one it named', () => {
      const back = validUntil(announcedWrong(), '2027-12-01', '2026-01-22');
      expect(back.endCorrections).toEqual([
        {
          id: `cp_decision-1:end_corrected:cp_validity:${AGENCIES.law_enforcement}:${back.version}`,
          stepId: 'cp_decision-1',
          stepKind: 'cp_decision',
          kind: 'expiry_reminder',
          about: 'cp_validity',
          recipient: 'law_enforcement',
          agencyId: AGENCIES.law_enforcement,
          date: '2027-12-02T00:00:00.000Z',
          was: '2026-02-11T00:00:00.000Z',
        },
      ]);
      // Told once: a later correction that leaves the end where it now is tells nothing more.
      const noted = noteOnly(back, '2027-12-01', '2026-01-23');
      expect(noted.endCorrections).toHaveLength(1);
    });

    it('is told again by another correction moving it, each with an outbox key of its own', () => {
      const back = validUntil(announcedWrong(), '2027-12-01', '2026-01-22');
      const again = validUntil(back, '2026-02-10', '2026-01-23');
      const [first, second] = again.endCorrections ?? [];
      expect(second).toMatchObject({ date: '2026-02-11T00:00:00.000Z', was: '2027-12-02T00:00:00.000Z' });
      expect(second!.id).not.toBe(first!.id);
    });

    it('tells nothing when no email named the end, or no announced end moved', () => {
      // Its leads still ahead: no email named the end, so moving it tells nothing.
      expect(validUntil(granted(), '2027-10-01', '2026-01-21').endCorrections).toBeUndefined();
      // The end an email named stays where it was.
      const announced = announcedWrong();
      const noted = noteOnly(announced, '2026-02-10', '2026-01-22');
      expect(noted.endCorrections).toBeUndefined();
    });

    it('is told as gone once when the grant is corrected to a denial, and as granted again when it is', () => {
      const denied = correct(
        announcedWrong(),
        'cp_decision-1',
        'denied',
        { reason: 'insufficient_evidence' },
        noon('2026-01-22'),
      );
      expect(denied.endCorrections).toEqual([
        expect.objectContaining({
          stepId: 'cp_decision-1',
          about: 'cp_validity',
          agencyId: AGENCIES.law_enforcement,
          endNow: 'refused',
          outcome: 'denied',
          was: '2026-02-11T00:00:00.000Z',
        }),
      ]);
      // Once per correction: another correction of the denial tells nothing more.
      const noted = correct(denied, 'cp_decision-1', 'denied', { reason: 'other' }, noon('2026-01-23'));
      expect(noted.endCorrections).toHaveLength(1);
      // Granted again, even to the day told before: the recipients last heard it was denied.
      const again = validUntil(noted, '2026-02-10', '2026-01-24');
      expect(again.endCorrections?.[1]).toMatchObject({
        date: '2026-02-11T00:00:00.000Z',
        was: '2026-02-11T00:00:00.000Z',
      });
      expect(again.endCorrections?.[1]?.endNow).toBeUndefined();
    });

    it('is told as granted again, the denial no longer holding, on a case with the rule of it', () => {
      const deny = (state: CaseState) =>
        correct(state, 'cp_decision-1', 'denied', { reason: 'insufficient_evidence' }, noon('2026-01-22'));
      const denied = deny(announcedWrong({ tellsCorrectedEnds: true, tellsGrantedAgain: true }));
      const again = validUntil(denied, '2027-12-01', '2026-01-24');
      expect(again.endCorrections?.[1]).toMatchObject({
        date: '2027-12-02T00:00:00.000Z',
        outcome: 'granted',
        refusedBefore: 'denied',
      });
      // Told once: the announced end keeps no refusal once granted again, so moving it later is a date corrected.
      const moved = validUntil(again, '2027-11-01', '2026-01-25');
      expect(moved.endCorrections?.[2]).not.toHaveProperty('refusedBefore');
      // Before the rule, the refusal told was not kept: granted again reads as a date corrected.
      const before = validUntil(deny(announcedWrong()), '2027-12-01', '2026-01-24');
      expect(before.endCorrections?.[1]).not.toHaveProperty('refusedBefore');
    });

    it('is told as withdrawn when its step is gone', () => {
      const announced = announcedWrong();
      const gone = { ...announced, steps: announced.steps.filter((step) => step.id !== 'cp_decision-1') };
      expect(tellCorrectedEnds(gone, noon('2026-01-22')).endCorrections).toEqual([
        expect.objectContaining({ stepId: 'cp_decision-1', endNow: 'withdrawn', was: '2026-02-11T00:00:00.000Z' }),
      ]);
    });

    it('is told as ended when the end as corrected had already passed at the correction', () => {
      const past = correct(
        announcedWrong(),
        'cp_decision-1',
        'granted',
        { grantedOn: '2026-01-06', validUntil: '2026-01-15' },
        noon('2026-01-22'),
      );
      expect(past.endCorrections).toEqual([
        expect.objectContaining({ date: '2026-01-16T00:00:00.000Z', was: '2026-02-11T00:00:00.000Z', endNow: 'ended' }),
      ]);
      // An end still ahead is merely moved.
      expect(validUntil(announcedWrong(), '2026-01-30', '2026-01-22').endCorrections?.[0]?.endNow).toBeUndefined();
    });

    it('is told to the agency that got the earlier email, not to the one its kind was transferred to since', () => {
      const transferred = applyTransfer(
        announcedWrong(),
        {
          agencyKind: 'law_enforcement',
          toAgencyId: 'agency-le-2',
          reason: 'moved_jurisdiction',
          actor: actorOf('coordinator'),
        },
        noon('2026-01-21'),
      );
      const back = validUntil(transferred, '2027-12-01', '2026-01-22');
      expect(back.endCorrections).toEqual([
        expect.objectContaining({ recipient: 'law_enforcement', agencyId: AGENCIES.law_enforcement }),
      ]);
    });

    it('tells nothing on cases recorded before the rule', () => {
      expect(validUntil(announcedWrong({}), '2027-12-01', '2026-01-22').endCorrections).toBeUndefined();
    });
  });
});
