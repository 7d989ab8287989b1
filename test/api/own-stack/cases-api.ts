/**
 * The HTTP contract of the case routes: actors, validation, idempotency, case reads, sign-offs and the work lists.
 * Everything is real: the write side is the service's CaseCommands running the case workflow on the official
 * time-skipping Temporal server, the read model is PostgreSQL. The app under test is built here from the stack's
 * parts so the test keeps its own API clock (`now`) for the overdue lists.
 */
import { Writable } from 'node:stream';
import { Client, Connection } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { Express } from 'express';
import request from 'supertest';
import { CasePageSchema, CaseViewSchema, NotificationPageSchema, StepPageSchema } from '../../../api/schemas';
import { workflowIdOf } from '../../../workflows/contract';
import { STEP_KINDS, TRACKS } from '../../../domain/types';
import { addDays } from '../../../domain/dates';
import { createLogger } from '../../../core/logger';
import { startOwedDeliveries } from '../../../app/owed-deliveries';
import { enqueue } from '../../../db/notifications';
import { notificationMessageId } from '../../../activities/notifications';
import { deleteSurvivor } from '../../../db/survivors';
import { EncryptionCodec } from '../../../temporal/codec';
import { dataConverterFor } from '../../../temporal/data-converter';
import type { CaseWorkflowInput } from '../../../workflows/contract';
import { cursorKeys, signCursor } from '../../../core/list-cursor';
import { createTestUser, createWorker, TEST_PASSWORD, type TestUser } from '../../support/auth';
import { freePort } from '../../support/ports';
import { databaseRows, needlesIn, withoutRandomParts } from '../../support/scan';
import { eventually, startStack, TEST_PAYLOAD_KEYRING, type Stack } from '../../support/stack';

