/**
 * Identification as an instant, over HTTP on real parts (test/support/stack.ts): the minor's 24-hour HHS notice
 * counts from the moment given, a date alone is the start of that day in the identifying agency's time zone, and the
 * agency API keeps that zone. Cases identified in 2025 are opened today: what already happened is accepted.
 */
import request from 'supertest';
import { localDateOf } from '../../../app/time-zones';
import { DEMO_AGENCIES } from '../../../db/seed';
import type { Problem } from '../../../api/schemas';
import type { AgencyKind } from '../../../domain/types';
import type { Stack } from '../../support/stack';
import { describeOnSharedStack, sharedStack } from '../../support/shared-stack';

describeOnSharedStack('identification', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = sharedStack();
  });

  let keys = 0;
  const key = () => `identification-${(keys += 1)}`;
  const systemAdmin = () => stack.users['demo-system-admin']!.headers;

  interface StepBody {
    id: string;
    status: string;
    dueAt: string | null;
    completedAt: string | null;
    details: Record<string, unknown>;
  }
  interface CaseBody {
    path: string;
    steps: StepBody[];
  }

  /** A survivor born on this day turns 18 on 2025-11-04. */
  const TURNS_18_ON_4_NOV_2025 = '2007-11-04';

  function open(body: Record<string, unknown>, as: AgencyKind = 'coordinator') {
    return request(stack.app)
      .post('/api/cases')
      .set(stack.as(as))
      .set('Idempotency-Key', key())
      .send({
        survivor: { name: 'Test Person', birthDate: '2010-01-01' },
        agencies: DEMO_AGENCIES,
        // One fictitious survivor opened again on purpose, not a request sent twice (409 possible_duplicate).
        confirmNotDuplicate: true,
        ...body,
      });
  }

  async function opened(body: Record<string, unknown>, as?: AgencyKind): Promise<CaseBody> {
    const res = await open(body, as);
    expect([res.status, res.body]).toEqual([201, expect.anything()]);
    // The coordinator sees every step, the officer only their agency's.
    const view = await request(stack.app)
      .get(`/api/cases/${(res.body as { caseId: string }).caseId}`)
      .set(stack.as('coordinator'))
      .expect(200);
    return view.body as CaseBody;
  }

  const step = (view: CaseBody, id: string) => view.steps.find((candidate) => candidate.id === id);

  async function saveAgency(body: Record<string, unknown>) {
    return request(stack.app).post('/api/agencies').set(systemAdmin()).send(body);
  }

  test("a minor identified at 09:30 in New York has the HHS notice due 24 hours later, not at the day's start", async () => {
    const view = await opened({ identifiedAt: '2025-11-03T09:30-05:00' }, 'law_enforcement');
    expect(view.path).toBe('minor');
    expect(step(view, 'identification-1')).toMatchObject({
      completedAt: '2025-11-03T14:30:00.000Z',
      details: { identifiedOn: '2025-11-03', path: 'minor' },
    });
    expect(step(view, 'hhs_minor_notification-1')).toMatchObject({
      status: 'pending',
      dueAt: '2025-11-04T14:30:00.000Z',
    });
  });

  describe('an agency in Chicago', () => {
    const chicago = { ...DEMO_AGENCIES, law_enforcement: 'chicago-police' };

    beforeAll(async () => {
      const saved = await saveAgency({
        id: 'chicago-police',
        kind: 'law_enforcement',
        name: 'Chicago Police (fictitious)',
        timeZone: 'america/chicago',
      });
      expect([saved.status, saved.body]).toEqual([201, expect.objectContaining({ timeZone: 'America/Chicago' })]);
    });

    it('keeps its time zone, and the others the deployment default (null)', async () => {
      const listed = await request(stack.app).get('/api/agencies').set(systemAdmin()).expect(200);
      const items = (listed.body as { items: { id: string; timeZone: string | null }[] }).items;
      expect(items.find((agency) => agency.id === 'chicago-police')?.timeZone).toBe('America/Chicago');
      expect(items.find((agency) => agency.id === 'demo-police')?.timeZone).toBeNull();
      // Due dates counted from an identification are read on the last day of the zone it was read in, by everyone.
      const me = await request(stack.app).get('/api/me').set(stack.as('coordinator')).expect(200);
      expect((me.body as { deadlineTimeZones: string[] }).deadlineTimeZones).toEqual(['America/Chicago', 'UTC']);
    });

    it('reads a date alone as the start of that day in Chicago, whether on summer time or not', async () => {
      const winter = await opened({ identifiedOn: '2025-11-03', agencies: chicago });
      expect(step(winter, 'identification-1')?.completedAt).toBe('2025-11-03T06:00:00.000Z');
      expect(step(winter, 'hhs_minor_notification-1')?.dueAt).toBe('2025-11-04T06:00:00.000Z');
      const summer = await opened({ identifiedOn: '2025-07-01', agencies: chicago });
      expect(step(summer, 'identification-1')?.completedAt).toBe('2025-07-01T05:00:00.000Z');
    });

    it('reads a date and time without an offset in Chicago', async () => {
      const view = await opened({ identifiedAt: '2025-11-03T09:30', agencies: chicago });
      expect(step(view, 'hhs_minor_notification-1')?.dueAt).toBe('2025-11-04T15:30:00.000Z');
    });

    it("decides the minor's path on the day it was in Chicago", async () => {
      // 20:00 on the 3rd in Chicago is already the 4th, the 18th birthday, in UTC: still a minor where it happened.
      const evening = {
        identifiedAt: '2025-11-03T20:00-06:00',
        survivor: { name: 'Test Person', birthDate: TURNS_18_ON_4_NOV_2025 },
      };
      const there = await opened({ ...evening, agencies: chicago });
      expect([there.path, step(there, 'identification-1')?.details.identifiedOn]).toEqual(['minor', '2025-11-03']);
      expect((await opened(evening)).path).toBe('adult');
    });
  });

  describe('an agency in Los Angeles, on the day its clocks go forward', () => {
    const losAngeles = { ...DEMO_AGENCIES, law_enforcement: 'los-angeles-police' };

    beforeAll(async () => {
      const saved = await saveAgency({
        id: 'los-angeles-police',
        kind: 'law_enforcement',
        name: 'Los Angeles Police (fictitious)',
        timeZone: 'America/Los_Angeles',
      });
      expect(saved.status).toBe(201);
    });

    it('refuses a local time that did not exist, naming identifiedAt and what the clocks did', async () => {
      const res = await open({ identifiedAt: '2026-03-08T02:30', agencies: losAngeles });
      const message = '2:30 did not exist on 8 Mar 2026 in America/Los_Angeles: clocks went from 2:00 to 3:00';
      expect([res.status, (res.body as Problem).errors]).toEqual([422, [{ field: 'identifiedAt', message }]]);
    });

    it('takes the hour after the change, and a time that happened twice as its first', async () => {
      const spring = await opened({ identifiedAt: '2026-03-08T03:30', agencies: losAngeles });
      expect(step(spring, 'identification-1')?.completedAt).toBe('2026-03-08T10:30:00.000Z');
      // 01:30 on 1 Nov 2026 happened twice (the clocks went back at 02:00): the first, on summer time.
      const autumn = await opened({ identifiedAt: '2026-11-01T01:30', agencies: losAngeles });
      expect(step(autumn, 'identification-1')?.completedAt).toBe('2026-11-01T08:30:00.000Z');
    });
  });

  test('refuses an unknown time zone for an agency, naming timeZone', async () => {
    for (const timeZone of ['Mars/Olympus_Mons', '+05:00', 'CST6CDT; --']) {
      const res = await saveAgency({ id: 'nowhere-police', kind: 'law_enforcement', name: 'Nowhere Police', timeZone });
      expect([timeZone, res.status, (res.body as Problem).errors?.map((error) => error.field)]).toEqual([
        timeZone,
        422,
        ['timeZone'],
      ]);
    }
  });

  test('takes exactly one of identifiedAt and identifiedOn, naming the field otherwise', async () => {
    const both = await open({ identifiedAt: '2025-11-03T09:30Z', identifiedOn: '2025-11-03' }).expect(422);
    expect((both.body as Problem).errors).toEqual([
      { field: 'identifiedOn', message: 'give identifiedAt or identifiedOn, not both' },
    ]);
    const neither = await open({}).expect(422);
    expect((neither.body as Problem).errors).toEqual([
      { field: 'identifiedAt', message: 'required: identifiedAt (a date and time) or identifiedOn (a date)' },
    ]);
    const loose = await open({ identifiedAt: '3 Nov 2025 09:30' }).expect(422);
    expect((loose.body as Problem).errors?.map((error) => error.field)).toEqual(['identifiedAt']);
  });

  test('refuses an identification after now, naming the field, and takes one of two years ago', async () => {
    const now = new Date(await stack.env.currentTimeMs());
    const inAMinute = new Date(now.getTime() + 60_000).toISOString();
    const later = await open({ identifiedAt: inAMinute }).expect(422);
    expect((later.body as Problem).errors).toEqual([
      { field: 'identifiedAt', message: `identifiedAt ${inAMinute} is in the future: an identification cannot be` },
    ]);
    // A day is said as sent, against today where the identifying agency (the police) is: no instants in UTC.
    const { items } = (await request(stack.app).get('/api/agencies').set(systemAdmin()).expect(200)).body as {
      items: { id: string; timeZone: string | null }[];
    };
    const zone = items.find((agency) => agency.id === DEMO_AGENCIES.law_enforcement)?.timeZone ?? 'UTC';
    const today = localDateOf(now.toISOString(), zone);
    const nextYear = `${Number(today.slice(0, 4)) + 1}${today.slice(4, 10)}`;
    const nextDay = await open({ identifiedOn: nextYear }).expect(422);
    const message = `identifiedOn ${nextYear} is after today, ${today}: an identification cannot be in the future`;
    expect((nextDay.body as Problem).errors).toEqual([{ field: 'identifiedOn', message }]);
    expect((nextDay.body as Problem).detail).toBe(message);
    // A moment is said as sent, with its offset or local to the agency, never converted to UTC nor set against now.
    for (const identifiedAt of [`${nextYear}T09:30-05:00`, `${nextYear}T09:30`]) {
      const moment = await open({ identifiedAt }).expect(422);
      const said = `identifiedAt ${identifiedAt} is in the future: an identification cannot be`;
      expect((moment.body as Problem).errors).toEqual([{ field: 'identifiedAt', message: said }]);
      expect((moment.body as Problem).detail).toBe(said);
    }
    const twoYearsAgo = new Date(now.getTime() - 730 * 86_400_000).toISOString();
    await open({ identifiedAt: twoYearsAgo }).expect(201);
  });

  test('refuses an identification before the TVPA, naming the field and why, and takes one on the day it was enacted', async () => {
    const why =
      'must be on or after 2000-10-28, when the TVPA, which created T status and Continued Presence, was enacted';
    for (const [field, value] of [
      ['identifiedOn', '1900-01-01'],
      ['identifiedOn', '2000-10-27'],
      ['identifiedAt', '1999-06-01T09:30'],
    ] as const) {
      const res = await open({ [field]: value, survivor: { name: 'Test Person', birthDate: '1900-01-01' } }).expect(
        422,
      );
      expect([value, (res.body as Problem).errors]).toEqual([value, [{ field, message: `${field} ${why}` }]]);
    }
    await open({ identifiedOn: '2000-10-28', survivor: { name: 'Test Person', birthDate: '1980-01-01' } }).expect(201);
  });
});
