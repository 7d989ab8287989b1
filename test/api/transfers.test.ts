/**
 * `POST /api/cases/{caseId}/transfers` on real parts (time-skipping Temporal, embedded PostgreSQL, the SMTP capture):
 * only the case's coordinator transfers it, every attempt is audited, the old agency loses the case, its steps and
 * reminders at once while the new one finds them in its inbox, both are told by email with the reference only, and a
 * retried request is applied and told once.
 */
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { upsertAgencies } from '../../db/agencies';
import { DEMO_AGENCIES } from '../../db/seed';
import { createWorker, type TestUser } from '../support/auth';
import { eventually, startStack, type Stack } from '../support/stack';

interface StepBody {
  id: string;
  agencyId: string | null;
  status: string;
}
interface CaseBody {
  caseId: string;
  reference: string;
  agencies: Record<string, string>;
  steps: StepBody[];
  timeline: { type: string; summary: string; actorAgencyId: string | null }[];
}

const SURVIVOR = { name: 'Transfer Survivor (fictitious)', birthDate: '1990-04-17' };
const NEW_POLICE = { id: 'new-police', email: 'unit@new-police.example.gov' };
const OLD_POLICE_EMAIL = 'trafficking-unit@police.example.gov';

let stack: Stack;
let newPolice: TestUser;
beforeAll(async () => {
  stack = await startStack();
  await upsertAgencies(stack.pool, [
    { id: NEW_POLICE.id, kind: 'law_enforcement', name: 'New City Police (fictitious)', email: NEW_POLICE.email },
  ]);
  newPolice = await createWorker(stack.pool, NEW_POLICE.id, 'law_enforcement');
});
afterAll(async () => {
  await stack?.stop();
});

const as = (username: string) => stack.users[username]!.headers;

async function openCase(): Promise<CaseBody> {
  const identifiedOn = new Date(await stack.env.currentTimeMs()).toISOString().slice(0, 10);
  const opened = await request(stack.app)
    .post('/api/cases')
    .set(as('demo-police-officer'))
    .set('Idempotency-Key', randomUUID())
    .send({ identifiedOn, survivor: SURVIVOR, agencies: DEMO_AGENCIES, usesUVisa: true })
    .expect(201);
  return opened.body as CaseBody;
}

const transfer = (caseId: string, headers: { Authorization: string }, body: object, key: string = randomUUID()) =>
  request(stack.app).post(`/api/cases/${caseId}/transfers`).set(headers).set('Idempotency-Key', key).send(body);

const toNewPolice = { agencyKind: 'law_enforcement', toAgencyId: NEW_POLICE.id, reason: 'moved_jurisdiction' };

async function auditRows(caseId: string) {
  const { rows } = await stack.pool.query<{
    user_id: string | null;
    username: string | null;
    outcome: string;
    status: number | null;
    detail: string | null;
  }>(
    `SELECT user_id, username, outcome, status, detail, applied_version FROM audit_events
     WHERE case_id = $1 AND action = 'case.transfer' ORDER BY id`,
    [caseId],
  );
  return rows;
}

