/**
 * Three ways a deadline counted in days from an identification by its police shows a last day that is not the one it
 * stands for (probe E4, session 47), each reproduced here with the functions every page, email and feed reads it
 * with. Not fixed yet: each test states what should hold and is marked `failing` (jest passes it while it fails), so
 * the fix that makes it hold turns it red and is to unmark it. Why each needs more than these functions: the zone a
 * deadline was counted in is the identifying police's *at the identification*, and no row keeps it; core/people-dates.ts
 * `deadlineZone` guesses it from the zones police agencies work in *now*, among all of them.
 */
import { deadlineZone, lastDayToAct } from '../../core/people-dates';
import { startOfLocalDay } from '../../core/time-zones';
import { openCase, signedAt } from '../../domain/case';
import { slaDueAt } from '../../domain/case-state';
import { addDaysToInstant } from '../../domain/dates';
import { DEMO_AGENCIES } from '../../db/seed';

const CHICAGO = 'America/Chicago';
const NEW_YORK = 'America/New_York';
const LOS_ANGELES = 'America/Los_Angeles';

/** The last day every reader is shown, with the police zones as db/agencies.ts `deadlineTimeZones` reads them now. */
const shownDay = (dueAt: string, readerZone: string, policeZones: string[]) =>
  lastDayToAct(dueAt, deadlineZone(dueAt, readerZone, policeZones));

// Identified on 1 Jan 2027 in Chicago, by its day (app/identification.ts: the police's midnight): the CP request
// (14 days) is due at Chicago's midnight that begins 15 Jan, so its last day is 14 Jan.
const identifiedAt = startOfLocalDay('2027-01-01', CHICAGO);
const cpRequestDue = addDaysToInstant(identifiedAt, 14);

test('baseline: with the police in Chicago, the coordinator in New York reads 14 Jan', () => {
  expect(shownDay(cpRequestDue, NEW_YORK, [CHICAGO])).toBe('2027-01-14');
});

test.failing('a police agency that moves to Los Angeles does not move the last day of its past cases', () => {
  // Its deadlines were counted in Chicago; read now with the police's zone as it now is, 14 Jan becomes 15 Jan.
  expect(shownDay(cpRequestDue, NEW_YORK, [LOS_ANGELES])).toBe('2027-01-14');
});

test.failing("an identification's hour that is another police agency's midnight is not read a day early", () => {
  // The police in New York identify a survivor at 01:00 on 1 Jan by its hour: 14 days to 01:00 on 15 Jan, whose last
  // day is 15 Jan. 01:00 in New York is Chicago's midnight, and a police agency works in Chicago: read as a count from
  // that midnight, it shows 14 Jan.
  const dueAt = addDaysToInstant(
    new Date(Date.parse(startOfLocalDay('2027-01-01', NEW_YORK)) + 3_600_000).toISOString(),
    14,
  );
  expect(shownDay(dueAt, NEW_YORK, [NEW_YORK])).toBe('2027-01-15');
  expect(shownDay(dueAt, NEW_YORK, [NEW_YORK, CHICAGO])).toBe('2027-01-15');
});

test.failing(
  '14 days from an identification on 1 Mar and 14 days from a sign-off dated 1 Mar end on the same day',
  () => {
    // The identification by its day counts from the police's midnight (its first day counted whole); a sign-off dated
    // after the fact counts from noon UTC of its day (domain/case.ts `signedAt`, `datesAsWritten`).
    const opened = openCase(
      {
        caseId: 'known-gaps',
        reference: 'RC-GAPS',
        identifiedAt: startOfLocalDay('2027-03-01', CHICAGO),
        identifiedOn: '2027-03-01',
        minorTurns18On: null,
        agencies: DEMO_AGENCIES,
        usesUVisa: false,
      },
      '2027-03-05T15:00:00.000Z',
    );
    const state = { ...opened, datesAsWritten: true };
    const cpRequest = state.steps.find((step) => step.kind === 'cp_request')!;
    const fromIdentification = shownDay(cpRequest.dueAt!, CHICAGO, [CHICAGO]);
    const signed = signedAt(state, cpRequest, { grantedOn: '2027-03-01' }, '2027-03-05T15:00:00.000Z');
    const fromSignOff = shownDay(slaDueAt(state, 'cp_request', signed)!, CHICAGO, [CHICAGO]);
    expect([fromIdentification, fromSignOff]).toEqual(['2027-03-14', '2027-03-15']); // what is shown now
    expect(fromIdentification).toBe(fromSignOff);
  },
);
