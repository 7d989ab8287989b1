/**
 * The organisations of the benchmark's national deployment: many police departments, advocates and coordinators;
 * ICE's Continued Presence unit and HHS OTIP are one national office each.
 */
import type { Pool } from 'pg';
import type { AgencyKind, CaseAgencies } from '../domain/types';

const COUNTS: Record<AgencyKind, number> = { law_enforcement: 60, ice: 1, hhs: 1, advocate: 40, coordinator: 20 };

export const benchAgencyId = (kind: AgencyKind, n: number) => `bench-${kind.replace('_', '-')}-${n}`;

export const BENCH_AGENCIES: { id: string; kind: AgencyKind }[] = (
  Object.entries(COUNTS) as [AgencyKind, number][]
).flatMap(([kind, count]) => Array.from({ length: count }, (_, n) => ({ id: benchAgencyId(kind, n), kind })));

export function randomAgencies(random: () => number): CaseAgencies {
  const pick = (kind: AgencyKind) => benchAgencyId(kind, Math.floor(random() * COUNTS[kind]));
  return {
    law_enforcement: pick('law_enforcement'),
    ice: pick('ice'),
    hhs: pick('hhs'),
    advocate: pick('advocate'),
    coordinator: pick('coordinator'),
  };
}

/** The same random choice in SQL, one object per row (for the bulk copy). */
export const RANDOM_AGENCIES_SQL = `jsonb_build_object(${(Object.entries(COUNTS) as [AgencyKind, number][])
  .map(([kind, count]) => `'${kind}', '${benchAgencyId(kind, 0).slice(0, -1)}' || floor(random() * ${count})::int`)
  .join(', ')})`;

export async function insertBenchAgencies(pool: Pool): Promise<void> {
  await pool.query(
    `INSERT INTO agencies (id, kind, name, email)
     SELECT id, kind, 'Bench ' || id, id || '@bench.example.org' FROM unnest($1::text[], $2::text[]) AS a(id, kind)
     ON CONFLICT (id) DO NOTHING`,
    [BENCH_AGENCIES.map((a) => a.id), BENCH_AGENCIES.map((a) => a.kind)],
  );
}
