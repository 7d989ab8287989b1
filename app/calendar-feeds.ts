/**
 * Calendar feeds (RFC 5545): a user subscribes their calendar to their agency's deadlines through a secret URL. The
 * secret is a token of kind `calendar_feed` (db/tokens.ts): stored as its hash, shown once, listed and revoked like
 * an API key, dead with its user, and never accepted as a bearer token. A feed is read from the read model only and
 * names case references, steps and the agency, never a survivor.
 */
import { deadlineZone, lastDayToAct, passesAtAnHour, zonesCountedIn } from '../core/people-dates';
import type { Pool } from 'pg';
import { AppError } from '../core/errors';
import { icalendarText, type CalendarEvent, type CalendarEventTime } from '../core/icalendar';
import { wallClock, type Clock } from '../core/clock';
import { tokenCapRefusal, type AccessService } from './access-service';
import type { IdentityKeyring } from '../core/identity-cipher';
import { cursorKeys } from '../core/list-cursor';
import { MAX_LIVE_TOKENS } from '../core/token-format';
import { pagedList } from './lists-service';
import { recordAudit } from '../db/audit';
import { deadlineTimeZones, listAgencies } from '../db/agencies';
import { agencyDeadlines, type Deadline } from '../db/deadlines';
import {
  authenticateToken,
  issueToken,
  listTokens,
  refusedToken,
  revokeToken,
  tokenOwner,
  type TokenInfo,
} from '../db/tokens';
import type { Principal } from '../db/user-rows';
import { seesCases } from '../domain/access';
import { addDays } from '../domain/dates';
import { dueAllDay } from '../domain/steps';
import { dueAtTheHour, stepLabel, windowLabel } from '../domain/labels';
import type { Actor } from '../domain/types';
import { caseLink } from '../mail/render';

export interface CalendarFeedDeps {
  pool: Pool;
  /**
   * Where the service is reachable (PUBLIC_BASE_URL): the feed's URL and each event's link to its case page start
   * with it. Default: the service's default address, for parts of tests that never make a feed.
   */
  publicBaseUrl?: string;
  /** The deployment's TIMEZONE, for an agency without a zone of its own (default UTC). */
  timeZone?: string;
  /** Signs the cursors of the feed list (core/list-cursor.ts); without it, the development-only fixed key. */
  identityKeyring?: IdentityKeyring;
}

