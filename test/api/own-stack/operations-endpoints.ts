/**
 * What operators reach besides the API, on the shared stack: `GET /metrics` (the series the README lists, the
 * sign-off counter moving, labels without ids, the bearer token), the Temporal SDK's own metrics on their port, and
 * the Temporal Web UI's codec server (a real sealed payload of a case's history opened for an admin; everyone else,
 * and every other origin, refused; each call audited without its payloads).
 */
import type { temporal } from '@temporalio/proto';
import type { Express } from 'express';
import request from 'supertest';
import { loadConfig } from '../../../app/config';
import { createMetrics } from '../../../app/metrics';
import { createLogger } from '../../../core/logger';
import { DEMO_AGENCIES } from '../../../db/seed';
import { EncryptionCodec } from '../../../temporal/codec';
import { installWorkerRuntime } from '../../../temporal/worker';
import { createConsole } from '../../../web/console';
import { sealSessionToken, SESSION_COOKIE, sessionCookieReader } from '../../../web/session';
import { workflowIdOf } from '../../../workflows/contract';
import type { Role } from '../../../domain/types';
import { createTestUser } from '../../support/auth';
import { freePort } from '../../support/ports';
import { eventually } from '../../support/eventually';
import type { Stack } from '../../support/stack';
import { withoutRandomParts } from '../../support/scan';

