/**
 * Signing in at the agency's OpenID Connect provider, end to end on real parts: the whole service (startStack), the
 * API and the console on a real HTTP listener, and a small identity provider on another (the provider is outside our
 * system, so a test double: discovery, JWKS, an authorize endpoint that signs in a fixed subject at once, and a token
 * endpoint that checks the client secret and PKCE and answers an ID token signed with jose, echoing the nonce).
 * The browser is plain fetch with manual redirects and a small cookie jar.
 *
 * The console's public address is PUBLIC_BASE_URL (https), as in production: its cookies are Secure, and the
 * provider redirects back there; the jar's fetch sends such URLs to the local listener.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { CryptoKey, JWTPayload } from 'jose' with { 'resolution-mode': 'import' };
import request from 'supertest';
import { createApp } from '../../api/app';
import { createServices } from '../../app/services';
import { idTokenVerifier } from '../../api/oidc';
import { ConfigError, loadConfig } from '../../app/config';
import { createConsole } from '../../web/console';
import { OIDC_FLOW_COOKIE } from '../../web/oidc';
import { openSessionCookie, sealSessionToken, SESSION_COOKIE } from '../../web/session';
import { createTestUser, createWorker, TEST_PASSWORD, type TestUser } from '../support/auth';
import { PUBLIC_BASE_URL, startStack, type Stack } from '../support/stack';
import { wallClock } from '../../core/clock';

const CLIENT_ID = 'relief-console-test';
const CLIENT_SECRET = randomBytes(24).toString('base64url');
const CONSOLE_SECRET = randomBytes(32).toString('base64url');
const SUBJECT = 'idp-user-7f3a91';

// ---------------------------------------------------------------------------------------------------------------
// The test identity provider.

interface TestProvider {
  issuer: string;
  /** An ID token as the provider would sign it (or, with `key`, as a forger would). */
  sign(claims: JWTPayload, key?: CryptoKey): Promise<string>;
  stop(): Promise<void>;
}

async function startProvider(): Promise<TestProvider> {
  const jose = await import('jose');
  const { privateKey, publicKey } = await jose.generateKeyPair('RS256');
  const jwk = { ...(await jose.exportJWK(publicKey)), kid: 'test-key-1', alg: 'RS256', use: 'sig' };
  const codes = new Map<string, { nonce: string; challenge: string; redirectUri: string }>();
  const server = createServer();
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const sign = (claims: JWTPayload, key: CryptoKey = privateKey) => {
    const now = Math.floor(Date.now() / 1000);
    const payload = { iss: issuer, aud: CLIENT_ID, sub: SUBJECT, iat: now, exp: now + 300, ...claims };
    return new jose.SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid: 'test-key-1' }).sign(key);
  };

  const json = (res: ServerResponse, status: number, body: unknown) =>
    res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
  const formOf = async (req: IncomingMessage) => {
    let text = '';
    for await (const chunk of req) text += String(chunk);
    return new URLSearchParams(text);
  };

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', issuer);
    void (async () => {
      if (url.pathname === '/.well-known/openid-configuration') {
        return json(res, 200, {
          issuer,
          authorization_endpoint: `${issuer}/authorize`,
          token_endpoint: `${issuer}/token`,
          jwks_uri: `${issuer}/jwks`,
          response_types_supported: ['code'],
          subject_types_supported: ['public'],
          id_token_signing_alg_values_supported: ['RS256'],
          code_challenge_methods_supported: ['S256'],
          token_endpoint_auth_methods_supported: ['client_secret_post'],
        });
      }
      if (url.pathname === '/jwks') return json(res, 200, { keys: [jwk] });
      if (url.pathname === '/authorize') {
        const q = url.searchParams;
        if (
          q.get('client_id') !== CLIENT_ID ||
          q.get('response_type') !== 'code' ||
          q.get('code_challenge_method') !== 'S256' ||
          !q.get('nonce')
        ) {
          return json(res, 400, { error: 'invalid_request' });
        }
        // The person signs in at once as SUBJECT: the provider's own sign-in page is not ours to test.
        const code = randomBytes(16).toString('base64url');
        codes.set(code, {
          nonce: q.get('nonce')!,
          challenge: q.get('code_challenge')!,
          redirectUri: q.get('redirect_uri')!,
        });
        const back = new URL(q.get('redirect_uri')!);
        back.searchParams.set('code', code);
        back.searchParams.set('state', q.get('state') ?? '');
        return res.writeHead(302, { Location: back.href }).end();
      }
      if (url.pathname === '/token' && req.method === 'POST') {
        const form = await formOf(req);
        const grant = codes.get(form.get('code') ?? '');
        codes.delete(form.get('code') ?? '');
        const challenge = createHash('sha256')
          .update(form.get('code_verifier') ?? '')
          .digest('base64url');
        if (form.get('client_id') !== CLIENT_ID || form.get('client_secret') !== CLIENT_SECRET)
          return json(res, 401, { error: 'invalid_client' });
        if (!grant || grant.challenge !== challenge || grant.redirectUri !== form.get('redirect_uri'))
          return json(res, 400, { error: 'invalid_grant' });
        return json(res, 200, {
          access_token: randomBytes(16).toString('base64url'),
          token_type: 'Bearer',
          expires_in: 300,
          id_token: await sign({ nonce: grant.nonce }),
        });
      }
      json(res, 404, { error: 'not_found' });
    })();
  });

  return { issuer, sign, stop: () => new Promise((closed) => server.close(() => closed())) };
}

