/**
 * Reasons are codes from closed lists (domain/reasons.ts): a new transfer, close or refusal giving any other is
 * refused, naming its field and the list, while a command already accepted, as a history holds it from before the
 * lists, still applies as it was recorded.
 */
import { z } from 'zod';
import {
  applyClose,
  applySignOff,
  applyTransfer,
  validateClose,
  validateSignOff,
  validateTransfer,
} from '../../../domain/case';
import { validateCorrection } from '../../../domain/correction';
import { CLOSE_REASONS, REFUSAL_REASONS, refusalReasonsOf, TRANSFER_REASONS } from '../../../domain/reasons';
import { STEP_CATALOGUE } from '../../../domain/steps';
import { STEP_KINDS } from '../../../domain/types';
import { actorOf, noon, openAdult, sign, stepOf } from '../case-fixtures';

describe('reasons', () => {
  const NOW = noon('2026-01-10');
  /** What the probe typed: a name, an A-number and an address, in the shape every short code once had. */
  const WORDS = 'carla.target.a987654321.lives-at-5-oak-st';

  test('each step refused with a reason has its list, and every list ends with "other"', () => {
    const refusable = STEP_KINDS.filter((kind) =>
      Object.values(STEP_CATALOGUE[kind].outcomes).some(
        ({ details }) => details instanceof z.ZodObject && 'reason' in details.shape,
      ),
    );
    expect(Object.keys(REFUSAL_REASONS).sort()).toEqual([...refusable].sort());
    for (const codes of [CLOSE_REASONS, TRANSFER_REASONS, ...Object.values(REFUSAL_REASONS)]) {
      expect(codes.at(-1)).toBe('other');
      expect(new Set(codes).size).toBe(codes.length);
    }
  });

  describe('a refusal', () => {
    const declined = (reason: string) => ({ stepId: 'le_declaration-1', outcome: 'declined', details: { reason } });

    test("gives a code from its step's list; any other is refused, naming details.reason and the list", () => {
      const actor = actorOf('law_enforcement');
      for (const reason of refusalReasonsOf('le_declaration')) {
        expect(validateSignOff(openAdult(), declined(reason), actor, NOW)).toBeNull();
      }
      // Another step's code is no better than words.
      for (const reason of [WORDS, 'no_response']) {
        expect(validateSignOff(openAdult(), declined(reason), actor, NOW)).toEqual({
          code: 'invalid_details',
          field: 'details.reason',
          message: `expected one of: ${REFUSAL_REASONS.le_declaration.join(', ')}`,
        });
      }
    });

    test('recorded before the lists, applies as it was', () => {
      const state = applySignOff(openAdult(), declined('investigation_over'), actorOf('law_enforcement'), NOW);
      expect(stepOf(state, 'le_declaration-1')).toMatchObject({
        status: 'declined',
        details: { reason: 'investigation_over' },
      });
    });

    test('corrected, is held to the list too', () => {
      const state = sign(openAdult(), 'le_declaration-1', 'declined', { reason: 'investigation_closed' }, NOW);
      const correction = { ...declined(WORDS), reason: 'sealed:test-key:bm90IHJlYWxseSBzZWFsZWQ=' };
      expect(validateCorrection(state, { correction, actor: actorOf('coordinator') }, NOW)).toMatchObject({
        code: 'invalid_details',
        field: 'details.reason',
      });
    });
  });

  test('a close gives a code from the list; a recorded one off it still applies', () => {
    const coordinator = actorOf('coordinator');
    for (const reason of CLOSE_REASONS) {
      expect(validateClose(openAdult(), { status: 'closed', reason, actor: coordinator }, NOW)).toBeNull();
    }
    expect(validateClose(openAdult(), { status: 'withdrawn', reason: WORDS, actor: coordinator }, NOW)).toEqual({
      code: 'invalid_details',
      field: 'reason',
      message: `expected one of: ${CLOSE_REASONS.join(', ')}`,
    });
    const closed = applyClose(
      openAdult(),
      { status: 'withdrawn', reason: 'survivor_request', actor: coordinator },
      NOW,
    );
    expect(closed.timeline.at(-1)?.summary).toBe('case withdrawn (survivor_request)');
  });

  test('a transfer gives a code from the list, or none; a recorded one off it still applies', () => {
    const transfer = (reason?: string) => ({
      agencyKind: 'advocate' as const,
      toAgencyId: 'agency-adv-2',
      ...(reason === undefined ? {} : { reason }),
      actor: actorOf('coordinator'),
    });
    for (const reason of [...TRANSFER_REASONS, undefined]) {
      expect(validateTransfer(openAdult(), transfer(reason), NOW)).toBeNull();
    }
    expect(validateTransfer(openAdult(), transfer(WORDS), NOW)).toEqual({
      code: 'invalid_details',
      field: 'reason',
      message: `expected one of: ${TRANSFER_REASONS.join(', ')}`,
    });
    const moved = applyTransfer(openAdult(), transfer('moved'), NOW);
    expect(moved.timeline.at(-1)?.summary).toBe('advocate transferred from agency-adv to agency-adv-2 (moved)');
  });
});