describe('operations-endpoints', () => {
  const METRICS_TOKEN = 'metrics-token-for-tests-0123456789';
  const UI_ORIGIN = 'http://localhost:8233';
  const CONSOLE_SECRET = 'console-secret-for-tests-0123456789';

  let stack: Stack;
  let app: Express;
  let temporalMetricsUrl: string;
  /** The service's public address in the stack's settings, where the console takes its forms from. */
  let publicBaseUrl: string;
  /** The codec the app decodes with, to seal a payload of the test's own. */
  let payloadCodec: EncryptionCodec;

  beforeAll(async () => {
    // The SDK's runtime is installed once per process, before any connection: the service's, with its metrics port,
    // before the test support (which installs a quiet one when it is first imported, unless one is there) is loaded.
    const port = await freePort();
    temporalMetricsUrl = `http://127.0.0.1:${port}/metrics`;
    installWorkerRuntime(createLogger({ level: 'silent' }), { metricsAddress: `127.0.0.1:${port}` });
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only now, after the runtime is installed
    const support = require('../../support/stack') as typeof import('../../support/stack');
    const { startStack, TEST_PAYLOAD_KEYRING } = support;
    publicBaseUrl = support.PUBLIC_BASE_URL;
    stack = await startStack();
    app = stack.appWith({
      // Overdue is counted on the case's clock, the time-skipping server's; every scrape reads the read model afresh.
      metrics: createMetrics({
        readModelCacheMs: 0,
        pool: stack.pool,
        now: async () => new Date(await stack.env.currentTimeMs()),
        logger: stack.logger,
      }),
      metricsToken: METRICS_TOKEN,
      codec: {
        payloadCodec: (payloadCodec = new EncryptionCodec(TEST_PAYLOAD_KEYRING)),
        origins: [UI_ORIGIN],
        sessionCookie: sessionCookieReader(CONSOLE_SECRET),
      },
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const user = (username: string) => stack.users[username]!.headers;
  let caseId: string;

  /** The value of one series (`name{labels}`) in Prometheus' text format, or undefined when absent. */
  function sample(text: string, series: string): number | undefined {
    const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
    return line === undefined ? undefined : Number(line.slice(series.length + 1));
  }

  describe('GET /metrics', () => {
    it('is not served without METRICS_TOKEN, and refuses a scraper without the token', async () => {
      await request(stack.app).get('/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}`).expect(404);
      await request(app)
        .get('/metrics')
        .expect(401)
        .expect('WWW-Authenticate', /Bearer/);
      await request(app).get('/metrics').set('Authorization', 'Bearer wrong-token-wrong-token-wrong').expect(401);
      // A user's token is not the scraper's.
      await request(app).get('/metrics').set(user('demo-admin')).expect(401);
    });

    it("is absent beside the web console too, as the development mailbox without its capture: 404, never the console's sign-in", async () => {
      const withConsole = stack.appWith({
        console: createConsole({ apiUrl: publicBaseUrl, publicBaseUrl, secret: CONSOLE_SECRET }),
        mailbox: undefined,
      });
      for (const path of ['/metrics', '/dev/mail']) {
        await request(withConsole)
          .get(path)
          .set('Authorization', `Bearer ${METRICS_TOKEN}`)
          .expect(404)
          .expect('Content-Type', /application\/problem\+json/);
      }
      // The console still answers its own pages.
      await request(withConsole).get('/cases').expect(303).expect('Location', '/sign-in?next=%2Fcases');
    });

    it('exposes the named series, counts a case opened and a sign-off, and labels routes, never ids', async () => {
      const on = new Date(await stack.env.currentTimeMs()).toISOString().slice(0, 10);
      const opened = await request(app)
        .post('/api/cases')
        .set(stack.as('law_enforcement'))
        .set('Idempotency-Key', 'operations-open-1')
        .send({
          identifiedOn: on,
          survivor: { name: 'Marisol Quenby-Ash', birthDate: '1990-04-12' },
          agencies: DEMO_AGENCIES,
        })
        .expect(201);
      caseId = (opened.body as { caseId: string }).caseId;
      await request(app)
        .post(`/api/cases/${caseId}/steps/cp_request-1/sign-off`)
        .set(stack.as('law_enforcement'))
        .set('Idempotency-Key', 'operations-sign-1')
        .send({ outcome: 'requested', details: { requestedOn: on } })
        .expect(200);

      // A scrape's configured `params` come as a query: /metrics reads none and refuses none (not the JSON API).
      const res = await request(app)
        .get('/metrics?module=relief')
        .set('Authorization', `Bearer ${METRICS_TOKEN}`)
        .expect(200)
        .expect('Content-Type', /text\/plain/);
      const text = res.text;
      expect(sample(text, 'relief_cases_opened_total')).toBe(1);
      expect(sample(text, 'relief_sign_offs_total{step_kind="cp_request"}')).toBe(1);
      const signOffRoute = 'route="/api/cases/:caseId/steps/:stepId/sign-off"';
      expect(sample(text, `http_request_duration_seconds_count{method="POST",${signOffRoute},status="200"}`)).toBe(1);
      expect(text).toContain('http_request_duration_seconds_bucket{le="0.005",method="POST",route="/api/cases"');
      // The case's steps as the read model holds them: the CP decision now waits at ICE, nothing is overdue yet.
      expect(sample(text, 'relief_steps_pending{step_kind="cp_decision"}')).toBe(1);
      expect(sample(text, 'relief_steps_pending{step_kind="cp_request"}')).toBe(0);
      expect(sample(text, 'relief_steps_overdue{step_kind="cp_decision"}')).toBe(0);
      for (const series of [
        'relief_notifications_unsent',
        'relief_notifications_failing',
        'relief_notifications_oldest_unsent_age_seconds',
      ]) {
        expect(sample(text, series)).toBeGreaterThanOrEqual(0);
      }
      expect(sample(text, 'relief_metrics_read_model_up')).toBe(1);
      expect(text).toContain('process_resident_memory_bytes');
      // No case id, reference or name in any label.
      const reference = (opened.body as { reference: string }).reference;
      for (const secret of [caseId, reference, 'Marisol']) expect(text).not.toContain(secret);
    });

    it("leaves the SDK's worker and client metrics on their own port", async () => {
      const res = await fetch(temporalMetricsUrl);
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(text).toMatch(/^temporal_workflow_task_execution_latency_count\{/m);
      expect(text).toMatch(/^temporal_request\{/m);
      expect(text).not.toContain(caseId);
    });
  });

  describe('when deadlines pass', () => {
    it('shows the overdue step on /metrics and the emails sent on the worker’s metrics', async () => {
      const view = await request(app).get(`/api/cases/${caseId}`).set(user('demo-coordinator')).expect(200);
      const decision = (view.body as { steps: { kind: string; dueAt: string | null }[] }).steps.find(
        (step) => step.kind === 'cp_decision',
      )!;
      // A day past the CP decision's due date: its reminders and due notice are sent, and the step is overdue.
      await stack.env.sleep(Date.parse(decision.dueAt!) + 86_400_000 - (await stack.env.currentTimeMs()));
      await eventually(async () => {
        const res = await request(app).get('/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}`).expect(200);
        return sample(res.text, 'relief_steps_overdue{step_kind="cp_decision"}') === 1;
      }, 'the CP decision counted overdue');
      const sent = await eventually(async () => {
        const text = await (await fetch(temporalMetricsUrl)).text();
        return /^relief_notifications_sent\{[^}]*notification_kind="\w+"[^}]*\} [1-9]/m.exec(text)?.[0];
      }, 'an email counted sent');
      expect(sent).not.toContain(caseId);
    });
  });

  describe('POST /codec/decode', () => {
    /** The input of the case's workflow as the Temporal server stores it: sealed by the service's codec. */
    async function sealedInput(): Promise<{ metadata: Record<string, string>; data: string }> {
      const history = await stack.env.client.workflow.getHandle(workflowIdOf(caseId)).fetchHistory();
      const payload = history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!;
      return toJson(payload);
    }
    const toJson = (payload: temporal.api.common.v1.IPayload) => ({
      metadata: Object.fromEntries(
        Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value).toString('base64')]),
      ),
      data: Buffer.from(payload.data ?? []).toString('base64'),
    });
    // With a parameter the UI does not send: the codec server is the UI's protocol, and refuses no query (not the API).
    const decode = (headers: Record<string, string>, body: unknown) =>
      request(app)
        .post('/codec/decode?ui=1')
        .set({ 'X-Namespace': 'default', ...headers })
        .send(body as object);

    it("opens a real payload of a case's history for an admin and a supervisor, from the UI's origin", async () => {
      const sealed = await sealedInput();
      expect(Buffer.from(sealed.metadata.encoding!, 'base64').toString()).toBe('binary/encrypted');
      for (const username of ['demo-admin', 'demo-supervisor']) {
        const res = await decode({ ...user(username), Origin: UI_ORIGIN }, { payloads: [sealed] }).expect(200);
        expect(res.headers['access-control-allow-origin']).toBe(UI_ORIGIN);
        const [opened] = (res.body as { payloads: { metadata: Record<string, string>; data: string }[] }).payloads;
        expect(Buffer.from(opened!.metadata.encoding!, 'base64').toString()).toBe('json/plain');
        const input = JSON.parse(Buffer.from(opened!.data, 'base64').toString()) as unknown;
        expect(input).toMatchObject({ kind: 'open', open: { caseId } });
        expect(JSON.stringify(input)).not.toContain('Marisol');
      }
    });

    it("refuses a police or ICE supervisor or admin, who see their own agency's steps only, and opens for a system administrator", async () => {
      const sealed = await sealedInput();
      const outsiders = [
        { username: 'ice-supervisor-codec', agencyId: DEMO_AGENCIES.ice, roles: ['supervisor'] as Role[] },
        { username: 'police-admin-codec', agencyId: DEMO_AGENCIES.law_enforcement, roles: ['admin'] as Role[] },
      ];
      for (const outsider of outsiders) {
        const { headers } = await createTestUser(stack.pool, outsider);
        await decode({ ...headers, Origin: UI_ORIGIN }, { payloads: [sealed] }).expect(403);
      }
      await decode({ ...user('demo-system-admin'), Origin: UI_ORIGIN }, { payloads: [sealed] }).expect(200);
    });

    it("withholds the day a minor turns 18 wherever it sits in a payload: it gives the minor's birth date", async () => {
      const state = { caseId, minorTurns18On: '2028-06-01', nested: [{ minorTurns18On: '2028-06-01' }], adult: null };
      const [sealed] = await payloadCodec.encode([
        { metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from(JSON.stringify(state)) },
      ]);
      const res = await decode(
        { ...user('demo-supervisor'), Origin: UI_ORIGIN },
        { payloads: [toJson(sealed!)] },
      ).expect(200);
      const [opened] = (res.body as { payloads: { data: string }[] }).payloads;
      const text = Buffer.from(opened!.data, 'base64').toString();
      expect(withoutRandomParts(text)).not.toContain('2028');
      expect(JSON.parse(text)).toEqual({
        caseId,
        minorTurns18On: 'withheld',
        nested: [{ minorTurns18On: 'withheld' }],
        adult: null,
      });
    });

    it("takes a signed-in supervisor's console session cookie for the token (the UI's cross-origin credentials)", async () => {
      const sealed = await sealedInput();
      const inAnHour = new Date(Date.now() + 3_600_000);
      const sealedCookie = async (username: string) =>
        `${SESSION_COOKIE}=${await sealSessionToken(CONSOLE_SECRET, stack.users[username]!.token, inAnHour)}`;
      const cookie = async (username: string) => ({ Cookie: await sealedCookie(username) });
      const res = await decode(
        { ...(await cookie('demo-supervisor')), Origin: UI_ORIGIN },
        { payloads: [sealed] },
      ).expect(200);
      expect(res.headers['access-control-allow-credentials']).toBe('true');
      await decode({ ...(await cookie('demo-coordinator')), Origin: UI_ORIGIN }, { payloads: [sealed] }).expect(403);
      // The cookie goes with a request from any page of the same site: from any origin but the UI's it opens nothing.
      await decode({ ...(await cookie('demo-admin')), Origin: 'http://localhost:3000' }, { payloads: [sealed] }).expect(
        403,
      );
      // Nor without an Origin (no browser's request from the UI, but whoever else holds the cookie): bring a token.
      await decode(await cookie('demo-admin'), { payloads: [sealed] }).expect(401);
      // The cookie's token only sealed: the token itself, or a cookie altered or sealed under another secret, is none.
      const supervisor = stack.users['demo-supervisor']!.token;
      await decode({ Cookie: `${SESSION_COOKIE}=${supervisor}`, Origin: UI_ORIGIN }, { payloads: [sealed] }).expect(
        401,
      );
      const [header, key, iv, ciphertext = '', tag] = (await sealedCookie('demo-supervisor')).split('.');
      const altered = [header, key, iv, (ciphertext.startsWith('A') ? 'B' : 'A') + ciphertext.slice(1), tag].join('.');
      await decode({ Cookie: altered, Origin: UI_ORIGIN }, { payloads: [sealed] }).expect(401);
      const foreign = await sealSessionToken('another-console-secret-0123456789', supervisor, inAnHour);
      await decode({ Cookie: `${SESSION_COOKIE}=${foreign}`, Origin: UI_ORIGIN }, { payloads: [sealed] }).expect(401);
    });

    it('answers the UI origin’s preflight and refuses every other origin, preflight included', async () => {
      const preflight = await request(app)
        .options('/codec/decode')
        .set({ Origin: UI_ORIGIN, 'Access-Control-Request-Method': 'POST' })
        .set('Access-Control-Request-Headers', 'authorization,content-type,x-namespace')
        .expect(204);
      expect(preflight.headers['access-control-allow-origin']).toBe(UI_ORIGIN);
      expect(preflight.headers['access-control-allow-headers']).toMatch(/Authorization/);
      await request(app)
        .options('/codec/decode')
        .set({ Origin: 'https://elsewhere.example', 'Access-Control-Request-Method': 'POST' })
        .expect(403);
      const foreign = await decode(
        { ...user('demo-admin'), Origin: 'https://elsewhere.example' },
        { payloads: [await sealedInput()] },
      ).expect(403);
      expect(foreign.headers['access-control-allow-origin']).toBeUndefined();
      expect(foreign.body).toMatchObject({ code: 'origin_not_allowed' });
    });

    it('refuses a coordinator and an officer (403) and anyone without a token (401); audits each call, not its payloads', async () => {
      const sealed = await sealedInput();
      await decode({ ...user('demo-coordinator'), Origin: UI_ORIGIN }, { payloads: [sealed] }).expect(403);
      await decode({ ...stack.as('ice'), Origin: UI_ORIGIN }, { payloads: [sealed] }).expect(403);
      await decode({ Origin: UI_ORIGIN }, { payloads: [sealed] }).expect(401);

      const { rows } = await stack.pool.query<{ username: string; outcome: string; detail: string | null }>(
        `SELECT username, outcome, detail FROM audit_events WHERE action = 'temporal.payloads.decode' ORDER BY id`,
      );
      expect(rows.map((row) => `${row.username} ${row.outcome}`)).toEqual([
        'demo-admin allowed',
        'demo-supervisor allowed',
        'ice-supervisor-codec denied',
        'police-admin-codec denied',
        'demo-system-admin allowed',
        'demo-supervisor allowed', // the minor's payload
        'demo-supervisor allowed',
        'demo-coordinator denied',
        'demo-coordinator denied',
        'demo-ice-officer denied',
      ]);
      for (const row of rows) expect(row.detail ?? '').not.toContain(sealed.data.slice(0, 16));
    });

    it('answers `{}`, what the Temporal CLI posts for an event without payloads, with no payloads instead of a 422', async () => {
      // `temporal workflow show --codec-endpoint … --codec-auth "Bearer …"` posts each event's payloads as protojson,
      // which leaves an empty list out: refusing `{}` made the CLI fail the whole history ("context deadline exceeded").
      const res = await decode(user('demo-supervisor'), {}).expect(200);
      expect(res.body).toEqual({ payloads: [] });
      await decode(user('demo-supervisor'), { payloads: [] }).expect(200, { payloads: [] });
    });

    it("holds a user's calls to RATE_LIMIT_CODEC_CALLS_PER_MINUTE: past it, 429 with Retry-After the UI can read, and no audit row", async () => {
      await stack.resetRateLimits();
      const limited = stack.appWith({
        rateLimits: { signInPerMinute: 10, writesPerMinute: 120, codecCallsPerMinute: 3 },
        codec: { payloadCodec, origins: [UI_ORIGIN] },
      });
      const sealed = await sealedInput();
      const rowsOf = async (username: string) =>
        Number(
          (
            await stack.pool.query<{ n: string }>(
              `SELECT count(*) AS n FROM audit_events WHERE action = 'temporal.payloads.decode' AND username = $1`,
              [username],
            )
          ).rows[0]!.n,
        );
      const before = await rowsOf('demo-supervisor');
      const answers = [];
      for (let call = 0; call < 5; call += 1) {
        answers.push(
          await request(limited)
            .post('/codec/decode')
            .set({ ...user('demo-supervisor'), Origin: UI_ORIGIN })
            .send({ payloads: [sealed] }),
        );
      }
      expect(answers.map((res) => res.status)).toEqual([200, 200, 200, 429, 429]);
      const refused = answers[3]!;
      expect(refused.body).toMatchObject({
        status: 429,
        code: 'rate_limited',
        detail: 'Too many codec server calls by this user; at most 3 a minute. Try again shortly.',
      });
      const retryAfter = Number(refused.headers['retry-after']);
      expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60).toBe(true);
      // The UI's page reads the answer: it is a CORS answer to its origin like any other.
      expect(refused.headers['access-control-allow-origin']).toBe(UI_ORIGIN);
      expect(refused.text).not.toContain(sealed.data.slice(0, 16));
      // The calls answered are in the trail; those held back wrote nothing.
      expect(await rowsOf('demo-supervisor')).toBe(before + 3);
      // Another user's calls are their own.
      await request(limited)
        .post('/codec/decode')
        .set({ ...user('demo-admin'), Origin: UI_ORIGIN })
        .send({ payloads: [sealed] })
        .expect(200);
      await stack.resetRateLimits();
      // 600 unless set: a history page is 14 to 16 calls, each event opened one more (README).
      expect(loadConfig({}).rateLimits.codecCallsPerMinute).toBe(600);
      expect(loadConfig({ RATE_LIMIT_CODEC_CALLS_PER_MINUTE: '1200' }).rateLimits.codecCallsPerMinute).toBe(1200);
    });
  });
});