test('only the coordinator of the case transfers it; every refusal is audited and changes nothing', async () => {
  const opened = await openCase();
  for (const username of [
    'demo-police-officer',
    'demo-ice-officer',
    'demo-hhs-officer',
    'demo-advocate',
    'demo-supervisor',
    'demo-admin',
    'demo-system-admin',
  ]) {
    const refused = await transfer(opened.caseId, as(username), toNewPolice);
    expect({ username, status: refused.status }).toEqual({ username, status: 403 });
  }
  // An outsider's coordinator (another task force) is no coordinator of this case.
  const otherTaskForce = 'other-task-force';
  await upsertAgencies(stack.pool, [
    { id: otherTaskForce, kind: 'coordinator', name: 'Other Task Force (fictitious)', email: null },
  ]);
  const outsider = await createWorker(stack.pool, otherTaskForce, 'coordinator');
  expect((await transfer(opened.caseId, outsider.headers, toNewPolice)).status).toBe(403);

  const coordinator = as('demo-coordinator');
  // The new agency must exist, be of the kind it takes over, and not be the case's already; coordination stays.
  const invalid = [
    { agencyKind: 'law_enforcement', toAgencyId: 'no-such-police' },
    { agencyKind: 'law_enforcement', toAgencyId: DEMO_AGENCIES.advocate },
    { agencyKind: 'law_enforcement', toAgencyId: DEMO_AGENCIES.law_enforcement },
    { agencyKind: 'coordinator', toAgencyId: otherTaskForce },
    { ...toNewPolice, reason: 'Free text that could name someone' },
  ];
  for (const body of invalid) {
    const refused = await transfer(opened.caseId, coordinator, body);
    expect({ body, status: refused.status }).toEqual({ body, status: 422 });
    expect((refused.body as { errors?: { field: string }[] }).errors?.length).toBeGreaterThan(0);
  }

  const after = (await request(stack.app).get(`/api/cases/${opened.caseId}`).set(coordinator).expect(200))
    .body as CaseBody;
  expect(after.agencies).toEqual(DEMO_AGENCIES);
  const rows = await auditRows(opened.caseId);
  expect(rows.filter((row) => row.outcome === 'denied').map((row) => row.username)).toEqual([
    'demo-police-officer',
    'demo-ice-officer',
    'demo-hhs-officer',
    'demo-advocate',
    'demo-supervisor',
    'demo-admin',
    'demo-system-admin',
    outsider.user.username,
  ]);
  expect(rows.filter((row) => row.outcome === 'rejected')).toHaveLength(invalid.length);
  expect(rows.filter((row) => row.outcome === 'allowed')).toEqual([]);
});

