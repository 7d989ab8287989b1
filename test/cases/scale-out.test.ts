/**
 * Scaled out, at small size: 2 API and 2 worker processes of the service (main.ts with SERVICE_ROLE), each its own
 * OS process, against one PostgreSQL and one official Temporal dev server, with deadlines of seconds. The clients
 * spread their requests over the API processes and retry with the same Idempotency-Key, as behind a load balancer.
 * Then one worker and one API process are SIGKILLed in the middle of the sign-offs while reminders fall due: every
 * sign-off is applied once, every reminder reaches the mail server under its own Message-ID and none under another
 * (a resend under the same Message-ID, after a kill between the server's acceptance and its record, is counted apart),
 * and no request is answered 5xx but 503 with Retry-After.
 * The sign-in limit and a user's uploads in flight are counted once across the API processes, not once per process.
 * The bench's section 4 runs the same code (test/support/scale-out.ts) at bench size.
 */
import { request as httpRequest } from 'node:http';
import { DEMO_AGENCIES } from '../../db/seed';
import {
  newTally,
  openCases,
  readCases,
  retryingClient,
  runKillScenario,
  signOffCases,
  signOffsApplied,
  startTopology,
  type ScaleOutParts,
  type Topology,
} from '../support/scale-out';
import { eventually, startStack, TEST_PAYLOAD_KEYRING, type Stack } from '../support/stack';

let stack: Stack;
let parts: ScaleOutParts;
let topology: Topology | undefined;

beforeAll(async () => {
  stack = await startStack({ server: 'dev' });
  // The stack's in-process worker gives way to the worker processes.
  await stack.stopWorker();
  parts = {
    deployment: {
      databaseUrl: stack.database.connectionString,
      migrationUrl: stack.database.ownerConnectionString,
      temporalAddress: stack.env.connection.options.address,
      taskQueue: stack.taskQueue,
      payloadKeyring: TEST_PAYLOAD_KEYRING,
      // Sign-in attempts few enough to reach the limit here; writes many enough never to.
      env: { RATE_LIMIT_SIGN_IN_PER_MINUTE: '4', RATE_LIMIT_WRITES_PER_MINUTE: '100000' },
    },
    pool: stack.pool,
    client: stack.client,
    officer: stack.as('law_enforcement'),
    agencies: DEMO_AGENCIES,
  };
  topology = await startTopology(parts, { apis: 2, workers: 2, dueSeconds: 12 });
}, 240_000);

afterAll(async () => {
  await topology?.stop();
  await stack?.stop();
});

test('two API and two worker processes open, sign and read cases, each request answered by either API process', async () => {
  const tally = newTally();
  const send = retryingClient(topology!, parts.officer, tally);
  const cases = await openCases(send, parts, 6, 3);
  await signOffCases(
    send,
    cases.map((c) => c.caseId),
    3,
  );
  await readCases(
    send,
    cases.map((c) => c.caseId),
    3,
  );
  expect(
    await signOffsApplied(
      parts,
      cases.map((c) => c.caseId),
    ),
  ).toEqual({ applied: 6, lost: 0, doubled: 0, unmatched: [] });
  expect(tally).toEqual({ statuses: { 200: 12, 201: 6 }, connectionErrors: 0, retries: 0, violations: [] });
  // Both API processes served some of them: the clients take turns.
  for (const api of topology!.apis) expect(api.output()).toMatch(/"url":"\/api\/cases\/[^"]+\/sign-off"/);
}, 120_000);

