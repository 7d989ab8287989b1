/**
 * The caseload: every case the user's agency takes part in, found by the start of its reference or filtered (status,
 * path, agency, track, a pending step, overdue, opened and identified dates), newest first; the filters live in the
 * URL, which never carries a name. Those who read identities may also find cases by the survivor's name: that form
 * is posted (POST /cases/by-name, then POST /api/cases/search), so the name is in no address, link or log line.
 */
import { Router, type Request, type Response } from 'express';
import { ApiProblem, ok } from '../api-client';
import { formOf, type Kit, type MeView } from '../kit';
import { TRACKS } from '../../domain/types';
import { listedStepKinds, readListPage, unlistedKind } from './list-query';
import { problemShown } from '../form-problems';
import { periodBounds } from '../day-bounds';

const FILTERS = [
  'reference',
  'status',
  'path',
  'agencyId',
  'track',
  'pendingKind',
  'overdue',
  'openedFrom',
  'openedTo',
  'identifiedFrom',
  'identifiedTo',
  'limit',
] as const;
/**
 * "Opened on or after" and "Opened before" as whole days where the reader is, as each case's "Opened" shows its day
 * (web/day-bounds.ts, as the audit trail's days); "Opened before" excludes its day, as the API's `openedTo` does.
 */
const openedDays = (filters: Record<'openedFrom' | 'openedTo', string>, me: MeView) => {
  const { from, to } = periodBounds(filters.openedFrom, filters.openedTo, me.timeZone, false);
  return { openedFrom: from, openedTo: to };
};

type CaseQuery = NonNullable<NonNullable<Parameters<ReturnType<Kit['api']>['GET']>[1]>['params']>['query'];

export function caseloadPages(kit: Kit): Router {
  const router = Router();

  /** The caseload page of a list read (`readListPage`), by filters or, with `name`, by the survivor's name. */
  const renderCases = (
    req: Request,
    res: Response,
    { me, filters, cursor, agencies, page, problem, status }: Awaited<ReturnType<typeof readListPage>>,
    byName: { name?: string } = {},
  ) =>
    kit.render(
      req,
      res,
      'caseload',
      {
        ...problemShown('Cases', problem),
        heading: 'Cases',
        filters,
        cursor,
        page,
        stepKinds: listedStepKinds(me),
        unlistedKind: unlistedKind(me),
        tracks: TRACKS,
        agencies,
        ...byName,
      },
      status,
    );

  router.get('/cases', async (req, res) => {
    const listed = await readListPage(
      kit,
      req,
      res,
      FILTERS,
      async (api, query) => ok(await api.GET('/api/cases', { params: { query: query as CaseQuery } })),
      undefined,
      openedDays,
    );
    renderCases(req, res, listed);
  });

  // The name search: its results on the same page, with the filters of the page it was posted from.
  router.post('/cases/by-name', async (req, res) => {
    const form = formOf(req);
    const name = form.name ?? '';
    const listed = await readListPage(
      kit,
      req,
      res,
      FILTERS,
      async (api, query) => {
        // Nothing to search for: asked by the field, as the API would refuse it, without a refused call audited.
        if (name.trim() === '') throw new ApiProblem(422, { errors: [{ field: 'name', message: 'Enter a name' }] });
        return ok(await api.POST('/api/cases/search', { body: { ...query, name } }));
      },
      form,
      openedDays,
    );
    renderCases(req, res, listed, { name });
  });

  return router;
}
