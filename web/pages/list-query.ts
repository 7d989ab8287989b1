/**
 * What the console's list pages share: their filters read from the URL (a page's state is its address, so it can be
 * bookmarked and shared; never a name in it), passed to the API as typed, and the API's field errors shown beside
 * the filters they name.
 */
import type { Request } from 'express';
import { ApiProblem } from '../api-client';
import { param } from '../kit';

/** The named filters of this request, each a string ('' when absent), as the form shows them. */
export function filtersOf<Name extends string>(req: Request, names: readonly Name[]): Record<Name, string> {
  return Object.fromEntries(names.map((name) => [name, param(req, name) ?? ''])) as Record<Name, string>;
}

/** The filters the user set, with the page's cursor: what goes to the API. */
export function apiQueryOf(filters: Record<string, string>, cursor: string | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries({ ...filters, cursor }).filter(([, value]) => value)) as Record<
    string,
    string
  >;
}

export interface ListResult<Page> {
  page: Page;
  /** By filter name: what the API said is wrong with it. */
  errors: Record<string, string>;
  status: number;
}

/** One page from the API; a 400 becomes the filters' errors and an empty page, any other problem is thrown. */
export async function fetchList<Page>(read: () => Promise<Page>, empty: Page): Promise<ListResult<Page>> {
  try {
    return { page: await read(), errors: {}, status: 200 };
  } catch (error) {
    if (!(error instanceof ApiProblem) || error.status !== 400) throw error;
    return { page: empty, errors: error.fieldErrors(), status: 400 };
  }
}
