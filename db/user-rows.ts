/**
 * A user as the database holds it and as the service sees it: the columns every query of users selects and the
 * mapping from a row. Its own module because both users.ts (accounts) and tokens.ts (whose token this is) read users,
 * and users.ts revokes tokens: with the row here, tokens.ts need not import users.ts back (a cycle).
 */
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
  created_at: Date;
  disabled_at: Date | null;
}

export const USER_COLUMNS = `u.id, u.username, u.display_name, u.agency_id, a.kind AS agency_kind, u.roles, u.created_at, u.disabled_at`;
export const USER_FROM = `users u JOIN agencies a ON a.id = u.agency_id`;

export function userFromRow(row: UserRow): User {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    agencyId: row.agency_id,
    agencyKind: AGENCY_KINDS.find((kind) => kind === row.agency_kind) ?? 'coordinator',
    roles: row.roles.filter((role): role is Role => (ROLES as readonly string[]).includes(role)),
    createdAt: row.created_at.toISOString(),
    disabledAt: row.disabled_at?.toISOString() ?? null,
  };
}
