/**
 * A step due at a validity's end (a CP grant's renewal request) is not overdue on the grant's last valid day, wherever
 * it is read: the grant runs through 15 Jan 2027, stored as ending at the start of 16 Jan in UTC, 16:00 on the 15th in
 * Los Angeles, and the case lapses it only at noon UTC on the 16th, once the 15th has ended everywhere in the US. The
 * console and the emails said "overdue since 16:00 today" there (probe; an email now names the day, D10); a deadline that is not a validity's end (an
 * RFE's respond-by date) still passes at its instant, as its alarms do.
 */
import { overdueFrom } from '../../../domain/steps';
import { milestoneLines } from '../../../web/case-standing';
import { dueWordsFor } from '../../../mail/render';
import { wordsFor } from '../../../web/labels';

describe('validity-end-words', () => {
  const ENDS_AT = '2027-01-16T00:00:00.000Z';
  const LOS_ANGELES = 'America/Los_Angeles';
  /** 17:00 on 15 Jan 2027 in Los Angeles (UTC-8): the grant's last valid day there, after its end's UTC instant. */
  const LAST_DAY_AFTERNOON = new Date('2027-01-16T01:00:00.000Z');
  /** 01:00 on 16 Jan in Los Angeles: the last day has ended there, the lapse (noon UTC) is still to come. */
  const NEXT_NIGHT = new Date('2027-01-16T09:00:00.000Z');

  /** The API's `overdue` of a pending step due at `ENDS_AT` (domain/steps.ts `overdueFrom`, as app/case-reads.ts reads it). */
  const overdueAt = (kind: string, now: Date) => overdueFrom({ kind, dueAt: ENDS_AT }) < now.getTime();

  test('the console says the renewal is due today on its last day in Los Angeles, and overdue as the API does', () => {
    const afternoon = wordsFor(LOS_ANGELES, LAST_DAY_AFTERNOON, []);
    const due = (at: Date, kind: string) =>
      wordsFor(LOS_ANGELES, at, []).due(ENDS_AT, kind, null, false, overdueAt(kind, at));
    expect(afternoon.dueOf('cp_renewal_request', ENDS_AT)).toBe('15 Jan 2027');
    expect(overdueAt('cp_renewal_request', LAST_DAY_AFTERNOON)).toBe(false);
    expect(due(LAST_DAY_AFTERNOON, 'cp_renewal_request')).toBe('due today');
    // Its last day has ended in Los Angeles, not yet everywhere in the US: not overdue, and the words say until when.
    expect(overdueAt('cp_renewal_request', NEXT_NIGHT)).toBe(false);
    expect(due(NEXT_NIGHT, 'cp_renewal_request')).toBe(
      'overdue from 04:00 PST on 16 Jan 2027, once 15 Jan 2027 has ended everywhere in the US',
    );
    const lapsed = new Date('2027-01-16T12:30:00.000Z');
    expect(overdueAt('cp_renewal_request', lapsed)).toBe(true);
    expect(due(lapsed, 'cp_renewal_request')).toBe('overdue by 1 day');
    // Not a validity's end: passed at its instant, as its alarms say.
    expect(overdueAt('t_visa_evidence_response', LAST_DAY_AFTERNOON)).toBe(true);
    expect(due(LAST_DAY_AFTERNOON, 't_visa_evidence_response')).toBe('overdue since 16:00 today');
  });

  test('an email says the same, in dates that stay true when it is read later (probe D10)', () => {
    const words = (kind: string, now: Date) => dueWordsFor(ENDS_AT, kind, LOS_ANGELES, [], now, 'beside');
    expect(words('cp_renewal_request', LAST_DAY_AFTERNOON)).toBe('due 15 Jan 2027');
    expect(dueWordsFor(ENDS_AT, 'cp_renewal_request', LOS_ANGELES, [], LAST_DAY_AFTERNOON)).toBe('due 15 Jan 2027');
    // Its last day has ended in Los Angeles, not yet everywhere in the US: not overdue, as the API says, and when it
    // becomes overdue in the console's very words beside the day.
    const stillDue = wordsFor(LOS_ANGELES, NEXT_NIGHT, []).due(ENDS_AT, 'cp_renewal_request', null, false, false);
    expect(words('cp_renewal_request', NEXT_NIGHT)).toBe(`due 15 Jan 2027 (${stillDue})`);
    expect(stillDue).toBe('overdue from 04:00 PST on 16 Jan 2027, once 15 Jan 2027 has ended everywhere in the US');
    expect(words('cp_renewal_request', new Date('2027-01-16T12:30:00.000Z'))).toBe(
      'due 15 Jan 2027 (overdue since 16 Jan 2027)',
    );
    expect(words('t_visa_evidence_response', LAST_DAY_AFTERNOON)).toBe(
      'due 15 Jan 2027 (overdue since 16:00 PST on 15 Jan 2027)',
    );
  });

  test("the API's overdue, which knows no zone, waits for the lapse, once the day has ended everywhere in the US", () => {
    expect(overdueFrom({ kind: 'cp_renewal_request', dueAt: ENDS_AT })).toBe(Date.parse('2027-01-16T12:00:00.000Z'));
    expect(overdueFrom({ kind: 't_visa_evidence_response', dueAt: ENDS_AT })).toBe(Date.parse(ENDS_AT));
  });

  test("another agency's milestone says the grant is valid until its last day on that day, and was once it has ended", () => {
    const grant = {
      kind: 'cp_decision',
      track: 'continued_presence',
      status: 'completed',
      outcome: 'granted',
      completedAt: '2025-01-16T12:00:00.000Z',
      expiresAt: ENDS_AT,
      agencyId: null,
      typedDay: '2025-01-16',
    };
    const line = (now: Date) =>
      milestoneLines([grant], ['continued_presence'], wordsFor(LOS_ANGELES, now, []))[0]?.what;
    expect(line(LAST_DAY_AFTERNOON)).toContain(', valid until 15 Jan 2027');
    expect(line(NEXT_NIGHT)).toContain(', was valid until 15 Jan 2027');
  });
});
