/**
 * The case page shows the case's coming reminders in words: when, what, to whom and their status, as the API lists
 * them for the signed-in user. The whole service on real parts, the console calling the API over HTTP.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { DEMO_AGENCIES } from '../../db/seed';
import { dateOf } from '../../domain/dates';
import { createConsole } from '../../web/console';
import { moment } from '../../web/labels';
import { SESSION_COOKIE } from '../../web/session';
import { PUBLIC_BASE_URL, startStack, type Stack } from '../support/stack';

let stack: Stack;
let server: Server;
let app: ReturnType<Stack['appWith']>;

beforeAll(async () => {
  stack = await startStack();
  server = createServer();
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  app = stack.appWith({ console: createConsole({ apiUrl: base, publicBaseUrl: PUBLIC_BASE_URL, secret: randomBytes(32).toString('base64url') }) });
  server.on('request', app);
});

afterAll(async () => {
  await new Promise((closed) => (server ? server.close(closed) : closed(undefined)));
  await stack?.stop();
});

test('the case page lists coming reminders in words, with when, to whom and their status', async () => {
  const opened = await request(app)
    .post('/api/cases')
    .set(stack.as('law_enforcement'))
    .set('Idempotency-Key', 'console-reminders-1')
    .send({ identifiedOn: dateOf(new Date(await stack.env.currentTimeMs()).toISOString()), survivor: { name: 'Test Survivor (fictitious)', birthDate: '1991-02-03' }, agencies: DEMO_AGENCIES })
    .expect(201);
  const { caseId, steps } = opened.body as { caseId: string; steps: { id: string; dueAt: string | null }[] };
  const cpDueAt = steps.find((step) => step.id === 'cp_request-1')!.dueAt!;

  const page = await request(app).get(`/cases/${caseId}`).set('Cookie', `${SESSION_COOKIE}=${stack.users['demo-police-officer']!.token}`).expect(200);
  expect(page.text).toContain('<h2 id="reminders-heading">Coming reminders</h2>');
  const row =
    `<tr><td><time datetime="${cpDueAt}">${moment(cpDueAt)}</time></td><td>Due: Continued Presence request</td><td>${DEMO_AGENCIES.law_enforcement}</td><td><span class="status">Scheduled</span></td></tr>`;
  expect(page.text).toContain(row);
});
