/**
 * A user as the database holds it and as the service sees it: the columns every query of users selects and the
 * mapping from a row. Its own module because both users.ts (accounts) and tokens.ts (whose token this is) read users,
 * and users.ts revokes tokens: with the row here, tokens.ts need not import users.ts back (a cycle).
 */
import { iso } from './read-model';
import { AGENCY_KINDS, ROLES, type AgencyKind, type Role } from '../domain/types';

export interface User {
  id: string;
  username: string;
  displayName: string;
  agencyId: string;
  agencyKind: AgencyKind;
  roles: Role[];
  createdAt: string;
  disabledAt: string | null;
}

export interface UserRow {
  id: string;
  username: string;
  display_name: string;
  agency_id: string;
  agency_kind: string;
  roles: string[];
  /** ISO 8601, formatted by PostgreSQL (`USER_COLUMNS`). */
  created_at: string;
  disabled_at: string | null;
}

export const USER_COLUMNS = `u.id, u.username, u.display_name, u.agency_id, u.agency_kind, u.roles,
  ${iso('u.created_at')} AS created_at, ${iso('u.disabled_at')} AS disabled_at`;
export const USER_FROM = `users u`;

export function userFromRow(row: UserRow): User {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    agencyId: row.agency_id,
    agencyKind: AGENCY_KINDS.find((kind) => kind === row.agency_kind) ?? 'coordinator',
    roles: row.roles.filter((role): role is Role => (ROLES as readonly string[]).includes(role)),
    createdAt: row.created_at,
    disabledAt: row.disabled_at,
  };
}
