/**
 * The baseline: a bare Express + pg app answering the same reads with one SQL query each and no layers (no
 * authentication or access checks, validation, idempotency, helmet or request logging). The difference to
 * `createApp` is what ours cost. It is told whose view to answer (`participant`, an agency id in the query) and
 * keeps to the cases that agency takes part in, so it returns the very rows our API returns to that agency's
 * coordinator; only finding out who asks, and whether they may, is left out.
 */
import express from 'express';
import type { Pool } from 'pg';
import { overdueSql } from '../db/overdue';

const CASE_SQL = `
SELECT c.id, c.reference, c.path, c.status, c.opened_at, c.closed_at, c.policy_version, c.agencies, c.version,
       (SELECT coalesce(json_agg(s ORDER BY s.opened_at, s.step_id), '[]') FROM case_steps s WHERE s.case_id = c.id) AS steps,
       (SELECT coalesce(json_agg(t ORDER BY t.seq), '[]') FROM case_timeline t WHERE t.case_id = c.id) AS timeline
FROM cases c WHERE c.id = $1 AND c.agency_ids @> ARRAY[$2]`;

// Same order as the read model's keyset (undated steps last), so it walks the same partial index. "Overdue" is the
// API's (db/overdue.ts): a deadline that is a day is not overdue until that day has ended everywhere in the US, so
// between midnight UTC and then `due_at < now` alone lists steps the API does not.
const STEPS_SQL = `
SELECT s.*, c.reference FROM case_steps s JOIN cases c ON c.id = s.case_id
WHERE s.status = 'pending' AND s.agency_id = $1 AND ($2::timestamptz IS NULL OR ${overdueSql('$2')}) AND c.agency_ids @> ARRAY[$4]
ORDER BY COALESCE(s.due_at, 'infinity'::timestamptz), s.case_id, s.step_id
LIMIT $3`;

export function createBareApp(pool: Pool): express.Express {
  const app = express();
  app.get('/bare/cases/:id', async (req, res) => {
    const { rows } = await pool.query(CASE_SQL, [req.params.id, req.query.participant as string]);
    if (rows.length === 0) res.status(404).end();
    else res.json(rows[0]);
  });
  // The baseline trusts its input (query values arrive as strings here): validation is one of the layers measured.
  app.get('/bare/steps', async (req, res) => {
    const overdue = req.query.status === 'overdue';
    const { rows } = await pool.query(STEPS_SQL, [
      req.query.agencyId as string,
      overdue ? new Date() : null,
      Number(req.query.limit ?? 50),
      req.query.participant as string,
    ]);
    res.json({ items: rows });
  });
  return app;
}
