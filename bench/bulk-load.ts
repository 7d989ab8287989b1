/**
 * Fills the read model with `cases` realistic cases, fast: a few hundred case histories come from the domain rules
 * through the real `projectCase`; the rest are copies made inside PostgreSQL (generate_series), each with its own
 * id, reference, agencies and a shift of its dates, so the rows are exactly what projectCase writes: with the zone
 * the case was identified in (`identified_in`, the deployment's default `TIMEZONE` as the service gives it, since the
 * bench's agencies keep none), each step's signer, its order and whether it is due on a day. Without the zone, every
 * read of a case asked PostgreSQL again for the zones police work in (app/case-reads.ts `identificationZones`), a
 * round trip no case the service projects makes.
 */
import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { projectCase } from '../db/read-model';
import { insertBenchAgencies, randomAgencies, RANDOM_AGENCIES_SQL } from './bench-agencies';
import { seededRandom } from '../test/support/seeded-random';
import { syntheticCase } from './synthetic-cases';

export interface LoadOptions {
  cases: number;
  templates: number;
  seed: number;
  progress: (message: string) => void;
}

export interface LoadReport {
  cases: number;
  steps: number;
  timeline: number;
  pendingSteps: number;
  overdueSteps: number;
  seconds: number;
}

/** The service's `TIMEZONE` when none is set (app/config.ts), which its projections write for a police without a zone. */
const DEFAULT_TIME_ZONE = 'UTC';

/** Templates are dated up to this far back, and each copy moves forward by up to as much, never into the future. */
const SHIFT_DAYS = 90;

/** Each copy swaps the template's agencies (by kind) for its own. */
const swapAgency = (column: string) =>
  `CASE ${column} ${['law_enforcement', 'ice', 'hhs', 'advocate', 'coordinator']
    .map((kind) => `WHEN c.agencies->>'${kind}' THEN k.agencies->>'${kind}'`)
    .join(' ')} ELSE ${column} END`;

/**
 * The identification's day moves with its instant (the caseload filters on it): the UTC day of the copy's instant, as
 * a template's synthetic identification writes it.
 */
const IDENTIFIED_ON_SHIFTED = `CASE WHEN s.kind = 'identification' THEN jsonb_set(s.details, '{identifiedOn}',
  to_jsonb(to_char((s.completed_at + k.shift) AT TIME ZONE 'UTC', 'YYYY-MM-DD'))) ELSE s.details END`;

const COPY_BATCH_SQL = `
WITH batch AS (
  SELECT * FROM bench_copies WHERE copy BETWEEN $1 AND $2
), new_cases AS (
  INSERT INTO cases (id, reference, path, status, opened_at, closed_at, policy_version, agencies, version, updated_at,
                     identified_in)
  SELECT k.id, c.reference || '-' || k.copy, c.path, c.status, c.opened_at + k.shift, c.closed_at + k.shift,
         c.policy_version, k.agencies, c.version, c.updated_at, c.identified_in
  FROM batch k JOIN cases c ON c.id = k.template_id
), new_steps AS (
  INSERT INTO case_steps (case_id, step_id, kind, track, agency_kind, agency_id, status, opened_at, due_at, expires_at,
                          completed_at, outcome, details, due_on_a_day, signed_by, position)
  SELECT k.id, s.step_id, s.kind, s.track, s.agency_kind, k.agencies->>s.agency_kind, s.status, s.opened_at + k.shift,
         s.due_at + k.shift, s.expires_at + k.shift, s.completed_at + k.shift, s.outcome, ${IDENTIFIED_ON_SHIFTED},
         s.due_on_a_day, jsonb_set(s.signed_by, '{agencyId}', to_jsonb(k.agencies->>s.agency_kind)), s.position
  FROM batch k JOIN case_steps s ON s.case_id = k.template_id
)
INSERT INTO case_timeline (case_id, seq, at, type, step_id, actor_agency_id, summary)
SELECT k.id, t.seq, t.at + k.shift, t.type, t.step_id, ${swapAgency('t.actor_agency_id')}, t.summary
FROM batch k JOIN case_timeline t ON t.case_id = k.template_id JOIN cases c ON c.id = k.template_id`;

export async function loadReadModel(pool: Pool, options: LoadOptions): Promise<LoadReport> {
  const started = Date.now();
  await insertBenchAgencies(pool);

  const random = seededRandom(options.seed);
  const horizon = new Date(Date.now() - SHIFT_DAYS * 86_400_000);
  const templateIds: string[] = [];
  for (let i = 0; i < options.templates; i++) {
    const snapshot = syntheticCase(
      { caseId: randomUUID(), reference: `RC-BENCH-${String(i).padStart(4, '0')}`, agencies: randomAgencies(random) },
      horizon,
      random,
    );
    await projectCase(pool, snapshot, { timeZone: DEFAULT_TIME_ZONE });
    templateIds.push(snapshot.caseId);
  }
  options.progress(`projected ${options.templates} case histories with projectCase`);

  const copiesPerTemplate = Math.ceil(options.cases / options.templates) - 1;
  const client = await pool.connect();
  try {
    await client.query('SELECT setseed($1)', [(options.seed % 1000) / 1000]);
    await client.query(
      `CREATE TEMP TABLE bench_copies AS
       SELECT t.id AS template_id, g AS copy, gen_random_uuid() AS id,
              make_interval(secs => floor(random() * ${SHIFT_DAYS} * 86400)::int) AS shift, ${RANDOM_AGENCIES_SQL} AS agencies
       FROM unnest($1::uuid[]) AS t(id) CROSS JOIN generate_series(1, $2) AS g
       ORDER BY g, t.id
       LIMIT $3`,
      [templateIds, copiesPerTemplate, options.cases - options.templates],
    );
    await client.query('CREATE INDEX ON bench_copies (copy)');
    const batch = Math.max(1, Math.floor(10_000 / options.templates));
    for (let from = 1; from <= copiesPerTemplate; from += batch) {
      const to = Math.min(copiesPerTemplate, from + batch - 1);
      await client.query(COPY_BATCH_SQL, [from, to]);
      options.progress(
        `copied ${Math.min(options.cases, options.templates * (to + 1)).toLocaleString('en-US')} / ${options.cases.toLocaleString('en-US')} cases`,
      );
    }
    await client.query('DROP TABLE bench_copies');
  } finally {
    client.release();
  }
  await pool.query('VACUUM ANALYZE cases, case_steps, case_timeline');

  const { rows } = await pool.query<{
    cases: string;
    steps: string;
    timeline: string;
    pending: string;
    overdue: string;
  }>(
    `SELECT (SELECT count(*) FROM cases) AS cases,
            (SELECT count(*) FROM case_steps) AS steps,
            (SELECT count(*) FROM case_timeline) AS timeline,
            (SELECT count(*) FROM case_steps WHERE status = 'pending') AS pending,
            (SELECT count(*) FROM case_steps WHERE status = 'pending' AND due_at < now()) AS overdue`,
  );
  const counts = rows[0]!;
  return {
    cases: Number(counts.cases),
    steps: Number(counts.steps),
    timeline: Number(counts.timeline),
    pendingSteps: Number(counts.pending),
    overdueSteps: Number(counts.overdue),
    seconds: (Date.now() - started) / 1000,
  };
}
