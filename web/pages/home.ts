/**
 * The first page after signing in: the coordinator's and supervisor's dashboard ("what is overdue, and with whom"),
 * or an officer's or advocate's inbox ("what must my agency sign").
 */
import { Router } from 'express';
import { ok } from '../api-client';
import { stepKindChart } from '../chart';
import { homeOf, param, type Kit, type MeView } from '../kit';

export function homePages(kit: Kit): Router {
  const router = Router();

  router.get('/', async (req, res) => {
    const me = await kit.me(req, res);
    const home = homeOf(me);
    if (home === 'audit') return res.redirect(303, '/audit');
    if (home === 'dashboard') return dashboard(kit, req, res, me);
    return inbox(kit, req, res);
  });

  return router;
}

async function dashboard(
  kit: Kit,
  req: Parameters<Kit['render']>[0],
  res: Parameters<Kit['render']>[1],
  me: MeView,
): Promise<void> {
  const api = kit.api(req);
  const [counts, notifications, agencies] = await Promise.all([
    api.GET('/api/dashboard').then(ok),
    api.GET('/api/notifications', { params: { query: { limit: 200 } } }).then(ok),
    api.GET('/api/agencies').then(ok),
  ]);
  const mine = notifications.items.filter((item) => item.recipientAgencyId === me.user.agencyId);
  const escalations = mine.filter((item) => item.kind === 'escalation');
  // Emails of this coordinator's cases that keep failing: someone must reach the agency another way.
  const undelivered = mine.filter((item) => item.kind === 'delivery_failing');
  const agencyNames = Object.fromEntries(agencies.items.map((agency) => [agency.id, agency.name]));
  kit.render(req, res, 'dashboard', {
    title: 'Dashboard',
    counts,
    chart: stepKindChart(counts.byKind),
    escalations,
    undelivered,
    agencyNames,
  });
}

/** The agency's pending steps, most urgent first; the API decides which are overdue, on its own clock. */
/** The inbox's messages after an action of the console, by the code it redirects with. */
export const INBOX_NOTICES: ReadonlyMap<string, string> = new Map([
  ['signed-off', 'Your sign-off was recorded. The step has left your inbox.'],
]);

async function inbox(kit: Kit, req: Parameters<Kit['render']>[0], res: Parameters<Kit['render']>[1]): Promise<void> {
  const api = kit.api(req);
  const cursor = param(req, 'cursor');
  const [pending, overdue] = await Promise.all([
    api.GET('/api/steps', { params: { query: { status: 'pending', sort: 'dueAt', limit: 50, cursor } } }).then(ok),
    api.GET('/api/steps', { params: { query: { status: 'overdue', sort: 'dueAt', limit: 200 } } }).then(ok),
  ]);
  const overdueIds = new Set(overdue.items.map((step) => `${step.caseId}/${step.id}`));
  const items = pending.items.map((step) => ({ ...step, overdue: overdueIds.has(`${step.caseId}/${step.id}`) }));
  kit.render(req, res, 'inbox', {
    title: 'Inbox',
    items,
    overdueCount: overdue.items.length,
    nextCursor: pending.nextCursor,
    // Only text of ours, chosen by a code: a query parameter echoed as text would let a link put words in our mouth.
    flash: INBOX_NOTICES.get(param(req, 'notice') ?? ''),
  });
}
