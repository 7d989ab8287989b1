/**
 * Asking again (domain/ask-again.ts): after CP was denied or lapsed, a certification denied, a U certification or a
 * declaration declined, the coordinator or the agency owning the request opens a fresh one, with its policy deadline;
 * anything still pending or in force, or a case that cannot use it, is refused by name.
 */
import { alarms, fireAlarm } from '../../../domain/alarms';
import { applyAskAgain, askAgainRefusal, validateAskAgain, type AskAgainKind } from '../../../domain/ask-again';
import { closeCase } from '../../../domain/case';
import type { CaseState, Rejection } from '../../../domain/case-state';
import type { Actor } from '../../../domain/types';
import { actorOf, correct, noon, openAdult, openMinor, sign, stepOf } from '../case-fixtures';

describe('ask-again', () => {
  const ASKED_AT = noon('2026-09-01');

  function askAgain(
    state: CaseState,
    stepKind: AskAgainKind,
    actor: Actor = actorOf('coordinator'),
    askedOn?: string,
  ): CaseState {
    const command = { stepKind, actor, ...(askedOn ? { askedOn } : {}) };
    const rejection = validateAskAgain(state, command, ASKED_AT);
    if (rejection) throw new Error(`unexpected rejection ${JSON.stringify(rejection)}`);
    return applyAskAgain(state, command, ASKED_AT);
  }

  /** The timeline's word on it (the fixture's own reminders, never fired here, are settled after it as passed). */
  const askedAgainEntry = (state: CaseState) =>
    state.timeline.filter((entry) => entry.type === 'step.asked_again').at(-1);

  const refusalOf = (state: CaseState, stepKind: string, actor: Actor = actorOf('coordinator')): Rejection | null =>
    validateAskAgain(state, { stepKind: stepKind as AskAgainKind, actor }, ASKED_AT);

  /** The case closed by its coordinator: nothing more is asked on it. */
  const closed = (state: CaseState) =>
    closeCase(state, { status: 'closed', reason: 'relief_obtained' }, actorOf('coordinator'), ASKED_AT);

  const requested = () =>
    sign(openAdult(), 'cp_request-1', 'requested', { requestedOn: '2026-01-06' }, noon('2026-01-06'));
  const cpDenied = () =>
    sign(requested(), 'cp_decision-1', 'denied', { reason: 'not_potential_witness' }, noon('2026-01-20'));
  const cpGranted = (validUntil = '2026-06-30') =>
    sign(requested(), 'cp_decision-1', 'granted', { grantedOn: '2026-01-20', validUntil }, noon('2026-01-20'));

  /** The grant's expiry alarm fired: CP lapsed and the renewal request still to make was cancelled. */
  function lapsed(state: CaseState): CaseState {
    const expiry = alarms(state).find((alarm) => alarm.kind === 'expired' && alarm.subject === 'cp_validity')!;
    return fireAlarm(state, expiry, expiry.at);
  }

  describe('asking again for Continued Presence', () => {
    it('after a denial: the coordinator opens cp_request-2 for the police, due by the policy, and the timeline says so', () => {
      const state = askAgain(cpDenied(), 'cp_request');
      expect(stepOf(state, 'cp_request-2')).toMatchObject({
        status: 'pending',
        agencyKind: 'law_enforcement',
        agencyId: 'agency-le',
        openedAt: ASKED_AT,
        dueAt: noon('2026-09-15'),
      });
      expect(askedAgainEntry(state)).toMatchObject({
        type: 'step.asked_again',
        stepId: 'cp_request-2',
        actorAgencyId: 'agency-coord',
        summary: 'cp_request-2 asked again by coordinator after cp_decision-1 denied',
      });
      expect(state.version).toBe(cpDenied().version + 1);
      // The new request runs its track as the first did: requested, it opens a decision for ICE.
      const again = sign(state, 'cp_request-2', 'requested', { requestedOn: '2026-09-02' }, noon('2026-09-02'));
      expect(stepOf(again, 'cp_decision-2')).toMatchObject({ status: 'pending', agencyKind: 'ice' });
    });

    it('after a lapse: the police ask again, though the cancelled renewal request stays cancelled', () => {
      const state = askAgain(lapsed(cpGranted()), 'cp_request', actorOf('law_enforcement'));
      expect(stepOf(state, 'cp_decision-1').status).toBe('expired');
      expect(stepOf(state, 'cp_renewal_request-1').status).toBe('cancelled');
      expect(stepOf(state, 'cp_request-2')).toMatchObject({ status: 'pending', dueAt: noon('2026-09-15') });
      expect(askedAgainEntry(state)?.summary).toBe(
        'cp_request-2 asked again by law_enforcement after cp_decision-1 expired',
      );
      // Its reminders are the policy's, like any opened step's.
      expect(alarms(state).some((alarm) => alarm.stepId === 'cp_request-2' && alarm.kind === 'due')).toBe(true);
    });

    it('after a renewal was denied: the police ask again at once, while the grant still runs, and once it lapsed', () => {
      let state = cpGranted();
      state = sign(state, 'cp_renewal_request-1', 'requested', { requestedOn: '2026-05-01' }, noon('2026-05-01'));
      state = sign(state, 'cp_renewal_decision-1', 'denied', { reason: 'not_potential_witness' }, noon('2026-05-20'));
      expect(stepOf(state, 'cp_decision-1').status).toBe('completed');
      const asked = askAgain(state, 'cp_request', actorOf('law_enforcement'));
      expect(stepOf(asked, 'cp_request-2')).toMatchObject({ status: 'pending', agencyKind: 'law_enforcement' });
      expect(stepOf(askAgain(lapsed(state), 'cp_request'), 'cp_request-2').status).toBe('pending');
      // Granted again, the new grant is in force and its own renewal is what to ask for, not another request.
      let again = sign(asked, 'cp_request-2', 'requested', { requestedOn: '2026-09-02' }, noon('2026-09-02'));
      again = sign(again, 'cp_decision-2', 'granted', { grantedOn: '2026-09-10' }, noon('2026-09-10'));
      expect(refusalOf(again, 'cp_request')?.message).toContain(
        'the Continued Presence renewal request is still pending',
      );
    });

    it('is refused while a request or decision is pending, or a grant is in force', () => {
      expect(refusalOf(openAdult(), 'cp_request')).toMatchObject({
        code: 'nothing_to_ask_again',
        message:
          'the Continued Presence request cannot be asked again: the Continued Presence request is still pending',
      });
      expect(refusalOf(requested(), 'cp_request')?.message).toContain('Continued Presence decision is still pending');
      expect(refusalOf(cpGranted(), 'cp_request')?.message).toContain(
        'the Continued Presence renewal request is still pending',
      );
      // Asked again already (by someone else, a moment before): said so, not as if nothing had been asked.
      expect(refusalOf(askAgain(cpDenied(), 'cp_request'), 'cp_request')).toMatchObject({
        code: 'nothing_to_ask_again',
        message: 'the Continued Presence request cannot be asked again: it was asked again already and is pending',
      });
      // A grant in force whose renewal can still be asked for: that is what to do.
      const renewable = cpGranted().steps.filter((step) => step.kind !== 'cp_renewal_request');
      expect(askAgainRefusal({ path: 'adult', usesUVisa: false, steps: renewable }, 'cp_request')?.message).toBe(
        'the Continued Presence request cannot be asked again: Continued Presence is still in force; ask for its renewal before it lapses',
      );
    });

    it('only the coordinator or the police of the case may ask; not another agency, nor a closed case', () => {
      expect(refusalOf(cpDenied(), 'cp_request', actorOf('ice'))).toMatchObject({
        code: 'wrong_agency_kind',
        message:
          'asking again for the Continued Presence request is for law enforcement or the coordinator, ' +
          'not ICE Center for Countering Human Trafficking',
      });
      expect(refusalOf(cpDenied(), 'cp_request', actorOf('advocate'))).toMatchObject({ code: 'wrong_agency_kind' });
      expect(refusalOf(cpDenied(), 'cp_request', actorOf('law_enforcement', 'other-police'))).toMatchObject({
        code: 'wrong_agency',
      });
      const supervisor = { ...actorOf('coordinator'), roles: ['supervisor' as const] };
      expect(refusalOf(cpDenied(), 'cp_request', supervisor)).toMatchObject({ code: 'role_not_permitted' });
      expect(refusalOf(closed(cpDenied()), 'cp_request')).toMatchObject({ code: 'case_not_open' });
      expect(refusalOf(cpDenied(), 't_visa_filing')).toMatchObject({ code: 'invalid_details', field: 'stepKind' });
    });
  });

  describe('asking again for an HHS certification', () => {
    const certificationDenied = () => {
      const state = sign(
        cpGranted('2027-12-31'),
        'hhs_certification_request-1',
        'requested',
        { requestedOn: '2026-02-01' },
        noon('2026-02-01'),
      );
      return sign(
        state,
        'hhs_certification_letter-1',
        'denied',
        { reason: 'no_qualifying_status' },
        noon('2026-03-01'),
      );
    };

    it('after a denial, while CP is in force: the advocate opens a new request, saying what qualifies it', () => {
      const state = askAgain(certificationDenied(), 'hhs_certification_request', actorOf('advocate'));
      expect(stepOf(state, 'hhs_certification_request-2')).toMatchObject({
        status: 'pending',
        agencyKind: 'advocate',
        dueAt: noon('2026-09-15'),
        details: { unlockedBy: 'cp_granted' },
      });
    });

    it('after its request was withdrawn by a T-visa denial, while CP is in force: asked again, saying what qualifies it', () => {
      const withdrawnWithCp = [
        { kind: 'hhs_certification_request', status: 'cancelled', outcome: null },
        { kind: 'cp_request', status: 'completed', outcome: 'requested' },
        { kind: 'cp_decision', status: 'completed', outcome: 'granted' },
      ] as const;
      const facts = { path: 'adult', usesUVisa: false } as const;
      expect(askAgainRefusal({ ...facts, steps: withdrawnWithCp }, 'hhs_certification_request')).toBeNull();
      expect(
        askAgainRefusal({ ...facts, steps: withdrawnWithCp.slice(0, 1) }, 'hhs_certification_request')?.message,
      ).toContain('none of the events that qualify for it holds now');
    });

    it('is refused when nothing qualifies now, while one is pending, or on the minor path', () => {
      expect(refusalOf(lapsed(certificationDenied()), 'hhs_certification_request')?.message).toContain(
        'none of the events that qualify for it holds now',
      );
      const pending = sign(
        cpGranted('2027-12-31'),
        'hhs_certification_request-1',
        'requested',
        { requestedOn: '2026-02-01' },
        noon('2026-02-01'),
      );
      expect(refusalOf(pending, 'hhs_certification_request')?.message).toContain(
        'the HHS certification letter is still pending',
      );
      expect(refusalOf(openMinor(), 'hhs_certification_request')?.message).toContain('a minor needs no certification');
    });
  });

  const declarationDeclined = () =>
    sign(openAdult(), 'le_declaration-1', 'declined', { reason: 'not_cooperating' }, noon('2026-02-01'));

  describe('asking again for a declined U certification or declaration', () => {
    it('a declined U certification can be asked again (of another certifier), on a case that follows a U visa', () => {
      const declined = sign(
        openAdult({ usesUVisa: true }),
        'u_visa_certification-1',
        'declined',
        { reason: 'no_helpfulness' },
        noon('2026-02-01'),
      );
      const state = askAgain(declined, 'u_visa_certification');
      expect(stepOf(state, 'u_visa_certification-2')).toMatchObject({
        status: 'pending',
        agencyKind: 'law_enforcement',
      });
      expect(refusalOf(state, 'u_visa_certification')?.message).toContain('it was asked again already and is pending');
    });

    it('a declined declaration can be asked again by the police whatever the T visa decision, which no refusal names', () => {
      const declined = declarationDeclined();
      expect(stepOf(askAgain(declined, 'le_declaration'), 'le_declaration-2')).toMatchObject({ status: 'pending' });
      let decided = sign(declined, 't_visa_filing-1', 'filed', { filedOn: '2026-02-02' }, noon('2026-02-02'));
      decided = sign(decided, 't_visa_receipt-1', 'received', { receivedOn: '2026-02-20' }, noon('2026-02-21'));
      decided = sign(
        decided,
        't_visa_bona_fide-1',
        'not_bona_fide',
        { determinedOn: '2026-06-01' },
        noon('2026-06-02'),
      );
      decided = sign(decided, 't_visa_decision-1', 'denied', { reason: 'not_a_victim' }, noon('2026-08-01'));
      // A new declaration can support a motion to reopen or a new filing; the police must not learn the decision.
      const police = actorOf('law_enforcement');
      const askedAgain = askAgain(decided, 'le_declaration', police);
      expect(stepOf(askedAgain, 'le_declaration-2')).toMatchObject({
        status: 'pending',
        agencyKind: 'law_enforcement',
      });
      const refusals = [askedAgain, openAdult()].map((state) => refusalOf(state, 'le_declaration', police)?.message);
      expect(refusals).toEqual([
        expect.stringContaining('it was asked again already and is pending'),
        expect.stringContaining('still pending'),
      ]);
      expect(refusals.join(' ')).not.toMatch(/T visa/i);
    });
  });

  describe('asking for a U certification on a case that does not follow a U visa', () => {
    /** The certification's reminders, each as how long after it opened it falls. */
    const remindersOf = (state: CaseState) => {
      const opened = Date.parse(stepOf(state, 'u_visa_certification-1').openedAt);
      return alarms(state)
        .filter((alarm) => alarm.stepId === 'u_visa_certification-1')
        .map((alarm) => Date.parse(alarm.at) - opened)
        .sort((a, b) => a - b);
    };

    it('starts following one: the certification opens as on a case opened with it, counted from askedOn', () => {
      const state = askAgain(openAdult(), 'u_visa_certification', actorOf('coordinator'), '2026-08-31');
      expect(state.usesUVisa).toBe(true);
      expect(stepOf(state, 'u_visa_certification-1')).toMatchObject({
        status: 'pending',
        agencyKind: 'law_enforcement',
        agencyId: 'agency-le',
        openedAt: noon('2026-08-31'),
        dueAt: noon('2026-09-30'),
      });
      const openedWithIt = openAdult({ usesUVisa: true });
      expect(remindersOf(openedWithIt).length).toBeGreaterThan(0);
      expect(remindersOf(state)[0]).toBe(remindersOf(openedWithIt)[0]);
      expect(remindersOf(state)).toEqual(remindersOf(openedWithIt));
      expect(askedAgainEntry(state)).toMatchObject({
        stepId: 'u_visa_certification-1',
        actorAgencyId: 'agency-coord',
        summary:
          'u_visa_certification-1 asked for by coordinator: the case now follows a U visa ' +
          '(happened on 2026-08-31, recorded on 2026-09-01)',
      });
      // Signed, its window and petition follow as on any U visa.
      const signed = sign(state, 'u_visa_certification-1', 'signed', { signedOn: '2026-09-01' }, ASKED_AT);
      expect(stepOf(signed, 'u_visa_petition-1').status).toBe('pending');
    });

    it('is refused while it is pending, to an agency of another kind, before the identification, or on a closed case', () => {
      const state = askAgain(openAdult(), 'u_visa_certification', actorOf('law_enforcement'));
      expect(stepOf(state, 'u_visa_certification-1').openedAt).toBe(ASKED_AT);
      expect(refusalOf(state, 'u_visa_certification')?.message).toContain('it was asked again already and is pending');
      expect(refusalOf(openAdult(), 'u_visa_certification', actorOf('advocate'))).toMatchObject({
        code: 'wrong_agency_kind',
      });
      expect(refusalOf(openAdult(), 'u_visa_certification', actorOf('ice'))).toMatchObject({
        code: 'wrong_agency_kind',
      });
      const command = {
        stepKind: 'u_visa_certification' as const,
        actor: actorOf('coordinator'),
        askedOn: '2026-01-04',
      };
      expect(validateAskAgain(openAdult(), command, ASKED_AT)).toEqual({
        code: 'date_order',
        field: 'askedOn',
        message: 'askedOn (2026-01-04) is before the survivor was identified (2026-01-05)',
      });
      expect(refusalOf(closed(openAdult()), 'u_visa_certification')).toMatchObject({ code: 'case_not_open' });
    });

    it('answers no refusal, so a correction of another track leaves it pending', () => {
      const state = askAgain(cpDenied(), 'u_visa_certification');
      const corrected = correct(state, 'cp_decision-1', 'granted', { grantedOn: '2026-01-20' }, noon('2026-09-03'));
      expect(stepOf(corrected, 'u_visa_certification-1').status).toBe('pending');
    });
  });

  /** The CP denial corrected, but only its reason: the refusal stands. */
  const deniedForAnotherReason = (state: CaseState) =>
    correct(state, 'cp_decision-1', 'denied', { reason: 'insufficient_evidence' }, noon('2026-09-03'));

  describe('a refusal corrected after it was asked again', () => {
    it('corrected to a grant: the request asked again is withdrawn, as the steps a correction no longer opens are', () => {
      const asked = askAgain(cpDenied(), 'cp_request', actorOf('law_enforcement'));
      expect(alarms(asked).some((alarm) => alarm.stepId === 'cp_request-2')).toBe(true);
      const corrected = correct(asked, 'cp_decision-1', 'granted', { grantedOn: '2026-01-20' }, noon('2026-09-03'));
      expect(corrected.steps.map((step) => step.id)).not.toContain('cp_request-2');
      expect(stepOf(corrected, 'cp_renewal_request-1').status).toBe('pending');
      expect(alarms(corrected).filter((alarm) => alarm.stepId === 'cp_request-2')).toEqual([]);
      expect(corrected.timeline.filter((entry) => entry.stepId === 'cp_request-2').at(-1)).toMatchObject({
        type: 'step.withdrawn',
        summary: 'cp_request-2 withdrawn: nothing is left to ask again with cp_decision-1 as corrected',
      });
    });

    it('corrected with the refusal standing: the request asked again stays', () => {
      const asked = askAgain(cpDenied(), 'cp_request', actorOf('law_enforcement'));
      const corrected = deniedForAnotherReason(asked);
      expect(stepOf(corrected, 'cp_request-2')).toMatchObject({ status: 'pending', dueAt: noon('2026-09-15') });
    });

    it('a declined declaration corrected to signed: the declaration asked again is withdrawn', () => {
      const asked = askAgain(declarationDeclined(), 'le_declaration');
      const corrected = correct(asked, 'le_declaration-1', 'signed', { signedOn: '2026-02-01' }, noon('2026-09-03'));
      expect(corrected.steps.map((step) => step.id)).not.toContain('le_declaration-2');
    });
  });

  describe('asking again as of a past day (askedOn), for a case entered after the fact', () => {
    it('opens on that day, at noon UTC as a past sign-off is dated; its deadline counts from then, passed reminders settled', () => {
      const state = askAgain(cpDenied(), 'cp_request', actorOf('law_enforcement'), '2026-05-04');
      expect(stepOf(state, 'cp_request-2')).toMatchObject({
        status: 'pending',
        openedAt: noon('2026-05-04'),
        dueAt: noon('2026-05-18'),
      });
      expect(askedAgainEntry(state)).toMatchObject({
        type: 'step.asked_again',
        at: noon('2026-05-04'),
        summary:
          'cp_request-2 asked again by law_enforcement after cp_decision-1 denied (happened on 2026-05-04, recorded on 2026-09-01)',
      });
      // Its reminders all passed: told once as passed, none left to send one by one.
      expect(state.passedAlarms?.map((alarm) => alarm.stepId)).toContain('cp_request-2');
      expect(alarms(state).filter((alarm) => alarm.stepId === 'cp_request-2' && alarm.at < ASKED_AT)).toEqual([]);
      // The request then signed as of its real day, before today.
      const signed = sign(state, 'cp_request-2', 'requested', { requestedOn: '2026-05-06' }, ASKED_AT);
      expect(stepOf(signed, 'cp_decision-2').openedAt).toBe(noon('2026-05-06'));
    });

    it('on the day the track ended, opens no earlier than the end, and a correction of the refusal takes it for no follower', () => {
      const state = askAgain(cpDenied(), 'cp_request', actorOf('law_enforcement'), '2026-01-20');
      expect(stepOf(state, 'cp_request-2').openedAt).toBe(noon('2026-01-20'));
      const corrected = deniedForAnotherReason(state);
      expect(stepOf(corrected, 'cp_request-2')).toMatchObject({ status: 'pending', openedAt: noon('2026-01-20') });
    });

    it("is refused, naming askedOn, before the track ended or after the asker's today", () => {
      const command = (askedOn: string) => ({
        stepKind: 'cp_request' as const,
        actor: actorOf('coordinator'),
        askedOn,
      });
      expect(validateAskAgain(cpDenied(), command('2026-01-19'), ASKED_AT)).toEqual({
        code: 'date_order',
        field: 'askedOn',
        message: 'askedOn (2026-01-19) is before cp_decision-1 ended (2026-01-20)',
      });
      expect(validateAskAgain(cpDenied(), command('2026-09-02'), ASKED_AT)).toEqual({
        code: 'date_order',
        field: 'askedOn',
        message: 'askedOn (2026-09-02) is after today (2026-09-01)',
      });
      // Where the asker works it may already be tomorrow (the API seals that day in `issued.today`).
      const issued = { caseId: 'c', updateId: 'u', at: ASKED_AT, today: '2026-09-02' };
      expect(validateAskAgain(cpDenied(), { ...command('2026-09-02'), issued }, ASKED_AT)).toBeNull();
      expect(refusalOf(cpDenied(), 'cp_request')).toBeNull();
    });

    it('after a decision signed on a US evening, takes the day it still is there (probe S3)', () => {
      // ICE in Honolulu denied at 19:09 on 6 Dec 2026 (05:09 UTC on the 7th), no day typed; the police there ask again
      // that evening with the day the console offers, their today. It was refused: "askedOn (2026-12-06) is before
      // cp_decision-1 ended (2026-12-07)", a day not begun in Honolulu, and 7 Dec "is after today" until midnight.
      const asWritten = { ...requested(), datesAsWritten: true };
      const denied = sign(asWritten, 'cp_decision-1', 'denied', { reason: 'other' }, '2026-12-07T05:09:22.000Z');
      const now = '2026-12-07T05:20:00.000Z';
      const issued = { caseId: 'c', updateId: 'u', at: now, today: '2026-12-06' };
      const command = (askedOn: string) => ({
        stepKind: 'cp_request' as const,
        actor: actorOf('law_enforcement'),
        askedOn,
        issued,
      });
      expect(validateAskAgain(denied, command('2026-12-06'), now)).toBeNull();
      // Not before the decision in any zone: the day before is refused, naming the day it ended.
      expect(validateAskAgain(denied, command('2026-12-05'), now)).toEqual({
        code: 'date_order',
        field: 'askedOn',
        message: 'askedOn (2026-12-05) is before cp_decision-1 ended (2026-12-06)',
      });
      // The request opens no earlier than the decision.
      const asked = applyAskAgain(denied, command('2026-12-06'), now);
      expect(stepOf(asked, 'cp_request-2').openedAt).toBe('2026-12-07T05:09:22.000Z');
    });

    it('after a lapse, from the day after the last valid day, as before', () => {
      const command = (askedOn: string) => ({
        stepKind: 'cp_request' as const,
        actor: actorOf('coordinator'),
        askedOn,
      });
      expect(validateAskAgain(lapsed(cpGranted()), command('2026-06-30'), ASKED_AT)).toEqual({
        code: 'date_order',
        field: 'askedOn',
        message: 'askedOn (2026-06-30) is before cp_renewal_request-1 ended (2026-07-01)',
      });
      expect(validateAskAgain(lapsed(cpGranted()), command('2026-07-01'), ASKED_AT)).toBeNull();
    });
  });
});
