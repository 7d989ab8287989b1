/**
 * A console form sent while PostgreSQL is down behind the API: its page cannot be read again (the reader, the case),
 * yet what was typed comes back, with the same Idempotency-Key, to send again once the service answers; sent again,
 * it is applied once. The whole service on real parts, the console calling the API over HTTP; PostgreSQL is made
 * unavailable to the API's pool for the request (a connection refused as while the server shuts down, 57P03).
 */
import request from 'supertest';
import { DEMO_AGENCIES } from '../../db/seed';
import { SESSION_COOKIE } from '../../web/session';
import { cookiesSetBy } from '../support/forms';
import { PUBLIC_BASE_URL } from '../support/stack';
import { consoleStackPerFile } from '../support/console';

const suite = consoleStackPerFile();
const today = () => new Date().toISOString().slice(0, 10);
const session = `${SESSION_COOKIE}=`;
let caseId = '';

beforeAll(async () => {
  const opened = await request(suite.app)
    .post('/api/cases')
    .set(suite.stack.as('law_enforcement'))
    .set('Idempotency-Key', 'outage-forms-1')
    .send({
      agencies: DEMO_AGENCIES,
      identifiedOn: today(),
      survivor: { name: 'Outage Form (fictitious)', birthDate: '1990-02-03' },
    });
  expect(opened.status).toBe(201);
  caseId = (opened.body as { caseId: string }).caseId;
});

/** The hidden fields of a console page's form. */
const hiddenFields = (html: string) =>
  Object.fromEntries(
    [...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((match): [string, string] => [
      match[1]!,
      match[2]!,
    ]),
  );

/** PostgreSQL unavailable to the API's pool while `during` runs: every connection refused as a server shutting down. */
async function whilePostgresDown<T>(during: () => Promise<T>): Promise<T> {
  const pool = suite.stack.pool;
  const refused = () => Object.assign(new Error('the database system is shutting down'), { code: '57P03' });
  // pg's Pool.query asks connect() with a callback, a caller without one gets a promise: both are refused.
  function refusedConnect(callback?: (error: Error) => void): Promise<never> | undefined {
    if (typeof callback !== 'function') return Promise.reject(refused());
    process.nextTick(() => callback(refused()));
    return undefined;
  }
  // An own property over the prototype's method while down; deleted, the pool connects as before.
  Object.assign(pool, { connect: refusedConnect });
  try {
    return await during();
  } finally {
    delete (pool as { connect?: unknown }).connect;
  }
}

/** A form page as the browser holds it: its hidden fields and the cookies to send it with. */
async function formAt(path: string) {
  const cookie = `${session}${suite.sessionCookie('demo-police-officer')}`;
  const page = await request(suite.app).get(path).set('Cookie', cookie).expect(200);
  return { hidden: hiddenFields(page.text), cookies: [cookie, ...cookiesSetBy(page)].join('; ') };
}

const post = (path: string, cookies: string, fields: Record<string, string>) =>
  request(suite.app)
    .post(path)
    .set('Cookie', cookies)
    .set('Origin', new URL(PUBLIC_BASE_URL).origin)
    .type('form')
    .send(fields);

test('a sign-off confirmed while PostgreSQL is down comes back with its entries and key; sent again, it is signed once', async () => {
  const path = `/cases/${caseId}/steps/cp_request-1`;
  const form = await formAt(`${path}?outcome=requested`);
  const key = form.hidden.idempotencyKey!;
  expect(key).toBeTruthy();
  const fields = { ...form.hidden, confirm: 'yes', outcome: 'requested', 'details.requestedOn': today() };
  const page = await whilePostgresDown(() => post(path, form.cookies, fields));
  expect(page.status).toBe(503);
  expect(page.text).toContain('The service could not finish this just now');
  expect(page.text).toContain('What you entered is kept on this page');
  const kept = hiddenFields(page.text);
  expect(kept).toMatchObject({
    idempotencyKey: key,
    confirm: 'yes',
    outcome: 'requested',
    'details.requestedOn': today(),
  });
  expect(page.text).toContain(`action="${path}"`);

  // Sent again once PostgreSQL answers: signed, and the same key sent a third time signs nothing more.
  const again = await post(path, form.cookies, kept).expect(303);
  expect(again.headers.location).toContain('notice=signed-off');
  await post(path, form.cookies, kept).expect(303);
  const view = await request(suite.app).get(`/api/cases/${caseId}`).set(suite.stack.as('coordinator')).expect(200);
  const step = (view.body as { steps: { id: string; status: string }[] }).steps.find((s) => s.id === 'cp_request-1');
  expect(step?.status).toBe('completed');
});

test('an open-case form sent while PostgreSQL is down comes back with what was typed and its key', async () => {
  const form = await formAt('/cases/new');
  const key = form.hidden.idempotencyKey!;
  const agencies = Object.fromEntries(Object.entries(DEMO_AGENCIES).map(([kind, id]) => [`agencies.${kind}`, id]));
  const fields = {
    ...form.hidden,
    ...agencies,
    identifiedOn: today(),
    'survivor.name': 'Kept Entry (fictitious)',
    'survivor.birthDate': '1991-04-05',
  };
  const page = await whilePostgresDown(() => post('/cases', form.cookies, fields));
  expect(page.status).toBe(503);
  expect(hiddenFields(page.text)).toMatchObject({ idempotencyKey: key, 'survivor.name': 'Kept Entry (fictitious)' });
  expect(page.text).toContain('<dd>Kept Entry (fictitious)</dd>');
  // The page's own CSRF token, once: the sent one is not carried twice.
  expect(page.text.match(/name="_csrf"/g)).toHaveLength(1);
});

test("a document sent to a step's documents page while PostgreSQL is down: the file named to add again, the form back", async () => {
  const path = `/cases/${caseId}/steps/cp_request-1/documents`;
  const form = await formAt(path);
  const page = await whilePostgresDown(() =>
    request(suite.app)
      .post(path)
      .set('Cookie', form.cookies)
      .set('Origin', new URL(PUBLIC_BASE_URL).origin)
      .field('_csrf', form.hidden._csrf!)
      .attach('document', Buffer.from('%PDF-1.4\n% receipt\n%%EOF\n'), {
        filename: 'receipt.pdf',
        contentType: 'application/pdf',
      }),
  );
  expect(page.status).toBe(503);
  expect(page.text).toContain('The service could not finish this just now');
  expect(page.text).toMatch(/The file <bdi>receipt\.pdf<\/bdi> cannot be kept on this page and was not added/);
  expect(page.text).toContain(`action="${path}"`);
  // "Send again" brings the form back, asking for the file.
  const again = await post(path, form.cookies, hiddenFields(page.text));
  expect(again.status).toBe(422);
  expect(again.text).toContain('Choose the file to add');
  expect(again.text).toMatch(/<form[^>]*enctype="multipart\/form-data"/);
});
