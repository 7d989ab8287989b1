import { alarms, fireAlarm } from '../../../domain/alarms';
import { askAgainRefusal } from '../../../domain/ask-again';
import type { CaseState } from '../../../domain/case-state';
import {
  certificationAlarms,
  certificationWithdrawal,
  correct,
  noon,
  OPENED_ON,
  openAdult,
  openMinor,
  pendingIds,
  refusal,
  runAlarmsUntil,
  sign,
  stepOf,
} from '../case-fixtures';

describe('continued-presence', () => {
  function granted(validUntil = '2028-01-20', base: CaseState = openAdult()): CaseState {
    const requested = sign(base, 'cp_request-1', 'requested', { requestedOn: '2026-01-06' }, noon('2026-01-06'));
    return sign(requested, 'cp_decision-1', 'granted', { validUntil }, noon('2026-01-20'));
  }

  const cpAlarms = (state: CaseState) => alarms(state).filter((alarm) => alarm.subject === 'cp_validity');

  describe('Continued Presence', () => {
    it('request opens an ICE decision; a grant records its expiry and opens the renewal request due then', () => {
      const state = granted();
      expect(stepOf(state, 'cp_decision-1')).toMatchObject({
        status: 'completed',
        outcome: 'granted',
        agencyKind: 'ice',
        agencyId: 'agency-ice',
      });
      expect(stepOf(state, 'cp_decision-1').expiresAt).toBe('2028-01-21T00:00:00.000Z');
      expect(stepOf(state, 'cp_renewal_request-1')).toMatchObject({
        status: 'pending',
        agencyKind: 'law_enforcement',
        dueAt: '2028-01-21T00:00:00.000Z',
      });
    });

    it('a grant raises the renewal reminder 120 days before expiry, to law enforcement, and the expiry itself', () => {
      const state = granted();
      expect(cpAlarms(state).map((a) => [a.kind, a.at, a.recipient])).toEqual([
        ['expiry_reminder', '2027-09-23T00:00:00.000Z', 'law_enforcement'],
        ['expiry_reminder', '2027-11-22T00:00:00.000Z', 'law_enforcement'],
        ['expiry_reminder', '2027-12-22T00:00:00.000Z', 'law_enforcement'],
        ['expired', '2028-01-21T00:00:00.000Z', 'law_enforcement'],
      ]);
    });

    it('a renewal moves the expiry: the old alarms disappear and new ones with new ids appear', () => {
      const before = granted();
      const requested = sign(
        before,
        'cp_renewal_request-1',
        'requested',
        { requestedOn: '2027-09-01' },
        noon('2027-09-01'),
      );
      expect(cpAlarms(requested).map((a) => a.kind)).toEqual(['expired']); // no more "please renew" once requested
      const renewed = sign(
        requested,
        'cp_renewal_decision-1',
        'renewed',
        { validUntil: '2030-01-20' },
        noon('2027-10-01'),
      );
      const oldIds = new Set(cpAlarms(before).map((a) => a.id));
      const now = cpAlarms(renewed);
      expect(now.at(-1)).toMatchObject({
        kind: 'expired',
        at: '2030-01-21T00:00:00.000Z',
        stepId: 'cp_renewal_decision-1',
      });
      expect(now.some((a) => oldIds.has(a.id))).toBe(false);
      expect(stepOf(renewed, 'cp_renewal_request-2')).toMatchObject({
        status: 'pending',
        dueAt: '2030-01-21T00:00:00.000Z',
      });
    });

    it('expires when validUntil passes with no renewal: grant expired, renewal request cancelled', () => {
      const state = granted();
      const expired = cpAlarms(state).find((a) => a.kind === 'expired')!;
      const after = fireAlarm(state, expired, expired.at);
      expect(stepOf(after, 'cp_decision-1').status).toBe('expired');
      expect(stepOf(after, 'cp_renewal_request-1').status).toBe('cancelled');
      expect(cpAlarms(after)).toEqual([]);
      expect(after.timeline.at(-2)?.summary).toBe('Continued Presence expired');
    });

    it('a denial opens nothing further and unlocks no certification', () => {
      const requested = sign(
        openAdult(),
        'cp_request-1',
        'requested',
        { requestedOn: '2026-01-06' },
        noon('2026-01-06'),
      );
      const denied = sign(
        requested,
        'cp_decision-1',
        'denied',
        { reason: 'not_potential_witness' },
        noon('2026-01-20'),
      );
      expect(stepOf(denied, 'cp_decision-1')).toMatchObject({
        status: 'completed',
        outcome: 'denied',
        details: { reason: 'not_potential_witness' },
      });
      expect(pendingIds(denied)).toEqual(['le_declaration-1', 't_visa_filing-1']);
    });

    it('rejects a grant longer than the policy allows, a renewal that ends earlier, and a validUntil already past', () => {
      const requested = sign(
        openAdult(),
        'cp_request-1',
        'requested',
        { requestedOn: '2026-01-06' },
        noon('2026-01-06'),
      );
      expect(
        refusal(requested, 'cp_decision-1', 'granted', { validUntil: '2028-02-01' }, noon('2026-01-20')),
      ).toMatchObject({
        code: 'date_out_of_range',
        field: 'details.validUntil',
      });
      expect(
        refusal(requested, 'cp_decision-1', 'granted', { validUntil: '2026-01-19' }, noon('2026-01-20')),
      ).toMatchObject({
        code: 'date_order',
        field: 'details.validUntil',
      });
      const renewing = sign(
        granted(),
        'cp_renewal_request-1',
        'requested',
        { requestedOn: '2027-09-01' },
        noon('2027-09-01'),
      );
      expect(
        refusal(renewing, 'cp_renewal_decision-1', 'renewed', { validUntil: '2027-12-31' }, noon('2027-10-01')),
      ).toMatchObject({
        code: 'date_order',
        field: 'details.validUntil',
      });
      expect(
        refusal(renewing, 'cp_renewal_decision-1', 'renewed', { validUntil: '2030-02-01' }, noon('2027-10-01')),
      ).toMatchObject({
        code: 'date_out_of_range',
      });
    });

    it('is available on the minor path too, without a deadline', () => {
      const minor = openMinor();
      expect(stepOf(minor, 'cp_request-1')).toMatchObject({ status: 'pending', dueAt: null });
      expect(stepOf(openAdult(), 'cp_request-1').dueAt).toBe('2026-01-19T08:00:00.000Z');
      const requested = sign(minor, 'cp_request-1', 'requested', { requestedOn: '2026-01-06' }, noon('2026-01-06'));
      const grantedMinor = sign(
        requested,
        'cp_decision-1',
        'granted',
        { validUntil: '2028-01-20' },
        noon('2026-01-20'),
      );
      expect(grantedMinor.steps.some((s) => s.kind === 'hhs_certification_request')).toBe(false);
    });

    describe('a grant recorded with every renewal lead already behind it', () => {
      const lateLeads = (state: CaseState): CaseState => ({ ...state, lateLeadsRaised: true });
      /** A grant recorded on `recordedOn`; with `grantedOn`, of a case identified a year before it was entered. */
      const grantedLate = (validUntil: string, recordedOn: string, grantedOn?: string) => {
        const since = grantedOn ? '2025-01-02' : '2026-01-06';
        const opened = lateLeads(openAdult(grantedOn ? { identifiedAt: `${since}T08:00:00.000Z` } : {}));
        const requested = sign(opened, 'cp_request-1', 'requested', { requestedOn: since }, noon(recordedOn));
        return sign(
          requested,
          'cp_decision-1',
          'granted',
          { validUntil, ...(grantedOn ? { grantedOn } : {}) },
          noon(recordedOn),
        );
      };

      it('raises one renewal reminder to law enforcement as it is recorded, then the expiry', () => {
        const state = grantedLate('2026-02-10', '2026-01-20');
        expect(cpAlarms(state).map((a) => [a.kind, a.at, a.recipient])).toEqual([
          ['expiry_reminder', noon('2026-01-20'), 'law_enforcement'],
          ['expired', '2026-02-11T00:00:00.000Z', 'law_enforcement'],
        ]);
        const fired = fireAlarm(state, cpAlarms(state)[0]!, noon('2026-01-20'));
        expect(cpAlarms(fired).map((a) => a.kind)).toEqual(['expired']);
      });

      it('raises it, not lists it as passed, when a grant of long ago is entered late', () => {
        const state = grantedLate('2026-02-10', '2026-01-20', '2025-02-11');
        expect(cpAlarms(state)[0]).toMatchObject({ kind: 'expiry_reminder', at: noon('2026-01-20') });
        // The leads that fell between the grant and its recording are told to the coordinator as passed.
        expect((state.passedAlarms ?? []).filter((a) => a.about === 'cp_validity').map((a) => a.kind)).toEqual([
          'expiry_reminder',
          'expiry_reminder',
          'expiry_reminder',
        ]);
      });

      it('adds nothing while a lead is still to come, or once the grant already ended', () => {
        expect(cpAlarms(grantedLate('2026-03-01', '2026-01-20')).map((a) => a.at)).toEqual([
          '2026-01-31T00:00:00.000Z',
          '2026-03-02T00:00:00.000Z',
        ]);
        expect(cpAlarms(grantedLate('2026-01-10', '2026-01-20', '2025-01-10')).map((a) => a.kind)).toEqual([]);
      });

      it('announces, as it is corrected, an end corrected to one within every lead', () => {
        const long = grantedLate('2027-12-01', '2026-01-20');
        const shortened = correct(long, 'cp_decision-1', 'granted', { validUntil: '2026-02-10' }, noon('2026-01-21'));
        expect(cpAlarms(shortened).map((a) => [a.kind, a.at])).toEqual([
          ['expiry_reminder', noon('2026-01-21')],
          ['expired', '2026-02-11T00:00:00.000Z'],
        ]);
        expect(shortened.passedAlarms ?? []).toEqual([]);
      });

      it('announces a corrected end that is again within every lead', () => {
        const state = grantedLate('2026-02-10', '2026-01-20');
        const fired = fireAlarm(state, cpAlarms(state)[0]!, noon('2026-01-20'));
        const corrected = correct(fired, 'cp_decision-1', 'granted', { validUntil: '2026-02-15' }, noon('2026-01-21'));
        expect(cpAlarms(corrected).map((a) => [a.kind, a.at])).toEqual([
          ['expiry_reminder', noon('2026-01-21')],
          ['expired', '2026-02-16T00:00:00.000Z'],
        ]);
      });

      it('is dropped, as before, by cases recorded before the rule', () => {
        const state = grantedLate('2026-02-10', '2026-01-20');
        expect(cpAlarms({ ...state, lateLeadsRaised: undefined }).map((a) => a.kind)).toEqual(['expired']);
      });
    });
  });

  describe('a lapse and the certification request the grant opened', () => {
    const withdrawing = (state: CaseState): CaseState => ({
      ...state,
      deniedVisaWithdrawsCertification: true,
      lapsedCpWithdrawsCertification: true,
    });
    const lapse = (state: CaseState) => {
      const end = cpAlarms(state).find((alarm) => alarm.kind === 'expired')!;
      return fireAlarm(state, end, end.at);
    };
    const bonaFide = (state: CaseState) => {
      let next = sign(state, 't_visa_filing-1', 'filed', { filedOn: '2026-02-01' }, noon('2026-02-01'));
      next = sign(next, 't_visa_receipt-1', 'received', { receivedOn: '2026-02-20' }, noon('2026-02-21'));
      return sign(next, 't_visa_bona_fide-1', 'bona_fide', { determinedOn: '2026-06-01' }, noon('2026-06-02'));
    };

    it('withdraws it, with the reason in the timeline, when no other ground holds', () => {
      const state = granted('2028-01-20', withdrawing(openAdult()));
      expect(certificationAlarms(state).length).toBeGreaterThan(0);
      const lapsed = lapse(state);
      expect(stepOf(lapsed, 'hhs_certification_request-1').completedAt).toBe('2028-01-21T00:00:00.000Z');
      expect(lapsed.timeline.at(-1)).toMatchObject(certificationWithdrawal('Continued Presence lapsed'));
      expect(certificationAlarms(lapsed)).toEqual([]);
    });

    it('keeps it while a bona fide T-visa application, not denied, still qualifies', () => {
      const withBonaFide = lapse(bonaFide(granted('2028-01-20', withdrawing(openAdult()))));
      expect(stepOf(withBonaFide, 'cp_decision-1').status).toBe('expired');
      expect(stepOf(withBonaFide, 'hhs_certification_request-1').status).toBe('pending');
      // The same lapse on the same case without the application: CP was the only ground.
      const alone = lapse(granted('2028-01-20', withdrawing(openAdult())));
      expect(stepOf(alone, 'hhs_certification_request-1').status).toBe('cancelled');
    });

    it('keeps it when CP is renewed in time, and on cases from before the rule', () => {
      let renewed = granted('2028-01-20', withdrawing(openAdult()));
      renewed = sign(renewed, 'cp_renewal_request-1', 'requested', { requestedOn: '2027-09-01' }, noon('2027-09-01'));
      renewed = sign(renewed, 'cp_renewal_decision-1', 'renewed', { validUntil: '2030-01-20' }, noon('2027-10-01'));
      const pastFirstEnd = runAlarmsUntil(renewed, noon('2029-01-01'));
      expect(stepOf(pastFirstEnd, 'hhs_certification_request-1').status).toBe('pending');
      // The renewal's own end, with no renewal after it, is a lapse.
      const pastRenewal = runAlarmsUntil(pastFirstEnd, noon('2030-02-01'));
      expect(stepOf(pastRenewal, 'cp_renewal_decision-1').status).toBe('expired');
      expect(stepOf(pastRenewal, 'hhs_certification_request-1').status).toBe('cancelled');
      const legacy = lapse(granted());
      expect(stepOf(legacy, 'hhs_certification_request-1').status).toBe('pending');
      expect(certificationAlarms(legacy).length).toBeGreaterThan(0);
    });

    it('may be asked again once a ground holds', () => {
      const lapsed = lapse(granted('2028-01-20', withdrawing(openAdult())));
      const facts = (steps: CaseState['steps']) => ({ path: lapsed.path, usesUVisa: false, steps });
      expect(askAgainRefusal(facts(lapsed.steps), 'hhs_certification_request')?.message).toMatch(
        /none of the events that qualify for it holds now/,
      );
      const found = { ...stepOf(bonaFide(openAdult()), 't_visa_bona_fide-1') };
      expect(askAgainRefusal(facts([...lapsed.steps, found]), 'hhs_certification_request')).toBeNull();
    });

    it('a renewal ICE grants after the lapse opens a new request: the lapse ended that ground, not the eligibility', () => {
      let state = granted('2028-01-20', withdrawing(openAdult()));
      state = sign(state, 'cp_renewal_request-1', 'requested', { requestedOn: '2027-12-01' }, noon('2027-12-01'));
      const lapsed = lapse(state);
      expect(stepOf(lapsed, 'hhs_certification_request-1').status).toBe('cancelled');
      const renewed = sign(
        lapsed,
        'cp_renewal_decision-1',
        'renewed',
        { validUntil: '2030-01-31' },
        noon('2028-02-01'),
      );
      expect(stepOf(renewed, 'hhs_certification_request-2')).toMatchObject({
        status: 'pending',
        agencyKind: 'advocate',
        details: { unlockedBy: 'cp_granted' },
      });
    });
  });

  describe('Continued Presence on a case that reads dates as written', () => {
    const asWritten = (state: CaseState): CaseState => ({ ...state, datesAsWritten: true });

    it('expires once its last day has ended everywhere in the US: the renewal requested that afternoon in Honolulu is taken', () => {
      // Valid until 20 Jan 2028: its last day ends at 10:00 UTC on the 21st in Honolulu (UTC-10), 11:00 in Samoa.
      const state = asWritten(granted('2028-01-20'));
      const expired = cpAlarms(state).find((a) => a.kind === 'expired')!;
      expect(expired.at).toBe('2028-01-21T12:00:00.000Z');
      // 15:00 on the 20th in Honolulu.
      const renewed = sign(
        state,
        'cp_renewal_request-1',
        'requested',
        { requestedOn: '2028-01-20' },
        '2028-01-21T01:00:00.000Z',
      );
      expect(stepOf(renewed, 'cp_renewal_request-1').status).toBe('completed');
      // Its end is still the day written wherever it is read, and before the change the alarm fired at the UTC midnight.
      expect(stepOf(state, 'cp_decision-1').expiresAt).toBe('2028-01-21T00:00:00.000Z');
      expect(cpAlarms(granted('2028-01-20')).find((a) => a.kind === 'expired')?.at).toBe('2028-01-21T00:00:00.000Z');
    });
  });

  describe('the longest a grant or an interim letter runs, on a case that reads dates as written', () => {
    it('"2 years" from the grant ends the day before its second anniversary; a letter stating the anniversary is taken', () => {
      const requested = sign(
        { ...openAdult(), datesAsWritten: true },
        'cp_request-1',
        'requested',
        { requestedOn: '2026-01-06' },
        noon('2026-01-06'),
      );
      const byDefault = sign(requested, 'cp_decision-1', 'granted', { grantedOn: '2026-01-10' }, noon('2026-01-20'));
      expect(stepOf(byDefault, 'cp_decision-1').details).toMatchObject({ validUntil: '2028-01-09' });
      const stated = sign(
        requested,
        'cp_decision-1',
        'granted',
        { grantedOn: '2026-01-10', validUntil: '2028-01-10' },
        noon('2026-01-20'),
      );
      expect(stepOf(stated, 'cp_decision-1').details).toMatchObject({ validUntil: '2028-01-10' });
    });

    it('"valid 90 days" from its issue day ends on the 90th day, that day counted', () => {
      let minor = sign(
        { ...openMinor(), datesAsWritten: true },
        'hhs_minor_notification-1',
        'notified',
        { notifiedOn: OPENED_ON },
        noon(OPENED_ON),
      );
      minor = sign(minor, 'hhs_interim_letter-1', 'issued', { issuedOn: '2026-01-06' }, noon('2026-01-06'));
      expect(stepOf(minor, 'hhs_interim_letter-1').details).toMatchObject({ validUntil: '2026-04-05' });
    });
  });
});
