/**
 * "Where the case stands" says a validity that has ended as past, as another agency's milestone line says it: the
 * coordinator's and ICE's case page read "Continued Presence decision: granted 7 Dec 2026, valid until 6 Dec 2028" a
 * month after CP lapsed (probe H5), while the police's milestone read "was valid until 6 Dec 2028". On its last day,
 * wherever it is read, it still runs. An adjustment of status that T status ended before it was filed says so, where it
 * read "Adjustment of status filing (Form I-485): expired", its timeline's reason left out.
 */
import { milestoneLines, standingOf } from '../../../web/case-standing';
import { wordsFor } from '../../../web/labels';
import { endReasons } from '../../../web/timeline';

describe('standing-ended', () => {
  const step = {
    agencyId: 'demo-ice-ccht',
    agencyKind: 'ice',
    dueAt: null,
    completedAt: '2026-12-07T12:00:00.000Z',
  };
  /** A CP grant through 6 Dec 2028: its end is the start of 7 Dec in UTC (domain/dates.ts `endOfDay`). */
  const grant = {
    ...step,
    id: 'cp_decision-1',
    kind: 'cp_decision',
    track: 'continued_presence',
    status: 'expired',
    outcome: 'granted',
    expiresAt: '2028-12-07T00:00:00.000Z',
    details: { grantedOn: '2026-12-07', validUntil: '2028-12-06' },
  };
  const tStatus = {
    ...step,
    agencyId: 'demo-advocates',
    agencyKind: 'advocate',
    id: 't_visa_decision-1',
    kind: 't_visa_decision',
    track: 't_visa',
    status: 'expired',
    outcome: 'approved',
    expiresAt: '2028-12-07T00:00:00.000Z',
    details: { approvedOn: '2024-12-07', validUntil: '2028-12-06' },
  };
  /** Certified with eligibility from 7 Dec 2026: 4 months of benefits, through 6 Apr 2027 (domain/policy.ts). */
  const certification = {
    ...step,
    agencyId: 'demo-hhs-otip',
    agencyKind: 'hhs',
    id: 'hhs_certification_letter-1',
    kind: 'hhs_certification_letter',
    track: 'hhs',
    status: 'completed',
    outcome: 'certified',
    expiresAt: null,
    details: { eligibilityDate: '2026-12-07', benefitEndsOn: '2027-04-06' },
  };
  /** An interim letter recorded before its end was kept in its details: the step's end alone says it. */
  const interim = {
    ...step,
    agencyId: 'demo-hhs-otip',
    agencyKind: 'hhs',
    id: 'hhs_interim_letter-1',
    kind: 'hhs_interim_letter',
    track: 'hhs',
    status: 'expired',
    outcome: 'issued',
    expiresAt: '2027-03-07T00:00:00.000Z',
    details: { issuedOn: '2026-12-07' },
  };

  const linesAt = (zone: string, at: string, steps: object[]) =>
    standingOf(
      steps as Parameters<typeof standingOf>[0],
      ['continued_presence', 'hhs', 't_visa'],
      wordsFor(zone, new Date(at), []),
    ).flatMap((track) => track.done.map((line) => line.what));

  test('a month after CP lapsed and T status ended, their lines say they were valid until their last day', () => {
    expect(linesAt('UTC', '2029-01-06T12:00:00.000Z', [grant, certification, interim, tStatus])).toEqual([
      'Continued Presence decision: granted 7 Dec 2026, was valid until 6 Dec 2028',
      'HHS certification letter: certified, eligible from 7 Dec 2026, benefits ran until 6 Apr 2027',
      'HHS interim assistance letter: issued 7 Dec 2026, was valid until 6 Mar 2027',
      'T visa decision: approved 7 Dec 2024, was valid until 6 Dec 2028',
    ]);
  });

  test('a grant superseded by a new one, never marked expired, reads as past once its last day has ended', () => {
    const superseded = { ...grant, status: 'completed' };
    expect(linesAt('UTC', '2029-01-06T12:00:00.000Z', [superseded])).toEqual([
      'Continued Presence decision: granted 7 Dec 2026, was valid until 6 Dec 2028',
    ]);
  });

  test('on its last day, in Los Angeles after the UTC day ended, the grant still reads valid until that day', () => {
    // 17:00 on 6 Dec 2028 in Los Angeles (01:00 UTC on the 7th).
    const lastAfternoon = '2028-12-07T01:00:00.000Z';
    expect(linesAt('America/Los_Angeles', lastAfternoon, [{ ...grant, status: 'completed' }])).toEqual([
      'Continued Presence decision: granted 7 Dec 2026, valid until 6 Dec 2028',
    ]);
    expect(linesAt('UTC', '2027-04-06T18:00:00.000Z', [certification])).toEqual([
      'HHS certification letter: certified, eligible from 7 Dec 2026, benefits until 6 Apr 2027',
    ]);
  });

  test("the signer's own line and another agency's milestone say the same end in the same words", () => {
    const words = wordsFor('UTC', new Date('2029-01-06T12:00:00.000Z'), []);
    const [milestone] = milestoneLines([{ ...grant, typedDay: '2026-12-07' }], ['continued_presence'], words);
    expect(milestone?.what).toBe(linesAt('UTC', '2029-01-06T12:00:00.000Z', [grant])[0]);
  });

  test('an adjustment not filed before T status ended says why it expired, as its timeline entry does', () => {
    const adjustment = {
      ...step,
      agencyId: 'demo-advocates',
      agencyKind: 'advocate',
      id: 't_visa_adjustment_filing-1',
      kind: 't_visa_adjustment_filing',
      track: 't_visa',
      status: 'expired',
      outcome: null,
      expiresAt: null,
      completedAt: '2028-12-07T12:00:00.000Z',
      details: { adjustmentEligibleFrom: '2027-12-07' },
    };
    const entries = [
      {
        seq: 30,
        at: '2028-12-07T12:00:00.000Z',
        type: 'step.expired',
        stepId: tStatus.id,
        actorAgencyId: null,
        summary: 'T status ended',
      },
      {
        seq: 31,
        at: '2028-12-07T12:00:00.000Z',
        type: 'step.expired',
        stepId: adjustment.id,
        actorAgencyId: null,
        summary: 'T status ended before adjustment was filed',
      },
    ];
    const words = wordsFor('UTC', new Date('2029-01-06T12:00:00.000Z'), []);
    const steps = [tStatus, adjustment];
    const [standing] = standingOf(steps, ['t_visa'], words, endReasons(entries, steps, words));
    expect(standing?.done.map((line) => line.what)).toEqual([
      'T visa decision: approved 7 Dec 2024, was valid until 6 Dec 2028',
      'Adjustment of status filing (Form I-485): expired: T status ended before adjustment was filed, may adjust status from 7 Dec 2027',
    ]);
  });
});
