/** The plans PostgreSQL chooses for the very SQL a read sends: captured, then EXPLAINed as the owner. */
import type { Pool, QueryConfig, QueryResult, QueryResultRow } from 'pg';
import type { Queryable } from '../../db/pool';

export interface PlanOptions {
  indexPathsOnly?: boolean;
  generic?: boolean;
  analyze?: boolean;
}

export interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
  /** With `analyze`: the rows each run of the node gave (on average), and how many times it ran. */
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  /** With `analyze`: the rows the node read and dropped, what a plan reads beyond what it gives. */
  'Rows Removed by Filter'?: number;
  'Rows Removed by Index Recheck'?: number;
}

/**
 * The plan of the statement `read` sends, as PostgreSQL would run it now; with `indexPathsOnly`, as it would with
 * sequential scans priced out of reach, so a plan that still scans a table in full has no index to serve it; with
 * `generic`, the plan for any values, which a prepared statement (db/pool.ts `prepared`) may settle on after a few runs;
 * with `analyze`, as it ran, with the rows each node gave (a plain EXPLAIN leaves out a subquery run by the recursive
 * step of a recursive CTE).
 */
export async function planOfRead(
  owner: Pool,
  read: (db: Queryable) => Promise<unknown>,
  options: PlanOptions = {},
): Promise<PlanNode> {
  let sent: { text: string; values?: unknown[] } | undefined;
  const capture: Queryable = {
    query: <R extends QueryResultRow>(query: string | QueryConfig, values?: unknown[]) => {
      sent = typeof query === 'string' ? { text: query, values } : { text: query.text, values: query.values };
      return Promise.resolve({ rows: [] as R[], rowCount: 0 } as unknown as QueryResult<R>);
    },
  };
  await read(capture);
  if (!sent) throw new Error('the read sent no query');
  const client = await owner.connect();
  try {
    await client.query(`SET enable_seqscan = ${options.indexPathsOnly ? 'off' : 'on'}`);
    const { rows } = await client.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
      `EXPLAIN (FORMAT JSON${options.generic ? ', GENERIC_PLAN' : ''}${options.analyze ? ', ANALYZE' : ''}) ${sent.text}`,
      options.generic ? [] : sent.values,
    );
    return rows[0]!['QUERY PLAN'][0].Plan;
  } finally {
    await client.query('RESET enable_seqscan');
    client.release();
  }
}

export function planNodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(planNodes)];
}
