/**
 * A minor who turns 18 during the case: the request for a minor's assistance must be made before the 18th birthday.
 * A notification dated on or after it is refused; a minor not notified by then moves to the adult path, whose HHS
 * certification opens with its qualifying event; one notified in time stays on the minor path.
 */
import {
  alarms,
  fireAlarm,
  releaseHeldExpiries,
  scheduledAlarms,
  settlePassedAlarms,
  stillToTell,
} from '../../../domain/alarms';
import type { CaseState, PassedAlarm } from '../../../domain/case-state';
import { addDaysToInstant, startOfDay } from '../../../domain/dates';
import { DEFAULT_POLICY } from '../../../domain/policy';
import { openCase } from '../../../domain/case';
import { AGENCIES, noon, openMinor, pendingIds, refusal, runAlarmsUntil, sign, stepOf } from '../case-fixtures';

describe('turning-18', () => {
  const BIRTHDAY = '2026-09-01';
  const WEEK_MS = 7 * 86_400_000;

  /** A minor's case on the rules of this code: the workflow sets `adultAt18` at its first task. */
  const minor = (overrides: Partial<CaseState> = {}): CaseState => ({
    ...openMinor(BIRTHDAY),
    datesAsWritten: true,
    adultAt18: true,
    ...overrides,
  });

  const movedLines = (state: CaseState) => state.timeline.filter((entry) => entry.type === 'case.moved_to_adult_path');
  const turns18Alarm = (state: CaseState) =>
    alarms(state).find((alarm) => alarm.subject === 'minor_turns_18' && alarm.kind === 'expired');

  /** CP requested and granted on `on`, for two years. */
  function grantCp(state: CaseState, on: string): CaseState {
    const requested = sign(state, 'cp_request-1', 'requested', { requestedOn: on }, noon(on));
    const validUntil = `${Number(on.slice(0, 4)) + 2}${on.slice(4)}`;
    return sign(requested, 'cp_decision-1', 'granted', { grantedOn: on, validUntil }, noon(on));
  }

  describe("a minor's HHS notification and the 18th birthday", () => {
    it('is refused when dated on or after the birthday, without naming that date', () => {
      const state = minor();
      for (const notifiedOn of [BIRTHDAY, '2026-12-04']) {
        expect(
          refusal(state, 'hhs_minor_notification-1', 'notified', { notifiedOn }, noon('2026-12-04')),
        ).toMatchObject({
          code: 'date_out_of_range',
          field: 'details.notifiedOn',
          message: expect.not.stringContaining(BIRTHDAY) as unknown,
        });
      }
      // The day before is in time, even recorded after the birthday (a case brought up to date).
      expect(
        refusal(state, 'hhs_minor_notification-1', 'notified', { notifiedOn: '2026-08-31' }, noon('2026-09-03')),
      ).toBeNull();
    });

    it('still pending at the birthday: the case moves to the adult path once, in the week after it', () => {
      const state = runAlarmsUntil(minor(), noon('2026-12-31'));
      expect(state.path).toBe('adult');
      const moved = movedLines(state);
      expect(moved).toHaveLength(1);
      // When it happened tells the week, never the day.
      const at = Date.parse(moved[0]!.at);
      expect(at).toBeGreaterThan(Date.parse(startOfDay(BIRTHDAY)));
      expect(at).toBeLessThanOrEqual(Date.parse(startOfDay(BIRTHDAY)) + WEEK_MS);
      expect(moved[0]!.at).not.toContain(BIRTHDAY);
      expect(stepOf(state, 'hhs_minor_notification-1')).toMatchObject({ status: 'cancelled' });
      expect(state.timeline).toContainEqual(
        expect.objectContaining({
          type: 'step.cancelled',
          stepId: 'hhs_minor_notification-1',
          summary: 'hhs_minor_notification-1 cancelled: turned 18 before HHS was notified: the adult route applies',
        }),
      );
      // No qualifying event yet: the certification request waits for one, then opens as any adult's.
      expect(state.steps.some((step) => step.kind === 'hhs_certification_request')).toBe(false);
      expect(turns18Alarm(state)).toBeUndefined();
      const granted = grantCp(state, '2027-01-04');
      expect(stepOf(granted, 'hhs_certification_request-1').details).toEqual({ unlockedBy: 'cp_granted' });
    });

    it("a CP request still pending at the move is due as an adult's, counted from the move, and reminded", () => {
      const state = runAlarmsUntil(minor(), noon('2026-09-09'));
      const movedAt = movedLines(state)[0]!.at;
      expect(stepOf(minor(), 'cp_request-1').dueAt).toBeNull();
      expect(stepOf(state, 'cp_request-1')).toMatchObject({
        status: 'pending',
        dueAt: addDaysToInstant(movedAt, DEFAULT_POLICY.sla.cp_request.days!),
      });
      expect(state.timeline).toContainEqual(
        expect.objectContaining({ type: 'step.rescheduled', stepId: 'cp_request-1', at: movedAt }),
      );
      const reminders = alarms(state).filter((alarm) => alarm.stepId === 'cp_request-1');
      expect(reminders.map((alarm) => alarm.kind)).toEqual(expect.arrayContaining(['reminder', 'due', 'escalation']));
    });

    it('with CP in force at the birthday, the certification request opens as the path changes', () => {
      const state = runAlarmsUntil(grantCp(minor(), '2026-03-02'), noon('2026-09-09'));
      expect(state.path).toBe('adult');
      const request = stepOf(state, 'hhs_certification_request-1');
      expect(request).toMatchObject({ status: 'pending', details: { unlockedBy: 'cp_granted' } });
      expect(request.openedAt).toBe(movedLines(state)[0]!.at);
      // Firing the same alarm again (a stale wake-up) changes nothing.
      const fired = state.firedAlarms.find((id) => id.includes(':expired:minor_turns_18:'))!;
      const again = fireAlarm(state, { ...turns18Alarm(minor())!, id: fired }, noon('2026-09-10'));
      expect(again).toBe(state);
    });

    it('notified in time: still a minor after 18, the letters follow as for a child', () => {
      const notified = sign(
        minor(),
        'hhs_minor_notification-1',
        'notified',
        { notifiedOn: '2026-01-05' },
        noon('2026-01-05'),
      );
      expect(turns18Alarm(notified)).toBeUndefined();
      const state = runAlarmsUntil(grantCp(notified, '2026-03-02'), noon('2026-12-31'));
      expect(state.path).toBe('minor');
      expect(movedLines(state)).toEqual([]);
      expect(pendingIds(state)).toEqual(expect.arrayContaining(['hhs_interim_letter-1', 'hhs_eligibility_letter-1']));
      expect(state.steps.some((step) => step.kind === 'hhs_certification_request')).toBe(false);
      // Eligibility letters do not expire: HHS may still issue it after the birthday.
      const letter = sign(
        state,
        'hhs_eligibility_letter-1',
        'issued',
        { eligibilityDate: '2026-10-01' },
        noon('2026-10-02'),
      );
      expect(stepOf(letter, 'hhs_eligibility_letter-1').status).toBe('completed');
    });

    it('a case recorded before the rule (no adultAt18) stays as it ran: nothing at the birthday', () => {
      const state = runAlarmsUntil(minor({ adultAt18: undefined }), noon('2026-12-31'));
      expect(state.path).toBe('minor');
      expect(stepOf(state, 'hhs_minor_notification-1').status).toBe('pending');
    });

    it('entered after the birthday: the move waits while the entries may still show HHS was notified in time', () => {
      const settled = enteredAfterBirthday();
      expect(settled.heldExpiries).toEqual([expect.stringContaining(':expired:minor_turns_18:')]);
      expect(settled.path).toBe('minor');
      const notified = sign(
        settled,
        'hhs_minor_notification-1',
        'notified',
        { notifiedOn: '2026-06-02' },
        noon('2026-12-04'),
      );
      expect(notified.path).toBe('minor');
    });

    it('entered after the birthday: the police are not urged to notify HHS before it, nor is it listed as passed', () => {
      const settled = enteredAfterBirthday();
      const leads = (state: CaseState) =>
        alarms(state).filter((alarm) => alarm.subject === 'minor_turns_18' && alarm.kind === 'expiry_reminder');
      expect(leads(settled)).toEqual([]);
      expect((settled.passedAlarms ?? []).filter((passed) => passed.about === 'minor_turns_18')).toEqual([]);
      // A case recorded before the leads were gathered, entered before the birthday: those passed were raised at once.
      const raised = enteredOn(noon('2026-08-25'), { birthdayLeadsGathered: undefined });
      expect(leads(raised)).toEqual([expect.objectContaining({ at: raised.openedAt, recipient: 'law_enforcement' })]);
    });
  });

  describe('a minor entered after the fact, the birthday still ahead', () => {
    const ENTERED_AT = noon('2026-08-25');
    const birthdayLeads = (passed: readonly PassedAlarm[]) =>
      passed.filter((alarm) => alarm.about === 'minor_turns_18' && alarm.kind === 'expiry_reminder');

    it('notified in time within the session: the police are not urged to notify HHS, at once or in its notice', () => {
      const entered = enteredOn(ENTERED_AT);
      // Nothing raised as it is entered: the leads behind it passed, one line for the session's notice.
      expect(alarms(entered).filter((alarm) => alarm.at <= ENTERED_AT)).toEqual([]);
      expect(birthdayLeads(entered.passedAlarms ?? [])).toEqual([
        expect.objectContaining({ recipient: 'law_enforcement', date: null }),
      ]);
      const notified = sign(
        entered,
        'hhs_minor_notification-1',
        'notified',
        { notifiedOn: '2026-06-01' },
        '2026-08-25T12:00:05.000Z',
      );
      const session = releaseHeldExpiries(notified, '2026-08-25T12:30:05.000Z');
      expect(birthdayLeads(stillToTell(session, session.passedAlarms ?? []))).toEqual([]);
    });

    it('opened as the minor is identified, the same day: the police are urged at once, as before', () => {
      const opened = openCase(
        {
          caseId: 'case-now',
          reference: 'RC-NOW-1',
          identifiedAt: '2026-08-25T11:59:58.000Z',
          minorTurns18On: BIRTHDAY,
          agencies: AGENCIES,
          usesUVisa: false,
        },
        ENTERED_AT,
      );
      const settled = settlePassedAlarms({ ...opened, birthdayLeadsGathered: true }, opened.openedAt);
      expect(birthdayLeads(settled.passedAlarms ?? [])).toEqual([]);
      expect(
        alarms(settled).filter((alarm) => alarm.subject === 'minor_turns_18' && alarm.kind === 'expiry_reminder'),
      ).toContainEqual(expect.objectContaining({ at: settled.openedAt, recipient: 'law_enforcement' }));
    });

    it('identified in Los Angeles by the day alone, entered that evening, the next UTC day: the police are urged at once', () => {
      // Identified on 31 Aug (midnight in Los Angeles), entered at 20:15 there, 03:15 UTC on 1 Sep, the day before the
      // birthday: within the police's 24 hours, not a case entered after the fact.
      const enteredThatEvening = identifiedInLosAngelesOn31Aug('2026-09-01T03:15:00.000Z');
      expect(birthdayLeads(enteredThatEvening.passedAlarms ?? [])).toEqual([]);
      expect(urgedAtOnce(enteredThatEvening)).toEqual([expect.objectContaining({ recipient: 'law_enforcement' })]);
      // A case recorded before held it for the session's notice, half an hour after the last entry, as it ran.
      const recordedBefore = identifiedInLosAngelesOn31Aug('2026-09-01T03:15:00.000Z', {
        leadsGatheredAfterADay: false,
      });
      expect(urgedAtOnce(recordedBefore)).toEqual([]);
      expect(birthdayLeads(recordedBefore.passedAlarms ?? [])).toHaveLength(1);
      // Entered a full day after, on 1 Sep in Los Angeles, it is after the fact: the lead waits for the session's notice.
      const dayAfter = identifiedInLosAngelesOn31Aug('2026-09-01T07:00:00.000Z');
      expect(urgedAtOnce(dayAfter)).toEqual([]);
      expect(birthdayLeads(dayAfter.passedAlarms ?? [])).toHaveLength(1);
    });

    it("the opening's projection lists no lead that passed before entry as still to come (probe X12)", () => {
      // As the workflow opens it: the rules' flags come at its first task, after the opening is projected.
      const listed = scheduledAlarms(openedLateOn(ENTERED_AT)).filter((alarm) => alarm.about === 'minor_turns_18');
      expect(listed.filter((alarm) => alarm.at < ENTERED_AT)).toEqual([]);
      // What is still ahead is listed as the workflow will fire it.
      expect(listed.map((alarm) => alarm.alarmId)).toEqual(
        scheduledAlarms(enteredOn(ENTERED_AT))
          .filter((alarm) => alarm.about === 'minor_turns_18')
          .map((alarm) => alarm.alarmId),
      );
    });

    it('not notified: the police are told in the notice at the end of the session', () => {
      const entered = enteredOn(ENTERED_AT);
      const session = releaseHeldExpiries(entered, '2026-08-25T12:30:05.000Z');
      expect(birthdayLeads(stillToTell(session, session.passedAlarms ?? []))).toEqual([
        expect.objectContaining({ recipient: 'law_enforcement', stepId: 'hhs_minor_notification-1' }),
      ]);
    });
  });

  /** A minor identified on 1 June 2026, opened on `at` as the workflow opens it, before its first task's rules. */
  function openedLateOn(at: string): CaseState {
    return openCase(
      {
        caseId: 'case-late',
        reference: 'RC-LATE-1',
        identifiedAt: '2026-06-01T08:00:00.000Z',
        minorTurns18On: BIRTHDAY,
        agencies: AGENCIES,
        usesUVisa: false,
      },
      at,
    );
  }

  /** A minor identified on 1 June 2026, entered on `at`, as the workflow settles it at its first task. */
  function enteredOn(at: string, rules: Partial<CaseState> = {}): CaseState {
    const entered = openedLateOn(at);
    // What passed before the case was entered is settled (an expiry held while the entries may still show HHS was
    // notified in time).
    return settlePassedAlarms(
      {
        ...entered,
        adultAt18: true,
        holdsPassedExpiries: true,
        datesAsWritten: true,
        lateLeadsRaised: true,
        birthdayLeadsGathered: true,
        ...rules,
      },
      entered.openedAt,
    );
  }

  const enteredAfterBirthday = () => enteredOn(noon('2026-12-04'));

  /** A minor identified by the day alone on 31 Aug in Los Angeles, the day before the 18th birthday, entered on `at`. */
  function identifiedInLosAngelesOn31Aug(at: string, rules: Partial<CaseState> = {}): CaseState {
    const opened = openCase(
      {
        caseId: 'case-los-angeles',
        reference: 'RC-LA-1',
        identifiedAt: '2026-08-31T07:00:00.000Z',
        identifiedOn: '2026-08-31',
        minorTurns18On: BIRTHDAY,
        agencies: AGENCIES,
        usesUVisa: false,
      },
      at,
    );
    const flagged: CaseState = {
      ...opened,
      datesAsWritten: true,
      adultAt18: true,
      birthdayLeadsGathered: true,
      birthdayBeginsInUs: true,
      leadsGatheredAfterADay: true,
      ...rules,
    };
    return settlePassedAlarms(flagged, opened.openedAt);
  }

  /** The birthday reminders raised as the case is entered, the police urged at once. */
  const urgedAtOnce = (state: CaseState) =>
    alarms(state).filter(
      (alarm) => alarm.subject === 'minor_turns_18' && alarm.kind === 'expiry_reminder' && alarm.at === state.openedAt,
    );

  describe('a minor identified on the US evening before the 18th birthday, already the birthday in UTC', () => {
    // 18:30 in Los Angeles on 31 Aug is 01:30 UTC on 1 Sep: the police's day is the last before the birthday.
    const EVENING_BEFORE = '2026-09-01T01:30:00.000Z';
    const identifiedTheEveningBefore = (overrides: Partial<CaseState>) => ({
      ...openCase(
        {
          caseId: 'case-evening',
          reference: 'RC-EVENING-1',
          identifiedAt: EVENING_BEFORE,
          identifiedOn: '2026-08-31',
          minorTurns18On: BIRTHDAY,
          agencies: AGENCIES,
          usesUVisa: false,
        },
        EVENING_BEFORE,
      ),
      datesAsWritten: true,
      adultAt18: true,
      birthdayLeadsGathered: true,
      ...overrides,
    });

    it('stays a minor until the birthday has begun everywhere in the US, and a notification dated that day is taken', () => {
      const state = identifiedTheEveningBefore({ birthdayBeginsInUs: true });
      // Not moved as the case opens: the move waits for the first grid point after noon UTC of the birthday.
      const atOpening = runAlarmsUntil(state, '2026-09-01T02:00:00.000Z');
      expect(atOpening.path).toBe('minor');
      expect(stepOf(atOpening, 'hhs_minor_notification-1').status).toBe('pending');
      expect(Date.parse(turns18Alarm(atOpening)!.at)).toBeGreaterThan(Date.parse('2026-09-01T12:00:00.000Z'));
      // The police are urged at once to notify HHS before the birthday.
      expect(atOpening.firedAlarms).toContainEqual(
        expect.stringMatching(/^hhs_minor_notification-1:expiry_reminder:minor_turns_18:/),
      );
      // The police, on their 31 Aug, record the notification made that day.
      const notified = sign(
        atOpening,
        'hhs_minor_notification-1',
        'notified',
        { notifiedOn: '2026-08-31' },
        '2026-09-01T03:00:00.000Z',
      );
      expect(runAlarmsUntil(notified, noon('2026-12-31')).path).toBe('minor');
      // Not notified, it moves in the week after the birthday, as any minor's.
      const moved = runAlarmsUntil(atOpening, noon('2026-12-31'));
      expect(moved.path).toBe('adult');
      expect(Date.parse(movedLines(moved)[0]!.at)).toBeLessThanOrEqual(
        Date.parse('2026-09-01T12:00:00.000Z') + WEEK_MS,
      );
    });

    it('a case recorded before began the birthday at midnight UTC: moved as it opened, as it ran', () => {
      const moved = runAlarmsUntil(identifiedTheEveningBefore({}), '2026-09-01T02:00:00.000Z');
      expect(moved.path).toBe('adult');
      expect(stepOf(moved, 'hhs_minor_notification-1').status).toBe('cancelled');
    });
  });
});
