/**
 * No answer tells an officer whether a case of other agencies exists: on every route of a case and every console page
 * of one, an officer of an agency that takes no part in the case gets, for its id, byte for byte the answer an id no
 * case has gets (status, headers, body; the request id and the page's CSRF token aside), and both refusals are audited
 * alike. Before, the one was 403 `not_a_participant` and the other 404 `case_not_found` ("No case <id>."), so a case
 * id alone said whether a case exists (outside probe of session 53).
 */
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { createCaseReads } from '../../../app/case-reads';
import { wallClock } from '../../../core/clock';
import { DEMO_AGENCIES } from '../../../db/seed';
import type { Actor } from '../../../domain/types';
import { SESSION_COOKIE } from '../../../web/session';
import { createOutsider, type TestUser } from '../../support/auth';
import { consoleStackPerFile } from '../../support/console';
import { planNodes, planOfRead } from '../../support/query-plans';
import { withoutRandomParts } from '../../support/scan';

describe('case-existence', () => {
  const service = consoleStackPerFile();
  let outsider: TestUser;
  let caseId: string;
  /** An id no case has. */
  const missing = randomUUID();
  const documentId = randomUUID();

  beforeAll(async () => {
    const { stack } = service;
    outsider = await createOutsider(stack.pool, {
      law_enforcement: 'outside-police',
      ice: 'outside-ice',
      hhs: 'outside-hhs',
      advocate: 'outside-advocates',
      coordinator: 'outside-task-force',
    });
    const opened = await request(stack.app)
      .post('/api/cases')
      .set(stack.as('law_enforcement'))
      .set('Idempotency-Key', `case-existence-${process.pid}`)
      .send({
        survivor: { name: 'Existence Test', birthDate: '1990-01-01' },
        agencies: DEMO_AGENCIES,
        identifiedOn: '2026-11-02',
        reference: 'PD-2026-0417',
      })
      .expect(201);
    caseId = (opened.body as { caseId: string }).caseId;
  });
  // Each refusal is a refused read, counted (30 a minute): the count starts again for each test.
  beforeEach(() => service.stack.resetRateLimits());

  /** Every route of a case, by its OpenAPI path, with a body it takes (so the request reaches the case). */
  const ROUTES: Record<string, { body?: object; upload?: true }> = {
    'get /api/cases/{caseId}': {},
    'get /api/cases/{caseId}/reminders': {},
    'get /api/cases/{caseId}/survivor': {},
    'post /api/cases/{caseId}/survivor': { body: { name: 'Other Name' } },
    'put /api/cases/{caseId}/survivor': { body: { name: 'Other Name', birthDate: '1990-01-01' } },
    'get /api/cases/{caseId}/survivor/revisions': {},
    'post /api/cases/{caseId}/steps/{stepId}/sign-off': {
      body: { outcome: 'requested', details: { requestedOn: '2026-11-03' } },
    },
    'post /api/cases/{caseId}/steps/{stepId}/sign-off/preview': {
      body: { outcome: 'requested', details: { requestedOn: '2026-11-03' } },
    },
    'post /api/cases/{caseId}/steps/{stepId}/corrections': {
      body: { outcome: 'requested', details: { requestedOn: '2026-11-03' }, reason: 'typo' },
    },
    'post /api/cases/{caseId}/steps/{stepId}/corrections/preview': {
      body: { outcome: 'requested', details: { requestedOn: '2026-11-03' }, reason: 'typo' },
    },
    'post /api/cases/{caseId}/close': { body: { status: 'closed', reason: 'relief_obtained' } },
    'post /api/cases/{caseId}/transfers': {
      body: { agencyKind: 'law_enforcement', toAgencyId: 'outside-police', reason: 'referred' },
    },
    'post /api/cases/{caseId}/ask-again': { body: { stepKind: 'cp_request' } },
    'get /api/cases/{caseId}/steps/{stepId}/documents': {},
    'post /api/cases/{caseId}/steps/{stepId}/documents': { upload: true },
    'get /api/cases/{caseId}/documents': {},
    'get /api/cases/{caseId}/documents/{documentId}': {},
    'post /api/cases/{caseId}/documents/{documentId}/remove': { body: { reason: 'wrong_case' } },
  };

  /** Headers that differ between two answers to the same request: its id, the clock, a counter's remaining count. */
  const RANDOM_HEADERS = new Set(['x-request-id', 'date', 'etag', 'ratelimit', 'set-cookie']);

  /** An answer as text, its random parts put aside (ids, the request's and the case's; a form's CSRF token). */
  function answerOf(res: request.Response): string {
    const headers = Object.entries(res.headers)
      .filter(([name]) => !RANDOM_HEADERS.has(name))
      .map(([name, value]) => `${name}: ${String(value)}`)
      .sort();
    const body = res.text.replace(/name="_csrf" value="[^"]+"/g, 'name="_csrf" value="<csrf>"');
    return withoutRandomParts([res.status, ...headers, '', body].join('\n'));
  }

  const pathOf = (route: string, id: string) =>
    route
      .replace(/^\w+ /, '')
      .replace('{caseId}', id)
      .replace('{stepId}', 'cp_request-1')
      .replace('{documentId}', documentId);

  async function ask(route: string, id: string): Promise<request.Response> {
    const method = route.split(' ')[0] as 'get' | 'post' | 'put';
    const { body, upload } = ROUTES[route]!;
    const sent = request(service.stack.app)[method](pathOf(route, id)).set(outsider.headers);
    if (method === 'get') return sent;
    sent.set('Idempotency-Key', randomUUID());
    if (upload) return sent.attach('file', Buffer.from('%PDF-1.4\nexistence\n'), { filename: 'letter.pdf' });
    return sent.send(body);
  }

  test('the routes listed here are every route of a case', async () => {
    const spec = (await request(service.stack.app).get('/api/openapi.json').expect(200)).body as {
      paths: Record<string, Record<string, unknown>>;
    };
    const ofACase = Object.entries(spec.paths)
      .filter(([path]) => path.includes('{caseId}'))
      .flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method} ${path}`));
    expect(ofACase.sort()).toEqual(Object.keys(ROUTES).sort());
  });

  test.each(Object.keys(ROUTES))(
    '%s: a case of other agencies is answered as an id no case has, 403 not_a_participant',
    async (route) => {
      const [theirs, none] = [await ask(route, caseId), await ask(route, missing)];
      expect(answerOf(theirs)).toEqual(answerOf(none));
      expect([none.status, (none.body as { code?: string }).code]).toEqual([403, 'not_a_participant']);
      // In words a person who mistyped an id can act on.
      expect((none.body as { detail?: string }).detail).toBe(
        'Your agency takes part in no case with this id, or your role does not see cases: check the id, or the link you followed.',
      );
      // Both refusals audited alike: the same row but for the case id (an investigator still finds the attempt).
      const { rows } = await service.stack.pool.query<{ case_id: string; row: string }>(
        `SELECT case_id, json_build_array(action, outcome, status, detail, user_id)::text AS row FROM audit_events
       WHERE request_id = ANY($1) ORDER BY id`,
        [[theirs.headers['x-request-id'], none.headers['x-request-id']]],
      );
      expect(rows.map((row) => row.case_id)).toEqual([caseId, missing]);
      expect(rows[0]!.row).toBe(rows[1]!.row);
    },
  );

  /**
   * Nor does the time a refusal takes: the case is read whole (its steps, its timeline, each step's signer) only for an
   * agency taking part in it, so refusing a case of other agencies reads one row by its key, as refusing an id no case has
   * does. Before, every case route read the whole case first and refused it after: a script timing 600 requests of each
   * (probe H4, against npm start) measured the refusal of a case with 8 timeline entries 1.0 ms slower at the median
   * (12.6 ms against 11.6 ms), growing with the case. Told here without a clock: by the rows PostgreSQL reads running the
   * statement the refusal sends (EXPLAIN ANALYZE).
   */
  test('a case of other agencies is refused without reading its steps or timeline', async () => {
    /** The rows of steps and timeline entries PostgreSQL reads running the statement that reading the case sends. */
    const rowsReadFor = async (id: string, actor: Actor) => {
      const plan = await planOfRead(
        service.stack.pool,
        // The capture answers no row, so the read refuses whatever it sent: what counts is the statement it sent.
        (capture) =>
          createCaseReads({ pool: capture, now: wallClock })
            .case(id, actor)
            .catch(() => undefined),
        { analyze: true },
      );
      return planNodes(plan)
        .filter((node) => ['case_steps', 'case_timeline'].includes(node['Relation Name'] ?? ''))
        .reduce((sum, node) => sum + (node['Actual Rows'] ?? 0) * (node['Actual Loops'] ?? 0), 0);
    };
    expect(await rowsReadFor(caseId, outsider.actor)).toBe(0);
    expect(await rowsReadFor(missing, outsider.actor)).toBe(0);
    // The same read reads the whole case for an agency taking part in it.
    expect(await rowsReadFor(caseId, service.stack.users['demo-police-officer']!.actor)).toBeGreaterThan(0);
  });

  const PAGES = [
    '/cases/{caseId}',
    '/cases/{caseId}/survivor',
    '/cases/{caseId}/survivor/revisions',
    '/cases/{caseId}/steps/{stepId}',
    '/cases/{caseId}/steps/{stepId}/correct',
    '/cases/{caseId}/steps/{stepId}/documents',
    '/cases/{caseId}/documents/{documentId}',
    '/cases/{caseId}/documents/{documentId}/remove',
    '/cases/{caseId}/close',
    '/cases/{caseId}/transfer',
  ];

  test.each(PAGES)(
    'the console page %s of a case of other agencies reads as one of an id no case has',
    async (page) => {
      const cookie = `${SESSION_COOKIE}=${await service.sealToken(outsider.token)}`;
      const open = (id: string) =>
        request(service.app)
          .get(pathOf(`get ${page}`, id))
          .set('Cookie', cookie);
      const [theirs, none] = [await open(caseId), await open(missing)];
      expect(answerOf(theirs)).toEqual(answerOf(none));
      expect(none.status).toBe(403);
      expect(none.text).toContain('Your agency takes part in no case with this id');
    },
  );
});
