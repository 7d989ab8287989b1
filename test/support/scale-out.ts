/**
 * The service scaled out: several API and worker processes (test/support/service-process.ts) against one PostgreSQL,
 * one Temporal server and one SMTP capture, driven over HTTP by clients that retry as a load balancer's clients do.
 * Shared by the scale-out test (test/cases/scale-out.test.ts) and the bench's section 4 (bench/scale-out-bench.ts),
 * so that both run, and count, the same thing.
 */
import { randomUUID } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import type { Pool } from 'pg';
import { notificationMessageId } from '../../activities/notifications';
import type { CaseAgencies } from '../../domain/types';
import { startMailCapture, type MailCapture } from '../../mail/capture-server';
import { workflowIdOf } from '../../workflows/contract';
import { eventually } from './eventually';
import { startServiceProcess, type Deployment, type ServiceProcess } from './service-process';

const MAIL_FROM = 'Relief cases <no-reply@relief.example.org>';
const SIGN_OFF = { stepId: 'cp_request-1', outcome: 'requested' } as const;

/** What the caller brings: the infrastructure, and who opens and signs the cases. */
export interface ScaleOutParts {
  deployment: Omit<Deployment, 'smtpUrl' | 'policyFile'>;
  /** On the same database, to count what the processes did. */
  pool: Pool;
  /** With the service's data converter, to read the cases' histories. */
  client: Client;
  /** Bearer headers of a law-enforcement officer of `agencies`, who opens cases and signs their CP request. */
  officer: Record<string, string>;
  agencies: CaseAgencies;
}

/** The running processes, the mail server they send to, and how to add or stop them. */
export interface Topology {
  apis: ServiceProcess[];
  workers: ServiceProcess[];
  mail: MailCapture;
  add(role: 'api' | 'worker'): Promise<ServiceProcess>;
  stop(): Promise<void>;
}

/**
 * Starts `apis` API and `workers` worker processes. New cases' CP request falls due `dueSeconds` after the case is
 * identified, with one reminder at due and no escalation: a real deadline of seconds on the real dev server.
 */
export async function startTopology(
  parts: ScaleOutParts,
  counts: { apis: number; workers: number; dueSeconds: number },
): Promise<Topology> {
  const mail = await startMailCapture({ port: 0, keep: 100_000 });
  const policyFile = join(tmpdir(), `scale-out-policy-${process.pid}-${randomUUID()}.json`);
  writeFileSync(
    policyFile,
    JSON.stringify({
      version: `scale-out-${counts.dueSeconds}s`,
      sla: { cp_request: { days: counts.dueSeconds / 86_400, source: 'scale-out: seconds' } },
      reminders: { cp_request: { beforeDueDays: [], atDue: true, escalateAfterDays: [], source: 'scale-out' } },
    }),
  );
  const deployment: Deployment = { ...parts.deployment, smtpUrl: mail.url, policyFile };
  let stopping: Promise<void> | undefined;
  const topology: Topology = {
    apis: [],
    workers: [],
    mail,
    add: async (role) => {
      const started = await startServiceProcess(deployment, role);
      (role === 'api' ? topology.apis : topology.workers).push(started);
      return started;
    },
    // Once, however many callers: the test's afterAll, the bench's cleanup.
    stop: () =>
      (stopping ??= (async () => {
        await Promise.all([...topology.apis, ...topology.workers].map((p) => p.stop('SIGTERM')));
        await mail.close();
        rmSync(policyFile, { force: true });
      })()),
  };
  try {
    // One at a time: on a small machine, several compiling at once take longer than one after the other.
    for (let n = 0; n < counts.workers; n += 1) await topology.add('worker');
    for (let n = 0; n < counts.apis; n += 1) await topology.add('api');
  } catch (error) {
    await topology.stop();
    throw error;
  }
  return topology;
}

/** What the clients saw: every status, and each answer the service must never give. */
export interface Tally {
  statuses: Record<number, number>;
  connectionErrors: number;
  retries: number;
  /** A 5xx other than 503 with Retry-After, or a 503 without it. */
  violations: string[];
}

export const newTally = (): Tally => ({ statuses: {}, connectionErrors: 0, retries: 0, violations: [] });

