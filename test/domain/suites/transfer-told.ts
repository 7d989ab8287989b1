/**
 * A transfer on a case with `transfersToldByOutbox` leaves what its emails say for the workflow to record in the
 * outbox (workflows/case-workflow.ts); a case recorded before it leaves nothing, as it ran.
 */
import { applyTransfer, type TransferCommand } from '../../../domain/case';
import type { CaseState } from '../../../domain/case-state';
import { actorOf, noon, openAdult } from '../case-fixtures';

describe('transfer-told', () => {
  const toNewPolice = (state: CaseState): CaseState => {
    const command: TransferCommand = {
      agencyKind: 'law_enforcement',
      toAgencyId: 'agency-le-2',
      reason: 'moved_jurisdiction',
      actor: actorOf('coordinator'),
    };
    return applyTransfer(state, command, noon('2026-01-07'));
  };

  test('a transfer is kept to be told: who handed what to whom, and the steps taken over with their due dates', () => {
    const transferred = toNewPolice({ ...openAdult(), transfersToldByOutbox: true });
    const handedOver = transferred.steps.filter((step) => step.status === 'pending' && step.agencyId === 'agency-le-2');
    expect(handedOver.length).toBeGreaterThan(0);
    expect(transferred.transfersToTell).toEqual([
      {
        seq: transferred.timeline.length,
        agencyKind: 'law_enforcement',
        fromAgencyId: 'agency-le',
        toAgencyId: 'agency-le-2',
        by: { userId: 'user-coordinator', agencyId: 'agency-coord' },
        at: noon('2026-01-07'),
        handedOver: handedOver.map((step) => ({ kind: step.kind, dueAt: step.dueAt })),
      },
    ]);
    // Its timeline entry is what names its emails in the outbox.
    expect(transferred.timeline.at(-1)?.type).toBe('case.transferred');
  });

  test('a case recorded before it keeps nothing to tell: the API told its transfers', () => {
    expect(toNewPolice(openAdult()).transfersToTell).toBeUndefined();
  });
});
