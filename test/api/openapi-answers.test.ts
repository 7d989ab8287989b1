/**
 * The OpenAPI document against the answers the API really gives, on the real stack (PostgreSQL, Temporal): a GET
 * documented with 304 answers 304 to a read that names its ETag; one whose answer holds the moment it was read (the
 * API clock: `/api/me`'s `now`) never can, and is documented without it. A route that takes no body answers 400, 413
 * or 415 to one sent all the same, as documented.
 */
import type { Express } from 'express';
import request from 'supertest';
import { startStack, type Stack } from '../support/stack';

let stack: Stack;
let app: Express;
type Operation = {
  parameters?: { name: string; in: string; required: boolean; description?: string }[];
  requestBody?: unknown;
  responses: Record<string, unknown>;
};
let operations: { method: string; path: string; operation: Operation }[] = [];

beforeAll(async () => {
  stack = await startStack();
  app = stack.app;
  const document = (await request(app).get('/api/openapi.json').expect(200)).body as {
    paths: Record<string, Record<string, Operation>>;
  };
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
