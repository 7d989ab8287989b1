/** The organisations that take part in cases: the agencies table is the list of those allowed to act. */
import type { Pool } from 'pg';
import { AGENCY_KINDS, type AgencyKind } from '../domain/types';

export interface Agency {
  id: string;
  kind: AgencyKind;
  name: string;
  email: string | null;
}

/** The kind of a known agency, or null. */
export async function agencyKindOf(pool: Pool, agencyId: string): Promise<AgencyKind | null> {
  const { rows } = await pool.query<{ kind: string }>('SELECT kind FROM agencies WHERE id = $1', [agencyId]);
  const kind = rows[0]?.kind;
  return AGENCY_KINDS.find((known) => known === kind) ?? null;
}

/** A known agency, or null. */
export async function findAgency(pool: Pool, agencyId: string): Promise<Agency | null> {
  const { rows } = await pool.query<Agency>('SELECT id, kind, name, email FROM agencies WHERE id = $1', [agencyId]);
  return rows[0] ?? null;
}

export async function upsertAgencies(pool: Pool, agencies: readonly Agency[]): Promise<void> {
  await pool.query(
    `INSERT INTO agencies (id, kind, name, email)
     SELECT a.id, a.kind, a.name, a.email FROM jsonb_to_recordset($1::jsonb) AS a(id text, kind text, name text, email text)
     ON CONFLICT (id) DO UPDATE SET kind = EXCLUDED.kind, name = EXCLUDED.name, email = EXCLUDED.email`,
    [JSON.stringify(agencies)],
  );
}

export async function listAgencies(pool: Pool): Promise<Agency[]> {
  const { rows } = await pool.query<Agency>('SELECT id, kind, name, email FROM agencies ORDER BY kind, id');
  return rows;
}
