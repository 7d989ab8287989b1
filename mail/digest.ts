/**
 * The words of an agency's daily digest: what is overdue, due on its day, due this week and expiring, grouped by case
 * reference. Built from deadlines (db/deadlines.ts), which name case references, steps and windows only: a survivor's
 * identity has no field here, so it cannot end up in a mailbox by mistake.
 */
import type { Deadline } from '../db/deadlines';
import type { Instant } from '../domain/types';
import { stepLabel, windowLabel } from '../domain/labels';
import { deadlineZone, dueWordingFor, formatCalendarDay, zoneNameOf, zonesCountedIn } from '../core/people-dates';
import { localDateOf } from '../core/time-zones';
import { addDays, lastValidDay, type IsoDate } from '../domain/dates';
import {
  agencyToChase,
  caseLink,
  consoleLink,
  dueWordsFor,
  EMAIL_LISTED,
  listedPassedNotices,
  moreNotListed,
  passedLeftOutLine,
  passedNoticeDigestLine,
  type PassedNotice,
  type RenderedEmail,
} from './render';

const DIGEST_SECTIONS = ['overdue', 'due_today', 'due_this_week', 'expiring'] as const;
export type DigestSection = (typeof DIGEST_SECTIONS)[number];

/**
 * A section's name in the digest of `date`. What is due on the digest's own day is named by that day ("Due 5 Dec
 * 2026"), never "today": a digest is read on later days too (after a weekend), when "Due today" would be wrong.
 */
const sectionName = (section: DigestSection, date: IsoDate): string =>
  ({
    overdue: 'Overdue',
    due_today: `Due ${formatCalendarDay(date)}`,
    due_this_week: 'Due this week',
    expiring: 'Expiring',
  })[section];

/** A deadline as a digest line says it: its case's revision stamps calendar events only. */
export interface DigestItem extends Omit<Deadline, 'revision'> {
  section: DigestSection;
}

export interface DigestFacts {
  agencyName: string;
  /** The agency's local date the digest is for (YYYY-MM-DD). */
  date: string;
  /** The agency's time zone: every date is shown as its calendar reads it. */
  timeZone: string;
  /** Its morning: what passed before is overdue, and what passed earlier that day is said so (`dueWordsFor`). */
  asOf: Instant;
  /**
   * The zones law enforcement works in: a due date's last day is read in the one whose midnight it is (mail/render.ts),
   * or in its case's own where it kept the zone it was identified in (`DigestItem`'s `identifiedIn`).
   */
  deadlineZones?: readonly string[];
  items: DigestItem[];
  /**
   * The agencies that owe listed steps other than the recipient, by id (a coordinating agency's are all another's):
   * each such line names the agency and its address, whom to follow up with, as an escalation does.
   */
  owners?: ReadonlyMap<string, { name: string; email: string | null }>;
  /** The notices of what passed it carries instead of their emails (activities/digest.ts), one line per case. */
  broughtUpToDate?: readonly PassedNotice[];
  publicBaseUrl: string;
}

/** The zones an item's last day may have been counted in: its case's own, where it kept one (`zonesCountedIn`). */
const countedIn = (item: DigestItem, facts: DigestFacts) =>
  zonesCountedIn(item.identifiedIn, facts.deadlineZones ?? []);

function line(item: DigestItem, facts: DigestFacts): string {
  const { timeZone } = facts;
  const deadlineZones = countedIn(item, facts);
  const what =
    item.kind === 'due'
      ? `${stepLabel(item.stepKind)}, ${dueWordsFor(item.at, item.stepKind, timeZone, deadlineZones, new Date(facts.asOf), 'instead', item.dueOnADay)}`
      : `${stepLabel(item.stepKind)}: ${windowLabel(item.about)} until ${formatCalendarDay(lastValidDay(item.at))}`;
  const owner = item.owedBy === null ? undefined : facts.owners?.get(item.owedBy);
  return `  - ${sectionLabel(item, facts)}: ${what}${owner ? ` (owed by ${agencyToChase(owner)})` : ''}`;
}

/**
 * What the digest replaces: the reminders of the agency's own steps. Those of a step another agency owes go to that
 * agency whatever this digest lists (a coordinating agency's digest lists only such steps), which it says.
 */
function replacesWords(facts: DigestFacts): string {
  const stillSent = "escalations and notices of a minor's 24-hour deadline still are.";
  if (!facts.items.some((item) => item.owedBy !== null && facts.owners?.has(item.owedBy)))
    return `Reminders of these steps are not sent one by one while your agency receives this digest; ${stillSent}`;
  return (
    'A step another agency owes names that agency and its address: its reminders go to that agency. Reminders of ' +
    `your agency's own steps are not sent one by one while your agency receives this digest; ${stillSent}`
  );
}

/**
 * The section a line names, as the console words the same deadline (core/people-dates.ts `dueWordingFor`): a step due
 * on its day by the clock of the zone its last day is read in, while the agency's own day is another (the task force
 * in Guam on the morning of 6 Dec, the police's 5 Dec in Los Angeles not over), is "Due 5 Dec 2026, Los Angeles
 * time", so "due 5 Dec 2026" beside it does not read as a day already gone.
 */
