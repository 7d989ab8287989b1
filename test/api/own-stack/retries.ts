/**
 * A write retried after it failed at each point of its way (before Temporal saw it, after Temporal applied it but
 * before the answer arrived, while the projection was held up) is applied exactly once and answered the same (with no
 * worker running: test/cases/worker-restart.test.ts, on the dev server); a write that can never succeed is refused at once and leaves nothing behind. Real parts
 * throughout; the faults are injected where the outside world would cause them: in the network between the API and
 * Temporal (a gRPC interceptor), in PostgreSQL (a lock another session holds), and by stopping the worker.
 */
import { Client, Connection } from '@temporalio/client';
import { InterceptingCall, status, type Interceptor } from '@grpc/grpc-js';
import type { Express } from 'express';
import type { PoolClient } from 'pg';
import request from 'supertest';
import { releaseAbandonedOpenings } from '../../../app/abandoned-openings';
import { findAgency, upsertAgencies } from '../../../db/agencies';
import { releaseCase } from '../../../db/case-references';
import { DEMO_AGENCIES } from '../../../db/seed';
import { dataConverterFor } from '../../../temporal/data-converter';
import { workflowIdOf } from '../../../workflows/contract';
import { eventually, startStack, TEST_PAYLOAD_KEYRING, type Stack } from '../../support/stack';

