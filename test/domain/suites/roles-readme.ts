/**
 * The README's role table and `domain/access.ts` say the same: which roles exist, and in which kinds of agency each
 * can be held; and which other agencies' steps each kind of agency sees the outcome of (its milestones). (What each
 * role may do is tested against the API in test/access/authorization.test.ts and test/api/one-stack/milestones.ts.)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { canSeeMilestone, rolesFor, workingActor } from '../../../domain/access';
import { AGENCY_KINDS, ROLES, STEP_KINDS, type AgencyKind, type Role } from '../../../domain/types';

describe('roles-readme', () => {
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

  /** The rows of the table under a README heading (up to the next heading), without its header, as cells. */
  function readmeTable(heading: string): string[][] {
    const readme = readFileSync(join(__dirname, '../../../README.md'), 'utf8');
    const start = readme.indexOf(`\n${heading}`);
    const section = readme.slice(start, readme.indexOf('\n### ', start + 1));
    return section
      .split('\n')
      .filter((line) => line.startsWith('| '))
      .slice(2)
      .map((line) => line.split(' | ').map((cell) => cell.replace(/^\| /, '').trim()));
  }

  function readmeRoleTable(): Array<{ role: string; heldIn: string }> {
    return readmeTable('### Roles').map(([role = '', heldIn = '']) => ({ role, heldIn }));
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

  test("each kind of agency sees the outcome of exactly the other agencies' steps the README's milestone table names", () => {
    const rows = readmeTable("### Milestones: what an officer or advocate sees of other agencies' steps");
    expect(rows.map(([kind]) => kind).sort()).toEqual([...AGENCY_KINDS].sort());
    for (const [kind = '', steps = ''] of rows) {
      const actor = workingActor({ userId: 'u', agencyId: 'own-agency', agencyKind: kind as AgencyKind });
      const seen = STEP_KINDS.filter((stepKind) =>
        canSeeMilestone(actor, { kind: stepKind, agencyId: 'other-agency' }),
      );
      const named = [...steps.matchAll(/`([a-z_]+)`/g)].map((match) => match[1]);
      expect({ kind, steps: named.sort() }).toEqual({ kind, steps: [...seen].sort() });
    }
  });
});
