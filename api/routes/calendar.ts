/**
 * Calendar feeds (app/calendar-feeds.ts): a user's own feeds, managed like their API keys, and the feed itself,
 * whose secret URL is its only credential. The secret never reaches a log (api/app.ts masks it) or the audit trail.
 */
import { z } from 'zod';
import type { ApiDeps } from '../deps';
import { route, type Route } from '../route';
import { SEES_CASES } from './lists';
import {
  CalendarFeedListQuerySchema,
  CalendarFeedPageSchema,
  CalendarFeedParamsSchema,
  CalendarFeedSchema,
  CalendarSecretParamsSchema,
  IssuedCalendarFeedSchema,
  NewCalendarFeedSchema,
} from '../schemas';

export function calendarRoutes(deps: ApiDeps): Route[] {
  const { calendarFeeds } = deps;
  return [
    route({
      method: 'post',
      path: '/api/me/calendar-feeds',
      tag: 'calendar',
      summary:
        "Create a calendar feed (iCalendar) of your agency's coming deadlines: the due dates of the steps it owns and the ends of the windows it is told about. Only for a role that works or supervises cases, as the work lists: an admin has no deadlines of their own. Answers the feed's secret URL this once; subscribe to it from Outlook, Google Calendar or Apple Calendar. Anyone holding the URL can read the feed: revoke it when in doubt. A feed lasts until revoked, so your current password proves it is you (limited like sign-in, per user), as for an API key.",
      rateLimit: 'password_check',
      // A feed is a work list delivered elsewhere: who may not list the agency's steps may not subscribe to them.
      allow: SEES_CASES,
      body: NewCalendarFeedSchema,
      audit: 'calendar_feed.create',
      responses: {
        201: { description: 'the feed, with its URL shown this once', schema: IssuedCalendarFeedSchema },
        403: { description: 'the current password is wrong, or your roles see no cases', problem: true },
        409: { description: 'you already have 20 live feeds: revoke one first', problem: true },
        429: {
          description:
            "too many password checks by this user, or too many wrong current passwords from this session or API key (account_locked: locked for a while, growing; strangers' wrong sign-ins do not count here)",
          problem: true,
        },
      },
      handle: async ({ body, actor, tokenId }) => ({
        status: 201,
        body: await calendarFeeds.create(actor, body, tokenId),
      }),
    }),
    route({
      method: 'get',
      path: '/api/me/calendar-feeds',
      tag: 'calendar',
      summary:
        'Your calendar feeds, newest first, revoked ones included: when each was created and last fetched. One page at a time.',
      query: CalendarFeedListQuerySchema,
      responses: {
        200: { description: 'one page; pass nextCursor as cursor for the next', schema: CalendarFeedPageSchema },
      },
      handle: async ({ actor, query }) => ({
        status: 200,
        body: await calendarFeeds.list(actor, { limit: query.limit, cursor: query.cursor }),
      }),
    }),
    route({
      method: 'delete',
      path: '/api/me/calendar-feeds/:feedId',
      tag: 'calendar',
      summary: 'Revoke one of your calendar feeds: its URL answers 404 from now on.',
      params: CalendarFeedParamsSchema,
      audit: 'calendar_feed.revoke',
      responses: {
        200: { description: 'the revoked feed', schema: CalendarFeedSchema },
        404: { description: 'no such feed of yours', problem: true },
      },
      handle: async ({ params, actor }) => ({ status: 200, body: await calendarFeeds.revoke(actor, params.feedId) }),
    }),
    route({
      method: 'get',
      path: '/calendar/:secret.ics',
      tag: 'calendar',
      summary:
        "A calendar feed (RFC 5545): the coming deadlines of its owner's agency, one event per due date or window end, with the case reference, the step, the agency and a link to the case page; never a survivor's personal data. Each event's UID is stable, so calendars update it rather than add another, and it leaves the feed once its step is signed. No Authorization header: the secret in the URL is the credential. 404 once the feed is revoked, its user disabled, or its user no longer holds a role that works or supervises cases (checked at every fetch). Every fetch is audited without the secret.",
      actor: false,
      // A calendar app may add parameters of its own (a cache buster) to the URL it was given: the feed is the same.
      anyQuery: true,
      rateLimit: 'calendar_feed',
      params: CalendarSecretParamsSchema,
      responses: {
        200: { description: 'the calendar', schema: z.string(), contentType: 'text/calendar' },
        404: {
          description: 'no such feed, revoked, its user disabled, or its user holding no role that sees cases',
          problem: true,
        },
        429: { description: 'too many fetches from this address', problem: true },
      },
      handle: async ({ params, req }) => ({
        status: 200,
        body: await calendarFeeds.render(params.secret, req.id),
        contentType: 'text/calendar; charset=utf-8',
      }),
    }),
  ];
}