describe('cases-api', () => {
  const AGENCIES = { law_enforcement: 'le-1', ice: 'ice-1', hhs: 'hhs-1', advocate: 'adv-1', coordinator: 'coord-1' };
  const KINDS = {
    'le-1': 'law_enforcement',
    'le-2': 'law_enforcement',
    'le-guam': 'law_enforcement',
    'ice-1': 'ice',
    'hhs-1': 'hhs',
    'adv-1': 'advocate',
    'coord-1': 'coordinator',
  } as const;
  const workers: Partial<Record<string, TestUser>> = {};
  /** Bearer headers of the user working for this agency (its officer, advocate or coordinator). */
  const as = (agencyId: keyof typeof KINDS) => workers[agencyId]!.headers;

  let stack: Stack;
  let app: Express;
  /** The same app, but everything in it talks to a Temporal address where nothing listens: an outage not of our making. */
  let outageApp: Express;
  let deadConnection: Connection;
  /** The Temporal server's day at start (it runs on wall-clock time): identification and sign-off dates use it. */
  let today = '';
  /** The API's clock for "overdue"; starts at the Temporal server's time, a test moves it ahead. */
  let startedAt = new Date();
  let now = startedAt;
  let keyCounter = 0;
  let logLines: Record<string, unknown>[] = [];
  const logSink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean))
        logLines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const newKey = () => `key-${process.pid}-${(keyCounter += 1)}`;

  function openRequest(overrides: Record<string, unknown> = {}) {
    return {
      identifiedOn: today,
      survivor: { name: 'Test Person', birthDate: '1990-05-01', aNumber: 'A123456789' },
      agencies: AGENCIES,
      // This suite opens many cases of one fictitious survivor on one day, each meant (see 'possible_duplicate').
      confirmNotDuplicate: true,
      ...overrides,
    };
  }

  /** A survivor whose A-number and contact an officer might type as the reference (probe D5). */
  const nadia = { name: 'Nadia Okonkwo', birthDate: '1990-05-06' };

  interface CaseBody {
    caseId: string;
    reference: string;
    status: string;
    version: number;
    steps: { id: string; kind: string; status: string; dueAt: string | null; overdue: boolean }[];
  }

  async function openCase(overrides: Record<string, unknown> = {}): Promise<CaseBody> {
    const res = await request(app)
      .post('/api/cases')
      .set(as('le-1'))
      .set('Idempotency-Key', newKey())
      .send(openRequest(overrides))
      .expect(201);
    return res.body as CaseBody;
  }

  /** Rows the write side leaves behind for every open command it runs: the sealed survivor, then the case. */
  async function writeSideRows(): Promise<{ survivors: number; cases: number }> {
    const { rows } = await stack.pool.query<{ survivors: string; cases: string }>(
      'SELECT (SELECT count(*) FROM survivors) AS survivors, (SELECT count(*) FROM cases) AS cases',
    );
    return { survivors: Number(rows[0]!.survivors), cases: Number(rows[0]!.cases) };
  }

  /** The input the case's workflow was started with, read from its history and opened with the test payload key. */
  async function workflowStartInput(caseId: string): Promise<CaseWorkflowInput> {
    const history = await stack.client.workflow.getHandle(workflowIdOf(caseId)).fetchHistory();
    const payloads = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads ?? [];
    const [input] = await new EncryptionCodec(TEST_PAYLOAD_KEYRING).decode(payloads);
    return defaultPayloadConverter.fromPayload<CaseWorkflowInput>(input!);
  }

  beforeAll(async () => {
    stack = await startStack();
    startedAt = new Date(await stack.env.currentTimeMs());
    now = startedAt;
    today = startedAt.toISOString().slice(0, 10);
    await stack.pool.query(
      `INSERT INTO agencies (id, kind, name, email) VALUES
       ('le-1', 'law_enforcement', 'Test Police Unit', 'le@example.gov'),
       ('le-2', 'law_enforcement', 'Other Police Unit', NULL),
       ('ice-1', 'ice', 'Test CP Unit', NULL),
       ('hhs-1', 'hhs', 'Test HHS Office', NULL),
       ('adv-1', 'advocate', 'Test Legal Aid', NULL),
       ('coord-1', 'coordinator', 'Test Task Force', NULL)`,
    );
    // Ten hours ahead of UTC: its day starts while UTC's is still the day before.
    await stack.pool.query(
      `INSERT INTO agencies (id, kind, name, time_zone) VALUES ('le-guam', 'law_enforcement', 'Guam Police', 'Pacific/Guam')`,
    );
    for (const [agencyId, kind] of Object.entries(KINDS))
      workers[agencyId] = await createWorker(stack.pool, agencyId, kind);

    const logger = createLogger({ level: 'info', destination: logSink });
    // This file's hundred-odd writes by one officer within a minute are no client's burst: the limits have their own
    // tests (test/access/hardening.test.ts), and a fast machine would otherwise meet them here.
    const appOn = (client: Client) =>
      stack.appWith({
        logger,
        cases: stack.casesOn(client),
        temporal: { client, taskQueue: stack.taskQueue },
        now: async () => now,
        rateLimits: {
          signInPerMinute: 1e6,
          writesPerMinute: 1e6,
          auditedReadsPerMinute: 1e6,
          refusedReadsPerMinute: 1e6,
        },
      });
    app = appOn(stack.client);
    // No retry interceptors: the SDK would otherwise back off for about 20 s before giving up on the dead address.
    deadConnection = Connection.lazy({ address: `127.0.0.1:${await freePort()}`, interceptors: [] });
    outageApp = appOn(
      new Client({ connection: deadConnection, dataConverter: dataConverterFor(TEST_PAYLOAD_KEYRING) }),
    );
  });

  afterAll(async () => {
    await deadConnection?.close();
    await stack?.stop();
  });

  describe('who is acting', () => {
    it('refuses a request without a bearer token with a 401 problem and a challenge', async () => {
      const res = await request(app)
        .get('/api/steps')
        .expect(401)
        .expect('Content-Type', /application\/problem\+json/);
      expect(res.body).toMatchObject({ status: 401, code: 'unauthenticated' });
      expect(res.headers['www-authenticate']).toMatch(/^Bearer /);
    });

    it('takes the scheme in any case and one space or more before the token (RFC 7235: 1*SP)', async () => {
      const token = as('le-1').Authorization.slice('Bearer '.length);
      const answers = [];
      for (const authorization of [`Bearer  ${token}`, `bearer ${token}`, `BEARER   ${token}`])
        answers.push([
          authorization.replace(token, '<token>'),
          (await request(app).get('/api/me').set('Authorization', authorization)).status,
        ]);
      expect(answers).toEqual([
        ['Bearer  <token>', 200],
        ['bearer <token>', 200],
        ['BEARER   <token>', 200],
      ]);
    });

    it('refuses a token that is malformed or unknown', async () => {
      for (const token of [
        'nonsense',
        `rc_${'a'.repeat(16)}_${'b'.repeat(43)}`,
        `${as('le-1').Authorization.slice(7)}x`,
      ]) {
        const res = await request(app).get('/api/steps').set('Authorization', `Bearer ${token}`).expect(401);
        expect(res.body).toMatchObject({ code: 'invalid_token' });
      }
    });
  });

  describe('opening a case', () => {
    it('creates the case, answers 201 with Location, and never shows the survivor in the case view', async () => {
      const res = await request(app)
        .post('/api/cases')
        .set(as('le-1'))
        .set('Idempotency-Key', newKey())
        .send(openRequest({ reference: 'RC-OPEN-1' }))
        .expect(201);
      const body = res.body as CaseBody;
      expect(res.headers.location).toBe(`/api/cases/${body.caseId}`);
      // The reply is what the OpenAPI document says it is.
      expect(() => CaseViewSchema.parse(res.body)).not.toThrow();
      expect(body.reference).toBe('RC-OPEN-1');
      // The officer sees their own agency's steps; the coordinator oversees every track.
      expect(body.steps.map((s) => s.kind)).toEqual(['identification', 'cp_request', 'le_declaration']);
      const overseen = await request(app).get(res.headers.location!).set(as('coord-1')).expect(200);
      expect((overseen.body as CaseBody).steps.map((s) => s.kind)).toEqual(
        expect.arrayContaining(['cp_request', 't_visa_filing']),
      );

      const read = await request(app).get(res.headers.location!).set(as('hhs-1')).expect(200);
      expect((read.body as CaseBody).caseId).toBe(body.caseId);
      expect(JSON.stringify(read.body)).not.toMatch(/Test Person|1990-05-01|A123456789/);
    });

    it('refuses the same survivor sent again under a new key (409 possible_duplicate naming the case) until confirmed', async () => {
      const identifiedAt = `${addDays(today, -1)}T10:15`;
      const survivor = { name: 'Dana Twice-Sent', birthDate: '1991-02-03' };
      const send = (agencyId: 'le-1' | 'le-2', overrides: Record<string, unknown> = {}) =>
        request(app)
          .post('/api/cases')
          .set(as(agencyId))
          .set('Idempotency-Key', newKey())
          .send(
            openRequest({
              identifiedOn: undefined,
              identifiedAt,
              survivor,
              confirmNotDuplicate: undefined,
              agencies: { ...AGENCIES, law_enforcement: agencyId },
              ...overrides,
            }),
          );
      const first = (await send('le-1').expect(201)).body as CaseBody;

      // A form sent again after a lost answer, under a new key; the name typed in other letters' case and accents, or
      // pasted with invisible characters inside its words (a zero-width space, a soft hyphen).
      for (const name of ['Dana Twice-Sent', 'dána TWICE sent', 'Da\u200Bna Twi\u00ADce-Sent']) {
        const again = await send('le-1', { survivor: { ...survivor, name } }).expect(409);
        expect(again.body).toMatchObject({ code: 'possible_duplicate', errors: [{ field: 'confirmNotDuplicate' }] });
        expect((again.body as { detail: string }).detail).toContain(first.reference);
      }
      // Another birth date or another moment of identification is another person; confirmed, the same one opens too.
      await send('le-1', { survivor: { ...survivor, birthDate: '1991-02-04' } }).expect(201);
      await send('le-1', { identifiedAt: `${addDays(today, -1)}T10:16` }).expect(201);
      await send('le-1', { confirmNotDuplicate: true }).expect(201);
      // Another police agency is told nothing of a case it does not take part in.
      await send('le-2').expect(201);
    });

    it('opens one case of the same survivor sent five times at once under five keys; two survivors at once both open', async () => {
      const identifiedAt = `${addDays(today, -1)}T11:45`;
      const send = (survivor: { name: string; birthDate: string }) =>
        request(app)
          .post('/api/cases')
          .set(as('le-1'))
          .set('Idempotency-Key', newKey())
          .send(openRequest({ identifiedOn: undefined, identifiedAt, survivor, confirmNotDuplicate: undefined }));

      // A client retrying in parallel: each send is checked once the one before it has reserved its case.
      const same = { name: 'Noor Fivefold-Sent', birthDate: '1992-06-07' };
      const answers = await Promise.all([1, 2, 3, 4, 5].map(() => send(same)));
      expect(answers.map((answer) => answer.status).sort()).toEqual([201, 409, 409, 409, 409]);
      const opened = answers.find((answer) => answer.status === 201)!.body as CaseBody;
      for (const refused of answers.filter((answer) => answer.status === 409)) {
        expect(refused.body).toMatchObject({ code: 'possible_duplicate' });
        expect((refused.body as { detail: string }).detail).toContain(opened.reference);
      }

      const two = await Promise.all([
        send({ name: 'Idris Atonce', birthDate: '1980-01-01' }),
        send({ name: 'Maren Atonce', birthDate: '1980-01-01' }),
      ]);
      expect(two.map((answer) => answer.status)).toEqual([201, 201]);
    });

    it('opens one case of a survivor the police and the coordinator open at once, as one after the other would', async () => {
      // Probe T1: the police and the task force each opening the same survivor, each naming the other, both answered 201
      // (two cases, each with both agencies and its own reminders), where the second sent a moment later is refused.
      const identifiedAt = `${addDays(today, -1)}T12:05`;
      const send = (agencyId: 'le-1' | 'le-2' | 'coord-1', survivor: { name: string; birthDate: string }) =>
        request(app)
          .post('/api/cases')
          .set(as(agencyId))
          .set('Idempotency-Key', newKey())
          .send({
            ...openRequest({ identifiedOn: undefined, identifiedAt, survivor, confirmNotDuplicate: undefined }),
            // The police that opens names itself; the task force names le-1.
            agencies: { ...AGENCIES, law_enforcement: agencyId === 'le-2' ? 'le-2' : 'le-1' },
          });
      for (const name of ['Ilse Bothsent', 'Oren Bothsent', 'Tamsin Bothsent']) {
        const survivor = { name, birthDate: '1993-08-09' };
        const answers = await Promise.all([send('le-1', survivor), send('coord-1', survivor)]);
        expect(answers.map((answer) => answer.status).sort()).toEqual([201, 409]);
        const opened = answers.find((answer) => answer.status === 201)!.body as CaseBody;
        const refused = answers.find((answer) => answer.status === 409)!;
        expect(refused.body).toMatchObject({ code: 'possible_duplicate' });
        expect((refused.body as { detail: string }).detail).toContain(opened.reference);
      }
      // An agency that does not take part in the other's case is not held to it: le-2's case names le-2, not le-1.
      const survivor = { name: 'Wren Bothsent', birthDate: '1993-08-09' };
      const apart = await Promise.all([send('le-1', survivor), send('le-2', survivor)]);
      expect(apart.map((answer) => answer.status)).toEqual([201, 201]);
    });

    it('names every invalid field of the body in a 422 problem', async () => {
      const bad = openRequest({ survivor: { name: '', birthDate: '1990-13-01', aNumber: 'X1' }, ssn: '123' });
      const res = await request(app)
        .post('/api/cases')
        .set(as('le-1'))
        .set('Idempotency-Key', newKey())
        .send(bad)
        .expect(422);
      const fields = (res.body as { errors: { field: string }[] }).errors.map((e) => e.field).sort();
      // An unknown field is named only as a typo of one the route takes: `ssn` is none, so it is told at its object.
      expect(fields).toEqual(['(root)', 'survivor.aNumber', 'survivor.birthDate', 'survivor.name']);
      expect(JSON.stringify(res.body)).not.toContain('ssn');
      expect(res.body).toMatchObject({ status: 422, code: 'invalid_body' });
    });

    it.each([
      ['zero-width spaces only', '\u200b\u200b', 'visible text'],
      ['no letter', '1234', 'at least one letter'],
      ['a right-to-left override', 'Ana \u202eZ', 'without direction controls'],
      // Refused at the door, before the name's own rule (api/well-formed-text.ts).
      ['a lone surrogate', 'Ana \ud800', 'is not valid Unicode text'],
      ['a tab', 'Ana\tMaría', 'one line of text'],
    ])('refuses a name with %s, naming survivor.name', async (_what, name, message) => {
      const res = await request(app)
        .post('/api/cases')
        .set(as('le-1'))
        .set('Idempotency-Key', newKey())
        .send(openRequest({ survivor: { name, birthDate: '1990-01-01' } }))
        .expect(422);
      expect((res.body as { errors: object[] }).errors).toEqual([
        { field: 'survivor.name', message: expect.stringContaining(message) as unknown },
      ]);
    });

    it.each([
      ['the assigned form', 'RC-2026-51588F8E'],
      ['it in lower case', 'rc-2026-51588f8e'],
      ['it with a character after it', 'RC-2026-51588F8E-'],
      ['it with more after it', 'RC-2026-51588F8E-2'],
      ['the letter O for a zero', 'RC-2O26-51588F8E'],
      ['the letters I and l for ones', 'RC-2026-5I588F8E-l'],
      ['its groups run together', 'RC202651588F8E'],
      ['its groups set apart', 'RC--2026--51588F8E'],
    ])('refuses a reference that reads as an assigned one, %s, naming reference', async (_what, reference) => {
      const res = await request(app)
        .post('/api/cases')
        .set(as('le-1'))
        .set('Idempotency-Key', newKey())
        .send(openRequest({ reference }))
        .expect(422);
      expect((res.body as { errors: object[] }).errors).toEqual([
        { field: 'reference', message: expect.stringContaining('reads as an assigned reference') as unknown },
      ]);
    });

    it('opens cases under references that only share a part with the assigned form', async () => {
      for (const reference of ['RC-2026-0042', 'PD-RC-2026-51588F8E', 'RC-2026-5158-8F8E', 'RC-26-51588F8E']) {
        const opened = await openCase({ reference });
        expect(opened.reference).toBe(reference);
      }
    });

    /** A survivor whose name and birth date a careless officer might type as the reference (probe L2). */
    const maria = { name: 'María López', birthDate: '1993-07-14' };

    it.each([
      ['the surname', 'MARIA-LOPEZ-1993-07-14', 'a word of the survivor’s name'],
      ['the surname alone', 'TF-LOPEZ-07', 'a word of the survivor’s name'],
      ['the first name in lower case, its accent stripped', 'maria-2026', 'a word of the survivor’s name'],
      ['the name run together', 'PD-MariaLopez', 'a word of the survivor’s name'],
      ['the birth date as YYYYMMDD', 'PD-19930714', 'the survivor’s birth date'],
      ['the birth date as YYYY-MM-DD', 'PD-1993-07-14', 'the survivor’s birth date'],
      ['the birth date as MMDDYYYY', 'PD07141993', 'the survivor’s birth date'],
      ['the birth date as DD-MM-YY', 'PD-14-07-93', 'the survivor’s birth date'],
      ['another date', 'PD-20011231', 'look like a date'],
    ])('refuses a reference that holds %s, naming reference, and opens nothing', async (_what, reference, why) => {
      const before = await writeSideRows();
      const res = await request(app)
        .post('/api/cases')
        .set(as('le-1'))
        .set('Idempotency-Key', newKey())
        .send(openRequest({ reference, survivor: maria }))
        .expect(422);
      expect((res.body as { errors: object[] }).errors).toEqual([
        { field: 'reference', message: expect.stringContaining(why) as unknown },
      ]);
      // The refusal says why without repeating what was typed: it is logged and shown like any other answer.
      expect(withoutRandomParts(res.text)).not.toMatch(/mar[ií]a|l[oó]pez|1993|0714/i);
      expect(await writeSideRows()).toEqual(before);
    });

    it.each([
      ['month and day without their zeros, the year last', 'CASE-5-6-1990'],
      ['day and month without their zeros, two digits of the year', 'PD-6-5-90'],
      ['the year first, month and day without their zeros', 'PD-1990-5-6'],
      ['run together without the zeros, the whole year last', 'PD-561990'],
      ['run together without the zeros, the whole year first', 'PD199056'],
    ])('refuses a reference that holds the birth date written by hand, %s (probe N7)', async (_what, reference) => {
      const res = await request(app)
        .post('/api/cases')
        .set(as('le-1'))
        .set('Idempotency-Key', newKey())
        .send(openRequest({ reference, survivor: { name: 'Nadia Okonkwo', birthDate: '1990-05-06' } }))
        .expect(422);
      expect((res.body as { errors: object[] }).errors).toEqual([
        { field: 'reference', message: expect.stringContaining('the survivor’s birth date') as unknown },
      ]);
    });

    it.each([
      ['the A-number as recorded', 'A123456789', { aNumber: 'A123456789' }, 'A-number'],
      ['the A-number set apart by hyphens', 'A-123-456-780', { aNumber: 'A123456780' }, 'A-number'],
      ['the A-number without its A, in a case number', 'PD-123456780-B', { aNumber: 'A123456780' }, 'A-number'],
      ['a padded A-number without its zero', 'PD-12345678', { aNumber: 'A012345678' }, 'A-number'],
      ['the phone number of the contact', '555-867-5309', { contact: '555-867-5309' }, 'contact'],
      ['the phone number without its codes', 'TF-867-5309', { contact: '+1 (555) 867-5309' }, 'contact'],
      ['the email address’s local part', 'PD-ROSEBUD77', { contact: 'rose.bud77@example.org' }, 'contact'],
      // Each number and address of a contact read on its own (probe P2), where the digits of the whole contact were
      // read as one number and everything before its last "@" as one address: each of these was opened (201).
      [
        'a phone number with words after it',
        'PD-5558675309',
        { contact: '555-867-5309 (sister, after 6pm)' },
        'contact',
      ],
      ['a phone number beside an address', 'PD-867-5309', { contact: '+1 555 867 5309, 77 Main St' }, 'contact'],
      [
        'the first of two phone numbers',
        'PD-8675309',
        { contact: 'sister 555-867-5309 or cell 555-201-4477' },
        'contact',
      ],
      [
        'a phone number beside an email address',
        'PD-8675309',
        { contact: 'rose.bud77@example.org or 555-867-5309' },
        'contact',
      ],
      [
        'an email address beside a phone number',
        'PD-ROSEBUD77',
        { contact: 'call 555-867-5309 or rose.bud77@example.org' },
        'contact',
      ],
    ])(
      'refuses a reference that holds %s, naming reference, in words that do not repeat it (probe D5)',
      async (_what, reference, fields, why) => {
        const before = await writeSideRows();
        const survivor = { ...nadia, ...fields };
        const res = await request(app)
          .post('/api/cases')
          .set(as('le-1'))
          .set('Idempotency-Key', newKey())
          .send(openRequest({ reference, survivor }))
          .expect(422);
        expect((res.body as { errors: object[] }).errors).toEqual([
          { field: 'reference', message: expect.stringContaining(`must not hold the survivor’s ${why}`) as unknown },
        ]);
        const { requestId: _random, ...answer } = res.body as { requestId: string };
        expect(JSON.stringify(answer)).not.toMatch(/\d{3}.?\d{3}|rose|bud77/i);
        expect(await writeSideRows()).toEqual(before);
      },
    );

    it('opens cases under case numbers that share a few digits or letters with the A-number and contact', async () => {
      const survivor = { ...nadia, aNumber: 'A123456789', contact: 'rose.bud77@example.org', preferredLanguage: 'es' };
      for (const reference of ['PD-1234567', 'ES-2026-0042', 'TF-ROSE-3'])
        expect((await openCase({ reference, survivor })).reference).toBe(reference);
      const phone = { ...nadia, contact: 'Shelter line 555-0100' };
      expect((await openCase({ reference: 'PD-555-010', survivor: phone })).reference).toBe('PD-555-010');
      // A contact's numbers are read one by one: the house number and ZIP code beside the phone make none of its own.
      const address = { ...nadia, contact: '555-867-5309, 77 Main St, Fresno CA 93721' };
      expect((await openCase({ reference: 'PD-9372177', survivor: address })).reference).toBe('PD-9372177');
    });

    it("opens cases under an agency's case numbers, beside the same survivor", async () => {
      for (const reference of ['TF-LEGACY-07', 'CASE-2026-0042', 'PD-7-14-2026']) {
        const opened = await openCase({ reference, survivor: maria });
        expect(opened.reference).toBe(reference);
      }
    });

    it('refuses a reference the agency holds in other letter case: look-ups could not tell the two apart (probe M2)', async () => {
      await openCase({ reference: 'TF-mixed-07' });
      const before = await writeSideRows();
      const res = await request(app)
        .post('/api/cases')
        .set(as('le-1'))
        .set('Idempotency-Key', newKey())
        .send(openRequest({ reference: 'tf-MIXED-07' }))
        .expect(409);
      expect(res.body).toMatchObject({ code: 'reference_taken', errors: [{ field: 'reference' }] });
      expect(await writeSideRows()).toEqual(before);
    });

    it('opens cases for names in any script, with the joiners and direction marks they use', async () => {
      for (const name of ['محمد\u200cرضا', 'שָׁלוֹם\u200f כהן', '李小龍', 'X Æ A-12']) {
        await request(app)
          .post('/api/cases')
          .set(as('le-1'))
          .set('Idempotency-Key', newKey())
          .send(openRequest({ survivor: { name, birthDate: '1990-01-01' } }))
          .expect(201);
      }
    });

    it('refuses agencies that do not exist or are of another kind', async () => {
      const res = await request(app)
        .post('/api/cases')
        .set(as('le-1'))
        .set('Idempotency-Key', newKey())
        .send(openRequest({ agencies: { ...AGENCIES, ice: 'hhs-1', hhs: 'missing-1' } }))
        .expect(422);
      expect((res.body as { errors: { field: string }[] }).errors.map((e) => e.field).sort()).toEqual([
        'agencies.hhs',
        'agencies.ice',
      ]);
    });

    it('needs an Idempotency-Key and a JSON body', async () => {
      const noKey = await request(app).post('/api/cases').set(as('le-1')).send(openRequest()).expect(400);
      expect(noKey.body).toMatchObject({
        code: 'idempotency_key_required',
        errors: [{ field: 'Idempotency-Key', message: 'required' }],
      });
      await request(app)
        .post('/api/cases')
        .set(as('le-1'))
        .set('Idempotency-Key', newKey())
        .set('Content-Type', 'text/plain')
        .send('hello')
        .expect(415);
    });
  });

  describe('idempotency', () => {
    it('replays the first reply for the same key and body without running the command again', async () => {
      const key = newKey();
      const first = await request(app)
        .post('/api/cases')
        .set(as('le-1'))
        .set('Idempotency-Key', key)
        .send(openRequest())
        .expect(201);
      expect(first.headers['idempotent-replayed']).toBeUndefined();
      const rowsBefore = await writeSideRows();
      // Same meaning, different key order: still the same request.
      const { agencies, survivor, identifiedOn, confirmNotDuplicate } = openRequest();
      const again = await request(app)
        .post('/api/cases')
        .set(as('le-1'))
        .set('Idempotency-Key', key)
        .send({ confirmNotDuplicate, agencies, survivor, identifiedOn })
        .expect(201);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.headers.location).toBe(first.headers.location);
      // The very bytes of the first answer, its keys in their order: a client may compare or hash them.
      expect(again.text).toBe(first.text);
      // A second open command would have sealed another survivor (before starting its workflow) and added a case.
      expect(await writeSideRows()).toEqual(rowsBefore);
    });

    it('refuses the same key with a different body', async () => {
      const key = newKey();
      await request(app).post('/api/cases').set(as('le-1')).set('Idempotency-Key', key).send(openRequest()).expect(201);
      const res = await request(app)
        .post('/api/cases')
        .set(as('le-1'))
        .set('Idempotency-Key', key)
        .send(openRequest({ usesUVisa: true }))
        .expect(422);
      expect(res.body).toMatchObject({ code: 'idempotency_key_reused' });
    });

    it('replays the same request sent to another spelling of its path; another case under the key is refused, naming the key', async () => {
      const key = newKey();
      const first = await request(app)
        .post('/api/cases')
        .set(as('le-1'))
        .set('Idempotency-Key', key)
        .send(openRequest())
        .expect(201);
      const rowsBefore = await writeSideRows();
      // Express routes these to the one handler: a proxy's retry may spell the path so.
      for (const spelling of ['/api/cases/', '/API/Cases']) {
        const again = await request(app).post(spelling).set(as('le-1')).set('Idempotency-Key', key).send(openRequest());
        expect({ spelling, status: again.status, replayed: again.headers['idempotent-replayed'] }).toEqual({
          spelling,
          status: 201,
          replayed: 'true',
        });
        expect(again.text).toBe(first.text);
      }
      expect(await writeSideRows()).toEqual(rowsBefore);

      const { caseId } = first.body as CaseBody;
      const signKey = newKey();
      const signOff = { outcome: 'requested', details: { requestedOn: today } };
      const signed = await request(app)
        .post(`/api/cases/${caseId}/steps/cp_request-1/sign-off`)
        .set(as('le-1'))
        .set('Idempotency-Key', signKey)
        .send(signOff)
        .expect(200);
      const resigned = await request(app)
        .post(`/API/Cases/${caseId}/Steps/cp_request-1/Sign-Off/`)
        .set(as('le-1'))
        .set('Idempotency-Key', signKey)
        .send(signOff)
        .expect(200);
      expect(resigned.headers['idempotent-replayed']).toBe('true');
      expect(resigned.text).toBe(signed.text);
      // The case id in capitals is the same case: the retry replays too.
      const capitals = await request(app)
        .post(`/api/cases/${caseId.toUpperCase()}/steps/cp_request-1/sign-off`)
        .set(as('le-1'))
        .set('Idempotency-Key', signKey)
        .send(signOff)
        .expect(200);
      expect(capitals.headers['idempotent-replayed']).toBe('true');

      // The parameter values are the request's: the same key on another case is another request.
      const other = await openCase();
      const refused = await request(app)
        .post(`/api/cases/${other.caseId}/steps/cp_request-1/sign-off`)
        .set(as('le-1'))
        .set('Idempotency-Key', signKey)
        .send(signOff)
        .expect(422);
      expect(refused.body).toMatchObject({
        code: 'idempotency_key_reused',
        detail:
          'This Idempotency-Key was already used for a different request: send a different request under a new key.',
        errors: [
          {
            field: 'Idempotency-Key',
            message: 'already used for a different request (another body or path): use a new key for this one',
          },
        ],
      });
    });

    it('after 409 possible_duplicate, says to confirm under a new key: the same key is refused naming it, a new one opens', async () => {
      const survivor = { name: 'Dunja Halvorsen', birthDate: '1991-02-03' };
      const identifiedAt = `${addDays(today, -1)}T08:05`;
      const body = {
        ...openRequest(),
        survivor,
        identifiedAt,
        identifiedOn: undefined,
        confirmNotDuplicate: undefined,
      };
      await request(app).post('/api/cases').set(as('le-1')).set('Idempotency-Key', newKey()).send(body).expect(201);
      const key = newKey();
      const duplicate = await request(app)
        .post('/api/cases')
        .set(as('le-1'))
        .set('Idempotency-Key', key)
        .send(body)
        .expect(409);
      expect(duplicate.body).toMatchObject({ code: 'possible_duplicate' });
      expect((duplicate.body as { detail: string }).detail).toMatch(
        /If this is another person, send the request again with confirmNotDuplicate: true, under a new Idempotency-Key\.$/,
      );
      const sameKey = await request(app)
        .post('/api/cases')
        .set(as('le-1'))
        .set('Idempotency-Key', key)
        .send({ ...body, confirmNotDuplicate: true })
        .expect(422);
      expect(sameKey.body).toMatchObject({
        code: 'idempotency_key_reused',
        errors: [{ field: 'Idempotency-Key', message: expect.stringContaining('use a new key') as unknown }],
      });
      await request(app)
        .post('/api/cases')
        .set(as('le-1'))
        .set('Idempotency-Key', newKey())
        .send({ ...body, confirmNotDuplicate: true })
        .expect(201);
    });

    it('answers 409 while the first request under a key is still running', async () => {
      const key = newKey();
      const { survivors } = await writeSideRows();
      // Without a worker the new case's workflow cannot confirm its first projection, so the open command waits inside
      // the write side, holding its key, until a worker runs again.
      await stack.stopWorker();
      let first: Promise<request.Response> | undefined;
      try {
        first = request(app)
          .post('/api/cases')
          .set(as('le-1'))
          .set('Idempotency-Key', key)
          .send(openRequest())
          .then((res) => res);
        // In flight: the key is claimed without an answer, and the command has sealed the survivor (its first write).
        await eventually(async () => {
          const claimed = await stack.pool.query(
            'SELECT 1 FROM idempotency_keys WHERE key = $1 AND status_code IS NULL',
            [key],
          );
          return claimed.rowCount === 1 && (await writeSideRows()).survivors > survivors;
        }, 'the first request to be inside the write side');
        const busy = await request(app)
          .post('/api/cases')
          .set(as('le-1'))
          .set('Idempotency-Key', key)
          .send(openRequest())
          .expect(409);
        expect(busy.body).toMatchObject({ code: 'idempotency_in_progress' });
        // Retry-After says how long until a retry takes the claim over (this stack's lease: 120 s, less its age), not
        // "1" to be said again and again while the claim of a killed process runs out.
        const wait = (res: request.Response) => Number(res.headers['retry-after']);
        expect(wait(busy)).toBeGreaterThan(100);
        expect(wait(busy)).toBeLessThanOrEqual(120);
        await stack.pool.query(
          "UPDATE idempotency_keys SET created_at = created_at - interval '100 seconds' WHERE key = $1",
          [key],
        );
        const older = await request(app)
          .post('/api/cases')
          .set(as('le-1'))
          .set('Idempotency-Key', key)
          .send(openRequest())
          .expect(409);
        expect(wait(older)).toBeGreaterThan(0);
        expect(wait(older)).toBeLessThanOrEqual(20);
        expect((older.body as { detail: string }).detail).toContain(`retry in ${wait(older)} s`);
      } finally {
        await stack.startWorker();
      }
      expect((await first).status).toBe(201);
      await request(app)
        .post('/api/cases')
        .set(as('le-1'))
        .set('Idempotency-Key', key)
        .send(openRequest())
        .expect(201)
        .expect('Idempotent-Replayed', 'true');
    });

    it('treats free-form details with their keys in another order as the same request', async () => {
      const opened = await openCase();
      const key = newKey();
      const path = `/api/cases/${opened.caseId}/steps/cp_request-1/sign-off`;
      const first = await request(app)
        .post(path)
        .set(as('le-1'))
        .set('Idempotency-Key', key)
        .send({ outcome: 'requested', details: { requestedOn: today, note: 'sent by fax' } })
        .expect(200);
      const again = await request(app)
        .post(path)
        .set(as('le-1'))
        .set('Idempotency-Key', key)
        .send({ details: { note: 'sent by fax', requestedOn: today }, outcome: 'requested' })
        .expect(200);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body).toEqual(first.body);
      // The same key on another case is another request, not a replay.
      const other = await openCase();
      await request(app)
        .post(`/api/cases/${other.caseId}/steps/cp_request-1/sign-off`)
        .set(as('le-1'))
        .set('Idempotency-Key', key)
        .send({ outcome: 'requested', details: { requestedOn: today, note: 'sent by fax' } })
        .expect(422);
    });

    it('keeps a refusal as the answer to its key', async () => {
      const opened = await openCase();
      const key = newKey();
      const signOff = { outcome: 'requested', details: { requestedOn: today } };
      const path = `/api/cases/${opened.caseId}/steps/cp_request-1/sign-off`;
      await request(app).post(path).set(as('coord-1')).set('Idempotency-Key', key).send(signOff).expect(403);
      const replay = await request(app)
        .post(path)
        .set(as('coord-1'))
        .set('Idempotency-Key', key)
        .send(signOff)
        .expect(403);
      expect(replay.headers['idempotent-replayed']).toBe('true');
    });
  });

  describe('outages and faults of ours', () => {
    it('answers a sign-off preview 503 while Temporal cannot be reached, saying nothing was recorded (it has no key)', async () => {
      const opened = await openCase();
      const res = await request(outageApp)
        .post(`/api/cases/${opened.caseId}/steps/cp_request-1/sign-off/preview`)
        .set(as('le-1'))
        .send({ outcome: 'requested', details: { requestedOn: today } })
        .expect(503);
      expect(res.body).toMatchObject({ status: 503, code: 'temporal_unavailable' });
      const detail = (res.body as { detail: string }).detail;
      expect(detail).toContain('Nothing was recorded by this preview');
      expect(detail).not.toMatch(/Idempotency-Key|may still be applied/);
    });

    it('answers 503 with Retry-After when Temporal cannot be reached; the retry with the same key opens exactly one case', async () => {
      const key = newKey();
      logLines = [];
      const before = await writeSideRows();
      // Temporal is unreachable for this request: the outage app's write side has nobody to talk to.
      const res = await request(outageApp)
        .post('/api/cases')
        .set(as('le-1'))
        .set('X-Request-Id', '00000000-0000-4000-8000-00000000010a')
        .set('Idempotency-Key', key)
        .send(openRequest())
        .expect(503);
      expect(res.body).toMatchObject({
        status: 503,
        code: 'temporal_unavailable',
        requestId: res.headers['x-request-id'] as string,
        detail: expect.stringContaining('same Idempotency-Key') as unknown,
      });
      expect(res.headers['retry-after']).toBe('5');
      expect(logLines.find((line) => line.msg === 'unhandled error')).toBeUndefined();
      expect(JSON.stringify(logLines)).not.toMatch(/Test Person|1990-05-01|A123456789/);

      // Temporal is back (the working app): the same key is tried again, not refused as in progress or replayed.
      const retry = await request(app)
        .post('/api/cases')
        .set(as('le-1'))
        .set('X-Request-Id', '00000000-0000-4000-8000-00000000010b')
        .set('Idempotency-Key', key)
        .send(openRequest())
        .expect(201);
      expect(retry.headers['idempotent-replayed']).toBeUndefined();
      // One case and one sealed identity for the two attempts, whatever the first one got to.
      expect(await writeSideRows()).toEqual({ survivors: before.survivors + 1, cases: before.cases + 1 });
      // What the API handed the write side: the signed-in worker, with this request's id, as the workflow received it.
      const { caseId } = retry.body as CaseBody;
      const input = await workflowStartInput(caseId);
      expect(input.kind === 'open' && input.open.openedBy).toEqual({
        ...workers['le-1']!.actor,
        requestId: retry.headers['x-request-id'] as string,
      });
      const audited = await stack.pool.query<{
        user_id: string;
        agency_id: string;
        roles: string[];
        case_id: string;
        outcome: string;
      }>(
        "SELECT user_id, agency_id, roles, case_id, outcome FROM audit_events WHERE request_id = $1 AND action = 'case.open' AND applied_version IS NULL",
        [retry.headers['x-request-id']],
      );
      expect(audited.rows).toEqual([
        {
          user_id: workers['le-1']!.user.id,
          agency_id: 'le-1',
          roles: [...workers['le-1']!.actor.roles],
          case_id: caseId,
          outcome: 'allowed',
        },
      ]);
      // The workflow applied the opening once, and says so in its own row.
      const applied = await stack.pool.query(
        "SELECT 1 FROM audit_events WHERE case_id = $1 AND action = 'case.open' AND applied_version IS NOT NULL",
        [caseId],
      );
      expect(applied.rowCount).toBe(1);
    });

    it('answers 500 with the request id for a fault of ours, logs it without the body, and frees the key for a retry', async () => {
      const key = newKey();
      logLines = [];
      // A write side whose payload codec is broken: every command fails before anything reaches Temporal.
      const brokenCodec = {
        encode: () => Promise.reject(new Error('payload codec misconfigured')),
        decode: (payloads: never[]) => Promise.resolve(payloads),
      };
      const brokenApp = stack.appWith({
        logger: createLogger({ level: 'info', destination: logSink }),
        cases: stack.casesOn(
          new Client({ connection: stack.env.connection, dataConverter: { payloadCodecs: [brokenCodec] } }),
        ),
      });
      const opened = await openCase();
      const path = `/api/cases/${opened.caseId}/steps/cp_request-1/sign-off`;
      const signOff = { outcome: 'requested', details: { requestedOn: today } };
      const res = await request(brokenApp)
        .post(path)
        .set(as('le-1'))
        .set('X-Request-Id', '00000000-0000-4000-8000-00000000010c')
        .set('Idempotency-Key', key)
        .send(signOff)
        .expect(500);
      // Under the request's own id (the caller's is its correlation id, X-Correlation-Id).
      expect(res.body).toMatchObject({ status: 500, requestId: res.headers['x-request-id'] as string });
      expect(res.headers['x-correlation-id']).toBe('00000000-0000-4000-8000-00000000010c');
      const logged = logLines.find((line) => line.msg === 'unhandled error');
      expect(logged).toMatchObject({
        reqId: res.headers['x-request-id'] as string,
        err: { message: expect.stringMatching(/codec misconfigured/) as unknown },
      });
      // The cause is logged for us, never told to the client.
      expect(JSON.stringify(res.body)).not.toContain('codec');
      const requestLine = logLines.find(
        (line) => (line.res as { statusCode?: number } | undefined)?.statusCode === 500,
      );
      expect(requestLine).toMatchObject({
        req: {
          id: res.headers['x-request-id'] as string,
          correlationId: '00000000-0000-4000-8000-00000000010c',
          method: 'POST',
          url: path,
        },
        actor: { agencyId: 'le-1', userId: workers['le-1']!.user.id },
      });

      const retry = await request(app).post(path).set(as('le-1')).set('Idempotency-Key', key).send(signOff).expect(200);
      expect(retry.headers['idempotent-replayed']).toBeUndefined();
      expect((retry.body as CaseBody).steps.find((step) => step.id === 'cp_request-1')?.status).toBe('completed');
    });
  });

  describe('reading, signing and closing a case', () => {
    it('validates path parameters and answers an unknown case as one of other agencies (403)', async () => {
      const bad = await request(app).get('/api/cases/not-a-uuid').set(as('le-1')).expect(400);
      expect(bad.body).toMatchObject({ code: 'invalid_params', errors: [{ field: 'caseId' }] });
      const unknown = await request(app)
        .get('/api/cases/7c9e6679-7425-40de-944b-e07fc1f90ae7')
        .set(as('le-1'))
        .expect(403);
      expect(unknown.body).toMatchObject({ code: 'not_a_participant' });
    });

    it('records a sign-off by the owning agency and answers with the updated case', async () => {
      const opened = await openCase();
      const path = `/api/cases/${opened.caseId}/steps/cp_request-1/sign-off`;
      // The coordinator sees the police's step and may not sign it (another agency's officer does not see it: 404).
      const wrong = await request(app)
        .post(path)
        .set(as('coord-1'))
        .set('Idempotency-Key', newKey())
        .send({ outcome: 'requested', details: { requestedOn: today } })
        .expect(403);
      expect(wrong.body).toMatchObject({ code: 'wrong_agency_kind' });
      // Nothing in the request makes the coordinator the police: no field is named (it was actor.agencyKind).
      expect(wrong.body).not.toHaveProperty('errors');
      const extra = await request(app)
        .post(path)
        .set(as('le-1'))
        .set('Idempotency-Key', newKey())
        .send({ outcome: 'requested', details: {}, by: 'me' })
        .expect(422);
      // `by` is a typo of no field a sign-off takes: refused without repeating it (it could be a name).
      expect(extra.body).toMatchObject({
        errors: [
          { field: '(root)', message: 'an unknown field (its name is not repeated: it may be text about a person)' },
        ],
      });

      // The case's id in capitals names the same case (and its workflow), as PostgreSQL's uuid type reads it.
      const res = await request(app)
        .post(path.replace(opened.caseId, opened.caseId.toUpperCase()))
        .set(as('le-1'))
        .set('Idempotency-Key', newKey())
        .send({ outcome: 'requested', details: { requestedOn: today } })
        .expect(200);
      expect((res.body as CaseBody).caseId).toBe(opened.caseId);
      expect((res.body as CaseBody).steps.find((s) => s.id === 'cp_request-1')?.status).toBe('completed');
      const overseen = await request(app)
        .get(`/api/cases/${(res.body as CaseBody).caseId}`)
        .set(as('coord-1'))
        .expect(200);
      expect((overseen.body as CaseBody).steps.some((s) => s.kind === 'cp_decision' && s.status === 'pending')).toBe(
        true,
      );
    });

    it('shows the survivor identity to a participating agency only, never cached', async () => {
      const opened = await openCase();
      const res = await request(app).get(`/api/cases/${opened.caseId}/survivor`).set(as('adv-1')).expect(200);
      expect(res.body).toMatchObject({ name: 'Test Person', birthDate: '1990-05-01' });
      expect(res.headers['cache-control']).toBe('no-store');
      await request(app).get(`/api/cases/${opened.caseId}/survivor`).set(as('le-2')).expect(403);
    });

    it('closes a case for its coordinator', async () => {
      const opened = await openCase();
      const path = `/api/cases/${opened.caseId}/close`;
      const bad = await request(app)
        .post(path)
        .set(as('coord-1'))
        .set('Idempotency-Key', newKey())
        .send({ status: 'finished', reason: 'Done!' })
        .expect(422);
      expect((bad.body as { errors: { field: string }[] }).errors.map((e) => e.field).sort()).toEqual([
        'reason',
        'status',
      ]);
      const res = await request(app)
        .post(path)
        .set(as('coord-1'))
        .set('Idempotency-Key', newKey())
        .send({ status: 'withdrawn', reason: 'survivor_withdrew' })
        .expect(200);
      expect((res.body as CaseBody).status).toBe('withdrawn');
    });

    /** A name, an A-number and an address, in the shape every short code once had: shown to every agency if taken. */
    const WORDS = 'carla.target.a987654321.lives-at-5-oak-st';

    it('takes a close reason from its list only, naming reason and the list', async () => {
      const opened = await openCase();
      const close = (reason: string) =>
        request(app)
          .post(`/api/cases/${opened.caseId}/close`)
          .set(as('coord-1'))
          .set('Idempotency-Key', newKey())
          .send({ status: 'closed', reason });
      for (const reason of [WORDS, 'survivor_request']) {
        const refused = await close(reason).expect(422);
        expect((refused.body as { errors: object[] }).errors).toEqual([
          {
            field: 'reason',
            message: expect.stringMatching(/^expected one of: relief_obtained, .*, other$/) as unknown,
          },
        ]);
      }
      const closed = await close('other').expect(200);
      expect((closed.body as CaseBody).status).toBe('closed');
      expect(JSON.stringify(closed.body)).not.toContain(WORDS);
    });

    it("takes a refusal's reason from its step's list only, naming details.reason and the list", async () => {
      const opened = await openCase();
      const decline = (reason: string) =>
        request(app)
          .post(`/api/cases/${opened.caseId}/steps/le_declaration-1/sign-off`)
          .set(as('le-1'))
          .set('Idempotency-Key', newKey())
          .send({ outcome: 'declined', details: { reason } });
      // Another step's code is refused as words are.
      for (const reason of [WORDS, 'no_response']) {
        const refused = await decline(reason).expect(422);
        expect(refused.body).toMatchObject({
          code: 'invalid_details',
          errors: [
            {
              field: 'details.reason',
              message:
                'expected one of: insufficient_evidence, not_cooperating, investigation_closed, not_our_investigation, other',
            },
          ],
        });
      }
      // None at all: said to be required, with the list, not zod's "expected string, received undefined".
      const without = await request(app)
        .post(`/api/cases/${opened.caseId}/steps/le_declaration-1/sign-off`)
        .set(as('le-1'))
        .set('Idempotency-Key', newKey())
        .send({ outcome: 'declined', details: {} })
        .expect(422);
      expect(without.body).toMatchObject({
        code: 'invalid_details',
        errors: [
          {
            field: 'details.reason',
            message:
              'required: say why, expected one of: insufficient_evidence, not_cooperating, investigation_closed, not_our_investigation, other',
          },
        ],
      });
      const declined = await decline('not_our_investigation').expect(200);
      expect((declined.body as CaseBody).steps.find((step) => step.id === 'le_declaration-1')?.status).toBe('declined');
      // Refused, the words were kept nowhere: not in the timeline, nor in the answers the idempotency store replays.
      const { rows } = await stack.pool.query<{ text: string }>(
        `SELECT row_to_json(t)::text AS text FROM case_timeline t
       UNION ALL SELECT row_to_json(k)::text FROM idempotency_keys k`,
      );
      expect(rows.filter((row) => row.text.includes(WORDS))).toEqual([]);
    });
  });

  describe('work lists', () => {
    it('validates every query parameter and names unknown ones that read as typos of a real one', async () => {
      const unknown = await request(app)
        .get('/api/steps?status=pending&colour=red&agencyid=le-1')
        .set(as('le-1'))
        .expect(400);
      // `agencyid` is a typo of agencyId; `colour` is no name of the route's, and is not repeated (api/route.ts).
      expect((unknown.body as { errors: { field: string }[] }).errors.map((e) => e.field).sort()).toEqual([
        '(root)',
        'agencyid',
      ]);
      expect(unknown.text).not.toContain('colour');
      const bad = await request(app)
        .get('/api/steps?status=late&limit=0&kind=passport&dueBefore=tomorrow&sort=dueAt&sort=-dueAt')
        .set(as('le-1'))
        .expect(400);
      expect((bad.body as { errors: { field: string }[] }).errors.map((e) => e.field).sort()).toEqual([
        'dueBefore',
        'kind',
        'limit',
        'sort',
        'status',
      ]);
      await request(app).get('/api/notifications?caseId=nope').set(as('le-1')).expect(400);
    });

    it('lists pending steps of one agency in due order, page by page', async () => {
      const seen: { id: string; dueAt: string | null }[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const query: Record<string, string> = {
          status: 'pending',
          agencyId: 'le-1',
          kind: 'le_declaration',
          limit: '2',
          ...(cursor ? { cursor } : {}),
        };
        const res = await request(app).get('/api/steps').query(query).set(as('le-1')).expect(200);
        expect(() => StepPageSchema.parse(res.body)).not.toThrow();
        const page = res.body as {
          items: {
            caseId: string;
            stepId?: string;
            id?: string;
            kind: string;
            dueAt: string | null;
            agencyId: string | null;
          }[];
          nextCursor: string | null;
        };
        expect(page.items.length).toBeLessThanOrEqual(2);
        for (const item of page.items) {
          expect(item.kind).toBe('le_declaration');
          seen.push({ id: `${item.caseId}/${item.stepId ?? item.id}`, dueAt: item.dueAt });
        }
        cursor = page.nextCursor;
        pages += 1;
      } while (cursor && pages < 50);

      const { rows } = await stack.pool.query<{ n: string }>(
        "SELECT count(*) AS n FROM case_steps WHERE status = 'pending' AND kind = 'le_declaration' AND agency_id = 'le-1'",
      );
      expect(seen).toHaveLength(Number(rows[0]!.n));
      expect(new Set(seen.map((s) => s.id)).size).toBe(seen.length);
      expect(pages).toBeGreaterThan(1);
      const dues = seen.map((s) => s.dueAt ?? '9999');
      expect(dues).toEqual([...dues].sort());
    });

    it('lists overdue steps against the API clock and honours due-date bounds', async () => {
      // Opened at the Temporal server's time, which is also the API clock's for now: nothing of it is overdue yet.
      const opened = await openCase();
      const none = await request(app).get('/api/steps?status=overdue').set(as('le-1')).expect(200);
      expect((none.body as { items: unknown[] }).items).toEqual([]);
      const fresh = await request(app).get(`/api/cases/${opened.caseId}`).set(as('le-1')).expect(200);
      expect((fresh.body as CaseBody).steps.some((s) => s.overdue)).toBe(false);

      now = new Date('2030-01-01T00:00:00.000Z');
      try {
        const overdue = await request(app)
          .get('/api/steps?status=overdue&sort=-dueAt&limit=200')
          .set(as('le-1'))
          .expect(200);
        const items = (overdue.body as { items: { caseId: string; id: string; dueAt: string }[] }).items;
        expect(items.length).toBeGreaterThan(0);
        const dues = items.map((i) => i.dueAt);
        expect(dues).toEqual([...dues].sort().reverse());

        const latest = dues[0]!;
        const bounded = await request(app)
          .get('/api/steps')
          .query({ status: 'overdue', dueBefore: latest, limit: '200' })
          .set(as('le-1'))
          .expect(200);
        expect((bounded.body as { items: { dueAt: string }[] }).items.every((i) => i.dueAt < latest)).toBe(true);

        // The case view judges "overdue" by the same clock as the list: the same steps of the same case.
        const later = await request(app).get(`/api/cases/${opened.caseId}`).set(as('le-1')).expect(200);
        const flagged = (later.body as CaseBody).steps
          .filter((s) => s.overdue)
          .map((s) => s.id)
          .sort();
        expect(flagged.length).toBeGreaterThan(0);
        expect(flagged).toEqual(
          items
            .filter((i) => i.caseId === opened.caseId)
            .map((i) => i.id)
            .sort(),
        );
      } finally {
        now = startedAt;
      }
    });

    it('lists notifications newest first, filtered by case, page by page', async () => {
      const opened = await openCase();
      for (const n of [1, 2, 3]) {
        await enqueue(stack.pool, {
          caseId: opened.caseId,
          alarmId: `cp_request-1:reminder:2026-03-0${n}T00:00:00.000Z`,
          reference: opened.reference,
          stepId: 'cp_request-1',
          stepKind: 'cp_request',
          kind: 'reminder',
          recipientAgencyId: 'le-1',
          recipientEmail: 'le@example.gov',
          subject: `Reminder ${n}`,
          bodyText: 'A step is due.',
          dueAt: '2026-03-10T00:00:00.000Z',
        });
      }
      const first = await request(app)
        .get('/api/notifications')
        .query({ caseId: opened.caseId, limit: '2' })
        .set(as('le-1'))
        .expect(200);
      expect(() => NotificationPageSchema.parse(first.body)).not.toThrow();
      const page1 = first.body as { items: { id: string; caseId: string }[]; nextCursor: string | null };
      expect(page1.items).toHaveLength(2);
      expect(page1.nextCursor).not.toBeNull();
      const second = await request(app)
        .get('/api/notifications')
        .query({ caseId: opened.caseId, limit: '2', cursor: page1.nextCursor! })
        .set(as('le-1'))
        .expect(200);
      const page2 = second.body as { items: { id: string }[]; nextCursor: string | null };
      expect(page2.items).toHaveLength(1);
      expect(page2.nextCursor).toBeNull();
      expect(new Set([...page1.items, ...page2.items].map((i) => i.id)).size).toBe(3);
      // A cursor naming no notification is refused by name, as every list's is; the last page's own cursor is not.
      const made = await request(app)
        .get('/api/notifications')
        .query({ caseId: opened.caseId, cursor: 'xx' })
        .set(as('le-1'))
        .expect(400);
      expect(made.body).toMatchObject({ code: 'invalid_cursor', errors: [{ field: 'cursor' }] });
      // A notification's id is a position, not a cursor: only one the service signed pages (core/list-cursor.ts).
      await request(app)
        .get('/api/notifications')
        .query({ caseId: opened.caseId, cursor: page2.items[0]!.id })
        .set(as('le-1'))
        .expect(400);
      const past = await request(app)
        .get('/api/notifications')
        .query({
          caseId: opened.caseId,
          // Bound to the page's filters (core/list-cursor.ts): the case, and the agency the list is narrowed to.
          cursor: signCursor(
            cursorKeys(stack.identityKeyring),
            'notifications',
            { caseId: opened.caseId, agencyId: 'le-1' },
            page2.items[0]!.id,
          ),
        })
        .set(as('le-1'))
        .expect(200);
      expect(past.body).toMatchObject({ items: [], nextCursor: null });
    });
  });

  describe('dates outside 1900-01-01 to 2199-12-31', () => {
    const RANGE = 'between 1900-01-01 and 2199-12-31';
    /** Year 0 (PostgreSQL cannot store it), the days just outside the range, and years of five digits. */
    const OUT_OF_RANGE = ['0000-01-01', '1899-12-31', '2200-01-01', '9999-12-31', '10000-01-01'];
    type Problem = { status: number; code: string; errors: { field: string; message: string }[] };

    it.each(['dueBefore', 'dueAfter'])(
      'refuses %s out of range with a 400 naming the filter, and takes the edges',
      async (field) => {
        for (const value of [
          ...OUT_OF_RANGE,
          '0000-01-01T00:00:00Z',
          '+010000-01-01T00:00:00Z',
          '2199-12-31T23:00:00-05:00',
        ]) {
          const res = await request(app)
            .get('/api/steps')
            .query({ [field]: value })
            .set(as('le-1'));
          expect([value, res.status]).toEqual([value, 400]);
          expect(res.body).toMatchObject({
            code: 'invalid_query',
            errors: [{ field, message: expect.stringContaining(RANGE) as string }],
          });
        }
        for (const value of [
          '1900-01-01',
          '2199-12-31',
          '1900-01-01T00:00:00Z',
          '2199-12-31T23:59:59.999Z',
          '2200-01-01T00:59:00+01:00',
        ]) {
          const res = await request(app)
            .get('/api/steps')
            .query({ [field]: value })
            .set(as('le-1'));
          expect([value, res.status]).toEqual([value, 200]);
        }
      },
    );

    it.each([
      ['identifiedOn', (value: string) => openRequest({ identifiedOn: value })],
      ['survivor.birthDate', (value: string) => openRequest({ survivor: { name: 'Test Person', birthDate: value } })],
    ])('refuses an opening with %s out of range with a 422 naming the field', async (field, body) => {
      for (const value of OUT_OF_RANGE) {
        const res = await request(app)
          .post('/api/cases')
          .set(as('le-1'))
          .set('Idempotency-Key', newKey())
          .send(body(value));
        expect([value, res.status]).toEqual([value, 422]);
        expect((res.body as Problem).errors).toEqual([{ field, message: `expected a date ${RANGE} as YYYY-MM-DD` }]);
      }
    });

    it('opens a case for a survivor born on the first day of the range, but not one born after the identification', async () => {
      const opened = await openCase({ survivor: { name: 'Test Person', birthDate: '1900-01-01' } });
      expect(opened.status).toBe('open');
      const res = await request(app)
        .post('/api/cases')
        .set(as('le-1'))
        .set('Idempotency-Key', newKey())
        .send(openRequest({ survivor: { name: 'Test Person', birthDate: '2199-12-31' } }))
        .expect(422);
      expect((res.body as Problem).errors).toEqual([
        { field: 'survivor.birthDate', message: 'must not be after identifiedOn' },
      ]);
    });

    it('names a birth date after the identification beside the problems of other fields, all in one 422', async () => {
      const res = await request(app)
        .post('/api/cases')
        .set(as('le-1'))
        .set('Idempotency-Key', newKey())
        .send(openRequest({ survivor: { name: 'Test Person', birthDate: '2199-12-31', aNumber: '12' } }))
        .expect(422);
      expect((res.body as Problem).errors?.map((error) => error.field).sort()).toEqual([
        'survivor.aNumber',
        'survivor.birthDate',
      ]);
      // An invalid birth date is named as such, not as one after the identification too.
      const invalid = await request(app)
        .post('/api/cases')
        .set(as('le-1'))
        .set('Idempotency-Key', newKey())
        .send(openRequest({ survivor: { name: 'Test Person', birthDate: '2199-13-31', aNumber: '12' } }))
        .expect(422);
      expect((invalid.body as Problem).errors?.filter((error) => error.field === 'survivor.birthDate')).toHaveLength(1);
    });

    it('refuses sign-off details out of range with a 422 naming the detail, and the case goes on', async () => {
      const opened = await openCase();
      const signOff = (step: string, agency: keyof typeof KINDS, body: object) =>
        request(app)
          .post(`/api/cases/${opened.caseId}/steps/${step}/sign-off`)
          .set(as(agency))
          .set('Idempotency-Key', newKey())
          .send(body);
      for (const value of OUT_OF_RANGE) {
        const res = await signOff('cp_request-1', 'le-1', { outcome: 'requested', details: { requestedOn: value } });
        expect([value, res.status]).toEqual([value, 422]);
        expect((res.body as Problem).errors).toEqual([
          { field: 'details.requestedOn', message: `expected a date ${RANGE} as YYYY-MM-DD` },
        ]);
      }
      await signOff('cp_request-1', 'le-1', { outcome: 'requested', details: { requestedOn: today } }).expect(200);
      // A validity end becomes an expiry instant (the next day's start): year 0 would reach PostgreSQL as one.
      for (const value of OUT_OF_RANGE) {
        const res = await signOff('cp_decision-1', 'ice-1', { outcome: 'granted', details: { validUntil: value } });
        expect([value, res.status]).toEqual([value, 422]);
        expect((res.body as Problem).errors).toEqual([
          { field: 'details.validUntil', message: `expected a date ${RANGE} as YYYY-MM-DD` },
        ]);
      }
      const read = await request(app).get(`/api/cases/${opened.caseId}`).set(as('coord-1')).expect(200);
      expect((read.body as CaseBody).steps.find((s) => s.id === 'cp_decision-1')?.status).toBe('pending');
    });
  });

  describe('the caseload: GET /api/cases', () => {
    type CasePage = { items: { reference: string; path: string; pendingSteps: number; overdueSteps: number }[] };
    const list = (query: Record<string, string>, agencyId: keyof typeof KINDS = 'coord-1') =>
      request(app).get('/api/cases').query(query).set(as(agencyId));
    const references = (body: unknown) => (body as CasePage).items.map((item) => item.reference);
    const searchOverdue = (overdue: unknown) =>
      request(app)
        .post('/api/cases/search')
        .set(as('coord-1'))
        .send({ name: 'test person', reference: 'LIST-', overdue });

    let adult: CaseBody;
    beforeAll(async () => {
      const lastYear = `${Number(today.slice(0, 4)) - 1}${today.slice(4)}`;
      await openCase({ reference: 'LIST-EARLY', identifiedOn: lastYear });
      adult = await openCase({ reference: 'LIST-ADULT' });
      await openCase({
        reference: 'LIST-MINOR',
        survivor: { name: 'Young Test Person', birthDate: `${Number(today.slice(0, 4)) - 15}-01-01` },
      });
      await request(app)
        .post(`/api/cases/${adult.caseId}/steps/cp_request-1/sign-off`)
        .set(as('le-1'))
        .set('Idempotency-Key', newKey())
        .send({ outcome: 'requested', details: { requestedOn: today } })
        .expect(200);
    });

    test('lists the cases of the caller, newest first, found by the start of their reference', async () => {
      const res = await list({ reference: 'LIST-' }).expect(200);
      expect(CasePageSchema.parse(res.body).nextCursor).toBeNull();
      expect(references(res.body)).toEqual(['LIST-MINOR', 'LIST-ADULT', 'LIST-EARLY']);
      expect(references((await list({ reference: 'LIST-AD' }).expect(200)).body)).toEqual(['LIST-ADULT']);
    });

    test('finds a reference whatever the case of its letters, typed or stored, and with spaces either side', async () => {
      // Read out on the phone and typed in lower case; pasted from an email with a space either side.
      expect(references((await list({ reference: 'list-ad' }).expect(200)).body)).toEqual(['LIST-ADULT']);
      expect(references((await list({ reference: ' LIST-ADULT ' }).expect(200)).body)).toEqual(['LIST-ADULT']);
      // A chosen reference is stored as its agency wrote it, and found in any case too.
      await openCase({ reference: 'Legacy-tf-07' });
      expect(references((await list({ reference: 'LEGACY-TF' }).expect(200)).body)).toEqual(['Legacy-tf-07']);
      expect(references((await list({ reference: ' legacy-TF-07  ' }).expect(200)).body)).toEqual(['Legacy-tf-07']);
    });

    test('filters by path, pending step kind, track, identification date and overdue', async () => {
      expect(references((await list({ reference: 'LIST-', path: 'minor' }).expect(200)).body)).toEqual(['LIST-MINOR']);
      // The adult's CP request is signed; the others' is still pending.
      expect(references((await list({ reference: 'LIST-', pendingKind: 'cp_request' }).expect(200)).body)).toEqual([
        'LIST-MINOR',
        'LIST-EARLY',
      ]);
      expect(references((await list({ reference: 'LIST-', pendingKind: 'cp_decision' }).expect(200)).body)).toEqual([
        'LIST-ADULT',
      ]);
      expect(references((await list({ reference: 'LIST-', track: 'intake' }).expect(200)).body)).toHaveLength(3);
      expect(
        references((await list({ reference: 'LIST-', identifiedTo: addDays(today, -1) }).expect(200)).body),
      ).toEqual(['LIST-EARLY']);
      expect(references((await list({ reference: 'LIST-', identifiedFrom: today }).expect(200)).body)).toEqual([
        'LIST-MINOR',
        'LIST-ADULT',
      ]);
      // Both bounds are days, both included.
      expect(
        references((await list({ reference: 'LIST-', identifiedFrom: today, identifiedTo: today }).expect(200)).body),
      ).toEqual(['LIST-MINOR', 'LIST-ADULT']);
      expect(
        references((await list({ reference: 'LIST-', openedFrom: today, identifiedFrom: today }).expect(200)).body),
      ).toHaveLength(2);

      const before = now;
      now = new Date(startedAt.getTime() + 400 * 86_400_000);
      try {
        const overdue = (await list({ reference: 'LIST-', overdue: 'true' }).expect(200)).body as CasePage;
        expect(overdue.items).toHaveLength(3);
        expect(overdue.items.every((item) => item.overdueSteps > 0 && item.overdueSteps <= item.pendingSteps)).toBe(
          true,
        );
        // The search's body takes the filter as a JSON boolean too, as the query's string.
        for (const sent of [true, 'true'])
          expect([sent, references((await searchOverdue(sent).expect(200)).body)]).toEqual([sent, references(overdue)]);
      } finally {
        now = before;
      }
      expect(references((await list({ reference: 'LIST-EARLY', overdue: 'false' }).expect(200)).body)).toEqual([]);
      const notOverdue = references((await searchOverdue('false').expect(200)).body);
      expect(references((await searchOverdue(false).expect(200)).body)).toEqual(notOverdue);
      const refused = await searchOverdue('maybe').expect(422);
      expect(refused.body).toMatchObject({
        errors: [
          { field: 'overdue', message: 'expected true or false (a JSON boolean, or the string "true" or "false")' },
        ],
      });
    });

    test('with a step kind waited for, "overdue" is about that step: a late CP request does not make the declaration late', async () => {
      const early = await openCase({ reference: 'LATE-KIND', identifiedOn: addDays(today, -20) });
      const pending = early.steps.filter((step) => step.status === 'pending');
      // The case needs a late step and one still on time, or the test below proves nothing.
      expect(pending.some((step) => step.overdue) && pending.some((step) => !step.overdue)).toBe(true);
      for (const step of pending) {
        const late = references(
          (await list({ reference: 'LATE-KIND', pendingKind: step.kind, overdue: 'true' }).expect(200)).body,
        );
        const onTime = references(
          (await list({ reference: 'LATE-KIND', pendingKind: step.kind, overdue: 'false' }).expect(200)).body,
        );
        expect({ kind: step.kind, late, onTime }).toEqual({
          kind: step.kind,
          late: step.overdue ? ['LATE-KIND'] : [],
          onTime: step.overdue ? [] : ['LATE-KIND'],
        });
      }
    });

    test('filters by the day of identification where it was made: a Guam case identified at 08:00 there is on that day', async () => {
      // 08:00 yesterday in Guam (UTC+10) is 22:00 UTC the day before: not the day the police wrote down.
      const yesterday = addDays(today, -1);
      await request(app)
        .post('/api/cases')
        .set(as('le-guam'))
        .set('Idempotency-Key', newKey())
        .send(
          openRequest({
            reference: 'GUAM-LIST',
            identifiedOn: undefined,
            identifiedAt: `${yesterday}T08:00`,
            agencies: { ...AGENCIES, law_enforcement: 'le-guam' },
          }),
        )
        .expect(201);
      const listed = async (query: Record<string, string>) =>
        CasePageSchema.parse((await list({ reference: 'GUAM-', ...query }).expect(200)).body).items;

      const onTheDay = await listed({ identifiedFrom: yesterday, identifiedTo: yesterday });
      expect(onTheDay.map((item) => [item.reference, item.identifiedOn])).toEqual([['GUAM-LIST', yesterday]]);
      expect(await listed({ identifiedTo: addDays(yesterday, -1) })).toEqual([]);
      expect(await listed({ identifiedFrom: today })).toEqual([]);
    });

    test("filters and counts over the steps the caller sees: an officer's own agency's, as its case view shows them", async () => {
      const policeSupervisor = await createTestUser(stack.pool, {
        username: 'le-1-supervisor',
        agencyId: 'le-1',
        roles: ['supervisor'],
        password: TEST_PASSWORD,
      });
      const readers = {
        coordinator: as('coord-1'),
        police: as('le-1'),
        ice: as('ice-1'),
        hhs: as('hhs-1'),
        advocate: as('adv-1'),
        policeSupervisor: policeSupervisor.headers,
      };
      const caseload = async (headers: { Authorization: string }, query: Record<string, string> = {}) =>
        CasePageSchema.parse(
          (
            await request(app)
              .get('/api/cases')
              .query({ reference: 'LIST-', ...query })
              .set(headers)
              .expect(200)
          ).body,
        ).items;

      // The probe's case: ICE, which sees its CP decisions alone, learnt from the filter whether the T visa was filed.
      expect((await caseload(readers.coordinator, { pendingKind: 't_visa_filing' })).map((c) => c.reference)).toEqual([
        'LIST-MINOR',
        'LIST-ADULT',
        'LIST-EARLY',
      ]);
      expect(await caseload(readers.ice, { pendingKind: 't_visa_filing' })).toEqual([]);
      expect(await caseload(readers.ice, { track: 't_visa' })).toEqual([]);
      // Nor the minor's HHS notice (24 hours) in ICE's counts: it would tell a minor.
      const iceMinor = (await caseload(readers.ice)).find((item) => item.reference === 'LIST-MINOR');
      expect(iceMinor).toMatchObject({ pendingSteps: 0, overdueSteps: 0, nextDueAt: null });

      // Every reader, every filter over steps: a case is listed, and counted, as its case view shows its steps.
      const before = now;
      now = new Date(startedAt.getTime() + 400 * 86_400_000);
      try {
        for (const [reader, headers] of Object.entries(readers)) {
          const items = await caseload(headers);
          const views = new Map(
            await Promise.all(
              items.map(
                async (item) =>
                  [
                    item.reference,
                    CaseViewSchema.parse(
                      (await request(app).get(`/api/cases/${item.caseId}`).set(headers).expect(200)).body,
                    ),
                  ] as const,
              ),
            ),
          );
          const matching = (test: (step: ReturnType<typeof CaseViewSchema.parse>['steps'][number]) => boolean) =>
            [...views].filter(([, view]) => view.steps.some(test)).map(([reference]) => reference);
          const listed = async (query: Record<string, string>) =>
            (await caseload(headers, query)).map((item) => item.reference);

          for (const item of items) {
            const pending = views.get(item.reference)!.steps.filter((step) => step.status === 'pending');
            const dues = pending.flatMap((step) => (step.dueAt === null ? [] : [Date.parse(step.dueAt)]));
            expect({ reader, case: item.reference, ...item }).toMatchObject({
              reader,
              case: item.reference,
              pendingSteps: pending.length,
              overdueSteps: pending.filter((step) => step.overdue).length,
              nextDueAt: dues.length === 0 ? null : new Date(Math.min(...dues)).toISOString(),
            });
          }
          for (const kind of STEP_KINDS) {
            const expected = matching((step) => step.status === 'pending' && step.kind === kind);
            expect({ reader, kind, listed: await listed({ pendingKind: kind }) }).toEqual({
              reader,
              kind,
              listed: expected,
            });
          }
          for (const track of TRACKS) {
            const expected = matching((step) => step.track === track);
            expect({ reader, track, listed: await listed({ track }) }).toEqual({ reader, track, listed: expected });
          }
          for (const overdue of [true, false]) {
            const expected = [...views]
              .filter(([, view]) => view.steps.some((step) => step.overdue) === overdue)
              .map(([reference]) => reference);
            const found = await listed({ overdue: String(overdue) });
            expect({ reader, overdue, listed: found }).toEqual({ reader, overdue, listed: expected });
          }
        }
      } finally {
        now = before;
      }
    });

    test('pages with cursors, each case once; other agencies see none of these cases', async () => {
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const res = await list({ reference: 'LIST-', limit: '1', ...(cursor ? { cursor } : {}) }).expect(200);
        const page = CasePageSchema.parse(res.body);
        seen.push(...page.items.map((item) => item.reference));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      expect(seen).toEqual(['LIST-MINOR', 'LIST-ADULT', 'LIST-EARLY']);

      expect(references((await list({ reference: 'LIST-' }, 'le-2').expect(200)).body)).toEqual([]);
      expect(references((await list({ reference: 'LIST-', agencyId: 'le-2' }).expect(200)).body)).toEqual([]);
      expect(references((await list({ reference: 'LIST-', agencyId: 'hhs-1' }, 'le-1').expect(200)).body)).toHaveLength(
        3,
      );
    });

    test.each([
      [{ overdue: 'maybe' }, 'overdue'],
      [{ status: 'pending' }, 'status'],
      [{ reference: 'LIST_%' }, 'reference'],
      [{ openedFrom: '2027-02-30' }, 'openedFrom'],
      // A day, read where the identification was made: an instant has no such day.
      [{ identifiedFrom: '2027-01-04T00:00:00Z' }, 'identifiedFrom'],
      [{ cursor: 'not-a-cursor' }, 'cursor'],
    ])('refuses %j naming the field', async (query, field) => {
      const res = await list(query).expect(400);
      expect((res.body as { errors: { field: string }[] }).errors.map((e) => e.field)).toContain(field);
    });

    test('a limit refused says what is expected, and that it was sent twice when it was', async () => {
      const expected = 'expected a whole number from 1 to 200';
      const errors = (res: request.Response) => (res.body as { errors: unknown[] }).errors;
      // Decimal digits only, as the documented integer: not what Number() would also read (hex, exponents, spaces).
      // A number too long for any page is refused once, not once per check it fails.
      for (const limit of ['abc', '0', '201', '1.5', '0x10', '1e2', ' 5', '5 ', '+5', '99999999999999999999'])
        expect([limit, errors(await list({ limit }).expect(400))]).toEqual([
          limit,
          [{ field: 'limit', message: expected }],
        ]);
      await list({ limit: '007' }).expect(200);
      const twice = await request(app).get('/api/cases?limit=5&limit=6').set(as('coord-1')).expect(400);
      expect(errors(twice)).toEqual([{ field: 'limit', message: `sent twice: send it once (${expected})` }]);
      const searched = await request(app)
        .post('/api/cases/search')
        .set(as('coord-1'))
        .send({ name: 'maria', limit: 'abc' })
        .expect(422);
      expect(errors(searched)).toEqual([{ field: 'limit', message: expected }]);
      // In the search's body, as in its query (`"20"`), or a JSON integer; not a list, hex or an exponent.
      for (const limit of [['2'], '0x2', '1e1', 2.5, true, null]) {
        const refused = await request(app)
          .post('/api/cases/search')
          .set(as('coord-1'))
          .send({ name: 'maria', limit })
          .expect(422);
        expect([limit, errors(refused)]).toEqual([limit, [{ field: 'limit', message: expected }]]);
      }
      for (const limit of ['2', 2])
        await request(app).post('/api/cases/search').set(as('coord-1')).send({ name: 'maria', limit }).expect(200);
    });

    // An end before its start selects nothing: refused as the compliance report refuses it, naming the end, rather
    // than answered with an empty page that reads as "no such cases".
    test.each([
      [{ openedFrom: '2026-12-10', openedTo: '2026-12-01' }, 'openedTo', 'openedFrom'],
      [{ openedFrom: '2026-12-10T12:00:00+02:00', openedTo: '2026-12-10' }, 'openedTo', 'openedFrom'],
      [{ identifiedFrom: '2026-12-10', identifiedTo: '2026-12-09' }, 'identifiedTo', 'identifiedFrom'],
    ])('refuses the inverted range %j, naming %s', async (query, to, from) => {
      const expected = {
        status: 400,
        code: 'invalid_query',
        errors: [{ field: to, message: `must not be before ${from}` }],
      };
      expect((await list(query).expect(400)).body).toMatchObject(expected);
      // The search takes the same filters in its body (so 422, as every body), with the same check.
      const searched = await request(app)
        .post('/api/cases/search')
        .set(as('coord-1'))
        .send({ name: 'maria', ...query })
        .expect(422);
      expect(searched.body).toMatchObject({ ...expected, status: 422, code: 'invalid_body' });
    });

    test('takes a range of one day, and the steps list refuses dueBefore before dueAfter', async () => {
      await list({ openedFrom: '2026-12-10', openedTo: '2026-12-10T00:00:00Z' }).expect(200);
      await list({ identifiedFrom: '2026-12-10', identifiedTo: '2026-12-10' }).expect(200);
      const steps = await request(app)
        .get('/api/steps?dueAfter=2026-12-10&dueBefore=2026-12-01')
        .set(as('coord-1'))
        .expect(400);
      expect(steps.body).toMatchObject({ errors: [{ field: 'dueBefore', message: 'must not be before dueAfter' }] });
    });

    test('the steps list takes the midnights moved across its bounds, one or repeated, only with their bound', async () => {
      await request(app)
        .get('/api/steps?dueAfter=2026-12-09T14:00:00Z&dueAfterExcept=2026-12-10T06:00:00Z')
        .set(as('coord-1'))
        .expect(200);
      await request(app)
        .get(
          '/api/steps?dueBefore=2026-12-10T14:00:00Z&dueBeforeAlso=2026-12-10T14:00:00Z&dueBeforeAlso=2026-12-11T06:00:00Z',
        )
        .set(as('coord-1'))
        .expect(200);
      const alone = await request(app)
        .get('/api/steps?dueBeforeAlso=2026-12-11T06:00:00Z')
        .set(as('coord-1'))
        .expect(400);
      expect(alone.body).toMatchObject({
        errors: [{ field: 'dueBeforeAlso', message: 'is only taken with dueBefore' }],
      });
      const notAnInstant = await request(app)
        .get('/api/steps?dueAfter=2026-12-10&dueAfterExcept=2026-12-10')
        .set(as('coord-1'))
        .expect(400);
      expect(notAnInstant.body).toMatchObject({ errors: [{ field: 'dueAfterExcept.0' }] });
    });
  });

  describe("correcting the survivor's record", () => {
    test('a correction keeps what it replaced, sealed, and is audited; the birth date is not correctable', async () => {
      const opened = await openCase({ reference: 'SURVIVOR-FIX' });
      const path = `/api/cases/${opened.caseId}/survivor`;
      const corrected = await request(app)
        .post(path)
        .set(as('adv-1'))
        .set('Idempotency-Key', newKey())
        .send({ contact: 'Shelter line 555-0100', aNumber: '', preferredLanguage: 'es' })
        .expect(200);
      expect(corrected.headers['cache-control']).toBe('no-store');
      expect(corrected.body).toEqual({
        identity: {
          name: 'Test Person',
          birthDate: '1990-05-01',
          contact: 'Shelter line 555-0100',
          preferredLanguage: 'es',
        },
        changedFields: ['aNumber', 'contact', 'preferredLanguage'],
        corrections: 1,
      });
      // The same correction again changes nothing and keeps no second revision.
      await request(app)
        .post(path)
        .set(as('adv-1'))
        .set('Idempotency-Key', newKey())
        .send({ contact: 'Shelter line 555-0100' })
        .expect(200)
        .expect((res) => expect((res.body as { changedFields: string[] }).changedFields).toEqual([]));

      const read = await request(app).get(path).set(as('le-1')).expect(200);
      expect(read.body).toMatchObject({ contact: 'Shelter line 555-0100', preferredLanguage: 'es', corrections: 1 });
      expect(read.body).not.toHaveProperty('aNumber');
      const revisions = await request(app).get(`${path}/revisions`).set(as('le-1')).expect(200);
      expect(revisions.body).toMatchObject({
        items: [
          {
            revision: 1,
            identity: { name: 'Test Person', aNumber: 'A123456789' },
            changedFields: ['aNumber', 'contact', 'preferredLanguage'],
            changedBy: workers['adv-1']!.user.id,
            changedByName: workers['adv-1']!.user.displayName,
            changedByAgencyId: workers['adv-1']!.user.agencyId,
          },
        ],
      });

      // At rest the earlier identity is ciphertext only.
      const { rows } = await stack.pool.query<{ sealed: Buffer }>(
        'SELECT identity_ciphertext AS sealed FROM survivor_revisions WHERE case_id = $1',
        [opened.caseId],
      );
      expect(rows).toHaveLength(1);
      expect(rows[0]!.sealed.toString('latin1')).not.toContain('A123456789');
      expect(rows[0]!.sealed.toString('latin1')).not.toContain('Test Person');
      const audit = await stack.pool.query<{ action: string; outcome: string }>(
        "SELECT action, outcome FROM audit_events WHERE case_id = $1 AND action LIKE 'survivor.%' ORDER BY id",
        [opened.caseId],
      );
      expect(audit.rows.map((row) => `${row.action} ${row.outcome}`)).toEqual([
        'survivor.correct allowed',
        'survivor.correct allowed',
        'survivor.read allowed',
        'survivor.read_revisions allowed',
      ]);

      for (const [body, field] of [
        [{ birthDate: '1991-01-01' }, 'birthDate'],
        [{ aNumber: '12' }, 'aNumber'],
        [{ preferredLanguage: 'Spanish please' }, 'preferredLanguage'],
      ] as const) {
        const refused = await request(app)
          .post(path)
          .set(as('adv-1'))
          .set('Idempotency-Key', newKey())
          .send(body)
          .expect(422);
        expect((refused.body as { errors: { field: string }[] }).errors.map((e) => e.field)).toContain(field);
      }
      // The birth date is refused saying why and what to do, not as an unknown field.
      const birthDate = await request(app)
        .post(path)
        .set(as('adv-1'))
        .set('Idempotency-Key', newKey())
        .send({ birthDate: '1991-01-01', contact: 'Shelter line 555-0100' })
        .expect(422);
      expect(birthDate.body).toMatchObject({
        errors: [
          {
            field: 'birthDate',
            message:
              "the birth date cannot be corrected: it decided the case's path and deadlines when the case opened; if it was entered wrongly, the case's coordinator withdraws the case (reason: opened in error) and it is opened again with the right one",
          },
        ],
      });
      const empty = await request(app)
        .post(path)
        .set(as('adv-1'))
        .set('Idempotency-Key', newKey())
        .send({})
        .expect(422);
      expect(JSON.stringify(empty.body)).toContain('give at least one of');
      const countOnly = await request(app)
        .post(path)
        .set(as('adv-1'))
        .set('Idempotency-Key', newKey())
        .send({ expectedCorrections: 1 })
        .expect(422);
      expect(JSON.stringify(countOnly.body)).toContain('give at least one of');
    });

    test('a field corrected since the identity was read is not overwritten unseen; the other fields are corrected', async () => {
      const opened = await openCase({
        survivor: { name: 'Test Person', birthDate: '1990-05-01', contact: 'Old phone 312-555-0111' },
      });
      const path = `/api/cases/${opened.caseId}/survivor`;
      // The officer reads the identity; the coordinator then corrects the contact to a safe line.
      const read = await request(app).get(path).set(as('le-1')).expect(200);
      expect(read.body).toMatchObject({ contact: 'Old phone 312-555-0111', corrections: 0 });
      await request(app)
        .post(path)
        .set(as('coord-1'))
        .set('Idempotency-Key', newKey())
        .send({ contact: 'SAFE: shelter line only', expectedCorrections: 0 })
        .expect(200)
        .expect((res) => expect(res.body).toMatchObject({ changedFields: ['contact'], corrections: 1 }));

      // The officer's correction of the contact, from what they read: refused, naming it; nothing written.
      const refused = await request(app)
        .post(path)
        .set(as('le-1'))
        .set('Idempotency-Key', newKey())
        .send({ contact: 'Old phone 312-555-0111', aNumber: 'A123456789', expectedCorrections: 0 })
        .expect(409);
      expect(refused.body).toMatchObject({
        code: 'survivor_corrected_meanwhile',
        errors: [{ field: 'contact', message: expect.stringMatching(/corrected by someone else/) as string }],
      });
      expect(refused.body).not.toHaveProperty('errors.1');
      expect(JSON.stringify(refused.body)).not.toContain('SAFE');
      await request(app)
        .get(path)
        .set(as('le-1'))
        .expect((res) => expect(res.body).toMatchObject({ contact: 'SAFE: shelter line only', corrections: 1 }));

      // Another field, or the same value the correction made, is no conflict: the A-number is corrected, the line kept.
      await request(app)
        .post(path)
        .set(as('le-1'))
        .set('Idempotency-Key', newKey())
        .send({ aNumber: 'A123456789', contact: 'SAFE: shelter line only', expectedCorrections: 0 })
        .expect(200)
        .expect((res) =>
          expect(res.body).toMatchObject({
            identity: { aNumber: 'A123456789', contact: 'SAFE: shelter line only' },
            changedFields: ['aNumber'],
            corrections: 2,
          }),
        );
      // Read again, the contact is the officer's to correct; a count the identity never had is refused.
      await request(app)
        .post(path)
        .set(as('le-1'))
        .set('Idempotency-Key', newKey())
        .send({ contact: 'Shelter office', expectedCorrections: 2 })
        .expect(200);
      const unknown = await request(app)
        .post(path)
        .set(as('le-1'))
        .set('Idempotency-Key', newKey())
        .send({ contact: 'Shelter office, 312-555-0100', expectedCorrections: 9 })
        .expect(409);
      expect(unknown.body).toMatchObject({
        code: 'survivor_corrected_meanwhile',
        errors: [{ field: 'expectedCorrections' }],
      });
      const audit = await stack.pool.query<{ outcome: string }>(
        "SELECT outcome FROM audit_events WHERE case_id = $1 AND action = 'survivor.correct' ORDER BY id",
        [opened.caseId],
      );
      expect(audit.rows.map((row) => row.outcome)).toEqual(['allowed', 'rejected', 'allowed', 'allowed', 'rejected']);
    });

    test('a correction retried under its key is answered as the first was; the key store keeps no identity in clear', async () => {
      const opened = await openCase({
        survivor: { name: 'Ottilie Brandvold', birthDate: '1990-05-01', contact: 'Old phone 312-555-0111' },
      });
      const path = `/api/cases/${opened.caseId}/survivor`;
      const key = newKey();
      const send = (body: object) => request(app).post(path).set(as('adv-1')).set('Idempotency-Key', key).send(body);
      const correction = {
        name: 'Ottilie Brandvold Quenneville',
        contact: 'Shelter line 555-0199',
        expectedCorrections: 0,
      };

      const first = await send(correction).expect(200);
      expect(first.body).toEqual({
        identity: { name: 'Ottilie Brandvold Quenneville', birthDate: '1990-05-01', contact: 'Shelter line 555-0199' },
        changedFields: ['name', 'contact'],
        corrections: 1,
      });
      // The answer was lost: the same request again is told what it did, not that nothing changed.
      const retried = await send(correction).expect(200);
      expect(retried.headers['idempotent-replayed']).toBe('true');
      expect(retried.body).toEqual(first.body);
      const changed = await send({ ...correction, contact: 'Shelter line 555-0200' }).expect(422);
      expect((changed.body as { code: string }).code).toBe('idempotency_key_reused');

      // Sent twice at once under a new key: applied once; the other is told it is in progress, or what the first did.
      const twice = newKey();
      const again = { aNumber: 'A987654321', expectedCorrections: 1 };
      const both = await Promise.all(
        [0, 1].map(() => request(app).post(path).set(as('adv-1')).set('Idempotency-Key', twice).send(again)),
      );
      for (const res of both) {
        if (res.status === 409) expect((res.body as { code: string }).code).toBe('idempotency_in_progress');
        else expect(res.body).toMatchObject({ changedFields: ['aNumber'], corrections: 2 });
      }
      const revisions = await stack.pool.query('SELECT 1 FROM survivor_revisions WHERE case_id = $1', [opened.caseId]);
      expect(revisions.rows).toHaveLength(2);

      // Every answer the key store keeps, this correction's among them, read back as text.
      const keyStore = (await databaseRows(stack)).filter((row) => row.table === 'idempotency_keys');
      expect(keyStore.some((row) => row.text.includes('sealedIdentity'))).toBe(true);
      const needles = ['ottilie', 'brandvold', 'quenneville', '555-0199', '312-555-0111', 'a987654321'];
      expect(needlesIn(needles, keyStore.map((row) => row.text).join('\n'))).toEqual([]);
    });

    test('a correction whose API died before storing its answer is answered by its retry with what it changed (probe Q4)', async () => {
      // A reference the corrected name is in: the advocate's null is needed, so accepted (probe V2).
      const opened = await openCase({
        reference: 'OYELARAN-Q4',
        survivor: { name: 'Solveig Marrant', birthDate: '1990-05-01', contact: 'Old phone 312-555-0111' },
      });
      const key = newKey();
      const correction = { name: 'Solveig Marrant Oyelaran', contact: 'Shelter line 555-0177', expectedCorrections: 0 };
      const send = () =>
        request(app)
          .post(`/api/cases/${opened.caseId}/survivor`)
          .set(as('adv-1'))
          .set('Idempotency-Key', key)
          .send({ ...correction, reference: null });
      const first = await send().expect(200);
      expect(first.body).toMatchObject({ changedFields: ['name', 'contact', 'reference'], corrections: 1 });
      expect((first.body as { reference?: string }).reference).toMatch(/^RC-/);

      // The process died after the correction committed, before its answer was stored: the key is left claimed and
      // unanswered, and older than the takeover time, so the retry runs the request again.
      const { rowCount } = await stack.pool.query(
        `UPDATE idempotency_keys SET status_code = NULL, response = NULL, completed_at = NULL,
         created_at = created_at - interval '1 hour' WHERE key = $1`,
        [key],
      );
      expect(rowCount).toBe(1);
      const retried = await send().expect(200);
      expect(retried.body).toEqual(first.body);
      const revisions = await stack.pool.query('SELECT 1 FROM survivor_revisions WHERE case_id = $1', [opened.caseId]);
      expect(revisions.rows).toHaveLength(1);
    });

    test('a correction replayed after its corrector stopped working the case shows them no identity', async () => {
      const opened = await openCase({ survivor: { name: 'Henrike Alvestad', birthDate: '1991-03-02' } });
      const advocate = await createTestUser(stack.pool, {
        username: `adv-leaving-${process.pid}`,
        agencyId: 'adv-1',
        roles: ['advocate'],
        password: TEST_PASSWORD,
      });
      const key = newKey();
      const send = () =>
        request(app)
          .post(`/api/cases/${opened.caseId}/survivor`)
          .set(advocate.headers)
          .set('Idempotency-Key', key)
          .send({ contact: 'Shelter line 555-0142', expectedCorrections: 0 });
      await send().expect(200);
      // Moved to oversight: a supervisor of the agency does not read the survivor's identity.
      await stack.pool.query(`UPDATE users SET roles = '{supervisor}' WHERE id = $1`, [advocate.user.id]);

      const replayed = await send().expect(403);
      expect(JSON.stringify(replayed.body)).not.toMatch(/Henrike|Alvestad|555-0142/);
    });

    describe('a correction the case reference would name the survivor by (probe N5)', () => {
      const correct = (caseId: string, body: object, key = newKey(), by: Parameters<typeof as>[0] = 'le-1') =>
        request(app).post(`/api/cases/${caseId}/survivor`).set(as(by)).set('Idempotency-Key', key).send(body);
      /** A correction by the survivor's advocate, of another agency than the police who opened the case. */
      const advocateCorrects = (caseId: string, body: object) => correct(caseId, body, newKey(), 'adv-1');
      const caseload = async (reference: string) =>
        (
          (await request(app).get(`/api/cases?reference=${reference}`).set(as('le-1')).expect(200)).body as {
            items: { caseId: string }[];
          }
        ).items.map((item) => item.caseId);

      test('is refused, naming reference, with nothing saved; with a new reference the case is known by it alone', async () => {
        const opened = await openCase({
          reference: 'KAI-0012',
          survivor: { name: 'Lee Probe Doce', birthDate: '1990-05-01' },
        });
        const taken = await openCase({ reference: 'TF-2026-0098' });
        const path = `/api/cases/${opened.caseId}/survivor`;

        const refused = await correct(opened.caseId, { name: 'Kai Lee Probe', expectedCorrections: 0 }).expect(422);
        expect(refused.body).toMatchObject({
          code: 'reference_names_survivor',
          errors: [{ field: 'reference', message: expect.stringContaining('a word of the survivor’s name') as string }],
        });
        expect(JSON.stringify(refused.body)).not.toMatch(/Kai Lee/);
        // Left out, a correction keeps the case's reference: the field says how to have one assigned instead.
        expect((refused.body as { errors: { message: string }[] }).errors[0]!.message).toMatch(
          /send "reference": null to have one assigned$/,
        );
        // A new reference the agency has (in other letters' case), or one naming the corrected survivor: refused too.
        const takenAnswer = await correct(opened.caseId, { name: 'Kai Lee Probe', reference: 'tf-2026-0098' }).expect(
          409,
        );
        expect(takenAnswer.body).toMatchObject({ code: 'reference_taken', errors: [{ field: 'reference' }] });
        expect((takenAnswer.body as { detail: string }).detail).toMatch(
          /send "reference": null to have one assigned\.$/,
        );
        const naming = await correct(opened.caseId, { name: 'Kai Lee Probe', reference: 'PD-KAI-7' }).expect(422);
        expect(naming.body).toMatchObject({ code: 'reference_names_survivor', errors: [{ field: 'reference' }] });
        await request(app)
          .get(path)
          .set(as('le-1'))
          .expect((res) => expect(res.body).toMatchObject({ name: 'Lee Probe Doce', corrections: 0 }));
        expect(await caseload('KAI-0012')).toEqual([opened.caseId]);

        const key = newKey();
        const body = { name: 'Kai Lee Probe', expectedCorrections: 0, reference: 'TF-2026-0099' };
        const corrected = await correct(opened.caseId, body, key).expect(200);
        expect(corrected.body).toEqual({
          identity: { name: 'Kai Lee Probe', birthDate: '1990-05-01' },
          changedFields: ['name', 'reference'],
          corrections: 1,
          reference: 'TF-2026-0099',
        });
        const retried = await correct(opened.caseId, body, key).expect(200);
        expect(retried.body).toEqual(corrected.body);

        // The case view, the caseload's search and a later projection (a sign-off) read the new reference only.
        await request(app)
          .post(`/api/cases/${opened.caseId}/steps/cp_request-1/sign-off`)
          .set(as('le-1'))
          .set('Idempotency-Key', newKey())
          .send({ outcome: 'requested', details: { requestedOn: today } })
          .expect(200)
          .expect((res) => expect((res.body as CaseBody).reference).toBe('TF-2026-0099'));
        expect(await caseload('tf-2026-0099')).toEqual([opened.caseId]);
        expect(await caseload('KAI-0012')).toEqual([]);
        expect(await caseload(taken.reference)).toEqual([taken.caseId]);
        const audit = await stack.pool.query<{ outcome: string; detail: string | null }>(
          "SELECT outcome, detail FROM audit_events WHERE case_id = $1 AND action = 'survivor.correct' ORDER BY id",
          [opened.caseId],
        );
        expect(audit.rows).toEqual([
          { outcome: 'rejected', detail: 'reference_names_survivor' },
          { outcome: 'rejected', detail: 'reference_taken' },
          { outcome: 'rejected', detail: 'reference_names_survivor' },
          { outcome: 'allowed', detail: 'new reference TF-2026-0099' },
          { outcome: 'allowed', detail: 'new reference TF-2026-0099; replayed' },
        ]);
      });

      test('a new A-number or contact the reference would hold is refused as a new name is (probe D5)', async () => {
        const opened = await openCase({ reference: 'PD-98765432', survivor: { ...nadia, aNumber: 'A123456789' } });
        const identityNow = async () =>
          (await request(app).get(`/api/cases/${opened.caseId}/survivor`).set(as('le-1')).expect(200)).body as object;
        const before = await identityNow();
        // The correction gives the case a new reference holding the new A-number: refused, nothing saved.
        const given = await correct(opened.caseId, { aNumber: 'A987654321', reference: 'A987654321' }).expect(422);
        expect(given.body).toMatchObject({
          code: 'reference_names_survivor',
          errors: [{ field: 'reference', message: expect.stringContaining('the survivor’s A-number') as string }],
        });
        expect(JSON.stringify(given.body)).not.toMatch(/987654321/);
        // The case's own reference would hold the A-number as corrected, or the contact: refused the same way.
        const kept = await correct(opened.caseId, { aNumber: 'A098765432' }).expect(422);
        expect(kept.body).toMatchObject({ code: 'reference_names_survivor', errors: [{ field: 'reference' }] });
        await correct(opened.caseId, { contact: '+1 987-654-3200', reference: 'PD-6543200' })
          .expect(422)
          .expect((res) => expect(JSON.stringify(res.body)).toContain('the survivor’s contact'));
        expect(await identityNow()).toEqual(before);
        // With one assigned, the correction is made.
        const corrected = await correct(opened.caseId, { aNumber: 'A098765432', reference: null }).expect(200);
        expect((corrected.body as { reference: string }).reference).toMatch(/^RC-\d{4}-[0-9A-F]{8}$/);
      });

      test('a reference of null has one assigned; a PUT of the identity is held to the same rule', async () => {
        const opened = await openCase({
          reference: 'MIRA-0013',
          survivor: { name: 'Probe Trece', birthDate: '1990-05-01' },
        });
        const corrected = await correct(opened.caseId, { name: 'Mira Probe Trece', reference: null }).expect(200);
        const assigned = (corrected.body as { reference: string }).reference;
        expect(assigned).toMatch(/^RC-\d{4}-[0-9A-F]{8}$/);
        expect(await caseload(assigned)).toEqual([opened.caseId]);
        // The assigned reference, nobody's typing, is not read for the name: a later correction keeps it.
        await correct(opened.caseId, { contact: 'Shelter line 555-0101' })
          .expect(200)
          .expect((res) => expect(res.body).not.toHaveProperty('reference'));

        const lost = await openCase({
          reference: 'ZOE-0014',
          survivor: { name: 'Probe Catorce', birthDate: '1990-05-01' },
        });
        await deleteSurvivor(stack.pool, lost.caseId);
        const enter = (body: object) =>
          request(app).put(`/api/cases/${lost.caseId}/survivor`).set(as('le-1')).send(body);
        const identity = { name: 'Zoe Probe Catorce', birthDate: '1990-05-01' };
        const refused = await enter(identity).expect(422);
        expect(refused.body).toMatchObject({ code: 'reference_names_survivor', errors: [{ field: 'reference' }] });
        await request(app).get(`/api/cases/${lost.caseId}/survivor`).set(as('le-1')).expect(404);
        await enter({ ...identity, reference: 'TF-2026-0100' })
          .expect(201)
          .expect((res) => expect(res.body).toEqual({ ...identity, reference: 'TF-2026-0100' }));
        expect(await caseload('TF-2026-0100')).toEqual([lost.caseId]);
      });

      test('the replaced reference is in no answer of the case, for any reader (probe T1)', async () => {
        const opened = await openCase({
          reference: 'ZAN-T1Q7',
          survivor: { name: 'Brolt Tester', birthDate: '1990-05-01' },
        });
        const corrected = await correct(opened.caseId, { name: 'Zan Brolt', reference: null }).expect(200);
        const assigned = (corrected.body as { reference: string }).reference;
        for (const reader of ['ice-1', 'coord-1', 'le-1'] as const) {
          const read = await request(app).get(`/api/cases/${opened.caseId}`).set(as(reader)).expect(200);
          expect(JSON.stringify(read.body)).not.toMatch(/ZAN-T1Q7/i);
          const { timeline } = read.body as { timeline: { type: string; summary: string }[] };
          expect(timeline.find((entry) => entry.type === 'case.opened')?.summary).toMatch(
            new RegExp(`^case ${assigned} opened on the adult path \\(policy `),
          );
        }
      });

      test('the replaced reference stays reserved as the case’s former number: no other case of the agency opens with it (probe T1)', async () => {
        const opened = await openCase({
          reference: 'ZAN-T1Q8',
          survivor: { name: 'Brolt Tester', birthDate: '1990-05-01' },
        });
        await correct(opened.caseId, { name: 'Zan Brolt', reference: null }).expect(200);
        for (const reference of ['ZAN-T1Q8', 'zan-t1q8']) {
          const refused = await request(app)
            .post('/api/cases')
            .set(as('le-1'))
            .set('Idempotency-Key', newKey())
            .send(openRequest({ reference }))
            .expect(409);
          expect(refused.body).toMatchObject({ code: 'reference_taken' });
        }
      });

      test('another agency may only ask for an assigned reference, not give the case a number (probe T3)', async () => {
        const opened = await openCase({
          reference: 'PD-T3-0001',
          survivor: { name: 'Ilse Varga', birthDate: '1990-05-01' },
        });
        await openCase({ reference: 'PD-T3-0002' });
        const advocate = (body: object) => advocateCorrects(opened.caseId, body);
        for (const reference of ['ADV-T3-0001', 'PD-T3-0002']) {
          const refused = await advocate({ contact: 'Shelter line 555-0131', reference }).expect(403);
          expect(refused.body).toMatchObject({
            code: 'reference_not_yours',
            errors: [
              {
                field: 'reference',
                message:
                  'only Test Police Unit can give this case its own case number; send "reference": null to have one assigned',
              },
            ],
          });
        }
        await request(app)
          .get(`/api/cases/${opened.caseId}/survivor`)
          .set(as('adv-1'))
          .expect((res) => expect(res.body).toMatchObject({ corrections: 0 }))
          .expect((res) => expect(res.body).not.toHaveProperty('contact'));
        expect(await caseload('PD-T3-0001')).toEqual([opened.caseId]);

        // The case's own reference sent back unchanged asks nothing: the contact is corrected, the reference kept.
        await advocate({ contact: 'Shelter line 555-0131', reference: 'PD-T3-0001' })
          .expect(200)
          .expect((res) => expect(res.body).not.toHaveProperty('reference'));
        expect(await caseload('PD-T3-0001')).toEqual([opened.caseId]);
      });

      test("another agency's null replaces the police's number only when it would name the survivor (probe V2)", async () => {
        const opened = await openCase({
          reference: 'KAI-V2-0012',
          survivor: { name: 'Ilse Varga', birthDate: '1990-05-01' },
        });
        const advocate = (body: object) => advocateCorrects(opened.caseId, body);
        const kept = await advocate({ contact: 'Shelter line 555-0132', reference: null }).expect(403);
        expect(kept.body).toMatchObject({
          code: 'reference_not_yours',
          errors: [
            {
              field: 'reference',
              message:
                'does not say who the survivor is as corrected, so it is kept: leave "reference" out (only Test Police Unit can replace it)',
            },
          ],
        });
        expect(await caseload('KAI-V2-0012')).toEqual([opened.caseId]);
        await request(app)
          .get(`/api/cases/${opened.caseId}/survivor`)
          .set(as('adv-1'))
          .expect((res) => expect(res.body).toMatchObject({ corrections: 0 }));

        const replaced = await advocate({ name: 'Kai Varga', reference: null }).expect(200);
        expect(replaced.body).toMatchObject({
          changedFields: ['name', 'reference'],
          reference: expect.stringMatching(/^RC-\d{4}-[0-9A-F]{8}$/) as unknown,
        });
        expect(await caseload('KAI-V2-0012')).toEqual([]);
        // The police, reading the revisions, see that the number they knew the case by was replaced, and by whom.
        const revisions = await request(app)
          .get(`/api/cases/${opened.caseId}/survivor/revisions`)
          .set(as('le-1'))
          .expect(200);
        expect(revisions.body).toMatchObject({
          items: [{ changedFields: ['name', 'reference'], changedBy: expect.any(String) as unknown }],
        });
      });

      describe('the police told that another agency replaced their number', () => {
        /** What the police were told of the case: its emails to them and their in-app notices, by its new reference. */
        const toldOf = async (caseId: string, reference: string) => {
          const emails = stack.mail.messages().filter((m) => m.subject.includes(reference));
          const notices = (
            (await request(app).get(`/api/notifications?caseId=${caseId}`).set(as('le-1')).expect(200)).body as {
              items: {
                kind: string;
                recipientAgencyId: string;
                reference: string;
                subject: string;
                bodyText: string;
                sentAt: string | null;
              }[];
            }
          ).items.filter((item) => item.kind === 'reference_replaced');
          return { emails, notices };
        };

        test("once, by email and in the app, after the advocate's correction replaced it, retried or not", async () => {
          const opened = await openCase({
            reference: 'KAI-W1-0012',
            survivor: { name: 'Ilse Varga', birthDate: '1990-05-01' },
          });
          const key = newKey();
          const replace = () => correct(opened.caseId, { name: 'Kai Varga', reference: null }, key, 'adv-1');
          const replaced = await replace().expect(200);
          const reference = (replaced.body as { reference: string }).reference;
          expect(reference).toMatch(/^RC-/);
          // Retried with the same Idempotency-Key: the stored answer, and nothing told again.
          expect((await replace().expect(200)).body).toEqual(replaced.body);
          await eventually(
            () => stack.mail.messages().some((m) => m.subject.includes(reference)),
            'the email of the replaced number',
          );
          // One notice row, written with the correction before its answer, is one delivery: no second email can follow.
          const { emails, notices } = await toldOf(opened.caseId, reference);
          expect(emails).toHaveLength(1);
          expect(emails[0]!.to).toEqual(['le@example.gov']);
          expect(emails[0]!.subject).toBe(`Case ${reference}: your case number for it was replaced by Test Legal Aid`);
          expect(emails[0]!.text).toContain('that number said who the survivor is');
          expect(emails[0]!.text).toContain(`From now on the case is found under its new reference, ${reference}`);
          expect(notices).toEqual([
            expect.objectContaining({ recipientAgencyId: 'le-1', reference, subject: emails[0]!.subject }),
          ]);
          // Neither the number replaced (it held the survivor's name) nor the survivor's name, old or new.
          for (const told of [
            ...emails.map((m) => `${m.subject}\n${m.text}`),
            ...notices.map((n) => JSON.stringify(n)),
          ])
            expect(told).not.toMatch(/KAI-W1|W1-0012|Varga|Ilse|\bKai\b/i);
        });

        test('not when the police who opened the case were transferred off it since (probe D5)', async () => {
          const opened = await openCase({
            reference: 'PD-ZED-4411',
            survivor: { name: 'Rosa Quill Probe', birthDate: '1990-05-01' },
          });
          await request(app)
            .post(`/api/cases/${opened.caseId}/transfers`)
            .set(as('coord-1'))
            .set('Idempotency-Key', newKey())
            .send({ agencyKind: 'law_enforcement', toAgencyId: 'le-2' })
            .expect(200);
          await request(app).get(`/api/cases/${opened.caseId}`).set(as('le-1')).expect(403);
          await eventually(
            async () =>
              (
                await stack.pool.query("SELECT 1 FROM notifications WHERE case_id = $1 AND kind = 'case_transferred'", [
                  opened.caseId,
                ])
              ).rowCount! >= 1,
            'the notice of the transfer to the former police (the new have no address), under the old reference',
          );
          const replaced = await correct(
            opened.caseId,
            { name: 'Zed Quill Probe', reference: null },
            newKey(),
            'coord-1',
          ).expect(200);
          expect((replaced.body as { reference: string }).reference).toMatch(/^RC-/);
          // No notice to the former police, so none delivered to it: not in the app, not by email to its address. The
          // number is the police's the case was transferred to now (probe E2), which is told in the app (no address).
          const notices = await stack.pool.query(
            'SELECT recipient_agency_id FROM notifications WHERE case_id = $1 AND kind = $2',
            [opened.caseId, 'reference_replaced'],
          );
          expect(notices.rows).toEqual([{ recipient_agency_id: 'le-2' }]);
          // The notice recorded before (the transfer's, to the former police) names the case by its new reference:
          // the one replaced, which said who the survivor is, is shown to no one again.
          // The coordinator reads every agency's notices of the case; the new police, their own.
          for (const [reader, count] of [
            ['coord-1', 1],
            ['le-2', 0],
          ] as const) {
            const page = (
              await request(app).get(`/api/notifications?caseId=${opened.caseId}`).set(as(reader)).expect(200)
            ).body as { items: { reference: string; subject: string }[] };
            expect(page.items.length).toBeGreaterThanOrEqual(count);
            expect(withoutRandomParts(JSON.stringify(page))).not.toMatch(/ZED|4411/);
            expect(
              page.items.every((item) => item.reference === (replaced.body as { reference: string }).reference),
            ).toBe(true);
          }
        });

        test('an email held back by a mail outage while the number was replaced goes out under the new one, once (probe E3)', async () => {
          const opened = await openCase({
            reference: 'PD-ZED-5511',
            survivor: { name: 'Rosa Quill Probe', birthDate: '1990-05-01' },
          });
          const transferNotice = async () =>
            (
              await stack.pool.query<{ id: string; attempts: number; sent_at: Date | null; subject: string }>(
                "SELECT id, attempts, sent_at, subject FROM notifications WHERE case_id = $1 AND kind = 'case_transferred'",
                [opened.caseId],
              )
            ).rows[0];
          let reference: string;
          await stack.mail.setDown(true);
          try {
            // The former police's notice of the transfer is written under the old number, and its email fails.
            await request(app)
              .post(`/api/cases/${opened.caseId}/transfers`)
              .set(as('coord-1'))
              .set('Idempotency-Key', newKey())
              .send({ agencyKind: 'law_enforcement', toAgencyId: 'le-2' })
              .expect(200);
            await eventually(
              async () => ((await transferNotice())?.attempts ?? 0) >= 1,
              'a failed attempt at the email of the transfer',
            );
            const replaced = await correct(
              opened.caseId,
              { name: 'Zed Quill Probe', reference: null },
              newKey(),
              'coord-1',
            ).expect(200);
            reference = (replaced.body as { reference: string }).reference;
            expect(reference).toMatch(/^RC-/);
          } finally {
            await stack.mail.setDown(false);
          }
          const row = (await transferNotice())!;
          // The row keeps what was written; the email goes out under the case's reference now.
          expect(row.subject).toContain('PD-ZED-5511');
          // Its Message-ID as ever (derived from the row, by the stack's sender's domain): a receiver drops a resend.
          const messageId = notificationMessageId(row.id, 'no-reply@relief.example.org');
          const sent = () => stack.mail.messages().filter((m) => m.messageId === messageId);
          await eventually(() => sent().length > 0, 'the email of the transfer once the mail server is back', 60_000);
          await eventually(async () => (await transferNotice())?.sent_at != null, 'its sending recorded');
          const emails = sent();
          expect(emails).toHaveLength(1);
          expect(emails[0]!.to).toEqual(['le@example.gov']);
          expect(emails[0]!.subject).toContain(reference);
          expect(emails[0]!.text).toContain(reference);
          expect(withoutRandomParts(`${emails[0]!.subject}\n${emails[0]!.text}`)).not.toMatch(/ZED|5511/);
          // Its retries, a later one included, find it sent: no second email.
          const temporal = { client: stack.client, taskQueue: stack.taskQueue };
          await startOwedDeliveries({ pool: stack.pool, temporal });
          expect(sent()).toHaveLength(1);
        }, 90_000);

        test('with the mail server down: the correction is made, the police told in the app, the email sent once back', async () => {
          const opened = await openCase({
            reference: 'KAI-W3-0012',
            survivor: { name: 'Ilse Varga', birthDate: '1990-05-01' },
          });
          let reference: string;
          await stack.mail.setDown(true);
          try {
            const replaced = await correct(opened.caseId, { name: 'Kai Varga', reference: null }, newKey(), 'adv-1');
            expect(replaced.status).toBe(200);
            reference = (replaced.body as { reference: string }).reference;
            expect(await toldOf(opened.caseId, reference)).toMatchObject({ emails: [], notices: [{ reference }] });
          } finally {
            await stack.mail.setDown(false);
          }
          // Retried by its delivery once the server is back.
          await eventually(
            () => stack.mail.messages().some((m) => m.subject.includes(reference)),
            'the email once the mail server is back',
            60_000,
          );
          expect((await toldOf(opened.caseId, reference)).emails).toHaveLength(1);
        }, 90_000);

        test('with Temporal unreachable as the correction is made: the email sent by the next sweep, once (owed deliveries)', async () => {
          const opened = await openCase({
            reference: 'KAI-W4-0012',
            survivor: { name: 'Ilse Varga', birthDate: '1990-05-01' },
          });
          // The correction needs PostgreSQL only; the delivery it starts after its commit finds nobody to talk to.
          const replaced = await request(outageApp)
            .post(`/api/cases/${opened.caseId}/survivor`)
            .set(as('adv-1'))
            .set('Idempotency-Key', newKey())
            .send({ name: 'Kai Varga', reference: null })
            .expect(200);
          const reference = (replaced.body as { reference: string }).reference;
          expect(await toldOf(opened.caseId, reference)).toMatchObject({ emails: [], notices: [{ reference }] });
          // Temporal is back: a worker's sweep starts the delivery, and a second sweep (or another worker's) finds it.
          const temporal = { client: stack.client, taskQueue: stack.taskQueue };
          expect(await startOwedDeliveries({ pool: stack.pool, temporal })).toBeGreaterThanOrEqual(1);
          await eventually(
            () => stack.mail.messages().some((m) => m.subject.includes(reference)),
            'the email once a sweep started its delivery',
          );
          // The delivery records the email sent once the mail server has answered, a moment after the capture holds it.
          await eventually(
            async () => (await toldOf(opened.caseId, reference)).notices.some((notice) => notice.sentAt),
            'the notice recorded as sent',
          );
          await startOwedDeliveries({ pool: stack.pool, temporal });
          const { emails, notices } = await toldOf(opened.caseId, reference);
          expect(emails).toHaveLength(1);
          expect(notices).toEqual([expect.objectContaining({ reference, sentAt: expect.any(String) as unknown })]);
        });

        test('not when the police replaced it themselves', async () => {
          const opened = await openCase({
            reference: 'KAI-W2-0012',
            survivor: { name: 'Ilse Varga', birthDate: '1990-05-01' },
          });
          const replaced = await correct(opened.caseId, { name: 'Kai Varga', reference: null }).expect(200);
          const reference = (replaced.body as { reference: string }).reference;
          expect(reference).toMatch(/^RC-/);
          // A notice is written with the correction, before its answer: none now is none ever, and no email without one.
          expect(await toldOf(opened.caseId, reference)).toEqual({ emails: [], notices: [] });
        });
      });

      test('a new reference that reads as assigned is refused saying to send null, not to leave it out (probe T5)', async () => {
        const opened = await openCase({ reference: 'PD-T5-0001' });
        const assignedForm = await request(app)
          .post(`/api/cases/${opened.caseId}/survivor`)
          .set(as('le-1'))
          .set('Idempotency-Key', newKey())
          .send({ contact: 'Shelter line 555-0131', reference: 'RC-2026-ABCDEF12' })
          .expect(422);
        expect((assignedForm.body as { errors: { field: string; message: string }[] }).errors).toEqual([
          {
            field: 'reference',
            message: expect.stringMatching(
              /^reads as an assigned reference .*: choose another, or send "reference": null to have one assigned$/,
            ) as unknown,
          },
        ]);
      });

      test('a case whose reference named the survivor before the rule: its contact is corrected; its name is held to it', async () => {
        const opened = await openCase({
          reference: 'TF-2026-0102',
          survivor: { name: 'Noa Probe', birthDate: '1990-05-01' },
        });
        // A reference chosen before openings were checked for the survivor's name.
        await stack.pool.query("UPDATE case_references SET reference = 'NOA-0015' WHERE case_id = $1", [opened.caseId]);
        await correct(opened.caseId, { contact: 'Shelter line 555-0102' })
          .expect(200)
          .expect((res) => expect(res.body).toMatchObject({ changedFields: ['contact'] }));
        const refused = await correct(opened.caseId, { name: 'Noa Probe Quince' }).expect(422);
        expect(refused.body).toMatchObject({ code: 'reference_names_survivor', errors: [{ field: 'reference' }] });
      });

      test('a case whose reference held the A-number before the rule keeps it: its name and contact are corrected (probe D5)', async () => {
        const opened = await openCase({
          reference: 'TF-2026-0103',
          survivor: { name: 'Ilse Probe', birthDate: '1990-05-01', aNumber: 'A246813579' },
        });
        // A reference stored before openings were checked for the A-number stays as it is.
        await stack.pool.query("UPDATE case_references SET reference = 'PD-246813579' WHERE case_id = $1", [
          opened.caseId,
        ]);
        await correct(opened.caseId, { name: 'Ilse Probe Dieciseis', contact: 'Shelter line 555-0103' })
          .expect(200)
          .expect((res) => expect(res.body).toMatchObject({ changedFields: ['name', 'contact'] }))
          .expect((res) => expect(res.body).not.toHaveProperty('reference'));
        // Its A-number corrected is read against it: its digits but the last, not held (A246813570 is another number).
        await correct(opened.caseId, { aNumber: 'A246813570' }).expect(200);
      });
    });
  });

  describe("entering a survivor's identity again after a restore", () => {
    /** What a restore from a backup older than the case leaves: the case, projected again from its workflow; no identity. */
    async function caseWithoutIdentity(survivor: { name: string; birthDate: string }) {
      const opened = await openCase({ survivor });
      await deleteSurvivor(stack.pool, opened.caseId);
      const path = `/api/cases/${opened.caseId}/survivor`;
      await request(app).get(path).set(as('le-1')).expect(404);
      return { caseId: opened.caseId, path };
    }
    const yearsBefore = (years: number, monthDay = today.slice(4)) => `${Number(today.slice(0, 4)) - years}${monthDay}`;

    test('before reproject reserved its reference again, a new reference is refused 503 saying so, not 500 (probe T5)', async () => {
      const { caseId, path } = await caseWithoutIdentity({ name: 'Test Person', birthDate: '1990-05-01' });
      // The backup was older than the case: its reference's reservation is gone too, until reproject runs.
      await stack.pool.query('DELETE FROM case_references WHERE case_id = $1', [caseId]);
      const identity = { name: 'Rosa Restored', birthDate: '1990-05-01' };
      await request(app).put(path).set(as('le-1')).send(identity).expect(201);

      const refused = await request(app)
        .post(path)
        .set(as('le-1'))
        .set('Idempotency-Key', newKey())
        .send({ name: 'Rosa Restored', reference: 'PD-T5-0778' })
        .expect(503);
      expect(refused.body).toMatchObject({ code: 'reference_not_reserved', errors: [{ field: 'reference' }] });
      expect((refused.body as { detail: string }).detail).toMatch(/reproject.*Nothing was saved/);
    });

    test('the identity is entered from the file, checked against the case; the same again is 200, another 409', async () => {
      const { caseId, path } = await caseWithoutIdentity({ name: 'Test Person', birthDate: '1990-05-01' });
      const identity = { name: 'Ramona Restored', birthDate: '1990-05-01', aNumber: 'A123456789' };

      const minor = await request(app)
        .put(path)
        .set(as('le-1'))
        .send({ ...identity, birthDate: yearsBefore(10) })
        .expect(422);
      expect(minor.body).toMatchObject({ code: 'birth_date_mismatch', errors: [{ field: 'birthDate' }] });
      expect((minor.body as { errors: { message: string }[] }).errors[0]!.message).toMatch(/a minor .* adult path/);

      await request(app)
        .put(path)
        .set(as('adv-1'))
        .send(identity)
        .expect(201)
        .expect((res) => expect(res.body).toEqual(identity));
      await request(app)
        .get(path)
        .set(as('le-1'))
        .expect(200)
        .expect((res) => expect(res.body).toEqual({ ...identity, corrections: 0 }));
      // What GET answered, sent back as it came (a client that reads, then writes what it read): the same identity.
      const enter = (body: object) => request(app).put(path).set(as('adv-1')).send(body);
      const read = (await request(app).get(path).set(as('adv-1')).expect(200)).body as object;
      expect((await enter(read).expect(200)).body).toEqual(identity);
      const miscounted = await enter({ ...identity, corrections: 'none' }).expect(422);
      expect(miscounted.body).toMatchObject({ errors: [{ field: 'corrections' }] });
      const found = await request(app).post('/api/cases/search').set(as('le-1')).send({ name: 'ramona restored' });
      expect((found.body as { items: { caseId: string }[] }).items.map((item) => item.caseId)).toEqual([caseId]);

      await request(app).put(path).set(as('adv-1')).send(identity).expect(200);
      await request(app)
        .put(path)
        .set(as('adv-1'))
        .send({ ...identity, name: 'Someone Else' })
        .expect(409)
        .expect((res) =>
          expect(res.body).toMatchObject({
            code: 'survivor_exists',
            errors: [{ field: 'name', message: expect.stringContaining('correct it with POST') as unknown }],
          }),
        );
      // Another birth date (the same path: an adult either way) is not "correct it instead": no correction takes a
      // birth date. The refusal says what is done instead, as the correction's refusal does, and names no value.
      const otherBirthDate = await request(app)
        .put(path)
        .set(as('adv-1'))
        .send({ ...identity, birthDate: '1991-05-01' })
        .expect(409);
      expect(otherBirthDate.body).toMatchObject({
        code: 'survivor_exists',
        errors: [
          { field: 'birthDate', message: expect.stringMatching(/cannot be corrected.*withdraws the case/) as unknown },
        ],
      });
      const told = (otherBirthDate.body as { detail: string }).detail;
      expect(told).toMatch(/birth date cannot be corrected.*opened in error.*opened again/);
      expect(told).not.toMatch(/correct it instead|POST/);
      expect(withoutRandomParts(JSON.stringify(otherBirthDate.body))).not.toMatch(/1991|1990|Ramona/);
      await request(app)
        .get(path)
        .set(as('le-1'))
        .expect((res) => expect((res.body as { name: string }).name).toBe('Ramona Restored'));
      const audit = await stack.pool.query<{ outcome: string }>(
        "SELECT outcome FROM audit_events WHERE case_id = $1 AND action = 'survivor.restore' AND outcome = 'allowed'",
        [caseId],
      );
      expect(audit.rows).toHaveLength(3);
    });

    test("a minor's birth date must give the 18th birthday the case's deadlines count from", async () => {
      const birthDate = yearsBefore(16);
      const { path } = await caseWithoutIdentity({ name: 'Young Person', birthDate });
      const another = await request(app)
        .put(path)
        .set(as('le-1'))
        .send({ name: 'Young Person', birthDate: yearsBefore(15) })
        .expect(422);
      expect((another.body as { errors: { field: string; message: string }[] }).errors).toEqual([
        { field: 'birthDate', message: expect.stringMatching(/not the birth date the case was opened with/) as string },
      ]);
      await request(app).put(path).set(as('le-1')).send({ name: 'Young Person', birthDate }).expect(201);
    });
  });
});