/** A feed as its owner sees it: never its secret. */
export interface CalendarFeed {
  id: string;
  label: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

const KIND = ['calendar_feed'] as const;
/**
 * Feeds do not expire: a calendar subscription that silently stops is worse than one its owner revokes. They stop
 * when revoked, when their user is disabled, or when the user changes their password (every token of theirs does).
 * Since a feed outlives the session that makes it, making one asks for the current password, as an API key does: a
 * stolen session alone cannot leave a lasting way in behind it.
 */
const FEED_LIFETIME_MS = 100 * 365 * 24 * 3600 * 1000;
/**
 * A deadline owed at its hour (`atItsHour`: a minor's 24-hour notice) is a 30-minute slot ending then, so every
 * calendar shows it.
 */
const EVENT_MS = 30 * 60 * 1000;

/**
 * The agency's zone, and those a deadline may have been counted in where its case kept none (db/agencies.ts
 * `deadlineTimeZones`; core/people-dates.ts `zonesCountedIn`).
 */
interface Zones {
  reader: string;
  countedIn: readonly string[];
}

/**
 * Whether a deadline is an event at its hour, the same instant in every calendar, rather than a day: the minors'
 * 24-hour notice, shown at its hour everywhere (domain/labels.ts `dueAtTheHour`), and any due date that passes at an
 * hour of its own (core/people-dates.ts `passesAtAnHour`: counted from an identification entered by its hour). Such a
 * date has no day that is every reader's last: all day on the reader's own last day, a declaration due at 08:00 on
 * 3 Jan in Guam sat on 3 Jan in Guam's feed and on 2 Jan in New York's, under one UID. At its instant, each calendar
 * shows it on the day the console shows its reader ("due 2 Jan 2027" in New York, where it passes at 17:00), at the
 * hour it passes there. A day (counted from a typed day, `dueOnADay`, or at a validity's end: domain/steps.ts
 * `dueAllDay`) and a window's end stay all-day events.
 */
function atItsHour(deadline: Deadline, countedIn: readonly string[]): boolean {
  if (dueAtTheHour(deadline.stepKind)) return true;
  if (deadline.kind !== 'due') return false;
  const step = { kind: deadline.stepKind, dueAt: deadline.at, dueOnADay: deadline.dueOnADay };
  return !dueAllDay(step) && passesAtAnHour(deadline.at, countedIn);
}

/** An all-day event on a calendar day: a date with no zone (DTSTART;VALUE=DATE), the same day in every calendar. */
const allDayOn = (day: string): CalendarEventTime => ({ startDay: day, endDay: addDays(day, 1) });

const feedOf = (token: TokenInfo): CalendarFeed => ({
  id: token.id,
  label: token.label,
  createdAt: token.createdAt,
  lastUsedAt: token.lastUsedAt,
  revokedAt: token.revokedAt,
});

const notFound = () => new AppError('not_found', 'No such calendar feed of yours.', { code: 'feed_not_found' });

/** The feed's owner as the access rules see a user acting (domain/access.ts). */
const actorOf = (user: Principal): Actor => ({
  userId: user.id,
  agencyId: user.agencyId,
  agencyKind: user.agencyKind,
  roles: user.roles,
});

const auditedUser = (user: Principal) => ({
  id: user.id,
  username: user.username,
  agencyId: user.agencyId,
  roles: user.roles,
});

export type CalendarFeeds = ReturnType<typeof createCalendarFeeds>;

const DEFAULT_BASE_URL = 'http://127.0.0.1:3000';

export function createCalendarFeeds(deps: CalendarFeedDeps, access: Pick<AccessService, 'proveCurrentPassword'>) {
  const { pool } = deps;
  // Feeds live on the wall clock, like every token.
  const now: Clock = wallClock;
  const base = (deps.publicBaseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
  const host = new URL(base).hostname;
  const feedUrl = (secret: string) => `${base}/calendar/${secret}.ics`;

  /**
   * One event per deadline; its UID names the case, the step and what ends, so a calendar updates it in place. It
   * sits all day on the last day (core/people-dates.ts `lastDayToAct`): to act, the same day for every agency (one
   * counted from the police's midnight in Chicago is on the police's last day in New York too), or of a validity
   * ("until 15 Jan", in Guam as in Chicago). A deadline owed at its hour (`atItsHour`: a minor's 24-hour notice, a
   * date counted from an identification's hour) is half an hour ending then, the same instant in every calendar.
   * A due date names the agency that owes the step, which for a coordinating agency's feed is another agency; a
   * window's end is owed by no one.
   *
   * Its DTSTAMP is when the read model last took a change of its case and its SEQUENCE the case's change counter
   * (the deadline's `revision`, read with it): both stay while nothing changes, so a feed fetched again reads the same, byte for byte, and its
   * ETag answers a calendar's If-None-Match with 304; a date that moves moved with a change of its case, so its
   * SEQUENCE is higher. Where the generator stamped the time of each fetch, every poll downloaded the whole feed.
   */
  const eventOf = (deadline: Deadline, agencyName: (agencyId: string) => string, zones: Zones): CalendarEvent => {
    const step = stepLabel(deadline.stepKind);
    const what = deadline.kind === 'due' ? `${step} due` : `${step}: ${windowLabel(deadline.about)} ends`;
    const link = caseLink(base, deadline.caseId);
    const owed = deadline.owedBy ? ` (owed by ${agencyName(deadline.owedBy)})` : '';
    // Read in the zone its case was identified in, kept with the case, where it kept one.
    const countedIn = zonesCountedIn(deadline.identifiedIn, zones.countedIn);
    const when: CalendarEventTime = atItsHour(deadline, countedIn)
      ? { start: new Date(Date.parse(deadline.at) - EVENT_MS), end: new Date(deadline.at) }
      : allDayOn(lastDayToAct(deadline.at, deadlineZone(deadline.at, zones.reader, countedIn)));
    return {
      uid: `${deadline.caseId}-${deadline.stepId}-${deadline.kind === 'due' ? 'due' : deadline.about}@${host}`,
      ...when,
      stamp: new Date(deadline.revision.updatedAt),
      sequence: deadline.revision.version,
      summary: `${deadline.caseReference}: ${what}`,
      description: `Case ${deadline.caseReference}: ${what}${owed}.\n${link}`,
      url: link,
    };
  };

  return {
    /** The actor's feeds, newest first, revoked ones included, one page at a time. */
    list: (actor: Actor, page: { limit: number; cursor?: string }) =>
      pagedList(cursorKeys(deps.identityKeyring), 'calendar_feeds', page, 'query', async (after) => {
        const found = await listTokens(pool, actor.userId, KIND, { limit: page.limit, after });
        return { items: found.items.map(feedOf), nextCursor: found.nextCursor };
      }),

    /**
     * A new feed: its URL carries the secret and is answered this once. The current password proves it is its user
     * who makes it, as for an API key (app/access-service.ts `proveCurrentPassword`): a feed outlives the session.
     * `tokenId`: the session or API key asking, whose wrong current passwords are counted.
     */
    async create(actor: Actor, options: { currentPassword: string; label: string }, tokenId: string) {
      await access.proveCurrentPassword(actor.userId, tokenId, options.currentPassword);
      const expiresAt = new Date((await now()).getTime() + FEED_LIFETIME_MS);
      const { label } = options;
      // At most MAX_LIVE_TOKENS live feeds: counted and made in one transaction, so concurrent creates never overshoot.
      const cap = { max: MAX_LIVE_TOKENS, now: await now() };
      const issued = await issueToken(pool, {
        userId: actor.userId,
        kind: 'calendar_feed',
        label,
        expiresAt,
        cap,
      }).catch(tokenCapRefusal('calendar_feed'));
      return { ...feedOf(issued), url: feedUrl(issued.token) };
    },

    /** Revokes one of the actor's own feeds; any other id is "not found" (ids are not theirs to probe). */
    async revoke(actor: Actor, feedId: string) {
      const owner = await tokenOwner(pool, feedId);
      if (owner?.userId !== actor.userId || owner.kind !== 'calendar_feed') throw notFound();
      return feedOf((await revokeToken(pool, feedId, await now()))!);
    },

    /**
     * The feed behind a secret as iCalendar text: the coming deadlines of its owner's agency. Every read is audited
     * with the feed's id and its owner, never the secret; a secret that opens nothing is a 404, audited too. So is the
     * feed of an owner whose roles no longer see cases (an admin alone, a working role taken away since it was made):
     * the roles are read at every fetch, as a bearer token's are at every request.
     */
    async render(secret: string, requestId: string): Promise<string> {
      const found = await authenticateToken(pool, secret, await now(), KIND);
      if (!found || !seesCases(actorOf(found.user))) {
        // A feed refused for its owner's roles, or fetched with its own secret once revoked or its user disabled,
        // names itself and its owner: their supervisor sees whose address is still being fetched.
        const refused = found
          ? { ...found, why: "its owner's roles see no cases" }
          : await refusedToken(pool, secret, await now(), KIND);
        await recordAudit(pool, {
          action: 'calendar_feed.read',
          outcome: 'rejected',
          status: 404,
          requestId,
          ...(refused && { user: auditedUser(refused.user), detail: `feed ${refused.tokenId}; ${refused.why}` }),
        });
        throw new AppError('not_found', 'No such calendar feed.', { code: 'feed_not_found' });
      }
      const { user, tokenId } = found;
      // A benefit window's end leaves the feed once passed, as a window's lapse leaves it once told (db/deadlines.ts).
      const at = await now();
      const [agencies, deadlines] = await Promise.all([
        listAgencies(pool),
        agencyDeadlines(pool, user.agencyId, { now: at }),
      ]);
      const byId = new Map(agencies.map((agency) => [agency.id, agency]));
      const agencyName = (agencyId: string) => byId.get(agencyId)?.name ?? agencyId;
      const agency = byId.get(user.agencyId);
      const fallback = deps.timeZone ?? 'UTC';
      const zones = { reader: agency?.timeZone ?? fallback, countedIn: await deadlineTimeZones(pool, fallback) };
      const text = icalendarText({
        name: `Deadlines of ${agencyName(user.agencyId)}`,
        prodId: { company: host, product: 'relief-cases' },
        // Calendars poll; an hour is what Outlook and Google Calendar honour at best (REFRESH-INTERVAL, X-PUBLISHED-TTL).
        refreshHours: 1,
        events: deadlines.map((deadline) => eventOf(deadline, agencyName, zones)),
      });
      await recordAudit(pool, {
        action: 'calendar_feed.read',
        outcome: 'allowed',
        status: 200,
        requestId,
        user: auditedUser(user),
        detail: `feed ${tokenId}; ${deadlines.length} events`,
      });
      return text;
    },
  };
}
