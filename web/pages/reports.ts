/**
 * The compliance report for coordinators and supervisors: the period in the URL (a GET form), a table of every
 * figure by agency, a chart of reminders and escalations (the table is its text alternative), and the CSV the API
 * suppresses small cells in, for publication.
 */
import { Router } from 'express';
import { ok } from '../api-client';
import { pairedBarChart } from '../chart';
import { filtersRefused, problemShown, type FormProblem } from '../form-problems';
import { agencyKindLabel } from '../labels';
import { param, type Kit } from '../kit';
import type { operations } from '../api-types';

type Report = operations['getApiReportsCompliance']['responses'][200]['content']['application/json'];
type Figures = Report['allAgencies'];
type Share = Figures['minorsNotifiedWithin24h'];
type Durations = Figures['cpRequestToDecisionDays'];

const NONE = '—';
const share = (s: Share) => (s.share === null ? NONE : `${Math.round(s.share * 1000) / 10}% (${s.count} of ${s.of})`);
type Row = [label: string, cell: (f: Figures) => string | number];

/** A duration's two rows, its median and its 90th percentile, each with the number of cases it is taken over. */
function durationRows(label: string, durations: (f: Figures) => Durations): Row[] {
  const days = (d: Durations, value: number | null) => (value === null ? NONE : `${value} (of ${d.n})`);
  return [
    [`${label}: median`, (f) => days(durations(f), durations(f).median)],
    [`${label}: 90th percentile`, (f) => days(durations(f), durations(f).p90)],
  ];
}

/** The table's rows: a label and how to read the figure from one agency's (or all agencies') figures. */
const ROWS: Row[] = [
  ['Cases opened: minors', (f) => f.casesOpened.minor],
  ['Cases opened: adults', (f) => f.casesOpened.adult],
  [
    'Minors notified to HHS within 24 hours of identification (once their 24 hours are over)',
    (f) => share(f.minorsNotifiedWithin24h),
  ],
  ['Minors not yet notified, still within their 24 hours (not counted above yet)', (f) => f.minorsStillWithin24h],
  ...durationRows('Days from CP request to decision', (f) => f.cpRequestToDecisionDays),
  ...durationRows('Days from certification request to letter', (f) => f.certificationRequestToLetterDays),
  ...durationRows('Days from identification to T-visa filing', (f) => f.identificationToTVisaFilingDays),
  ['CP renewals requested before expiry', (f) => share(f.cpRenewalsRequestedBeforeExpiry)],
  [
    'Interim letters followed by an eligibility letter within their validity',
    (f) => share(f.interimLettersFollowedWithinValidity),
  ],
  ['Declarations signed', (f) => f.declarations.signed],
  ['Declarations declined', (f) => f.declarations.declined],
  ['Declarations pending at the end of the period', (f) => f.declarations.pending],
  ['Reminders sent', (f) => f.remindersSent],
  ['Escalations raised', (f) => f.escalationsRaised],
  ['Steps overdue at the end of the period', (f) => f.stepsOverdueAtEnd],
];

/** This year so far, when no period is asked for. */
function defaultPeriod(): { from: string; to: string } {
  const today = new Date().toISOString().slice(0, 10);
  return { from: `${today.slice(0, 4)}-01-01`, to: today };
}

export function reportPages(kit: Kit): Router {
  const router = Router();

  router.get('/reports', async (req, res) => {
    await kit.me(req, res);
    const asked = { from: param(req, 'from'), to: param(req, 'to') };
    const period = asked.from === undefined && asked.to === undefined ? defaultPeriod() : asked;
    let report: Report | undefined;
    let problem: FormProblem | undefined;
    try {
      // The API validates the period; the console passes it as typed.
      const query = { from: period.from ?? '', to: period.to ?? '' };
      // JSON: the document also lists the CSV (text) the same route serves with format=csv.
      report = ok(await kit.api(req).GET('/api/reports/compliance', { params: { query } })) as Report;
    } catch (error) {
      problem = filtersRefused(error);
    }
    const columns = report
      ? [
          ...report.agencies.map((agency) => {
            const name = agency.agencyName ?? agency.agencyId ?? 'Not assigned';
            const kind = agency.agencyKind ? agencyKindLabel(agency.agencyKind) : '';
            // The header's words, said before each of its numbers when the table reads as cards.
            return { name, kind, label: kind ? `${name} (${kind})` : name, figures: agency };
          }),
          { name: 'All agencies', kind: '', label: 'All agencies', figures: report.allAgencies },
        ]
      : [];
    const chart = report
      ? pairedBarChart(
          report.agencies.map((agency) => ({
            label: agency.agencyName ?? agency.agencyId ?? 'Not assigned',
            first: agency.remindersSent,
            second: agency.escalationsRaised,
          })),
        )
      : undefined;
    const rows = ROWS.map(([label, cell]) => ({ label, cells: columns.map((column) => cell(column.figures)) }));
    kit.render(
      req,
      res,
      'reports',
      { ...problemShown('Compliance report', problem), period, report, columns, rows, chart },
      report ? 200 : 400,
    );
  });

  /** The CSV as the API suppresses it, downloaded through the console (the browser holds no API token). */
  router.get('/reports/compliance.csv', async (req, res) => {
    const query = { from: param(req, 'from') ?? '', to: param(req, 'to') ?? '', format: 'csv' as const };
    // Its bytes as the API wrote them: read as text, its byte-order mark, which Excel needs, would be dropped.
    const answer = await kit.api(req).GET('/api/reports/compliance', { params: { query }, parseAs: 'arrayBuffer' });
    // A period the API refuses: the report page shows why, next to the field.
    if (answer.response.status === 400)
      return res.redirect(303, `/reports?${new URLSearchParams({ from: query.from, to: query.to }).toString()}`);
    const csv = ok(answer);
    res
      .status(200)
      .set({
        'Content-Type': answer.response.headers.get('content-type') ?? 'text/csv; charset=utf-8',
        'Content-Disposition': answer.response.headers.get('content-disposition') ?? 'attachment',
      })
      .send(Buffer.from(csv));
  });

  return router;
}
