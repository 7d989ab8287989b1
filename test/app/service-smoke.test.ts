/**
 * The whole service as `npm start` wires it (service.ts), against parts this test owns so it can take them
 * down: a PostgreSQL, the official Temporal dev server and an SMTP capture. Over HTTP to the running service:
 * readiness, a case opened and read, then an outage of PostgreSQL and one of Temporal, each answered 503 quickly
 * (never a 500, never a hang), and the service recovering when each comes back.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { loadConfig } from '../../app/config';
import { createLogger } from '../../core/logger';
import { startService, type RunningService } from '../../service';
import { DEMO_AGENCIES, seedDemoAgencies } from '../../db/seed';
import { startMailCapture, type MailCapture } from '../../mail/capture-server';
import { sealSessionToken, SESSION_COOKIE } from '../../web/session';
import { startDevServer, type DevServerOptions, type RunningDevServer } from '../../temporal/dev-server';
import { seedDemoUsersWithTokens, type TestUser } from '../support/auth';
import { freePort } from '../support/ports';
import { startTestDatabase, type TestDatabase } from '../support/postgres';
import { eventually } from '../support/eventually';
import { cookiesSetBy } from '../support/forms';

const logger = createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
/** "Within about a second", with room for a loaded test machine. */
const QUICK_MS = 1500;

let dataDir: string;
let database: TestDatabase;
let temporalOptions: DevServerOptions;
let temporalServer: RunningDevServer | undefined;
let mail: MailCapture;
let service: RunningService | undefined;
let api: string;
let police: TestUser;
let caseId: string;
const consoleSecret = randomBytes(32).toString('base64url');
/** The signed-in officer's browser: the console's session cookie, sealing an API token. */
let sessionCookie: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'relief-smoke-'));
  database = await startTestDatabase();
  await seedDemoAgencies(database.pool);
  police = (await seedDemoUsersWithTokens(database.pool))['demo-police-officer']!;
  const cookie = await sealSessionToken(consoleSecret, police.token, new Date(Date.now() + 3_600_000));
  sessionCookie = `${SESSION_COOKIE}=${cookie}`;
  temporalOptions = {
    ip: '127.0.0.1',
    port: await freePort(),
    uiPort: await freePort(),
    namespace: 'default',
    dbFile: join(dataDir, 'temporal.sqlite'),
    logger,
  };
  temporalServer = await startDevServer(temporalOptions);
  mail = await startMailCapture({ port: 0 });
  // A real port, not 0: the web console calls the API on the configured one.
  const port = await freePort();
  const key = () => randomBytes(32).toString('base64');
  const config = loadConfig({
    // The service connects as its own role and migrates as the owner, as in production.
    DATABASE_URL: database.connectionString,
    MIGRATION_DATABASE_URL: database.ownerConnectionString,
    TEMPORAL_ADDRESS: temporalServer.address,
    TEMPORAL_TASK_QUEUE: `smoke-${process.pid}`,
    SMTP_URL: mail.url,
    HOST: '127.0.0.1',
    PORT: String(port),
    PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
    DATA_DIR: dataDir,
    IDENTITY_KEYS: `smoke-identity:${key()}`,
    PAYLOAD_KEYS: `smoke-payload:${key()}`,
    CONSOLE_SECRET: consoleSecret,
  });
  service = await startService(config, logger);
  api = service.where.api!;
}, 90_000);

