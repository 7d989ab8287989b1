/**
 * A correction in the case timeline reads in the sign-off form's words (probe K11): the outcomes as the form names
 * them, each detail by its field's label, a reason by its list's words, dates as days and "none" as "not given".
 */
import { wordsFor } from '../../web/labels';
import { timelineOf } from '../../web/timeline';

const words = wordsFor('UTC', new Date('2026-12-04T12:00:00.000Z'), []);

const declaration = {
  id: 'le_declaration-1',
  kind: 'le_declaration',
  agencyId: null,
  agencyKind: 'law_enforcement',
  details: {},
};

test('a corrected sign-off names its outcomes, fields and reason in words, never in codes', () => {
  const [line] = timelineOf(
    [
      {
        seq: 1,
        at: '2026-12-04T10:00:00.000Z',
        type: 'step.corrected',
        stepId: declaration.id,
        actorAgencyId: null,
        summary:
          'le_declaration-1 corrected by law_enforcement: outcome signed → declined; signedOn 2026-07-15 → none; ' +
          'reason none → investigation_closed; decidedOn none → 2026-07-15; note replaced (reason kept with the step)',
      },
    ],
    [declaration],
    words,
  );
  expect(line?.sentence).toBe(
    'Law-enforcement declaration (Form I-914, Supplement B): sign-off corrected (outcome signed → declined; ' +
      'signed on 15 Jul 2026 → not given; reason not given → The agency is no longer investigating; ' +
      'decided on not given → 15 Jul 2026; note replaced).',
  );
});

const passed = (stepId: string, summary: string) => ({
  seq: 1,
  at: '2026-12-04T10:00:00.000Z',
  type: 'alarm.passed',
  stepId,
  actorAgencyId: null,
  summary: `${summary} fell before it was recorded: not sent, listed in one notice to the coordinator unless the step was done in time`,
});

test("a passed reminder of a window's end says what ends and when, not the step signed long before", () => {
  const grant = {
    id: 'cp_decision-1',
    kind: 'cp_decision',
    agencyId: null,
    agencyKind: 'ice',
    details: {},
    expiresAt: '2027-01-16T00:00:00.000Z',
  };
  const letter = {
    id: 'hhs_certification_letter-1',
    kind: 'hhs_certification_letter',
    agencyId: null,
    agencyKind: 'hhs',
    details: { benefitEndsOn: '2026-02-20' },
  };
  const request = {
    id: 'cp_request-1',
    kind: 'cp_request',
    agencyId: null,
    agencyKind: 'law_enforcement',
    details: {},
  };
  const sentences = timelineOf(
    [
      passed(grant.id, 'expiry_reminder (cp_validity) for cp_decision-1'),
      passed(grant.id, 'expired (cp_validity) for cp_decision-1'),
      passed(letter.id, 'expiry_reminder (benefit_window) for hhs_certification_letter-1'),
      passed(request.id, 'reminder (cp_request) for cp_request-1'),
    ],
    [grant, letter, request],
    words,
  ).map((line) => line.sentence);
  expect(sentences).toEqual([
    'Continued Presence validity ends 15 Jan 2027: a reminder fell before the case was brought up to date; not sent, ' +
      'listed in one notice to the coordinator.',
    'Continued Presence validity ends 15 Jan 2027: the notice of its end fell before the case was brought up to ' +
      'date; not sent, listed in one notice to the coordinator.',
    'Benefit window ends 20 Feb 2026: a reminder fell before the case was brought up to date; not sent, listed in ' +
      'one notice to the coordinator.',
    // A step's own reminder is listed only if the step was not done in time.
    'Continued Presence request: a reminder fell before the case was brought up to date; not sent, listed in one ' +
      'notice to the coordinator unless the step was done in time.',
  ]);
});
