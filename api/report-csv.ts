/**
 * The compliance report as CSV (RFC 4180), for publication: a header row, one row per agency, then "All agencies".
 * Small cells are suppressed as public reporting requires: a count of 1 to 4 is written "<5", and so is a share,
 * median or 90th percentile computed from 1 to 4 cases, and a share whose count is written "<5"; a statistic of no
 * cases is left empty. Its figures are the JSON's: a case closed or withdrawn as opened in error or as a duplicate is
 * in none of them (db/reports.ts). `minors_identified` and `minors_notified_within_24h` count the minors whose 24 hours
 * are over or who were notified; `minors_still_within_24h` those still waiting within them.
 */
import type { AgencyFigures, ComplianceReport, Durations, ReportFigures, Share } from '../app/reports-service';

const SMALL_CELL = '<5';
const SMALL_MAX = 4;

const isSmall = (n: number) => n >= 1 && n <= SMALL_MAX;
const count = (n: number) => (isSmall(n) ? SMALL_CELL : String(n));
const statistic = (n: number, value: number | null) =>
  n === 0 || value === null ? '' : isSmall(n) ? SMALL_CELL : String(value);

/**
 * A share's count and the share itself. Beside a suppressed count the share is suppressed too: with the denominator
 * in the same row it would give the count back (0.6 of 5 is 3).
 */
const shareColumns = (name: string, pick: (f: ReportFigures) => Share): Column[] => [
  [name, (f) => count(pick(f).count)],
  [`${name}_share`, (f) => (isSmall(pick(f).count) ? SMALL_CELL : statistic(pick(f).of, pick(f).share))],
];
const durationColumns = (name: string, pick: (f: ReportFigures) => Durations): Column[] => [
  [`${name}_n`, (f) => count(pick(f).n)],
  [`${name}_median`, (f) => statistic(pick(f).n, pick(f).median)],
  [`${name}_p90`, (f) => statistic(pick(f).n, pick(f).p90)],
];

type Column = [header: string, cell: (figures: ReportFigures) => string];

const COLUMNS: Column[] = [
  ['cases_opened_minor', (f) => count(f.casesOpened.minor)],
  ['cases_opened_adult', (f) => count(f.casesOpened.adult)],
  ['minors_identified', (f) => count(f.minorsNotifiedWithin24h.of)],
  ...shareColumns('minors_notified_within_24h', (f) => f.minorsNotifiedWithin24h),
  ['minors_still_within_24h', (f) => count(f.minorsStillWithin24h)],
  ...durationColumns('cp_request_to_decision_days', (f) => f.cpRequestToDecisionDays),
  ...durationColumns('certification_request_to_letter_days', (f) => f.certificationRequestToLetterDays),
  ...durationColumns('identification_to_t_visa_filing_days', (f) => f.identificationToTVisaFilingDays),
  ['cp_renewals_due', (f) => count(f.cpRenewalsRequestedBeforeExpiry.of)],
  ...shareColumns('cp_renewals_requested_before_expiry', (f) => f.cpRenewalsRequestedBeforeExpiry),
  ['interim_letters', (f) => count(f.interimLettersFollowedWithinValidity.of)],
  ...shareColumns('interim_letters_followed_within_validity', (f) => f.interimLettersFollowedWithinValidity),
  ['declarations_signed', (f) => count(f.declarations.signed)],
  ['declarations_declined', (f) => count(f.declarations.declined)],
  ['declarations_pending', (f) => count(f.declarations.pending)],
  ['reminders_sent', (f) => count(f.remindersSent)],
  ['escalations_raised', (f) => count(f.escalationsRaised)],
  ['steps_overdue_at_end', (f) => count(f.stepsOverdueAtEnd)],
];

const HEADER = ['agency', 'agency_id', 'agency_kind', ...COLUMNS.map(([header]) => header)];

/**
 * A field as RFC 4180 writes it, quoted when it must be; a name a spreadsheet would run as a formula (=, +, -, @)
 * is prefixed with an apostrophe so opening the file never executes it.
 */
function field(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

const line = (cells: readonly string[]) => `${cells.map(field).join(',')}\r\n`;
const cells = (figures: ReportFigures) => COLUMNS.map(([, cell]) => cell(figures));

export function complianceCsv(report: ComplianceReport): string {
  const agencyRow = (agency: AgencyFigures) => [
    agency.agencyName ?? agency.agencyId ?? 'Not assigned',
    agency.agencyId ?? '',
    agency.agencyKind ?? '',
    ...cells(agency),
  ];
  return [
    line(HEADER),
    ...report.agencies.map((agency) => line(agencyRow(agency))),
    line(['All agencies', '', '', ...cells(report.allAgencies)]),
  ].join('');
}
