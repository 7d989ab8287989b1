/**
 * The audit trail for supervisors and admins (the rows each sees, domain/access.ts `auditScope`), with the API's
 * filters in the URL: a case
 * by its reference, an action and an outcome by their names in words.
 */
import { Router } from 'express';
import { ok } from '../api-client';
import { AUDIT_ACTION_LABELS, AUDIT_OUTCOME_LABELS, auditActionLabel, auditOutcomeLabel } from '../audit-labels';
import { auditDetailInWords } from '../audit-detail';
import { filtersRefused, problemShown, type FormProblem } from '../form-problems';
import { param, type Kit } from '../kit';
import { periodBounds } from '../day-bounds';

const FILTERS = ['caseReference', 'caseId', 'userId', 'agencyId', 'action', 'outcome', 'from', 'to'] as const;

export function auditPages(kit: Kit): Router {
  const router = Router();

  router.get('/audit', async (req, res) => {
    const me = await kit.me(req, res);
    const filters = Object.fromEntries(FILTERS.map((name) => [name, param(req, name) ?? ''])) as Record<
      (typeof FILTERS)[number],
      string
    >;
    const cursor = param(req, 'cursor');
    // Whole days where the reader is, as the "When" column shows times; "To" counts its day whole (web/day-bounds.ts).
    const bounds = periodBounds(filters.from, filters.to, me.timeZone, true);
    const apiQuery = Object.fromEntries(Object.entries({ ...filters, ...bounds, cursor }).filter(([, value]) => value));
    const api = kit.api(req);
    const agencies = kit.agencies(res);
    let page: { items: unknown[]; nextCursor: string | null } = { items: [], nextCursor: null };
    let problem: FormProblem | undefined;
    let status = 200;
    try {
      // The API validates each filter; the console passes them as typed, but for the days (`periodBounds`).
      page = ok(await api.GET('/api/audit', { params: { query: apiQuery as never } }));
    } catch (error) {
      problem = filtersRefused(error);
      status = (error as { status: number }).status;
    }
    const roles: readonly string[] = me.user.roles;
    kit.render(
      req,
      res,
      'audit',
      {
        ...problemShown('Audit trail', problem),
        filters,
        cursor,
        page,
        actions: Object.entries(AUDIT_ACTION_LABELS).sort(([, a], [, b]) => a.localeCompare(b)),
        outcomes: Object.entries(AUDIT_OUTCOME_LABELS),
        agencies,
        actionLabel: auditActionLabel,
        outcomeLabel: auditOutcomeLabel,
        detailInWords: (detail: string | null) => auditDetailInWords(detail, kit.words(res)),
        // Only those who see cases can open one: an admin reads the trail, not the cases it names.
        linkCases: me.can.signSteps || roles.includes('supervisor'),
      },
      status,
    );
  });

  return router;
}