// ---------------------------------------------------------------------------------------------------------------
// The service, the console, and a browser made of fetch.

let stack: Stack;
let provider: TestProvider;
let server: Server;
let base: string;
let app: ReturnType<typeof createApp>;
let admin: TestUser;
let officer: TestUser;

beforeAll(async () => {
  stack = await startStack();
  provider = await startProvider();
  server = createServer();
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const oidc = { issuerUrl: provider.issuer, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET };
  app = createApp({
    logger: stack.logger,
    ...createServices({
      now: wallClock,
      pool: stack.pool,
      logger: stack.logger,
      verifyIdToken: idTokenVerifier({ issuerUrl: oidc.issuerUrl, clientId: oidc.clientId }),
    }),
    cases: stack.cases,
    ready: async () => ({ ok: true, checks: {} }),
    // Every sign-in of this file comes from 127.0.0.1; the per-address limit is not what is tested here.
    rateLimits: {
      signInPerMinute: 1000,
      writesPerMinute: 1000,
      auditedReadsPerMinute: 1000,
      refusedReadsPerMinute: 1000,
    },
    console: createConsole({ apiUrl: base, publicBaseUrl: PUBLIC_BASE_URL, secret: CONSOLE_SECRET, oidc }),
  });
  server.on('request', app);
  // Links identities of users of several agencies: a system administrator's (an agency's admin links its own).
  admin = stack.users['demo-system-admin']!;
  officer = stack.users['demo-police-officer']!;
});

// The sign-in limit is counted in the database, shared by this file's apps: each test starts with none used.
beforeEach(() => stack.resetRateLimits());
afterAll(async () => {
  await new Promise((closed) => (server ? server.close(closed) : closed(undefined)));
  await provider?.stop();
  await stack?.stop();
});

/** One browser: its cookies for the console, and every Set-Cookie line the console sent it. */
class Browser {
  readonly cookies = new Map<string, string>();
  readonly setCookies: string[] = [];

  /** A request with no redirect followed; the console's public URLs go to the local listener. */
  async go(url: string): Promise<Response> {
    const target = new URL(url, PUBLIC_BASE_URL);
    const toConsole = target.origin === PUBLIC_BASE_URL;
    const local = toConsole ? new URL(`${target.pathname}${target.search}`, base) : target;
    const cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    const response = await fetch(local, { redirect: 'manual', headers: toConsole && cookie ? { Cookie: cookie } : {} });
    if (toConsole) {
      for (const line of response.headers.getSetCookie()) {
        this.setCookies.push(line);
        const [pair = ''] = line.split(';');
        const [name = '', value = ''] = pair.split('=');
        if (/expires=Thu, 01 Jan 1970/i.test(line)) this.cookies.delete(name);
        else this.cookies.set(name, value);
      }
    }
    return response;
  }

