/** The dashboard's counts: pending, due this week and overdue steps, by step kind and by agency. */
import { z } from 'zod';
import { AGENCY_KINDS, STEP_KINDS } from '../../domain/types';
import type { ApiDeps } from '../deps';
import { route, type Route } from '../route';
import { AgencyIdSchema, instant } from '../schemas';
import { ownAgencyUnlessOverseeing, SEES_CASES } from './lists';

export const DashboardQuerySchema = z.strictObject({ agencyId: AgencyIdSchema.optional() });

const counts = {
  pending: z.number().int().describe('pending steps (overdue ones included)'),
  dueSoon: z.number().int().describe('pending, due within the next 7 days, not yet overdue'),
  overdue: z.number().int().describe('pending and past their due date'),
};

const DashboardSchema = z.object({
  /** The instant the counts were computed against (the API clock). */
  asOf: instant,
  totals: z.object(counts),
  byKind: z.array(z.object({ kind: z.enum(STEP_KINDS), ...counts })),
  byAgency: z.array(z.object({ agencyId: z.string().nullable(), agencyKind: z.enum(AGENCY_KINDS), ...counts })),
  escalations: z
    .array(
      z.object({
        caseId: z.string(),
        reference: z.string(),
        stepId: z.string(),
        stepKind: z.enum(STEP_KINDS),
        raisedAt: instant,
        dueAt: instant.nullable(),
        dueOnADay: z.boolean().describe("whether the deadline due then is a day, as a step's `dueOnADay`"),
        caseIdentifiedIn: z
          .string()
          .nullable()
          .describe("the case's `identifiedIn`: the zone its due date's last day is read in when at a midnight of it"),
        overdue: z
          .boolean()
          .describe("whether its step is overdue as of `asOf`, as a step's `overdue` and `totals` say"),
      }),
    )
    .describe(
      "escalations to the caller's agency whose step is still pending (resolved ones leave), newest first; at most 100",
    ),
  escalationsMore: z
    .boolean()
    .describe(
      "whether more escalations to the caller's agency are still open (their step pending) than `escalations` lists",
    ),
});

export function dashboardRoutes(deps: ApiDeps): Route[] {
  return [
    route({
      method: 'get',
      path: '/api/dashboard',
      tag: 'lists',
      summary:
        'Counts of pending, soon-due and overdue steps, by step kind and by agency, over the steps GET /api/steps lists.',
      allow: SEES_CASES,
      query: DashboardQuerySchema,
      // Its `asOf` is the API clock as read: never the same answer twice, so no ETag and never a 304.
      answersAsOfNow: true,
      responses: { 200: { description: 'the counts', schema: DashboardSchema } },
      // The same scope as GET /api/steps.
      handle: async ({ query, actor }) => ({
        status: 200,
        body: await deps.lists.dashboard(actor, ownAgencyUnlessOverseeing(actor, query.agencyId)),
      }),
    }),
  ];
}
