/**
 * What oversight roles see of a case their agency shares (probe K1, K2): a supervisor sees what their agency's
 * officers see, unless their agency coordinates the case; an agency's admin reads the audit rows of its own users;
 * only a system administrator reads every row. An ICE supervisor never learns of a T-visa filing or decision
 * (README "Milestones"; 8 U.S.C. 1367), through the case, the work lists or the audit trail. Real parts: the case
 * workflow on the time-skipping Temporal server, PostgreSQL, the API (test/support/stack.ts).
 */
import request from 'supertest';
import { DEMO_AGENCIES } from '../../db/seed';
import { addDays, dateOf } from '../../domain/dates';
import type { CaseAgencies } from '../../domain/types';
import { createOutsider, createTestUser, TEST_PASSWORD, type TestUser } from '../support/auth';
import { eventually, startStack, type Stack } from '../support/stack';

const DAY_MS = 24 * 3600 * 1000;
/** Another task force's agencies, none of which takes part in the demo agencies' cases. */
const ELSEWHERE: CaseAgencies = {
  law_enforcement: 'scope-elsewhere-police',
  ice: 'scope-elsewhere-ice',
  hhs: 'scope-elsewhere-hhs',
  advocate: 'scope-elsewhere-advocates',
  coordinator: 'scope-elsewhere-task-force',
};

let stack: Stack;
let caseId: string;
let elsewhereCase: string;
let iceSupervisor: TestUser;
let policeAdmin: TestUser;
let keys = 0;
const key = () => `agency-scope-${(keys += 1)}`;

const get = async <T>(who: TestUser, path: string): Promise<T> =>
  (await request(stack.app).get(path).set(who.headers).expect(200)).body as T;
const signOff = (stepId: string, body: object) =>
  request(stack.app)
    .post(`/api/cases/${caseId}/steps/${stepId}/sign-off`)
    .set(stack.as('advocate'))
    .set('Idempotency-Key', key())
    .send(body)
    .expect(200);

interface Item {
  stepId: string | null;
  caseId: string | null;
  agencyId: string | null;
  userId: string | null;
}
const audit = (who: TestUser, caseFilter?: string) =>
  get<{ items: Item[] }>(who, `/api/audit?limit=200${caseFilter ? `&caseId=${caseFilter}` : ''}`).then(
    (page) => page.items,
  );
const isTVisa = (stepId: string | null | undefined) => stepId?.startsWith('t_visa') ?? false;

beforeAll(async () => {
  stack = await startStack();
  iceSupervisor = await createTestUser(stack.pool, {
    username: 'scope-ice-supervisor',
    agencyId: DEMO_AGENCIES.ice,
    roles: ['supervisor'],
    password: TEST_PASSWORD,
  });
  policeAdmin = await createTestUser(stack.pool, {
    username: 'scope-police-admin',
    agencyId: DEMO_AGENCIES.law_enforcement,
    roles: ['admin'],
    password: TEST_PASSWORD,
  });
  const today = dateOf(new Date(await stack.env.currentTimeMs()).toISOString());
  const opened = await request(stack.app)
    .post('/api/cases')
    .set(stack.as('law_enforcement'))
    .set('Idempotency-Key', key())
    .send({
      identifiedOn: today,
      survivor: { name: 'Oksana Testperson-Abara', birthDate: '1989-05-11' },
      agencies: DEMO_AGENCIES,
    })
    .expect(201);
  caseId = (opened.body as { caseId: string }).caseId;
  // The advocate files the T visa; USCIS asks for evidence by tomorrow, and the response is not made in time.
  await signOff('t_visa_filing-1', { outcome: 'filed', details: { filedOn: today } });
  await signOff('t_visa_receipt-1', { outcome: 'received', details: { receivedOn: today } });
  await signOff('t_visa_bona_fide-1', { outcome: 'bona_fide', details: { determinedOn: today } });
  await signOff('t_visa_decision-1', {
    outcome: 'evidence_requested',
    details: { notice: 'rfe', issuedOn: today, respondBy: addDays(today, 1) },
  });
  // Three days: the response is due all day tomorrow, overdue once that day has ended everywhere in the US (as far
  // west as UTC-12), at 12:00 UTC the day after it; two days later passed that only for a test begun after 12:00 UTC
  // (it failed in a CI run at 00:05 UTC).
  await stack.env.sleep(3 * DAY_MS);
  await eventually(async () => {
    const { items } = await get<{ items: { stepId: string }[] }>(stack.users['demo-advocate']!, '/api/notifications');
    return items.some((item) => item.stepId === 't_visa_evidence_response-1');
  }, 'the advocates reminded of the evidence response');

  // Another task force's case, opened by its own police.
  const outsider = await createOutsider(stack.pool, ELSEWHERE);
  const elsewhere = await request(stack.app)
    .post('/api/cases')
    .set(outsider.headers)
    .set('Idempotency-Key', key())
    .send({ identifiedOn: today, survivor: { name: 'Unrelated Person', birthDate: '1990-01-01' }, agencies: ELSEWHERE })
    .expect(201);
  elsewhereCase = (elsewhere.body as { caseId: string }).caseId;
});

