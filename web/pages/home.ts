/**
 * The first page after signing in: the coordinator's and supervisor's dashboard ("what is overdue, and with whom"),
 * or an officer's or advocate's inbox ("what must my agency sign").
 */
import { Router } from 'express';
import { ApiProblem, ok } from '../api-client';
import { formProblemOf, plainProblem, titleOf, type FormProblem, type NamedField } from '../form-problems';
import { pairedBarChart } from '../chart';
import { formOf, homeOf, param, type Kit, type MeView } from '../kit';
import { stepLabel } from '../labels';
import { LISTED_TOKENS } from './account';

type Req = Parameters<Kit['render']>[0];
type Res = Parameters<Kit['render']>[1];
/**
 * The calendar feed form's outcome, shown on the home page: a feed just made (its secret URL, shown on this one page
 * and never again), or the form refused, with what was typed and the API's status.
 */
interface FeedShown {
  newFeed?: { label: string; url: string };
  refused?: { problem: FormProblem; label: string; status: number };
}
/** The feed form's field as its messages name it ("Enter the name of the feed"). */
const FEED_NAMED: readonly NamedField[] = [
  { name: 'label', noun: 'the name of the feed' },
  { name: 'currentPassword', noun: 'your password' },
];
const FEED_FIELDS = FEED_NAMED.map((field) => field.name);