function sectionLabel(item: DigestItem, facts: DigestFacts): string {
  const label = sectionName(item.section, facts.date);
  if (item.section !== 'due_today' || item.kind !== 'due') return label;
  const { timeZone } = facts;
  const judgedIn = deadlineZone(item.at, timeZone, countedIn(item, facts));
  const words = dueWordingFor(item.at, judgedIn, timeZone, new Date(facts.asOf));
  if (!words.startsWith('due today, ')) return label;
  const theirDay = sectionName('due_today', localDateOf(facts.asOf, judgedIn));
  return `${theirDay}${words.slice('due today'.length)}`;
}

/** The console's list of a section's steps, in the order the digest lists them (by due date); none for windows. */
function sectionList(section: DigestSection, facts: DigestFacts): { what: string; path: string } | null {
  const days = (from: IsoDate, to: IsoDate) => `/steps?sort=dueAt&dueAfter=${from}&dueBefore=${to}`;
  switch (section) {
    case 'overdue':
      return { what: 'list of overdue steps', path: '/steps?status=overdue&sort=dueAt' };
    case 'due_today':
      return { what: 'list of steps due that day', path: days(facts.date, facts.date) };
    case 'due_this_week':
      return { what: 'list of steps due that week', path: days(addDays(facts.date, 1), addDays(facts.date, 6)) };
    case 'expiring':
      return null;
  }
}

/** Where a section lists fewer than it counts: how many are left out, and where they all are. */
function leftOutLine(section: DigestSection, count: number, facts: DigestFacts): string {
  const list = sectionList(section, facts);
  const where = list
    ? `the console's ${list.what} names every one: ${consoleLink(facts.publicBaseUrl, list.path)}`
    : "each case's page and your agency's calendar feed name every one";
  return `${sectionName(section, facts.date)}: the ${moreNotListed(count, where, ' by date')}`;
}

export function renderDigest(facts: DigestFacts): RenderedEmail {
  const passed = facts.broughtUpToDate ?? [];
  const counts = [
    ...DIGEST_SECTIONS.map(
      (section) =>
        `${sectionName(section, facts.date)}: ${facts.items.filter((item) => item.section === section).length}`,
    ),
    // Counted only when there are some: most days there are none.
    ...(passed.length > 0 ? [`Brought up to date: ${passed.length}`] : []),
  ];
  // Each section's first EMAIL_LISTED by date, as the console's list of it runs (sort=dueAt).
  const bySection = DIGEST_SECTIONS.map((section) =>
    facts.items
      .filter((item) => item.section === section)
      .sort((a, b) => a.at.localeCompare(b.at) || a.caseReference.localeCompare(b.caseReference)),
  );
  const leftOut = DIGEST_SECTIONS.flatMap((section, i) => {
    const more = bySection[i]!.length - EMAIL_LISTED;
    return more > 0 ? [leftOutLine(section, more, facts)] : [];
  });
  const byCase = new Map<string, DigestItem[]>();
  for (const item of bySection.flatMap((items) => items.slice(0, EMAIL_LISTED))) {
    const listed = byCase.get(item.caseId);
    if (listed) listed.push(item);
    else byCase.set(item.caseId, [item]);
  }
  const { listed: passedListed, leftOut: passedLeftOut } = listedPassedNotices(passed);
  const cases = [...byCase.values()].sort((a, b) => a[0]!.caseReference.localeCompare(b[0]!.caseReference));
  const order = (item: DigestItem) => DIGEST_SECTIONS.indexOf(item.section);
  const text = [
    `To: ${facts.agencyName}`,
    '',
    // The zone as the console names it beside a time ("CST", "Pago Pago time"), on the digest's morning, not its id.
    `Your daily digest for ${formatCalendarDay(facts.date)} (${zoneNameOf(new Date(facts.asOf), facts.timeZone)}): ${counts.join(', ')}.`,
    replacesWords(facts),
    ...cases.flatMap((items) => [
      '',
      `Case ${items[0]!.caseReference}: ${caseLink(facts.publicBaseUrl, items[0]!.caseId)}`,
      ...[...items].sort((a, b) => order(a) - order(b) || a.at.localeCompare(b.at)).map((i) => line(i, facts)),
    ]),
    ...(leftOut.length > 0 ? ['', ...leftOut] : []),
    ...(passed.length > 0
      ? [
          '',
          'Brought up to date: these cases were entered or updated with dates that already passed; the reminders that ' +
            'fell before were not sent, one by one or here. Each case page shows where those steps stand now.',
          ...passedListed.map(passedNoticeDigestLine),
          ...(passedLeftOut > 0 ? [passedLeftOutLine(passedLeftOut)] : []),
        ]
      : []),
    '',
    // Recipients forward emails; the digest says why it carries no personal details.
    'This message intentionally carries no personal details. Sign in to see the cases.',
  ].join('\n');
  return { subject: `Daily digest ${formatCalendarDay(facts.date)}: ${counts.join(', ')}`, text };
}
