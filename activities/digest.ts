/**
 * The daily digest's activities (its workflow is workflows/daily-digest.ts), and the rule that folds a reminder into
 * the digest instead of emailing it (activities/notifications.ts applies it).
 *
 * A digest lists the agency's deadlines (db/deadlines.ts) as of its local morning: overdue, due today, due within
 * the week, and windows ending within 30 days. A reminder is folded into it only when the next digest is sure to
 * list what it is about: a due date within the week (or reached), a window ending within 30 days. Everything else
 * still goes out at once: escalations, a minor's 24-hour HHS notice, expiry notices, a minor's 18th birthday (no
 * digest names a date derived from a birth date), an early heads-up beyond the digest's horizon.
 */
import type { Pool } from 'pg';
import type { Logger } from '../core/logger';
import { instantOfLocal, localDateOf, startOfLocalDay } from '../core/time-zones';
import { findAgency } from '../db/agencies';
import { agencyDeadlines } from '../db/deadlines';
import { enqueue, findNotification } from '../db/notifications';
import type { NotifiedKind } from '../domain';
import { BIRTH_DATE_SUBJECTS } from '../domain/alarms';
import { addDays } from '../domain/dates';
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

/**
 * Whether this reminder, raised at `raisedAt` for an agency whose digest is on, goes into the next digest rather than
 * out on its own. The minors' notice to HHS is due within 24 hours: a digest could come too late for it.
 */
export function foldsIntoDigest(facts: FoldableFacts, raisedAt: Date): boolean {
  if (facts.dueAt === null || facts.stepKind === 'hhs_minor_notification') return false;
  if (facts.about !== undefined && BIRTH_DATE_SUBJECTS.has(facts.about)) return false;
  const ahead = Date.parse(facts.dueAt) - raisedAt.getTime();
  if (facts.kind === 'reminder' || facts.kind === 'due') return ahead < DUE_HORIZON_DAYS * DAY_MS;
  if (facts.kind === 'expiry_reminder') return ahead < EXPIRY_HORIZON_DAYS * DAY_MS;
  return false;
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
      if (input.after) {
        const date = addDays(input.after, 1);
        return { date, at: instantOfLocal(date, DIGEST_TIME, zone) };
      }
      const today = localDateOf(input.now, zone);
      const morning = instantOfLocal(today, DIGEST_TIME, zone);
      const date = Date.parse(morning) > Date.parse(input.now) ? today : addDays(today, 1);
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
      const agency = await findAgency(pool, input.agencyId);
      const email = agency?.email?.trim();
      if (!agency?.dailyDigest || !email) return null;
      const zone = zoneOf(agency);
      const asOf = Date.parse(instantOfLocal(input.date, DIGEST_TIME, zone));
      const tomorrow = Date.parse(startOfLocalDay(addDays(input.date, 1), zone));
      const weekEnd = Date.parse(startOfLocalDay(addDays(input.date, DUE_HORIZON_DAYS), zone));
      const expiringUntil = asOf + EXPIRY_HORIZON_DAYS * DAY_MS;
      // A deadline counts on its last day to act (core/people-dates.ts): one that passes as tomorrow begins is due today.
      const sectionOf = (kind: 'due' | 'expiry', at: number): DigestSection | null => {
        if (kind === 'expiry') return at < expiringUntil ? 'expiring' : null;
        if (at < asOf) return 'overdue';
        if (at <= tomorrow) return 'due_today';
        return at <= weekEnd ? 'due_this_week' : null;
      };
      const deadlines = await agencyDeadlines(pool, agency.id, { until: new Date(Math.max(weekEnd, expiringUntil)) });
      const items = deadlines.flatMap((deadline): DigestItem[] => {
        const section = sectionOf(deadline.kind, Date.parse(deadline.at));
        return section ? [{ ...deadline, section }] : [];
      });
      if (items.length === 0) {
        logger?.info({ agencyId: agency.id, date: input.date }, 'daily digest: nothing to send today');
        return null;
      }
      const rendered = renderDigest({
        agencyName: agency.name,
        date: input.date,
        timeZone: zone,
        items,
        publicBaseUrl: deps.publicBaseUrl,
      });
      await enqueue(pool, {
        ...key,
        reference: 'Daily digest',
        stepId: 'daily_digest',
        stepKind: 'daily_digest',
        kind: 'daily_digest',
        recipientAgencyId: agency.id,
        recipientEmail: email,
        subject: rendered.subject,
        bodyText: rendered.text,
        dueAt: new Date(asOf).toISOString(),
      });
      logger?.info({ agencyId: agency.id, date: input.date, items: items.length }, 'daily digest queued');
      return key;
    },
  };
}
