/**
 * Demo agencies for local development and tests: one per agency kind, with clearly fictitious names and addresses
 * on reserved example domains. Idempotent: re-running restores these rows and touches no others.
 */
import type { Pool } from 'pg';
import type { AgencyKind, CaseAgencies } from '../domain/types';

export interface Agency {
  id: string;
  kind: AgencyKind;
  name: string;
  email: string | null;
}

export const DEMO_AGENCY_LIST: readonly Agency[] = [
  { id: 'demo-police', kind: 'law_enforcement', name: 'Demo City Police Department (fictitious)', email: 'trafficking-unit@police.example.gov' },
  { id: 'demo-ice-ccht', kind: 'ice', name: 'Demo ICE HSI Center for Countering Human Trafficking (fictitious)', email: 'cp-unit@ice.example.gov' },
  { id: 'demo-hhs-otip', kind: 'hhs', name: 'Demo HHS Office on Trafficking in Persons (fictitious)', email: 'letters@otip.example.gov' },
  { id: 'demo-advocates', kind: 'advocate', name: 'Demo Survivor Legal Advocates (fictitious)', email: 'intake@advocates.example.org' },
  { id: 'demo-task-force', kind: 'coordinator', name: 'Demo Anti-Trafficking Task Force (fictitious)', email: 'coordinator@taskforce.example.org' },
];

/** The demo agency of each kind, in the shape a case's `agencies` takes. */
export const DEMO_AGENCIES: CaseAgencies = Object.fromEntries(DEMO_AGENCY_LIST.map((a) => [a.kind, a.id])) as CaseAgencies;

export async function upsertAgencies(pool: Pool, agencies: readonly Agency[]): Promise<void> {
  await pool.query(
    `INSERT INTO agencies (id, kind, name, email)
     SELECT a.id, a.kind, a.name, a.email FROM jsonb_to_recordset($1::jsonb) AS a(id text, kind text, name text, email text)
     ON CONFLICT (id) DO UPDATE SET kind = EXCLUDED.kind, name = EXCLUDED.name, email = EXCLUDED.email`,
    [JSON.stringify(agencies)],
  );
}

export async function seedDemoAgencies(pool: Pool): Promise<void> {
  await upsertAgencies(pool, DEMO_AGENCY_LIST);
}
