/**
 * A worker stopped mid-case and replaced loses nothing: the alarm that came due while no worker ran is handled by
 * the new worker, exactly once; a write sent while no worker runs is answered 503 within its bound, not left hanging. On the official dev server (real time) with a policy whose CP-request deadline is
 * three seconds, because the time-skipping server stops skipping while a workflow task waits for a worker.
 */
import { randomUUID } from 'node:crypto';
import { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { workflowIdOf } from '../../workflows/contract';
import { CASE_STATUS } from '../../workflows/search-attributes';
import { listNotifications } from '../../db/notifications';
import { getCase } from '../../db/read-model';
import { reprojectCases } from '../../app/reproject';
import { caseReference, replaceReference } from '../../db/case-references';
import { DEMO_AGENCIES } from '../../db/seed';
import { policyWithOverrides } from '../../domain/policy';
import type { Actor } from '../../domain/types';
import request from 'supertest';
import { eventually, startStack, type Stack } from '../support/stack';
import { workingActor } from '../../domain/access';
import { createWorker } from '../support/auth';

const { EventType } = temporal.api.enums.v1;

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ server: 'dev' });
  stack.setPolicy(
    policyWithOverrides({
      version: 'test-short-cp-request',
      sla: { cp_request: { days: 3 / 86_400, source: 'test: three seconds' } },
      reminders: { cp_request: { beforeDueDays: [], atDue: true, escalateAfterDays: [], source: 'test' } },
    }),
  );
});
afterAll(async () => {
  await stack?.stop();
});

const lawEnforcement: Actor = workingActor({
  userId: 'officer-1',
  agencyId: DEMO_AGENCIES.law_enforcement,
  agencyKind: 'law_enforcement',
});