  /**
   * From the console's sign-in button to the provider and back: the provider's redirect to the callback. The sign-in
   * page is the one `signIn` leads to (an address opened signed out leads to it with the page to come back to).
   */
  async toProviderAndBack(signIn = '/sign-in'): Promise<URL> {
    const page = await (await this.go(signIn)).text();
    expect(page).toContain("Sign in with your agency's identity provider");
    const button = /<a class="button" href="([^"]+)">Sign in with your agency's identity provider/.exec(page)![1]!;
    const start = await this.go(button.replace(/&amp;/g, '&'));
    expect(start.status).toBe(303);
    const authorize = new URL(start.headers.get('location')!);
    expect(authorize.origin).toBe(provider.issuer);
    const answer = await this.go(authorize.href);
    expect(answer.status).toBe(302);
    return new URL(answer.headers.get('location')!);
  }
}

/** A nonce the API issued, as the console asks for one when a sign-in starts. */
const issuedNonce = async () =>
  ((await request(app).post('/api/auth/oidc/nonce').expect(201)).body as { nonce: string }).nonce;

const codeOf = (answer: { body: unknown }) => (answer.body as { code?: string }).code;
const userIdOf = (answer: { body: unknown }) => (answer.body as { user: { id: string } }).user.id;

const auditRows = async (detail: string) =>
  (
    await stack.pool.query<{ outcome: string; user_id: string | null }>(
      `SELECT outcome, user_id FROM audit_events WHERE action = 'auth.sign_in' AND detail = $1`,
      [detail],
    )
  ).rows;

// ---------------------------------------------------------------------------------------------------------------