afterAll(async () => {
  await stack?.stop();
});

describe("a supervisor sees what their agency's officers see, unless their agency coordinates the case", () => {
  const caseAs = (who: TestUser) =>
    get<{ steps: { id: string }[]; timeline: { stepId: string | null }[]; milestones: { kind: string }[] }>(
      who,
      `/api/cases/${caseId}`,
    );
  const pendingSteps = (who: TestUser) =>
    get<{ items: { id: string; caseId: string }[] }>(who, '/api/steps?status=pending&limit=200');
  const notifications = (who: TestUser) =>
    get<{ items: { stepId: string; caseId: string }[] }>(who, `/api/notifications?caseId=${caseId}`);

  it("gives ICE's supervisor no T-visa step, milestone, timeline entry, notification or audit row", async () => {
    const view = await caseAs(iceSupervisor);
    expect(view.steps.map((step) => step.id).filter(isTVisa)).toEqual([]);
    expect(view.timeline.filter((entry) => isTVisa(entry.stepId))).toEqual([]);
    expect(view.milestones).toEqual([]);
    // As ICE's officer sees it: ICE's own steps alone.
    const officer = await caseAs(stack.users['demo-ice-officer']!);
    expect(view.steps.map((step) => step.id)).toEqual(officer.steps.map((step) => step.id));

    expect((await pendingSteps(iceSupervisor)).items.filter((item) => isTVisa(item.id))).toEqual([]);
    expect((await notifications(iceSupervisor)).items.filter((item) => isTVisa(item.stepId))).toEqual([]);
    // Asking for the advocates' items is refused, as it is to ICE's officer.
    await request(stack.app)
      .get(`/api/steps?agencyId=${DEMO_AGENCIES.advocate}`)
      .set(iceSupervisor.headers)
      .expect(403);
    const rows = await audit(iceSupervisor, caseId);
    expect(rows.filter((row) => isTVisa(row.stepId))).toEqual([]);
    expect(rows.every((row) => row.agencyId === DEMO_AGENCIES.ice)).toBe(true);
  });

  it("gives ICE's supervisor compliance figures of ICE's steps alone", async () => {
    const report = await get<{ agencies: { agencyId: string | null }[] }>(
      iceSupervisor,
      '/api/reports/compliance?from=2026-01-01&to=2028-12-31',
    );
    expect(report.agencies.map((row) => row.agencyId).filter((id) => id !== DEMO_AGENCIES.ice)).toEqual([]);
  });

  it("gives the task force's supervisor every step, list item and audit row of the case", async () => {
    const supervisor = stack.users['demo-supervisor']!;
    const view = await caseAs(supervisor);
    expect(view.steps.map((step) => step.id)).toEqual(
      expect.arrayContaining(['t_visa_filing-1', 't_visa_decision-1', 't_visa_evidence_response-1']),
    );
    expect(view.timeline.some((entry) => entry.stepId === 't_visa_filing-1')).toBe(true);
    expect((await pendingSteps(supervisor)).items).toContainEqual(
      expect.objectContaining({ caseId, id: 't_visa_evidence_response-1' }),
    );
    expect((await notifications(supervisor)).items).toContainEqual(
      expect.objectContaining({ caseId, stepId: 't_visa_evidence_response-1' }),
    );
    expect(await audit(supervisor, caseId)).toContainEqual(
      expect.objectContaining({ stepId: 't_visa_decision-1', agencyId: DEMO_AGENCIES.advocate }),
    );
  });
});

describe("an agency's admin reads its own users' audit rows; a system administrator every row", () => {
  it("gives the police admin no row of another agency's user nor of another task force's case", async () => {
    const rows = await audit(policeAdmin);
    // Their officer's opening of the case is theirs to see.
    expect(rows).toContainEqual(
      expect.objectContaining({ caseId, userId: stack.users['demo-police-officer']!.user.id }),
    );
    expect(rows.filter((row) => row.agencyId !== DEMO_AGENCIES.law_enforcement)).toEqual([]);
    expect(rows.filter((row) => row.caseId === elsewhereCase)).toEqual([]);
  });

  it('still gives the system administrator every row, the T-visa sign-offs and the other task force included', async () => {
    const rows = await audit(stack.users['demo-system-admin']!);
    expect(rows).toContainEqual(expect.objectContaining({ stepId: 't_visa_decision-1', caseId }));
    expect(rows).toContainEqual(expect.objectContaining({ caseId: elsewhereCase }));
    const { rows: all } = await stack.pool.query<{ count: number }>('SELECT count(*)::int AS count FROM audit_events');
    expect(rows).toHaveLength(all[0]!.count);
  });
});
