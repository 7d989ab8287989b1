/**
 * A check page's "Confirm" clicked twice: the second send is answered "still being processed" while the first is
 * applied. The page that answer shows sends the same confirmed request again, every answer under the same key, so the
 * resend gets the API's replay and the person lands on what the first send did (transferred, signed off, corrected),
 * never a refusal of the first send's own result. The whole service on real parts, the console calling the API over
 * HTTP; the API's "in progress" answer to the second send is made certain by a listener in front of it, as a
 * double-click makes it by chance.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import request from 'supertest';
import { upsertAgencies } from '../../db/agencies';
import { DEMO_AGENCIES } from '../../db/seed';
import { createConsole } from '../../web/console';
import { sealSessionToken, SESSION_COOKIE } from '../../web/session';
import { cookiesSetBy } from '../support/forms';
import { PUBLIC_BASE_URL, startStack, type Stack } from '../support/stack';

let stack: Stack;
let app: Express;
let server: ReturnType<typeof createServer>;
const cookies = new Map<string, string>();
/** The API path whose next POST the listener answers "in progress" (409 idempotency_in_progress), once. */
let busy: RegExp | undefined;

beforeAll(async () => {
  stack = await startStack();
  server = createServer();
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const secret = randomBytes(32).toString('base64url');
  app = stack.appWith({ console: createConsole({ apiUrl: base, publicBaseUrl: PUBLIC_BASE_URL, secret }) });
  server.on('request', (req, res) => {
    if (busy && req.method === 'POST' && busy.test(req.url ?? '')) {
      busy = undefined;
      res.writeHead(409, { 'Content-Type': 'application/problem+json', 'Retry-After': '1' });
      res.end(
        JSON.stringify({
          type: 'about:blank',
          title: 'Conflict',
          status: 409,
          detail: 'A request with this Idempotency-Key is still being processed; retry shortly.',
          code: 'idempotency_in_progress',
        }),
      );
      return;
    }
    app(req, res);
  });
  for (const [username, user] of Object.entries(stack.users)) {
    cookies.set(username, await sealSessionToken(secret, user.token, new Date(Date.now() + 3600_000)));
  }
  await upsertAgencies(stack.pool, [
    { id: 'resend-new-police', kind: 'law_enforcement', name: 'Resend Police (fictitious)', email: null },
  ]);
});

afterAll(async () => {
  await new Promise((closed) => server.close(closed));
  await stack.stop();
});

const dayBefore = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);

async function openCase(key: string, name: string): Promise<string> {
  const opened = await request(app)
    .post('/api/cases')
    .set(stack.as('law_enforcement'))
    .set('Idempotency-Key', key)
    .send({ agencies: DEMO_AGENCIES, identifiedOn: dayBefore(3), survivor: { name, birthDate: '1990-01-01' } })
    .expect(201);
  return (opened.body as { caseId: string }).caseId;
}

const decoded = (value: string) =>
  value
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/** A page's hidden fields, as its form sends them. */
const hiddenOf = (html: string) =>
  Object.fromEntries(
    [...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1]!, decoded(m[2]!)]),
  );

/** A browser of `username` on the form at `path`: `send` posts fields with the page's cookies, as the browser does. */
async function browserOn(username: string, path: string) {
  const session = `${SESSION_COOKIE}=${cookies.get(username)!}`;
  const shown = await request(app).get(path).set('Cookie', session).expect(200);
  const cookie = [session, ...cookiesSetBy(shown)].join('; ');
  const send = (fields: Record<string, string>) =>
    request(app)
      .post(path.replace(/\?.*$/, ''))
      .set('Cookie', cookie)
      .set('Origin', new URL(PUBLIC_BASE_URL).origin)
      .type('form')
      .send(fields);
  return { first: hiddenOf(shown.text), send };
}

/**
 * The check page's hidden fields confirmed twice: the first applied, the second answered "in progress"; then the
 * in-progress page's form sent as it is. Returns that last answer.
 */
async function confirmTwiceThenResend(
  send: (fields: Record<string, string>) => request.Test,
  check: string,
  api: RegExp,
) {
  const confirmed = hiddenOf(check);
  expect(confirmed.confirm).toBe('yes');
  await send(confirmed).expect(303);
  busy = api;
  const second = await send(confirmed).expect(409);
  expect(busy).toBeUndefined();
  expect(second.text).toContain('still being processed');
  const resent = hiddenOf(second.text);
  expect(resent.idempotencyKey).toBe(confirmed.idempotencyKey);
  return send(resent);
}

test('a transfer confirmed twice: the in-progress page sends it again and says it was transferred', async () => {
  const caseId = await openCase('resend-transfer', 'Resend Transfer (fictitious)');
  const { first, send } = await browserOn('demo-coordinator', `/cases/${caseId}/transfer`);
  const check = await send({ ...first, toAgencyId: 'resend-new-police', reason: 'referred' }).expect(200);
  expect(check.text).toContain('Check the transfer');
  const resent = await confirmTwiceThenResend(send, check.text, /\/transfers$/);
  expect([resent.status, resent.headers.location]).toEqual([303, `/cases/${caseId}?notice=transferred`]);
});

test('a sign-off confirmed twice: the in-progress page sends it again and lands where the sign-off leads', async () => {
  const caseId = await openCase('resend-sign-off', 'Resend Sign Off (fictitious)');
  const path = `/cases/${caseId}/steps/cp_request-1?outcome=requested`;
  const { first, send } = await browserOn('demo-police-officer', path);
  const check = await send({ ...first, outcome: 'requested', 'details.requestedOn': dayBefore(2) }).expect(200);
  expect(check.text).toContain('Confirm and sign off');
  const resent = await confirmTwiceThenResend(send, check.text, /\/steps\/cp_request-1\/sign-off$/);
  expect([resent.status, resent.headers.location]).toEqual([303, '/?notice=signed-off']);
});

test('a correction confirmed twice: the in-progress page sends it again and says it was corrected', async () => {
  const caseId = await openCase('resend-correction', 'Resend Correction (fictitious)');
  await request(app)
    .post(`/api/cases/${caseId}/steps/cp_request-1/sign-off`)
    .set(stack.as('law_enforcement'))
    .set('Idempotency-Key', 'resend-correction-sign-off')
    .send({ outcome: 'requested', details: { requestedOn: dayBefore(2) } })
    .expect(200);
  const { first, send } = await browserOn('demo-police-officer', `/cases/${caseId}/steps/cp_request-1/correct`);
  const check = await send({
    ...first,
    outcome: 'requested',
    'details.requestedOn': dayBefore(1),
    reason: 'The request was sent a day later',
  }).expect(200);
  expect(check.text).toContain('Confirm and record the correction');
  const resent = await confirmTwiceThenResend(send, check.text, /\/steps\/cp_request-1\/corrections$/);
  expect([resent.status, resent.headers.location]).toEqual([303, `/cases/${caseId}?notice=corrected`]);
});
