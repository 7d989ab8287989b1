/**
 * The lists' cursors (core/list-cursor.ts) on the real stack: a cursor the service handed out pages on; one it did
 * not make (forged, garbled, changed by a character, of another list) is refused naming `cursor` before any query
 * runs with it, so no client text reaches PostgreSQL as a position (where a bad one made PostgreSQL log the failed
 * statement, the client's text in it, as an ERROR line of the service's log).
 */
import { randomUUID } from 'node:crypto';
import type { Express } from 'express';
import type { Pool, QueryConfig } from 'pg';
import request from 'supertest';
import { DEMO_AGENCIES } from '../../../db/seed';
import { enqueue } from '../../../db/notifications';
import { startStack, type Stack } from '../../support/stack';

describe('list-cursors', () => {
  let stack: Stack;
  let app: Express;
  /** Every parameter of every query the app's pool ran, as text. */
  let queried: string[] = [];
  const caseIds: string[] = [];

  /** The pool with each query's parameters noted: what reached PostgreSQL. */
  function notingPool(pool: Pool): Pool {
    return new Proxy(pool, {
      get(target, property, receiver) {
        if (property !== 'query') return Reflect.get(target, property, receiver) as unknown;
        return (...args: unknown[]) => {
          const [first, second] = args;
          const values = Array.isArray(second) ? second : ((first as QueryConfig | undefined)?.values ?? []);
          queried.push(...values.map((value) => String(value)));
          return (target.query as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  }

  beforeAll(async () => {
    stack = await startStack();
    app = stack.appWith({ pool: notingPool(stack.pool) });
    const today = new Date(await stack.env.currentTimeMs()).toISOString().slice(0, 10);
    for (const n of [1, 2]) {
      const res = await request(app)
        .post('/api/cases')
        .set(stack.as('law_enforcement'))
        .set('Idempotency-Key', `list-cursors-${n}-${randomUUID()}`)
        .send({
          identifiedOn: today,
          survivor: { name: `Cursor Person ${n}`, birthDate: '1990-01-01' },
          agencies: DEMO_AGENCIES,
        })
        .expect(201);
      caseIds.push((res.body as { caseId: string }).caseId);
    }
    for (const n of [1, 2]) {
      await enqueue(stack.pool, {
        caseId: caseIds[0]!,
        alarmId: `cp_request-1:reminder:2026-03-0${n}T00:00:00.000Z`,
        reference: 'LIST-CURSORS',
        stepId: 'cp_request-1',
        stepKind: 'cp_request',
        kind: 'reminder',
        recipientAgencyId: DEMO_AGENCIES.law_enforcement,
        recipientEmail: 'police@example.gov',
        subject: `Reminder ${n}`,
        bodyText: 'A step is due.',
        dueAt: '2026-03-10T00:00:00.000Z',
      });
    }
  }, 60_000);

  afterAll(async () => {
    await stack?.stop();
  });

  const coordinator = () => stack.as('coordinator');
  type Page = { items: unknown[]; nextCursor: string | null };
  const lists = {
    steps: (cursor?: string) =>
      request(app)
        .get('/api/steps')
        .query({ limit: '1', ...(cursor ? { cursor } : {}) })
        .set(coordinator()),
    cases: (cursor?: string) =>
      request(app)
        .get('/api/cases')
        .query({ limit: '1', ...(cursor ? { cursor } : {}) })
        .set(coordinator()),
    notifications: (cursor?: string) =>
      request(app)
        .get('/api/notifications')
        .query({ caseId: caseIds[0]!, limit: '1', ...(cursor ? { cursor } : {}) })
        .set(stack.as('law_enforcement')),
  };
  /** A position as the read model writes it, base64url JSON (what the API handed out before cursors were signed). */
  const position = (key: string[]) => Buffer.from(JSON.stringify(key)).toString('base64url');

  test("each list's own cursor pages on, and the next page is another one", async () => {
    for (const [name, list] of Object.entries(lists)) {
      const first = (await list().expect(200)).body as Page;
      expect([name, first.nextCursor]).toEqual([name, expect.any(String)]);
      const second = (await list(first.nextCursor!).expect(200)).body as Page;
      expect([name, second.items]).not.toEqual([name, first.items]);
      expect(second.items).toHaveLength(1);
    }
  });

  test('a cursor the service did not make is refused naming cursor, and no query runs with it', async () => {
    const later = '2199-01-01 00:00:00+00';
    const forged: Array<[keyof typeof lists, string, string[]]> = [
      // Well formed: a position that pages, from the client's hand.
      ['steps', position([later, caseIds[0]!, 'cp_request-1']), [later]],
      ['cases', position([later, caseIds[0]!]), [later]],
      ['notifications', 'cp_request-1:reminder:2026-03-02T00:00:00.000Z', ['cp_request-1:reminder']],
      // Garbled: what PostgreSQL refused, writing the statement and the client's text to the log.
      ['steps', position(['yesterday', 'no-uuid', 'x']), ['yesterday', 'no-uuid']],
      ['cases', position(['2026-02-30 00:00:00+00', caseIds[0]!]), ['2026-02-30']],
      ['cases', position(['2026-01-01 00:00:00+00', 'Zorvath Quillbyxe']), ['Zorvath']],
    ];
    const answers = [];
    for (const [name, cursor, needles] of forged) {
      queried = [];
      const refused = await lists[name](cursor);
      const { code, errors } = refused.body as { code?: string; errors?: { field: string }[] };
      const reachedPostgres = queried.filter((value) => needles.some((needle) => value.includes(needle)));
      answers.push({
        name,
        cursor,
        status: refused.status,
        code,
        fields: errors?.map((e) => e.field),
        reachedPostgres,
      });
    }
    expect(answers).toEqual(
      forged.map(([name, cursor]) => ({
        name,
        cursor,
        status: 400,
        code: 'invalid_cursor',
        fields: ['cursor'],
        reachedPostgres: [],
      })),
    );
  });

  test('a cursor changed by one character, or of another list, is refused; in the search body with 422', async () => {
    const steps = ((await lists.steps().expect(200)).body as Page).nextCursor!;
    const cases = ((await lists.cases().expect(200)).body as Page).nextCursor!;
    const changed = `${cases.slice(0, 5)}${cases[5] === 'A' ? 'B' : 'A'}${cases.slice(6)}`;
    await lists.cases(changed).expect(400);
    await lists.cases(steps).expect(400);
    await lists.steps(cases).expect(400);
    await lists.notifications(cases).expect(400);
    // The search by name pages with its own cursor, for the same name; another list's is refused as a bad body field.
    const search = (cursor?: string) =>
      request(app)
        .post('/api/cases/search')
        .set(coordinator())
        .send({ name: 'cursor person', limit: '1', ...(cursor ? { cursor } : {}) });
    const searched = ((await search().expect(200)).body as Page).nextCursor!;
    await search(searched).expect(200);
    const refused = await search(steps).expect(422);
    expect(refused.body).toMatchObject({ code: 'invalid_cursor', errors: [{ field: 'cursor' }] });
  });

  /** The refusal of a cursor sent with other filters or another sort than its page's. */
  const OTHER_FILTERS = {
    code: 'invalid_cursor',
    errors: [{ field: 'cursor', message: expect.stringContaining('the filters or sort changed') as unknown }],
  };

  test("a cursor is bound to its page's filters and sort: sent with others, it is refused saying they changed", async () => {
    const as = { police: stack.as('law_enforcement'), admin: stack.users['demo-system-admin']!.headers };
    const get = (path: string, headers: Record<string, string>, query: Record<string, string | string[]>) =>
      request(app).get(path).query(query).set(headers);
    // Each list: its first page's query, the same with other filters or sort, and who asks.
    const cases: Array<[string, Record<string, string>, Record<string, string | string[]>, Record<string, string>]> = [
      ['/api/steps', { sort: 'dueAt' }, { sort: '-dueAt' }, coordinator()],
      ['/api/steps', { sort: 'dueAt' }, { sort: 'dueAt', status: 'overdue' }, coordinator()],
      ['/api/cases', {}, { path: 'adult' }, coordinator()],
      ['/api/notifications', { caseId: caseIds[0]! }, {}, as.police],
      ['/api/audit', {}, { outcome: 'rejected' }, as.admin],
    ];
    const answers = [];
    for (const [path, query, other, headers] of cases) {
      const first = (await get(path, headers, { ...query, limit: '1' }).expect(200)).body as Page;
      expect([path, first.nextCursor]).toEqual([path, expect.any(String)]);
      const cursor = first.nextCursor!;
      // The same filters, written in another order and with another limit, page on.
      const same = await get(path, headers, { limit: '2', cursor, ...query });
      const changed = await get(path, headers, { ...other, limit: '1', cursor });
      answers.push({ path, other, same: same.status, changed: changed.status, body: changed.body as unknown });
    }
    expect(answers).toEqual(
      cases.map(([path, , other]) => ({
        path,
        other,
        same: 200,
        changed: 400,
        body: expect.objectContaining(OTHER_FILTERS) as unknown,
      })),
    );
    // The search by name: its cursor is bound to the name, and the caseload's is no cursor of another name's search.
    const search = (body: Record<string, string>) =>
      request(app).post('/api/cases/search').set(coordinator()).send(body);
    const searched = ((await search({ name: 'cursor person', limit: '1' }).expect(200)).body as Page).nextCursor!;
    expect((await search({ name: 'person', cursor: searched }).expect(422)).body).toMatchObject(OTHER_FILTERS);
    const caseload = ((await get('/api/cases', coordinator(), { limit: '1' }).expect(200)).body as Page).nextCursor!;
    expect((await search({ name: 'cursor person', cursor: caseload }).expect(422)).body).toMatchObject(OTHER_FILTERS);
  });

  test("the audit trail's cursor is signed: a row's id from the client's hand is no position", async () => {
    const admin = stack.users['demo-system-admin']!.headers;
    const first = (await request(app).get('/api/audit').query({ limit: '1' }).set(admin).expect(200)).body as {
      items: { id: string }[];
    };
    const refused = await request(app).get('/api/audit').query({ cursor: first.items[0]!.id }).set(admin).expect(400);
    expect(refused.body).toMatchObject({ code: 'invalid_cursor', errors: [{ field: 'cursor' }] });
  });
});
