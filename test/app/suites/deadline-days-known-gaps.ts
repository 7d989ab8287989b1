/**
 * Three ways a deadline counted in days from an identification by its police showed a last day that is not the one it
 * stands for (probe E4, session 47), each reproduced here with the functions every page, email and feed reads it
 * with. The zone a deadline was counted in is the identifying police's *at the identification*: the read model now
 * keeps it with the case (`cases.identified_in`), and core/people-dates.ts `zonesCountedIn` reads a case's deadlines in
 * it alone, where `deadlineZone` guessed among the zones police agencies work in *now*, among all of them. That fixed
 * the first two. The third, known since session 47, holds since a new case counts a deadline in days from an
 * identification entered by its day as one from a typed day (domain/case.ts `openCase`, OPENED_ON_CURRENT_RULES_PATCH,
 * session 49); the cases opened before keep the deadlines they were opened with.
 */
import { deadlineZone, lastDayToAct, zonesCountedIn } from '../../../core/people-dates';
import { startOfLocalDay } from '../../../core/time-zones';
import { openCase, signedAt } from '../../../domain/case';
import { slaDueAt } from '../../../domain/case-state';
import { addDaysToInstant } from '../../../domain/dates';
import { DEMO_AGENCIES } from '../../../db/seed';

describe('deadline-days-known-gaps', () => {
  const CHICAGO = 'America/Chicago';
  const NEW_YORK = 'America/New_York';
  const LOS_ANGELES = 'America/Los_Angeles';

  /** The last day every reader is shown, with the police zones as db/agencies.ts `deadlineTimeZones` reads them now. */
  const shownDay = (dueAt: string, readerZone: string, policeZones: string[]) =>
    lastDayToAct(dueAt, deadlineZone(dueAt, readerZone, policeZones));

  /** The last day every reader is shown of a case that kept the zone it was identified in (`cases.identified_in`). */
  const shownDayOfCase = (dueAt: string, readerZone: string, identifiedIn: string | null, policeZones: string[]) =>
    shownDay(dueAt, readerZone, zonesCountedIn(identifiedIn, policeZones));

  // Identified on 1 Jan 2027 in Chicago, by its day (app/identification.ts: the police's midnight), on a case opened
  // before it counted such a day as a typed one (the last test): the CP request (14 days) is due at Chicago's midnight
  // that begins 15 Jan, so its last day is 14 Jan. The cases opened so far keep those deadlines, read as here.
  const identifiedAt = startOfLocalDay('2027-01-01', CHICAGO);
  const cpRequestDue = addDaysToInstant(identifiedAt, 14);

  test('baseline: with the police in Chicago, the coordinator in New York reads 14 Jan', () => {
    expect(shownDay(cpRequestDue, NEW_YORK, [CHICAGO])).toBe('2027-01-14');
  });

  test('a police agency that moves to Los Angeles does not move the last day of its past cases', () => {
    // Its deadlines were counted in Chicago, which the case keeps; read with the police's zone as it now is alone, as
    // before the case kept it, 14 Jan became 15 Jan.
    expect(shownDayOfCase(cpRequestDue, NEW_YORK, CHICAGO, [LOS_ANGELES])).toBe('2027-01-14');
    expect(shownDay(cpRequestDue, NEW_YORK, [LOS_ANGELES])).toBe('2027-01-15');
    // Read by an agency in Los Angeles or Chicago, the same day.
    expect(shownDayOfCase(cpRequestDue, LOS_ANGELES, CHICAGO, [LOS_ANGELES])).toBe('2027-01-14');
    expect(shownDayOfCase(cpRequestDue, CHICAGO, CHICAGO, [LOS_ANGELES])).toBe('2027-01-14');
  });

  test('a case that kept no zone is read in the zones police agencies work in now, as before', () => {
    expect(shownDayOfCase(cpRequestDue, NEW_YORK, null, [CHICAGO])).toBe('2027-01-14');
    expect(shownDayOfCase(cpRequestDue, NEW_YORK, null, [LOS_ANGELES])).toBe('2027-01-15');
  });

  test("an identification's hour that is another police agency's midnight is not read a day early", () => {
    // The police in New York identify a survivor at 01:00 on 1 Jan by its hour: 14 days to 01:00 on 15 Jan, whose last
    // day is 15 Jan. 01:00 in New York is Chicago's midnight, and a police agency works in Chicago: read as a count from
    // that midnight, as before the case kept the zone it was identified in, it showed 14 Jan.
    const dueAt = addDaysToInstant(
      new Date(Date.parse(startOfLocalDay('2027-01-01', NEW_YORK)) + 3_600_000).toISOString(),
      14,
    );
    expect(shownDayOfCase(dueAt, NEW_YORK, NEW_YORK, [NEW_YORK])).toBe('2027-01-15');
    expect(shownDayOfCase(dueAt, NEW_YORK, NEW_YORK, [NEW_YORK, CHICAGO])).toBe('2027-01-15');
    expect(shownDay(dueAt, NEW_YORK, [NEW_YORK, CHICAGO])).toBe('2027-01-14');
  });

  test('14 days from an identification on 1 Mar and 14 days from a sign-off dated 1 Mar end on the same day', () => {
    // Both count from the day as typed (domain/case.ts `signedAt`, `datesAsWritten`): the day of the event excluded, the
    // 14th day after it the last day, all of it (`dueOnADay`). Before, the identification by its day counted from the
    // police's midnight (its first day counted whole) and ended on 14 Mar.
    const opened = openCase(
      {
        caseId: 'known-gaps',
        reference: 'RC-GAPS',
        identifiedAt: startOfLocalDay('2027-03-01', CHICAGO),
        identifiedOn: '2027-03-01',
        identifiedByDay: true,
        minorTurns18On: null,
        agencies: DEMO_AGENCIES,
        usesUVisa: false,
      },
      '2027-03-05T15:00:00.000Z',
      { datesAsWritten: true, daysDueAllDay: true },
    );
    const cpRequest = opened.steps.find((step) => step.kind === 'cp_request')!;
    const fromIdentification = shownDay(cpRequest.dueAt!, CHICAGO, [CHICAGO]);
    const signed = signedAt(opened, cpRequest, { grantedOn: '2027-03-01' }, '2027-03-05T15:00:00.000Z');
    const fromSignOff = shownDay(slaDueAt(opened, 'cp_request', signed)!, CHICAGO, [CHICAGO]);
    expect(fromIdentification).toBe('2027-03-15');
    expect(fromIdentification).toBe(fromSignOff);
    expect(cpRequest.dueOnADay).toBe(true);
  });
});
