/**
 * The daily digest's activities (its workflow is workflows/daily-digest.ts), and the rule that folds a reminder into
 * the digest instead of emailing it (activities/notifications.ts applies it).
 *
 * A digest lists the agency's deadlines (db/deadlines.ts) as of its local morning: overdue, due today, due within
 * the week, and windows ending within 30 days (`digestSection`). A reminder is folded into the agency's very next
 * digest only when that digest lists what it is about by that same rule (`foldedInto`), so what the digest replaces
 * is always in it. Everything else still goes out at once: escalations, a minor's 24-hour HHS notice, expiry
 * notices, a minor's 18th birthday (no digest names a date derived from a birth date), a reminder the next digest
 * would not list (an early heads-up beyond its horizon, a date just past its week).
 *
 * A notice of what passed (a case entered after the fact) is always folded into the next digest, which lists it in
 * its "Brought up to date" section: it is read from the outbox, not from deadlines, so the digest claims it as it is
 * written (`claimPassedNoticesFor`), and a notice recorded once its digest was written goes into the following one.
 */
import type { Pool } from 'pg';
import type { Logger } from '../core/logger';
import { deadlineInZone, deadlineZone, lastDayToAct, zonesCountedIn } from '../core/people-dates';
import { instantOfLocal, localDateOf, startOfLocalDay } from '../core/time-zones';
import { deadlineTimeZones, findAgency } from '../db/agencies';
import { agencyDeadlines, type Deadline } from '../db/deadlines';
import { claimPassedNoticesFor, enqueue, findNotification, findRecipient } from '../db/notifications';
import { inTransaction, type Queryable } from '../db/pool';
import type { NotifiedKind } from '../domain';
import { BIRTH_DATE_SUBJECTS } from '../domain/alarms';
import { addDays } from '../domain/dates';
import { overdueAsOf } from '../domain/steps';
import type { Instant } from '../domain/types';
import { renderDigest, type DigestItem, type DigestSection } from '../mail/digest';

/** The agency's local morning, when its digest is sent. */
const DIGEST_TIME = '07:00';
const DAY_MS = 86_400_000;
/** How far ahead a digest lists due dates ("this week") and window ends ("expiring"). */
const DUE_HORIZON_DAYS = 7;
const EXPIRY_HORIZON_DAYS = 30;

export interface DigestDeps {
  pool: Pool;
  publicBaseUrl: string;
  /** The deployment's TIMEZONE, for agencies without a zone of their own (default UTC). */
  timeZone?: string;
  logger?: Logger;
}

/** What a reminder says, as far as folding it goes. */
interface FoldableFacts {
  kind: NotifiedKind;
  stepKind: string;
  about?: string;
  dueAt: Instant | null;
}

/** The instants (epoch ms) that bound what the digest of one local date lists. */
interface DigestWindow {
  /** Its morning: what falls before is overdue. */
  asOf: number;
  /** The start of the next local day. */
  tomorrow: number;
  /** The start of the local day a week after its date: "this week" ends there. */
  weekEnd: number;
  /** 30 days after its morning: windows ending before then are "expiring". */
  expiringUntil: number;
  /**
   * The agency's: a window's end at the end of a typed day passes as that day ends there, and a deadline's last day is
   * read there unless it is another zone's midnight (core/people-dates.ts).
   */
  zone: string;
  /** Its local date, and the one a week after: due dates are listed by their last day to act between them. */
  date: string;
  weekEndDate: string;
  /**
   * The zones a deadline may have been counted in: a deadline's last day is read in the one whose midnight it is
   * (`deadlineZone`); its case's alone where it kept the zone it was identified in (`zonesCountedIn`).
   */
  deadlineZones: readonly string[];
}

export function digestWindow(date: string, zone: string, deadlineZones: readonly string[]): DigestWindow {
  const asOf = Date.parse(instantOfLocal(date, DIGEST_TIME, zone));
  const weekEndDate = addDays(date, DUE_HORIZON_DAYS);
  return {
    asOf,
    tomorrow: Date.parse(startOfLocalDay(addDays(date, 1), zone)),
    weekEnd: Date.parse(startOfLocalDay(weekEndDate, zone)),
    expiringUntil: asOf + EXPIRY_HORIZON_DAYS * DAY_MS,
    zone,
    date,
    weekEndDate,
    deadlineZones,
  };
}

