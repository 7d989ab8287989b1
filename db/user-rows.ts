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

/**
 * Who a request acts for: what authorising it and writing its audit row need, read with every bearer token
 * (db/tokens.ts). The rest of the user (name, dates) is read where it is shown.
 */
export type Principal = Pick<User, 'id' | 'username' | 'agencyId' | 'agencyKind' | 'roles'>;

export interface PrincipalRow {
  id: string;
  username: string;
  agency_id: string;
  agency_kind: string;
  roles: string[];
}

export interface UserRow extends PrincipalRow {
  display_name: string;
  /** ISO 8601, formatted by PostgreSQL (`USER_COLUMNS`). */
  created_at: string;
  disabled_at: string | null;
}

const PRINCIPAL_COLUMNS = `u.id, u.username, u.agency_id, u.agency_kind, u.roles`;
export const USER_COLUMNS = `${PRINCIPAL_COLUMNS}, u.display_name,
  ${iso('u.created_at')} AS created_at, ${iso('u.disabled_at')} AS disabled_at`;
export const USER_FROM = `users u`;

export function principalFromRow(row: PrincipalRow): Principal {
  return {
    id: row.id,
    username: row.username,
    agencyId: row.agency_id,
    agencyKind: AGENCY_KINDS.find((kind) => kind === row.agency_kind) ?? 'coordinator',
    roles: row.roles.filter((role): role is Role => (ROLES as readonly string[]).includes(role)),
  };
}

export function userFromRow(row: UserRow): User {
  return {
    ...principalFromRow(row),
    displayName: row.display_name,
    createdAt: row.created_at,
    disabledAt: row.disabled_at,
  };
}
