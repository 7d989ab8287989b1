/**
 * One account's uploads must not starve everyone (outside probe Q2), on real parts (test/support/stack.ts): uploads
 * in flight beyond the caller's 2 (counted across API processes: two apps on one database here, each with the memory
 * of its own), or the process's 4, are refused 429 with Retry-After and the RateLimit headers,
 * their bodies unread; a step's document count and a case's bytes are quotas refused in words naming the field,
 * nothing stored; and while uploads hold every connection they may (their writes held up by a lock on
 * `step_documents`, taken as the owner), another user's read and the readiness check still get one. It asserts that
 * they answer, never how fast.
 */
import { randomBytes } from 'node:crypto';
import type { Express } from 'express';
import type { PoolClient } from 'pg';
import request from 'supertest';
import type { DocumentLimits } from '../../../app/document-limits';
import { readinessProbe } from '../../../app/readiness';
import { DEMO_AGENCIES } from '../../../db/seed';
import { eventually, startStack, type Stack } from '../../support/stack';

describe('document-limits', () => {
  let stack: Stack;
  let keys = 0;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });
  beforeEach(async () => {
    await stack.resetRateLimits();
  });

  const user = (username: string) => stack.users[username]!.headers;
  const POLICE = 'demo-police-officer';
  const COORDINATOR = 'demo-coordinator';

  /** A case of its own for each test: its documents are no other test's. */
  async function openCase(): Promise<string> {
    const opened = await request(stack.app)
      .post('/api/cases')
      .set(stack.as('law_enforcement'))
      .set('Idempotency-Key', `document-limits-${process.pid}-${(keys += 1)}`)
      .send({
        survivor: { name: `Limit Test ${keys}`, birthDate: '1990-01-01' },
        agencies: DEMO_AGENCIES,
        identifiedOn: '2026-11-02',
      })
      .expect(201);
    return (opened.body as { caseId: string }).caseId;
  }

  /** A PDF of its own (file-type reads the header), `size` bytes long. */
  const pdf = (size = 2000) => Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(size - 9)]);

  const upload = (app: Express, caseId: string, as: string, file = pdf()) =>
    request(app)
      .post(`/api/cases/${caseId}/steps/cp_request-1/documents`)
      .set(user(as))
      .attach('file', file, { filename: 'letter.pdf' });

  const appWith = (limits: Partial<DocumentLimits>) => stack.appWith({ documentLimits: limits });

  const storedOn = async (caseId: string) =>
    Number(
      (await stack.pool.query<{ n: string }>('SELECT count(*) AS n FROM step_documents WHERE case_id = $1', [caseId]))
        .rows[0]!.n,
    );

  /**
   * Holds every insert into `step_documents` until `release`: an upload that reached its write then holds its pool
   * connection, as a 10 MB row being written does, for as long as the test needs. Reads of the table still go through.
   * `blocked` counts the service's connections waiting on a lock: on this one, or (an upload to the same case) on the
   * case's quota lock behind it.
   */
  async function holdDocumentWrites(): Promise<{ blocked(): Promise<number>; release(): Promise<void> }> {
    const holder: PoolClient = await stack.database.owner.connect();
    await holder.query('BEGIN');
    await holder.query('LOCK TABLE step_documents IN SHARE ROW EXCLUSIVE MODE');
    let released = false;
    return {
      blocked: async () =>
        Number(
          (
            await stack.database.owner.query<{ n: string }>(
              `SELECT count(*) AS n FROM pg_stat_activity
             WHERE wait_event_type = 'Lock' AND application_name = 'jest'`,
            )
          ).rows[0]!.n,
        ),
      release: async () => {
        if (released) return;
        released = true;
        await holder.query('ROLLBACK');
        holder.release();
      },
    };
  }

  /** How a refusal says how long to wait: Retry-After and the RateLimit headers. */
  const waitOf = (res: request.Response) => ({
    retryAfter: res.headers['retry-after'],
    rateLimit: res.headers.ratelimit,
    policy: res.headers['ratelimit-policy'],
  });

  /** Sends the upload now (supertest sends on `then`), for the test to await its answer later. */
  const sent = async (test: request.Test): Promise<request.Response> => test;

  describe('uploads in flight', () => {
    it("beyond the caller's 2 at once are refused 429 with Retry-After, naming the problem; others' go on", async () => {
      const caseId = await openCase();
      const app = appWith({});
      const held = await holdDocumentWrites();
      try {
        const first = [sent(upload(app, caseId, POLICE)), sent(upload(app, caseId, POLICE))];
        await eventually(async () => (await held.blocked()) === 2, 'the two uploads to reach their write');

        const third = await upload(app, caseId, POLICE);
        expect([third.status, third.body]).toEqual([
          429,
          expect.objectContaining({
            code: 'too_many_uploads',
            detail: expect.stringContaining('uploads under way') as unknown,
          }),
        ]);
        // Its wait said as every 429 says it (app/limited-headers.ts): the caller's own count of uploads at once.
        expect(waitOf(third)).toEqual({
          retryAfter: '5',
          rateLimit: '"2-at-once"; r=0; t=5',
          policy: expect.stringMatching(
            /^"2-at-once"; q=2; qu="concurrent-requests"; pk=:[A-Za-z0-9+/=]+:$/,
          ) as unknown,
        });
        // Another user is not held to the officer's limit: the coordinator's upload is taken (it waits its turn).
        const coordinators = sent(upload(app, caseId, COORDINATOR));
        await held.release();
        expect((await Promise.all([...first, coordinators])).map((res) => res.status)).toEqual([201, 201, 201]);
      } finally {
        await held.release();
      }
      // The places are given back: the officer uploads again.
      await upload(app, caseId, POLICE).expect(201);
      expect(await storedOn(caseId)).toBe(4);
    });

    it("beyond the process's 4 at once, whoever sends them, are refused 429 uploads_busy", async () => {
      const caseId = await openCase();
      // Every upload in flight reaches its write here, so the test can see all four held.
      const app = appWith({ writeConnections: 4 });
      const held = await holdDocumentWrites();
      try {
        const four = [POLICE, POLICE, COORDINATOR, COORDINATOR].map((as) => sent(upload(app, caseId, as)));
        await eventually(async () => (await held.blocked()) === 4, 'four uploads to reach their write');

        const fifth = await upload(app, caseId, 'demo-admin');
        expect([fifth.status, fifth.body]).toEqual([429, expect.objectContaining({ code: 'uploads_busy' })]);
        // The process's count is everyone's: no partition key.
        expect(waitOf(fifth)).toEqual({
          retryAfter: '5',
          rateLimit: '"4-at-once"; r=0; t=5',
          policy: '"4-at-once"; q=4; qu="concurrent-requests"',
        });
        await held.release();
        expect((await Promise.all(four)).map((res) => res.status)).toEqual([201, 201, 201, 201]);
      } finally {
        await held.release();
      }
    });

    /**
     * Two API processes on one database (each app its own services, so its own memory: app/services.ts), and the
     * officer's two uploads held in flight on the first; the test lets them go (`held.release`).
     */
    async function twoInFlightOnOneProcess() {
      const caseId = await openCase();
      const [one, other] = [appWith({}), appWith({})];
      const held = await holdDocumentWrites();
      const first = [sent(upload(one, caseId, POLICE)), sent(upload(one, caseId, POLICE))];
      try {
        await eventually(async () => (await held.blocked()) === 2, 'the two uploads to reach their write');
      } catch (error) {
        await held.release();
        throw error;
      }
      return { caseId, one, other, held, first };
    }

    it("a user's 2 at once are counted across API processes: the third, sent to another process, is refused 429", async () => {
      const { caseId, one, other, held, first } = await twoInFlightOnOneProcess();
      try {
        // Counted per process, the other process had none of the officer's in flight and took it (three at once).
        const third = await upload(other, caseId, POLICE);
        expect([third.status, third.body]).toEqual([429, expect.objectContaining({ code: 'too_many_uploads' })]);
        expect(waitOf(third)).toMatchObject({ retryAfter: '5', rateLimit: '"2-at-once"; r=0; t=5' });
        await held.release();
        expect((await Promise.all(first)).map((res) => res.status)).toEqual([201, 201]);
      } finally {
        await held.release();
      }
      // Given back at their end, wherever they were taken: the officer uploads to the other process, twice at once.
      const again = await Promise.all([sent(upload(other, caseId, POLICE)), sent(upload(one, caseId, POLICE))]);
      expect(again.map((res) => res.status)).toEqual([201, 201]);
      expect(await storedOn(caseId)).toBe(4);
    });

    it('a place a process never gave back (it died mid-upload) is free again once its time is up', async () => {
      const { caseId, other, held, first } = await twoInFlightOnOneProcess();
      try {
        expect((await upload(other, caseId, POLICE)).status).toBe(429);
        // As if UPLOAD_PLACE_MS had passed: the places' time is up, as a killed process's would be.
        await stack.pool.query(
          "UPDATE rate_limit_hits SET window_ends_at = statement_timestamp() - interval '1 second'",
        );
        const taken = sent(upload(other, caseId, POLICE));
        await eventually(async () => (await held.blocked()) === 3, 'the third upload to reach its write');
        await held.release();
        expect((await Promise.all([...first, taken])).map((res) => res.status)).toEqual([201, 201, 201]);
      } finally {
        await held.release();
      }
    });
  });

  describe('quotas', () => {
    it('a step holding its most documents refuses another, 422 naming the field; the same content still answers 200', async () => {
      const caseId = await openCase();
      const app = appWith({ documentsPerStep: 2 });
      const letter = pdf();
      await upload(app, caseId, POLICE, letter).expect(201);
      await upload(app, caseId, POLICE).expect(201);

      const refused = await upload(app, caseId, POLICE);
      expect([refused.status, refused.body]).toEqual([
        422,
        expect.objectContaining({
          code: 'step_documents_full',
          errors: [{ field: 'file', message: 'the step already holds 2 documents, its most' }],
        }),
      ]);
      // A retried upload of a document already there is no new document: answered as before.
      await upload(app, caseId, POLICE, letter).expect(200);
      expect(await storedOn(caseId)).toBe(2);
    });

    it("a case's documents past its bytes are refused 413 naming the field, never a 500; a removal makes room", async () => {
      const caseId = await openCase();
      const app = appWith({ bytesPerCase: 5000 });
      const first = await upload(app, caseId, POLICE, pdf(3000)).expect(201);

      const refused = await upload(app, caseId, POLICE, pdf(3000));
      expect([refused.status, refused.body]).toEqual([
        413,
        expect.objectContaining({
          code: 'case_documents_full',
          errors: [{ field: 'file', message: "the case's documents may take at most 5,000 bytes together" }],
        }),
      ]);
      expect(await storedOn(caseId)).toBe(1);

      await request(app)
        .post(`/api/cases/${caseId}/documents/${(first.body as { id: string }).id}/remove`)
        .set(user(POLICE))
        .send({ reason: 'wrong_file' })
        .expect(200);
      await upload(app, caseId, POLICE, pdf(3000)).expect(201);
    });
  });

  describe('while uploads fill their share of the pool', () => {
    it("another user's read and the readiness check still get a connection", async () => {
      const caseId = await openCase();
      // Six uploads at once, more than the test pool's 5 connections: the gate lets them all in, so only the uploads'
      // share of the pool stands between them and every connection.
      const app = appWith({ uploadsPerUser: 6, uploadsPerProcess: 6 });
      const held = await holdDocumentWrites();
      const uploads = Array.from({ length: 6 }, () => sent(upload(app, caseId, POLICE)));
      try {
        await eventually(async () => (await held.blocked()) >= 2, 'the uploads to reach their writes');

        const read = await request(app).get(`/api/cases/${caseId}`).set(user(COORDINATOR));
        expect(read.status).toBe(200);
        const ready = await readinessProbe({
          pool: stack.pool,
          connection: stack.client.connection,
          taskQueue: stack.taskQueue,
          timeoutMs: 2000,
        })();
        expect(ready.checks.postgres).toBe(true);
        expect(await held.blocked()).toBe(2);
      } finally {
        await held.release();
      }
      expect((await Promise.all(uploads)).map((res) => res.status)).toEqual(Array(6).fill(201));
    });
  });
});
