/**
 * Every refusal of a request's input names the field and says what is wrong in words a case worker can follow: not
 * zod's own wording ("Invalid input: expected string, received undefined"), and not a list as long as the request. A
 * sweep sends `{}`, `[]` and `null` as the body of every JSON route, and an empty value for every query parameter,
 * through a real stack, as every demo user until one is let in.
 */
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { DEMO_AGENCIES } from '../../../db/seed';
import { dateOf } from '../../../domain/dates';
import type { Stack } from '../../support/stack';
import { describeOnSharedStack, sharedStack } from '../../support/shared-stack';
import { withoutRandomParts } from '../../support/scan';

describeOnSharedStack('refusals-in-words', () => {
  let stack: Stack;
  let caseId: string;
  beforeAll(async () => {
    stack = sharedStack();
    const today = dateOf(new Date(await stack.env.currentTimeMs()).toISOString());
    const opened = await request(stack.app)
      .post('/api/cases')
      .set(stack.users['demo-police-officer']!.headers)
      .set('Idempotency-Key', randomUUID())
      .send({
        identifiedOn: today,
        survivor: { name: 'Words Example (fictitious)', birthDate: '1990-04-05' },
        agencies: DEMO_AGENCIES,
        confirmNotDuplicate: true,
      })
      .expect(201);
    caseId = (opened.body as { caseId: string }).caseId;
  });

  interface Refusal {
    status: number;
    code?: string;
    detail?: string;
    errors?: { field: string; message: string }[];
  }

  test('a body of 6,000 unknown keys is refused counting them, naming at most 10 typos and how many more, in a short answer', async () => {
    // Names of no field the route takes: counted, never repeated.
    const body = Object.fromEntries(Array.from({ length: 6000 }, (_, i) => [`k${i}`, 1]));
    const res = await request(stack.app)
      .post('/api/cases/search')
      .set(stack.users['demo-police-officer']!.headers)
      .send({ name: 'Words Example', ...body })
      .expect(422);
    expect((res.body as Refusal).errors).toEqual([
      {
        field: '(root)',
        message: '6,000 unknown fields (their names are not repeated: they may be text about a person)',
      },
    ]);
    expect(res.text.length).toBeLessThan(2000);
    // Typos of a field it takes (`namaa`, `namab`…, each two edits from `name`): the first 10 named, the others counted.
    const letters = 'abcdefghijklmnopqrstuvwxyz';
    const typos = Object.fromEntries([...letters].flatMap((a) => [...letters].map((b) => [`nam${a}${b}`, 1])));
    const many = await request(stack.app)
      .post('/api/cases/search')
      .set(stack.users['demo-police-officer']!.headers)
      .send({ name: 'Words Example', ...typos })
      .expect(422);
    const { errors } = many.body as Refusal;
    expect(errors).toHaveLength(11);
    expect(errors!.slice(0, 10).every((error) => error.message === 'unknown field' && error.field in typos)).toBe(true);
    expect(errors![10]).toEqual({
      field: '(root)',
      message: `and ${(26 * 26 - 10).toLocaleString('en-US')} more unknown fields, not named here: remove every field this API does not take`,
    });
  });

  test('an unknown body field is named only as a typo of a field the route takes; any other reads "an unknown field"', async () => {
    const res = await request(stack.app)
      .post('/api/cases/search')
      .set(stack.users['demo-police-officer']!.headers)
      .send({ name: 'Words Example', nmae: 'x', 'Maria Lopez 1990-01-02': 1, mariaLopez: 2 })
      .expect(422);
    expect((res.body as Refusal).errors).toEqual([
      { field: 'nmae', message: 'unknown field' },
      { field: '(root)', message: '2 unknown fields (their names are not repeated: they may be text about a person)' },
    ]);
    expect(withoutRandomParts(res.text)).not.toMatch(/maria|lopez|1990/i);
    // In a nested object too, at its place: the survivor's, of a case opened.
    const opened = await request(stack.app)
      .post('/api/cases')
      .set(stack.users['demo-police-officer']!.headers)
      .set('Idempotency-Key', randomUUID())
      .send({
        identifiedOn: dateOf(new Date(await stack.env.currentTimeMs()).toISOString()),
        survivor: { name: 'Words Example', birthDate: '1990-04-05', brithDate: '1990-04-05', 'Ana Zeta': 1 },
        agencies: DEMO_AGENCIES,
      })
      .expect(422);
    expect((opened.body as Refusal).errors).toEqual([
      { field: 'survivor.brithDate', message: 'unknown field' },
      { field: 'survivor', message: 'an unknown field (its name is not repeated: it may be text about a person)' },
    ]);
    expect(opened.text).not.toMatch(/Ana|Zeta/);
  });

  test("a sign-off's unknown details key is named only as a typo of a field its outcome takes, and nothing is signed", async () => {
    const police = stack.users['demo-police-officer']!.headers;
    const requestedOn = dateOf(new Date(await stack.env.currentTimeMs()).toISOString());
    const signOff = (path: string, details: Record<string, unknown>) =>
      request(stack.app)
        .post(`/api/cases/${caseId}/steps/cp_request-1/${path}`)
        .set(police)
        .set('Idempotency-Key', randomUUID())
        .send({ outcome: 'requested', details: { requestedOn, ...details } })
        .expect(422);
    // A key that is someone's name and birth date: it used to come back as the field and in the message.
    for (const path of ['sign-off', 'sign-off/preview']) {
      const res = await signOff(path, { 'Maria Lopez 1990-01-02': 'A123456789' });
      expect(res.body).toMatchObject({
        code: 'invalid_details',
        errors: [
          { field: 'details', message: 'an unknown field (its name is not repeated: it may be text about a person)' },
        ],
      });
      expect(withoutRandomParts(res.text)).not.toMatch(/maria|lopez|1990|123456789/i);
    }
    // A typo of a field the outcome takes is named, as a body's is.
    const typo = await signOff('sign-off', { requestedOnn: requestedOn });
    expect((typo.body as Refusal).errors).toEqual([{ field: 'details.requestedOnn', message: 'unknown field' }]);
    // Nothing was signed: the step is still pending.
    const read = await request(stack.app).get(`/api/cases/${caseId}`).set(police).expect(200);
    const { steps } = read.body as { steps: { id: string; status: string }[] };
    expect(steps.find((step) => step.id === 'cp_request-1')?.status).toBe('pending');
  });

  test('a field of the wrong type is told its type alone, a whole number its fraction, and a huge one its own bound', async () => {
    const refusal = async (call: request.Test) => ((await call.expect(422)).body as Refusal).errors;
    const police = stack.users['demo-police-officer']!.headers;
    // A list sent as text was also "must have at most 6 characters"; a name sent as a list "must not be empty".
    expect(
      await refusal(
        request(stack.app)
          .post('/api/users')
          .set(stack.users['demo-system-admin']!.headers)
          .set('Idempotency-Key', randomUUID())
          .send({ username: 'words-roles', displayName: 'Words', agencyId: 'demo-police', roles: 'agency_officer' }),
      ),
    ).toEqual([{ field: 'roles', message: 'must be a list, not text' }]);
    expect(await refusal(request(stack.app).post('/api/cases/search').set(police).send({ name: [] }))).toEqual([
      { field: 'name', message: 'must be text, not a list' },
    ]);
    const correct = (expectedCorrections: number) =>
      request(stack.app)
        .post(`/api/cases/${caseId}/survivor`)
        .set(police)
        .set('Idempotency-Key', randomUUID())
        .send({ contact: 'words', expectedCorrections });
    // 1.5 read "must be a whole number, not a number"; 1e20 was also "must be at most 9007199254740991".
    expect(await refusal(correct(1.5))).toEqual([
      { field: 'expectedCorrections', message: 'must be a whole number, not a fraction' },
    ]);
    expect(await refusal(correct(1e20))).toEqual([
      { field: 'expectedCorrections', message: 'must be at most 1000000' },
    ]);
  });

  test('a list parameter, repeated for each value, is never told to be sent once; a single one sent twice is', async () => {
    const refusal = async (query: string) =>
      (
        (await request(stack.app).get(`/api/steps?${query}`).set(stack.users['demo-coordinator']!.headers).expect(400))
          .body as Refusal
      ).errors;
    const moved = (n: number) => Array.from({ length: n }, () => 'dueAfterExcept=2026-12-01T05:00:00Z').join('&');
    // These read "sent twice: send it once (is only taken with dueAfter)" and "sent 21 times: send it once (…)".
    expect(await refusal(moved(2))).toEqual([{ field: 'dueAfterExcept', message: 'is only taken with dueAfter' }]);
    expect(await refusal(`dueAfter=2026-12-01&${moved(21)}`)).toEqual([
      { field: 'dueAfterExcept', message: 'must have at most 20 items' },
    ]);
    expect(await refusal('limit=5&limit=6')).toEqual([
      { field: 'limit', message: 'sent twice: send it once (expected a whole number from 1 to 200)' },
    ]);
  });

  test("an instant's offset typed into a URL as +01:00, which the query reads as a space, is told how to send it", async () => {
    // As an integrator's script or curl writes it: `+` unencoded, read by every query parser as a space.
    const said = "the + of its offset came as a space, as a URL's query reads a +: send it as %2B";
    const asked = [
      ['demo-coordinator', '/api/cases?openedFrom=2026-12-01T08:00:00+01:00', 'openedFrom'],
      ['demo-coordinator', '/api/steps?dueBefore=2026-12-01T08:00:00.000+05:30', 'dueBefore'],
      [
        'demo-coordinator',
        '/api/steps?dueAfter=2026-12-01&dueAfterExcept=2026-12-01T08:00:00+01:00',
        'dueAfterExcept.0',
      ],
      ['demo-supervisor', '/api/audit?from=2026-12-01T08:00:00+00:00', 'from'],
    ] as const;
    for (const [user, url, field] of asked) {
      const res = await request(stack.app).get(url).set(stack.users[user]!.headers);
      const errors = (res.body as Refusal).errors ?? [];
      expect([url, res.status, errors.map((e) => e.field)]).toEqual([url, 400, [field]]);
      expect(errors[0]!.message).toContain(said);
    }
    // Sent as it says, each is taken; a bound that is wrong otherwise is not told of a +.
    for (const [user, url] of asked)
      await request(stack.app).get(url.replace('+', '%2B')).set(stack.users[user]!.headers).expect(200);
    const other = await request(stack.app)
      .get('/api/cases?openedFrom=2026-12-01T08:00:00')
      .set(stack.users['demo-coordinator']!.headers)
      .expect(400);
    expect((other.body as Refusal).errors![0]!.message).not.toContain('%2B');
  });

  /** zod's own wording, which says what the validator met, not what the field must be. */
  const ZOD_WORDING =
    /Invalid input|Invalid option|Invalid (string|email|url|uuid|date|ISO|element|key)|expected \w+, received|Too (small|big)|[<>]=|Unrecognized key|Invalid value/i;

  interface Operation {
    parameters: { name: string; in: string }[];
    requestBody?: { content: Record<string, unknown> };
  }

  test('every refusal of an empty, wrong-shaped or missing body, or an empty query value, names the field in words', async () => {
    const document = (await request(stack.app).get('/api/openapi.json').expect(200)).body as {
      paths: Record<string, Record<string, Operation>>;
    };
    const pathValues: Record<string, string> = {
      caseId,
      stepId: 'cp_request-1',
      userId: stack.users['demo-police-officer']!.user.id,
      documentId: randomUUID(),
      agencyId: 'demo-police',
      tokenId: 'a'.repeat(16),
      feedId: 'a'.repeat(16),
      secret: 'x',
    };
    // Tried in turn until one is let in: the body and query are read only after the caller may call the route.
    const callers = ['demo-police-officer', 'demo-system-admin', 'demo-supervisor', 'demo-admin', 'demo-coordinator'];
    // A step's details are read by the case's rules, past the route's schema.
    const stepBodies = [
      '{"outcome":"requested"}',
      '{"outcome":"requested","details":{}}',
      '{"outcome":"requested","details":[]}',
    ];
    const asked: string[] = [];
    const inWords: { at: string; field: string; message: string }[] = [];
    const send = async (method: string, path: string, body: string | undefined) => {
      let last: request.Response | undefined;
      for (const caller of callers) {
        await stack.resetRateLimits();
        const agent = request(stack.app);
        let call = agent[method as 'post'](path).set(stack.users[caller]!.headers).set('Idempotency-Key', randomUUID());
        if (body !== undefined) call = call.set('Content-Type', 'application/json').send(body);
        last = await call;
        if (last.status !== 401 && last.status !== 403) break;
      }
      return last!;
    };
    for (const [template, byMethod] of Object.entries(document.paths)) {
      const path = template.replace(/\{(\w+)\}/g, (_m, name: string) => pathValues[name] ?? 'x');
      for (const [method, operation] of Object.entries(byMethod)) {
        const sends: { at: string; url: string; body?: string }[] = [];
        if (operation.requestBody?.content['application/json'])
          for (const body of ['{}', '[]', 'null', ...(template.includes('{stepId}') ? stepBodies : [])])
            sends.push({ at: `${method} ${template} ${body}`, url: path, body });
        for (const { name } of operation.parameters.filter((parameter) => parameter.in === 'query'))
          sends.push({ at: `${method} ${template}?${name}=`, url: `${path}?${name}=` });
        for (const { at, url, body } of sends) {
          const res = await send(method, url, body);
          asked.push(at);
          if (res.status < 400) continue;
          const refusal = res.body as Refusal;
          for (const { field, message } of refusal.errors ?? []) inWords.push({ at, field, message });
          if (refusal.detail) inWords.push({ at, field: '(detail)', message: refusal.detail });
        }
      }
    }
    expect(asked.length).toBeGreaterThan(60);
    expect(inWords.filter(({ message }) => ZOD_WORDING.test(message))).toEqual([]);
  });

  test('`{}` or `[]` as the body of a case opening, and an empty cursor, are refused naming each field in words', async () => {
    const police = stack.users['demo-police-officer']!.headers;
    const refusal = async (call: request.Test) => {
      const res = await call;
      return { status: res.status, errors: (res.body as Refusal).errors };
    };
    const open = (body: string) =>
      request(stack.app)
        .post('/api/cases')
        .set(police)
        .set('Idempotency-Key', randomUUID())
        .set('Content-Type', 'application/json')
        .send(body);
    expect(await refusal(open('{}'))).toEqual({
      status: 422,
      errors: [
        { field: 'survivor', message: 'is required' },
        { field: 'agencies', message: 'is required' },
      ],
    });
    expect(await refusal(open('[]'))).toEqual({
      status: 422,
      errors: [{ field: '(root)', message: 'must be an object, not a list' }],
    });
    expect(await refusal(request(stack.app).get('/api/cases?cursor=').set(police))).toEqual({
      status: 400,
      errors: [{ field: 'cursor', message: 'must not be empty' }],
    });
    expect(await refusal(request(stack.app).get('/api/cases?status=').set(police))).toEqual({
      status: 400,
      errors: [{ field: 'status', message: 'must be one of open, closed, withdrawn' }],
    });
  });
});
