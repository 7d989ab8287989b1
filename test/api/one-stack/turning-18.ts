/**
 * A minor's HHS notification dated on or after the 18th birthday, over HTTP on real parts (test/support/stack.ts):
 * the refusal is kept in the idempotency store for a day and shown to whoever signs, who may not read the identity,
 * so it names no date derived from the birth date: only the day the signer typed.
 */
import request from 'supertest';
import { DEMO_AGENCIES } from '../../../db/seed';
import { dateForms, needlesIn } from '../../support/scan';
import type { Stack } from '../../support/stack';
import { describeOnSharedStack, sharedStack } from '../../support/shared-stack';

describeOnSharedStack('turning-18', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = sharedStack();
  });

  /** Born on this day, the survivor turns 18 on 2025-11-04, the day after they were identified. */
  const BIRTH_DATE = '2007-11-04';
  const BIRTHDAY = '2025-11-04';

  test('the refusal of a notification dated on or after the birthday names no date but the one typed', async () => {
    const opened = await request(stack.app)
      .post('/api/cases')
      .set(stack.as('law_enforcement'))
      .set('Idempotency-Key', 'turning-18-open')
      .send({
        identifiedAt: '2025-11-03T09:30-05:00',
        survivor: { name: 'Test Person', birthDate: BIRTH_DATE },
        agencies: DEMO_AGENCIES,
      })
      .expect(201);
    const { caseId } = opened.body as { caseId: string };
    for (const [key, notifiedOn] of [
      ['turning-18-on-the-day', BIRTHDAY],
      ['turning-18-after', '2025-12-01'],
    ] as const) {
      const refused = await request(stack.app)
        .post(`/api/cases/${caseId}/steps/hhs_minor_notification-1/sign-off`)
        .set(stack.as('law_enforcement'))
        .set('Idempotency-Key', key)
        .send({ outcome: 'notified', details: { notifiedOn } })
        .expect(422);
      expect(refused.body).toMatchObject({
        errors: [
          {
            field: 'details.notifiedOn',
            message:
              "a minor's request for assistance must be made before the 18th birthday; this date is not before it: the adult route applies",
          },
        ],
      });
      const { rows } = await stack.pool.query<{ response: unknown }>(
        'SELECT response FROM idempotency_keys WHERE key = $1',
        [key],
      );
      expect(rows).toHaveLength(1);
      for (const text of [refused.text, JSON.stringify(rows[0]!.response)]) {
        const others = needlesIn([...dateForms(BIRTH_DATE), ...dateForms(BIRTHDAY)], text).filter(
          (found) => !dateForms(notifiedOn).includes(found),
        );
        const otherDays = (text.match(/\d{4}-\d\d-\d\d/g) ?? []).filter((date) => date !== notifiedOn);
        expect([notifiedOn, others, otherDays]).toEqual([notifiedOn, [], []]);
      }
    }
  });
});