export function homePages(kit: Kit): Router {
  const router = Router();

  const home = async (req: Req, res: Res, feed: FeedShown = {}) => {
    const me = await kit.me(req, res);
    const page = homeOf(me);
    if (page === 'audit') return res.redirect(303, '/audit');
    if (page === 'dashboard') return dashboard(kit, req, res, me, feed);
    return inbox(kit, req, res, me, feed);
  };
  router.get('/', (req, res) => home(req, res));

  // The "Calendar feed" section of the home page (web/views/calendar-feed.eta).
  router.post('/calendar-feeds', async (req, res) => {
    await kit.me(req, res);
    const form = formOf(req);
    const label = form.label ?? '';
    try {
      // As typed: a name left blank is the API's to refuse (it trims), and the form says so by its field.
      // The password is never shown again: a refused form asks for it anew.
      const currentPassword = form.currentPassword ?? '';
      const feed = ok(await kit.api(req).POST('/api/me/calendar-feeds', { body: { label, currentPassword } }));
      // Rendered, not redirected: the URL is shown this once and never put in an address the browser keeps.
      await home(req, res, { newFeed: { label: feed.label, url: feed.url } });
    } catch (error) {
      if (!(error instanceof ApiProblem)) throw error;
      // A refusal of what was typed is shown on the form; any other (401, 5xx) is rethrown for the error pages.
      const problem = plainProblem(formProblemOf(error, FEED_FIELDS, kit.words(res)), FEED_NAMED, form);
      await home(req, res, { refused: { problem, label, status: error.status } });
    }
  });
  // Revoked at one press, with no check page: revoking only takes access away (the safe way when an address has
  // leaked, and the quicker the better), names its feed on its button, and a feed revoked by mistake is made again in
  // one form, where a wrong sign-off or correction records a fact of the case. The page it lands on says what it did
  // (its notice focused and first in its title), as API keys' revoking does.
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

async function dashboard(kit: Kit, req: Req, res: Res, me: MeView, feed: FeedShown): Promise<void> {
  const api = kit.api(req);
  const [counts, notifications, feeds] = await Promise.all([
    api.GET('/api/dashboard').then(ok),
    // The notices to this agency alone: those to the other agencies of its cases (their reminders, due notices and
    // escalations, some each day of a caseload of hundreds) would fill the page and push these out of it.
    api.GET('/api/notifications', { params: { query: { limit: 200, agencyId: me.user.agencyId } } }).then(ok),
    api.GET('/api/me/calendar-feeds', { params: { query: { limit: LISTED_TOKENS } } }).then(ok),
  ]);
  const mine = notifications.items;
  // Emails of this coordinator's cases that keep failing: someone must reach the agency another way. One that went
  // out at last is no longer listed; one settled as no longer owed (its step done before it could go out) is listed
  // as settled, with nothing left to do. A gathered "Brought up to date" email is about no one step
  // (activities/notifications.ts `reportFailing`).
  const undelivered = mine
    .filter((item) => item.kind === 'delivery_failing' && item.failedEmail?.status !== 'sent')
    .map((item) => {
      const why = item.failedEmail?.status === 'not_sent' ? (item.failedEmail.reason ?? 'not sent') : null;
      return {
        ...item,
        about: item.stepKind === 'passed_summary' ? 'its “Brought up to date” email' : stepLabel(item.stepKind),
        notSent: why === null ? null : `${why.charAt(0).toUpperCase()}${why.slice(1)}`,
      };
    });
  // Cases entered or updated with dates that had passed: their reminders were listed in one notice, not sent. The
  // newest are listed, and how many more there are (at least, when the newest notifications read do not hold them all).
  const passedNotices = mine.filter((item) => item.kind === 'passed_summary');
  const broughtUpToDate = passedNotices.slice(0, BROUGHT_UP_TO_DATE_LISTED);
  const broughtUpToDateMore = {
    count: passedNotices.length - broughtUpToDate.length,
    atLeast: notifications.nextCursor !== null,
  };
  kit.render(
    req,
    res,
    'dashboard',
    {
      title: titleOf('Dashboard', feed.refused?.problem),
      counts,
      // Overdue steps are among the pending: the hatched bar is part of the solid one.
      chart: pairedBarChart(
        counts.byKind.map((row) => ({ label: stepLabel(row.kind), first: row.pending, second: row.overdue })),
      ),
      // Only those whose step is still open: the API leaves out the resolved ones.
      escalations: counts.escalations,
      escalationsMore: counts.escalationsMore,
      undelivered,
      broughtUpToDate,
      broughtUpToDateMore,
      feeds: feeds.items,
      ...feedOf(feed),
      flash: INBOX_NOTICES.get(param(req, 'notice') ?? ''),
    },
    feed.refused?.status,
  );
}

/** The home page's messages after an action of the console, by the code it redirects with. */
export const INBOX_NOTICES: ReadonlyMap<string, string> = new Map([
  ['signed-off', 'Your sign-off was recorded. The step has left your inbox.'],
  ['feed-revoked', 'The calendar feed was revoked: its address no longer works.'],
]);

/** How many days ahead the inbox shows as today's work. */
const INBOX_HORIZON_DAYS = 30;

/**
 * The agency's pending steps, most urgent first. The API decides which are overdue, on its own clock and by its one
 * rule: each step's `overdue`, and how many there are by the count of the same list (GET /api/steps/count with
 * `status=overdue`), whatever their number, where a list fetched in part would stop at its page. The inbox shows that
 * count alone: the dashboard's counts by kind and agency and its escalations are the dashboard's to read.
 */
async function inbox(kit: Kit, req: Req, res: Res, me: MeView, feed: FeedShown): Promise<void> {
  const api = kit.api(req);
  const cursor = param(req, 'cursor');
  const [pending, overdue, feeds] = await Promise.all([
    api.GET('/api/steps', { params: { query: { status: 'pending', sort: 'dueAt', limit: 50, cursor } } }).then(ok),
    api.GET('/api/steps/count', { params: { query: { status: 'overdue' } } }).then(ok),
    api.GET('/api/me/calendar-feeds', { params: { query: { limit: LISTED_TOKENS } } }).then(ok),
  ]);
  const items = pending.items;
  // Today's work is what is overdue or due within the horizon; later deadlines (a renewal due in two years, a step
  // with no due date) wait under "Upcoming", below it.
  const horizon = Date.parse(me.now) + INBOX_HORIZON_DAYS * 86_400_000;
  const now = (step: (typeof items)[number]) => step.dueAt !== null && Date.parse(step.dueAt) < horizon;
  kit.render(
    req,
    res,
    'inbox',
    {
      title: titleOf('Inbox', feed.refused?.problem),
      items,
      soon: items.filter(now),
      upcoming: items.filter((step) => !now(step)),
      horizonDays: INBOX_HORIZON_DAYS,
      overdueCount: overdue.count,
      nextCursor: pending.nextCursor,
      feeds: feeds.items,
      ...feedOf(feed),
      // Only text of ours, chosen by a code: a query parameter echoed as text would let a link put words in our mouth.
      flash: INBOX_NOTICES.get(param(req, 'notice') ?? ''),
    },
    feed.refused?.status,
  );
}

/** What web/views/calendar-feed.eta shows of the feed form's outcome (and the error summary above the page's heading). */
const feedOf = ({ newFeed, refused }: FeedShown) => ({
  newFeed,
  // Drawn at /calendar-feeds, the home page again: its title says first what the form did.
  ...(newFeed && { titleNotice: 'Calendar feed created' }),
  feedProblem: refused?.problem,
  feedForm: refused && { label: refused.label },
});