/**
 * A client behind a load balancer: each request goes to the next live API process; a connection error marks that
 * process gone and the request is sent again, with the same Idempotency-Key, to another. A 503 or a 409 "still in
 * progress" is retried after its Retry-After. Anything else is the answer.
 */
export function retryingClient(topology: Topology, headers: Record<string, string>, tally: Tally) {
  const gone = new Set<string>();
  let turn = 0;
  const nextOrigin = () => {
    const live = topology.apis.map((api) => api.origin!).filter((origin) => !gone.has(origin));
    if (live.length === 0) throw new Error('no API process left');
    return live[turn++ % live.length]!;
  };
  return async (method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: unknown }> => {
    const key = method === 'POST' ? randomUUID() : undefined;
    const deadline = Date.now() + 180_000;
    for (;;) {
      if (Date.now() > deadline) throw new Error(`${method} ${path}: no answer within 3 minutes`);
      const origin = nextOrigin();
      let response: Response;
      try {
        response = await fetch(`${origin}${path}`, {
          method,
          headers: {
            ...headers,
            ...(key ? { 'idempotency-key': key, 'content-type': 'application/json' } : {}),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
      } catch {
        // The process died under the request, or refuses connections: it is gone for this client.
        tally.connectionErrors += 1;
        tally.retries += 1;
        gone.add(origin);
        continue;
      }
      const text = await response.text();
      tally.statuses[response.status] = (tally.statuses[response.status] ?? 0) + 1;
      const retryAfter = response.headers.get('retry-after');
      if (response.status >= 500 && (response.status !== 503 || !retryAfter)) {
        tally.violations.push(`${method} ${path} answered ${response.status}: ${text.slice(0, 200)}`);
        throw new Error(tally.violations.at(-1));
      }
      const inProgress = response.status === 409 && text.includes('idempotency_in_progress');
      if (response.status === 503 || inProgress) {
        tally.retries += 1;
        await new Promise((resolve) => setTimeout(resolve, Math.min(Number(retryAfter) || 1, 5) * 1000));
        continue;
      }
      return { status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined };
    }
  };
}

/** Runs `call` over `items` with `concurrency` in flight; the latency of each, in order of completion. */
async function inParallel<T>(items: readonly T[], concurrency: number, call: (item: T) => Promise<void>) {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const item = items[next++]!;
        const begun = performance.now();
        await call(item);
        latencies.push(performance.now() - begun);
      }
    }),
  );
  return { latencies, seconds: (performance.now() - started) / 1000 };
}

type Send = ReturnType<typeof retryingClient>;

/** Opens `count` cases through the API, each identified now (a date alone would mean its midnight). */
export async function openCases(send: Send, parts: ScaleOutParts, count: number, concurrency: number) {
  const opened: { caseId: string; reference: string }[] = [];
  await inParallel(
    Array.from({ length: count }, (_, i) => i),
    concurrency,
    async (i) => {
      const answer = await send('POST', '/api/cases', {
        identifiedAt: new Date().toISOString(),
        survivor: { name: `Scale Out ${i}`, birthDate: '1990-01-01' },
        agencies: parts.agencies,
      });
      if (answer.status !== 201) throw new Error(`opening a case answered ${answer.status}`);
      const view = answer.body as { caseId: string; reference: string };
      opened.push({ caseId: view.caseId, reference: view.reference });
    },
  );
  return opened;
}

