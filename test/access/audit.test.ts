/**
 * The audit trail: append-only in PostgreSQL whoever connects, one row per audited call through the real stack (with
 * the response's request id and never a survivor's personal data), and GET /api/audit as each role sees it.
 */
import request, { type Response } from 'supertest';
import { recordAudit } from '../../db/audit';
import { DEMO_AGENCIES } from '../../db/seed';
import type { CaseAgencies } from '../../domain/types';
import { addDays } from '../../domain/dates';
import { createOutsider, createTestUser, TEST_PASSWORD, type TestUser } from '../support/auth';
import { startTestDatabase, type TestDatabase } from '../support/postgres';
import { startStack, type Stack } from '../support/stack';

const PERMISSION_DENIED = '42501';

describe('the database keeps the audit trail append-only', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await startTestDatabase();
  });
  afterAll(async () => {
    await db?.stop();
  });

  const onlyRow = async () => (await db.owner.query('SELECT * FROM audit_events')).rows as unknown[];

  it('refuses UPDATE, DELETE and TRUNCATE to the service role and to the owner alike', async () => {
    await recordAudit(db.pool, {
      action: 'case.open',
      outcome: 'allowed',
      caseId: '6f1c1f4e-7d0a-4c53-9c35-0c1f5b0a1d2e',
      status: 201,
      requestId: 'append-only-1',
    });
    const before = await onlyRow();
    expect(before).toHaveLength(1);

    for (const sql of [
      "UPDATE audit_events SET outcome = 'denied'",
      'DELETE FROM audit_events',
      'TRUNCATE audit_events',
    ]) {
      await expect(db.pool.query(sql)).rejects.toMatchObject({
        code: PERMISSION_DENIED,
        message: expect.stringMatching(/permission denied for table audit_events/) as unknown,
      });
      // A superuser passes every privilege check; the trigger still says no.
      await expect(db.owner.query(sql)).rejects.toMatchObject({
        code: PERMISSION_DENIED,
        message: expect.stringMatching(/append-only/) as unknown,
      });
    }
    expect(await onlyRow()).toEqual(before);
  });

  it('keeps what was recorded about a survivor and their documents append-only for the service role', async () => {
    for (const table of ['survivor_revisions', 'step_documents']) {
      for (const sql of [`UPDATE ${table} SET case_id = case_id`, `DELETE FROM ${table}`, `TRUNCATE ${table}`]) {
        await expect(db.pool.query(sql)).rejects.toMatchObject({
          code: PERMISSION_DENIED,
          message: expect.stringMatching(new RegExp(`permission denied for table ${table}`)) as unknown,
        });
      }
    }
  });

  it('gives the service role no hold on the migrations, the schema or the trigger', async () => {
    for (const sql of [
      'SELECT * FROM pgmigrations',
      "INSERT INTO pgmigrations (name, run_on) VALUES ('9999_intruder', now())",
      'DELETE FROM pgmigrations',
      'CREATE TABLE intruder (id int)',
      'ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_or_delete',
      'DROP TRIGGER audit_events_no_truncate ON audit_events',
      'DROP TABLE audit_events',
    ]) {
      await expect(db.pool.query(sql)).rejects.toMatchObject({ code: PERMISSION_DENIED });
    }
    const { rows } = await db.owner.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM pg_trigger WHERE tgrelid = 'audit_events'::regclass AND NOT tgisinternal AND tgenabled = 'O'`,
    );
    expect(rows[0]?.count).toBe(2);
  });
});

describe('through the full stack', () => {
  let stack: Stack;
  /** An officer of a law-enforcement agency that takes part in none of the demo cases. */
  let outsider: TestUser;
  const ELSEWHERE: CaseAgencies = {
    law_enforcement: 'elsewhere-police',
    ice: 'elsewhere-ice',
    hhs: 'elsewhere-hhs',
    advocate: 'elsewhere-advocates',
    coordinator: 'elsewhere-task-force',
  };
  const SURVIVOR = { name: 'Imogen Testperson-Qadri', birthDate: '1991-07-14' };
  let demoCase: string;
  let elsewhereCase: string;

  beforeAll(async () => {
    stack = await startStack();
    outsider = await createOutsider(stack.pool, ELSEWHERE);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const user = (username: string) => stack.users[username]!;
  let keys = 0;
  const key = () => `audit-test-${(keys += 1)}`;
  const today = async () => new Date(await stack.env.currentTimeMs()).toISOString().slice(0, 10);

  interface AuditRow {
    user_id: string | null;
    username: string | null;
    agency_id: string | null;
    roles: string[] | null;
    action: string;
    case_id: string | null;
    step_id: string | null;
    outcome: string;
    status: number | null;
    request_id: string | null;
    detail: string | null;
  }

  /** The audit rows the request behind this response left, found by the request id the response carries. */
  async function auditOf(res: Response): Promise<AuditRow[]> {
    const requestId = res.headers['x-request-id'];
    expect(requestId).toEqual(expect.any(String));
    const { rows } = await stack.pool.query<AuditRow>('SELECT * FROM audit_events WHERE request_id = $1 ORDER BY id', [
      requestId,
    ]);
    return rows;
  }

  /** The row the case workflow writes for a command it applied: the command's actor, named as the API names them. */
  const applied = (who: TestUser, action: string, caseId: string, stepId: string | null) =>
    expect.objectContaining({
      user_id: who.user.id,
      username: who.user.username,
      agency_id: who.user.agencyId,
      roles: who.user.roles,
      action,
      case_id: caseId,
      step_id: stepId,
      outcome: 'allowed',
      status: null,
      detail: expect.stringMatching(/^applied_by=workflow; version=\d+$/) as unknown,
    }) as unknown;

  const by = (who: TestUser) => ({
    user_id: who.user.id,
    username: who.user.username,
    agency_id: who.user.agencyId,
    roles: who.user.roles,
  });

  it('records each audited call once, with who, what, which case and step, the outcome and the request id', async () => {
    const on = await today();
    const police = user('demo-police-officer');
    const opened = await request(stack.app)
      .post('/api/cases')
      .set(police.headers)
      .set('Idempotency-Key', key())
      .send({ identifiedOn: on, survivor: SURVIVOR, agencies: DEMO_AGENCIES })
      .expect(201);
    demoCase = (opened.body as { caseId: string }).caseId;
    // The command's request id travels with it: the workflow's row (written first, when applied) and the API's.
    expect(await auditOf(opened)).toEqual([
      applied(police, 'case.open', demoCase, null),
      expect.objectContaining({
        ...by(police),
        action: 'case.open',
        case_id: demoCase,
        step_id: null,
        outcome: 'allowed',
        status: 201,
        request_id: opened.headers['x-request-id'],
      }),
    ]);

    const signOff = `/api/cases/${demoCase}/steps/cp_request-1/sign-off`;
    const refused = await request(stack.app)
      .post(signOff)
      .set(user('demo-hhs-officer').headers)
      .set('Idempotency-Key', key())
      .send({ outcome: 'requested', details: { requestedOn: on } })
      .expect(404);
    // A step HHS does not see is refused as one the case does not have (test/access/own-stack/hidden-steps.ts).
    expect(refused.body).toMatchObject({ code: 'unknown_step' });
    expect(await auditOf(refused)).toEqual([
      expect.objectContaining({
        ...by(user('demo-hhs-officer')),
        action: 'step.sign_off',
        case_id: demoCase,
        step_id: 'cp_request-1',
        outcome: 'rejected',
        status: 404,
        detail: 'unknown_step',
      }),
    ]);

    const invalid = await request(stack.app)
      .post(signOff)
      .set(police.headers)
      .set('Idempotency-Key', key())
      .send({ outcome: 'requested', details: { requestedOn: 'soon' } })
      .expect(422);
    expect(await auditOf(invalid)).toEqual([
      expect.objectContaining({
        ...by(police),
        action: 'step.sign_off',
        case_id: demoCase,
        step_id: 'cp_request-1',
        outcome: 'rejected',
        status: 422,
      }),
    ]);

    const signed = await request(stack.app)
      .post(signOff)
      .set(police.headers)
      .set('Idempotency-Key', key())
      .send({ outcome: 'requested', details: { requestedOn: on } })
      .expect(200);
    expect(await auditOf(signed)).toEqual([
      applied(police, 'step.sign_off', demoCase, 'cp_request-1'),
      expect.objectContaining({
        ...by(police),
        action: 'step.sign_off',
        case_id: demoCase,
        step_id: 'cp_request-1',
        outcome: 'allowed',
        status: 200,
        request_id: signed.headers['x-request-id'],
      }),
    ]);

    const advocate = user('demo-advocate');
    const read = await request(stack.app).get(`/api/cases/${demoCase}/survivor`).set(advocate.headers).expect(200);
    expect(read.body).toMatchObject(SURVIVOR);
    expect(await auditOf(read)).toEqual([
      expect.objectContaining({
        ...by(advocate),
        action: 'survivor.read',
        case_id: demoCase,
        step_id: null,
        outcome: 'allowed',
        status: 200,
      }),
    ]);

    // Reading a case that opens no note is not audited (it carries no personal data); being refused it is.
    const seen = await request(stack.app).get(`/api/cases/${demoCase}`).set(police.headers).expect(200);
    expect(await auditOf(seen)).toEqual([]);
    const trespass = await request(stack.app).get(`/api/cases/${demoCase}`).set(outsider.headers).expect(403);
    expect(await auditOf(trespass)).toEqual([
      expect.objectContaining({
        ...by(outsider),
        action: 'GET /api/cases/:caseId',
        case_id: demoCase,
        outcome: 'denied',
        status: 403,
        detail: 'not_a_participant',
      }),
    ]);

    const coordinator = user('demo-coordinator');
    const closed = await request(stack.app)
      .post(`/api/cases/${demoCase}/close`)
      .set(coordinator.headers)
      .set('Idempotency-Key', key())
      .send({ status: 'closed', reason: 'relief_obtained' })
      .expect(200);
    expect(await auditOf(closed)).toEqual([
      applied(coordinator, 'case.close', demoCase, null),
      expect.objectContaining({
        ...by(coordinator),
        action: 'case.close',
        case_id: demoCase,
        step_id: null,
        outcome: 'allowed',
        status: 200,
      }),
    ]);

    const { rows } = await stack.pool.query<{ row: string }>('SELECT row_to_json(a)::text AS row FROM audit_events a');
    expect(rows.length).toBeGreaterThanOrEqual(7);
    for (const { row } of rows) {
      expect(row).not.toContain('Imogen');
      expect(row).not.toContain('Qadri');
      expect(row).not.toContain(SURVIVOR.birthDate);
    }
  });

  it("stores the service's own request id, never a caller's: words a supervisor would read, or another user's id", async () => {
    const police = user('demo-police-officer');
    const read = (requestId: string) =>
      request(stack.app)
        .get(`/api/cases/${demoCase}/survivor`)
        .set(police.headers)
        .set('X-Request-Id', requestId)
        .expect(200);
    // A name and a birth date offered as the request id: answered, logged and audited under a fresh id of ours.
    const probe = await read('Ana-Zeta-Probe-1990-01-03');
    expect(probe.headers['x-request-id']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(await auditOf(probe)).toEqual([
      expect.objectContaining({ ...by(police), action: 'survivor.read', case_id: demoCase, outcome: 'allowed' }),
    ]);
    // A UUID of the caller's (any version, here 7, in capitals) is echoed apart for the trace, spelled one way; the
    // request is audited under an id of ours: the caller's may be one copied from another user's request.
    const traced = await read('0193A1B2-C3D4-7E5F-8A9B-0C1D2E3F4A5B');
    expect(traced.headers['x-correlation-id']).toBe('0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b');
    expect(traced.headers['x-request-id']).not.toBe('0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b');
    expect(await auditOf(traced)).toEqual([expect.objectContaining({ action: 'survivor.read', case_id: demoCase })]);
    // Another user offering the same UUID: two requests, two ids in the trail, each naming its own user.
    const advocate = user('demo-advocate');
    const copied = await request(stack.app)
      .get(`/api/cases/${demoCase}/survivor`)
      .set(advocate.headers)
      .set('X-Request-Id', '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b')
      .expect(200);
    expect(copied.headers['x-request-id']).not.toBe(traced.headers['x-request-id']);
    expect(await auditOf(copied)).toEqual([expect.objectContaining({ ...by(advocate), action: 'survivor.read' })]);
    expect(await auditOf(traced)).toEqual([expect.objectContaining({ ...by(police), action: 'survivor.read' })]);
    const { rows } = await stack.pool.query<{ row: string }>('SELECT row_to_json(a)::text AS row FROM audit_events a');
    expect(rows.filter(({ row }) => /Ana-Zeta|1990-01-03|0193a1b2/i.test(row))).toEqual([]);
  });

  it("records each answer that opened a note, a correction's reason or a file name, once, never what it showed", async () => {
    const on = await today();
    const police = user('demo-police-officer');
    const coordinator = user('demo-coordinator');
    const supervisor = user('demo-supervisor');
    const NOTE = 'Imogen Qadri said she stays at 12 Elm Street';
    const REASON = 'Imogen Qadri gave the wrong day at first';
    const FILE_NAME = 'Imogen Qadri passport.pdf';
    const yesterday = new Date(Date.parse(on) - 86_400_000).toISOString().slice(0, 10);
    const openCase = async (identifiedOn = on) =>
      (
        (
          await request(stack.app)
            .post('/api/cases')
            .set(police.headers)
            .set('Idempotency-Key', key())
            .send({ identifiedOn, survivor: SURVIVOR, agencies: DEMO_AGENCIES })
            .expect(201)
        ).body as { caseId: string }
      ).caseId;
    const signOff = (caseId: string, details: object) =>
      request(stack.app)
        .post(`/api/cases/${caseId}/steps/cp_request-1/sign-off`)
        .set(police.headers)
        .set('Idempotency-Key', key())
        .send({ outcome: 'requested', details: { requestedOn: on, ...details } })
        .expect(200);
    const get = (who: TestUser, path: string) => request(stack.app).get(path).set(who.headers).expect(200);
    const read = (who: TestUser, action: string, caseId: string, stepId: string | null = null) =>
      expect.objectContaining({
        ...by(who),
        action,
        case_id: caseId,
        step_id: stepId,
        outcome: 'allowed',
        status: 200,
        detail: null,
      }) as unknown;

    // A case with a note, and a document whose file name names the survivor.
    const noted = await openCase();
    await signOff(noted, { note: NOTE });
    await request(stack.app)
      .post(`/api/cases/${noted}/steps/cp_request-1/documents`)
      .set(police.headers)
      .attach(
        'file',
        Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n'),
        {
          filename: FILE_NAME,
        },
      )
      .expect(201);
    // A case with a correction's reason, and no note.
    const corrected = await openCase(yesterday);
    await signOff(corrected, {});
    await request(stack.app)
      .post(`/api/cases/${corrected}/steps/cp_request-1/corrections`)
      .set(police.headers)
      .set('Idempotency-Key', key())
      .send({ outcome: 'requested', details: { requestedOn: yesterday }, reason: REASON })
      .expect(200);

    // Those who read the identity get the note, the reason and the file name: each answer leaves one row.
    const caseView = await get(police, `/api/cases/${noted}`);
    expect(JSON.stringify(caseView.body)).toContain(NOTE);
    expect(await auditOf(caseView)).toEqual([read(police, 'case.read_notes', noted)]);
    const reasonView = await get(coordinator, `/api/cases/${corrected}`);
    expect(JSON.stringify(reasonView.body)).toContain(REASON);
    expect(await auditOf(reasonView)).toEqual([read(coordinator, 'case.read_notes', corrected)]);
    const caseDocuments = await get(police, `/api/cases/${noted}/documents`);
    expect(JSON.stringify(caseDocuments.body)).toContain(FILE_NAME);
    expect(await auditOf(caseDocuments)).toEqual([read(police, 'document.read_names', noted)]);
    const stepDocuments = await get(coordinator, `/api/cases/${noted}/steps/cp_request-1/documents`);
    expect(JSON.stringify(stepDocuments.body)).toContain(FILE_NAME);
    expect(await auditOf(stepDocuments)).toEqual([read(coordinator, 'document.read_names', noted, 'cp_request-1')]);

    // A supervisor's answers open nothing (withheld, no file names), nor does a list without documents: no row.
    const withheld = await get(supervisor, `/api/cases/${noted}`);
    expect(JSON.stringify(withheld.body)).not.toContain(NOTE);
    expect(JSON.stringify(withheld.body)).toContain('"noteWithheld":true');
    const unnamed = await get(supervisor, `/api/cases/${noted}/documents`);
    expect((unnamed.body as { items: object[] }).items).toEqual([expect.not.objectContaining({ fileName: FILE_NAME })]);
    const unnamedStep = await get(supervisor, `/api/cases/${noted}/steps/cp_request-1/documents`);
    const empty = await get(police, `/api/cases/${corrected}/documents`);
    expect((empty.body as { items: object[] }).items).toEqual([]);
    for (const res of [withheld, unnamed, unnamedStep, empty]) expect(await auditOf(res)).toEqual([]);

    const { rows } = await stack.pool.query<{ row: string }>(
      `SELECT row_to_json(a)::text AS row FROM audit_events a WHERE action IN ('case.read_notes', 'document.read_names')`,
    );
    expect(rows).toHaveLength(4);
    for (const { row } of rows) {
      for (const needle of ['Imogen', 'Qadri', 'Elm Street', 'passport', 'wrong day'])
        expect(row).not.toContain(needle);
    }
  });

  describe('GET /api/audit', () => {
    interface Item {
      id: string;
      at: string;
      userId: string | null;
      agencyId: string | null;
      action: string;
      caseId: string | null;
      caseReference: string | null;
      stepId: string | null;
      outcome: string;
      detail: string | null;
    }
    const list = async (who: TestUser, query: Record<string, string> = {}) => {
      const res = await request(stack.app)
        .get('/api/audit')
        .query({ limit: '200', ...query })
        .set(who.headers)
        .expect(200);
      return (res.body as { items: Item[]; nextCursor: string | null }).items;
    };
    const ids = (items: Item[]) => items.map((item) => item.id);

    beforeAll(async () => {
      // Events that belong to an unrelated agency only: its case, and its officer's API key.
      const opened = await request(stack.app)
        .post('/api/cases')
        .set(outsider.headers)
        .set('Idempotency-Key', key())
        .send({
          identifiedOn: await today(),
          survivor: { name: 'Unrelated Person', birthDate: '1990-01-01' },
          agencies: ELSEWHERE,
        })
        .expect(201);
      elsewhereCase = (opened.body as { caseId: string }).caseId;
      await request(stack.app)
        .post('/api/tokens')
        .set(outsider.headers)
        .send({ label: 'elsewhere script', currentPassword: TEST_PASSWORD })
        .expect(201);
    });

    it('refuses a period whose end is before its start, naming to, as the compliance report does', async () => {
      const res = await request(stack.app)
        .get('/api/audit?from=2026-12-10&to=2026-12-01')
        .set(user('demo-supervisor').headers)
        .expect(400);
      expect(res.body).toMatchObject({
        status: 400,
        code: 'invalid_query',
        errors: [{ field: 'to', message: 'must not be before from' }],
      });
    });

    it('is refused to the roles that work cases', async () => {
      for (const username of [
        'demo-police-officer',
        'demo-ice-officer',
        'demo-hhs-officer',
        'demo-advocate',
        'demo-coordinator',
      ]) {
        const res = await request(stack.app).get('/api/audit').set(user(username).headers).expect(403);
        expect(res.body).toMatchObject({ status: 403, code: 'role_not_permitted' });
      }
    });

    it("shows a supervisor their agency's users and cases, and nothing of an unrelated agency", async () => {
      const seen = await list(user('demo-supervisor'));
      const coordinator = user('demo-coordinator').user.id;
      // Another agency's user acting on a task-force case, and the task force's own users anywhere.
      expect(seen).toContainEqual(
        expect.objectContaining({ action: 'case.open', caseId: demoCase, agencyId: 'demo-police' }),
      );
      expect(seen).toContainEqual(
        expect.objectContaining({ action: 'case.close', caseId: demoCase, userId: coordinator }),
      );
      expect(seen).toContainEqual(
        expect.objectContaining({ action: 'GET /api/audit', caseId: null, userId: coordinator, outcome: 'denied' }),
      );
      // The outsider's refused look at the task force's case concerns the task force.
      expect(seen).toContainEqual(
        expect.objectContaining({ caseId: demoCase, agencyId: ELSEWHERE.law_enforcement, outcome: 'denied' }),
      );
      expect(seen.filter((item) => item.caseId === elsewhereCase)).toEqual([]);
      expect(
        seen.filter((item) => item.action === 'token.create' && item.agencyId === ELSEWHERE.law_enforcement),
      ).toEqual([]);
      expect(await list(user('demo-supervisor'), { caseId: elsewhereCase })).toEqual([]);
    });

    it("lists a supervisor's user's attempt on another agency's case by its id alone, never its reference", async () => {
      const coordinator = user('demo-coordinator');
      await request(stack.app).get(`/api/cases/${elsewhereCase}`).set(coordinator.headers).expect(403);
      const attempts = (await list(user('demo-supervisor'), { userId: coordinator.user.id })).filter(
        (item) => item.caseId === elsewhereCase,
      );
      expect(attempts).toEqual([expect.objectContaining({ outcome: 'denied', caseReference: null })]);
      const seenBySystemAdmin = await list(user('demo-system-admin'), { caseId: elsewhereCase });
      expect(seenBySystemAdmin.every((item) => item.caseReference !== null)).toBe(true);
    });

    it("answers an admin filtering by another task force's case reference as for a reference no case has", async () => {
      // The task force's coordinator tries the other task force's case: a row its admin reads, by the case's id alone.
      await request(stack.app).get(`/api/cases/${elsewhereCase}`).set(user('demo-coordinator').headers).expect(403);
      const { caseReference } = (await list(user('demo-system-admin'), { caseId: elsewhereCase }))[0]!;
      const filtered = async (reference: string) => {
        const res = await request(stack.app)
          .get('/api/audit')
          .query({ limit: '200', caseReference: reference })
          .set(user('demo-admin').headers);
        return { status: res.status, body: res.body as unknown };
      };
      // Found, the row would tie the reference to the case's id, and tell the reference is in use.
      expect(await filtered(caseReference!)).toEqual(await filtered('RC-2026-0000AB00'));
      expect(await filtered(caseReference!)).toEqual({ status: 200, body: { items: [], nextCursor: null } });
    });

    it("names no case version to an agency's supervisor: it counts the changes of steps their agency does not see", async () => {
      // probe L3: the workflow's row of ICE's CP decision said `version=4`, telling an ICE supervisor that someone
      // acted on the case where ICE sees nothing: the advocate's T-visa filing (8 U.S.C. 1367).
      const iceSupervisor = await createTestUser(stack.pool, {
        username: 'audit-ice-supervisor',
        agencyId: DEMO_AGENCIES.ice,
        roles: ['supervisor'],
        password: TEST_PASSWORD,
      });
      const on = await today();
      const opened = await request(stack.app)
        .post('/api/cases')
        .set(user('demo-police-officer').headers)
        .set('Idempotency-Key', key())
        .send({
          identifiedOn: on,
          survivor: { name: 'Audit Version (fictitious)', birthDate: '1991-05-06' },
          agencies: DEMO_AGENCIES,
        })
        .expect(201);
      const { caseId } = opened.body as { caseId: string };
      const sign = (username: string, stepId: string, outcome: string, details: object) =>
        request(stack.app)
          .post(`/api/cases/${caseId}/steps/${stepId}/sign-off`)
          .set(user(username).headers)
          .set('Idempotency-Key', key())
          .send({ outcome, details })
          .expect(200);
      await sign('demo-advocate', 't_visa_filing-1', 'filed', { filedOn: on });
      await sign('demo-police-officer', 'cp_request-1', 'requested', { requestedOn: on });
      await sign('demo-ice-officer', 'cp_decision-1', 'granted', { grantedOn: on, validUntil: addDays(on, 365) });

      const appliedDecision = async (who: TestUser) =>
        (await list(who, { caseId })).filter(
          (item) => item.stepId === 'cp_decision-1' && item.detail?.startsWith('applied_by=workflow'),
        );
      expect(await appliedDecision(iceSupervisor)).toEqual([
        expect.objectContaining({ detail: 'applied_by=workflow' }),
      ]);
      // The task force's supervisor, who sees the case whole, reads the version the decision made.
      expect(await appliedDecision(user('demo-supervisor'))).toEqual([
        expect.objectContaining({ detail: expect.stringMatching(/^applied_by=workflow; version=\d+$/) as unknown }),
      ]);
    });

    it('filters by a reference two agencies both use, each case found', async () => {
      const open = (who: TestUser, agencies: object) =>
        request(stack.app)
          .post('/api/cases')
          .set(who.headers)
          .set('Idempotency-Key', key())
          .send({
            reference: 'AUDIT-SHARED',
            identifiedOn: '2026-11-02',
            survivor: { name: 'Pat Example', birthDate: '1990-01-01' },
            agencies,
          })
          .expect(201);
      const mine = ((await open(user('demo-police-officer'), DEMO_AGENCIES)).body as { caseId: string }).caseId;
      const theirs = ((await open(outsider, ELSEWHERE)).body as { caseId: string }).caseId;
      const found = await list(user('demo-system-admin'), { caseReference: 'AUDIT-SHARED' });
      expect(new Set(found.map((item) => item.caseId))).toEqual(new Set([mine, theirs]));
      // Read out on the phone and typed in lower case, or pasted with spaces either side: as the caseload finds it.
      for (const typed of ['audit-shared', ' Audit-Shared '])
        expect(
          new Set((await list(user('demo-system-admin'), { caseReference: typed })).map((item) => item.caseId)),
        ).toEqual(new Set([mine, theirs]));
    });

    it('shows a system administrator everything, newest first', async () => {
      const all = await list(user('demo-system-admin'));
      const { rows } = await stack.pool.query<{ id: string }>(
        'SELECT id::text AS id FROM audit_events ORDER BY audit_events.id DESC',
      );
      expect(ids(all)).toEqual(rows.map((row) => row.id));
      expect(all).toContainEqual(
        expect.objectContaining({ action: 'case.open', caseId: elsewhereCase, userId: outsider.user.id }),
      );
      expect(all).toContainEqual(expect.objectContaining({ action: 'token.create', userId: outsider.user.id }));
    });

    it('filters by case, user, agency, action, outcome and time', async () => {
      const admin = user('demo-system-admin');
      const all = await list(admin);
      const pivot = all[Math.floor(all.length / 2)]!.at;
      const police = user('demo-police-officer').user.id;
      // Each row names its case's reference too, which people filter by instead of the id.
      const reference = all.find((item) => item.caseId === demoCase)!.caseReference!;
      expect(reference).toMatch(/^[A-Z0-9-]+$/);
      const cases: [Record<string, string>, (item: Item) => boolean][] = [
        [{ caseId: demoCase }, (item) => item.caseId === demoCase],
        [{ caseReference: reference }, (item) => item.caseId === demoCase && item.caseReference === reference],
        [{ userId: police }, (item) => item.userId === police],
        [{ agencyId: 'demo-task-force' }, (item) => item.agencyId === 'demo-task-force'],
        [{ action: 'step.sign_off' }, (item) => item.action === 'step.sign_off'],
        [{ outcome: 'denied' }, (item) => item.outcome === 'denied'],
        [{ from: pivot }, (item) => Date.parse(item.at) >= Date.parse(pivot)],
        [{ to: pivot }, (item) => Date.parse(item.at) < Date.parse(pivot)],
        [
          { caseId: demoCase, outcome: 'allowed', action: 'step.sign_off' },
          (item) => item.caseId === demoCase && item.outcome === 'allowed' && item.action === 'step.sign_off',
        ],
      ];
      for (const [query, expected] of cases) {
        const wanted = ids(all.filter(expected));
        expect(wanted.length).toBeGreaterThan(0);
        expect(wanted.length).toBeLessThan(all.length);
        expect({ query, ids: ids(await list(admin, query)) }).toEqual({ query, ids: wanted });
      }
    });

    it('pages with limit and cursor, every row once, newest first', async () => {
      const admin = user('demo-system-admin');
      const all = ids(await list(admin));
      expect(all.length).toBeGreaterThan(9);
      const paged: string[] = [];
      let cursor: string | null = null;
      do {
        const res = await request(stack.app)
          .get('/api/audit')
          .query({ limit: '4', ...(cursor ? { cursor } : {}) })
          .set(admin.headers)
          .expect(200);
        const page = res.body as { items: Item[]; nextCursor: string | null };
        expect(page.items.length).toBeLessThanOrEqual(4);
        paged.push(...ids(page.items));
        cursor = page.nextCursor;
      } while (cursor !== null);
      expect(paged).toEqual(all);
      const numbers = paged.map(Number);
      expect(numbers).toEqual([...numbers].sort((a, b) => b - a));
    });

    it('answers a bad filter with 400 naming the field', async () => {
      const bad: Record<string, string> = {
        caseId: 'not-a-case',
        userId: 'someone',
        outcome: 'maybe',
        from: 'yesterday',
        to: '2026-13-45',
        limit: '0',
        cursor: 'abc',
        action: 'drop table;',
        agencyId: 'no spaces allowed',
        // A parameter the trail does not read is named when it reads as a typo of one it does (api/route.ts).
        acton: 'at',
      };
      for (const [field, value] of Object.entries(bad)) {
        const res = await request(stack.app)
          .get('/api/audit')
          .query({ [field]: value })
          .set(user('demo-system-admin').headers)
          .expect(400);
        // A cursor is checked as every list's is, signed and bound to its filters (core/list-cursor.ts).
        expect(res.body).toMatchObject({
          status: 400,
          code: field === 'cursor' ? 'invalid_cursor' : 'invalid_query',
          errors: [expect.objectContaining({ field })],
        });
      }
    });
  });
});