/**
 * Where the digest of `window` lists a deadline, or null when it does not: the one rule for what a digest lists
 * (composeDigest) and so for which reminders it replaces (foldedInto), so the two cannot disagree.
 * A deadline counts on its last day to act (core/people-dates.ts), the same day for every agency: one whose last day
 * is today is due today (the police's midnight in Chicago still today's in New York's digest), one whose last day is
 * within the week is due this week. It is overdue as the API says it (domain/steps.ts `overdueAsOf`), from its very
 * moment, never by the agency's own day: a deadline that is a day (a CP decision due 6 Dec) once that day has ended
 * everywhere in the US, so the Guam digest of 7 Dec still lists it as due, not overdue, as no status, list or count
 * calls it overdue yet. A window already ended by the morning is not "expiring": its own notice, always sent at once,
 * says that it ended.
 */
export function digestSection(
  kind: Deadline['kind'],
  deadline: Instant,
  window: DigestWindow,
  step?: Pick<Deadline, 'stepKind' | 'dueOnADay'>,
): DigestSection | null {
  const at = Date.parse(deadlineInZone(deadline, window.zone));
  if (kind === 'expiry') return at > window.asOf && at < window.expiringUntil ? 'expiring' : null;
  // At its very moment too: the words beside it say "overdue since 07:00 EST on 5 Dec 2026" by the same rule
  // (mail/render.ts `dueWordsFor`). A deadline that is a day is known as one where its step is.
  const due = { kind: step?.stepKind ?? '', dueAt: deadline, dueOnADay: step?.dueOnADay };
  if (overdueAsOf(due, window.asOf)) return 'overdue';
  const lastDay = lastDayToAct(deadline, deadlineZone(deadline, window.zone, window.deadlineZones));
  if (lastDay <= window.date) return 'due_today';
  return lastDay < window.weekEndDate ? 'due_this_week' : null;
}

/** The local date of the agency's first digest after `now`: today's, unless its morning has come, else tomorrow's. */
function nextDigestDate(now: Instant, zone: string): string {
  const today = localDateOf(now, zone);
  return Date.parse(instantOfLocal(today, DIGEST_TIME, zone)) > Date.parse(now) ? today : addDays(today, 1);
}

/** The deadline a reminder is about, as a digest lists it: a step's due date, or the end of a window. */
const DEADLINE_OF: Partial<Record<NotifiedKind, Deadline['kind']>> = {
  reminder: 'due',
  due: 'due',
  expiry_reminder: 'expiry',
};

/**
 * The local date of the digest that replaces this reminder, raised at `raisedAt` for an agency (in `zone`) whose
 * digest is on: its very next one, when that one lists what the reminder is about. Null when the reminder goes out
 * on its own: that digest would not list it (a date beyond its week or 30 days, a window ended before its morning),
 * or it is never folded. The minors' notice to HHS is due within 24 hours: a digest could come too late for it.
 */
export function foldedInto(
  facts: FoldableFacts,
  raisedAt: Date,
  zone: string,
  deadlineZones: readonly string[] = [],
): string | null {
  // Nothing in a notice of what passed is due at once: the next digest carries it, whatever it is about.
  if (facts.kind === 'passed_summary') return nextDigestDate(raisedAt.toISOString(), zone);
  const deadline = DEADLINE_OF[facts.kind];
  if (!deadline || facts.dueAt === null || facts.stepKind === 'hhs_minor_notification') return null;
  if (facts.about !== undefined && BIRTH_DATE_SUBJECTS.has(facts.about)) return null;
  const date = nextDigestDate(raisedAt.toISOString(), zone);
  const window = digestWindow(date, zone, deadlineZones);
  return digestSection(deadline, facts.dueAt, window, { stepKind: facts.stepKind }) ? date : null;
}

/** An outbox row's key (as activities/notifications.ts's NotificationKey; not imported, which would make a cycle). */
interface NotificationKey {
  caseId: string;
  alarmId: string;
}

/** A digest is an outbox row keyed by its agency and local date: one per agency and day, whatever retries. */
const digestKey = (agencyId: string, date: string): NotificationKey => ({
  caseId: `digest:${agencyId}`,
  alarmId: date,
});

/**
 * The digest a notice of what passed folded into `date` is listed by: that one, unless it was written already (the
 * notice recorded after its morning, or retried past it), then the first after it not yet written. Asked while the
 * agency's row is held for share, which the writing of a digest waits for (`composeDigest`).
 */
export async function digestStillToWrite(db: Queryable, agencyId: string, date: string): Promise<string> {
  let next = date;
  while (await findNotification(db, digestKey(agencyId, next))) next = addDays(next, 1);
  return next;
}

