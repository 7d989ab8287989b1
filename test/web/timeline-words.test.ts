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
    'Law-enforcement declaration (Form I-914, Supplement B): sign-off corrected (outcome Signed → Declined; ' +
      'signed on 15 Jul 2026 → not given; reason not given → The agency is no longer investigating; ' +
      'decided on not given → 15 Jul 2026; note replaced).',
  );
});
