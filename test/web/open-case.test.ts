/**
 * The console's open-case form with a time of identification: the console sends the date and time as typed and the
 * API reads them in the police agency's time zone. The whole service on real parts, the console calling the API
 * over HTTP as in production.
 */
import request from 'supertest';
import { DEMO_AGENCIES, DEMO_AGENCY_LIST } from '../../db/seed';
import { SESSION_COOKIE } from '../../web/session';
import { PUBLIC_BASE_URL } from '../support/stack';
import { consoleStackPerFile } from '../support/console';

const suite = consoleStackPerFile();

beforeAll(async () => {
  const police = DEMO_AGENCY_LIST.find((agency) => agency.id === DEMO_AGENCIES.law_enforcement)!;
  await request(suite.app).post('/api/agencies').set(suite.stack.users['demo-system-admin']!.headers).send({ ...police, timeZone: 'America/New_York' }).expect(201);
});

const cookie = () => `${SESSION_COOKIE}=${suite.stack.users['demo-police-officer']!.token}`;

/** Fills the form as a browser would send it, with the hidden fields of a freshly rendered one. */
async function submit(fields: Record<string, string>, status: number) {
  const form = await request(suite.app).get('/cases/new').set('Cookie', cookie()).expect(200);
  expect(form.text).toContain('type="time"');
  const hidden = Object.fromEntries([...form.text.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((match): [string, string] => [match[1]!, match[2]!]));
  const agencies = Object.fromEntries(Object.entries(DEMO_AGENCIES).map(([kind, id]) => [`agencies.${kind}`, id]));
  return request(suite.app)
    .post('/cases')
    .set('Cookie', cookie())
    .set('Origin', new URL(PUBLIC_BASE_URL).origin)
    .type('form')
    .send({ ...hidden, ...agencies, 'survivor.name': 'Form Person', 'survivor.birthDate': '2010-01-01', ...fields })
    .expect(status);
}

test("a date and time typed in the form are the police agency's local time", async () => {
  const sent = await submit({ identifiedOn: '2025-11-03', identifiedTime: '09:30' }, 303);
  const caseId = /\/cases\/([0-9a-f-]{36})/.exec(String(sent.headers.location))![1]!;
  const view = await request(suite.app).get(`/api/cases/${caseId}`).set(suite.stack.as('coordinator')).expect(200);
  const steps = (view.body as { steps: { id: string; dueAt: string | null }[] }).steps;
  expect(steps.find((step) => step.id === 'hhs_minor_notification-1')?.dueAt).toBe('2025-11-04T14:30:00.000Z');
});

test('a time in the future is refused next to the time field, with the entries kept', async () => {
  const page = await submit({ identifiedOn: '2199-12-31', identifiedTime: '23:59' }, 422);
  expect(page.text).toMatch(/id="identifiedAt-error">identifiedAt \([^)]+\) is after now/);
  expect(page.text).toContain('value="23:59"');
});
