/** Pending or overdue steps across cases with the API's filters, sort and paging, all kept in the URL. */
import { Router } from 'express';
import { ok } from '../api-client';
import { param, type Kit } from '../kit';
import { STEP_KINDS } from '../../domain/types';
import { apiQueryOf, fetchList, filtersOf } from './list-query';

const FILTERS = ['status', 'kind', 'agencyId', 'dueAfter', 'dueBefore', 'sort', 'limit'] as const;
type StepQuery = NonNullable<NonNullable<Parameters<ReturnType<Kit['api']>['GET']>[1]>['params']>['query'];

export function stepPages(kit: Kit): Router {
  const router = Router();

  router.get('/steps', async (req, res) => {
    const me = await kit.me(req, res);
    const api = kit.api(req);
    const filters = filtersOf(req, FILTERS);
    const cursor = param(req, 'cursor');
    const agencies = ok(await api.GET('/api/agencies')).items;
    // The query goes to the API as typed; values it refuses come back as field errors, shown next to the filter.
    const query = apiQueryOf(filters, cursor) as StepQuery;
    const { page, errors, status } = await fetchList<{ items: unknown[]; nextCursor: string | null }>(
      async () => ok(await api.GET('/api/steps', { params: { query } })),
      { items: [], nextCursor: null },
    );
    kit.render(
      req,
      res,
      'steps',
      {
        title: filters.status === 'overdue' ? 'Overdue steps' : 'Pending steps',
        filters,
        cursor,
        page,
        errors,
        stepKinds: STEP_KINDS,
        agencies,
        overseeing: me.user.roles.includes('supervisor') || me.user.agencyKind === 'coordinator',
      },
      status,
    );
  });

  return router;
}