test('the flow asks the provider for a code with PKCE, state and nonce, keeping them in a sealed cookie for 10 minutes', async () => {
  const browser = new Browser();
  await browser.go('/sign-in');
  const start = await browser.go('/sign-in/oidc');
  const authorize = new URL(start.headers.get('location')!);
  const sent = Object.fromEntries(authorize.searchParams);
  expect(sent).toMatchObject({
    client_id: CLIENT_ID,
    response_type: 'code',
    redirect_uri: `${PUBLIC_BASE_URL}/sign-in/oidc/callback`,
    scope: 'openid',
    code_challenge_method: 'S256',
  });
  expect(Object.keys(sent).sort()).toEqual([
    'client_id',
    'code_challenge',
    'code_challenge_method',
    'nonce',
    'redirect_uri',
    'response_type',
    'scope',
    'state',
  ]);
  expect(sent.state).toMatch(/^[A-Za-z0-9_-]{20,}$/);
  expect(sent.nonce).toMatch(/^[A-Za-z0-9_-]{20,}$/);
  expect(sent.code_challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
  const flowCookie = browser.setCookies.find((line) => line.startsWith(`${OIDC_FLOW_COOKIE}=`))!;
  expect(flowCookie).toMatch(/; Max-Age=600;/);
  expect(flowCookie).toMatch(/; Path=\/sign-in\/oidc;/);
  expect(flowCookie).toMatch(/; HttpOnly/);
  expect(flowCookie).toMatch(/; Secure/);
  expect(flowCookie).toMatch(/; SameSite=Lax/);
  // Sealed: neither the state nor the nonce can be read from it.
  const sealed = Buffer.from(browser.cookies.get(OIDC_FLOW_COOKIE)!, 'base64url').toString('latin1');
  expect(sealed).not.toContain(authorize.searchParams.get('state'));
  expect(sealed).not.toContain(authorize.searchParams.get('nonce'));
});

test('an unlinked identity is refused with what to ask an admin; once an admin links it, the flow signs the user in', async () => {
  const before = await auditRows('oidc; identity_not_linked');
  const stranger = new Browser();
  const refused = await stranger.go((await stranger.toProviderAndBack()).href);
  expect(refused.status).toBe(401);
  const page = await refused.text();
  expect(page).toContain('not linked to a user of this service');
  expect(page).toContain(`Ask an admin to link issuer ${provider.issuer} and subject ${SUBJECT}`);
  expect(stranger.cookies.has(SESSION_COOKIE)).toBe(false);
  expect(await auditRows('oidc; identity_not_linked')).toHaveLength(before.length + 1);

  // Linking is an admin's: anyone else is refused (and the refusal audited), the admin's link answers 201.
  const identity = { issuer: provider.issuer, subject: SUBJECT };
  await request(app).post(`/api/users/${officer.user.id}/identities`).set(officer.headers).send(identity).expect(403);
  const linked = await request(app)
    .post(`/api/users/${officer.user.id}/identities`)
    .set(admin.headers)
    .send(identity)
    .expect(201);
  expect(linked.body).toMatchObject({ ...identity, userId: officer.user.id });
  await request(app).post(`/api/users/${officer.user.id}/identities`).set(admin.headers).send(identity).expect(201);
  const taken = await request(app)
    .post(`/api/users/${admin.user.id}/identities`)
    .set(admin.headers)
    .send(identity)
    .expect(409);
  expect(codeOf(taken)).toBe('identity_taken');
  const listed = await request(app).get(`/api/users/${officer.user.id}/identities`).set(admin.headers).expect(200);
  expect((listed.body as { items: unknown[] }).items).toEqual([expect.objectContaining(identity)]);
  const linkAudit = await stack.pool.query<{ outcome: string }>(
    `SELECT outcome FROM audit_events WHERE action = 'user.link_identity' ORDER BY id`,
  );
  expect(linkAudit.rows.map((row) => row.outcome)).toEqual(['denied', 'allowed', 'allowed', 'rejected']);

  const browser = new Browser();
  const landed = await browser.go((await browser.toProviderAndBack()).href);
  expect(landed.status).toBe(303);
  expect(landed.headers.get('location')).toBe('/');
  const sessionCookie = browser.setCookies.find((line) => line.startsWith(`${SESSION_COOKIE}=`))!;
  // The API token sealed, never the token itself: the cookie goes to every service on the console's host name.
  expect(sessionCookie).toMatch(/^rc_session=[A-Za-z0-9_.-]+; /);
  expect(sessionCookie).not.toMatch(/rc_[a-z0-9]{16}_/);
  expect(sessionCookie).toMatch(/; Path=\/;/);
  expect(sessionCookie).toMatch(/; HttpOnly/);
  expect(sessionCookie).toMatch(/; Secure/);
  expect(sessionCookie).toMatch(/; SameSite=Lax/);
  expect(browser.cookies.has(OIDC_FLOW_COOKIE)).toBe(false);

  const home = await browser.go('/');
  expect(home.status).toBe(200);
  expect(await home.text()).toContain(officer.user.displayName);
  await request(app)
    .get('/api/me')
    .set('Authorization', `Bearer ${browser.cookies.get(SESSION_COOKIE)}`)
    .expect(401);
  const token = await openSessionCookie(CONSOLE_SECRET, browser.cookies.get(SESSION_COOKIE));
  const me = await request(app).get('/api/me').set('Authorization', `Bearer ${token}`).expect(200);
  expect(userIdOf(me)).toBe(officer.user.id);
  expect((await auditRows('oidc')).map((row) => row.user_id)).toEqual([officer.user.id]);

  // A flow answers once: the same callback again (a reload, a replay) does not sign in twice.
  const again = new Browser();
  const callback = await again.toProviderAndBack();
  expect((await again.go(callback.href)).status).toBe(303);
  again.cookies.delete(SESSION_COOKIE);
  const replayed = await again.go(callback.href);
  expect(replayed.status).toBe(400);
  expect(again.cookies.has(SESSION_COOKIE)).toBe(false);
});

test('a form kept as its session ended comes back after signing in at the provider, not the home page', async () => {
  // Linked by the test above: the officer signs in with their identity.
  const browser = new Browser();
  const live = await sealSessionToken(CONSOLE_SECRET, officer.token, new Date(Date.now() + 3600_000), officer.user.id);
  browser.cookies.set(SESSION_COOKIE, live);
  const page = await (await browser.go('/cases/new')).text();
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page)![1]!;
  const idempotencyKey = /name="idempotencyKey" value="([^"]+)"/.exec(page)![1]!;
  // The same session, its time passed as the form was being filled in.
  const lapsed = await sealSessionToken(CONSOLE_SECRET, officer.token, new Date(Date.now() - 60_000), officer.user.id);
  browser.cookies.set(SESSION_COOKIE, lapsed);
  const cookie = [...browser.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  const sent = await request(app)
    .post('/cases')
    .set('Cookie', cookie)
    .set('Origin', PUBLIC_BASE_URL)
    .type('form')
    .send({ _csrf: csrf, idempotencyKey, identifiedOn: '2026-11-03', reference: 'KEPT-OIDC' })
    .expect(303);
  expect(sent.headers.location).toBe('/sign-in?notice=kept&next=%2Fcases%2Fnew');
  const kept = (sent.headers['set-cookie'] as unknown as string[]).find((line) => line.startsWith('rc_kept='))!;
  browser.cookies.set('rc_kept', kept.split(';')[0]!.slice('rc_kept='.length));

  const landed = await browser.go((await browser.toProviderAndBack()).href);
  expect(landed.status).toBe(303);
  expect(landed.headers.get('location')).toBe('/cases/new');
  const form = await (await browser.go('/cases/new')).text();
  expect(form).toContain('value="KEPT-OIDC"');
  expect(form).toContain('Your session had ended, so nothing was sent.');
});

