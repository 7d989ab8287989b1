/** Pending or overdue steps across cases with the API's filters, sort and paging, all kept in the URL. */
import { Router } from 'express';
import { ok } from '../api-client';
import type { Kit } from '../kit';
import { seesWholeCase } from '../../domain/access';
import { listedStepKinds, readListPage, unlistedKind } from './list-query';
import { problemShown } from '../form-problems';
import { dueAtTheHourBounds, dueDayBounds } from '../day-bounds';

const FILTERS = ['status', 'kind', 'agencyId', 'dueAfter', 'dueBefore', 'sort', 'limit'] as const;
type StepQuery = NonNullable<NonNullable<Parameters<ReturnType<Kit['api']>['GET']>[1]>['params']>['query'];

const TITLES: Readonly<Record<string, string>> = {
  overdue: 'Overdue steps',
  due_soon: 'Steps due in the next 7 days',
};

export function stepPages(kit: Kit): Router {
  const router = Router();

  router.get('/steps', async (req, res) => {
    const { me, filters, cursor, agencies, page, problem, status } = await readListPage(
      kit,
      req,
      res,
      FILTERS,
      async (api, query) => ok(await api.GET('/api/steps', { params: { query: query as StepQuery } })),
      undefined,
      // "Due on or after" and "Due before" a day: by the day each row shows as due (web/day-bounds.ts), its last day
      // to act, or for a deadline shown at its hour the day it passes on where the reader is.
      // East of the police, the midnights in the day's first hours that show the day before are moved across its
      // bounds (`dueDayBounds`), so a deadline counted from an identification's hour is found by the day it shows.
      // Each row shows its last day in the zone its case was identified in, where it kept one (`identifiedIn`), else
      // in law enforcement's now: the bounds are judged in all of them (`dueDayTimeZones`), so a police agency that
      // moved since moves none of its past cases' days.
      (filters, me) => {
        const after = dueDayBounds(filters.dueAfter, me.timeZone, me.dueDayTimeZones);
        const before = dueDayBounds(filters.dueBefore, me.timeZone, me.dueDayTimeZones);
        return {
          dueAfter: after.bound,
          dueBefore: before.bound,
          ...(filters.dueAfter && after.moved.length > 0 ? { dueAfterExcept: after.moved } : {}),
          ...(filters.dueBefore && before.moved.length > 0 ? { dueBeforeAlso: before.moved } : {}),
          ...dueAtTheHourBounds(filters.dueAfter, filters.dueBefore, me.timeZone),
        };
      },
    );
    kit.render(
      req,
      res,
      'steps',
      {
        ...problemShown(TITLES[filters.status] ?? 'Pending steps', problem),
        heading: TITLES[filters.status] ?? 'Pending steps',
        filters,
        cursor,
        page,
        stepKinds: listedStepKinds(me),
        unlistedKind: unlistedKind(me),
        agencies,
        // Every agency's steps are listed, to be narrowed to one, only for who sees whole cases (domain/access.ts).
        overseeing: seesWholeCase(me.user),
      },
      status,
    );
  });

  return router;
}
