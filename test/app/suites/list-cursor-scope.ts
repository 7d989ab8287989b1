/**
 * The one rule every list's cursor is bound by (app/lists-service.ts `pagedList`, core/list-cursor.ts
 * `canonicalScope`): a cursor pages on with its page's filters and sort, in any order and with any limit, and is
 * refused, saying the filters or sort changed, with others; a cursor of another list, or none the service made, is
 * refused as not one of this list.
 */
import { pagedList } from '../../../app/lists-service';
import { cursorKeys, type CursorList, type ListScope } from '../../../core/list-cursor';
import { AppError } from '../../../core/errors';

describe('list-cursor-scope', () => {
  const keys = cursorKeys(undefined);
  const LISTS: CursorList[] = ['steps', 'cases', 'notifications', 'tokens', 'calendar_feeds', 'audit'];

  /** The answer to a page of `list` read with `filters`: the position read from, or the refusal's field message. */
  async function page(list: CursorList, filters: ListScope & { cursor?: string }) {
    try {
      let read: string | undefined;
      const found = await pagedList(keys, list, filters, 'query', (position) => {
        read = position;
        return Promise.resolve({ items: [], nextCursor: 'p1' });
      });
      return { read, nextCursor: found.nextCursor };
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      return { refused: error.options.fields?.[0]?.message };
    }
  }

  test.each(LISTS)("a cursor of %s pages on with its page's filters and sort only", async (list) => {
    const filters = { status: 'pending', sort: 'dueAt', agencyId: undefined, terms: ['b', 'a'], from: new Date(0) };
    const { nextCursor } = await page(list, { ...filters, limit: 1 });
    const cursor = nextCursor!;
    // The same filters, written in another order, with a filter not given left out, and another limit.
    expect(
      await page(list, { from: new Date(0), terms: ['a', 'b'], sort: 'dueAt', status: 'pending', limit: 5, cursor }),
    ).toMatchObject({
      read: 'p1',
    });
    const changed =
      'the filters or sort changed since this cursor was handed out: send the same ones, or start again without a cursor';
    for (const other of [
      { ...filters, sort: '-dueAt' },
      { ...filters, status: 'overdue' },
      { ...filters, agencyId: 'demo-police' },
      { ...filters, terms: ['a'] },
      { ...filters, from: new Date(1) },
      { status: 'pending' },
    ])
      expect([other, await page(list, { ...other, cursor })]).toEqual([other, { refused: changed }]);
    const otherList = LISTS.find((name) => name !== list)!;
    expect(await page(otherList, { ...filters, cursor })).toEqual({ refused: 'not a cursor of this list' });
    const tampered = `${cursor[0] === 'A' ? 'B' : 'A'}${cursor.slice(1)}`;
    expect(await page(list, { ...filters, cursor: tampered })).toEqual({ refused: 'not a cursor of this list' });
  });
});
