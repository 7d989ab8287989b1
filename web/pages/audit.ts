/** The audit trail for supervisors (their agency's) and admins (everyone's), with the API's filters in the URL. */
import { Router } from 'express';
import { ApiProblem, ok } from '../api-client';
import { param, type Kit } from '../kit';

const FILTERS = ['caseId', 'userId', 'agencyId', 'action', 'outcome', 'from', 'to'] as const;
const OUTCOMES = ['allowed', 'denied', 'rejected', 'failed'];

export function auditPages(kit: Kit): Router {
  const router = Router();

  router.get('/audit', async (req, res) => {
    await kit.me(req, res);
    const filters = Object.fromEntries(FILTERS.map((name) => [name, param(req, name) ?? ''])) as Record<
      (typeof FILTERS)[number],
      string
    >;
    const cursor = param(req, 'cursor');
    const apiQuery = Object.fromEntries(Object.entries({ ...filters, cursor }).filter(([, value]) => value));
    let page: { items: unknown[]; nextCursor: string | null } = { items: [], nextCursor: null };
    let errors: Record<string, string> = {};
    let status = 200;
    try {
      // The API validates each filter; the console passes them as typed.
      page = ok(await kit.api(req).GET('/api/audit', { params: { query: apiQuery as never } }));
    } catch (error) {
      if (!(error instanceof ApiProblem) || error.status !== 400) throw error;
      errors = error.fieldErrors();
      status = 400;
    }
    kit.render(req, res, 'audit', { title: 'Audit trail', filters, cursor, page, errors, outcomes: OUTCOMES }, status);
  });

  return router;
}
