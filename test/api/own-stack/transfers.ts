/**
 * `POST /api/cases/{caseId}/transfers` on real parts (time-skipping Temporal, embedded PostgreSQL, the SMTP capture):
 * only the case's coordinator transfers it, every attempt is audited, the old agency loses the case, its steps and
 * reminders at once while the new one finds them in its inbox, both are told by email with the reference only, and a
 * retried request is applied and told once. The console's transfer form, confirmed, does the same.
 */
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { upsertAgencies } from '../../../db/agencies';
import { listNotifications } from '../../../db/notifications';
import { DEMO_AGENCIES } from '../../../db/seed';
import type { Actor } from '../../../domain/types';
import { TRANSFER_REASONS } from '../../../domain/reasons';
import { transferUpdate, workflowIdOf } from '../../../workflows/contract';
import { SESSION_COOKIE } from '../../../web/session';
import { createWorker, type TestUser } from '../../support/auth';
import { startConsoleStack, type ConsoleStack } from '../../support/console';
import { cookiesSetBy } from '../../support/forms';
import { issuedNow, updateRefusal } from '../../support/issued';
import { eventually, PUBLIC_BASE_URL, type Stack } from '../../support/stack';

describe('transfers', () => {
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

  /** The service with its console: the API tests call `stack.app`, the console's `service.app`. */
  let service: ConsoleStack;
  let stack: Stack;
  let newPolice: TestUser;
  beforeAll(async () => {
    service = await startConsoleStack();
    stack = service.stack;
    await upsertAgencies(stack.pool, [
      { id: NEW_POLICE.id, kind: 'law_enforcement', name: 'New City Police (fictitious)', email: NEW_POLICE.email },
    ]);
    newPolice = await createWorker(stack.pool, NEW_POLICE.id, 'law_enforcement');
  });
  afterAll(async () => {
    await service?.stop();
  });

  const as = (username: string) => stack.users[username]!.headers;

  async function openCase(): Promise<CaseBody> {
    const identifiedOn = new Date(await stack.env.currentTimeMs()).toISOString().slice(0, 10);
    const opened = await request(stack.app)
      .post('/api/cases')
      .set(as('demo-police-officer'))
      .set('Idempotency-Key', randomUUID())
      .send({
        identifiedOn,
        survivor: SURVIVOR,
        agencies: DEMO_AGENCIES,
        usesUVisa: true,
        // One fictitious survivor opened again on purpose, not a request sent twice (409 possible_duplicate).
        confirmNotDuplicate: true,
      })
      .expect(201);
    return opened.body as CaseBody;
  }

  const transfer = (caseId: string, headers: { Authorization: string }, body: object, key: string = randomUUID()) =>
    request(stack.app).post(`/api/cases/${caseId}/transfers`).set(headers).set('Idempotency-Key', key).send(body);

  /** A case's transfer emails: a step a sign-off opens for another agency has its own ("Waiting on your agency"). */
  const transferEmails = (reference: string) =>
    stack.mail.messages().filter((m) => m.subject.startsWith(`Case ${reference} was transferred`));
  const toNewPolice = { agencyKind: 'law_enforcement', toAgencyId: NEW_POLICE.id, reason: 'moved_jurisdiction' };
  /** An agency kind's code as a word of its own (law_enforcement, ice, hhs), not part of an id such as demo-hhs-otip. */
  const KIND_CODE = /(?<![\w-])(law_enforcement|ice|hhs)(?![\w-])/;

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
      // Who the caller is is no field of their request: the refusal names none (never actor.agencyKind or actor.roles).
      expect({ username, errors: (refused.body as { errors?: unknown }).errors }).toEqual({
        username,
        errors: undefined,
      });
      // Agency kinds in words, never their codes (law_enforcement, ice, hhs).
      const { detail } = refused.body as { detail: string };
      expect({ username, detail }).toEqual({ username, detail: expect.not.stringMatching(KIND_CODE) as string });
      if (username === 'demo-police-officer') {
        expect(detail).toBe('transferring a case is for the coordinator, not law enforcement');
      }
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
      // Agency kinds in words, never their codes (law_enforcement, ice, hhs); but coordination, which cannot be
      // transferred, is refused by listing the codes a client may send as agencyKind.
      const messages = (refused.body as { errors: { message: string }[] }).errors.map((error) => error.message);
      if (body.agencyKind !== 'coordinator') {
        expect({ body, coded: messages.filter((message) => KIND_CODE.test(message)) }).toEqual({ body, coded: [] });
      }
      if (body.toAgencyId === DEMO_AGENCIES.advocate) {
        expect(messages).toEqual([
          `agency ${DEMO_AGENCIES.advocate} acts as the attorney or advocate, not law enforcement`,
        ]);
      }
      if (body.toAgencyId === DEMO_AGENCIES.law_enforcement) {
        expect(messages).toEqual([`${DEMO_AGENCIES.law_enforcement} already acts as law enforcement on this case`]);
      }
    }
    // A reason is a code from the list: a name, an A-number and an address in a code's shape are refused as words are,
    // and so is a code off the list, naming the field and the list.
    const offList = ['carla.target.a987654321.lives-at-5-oak-st', 'moved'];
    for (const reason of offList) {
      const refused = await transfer(opened.caseId, coordinator, { ...toNewPolice, reason });
      expect({ reason, status: refused.status }).toEqual({ reason, status: 422 });
      expect((refused.body as { errors: object[] }).errors).toEqual([
        { field: 'reason', message: `expected one of: ${TRANSFER_REASONS.join(', ')}` },
      ]);
    }

    // Sent straight at the workflow, around the API, the update's validator holds to the same rule.
    const forged = async (actor: Actor) => {
      const handle = stack.client.workflow.getHandle(workflowIdOf(opened.caseId));
      const issued = await issuedNow(stack.env, opened.caseId);
      return updateRefusal(
        handle.executeUpdate(transferUpdate, {
          args: [{ ...toNewPolice, agencyKind: 'law_enforcement', actor, issued }],
          updateId: issued.updateId,
        }),
      );
    };
    // The workflow's validator words the kinds as the API does.
    expect(await forged(stack.users['demo-police-officer']!.actor)).toMatchObject({
      code: 'wrong_agency_kind',
      message: 'transferring a case is for the coordinator, not law enforcement',
    });
    expect(await forged(stack.users['demo-supervisor']!.actor)).toMatchObject({ code: 'role_not_permitted' });
    expect(await forged(outsider.actor)).toMatchObject({ code: 'wrong_agency' });

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
    expect(rows.filter((row) => row.outcome === 'rejected')).toHaveLength(invalid.length + offList.length);
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
    const reminders = (
      await request(stack.app).get(`/api/cases/${caseId}/reminders`).set(newPolice.headers).expect(200)
    ).body as { items: { stepId: string; kind: string; recipientAgencyId: string; status: string }[] };
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
      const messages = transferEmails(opened.reference);
      return messages.length >= 2 && messages;
    }, 'both transfer notices');
    expect(notices.map((m) => m.to).sort()).toEqual([[OLD_POLICE_EMAIL], [NEW_POLICE.email]]);
    for (const message of notices) {
      const all = JSON.stringify(message);
      expect(all).toContain(opened.reference);
      expect(all).not.toContain(SURVIVOR.name);
      expect(all).not.toContain(SURVIVOR.birthDate);
      // Agencies by name, as people know them, not by id.
      expect(message.text).toContain('New City Police (fictitious)');
      expect(message.text).not.toContain(NEW_POLICE.id + ' ');
      // Who transferred it, by the name the console shows, never a username.
      expect(message.text).toContain('Transferred by Demo Coordinator (fictitious) of ');
      expect(message.text).not.toContain('demo-coordinator');
    }
    // The new agency reads each step it takes over, with its due date, and the link to the case, as a reminder gives it.
    const taken = notices.find((m) => m.to.includes(NEW_POLICE.email))!.text;
    expect(taken).toMatch(/^- Continued Presence request, due \d{1,2} [A-Z][a-z]{2,3} \d{4}$/m);
    expect(taken).toContain(`Open the case: ${PUBLIC_BASE_URL}/cases/${caseId}`);

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
      expect.objectContaining({
        user_id: coordinatorId,
        username: 'demo-coordinator',
        status: 200,
        detail: 'replayed',
      }),
    ]);
    const timeline = (await request(stack.app).get(`/api/cases/${caseId}`).set(as('demo-coordinator')).expect(200))
      .body as CaseBody;
    expect(timeline.timeline.filter((entry) => entry.type === 'case.transferred')).toHaveLength(1);
    expect(transferEmails(opened.reference)).toHaveLength(2);

    // A closed case is transferred no more.
    await request(stack.app)
      .post(`/api/cases/${caseId}/close`)
      .set(as('demo-coordinator'))
      .set('Idempotency-Key', randomUUID())
      .send({ status: 'withdrawn', reason: 'other' })
      .expect(200);
    const closed = await transfer(caseId, as('demo-coordinator'), {
      agencyKind: 'law_enforcement',
      toAgencyId: DEMO_AGENCIES.law_enforcement,
    });
    expect(closed.status).toBe(409);
  });

  test('two transfers sent at once, each naming the agency it replaces: one applies, the other is refused 409 transferred_meanwhile', async () => {
    const thirdPolice = 'third-police';
    await upsertAgencies(stack.pool, [
      { id: thirdPolice, kind: 'law_enforcement', name: 'Third City Police (fictitious)', email: null },
    ]);
    const opened = await openCase();
    const coordinator = as('demo-coordinator');
    const from = { agencyKind: 'law_enforcement', fromAgencyId: DEMO_AGENCIES.law_enforcement };
    const answers = await Promise.all(
      [NEW_POLICE.id, thirdPolice].map((toAgencyId) => transfer(opened.caseId, coordinator, { ...from, toAgencyId })),
    );
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 409]);
    const refused = answers.find((answer) => answer.status === 409)!.body as {
      code: string;
      errors: { field: string; message: string }[];
    };
    expect(refused.code).toBe('transferred_meanwhile');
    expect(refused.errors.map((error) => error.field)).toEqual(['fromAgencyId']);
    // The one applied took the case from the agency both saw, and no transfer took it from the other's new agency.
    const applied = answers.find((answer) => answer.status === 200)!.body as CaseBody;
    const after = await request(stack.app).get(`/api/cases/${opened.caseId}`).set(coordinator).expect(200);
    expect((after.body as CaseBody).agencies.law_enforcement).toBe(applied.agencies.law_enforcement);
    expect((after.body as CaseBody).timeline.filter((entry) => entry.type === 'case.transferred')).toHaveLength(1);
  });

  test('an agency transferred off the case gets 403 for a replay of its own earlier write, never the case or its notes (probe X1)', async () => {
    const opened = await openCase();
    const { caseId } = opened;
    const oldPolice = as('demo-police-officer');
    const note = 'Met at 12 Hidden Lane (fictitious)';
    const requestedOn = await today();
    const signOff = (key: string) =>
      request(stack.app)
        .post(`/api/cases/${caseId}/steps/cp_request-1/sign-off`)
        .set(oldPolice)
        .set('Idempotency-Key', key)
        .send({ outcome: 'requested', details: { requestedOn, note } });
    const key = randomUUID();
    const signed = await signOff(key).expect(200);
    expect(JSON.stringify(signed.body)).toContain(note);
    // While the police still take part, a retry is the stored answer.
    expect((await signOff(key).expect(200)).headers['idempotent-replayed']).toBe('true');

    await transfer(caseId, as('demo-coordinator'), toNewPolice).expect(200);
    const replayed = await signOff(key).expect(403);
    // Told the case was transferred away, and to whom, as its notice of the transfer told it (probe D9).
    expect(replayed.body).toMatchObject({ code: 'transferred_away' });
    expect(JSON.stringify(replayed.body)).not.toContain(note);
    expect(JSON.stringify(replayed.body)).not.toContain(opened.reference);
    // The refusal is audited as any other.
    const { rows } = await stack.pool.query<{ outcome: string; status: number }>(
      `SELECT outcome, status FROM audit_events WHERE case_id = $1 AND action = 'step.sign_off' AND status IS NOT NULL
     ORDER BY id`,
      [caseId],
    );
    expect(rows.map((row) => `${row.outcome} ${row.status}`)).toEqual(['allowed 200', 'allowed 200', 'denied 403']);
  });

  test('a transfer made while the mail server is down is told to both agencies once it is back, each exactly once', async () => {
    const opened = await openCase();
    const { caseId } = opened;
    const told = () => transferEmails(opened.reference);
    const transferRows = async () =>
      (await listNotifications(stack.pool, { caseId, limit: 50 })).items.filter((n) => n.kind === 'case_transferred');
    const key = randomUUID();
    await stack.mail.setDown(true);
    try {
      await transfer(caseId, as('demo-coordinator'), toNewPolice, key).expect(200);
      // The request sent again, as a client whose answer was lost does: applied and recorded once.
      const replayed = await transfer(caseId, as('demo-coordinator'), toNewPolice, key).expect(200);
      expect(replayed.headers['idempotent-replayed']).toBe('true');
      // Each email in the outbox, failing for more than an hour: retried, and the row says since when.
      await stack.env.sleep(2 * 3600 * 1000);
      const failing = await eventually(async () => {
        const rows = await transferRows();
        return rows.length === 2 && rows.every((row) => row.failingSince !== null) && rows;
      }, 'both transfer emails failing');
      expect(failing.map((row) => row.recipientEmail).sort()).toEqual([OLD_POLICE_EMAIL, NEW_POLICE.email].sort());
      expect(failing.every((row) => row.sentAt === null && row.attempts >= 1)).toBe(true);
      expect(told()).toEqual([]);
    } finally {
      await stack.mail.setDown(false);
    }
    // Back: each is delivered by its retry, once.
    await stack.env.sleep(3600 * 1000);
    await eventually(
      async () => (await transferRows()).every((row) => row.sentAt !== null),
      'delivery after the outage',
    );
    await stack.env.sleep(3600 * 1000);
    expect(
      told()
        .map((m) => m.to)
        .sort(),
    ).toEqual([[OLD_POLICE_EMAIL], [NEW_POLICE.email]]);
    expect(await transferRows()).toHaveLength(2);
    // In the same words as ever: the reference, the steps handed over and the link, no personal data.
    const taken = told().find((m) => m.to.includes(NEW_POLICE.email))!;
    expect(taken.subject).toBe(`Case ${opened.reference} was transferred to your agency`);
    expect(taken.text).toContain(`Open the case: ${PUBLIC_BASE_URL}/cases/${caseId}`);
    expect(JSON.stringify(told())).not.toContain(SURVIVOR.name);
  });

  const today = async () => new Date(await stack.env.currentTimeMs()).toISOString().slice(0, 10);

  /** The hidden fields of a console page's form. */
  const hiddenFields = (html: string) =>
    Object.fromEntries(
      [...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((match): [string, string] => [
        match[1]!,
        match[2]!,
      ]),
    );

  test('the console: the coordinator chooses the new agency, confirms, and the case page shows it', async () => {
    const opened = await openCase();
    const page = `/cases/${opened.caseId}`;
    const sessionOf = (username: string) => `${SESSION_COOKIE}=${service.sessionCookie(username)}`;
    const police = await request(service.app).get(page).set('Cookie', sessionOf('demo-police-officer')).expect(200);
    expect(police.text).not.toContain(`${page}/transfer`);
    const casePage = await request(service.app).get(page).set('Cookie', sessionOf('demo-coordinator')).expect(200);
    expect(casePage.text).toContain(`<a href="${page}/transfer">Transfer the case to another agency</a>`);

    const form = await request(service.app)
      .get(`${page}/transfer`)
      .set('Cookie', sessionOf('demo-coordinator'))
      .expect(200);
    expect(form.text).toContain(`<option value="${NEW_POLICE.id}">New City Police (fictitious)</option>`);
    expect(form.text).toContain('label="Law enforcement (now Demo City Police Department (fictitious))"');
    // The agency the case already has is not offered.
    expect(form.text).not.toContain(`<option value="${DEMO_AGENCIES.law_enforcement}">`);
    const cookies = [sessionOf('demo-coordinator'), ...cookiesSetBy(form)].join('; ');
    const post = (fields: Record<string, string>) =>
      request(service.app)
        .post(`${page}/transfer`)
        .set('Cookie', cookies)
        .set('Origin', new URL(PUBLIC_BASE_URL).origin)
        .type('form')
        .send(fields);

    // A reason off the list is refused on the check page, as the API would.
    const offList = await post({ ...hiddenFields(form.text), toAgencyId: NEW_POLICE.id, reason: 'moved' }).expect(422);
    expect(offList.text).toContain('Choose a reason from the list');
    const check = await post({ ...hiddenFields(form.text), toAgencyId: NEW_POLICE.id, reason: 'referred' }).expect(200);
    expect(check.text).toContain('Check the transfer');
    // Agencies by name, never their ids (issue 18).
    expect(check.text).toContain(
      '<bdi>Demo City Police Department (fictitious)</bdi> loses access to this case at once',
    );
    expect(check.text).toContain('their reminders go to <bdi>New City Police (fictitious)</bdi>');
    expect(check.text).not.toMatch(new RegExp(`>[^<]*\\b(${DEMO_AGENCIES.law_enforcement}|${NEW_POLICE.id})\\b[^<]*<`));
    // Nothing changes before the confirmation.
    const before = await request(stack.app).get(`/api/cases/${opened.caseId}`).set(as('demo-coordinator')).expect(200);
    expect((before.body as CaseBody).agencies.law_enforcement).toBe(DEMO_AGENCIES.law_enforcement);

    const done = await post(hiddenFields(check.text)).expect(303);
    expect(done.headers.location).toBe(`${page}?notice=transferred`);
    const after = await request(service.app).get(done.headers.location!).set('Cookie', sessionOf('demo-coordinator'));
    expect(after.status).toBe(200);
    expect(after.text).toContain('The case was transferred.');
    expect(after.text).toContain('Law enforcement: <bdi>New City Police (fictitious)</bdi>');
    // The timeline says it in a sentence, agencies by name.
    expect(after.text).toContain(
      'its law enforcement agency is now <bdi>New City Police (fictitious)</bdi>, was <bdi>Demo City Police Department (fictitious)</bdi>. Reason: The case was referred to another agency.',
    );
    await request(service.app).get(page).set('Cookie', sessionOf('demo-police-officer')).expect(403);
  });
});
