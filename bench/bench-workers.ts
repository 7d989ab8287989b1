/**
 * The bench's people: one user per bench agency that needs one, holding that agency's working role, with an API key,
 * so load reaches our API as a real client's does (Authorization: Bearer; the actor comes from the token's user).
 */
import type { Pool } from 'pg';
import { issueToken } from '../db/tokens';
import type { User } from '../db/user-rows';
import { createUser, findUser } from '../db/users';
import { WORKING_ROLE } from '../domain/access';
import type { Actor, AgencyKind } from '../domain/types';
import { insertBenchAgencies } from './bench-agencies';

export interface BenchWorker {
  user: User;
  /** The same actor the API derives from the token, for calls that skip HTTP (CaseCommands). */
  actor: Actor;
  /** To send with every request to our API. */
  headers: { authorization: string };
}

const KEY_LIFETIME_MS = 24 * 3_600_000;

async function benchWorker(pool: Pool, agency: { id: string; kind: AgencyKind }): Promise<BenchWorker> {
  const username = `${agency.id}-worker`;
  // A second section of the same run reuses the user; every call gets a fresh key.
  const user =
    (await findUser(pool, { username })) ??
    // No password: an API key is all a bench client uses, and skipping scrypt keeps setup fast.
    (await createUser(pool, {
      username,
      displayName: `Bench worker of ${agency.id}`,
      agencyId: agency.id,
      roles: [WORKING_ROLE[agency.kind]],
    }));
  const { token } = await issueToken(pool, {
    userId: user.id,
    kind: 'api_key',
    label: 'bench',
    expiresAt: new Date(Date.now() + KEY_LIFETIME_MS),
  });
  return {
    user,
    actor: { userId: user.id, agencyId: user.agencyId, agencyKind: user.agencyKind, roles: user.roles },
    headers: { authorization: `Bearer ${token}` },
  };
}

/** A working user with an API key for each of these bench agencies, by agency id. */
export async function benchWorkers(
  pool: Pool,
  agencies: readonly { id: string; kind: AgencyKind }[],
): Promise<Map<string, BenchWorker>> {
  await insertBenchAgencies(pool);
  const workers = new Map<string, BenchWorker>();
  for (const agency of agencies) workers.set(agency.id, await benchWorker(pool, agency));
  return workers;
}
