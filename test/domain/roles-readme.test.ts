/**
 * The README's role table and `domain/access.ts` say the same: which roles exist, and in which kinds of agency each
 * can be held. (What each role may do is tested against the API in test/access/authorization.test.ts.)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { rolesFor } from '../../domain/access';
import { AGENCY_KINDS, ROLES, type AgencyKind, type Role } from '../../domain/types';

/** The names the table gives the roles, and where it says they are held. */
const ROLE_NAMES: Record<string, Role> = {
  'agency officer': 'agency_officer',
  'attorney/advocate': 'advocate',
  coordinator: 'coordinator',
  supervisor: 'supervisor',
  admin: 'admin',
  'system administrator (`system_admin`)': 'system_admin',
};
const HELD_IN: Record<string, readonly AgencyKind[]> = {
  'law enforcement, ICE, HHS': ['law_enforcement', 'ice', 'hhs'],
  'advocate organisations': ['advocate'],
  'the task force': ['coordinator'],
  'any agency': AGENCY_KINDS,
};

function readmeRoleTable(): Array<{ role: string; heldIn: string }> {
  const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### Roles'), readme.indexOf('### Signing in'));
  return section
    .split('\n')
    .filter((line) => line.startsWith('| ') && !line.startsWith('| role') && !line.startsWith('| ---'))
    .map((line) => {
      const [role = '', heldIn = ''] = line.split(' | ').map((cell) => cell.replace(/^\| /, '').trim());
      return { role, heldIn };
    });
}

test("every role of domain/types.ts is in the README's table once, named as the table names it", () => {
  const rows = readmeRoleTable();
  expect(rows.map((row) => ROLE_NAMES[row.role] ?? `unknown name: ${row.role}`).sort()).toEqual([...ROLES].sort());
});

test('each kind of agency can hold exactly the roles the README says are held there', () => {
  const rows = readmeRoleTable();
  for (const kind of AGENCY_KINDS) {
    const inReadme = rows
      .filter((row) => (HELD_IN[row.heldIn] ?? []).includes(kind))
      .map((row) => ROLE_NAMES[row.role])
      .sort();
    // The system administrator is appointed by the operator's command, in any agency; the API grants rolesFor(kind).
    expect({ kind, roles: inReadme }).toEqual({ kind, roles: [...rolesFor(kind), 'system_admin'].sort() });
  }
});
