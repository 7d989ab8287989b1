/**
 * A real case-worker process (`main.ts` with SERVICE_ROLE=worker) is SIGKILLed while the mail server holds its reply
 * to a reminder, then started again: the reminder ends up as one outbox row and one accepted email with one
 * Message-ID, and the alarm after it still goes out; and a sign-off on a case the killed worker held is applied by the
 * other worker within the API's wait (probe Q5). On the official dev server (real time), with a policy whose
 * deadlines are seconds, and an SMTP server of the test's own that can hold its answer to DATA.
 */
import request from 'supertest';
import type { SMTPServerDataStream } from 'smtp-server';
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';
import { listNotifications } from '../../db/notifications';
import { DEMO_AGENCIES } from '../../db/seed';
import { workingActor } from '../../domain/access';
import { policyWithOverrides } from '../../domain/policy';
import { workflowIdOf } from '../../workflows/contract';
import { startServiceProcess, type ServiceProcess } from '../support/service-process';
import { eventually, startStack, TEST_PAYLOAD_KEYRING, type Stack } from '../support/stack';

const SECOND = 1 / 86_400;
/** What reached the mail server: accepted (answered 250) or dropped (the sender was gone before the answer). */
const received: { messageId: string; subject: string; accepted: boolean }[] = [];
/** While set, the next due email's answer waits here instead of being sent. */
let holdNext = false;
let held: ((error?: Error) => void) | undefined;

let stack: Stack;
let smtp: SMTPServer;
let smtpPort = 0;
let worker: ServiceProcess | undefined;

beforeAll(async () => {
  stack = await startStack({ server: 'dev' });
  // The stack's in-process worker gives way to the real worker process below.
  await stack.stopWorker();
  stack.setPolicy(
    policyWithOverrides({
      version: 'test-seconds',
      sla: { cp_request: { days: 4 * SECOND, source: 'test: four seconds' } },
      reminders: { cp_request: { beforeDueDays: [], atDue: true, escalateAfterDays: [20 * SECOND], source: 'test' } },
    }),
  );
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    disableReverseLookup: true,
    logger: false,
    onData(stream: SMTPServerDataStream, _session, callback) {
      void simpleParser(stream).then((parsed) => {
        const message = { messageId: parsed.messageId ?? '', subject: parsed.subject ?? '', accepted: false };
        received.push(message);
        const answer = (error?: Error) => {
          // A server that could not answer 250 has not taken the message: only answered ones count as delivered.
          message.accepted = !error;
          callback(error);
        };
        // The due email's: the opening's own email to the advocates ("Waiting on your agency") goes through.
        if (holdNext && message.subject.startsWith('Deadline reached')) {
          holdNext = false;
          held = answer;
        } else answer();
      });
    },
  });
  await new Promise<void>((ready) => smtp.listen(0, '127.0.0.1', ready));
  smtpPort = (smtp.server.address() as { port: number }).port;
}, 60_000);

afterAll(async () => {
  await worker?.stop('SIGKILL');
  await new Promise<void>((done) => smtp?.close(() => done()));
  await stack?.stop();
});

/** Starts the case worker as the service runs it, against the test's PostgreSQL, Temporal and mail server. */
const startWorkerProcess = () =>
  startServiceProcess(
    {
      databaseUrl: stack.database.connectionString,
      migrationUrl: stack.database.ownerConnectionString,
      temporalAddress: stack.env.connection.options.address,
      taskQueue: stack.taskQueue,
      smtpUrl: `smtp://127.0.0.1:${smtpPort}`,
      payloadKeyring: TEST_PAYLOAD_KEYRING,
      // The stack's own processes seal identities with its keyring: the worker opens what they sealed.
      identityKeyring: stack.identityKeyring,
    },
    'worker',
  );

test('a worker killed while the mail server holds its reply: one row, one email, one Message-ID, no alarm lost', async () => {
  worker = await startWorkerProcess();
  holdNext = true;
  const officer = workingActor({
    userId: 'officer-kill',
    agencyId: DEMO_AGENCIES.law_enforcement,
    agencyKind: 'law_enforcement',
  });
  const view = await stack.cases.open(
    {
      identifiedAt: new Date().toISOString(),
      survivor: { name: 'Killed Worker Case', birthDate: '1982-02-02' },
      agencies: DEMO_AGENCIES,
    },
    officer,
  );

  // The CP request falls due after four seconds; its email reaches the server, which holds its answer.
  await eventually(() => held !== undefined, 'the due email to reach the mail server', 30_000);
  await worker.stop('SIGKILL');
  held!(new Error('the sender is gone'));
  const notices = async () =>
    (await listNotifications(stack.pool, { caseId: view.caseId, limit: 20 })).items.filter(
      (n) => n.stepId === 'cp_request-1',
    );
  expect((await notices()).map((n) => [n.kind, n.sentAt])).toEqual([['due', null]]);

  worker = await startWorkerProcess();
  const all = await eventually(
    async () => {
      const rows = await notices();
      return rows.length === 2 && rows.every((n) => n.sentAt) ? rows : undefined;
    },
    'the due email again and the escalation after it',
    60_000,
  );
  expect(all.map((n) => n.kind).sort()).toEqual(['due', 'escalation']);

  const due = all.find((n) => n.kind === 'due')!;
  const ofDue = received.filter((m) => m.subject.includes(view.reference) && m.subject.startsWith('Deadline reached'));
  // The held copy was never answered; the resend carries the same Message-ID, and only it was accepted.
  expect(new Set(ofDue.map((m) => m.messageId)).size).toBe(1);
  expect(ofDue.filter((m) => m.accepted)).toHaveLength(1);
  expect(due.attempts).toBe(1);
  const escalations = received.filter((m) => m.subject.includes(view.reference) && m.subject.startsWith('ESCALATION'));
  expect(escalations.filter((m) => m.accepted)).toHaveLength(1);
  // The case lived through it.
  expect((await stack.client.workflow.getHandle(workflowIdOf(view.caseId)).describe()).status.name).toBe('RUNNING');

  await worker.stop('SIGTERM');
  worker = undefined;
}, 150_000);

test('a sign-off on a case held by a worker killed with SIGKILL answers 200 while the other worker runs', async () => {
  // The only worker when the case opens: its first workflow task runs there, and the case stays in its cache.
  worker = await startWorkerProcess();
  const officer = stack.as('law_enforcement');
  const opened = await request(stack.app)
    .post('/api/cases')
    .set(officer)
    .set('Idempotency-Key', 'killed-holder-open')
    .send({
      identifiedAt: new Date().toISOString(),
      survivor: { name: 'Held Case', birthDate: '1983-03-03' },
      agencies: DEMO_AGENCIES,
    })
    .expect(201);
  await stack.startWorker();
  try {
    await worker.stop('SIGKILL');
    worker = undefined;
    // Its next workflow task waits on the dead worker's sticky queue until Temporal hands it to the task queue: with
    // the SDK's 10 s, longer than the API waits (WRITE_TIMEOUT_SECONDS, 10 s), which answered 503.
    const signed = await request(stack.app)
      .post(`/api/cases/${(opened.body as { caseId: string }).caseId}/steps/cp_request-1/sign-off`)
      .set(officer)
      .set('Idempotency-Key', 'killed-holder-sign')
      .send({ outcome: 'requested', details: { requestedOn: new Date().toISOString().slice(0, 10) } })
      .expect(200);
    const steps = (signed.body as { steps: { id: string; status: string }[] }).steps;
    expect(steps.find((step) => step.id === 'cp_request-1')!.status).toBe('completed');
  } finally {
    await stack.stopWorker();
  }
}, 90_000);
