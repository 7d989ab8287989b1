/**
 * The timeline says to whom each alarm's notice went. A CP grant's lapse is told to the police and to the coordinator
 * at the same moment (two alarms, two emails): the coordinator's and ICE's timeline read "Expired: Continued Presence
 * validity (Continued Presence decision) (notice raised)." twice, one line the same as the other, and an escalation
 * did not say it reached the coordinator (probe H5). Each names the agency that held the role then, a transfer since
 * included.
 */
import { wordsFor } from '../../../web/labels';
import { timelineOf } from '../../../web/timeline';

describe('alarm-recipients', () => {
  const asRead = (line: { sentence: string }) => line.sentence.replace(/[\u2068\u2069]/gu, '');
  const AGENCIES = [
    { id: 'demo-police', name: 'Demo City Police', email: null },
    { id: 'new-police', name: 'New Town Police', email: null },
    { id: 'demo-task-force', name: 'Demo Task Force', email: null },
  ];
  const words = wordsFor('UTC', new Date('2029-01-06T12:00:00.000Z'), AGENCIES);
  const agencies = {
    law_enforcement: 'new-police',
    ice: 'demo-ice',
    hhs: 'demo-hhs',
    advocate: 'demo-advocates',
    coordinator: 'demo-task-force',
  };
  const grant = {
    id: 'cp_decision-1',
    kind: 'cp_decision',
    agencyId: 'demo-ice',
    agencyKind: 'ice',
    status: 'expired',
    expiresAt: '2028-12-07T00:00:00.000Z',
    details: {},
  };
  const request = {
    ...grant,
    id: 'cp_request-1',
    kind: 'cp_request',
    agencyId: 'new-police',
    agencyKind: 'law_enforcement',
  };
  const entry = (seq: number, type: string, stepId: string, summary: string) => ({
    seq,
    at: `2028-12-07T12:00:00.0${seq}0Z`,
    type,
    stepId,
    actorAgencyId: null,
    summary,
  });

  test('a lapse told to its owner and the coordinator reads as two notices, each naming the agency that got it', () => {
    const lines = timelineOf(
      [
        entry(
          1,
          'alarm.escalation',
          request.id,
          'escalation (cp_request) for cp_request-1 raised for coordinator supervisor',
        ),
        entry(2, 'alarm.expired', grant.id, 'expired (cp_validity) for cp_decision-1 raised for law_enforcement'),
        entry(3, 'alarm.expired', grant.id, 'expired (cp_validity) for cp_decision-1 raised for coordinator'),
        // The police agency moved after the lapse: the notice went to the one that held the role then.
        entry(
          4,
          'case.transferred',
          '',
          'law_enforcement transferred from demo-police to new-police (moved_jurisdiction)',
        ),
      ],
      [grant, request],
      words,
      agencies,
    )
      .map(asRead)
      .filter((line) => line.includes('notice'));
    expect(lines).toEqual([
      'Expired: Continued Presence validity (Continued Presence decision) (notice to Demo Task Force).',
      'Expired: Continued Presence validity (Continued Presence decision) (notice to Demo City Police).',
      'Escalation: Continued Presence request (notice to Demo Task Force).',
    ]);
  });
});
