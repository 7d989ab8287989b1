/**
 * The OpenAPI document against the answers the API really gives, on the real stack (PostgreSQL, Temporal): a GET
 * documented with 304 answers 304 to a read that names its ETag; one whose answer holds the moment it was read (the
 * API clock: `/api/me`'s `now`) never can, and is documented without it. A route that takes no body answers 400, 413
 * or 415 to one sent all the same, as documented. A case walked from intake to its T-visa filing and closing, and the
 * refusals met on the way, are answered as the document says: each status listed, each body of its schema (read by
 * zod from the document's JSON Schema, as a client generated from it would; no field it does not list), each header
 * of its own documented.
 */
import type { Express } from 'express';
import request, { type Response as Answer } from 'supertest';
import { z } from 'zod';
import { DEMO_AGENCIES } from '../../../db/seed';
import { startStack, type Stack } from '../../support/stack';

describe('openapi-answers', () => {
  let stack: Stack;
  let app: Express;
  type Operation = {
    parameters?: { name: string; in: string; required: boolean; description?: string }[];
    requestBody?: unknown;
    responses: Record<string, unknown>;
  };
  let operations: { method: string; path: string; operation: Operation }[] = [];
  let components: Record<string, Record<string, unknown>> = {};

  beforeAll(async () => {
    stack = await startStack();
    app = stack.app;
    const document = (await request(app).get('/api/openapi.json').expect(200)).body as {
      paths: Record<string, Record<string, Operation>>;
      components: typeof components;
    };
    components = document.components;
    operations = Object.entries(document.paths).flatMap(([path, byMethod]) =>
      Object.entries(byMethod).map(([method, operation]) => ({ method, path, operation })),
    );
  }, 60_000);

  afterAll(async () => {
    await stack?.stop();
  });

  test('every GET a coordinator reads without parameters answers 304 to its ETag exactly when it lists 304', async () => {
    const gets = operations.filter(
      ({ method, path, operation }) =>
        method === 'get' &&
        path.startsWith('/api/') &&
        !path.includes('{') &&
        !(operation.parameters ?? []).some((p) => p.required && p.in !== 'header'),
    );
    expect(gets.map(({ path }) => path)).toEqual(expect.arrayContaining(['/api/me', '/api/steps', '/api/cases']));
    const found = [];
    for (const { path, operation } of gets) {
      const first = await request(app).get(path).set(stack.as('coordinator'));
      if (first.status !== 200) continue;
      // An answer sent without an ETag cannot be named in If-None-Match: it is never answered 304.
      if (!first.headers.etag) {
        found.push({ path, documented304: '304' in operation.responses, answered304: false });
        continue;
      }
      // Two reads apart in time, as a client's are: an answer that holds the moment it was read differs.
      await new Promise((resolve) => setTimeout(resolve, 5));
      const again = await request(app).get(path).set(stack.as('coordinator')).set('If-None-Match', first.headers.etag);
      found.push({ path, documented304: '304' in operation.responses, answered304: again.status === 304 });
    }
    expect(found.length).toBeGreaterThan(5);
    expect(found.filter((f) => f.documented304 !== f.answered304)).toEqual([]);
    expect(found.find((f) => f.path === '/api/me')).toEqual({
      path: '/api/me',
      documented304: false,
      answered304: false,
    });
  });

  test("an answer that holds the moment it was read has no ETag, and the document promises none: /api/me, /api/dashboard, the compliance report's JSON but not its CSV", async () => {
    const coordinator = stack.as('coordinator');
    const operationOf = (path: string) =>
      operations.find((each) => each.method === 'get' && each.path === path)!.operation;
    const documented = (path: string) => {
      const { parameters, responses } = operationOf(path) as Operation & {
        responses: Record<string, { description: string; headers?: Record<string, { description: string }> }>;
      };
      return {
        ifNoneMatch: parameters?.find((p) => p.name === 'If-None-Match')?.description,
        etag: responses['200']?.headers?.['ETag']?.description,
        notModified: responses['304']?.description,
      };
    };
    for (const path of ['/api/me', '/api/dashboard']) {
      const first = await request(app).get(path).set(coordinator).expect(200);
      expect({ path, etag: first.headers.etag }).toEqual({ path, etag: undefined });
      expect(documented(path)).toEqual({ ifNoneMatch: undefined, etag: undefined, notModified: undefined });
    }

    // The report: its JSON holds `asOf` and has no ETag; its CSV, the same while the figures are, has one and a 304.
    const report = '/api/reports/compliance';
    const period = { from: '2026-01-01', to: '2026-12-31' };
    const json = await request(app).get(report).query(period).set(coordinator).expect(200);
    expect((json.body as { asOf: string }).asOf).toEqual(expect.any(String));
    expect(json.headers.etag).toBeUndefined();
    const csv = await request(app)
      .get(report)
      .query({ ...period, format: 'csv' })
      .set(coordinator)
      .expect(200);
    expect(csv.headers.etag).toEqual(expect.any(String));
    await request(app)
      .get(report)
      .query({ ...period, format: 'csv' })
      .set(coordinator)
      .set('If-None-Match', csv.headers.etag!)
      .expect(304);
    const csvOnly = /\(text\/csv only: the JSON answer holds the moment it was read, and has no ETag\)$/;
    const { ifNoneMatch, etag, notModified } = documented(report);
    for (const description of [ifNoneMatch, etag, notModified]) expect(description).toMatch(csvOnly);
  });

  type Documented = {
    headers?: Record<string, unknown>;
    content?: Record<string, { schema: Record<string, unknown> }>;
  };

  /** A schema with its references to components written out, and every object closed to the properties it lists. */
  function closedSchema(schema: unknown): unknown {
    if (Array.isArray(schema)) return schema.map(closedSchema);
    if (!schema || typeof schema !== 'object') return schema;
    const { $ref } = schema as { $ref?: unknown };
    if (typeof $ref === 'string') {
      const [, , kind, name] = $ref.split('/');
      return closedSchema(components[kind!]![name!]);
    }
    // A pattern of Unicode properties (a name's `\p{L}`) is JSON Schema's, which zod compiles without the `u` flag.
    const kept = Object.entries(schema).filter(([key, value]) => key !== 'pattern' || !String(value).includes('\\p{'));
    const closed = Object.fromEntries(kept.map(([key, value]) => [key, closedSchema(value)]));
    return 'properties' in closed && !('additionalProperties' in closed)
      ? { ...closed, additionalProperties: false }
      : closed;
  }

  /** The headers of an answer of its own that a client reads, each of which the document must list where it is sent. */
  const READ_HEADERS = ['location', 'retry-after', 'ratelimit', 'ratelimit-policy', 'idempotent-replayed'];
  const READ_HEADERS_OF_DOWNLOADS = ['content-disposition', 'repr-digest'];

  /** What the document gets wrong about one answer: its status, its body, a header it sends. */
  function disagreements(method: string, url: string, answer: Answer): string[] {
    const path = url.split('?')[0]!;
    const match = (template: string) =>
      new RegExp(`^${template.replace(/\./g, '\\.').replace(/\{[^}]+\}/g, '[^/]+')}$`).test(path);
    const candidates = operations.filter((each) => each.method === method && match(each.path));
    const found = candidates.find((each) => !each.path.includes('{')) ?? candidates[0];
    const at = `${method.toUpperCase()} ${found?.path ?? path} ${answer.status}`;
    if (!found) return [`${at}: no operation`];
    const documented = found.operation.responses[String(answer.status)] as Documented | undefined;
    if (!documented) return [`${at}: status not listed`];
    const wrong: string[] = [];
    const type = String(answer.headers['content-type'] ?? '').split(';')[0]!;
    const content = documented.content?.[type];
    if (documented.content && !content) wrong.push(`${at}: ${type} not listed`);
    if (content && type.endsWith('json')) {
      const parsed = z.fromJSONSchema(closedSchema(content.schema) as never).safeParse(answer.body);
      for (const issue of parsed.error?.issues ?? [])
        wrong.push(
          `${at}: ${issue.path.join('.')}: ${issue.code === 'unrecognized_keys' ? issue.message : issue.code}`,
        );
    }
    const listed = Object.keys(documented.headers ?? {}).map((name) => name.toLowerCase());
    for (const name of [...READ_HEADERS, ...READ_HEADERS_OF_DOWNLOADS])
      if (answer.headers[name] !== undefined && !listed.includes(name)) wrong.push(`${at}: ${name} not listed`);
    return wrong;
  }

  test('a case walked from intake to its filing and closing, and the refusals met, are answered as the document says', async () => {
    const wrong: string[] = [];
    let keys = 0;
    const send = async (
      as: { Authorization?: string },
      method: 'get' | 'post',
      url: string,
      options: { body?: object; key?: string; status: number; file?: Buffer } = { status: 200 },
    ) => {
      let call = request(app)[method](url).set(as);
      if (method === 'post' && !options.file)
        call = call.set('Idempotency-Key', options.key ?? `walk-key-${(keys += 1)}`);
      if (options.file) call = call.attach('file', options.file, { filename: 'receipt.pdf' });
      const answer = await (options.body ? call.send(options.body) : call).buffer(true);
      expect({ url, status: answer.status }).toEqual({ url, status: options.status });
      wrong.push(...disagreements(method, url, answer));
      return answer;
    };
    const [police, ice, hhs, advocate, coordinator] = [
      stack.as('law_enforcement'),
      stack.as('ice'),
      stack.as('hhs'),
      stack.as('advocate'),
      stack.as('coordinator'),
    ];
    const intake = {
      identifiedOn: '2026-11-20',
      survivor: { name: 'Walk Example', birthDate: '1994-03-02' },
      agencies: DEMO_AGENCIES,
    };
    const opened = await send(police, 'post', '/api/cases', { body: intake, key: 'walk-intake', status: 201 });
    const caseId = (opened.body as { caseId: string }).caseId;
    expect(opened.headers.location).toBe(`/api/cases/${caseId}`);
    const again = await send(police, 'post', '/api/cases', { body: intake, key: 'walk-intake', status: 201 });
    expect(again.headers['idempotent-replayed']).toBe('true');
    const step = (id: string) => `/api/cases/${caseId}/steps/${id}`;
    const signs: [typeof police, string, object][] = [
      [police, 'cp_request-1', { outcome: 'requested', details: { requestedOn: '2026-11-21' } }],
      [ice, 'cp_decision-1', { outcome: 'granted', details: { grantedOn: '2026-11-21', validUntil: '2028-11-21' } }],
      [advocate, 'hhs_certification_request-1', { outcome: 'requested', details: { requestedOn: '2026-11-22' } }],
      [hhs, 'hhs_certification_letter-1', { outcome: 'certified', details: { eligibilityDate: '2026-11-22' } }],
      [advocate, 't_visa_filing-1', { outcome: 'filed', details: { filedOn: '2026-11-23' } }],
    ];
    for (const [as, id, body] of signs) await send(as, 'post', `${step(id)}/sign-off`, { body, status: 200 });
    // Signed again: the workflow refuses it (409), and a retry under the same key is that refusal again.
    const [as, id, body] = signs[0]!;
    await send(as, 'post', `${step(id)}/sign-off`, { body, key: 'walk-twice', status: 409 });
    const refusedAgain = await send(as, 'post', `${step(id)}/sign-off`, { body, key: 'walk-twice', status: 409 });
    expect(refusedAgain.headers['idempotent-replayed']).toBe('true');
    await send(police, 'post', `${step('cp_request-1')}/corrections`, {
      body: { outcome: 'requested', details: { requestedOn: '2026-11-20' }, reason: 'typed the day after the call' },
      status: 200,
    });

    const receipt = Buffer.from('%PDF-1.4\n% I-914 receipt\n%%EOF\n');
    const uploaded = await send(advocate, 'post', `${step('t_visa_filing-1')}/documents`, {
      file: receipt,
      status: 201,
    });
    const documentId = (uploaded.body as { id: string }).id;
    expect(uploaded.headers.location).toBe(`/api/cases/${caseId}/documents/${documentId}`);
    await send(advocate, 'post', `${step('t_visa_filing-1')}/documents`, { file: receipt, status: 200 });
    const tooLarge = Buffer.concat([receipt, Buffer.alloc(10 * 1024 * 1024)]);
    await send(advocate, 'post', `${step('t_visa_filing-1')}/documents`, { file: tooLarge, status: 413 });
    const file = await send(advocate, 'get', `/api/cases/${caseId}/documents/${documentId}`);
    expect(file.headers['content-disposition']).toContain('receipt.pdf');

    for (const reader of [police, ice, hhs, advocate, coordinator])
      for (const url of [
        `/api/cases/${caseId}`,
        `/api/cases/${caseId}/reminders`,
        `/api/cases/${caseId}/documents`,
        '/api/steps?status=pending',
        '/api/steps?status=overdue&sort=-dueAt&limit=1',
        '/api/cases?limit=1',
        '/api/notifications?limit=1',
        '/api/me',
        '/api/dashboard',
      ])
        await send(reader, 'get', url);
    await send(advocate, 'get', `/api/cases/${caseId}/survivor`);
    // Read again as fetch() asks (browsers, Node, a client generated from the document): the Fetch standard sends
    // Cache-Control and Pragma no-cache with the If-None-Match a script sets. The answer the same, it is the 304 listed.
    const read = await send(coordinator, 'get', `/api/cases/${caseId}`);
    const asFetchAsks = { 'If-None-Match': read.headers.etag!, 'Cache-Control': 'no-cache', Pragma: 'no-cache' };
    const unchanged = await request(app).get(`/api/cases/${caseId}`).set(coordinator).set(asFetchAsks);
    expect(unchanged.status).toBe(304);
    wrong.push(...disagreements('get', `/api/cases/${caseId}`, unchanged));
    // A reference pasted with a space either side is found, and the document's parameter takes it as the API does.
    const pasted = ` ${(opened.body as { reference: string }).reference.toLowerCase()} `;
    const found = await send(coordinator, 'get', `/api/cases?reference=${encodeURIComponent(pasted)}`);
    expect((found.body as { items: { caseId: string }[] }).items.map((item) => item.caseId)).toEqual([caseId]);
    const caseload = operations.find((each) => each.method === 'get' && each.path === '/api/cases')!.operation;
    const referenceSchema = (caseload.parameters as unknown as { name: string; schema: object }[]).find(
      (parameter) => parameter.name === 'reference',
    )!.schema;
    expect(z.fromJSONSchema(referenceSchema as never).safeParse(pasted).success).toBe(true);
    const period = 'from=2026-01-01&to=2026-12-31';
    await send(coordinator, 'get', `/api/reports/compliance?${period}`);
    await send(coordinator, 'get', `/api/reports/compliance?${period}&format=csv`);

    await send(stack.users['demo-supervisor']!.headers, 'get', `/api/cases/${caseId}/survivor`, { status: 403 });
    await send(coordinator, 'get', '/api/steps?status=late', { status: 400 });
    await send(ice, 'post', '/api/cases', { body: intake, status: 403 });
    const wrongPassword = { username: 'demo-police-officer', password: 'not the password' };
    await send({}, 'post', '/api/auth/sign-in', { body: wrongPassword, status: 401 });
    await send(police, 'post', '/api/cases', { body: { ...intake, identifiedOn: 'soon' }, status: 422 });
    await send(coordinator, 'post', `/api/cases/${caseId}/transfers`, {
      body: { agencyKind: 'law_enforcement', toAgencyId: 'no-such-agency' },
      status: 422,
    });
    await send(advocate, 'post', `/api/cases/${caseId}/documents/${documentId}/remove`, {
      body: { reason: 'duplicate' },
      status: 200,
    });
    await send(advocate, 'get', `/api/cases/${caseId}/documents/${documentId}`, { status: 404 });
    const close = { status: 'closed', reason: 'other' };
    await send(coordinator, 'post', `/api/cases/${caseId}/close`, { body: close, status: 200 });
    await send(coordinator, 'post', `/api/cases/${caseId}/close`, { body: close, status: 409 });
    expect([...new Set(wrong)]).toEqual([]);
  }, 30_000);
});
