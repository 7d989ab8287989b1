/**
 * What the console's list pages share: their filters read from the URL (a page's state is its address, so it can be
 * bookmarked and shared; never a name in it), passed to the API as typed, and the API's field errors shown beside
 * the filters they name.
 */
import type { Request, Response } from 'express';
import type { Api } from '../api-client';
import { filtersRefused, type FormProblem } from '../form-problems';
import { param, type Kit, type MeView } from '../kit';
import { seesWholeCase } from '../../domain/access';
import { STEP_CATALOGUE } from '../../domain/steps';
import { STEP_KINDS, type StepKind } from '../../domain/types';
import { stepLabel } from '../labels';

/** A page of any of the API's lists, as the console reads it. */
interface ListPage {
  items: unknown[];
  nextCursor: string | null;
}

/**
 * Everything a list page shows but its template: the signed-in user, its filters as typed, the page's cursor, the
 * agencies its filters offer, and one page from the API through `read` (or, when it refuses them, the filters' errors). The
 * filters come from the URL, or from a posted form (`form`) for a search whose terms must stay out of URLs.
 */
export async function readListPage<Name extends string>(
  kit: Kit,
  req: Request,
  res: Response,
  names: readonly Name[],
  read: (api: Api, query: Record<string, string | string[]>) => Promise<ListPage>,
  form?: Record<string, string>,
  days?: DaysAsBounds<Name>,
): Promise<{ me: MeView; filters: Record<Name, string>; cursor?: string; agencies: unknown[] } & ListResult<ListPage>> {
  const me = await kit.me(req, res);
  const api = kit.api(req);
  const filters = filtersOf(req, names, form);
  const cursor = form ? form.cursor || undefined : param(req, 'cursor');
  const agencies = kit.agencies(res);
  // The query goes to the API as typed but for its days (`days`, web/day-bounds.ts); values it refuses come back as
  // field errors, shown next to the filter.
  const query = { ...filters, ...days?.(filters, me) };
  const list = await fetchList(() => read(api, apiQueryOf(query, cursor)), { items: [], nextCursor: null });
  return { me, filters, cursor, agencies, ...list };
}

/**
 * A page's day filters as the API's instant bounds, read where the reader is (web/day-bounds.ts): the page shows
 * the days as typed, the API gets the instants they stand for ('' for no bound), and any bounds of the API's own that
 * the page does not show (the Steps page's `dueAtTheHourAfter`).
 */
type DaysAsBounds<Name extends string> = (
  filters: Record<Name, string>,
  me: MeView,
) => Partial<Record<Name, string>> & Record<string, string | string[]>;

/** The named filters of this request (or of its posted form), each a string ('' when absent), as the form shows them. */
function filtersOf<Name extends string>(
  req: Request,
  names: readonly Name[],
  form: Record<string, string> | undefined,
): Record<Name, string> {
  return Object.fromEntries(names.map((name) => [name, (form ? form[name] : param(req, name)) ?? ''])) as Record<
    Name,
    string
  >;
}

/** The filters the user set, with the page's cursor: what goes to the API (a list as its parameter repeated). */
function apiQueryOf(
  filters: Record<string, string | string[]>,
  cursor: string | undefined,
): Record<string, string | string[]> {
  return Object.fromEntries(
    Object.entries({ ...filters, cursor }).filter(([, value]) => (Array.isArray(value) ? value.length > 0 : value)),
  ) as Record<string, string | string[]>;
}

interface ListResult<Page> {
  page: Page;
  /** What the API said is wrong with the filters, by filter name, in words (web/form-problems.ts `filtersRefused`). */
  problem?: FormProblem;
  status: number;
}

/** One page from the API; refused filters become the page's problem and an empty page, any other problem is thrown. */
async function fetchList<Page>(read: () => Promise<Page>, empty: Page): Promise<ListResult<Page>> {
  try {
    return { page: await read(), status: 200 };
  } catch (error) {
    const problem = filtersRefused(error);
    return { page: empty, problem, status: (error as { status: number }).status };
  }
}

/**
 * The step kinds a list's "Waiting for" and "Kind" filters offer the reader: every kind to who sees whole cases, else
 * the kinds their agency owns, as the lists show them no other agency's steps (domain/access.ts `seenStepsAgency`): a
 * kind they never see could only list nothing.
 */
export function listedStepKinds(me: MeView): readonly StepKind[] {
  return seesWholeCase(me.user)
    ? STEP_KINDS
    : STEP_KINDS.filter((kind) => STEP_CATALOGUE[kind].owner === me.user.agencyKind);
}

/**
 * What a "Waiting for" or "Kind" menu shows for a kind it does not offer the reader, as what the list is filtered by
 * (never "Any"): another agency's kind, as a coordinator's dashboard links it for all, said to be one; anything else
 * as typed, next to its field's error.
 */
export function unlistedKind(me: MeView): (value: string) => string {
  const listed: readonly string[] = listedStepKinds(me);
  return (value) =>
    (STEP_KINDS as readonly string[]).includes(value) && !listed.includes(value)
      ? `${stepLabel(value)} (not one of your agency’s steps)`
      : value;
}