test('a worker restarted mid-case loses nothing: the alarm that fell due while it was down goes out once', async () => {
  const today = new Date().toISOString().slice(0, 10);
  const view = await stack.cases.open(
    {
      identifiedAt: new Date().toISOString(),
      survivor: { name: 'Restart Case', birthDate: '1988-08-08' },
      agencies: DEMO_AGENCIES,
    },
    lawEnforcement,
  );
  await stack.stopWorker();

  const handle = stack.client.workflow.getHandle(workflowIdOf(view.caseId));
  await eventually(
    async () => (await handle.fetchHistory()).events!.some((e) => e.eventType === EventType.EVENT_TYPE_TIMER_FIRED),
    'the due timer to fire with no worker running',
  );
  // The alarm's notice: the opening told the advocates of their T-visa filing at once (`step_opened`), before the stop.
  const notified = async () =>
    (await listNotifications(stack.pool, { caseId: view.caseId, limit: 10 })).items.filter(
      (n) => n.kind !== 'step_opened',
    );
  expect(await notified()).toHaveLength(0);

  await stack.startWorker();
  const [notice] = await eventually(
    async () => {
      const items = await notified();
      return items.length === 1 && items[0]!.sentAt ? items : undefined;
    },
    'the due notice from the new worker',
    30_000,
  );
  expect(notice).toMatchObject({ kind: 'due', stepId: 'cp_request-1' });
  expect(
    stack.mail
      .messages()
      .filter((m) => m.text.includes(view.reference) && !m.subject.startsWith('Waiting on your agency:')),
  ).toHaveLength(1);
  // The notice moved none of the case's search attributes (what is pending, and when), so it upserted none. (The SDK
  // upserts its own, TemporalChangeVersion, with a patch's first use in a run.)
  const sinceTimer = async () => {
    const events = (await handle.fetchHistory()).events!;
    return events.slice(events.findIndex((e) => e.eventType === EventType.EVENT_TYPE_TIMER_FIRED));
  };
  const caseUpserts = (events: Awaited<ReturnType<typeof sinceTimer>>) =>
    events.filter(
      (e) => e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields?.[CASE_STATUS.name],
    ).length;
  const afterNotice = await eventually(async () => {
    const events = await sinceTimer();
    return events.some((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) ? events : undefined;
  }, "the timer's workflow task to complete");
  expect(caseUpserts(afterNotice)).toBe(0);

  // The case's state survived: it still takes sign-offs, and its search attributes say what is pending.
  const signed = await stack.cases.signOff(
    view.caseId,
    { stepId: 'cp_request-1', outcome: 'requested', details: { requestedOn: today } },
    lawEnforcement,
  );
  expect(signed.steps.find((s) => s.id === 'cp_request-1')!.status).toBe('completed');
  const description = await handle.describe();
  expect(description.searchAttributes.PendingStepKinds).toEqual(expect.arrayContaining(['cp_decision']));
  expect(caseUpserts(await sinceTimer())).toBe(1);
});

test('with no worker running, a write answers 503 naming the missing worker within its bound; retried later it applies once', async () => {
  const writeTimeoutMs = 2_000;
  const app = stack.appWith({ cases: stack.casesOn(stack.client, { writeTimeoutMs }) });
  const officer = stack.as('law_enforcement');
  const today = new Date().toISOString().slice(0, 10);
  const body = {
    identifiedAt: new Date().toISOString(),
    survivor: { name: 'Sam Example', birthDate: '1979-07-07' },
    agencies: DEMO_AGENCIES,
    reference: 'NO-WORKER-1',
    // One fictitious survivor opened again on purpose, not a request sent twice (409 possible_duplicate).
    confirmNotDuplicate: true,
  };
  const signOff = { outcome: 'requested', details: { requestedOn: today } };
  const opened = await request(app)
    .post('/api/cases')
    .set(officer)
    .set('Idempotency-Key', 'no-worker-open-0')
    .send({ ...body, reference: 'NO-WORKER-0' })
    .expect(201);
  const signPath = `/api/cases/${(opened.body as { caseId: string }).caseId}/steps/cp_request-1/sign-off`;

  await stack.stopWorker();
  try {
    for (const write of [
      () => request(app).post('/api/cases').set(officer).set('Idempotency-Key', 'no-worker-open-1').send(body),
      () => request(app).post(signPath).set(officer).set('Idempotency-Key', 'no-worker-sign-1').send(signOff),
    ]) {
      const started = Date.now();
      const refused = await write().expect(503);
      expect(Date.now() - started).toBeLessThan(writeTimeoutMs + 2_000);
      expect(refused.headers['retry-after']).toBe('5');
      expect(refused.body).toMatchObject({
        code: 'no_worker',
        // True whether the worker holding the case stopped and another polls, or none does: the answer cannot tell.
        detail: expect.stringMatching(
          /^No case worker has taken up this case's work: the worker holding the case stopped .*, or none polls/,
        ) as unknown,
      });
    }
  } finally {
    await stack.startWorker();
  }

  const retried = await request(app)
    .post('/api/cases')
    .set(officer)
    .set('Idempotency-Key', 'no-worker-open-1')
    .send(body)
    .expect(201);
  expect(retried.body).toMatchObject({ reference: 'NO-WORKER-1' });
  const { rows } = await stack.pool.query('SELECT id FROM cases WHERE reference = $1', ['NO-WORKER-1']);
  expect(rows).toHaveLength(1);
  const signed = await request(app)
    .post(signPath)
    .set(officer)
    .set('Idempotency-Key', 'no-worker-sign-1')
    .send(signOff)
    .expect(200);
  expect(
    (signed.body as { steps: { id: string; status: string }[] }).steps.find((s) => s.id === 'cp_request-1')!.status,
  ).toBe('completed');
  const completed = await stack.pool.query(
    "SELECT 1 FROM case_timeline WHERE case_id = $1 AND step_id = 'cp_request-1' AND type = 'step.completed'",
    [(opened.body as { caseId: string }).caseId],
  );
  expect(completed.rowCount).toBe(1);
});

test('a read model restored from an older backup is brought back up to the workflows by reproject, case by case', async () => {
  const open = (reference: string) =>
    stack.cases.open(
      {
        identifiedAt: new Date().toISOString(),
        survivor: { name: 'Restored Case', birthDate: '1990-01-01' },
        agencies: DEMO_AGENCIES,
        reference,
      },
      lawEnforcement,
    );
  const behind = await open('RESTORE-BEHIND');
  const current = await open('RESTORE-CURRENT');
  const today = new Date().toISOString().slice(0, 10);
  const signOff = { stepId: 'cp_request-1', outcome: 'requested', details: { requestedOn: today } };
  const latest = await stack.cases.signOff(behind.caseId, signOff, lawEnforcement);
  expect(latest.version).toBeGreaterThan(behind.version);

  // The backup was taken before the sign-off: the case's row, steps and timeline as they were when it opened.
  await stack.pool.query('UPDATE cases SET version = $2 WHERE id = $1', [behind.caseId, behind.version]);
  await stack.pool.query(
    "UPDATE case_steps SET status = 'pending', completed_at = NULL, outcome = NULL WHERE case_id = $1",
    [behind.caseId],
  );
  await stack.pool.query('DELETE FROM case_timeline WHERE case_id = $1 AND seq > $2', [
    behind.caseId,
    behind.timeline.length,
  ]);
  const stale = await getCase(stack.pool, behind.caseId);
  expect(stale!.steps.find((s) => s.id === 'cp_request-1')!.status).toBe('pending');
  // A case opened after the backup has no identity: Temporal never held it, so reproject names the case instead.
  await stack.pool.query('DELETE FROM survivors WHERE case_id = $1', [current.caseId]);

  const result = await reprojectCases(stack.client, stack.pool);

  expect(result.updated).toBe(1);
  expect(result.cases).toBeGreaterThanOrEqual(2);
  const restored = await getCase(stack.pool, behind.caseId);
  const withoutUpdatedAt = ({ updatedAt: _, ...view }: NonNullable<typeof restored>) => view;
  expect(withoutUpdatedAt(restored!)).toEqual(withoutUpdatedAt(latest));
  expect((await getCase(stack.pool, current.caseId))!.version).toBe(current.version);
  expect(result.withoutIdentity).toContainEqual({ caseId: current.caseId, reference: 'RESTORE-CURRENT' });
  expect(result.withoutIdentity.map((item) => item.caseId)).not.toContain(behind.caseId);
});

/** A case opened by the police under a reference of their own. */
const openWithReference = (name: string, reference: string) =>
  stack.cases.open(
    {
      identifiedAt: new Date().toISOString(),
      survivor: { name, birthDate: '1992-02-02' },
      agencies: DEMO_AGENCIES,
      reference,
    },
    lawEnforcement,
  );

test("after a restore, reproject reserves again the reference of a case opened after the backup, as its agency's", async () => {
  const opened = await openWithReference('Restored Reference', 'RESTORE-RESERVED');
  // The backup was taken before the case was opened: no reservation, identity or row of it (its name index with it).
  await stack.pool.query('DELETE FROM case_references WHERE case_id = $1', [opened.caseId]);
  await stack.pool.query('DELETE FROM survivor_name_index WHERE case_id = $1', [opened.caseId]);
  await stack.pool.query('DELETE FROM survivors WHERE case_id = $1', [opened.caseId]);
  await stack.pool.query('DELETE FROM cases WHERE id = $1', [opened.caseId]);

  const result = await reprojectCases(stack.client, stack.pool);

  expect(await caseReference(stack.pool, opened.caseId)).toBe('RESTORE-RESERVED');
  expect(result).toMatchObject({ referencesReserved: 1, referencesTaken: [] });
  // The reference is the police's again: another case of theirs may not take it, in any letters' case ...
  const again = stack.cases.open(
    {
      identifiedAt: new Date().toISOString(),
      survivor: { name: 'Another Survivor', birthDate: '1993-05-05' },
      agencies: DEMO_AGENCIES,
      reference: 'restore-reserved',
    },
    lawEnforcement,
  );
  await expect(again).rejects.toMatchObject({ options: { code: 'reference_taken' } });
  // ... and a correction of the identity that gives the case a new one finds it to replace (it threw "has no reference
  // reserved to replace", a 500 to the officer).
  await expect(replaceReference(stack.pool, opened.caseId, 'RESTORE-RESERVED-2', new Date())).resolves.toBe('replaced');
  // Run again, reproject finds the reservation and writes nothing.
  expect((await reprojectCases(stack.client, stack.pool)).referencesReserved).toBe(0);
});

test('reproject names an open case whose workflow was terminated from outside, and no running one', async () => {
  const ended = await openWithReference('Terminated Case', 'PD-TERMINATED-1');
  const running = await openWithReference('Running Case', 'PD-RUNNING-1');
  await stack.client.workflow.getHandle(workflowIdOf(ended.caseId)).terminate('probe T5: terminated from outside');

  const { notRunning } = await reprojectCases(stack.client, stack.pool);

  expect(notRunning).toContainEqual({ caseId: ended.caseId, reference: 'PD-TERMINATED-1', status: 'TERMINATED' });
  expect(notRunning.map((item) => item.caseId)).not.toContain(running.caseId);
});

test('reproject goes on past a workflow of the case type that never ran as a case, naming it', async () => {
  // An unsealed start (README, "Who can command a case"), terminated as the README says: it answers no query.
  const plain = new Client({ connection: stack.env.connection, namespace: stack.env.namespace ?? 'default' });
  const workflowId = workflowIdOf(randomUUID());
  await plain.workflow.start('caseWorkflow', { taskQueue: stack.taskQueue, workflowId, args: [{}] });
  await plain.workflow.getHandle(workflowId).terminate('probe T5: a forged start');
  const behind = await openWithReference('Case Beside Forged', 'PD-PAST-FORGED');
  await stack.pool.query('DELETE FROM cases WHERE id = $1', [behind.caseId]);

  const { unanswered } = await reprojectCases(stack.client, stack.pool);

  expect(unanswered).toEqual([{ workflowId, reason: expect.stringContaining('query') as unknown }]);
  expect((await getCase(stack.pool, behind.caseId))?.version).toBe(behind.version);
});

test('after a restore, reproject writes who signed each step since the backup from the workflow, not only the audit trail', async () => {
  const officer = await createWorker(stack.pool, DEMO_AGENCIES.law_enforcement, 'law_enforcement');
  const opened = await stack.cases.open(
    {
      identifiedAt: new Date().toISOString(),
      survivor: { name: 'Restored Signer', birthDate: '1991-03-03' },
      agencies: DEMO_AGENCIES,
      reference: 'RESTORE-SIGNER',
    },
    officer.actor,
  );
  const today = new Date().toISOString().slice(0, 10);
  const signOff = { stepId: 'cp_request-1', outcome: 'requested', details: { requestedOn: today } };
  const signed = await stack.cases.signOff(opened.caseId, signOff, officer.actor);
  const signer = { displayName: officer.user.displayName, agencyId: DEMO_AGENCIES.law_enforcement };
  expect(signed.steps.find((s) => s.id === 'cp_request-1')).toMatchObject({ completedBy: signer });

  // The backup was taken before the sign-off: the step's row as it was at the opening. (The audit trail is append-only
  // even for its owner, so this test cannot take the sign-off's audit row away, as the restore does: it checks that
  // the signer is written from the workflow's state, which a restored audit trail no longer names.)
  await stack.pool.query('UPDATE cases SET version = $2 WHERE id = $1', [opened.caseId, opened.version]);
  await stack.pool.query(
    "UPDATE case_steps SET status = 'pending', completed_at = NULL, outcome = NULL, signed_by = NULL WHERE case_id = $1",
    [opened.caseId],
  );

  await reprojectCases(stack.client, stack.pool);

  const restored = await getCase(stack.pool, opened.caseId);
  expect(restored!.steps.find((s) => s.id === 'cp_request-1')).toMatchObject({
    status: 'completed',
    completedBy: signer,
  });
  const { rows } = await stack.pool.query<{ signed_by: unknown }>(
    "SELECT signed_by FROM case_steps WHERE case_id = $1 AND step_id = 'cp_request-1'",
    [opened.caseId],
  );
  expect(rows).toEqual([{ signed_by: { userId: officer.user.id, agencyId: DEMO_AGENCIES.law_enforcement } }]);
});

test('reproject --refresh projects again a case already at its latest version, as this release projects it', async () => {
  const view = await stack.cases.open(
    {
      identifiedAt: new Date().toISOString(),
      survivor: { name: 'Refreshed Case', birthDate: '1990-02-02' },
      agencies: DEMO_AGENCIES,
      reference: 'REFRESH-SAME-VERSION',
    },
    lawEnforcement,
  );
  // An earlier release wrote this case's rows differently at the same version: a coming alarm and a timeline line
  // it no longer has (as a case entered after the fact kept a passed birthday lead "Scheduled").
  const alarms = await stack.pool.query('DELETE FROM case_alarms WHERE case_id = $1', [view.caseId]);
  expect(alarms.rowCount).toBeGreaterThan(0);
  await stack.pool.query('DELETE FROM case_timeline WHERE case_id = $1 AND seq > 1', [view.caseId]);
  const written = async () => {
    const counts = await stack.pool.query<{ alarms: number; timeline: number }>(
      `SELECT (SELECT count(*)::int FROM case_alarms WHERE case_id = $1) AS alarms,
              (SELECT count(*)::int FROM case_timeline WHERE case_id = $1) AS timeline`,
      [view.caseId],
    );
    return counts.rows[0]!;
  };
  const before = await written();
  const changedAt = (await getCase(stack.pool, view.caseId))!.updatedAt;

  // A case at its latest version is left as it is by a plain reproject ...
  await reprojectCases(stack.client, stack.pool);
  expect(await written()).toEqual(before);

  // ... and projected again with --refresh, to what its workflow holds.
  const result = await reprojectCases(stack.client, stack.pool, { refresh: true });
  expect(result.updated).toBe(result.cases);
  expect(await written()).toEqual({ alarms: alarms.rowCount, timeline: view.timeline.length });
  const refreshed = await getCase(stack.pool, view.caseId);
  expect(refreshed!.version).toBe(view.version);
  // Projected again, it did not change: its last change (API updatedAt, the calendar feed's DTSTAMP) is as it was.
  expect(refreshed!.updatedAt).toBe(changedAt);
});

test('reproject --refresh projects again a case that continued as new, at its latest version', async () => {
  // A low history limit (as a case's years of events reach the default's): three sign-offs pass it.
  const cases = stack.casesOn(stack.client, { historyLimit: 25 });
  const today = new Date().toISOString().slice(0, 10);
  const opened = await cases.open(
    {
      identifiedAt: new Date().toISOString(),
      survivor: { name: 'Continued Case', birthDate: '1971-03-03' },
      agencies: DEMO_AGENCIES,
      reference: 'REFRESH-CONTINUED',
    },
    lawEnforcement,
  );
  const handle = stack.client.workflow.getHandle(workflowIdOf(opened.caseId));
  const firstRunId = (await handle.describe()).runId;
  await cases.signOff(
    opened.caseId,
    { stepId: 'cp_request-1', outcome: 'requested', details: { requestedOn: today } },
    lawEnforcement,
  );
  const ice = workingActor({ userId: 'ice-1', agencyId: DEMO_AGENCIES.ice, agencyKind: 'ice' });
  await cases.signOff(
    opened.caseId,
    {
      stepId: 'cp_decision-1',
      outcome: 'granted',
      details: { validUntil: `${Number(today.slice(0, 4)) + 2}${today.slice(4)}` },
    },
    ice,
  );
  const advocate = workingActor({ userId: 'advocate-1', agencyId: DEMO_AGENCIES.advocate, agencyKind: 'advocate' });
  const view = await cases.signOff(
    opened.caseId,
    { stepId: 't_visa_filing-1', outcome: 'filed', details: { filedOn: today } },
    advocate,
  );
  await eventually(async () => ((await handle.describe()).runId !== firstRunId ? true : undefined), 'a new run');
  // The new run has projected nothing: the read model holds the old run's last projection, of the latest version.
  expect((await getCase(stack.pool, opened.caseId))!.version).toBe(view.version);
  // An earlier release wrote its rows differently at that version.
  await stack.pool.query('DELETE FROM case_alarms WHERE case_id = $1', [opened.caseId]);
  await stack.pool.query('DELETE FROM case_timeline WHERE case_id = $1 AND seq > 1', [opened.caseId]);

  await reprojectCases(stack.client, stack.pool, { refresh: true });

  const refreshed = await getCase(stack.pool, opened.caseId);
  expect(refreshed!.version).toBe(view.version);
  expect(refreshed!.timeline.map((entry) => entry.summary)).toEqual(view.timeline.map((entry) => entry.summary));
  const alarms = await stack.pool.query('SELECT 1 FROM case_alarms WHERE case_id = $1', [opened.caseId]);
  expect(alarms.rowCount).toBeGreaterThan(0);
});

test("reproject writes a case missing from the backup with the zone it was identified in, the deployment's where its police have none", async () => {
  // The police have no zone of their own: the service reads their identifications in the deployment's TIMEZONE.
  const police = await stack.pool.query<{ time_zone: string | null }>('SELECT time_zone FROM agencies WHERE id = $1', [
    DEMO_AGENCIES.law_enforcement,
  ]);
  await stack.pool.query('UPDATE agencies SET time_zone = NULL WHERE id = $1', [DEMO_AGENCIES.law_enforcement]);
  try {
    const view = await stack.cases.open(
      {
        identifiedAt: new Date().toISOString(),
        survivor: { name: 'Restored Zone Case', birthDate: '1990-03-03' },
        agencies: DEMO_AGENCIES,
        reference: 'RESTORE-IDENTIFIED-IN',
      },
      lawEnforcement,
    );
    // The backup was taken before the case was opened: its read model holds no row of it.
    await stack.pool.query('DELETE FROM cases WHERE id = $1', [view.caseId]);

    await reprojectCases(stack.client, stack.pool, { timeZone: 'America/Chicago' });

    const row = await stack.pool.query<{ identified_in: string | null }>(
      'SELECT identified_in FROM cases WHERE id = $1',
      [view.caseId],
    );
    expect(row.rows[0]!.identified_in).toBe('America/Chicago');
  } finally {
    await stack.pool.query('UPDATE agencies SET time_zone = $2 WHERE id = $1', [
      DEMO_AGENCIES.law_enforcement,
      police.rows[0]!.time_zone,
    ]);
  }
});
