import { alarms, fireAlarm, releaseHeldExpiries, settlePassedAlarms } from '../../../domain/alarms';
import type { CaseState } from '../../../domain/case-state';
import { noon, openAdult, openMinor, runAlarmsUntil, sign, stepOf } from '../case-fixtures';

describe('lapse-told-to-coordinator', () => {
  /** A case with each window running, the step that ends with it, and what its owner's end cancels. */
  const WINDOWS = {
    cp_validity: {
      owner: 'law_enforcement',
      step: 'cp_decision-1',
      cancelled: 'cp_renewal_request-1',
      running: () => {
        const requested = sign(
          openAdult(),
          'cp_request-1',
          'requested',
          { requestedOn: '2026-01-06' },
          noon('2026-01-06'),
        );
        return sign(requested, 'cp_decision-1', 'granted', { validUntil: '2026-07-31' }, noon('2026-01-20'));
      },
    },
    t_status: {
      owner: 'advocate',
      step: 't_visa_decision-1',
      cancelled: 't_visa_adjustment_filing-1',
      running: () => {
        let state = sign(openAdult(), 't_visa_filing-1', 'filed', { filedOn: '2026-02-01' }, noon('2026-02-01'));
        state = sign(state, 't_visa_receipt-1', 'received', { receivedOn: '2026-02-20' }, noon('2026-02-21'));
        state = sign(state, 't_visa_bona_fide-1', 'bona_fide', { determinedOn: '2026-06-01' }, noon('2026-06-02'));
        const approval = { approvedOn: '2027-01-10', validUntil: '2031-01-09', adjustmentEligibleFrom: '2030-01-10' };
        return sign(state, 't_visa_decision-1', 'approved', approval, noon('2027-01-11'));
      },
    },
    u_certification_window: {
      owner: 'advocate',
      step: 'u_visa_certification-1',
      cancelled: 'u_visa_petition-1',
      running: () =>
        sign(
          openAdult({ usesUVisa: true }),
          'u_visa_certification-1',
          'signed',
          { signedOn: '2026-01-15' },
          noon('2026-01-16'),
        ),
    },
    interim_letter: {
      owner: 'hhs',
      step: 'hhs_interim_letter-1',
      cancelled: undefined,
      running: () => {
        const notified = sign(
          openMinor(),
          'hhs_minor_notification-1',
          'notified',
          { notifiedOn: '2026-01-05' },
          '2026-01-05T20:00:00.000Z',
        );
        const issue = { issuedOn: '2026-01-09', validUntil: '2026-04-09' };
        return sign(notified, 'hhs_interim_letter-1', 'issued', issue, noon('2026-01-09'));
      },
    },
  } as const;

  const told = (state: CaseState): CaseState => ({ ...state, coordinatorToldOfLapses: true });
  const windowAlarms = (state: CaseState, subject: string) => alarms(state).filter((a) => a.subject === subject);
  const ends = (state: CaseState, subject: string) => windowAlarms(state, subject).filter((a) => a.kind === 'expired');

  describe.each(Object.entries(WINDOWS))('the end of %s', (subject, window) => {
    it('is raised for its owner and, by an alarm of its own at the same moment, for the coordinator', () => {
      const state = told(window.running());
      const [owners, coordinators] = ends(state, subject);
      expect(ends(state, subject).map((a) => a.recipient)).toEqual([window.owner, 'coordinator']);
      expect(coordinators).toMatchObject({ at: owners!.at, stepId: window.step, copyOf: owners!.id });
      expect(coordinators!.id).not.toBe(owners!.id);
      // The leads before the end stay with the owner alone.
      const leads = windowAlarms(state, subject).filter((a) => a.kind === 'expiry_reminder');
      expect(leads.length).toBeGreaterThan(0);
      expect(leads.every((a) => a.recipient === window.owner)).toBe(true);
    });

    it('is applied once, after both are raised, whichever fires first', () => {
      const state = told(window.running());
      const [owners, coordinators] = ends(state, subject);
      for (const order of [
        [owners!, coordinators!],
        [coordinators!, owners!],
      ]) {
        const first = fireAlarm(state, order[0]!, order[0]!.at);
        // The window still runs until its last alarm is raised, so that alarm is still current.
        expect(stepOf(first, window.step).status).toBe('completed');
        expect(ends(first, subject).map((a) => a.id)).toEqual([order[1]!.id]);
        const lapsed = fireAlarm(first, order[1]!, order[1]!.at);
        expect(stepOf(lapsed, window.step).status).toBe('expired');
        if (window.cancelled) expect(stepOf(lapsed, window.cancelled).status).not.toBe('pending');
        const lines = lapsed.timeline.map((entry) => entry.summary);
        expect(lines.filter((line) => line.startsWith(`expired (${subject})`))).toEqual([
          expect.stringMatching(new RegExp(`raised for ${order[0]!.recipient}$`)),
          expect.stringMatching(new RegExp(`raised for ${order[1]!.recipient}$`)),
        ]);
        expect(
          lapsed.timeline.filter((entry) => entry.type === 'step.expired' && entry.stepId === window.step),
        ).toHaveLength(1);
      }
      const lapsed = runAlarmsUntil(state, owners!.at);
      expect(lapsed.firedAlarms).toEqual(expect.arrayContaining([owners!.id, coordinators!.id]));
      expect(stepOf(lapsed, window.step).status).toBe('expired');
    });

    it('passed before it was recorded, is listed once in the notice of what passed, which goes to the coordinator', () => {
      const state = told(window.running());
      const [owners] = ends(state, subject);
      const after = new Date(Date.parse(owners!.at) + 1000).toISOString();
      const settled = settlePassedAlarms(state, after);
      expect(settled.passedAlarms?.filter((a) => a.about === subject && a.kind === 'expired')).toEqual([
        expect.objectContaining({ recipient: window.owner }),
      ]);
      expect(settled.timeline.filter((entry) => entry.summary.startsWith(`expired (${subject})`))).toHaveLength(1);
      expect(stepOf(settled, window.step).status).toBe('expired');
    });

    it('is raised for its owner alone on a case recorded before the rule', () => {
      const state = window.running();
      expect(ends(state, subject).map((a) => a.recipient)).toEqual([window.owner]);
      const lapsed = runAlarmsUntil(state, ends(state, subject)[0]!.at);
      expect(lapsed.timeline.filter((entry) => entry.summary.startsWith(`expired (${subject})`))).toHaveLength(1);
      expect(stepOf(lapsed, window.step).status).toBe('expired');
    });
  });

  describe('a lapse told to the coordinator', () => {
    it('is not doubled for a minor turning 18, whose move to the adult path goes to the coordinator already', () => {
      const state = told(openMinor('2026-09-01'));
      const birthday = alarms({ ...state, adultAt18: true }).filter((a) => a.subject === 'minor_turns_18');
      expect(birthday.filter((a) => a.kind === 'expired').map((a) => a.recipient)).toEqual(['coordinator']);
      expect(birthday.some((a) => a.copyOf !== undefined)).toBe(false);
    });

    it('is held with its owner while a case is brought up to date, and released with it', () => {
      const state = told({ ...WINDOWS.cp_validity.running(), holdsPassedExpiries: true });
      const [owners, coordinators] = ends(state, 'cp_validity');
      const held = settlePassedAlarms(state, noon('2026-08-02'));
      expect(held.heldExpiries).toEqual([owners!.id]);
      expect(ends(held, 'cp_validity')).toEqual([]);
      const released = releaseHeldExpiries(held, noon('2026-08-03'));
      expect(released.firedAlarms).toEqual(expect.arrayContaining([owners!.id, coordinators!.id]));
      expect(stepOf(released, 'cp_decision-1').status).toBe('expired');
      const lapses = (released.passedAlarms ?? []).filter((a) => a.about === 'cp_validity' && a.kind === 'expired');
      expect(lapses.map((a) => a.recipient)).toEqual(['law_enforcement']);
    });
  });
});
