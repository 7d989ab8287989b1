/**
 * The compliance CSV's small-cell suppression within a row (api/report-csv.ts), on figures made up here: a count
 * written "<5" must not come back from the share and the denominator beside it (probe K13: 0.6 of 5 gave 3).
 */
import { complianceCsv } from '../../../api/report-csv';
import type { AgencyFigures, ComplianceReport, ReportFigures, Share } from '../../../app/reports-service';

describe('report-csv', () => {
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

  /** The CSV as one record per row, by column name, after the byte-order mark it starts with. */
  function table(csv: string): Record<string, string>[] {
    expect(csv.startsWith('\uFEFF')).toBe(true);
    const [header, ...rows] = csv
      .slice(1)
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

    it('withholds the smallest count of 5 or more beside a "<5" the total would give back, and what gives it back', () => {
      // Minors identified: 3, 7 and 12 in the agencies' rows, 22 in all. With every other row shown, 22 - 7 - 12 gave the
      // "<5" back as 3; now 7 is withheld too, and 22 - 12 = 10 is 3 and 7 mixed.
      const agency = (agencyId: string, minors: Share): AgencyFigures => ({
        agencyId,
        agencyName: agencyId,
        agencyKind: 'law_enforcement',
        ...figures(minors, share(0, 0), share(0, 0)),
      });
      const rowsOf = (agencies: AgencyFigures[], all: ReportFigures) =>
        table(complianceCsv({ ...report, agencies, allAgencies: all }));
      const three = rowsOf(
        [agency('a', share(0, 3)), agency('b', share(6, 7)), agency('c', share(10, 12))],
        figures(share(16, 22), share(0, 0), share(0, 0)),
      );
      const pick = (row: Record<string, string>) => [
        row['agency'],
        row['minors_identified'],
        row['minors_notified_within_24h'],
        row['minors_notified_within_24h_share'],
      ];
      expect(three.map(pick)).toEqual([
        ['a', '<5', '0', '<5'],
        // Its share withheld too: with the count beside it, it would give the denominator back (6 / 0.857 = 7).
        ['b', 'withheld', '6', 'withheld'],
        ['c', '12', '10', String(10 / 12)],
        ['All agencies', '22', '16', String(16 / 22)],
      ]);
      // Two cells of 1 to 4 whose sum the total gives (2: each is 1) take one of 5 or more with them too.
      const two = rowsOf(
        [agency('a', share(1, 1)), agency('b', share(1, 1)), agency('c', share(9, 9))],
        figures(share(11, 11), share(0, 0), share(0, 0)),
      );
      expect(two.map((row) => row['minors_identified'])).toEqual(['<5', '<5', 'withheld', '11']);
      // No "<5" in a column, or a total itself written "<5": nothing more is withheld.
      const shown = rowsOf(
        [agency('a', share(5, 5)), agency('b', share(0, 0))],
        figures(share(5, 5), share(0, 0), share(0, 0)),
      );
      expect(shown.map((row) => row['minors_identified'])).toEqual(['5', '0', '5']);
      const small = rowsOf(
        [agency('a', share(1, 2)), agency('b', share(0, 0))],
        figures(share(1, 2), share(0, 0), share(0, 0)),
      );
      expect(small.map((row) => row['minors_identified'])).toEqual(['<5', '0', '<5']);
    });

    it('withholds more, or the total, while a "<5" still comes back from a withheld figure being 5 or more', () => {
      const agency = (agencyId: string, pending: number): AgencyFigures => ({
        agencyId,
        agencyName: agencyId,
        agencyKind: 'law_enforcement',
        ...figures(share(0, 0), share(0, 0), share(0, 0)),
        declarations: { signed: 0, declined: 0, pending },
      });
      const pendingIn = (counts: number[]) => {
        const total = counts.reduce((sum, each) => sum + each, 0);
        const all = {
          ...figures(share(0, 0), share(0, 0), share(0, 0)),
          declarations: { signed: 0, declined: 0, pending: total },
        };
        const agencies = counts.map((count, row) => agency(`a${row}`, count));
        return table(complianceCsv({ ...report, agencies, allAgencies: all })).map(
          (row) => row['declarations_pending'],
        );
      };
      // Probe Q4: 5 declarations pending at the police, 1 at the sheriff, 6 in all. The 5 withheld is 5 or more, so the
      // "<5" was 6 - 5 = 1; withholding the police's 5 does not hide it, so the total is withheld instead.
      expect(pendingIn([5, 1])).toEqual(['5', '<5', 'withheld']);
      // 5 withheld left 32 - 6 - 20 - 5 = 1 at most: the 6 is withheld too, and 32 - 20 = 12 is the "<5" and 11 mixed.
      expect(pendingIn([1, 5, 6, 20])).toEqual(['<5', 'withheld', 'withheld', '20', '32']);
      // Two "<5" making a total of 8, none shown to withhold: each was 4.
      expect(pendingIn([4, 4, 0])).toEqual(['<5', '<5', '0', 'withheld']);
      // Two "<5" making 5 could be 1 and 4, 2 and 3, ...: nothing to withhold.
      expect(pendingIn([2, 3])).toEqual(['<5', '<5', '5']);
      // A total withheld takes the share beside it: with the count it would give the total back.
      const minors = (agencyId: string, minorsOf: Share): AgencyFigures => ({
        ...agency(agencyId, 0),
        ...figures(minorsOf, share(0, 0), share(0, 0)),
      });
      const all = table(
        complianceCsv({
          ...report,
          agencies: [minors('a', share(2, 4)), minors('b', share(3, 4))],
          allAgencies: figures(share(5, 8), share(0, 0), share(0, 0)),
        }),
      ).at(-1);
      expect(all).toMatchObject({
        agency: 'All agencies',
        minors_identified: 'withheld',
        minors_notified_within_24h: '5',
        minors_notified_within_24h_share: 'withheld',
      });
    });
  });
});
