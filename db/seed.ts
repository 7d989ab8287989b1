/**
 * Demo agencies and users for local development and tests: one agency per kind, with clearly fictitious names and addresses
 * on reserved example domains. Idempotent: re-running creates those that are missing and touches no others. A demo
 * agency already there is left as it is: the seed runs at every start of the service, and what an administrator set on
 * it (a time zone, an address) must survive a restart.
 */
import type { Pool } from 'pg';
import type { CaseAgencies } from '../domain/types';
import type { ScryptCost } from '../core/passwords';
import { insertMissingAgencies, type NewAgency } from './agencies';
import type { User } from './user-rows';
import { createUser, findUser, type NewUser } from './users';

export const DEMO_AGENCY_LIST: readonly NewAgency[] = [
  {
    id: 'demo-police',
    kind: 'law_enforcement',
    name: 'Demo City Police Department (fictitious)',
    email: 'trafficking-unit@police.example.gov',
  },
  {
    id: 'demo-ice-ccht',
    kind: 'ice',
    name: 'Demo ICE HSI Center for Countering Human Trafficking (fictitious)',
    email: 'cp-unit@ice.example.gov',
  },
  {
    id: 'demo-hhs-otip',
    kind: 'hhs',
    name: 'Demo HHS Office on Trafficking in Persons (fictitious)',
    email: 'letters@otip.example.gov',
  },
  {
    id: 'demo-advocates',
    kind: 'advocate',
    name: 'Demo Survivor Legal Advocates (fictitious)',
    email: 'intake@advocates.example.org',
  },
  {
    id: 'demo-task-force',
    kind: 'coordinator',
    name: 'Demo Anti-Trafficking Task Force (fictitious)',
    email: 'coordinator@taskforce.example.org',
  },
];

/** The demo agency of each kind, in the shape a case's `agencies` takes. */
export const DEMO_AGENCIES: CaseAgencies = Object.fromEntries(
  DEMO_AGENCY_LIST.map((a) => [a.kind, a.id]),
) as CaseAgencies;

export async function seedDemoAgencies(pool: Pool): Promise<void> {
  await insertMissingAgencies(pool, DEMO_AGENCY_LIST);
}

/** Demo users, one per role, all on demo agencies; for the embedded mode only, never a real deployment. */
const DEMO_USERS: readonly NewUser[] = [
  {
    username: 'demo-police-officer',
    displayName: 'Demo Police Officer (fictitious)',
    agencyId: 'demo-police',
    roles: ['agency_officer'],
  },
  {
    username: 'demo-ice-officer',
    displayName: 'Demo ICE CP Officer (fictitious)',
    agencyId: 'demo-ice-ccht',
    roles: ['agency_officer'],
  },
  {
    username: 'demo-hhs-officer',
    displayName: 'Demo HHS Letters Officer (fictitious)',
    agencyId: 'demo-hhs-otip',
    roles: ['agency_officer'],
  },
  {
    username: 'demo-advocate',
    displayName: 'Demo Attorney (fictitious)',
    agencyId: 'demo-advocates',
    roles: ['advocate'],
  },
  {
    username: 'demo-coordinator',
    displayName: 'Demo Coordinator (fictitious)',
    agencyId: 'demo-task-force',
    roles: ['coordinator'],
  },
  {
    username: 'demo-supervisor',
    displayName: 'Demo Supervisor (fictitious)',
    agencyId: 'demo-task-force',
    roles: ['supervisor'],
  },
  {
    username: 'demo-admin',
    displayName: 'Demo Administrator (fictitious)',
    agencyId: 'demo-task-force',
    roles: ['admin'],
  },
  // Seeded here, not granted through the API: no API call grants system_admin (domain/access.ts).
  {
    username: 'demo-system-admin',
    displayName: 'Demo System Administrator (fictitious)',
    agencyId: 'demo-task-force',
    roles: ['system_admin'],
  },
];

/**
 * Creates the demo users that are missing, all with `password` (existing ones keep theirs). `cost` lets tests hash
 * faster than the service does.
 */
export async function seedDemoUsers(pool: Pool, password: string | undefined, cost?: ScryptCost): Promise<User[]> {
  const users: User[] = [];
  for (const demo of DEMO_USERS) {
    users.push(
      (await findUser(pool, { username: demo.username })) ?? (await createUser(pool, { ...demo, password }, cost)),
    );
  }
  return users;
}
