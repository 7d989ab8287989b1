/** The compliance report: figures for a period, by agency and for all agencies, as JSON or as CSV for publication. */
import { z } from 'zod';
import { readsReports } from '../../domain/access';
import { addYears, isoDateSchema } from '../../domain/dates';
import { AGENCY_KINDS } from '../../domain/types';
import type { ApiDeps } from '../deps';
import { complianceCsv } from '../report-csv';
import type { Reply } from '../reply';
import { route, type Route } from '../route';
import { day, instant, rangesInOrder } from '../schemas';

/** Longer periods are refused: the report is read per quarter or year, and a decade would only cost the database. */
const MAX_YEARS = 5;

export const ComplianceQuerySchema = z
  .strictObject({
    from: isoDateSchema().describe(
      'the first day of the period (UTC), YYYY-MM-DD; one after the day it is anywhere (a period not yet begun) is refused',
    ),
    to: isoDateSchema().describe('the last day of the period (UTC), included, YYYY-MM-DD'),
    format: z.enum(['json', 'csv']).default('json').describe('csv: the table for publication, small cells suppressed'),
  })
  .superRefine(rangesInOrder([['from', 'to']]))
  .superRefine((query, ctx) => {
    if (query.from <= query.to && query.to >= addYears(query.from, MAX_YEARS))
      ctx.addIssue({ code: 'custom', path: ['to'], message: `the period must be shorter than ${MAX_YEARS} years` });
  });

const share = z
  .object({
    count: z.number().int(),
    of: z.number().int(),
    share: z.number().nullable().describe('count / of, 0 to 1'),
  })
  .describe('how many of how many met the condition');
const durations = z
  .object({ n: z.number().int(), median: z.number().nullable(), p90: z.number().nullable() })
  .describe(
    "calendar days between the two events' dates (an identification's own day, its identifiedOn; a T-visa filing's, CP decision's or certification letter's own day as its sign-off gives it, else the day it was recorded where its agency works; a request's, the day it reached the deciding agency where that agency works), over n cases",
  );
const figures = {
  casesOpened: z
    .object({ minor: z.number().int(), adult: z.number().int() })
    .describe(
      "cases identified in the period, by the day of the identification where it was made (its identifiedOn, as GET /api/cases's identifiedFrom and identifiedTo read it), not the UTC day of its instant",
    ),
  minorsNotifiedWithin24h: share.describe(
    "minors identified in the period whose 24 hours are over, or who were notified; met when notified within them: a notice dated by its day (notifiedOn) when that day is on or before the day they end where the police work, the day after the identification's day",
  ),
  minorsStillWithin24h: z
    .number()
    .int()
    .describe(
      'minors identified in the period, not yet notified, whose 24 hours are not over: not in minorsNotifiedWithin24h until notified or until their 24 hours are over',
    ),
  cpRequestToDecisionDays: durations,
  certificationRequestToLetterDays: durations,
  identificationToTVisaFilingDays: durations,
  cpRenewalsRequestedBeforeExpiry: share,
  interimLettersFollowedWithinValidity: share,
  declarations: z.object({ signed: z.number().int(), declined: z.number().int(), pending: z.number().int() }),
  remindersSent: z.number().int(),
  escalationsRaised: z.number().int(),
  stepsOverdueAtEnd: z.number().int(),
};
const ComplianceReportSchema = z.object({
  from: day.describe('the first day of the period (UTC)'),
  to: day.describe('the last day of the period (UTC), included'),
  asOf: instant.describe('when the figures were computed'),
  agencies: z.array(
    z.object({
      agencyId: z.string().nullable(),
      agencyName: z.string().nullable(),
      agencyKind: z.enum(AGENCY_KINDS).nullable(),
      ...figures,
    }),
  ),
  allAgencies: z.object(figures),
});

export function reportRoutes(deps: ApiDeps): Route[] {
  return [
    route({
      method: 'get',
      path: '/api/reports/compliance',
      tag: 'reports',
      summary:
        'The compliance report for a period, by agency (the agency that had each step then, before any later transfer) and for all agencies, over the ' +
        "cases the caller's agency takes part in, but for a case closed or withdrawn as opened in error or as a duplicate " +
        "(reason opened_in_error or duplicate), which counts in no figure, the CSV's as the JSON's. JSON gives exact " +
        'figures; format=csv suppresses cells of 1 to 4 as <5, in UTF-8 with a byte-order mark first (for Excel).',
      allow: { test: readsReports, needs: 'the coordinator or supervisor role' },
      query: ComplianceQuerySchema,
      audit: 'report.compliance',
      // The JSON's `asOf` is the API clock as read: never the same answer twice, so no ETag and never a 304. The CSV,
      // which has none, is the same while the figures are, and is answered 304 to its ETag.
      answersAsOfNow: 'json',
      auditDetail: (query) => `period ${query.from}..${query.to} (${query.format})`,
      responses: {
        200: {
          description: 'the figures (text/csv with format=csv)',
          schema: ComplianceReportSchema,
          alsoAs: 'text/csv',
          headers: {
            'Content-Disposition': 'text/csv only: attachment, named for the period, `compliance-<from>-to-<to>.csv`',
          },
        },
      },
      handle: async ({ query, actor }): Promise<Reply> => {
        const report = await deps.reports.compliance(actor, { from: query.from, to: query.to });
        if (query.format === 'json') return { status: 200, body: report };
        return {
          status: 200,
          body: complianceCsv(report),
          contentType: 'text/csv; charset=utf-8; header=present',
          headers: {
            'Content-Disposition': `attachment; filename="compliance-${query.from}-to-${query.to}.csv"`,
          },
        };
      },
    }),
  ];
}
