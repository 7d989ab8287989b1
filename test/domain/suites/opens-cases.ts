/**
 * Who may open a case, one rule (domain/access.ts `opensCases`) for the API's POST /api/cases and for GET /api/me's
 * `can.openCases`, by which the console offers the open-case form: an officer of law enforcement or a coordinator,
 * for every agency kind and role.
 */
import { opensCases } from '../../../domain/access';
import { AGENCY_KINDS, ROLES } from '../../../domain/types';

describe('opens-cases', () => {
  test('only an officer of law enforcement and a coordinator open cases', () => {
    const openers = AGENCY_KINDS.flatMap((agencyKind) =>
      ROLES.filter((role) => opensCases({ agencyKind, roles: [role] })).map((role) => `${agencyKind}/${role}`),
    );
    expect(openers).toEqual(['law_enforcement/agency_officer', 'coordinator/coordinator']);
    // Oversight and administration never do, with or without another role.
    expect(opensCases({ agencyKind: 'law_enforcement', roles: ['supervisor', 'admin'] })).toBe(false);
    expect(opensCases({ agencyKind: 'coordinator', roles: ['supervisor', 'coordinator'] })).toBe(true);
  });
});
