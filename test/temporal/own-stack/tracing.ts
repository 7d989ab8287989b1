/**
 * One trace per request, and its request id in the log lines of the work it causes: a sign-off through the API
 * (test/support/stack.ts, with the service's interceptors and an in-memory span exporter in place of OTLP) yields
 * the HTTP span, the client's update, the workflow's handling of it and its projection activity under one trace id,
 * and the activity's log line carries the HTTP request's id, carried as a Temporal header by the interceptors.
 */
import { Writable } from 'node:stream';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import http from 'node:http';
import pg from 'pg';
import request from 'supertest';
import { startTracing, type RunningTracing } from '../../../app/tracing';
import { DEMO_AGENCIES } from '../../../db/seed';
import { TEST_PASSWORD } from '../../support/auth';
import { eventually, startStack, type Stack } from '../../support/stack';

describe('tracing', () => {
  const exporter = new InMemorySpanExporter();
  const lines: Record<string, unknown>[] = [];
  const logged = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n'))
        if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });

  let tracing: RunningTracing;
  let stack: Stack;
  beforeAll(async () => {
    tracing = startTracing(new SimpleSpanProcessor(exporter));
    // The service's instrumentations patch http and pg as main.ts then loads them; jest loads modules itself, out of
    // require-in-the-middle's sight, so the test applies the same patches to the modules jest loaded.
    for (const { definition, loaded } of patches()) definition.patch?.(loaded);
    stack = await startStack({ tracing, log: { level: 'debug', destination: logged } });
  });
  afterAll(async () => {
    await stack?.stop();
    // http is Node's own, shared with the next test file this jest worker runs: it leaves as it came.
    for (const { definition, loaded } of patches()) definition.unpatch?.(loaded);
    await tracing?.shutdown();
  });

  function patches() {
    const modules: Record<string, unknown> = { http, pg };
    return tracing.instrumentations.flatMap((instrumentation) =>
      instrumentation
        .getModuleDefinitions()
        .filter((definition) => definition.name in modules)
        .map((definition) => ({ definition, loaded: modules[definition.name] })),
    );
  }

  const SURVIVOR = { name: 'Marisol Tchakarova-Lind', birthDate: '1991-02-17' };

  const traceOf = (span: ReadableSpan) => span.spanContext().traceId;

  /** The server span of the request with this path, once it has ended (as the response finishes). */
  const httpSpan = (method: string, path: string) =>
    eventually(
      () =>
        exporter
          .getFinishedSpans()
          .find(
            (span) =>
              span.kind === SpanKind.SERVER &&
              span.attributes['http.method'] === method &&
              span.attributes['http.target'] === path,
          ),
      `the HTTP span of ${method} ${path}`,
    );

  test('a sign-off through the API is one trace from the HTTP request to the activity, and its id is in the activity log', async () => {
    const on = new Date(await stack.env.currentTimeMs()).toISOString().slice(0, 10);
    const opened = await request(stack.app)
      .post('/api/cases')
      .set(stack.as('law_enforcement'))
      .set('Idempotency-Key', 'tracing-open')
      .set('X-Request-Id', '00000000-0000-4000-8000-00000000010e')
      .send({ identifiedOn: on, survivor: SURVIVOR, agencies: DEMO_AGENCIES })
      .expect(201);
    const { caseId } = opened.body as { caseId: string };
    const openTrace = traceOf(await httpSpan('POST', '/api/cases'));

    const signOffPath = `/api/cases/${caseId}/steps/cp_request-1/sign-off`;
    const signedOff = await request(stack.app)
      .post(signOffPath)
      .set(stack.as('law_enforcement'))
      .set('Idempotency-Key', 'tracing-sign-off')
      .set('X-Request-Id', '00000000-0000-4000-8000-00000000010f')
      .send({ outcome: 'requested', details: { requestedOn: on } })
      .expect(200);
    const signOffRequest = await httpSpan('POST', signOffPath);
    const signOffTrace = traceOf(signOffRequest);
    expect(signOffRequest.name).toBe('POST /api/cases/:caseId/steps/:stepId/sign-off');
    expect(signOffTrace).not.toBe(openTrace);

    // The workflow's spans leave the sandbox through a sink after its activation; the activity's end with it.
    const names = await eventually(() => {
      const inTrace = exporter.getFinishedSpans().filter((span) => traceOf(span) === signOffTrace);
      const found = inTrace.map((span) => span.name);
      return found.includes('RunActivity:projectCase') && found.includes('HandleUpdate:signOff') && found;
    }, 'the sign-off trace to reach its activity');
    expect(names).toEqual(
      expect.arrayContaining([
        'StartWorkflowUpdate:signOff',
        'ValidateUpdate:signOff',
        'HandleUpdate:signOff',
        'StartActivity:projectCase',
        'RunActivity:projectCase',
      ]),
    );

    // One tree: every span of the trace descends from the API's server span (but the test client's own, above it).
    const inTrace = exporter.getFinishedSpans().filter((span) => traceOf(span) === signOffTrace);
    const byId = new Map(inTrace.map((span) => [span.spanContext().spanId, span]));
    const ancestorsOf = (span: ReadableSpan): ReadableSpan[] => {
      const parent = span.parentSpanId === undefined ? undefined : byId.get(span.parentSpanId);
      return parent ? [parent, ...ancestorsOf(parent)] : [];
    };
    const above = ancestorsOf(signOffRequest);
    const strays = inTrace.filter(
      (span) => span !== signOffRequest && !above.includes(span) && !ancestorsOf(span).includes(signOffRequest),
    );
    expect(strays.map((span) => span.name)).toEqual([]);
    const queries = inTrace.filter((span) => span.attributes['db.system'] === 'postgresql');
    expect(queries.map((span) => span.attributes['db.statement'])).toContainEqual(
      expect.stringContaining('INSERT INTO case_steps'),
    );
    // SQL text only: the instrumentation's `db.postgresql.values` would hold the query's values.
    expect(queries.filter((span) => 'db.postgresql.values' in span.attributes)).toEqual([]);

    // The projection of the sign-off logged with the sign-off's request id, and the opening's with the opening's.
    const projected = (action: string) =>
      lines.find((line) => line.msg === 'case projected' && line.caseId === caseId && line.action === action);
    // Each request's own id (X-Request-Id of its answer), not the one its caller offered (X-Correlation-Id).
    expect(projected('step.sign_off')).toMatchObject({ requestId: signedOff.headers['x-request-id'] as string });
    expect(projected('case.open')).toMatchObject({ requestId: opened.headers['x-request-id'] as string });

    // No span says who the survivor is.
    const attributes = JSON.stringify(exporter.getFinishedSpans().map((span) => [span.name, span.attributes]));
    expect(attributes).toContain(caseId);
    expect(attributes).not.toContain(SURVIVOR.name);
    expect(attributes).not.toContain(SURVIVOR.birthDate);
  });

  test("a calendar feed's secret stays out of its request's span, however the URL writes it", async () => {
    const police = stack.as('law_enforcement');
    const created = await request(stack.app)
      .post('/api/me/calendar-feeds')
      .set(police)
      .set('Idempotency-Key', 'tracing-feed')
      .send({ label: 'desk', currentPassword: TEST_PASSWORD })
      .expect(201);
    const secret = new URL((created.body as { url: string }).url).pathname
      .split('/')
      .pop()!
      .replace(/\.ics$/, '');
    const path = `/Calendar/${secret}.ics?from=desk`;
    await request(stack.app).get(path).expect(200);

    // As the request's log line writes it: `Calendar` is no word of a route as written, and a query's value stays out.
    const span = await httpSpan('GET', '/…/[secret].ics?from=…');
    expect(span.attributes['http.url']).toMatch(/\/…\/\[secret\]\.ics\?from=…$/);
    const attributes = JSON.stringify(exporter.getFinishedSpans().map((each) => [each.name, each.attributes]));
    expect(attributes).not.toContain(secret.slice(-12));
  });

  test("a survivor's name typed into an address stays out of its request's span, which says the URL as the log line does", async () => {
    const police = stack.as('law_enforcement');
    // Typed where a filter's name, an id or a reference belongs: each is refused or finds nothing, and was in the span
    // whole (`http.url`, `http.target`), where the request's log line read as below.
    const typed = [
      [`/api/cases?${encodeURIComponent(`${SURVIVOR.name} ${SURVIVOR.birthDate}`)}`, '/api/cases?…=…'],
      [`/api/cases/marisol-tchakarova-lind-${SURVIVOR.birthDate}`, '/api/cases/…'],
      ['/api/cases?reference=TCHAKAROVA', '/api/cases?reference=…'],
    ] as const;
    for (const [path] of typed) await request(stack.app).get(path).set(police);
    for (const [, logged] of typed) {
      const span = await httpSpan('GET', logged);
      const url = String(span.attributes['http.url']);
      expect(url.slice(url.indexOf('/', 'http://'.length))).toBe(logged);
    }
    // The service's spans: the test's own requests (supertest's, through the same patched http) are client spans of
    // this process, which sent the name.
    const sentByTheTest = (span: ReadableSpan) => span.kind === SpanKind.CLIENT && 'http.method' in span.attributes;
    const spans = exporter.getFinishedSpans().filter((span) => !sentByTheTest(span));
    const attributes = JSON.stringify(spans.map((span) => [span.name, span.attributes]));
    expect(attributes.toLowerCase()).not.toContain('tchakarova');
    expect(attributes).not.toContain(SURVIVOR.birthDate);
  });
});
