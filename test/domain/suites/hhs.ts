import { alarmDate, alarms, fireAlarm } from '../../../domain/alarms';
import { addDays, dateOf } from '../../../domain/dates';
import type { CaseState } from '../../../domain/case-state';
import {
  noon,
  openAdult,
  openMinor,
  OPENED_ON,
  pendingIds,
  RECORDING_POLICY,
  refusal,
  SEALED_NOTE_SAMPLE,
  sign,
  stepOf,
} from '../case-fixtures';

describe('hhs', () => {
  function notified(state: CaseState = openMinor()): CaseState {
    return sign(
      state,
      'hhs_minor_notification-1',
      'notified',
      { notifiedOn: '2026-01-05' },
      '2026-01-05T20:00:00.000Z',
    );
  }

  function withInterim(validUntil = '2026-04-09'): CaseState {
    return sign(
      notified(),
      'hhs_interim_letter-1',
      'issued',
      { issuedOn: '2026-01-09', validUntil },
      noon('2026-01-09'),
    );
  }

  const interimAlarms = (state: CaseState) => alarms(state).filter((a) => a.subject === 'interim_letter');

  describe('minor path', () => {
    it('opens the HHS notification due 24 hours after identification, with CP, declaration and T filing beside it', () => {
      const state = openMinor();
      expect(state.path).toBe('minor');
      expect(stepOf(state, 'identification-1')).toMatchObject({
        status: 'completed',
        outcome: 'identified',
        details: { path: 'minor' },
      });
      expect(stepOf(state, 'hhs_minor_notification-1')).toMatchObject({
        agencyKind: 'law_enforcement',
        dueAt: '2026-01-06T08:00:00.000Z',
      });
      expect(pendingIds(state)).toEqual([
        'hhs_minor_notification-1',
        'cp_request-1',
        'le_declaration-1',
        't_visa_filing-1',
      ]);
    });

    /** The alarms of a case on the weekly grid every case since the grid release follows. */
    const onGrid = (state: CaseState): CaseState => ({ ...state, birthdayRemindersOnGrid: true });
    const birthdayAlarms = (state: CaseState) => alarms(state).filter((a) => a.subject === 'minor_turns_18');
    const DAY_MS = 86_400_000;

    it('warns ahead of the 18th birthday on weeks counted from the notification, and stops once it is made', () => {
      const state = onGrid(openMinor('2026-09-01'));
      const opened = Date.parse(stepOf(state, 'hhs_minor_notification-1').openedAt);
      const birthday = birthdayAlarms(state);
      // Leads of 90, 30 and 7 days: each on the last week boundary strictly before its own date.
      expect(birthday.map((a) => a.at)).toEqual([
        '2026-06-01T08:00:00.000Z',
        '2026-07-27T08:00:00.000Z',
        '2026-08-24T08:00:00.000Z',
      ]);
      for (const [index, lead] of [90, 30, 7].entries()) {
        const alarm = birthday[index]!;
        const leadDate = Date.parse('2026-09-01T00:00:00.000Z') - lead * DAY_MS;
        expect((Date.parse(alarm.at) - opened) % (7 * DAY_MS)).toBe(0);
        expect(Date.parse(alarm.at)).toBeLessThan(leadDate);
        expect(Date.parse(alarm.at)).toBeGreaterThanOrEqual(leadDate - 7 * DAY_MS);
      }
      expect(birthday.every((a) => a.kind === 'expiry_reminder' && a.recipient === 'law_enforcement')).toBe(true);
      expect(birthdayAlarms(notified(state))).toEqual([]);
    });

    it('never times, names or dates a birthday reminder by the birthday or one of its leads, whatever the birthday', () => {
      const leads = [90, 30, 7];
      for (let offset = 2; offset <= 400; offset += 1) {
        const birthday = addDays(OPENED_ON, offset);
        const derived = new Set([birthday, ...leads.map((lead) => addDays(birthday, -lead))]);
        const state = onGrid(openMinor(birthday));
        // A lead already passed is raised when the case is entered, which every reader of the case sees anyway.
        const timedByBirthday = (at: string) => at !== state.openedAt && derived.has(dateOf(at));
        for (const alarm of birthdayAlarms(state)) {
          expect({ birthday, at: alarm.at, timedByBirthday: timedByBirthday(alarm.at) }).toEqual({
            birthday,
            at: alarm.at,
            timedByBirthday: false,
          });
          expect(alarm.id).toMatch(/^hhs_minor_notification-1:expiry_reminder:minor_turns_18:(week-\d+|on-entry)$/);
          expect(alarmDate(state, alarm)).toBeNull();
        }
      }
    });

    it('raises one birthday warning when the case is entered if the birthday is closer than every lead', () => {
      const state = openMinor('2026-01-10');
      expect(state.birthdayRemindersOnGrid).toBe(true);
      expect(birthdayAlarms(state).map((a) => [a.at, a.id])).toEqual([
        [state.openedAt, 'hhs_minor_notification-1:expiry_reminder:minor_turns_18:on-entry'],
      ]);
    });

    it('keeps the dated schedule for cases recorded before the grid, and lets them switch without repeating a warning', () => {
      const legacy = openMinor('2026-09-01', { policy: RECORDING_POLICY });
      expect(legacy.birthdayRemindersOnGrid).toBeUndefined();
      const dated = birthdayAlarms(legacy);
      expect(dated.map((a) => a.at)).toEqual([
        '2026-06-03T00:00:00.000Z',
        '2026-08-02T00:00:00.000Z',
        '2026-08-25T00:00:00.000Z',
      ]);
      expect(birthdayAlarms(openMinor('2026-01-10', { policy: RECORDING_POLICY })).map((a) => a.at)).toEqual([
        legacy.openedAt,
      ]);

      // The 90-day warning went out under its dated id; then the case moved to the grid.
      const fired = onGrid(fireAlarm(legacy, dated[0]!, dated[0]!.at));
      expect(birthdayAlarms(fired).map((a) => a.at)).toEqual(['2026-07-27T12:00:00.000Z', '2026-08-24T12:00:00.000Z']);
      expect(fired.passedAlarms).toBeUndefined();
    });

    it('end to end: notification, interim letter, one extension, eligibility letter', () => {
      let state = notified();
      expect(pendingIds(state)).toEqual([
        'cp_request-1',
        'le_declaration-1',
        't_visa_filing-1',
        'hhs_interim_letter-1',
        'hhs_eligibility_letter-1',
      ]);
      state = sign(
        state,
        'hhs_interim_letter-1',
        'issued',
        { issuedOn: '2026-01-09', validUntil: '2026-04-09' },
        noon('2026-01-09'),
      );
      expect(stepOf(state, 'hhs_interim_letter-1').expiresAt).toBe('2026-04-10T00:00:00.000Z');
      state = sign(state, 'hhs_interim_letter-1', 'extended', {}, noon('2026-04-01'));
      expect(stepOf(state, 'hhs_interim_letter-1')).toMatchObject({
        expiresAt: '2026-05-10T00:00:00.000Z',
        details: { validUntil: '2026-05-09', extensions: 1 },
      });
      state = sign(state, 'hhs_eligibility_letter-1', 'issued', { eligibilityDate: '2026-04-20' }, noon('2026-04-20'));
      expect(stepOf(state, 'hhs_eligibility_letter-1').status).toBe('completed');
      expect(interimAlarms(state)).toEqual([]);
      expect(state.steps.some((s) => s.kind === 'hhs_certification_request')).toBe(false);
    });

    it('allows the interim letter to be extended only once, and moves its expiry alarms when it is', () => {
      const issued = withInterim();
      const before = interimAlarms(issued);
      expect(before.map((a) => [a.kind, a.at, a.recipient])).toEqual([
        ['expiry_reminder', '2026-03-27T00:00:00.000Z', 'hhs'],
        ['expired', '2026-04-10T00:00:00.000Z', 'hhs'],
      ]);
      const extended = sign(
        issued,
        'hhs_interim_letter-1',
        'extended',
        { note: SEALED_NOTE_SAMPLE },
        noon('2026-04-01'),
      );
      const after = interimAlarms(extended);
      expect(after.map((a) => [a.kind, a.at])).toEqual([
        ['expiry_reminder', '2026-04-26T00:00:00.000Z'],
        ['expired', '2026-05-10T00:00:00.000Z'],
      ]);
      expect(after.some((a) => before.some((b) => b.id === a.id))).toBe(false);
      expect(refusal(extended, 'hhs_interim_letter-1', 'extended', {}, noon('2026-05-01'))).toMatchObject({
        code: 'extension_limit_reached',
      });
    });

    it('cannot extend an interim letter not yet issued, or lapsed', () => {
      expect(refusal(notified(), 'hhs_interim_letter-1', 'extended', {}, noon('2026-01-09'))).toMatchObject({
        code: 'outcome_not_applicable',
      });
      const issued = withInterim();
      const lapse = interimAlarms(issued).find((a) => a.kind === 'expired')!;
      const lapsed = fireAlarm(issued, lapse, lapse.at);
      expect(stepOf(lapsed, 'hhs_interim_letter-1').status).toBe('expired');
      expect(refusal(lapsed, 'hhs_interim_letter-1', 'extended', {}, noon('2026-04-11'))).toMatchObject({
        code: 'outcome_not_applicable',
      });
    });

    it('refuses to extend an interim letter after its last day, however late the case was entered', () => {
      // Identified 1 Jun, entered on 6 Dec: the letter of 5 Jun ended on 2 Sep, its lapse held while it is entered.
      const entered = noon('2026-12-06');
      let state: CaseState = {
        ...openMinor('2027-09-01', { identifiedAt: '2026-06-01T08:00:00.000Z' }),
        holdsPassedExpiries: true,
      };
      state = sign(state, 'hhs_minor_notification-1', 'notified', { notifiedOn: '2026-06-01' }, entered);
      state = sign(
        state,
        'hhs_interim_letter-1',
        'issued',
        { issuedOn: '2026-06-05', validUntil: '2026-09-02' },
        entered,
      );
      expect(stepOf(state, 'hhs_interim_letter-1').status).toBe('completed');
      expect(refusal(state, 'hhs_interim_letter-1', 'extended', {}, entered)).toEqual({
        code: 'date_order',
        field: 'outcome',
        message:
          'the interim letter ended on 2026-09-02: a letter can be extended only while it is valid, on or before its last day',
      });
      // On its last day it still can be.
      expect(refusal(state, 'hhs_interim_letter-1', 'extended', {}, noon('2026-09-02'))).toBeNull();
    });

    it('limits an interim letter to 90 days from issue', () => {
      expect(
        refusal(
          notified(),
          'hhs_interim_letter-1',
          'issued',
          { issuedOn: '2026-01-09', validUntil: '2026-04-10' },
          noon('2026-01-09'),
        ),
      ).toMatchObject({
        code: 'date_out_of_range',
        field: 'details.validUntil',
      });
    });

    it('an eligibility letter issued first makes the interim letter moot', () => {
      const state = sign(
        notified(),
        'hhs_eligibility_letter-1',
        'issued',
        { eligibilityDate: '2026-01-20' },
        noon('2026-01-20'),
      );
      expect(stepOf(state, 'hhs_interim_letter-1').status).toBe('cancelled');
    });
  });

  describe('adult HHS certification', () => {
    it('opens nothing at first: an adult needs CP, a bona fide T visa or T status', () => {
      expect(openAdult().steps.some((s) => s.kind === 'hhs_certification_request')).toBe(false);
      expect(openAdult().steps.some((s) => s.kind === 'hhs_minor_notification')).toBe(false);
    });

    it('a T-visa receipt does not unlock it; a bona fide determination does', () => {
      let state = sign(openAdult(), 't_visa_filing-1', 'filed', { filedOn: '2026-02-01' }, noon('2026-02-01'));
      state = sign(state, 't_visa_receipt-1', 'received', { receivedOn: '2026-02-20' }, noon('2026-02-21'));
      expect(state.steps.some((s) => s.kind === 'hhs_certification_request')).toBe(false);
      state = sign(state, 't_visa_bona_fide-1', 'bona_fide', { determinedOn: '2026-06-01' }, noon('2026-06-02'));
      expect(stepOf(state, 'hhs_certification_request-1')).toMatchObject({
        status: 'pending',
        agencyKind: 'advocate',
        details: { unlockedBy: 't_visa_bona_fide' },
      });
    });

    it('a CP grant unlocks it, and only one request ever opens', () => {
      let state = sign(openAdult(), 'cp_request-1', 'requested', { requestedOn: '2026-01-06' }, noon('2026-01-06'));
      state = sign(state, 'cp_decision-1', 'granted', { validUntil: '2028-01-20' }, noon('2026-01-20'));
      expect(stepOf(state, 'hhs_certification_request-1').details).toEqual({ unlockedBy: 'cp_granted' });
      state = sign(state, 't_visa_filing-1', 'filed', { filedOn: '2026-02-01' }, noon('2026-02-01'));
      state = sign(state, 't_visa_receipt-1', 'received', { receivedOn: '2026-02-20' }, noon('2026-02-21'));
      state = sign(state, 't_visa_bona_fide-1', 'bona_fide', { determinedOn: '2026-06-01' }, noon('2026-06-02'));
      expect(state.steps.filter((s) => s.kind === 'hhs_certification_request')).toHaveLength(1);
    });

    it('a T-visa approval unlocks it even without a bona fide finding', () => {
      let state = sign(openAdult(), 't_visa_filing-1', 'filed', { filedOn: '2026-02-01' }, noon('2026-02-01'));
      state = sign(state, 't_visa_receipt-1', 'received', { receivedOn: '2026-02-20' }, noon('2026-02-21'));
      state = sign(state, 't_visa_bona_fide-1', 'not_bona_fide', { determinedOn: '2026-06-01' }, noon('2026-06-02'));
      expect(state.steps.some((s) => s.kind === 'hhs_certification_request')).toBe(false);
      state = sign(
        state,
        't_visa_decision-1',
        'approved',
        { approvedOn: '2027-01-10', validUntil: '2031-01-09', adjustmentEligibleFrom: '2030-01-10' },
        noon('2027-01-11'),
      );
      expect(stepOf(state, 'hhs_certification_request-1').details).toEqual({ unlockedBy: 't_visa_approved' });
    });

    it('end to end: request, letter, benefit window in the details, reminder before it ends', () => {
      let state = sign(openAdult(), 'cp_request-1', 'requested', { requestedOn: '2026-01-06' }, noon('2026-01-06'));
      state = sign(state, 'cp_decision-1', 'granted', { validUntil: '2028-01-20' }, noon('2026-01-20'));
      state = sign(
        state,
        'hhs_certification_request-1',
        'requested',
        { requestedOn: '2026-01-22' },
        noon('2026-01-22'),
      );
      expect(stepOf(state, 'hhs_certification_letter-1')).toMatchObject({
        agencyKind: 'hhs',
        dueAt: '2026-02-21T12:00:00.000Z',
      });
      state = sign(
        state,
        'hhs_certification_letter-1',
        'certified',
        { eligibilityDate: '2026-02-10' },
        noon('2026-02-12'),
      );
      expect(stepOf(state, 'hhs_certification_letter-1').details).toMatchObject({
        eligibilityDate: '2026-02-10',
        benefitMonths: 4,
        benefitEndsOn: '2026-06-09',
      });
      expect(stepOf(state, 'hhs_certification_letter-1').details['benefitSource']).toMatch(/90 FR 13370/);
      expect(alarms(state).filter((a) => a.subject === 'benefit_window')).toEqual([
        expect.objectContaining({
          kind: 'expiry_reminder',
          at: '2026-05-11T00:00:00.000Z',
          recipient: 'advocate',
          stepId: 'hhs_certification_letter-1',
        }),
      ]); // The reminder names the day the benefits end (the letter has no expiry), not its own date.
      const [reminder] = alarms(state).filter((a) => a.subject === 'benefit_window');
      expect(alarmDate(state, reminder!)).toBe('2026-06-10T00:00:00.000Z');
    });

    it('refuses an eligibility date before the letter was asked for, as every event date is; not on older cases', () => {
      const requested = (state: CaseState) => {
        let next = sign(state, 'cp_request-1', 'requested', { requestedOn: '2026-01-06' }, noon('2026-01-06'));
        next = sign(next, 'cp_decision-1', 'granted', { validUntil: '2028-01-20' }, noon('2026-01-20'));
        return sign(
          next,
          'hhs_certification_request-1',
          'requested',
          { requestedOn: '2026-01-22' },
          noon('2026-01-22'),
        );
      };
      const state = requested(openAdult());
      // Years before the case: a benefit window of 2010 would have ended long ago.
      expect(
        refusal(
          state,
          'hhs_certification_letter-1',
          'certified',
          { eligibilityDate: '2010-01-01' },
          noon('2026-02-12'),
        ),
      ).toEqual({
        code: 'date_order',
        field: 'details.eligibilityDate',
        message: 'eligibilityDate (2010-01-01) is before hhs_certification_letter-1 opened (2026-01-22)',
      });
      expect(
        refusal(
          state,
          'hhs_certification_letter-1',
          'certified',
          { eligibilityDate: '2026-01-21' },
          noon('2026-02-12'),
        ),
      ).toMatchObject({ code: 'date_order', field: 'details.eligibilityDate' });
      expect(
        refusal(
          state,
          'hhs_certification_letter-1',
          'certified',
          { eligibilityDate: '2026-01-22' },
          noon('2026-02-12'),
        ),
      ).toBeNull();
      // A minor's eligibility letter, opened by the notification of 5 Jan.
      expect(
        refusal(
          notified(),
          'hhs_eligibility_letter-1',
          'issued',
          { eligibilityDate: '2026-01-04' },
          noon('2026-01-20'),
        ),
      ).toMatchObject({ code: 'date_order', field: 'details.eligibilityDate' });
      // Cases whose steps count from when they were recorded hold it to the TVPA only, as their event dates.
      const legacy = requested(openAdult({ policy: RECORDING_POLICY }));
      expect(
        refusal(
          legacy,
          'hhs_certification_letter-1',
          'certified',
          { eligibilityDate: '2021-01-01' },
          noon('2026-02-12'),
        ),
      ).toBeNull();
    });

    it('refuses a certification letter whose eligibility date is in the future', () => {
      let state = sign(openAdult(), 'cp_request-1', 'requested', { requestedOn: '2026-01-06' }, noon('2026-01-06'));
      state = sign(state, 'cp_decision-1', 'granted', { validUntil: '2028-01-20' }, noon('2026-01-20'));
      state = sign(
        state,
        'hhs_certification_request-1',
        'requested',
        { requestedOn: '2026-01-22' },
        noon('2026-01-22'),
      );
      expect(
        refusal(
          state,
          'hhs_certification_letter-1',
          'certified',
          { eligibilityDate: '2026-03-01' },
          noon('2026-02-12'),
        ),
      ).toMatchObject({
        code: 'date_order',
        field: 'details.eligibilityDate',
      });
    });
  });
});
