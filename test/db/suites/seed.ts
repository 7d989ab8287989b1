/**
 * The demo seed runs at every start of the service: it creates the demo agencies that are missing and leaves those
 * there as an administrator set them (a time zone, an address), so a restart does not move their deadlines to UTC.
 */
import { findAgency, upsertAgencies } from '../../../db/agencies';
import { DEMO_AGENCIES, DEMO_AGENCY_LIST, seedDemoAgencies } from '../../../db/seed';
import { startTestDatabase, type TestDatabase } from '../../support/postgres';

describe('seed', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await startTestDatabase();
  });
  afterAll(() => db?.stop());

  it('keeps the time zone and address an administrator gave a demo agency, and recreates a missing one', async () => {
    await seedDemoAgencies(db.pool);
    const ice = DEMO_AGENCY_LIST.find((a) => a.id === DEMO_AGENCIES.ice)!;
    // As POST /api/agencies saves it.
    await upsertAgencies(db.pool, [{ ...ice, email: 'night-desk@ice.example.gov', timeZone: 'America/Los_Angeles' }]);
    await db.pool.query(`DELETE FROM agencies WHERE id = $1`, [DEMO_AGENCIES.hhs]);

    await seedDemoAgencies(db.pool); // the next start of the service

    expect(await findAgency(db.pool, DEMO_AGENCIES.ice)).toMatchObject({
      email: 'night-desk@ice.example.gov',
      timeZone: 'America/Los_Angeles',
    });
    const hhs = DEMO_AGENCY_LIST.find((a) => a.id === DEMO_AGENCIES.hhs)!;
    expect(await findAgency(db.pool, DEMO_AGENCIES.hhs)).toMatchObject({ name: hhs.name, email: hhs.email });
    const { rows } = await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM agencies');
    expect(rows[0]?.n).toBe(DEMO_AGENCY_LIST.length);
  });
});