/** Signs each case's CP request; the answer of each must be 200, and show the step signed (read-your-writes). */
export async function signOffCases(
  send: Send,
  caseIds: readonly string[],
  concurrency: number,
  onAnswer: (answered: number) => void = () => {},
) {
  let answered = 0;
  return inParallel(caseIds, concurrency, async (caseId) => {
    const answer = await send('POST', `/api/cases/${caseId}/steps/${SIGN_OFF.stepId}/sign-off`, {
      outcome: SIGN_OFF.outcome,
      details: { requestedOn: new Date().toISOString().slice(0, 10) },
    });
    if (answer.status !== 200) throw new Error(`a sign-off answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    const { steps } = answer.body as { steps: { id: string; status: string }[] };
    const signed = steps.find((step) => step.id === SIGN_OFF.stepId);
    if (signed?.status !== 'completed') {
      throw new Error(`a sign-off of case ${caseId} answered 200 with its step ${signed?.status ?? 'missing'}`);
    }
    onAnswer((answered += 1));
  });
}

/** Reads each case once through the API. */
export function readCases(send: Send, caseIds: readonly string[], concurrency: number) {
  return inParallel(caseIds, concurrency, async (caseId) => {
    const answer = await send('GET', `/api/cases/${caseId}`);
    if (answer.status !== 200) throw new Error(`reading a case answered ${answer.status}`);
  });
}

interface Exactness {
  applied: number;
  lost: number;
  doubled: number;
}

/** The sign-offs' count, with each case not counted applied named with both its counts. */
export type SignOffExactness = Exactness & { unmatched: string[] };

/**
 * Each signed case: how many `step.completed` of its CP request the timeline holds, and accepted sign-off updates;
 * `unmatched` names each case not counted applied, with both counts, so that a failure says which side is off.
 */
export async function signOffsApplied(parts: ScaleOutParts, caseIds: readonly string[]): Promise<SignOffExactness> {
  const { rows } = await parts.pool.query<{ case_id: string; completed: string }>(
    `SELECT case_id, count(*) AS completed FROM case_timeline
     WHERE case_id = ANY($1::uuid[]) AND type = 'step.completed' AND step_id = $2 GROUP BY case_id`,
    [caseIds, SIGN_OFF.stepId],
  );
  const completed = new Map(rows.map((row) => [row.case_id, Number(row.completed)]));
  const result: SignOffExactness = { applied: 0, lost: 0, doubled: 0, unmatched: [] };
  for (const caseId of caseIds) {
    const history = await parts.client.workflow.getHandle(workflowIdOf(caseId)).fetchHistory();
    const accepted = signOffsAccepted(history.events ?? []);
    const inTimeline = completed.get(caseId) ?? 0;
    if (inTimeline === 1 && accepted === 1) {
      result.applied += 1;
      continue;
    }
    if (inTimeline === 0 || accepted === 0) result.lost += 1;
    else result.doubled += 1;
    result.unmatched.push(`case ${caseId}: ${inTimeline} in the timeline, ${accepted} accepted in its history`);
  }
  return result;
}

/**
 * The sign-off updates a history accepted. An accepted event names its update's request, unless the server had
 * already recorded the request in an admitted event (as it does for an update it holds across a lost workflow task):
 * then only the update id links the two.
 */
function signOffsAccepted(events: readonly temporal.api.history.v1.IHistoryEvent[]): number {
  const signOffIds = new Set(
    events.flatMap((event) => {
      const request =
        event.workflowExecutionUpdateAdmittedEventAttributes?.request ??
        event.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest;
      return request?.input?.name === 'signOff' && request.meta?.updateId ? [request.meta.updateId] : [];
    }),
  );
  return events.filter((event) => {
    const accepted = event.workflowExecutionUpdateAcceptedEventAttributes;
    return accepted?.protocolInstanceId && signOffIds.has(accepted.protocolInstanceId);
  }).length;
}

/**
 * Every notification of these cases was sent, and reached the mail server under one Message-ID, its own (or was
 * settled as no longer owed, its step done before it could go out); no email names one of these cases without being
 * a notification's. Waits for the due reminders of `remindedCaseIds` first.
 */
async function remindersSent(
  parts: ScaleOutParts,
  topology: Topology,
  cases: readonly { caseId: string; reference: string }[],
  remindedCaseIds: readonly string[],
  timeoutMs: number,
): Promise<Exactness & { copies: number }> {
  const caseIds = cases.map((c) => c.caseId);
  const sentNotices = async () =>
    (
      await parts.pool.query<{
        id: string;
        case_id: string;
        kind: string;
        sent_at: Date | null;
        not_sent_at: Date | null;
      }>(
        `SELECT id, case_id, kind, sent_at, not_sent_at FROM notifications
         WHERE case_id = ANY($1::text[]) AND recipient_email IS NOT NULL`,
        [caseIds],
      )
    ).rows;
  const notices = await eventually(
    async () => {
      const rows = await sentNotices();
      const dueSent = new Set(rows.filter((r) => r.kind === 'due' && r.sent_at).map((r) => r.case_id));
      // A reminder whose delivery the kill delayed until its step was signed is settled, not sent (its step is done).
      return remindedCaseIds.every((id) => dueSent.has(id)) && rows.every((r) => r.sent_at || r.not_sent_at)
        ? rows
        : undefined;
    },
    'every due reminder to be sent',
    timeoutMs,
  );
  const references = cases.map((c) => c.reference);
  const emails = topology.mail.messages().filter((m) => references.some((ref) => m.subject.includes(ref)));
  const byMessageId = new Map<string, number>();
  for (const email of emails) byMessageId.set(email.messageId ?? '', (byMessageId.get(email.messageId ?? '') ?? 0) + 1);
  const expected = new Set(
    notices.filter((notice) => notice.sent_at).map((notice) => notificationMessageId(notice.id, MAIL_FROM)),
  );
  // A settled one may still have gone out once: accepted by the server, its worker killed before recording it, and the
  // step signed before the retry. Its Message-ID is its own notification's, not a second notification of an alarm.
  const settled = new Set(
    notices.filter((notice) => !notice.sent_at).map((notice) => notificationMessageId(notice.id, MAIL_FROM)),
  );
  const result = { applied: 0, lost: 0, doubled: 0, copies: 0 };
  for (const id of expected) {
    const copies = byMessageId.get(id) ?? 0;
    if (copies === 0) result.lost += 1;
    else result.applied += 1;
    // Sent again after a crash between the server's "250" and the outbox's record: the same Message-ID, which
    // mail systems take as one message.
    result.copies += Math.max(0, copies - 1);
  }
  // An email of these cases under any other Message-ID would be a second notification of one alarm.
  for (const [id, copies] of byMessageId)
    if (!expected.has(id) && !(settled.has(id) && copies === 1)) result.doubled += 1;
  return result;
}

export interface KillResult {
  signOffs: SignOffExactness;
  reminders: Exactness & { copies: number };
  tally: Tally;
  /** Sign-offs answered, and reminder emails received, when one API and one worker process were SIGKILLed. */
  atKill: { signOffsAnswered: number; remindersReceived: number };
  seconds: number;
}

/**
 * Opens `dueReminders` cases whose CP request then falls due (their reminders), and `signOffs` cases whose CP request
 * is signed once the first reminder arrived; half-way through the sign-offs SIGKILLs the first worker and the first
 * API process. Then counts: each
 * sign-off applied once, each reminder sent once, and no 5xx but 503 with Retry-After.
 */
export async function runKillScenario(
  parts: ScaleOutParts,
  topology: Topology,
  options: { signOffs: number; dueReminders: number; concurrency: number; timeoutMs: number },
): Promise<KillResult> {
  const started = performance.now();
  const tally = newTally();
  const send = retryingClient(topology, parts.officer, tally);
  const reminded = await openCases(send, parts, options.dueReminders, options.concurrency);
  const signed = await openCases(send, parts, options.signOffs, options.concurrency);
  const atKill = { signOffsAnswered: 0, remindersReceived: 0 };
  let killing: Promise<unknown> | undefined;
  const references = reminded.map((c) => c.reference);
  const remindersReceived = () =>
    topology.mail.messages().filter((m) => references.some((ref) => m.subject.includes(ref))).length;
  // The sign-offs begin as the reminders begin to fall due, so that the kill comes among both.
  await eventually(() => remindersReceived() > 0, 'the first due reminder', options.timeoutMs);
  await signOffCases(
    send,
    signed.map((c) => c.caseId),
    options.concurrency,
    (answered) => {
      if (killing || answered < Math.ceil(options.signOffs / 2)) return;
      atKill.signOffsAnswered = answered;
      atKill.remindersReceived = remindersReceived();
      killing = Promise.all([topology.workers[0]!.stop('SIGKILL'), topology.apis[0]!.stop('SIGKILL')]);
    },
  );
  await killing;
  const signOffs = await signOffsApplied(
    parts,
    signed.map((c) => c.caseId),
  );
  const reminders = await remindersSent(
    parts,
    topology,
    [...reminded, ...signed],
    reminded.map((c) => c.caseId),
    options.timeoutMs,
  );
  return { signOffs, reminders, tally, atKill, seconds: (performance.now() - started) / 1000 };
}