test('a bookmarked or emailed case address opened signed out comes back there after signing in at the provider', async () => {
  // Linked by the tests above: the officer signs in with their identity.
  const browser = new Browser();
  const casePage = `/cases/${crypto.randomUUID()}`;
  const asked = await browser.go(casePage);
  expect(asked.status).toBe(303);
  const signIn = asked.headers.get('location')!;
  expect(signIn).toBe(`/sign-in?next=${encodeURIComponent(casePage)}`);
  const callback = await browser.toProviderAndBack(signIn);
  // The page to come back to stays with the console (sealed in the flow's cookie), never told to the provider.
  expect(callback.href).not.toContain(casePage.slice('/cases/'.length));
  const landed = await browser.go(callback.href);
  expect(landed.status).toBe(303);
  expect(landed.headers.get('location')).toBe(casePage);

  // Only to the console's own pages: another site's address given as the page to come back to is dropped.
  const elsewhere = new Browser();
  const led = await elsewhere.go((await elsewhere.toProviderAndBack('/sign-in?next=%2F%2Fevil.example%2F')).href);
  expect(led.headers.get('location')).toBe('/');
  const straight = await elsewhere.go('/sign-in/oidc?next=https%3A%2F%2Fevil.example%2F');
  const back = await elsewhere.go((await elsewhere.go(straight.headers.get('location')!)).headers.get('location')!);
  expect(back.headers.get('location')).toBe('/');
});

