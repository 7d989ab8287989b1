/**
 * "Where the case stands" says why a step was cancelled, as the timeline does ("cancelled: Continued Presence expired
 * before a renewal was requested"), where it said only "cancelled".
 */
import { standingOf } from '../../../web/case-standing';
import { wordsFor } from '../../../web/labels';
import { endReasons, timelineOf } from '../../../web/timeline';

describe('standing-cancelled', () => {
  const words = wordsFor('UTC', new Date('2026-12-06T12:00:00.000Z'), []);

  const renewal = {
    id: 'cp_renewal_request-1',
    kind: 'cp_renewal_request',
    track: 'continued_presence',
    agencyId: 'demo-police',
    agencyKind: 'law_enforcement',
    status: 'cancelled',
    dueAt: null,
    expiresAt: null,
    completedAt: '2026-12-01T00:00:00.000Z',
    outcome: null,
    details: {},
  };
  const entries = [
    {
      seq: 9,
      at: '2026-12-01T00:00:00.000Z',
      type: 'step.cancelled',
      stepId: renewal.id,
      actorAgencyId: null,
      summary: 'cp_renewal_request-1 cancelled: Continued Presence expired before a renewal was requested',
    },
  ];

  test("a cancelled step's line in the track summary gives the reason its timeline entry gives", () => {
    const [standing] = standingOf([renewal], ['continued_presence'], words, endReasons(entries, [renewal], words));
    const reason = 'Continued Presence expired before a renewal was requested';
    expect(standing?.done.map((line) => line.what)).toEqual([
      `Continued Presence renewal request: cancelled: ${reason}`,
    ]);
    expect(timelineOf(entries, [renewal], words)[0]?.sentence).toContain(`cancelled: ${reason}.`);
  });
});