test('a transfer moves the pending steps and reminders to the new agency; the old one loses the case at once', async () => {
  const opened = await openCase();
  const { caseId } = opened;
  const oldPolice = as('demo-police-officer');
  const pendingPolice = opened.steps
    .filter((step) => step.status === 'pending' && step.agencyId === DEMO_AGENCIES.law_enforcement)
    .map((step) => step.id);
  expect(pendingPolice).toEqual(expect.arrayContaining(['cp_request-1', 'le_declaration-1']));
  stack.mail.clear();

  const key = randomUUID();
  const transferred = await transfer(caseId, as('demo-coordinator'), toNewPolice, key).expect(200);
  const body = transferred.body as CaseBody;
  expect(body.agencies).toEqual({ ...DEMO_AGENCIES, law_enforcement: NEW_POLICE.id });
  for (const step of body.steps) {
    if (pendingPolice.includes(step.id)) expect(step.agencyId).toBe(NEW_POLICE.id);
  }
  // History is history: the identification law enforcement completed stays theirs.
  expect(body.steps.find((step) => step.id === 'identification-1')?.agencyId).toBe(DEMO_AGENCIES.law_enforcement);
  expect(body.timeline.at(-1)).toMatchObject({
    type: 'case.transferred',
    actorAgencyId: DEMO_AGENCIES.coordinator,
    summary: `law_enforcement transferred from ${DEMO_AGENCIES.law_enforcement} to ${NEW_POLICE.id} (moved_jurisdiction)`,
  });

  // The old agency: the case, its reminders, its steps and its caseload are closed to it from now on.
  await request(stack.app).get(`/api/cases/${caseId}`).set(oldPolice).expect(403);
  await request(stack.app).get(`/api/cases/${caseId}/reminders`).set(oldPolice).expect(403);
  await request(stack.app)
    .post(`/api/cases/${caseId}/steps/cp_request-1/sign-off`)
    .set(oldPolice)
    .set('Idempotency-Key', randomUUID())
    .send({ outcome: 'requested', details: { requestedOn: await today() } })
    .expect(403);
  const oldInbox = await request(stack.app).get('/api/steps?limit=200').set(oldPolice).expect(200);
  expect((oldInbox.body as { items: { caseId: string }[] }).items.filter((s) => s.caseId === caseId)).toEqual([]);
  const oldCaseload = await request(stack.app).get('/api/cases?limit=200').set(oldPolice).expect(200);
  expect((oldCaseload.body as { items: { caseId: string }[] }).items.map((c) => c.caseId)).not.toContain(caseId);

  // The new agency: the pending steps in its inbox, the case in its caseload, the reminders addressed to it.
  const inbox = await request(stack.app).get('/api/steps?limit=200').set(newPolice.headers).expect(200);
  const mine = (inbox.body as { items: (StepBody & { caseId: string })[] }).items.filter((s) => s.caseId === caseId);
  expect(mine.map((step) => step.id).sort()).toEqual([...pendingPolice].sort());
  const caseload = await request(stack.app).get('/api/cases?limit=200').set(newPolice.headers).expect(200);
  expect((caseload.body as { items: { caseId: string }[] }).items.map((c) => c.caseId)).toContain(caseId);
  const reminders = (await request(stack.app).get(`/api/cases/${caseId}/reminders`).set(newPolice.headers).expect(200))
    .body as { items: { stepId: string; kind: string; recipientAgencyId: string; status: string }[] };
  const toCome = reminders.items.filter((r) => r.status === 'scheduled' && r.kind !== 'escalation');
  expect(toCome.length).toBeGreaterThan(0);
  expect(new Set(toCome.map((r) => r.recipientAgencyId))).toEqual(new Set([NEW_POLICE.id]));
  expect(new Set(toCome.map((r) => r.stepId))).toEqual(new Set(pendingPolice));
  // And it signs them.
  await request(stack.app)
    .post(`/api/cases/${caseId}/steps/cp_request-1/sign-off`)
    .set(newPolice.headers)
    .set('Idempotency-Key', randomUUID())
    .send({ outcome: 'requested', details: { requestedOn: await today() } })
    .expect(200);

  // Both agencies are told, by the case reference only.
  const notices = await eventually(() => {
    const messages = stack.mail.messages().filter((m) => m.subject.includes(opened.reference));
    return messages.length >= 2 && messages;
  }, 'both transfer notices');
  expect(notices.map((m) => m.to).sort()).toEqual([[OLD_POLICE_EMAIL], [NEW_POLICE.email]]);
  for (const message of notices) {
    const all = JSON.stringify(message);
    expect(all).toContain(opened.reference);
    expect(all).not.toContain(SURVIVOR.name);
    expect(all).not.toContain(SURVIVOR.birthDate);
  }

  // A retry with the same key replays the answer: applied once, told once.
  const replayed = await transfer(caseId, as('demo-coordinator'), toNewPolice, key).expect(200);
  expect(replayed.headers['idempotent-replayed']).toBe('true');
  // Audited by the workflow (the change, keyed by the case version it made, as it applies it) and by the API (each
  // request, the replay named so).
  const coordinatorId = stack.users['demo-coordinator']!.user.id;
  const rows = await auditRows(caseId);
  expect(rows.filter((row) => row.outcome === 'allowed')).toEqual([
    expect.objectContaining({ user_id: coordinatorId, applied_version: 2, status: null }),
    expect.objectContaining({ user_id: coordinatorId, username: 'demo-coordinator', status: 200, detail: null }),
    expect.objectContaining({ user_id: coordinatorId, username: 'demo-coordinator', status: 200, detail: 'replayed' }),
  ]);
  const timeline = (await request(stack.app).get(`/api/cases/${caseId}`).set(as('demo-coordinator')).expect(200))
    .body as CaseBody;
  expect(timeline.timeline.filter((entry) => entry.type === 'case.transferred')).toHaveLength(1);
  expect(stack.mail.messages().filter((m) => m.subject.includes(opened.reference))).toHaveLength(2);

  // A closed case is transferred no more.
  await request(stack.app)
    .post(`/api/cases/${caseId}/close`)
    .set(as('demo-coordinator'))
    .set('Idempotency-Key', randomUUID())
    .send({ status: 'withdrawn', reason: 'test' })
    .expect(200);
  const closed = await transfer(caseId, as('demo-coordinator'), {
    agencyKind: 'law_enforcement',
    toAgencyId: DEMO_AGENCIES.law_enforcement,
  });
  expect(closed.status).toBe(409);
});

const today = async () => new Date(await stack.env.currentTimeMs()).toISOString().slice(0, 10);
