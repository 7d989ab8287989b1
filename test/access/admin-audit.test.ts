/**
 * The audit rows of administration on real parts (test/support/stack.ts): each names what it was about (the agency,
 * or the user by id and username: staff, never a survivor) and what changed, in words without the values ("notification
 * address changed", "digest turned off", "roles: supervisor → coordinator"), never an address itself.
 */
import request from 'supertest';
import { DEMO_AGENCIES } from '../../db/seed';
import { createTestUser, TEST_PASSWORD } from '../support/auth';
import { startStack, type Stack } from '../support/stack';

let stack: Stack;
const HHS = DEMO_AGENCIES.hhs;
const OLD_ADDRESS = 'hhs-before@example.test';
const NEW_ADDRESS = 'hhs-after@example.test';

beforeAll(async () => {
  stack = await startStack();
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

/** The audit row of one call, by its request id. */
async function auditOf(res: request.Response) {
  const { rows } = await stack.pool.query<{ action: string; case_id: string | null; detail: string | null }>(
    'SELECT action, case_id, detail FROM audit_events WHERE request_id = $1',
    [res.headers['x-request-id']],
  );
  return rows;
}

const as = (username: string) => stack.users[username]!.headers;

describe("a system administrator's change of an agency", () => {
  it('names the agency and what changed, never the addresses', async () => {
    const agencies = await request(stack.app).get('/api/agencies').set(as('demo-system-admin')).expect(200);
    const hhs = (
      agencies.body as { items: { id: string; kind: string; name: string; timeZone: string | null }[] }
    ).items.find((agency) => agency.id === HHS)!;
    const save = (email: string | null, name = hhs.name) =>
      request(stack.app)
        .post('/api/agencies')
        .set(as('demo-system-admin'))
        .send({ id: hhs.id, kind: hhs.kind, name, email, timeZone: hhs.timeZone });

    await save(OLD_ADDRESS).expect(201);
    const changed = await save(NEW_ADDRESS).expect(201);
    expect(await auditOf(changed)).toEqual([
      { action: 'agency.save', case_id: null, detail: `agency ${HHS}; notification address changed` },
    ]);
    const renamed = await save(null, `${hhs.name} (renamed)`).expect(201);
    expect(await auditOf(renamed)).toEqual([
      { action: 'agency.save', case_id: null, detail: `agency ${HHS}; name changed; notification address removed` },
    ]);
    const same = await save(null, `${hhs.name} (renamed)`).expect(201);
    expect((await auditOf(same))[0]!.detail).toBe(`agency ${HHS}; nothing changed`);

    const registered = await request(stack.app)
      .post('/api/agencies')
      .set(as('demo-system-admin'))
      .send({ id: 'county-hhs', kind: 'hhs', name: 'County HHS (fictitious)', email: OLD_ADDRESS })
      .expect(201);
    expect((await auditOf(registered))[0]!.detail).toBe('agency county-hhs; registered');

    const { rows } = await stack.pool.query<{ detail: string | null }>(
      "SELECT detail FROM audit_events WHERE action = 'agency.save'",
    );
    expect(JSON.stringify(rows)).not.toMatch(/example\.test/);
  });

  it('names the agency and whether its digest was turned on or off', async () => {
    const digest = (enabled: boolean) =>
      request(stack.app)
        .post(`/api/agencies/${HHS}/daily-digest`)
        .set(as('demo-system-admin'))
        .send({ enabled })
        .expect(200);
    expect(await auditOf(await digest(true))).toEqual([
      { action: 'agency.daily_digest', case_id: null, detail: `agency ${HHS}; digest turned on` },
    ]);
    expect((await auditOf(await digest(true)))[0]!.detail).toBe(`agency ${HHS}; digest left on`);
    expect((await auditOf(await digest(false)))[0]!.detail).toBe(`agency ${HHS}; digest turned off`);
  });
});

describe("an admin's administration of a user", () => {
  it('names the user by id and username, and what changed: added with roles, roles changed, disabled, reset', async () => {
    const created = await request(stack.app)
      .post('/api/users')
      .set(as('demo-admin'))
      .send({ username: 'audited-supervisor', displayName: 'Audited Supervisor (fictitious)', roles: ['supervisor'] })
      .expect(201);
    const userId = (created.body as { id: string }).id;
    const named = `user ${userId}; username audited-supervisor`;
    expect(await auditOf(created)).toEqual([
      {
        action: 'user.create',
        case_id: null,
        detail: `${named}; agency ${DEMO_AGENCIES.coordinator}; roles: supervisor`,
      },
    ]);

    const roles = await request(stack.app)
      .post(`/api/users/${userId}/roles`)
      .set(as('demo-admin'))
      .send({ roles: ['coordinator'] })
      .expect(200);
    expect(await auditOf(roles)).toEqual([
      { action: 'user.set_roles', case_id: null, detail: `${named}; roles: supervisor → coordinator` },
    ]);

    const reset = await request(stack.app)
      .post(`/api/users/${userId}/password-reset`)
      .set(as('demo-admin'))
      .expect(200);
    const rows = await auditOf(reset);
    expect(rows).toEqual([{ action: 'user.reset_password', case_id: null, detail: named }]);
    expect(JSON.stringify(rows)).not.toContain((reset.body as { temporaryPassword: string }).temporaryPassword);

    const disabled = await request(stack.app).post(`/api/users/${userId}/disable`).set(as('demo-admin')).expect(200);
    expect(await auditOf(disabled)).toEqual([{ action: 'user.disable', case_id: null, detail: named }]);
  });
});

describe("an API key's audit rows", () => {
  it('name the key by its id, never its secret, and whose it is: who revoked whose key', async () => {
    const keyholder = await createTestUser(stack.pool, {
      username: 'audited-keyholder',
      agencyId: stack.users['demo-admin']!.user.agencyId,
      roles: ['coordinator'],
      password: TEST_PASSWORD,
    });
    const created = await request(stack.app)
      .post('/api/tokens')
      .set(keyholder.headers)
      .send({ label: 'audited robot', currentPassword: TEST_PASSWORD })
      .expect(201);
    const key = created.body as { id: string; token: string };
    const named = `token ${key.id}; user ${keyholder.user.id}; username audited-keyholder`;
    const createdRows = await auditOf(created);
    expect(createdRows).toEqual([{ action: 'token.create', case_id: null, detail: named }]);
    expect(JSON.stringify(createdRows)).not.toContain(key.token);

    // Revoked by an admin of theirs: the row's user is the admin, its detail the key and its owner.
    const revoked = await request(stack.app).post(`/api/tokens/${key.id}/revoke`).set(as('demo-admin')).expect(200);
    expect(await auditOf(revoked)).toEqual([{ action: 'token.revoke', case_id: null, detail: named }]);
    const { rows } = await stack.pool.query<{ username: string }>(
      'SELECT username FROM audit_events WHERE request_id = $1',
      [revoked.headers['x-request-id']],
    );
    expect(rows).toEqual([{ username: 'demo-admin' }]);

    // A refused revocation names the key asked for, and no owner: the caller was told of none.
    const refused = await request(stack.app)
      .post(`/api/tokens/${key.id}/revoke`)
      .set(as('demo-police-officer'))
      .expect(404);
    expect(await auditOf(refused)).toEqual([
      { action: 'token.revoke', case_id: null, detail: `token ${key.id}; token_not_found` },
    ]);
  });
});