afterAll(async () => {
  await service?.stop();
  await temporalServer?.stop();
  await mail?.close();
  await database?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** Sends a request and measures how long the answer took. */
async function timed<T>(send: () => Promise<T>): Promise<{ res: T; ms: number }> {
  const started = Date.now();
  const res = await send();
  return { res, ms: Date.now() - started };
}

const ready = () => request(api).get('/ready');
const readCase = () => request(api).get(`/api/cases/${caseId}`).set(police.headers);
const session = () => sessionCookie;
const casePage = () => request(api).get(`/cases/${caseId}`).set('Cookie', session());
const today = () => new Date().toISOString().slice(0, 10);
const signOff = (idempotencyKey: string) =>
  request(api)
    .post(`/api/cases/${caseId}/steps/cp_request-1/sign-off`)
    .set(police.headers)
    .set('Idempotency-Key', idempotencyKey)
    .send({ outcome: 'requested', details: { requestedOn: today() } });
/** The value of a hidden form field on a console page. */
const hidden = (html: string, name: string) => new RegExp(`name="${name}" value="([^"]+)"`).exec(html)?.[1];

test('with a real mail server the development mailbox is not served: /dev/mail is only for the embedded capture', async () => {
  // Not mounted: absent (404 problem+json), as the README says, never the console's sign-in page or messages.
  const res = await request(api).get('/dev/mail');
  expect({ status: res.status, items: (res.body as { items?: unknown }).items }).toEqual({
    status: 404,
    items: undefined,
  });
  const document = await request(api).get('/api/openapi.json').expect(200);
  expect(Object.keys((document.body as { paths: object }).paths)).not.toContain('/dev/mail');
});

test('ready with a worker; a case is opened and read', async () => {
  // The worker's first poll reaches the server a moment after start-up.
  const res = await eventually(async () => {
    const answer = await ready();
    return answer.status === 200 && answer;
  }, 'the service to be ready');
  expect(res.body).toEqual({ status: 'ready', checks: { postgres: true, temporal: true, worker: true } });

  const opened = await request(api)
    .post('/api/cases')
    .set(police.headers)
    .set('Idempotency-Key', `smoke-open-${process.pid}`)
    .send({
      identifiedOn: new Date().toISOString().slice(0, 10),
      survivor: { name: 'Smoke Test Person', birthDate: '1990-05-01' },
      agencies: DEMO_AGENCIES,
    })
    .expect(201);
  caseId = (opened.body as { caseId: string }).caseId;
  const read = await readCase().expect(200);
  expect(read.body).toMatchObject({ caseId, status: 'open' });
});

test('PostgreSQL down: ready and every request answer 503 with Retry-After at once; back up, the service recovers', async () => {
  await database.stopServer();

  const probe = await timed(() => ready());
  expect(probe.ms).toBeLessThan(QUICK_MS);
  expect(probe.res.status).toBe(503);
  expect(probe.res.headers['retry-after']).toBe('5');
  // Workers are known by their rows in PostgreSQL: while it is down, none is seen.
  expect(probe.res.body).toMatchObject({
    detail: 'not ready: postgres, worker',
    checks: { postgres: false, temporal: true, worker: false },
  });

  const read = await timed(() => readCase());
  expect(read.ms).toBeLessThan(QUICK_MS);
  expect(read.res.status).toBe(503);
  expect(read.res.headers['content-type']).toMatch(/application\/problem\+json/);
  expect(read.res.headers['retry-after']).toBe('5');
  expect(read.res.body).toMatchObject({ status: 503, code: 'postgres_unavailable' });
  const write = await timed(() => signOff(`smoke-pg-down-${process.pid}`));
  expect(write.ms).toBeLessThan(QUICK_MS);
  expect(write.res.status).toBe(503);
  // A person in the console gets a page that says so, not a crash.
  const page = await casePage();
  expect(page.status).toBe(503);
  expect(page.text).toContain('The service is temporarily unavailable');

  await database.startServer();
  // The worker's next renewal, within seconds, counts it again.
  await eventually(async () => (await ready()).status === 200, 'ready after PostgreSQL is back', 30_000);
  await readCase().expect(200);
});

test('Temporal down: ready answers 503 at once, reads go on, a write answers 503; back up, the write goes through once', async () => {
  await temporalServer!.stop();

  const probe = await timed(() => ready());
  expect(probe.ms).toBeLessThan(QUICK_MS);
  expect(probe.res.status).toBe(503);
  expect(probe.res.headers['retry-after']).toBe('5');
  // The worker process still runs and says so; the server it polls is what is missing.
  expect(probe.res.body).toMatchObject({
    detail: 'not ready: temporal',
    checks: { postgres: true, temporal: false, worker: true },
  });

  // The read model is PostgreSQL's: reads are served as before.
  await readCase().expect(200);
  expect((await casePage()).status).toBe(200);

  const key = `smoke-temporal-down-${process.pid}`;
  const form = await request(api)
    .get(`/cases/${caseId}/steps/cp_request-1?outcome=requested`)
    .set('Cookie', session())
    .expect(200);
  const formKey = hidden(form.text, 'idempotencyKey');
  // The same sign-off through the API and through the console's form, side by side.
  const [write, sent] = await Promise.all([
    timed(() => signOff(key)),
    request(api)
      .post(`/cases/${caseId}/steps/cp_request-1`)
      .set('Cookie', [session(), ...cookiesSetBy(form)].join('; '))
      .set('Origin', new URL(api).origin)
      .type('form')
      .send({
        _csrf: hidden(form.text, '_csrf'),
        idempotencyKey: formKey,
        // As the check-your-answers page sends it: the confirmation of the sign-off.
        confirm: 'yes',
        outcome: 'requested',
        'details.requestedOn': today(),
        'details.note': 'sent during the outage',
      }),
  ]);
  // The console shows the form again with what was typed and the same key, so sending it again is the same request.
  expect(sent.status).toBe(503);
  expect(sent.text).toContain('The service could not finish this just now');
  expect(sent.text).toContain('sent during the outage');
  expect(hidden(sent.text, 'idempotencyKey')).toBe(formKey);
  expect(hidden(sent.text, '_csrf')).toBe(hidden(form.text, '_csrf'));

  expect(write.res.status).toBe(503);
  expect(write.res.headers['retry-after']).toBe('5');
  expect(write.res.body).toMatchObject({ status: 503, code: 'temporal_unavailable' });
  // Within WRITE_TIMEOUT_SECONDS (10 s) and the 2 s the README allows after it: the client's retries of the refused
  // server end by the write's deadline (temporal/connection.ts), where their backoff ran past it to 16 to 18 s.
  expect(write.ms).toBeLessThan(12_000);

  temporalServer = await startDevServer(temporalOptions);
  // The service's client and worker reconnect by themselves.
  await eventually(async () => (await ready()).status === 200, 'ready after Temporal is back', 30_000);
  const retried = await signOff(key).expect(200);
  expect(retried.headers['idempotent-replayed']).toBeUndefined();
  expect(
    (retried.body as { steps: { id: string; status: string }[] }).steps.find((step) => step.id === 'cp_request-1')
      ?.status,
  ).toBe('completed');
}, 90_000);

test('the service stops cleanly, and its worker is no longer counted', async () => {
  const workersSeen = async () =>
    (await database.pool.query('SELECT id FROM worker_heartbeats WHERE task_queue = $1', [`smoke-${process.pid}`]))
      .rowCount;
  expect(await workersSeen()).toBe(1);
  await service!.stop();
  service = undefined;
  await expect(request(api).get('/health')).rejects.toThrow(/ECONNREFUSED/);
  // Its row went with it: another API process's /ready says at once that no worker runs.
  expect(await workersSeen()).toBe(0);
});
