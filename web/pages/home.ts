/**
 * The first page after signing in: the coordinator's and supervisor's dashboard ("what is overdue, and with whom"),
 * or an officer's or advocate's inbox ("what must my agency sign").
 */
import { Router } from 'express';
import { ok } from '../api-client';
import { pairedBarChart } from '../chart';
import { formOf, homeOf, param, type Kit, type MeView } from '../kit';
import { stepLabel } from '../labels';

type Req = Parameters<Kit['render']>[0];
type Res = Parameters<Kit['render']>[1];
/** A feed just made: its secret URL, shown on this one page and never again. */
type NewFeed = { label: string; url: string } | undefined;

export function homePages(kit: Kit): Router {
  const router = Router();

  const home = async (req: Req, res: Res, newFeed?: NewFeed) => {
    const me = await kit.me(req, res);
    const page = homeOf(me);
    if (page === 'audit') return res.redirect(303, '/audit');
    if (page === 'dashboard') return dashboard(kit, req, res, me, newFeed);
    return inbox(kit, req, res, me, newFeed);
  };
  router.get('/', (req, res) => home(req, res));

  // The "Calendar feed" section of the home page (web/views/calendar-feed.eta).
  router.post('/calendar-feeds', async (req, res) => {
    await kit.me(req, res);
    const label = formOf(req).label?.trim() || 'Calendar';
    const feed = ok(await kit.api(req).POST('/api/me/calendar-feeds', { body: { label } }));
    // Rendered, not redirected: the URL is shown this once and never put in an address the browser keeps.
    await home(req, res, { label: feed.label, url: feed.url });
  });
  router.post('/calendar-feeds/:feedId/revoke', async (req, res) => {
    await kit.me(req, res);
    const feedId = String(req.params.feedId);
    ok(await kit.api(req).DELETE('/api/me/calendar-feeds/{feedId}', { params: { path: { feedId } } }));
    res.redirect(303, '/?notice=feed-revoked');
  });

  return router;
}

/** How many notices of cases brought up to date the dashboard lists, newest first. */
const BROUGHT_UP_TO_DATE_LISTED = 20;

async function dashboard(kit: Kit, req: Req, res: Res, me: MeView, newFeed: NewFeed): Promise<void> {
  const api = kit.api(req);
  const [counts, notifications, feeds] = await Promise.all([
    api.GET('/api/dashboard').then(ok),
    api.GET('/api/notifications', { params: { query: { limit: 200 } } }).then(ok),
    api.GET('/api/me/calendar-feeds').then(ok),
  ]);
  const mine = notifications.items.filter((item) => item.recipientAgencyId === me.user.agencyId);
  // Emails of this coordinator's cases that keep failing: someone must reach the agency another way.
  // A gathered "Brought up to date" email is about no one step (activities/notifications.ts `reportFailing`).
  const undelivered = mine
    .filter((item) => item.kind === 'delivery_failing')
    .map((item) => ({
      ...item,
      about: item.stepKind === 'passed_summary' ? 'its “Brought up to date” email' : stepLabel(item.stepKind),
    }));
  // Cases entered or updated with dates that had passed: their reminders were listed in one notice, not sent. The
  // newest are listed, and how many more there are (at least, when the newest notifications read do not hold them all).
  const passedNotices = mine.filter((item) => item.kind === 'passed_summary');
  const broughtUpToDate = passedNotices.slice(0, BROUGHT_UP_TO_DATE_LISTED);
  const broughtUpToDateMore = {
    count: passedNotices.length - broughtUpToDate.length,
    atLeast: notifications.nextCursor !== null,
  };
  kit.render(req, res, 'dashboard', {
    title: 'Dashboard',
    counts,
    // Overdue steps are among the pending: the hatched bar is part of the solid one.
    chart: pairedBarChart(
      counts.byKind.map((row) => ({ label: stepLabel(row.kind), first: row.pending, second: row.overdue })),
    ),
    // Only those whose step is still open: the API leaves out the resolved ones.
    escalations: counts.escalations,
    undelivered,
    broughtUpToDate,
    broughtUpToDateMore,
    feeds: feeds.items,
    newFeed,
    flash: INBOX_NOTICES.get(param(req, 'notice') ?? ''),
  });
}

/** The home page's messages after an action of the console, by the code it redirects with. */
export const INBOX_NOTICES: ReadonlyMap<string, string> = new Map([
  ['signed-off', 'Your sign-off was recorded. The step has left your inbox.'],
  ['feed-revoked', 'The calendar feed was revoked: its address no longer works.'],
]);

/** How many days ahead the inbox shows as today's work. */
const INBOX_HORIZON_DAYS = 30;

/** The agency's pending steps, most urgent first; the API decides which are overdue, on its own clock. */
async function inbox(kit: Kit, req: Req, res: Res, me: MeView, newFeed: NewFeed): Promise<void> {
  const api = kit.api(req);
  const cursor = param(req, 'cursor');
  const [pending, overdue, feeds] = await Promise.all([
    api.GET('/api/steps', { params: { query: { status: 'pending', sort: 'dueAt', limit: 50, cursor } } }).then(ok),
    api.GET('/api/steps', { params: { query: { status: 'overdue', sort: 'dueAt', limit: 200 } } }).then(ok),
    api.GET('/api/me/calendar-feeds').then(ok),
  ]);
  const overdueIds = new Set(overdue.items.map((step) => `${step.caseId}/${step.id}`));
  const items = pending.items.map((step) => ({ ...step, overdue: overdueIds.has(`${step.caseId}/${step.id}`) }));
  // Today's work is what is overdue or due within the horizon; later deadlines (a renewal due in two years, a step
  // with no due date) wait under "Upcoming", below it.
  const horizon = Date.parse(me.now) + INBOX_HORIZON_DAYS * 86_400_000;
  const now = (step: (typeof items)[number]) => step.dueAt !== null && Date.parse(step.dueAt) < horizon;
  kit.render(req, res, 'inbox', {
    title: 'Inbox',
    items,
    soon: items.filter(now),
    upcoming: items.filter((step) => !now(step)),
    horizonDays: INBOX_HORIZON_DAYS,
    overdueCount: overdue.items.length,
    nextCursor: pending.nextCursor,
    feeds: feeds.items,
    newFeed,
    // Only text of ours, chosen by a code: a query parameter echoed as text would let a link put words in our mouth.
    flash: INBOX_NOTICES.get(param(req, 'notice') ?? ''),
  });
}