test('POST /api/auth/oidc/session verifies the ID token itself: forged, altered, for another client, expired → 401', async () => {
  const jose = await import('jose');
  const session = (idToken: string) => request(app).post('/api/auth/oidc/session').send({ idToken });
  const linkedSubject = await provider.sign({ nonce: await issuedNonce() });
  // The identity is linked (previous test, or here when run alone): a genuine token is accepted.
  await request(app)
    .post(`/api/users/${officer.user.id}/identities`)
    .set(admin.headers)
    .send({ issuer: provider.issuer, subject: SUBJECT })
    .expect(201);
  expect(userIdOf(await session(linkedSubject).expect(201))).toBe(officer.user.id);

  const forger = await jose.generateKeyPair('RS256');
  const [header, payload, signature] = linkedSubject.split('.') as [string, string, string];
  const altered = `${header}.${Buffer.from(JSON.stringify({ ...jose.decodeJwt(linkedSubject), sub: 'someone-else' })).toString('base64url')}.${signature}`;
  const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${payload}.`;
  const refusals = {
    forged: await session(await provider.sign({}, forger.privateKey)),
    altered: await session(altered),
    wrongAudience: await session(await provider.sign({ aud: 'another-client' })),
    wrongIssuer: await session(await provider.sign({ iss: 'https://idp.example.org' })),
    expired: await session(
      await provider.sign({ exp: Math.floor(Date.now() / 1000) - 3600, iat: Math.floor(Date.now() / 1000) - 7200 }),
    ),
  };
  for (const [what, answer] of Object.entries(refusals)) {
    expect({ what, status: answer.status, code: codeOf(answer) }).toEqual({
      what,
      status: 401,
      code: 'invalid_id_token',
    });
    expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
  }
  expect((await session(unsigned)).status).toBe(422); // not even a signed JWT: refused by the schema
  expect(await auditRows('oidc; invalid_id_token')).toHaveLength(Object.keys(refusals).length);
});

test('POST /api/auth/oidc/session opens a session only for a sign-in the API started: its nonce, once', async () => {
  const session = async (claims: JWTPayload) =>
    request(app)
      .post('/api/auth/oidc/session')
      .send({ idToken: await provider.sign(claims) });
  await request(app)
    .post(`/api/users/${officer.user.id}/identities`)
    .set(admin.headers)
    .send({ issuer: provider.issuer, subject: SUBJECT })
    .expect(201);
  const before = await auditRows('oidc; nonce_not_issued');
  // Genuine tokens of the provider, for the linked user: signature, issuer, audience and age are all good.
  const refusals = {
    noNonce: await session({}),
    // The nonce of a sign-in started by someone else (another relying party, or a script talking to the provider).
    nonceNotIssued: await session({ nonce: randomBytes(32).toString('base64url') }),
  };
  for (const [what, answer] of Object.entries(refusals)) {
    expect({ what, status: answer.status, code: codeOf(answer) }).toEqual({
      what,
      status: 401,
      code: 'nonce_not_issued',
    });
  }
  const nonce = await issuedNonce();
  const token = await provider.sign({ nonce });
  expect(userIdOf(await request(app).post('/api/auth/oidc/session').send({ idToken: token }).expect(201))).toBe(
    officer.user.id,
  );
  // The same token again (copied from a log, a proxy, a browser history): its sign-in is over.
  const replayed = await request(app).post('/api/auth/oidc/session').send({ idToken: token });
  expect([replayed.status, codeOf(replayed)]).toEqual([401, 'nonce_not_issued']);
  expect(await auditRows('oidc; nonce_not_issued')).toHaveLength(before.length + 3);
  // Only a hash of the nonce is stored.
  const stored = await stack.pool.query<{ row: string }>('SELECT row_to_json(n)::text AS row FROM oidc_nonces n');
  for (const { row } of stored.rows) expect(row).not.toContain(nonce);
});

test('a disabled user cannot sign in with their identity', async () => {
  const advocate = await createWorker(stack.pool, 'demo-advocates', 'advocate');
  const subject = 'idp-user-disabled';
  await request(app)
    .post(`/api/users/${advocate.user.id}/identities`)
    .set(admin.headers)
    .send({ issuer: provider.issuer, subject })
    .expect(201);
  await request(app).post(`/api/users/${advocate.user.id}/disable`).set(admin.headers).expect(200);
  const answer = await request(app)
    .post('/api/auth/oidc/session')
    .send({ idToken: await provider.sign({ sub: subject, nonce: await issuedNonce() }) });
  expect([answer.status, codeOf(answer)]).toEqual([401, 'user_disabled']);

  // Nor is an identity linked to them once they are disabled: it would sign nobody in, and be taken for the person's
  // new user (probe H6 linked one through the API).
  const refused = await request(app)
    .post(`/api/users/${advocate.user.id}/identities`)
    .set(admin.headers)
    .send({ issuer: provider.issuer, subject: 'idp-user-disabled-later' });
  expect([refused.status, codeOf(refused)]).toEqual([409, 'user_disabled']);
  expect((refused.body as { detail: string }).detail).toBe(
    'This user is disabled: an identity linked to them signs nobody in. Link it to the user the person signs in as now, or enable this one first.',
  );
  const linked = await request(app).get(`/api/users/${advocate.user.id}/identities`).set(admin.headers).expect(200);
  expect((linked.body as { items: { subject: string }[] }).items.map((item) => item.subject)).toEqual([subject]);
});

test('a person who moved to another agency signs in with their identity as their new user once an admin unlinked it from the old one', async () => {
  const person = { password: TEST_PASSWORD, displayName: 'Sam Mover' };
  const old = await createTestUser(stack.pool, {
    ...person,
    username: 'sam.mover',
    agencyId: 'demo-advocates',
    roles: ['advocate'],
  });
  const moved = await createTestUser(stack.pool, {
    ...person,
    username: 'sam.mover.police',
    agencyId: 'demo-police',
    roles: ['agency_officer'],
  });
  const identity = { issuer: provider.issuer, subject: 'idp-user-moved' };
  const signIn = async () =>
    request(app)
      .post('/api/auth/oidc/session')
      .send({ idToken: await provider.sign({ sub: identity.subject, nonce: await issuedNonce() }) });
  await request(app).post(`/api/users/${old.user.id}/identities`).set(admin.headers).send(identity).expect(201);
  // They leave the advocates: their user there is disabled, and a user of the police made for them.
  await request(app).post(`/api/users/${old.user.id}/disable`).set(admin.headers).expect(200);
  const taken = await request(app).post(`/api/users/${moved.user.id}/identities`).set(admin.headers).send(identity);
  expect([taken.status, codeOf(taken)]).toEqual([409, 'identity_taken']);
  // Said with what to do: the new agency's admin can neither see nor unlink the user it stayed with (probe H6).
  const refusal = taken.body as { detail: string; errors: { field: string; message: string }[] };
  expect(refusal.detail).toBe(
    'This identity is linked to another user: an admin of that user unlinks it first (for someone who moved from another agency, an admin there or a system administrator), then link it here.',
  );
  expect(refusal.errors).toEqual([
    {
      field: 'subject',
      message:
        'linked to another user: an admin of that user unlinks it first (for someone who moved from another agency, an admin there or a system administrator), then link it here',
    },
  ]);

  // Only who administers the old user unlinks it; a link it does not have is 404.
  const unlink = (userId: string, who: { headers: Record<string, string> }, body = identity) =>
    request(app).post(`/api/users/${userId}/identities/unlink`).set(who.headers).send(body);
  expect((await unlink(old.user.id, officer)).status).toBe(403);
  const unlinked = await unlink(old.user.id, admin).expect(200);
  expect(unlinked.body).toMatchObject({ ...identity, userId: old.user.id });
  const again = await unlink(old.user.id, admin);
  expect([again.status, codeOf(again)]).toEqual([404, 'identity_not_found']);
  expect((await unlink(moved.user.id, admin, { ...identity, subject: 'never-linked' })).status).toBe(404);
  await request(app).get(`/api/users/${old.user.id}/identities`).set(admin.headers).expect(200, { items: [] });
  const signedInOld = await signIn();
  expect([signedInOld.status, codeOf(signedInOld)]).toEqual([401, 'identity_not_linked']);

  await request(app).post(`/api/users/${moved.user.id}/identities`).set(admin.headers).send(identity).expect(201);
  const signedInNew = await signIn();
  expect([signedInNew.status, userIdOf(signedInNew)]).toEqual([201, moved.user.id]);
  const audit = await stack.pool.query<{ outcome: string; detail: string | null; user_id: string }>(
    `SELECT outcome, detail, user_id FROM audit_events WHERE action = 'user.unlink_identity' ORDER BY id`,
  );
  expect(audit.rows.map((row) => row.outcome)).toEqual(['denied', 'allowed', 'rejected', 'rejected']);
  // Who did it (the row's user) and whose link it was (its detail).
  expect(audit.rows[1]).toMatchObject({
    user_id: admin.user.id,
    detail: expect.stringContaining(`user ${old.user.id}`) as unknown,
  });
});

test('a callback whose state is not the one this browser started is refused, and so is one with no flow at all', async () => {
  const browser = new Browser();
  const callback = await browser.toProviderAndBack();
  callback.searchParams.set('state', 'an-attackers-state');
  const refused = await browser.go(callback.href);
  expect(refused.status).toBe(400);
  expect(await refused.text()).toContain('could not be accepted');
  expect(browser.cookies.has(SESSION_COOKIE)).toBe(false);
  expect(browser.cookies.has(OIDC_FLOW_COOKIE)).toBe(false); // the flow is over either way

  // A code handed to a browser that never started a flow (login CSRF): no flow cookie, no sign-in.
  const victim = new Browser();
  const planted = await victim.go((await new Browser().toProviderAndBack()).href);
  expect(planted.status).toBe(400);
  expect(await planted.text()).toContain('not started here');
  expect(victim.cookies.has(SESSION_COOKIE)).toBe(false);
});

test('without OIDC configured: no button on the sign-in page, and the API route answers 404 oidc_not_configured', async () => {
  const plain = express().use(createConsole({ apiUrl: base, publicBaseUrl: PUBLIC_BASE_URL, secret: CONSOLE_SECRET }));
  const page = await request(plain).get('/sign-in').expect(200);
  expect(page.text).toContain('Password');
  expect(page.text).not.toContain('identity provider');
  const answer = await request(stack.app)
    .post('/api/auth/oidc/session')
    .send({ idToken: await provider.sign({}) });
  expect([answer.status, codeOf(answer)]).toEqual([404, 'oidc_not_configured']);
});

test('a provider that cannot be reached: the sign-in page says so (503), and no flow cookie is left behind', async () => {
  const unreachable = { issuerUrl: 'http://127.0.0.1:1', clientId: CLIENT_ID, clientSecret: CLIENT_SECRET };
  const consoleOnly = express().use(
    createConsole({ apiUrl: base, publicBaseUrl: PUBLIC_BASE_URL, secret: CONSOLE_SECRET, oidc: unreachable }),
  );
  const page = await request(consoleOnly).get('/sign-in/oidc').expect(503);
  expect(page.text).toContain('identity provider cannot be reached');
  expect(page.headers['set-cookie'] ?? []).not.toContainEqual(expect.stringContaining(OIDC_FLOW_COOKIE));
});

test('configuration: the three OIDC variables go together, need PUBLIC_BASE_URL, and an https issuer', () => {
  const problems = (env: NodeJS.ProcessEnv) => {
    try {
      loadConfig(env);
      return [];
    } catch (error) {
      return (error as ConfigError).problems;
    }
  };
  const all = {
    PUBLIC_BASE_URL: 'https://relief.example.org',
    OIDC_ISSUER_URL: 'https://login.agency.example',
    OIDC_CLIENT_ID: 'relief',
    OIDC_CLIENT_SECRET: 's3cret',
  };
  expect(loadConfig(all).oidc).toEqual({
    issuerUrl: 'https://login.agency.example',
    clientId: 'relief',
    clientSecret: 's3cret',
  });
  expect(loadConfig({}).oidc).toBeNull();
  expect(problems({ ...all, OIDC_CLIENT_SECRET: '' })).toEqual([expect.stringContaining('go together')]);
  expect(problems({ ...all, PUBLIC_BASE_URL: undefined })).toEqual([
    expect.stringContaining('PUBLIC_BASE_URL: required with OIDC_ISSUER_URL'),
  ]);
  expect(problems({ ...all, OIDC_ISSUER_URL: 'http://login.agency.example' })).toEqual([
    expect.stringContaining('must be https'),
  ]);
  expect(problems({ ...all, OIDC_ISSUER_URL: 'http://127.0.0.1:9000' })).toEqual([]);
});
