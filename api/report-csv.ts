/**
 * The compliance report as CSV (RFC 4180), for publication: a header row, one row per agency, then "All agencies".
 * Small cells are suppressed as public reporting requires: a count of 1 to 4 is written "<5", and so is a share,
 * median or 90th percentile computed from 1 to 4 cases, and a share whose count is written "<5"; a statistic of no
 * cases is left empty. Where a column's "<5" could be worked out from the total, more agencies' counts, or the total, are
 * withheld (`complementary`). Its figures are the JSON's: a case closed or withdrawn as opened in error or as a duplicate is
 * in none of them (db/reports.ts). `minors_identified` and `minors_notified_within_24h` count the minors whose 24 hours
 * are over or who were notified; `minors_still_within_24h` those still waiting within them.
 */
import type { AgencyFigures, ComplianceReport, Durations, ReportFigures, Share } from '../app/reports-service';

const SMALL_CELL = '<5';
const SMALL_MAX = 4;
/**
 * Written in place of a count of 5 or more, and of what would give it back, so that no "<5" in its column can be worked
 * out from the "All agencies" total (`complementary`).
 */
const WITHHELD = 'withheld';

const isSmall = (n: number) => n >= 1 && n <= SMALL_MAX;
const count = (n: number) => (isSmall(n) ? SMALL_CELL : String(n));
const statistic = (n: number, value: number | null) =>
  n === 0 || value === null ? '' : isSmall(n) ? SMALL_CELL : String(value);

interface Column {
  header: string;
  cell: (figures: ReportFigures) => string;
  /** A count column's figure, which the total sums over the agencies' rows. */
  count?: (figures: ReportFigures) => number;
  /** The count columns whose figure, in the same row, this cell would give back: withheld with any of them. */
  reveals: readonly string[];
}

const countColumn = (header: string, pick: (f: ReportFigures) => number): Column => ({
  header,
  cell: (f) => count(pick(f)),
  count: pick,
  reveals: [header],
});

/**
 * A share's count and the share itself. Beside a suppressed count the share is suppressed too: with the denominator
 * in the same row it would give the count back (0.6 of 5 is 3), and beside a withheld denominator, that one.
 */
const shareColumns = (name: string, denominator: string, pick: (f: ReportFigures) => Share): Column[] => [
  countColumn(name, (f) => pick(f).count),
  {
    header: `${name}_share`,
    cell: (f) => (isSmall(pick(f).count) ? SMALL_CELL : statistic(pick(f).of, pick(f).share)),
    reveals: [name, denominator],
  },
];
const durationColumns = (name: string, pick: (f: ReportFigures) => Durations): Column[] => [
  countColumn(`${name}_n`, (f) => pick(f).n),
  { header: `${name}_median`, cell: (f) => statistic(pick(f).n, pick(f).median), reveals: [] },
  { header: `${name}_p90`, cell: (f) => statistic(pick(f).n, pick(f).p90), reveals: [] },
];

const COLUMNS: Column[] = [
  countColumn('cases_opened_minor', (f) => f.casesOpened.minor),
  countColumn('cases_opened_adult', (f) => f.casesOpened.adult),
  countColumn('minors_identified', (f) => f.minorsNotifiedWithin24h.of),
  ...shareColumns('minors_notified_within_24h', 'minors_identified', (f) => f.minorsNotifiedWithin24h),
  countColumn('minors_still_within_24h', (f) => f.minorsStillWithin24h),
  ...durationColumns('cp_request_to_decision_days', (f) => f.cpRequestToDecisionDays),
  ...durationColumns('certification_request_to_letter_days', (f) => f.certificationRequestToLetterDays),
  ...durationColumns('identification_to_t_visa_filing_days', (f) => f.identificationToTVisaFilingDays),
  countColumn('cp_renewals_due', (f) => f.cpRenewalsRequestedBeforeExpiry.of),
  ...shareColumns('cp_renewals_requested_before_expiry', 'cp_renewals_due', (f) => f.cpRenewalsRequestedBeforeExpiry),
  countColumn('interim_letters', (f) => f.interimLettersFollowedWithinValidity.of),
  ...shareColumns(
    'interim_letters_followed_within_validity',
    'interim_letters',
    (f) => f.interimLettersFollowedWithinValidity,
  ),
  countColumn('declarations_signed', (f) => f.declarations.signed),
  countColumn('declarations_declined', (f) => f.declarations.declined),
  countColumn('declarations_pending', (f) => f.declarations.pending),
  countColumn('reminders_sent', (f) => f.remindersSent),
  countColumn('escalations_raised', (f) => f.escalationsRaised),
  countColumn('steps_overdue_at_end', (f) => f.stepsOverdueAtEnd),
];

