/**
 * The cases held before the read model kept the zone each was identified in (`cases.identified_in`, core/people-dates.ts
 * `zonesCountedIn`) take, by migration, their identifying police's zone as it is then, and keep it from then on; a case
 * whose police have no zone of their own (the deployment's TIMEZONE, which SQL does not know) keeps none, and is read
 * as before, in the zones law enforcement works in now.
 */
import { randomUUID } from 'node:crypto';
import { upsertAgencies } from '../../../db/agencies';
import { migrate } from '../../../db/migrate';
import { projectCase } from '../../../db/read-model';
import { DEMO_AGENCIES } from '../../../db/seed';
import type { CaseSnapshot } from '../../../domain/types';
import { migrationsFrom, undoMigrations } from '../../support/migrations';
import { startTestDatabase, type TestDatabase } from '../../support/postgres';

describe('case-identified-in-migration', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await startTestDatabase();
  });
  afterAll(async () => {
    await db?.stop();
  });

  const AT = '2026-06-01T05:00:00.000Z';

  /** A case identified by `policeId`, as the workflow projects one. */
  const identifiedBy = (policeId: string): CaseSnapshot => {
    const caseId = randomUUID();
    return {
      caseId,
      reference: `RC-MIG-${caseId.slice(0, 8)}`,
      path: 'adult',
      status: 'open',
      openedAt: AT,
      closedAt: null,
      policyVersion: 'test-1',
      agencies: { ...DEMO_AGENCIES, law_enforcement: policeId },
      steps: [
        {
          id: 'identification-1',
          kind: 'identification',
          track: 'intake',
          agencyKind: 'law_enforcement',
          agencyId: policeId,
          status: 'completed',
          openedAt: AT,
          dueAt: null,
          expiresAt: null,
          completedAt: AT,
          outcome: 'identified',
          details: { identifiedOn: '2026-06-01' },
        },
      ],
      timeline: [],
      version: 1,
    };
  };

  test("cases held before take their police's zone as it is, or none for police without one of their own", async () => {
    await upsertAgencies(db.pool, [
      {
        id: 'chicago-police',
        kind: 'law_enforcement',
        name: 'Chicago Police (fictitious)',
        email: null,
        timeZone: 'America/Chicago',
      },
      {
        id: 'zoneless-police',
        kind: 'law_enforcement',
        name: 'Zoneless Police (fictitious)',
        email: null,
        timeZone: null,
      },
    ]);
    const inChicago = identifiedBy('chicago-police');
    const zoneless = identifiedBy('zoneless-police');
    for (const snapshot of [inChicago, zoneless]) expect(await projectCase(db.pool, snapshot)).toBe(true);

    const fromIdentifiedIn = migrationsFrom(/case-identified-in\.sql$/);
    await undoMigrations(db.ownerConnectionString, fromIdentifiedIn);
    expect(await migrate(db.ownerConnectionString)).toEqual(fromIdentifiedIn);

    const { rows } = await db.pool.query<{ id: string; zone: string | null }>(
      'SELECT id, identified_in AS zone FROM cases WHERE id = ANY($1::uuid[]) ORDER BY identified_in NULLS LAST',
      [[inChicago.caseId, zoneless.caseId]],
    );
    expect(rows).toEqual([
      { id: inChicago.caseId, zone: 'America/Chicago' },
      { id: zoneless.caseId, zone: null },
    ]);
  });
});
