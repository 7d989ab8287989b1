/**
 * The words of a digest's lines (the time-skipping digest tests, test/cases/suites/daily-digest.ts, cover what it lists
 * and when it is sent): a step whose deadline passed earlier on its own last day, counted from an identification's
 * hour, is "overdue since 01:40 CST on 5 Dec 2026" (an email says no "today"), not "Overdue: …, due 5 Dec 2026" in the digest of 5 Dec (probe R7).
 */
import { digestSection, digestWindow } from '../../../activities/digest';
import { renderDigest, type DigestItem } from '../../../mail/digest';
import { EMAIL_LISTED, type PassedNotice } from '../../../mail/render';
import { formatDateTime } from '../../../core/people-dates';
import { overdueFrom } from '../../../domain/steps';

describe('digest', () => {
  const CHICAGO = 'America/Chicago';
  /** 07:00 in Chicago on 5 Dec 2026: the morning of the digest of that day. */
  const MORNING = '2026-12-05T13:00:00.000Z';

  const overdue = (stepKind: string, at: string): DigestItem => ({
    kind: 'due',
    caseId: 'case-1',
    caseReference: 'RC-2026-0042',
    stepId: `${stepKind}-1`,
    stepKind,
    about: stepKind,
    at,
    owedBy: null,
    identifiedIn: null,
    section: 'overdue',
  });

  const digestOf = (items: DigestItem[]) =>
    renderDigest({
      agencyName: 'Safe Harbor Advocates',
      date: '2026-12-05',
      timeZone: CHICAGO,
      asOf: MORNING,
      items,
      publicBaseUrl: 'https://relief.example.org',
    }).text;

  test('a deadline that passed earlier that day is overdue since its hour on that day, not "due" that day nor "today"', () => {
    // Counted from an identification at 07:40 UTC: it passes at 01:40 on 5 Dec in Chicago, before the digest.
    const text = digestOf([overdue('t_visa_filing', '2026-12-05T07:40:00.000Z')]);
    expect(text).toContain(
      '  - Overdue: T visa application filing (Form I-914), overdue since 01:40 CST on 5 Dec 2026',
    );
    expect(text).not.toContain('today');
    expect(text).not.toContain('due 5 Dec 2026');
  });

  test('a deadline whose last day was before today is still named by that day', () => {
    const text = digestOf([overdue('t_visa_filing', '2026-12-04T07:40:00.000Z')]);
    expect(text).toContain('  - Overdue: T visa application filing (Form I-914), due 4 Dec 2026');
  });

  test('a deadline at the very moment of the digest is listed as overdue, and said so, not as due today (probe U5)', () => {
    // A deadline counted from a typed day sits at noon UTC: 07:00 in New York in winter, the digest's own moment.
    const window = digestWindow('2026-12-05', 'America/New_York', []);
    const at = '2026-12-05T12:00:00.000Z';
    expect(new Date(window.asOf).toISOString()).toBe(at);
    const section = digestSection('due', at, window);
    expect(section).toBe('overdue');
    const text = renderDigest({
      agencyName: 'Safe Harbor Advocates',
      date: '2026-12-05',
      timeZone: 'America/New_York',
      asOf: at,
      items: section ? [{ ...overdue('t_visa_filing', at), section }] : [],
      publicBaseUrl: 'https://relief.example.org',
    }).text;
    expect(text).toContain(
      '  - Overdue: T visa application filing (Form I-914), overdue since 07:00 EST on 5 Dec 2026',
    );
  });

  test('a step due today by its police’s clock, while the agency’s own day has turned, says whose today (Guam, Tehran)', () => {
    // Identified by its date in Los Angeles: the CP request passes as 6 Dec begins there, its last day 5 Dec.
    const at = '2026-12-06T08:00:00.000Z';
    for (const zone of ['Pacific/Guam', 'Asia/Tehran']) {
      const window = digestWindow('2026-12-06', zone, ['America/Los_Angeles']);
      const section = digestSection('due', at, window);
      expect(section).toBe('due_today');
      const text = renderDigest({
        agencyName: 'Pacific Task Force',
        date: '2026-12-06',
        timeZone: zone,
        asOf: new Date(window.asOf).toISOString(),
        deadlineZones: ['America/Los_Angeles'],
        items: section ? [{ ...overdue('cp_request', at), section }] : [],
        publicBaseUrl: 'https://relief.example.org',
      }).text;
      // As the console says it beside the same day ("due today, Los Angeles time"), dated: no email says "today".
      expect(text).toContain('  - Due 5 Dec 2026, Los Angeles time: Continued Presence request, due 5 Dec 2026');
      expect(text).not.toContain('today');
    }
    // The police's own digest of 5 Dec: their today, no zone named.
    const police = digestWindow('2026-12-05', 'America/Los_Angeles', ['America/Los_Angeles']);
    const text = renderDigest({
      agencyName: 'Police',
      date: '2026-12-05',
      timeZone: 'America/Los_Angeles',
      asOf: new Date(police.asOf).toISOString(),
      deadlineZones: ['America/Los_Angeles'],
      items: [{ ...overdue('cp_request', at), section: 'due_today' }],
      publicBaseUrl: 'https://relief.example.org',
    }).text;
    expect(text).toContain('  - Due 5 Dec 2026: Continued Presence request, due 5 Dec 2026');
    expect(text).toContain('Overdue: 0, Due 5 Dec 2026: 1, Due this week: 0');
    expect(text).not.toContain('today');
  });

  test("a case's due date is read in the zone it was identified in, where its police have moved since", () => {
    // Identified by its date in Chicago: the CP request passes as 11 Dec begins there, its last day 10 Dec. The police
    // now work in Los Angeles, where that moment is no midnight, and the advocates in New York.
    const at = '2026-12-11T06:00:00.000Z';
    const digest = (identifiedIn: string | null) =>
      renderDigest({
        agencyName: 'Safe Harbor Advocates',
        date: '2026-12-08',
        timeZone: 'America/New_York',
        asOf: '2026-12-08T12:00:00.000Z',
        deadlineZones: ['America/Los_Angeles'],
        items: [{ ...overdue('cp_request', at), identifiedIn, section: 'due_this_week' }],
        publicBaseUrl: 'https://relief.example.org',
      }).text;
    expect(digest(CHICAGO)).toContain('  - Due this week: Continued Presence request, due 10 Dec 2026');
    // A case that kept no zone is read in the zones the police work in now, as before: a day later.
    expect(digest(null)).toContain('  - Due this week: Continued Presence request, due 11 Dec 2026');
  });

  test('a step due on a day is due all of that day in the digest, as in the console, and overdue the day after (J1)', () => {
    // Counted in days from a typed day (`dueOnADay`): held at noon UTC of its last day, 07:00 in New York in winter,
    // the digest's own moment. The console says "due today" all of 5 Dec there; so does the digest of 5 Dec.
    const at = '2026-12-05T12:00:00.000Z';
    const step = { ...overdue('t_visa_filing', at), dueOnADay: true as const };
    const digestIn = (date: string) => {
      const window = digestWindow(date, 'America/New_York', []);
      const section = digestSection('due', at, window, step);
      return {
        section,
        text: renderDigest({
          agencyName: 'Safe Harbor Advocates',
          date,
          timeZone: 'America/New_York',
          asOf: new Date(window.asOf).toISOString(),
          items: section ? [{ ...step, section }] : [],
          publicBaseUrl: 'https://relief.example.org',
        }).text,
      };
    };
    const onTheDay = digestIn('2026-12-05');
    expect(onTheDay.section).toBe('due_today');
    expect(onTheDay.text).toContain('  - Due 5 Dec 2026: T visa application filing (Form I-914), due 5 Dec 2026');
    expect(onTheDay.text).not.toContain('overdue');
    // Its words alone, whatever section it were listed in: not "overdue since 07:00 EST on 5 Dec 2026".
    expect(
      renderDigest({
        agencyName: 'Safe Harbor Advocates',
        date: '2026-12-05',
        timeZone: 'America/New_York',
        asOf: at,
        items: [{ ...step, section: 'due_today' }],
        publicBaseUrl: 'https://relief.example.org',
      }).text,
    ).not.toContain('overdue since');
    const dayAfter = digestIn('2026-12-06');
    expect(dayAfter.section).toBe('overdue');
    expect(dayAfter.text).toContain('  - Overdue: T visa application filing (Form I-914), due 5 Dec 2026');
  });

  test('the header names the agency’s zone as the console does beside a time, not by its IANA id', () => {
    const header = (zone: string) => {
      const window = digestWindow('2026-12-06', zone, []);
      const asOf = new Date(window.asOf).toISOString();
      const text = renderDigest({
        agencyName: 'Pacific Task Force',
        date: '2026-12-06',
        timeZone: zone,
        asOf,
        items: [],
        publicBaseUrl: 'https://relief.example.org',
      }).text;
      return { line: text.split('\n')[2], console: formatDateTime(asOf, zone) };
    };
    const names = { 'Pacific/Pago_Pago': 'Pago Pago time', 'Pacific/Guam': 'Guam time', [CHICAGO]: 'CST', UTC: 'UTC' };
    for (const [zone, name] of Object.entries(names)) {
      const { line, console } = header(zone);
      expect(line).toBe(
        `Your daily digest for 6 Dec 2026 (${name}): Overdue: 0, Due 6 Dec 2026: 0, Due this week: 0, Expiring: 0.`,
      );
      // The same name the console and the emails give a time there ("6 Dec 2026, 07:00 Pago Pago time").
      expect(console.endsWith(` ${name}`)).toBe(true);
    }
  });

  test('a deadline that is a day is overdue in a Guam digest as the API says it, once that day has ended everywhere in the US', () => {
    // A CP decision due on the day 6 Dec (counted from a typed day, `dueOnADay`: noon UTC of that day), and a CP grant's
    // renewal request due at its end (the start of 7 Dec, UTC). The Guam digest of 7 Dec is written at 07:00 there, 21:00
    // UTC on 6 Dec: 6 Dec has ended in Guam, not in Hawaii or American Samoa, and the API calls neither step overdue
    // before noon UTC on 7 Dec (domain/steps.ts `overdueFrom`), where Guam's own day said "Overdue".
    const GUAM = 'Pacific/Guam';
    const decision = { ...overdue('cp_decision', '2026-12-06T12:00:00.000Z'), dueOnADay: true as const };
    const renewal = { ...overdue('cp_renewal_request', '2026-12-07T00:00:00.000Z'), caseId: 'case-2' };
    const digestIn = (date: string) => {
      const window = digestWindow(date, GUAM, []);
      const items = [decision, renewal].flatMap((step) => {
        const section = digestSection('due', step.at, window, step);
        return section ? [{ ...step, section }] : [];
      });
      const asOf = new Date(window.asOf);
      const overdueByTheApi = [decision, renewal].map(
        (step) => overdueFrom({ kind: step.stepKind, dueAt: step.at, dueOnADay: step.dueOnADay }) < +asOf,
      );
      const text = renderDigest({
        agencyName: 'Pacific Task Force',
        date,
        timeZone: GUAM,
        asOf: asOf.toISOString(),
        items,
        publicBaseUrl: 'https://relief.example.org',
      }).text;
      return { sections: items.map((item) => item.section), overdueByTheApi, text };
    };
    const morningAfter = digestIn('2026-12-07');
    expect(morningAfter.overdueByTheApi).toEqual([false, false]);
    expect(morningAfter.sections).toEqual(['due_today', 'due_today']);
    // Named by the day it is due, words that stay true when the digest is read later, never "overdue".
    // With when each becomes overdue at Guam's clock, as the console says it (web/labels.ts `due`).
    const stillDue =
      'due 6 Dec 2026 (overdue from 22:00 Guam time on 7 Dec 2026, once 6 Dec 2026 has ended everywhere in the US)';
    expect(morningAfter.text).toContain(`  - Due 7 Dec 2026: Continued Presence decision, ${stillDue}\n`);
    expect(morningAfter.text).toContain(`  - Due 7 Dec 2026: Continued Presence renewal request, ${stillDue}\n`);
    expect(morningAfter.text).toContain('Overdue: 0, Due 7 Dec 2026: 2');
    expect(morningAfter.text).not.toContain('verdue since');
    // The next morning, 21:00 UTC on 7 Dec: 6 Dec has ended everywhere in the US, overdue for the API and the digest.
    const dayAfter = digestIn('2026-12-08');
    expect(dayAfter.overdueByTheApi).toEqual([true, true]);
    expect(dayAfter.sections).toEqual(['overdue', 'overdue']);
    expect(dayAfter.text).toContain('  - Overdue: Continued Presence decision, due 6 Dec 2026');
    expect(dayAfter.text).toContain('  - Overdue: Continued Presence renewal request, due 6 Dec 2026');
  });

  test('a digest lists at most EMAIL_LISTED of each section and of the cases brought up to date, and says how many more and where (probe Q5)', () => {
    // Each on a case of its own, due a day apart (overdue: the days before 5 Dec; this week: 6 to 11 Dec).
    const item = (section: DigestItem['section'], n: number, at: string): DigestItem => ({
      ...overdue('cp_decision', at),
      caseId: `case-${section}-${n}`,
      caseReference: `RC-2026-${section.toUpperCase()}-${String(n).padStart(3, '0')}`,
      section,
    });
    const day = (days: number) => new Date(Date.parse('2026-12-05T06:00:00.000Z') + days * 86_400_000).toISOString();
    const items = [
      ...Array.from({ length: EMAIL_LISTED + 12 }, (_, n) => item('overdue', n, day(-1 - n))),
      ...Array.from({ length: 3 }, (_, n) => item('due_today', n, '2026-12-06T06:00:00.000Z')),
      ...Array.from({ length: EMAIL_LISTED + 1 }, (_, n) => item('due_this_week', n, day(2 + (n % 6)))),
    ];
    const notice = (n: number, urgent = false): PassedNotice => ({
      reference: `RC-2026-PAST-${n}`,
      subject: 'Brought up to date',
      bodyText: [
        `Case reference: RC-2026-PAST-${n}`,
        urgent ? '- Urgent before the minor turns 18: notify HHS' : '- Continued Presence request: reminder of 1 Dec',
        `Open the case: https://relief.example.org/cases/past-${n}`,
      ].join('\n'),
    });
    // The urgent notice last: it is listed all the same.
    const passed = [...Array.from({ length: EMAIL_LISTED + 4 }, (_, n) => notice(n)), notice(999, true)];
    const { subject, text } = renderDigest({
      agencyName: 'Demo Anti-Trafficking Task Force',
      date: '2026-12-05',
      timeZone: CHICAGO,
      asOf: MORNING,
      items,
      broughtUpToDate: passed,
      publicBaseUrl: 'https://relief.example.org/',
    });
    // Everything still counted.
    expect(subject).toBe(
      'Daily digest 5 Dec 2026: Overdue: 62, Due 5 Dec 2026: 3, Due this week: 51, Expiring: 0, Brought up to date: 55',
    );
    const lines = text.split('\n');
    const listed = (label: string) => lines.filter((l) => l.startsWith(`  - ${label}: `)).length;
    expect([listed('Overdue'), listed('Due 5 Dec 2026'), listed('Due this week')]).toEqual([
      EMAIL_LISTED,
      3,
      EMAIL_LISTED,
    ]);
    // The first by date: the longest overdue, and this week's earliest days.
    expect(text).toContain(`RC-2026-OVERDUE-${String(EMAIL_LISTED + 11).padStart(3, '0')}`);
    expect(text).not.toContain('RC-2026-OVERDUE-000');
    expect(text).toContain(
      `Overdue: the first ${EMAIL_LISTED} by date are listed; 12 more are not, and the console's list of overdue steps ` +
        'names every one: https://relief.example.org/steps?status=overdue&sort=dueAt',
    );
    expect(text).toContain(
      `Due this week: the first ${EMAIL_LISTED} by date are listed; 1 more is not, and the console's list of steps due ` +
        'that week names every one: https://relief.example.org/steps?sort=dueAt&dueAfter=2026-12-06&dueBefore=2026-12-11',
    );
    expect(text).not.toContain('Due 5 Dec 2026: the first');
    expect(lines.filter((l) => l.startsWith('- RC-2026-PAST-'))).toHaveLength(EMAIL_LISTED);
    expect(text).toContain('- RC-2026-PAST-999: 1 reminder not sent (urgent');
    expect(text).toContain(
      "5 more cases brought up to date are not listed here: the console's dashboard lists the newest, and each case's " +
        'timeline what had passed.',
    );
  });

  test('a step another agency owes names it, and says so when it has no address its reminders could reach', () => {
    const text = renderDigest({
      agencyName: 'Metro Task Force',
      date: '2026-12-05',
      timeZone: CHICAGO,
      asOf: MORNING,
      items: [
        { ...overdue('cp_decision', '2026-12-04T07:40:00.000Z'), owedBy: 'ice-west' },
        { ...overdue('cp_request', '2026-12-04T07:40:00.000Z'), owedBy: 'city-police' },
      ],
      owners: new Map([
        ['ice-west', { name: 'ICE West Field Office', email: null }],
        ['city-police', { name: 'City Police', email: 'desk@city-police.example' }],
      ]),
      publicBaseUrl: 'https://relief.example.org',
    }).text;
    expect(text).toContain(
      '  - Overdue: Continued Presence request, due 4 Dec 2026 (owed by City Police: desk@city-police.example)',
    );
    expect(text).toContain(
      '  - Overdue: Continued Presence decision, due 4 Dec 2026 (owed by ICE West Field Office, which has no ' +
        'notification address: its reminders reach it in the console only, never by email)',
    );
  });
});