export function createDigestActivities(deps: DigestDeps) {
  const { pool, logger } = deps;
  const zoneOf = (agency: { timeZone: string | null }) => agency.timeZone ?? deps.timeZone ?? 'UTC';

  return {
    /**
     * The next digest of an agency whose digest is on: the local date after `after` (none: today, or tomorrow once
     * today's morning has passed) and the instant of its morning. Null when the digest is off: the workflow ends.
     * `now` is the workflow's clock, which tests skip ahead.
     */
    async nextDigest(input: {
      agencyId: string;
      after?: string;
      now: Instant;
    }): Promise<{ date: string; at: Instant } | null> {
      const agency = await findAgency(pool, input.agencyId);
      if (!agency?.dailyDigest) return null;
      const zone = zoneOf(agency);
      const date = input.after ? addDays(input.after, 1) : nextDigestDate(input.now, zone);
      return { date, at: instantOfLocal(date, DIGEST_TIME, zone) };
    },

    /**
     * Builds the agency's digest for its local date and puts it in the outbox, once: a retry, or a second run for the
     * same day, finds the row. Null when there is nothing to send: the digest is off, the agency has no address, or
     * it has nothing due, overdue or expiring.
     */
    async composeDigest(input: { agencyId: string; date: string }): Promise<NotificationKey | null> {
      const key = digestKey(input.agencyId, input.date);
      if (await findNotification(pool, key)) return key;
      // The agency's row is held until the digest is written, so a notice of what passed being folded meanwhile
      // waits and goes into the next one (`digestStillToWrite`), and one folded before is claimed here: each once.
      return inTransaction(pool, async (client) => {
        if (await findNotification(client, key)) return key;
        const agency = await findRecipient(client, input.agencyId, { lock: 'update' });
        const email = agency?.email;
        if (!agency?.dailyDigest || !email) return null;
        const zone = zoneOf(agency);
        const deadlineZones = await deadlineTimeZones(client, deps.timeZone ?? 'UTC');
        const window = digestWindow(input.date, zone, deadlineZones);
        // A day more: east of UTC, a deadline stored at a UTC midnight passes hours before it, as its day ends there.
        const until = new Date(Math.max(window.weekEnd, window.expiringUntil) + DAY_MS);
        const deadlines = await agencyDeadlines(client, agency.agencyId, { until });
        const items = deadlines.flatMap((deadline): DigestItem[] => {
          // Its last day read in the zone its case was identified in (core/people-dates.ts `zonesCountedIn`).
          const countedIn = zonesCountedIn(deadline.identifiedIn, deadlineZones);
          const section = digestSection(deadline.kind, deadline.at, { ...window, deadlineZones: countedIn }, deadline);
          return section ? [{ ...deadline, section }] : [];
        });
        // Whom to follow up with for each step another agency owes, as its escalation names them.
        const owners = new Map<string, { name: string; email: string | null }>();
        for (const ownerId of new Set(items.map((item) => item.owedBy))) {
          const owner = ownerId === null || ownerId === agency.agencyId ? null : await findAgency(client, ownerId);
          if (owner) owners.set(owner.id, { name: owner.name, email: owner.email });
        }
        const broughtUpToDate = await claimPassedNoticesFor(client, agency.agencyId, input.date);
        if (items.length === 0 && broughtUpToDate.length === 0) {
          logger?.info({ agencyId: agency.agencyId, date: input.date }, 'daily digest: nothing to send today');
          return null;
        }
        const rendered = renderDigest({
          agencyName: agency.name,
          date: input.date,
          timeZone: zone,
          asOf: new Date(window.asOf).toISOString(),
          deadlineZones,
          items,
          owners,
          broughtUpToDate,
          publicBaseUrl: deps.publicBaseUrl,
        });
        await enqueue(client, {
          ...key,
          reference: 'Daily digest',
          stepId: 'daily_digest',
          stepKind: 'daily_digest',
          kind: 'daily_digest',
          recipientAgencyId: agency.agencyId,
          recipientEmail: email,
          subject: rendered.subject,
          bodyText: rendered.text,
          dueAt: new Date(window.asOf).toISOString(),
        });
        logger?.info(
          { agencyId: agency.agencyId, date: input.date, items: items.length, broughtUpToDate: broughtUpToDate.length },
          'daily digest queued',
        );
        return key;
      });
    },
  };
}
