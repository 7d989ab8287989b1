/**
 * Users and bearer tokens for tests, created through the same functions the service uses. Passwords are hashed at a
 * test cost (scrypt N = 2^10) so a suite creating many users stays fast; the service uses OWASP's N = 2^17.
 */
import type { Pool } from 'pg';
import type { ScryptCost } from '../../core/passwords';
import { seedDemoUsers } from '../../db/seed';
import { issueToken } from '../../db/tokens';
import type { User } from '../../db/user-rows';
import { createUser, type NewUser } from '../../db/users';
import { WORKING_ROLE } from '../../domain/access';
import { upsertAgencies } from '../../db/agencies';
import type { Actor, AgencyKind, CaseAgencies, Role } from '../../domain/types';

export const TEST_SCRYPT_COST: ScryptCost = { N: 2 ** 10, r: 8, p: 1 };
export const TEST_PASSWORD = 'correct horse battery staple';

export interface TestUser {
  user: User;
  token: string;
  /** `Authorization: Bearer <token>`, for supertest's `.set()`. */
  headers: { Authorization: string };
  /** The Actor the API makes of this user. */
  actor: Actor;
}

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

async function withToken(pool: Pool, user: User): Promise<TestUser> {
  const { token } = await issueToken(pool, {
    userId: user.id,
    kind: 'api_key',
    label: 'test',
    expiresAt: new Date(Date.now() + 30 * 24 * 3600 * 1000),
  });
  const actor: Actor = { userId: user.id, agencyId: user.agencyId, agencyKind: user.agencyKind, roles: user.roles };
  return { user, token, headers: bearer(token), actor };
}

export async function createTestUser(
  pool: Pool,
  user: Omit<NewUser, 'displayName'> & { displayName?: string },
): Promise<TestUser> {
  const created = await createUser(pool, { displayName: `Test ${user.username}`, ...user }, TEST_SCRYPT_COST);
  return withToken(pool, created);
}

/** A user of `agencyId` holding its working role (officer, advocate or coordinator), named after the agency; password TEST_PASSWORD. */
export function createWorker(
  pool: Pool,
  agencyId: string,
  kind: AgencyKind,
  extraRoles: Role[] = [],
): Promise<TestUser> {
  const username = `${agencyId}-${WORKING_ROLE[kind]}`.toLowerCase().replace(/_/g, '-');
  return createTestUser(pool, {
    username,
    agencyId,
    roles: [WORKING_ROLE[kind], ...extraRoles],
    password: TEST_PASSWORD,
  });
}

/**
 * Another task force's agencies (none of them the demo agencies), registered, and an officer of its police who opens
 * its cases: the outsider whose rows and cases no demo agency's user may see.
 */
export async function createOutsider(pool: Pool, agencies: CaseAgencies): Promise<TestUser> {
  await upsertAgencies(
    pool,
    Object.entries(agencies).map(([kind, id]) => ({
      id,
      kind: kind as AgencyKind,
      name: `Unrelated ${kind} (fictitious)`,
      email: null,
    })),
  );
  return createWorker(pool, agencies.law_enforcement, 'law_enforcement');
}

/** The demo users (db/seed.ts), password TEST_PASSWORD, each with an API key. */
export async function seedDemoUsersWithTokens(pool: Pool): Promise<Record<string, TestUser>> {
  const users = await seedDemoUsers(pool, TEST_PASSWORD, TEST_SCRYPT_COST);
  const entries = await Promise.all(users.map(async (user) => [user.username, await withToken(pool, user)] as const));
  return Object.fromEntries(entries);
}

/** The demo user who works for the demo agency of each kind. */
export const DEMO_WORKER_OF: Record<AgencyKind, string> = {
  law_enforcement: 'demo-police-officer',
  ice: 'demo-ice-officer',
  hhs: 'demo-hhs-officer',
  advocate: 'demo-advocate',
  coordinator: 'demo-coordinator',
};
