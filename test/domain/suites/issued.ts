/** A command runs only as the update it was issued for, on the case it was issued for, within the window. */
import { ISSUED_WINDOW_MINUTES, unboundCommandRefusal, type Issued, type Receipt } from '../../../domain/issued';

describe('issued', () => {
  const NOW = '2026-03-10T12:00:00.000Z';
  const receipt: Receipt = { caseId: 'case-a', updateId: 'sign-off-1', now: NOW };
  const issued: Issued = { caseId: 'case-a', updateId: 'sign-off-1', at: NOW };
  const minutesFrom = (instant: string, minutes: number) =>
    new Date(Date.parse(instant) + minutes * 60_000).toISOString();

  it('takes a command issued for this case and update, up to the window before or after the workflow time', () => {
    expect(ISSUED_WINDOW_MINUTES).toBe(15);
    for (const minutes of [0, -15, 15, -1, 7]) {
      expect(unboundCommandRefusal({ ...issued, at: minutesFrom(NOW, minutes) }, receipt)).toBeNull();
    }
    // Another spelling of the same instant is the same instant.
    expect(unboundCommandRefusal({ ...issued, at: '2026-03-10T07:00:00-05:00' }, receipt)).toBeNull();
  });

  it.each<[string, unknown, Partial<Receipt>]>([
    ['carries nothing (sealed before commands carried it)', undefined, {}],
    ['carries something else', 'case-a', {}],
    ['carries null', null, {}],
    ['lacks the update id', { caseId: 'case-a', at: NOW }, {}],
    ['was issued for another case', { ...issued, caseId: 'case-b' }, {}],
    ['came with another update id', issued, { updateId: 'sign-off-2' }],
    ['came outside an update', issued, { updateId: undefined }],
    ['was issued more than the window before', { ...issued, at: minutesFrom(NOW, -15.001) }, {}],
    ['was issued more than the window after', { ...issued, at: minutesFrom(NOW, 16) }, {}],
    ['was issued at no readable time', { ...issued, at: 'yesterday' }, {}],
  ])('refuses a command that %s', (_why, carried, differently) => {
    expect(unboundCommandRefusal(carried, { ...receipt, ...differently })).toMatchObject({
      code: 'unbound_command',
      message: expect.stringContaining('not issued for this request') as unknown,
    });
  });
});
