/**
 * The compliance report: the read model's figures for a period (db/reports.ts), shaped by agency and for all
 * agencies together. Exact numbers, each share and statistic with the count it was computed from, so a reader can
 * tell a small cell; the CSV for publication suppresses them (api/report-csv.ts).
 */
import type { Pool } from 'pg';
import type { Clock } from '../core/clock';
import { complianceFigures, type MetricRow, type ReportMetric } from '../db/reports';
import { seenStepsAgency } from '../domain/access';
import { addDays, latestDayAt, startOfDay, type IsoDate } from '../domain/dates';
import { AppError } from '../core/errors';
import type { Actor, AgencyKind } from '../domain/types';

export interface ReportsDeps {
  pool: Pool;
  now: Clock;
  /** The deployment's time zone (`TIMEZONE`), for agencies without one of their own; default UTC. */
  timeZone?: string;
}

/** How many of how many, and the share (null when there are none). */
export interface Share {
  count: number;
  of: number;
  share: number | null;
}

/** Days between two events, over `n` of them (null statistics when there are none). */
export interface Durations {
  n: number;
  median: number | null;
  p90: number | null;
}

export interface ReportFigures {
  casesOpened: { minor: number; adult: number };
  minorsNotifiedWithin24h: Share;
  /** Minors not yet notified whose 24 hours are not over: not in `minorsNotifiedWithin24h` until they are. */
  minorsStillWithin24h: number;
  cpRequestToDecisionDays: Durations;
  certificationRequestToLetterDays: Durations;
  identificationToTVisaFilingDays: Durations;
  cpRenewalsRequestedBeforeExpiry: Share;
  interimLettersFollowedWithinValidity: Share;
  declarations: { signed: number; declined: number; pending: number };
  remindersSent: number;
  escalationsRaised: number;
  stepsOverdueAtEnd: number;
}

export interface AgencyFigures extends ReportFigures {
  /** Null for steps no agency was named for. */
  agencyId: string | null;
  agencyName: string | null;
  agencyKind: AgencyKind | null;
}

export interface ComplianceReport {
  from: IsoDate;
  to: IsoDate;
  /** When the figures were computed; "at the end of the period" is this instant while the period runs. */
  asOf: string;
  agencies: AgencyFigures[];
  allAgencies: ReportFigures;
}

/** One decimal: days and shares are read, not computed on. */
const round = (value: number | null, places: number) =>
  value === null ? null : Math.round(value * 10 ** places) / 10 ** places;

function figuresOf(rows: readonly MetricRow[]): ReportFigures {
  const of = (metric: ReportMetric) => rows.find((row) => row.metric === metric);
  const count = (metric: ReportMetric) => of(metric)?.n ?? 0;
  const share = (metric: ReportMetric): Share => {
    const row = of(metric);
    if (!row) return { count: 0, of: 0, share: null };
    return { count: row.met, of: row.n, share: round(row.met / row.n, 3) };
  };
  const durations = (metric: ReportMetric): Durations => {
    const row = of(metric);
    return { n: row?.n ?? 0, median: round(row?.median ?? null, 1), p90: round(row?.p90 ?? null, 1) };
  };
  return {
    casesOpened: { minor: count('cases_minor'), adult: count('cases_adult') },
    minorsNotifiedWithin24h: share('minor_notification'),
    minorsStillWithin24h: count('minor_notification_within_24h'),
    cpRequestToDecisionDays: durations('cp_decision_days'),
    certificationRequestToLetterDays: durations('certification_letter_days'),
    identificationToTVisaFilingDays: durations('t_visa_filing_days'),
    cpRenewalsRequestedBeforeExpiry: share('cp_renewal_request'),
    interimLettersFollowedWithinValidity: share('interim_letter'),
    declarations: {
      signed: count('declaration_signed'),
      declined: count('declaration_declined'),
      pending: count('declaration_pending'),
    },
    remindersSent: count('reminder'),
    escalationsRaised: count('escalation'),
    stepsOverdueAtEnd: count('overdue_at_end'),
  };
}

export type ReportsService = ReturnType<typeof createReportsService>;

export function createReportsService(deps: ReportsDeps) {
  return {
    /**
     * The period's figures over the cases the actor's agency takes part in and the steps the actor sees there
     * (domain/access.ts `seenStepsAgency`); `from` and `to` are whole UTC days, but an identification is in them by
     * its own day (`identifiedOn`), as the caseload's filter reads it.
     */
    async compliance(actor: Actor, period: { from: IsoDate; to: IsoDate }): Promise<ComplianceReport> {
      const now = await deps.now();
      // A period not begun anywhere has nothing in it yet, and its figures of a state at its end would be today's:
      // 2027's first quarter read on 7 Dec 2026 gave the declarations pending and steps overdue of that day.
      if (period.from > latestDayAt(now.toISOString()))
        throw new AppError('bad_request', 'The period has not begun.', {
          code: 'invalid_query',
          fields: [
            {
              field: 'from',
              message: `the period has not begun: ${period.from} is after today, and a figure of the period's end (declarations pending, steps overdue) cannot be known before it`,
            },
          ],
        });
      const rows = await complianceFigures(deps.pool, {
        participantAgencyId: actor.agencyId,
        stepAgencyId: seenStepsAgency(actor),
        start: new Date(startOfDay(period.from)),
        end: new Date(startOfDay(addDays(period.to, 1))),
        now,
        timeZone: deps.timeZone,
      });
      const byAgency = new Map<string, MetricRow[]>();
      for (const row of rows) {
        if (row.agencyId === undefined) continue;
        const key = row.agencyId ?? '';
        byAgency.set(key, [...(byAgency.get(key) ?? []), row]);
      }
      return {
        ...period,
        asOf: now.toISOString(),
        agencies: [...byAgency.values()].map((agencyRows) => {
          const { agencyId = null, agencyName, agencyKind } = agencyRows[0]!;
          return { agencyId, agencyName, agencyKind, ...figuresOf(agencyRows) };
        }),
        allAgencies: figuresOf(rows.filter((row) => row.agencyId === undefined)),
      };
    },
  };
}