/**
 * Whether the "<5" cells of a count column can be worked out, each to one figure, from the "All agencies" total: the
 * total less the figures shown is what the "<5" cells and those withheld add up to, each "<5" from 1 to 4 and each
 * withheld figure 5 or more (what the README says it is). One "<5" beside one withheld figure in a total of 6 is 1 (5
 * and 1); two "<5" in a total of 8 with nothing else are each 4.
 */
function givesBack(total: number, figures: readonly number[], withheld: ReadonlySet<number>): boolean {
  const small = figures.filter(isSmall).length;
  const hidden = figures.reduce(
    (left, value, row) => (isSmall(value) || withheld.has(row) ? left : left - value),
    total,
  );
  // What the other hidden cells add up to at least and at most; a withheld figure has no most.
  const othersLeast = small - 1 + (SMALL_MAX + 1) * withheld.size;
  const othersMost = withheld.size > 0 ? Infinity : SMALL_MAX * (small - 1);
  // One figure fits: it is given back. None fits where the rows do not add up to the total: nothing is told.
  return Math.min(SMALL_MAX, hidden - othersLeast) === Math.max(1, hidden - othersMost);
}

/**
 * Complementary suppression: in a count column where some agency's figure is written "<5" and the total is shown,
 * the total less the rows shown would give it back (or, of two cells of 1 to 4, their sum of 2, each); so the smallest
 * figure of 5 or more among the agencies is withheld too, and the total minus the rest then mixes it with them. While
 * the "<5" still come back (`givesBack`: a withheld figure is 5 or more, so a total of 6 gave 5 and 1), the next
 * smallest is withheld as well; where withholding every figure shown is not enough, or there is none to withhold,
 * the total is withheld instead. Answers the count columns withheld for each agency's row, by its place, and for the
 * "All agencies" row.
 */
function complementary(report: ComplianceReport): { agencies: Set<string>[]; allAgencies: Set<string> } {
  const withheld = report.agencies.map(() => new Set<string>());
  const allAgencies = new Set<string>();
  for (const { header, count: figure } of COLUMNS) {
    if (!figure) continue;
    const total = figure(report.allAgencies);
    if (isSmall(total)) continue;
    const figures = report.agencies.map((agency) => figure(agency));
    if (!figures.some(isSmall)) continue;
    // The smallest first; of equal figures, the first row.
    const shown = figures.flatMap((value, row) => (value > SMALL_MAX ? [{ value, row }] : []));
    shown.sort((a, b) => a.value - b.value);
    const rows = new Set<number>();
    for (const { row } of shown) {
      rows.add(row);
      if (!givesBack(total, figures, rows)) break;
    }
    if (!givesBack(total, figures, rows)) for (const row of rows) withheld[row]!.add(header);
    else allAgencies.add(header);
  }
  return { agencies: withheld, allAgencies };
}

const HEADER = ['agency', 'agency_id', 'agency_kind', ...COLUMNS.map(({ header }) => header)];

/**
 * A field as RFC 4180 writes it, quoted when it must be; a name a spreadsheet would run as a formula (=, +, -, @)
 * is prefixed with an apostrophe so opening the file never executes it.
 */
function field(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

const line = (cells: readonly string[]) => `${cells.map(field).join(',')}\r\n`;
const cells = (figures: ReportFigures, withheld: ReadonlySet<string> = new Set()) =>
  COLUMNS.map(({ cell, reveals }) => (reveals.some((header) => withheld.has(header)) ? WITHHELD : cell(figures)));

/**
 * A UTF-8 byte-order mark, first: Excel, which most who publish the figures open it with, reads a CSV without one in
 * the computer's own code page, so an agency named "Département de police" read "DÃ©partement de police" and one
 * named in another script read as noise. A program reading the file skips it (csv-parse `bom: true`, Python `utf-8-sig`).
 */
const BYTE_ORDER_MARK = '\uFEFF';

export function complianceCsv(report: ComplianceReport): string {
  const withheld = complementary(report);
  const agencyRow = (agency: AgencyFigures, row: number) => [
    agency.agencyName ?? agency.agencyId ?? 'Not assigned',
    agency.agencyId ?? '',
    agency.agencyKind ?? '',
    ...cells(agency, withheld.agencies[row]),
  ];
  return [
    BYTE_ORDER_MARK,
    line(HEADER),
    ...report.agencies.map((agency, row) => line(agencyRow(agency, row))),
    line(['All agencies', '', '', ...cells(report.allAgencies, withheld.allAgencies)]),
  ].join('');
}