test('the sign-in limit is counted once across API processes, not once per process', async () => {
  const statuses: string[] = [];
  for (let attempt = 1; attempt <= 6; attempt += 1) {
    const api = topology!.apis[attempt % 2]!;
    const res = await fetch(`${api.origin!}/api/auth/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'demo-advocate', password: `guess number ${attempt}` }),
    });
    const { code } = (await res.json()) as { code?: string };
    statuses.push(res.status === 429 ? `429 ${code}` : String(res.status));
  }
  // Three attempts at each process: counted per process, none would have been refused.
  expect(statuses).toEqual(['401', '401', '401', '401', '429 rate_limited', '429 rate_limited']);
}, 60_000);

test("a user's uploads in flight are counted once across API processes, not once per process", async () => {
  const tally = newTally();
  const [caseId] = (await openCases(retryingClient(topology!, parts.officer, tally), parts, 1, 1)).map((c) => c.caseId);
  /**
   * One upload, its headers and body sent in one write. A refused upload is answered before its body is read and its
   * connection closed (README, "2 uploads in flight per user"): fetch, which sends the body after the headers, then
   * failed now and then writing into the closed connection (EPIPE) instead of reading the answer.
   */
  const upload = async (api: number): Promise<{ status: number; code?: string }> => {
    const form = new FormData();
    form.append('file', new Blob([`%PDF-1.4\nscale-out upload ${api} ${Math.random()}\n`]), 'letter.pdf');
    const encoded = new Response(form);
    const body = Buffer.from(await encoded.arrayBuffer());
    const url = new URL(`${topology!.apis[api]!.origin!}/api/cases/${caseId}/steps/cp_request-1/documents`);
    return new Promise((resolve, reject) => {
      const req = httpRequest(url, {
        method: 'POST',
        headers: {
          ...parts.officer,
          'content-type': encoded.headers.get('content-type')!,
          'content-length': String(body.length),
        },
      });
      req.on('error', reject);
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const { code } = JSON.parse(Buffer.concat(chunks).toString() || '{}') as { code?: string };
          resolve({ status: res.statusCode!, code });
        });
      });
      req.end(body);
    });
  };
  // The documents' inserts held, so the first two uploads stay in flight as long as the test needs.
  const holder = await stack.database.owner.connect();
  await holder.query('BEGIN');
  await holder.query('LOCK TABLE step_documents IN SHARE ROW EXCLUSIVE MODE');
  try {
    const first = [upload(0), upload(0)];
    await eventually(async () => {
      const { rows } = await stack.database.owner.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock'",
      );
      return rows[0]!.n === 2;
    }, 'the two uploads to reach their write');
    // Counted per process, the other process had none of the officer's in flight and took it: three at once.
    const third = await upload(1);
    expect([third.status, third.code]).toEqual([429, 'too_many_uploads']);
    await holder.query('ROLLBACK');
    expect((await Promise.all(first)).map((res) => res.status)).toEqual([201, 201]);
  } finally {
    await holder.query('ROLLBACK');
    holder.release();
  }
  // Given back at their end: the other process takes the officer's next one.
  expect((await upload(1)).status).toBe(201);
}, 60_000);

test('SIGKILL one worker and one API process mid-run: every sign-off applied once, every due reminder sent once', async () => {
  const result = await runKillScenario(parts, topology!, {
    signOffs: 30,
    dueReminders: 10,
    concurrency: 4,
    timeoutMs: 120_000,
  });
  expect(result.tally.violations).toEqual([]);
  expect(result.signOffs).toEqual({ applied: 30, lost: 0, doubled: 0, unmatched: [] });
  expect(result.reminders).toMatchObject({ lost: 0, doubled: 0 });
  // The ten due reminders at least (a signed case's reminder may have fallen due before its sign-off came).
  expect(result.reminders.applied).toBeGreaterThanOrEqual(10);
  // The kill was felt: the dead API process's clients went elsewhere.
  expect(result.tally.connectionErrors).toBeGreaterThan(0);
  expect(topology!.apis[0]!.child.signalCode).toBe('SIGKILL');
  expect(topology!.workers[0]!.child.signalCode).toBe('SIGKILL');
}, 300_000);

test('/ready counts each worker process: the killed one drops out while the other keeps it 200; the last one SIGKILLed, 503 naming worker within 20 s', async () => {
  const api = topology!.apis[1]!;
  const ready = async () => {
    const res = await fetch(`${api.origin!}/ready`);
    return { status: res.status, body: (await res.json()) as { detail?: string; checks: Record<string, boolean> } };
  };
  // Each worker process renews a row of its own: the killed one's goes stale, the other's stays fresh.
  await eventually(async () => {
    const { rows } = await stack.pool.query<{ seen: number }>(
      `SELECT count(*)::int AS seen FROM worker_heartbeats
       WHERE task_queue = $1 AND seen_at > statement_timestamp() - interval '15 seconds'`,
      [stack.taskQueue],
    );
    return rows[0]!.seen === 1;
  }, 'only the live worker to be seen');
  expect(await ready()).toMatchObject({ status: 200, body: { checks: { worker: true } } });

  // Temporal lists a killed worker's poller for up to two minutes; its row stops being renewed at once.
  await topology!.workers[1]!.stop('SIGKILL');
  const notReady = await eventually(
    async () => {
      const answer = await ready();
      return answer.status === 503 && answer;
    },
    '/ready to answer 503 after the last worker was killed',
    20_000,
  );
  expect(notReady.body).toMatchObject({
    detail: 'not ready: worker',
    checks: { postgres: true, temporal: true, worker: false },
  });
}, 90_000);