describe('retries', () => {
  /** Short, so the tests that exceed it stay quick; the service's default is 10 s. */
  const WRITE_TIMEOUT_MS = 2_000;

  let stack: Stack;
  let app: Express;
  let today = '';
  let keyCounter = 0;
  const newKey = () => `retry-${process.pid}-${(keyCounter += 1)}`;

  /** Which Temporal calls fail, and how: before they are sent, or after the server answered (the answer is lost). */
  const faults = new Map<string, 'before' | 'after'>();
  /** Every Temporal method the faulty connection was asked to call, in order. */
  const calls: string[] = [];
  let faultyConnection: Connection;
  let faultyApp: Express;

  const injectFaults: Interceptor = (options, nextCall) => {
    const method = options.method_definition.path.split('/').pop()!;
    calls.push(method);
    const fault = faults.get(method);
    if (fault) faults.delete(method);
    return new InterceptingCall(nextCall(options), {
      start(metadata, listener, next) {
        if (fault === 'before') {
          listener.onReceiveStatus({ code: status.UNAVAILABLE, details: 'injected: the request never left', metadata });
          return;
        }
        next(metadata, {
          onReceiveMetadata: (received, pass) => pass(received),
          // Passed on (grpc-js delivers the status only after the message); the status below makes it an error.
          onReceiveMessage: (message, pass) => pass(message),
          onReceiveStatus: (received, pass) => {
            pass(
              fault === 'after'
                ? { code: status.UNAVAILABLE, details: 'injected: the answer was lost', metadata: received.metadata }
                : received,
            );
          },
        });
      },
      sendMessage(message, next) {
        if (fault !== 'before') next(message);
      },
      halfClose(next) {
        if (fault !== 'before') next();
      },
    });
  };

  beforeAll(async () => {
    stack = await startStack();
    today = new Date(await stack.env.currentTimeMs()).toISOString().slice(0, 10);
    const writeSide = (client: Client) =>
      stack.appWith({ cases: stack.casesOn(client, { writeTimeoutMs: WRITE_TIMEOUT_MS }) });
    app = writeSide(stack.client);
    // No retry interceptor of the SDK's own: an injected UNAVAILABLE reaches the API as a real outage would.
    faultyConnection = await Connection.connect({
      address: stack.env.connection.options.address,
      interceptors: [injectFaults],
    });
    faultyApp = writeSide(faultyConnectionClient());
  });
  afterAll(async () => {
    await faultyConnection?.close();
    await stack?.stop();
  });

  /** A client whose calls to Temporal fail as `faults` says. */
  const faultyConnectionClient = () =>
    new Client({ connection: faultyConnection, dataConverter: dataConverterFor(TEST_PAYLOAD_KEYRING) });
  const officer = () => stack.as('law_enforcement');
  const openBody = (overrides: Record<string, unknown> = {}) => ({
    identifiedOn: today,
    survivor: { name: 'Robin Example', birthDate: '1985-04-04' },
    agencies: DEMO_AGENCIES,
    // One fictitious survivor opened again on purpose, not a request sent twice (409 possible_duplicate).
    confirmNotDuplicate: true,
    ...overrides,
  });
  const openCase = (target: Express, key: string, body = openBody()) =>
    request(target).post('/api/cases').set(officer()).set('Idempotency-Key', key).send(body);
  const signCpRequest = (target: Express, caseId: string, key: string) =>
    request(target)
      .post(`/api/cases/${caseId}/steps/cp_request-1/sign-off`)
      .set(officer())
      .set('Idempotency-Key', key)
      .send({ outcome: 'requested', details: { requestedOn: today } });

  async function counts(reference: string) {
    const { rows } = await stack.pool.query<{ cases: string; survivors: string; refs: string }>(
      `SELECT (SELECT count(*) FROM cases WHERE reference = $1) AS cases,
            (SELECT count(*) FROM survivors s JOIN case_references r USING (case_id) WHERE r.reference = $1) AS survivors,
            (SELECT count(*) FROM case_references WHERE reference = $1) AS refs`,
      [reference],
    );
    return { cases: Number(rows[0]!.cases), survivors: Number(rows[0]!.survivors), references: Number(rows[0]!.refs) };
  }

  /** How many times the case's timeline says the step was completed: a sign-off applied twice would say it twice. */
  async function completions(caseId: string, stepId: string): Promise<number> {
    const { rows } = await stack.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM case_timeline WHERE case_id = $1 AND step_id = $2 AND type = 'step.completed'`,
      [caseId, stepId],
    );
    return Number(rows[0]!.n);
  }

  /** Holds a PostgreSQL lock from another session until released (rolled back) or committed, as a long transaction or a slow disk would. */
  async function holding(
    sql: string,
    values: unknown[],
  ): Promise<{ release(): Promise<void>; commit(): Promise<void> }> {
    const client: PoolClient = await stack.pool.connect();
    await client.query('BEGIN');
    await client.query(sql, values);
    const end = async (how: 'COMMIT' | 'ROLLBACK') => {
      await client.query(how);
      client.release();
    };
    return { release: () => end('ROLLBACK'), commit: () => end('COMMIT') };
  }

  describe('opening a case, retried after a failure at each point', () => {
    it('before Temporal saw it: 503, and the retry opens the case once', async () => {
      const key = newKey();
      const body = openBody({ reference: 'RETRY-BEFORE' });
      faults.set('ExecuteMultiOperation', 'before');
      const failed = await openCase(faultyApp, key, body).expect(503);
      expect(failed.body).toMatchObject({ code: 'temporal_unavailable' });
      expect(failed.headers['retry-after']).toBe('5');
      const opened = await openCase(faultyApp, key, body).expect(201);
      expect(await counts('RETRY-BEFORE')).toEqual({ cases: 1, survivors: 1, references: 1 });
      await openCase(faultyApp, key, body)
        .expect(201)
        .expect('Idempotent-Replayed', 'true')
        .expect(({ body: replayed }) => expect(replayed).toEqual(opened.body));
    });

    it('before Temporal saw it: the reservation it gave back does not refuse the survivor sent again under a new key', async () => {
      const body = openBody({
        survivor: { name: 'Sami Resent', birthDate: '1984-03-03' },
        confirmNotDuplicate: undefined,
      });
      faults.set('ExecuteMultiOperation', 'before');
      await openCase(faultyApp, newKey(), body).expect(503);
      const opened = await openCase(faultyApp, newKey(), body).expect(201);
      // The case that did open is the survivor's: a third send is taken for a duplicate of it.
      const again = await openCase(app, newKey(), body).expect(409);
      expect(again.body).toMatchObject({ code: 'possible_duplicate' });
      expect((again.body as { detail: string }).detail).toContain((opened.body as { reference: string }).reference);
    });

    it('after Temporal started it but the answer was lost: the retry answers with the same case', async () => {
      const key = newKey();
      const body = openBody({ reference: 'RETRY-AFTER' });
      faults.set('ExecuteMultiOperation', 'after');
      await openCase(faultyApp, key, body).expect(503);
      // The case exists already, though nobody was told.
      expect(await counts('RETRY-AFTER')).toEqual({ cases: 1, survivors: 1, references: 1 });
      const retried = await openCase(faultyApp, key, body).expect(201);
      expect(retried.body).toMatchObject({ reference: 'RETRY-AFTER' });
      // Opened once: the coordinator, who sees every change (the police see their count of it), reads its first version.
      const { caseId } = retried.body as { caseId: string };
      const whole = await request(app).get(`/api/cases/${caseId}`).set(stack.as('coordinator')).expect(200);
      expect(whole.body).toMatchObject({ version: 1 });
      expect(await counts('RETRY-AFTER')).toEqual({ cases: 1, survivors: 1, references: 1 });
    });

    it('after a 503, the same key with a changed request is refused (422), and only the same request re-runs', async () => {
      const key = newKey();
      const body = openBody({ survivor: { name: 'Maria Lopes', birthDate: '1985-04-04' } });
      const casesNow = async () =>
        Number((await stack.pool.query<{ n: string }>('SELECT count(*) AS n FROM cases')).rows[0]!.n);
      const before = await casesNow();
      faults.set('ExecuteMultiOperation', 'after');
      await openCase(faultyApp, key, body).expect(503);
      // The first attempt was applied though the client was told "may still be applied": the key is bound to it.
      const corrected = openBody({ survivor: { name: 'Maria Lopez', birthDate: '1985-04-04' } });
      const refused = await openCase(faultyApp, key, corrected).expect(422);
      expect(refused.body).toMatchObject({ code: 'idempotency_key_reused' });
      expect(await casesNow()).toBe(before + 1);
      await openCase(faultyApp, key, body).expect(201);
      await openCase(faultyApp, key, corrected).expect(422);
      expect(await casesNow()).toBe(before + 1);
    });

    it('while its first projection is held up: 503 within the bound, and the retry answers with the one case', async () => {
      const key = newKey();
      const body = openBody({ reference: 'RETRY-PROJECTION' });
      // New rows of the read model wait for this lock; reads do not.
      const lock = await holding('LOCK TABLE cases IN SHARE MODE', []);
      try {
        const started = Date.now();
        const failed = await openCase(app, key, body).expect(503);
        expect(Date.now() - started).toBeLessThan(WRITE_TIMEOUT_MS + 2_000);
        expect(failed.body).toMatchObject({ code: 'workflow_timeout' });
      } finally {
        await lock.release();
      }
      await openCase(app, key, body).expect(201);
      expect(await counts('RETRY-PROJECTION')).toEqual({ cases: 1, survivors: 1, references: 1 });
    });
  });

  describe('an opening sent while Temporal could not be reached, never retried with its key', () => {
    /** The 503 of an opening whose start and whose check of the workflow both failed: nobody can say it did not start. */
    const unsure = async (key: string, body: ReturnType<typeof openBody>) => {
      faults.set('ExecuteMultiOperation', 'before');
      faults.set('DescribeWorkflowExecution', 'before');
      const failed = await openCase(faultyApp, key, body).expect(503);
      expect(failed.body).toMatchObject({ code: 'temporal_unavailable' });
    };
    /** Its last attempt an hour ago, past any write's bound: as the opening stands when its client gave up on it. */
    const anHourAgo = async (reference: string) => {
      const { rowCount } = await stack.database.owner.query(
        `UPDATE case_references SET attempted_at = attempted_at - interval '1 hour' WHERE reference = $1`,
        [reference],
      );
      expect(rowCount).toBe(1);
    };
    const attemptOf = async (reference: string) =>
      (
        await stack.pool.query<{ attempt: string; caseId: string }>(
          `SELECT attempted_at::text AS attempt, case_id AS "caseId" FROM case_references WHERE reference = $1`,
          [reference],
        )
      ).rows[0]!;
    const sweepDeps = () => ({ pool: stack.pool, client: stack.client, writeTimeoutMs: WRITE_TIMEOUT_MS });

    it('keeps it while an attempt may still start it; once none can, the survivor sent again under a new key opens', async () => {
      const body = openBody({
        reference: 'TDOWN-SAME-SURVIVOR',
        survivor: { name: 'Petra Phantom', birthDate: '1986-06-06' },
        confirmNotDuplicate: undefined,
      });
      await unsure(newKey(), body);
      // Kept for the retry under its key: the case does not exist, its reservation and identity do.
      expect(await counts('TDOWN-SAME-SURVIVOR')).toEqual({ cases: 0, survivors: 1, references: 1 });
      const resent = openBody({ ...body, reference: undefined });
      // Moments later an attempt of it may still be starting it: it counts.
      const early = await openCase(app, newKey(), resent).expect(409);
      expect(early.body).toMatchObject({ code: 'possible_duplicate' });
      expect((early.body as { detail: string }).detail).toContain('TDOWN-SAME-SURVIVOR');
      await anHourAgo('TDOWN-SAME-SURVIVOR');
      // Past every attempt's bound, with no workflow in Temporal: given back, and the survivor's case opens.
      const opened = await openCase(app, newKey(), resent).expect(201);
      expect(opened.body).not.toMatchObject({ reference: 'TDOWN-SAME-SURVIVOR' });
      expect(await counts('TDOWN-SAME-SURVIVOR')).toEqual({ cases: 0, survivors: 0, references: 0 });
    });

    it("holds the task force's opening of the same survivor to it while it may start: 503 in the bound, then it opens", async () => {
      const body = openBody({
        survivor: { name: 'Paz Phantom-Twice', birthDate: '1987-07-07' },
        confirmNotDuplicate: undefined,
      });
      await unsure(newKey(), openBody({ ...body, reference: 'TDOWN-OTHER-AGENCY' }));
      // The police's case may still start and name the task force: which it does is told only once it is in the read
      // model, so the coordinator's opening waits for it within its bound, then answers 503, not a second case.
      const key = newKey();
      const coordinator = () =>
        request(app).post('/api/cases').set(stack.as('coordinator')).set('Idempotency-Key', key).send(body);
      const survivors = async () =>
        Number((await stack.pool.query<{ n: string }>('SELECT count(*) AS n FROM survivors')).rows[0]!.n);
      const before = await survivors();
      const started = Date.now();
      const held = await coordinator().expect(503);
      expect(Date.now() - started).toBeLessThan(WRITE_TIMEOUT_MS + 1_000);
      expect(held.body).toMatchObject({ code: 'workflow_timeout' });
      expect(held.headers['retry-after']).toBeDefined();
      expect(JSON.stringify(held.body)).not.toContain('TDOWN-OTHER-AGENCY');
      expect(await survivors()).toBe(before);
      // Once no attempt can start it, the retry under the same key gives it back and opens the one case.
      await anHourAgo('TDOWN-OTHER-AGENCY');
      await coordinator().expect(201);
      expect(await counts('TDOWN-OTHER-AGENCY')).toEqual({ cases: 0, survivors: 0, references: 0 });
    });

    it('gives back a chosen reference: another case of the agency may take it', async () => {
      await unsure(newKey(), openBody({ reference: 'TDOWN-REF' }));
      await openCase(app, newKey(), openBody({ reference: 'TDOWN-REF' })).expect(409);
      await anHourAgo('TDOWN-REF');
      await openCase(app, newKey(), openBody({ reference: 'TDOWN-REF' })).expect(201);
      expect(await counts('TDOWN-REF')).toEqual({ cases: 1, survivors: 1, references: 1 });
    });

    it('the sweep gives it back once no attempt can start it, and never while Temporal cannot say', async () => {
      await unsure(newKey(), openBody({ reference: 'TDOWN-SWEPT' }));
      // Moments after its attempt: not given back.
      await releaseAbandonedOpenings(sweepDeps());
      expect(await counts('TDOWN-SWEPT')).toEqual({ cases: 0, survivors: 1, references: 1 });
      await anHourAgo('TDOWN-SWEPT');
      // Temporal unreachable as the sweep asks: kept, and the sweep says it failed.
      faults.set('DescribeWorkflowExecution', 'before');
      const faulty = new Client({
        connection: faultyConnection,
        dataConverter: dataConverterFor(TEST_PAYLOAD_KEYRING),
      });
      await expect(releaseAbandonedOpenings({ ...sweepDeps(), client: faulty })).rejects.toThrow();
      expect(await counts('TDOWN-SWEPT')).toEqual({ cases: 0, survivors: 1, references: 1 });
      expect(await releaseAbandonedOpenings(sweepDeps())).toBeGreaterThanOrEqual(1);
      expect(await counts('TDOWN-SWEPT')).toEqual({ cases: 0, survivors: 0, references: 0 });
    });

    it('a release judged on an attempt before the last removes nothing; retried with its key after all, it opens', async () => {
      const key = newKey();
      const body = openBody({ reference: 'TDOWN-RETRIED' });
      await unsure(key, body);
      await anHourAgo('TDOWN-RETRIED');
      const before = await attemptOf('TDOWN-RETRIED');
      // Retried under its key, and unsure again: this attempt may be starting the workflow now.
      await unsure(key, body);
      // A sweep that read the attempt before and found no workflow then: the last attempt keeps them.
      expect(await releaseCase(stack.pool, before.caseId, before.attempt)).toBe(false);
      expect(await counts('TDOWN-RETRIED')).toEqual({ cases: 0, survivors: 1, references: 1 });
      await openCase(app, key, body).expect(201);
      expect(await counts('TDOWN-RETRIED')).toEqual({ cases: 1, survivors: 1, references: 1 });
    });

    /** Waits until a statement of another session waits for a row lock (on case_references). */
    const waitingForALock = () =>
      eventually(
        async () =>
          (
            await stack.database.owner.query(
              `SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query ILIKE '%case_references%'`,
            )
          ).rowCount! > 0,
        'a statement waiting for the reservation row',
      );

    it('a retry meeting a release under way waits for it, then reserves anew with the identity and opens', async () => {
      const key = newKey();
      const body = openBody({ reference: 'TDOWN-RACE-RELEASE' });
      await unsure(key, body);
      const { caseId } = await attemptOf('TDOWN-RACE-RELEASE');
      // A release between its delete and its commit, as `releaseCase` does it.
      const release = await holding(
        `WITH reservation AS (DELETE FROM case_references WHERE case_id = $1),
            names AS (DELETE FROM survivor_name_index WHERE case_id = $1)
       DELETE FROM survivors WHERE case_id = $1`,
        [caseId],
      );
      const retried = openCase(app, key, body).then((answer) => answer);
      await waitingForALock();
      await release.commit();
      expect((await retried).status).toBe(201);
      expect(await counts('TDOWN-RACE-RELEASE')).toEqual({ cases: 1, survivors: 1, references: 1 });
    });

    it("a release meeting a retry's reservation under way waits for it, then keeps it", async () => {
      await unsure(newKey(), openBody({ reference: 'TDOWN-RACE-RETRY' }));
      await anHourAgo('TDOWN-RACE-RETRY');
      const judged = await attemptOf('TDOWN-RACE-RETRY');
      // A retry between its reservation and its commit, as `reserveCase` writes it.
      const retry = await holding(
        'UPDATE case_references SET attempted_at = clock_timestamp() WHERE case_id = $1 AND replaced_at IS NULL',
        [judged.caseId],
      );
      const released = releaseCase(stack.pool, judged.caseId, judged.attempt);
      await waitingForALock();
      await retry.commit();
      expect(await released).toBe(false);
      expect(await counts('TDOWN-RACE-RETRY')).toEqual({ cases: 0, survivors: 1, references: 1 });
    });
  });

  describe('signing off a step, retried after a failure at each point', () => {
    for (const [point, method, fault] of [
      ['before Temporal saw it', 'UpdateWorkflowExecution', 'before'],
      ['after Temporal applied it but the answer was lost', 'UpdateWorkflowExecution', 'after'],
    ] as const) {
      it(`${point}: the retry is applied once and answers with the signed step`, async () => {
        const opened = (await openCase(app, newKey()).expect(201)).body as { caseId: string };
        const key = newKey();
        faults.set(method, fault);
        await signCpRequest(faultyApp, opened.caseId, key).expect(503);
        expect(await completions(opened.caseId, 'cp_request-1')).toBe(fault === 'after' ? 1 : 0);
        const retried = await signCpRequest(faultyApp, opened.caseId, key).expect(200);
        expect(
          (retried.body as { steps: { id: string; status: string }[] }).steps.find((s) => s.id === 'cp_request-1')!
            .status,
        ).toBe('completed');
        expect(await completions(opened.caseId, 'cp_request-1')).toBe(1);
      });
    }

    it('while its projection is held up: 503 within the bound, and the retry is applied once', async () => {
      const opened = (await openCase(app, newKey()).expect(201)).body as { caseId: string };
      const key = newKey();
      const lock = await holding('SELECT 1 FROM cases WHERE id = $1 FOR UPDATE', [opened.caseId]);
      try {
        const started = Date.now();
        const failed = await signCpRequest(app, opened.caseId, key).expect(503);
        expect(Date.now() - started).toBeLessThan(WRITE_TIMEOUT_MS + 2_000);
        expect(failed.body).toMatchObject({ code: 'workflow_timeout' });
      } finally {
        await lock.release();
      }
      await signCpRequest(app, opened.caseId, key).expect(200);
      expect(await completions(opened.caseId, 'cp_request-1')).toBe(1);
      const history = await stack.client.workflow.getHandle(workflowIdOf(opened.caseId)).fetchHistory();
      const signOffs = history.events!.filter(
        (e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name === 'signOff',
      );
      expect(signOffs).toHaveLength(1);
    });
  });

  describe('signing off a step, retried after the case continued as new', () => {
    it('the retry answers with the signed step, where the sign-off was applied in the run before', async () => {
      // A history limit that one sign-off crosses after the opening and two more (as a case's years of events cross the
      // default's): the sign-off whose answer is lost is the last of its run.
      const lowLimit = (client: Client) =>
        stack.appWith({ cases: stack.casesOn(client, { writeTimeoutMs: WRITE_TIMEOUT_MS, historyLimit: 25 }) });
      const opened = (await openCase(lowLimit(stack.client), newKey()).expect(201)).body as { caseId: string };
      const handle = stack.client.workflow.getHandle(workflowIdOf(opened.caseId));
      const firstRunId = (await handle.describe()).runId;
      const sign = (
        target: Express,
        stepId: string,
        as: 'law_enforcement' | 'ice' | 'advocate',
        body: object,
        key = newKey(),
      ) =>
        request(target)
          .post(`/api/cases/${opened.caseId}/steps/${stepId}/sign-off`)
          .set(stack.as(as))
          .set('Idempotency-Key', key)
          .send(body);
      await sign(app, 'cp_request-1', 'law_enforcement', {
        outcome: 'requested',
        details: { requestedOn: today },
      }).expect(200);
      const validUntil = `${Number(today.slice(0, 4)) + 2}${today.slice(4)}`;
      await sign(app, 'cp_decision-1', 'ice', { outcome: 'granted', details: { validUntil } }).expect(200);
      const filing = { outcome: 'filed', details: { filedOn: today } };
      const key = newKey();
      faults.set('UpdateWorkflowExecution', 'after');
      await sign(lowLimit(faultyConnectionClient()), 't_visa_filing-1', 'advocate', filing, key).expect(503);
      await eventually(async () => ((await handle.describe()).runId !== firstRunId ? true : undefined), 'a new run');

      const retried = await sign(app, 't_visa_filing-1', 'advocate', filing, key);

      expect(retried.status).toBe(200);
      expect(
        (retried.body as { steps: { id: string; status: string }[] }).steps.find((s) => s.id === 't_visa_filing-1')!
          .status,
      ).toBe('completed');
      expect(await completions(opened.caseId, 't_visa_filing-1')).toBe(1);
      // Another write (another key) of the same step is still refused: it was never applied.
      const another = await sign(app, 't_visa_filing-1', 'advocate', filing).expect(409);
      expect(another.body).toMatchObject({ code: 'step_not_pending' });
    });
  });

  describe('transferring a case, retried after the answer was lost', () => {
    it('is applied once, and each agency is told once', async () => {
      const newPolice = { id: 'retried-new-police', email: 'unit@retried-new-police.example.gov' };
      await upsertAgencies(stack.pool, [
        { id: newPolice.id, kind: 'law_enforcement', name: 'Retried New Police (fictitious)', email: newPolice.email },
      ]);
      const opened = (await openCase(app, newKey()).expect(201)).body as { caseId: string; reference: string };
      const key = newKey();
      const transfer = () =>
        request(faultyApp)
          .post(`/api/cases/${opened.caseId}/transfers`)
          .set(stack.as('coordinator'))
          .set('Idempotency-Key', key)
          .send({ agencyKind: 'law_enforcement', toAgencyId: newPolice.id });
      stack.mail.clear();
      faults.set('UpdateWorkflowExecution', 'after');
      // Applied, but the API never learns it: its answer is an error, as when its process is gone.
      await transfer().expect(503);
      await transfer().expect(200);
      // The transfer's emails: the steps it opens for another agency have their own ("Waiting on your agency").
      const told = () =>
        stack.mail.messages().filter((m) => m.subject.startsWith(`Case ${opened.reference} was transferred`));
      await eventually(() => told().length >= 2, 'both transfer emails');
      // Whatever is still on its way has arrived by an hour on.
      await stack.env.sleep(3600 * 1000);
      const oldPolice = (await findAgency(stack.pool, DEMO_AGENCIES.law_enforcement))!.email!;
      expect(
        told()
          .map((m) => m.to)
          .sort(),
      ).toEqual([[oldPolice], [newPolice.email]].sort());
    });
  });

  describe('a write the case workflow takes up too late', () => {
    it('is answered 503 command_expired, applies nothing, and is applied once when sent again', async () => {
      const opened = (await openCase(app, newKey()).expect(201)).body as { caseId: string };
      // As if the update had waited with Temporal for 20 minutes with no worker running (or the clocks were that far
      // apart): the workflow refuses it as issued too long ago, the refusal the API never answers with a 403.
      const lagging = stack.appWith({
        cases: stack.casesOn(stack.client, {
          now: async () => new Date((await stack.env.currentTimeMs()) - 20 * 60_000),
        }),
      });
      const key = newKey();
      const expired = await signCpRequest(lagging, opened.caseId, key).expect(503);
      expect(expired.body).toMatchObject({ code: 'command_expired' });
      expect(expired.headers['retry-after']).toBeDefined();
      expect(await completions(opened.caseId, 'cp_request-1')).toBe(0);
      // The key was freed: the same request sent again is issued anew, under the same update id, and applied once.
      await signCpRequest(app, opened.caseId, key).expect(200);
      await signCpRequest(app, opened.caseId, key).expect(200);
      expect(await completions(opened.caseId, 'cp_request-1')).toBe(1);
    });
  });

  describe('a write that can never succeed', () => {
    it('refuses a reference the agency already uses at once, with no workflow and nothing written', async () => {
      await openCase(faultyApp, newKey(), openBody({ reference: 'TAKEN-REF' })).expect(201);
      const before = await stack.pool.query<{ n: string }>('SELECT count(*) AS n FROM survivors');
      calls.length = 0;
      const started = Date.now();
      const refused = await openCase(faultyApp, newKey(), openBody({ reference: 'TAKEN-REF' })).expect(409);
      expect(Date.now() - started).toBeLessThan(1_000);
      expect(refused.body).toMatchObject({ code: 'reference_taken', errors: [{ field: 'reference' }] });
      // Temporal was never asked: no workflow was started for it.
      expect(calls).toEqual([]);
      expect((await stack.pool.query<{ n: string }>('SELECT count(*) AS n FROM survivors')).rows[0]!.n).toBe(
        before.rows[0]!.n,
      );
      expect(await counts('TAKEN-REF')).toEqual({ cases: 1, survivors: 1, references: 1 });
    });

    it("says nothing about another agency's cases: the same reference is free to another agency", async () => {
      await openCase(app, newKey(), openBody({ reference: 'SHARED-REF' })).expect(201);
      // The coordinator opens cases too, under its own references.
      const other = await request(app)
        .post('/api/cases')
        .set(stack.as('coordinator'))
        .set('Idempotency-Key', newKey())
        .send(openBody({ reference: 'SHARED-REF' }))
        .expect(201);
      expect(other.body).toMatchObject({ reference: 'SHARED-REF' });
      expect(await counts('SHARED-REF')).toEqual({ cases: 2, survivors: 2, references: 2 });
    });

    it("refuses a chosen reference of the assigned form, which could be another agency's case's", async () => {
      const assigned = await request(app)
        .post('/api/cases')
        .set(stack.as('coordinator'))
        .set('Idempotency-Key', newKey())
        .send(openBody())
        .expect(201);
      const { reference } = assigned.body as { reference: string };
      expect(reference).toMatch(/^RC-\d{4}-[0-9A-F]{8}$/);
      for (const chosen of [reference, reference.toLowerCase()]) {
        const refused = await openCase(app, newKey(), openBody({ reference: chosen })).expect(422);
        expect(refused.body).toMatchObject({ errors: [{ field: 'reference' }] });
      }
      expect(await counts(reference)).toEqual({ cases: 1, survivors: 1, references: 1 });
    });
  });

  describe('a write to an open case whose workflow was ended from outside (docs/runbook.md, `temporal workflow terminate`)', () => {
    it('answers 503 case_workflow_not_running with Retry-After, not 409 case_not_open, and keeps nothing under its key', async () => {
      const opened = (await openCase(app, newKey()).expect(201)).body as { caseId: string };
      const handle = stack.client.workflow.getHandle(workflowIdOf(opened.caseId));
      await handle.terminate('test: an operator terminated the case workflow');
      const key = newKey();
      for (let attempt = 0; attempt < 2; attempt += 1) {
        // Not the read model's "The case is open." as a 409 conflict, which the key would have kept and replayed.
        const refused = await signCpRequest(app, opened.caseId, key).expect(503);
        expect(refused.headers['retry-after']).toBe('60');
        expect(refused.headers['idempotent-replayed']).toBeUndefined();
        expect(refused.body).toMatchObject({ code: 'case_workflow_not_running' });
        expect((refused.body as { detail: string }).detail).toMatch(/workflow is not running.*docs\/runbook\.md/);
        const { rows } = await stack.pool.query<{ status_code: number | null; released: boolean }>(
          'SELECT status_code, released FROM idempotency_keys WHERE key = $1',
          [key],
        );
        expect(rows).toEqual([{ status_code: null, released: true }]);
      }
      // Nothing was applied; the key is free for the retry once the runbook's `temporal workflow reset --type
      // LastWorkflowTask` has the workflow running again (the time-skipping server has no reset to show it with).
      expect(await completions(opened.caseId, 'cp_request-1')).toBe(0);
    });
  });
});
