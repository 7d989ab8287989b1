import { alarms } from '../../../domain/alarms';
import {
  closeCase,
  eighteenthBirthday,
  minorTurns18OnFor,
  openCase,
  validateCloseCase,
  validateOpenCase,
  validateClose,
  applyClose,
  snapshotOf,
} from '../../../domain/case';
import { ageOn } from '../../../domain/dates';
import { DEFAULT_POLICY } from '../../../domain/policy';
import { AGENCIES, actorOf, noon, openAdult, openMinor, refusal, sign } from '../case-fixtures';

describe('case-lifecycle', () => {
  const NOW = noon('2026-02-01');

  describe('opening a case', () => {
    const input = {
      caseId: 'case-9',
      reference: 'RC-9',
      identifiedAt: '2026-01-05T08:00:00Z',
      minorTurns18On: null,
      agencies: AGENCIES,
      usesUVisa: false,
    };

    it('accepts references and agency ids, and refuses anything else (no personal data rides along)', () => {
      expect(validateOpenCase(input, NOW)).toBeNull();
      // Refused without repeating the key, which is no typo of a field the opening takes (domain/unknown-names.ts).
      expect(validateOpenCase({ ...input, survivorName: 'someone' }, NOW)).toEqual({
        code: 'invalid_details',
        message: 'an unknown field (its name is not repeated: it may be text about a person)',
      });
      expect(validateOpenCase({ ...input, usesUVsa: true }, NOW)).toEqual({
        code: 'invalid_details',
        field: 'usesUVsa',
        message: 'unknown field',
      });
      expect(validateOpenCase({ ...input, agencies: { ...AGENCIES, ice: '' } }, NOW)).toMatchObject({
        field: 'agencies.ice',
      });
    });

    it('refuses an identification in the future and a minor whose 18th birthday already passed', () => {
      expect(validateOpenCase({ ...input, identifiedAt: '2026-03-01T00:00:00Z' }, NOW)).toMatchObject({
        code: 'date_order',
        field: 'identifiedAt',
      });
      expect(validateOpenCase({ ...input, minorTurns18On: '2026-01-05' }, NOW)).toMatchObject({
        code: 'date_order',
        field: 'minorTurns18On',
      });
      expect(validateOpenCase({ ...input, path: 'minor' }, NOW)).toMatchObject({
        code: 'invalid_details',
        field: 'path',
      });
    });

    it("decides the path on the identification's local day, which the API gives, and records that day", () => {
      // 2026-01-05T02:00Z is still the 4th in Chicago: a person turning 18 on the 5th was identified a minor.
      const evening = {
        ...input,
        identifiedAt: '2026-01-05T02:00:00Z',
        identifiedOn: '2026-01-04',
        minorTurns18On: '2026-01-05',
      };
      expect(validateOpenCase(evening, NOW)).toBeNull();
      const state = openCase(evening, NOW);
      expect(state.path).toBe('minor');
      expect(state.steps.find((step) => step.id === 'identification-1')?.details).toEqual({
        identifiedOn: '2026-01-04',
        path: 'minor',
      });
      expect(validateOpenCase({ ...evening, identifiedOn: '2026-01-05' }, NOW)).toMatchObject({
        code: 'date_order',
        field: 'minorTurns18On',
      });
      // No zone is more than a day from UTC.
      expect(validateOpenCase({ ...input, identifiedOn: '2026-01-06' }, NOW)).toBeNull();
      expect(validateOpenCase({ ...input, identifiedOn: '2026-01-07' }, NOW)).toMatchObject({
        code: 'date_order',
        field: 'identifiedOn',
      });
      expect(validateOpenCase({ ...input, identifiedOn: '2026-01-03' }, NOW)).toMatchObject({
        code: 'date_order',
        field: 'identifiedOn',
      });
      // Cases started before the day was given keep the UTC day.
      expect(openCase(input, NOW).steps.find((step) => step.id === 'identification-1')?.details).toEqual({
        identifiedOn: '2026-01-05',
        path: 'adult',
      });
    });

    it('age at identification picks the path; the birth date itself never enters the case', () => {
      expect(minorTurns18OnFor('2008-09-01', '2026-01-05')).toBe('2026-09-01');
      expect(minorTurns18OnFor('2008-01-05', '2026-01-05')).toBeNull();
      expect(ageOn('2008-01-05', '2026-01-04')).toBe(17);
      expect(ageOn('2008-01-05', '2026-01-05')).toBe(18);
      const minor = openCase({ ...input, minorTurns18On: minorTurns18OnFor('2008-09-01', '2026-01-05') }, NOW);
      expect(minor.path).toBe('minor');
      expect(JSON.stringify(minor)).not.toContain('2008-09-01');
      expect(openCase(input, NOW).path).toBe('adult');
    });

    it('one born on 29 February turns 18 on 1 March in a common year, as ageOn counts it', () => {
      expect(eighteenthBirthday('2008-02-29')).toBe('2026-03-01');
      expect(ageOn('2008-02-29', '2026-02-28')).toBe(17);
      expect(ageOn('2008-02-29', '2026-03-01')).toBe(18);
      // Still 17 on 28 February: the minor path, with HHS's 24-hour notice.
      expect(minorTurns18OnFor('2008-02-29', '2026-02-28')).toBe('2026-03-01');
      expect(minorTurns18OnFor('2008-02-29', '2026-03-01')).toBeNull();
      // Eighteen years after a leap year is never one; the days around it keep their own date.
      expect(eighteenthBirthday('2008-02-28')).toBe('2026-02-28');
      expect(eighteenthBirthday('2008-03-01')).toBe('2026-03-01');
    });

    it('captures the policy and starts the timeline and version', () => {
      const state = openAdult();
      expect(state.policy).toBe(DEFAULT_POLICY);
      expect(state.version).toBe(1);
      expect(state.timeline[0]).toMatchObject({ seq: 1, type: 'case.opened' });
      expect(state.timeline.map((e) => e.seq)).toEqual(state.timeline.map((_, i) => i + 1));
      expect(state.identifiedAt).toBe('2026-01-05T08:00:00.000Z');
    });

    it('is deterministic: same input and now give the same state', () => {
      expect(openMinor()).toEqual(openMinor());
    });
  });

  describe('closing a case', () => {
    it('only the case coordinator may close or withdraw', () => {
      const state = openAdult();
      expect(
        validateCloseCase(state, { status: 'closed', reason: 'relief_obtained' }, actorOf('law_enforcement')),
      ).toMatchObject({ code: 'wrong_agency_kind' });
      expect(
        validateCloseCase(
          state,
          { status: 'closed', reason: 'relief_obtained' },
          actorOf('coordinator', 'agency-other'),
        ),
      ).toMatchObject({ code: 'wrong_agency' });
      expect(
        validateCloseCase(state, { status: 'closed', reason: 'Closed: the person moved away' }, actorOf('coordinator')),
      ).toMatchObject({
        code: 'invalid_details',
        field: 'reason',
      });
      expect(
        validateCloseCase(state, { status: 'withdrawn', reason: 'survivor_withdrew' }, actorOf('coordinator')),
      ).toBeNull();
    });

    it('cancels every pending step, stops every alarm and refuses further sign-offs', () => {
      const open = sign(
        openAdult({ usesUVisa: true }),
        'cp_request-1',
        'requested',
        { requestedOn: '2026-01-06' },
        noon('2026-01-06'),
      );
      const closed = closeCase(open, { status: 'withdrawn', reason: 'survivor_request' }, actorOf('coordinator'), NOW);
      expect(closed).toMatchObject({ status: 'withdrawn', closedAt: NOW, version: open.version + 1 });
      expect(closed.steps.filter((s) => s.status === 'pending')).toEqual([]);
      expect(alarms(closed)).toEqual([]);
      expect(closed.timeline.at(-1)).toMatchObject({
        type: 'case.withdrawn',
        actorAgencyId: 'agency-coord',
        summary: 'case withdrawn (survivor_request)',
      });
      expect(refusal(closed, 'cp_decision-1', 'granted', { validUntil: '2027-01-01' }, NOW)).toMatchObject({
        code: 'case_not_open',
      });
      expect(validateCloseCase(closed, { status: 'closed', reason: 'again' }, actorOf('coordinator'))).toMatchObject({
        code: 'case_not_open',
      });
    });

    it('offers the same in the shape of the workflow command', () => {
      const command = { status: 'closed' as const, reason: 'relief_obtained', actor: actorOf('coordinator') };
      expect(validateClose(openAdult(), command, NOW)).toBeNull();
      expect(applyClose(openAdult(), command, NOW).status).toBe('closed');
    });

    it('snapshots the state for the read model with the policy version', () => {
      const snapshot = snapshotOf(openAdult());
      expect(snapshot).toMatchObject({
        caseId: 'case-1',
        policyVersion: DEFAULT_POLICY.version,
        closedAt: null,
        version: 1,
      });
      expect(snapshot).not.toHaveProperty('policy');
    });
  });

  describe('who may open a case', () => {
    const input = {
      caseId: 'case-open-rule',
      reference: 'RC-2026-0099',
      identifiedAt: '2026-01-05T08:00:00.000Z',
      minorTurns18On: null,
      agencies: AGENCIES,
      usesUVisa: false,
    };
    test('law enforcement and a coordinator may; an advocate may not', () => {
      expect(validateOpenCase({ ...input, openedBy: actorOf('law_enforcement') }, noon('2026-01-05'))).toBeNull();
      expect(validateOpenCase({ ...input, openedBy: actorOf('coordinator') }, noon('2026-01-05'))).toBeNull();
      const refused = validateOpenCase({ ...input, openedBy: actorOf('advocate') }, noon('2026-01-05'));
      expect(refused).toMatchObject({ code: 'wrong_agency_kind' });
      expect(refused).not.toHaveProperty('field');
      // The kinds in words, never their codes (law_enforcement).
      expect(refused?.message).toBe(
        'a case is opened by law enforcement or the coordinator, not the attorney or advocate',
      );
    });
  });
});
