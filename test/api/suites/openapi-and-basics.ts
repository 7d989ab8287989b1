/**
 * What the app answers before it touches the database: the OpenAPI document against the routes really mounted,
 * health and readiness, request ids, logging, and the error shapes of requests rejected at the HTTP layer.
 * The pool points nowhere on purpose: none of these requests may need PostgreSQL.
 */
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import type { Express } from 'express';
import { Pool } from 'pg';
import request from 'supertest';
import { createApp } from '../../../api/app';
import { answerClientErrors } from '../../../api/client-errors';
import { drainable } from '../../../api/draining';
import { createServices } from '../../../app/services';
import { commandsRefused } from '../../../api/deps';
import { openApiPath } from '../../../api/openapi';
import { createLogger } from '../../../core/logger';
import { wallClock } from '../../../core/clock';
import { withoutRandomParts } from '../../support/scan';
import { eventually } from '../../support/eventually';

describe('openapi-and-basics', () => {
  const unusedCommands = commandsRefused('not used here');

  let logLines: Record<string, unknown>[] = [];
  const logSink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean))
        logLines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });

  const pool = new Pool({ connectionString: 'postgres://nobody@127.0.0.1:9/nowhere' });
  let readiness = { ok: true, checks: { postgres: true, temporal: true } };
  const app: Express = createApp({
    logger: createLogger({ level: 'info', destination: logSink }),
    ...createServices({ now: wallClock, pool, logger: createLogger({ level: 'silent' }) }),
    cases: unusedCommands,
    ready: async () => readiness,
    mailbox: { messages: () => [{ subject: 'Reminder: RC-1 cp_request-1' }] },
  });

  afterAll(async () => {
    await pool.end();
  });

  /** Every (method, path) Express will route, read from the app's own router. */
  function mountedRoutes(express: Express): string[] {
    const router = (
      express as unknown as { router: { stack: { route?: { path: string; methods: Record<string, boolean> } }[] } }
    ).router;
    return router.stack
      .flatMap((layer) =>
        layer.route
          ? Object.keys(layer.route.methods).map(
              (method) => `${method.toUpperCase()} ${openApiPath(layer.route!.path)}`,
            )
          : [],
      )
      .sort();
  }

  describe('OpenAPI document', () => {
    it('describes exactly the routes the app mounts', async () => {
      const res = await request(app)
        .get('/api/openapi.json')
        .expect(200)
        .expect('Content-Type', /application\/json/);
      const document = res.body as { openapi: string; paths: Record<string, Record<string, unknown>> };
      expect(document.openapi).toBe('3.1.0');
      const documented = Object.entries(document.paths)
        .flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`))
        .sort();
      const mounted = mountedRoutes(app);
      expect(mounted).toContain('POST /api/cases/{caseId}/steps/{stepId}/sign-off');
      expect(mounted).toContain('GET /dev/mail');
      expect(documented).toEqual(mounted);
    });

    it('leaves /dev/mail out, in the app and the document, when there is no mailbox', async () => {
      const plain = createApp({
        logger: createLogger({ level: 'silent' }),
        ...createServices({ now: wallClock, pool, logger: createLogger({ level: 'silent' }) }),
        cases: unusedCommands,
        ready: async () => readiness,
      });
      const res = await request(plain).get('/api/openapi.json').expect(200);
      expect(Object.keys((res.body as { paths: object }).paths)).not.toContain('/dev/mail');
      expect(mountedRoutes(plain)).not.toContain('GET /dev/mail');
      await request(plain).get('/dev/mail').expect(404);
    });

    it('generates its schemas from the zod schemas the routes validate with', async () => {
      const res = await request(app).get('/api/openapi.json').expect(200);
      type Operation = {
        parameters: { name: string; in: string; required: boolean; schema: Record<string, unknown> }[];
        requestBody?: { content: Record<string, { schema: Record<string, unknown> }> };
      };
      const paths = (res.body as { paths: Record<string, Record<string, Operation>> }).paths;
      const open = paths['/api/cases']?.post;
      const body = open?.requestBody?.content['application/json']?.schema as {
        required: string[];
        additionalProperties: boolean;
        properties: Record<string, { properties?: Record<string, { pattern?: string }> }>;
      };
      expect(body.required).toEqual(expect.arrayContaining(['survivor', 'agencies']));
      // One of the two, which JSON Schema's `required` cannot say: both are listed, each with what it means.
      expect(body.required).not.toContain('identifiedOn');
      expect(Object.keys(body.properties)).toEqual(expect.arrayContaining(['identifiedAt', 'identifiedOn']));
      expect(body.additionalProperties).toBe(false);
      // The pattern takes an A-number as USCIS prints it, as the API does (it records it without the hyphens).
      const aNumber = new RegExp(body.properties.survivor?.properties?.aNumber?.pattern ?? '');
      expect(['A123456789', 'A123-456-789', '12345678'].filter((typed) => aNumber.test(typed))).toHaveLength(3);
      expect(['A1234567', '123-45-6789'].filter((typed) => aNumber.test(typed))).toEqual([]);
      expect(open?.parameters).toEqual(
        expect.arrayContaining([expect.objectContaining({ name: 'Idempotency-Key', in: 'header', required: true })]),
      );

      const steps = paths['/api/steps']?.get;
      const status = steps?.parameters.find((p) => p.name === 'status');
      expect(status).toMatchObject({
        in: 'query',
        required: false,
        schema: { enum: ['pending', 'overdue', 'due_soon'] },
      });
      const signOff = paths['/api/cases/{caseId}/steps/{stepId}/sign-off']?.post;
      expect(signOff?.parameters.filter((p) => p.in === 'path').map((p) => p.name)).toEqual(['caseId', 'stepId']);

      // A user made without a password cannot sign in: the answer, and the field, say what gives them one.
      const newUser = paths['/api/users']?.post as Operation & { responses: Record<string, { description: string }> };
      expect(newUser.responses['201']?.description).toContain('POST /api/users/{userId}/password-reset');
      const password = newUser.requestBody?.content['application/json']?.schema.properties as Record<
        string,
        { description?: string }
      >;
      expect(password.password?.description).toContain('cannot sign in');
    });
  });

  describe('OpenAPI document: the answers every route can give', () => {
    type Response = { description: string; headers?: Record<string, unknown>; content?: Record<string, unknown> };
    type Operation = {
      requestBody?: { content: Record<string, unknown> };
      parameters?: { name: string }[];
      responses: Record<string, Response>;
    };
    const operations = async () => {
      const res = await request(app).get('/api/openapi.json').expect(200);
      const paths = (res.body as { paths: Record<string, Record<string, Operation>> }).paths;
      return Object.entries(paths).flatMap(([path, byMethod]) =>
        Object.entries(byMethod).map(([method, operation]) => ({ at: `${method.toUpperCase()} ${path}`, operation })),
      );
    };

    it('lists 400 on every route with a JSON body (malformed JSON, a body that cannot be decoded), as it answers', async () => {
      const withBody = (await operations()).filter(
        ({ operation }) => operation.requestBody?.content['application/json'],
      );
      expect(withBody.map(({ at }) => at)).toContain('POST /api/cases/search');
      expect(withBody.filter(({ operation }) => !operation.responses['400']).map(({ at }) => at)).toEqual([]);
      const search = withBody.find(({ at }) => at === 'POST /api/cases/search')!.operation;
      expect(search.responses['400']?.description).toMatch(/not a JSON object.*not valid UTF-8/);
      expect(search.responses['422']?.description).toContain('`invalid_cursor`');
      // As it answers: the search has neither a path nor a query nor a key, and its malformed body is a 400.
      await request(app).post('/api/cases/search').set('Content-Type', 'application/json').send('{').expect(400);
    });

    it('lists 304 and the ETag header on every GET that answers with a body, as Express answers it', async () => {
      const gets = (await operations()).filter(({ at }) => at.startsWith('GET '));
      // An answer holding the moment it was read (the API clock) is never the same twice: no 304 (openapi-answers.test.ts).
      const asOfNow = ['GET /api/me', 'GET /api/dashboard'];
      const untagged = gets.filter(
        ({ at, operation }) =>
          !asOfNow.includes(at) && (!operation.responses['304'] || !operation.responses['200']?.headers?.ETag),
      );
      expect(untagged.map(({ at }) => at)).toEqual([]);
      const me = gets.find(({ at }) => at === 'GET /api/me')!.operation;
      expect(Object.keys(me.responses)).not.toContain('304');
      expect(me.parameters?.map((p) => p.name)).not.toContain('If-None-Match');
      const first = await request(app).get('/health').expect(200);
      expect(first.headers.etag).toEqual(expect.any(String));
      const again = await request(app).get('/health').set('If-None-Match', first.headers.etag!).expect(304);
      expect(again.headers.etag).toBe(first.headers.etag);
    });

    it('lists Retry-After on every 429, and the RateLimit headers where a rate limit sends them', async () => {
      const all = await operations();
      const limited = all.filter(({ operation }) => operation.responses['429']);
      expect(limited.length).toBeGreaterThan(40);
      const headersOf = (response: Response | undefined) => Object.keys(response?.headers ?? {}).sort();
      const missing = limited.filter(
        ({ operation }) =>
          !['RateLimit', 'RateLimit-Policy', 'Retry-After'].every((name) =>
            headersOf(operation.responses['429']).includes(name),
          ),
      );
      expect(missing.map(({ at }) => at)).toEqual([]);
      // A write (and sign-in, a password check, a feed fetch) is counted by a limiter that tells every answer its count.
      const byAt = Object.fromEntries(all.map(({ at, operation }) => [at, operation.responses]));
      for (const [at, status] of [
        ['POST /api/cases', '201'],
        ['POST /api/auth/sign-in', '201'],
        ['GET /calendar/{secret}.ics', '200'],
      ] as const)
        expect([at, headersOf(byAt[at]?.[status])]).toEqual([
          at,
          expect.arrayContaining(['RateLimit', 'RateLimit-Policy']),
        ]);
      // A read is counted only when it writes an audit row, and told so only by its 429.
      expect(headersOf(byAt['GET /api/cases/{caseId}']?.['200'])).not.toContain('RateLimit');
    });

    it("describes each 429's RateLimit headers as they are sent: the uploads in flight and a locked account's too", async () => {
      const byAt = Object.fromEntries(
        (await operations()).map(({ at, operation }) => [at, operation.responses['429']]),
      );
      const describedOf = (at: string) => {
        const headers = (byAt[at]?.headers ?? {}) as Record<string, { description?: string }>;
        return `${headers.RateLimit?.description} | ${headers['RateLimit-Policy']?.description}`;
      };
      const upload = describedOf('POST /api/cases/{caseId}/steps/{stepId}/documents');
      expect(upload).toContain('`"<n>-at-once"; q=<n>; qu="concurrent-requests"; pk=:<partition key>:`');
      expect(upload).toContain('`too_many_uploads`, `uploads_busy`');
      for (const at of ['POST /api/auth/sign-in', 'POST /api/tokens'])
        expect([at, describedOf(at)]).toEqual([
          at,
          expect.stringContaining('`"<n>-wrong-in-a-row"; q=<n>`') as unknown,
        ]);
      // Each names only what its route can send: a case's sign-off is refused by the write limit alone.
      const signOff = describedOf('POST /api/cases/{caseId}/steps/{stepId}/sign-off');
      expect(signOff).toContain('`"<limit>-in-1min"; q=<limit>; w=60; pk=:<partition key>:`');
      expect(signOff).not.toMatch(/at-once|wrong-in-a-row/);
    });

    it('types every instant it answers `format: date-time` and every day `format: date`', async () => {
      type Schema = {
        type?: string | string[];
        format?: string;
        properties?: Record<string, Schema>;
        items?: Schema;
        anyOf?: Schema[];
        oneOf?: Schema[];
      };
      /** Each property of an answer named as an instant or a day, and the formats its string forms are typed with. */
      const timed: { at: string; formats: (string | undefined)[]; wanted: string }[] = [];
      const walk = (schema: Schema | undefined, at: string): void => {
        if (!schema) return;
        for (const member of [...(schema.anyOf ?? []), ...(schema.oneOf ?? [])]) walk(member, at);
        walk(schema.items, `${at}[]`);
        for (const [name, property] of Object.entries(schema.properties ?? {})) {
          const wanted = /(At|^asOf)$/.test(name) ? 'date-time' : /(On|Date)$/.test(name) ? 'date' : undefined;
          if (wanted) {
            const strings = [property, ...(property.anyOf ?? [])].filter(
              (form) => form.type === 'string' || (Array.isArray(form.type) && form.type.includes('string')),
            );
            timed.push({ at: `${at}.${name}`, formats: strings.map((form) => form.format), wanted });
          }
          walk(property, `${at}.${name}`);
        }
      };
      for (const { at, operation } of await operations())
        for (const [status, response] of Object.entries(operation.responses))
          walk((response.content?.['application/json'] as { schema?: Schema } | undefined)?.schema, `${at} ${status}`);
      expect(timed.length).toBeGreaterThan(50);
      const untyped = timed.filter(({ formats, wanted }) => formats.length === 0 || formats.some((f) => f !== wanted));
      expect(untyped).toEqual([]);
      // The compliance report's period is days, its asOf an instant.
      const report = (await operations()).find(({ at }) => at === 'GET /api/reports/compliance')!.operation;
      const properties = (report.responses['200']?.content?.['application/json'] as { schema: Schema }).schema
        .properties!;
      expect([properties.from?.format, properties.to?.format, properties.asOf?.format]).toEqual([
        'date',
        'date',
        'date-time',
      ]);
    });

    it('documents X-Request-Id and X-Correlation-Id on every answer, and X-Request-Id sent as a correlation id only', async () => {
      const all = await operations();
      const without = all.flatMap(({ at, operation }) =>
        Object.entries(operation.responses)
          .filter(([, response]) => !response.headers?.['X-Request-Id'] || !response.headers['X-Correlation-Id'])
          .map(([status]) => `${at} ${status}`),
      );
      expect(without).toEqual([]);
      const document = (await request(app).get('/api/openapi.json').expect(200)).body as {
        components: { headers: Record<string, { description: string }> };
        paths: Record<string, Record<string, { parameters: { name: string; description?: string }[] }>>;
      };
      expect(document.components.headers.CorrelationId?.description).toMatch(/echoed .*UUID/);
      // Sent, it is the caller's correlation id (echoed as X-Correlation-Id), never the request's id.
      const sent = document.paths['/api/me']!.get!.parameters.find(({ name }) => name === 'X-Request-Id');
      expect(sent?.description).toMatch(/echoed back as X-Correlation-Id.*never becomes the request's id/);
      const res = await request(app).get('/health').set('X-Request-Id', '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b');
      expect(res.headers['x-correlation-id']).toBe('0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b');
      expect(res.headers['x-request-id']).not.toBe('0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b');
    });

    it('lists 400, 413 and 415 on every route that takes no body, as it answers one sent all the same', async () => {
      const bodyless = (await operations()).filter(({ operation }) => !operation.requestBody);
      expect(bodyless.map(({ at }) => at)).toEqual(expect.arrayContaining(['GET /health', 'GET /api/me']));
      const unlisted = bodyless.filter(({ operation }) => ['400', '413', '415'].some((s) => !operation.responses[s]));
      expect(unlisted.map(({ at }) => at)).toEqual([]);
      // As it answers, before any route (so before sign-in, and without the database): a body is read wherever sent.
      const sent = (body: string, contentType = 'application/json') =>
        request(app).get('/health').set('Content-Type', contentType).send(body);
      await sent('{').expect(400);
      await sent('{}', 'application/json; charset=latin1').expect(415);
      await sent(JSON.stringify({ pad: 'x'.repeat(70_000) })).expect(413);
      await request(app).get('/api/me').set('Content-Type', 'application/json').send('{').expect(400);
    });

    it("lists a document's download as the three types it is served as", async () => {
      const download = (await operations()).find(({ at }) => at === 'GET /api/cases/{caseId}/documents/{documentId}')!;
      expect(Object.keys(download.operation.responses['200']?.content ?? {})).toEqual([
        'application/pdf',
        'image/png',
        'image/jpeg',
      ]);
    });
  });

  describe('health and readiness', () => {
    it('answers liveness without an actor', async () => {
      await request(app).get('/health').expect(200, { status: 'ok' });
    });

    it('is ready only when every check passes, and names the failed one', async () => {
      await request(app).get('/ready').expect(200);
      readiness = { ok: false, checks: { postgres: true, temporal: false } };
      try {
        const res = await request(app)
          .get('/ready')
          .expect(503)
          .expect('Content-Type', /application\/problem\+json/);
        expect(res.body).toMatchObject({
          status: 503,
          detail: 'not ready: temporal',
          checks: { postgres: true, temporal: false },
        });
      } finally {
        readiness = { ok: true, checks: { postgres: true, temporal: true } };
      }
    });

    it('is not ready when the readiness probe itself fails', async () => {
      const failing = createApp({
        logger: createLogger({ level: 'silent' }),
        ...createServices({ now: wallClock, pool, logger: createLogger({ level: 'silent' }) }),
        cases: unusedCommands,
        ready: () => Promise.reject(new Error('boom')),
      });
      await request(failing).get('/ready').expect(503);
    });

    it('serves the captured mail in embedded mode', async () => {
      const res = await request(app).get('/dev/mail').expect(200);
      expect(res.body).toEqual({ items: [{ subject: 'Reminder: RC-1 cp_request-1' }] });
    });
  });

  describe('request id, headers and logging', () => {
    it('echoes a UUID given as X-Request-Id as X-Correlation-Id, logs it beside an id of ours, without headers or body', async () => {
      logLines = [];
      const res = await request(app)
        .get('/health')
        .set('X-Request-Id', '00000000-0000-4000-8000-000000000108')
        .set('Authorization', 'Bearer secret-token')
        .expect(200)
        .expect('X-Correlation-Id', '00000000-0000-4000-8000-000000000108');
      const id = res.headers['x-request-id'] as string;
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      const line = logLines.find((entry) => (entry.req as { id?: string } | undefined)?.id === id);
      expect(line).toMatchObject({
        req: { correlationId: '00000000-0000-4000-8000-000000000108', method: 'GET', url: '/health' },
        res: { statusCode: 200 },
      });
      expect(JSON.stringify(logLines)).not.toContain('secret-token');
    });

    it('replaces a request id that is not a UUID with a generated one, and spells a UUID in lower case', async () => {
      // Words of the caller's own (a name and a birth date) would be logged and stored in the audit trail a supervisor
      // reads: only a UUID, of any version, is taken.
      logLines = [];
      for (const offered of [
        'bad id\twith spaces',
        'Ana-Zeta-Probe-1990-01-03',
        'trace-42.a',
        '0193a1b2c3d47e5f8a9b0c1d2e3f4a5b',
      ]) {
        const res = await request(app).get('/health').set('X-Request-Id', offered).expect(200);
        expect(res.headers['x-request-id']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
        expect(res.headers['x-correlation-id']).toBeUndefined();
      }
      await request(app)
        .get('/health')
        .set('X-Request-Id', '0193A1B2-C3D4-7E5F-8A9B-0C1D2E3F4A5B')
        .expect(200)
        .expect('X-Correlation-Id', '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b');
      expect(JSON.stringify(logLines)).not.toMatch(/Ana-Zeta|1990-01-03|trace-42|0193A1B2/);
    });

    it('sets helmet headers and no CORS headers', async () => {
      const res = await request(app).get('/health').set('Origin', 'https://elsewhere.example').expect(200);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['content-security-policy']).toBeDefined();
      expect(res.headers['x-powered-by']).toBeUndefined();
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    });
  });

  describe('errors at the HTTP layer', () => {
    it('answers an unknown route with a 404 problem that does not repeat its path (a name typed by mistake)', async () => {
      const res = await request(app)
        .get('/api/nothing-here/maria-lopez-2010-05-02')
        .set('X-Request-Id', '00000000-0000-4000-8000-000000000109')
        .expect(404)
        .expect('Content-Type', /application\/problem\+json/);
      // The problem's id is the request's own (its X-Request-Id), not the caller's correlation id.
      expect(res.body).toEqual({
        type: 'about:blank',
        title: 'Not Found',
        status: 404,
        detail: "No route for GET at this path: the API's routes are in /api/openapi.json.",
        code: 'no_route',
        requestId: res.headers['x-request-id'] as string,
      });
      expect(withoutRandomParts(res.text)).not.toMatch(/maria|lopez|2010|nothing-here/);
    });

    it('answers malformed JSON with a 400 problem that does not echo the body', async () => {
      logLines = [];
      const res = await request(app)
        .post('/api/cases')
        .set('Content-Type', 'application/json')
        .send('{"survivor": {"name": "Maria Q')
        .expect(400)
        .expect('Content-Type', /application\/problem\+json/);
      expect(res.body).toMatchObject({ status: 400, code: 'entity_parse_failed' });
      expect(JSON.stringify(res.body)).not.toContain('Maria');
      expect(JSON.stringify(logLines)).not.toContain('Maria');
    });

    it.each(['null', '42', '"Maria"'])(
      'answers a lone JSON value (%s) with a 400 saying the body must be an object',
      async (body) => {
        const res = await request(app)
          .post('/api/cases')
          .set('Content-Type', 'application/json')
          .send(body)
          .expect(400);
        expect(res.body).toMatchObject({
          code: 'entity_parse_failed',
          detail: expect.stringMatching(/^The request body is not a JSON object/) as unknown,
        });
        expect(JSON.stringify(res.body)).not.toContain('Maria');
      },
    );

    it.each(['deflate', 'gzip', 'br'])(
      'answers a body that is not valid %s data with a 400 saying it could not be decoded, not a path error',
      async (encoding) => {
        const res = await request(app)
          .post('/api/cases/search')
          .set('Content-Type', 'application/json')
          .set('Content-Encoding', encoding)
          .send('garbage\n')
          .expect(400)
          .expect('Content-Type', /application\/problem\+json/);
        expect(res.body).toMatchObject({
          status: 400,
          code: 'encoding_invalid',
          detail: expect.stringMatching(/^The request body could not be decoded: .*Content-Encoding header/) as unknown,
        });
      },
    );

    it.each(['iso-8859-1', 'utf-16', 'utf16', 'latin1'])(
      'answers a JSON body sent in charset %s with a 415 saying it must be UTF-8, naming the charset',
      async (charset) => {
        const res = await request(app)
          .post('/api/cases/search')
          .set('Content-Type', `application/json; charset=${charset}`)
          .send('{"name":"x"}')
          .expect(415)
          .expect('Content-Type', /application\/problem\+json/);
        expect(res.body).toMatchObject({
          status: 415,
          code: 'charset_unsupported',
          detail: `The request body must be JSON encoded as UTF-8, not ${charset}: send it as UTF-8, with charset=utf-8 in its Content-Type or no charset.`,
        });
      },
    );

    it.each([
      'application/json; charset=UTF-8',
      'application/json; charset=utf-8',
      'application/json',
      'application/json; charset=utf8',
      'application/json;charset="UTF8"',
      'application/json; charset=Utf8; q=1',
    ])('takes a JSON body sent as %s past the body parser', async (contentType) => {
      // Read, then refused for want of a bearer token (401): the parser let it through.
      const res = await request(app).post('/api/cases/search').set('Content-Type', contentType).send('{"name":"x"}');
      expect({ status: res.status, code: (res.body as { code?: string }).code }).toMatchObject({ status: 401 });
    });

    it('answers a body in an encoding it does not decode with a 415 naming the Content-Encoding header', async () => {
      const res = await request(app)
        .post('/api/cases/search')
        .set('Content-Type', 'application/json')
        .set('Content-Encoding', 'compress')
        .send('{}')
        .expect(415);
      expect(res.body).toMatchObject({
        status: 415,
        code: 'encoding_unsupported',
        detail: expect.stringContaining('Content-Encoding header must be gzip, deflate or br') as unknown,
      });
    });

    it.each(['/api/cases', '/health', '/api/openapi.json'])(
      'refuses a request to %s with two Authorization headers with a 400 naming the header, as the document lists',
      async (path) => {
        const res = await request(app)
          .get(path)
          // Node's request sends an array as one header line per value.
          .set('Authorization', ['Bearer first-token-aaaaaaaa', 'Bearer second-token-bbbbbbb'] as unknown as string)
          .expect(400)
          .expect('Content-Type', /application\/problem\+json/);
        expect(res.body).toMatchObject({
          status: 400,
          code: 'authorization_repeated',
          errors: [{ field: 'Authorization', message: 'sent 2 times: send one header with one bearer token' }],
        });
        // Neither token is echoed.
        expect(res.text).not.toMatch(/first-token|second-token/);
        const document = await request(app).get('/api/openapi.json').expect(200);
        const paths = (document.body as { paths: Record<string, { get?: { responses: Record<string, unknown> } }> })
          .paths;
        expect(JSON.stringify(paths[path]?.get?.responses['400'])).toContain('`authorization_repeated`');
      },
    );

    it.each([
      ['{"reference":"A","reference":"B"}', ['reference']],
      ['{"survivor":{"name":"Maria","name":"Ana"},"b":1,"b":2}', ['survivor.name', 'b']],
      ['{"agencies":[{"id":"a"},{"id":"a","kind":"x","id":"b"}]}', ['agencies.1.id']],
      ['{"a":1,"\\u0061":2}', ['a']],
      ['{"x":[[{"k":1}],{"k":{"k":1,"k":2}}]}', ['x.1.k.k']],
    ])('refuses %s, which gives a key twice, with a 400 naming each', async (body, fields) => {
      const res = await request(app)
        .post('/api/cases')
        .set('Content-Type', 'application/json')
        .send(body)
        .expect(400)
        .expect('Content-Type', /application\/problem\+json/);
      expect(res.body).toMatchObject({
        status: 400,
        code: 'duplicate_key',
        detail: 'The request body gives a field more than once: send each field once.',
        errors: fields.map((field) => ({ field, message: 'is given more than once in the same object: send it once' })),
      });
      expect(res.text).not.toMatch(/Maria|Ana/);
    });

    it('takes a body whose keys repeat only in other objects or inside strings past the parser', async () => {
      const body = '{"a":{"a":1},"b":[{"a":1},{"a":1}],"s":"\\"a\\":1,\\"a\\":2","t":"\\\\","a2":{}}';
      expect(Object.keys(JSON.parse(body) as object)).toEqual(['a', 'b', 's', 't', 'a2']);
      const res = await request(app).post('/api/cases/search').set('Content-Type', 'application/json').send(body);
      expect({ status: res.status }).toEqual({ status: 401 });
      // A 60 kB body of distinct keys: scanned in well under the parse's own time.
      const wide = JSON.stringify(Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, i])));
      const started = performance.now();
      await request(app).post('/api/cases/search').set('Content-Type', 'application/json').send(wide).expect(401);
      expect(performance.now() - started).toBeLessThan(1000);
    });

    it('answers a method a path does not take with a 405 listing in Allow the methods it does, on every documented path', async () => {
      const document = (await request(app).get('/api/openapi.json').expect(200)).body as {
        info: { description: string };
        paths: Record<string, Record<string, unknown>>;
        components: { responses: Record<string, { headers?: Record<string, unknown> }> };
      };
      expect(document.components.responses.MethodNotAllowed?.headers).toHaveProperty('Allow');
      expect(document.info.description).toContain('OPTIONS 204 with Allow');
      const templates = Object.entries(document.paths).map(([template, byMethod]) => ({
        matches: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`),
        methods: Object.keys(byMethod).map((method) => method.toUpperCase()),
      }));
      const order = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS'];
      const answers = [];
      const expected = [];
      const options = [];
      for (const template of Object.keys(document.paths)) {
        const path = template.replace(/\{[^}]+\}/g, 'x1');
        // As Express routes it: every template the path matches (`/api/cases/search` is also a case's path).
        const methods = new Set(
          templates.filter(({ matches }) => matches.test(path)).flatMap(({ methods }) => methods),
        );
        if (methods.has('GET')) methods.add('HEAD');
        methods.add('OPTIONS');
        const allow = order.filter((method) => methods.has(method)).join(', ');
        for (const method of ['PATCH', 'PUT', 'DELETE', 'POST'].filter((method) => !methods.has(method))) {
          const res = await request(app)[method.toLowerCase() as 'patch'](path);
          const { code } = res.body as { code?: string };
          answers.push({ at: `${method} ${path}`, status: res.status, allow: res.headers.allow, code, type: res.type });
          expected.push({
            at: `${method} ${path}`,
            status: 405,
            allow,
            code: 'method_not_allowed',
            type: 'application/problem+json',
          });
        }
        // OPTIONS, CORS closed: the standard answer, 204 with the same Allow, not 404 `no_route`.
        const res = await request(app).options(path);
        answers.push({ at: `OPTIONS ${path}`, status: res.status, allow: res.headers.allow, body: res.text });
        expected.push({ at: `OPTIONS ${path}`, status: 204, allow, body: '' });
        options.push(path);
      }
      expect(expected.length).toBeGreaterThan(100 + options.length);
      expect(answers).toEqual(expected);
      // Not 404: the paths exist.
      const health = await request(app).delete('/health').expect(405);
      expect(health.headers.allow).toBe('GET, HEAD, OPTIONS');
      expect(health.body).toMatchObject({
        status: 405,
        code: 'method_not_allowed',
        detail: 'DELETE is not a method of this path: it takes GET, HEAD, OPTIONS.',
      });
      expect((await request(app).options('/health').expect(204)).headers.allow).toBe('GET, HEAD, OPTIONS');
      // Nor is a path repeated here: where an id belongs, it may be a name typed by mistake.
      const typed = await request(app).delete('/api/cases/maria-lopez-2010-05-02').expect(405);
      expect(withoutRandomParts(typed.text)).not.toMatch(/maria|lopez|2010/);
      // A path no route has is still 404, OPTIONS too.
      await request(app).delete('/api/nothing-here').expect(404);
      await request(app).options('/api/nothing-here').expect(404);
    });

    it('answers a path parameter that is not valid percent-encoding with a 400 path error naming the path in words', async () => {
      for (const path of ['/api/cases/%E0%A4%A', '/api/cases/%ff', '/api/cases/maria%lopez/survivor']) {
        const res = await request(app).get(path).expect(400);
        // It said "The request path is not valid." and named nothing.
        expect(res.body).toMatchObject({
          status: 400,
          code: 'invalid_path',
          detail: 'The request path is not valid: a part of it does not decode as percent-encoded UTF-8 text.',
          errors: [
            {
              field: '(path)',
              message:
                'holds a % not followed by two hexadecimal digits, or percent-encoded bytes that are not UTF-8 text: encode each part with encodeURIComponent',
            },
          ],
        });
        expect(res.text).not.toMatch(/maria|lopez/);
      }
    });

    it('answers a body over 64kb with a 413 problem', async () => {
      const huge = JSON.stringify({ survivor: { contact: 'x'.repeat(70 * 1024) } });
      const res = await request(app).post('/api/cases').set('Content-Type', 'application/json').send(huge).expect(413);
      expect(res.body).toMatchObject({ status: 413, code: 'entity_too_large' });
    });
  });

  describe("requests Node's HTTP parser refuses before the app", () => {
    let server: Server;
    beforeAll(async () => {
      server = createServer(app);
      answerClientErrors(server);
      await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
    });
    afterAll(async () => {
      await new Promise((closed) => server.close(closed));
    });

    /** Sends `text` as it is on a connection of its own; what came back once the server closed it. */
    async function sendRaw(text: string): Promise<{ status: number; headers: string; body: string }> {
      const { port } = server.address() as AddressInfo;
      const socket = connect(port, '127.0.0.1');
      socket.on('connect', () => socket.write(text));
      let received = '';
      socket.on('data', (chunk: Buffer) => (received += chunk.toString('utf8')));
      // The server closes the connection: the answer is all there is, and nothing after it is read.
      await new Promise((closed) => socket.on('close', closed));
      const [head = '', body = ''] = received.split('\r\n\r\n');
      return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]), headers: head.toLowerCase(), body };
    }

    const name = 'Maria Quintero';
    it.each([
      {
        what: 'headers larger than Node reads',
        text: `GET /health HTTP/1.1\r\nHost: x\r\nX-Note: ${name.repeat(1500)}\r\n\r\n`,
        status: 431,
        code: 'headers_too_large',
        detail: /^The request headers, its URL included, are larger than this API reads/,
      },
      {
        what: 'a URL larger than Node reads',
        text: `GET /api/cases?q=${encodeURIComponent(name).repeat(1500)} HTTP/1.1\r\nHost: x\r\n\r\n`,
        status: 431,
        code: 'headers_too_large',
        detail: /send a shorter URL/,
      },
      {
        what: 'both Content-Length and Transfer-Encoding',
        text: `POST /api/cases HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 26\r\nTransfer-Encoding: chunked\r\n\r\n{"survivor":"${name}"}`,
        status: 400,
        code: 'request_malformed',
        detail: /both a Content-Length and a Transfer-Encoding header\. Send only one\.$/,
      },
      {
        what: 'a header name HTTP does not allow',
        text: `GET /health HTTP/1.1\r\nHost: x\r\nX ${name}: y\r\n\r\n`,
        status: 400,
        code: 'request_malformed',
        detail: /a header name or value holds a character HTTP does not allow/,
      },
    ])('answers $what with a $status problem in words, then closes the connection', async ({ text, ...expected }) => {
      logLines = [];
      const answer = await sendRaw(text);
      expect(answer.status).toBe(expected.status);
      expect(answer.headers).toContain('content-type: application/problem+json');
      expect(answer.headers).toContain('connection: close');
      const body = JSON.parse(answer.body) as Record<string, unknown>;
      expect(body).toMatchObject({
        status: expected.status,
        code: expected.code,
        detail: expect.stringMatching(expected.detail) as unknown,
      });
      expect(answer.headers).toContain(`x-request-id: ${String(body.requestId)}`);
      // Nothing of the request is echoed or logged.
      expect(answer.body).not.toContain('Maria');
      expect(JSON.stringify(logLines)).not.toContain('Maria');
    });

    it('closes the connection of headers sent too slowly, refused 408, whose client neither reads the refusal nor closes', async () => {
      // Node's headers timeout, made short: a client sending its headers a byte at a time is refused after it.
      const slow = createServer({ headersTimeout: 300, requestTimeout: 600, connectionsCheckingInterval: 50 }, app);
      answerClientErrors(slow);
      await new Promise<void>((listening) => slow.listen(0, '127.0.0.1', listening));
      const socket = connect((slow.address() as AddressInfo).port, '127.0.0.1');
      socket.pause();
      socket.write('GET /health HTTP/1.1\r\nHost: x\r\nX-Note: a');
      const connections = () =>
        new Promise<number>((counted, failed) =>
          slow.getConnections((error, n) => (error ? failed(error) : counted(n))),
        );
      try {
        await eventually(async () => (await connections()) === 1, 'the connection taken');
        // Ended alone, it stayed half open as long as the client held it: a file descriptor kept for good (probe Q6).
        await eventually(async () => (await connections()) === 0, 'the refused connection closed', 10_000);
        // The refusal was sent all the same, for the client to read when it does.
        let received = '';
        socket.on('data', (chunk: Buffer) => (received += chunk.toString('utf8')));
        socket.resume();
        await eventually(() => received.includes('\r\n\r\n{') && received.endsWith('}'), 'the refusal read');
        expect(Number(/^HTTP\/1\.1 (\d{3})/.exec(received)?.[1])).toBe(408);
      } finally {
        socket.destroy();
        await new Promise((closed) => slow.close(closed));
      }
    });

    it('lists them in the OpenAPI document: 431 once for every path, request_malformed under every 400', async () => {
      const document = (await request(app).get('/api/openapi.json').expect(200)).body as {
        paths: Record<string, Record<string, { responses: Record<string, { description: string }> }>>;
        components: { responses: Record<string, { description: string }> };
      };
      expect(document.components.responses.HeadersTooLarge?.description).toContain('`headers_too_large`');
      const without = Object.entries(document.paths).flatMap(([path, byMethod]) =>
        Object.entries(byMethod)
          .filter(([, operation]) => !operation.responses['400']?.description.includes('`request_malformed`'))
          .map(([method]) => `${method} ${path}`),
      );
      expect(without).toEqual([]);
    });
  });

  describe('requests sent on one connection without waiting for their answers (HTTP/1.1 pipelining)', () => {
    it('are handled one after another, each once the one before it was answered, and all answered in order', async () => {
      let underWay = 0;
      let most = 0;
      const server = createServer(
        drainable((req, res) => {
          underWay++;
          most = Math.max(most, underWay);
          // Answered once its last byte is handed to the connection.
          res.once('finish', () => underWay--);
          app(req, res);
        }).handler,
      );
      await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
      try {
        const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
        const chunks: Buffer[] = [];
        socket.on('data', (chunk: Buffer) => chunks.push(chunk));
        // Twenty in one write: handled all at once, each answer (the 0.5 MB document) held until the ones before it were
        // read, so a client that reads nothing made the process grow by gigabytes (probe Q6).
        const sent = 20;
        socket.write('GET /api/openapi.json HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(sent));
        const statuses = await eventually(() => {
          const received = Buffer.concat(chunks);
          const found: number[] = [];
          for (let at = 0; at < received.length;) {
            const headEnd = received.indexOf('\r\n\r\n', at);
            if (headEnd === -1) break;
            const head = received.subarray(at, headEnd).toString('latin1');
            const length = Number(/\r\ncontent-length: (\d+)/i.exec(head)?.[1]);
            if (headEnd + 4 + length > received.length) break;
            found.push(Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]));
            at = headEnd + 4 + length;
          }
          return found.length === sent && found;
        }, 'every answer');
        socket.destroy();
        expect(statuses).toEqual(Array.from({ length: sent }, () => 200));
        expect(most).toBe(1);
      } finally {
        await new Promise((closed) => server.close(closed));
      }
    });
  });
});
