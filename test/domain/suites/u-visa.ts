import { alarms, fireAlarm } from '../../../domain/alarms';
import type { CaseState } from '../../../domain/case-state';
import { noon, openAdult, pendingIds, refusal, sign, stepOf } from '../case-fixtures';

describe('u-visa', () => {
  describe('U visa', () => {
    it('opens a certification request only when the case uses the U visa', () => {
      expect(openAdult().steps.some((s) => s.kind === 'u_visa_certification')).toBe(false);
      expect(stepOf(openAdult({ usesUVisa: true }), 'u_visa_certification-1')).toMatchObject({
        agencyKind: 'law_enforcement',
        track: 'u_visa',
      });
    });

    it('a signature starts the 6-month window: petition due at its end, reminders before it', () => {
      const signed = sign(
        openAdult({ usesUVisa: true }),
        'u_visa_certification-1',
        'signed',
        { signedOn: '2026-01-15' },
        noon('2026-01-16'),
      );
      expect(stepOf(signed, 'u_visa_certification-1').expiresAt).toBe('2026-07-16T00:00:00.000Z');
      expect(stepOf(signed, 'u_visa_petition-1')).toMatchObject({
        status: 'pending',
        agencyKind: 'advocate',
        dueAt: '2026-07-16T00:00:00.000Z',
      });
      const window = alarms(signed).filter((a) => a.subject === 'u_certification_window');
      expect(window.map((a) => [a.kind, a.at])).toEqual([
        ['expiry_reminder', '2026-05-17T00:00:00.000Z'],
        ['expiry_reminder', '2026-06-16T00:00:00.000Z'],
        ['expiry_reminder', '2026-07-09T00:00:00.000Z'],
        ['expired', '2026-07-16T00:00:00.000Z'],
      ]);
      const filed = sign(signed, 'u_visa_petition-1', 'filed', { filedOn: '2026-05-01' }, noon('2026-05-01'));
      expect(alarms(filed).some((a) => a.subject === 'u_certification_window')).toBe(false);
    });

    it('an unused window expires and a new certification opens', () => {
      const signed = sign(
        openAdult({ usesUVisa: true }),
        'u_visa_certification-1',
        'signed',
        { signedOn: '2026-01-15' },
        noon('2026-01-16'),
      );
      const expiry = alarms(signed).find((a) => a.subject === 'u_certification_window' && a.kind === 'expired')!;
      const after = fireAlarm(signed, expiry, expiry.at);
      expect(stepOf(after, 'u_visa_certification-1').status).toBe('expired');
      expect(stepOf(after, 'u_visa_petition-1').status).toBe('cancelled');
      expect(stepOf(after, 'u_visa_certification-2')).toMatchObject({ status: 'pending', openedAt: expiry.at });
      expect(pendingIds(after)).toContain('u_visa_certification-2');
    });

    it('refuses a signature whose window has already closed', () => {
      expect(
        refusal(
          openAdult({ usesUVisa: true }),
          'u_visa_certification-1',
          'signed',
          { signedOn: '2025-06-01' },
          noon('2026-01-16'),
        ),
      ).toMatchObject({
        code: 'date_order',
        field: 'details.signedOn',
      });
    });

    it('refuses a petition filed after the window, however late the case was entered: a new certification is needed', () => {
      // Identified 2026-01-05, entered on 6 Dec: the window closed on 2026-07-10, its lapse held while it is entered.
      const entered = noon('2026-12-06');
      let state: CaseState = { ...openAdult({ usesUVisa: true }), holdsPassedExpiries: true };
      state = sign(state, 'u_visa_certification-1', 'signed', { signedOn: '2026-01-10' }, entered);
      expect(stepOf(state, 'u_visa_petition-1').status).toBe('pending');
      expect(refusal(state, 'u_visa_petition-1', 'filed', { filedOn: '2026-08-01' }, entered)).toEqual({
        code: 'date_order',
        field: 'details.filedOn',
        message:
          'filedOn must be on or before 2026-07-10, the last day of the 6 months after law enforcement signed the ' +
          'certification: that certification has expired, and a new one must be asked for before the petition is filed',
      });
      // Its last day is still in time.
      const filed = sign(state, 'u_visa_petition-1', 'filed', { filedOn: '2026-07-10' }, entered);
      expect(stepOf(filed, 'u_visa_petition-1').status).toBe('completed');
    });

    it('a decline ends the track without a petition step', () => {
      const declined = sign(
        openAdult({ usesUVisa: true }),
        'u_visa_certification-1',
        'declined',
        { reason: 'no_helpfulness' },
        noon('2026-01-16'),
      );
      expect(stepOf(declined, 'u_visa_certification-1').status).toBe('declined');
      expect(declined.steps.some((s) => s.kind === 'u_visa_petition')).toBe(false);
    });
  });
});
