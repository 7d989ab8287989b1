/**
 * The survivor form's new case reference (re-probe): sent alone, with no detail changed, it is refused by its field,
 * as the API refuses a correction that changes no detail, where the form said "Nothing changed" and dropped it; and a
 * reference the API would refuse is said by its field with every other problem of a form the console does not send
 * ("Other language" with no code). Nothing is saved. The whole service on real parts, the form sent as a browser does.
 */
import request from 'supertest';
import { DEMO_AGENCIES } from '../../db/seed';
import { SESSION_COOKIE } from '../../web/session';
import { cookiesSetBy } from '../support/forms';
import { PUBLIC_BASE_URL } from '../support/stack';
import { consoleStackPerFile } from '../support/console';

const suite = consoleStackPerFile();
const NAME = 'Probe Veinte (fictitious)';
const REFERENCE = 'TST-0200';

let caseId = '';

beforeAll(async () => {
  const opened = await request(suite.app)
    .post('/api/cases')
    .set(suite.stack.as('law_enforcement'))
    .set('Idempotency-Key', 'survivor-form-reference-1')
    .send({
      agencies: DEMO_AGENCIES,
      identifiedOn: '2025-11-03',
      survivor: { name: NAME, birthDate: '1990-04-12' },
      reference: REFERENCE,
    })
    .expect(201);
  caseId = (opened.body as { caseId: string }).caseId;
});

const sessionOf = (username: string) => `${SESSION_COOKIE}=${suite.sessionCookie(username)}`;

/** The hidden fields of a console page's form. */
const hiddenFields = (html: string) =>
  Object.fromEntries(
    [...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((match): [string, string] => [
      match[1]!,
      match[2]!,
    ]),
  );

/** The form opened by the police, who opened the case, sent with its details as they are but for `fields`. */
async function send(fields: Record<string, string>) {
  const cookie = sessionOf('demo-police-officer');
  const form = await request(suite.app).get(`/cases/${caseId}/survivor`).set('Cookie', cookie).expect(200);
  return request(suite.app)
    .post(`/cases/${caseId}/survivor`)
    .set('Cookie', [cookie, ...cookiesSetBy(form)].join('; '))
    .set('Origin', new URL(PUBLIC_BASE_URL).origin)
    .type('form')
    .send({
      ...hiddenFields(form.text),
      name: NAME,
      aNumber: '',
      contact: '',
      preferredLanguage: '',
      preferredLanguageOther: '',
      reference: '',
      ...fields,
    });
}

/** The error summary's entries, as its links read. */
const summaryOf = (html: string) =>
  [...html.matchAll(/<li><a href="#[^"]+">([^<]+)<\/a><\/li>/g)].map((match) => match[1]!.replaceAll('&quot;', '"'));

async function expectNothingSaved() {
  const view = await request(suite.app).get(`/api/cases/${caseId}`).set(suite.stack.as('coordinator')).expect(200);
  expect((view.body as { reference: string }).reference).toBe(REFERENCE);
  const survivor = await request(suite.app)
    .get(`/api/cases/${caseId}/survivor`)
    .set(suite.stack.as('coordinator'))
    .expect(200);
  expect(survivor.body).toMatchObject({ name: NAME, corrections: 0 });
}

test('a new case reference typed with no detail changed is refused by its field, not dropped', async () => {
  const page = await send({ reference: 'TF-2026-0200' });
  expect(page.status).toBe(400);
  expect(page.text).toContain('id="reference-error"');
  expect(summaryOf(page.text)).toEqual([
    'New case reference: A new case reference is given with a correction of the survivor’s details: correct a detail too, or leave the new case reference empty',
  ]);
  expect(page.text).toContain('value="TF-2026-0200"');
  await expectNothingSaved();
});

test('"Assign a new case reference" ticked with no detail changed is refused by the box, not dropped', async () => {
  const page = await send({ assignReference: 'yes' });
  expect(page.status).toBe(400);
  expect(page.text).toContain('id="assignReference-error"');
  expect(summaryOf(page.text)).toEqual([
    'Assign a new case reference: A new case reference is given with a correction of the survivor’s details: correct a detail too, or untick “Assign a new case reference”',
  ]);
  await expectNothingSaved();
});

test('a new case reference the API would refuse is said by its field with "Other language" with no code', async () => {
  const page = await send({ name: 'Probe Veintiuno (fictitious)', preferredLanguage: 'other', reference: 'TF 0200' });
  expect(page.status).toBe(400);
  expect(summaryOf(page.text)).toEqual([
    'Code of the other language: Enter the language’s code',
    'New case reference: A reference is 2 to 40 letters, digits or hyphens, with no spaces',
  ]);
  expect(page.text).toContain('id="reference-error"');
  expect(page.text).toContain('value="TF 0200"');
  // One that reads as an assigned reference, said in the API's words.
  const assigned = await send({
    name: 'Probe Veintiuno (fictitious)',
    preferredLanguage: 'other',
    reference: 'RC-2026-0A1B2C3D',
  });
  expect(summaryOf(assigned.text)).toContain(
    'New case reference: The new case reference reads as one the service assigns (RC-…), which could be another agency’s case: enter your agency’s case number, or tick “Assign a new case reference”',
  );
  await expectNothingSaved();
});
