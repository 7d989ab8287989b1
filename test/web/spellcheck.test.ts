/**
 * No field of the console that may hold personal data is spellchecked: a browser's enhanced (cloud) spellcheck sends
 * what is typed to its maker, a survivor's name, contact or a step's note included. Every text field and text area
 * carries `spellcheck="false"`: in each form as the console serves it (the whole service on real parts, the console
 * calling the API over HTTP as in production), and in every template, so that a form added later is held to it too.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { DEMO_AGENCIES } from '../../db/seed';
import { SESSION_COOKIE } from '../../web/session';
import { consoleStackPerFile } from '../support/console';

const service = consoleStackPerFile();
const VIEWS = join(__dirname, '../../web/views');
/** Inputs that hold no text a person types (or, a password, that no browser spellchecks). */
const NOT_TEXT = /\btype="(hidden|checkbox|radio|submit|button|file|date|time|number|password)"/;

/** The text fields and text areas of a page (each tag up to its end), those that may hold what a person typed. */
const textFieldsOf = (html: string) =>
  [...html.matchAll(/<(?:input|textarea)\b[^>]*>/g)].map(([tag]) => tag).filter((tag) => !NOT_TEXT.test(tag));

let caseId: string;
beforeAll(async () => {
  const today = new Date().toISOString().slice(0, 10);
  const opened = await request(service.app)
    .post('/api/cases')
    .set(service.stack.as('law_enforcement'))
    .set('Idempotency-Key', 'spellcheck-1')
    .send({
      agencies: DEMO_AGENCIES,
      identifiedOn: today,
      survivor: { name: 'Spellcheck Probe (fictitious)', birthDate: '1990-01-03', contact: '+1 555 0100' },
    })
    .expect(201);
  caseId = (opened.body as { caseId: string }).caseId;
});

test('every form that may hold personal data is served with no field spellchecked', async () => {
  const pages: [username: string, path: string, fields: string[]][] = [
    // The new case's survivor: name, birth date, A-number, contact.
    ['demo-police-officer', '/cases/new', ['survivor.name', 'survivor.contact', 'reference']],
    // The correction of the survivor's details.
    ['demo-police-officer', `/cases/${caseId}/survivor`, ['name', 'contact', 'aNumber', 'reference']],
    // A sign-off: its note.
    ['demo-police-officer', `/cases/${caseId}/steps/cp_request-1`, ['details.note']],
    // The caseload's search by name and reference; the audit trail's reference.
    ['demo-coordinator', '/cases', ['name', 'reference']],
    ['demo-supervisor', '/audit', ['caseReference']],
  ];
  for (const [username, path, fields] of pages) {
    const page = await request(service.app)
      .get(path)
      .set('Cookie', `${SESSION_COOKIE}=${service.sessionCookie(username)}`)
      .expect(200);
    const tags = textFieldsOf(page.text);
    // The page is the form: each field named is there.
    for (const field of fields)
      expect([path, tags.some((tag) => tag.includes(` name="${field}"`))]).toEqual([path, true]);
    expect(tags.filter((tag) => !tag.includes(' spellcheck="false"'))).toEqual([]);
  }
});

test("every text field and text area of the console's templates is not spellchecked", () => {
  const unguarded = readdirSync(VIEWS)
    .filter((file) => file.endsWith('.eta'))
    .flatMap((file) =>
      readFileSync(join(VIEWS, file), 'utf8')
        .split('\n')
        // A tag is written on one line; what follows its start on that line holds its attributes.
        .flatMap((line) => [...line.matchAll(/<(?:input|textarea)\b/g)].map((match) => line.slice(match.index)))
        .filter((tag) => !NOT_TEXT.test(tag.split(/>\s*(?:<|$)/)[0]!) && !tag.includes(' spellcheck="false"'))
        .map((tag) => `${file}: ${tag.slice(0, 80)}`),
    );
  expect(unguarded).toEqual([]);
});
