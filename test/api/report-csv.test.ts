/**
 * The compliance CSV's small-cell suppression within a row (api/report-csv.ts), on figures made up here: a count
 * written "<5" must not come back from the share and the denominator beside it (probe K13: 0.6 of 5 gave 3).
 */
import { complianceCsv } from '../../api/report-csv';
import type { ComplianceReport, ReportFigures, Share } from '../../app/reports-service';

const none = { n: 0, median: null, p90: null };
const share = (count: number, of: number): Share => ({ count, of, share: of === 0 ? null : count / of });

function figures(minors: Share, renewals: Share, interim: Share): ReportFigures {
  return {
    casesOpened: { minor: minors.of, adult: 29 },
    minorsNotifiedWithin24h: minors,
    minorsStillWithin24h: 0,
    cpRequestToDecisionDays: none,
    certificationRequestToLetterDays: none,
    identificationToTVisaFilingDays: none,
    cpRenewalsRequestedBeforeExpiry: renewals,
    interimLettersFollowedWithinValidity: interim,
    declarations: { signed: 0, declined: 0, pending: 0 },
    remindersSent: 0,
    escalationsRaised: 0,
    stepsOverdueAtEnd: 0,
  };
}

const report: ComplianceReport = {
  from: '2026-01-01',
  to: '2026-12-31',
  asOf: '2026-12-05T00:00:00.000Z',
  agencies: [
    {
      agencyId: 'demo-police',
      agencyName: 'Demo City Police Department (fictitious)',
      agencyKind: 'law_enforcement',
      ...figures(share(3, 5), share(4, 9), share(0, 0)),
    },
  ],
  allAgencies: figures(share(3, 6), share(7, 9), share(2, 12)),
};

/** The CSV as one record per row, by column name. */
function table(csv: string): Record<string, string>[] {
  const [header, ...rows] = csv
    .split('\r\n')
    .filter((line) => line !== '')
    .map((line) => line.split(','));
  return rows.map((row) => Object.fromEntries(header!.map((name, index) => [name, row[index]!])));
}

describe('the compliance CSV', () => {
  const rows = table(complianceCsv(report));

  it('writes no share beside a count written "<5": with its denominator it would give the count back', () => {
    for (const row of rows) {
      const shares = Object.keys(row).filter((name) => name.endsWith('_share'));
      for (const name of shares) {
        const countColumn = name.slice(0, -'_share'.length);
        if (row[countColumn] === '<5') expect([row['agency'], name, row[name]]).toEqual([row['agency'], name, '<5']);
      }
    }
    expect(rows[0]).toMatchObject({
      minors_identified: '5',
      minors_notified_within_24h: '<5',
      minors_notified_within_24h_share: '<5',
      cp_renewals_due: '9',
      cp_renewals_requested_before_expiry_share: '<5',
    });
  });

  it('still writes a share beside a count that is shown, and names the denominator by what it counts', () => {
    expect(rows[1]).toMatchObject({
      agency: 'All agencies',
      minors_identified: '6',
      cp_renewals_requested_before_expiry: '7',
      cp_renewals_requested_before_expiry_share: String(7 / 9),
      interim_letters: '12',
      interim_letters_followed_within_validity: '<5',
      interim_letters_followed_within_validity_share: '<5',
    });
  });
});
