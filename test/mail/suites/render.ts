import { stepLabel } from '../../../domain/labels';
import { overdueFrom } from '../../../domain/steps';
import {
  caseLink,
  dueWordsFor,
  EMAIL_LISTED,
  passedNoticeDigestLine,
  passedNoticeWithoutBirthday,
  renderNotification,
  renderOpenedSteps,
  renderPassedNotices,
  type NotificationFacts,
  type OwedStep,
} from '../../../mail/render';

describe('render', () => {
  const facts: NotificationFacts = {
    kind: 'reminder',
    caseId: 'case-123',
    reference: 'RC-2026-0042',
    stepKind: 'cp_decision',
    agencyName: 'ICE CCHT Continued Presence Unit',
    dueAt: '2026-11-23T08:00:00.000Z',
    publicBaseUrl: 'https://relief.example.org/',
  };

  /** A "Corrected" email of a CP grant's end, which the earlier email named as valid until 28 Dec 2026. */
  const cpEndCorrected = {
    ...facts,
    kind: 'end_corrected' as const,
    about: 'cp_validity',
    was: '2026-12-29T00:00:00.000Z',
  };

  describe('renderNotification', () => {
    it('names the case, step, agency, date and link in subject and body', () => {
      const { subject, text } = renderNotification(facts);
      expect(subject).toBe('Reminder: Continued Presence decision due 23 Nov 2026 (case RC-2026-0042)');
      expect(text).toContain('To: ICE CCHT Continued Presence Unit');
      expect(text).toContain('Case reference: RC-2026-0042');
      expect(text).toContain('Step: Continued Presence decision');
      expect(text).toContain('Date: 23 Nov 2026');
      expect(text).toContain('Open the case: https://relief.example.org/cases/case-123');
    });

    it('says on the day adjustment opens that the I-485 can be filed now, and by when T status lets it', () => {
      // The reminder the T-visa track raises on adjustmentEligibleFrom; its date is the step's due date, T status's end.
      const { subject, text } = renderNotification({
        ...facts,
        stepKind: 't_visa_adjustment_filing',
        about: 'adjustment_eligible',
        dueAt: '2030-12-04T00:00:00.000Z',
        timeZone: 'America/New_York',
      });
      expect(subject).toBe(
        'Can be filed now: Adjustment of status filing (Form I-485), by 3 Dec 2030 while T status lasts (case RC-2026-0042)',
      );
      expect(text).toContain('may now apply to adjust status to permanent residence');
      expect(text).toContain('It must be filed while T status lasts, on or before 3 Dec 2030');
      expect(text).toContain('loses this path');
      expect(text).not.toContain('is due on');
    });

    it('tells an agency a step now waits on it: who asked, the step signed when it may know of it, the due day', () => {
      const opened = {
        ...facts,
        kind: 'step_opened' as const,
        stepKind: 'hhs_certification_letter',
        dueAt: '2027-01-10T12:00:00.000Z',
        raisedAt: '2026-12-05T10:00:00.000Z',
        openedBy: { by: 'Ana Advocate of Legal Aid', stepKind: 'hhs_certification_request' },
      };
      const ahead = renderNotification(opened);
      expect(ahead.subject).toBe(
        'Waiting on your agency: HHS certification letter (case RC-2026-0042), due 10 Jan 2027',
      );
      expect(ahead.text).toContain(
        'Ana Advocate of Legal Aid recorded "HHS certification request", so "HHS certification letter" now waits on ' +
          'your agency, due 10 Jan 2027. Make it by then, then record it on the case page.',
      );
      expect(ahead.text).toContain('Date: 10 Jan 2027');
      expect(ahead.text).toContain('Open the case: https://relief.example.org/cases/case-123');
      // The step signed left unnamed (the recipient may not know of it), and a deadline already behind it.
      const late = renderNotification({
        ...opened,
        dueAt: '2026-11-24T12:00:00.000Z',
        openedBy: { by: 'Ana Advocate of Legal Aid' },
      });
      expect(late.text).toContain(
        'Ana Advocate of Legal Aid asked your agency for "HHS certification letter" and it is already overdue (due 24 ' +
          'Nov 2026, overdue since 12:00 UTC on 24 Nov 2026). Make it now',
      );
    });

    it('lists at most EMAIL_LISTED steps that now wait on an agency in one email, and counts the rest (probe Q5)', () => {
      const opened = Array.from({ length: EMAIL_LISTED + 3 }, (_, n) =>
        renderNotification({
          ...facts,
          kind: 'step_opened',
          caseId: `case-${n}`,
          reference: `RC-2026-${String(n).padStart(4, '0')}`,
          stepKind: 'cp_decision',
          dueAt: '2027-01-10T12:00:00.000Z',
          raisedAt: '2026-12-05T10:00:00.000Z',
          openedBy: { by: 'Demo City Police', stepKind: 'cp_request' },
        }),
      );
      const { subject, text } = renderOpenedSteps('ICE CCHT', opened);
      expect(subject).toBe(`Waiting on your agency: ${EMAIL_LISTED + 3} steps`);
      expect(text.match(/^Open the case: /gm)).toHaveLength(EMAIL_LISTED);
      expect(text).toContain(`Open the case: https://relief.example.org/cases/case-${EMAIL_LISTED - 1}\n`);
      expect(text).toContain(
        `The first ${EMAIL_LISTED} are listed; 3 more are not, and your inbox in the console names every step that ` +
          'waits on your agency.',
      );
    });

    it('names a deadline by its last day to act, and says when it has been reached', () => {
      // "Respond by 15 Jan" passes as 16 Jan begins: a reader in UTC must not read 16 Jan.
      const respond = { ...facts, stepKind: 't_visa_evidence_response', dueAt: '2027-01-16T00:00:00.000Z' };
      expect(renderNotification({ ...respond, timeZone: 'UTC' }).subject).toBe(
        'Reminder: T visa response to a request for evidence or notice of intent to deny due 15 Jan 2027 (case RC-2026-0042)',
      );
      const reached = renderNotification({ ...respond, kind: 'due', timeZone: 'America/Chicago' });
      expect(reached.subject).toBe(
        'Deadline reached: T visa response to a request for evidence or notice of intent to deny (case RC-2026-0042)',
      );
      expect(reached.text).toContain(', 15 Jan 2027, has been reached and the step is still open.');
      expect(reached.text).not.toContain('16 Jan');
    });

    it('says an escalation is one and who owned the late step', () => {
      const { subject, text } = renderNotification({ ...facts, kind: 'escalation', agencyName: 'Metro Task Force' });
      expect(subject).toBe('ESCALATION: Continued Presence decision overdue, was due 23 Nov 2026 (case RC-2026-0042)');
      expect(text).toContain('This is an escalation.');
      expect(text).toContain('owned by ICE Center for Countering Human Trafficking');
    });

    it('names the agency that must act in an escalation, and how to reach it, as the console does', () => {
      const { text } = renderNotification({
        ...facts,
        kind: 'escalation',
        agencyName: 'Metro Task Force',
        actingAgency: { name: 'ICE CCHT Continued Presence Unit', email: 'cp-unit@ice.example' },
      });
      expect(text).toContain(
        'The step "Continued Presence decision", owned by ICE CCHT Continued Presence Unit, was due',
      );
      expect(text).toContain('Please follow up with ICE CCHT Continued Presence Unit: cp-unit@ice.example.');
    });

    it('says when the agency that must act has no notification address, so its reminders were never emailed', () => {
      const { text } = renderNotification({
        ...facts,
        kind: 'escalation',
        agencyName: 'Metro Task Force',
        actingAgency: { name: 'ICE West Field Office', email: null },
      });
      expect(text).toContain(
        'Please follow up with ICE West Field Office, which has no notification address: its reminders reach it in ' +
          'the console only, never by email.',
      );
    });

    it.each(['due', 'expiry_reminder', 'expired'] as const)('words a %s notice with its own subject', (kind) => {
      const { subject } = renderNotification({ ...facts, kind });
      expect(subject).toContain('Continued Presence decision');
      expect(subject).not.toMatch(/^Reminder:/);
    });

    it('says an end was corrected: the last day as corrected, and the one the earlier email named as wrong', () => {
      const corrected = { ...facts, kind: 'end_corrected' as const, timeZone: 'America/Chicago' };
      const grant = renderNotification({
        ...corrected,
        dueAt: '2027-01-20T00:00:00.000Z',
        was: '2026-12-20T00:00:00.000Z',
      });
      expect(grant.subject).toBe('Corrected: Continued Presence decision valid until 19 Jan 2027 (case RC-2026-0042)');
      expect(grant.text).toContain('"Continued Presence decision" granted: it is now valid until 19 Jan 2027.');
      expect(grant.text).toContain('The date of 19 Dec 2026 in our earlier email was wrong.');
      const benefits = renderNotification({
        ...corrected,
        stepKind: 'hhs_certification_letter',
        about: 'benefit_window',
        dueAt: '2027-03-01T00:00:00.000Z',
        was: '2027-02-01T00:00:00.000Z',
      });
      expect(benefits.subject).toBe(
        'Corrected: Refugee Cash and Medical Assistance end 28 Feb 2027 (case RC-2026-0042)',
      );
      expect(benefits.text).toContain('The date of 31 Jan 2027 in our earlier email was wrong.');
    });

    /** A due date a "Needed again" email named (1 May 2027), as its "Corrected" email is rendered. */
    const due = {
      ...facts,
      kind: 'end_corrected' as const,
      stepKind: 'cp_renewal_request',
      about: 'cp_renewal_request',
      was: '2027-05-02T00:00:00.000Z',
      raisedAt: '2026-12-05T12:00:00.000Z',
    };

    it('says a due date a "Needed again" email named was corrected: the deadline as corrected, overdue when it passed', () => {
      const earlier = renderNotification({ ...due, dueAt: '2027-04-11T00:00:00.000Z' });
      expect(earlier.subject).toBe(
        'Corrected: Continued Presence renewal request is now due 10 Apr 2027 (case RC-2026-0042)',
      );
      expect(earlier.text).toContain(
        'A correction of this case moved the deadline of "Continued Presence renewal request": it is now due 10 Apr ' +
          '2027. The date of 1 May 2027 in our earlier email was wrong. Make it by then, then record it on the case page.',
      );
      const overdue = renderNotification({ ...due, dueAt: '2025-12-02T00:00:00.000Z', endNow: 'ended' });
      expect(overdue.subject).toMatch(
        /^Corrected: Continued Presence renewal request is now due 1 Dec 2025, overdue since 2 Dec 2025 \(/,
      );
      expect(overdue.text).toContain('Make it now, then record it on the case page.');
    });

    it('says a due date a "Needed again" email named is no longer due, and sends an agency transferred away nowhere', () => {
      const gone = renderNotification({ ...due, dueAt: null });
      expect(gone.subject).toBe('Corrected: Continued Presence renewal request is no longer due (case RC-2026-0042)');
      expect(gone.text).toContain(
        'A correction of this case means "Continued Presence renewal request" is no longer due: the date of 1 May 2027 ' +
          'in our earlier email no longer applies. The case page shows what is owed now.',
      );
      const away = renderNotification({ ...due, dueAt: '2027-04-11T00:00:00.000Z', nowHeldBy: 'Metro Police' });
      expect(away.text).toContain('The date of 1 May 2027 in our earlier email was wrong.\n');
      expect(away.text).toContain('Date: 10 Apr 2027');
      expect(away.text).not.toContain('case page');
      expect(away.text).not.toContain('/cases/');
    });

    it('says a grant corrected to a refusal, or withdrawn, is gone: the end the earlier email named no longer applies', () => {
      const gone = { ...cpEndCorrected, dueAt: '2026-12-29T00:00:00.000Z' };
      const denied = renderNotification({ ...gone, endNow: 'refused', outcome: 'denied' });
      expect(denied.subject).toBe(
        'Corrected: Continued Presence decision is now recorded as denied (case RC-2026-0042)',
      );
      expect(denied.text).toContain(
        'A correction of this case recorded "Continued Presence decision" as denied: the validity until 28 Dec 2026 in ' +
          'our earlier email does not apply.',
      );
      expect(denied.text).not.toContain('valid until');
      const withdrawn = renderNotification({ ...gone, endNow: 'withdrawn' });
      expect(withdrawn.subject).toBe('Corrected: Continued Presence decision is now withdrawn (case RC-2026-0042)');
      expect(withdrawn.text).toContain(
        'A correction of this case withdrew "Continued Presence decision": the validity',
      );
    });

    it('says a grant corrected back after the earlier email told it denied is granted again, the denial no longer holding', () => {
      const again = {
        ...cpEndCorrected,
        dueAt: '2027-01-20T00:00:00.000Z',
        outcome: 'granted',
        refusedBefore: 'denied',
      };
      const told = renderNotification(again);
      expect(told.subject).toBe(
        'Corrected: Continued Presence decision granted again, valid until 19 Jan 2027 (case RC-2026-0042)',
      );
      expect(told.text).toContain(
        'After a correction of this case, "Continued Presence decision" is recorded as granted again, valid until 19 Jan ' +
          '2027: the denial in our earlier email no longer holds.',
      );
      expect(told.text).not.toContain('was wrong');
      // The case by its reference only, as every email: nothing of the survivor, and no link but the case page's.
      expect(told.text).toContain('Case reference: RC-2026-0042');
      expect(told.text).toContain('This message intentionally carries no personal details. Sign in to see the case.');
      expect(told.text.match(/https?:\/\/\S+/g)).toEqual(['https://relief.example.org/cases/case-123']);
      // A U certification's refusal is "declined": told as a refusal that no longer holds.
      const signed = renderNotification({
        ...again,
        stepKind: 'u_visa_certification',
        about: 'u_certification_window',
        outcome: 'signed',
        refusedBefore: 'declined',
      });
      expect(signed.text).toContain('is recorded as signed again, valid until 19 Jan 2027: the refusal in our earlier');
      // Granted again to an end already past: ended, with what its lapse means.
      const ended = renderNotification({ ...again, dueAt: '2026-12-02T00:00:00.000Z', endNow: 'ended' });
      expect(ended.subject).toBe(
        'Corrected: Continued Presence decision granted again, ended on 1 Dec 2026 (case RC-2026-0042)',
      );
      expect(ended.text).toContain('the denial in our earlier email no longer holds. Continued Presence has lapsed:');
    });

    it('says an end corrected into the past has ended, and what its lapse means as the "Expired" email says it', () => {
      const ended = { ...cpEndCorrected, dueAt: '2026-12-02T00:00:00.000Z', endNow: 'ended' as const };
      const told = renderNotification(ended);
      expect(told.subject).toBe('Corrected: Continued Presence decision ended on 1 Dec 2026 (case RC-2026-0042)');
      expect(told.text).toContain('"Continued Presence decision" granted: it ended on 1 Dec 2026.');
      expect(told.text).not.toContain('now valid until');
      const expired = renderNotification({ ...ended, kind: 'expired' });
      const means = expired.text.split('has expired. ')[1]!.split('\n')[0]!;
      expect(means).toMatch(/^Continued Presence has lapsed: the work authorization/);
      expect(told.text).toContain(means);
    });

    it('tells an agency transferred away of a corrected end with no link and no case page, naming who holds it now', () => {
      const corrected = {
        ...cpEndCorrected,
        agencyName: 'City Police (fictitious)',
        nowHeldBy: 'New City Police (fictitious)',
      };
      const told = [
        renderNotification({ ...corrected, dueAt: '2026-12-29T00:00:00.000Z', endNow: 'refused', outcome: 'denied' }),
        renderNotification({ ...corrected, dueAt: '2026-12-02T00:00:00.000Z', endNow: 'ended' }),
        renderNotification({ ...corrected, dueAt: '2027-01-20T00:00:00.000Z' }),
      ];
      expect(told.map((email) => email.subject)).toEqual([
        'Corrected: Continued Presence decision is now recorded as denied (case RC-2026-0042)',
        'Corrected: Continued Presence decision ended on 1 Dec 2026 (case RC-2026-0042)',
        'Corrected: Continued Presence decision valid until 19 Jan 2027 (case RC-2026-0042)',
      ]);
      for (const { text } of told) {
        expect(text).toContain(
          'Your agency no longer takes part in this case; New City Police (fictitious) does, and was told.',
        );
        expect(text).not.toContain('Open the case');
        expect(text).not.toContain('case page');
        expect(text).not.toContain('Sign in to see the case');
        expect(text).toContain('Case reference: RC-2026-0042');
      }
      expect(told[0]!.text).toContain('the validity until 28 Dec 2026 in our earlier email does not apply.');
      expect(told[1]!.text).toContain('Continued Presence has lapsed: the work authorization');
      // The agency still taking part reads the case page's sentence and its link, as before.
      const current = renderNotification({
        ...corrected,
        nowHeldBy: undefined,
        dueAt: '2026-12-02T00:00:00.000Z',
        endNow: 'ended',
      });
      expect(current.text).toContain('The case page shows what can be asked for again.');
      expect(current.text).toContain('Open the case: https://relief.example.org/cases/case-123');
      expect(current.text).not.toContain('no longer takes part');
    });

    it('says a step a correction withdrew is no longer needed, and names the corrected step only to whom may know of it', () => {
      const withdrawn = {
        ...facts,
        kind: 'step_withdrawn' as const,
        stepKind: 'hhs_certification_request',
        dueAt: null,
        corrected: { stepKind: 'cp_decision', by: 'ICE CCHT' },
      };
      const told = renderNotification(withdrawn);
      expect(told.subject).toBe('No longer needed: HHS certification request (case RC-2026-0042)');
      expect(told.text).toContain(
        'ICE CCHT corrected "Continued Presence decision": "HHS certification request" is withdrawn and needs nothing ' +
          'more from you. Documents added to it stay with the case.',
      );
      expect(told.text).not.toContain('Date:');
      const unnamed = renderNotification({ ...withdrawn, corrected: { by: 'The coordinator' } });
      expect(unnamed.text).toContain('The coordinator corrected a step of this case: "HHS certification request" is');
    });

    it('names a second request of the corrected step by its role, not as the corrected step withdrawn', () => {
      const withdrawnSecond = {
        ...facts,
        kind: 'step_withdrawn' as const,
        stepKind: 'u_visa_certification',
        dueAt: null,
        corrected: { stepKind: 'u_visa_certification', by: 'Demo City Police' },
        secondOf: 'lapsed' as const,
      };
      const told = renderNotification(withdrawnSecond);
      const label = 'U visa certification (Form I-918, Supplement B)';
      expect(told.subject).toBe(`No longer needed: the second ${label} (case RC-2026-0042)`);
      expect(told.text).toContain(
        `Demo City Police corrected the first "${label}" of this case, which stands as corrected: the second one, ` +
          'opened when the first lapsed, is withdrawn and needs nothing more from you.',
      );
      expect(told.text).toContain('A step the correction makes owed again is told in an email of its own.');
      expect(told.text).not.toContain(`"${label}" is withdrawn`);
      const askedAgain = renderNotification({ ...withdrawnSecond, secondOf: 'refused' });
      expect(askedAgain.text).toContain('the second one, asked for again when the first was refused, is withdrawn');
    });

    it('says a step a correction reopened is needed again, by when, or since when it is overdue', () => {
      const reopened = {
        ...facts,
        kind: 'step_reopened' as const,
        stepKind: 'hhs_certification_request',
        dueAt: '2026-11-24T12:00:00.000Z',
        again: true,
        raisedAt: '2026-12-05T10:00:00.000Z',
        corrected: { stepKind: 'cp_decision', by: 'ICE CCHT' },
      };
      const overdue = renderNotification(reopened);
      expect(overdue.subject).toBe(
        'Needed again: HHS certification request (case RC-2026-0042), due 24 Nov 2026, overdue since 12:00 UTC on 24 Nov 2026',
      );
      expect(overdue.text).toContain(
        'ICE CCHT corrected "Continued Presence decision": "HHS certification request" is needed again and already ' +
          'overdue (due 24 Nov 2026, overdue since 12:00 UTC on 24 Nov 2026). Any earlier email saying it was no longer needed or ' +
          'cancelled no longer holds. Make it now, then record it on the case page.',
      );
      const ahead = renderNotification({ ...reopened, dueAt: '2027-01-10T12:00:00.000Z', again: false });
      expect(ahead.subject).toBe('Now needed: HHS certification request (case RC-2026-0042), due 10 Jan 2027');
      expect(ahead.text).toContain('"HHS certification request" is now needed, due 10 Jan 2027. Make it by then');
      expect(ahead.text).toContain('Date: 10 Jan 2027');
      // Passed earlier on its own last day: the hour it passed, as the digest says it.
      const today = renderNotification({ ...reopened, dueAt: '2026-12-05T07:00:00.000Z' });
      expect(today.subject).toBe(
        'Needed again: HHS certification request (case RC-2026-0042), overdue since 07:00 UTC on 5 Dec 2026',
      );
    });

    it.each([
      // 03:00 UTC on 7 Dec is 13:00 on 7 Dec in Guam: 6 Dec has ended there, not in Hawaii or American Samoa.
      ['Pacific/Guam', '2026-12-07T03:00:00.000Z', '22:00 Guam time'],
      // 06:00 UTC on 7 Dec is 01:00 on 7 Dec in New York: 6 Dec has ended there, not in the West.
      ['America/New_York', '2026-12-07T06:00:00.000Z', '07:00 EST'],
    ])(
      'says a step due on a day overdue as the API does, once that day has ended everywhere in the US, not in %s alone',
      (timeZone, raisedAt, overdueAtThere) => {
        // A CP decision due on the day 6 Dec (counted from a typed day, `dueOnADay`: noon UTC of that day), reopened by
        // a correction after 6 Dec has ended where its reader works: the API calls it overdue only from noon UTC on 7 Dec
        // (domain/steps.ts `overdueFrom`), and so does its "Needed again" email, whenever it is read.
        const step = { kind: 'cp_decision', dueAt: '2026-12-06T12:00:00.000Z', dueOnADay: true };
        const reopened = {
          ...facts,
          kind: 'step_reopened' as const,
          stepKind: step.kind,
          dueAt: step.dueAt,
          dueOnADay: step.dueOnADay,
          timeZone,
          again: true,
          corrected: { stepKind: 'identification', by: 'The coordinator' },
        };
        expect(overdueFrom(step) < Date.parse(raisedAt)).toBe(false);
        const early = renderNotification({ ...reopened, raisedAt });
        // Its day over where it is read, not yet overdue: when it becomes so, in the console's words (web/labels.ts).
        const due = `due 6 Dec 2026 (overdue from ${overdueAtThere} on 7 Dec 2026, once 6 Dec 2026 has ended everywhere in the US)`;
        expect(early.subject).toBe(`Needed again: Continued Presence decision (case RC-2026-0042), ${due}`);
        expect(early.text).toContain(`"Continued Presence decision" is needed again, ${due}. `);
        expect(early.text).toContain('Make it by then, then record it on the case page.');
        expect(`${early.subject}\n${early.text}`).not.toContain('overdue since');
        // The transfer notice's list of the steps handed over says it alike (`dueWordsFor` beside its day).
        expect(dueWordsFor(step.dueAt, step.kind, timeZone, [], new Date(raisedAt), 'beside', true)).toBe(due);
        // Past noon UTC on 7 Dec, overdue for the API and the email alike.
        const late = '2026-12-07T12:30:00.000Z';
        expect(overdueFrom(step) < Date.parse(late)).toBe(true);
        const overdue = renderNotification({ ...reopened, raisedAt: late });
        expect(overdue.subject).toBe(
          'Needed again: Continued Presence decision (case RC-2026-0042), due 6 Dec 2026, overdue since 7 Dec 2026',
        );
        expect(overdue.text).toContain('Make it now, then record it on the case page.');
      },
    );

    it.each(['UTC', 'America/Chicago', 'Asia/Manila'])(
      'names the last day of a validity as "valid until", the same in every zone (%s)',
      (timeZone) => {
        // Valid until 31 Jan 2027: the validity ends at the start of 1 Feb (domain/dates.ts endOfDay).
        const ending = { ...facts, stepKind: 'cp_decision' as const, dueAt: '2027-02-01T00:00:00.000Z', timeZone };
        const reminder = renderNotification({ ...ending, kind: 'expiry_reminder' });
        expect(reminder.subject).toBe(
          'Expiring: Continued Presence decision valid until 31 Jan 2027 (case RC-2026-0042)',
        );
        expect(reminder.text).toContain('is valid until 31 Jan 2027.');
        const expired = renderNotification({ ...ending, kind: 'expired' });
        expect(expired.subject).toBe(
          'Expired: Continued Presence decision, valid until 31 Jan 2027 (case RC-2026-0042)',
        );
        expect(`${reminder.text}\n${expired.text}`).not.toContain('1 Feb 2027');
      },
    );

    const ENDED = {
      cp_validity: 'Continued Presence',
      t_status: 'T status',
      u_certification_window: stepLabel('u_visa_certification'),
      interim_letter: stepLabel('hhs_interim_letter'),
    } as const;
    it.each([
      ['cp_validity', 'cp_decision', 'Continued Presence has lapsed: the work authorization it gave ends'],
      ['t_status', 't_visa_decision', 'the survivor loses the path to permanent residence'],
      ['u_certification_window', 'u_visa_certification', 'a new certification request is open on the case page'],
      ['interim_letter', 'hhs_interim_letter', 'the assistance it gave ends until the eligibility letter is issued'],
    ] as const)('says what the end of %s means, to its owner and the coordinator alike', (about, stepKind, means) => {
      const ending = { ...facts, kind: 'expired' as const, about, stepKind, dueAt: '2027-02-01T00:00:00.000Z' };
      const { subject, text } = renderNotification({ ...ending, agencyName: 'Demo Task Force' });
      // Named by what ended, as the "Expiring" reminder names it (probe H5: "Expired: T visa decision" for T status).
      expect(subject).toBe(`Expired: ${ENDED[about]}, valid until 31 Jan 2027 (case RC-2026-0042)`);
      expect(text).toContain(`What "${stepLabel(stepKind)}" granted was valid until 31 Jan 2027 and has expired. `);
      expect(text).toContain(means);
    });

    // Valid until 20 Dec 2026, ending as 21 Dec begins. A CP grant's renewal request is due as the grant ends; an interim
    // letter's eligibility letter has a deadline of its own (HHS's working target), not the end it must come before.
    it.each([
      [
        'names the renewal request owed and its due date in a CP expiry reminder, when the case has one pending',
        'cp_decision',
        { stepKind: 'cp_renewal_request', dueAt: '2026-12-21T00:00:00.000Z' },
        'What "Continued Presence decision" granted is valid until 20 Dec 2026. The step "Continued Presence renewal ' +
          'request" is still owed: make it by 20 Dec 2026, then record it on the case page.',
      ],
      [
        "names in an interim letter's reminder the eligibility letter owed, or the letter's extension, by its end",
        'hhs_interim_letter',
        { stepKind: 'hhs_eligibility_letter', dueAt: '2027-01-30T12:00:00.000Z' },
        'What "HHS interim assistance letter" granted is valid until 20 Dec 2026. The step "HHS eligibility letter" is ' +
          'still owed: make it by 20 Dec 2026, or extend the interim letter if an extension is still allowed, then ' +
          'record it on the case page.',
      ],
    ])('%s', (_title, stepKind, owed: OwedStep, lead) => {
      const { subject, text } = renderNotification({
        ...facts,
        kind: 'expiry_reminder',
        stepKind,
        timeZone: 'America/Chicago',
        dueAt: '2026-12-21T00:00:00.000Z',
        owed: { [stepKind]: owed },
      });
      expect(subject).toBe(`Reminder: ${stepLabel(owed.stepKind)} due 20 Dec 2026 (case RC-2026-0042)`);
      expect(text).toContain(lead);
      expect(`${subject}\n${text}`).not.toMatch(/21 Dec|Act before then|30 Jan 2027/);
    });

    it("names what ends as an officer does, and the police's own step: the renewal request, T status", () => {
      const lead = { ...facts, kind: 'expiry_reminder' as const, dueAt: '2026-12-21T00:00:00.000Z' };
      const cp = renderNotification({
        ...lead,
        stepKind: 'cp_decision',
        about: 'cp_validity',
        owed: { cp_decision: { stepKind: 'cp_renewal_request', dueAt: '2026-12-21T00:00:00.000Z' } },
      });
      expect(cp.text).toContain('Continued Presence is valid until 20 Dec 2026. The step "Continued Presence renewal');
      expect(cp.text).toContain('Step: Continued Presence renewal request\n');
      expect(cp.text).not.toContain('Continued Presence decision');
      const t = renderNotification({ ...lead, stepKind: 't_visa_decision', about: 't_status' });
      expect(t.subject).toBe('Expiring: T status valid until 20 Dec 2026 (case RC-2026-0042)');
      expect(t.text).toContain('T status is valid until 20 Dec 2026.');
    });

    it('words an expiry lead in a notice of what passed as the live reminder does: the step owed, else the end', () => {
      const lead = (stepId: string, stepKind: string, about: string) => ({
        stepId,
        stepKind,
        kind: 'expiry_reminder' as const,
        about,
        date: '2026-12-20T00:00:00.000Z',
        at: '2026-08-22T00:00:00.000Z',
      });
      const notice = {
        ...facts,
        kind: 'passed_summary' as const,
        dueAt: null,
        passed: [
          lead('cp_decision-1', 'cp_decision', 'cp_validity'),
          lead('t_visa_decision-1', 't_visa_decision', 't_status'),
        ],
      };
      const owed = {
        cp_decision: { stepKind: 'cp_renewal_request', dueAt: '2026-12-20T00:00:00.000Z' },
        t_visa_decision: { stepKind: 't_visa_adjustment_filing', dueAt: '2026-12-20T00:00:00.000Z' },
      };
      const { text } = renderNotification({ ...notice, owed });
      expect(text).toContain(
        '- Reminder: Continued Presence renewal request, due 19 Dec 2026, would have been sent 22 Aug 2026',
      );
      expect(text).toContain(
        '- Reminder: Adjustment of status filing (Form I-485), due 19 Dec 2026, would have been sent 22 Aug 2026',
      );
      expect(text).not.toContain('Expiring:');
      const live = renderNotification({ ...facts, kind: 'expiry_reminder', dueAt: '2026-12-20T00:00:00.000Z', owed });
      expect(live.subject).toBe('Reminder: Continued Presence renewal request due 19 Dec 2026 (case RC-2026-0042)');
      // The session showed the renewal requested: the line names the end, as a reminder with nothing owed does.
      const done = renderNotification({ ...notice, owed: { t_visa_decision: owed.t_visa_decision } });
      expect(done.text).toContain('- Expiring: Continued Presence, valid until 19 Dec 2026, would have been sent');
    });

    it('does not date a passed CP lead by the renewal request a renewal opened, due when the renewed grant ends', () => {
      // Granted until 31 Mar 2027, renewal requested 6 Dec 2026 and granted until 31 Mar 2029, all entered after the
      // fact: the request pending now is the next cycle's, not the one the lead of 1 Dec 2026 reminded of.
      const { text } = renderNotification({
        ...facts,
        kind: 'passed_summary',
        dueAt: null,
        passed: [
          {
            stepId: 'cp_decision-1',
            stepKind: 'cp_decision',
            kind: 'expiry_reminder',
            about: 'cp_validity',
            date: '2027-04-01T00:00:00.000Z',
            at: '2026-12-01T00:00:00.000Z',
          },
        ],
        owed: { cp_decision: { stepKind: 'cp_renewal_request', dueAt: '2029-04-01T00:00:00.000Z' } },
      });
      expect(text).not.toContain('2029');
      expect(text).toContain(
        '- Expiring: Continued Presence, valid until 31 Mar 2027, would have been sent 1 Dec 2026',
      );
    });

    it("tells the police to notify HHS now and record it when a minor's 24 hours have passed", () => {
      const { subject, text } = renderNotification({
        ...facts,
        kind: 'due',
        stepKind: 'hhs_minor_notification',
        timeZone: 'America/Chicago',
        dueAt: '2026-12-05T07:25:00.000Z',
      });
      expect(subject).toBe('Deadline reached: notify HHS now (case RC-2026-0042)');
      expect(text).toContain('ended 5 Dec 2026, 01:25 CST and the step is still open. Notify HHS now, then record');
    });

    it('words the end of the benefits a certification letter opened as such, with their last day, never as the letter expiring', () => {
      const { subject, text } = renderNotification({
        ...facts,
        kind: 'expiry_reminder',
        stepKind: 'hhs_certification_letter',
        about: 'benefit_window',
        dueAt: '2027-04-04T00:00:00.000Z',
      });
      expect(subject).toBe('Benefits ending: Refugee Cash and Medical Assistance end 3 Apr 2027 (case RC-2026-0042)');
      expect(text).toContain('last until 3 Apr 2027. The letter itself does not expire');
      expect(`${subject}\n${text}`).not.toMatch(/valid until|renewed/);
    });

    it("words a minor's 18th-birthday warning as urgent, with no date (it would reveal the birth date) and no 'valid until'", () => {
      const { subject, text } = renderNotification({
        ...facts,
        kind: 'expiry_reminder',
        stepKind: 'hhs_minor_notification',
        about: 'minor_turns_18',
        dueAt: null,
      });
      expect(subject).toBe('Urgent: notify HHS before the minor turns 18 (case RC-2026-0042)');
      // True of a case entered after the birthday too, which gets this notice at once.
      expect(text).toContain('turns 18 soon, or already has');
      expect(text).toContain('must be made before the 18th birthday');
      expect(text).toContain("for those who may read the survivor's identity");
      expect(`${subject}\n${text}`).not.toMatch(/\d{4}-\d{2}-\d{2}|valid until|Date:/);
    });

    it('lists in one notice the reminders that passed before a case was brought up to date, a birthday one without its date', () => {
      const { subject, text } = renderNotification({
        ...facts,
        kind: 'passed_summary',
        dueAt: null,
        passed: [
          {
            stepId: 'cp_request-1',
            stepKind: 'cp_request',
            kind: 'due',
            about: 'cp_request',
            date: '2025-11-17T14:30:00.000Z',
          },
          {
            stepId: 'cp_request-1',
            stepKind: 'cp_request',
            kind: 'due',
            about: 'cp_request',
            date: '2025-11-17T14:30:00.000Z',
          },
          {
            stepId: 'hhs_minor_notification-1',
            stepKind: 'hhs_minor_notification',
            kind: 'expiry_reminder',
            about: 'minor_turns_18',
            date: null,
          },
        ],
      });
      // Alarms listed before they said when they would have been sent read the same: listed, and counted, once.
      // The birthday still ahead is the one thing to do, and urgently: its subject and first words say so.
      expect(subject).toBe(
        'Urgent: notify HHS before the minor turns 18; brought up to date: 2 reminders not sent (case RC-2026-0042)',
      );
      expect(text.split('\n')[2]).toMatch(/^Urgent: in this case a minor turns 18 soon and HHS has not been notified/);
      expect(text.match(/- Deadline reached: Continued Presence request/g)).toHaveLength(1);
      expect(text).toContain('- Deadline reached: Continued Presence request, due 17 Nov 2025');
      expect(text).toContain(
        '- Urgent before the minor turns 18: HHS notification of a minor (24 hours), date on the case page',
      );
      expect(text).not.toContain('Step:');
    });

    it('tells two reminders of one step apart by the day each would have been sent, and counts every line it lists', () => {
      const filing = { stepId: 't_visa_filing-1', stepKind: 't_visa_filing', about: 't_visa_filing' } as const;
      const due = '2026-12-01T00:00:00.000Z';
      const { subject, text } = renderNotification({
        ...facts,
        kind: 'passed_summary',
        dueAt: null,
        timeZone: 'America/New_York',
        passed: [
          { ...filing, kind: 'reminder', date: due, at: '2026-10-31T00:00:00.000Z' },
          { ...filing, kind: 'reminder', date: due, at: '2026-11-24T00:00:00.000Z' },
          { ...filing, kind: 'due', date: due, at: due },
          {
            stepId: 'hhs_minor_notification-1',
            stepKind: 'hhs_minor_notification',
            kind: 'reminder',
            about: 'hhs_minor_notification',
            date: '2026-11-10T15:00:00.000Z',
            at: '2026-11-10T03:00:00.000Z',
          },
          {
            stepId: 'hhs_minor_notification-1',
            stepKind: 'hhs_minor_notification',
            kind: 'expiry_reminder',
            about: 'minor_turns_18',
            date: null,
            at: '2026-11-10T03:00:00.000Z',
          },
        ],
      });
      const lines = text.split('\n').filter((line) => line.startsWith('- '));
      expect(lines).toEqual([
        '- Reminder: T visa application filing (Form I-914), due 30 Nov 2026, would have been sent 30 Oct 2026',
        '- Reminder: T visa application filing (Form I-914), due 30 Nov 2026, would have been sent 23 Nov 2026',
        '- Deadline reached: T visa application filing (Form I-914), due 30 Nov 2026, would have been sent 30 Nov 2026',
        '- Reminder: HHS notification of a minor (24 hours), due 10 Nov 2026, 10:00 EST, would have been sent 9 Nov 2026, 22:00 EST',
        // When a birthday reminder would have gone out follows from the birth date: not said.
        '- Urgent before the minor turns 18: HHS notification of a minor (24 hours), date on the case page',
      ]);
      expect(subject).toBe(
        `Urgent: notify HHS before the minor turns 18; brought up to date: ${lines.length} reminders not sent (case RC-2026-0042)`,
      );
    });

    it("writes dates as the recipient's calendar reads them, and the hour of a minor's 24-hour notice", () => {
      // 02:00 UTC on 24 Nov is still 23 Nov in Chicago (UTC-6).
      const late = { ...facts, dueAt: '2026-11-24T02:00:00.000Z' };
      expect(renderNotification({ ...late, timeZone: 'America/Chicago' }).subject).toContain('due 23 Nov 2026 ');
      expect(renderNotification(late).subject).toContain('due 24 Nov 2026 ');
      const notice = renderNotification({ ...late, stepKind: 'hhs_minor_notification', timeZone: 'America/Chicago' });
      expect(notice.text).toContain('Date: 23 Nov 2026, 20:00 CST');
    });

    it("names the police's last day to act in the task force's email too, whatever zone each works in", () => {
      // Counted from an identification entered by its date: due at Chicago's midnight that ends 4 Dec (probe K5).
      const request = { ...facts, stepKind: 'cp_request', dueAt: '2026-12-05T06:00:00.000Z' };
      const deadlineZones = ['America/Chicago', 'America/New_York', 'Pacific/Guam'];
      for (const timeZone of deadlineZones) {
        for (const kind of ['reminder', 'due', 'escalation'] as const) {
          expect(renderNotification({ ...request, kind, timeZone, deadlineZones }).text).toContain(
            'Date: 4 Dec 2026\n',
          );
        }
      }
    });

    it('names a failing "Brought up to date" email as such, not as an email about the step its first reminder was of', () => {
      const failing = { ...facts, kind: 'delivery_failing' as const, failedRecipient: 'demo-advocate' };
      const single = renderNotification(failing);
      expect(single.subject).toBe('Email not delivered: Continued Presence decision (case RC-2026-0042)');
      const gathered = renderNotification({ ...failing, failedKind: 'passed_summary' });
      expect(gathered.subject).toBe('Email not delivered: Brought up to date (case RC-2026-0042)');
      expect(gathered.text).toContain(
        'The "Brought up to date" email listing this case to demo-advocate has failed since 23 Nov 2026',
      );
      expect(gathered.text).not.toContain('Continued Presence decision');
    });

    it('labels unknown step kinds in plain words and escapes the case id in links', () => {
      expect(stepLabel('benefit_window')).toBe('Benefit window');
      expect(caseLink('https://relief.example.org', 'a/b')).toBe('https://relief.example.org/cases/a%2Fb');
    });
  });

  describe('renderPassedNotices', () => {
    /** A notice of what passed as its outbox row keeps it. */
    const noticeOf = (reference: string, caseId: string, passed: NonNullable<NotificationFacts['passed']>) => {
      const { subject, text } = renderNotification({
        ...facts,
        caseId,
        reference,
        kind: 'passed_summary',
        dueAt: null,
        passed,
      });
      return { reference, subject, bodyText: text };
    };
    const notice = (reference: string, caseId: string, dates: string[]) =>
      noticeOf(
        reference,
        caseId,
        dates.map((date) => ({
          stepId: 'cp_request-1',
          stepKind: 'cp_request',
          kind: 'due',
          about: 'cp_request',
          date,
        })),
      );
    const one = notice('RC-2026-0001', 'case-1', ['2025-11-17T14:30:00.000Z']);
    const two = notice('RC-2026-0002', 'case-2', ['2025-11-17T14:30:00.000Z', '2025-12-17T14:30:00.000Z']);
    /** A notice of what passed whose minor turns 18 soon with HHS not asked: urgent. */
    const urgentNotice = (reference: string, caseId: string) =>
      noticeOf(reference, caseId, [
        {
          stepId: 'hhs_minor_notification-1',
          stepKind: 'hhs_minor_notification',
          kind: 'reminder',
          about: 'minor_turns_18',
          date: null,
        },
      ]);

    it('sends a single notice as it reads on its own', () => {
      expect(renderPassedNotices('Task force', [one])).toEqual({ subject: one.subject, text: one.bodyText });
    });

    it('lists several cases in one email, each as its own notice lists it, and counts cases and reminders', () => {
      const { subject, text } = renderPassedNotices('Task force', [one, two]);
      expect(subject).toBe('Brought up to date: 2 cases, 3 reminders not sent');
      expect(text.match(/^To: /gm)).toEqual(['To: ']);
      expect(text).toContain('Case reference: RC-2026-0001');
      expect(text).toContain('Open the case: https://relief.example.org/cases/case-2');
      expect(text.match(/^- Deadline reached: Continued Presence request/gm)).toHaveLength(3);
    });

    it('says first, in a gathered email and in a digest line, which cases have a minor turning 18 with HHS not asked', () => {
      const urgent = urgentNotice('RC-2026-0003', 'case-3');
      const { subject, text } = renderPassedNotices('Demo City Police', [one, urgent, two]);
      expect(subject).toBe(
        'Urgent: notify HHS before the minor turns 18; brought up to date: 3 cases, 4 reminders not sent',
      );
      expect(text.split('\n')[2]).toBe(
        'Urgent: in case RC-2026-0003 a minor turns 18 soon and HHS has not been notified. Make the request for HHS ' +
          'assistance now: the date is on the case page.',
      );
      expect(passedNoticeDigestLine(urgent)).toBe(
        '- RC-2026-0003: 1 reminder not sent (urgent: notify HHS before the minor turns 18), https://relief.example.org/cases/case-3',
      );
    });

    it('lists at most EMAIL_LISTED cases of a caseload brought in at one go, the urgent among them, and counts the rest (probe Q5)', () => {
      const many = Array.from({ length: EMAIL_LISTED + 7 }, (_, n) =>
        notice(`RC-2026-${String(n).padStart(4, '0')}`, `case-${n}`, ['2025-11-17T14:30:00.000Z']),
      );
      const urgent = urgentNotice('RC-2026-URGENT', 'case-urgent');
      // The urgent one last: it is listed all the same, and the last of the others is not.
      const { subject, text } = renderPassedNotices('Demo City Police', [...many, urgent]);
      expect(subject).toBe(
        `Urgent: notify HHS before the minor turns 18; brought up to date: ${EMAIL_LISTED + 8} cases, ${EMAIL_LISTED + 8} reminders not sent`,
      );
      expect(text).toContain(`These ${EMAIL_LISTED + 8} cases were entered or updated`);
      expect(text.match(/^Case reference: /gm)).toHaveLength(EMAIL_LISTED);
      expect(text).toContain('Case reference: RC-2026-URGENT');
      expect(text).toContain('Case reference: RC-2026-0000');
      expect(text).not.toContain(`Case reference: RC-2026-${String(EMAIL_LISTED - 1).padStart(4, '0')}`);
      expect(text).toContain(
        "8 more cases brought up to date are not listed here: the console's dashboard lists the newest, and each " +
          "case's timeline what had passed.",
      );
    });

    it('gives a digest one line per case: its reference, how many reminders were not sent, and its link', () => {
      expect(passedNoticeDigestLine(two)).toBe(
        '- RC-2026-0002: 2 reminders not sent, https://relief.example.org/cases/case-2',
      );
    });
  });

  describe('passedNoticeWithoutBirthday', () => {
    const minorNotice = { stepId: 'hhs_minor_notification-1', stepKind: 'hhs_minor_notification' } as const;
    const noticeOf = (passed: NonNullable<NotificationFacts['passed']>) => {
      const { subject, text } = renderNotification({ ...facts, kind: 'passed_summary', dueAt: null, passed });
      return { reference: facts.reference, subject, bodyText: text };
    };
    const declaration = {
      stepId: 'le_declaration-1',
      stepKind: 'le_declaration',
      about: 'le_declaration',
      date: '2026-10-01T12:00:00.000Z',
    } as const;
    const reminder = { ...declaration, kind: 'reminder', at: '2026-09-24T12:00:00.000Z' } as const;
    const due = { ...declaration, kind: 'due', at: '2026-10-02T12:00:00.000Z' } as const;
    const ahead = { ...minorNotice, kind: 'expiry_reminder', about: 'minor_turns_18', date: null } as const;
    const passed = { ...minorNotice, kind: 'expired', about: 'minor_turns_18', date: null } as const;

    it("leaves out a minor's birthday, ahead or passed, with the urgency it gave the subject and the first words", () => {
      const urgent = noticeOf([reminder, ahead, due]);
      expect(urgent.subject).toMatch(/^Urgent: notify HHS before the minor turns 18; brought up to date: 3 reminders/);
      const shown = passedNoticeWithoutBirthday(urgent)!;
      expect(shown.subject).toBe('Brought up to date: 2 reminders not sent (case RC-2026-0042)');
      expect(shown.bodyText).toBe(noticeOf([reminder, due]).bodyText);
      expect(passedNoticeWithoutBirthday(noticeOf([reminder, passed]))).toEqual(noticeOf([reminder]));
    });

    it('answers a notice with no birthday as it is, and none for one that lists only a birthday', () => {
      const plain = noticeOf([reminder, due]);
      expect(passedNoticeWithoutBirthday(plain)).toBe(plain);
      expect(passedNoticeWithoutBirthday(noticeOf([ahead]))).toBeNull();
      expect(passedNoticeWithoutBirthday(noticeOf([passed]))).toBeNull();
    });
  });
});
