/**
 * The console's open-case form with a time of identification: the console sends the date and time as typed and the
 * API reads them in the police agency's time zone. The whole service on real parts, the console calling the API
 * over HTTP as in production.
 */
import request from 'supertest';
import { DEMO_AGENCIES, DEMO_AGENCY_LIST } from '../../db/seed';
import { SESSION_COOKIE } from '../../web/session';
import { cookiesSetBy } from '../support/forms';
import { eventually, PUBLIC_BASE_URL } from '../support/stack';
import { consoleStackPerFile } from '../support/console';

const suite = consoleStackPerFile();

beforeAll(async () => {
  const police = DEMO_AGENCY_LIST.find((agency) => agency.id === DEMO_AGENCIES.law_enforcement)!;
  await request(suite.app)
    .post('/api/agencies')
    .set(suite.stack.users['demo-system-admin']!.headers)
    .send({ ...police, timeZone: 'America/New_York' })
    .expect(201);
});

const sessionOf = (username: string) => `${SESSION_COOKIE}=${suite.sessionCookie(username)}`;

/** A freshly rendered open-case form as the browser holds it: its hidden fields and the cookies that came with it. */
async function openForm(username = 'demo-police-officer') {
  const form = await request(suite.app).get('/cases/new').set('Cookie', sessionOf(username)).expect(200);
  expect(form.text).toContain('type="time"');
  return { hidden: hiddenFields(form.text), cookies: [sessionOf(username), ...cookiesSetBy(form)] };
}

/** Sends the form as a browser would; `status`, the answer it must get. */
function send(
  form: { hidden: Record<string, string>; cookies: string[] },
  fields: Record<string, string>,
  status?: number,
) {
  const agencies = Object.fromEntries(Object.entries(DEMO_AGENCIES).map(([kind, id]) => [`agencies.${kind}`, id]));
  const sent = request(suite.app)
    .post('/cases')
    .set('Cookie', form.cookies.join('; '))
    .set('Origin', new URL(PUBLIC_BASE_URL).origin)
    .type('form')
    .send({
      ...form.hidden,
      ...agencies,
      'survivor.name': 'Form Person',
      'survivor.birthDate': '2010-01-01',
      ...fields,
    });
  return status === undefined ? sent : sent.expect(status);
}

/** The hidden fields of a console page's form. */
const hiddenFields = (html: string) =>
  Object.fromEntries(
    [...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((match): [string, string] => [
      match[1]!,
      match[2]!,
    ]),
  );

const submit = async (fields: Record<string, string>, status: number) => send(await openForm(), fields, status);

test("a date and time typed in the form are the police agency's local time", async () => {
  const sent = await submit({ identifiedOn: '2025-11-03', identifiedTime: '09:30' }, 303);
  const caseId = /\/cases\/([0-9a-f-]{36})/.exec(String(sent.headers.location))![1]!;
  const view = await request(suite.app).get(`/api/cases/${caseId}`).set(suite.stack.as('coordinator')).expect(200);
  const steps = (view.body as { steps: { id: string; dueAt: string | null }[] }).steps;
  expect(steps.find((step) => step.id === 'hhs_minor_notification-1')?.dueAt).toBe('2025-11-04T14:30:00.000Z');
});

test('a time in the future is refused next to the time field, with the entries kept', async () => {
  const form = await openForm();
  const page = await send(form, { identifiedOn: '2199-12-31', identifiedTime: '23:59' }, 422);
  expect(page.text).toContain('id="identifiedTime-error">The time they were identified cannot be in the future<');
  expect(page.text).toContain('value="23:59"');
  // The form shown again carries the same CSRF token, so sending it corrected is accepted.
  expect(hiddenFields(page.text)._csrf).toBe(form.hidden._csrf);
});

/** The error summary of a refused page: each field it links to, with its label and message. */
const summaryOf = (html: string) =>
  Object.fromEntries(
    [...html.matchAll(/<li><a href="#([^"]+)">([^<]+)<\/a><\/li>/g)].map((match): [string, string] => [
      match[1]!,
      match[2]!,
    ]),
  );
const invalidFields = (html: string) =>
  [...html.matchAll(/<(?:input|select) id="([^"]+)"[^>]*aria-invalid="true"/g)].map((match) => match[1]).sort();

test.each([
  [
    'left empty',
    { identifiedOn: '', 'survivor.name': '', 'survivor.birthDate': '', 'agencies.law_enforcement': '' },
    {
      identifiedOn: 'Identified on: Enter the date they were identified',
      'survivor-name': 'Name: Enter the survivor’s name',
      'survivor-birthDate': 'Birth date: Enter the survivor’s birth date',
      'agencies-law_enforcement': 'Law enforcement: Choose an agency',
    },
  ],
  [
    'identified in the future',
    { identifiedOn: '2199-12-31' },
    { identifiedOn: 'Identified on: The date must be on or before today' },
  ],
  [
    'identified before the TVPA, by its date alone or with a time',
    { identifiedOn: '1900-01-01', identifiedTime: '09:30', 'survivor.birthDate': '1900-01-01' },
    {
      identifiedOn:
        'Identified on: The date they were identified must be on or after 28 Oct 2000, when the TVPA, which created T status and Continued Presence, was enacted',
    },
  ],
  [
    'born after the identification',
    { identifiedOn: '2025-11-03', 'survivor.birthDate': '2025-11-04' },
    { 'survivor-birthDate': 'Birth date: The survivor’s birth date must be on or before the day they were identified' },
  ],
  [
    'born after the identification, with an A-number that is none and a reference with spaces: all three at once',
    { identifiedOn: '2025-11-03', 'survivor.birthDate': '2025-11-04', 'survivor.aNumber': '12', reference: 'A B' },
    {
      reference: 'Case reference: A reference is 2 to 40 letters, digits or hyphens, with no spaces',
      'survivor-birthDate': 'Birth date: The survivor’s birth date must be on or before the day they were identified',
      'survivor-aNumber':
        'A-number: An A-number is 8 or 9 digits, with or without an A before them, run together or set apart in threes as USCIS prints it (A123-456-789)',
    },
  ],
  [
    'a reference with spaces and a time that is none',
    { identifiedOn: '2025-11-03', identifiedTime: '25:99', reference: 'Ana Test case' },
    {
      reference: 'Case reference: A reference is 2 to 40 letters, digits or hyphens, with no spaces',
      identifiedTime:
        'Time of identification: Enter the time they were identified as hours and minutes, for example 14:30',
    },
  ],
  [
    '"Other language" with no code',
    { identifiedOn: '2025-11-03', 'survivor.preferredLanguage': 'other', 'survivor.preferredLanguageOther': ' ' },
    { 'survivor-preferredLanguageOther': 'Code of the other language: Enter the language’s code' },
  ],
  [
    'a language code typed with Spanish chosen in the list',
    { identifiedOn: '2025-11-03', 'survivor.preferredLanguage': 'es', 'survivor.preferredLanguageOther': 'tlh' },
    {
      'survivor-preferredLanguageOther':
        'Code of the other language: Choose “Other language” in the list to record this code, or clear it',
    },
  ],
  [
    'a language code typed with "Not recorded" left in the list',
    { identifiedOn: '2025-11-03', 'survivor.preferredLanguageOther': 'mam' },
    {
      'survivor-preferredLanguageOther':
        'Code of the other language: Choose “Other language” in the list to record this code, or clear it',
    },
  ],
  [
    // The language's problem was said alone, and the others only at the next send (probe: web/survivor-words.ts
    // unsentLanguageProblems answered before the form was checked).
    'a language code typed with Spanish chosen, an A-number that is none and a reference with spaces: all at once',
    {
      identifiedOn: '2025-11-03',
      'survivor.preferredLanguage': 'es',
      'survivor.preferredLanguageOther': 'tlh',
      'survivor.aNumber': '12',
      reference: 'A B',
    },
    {
      reference: 'Case reference: A reference is 2 to 40 letters, digits or hyphens, with no spaces',
      'survivor-aNumber':
        'A-number: An A-number is 8 or 9 digits, with or without an A before them, run together or set apart in threes as USCIS prints it (A123-456-789)',
      'survivor-preferredLanguageOther':
        'Code of the other language: Choose “Other language” in the list to record this code, or clear it',
    },
  ],
  [
    '"Other language" with no code, born after the identification and with an A-number that is none: all at once',
    {
      identifiedOn: '2025-11-03',
      'survivor.birthDate': '2025-11-04',
      'survivor.aNumber': '12',
      'survivor.preferredLanguage': 'other',
    },
    {
      'survivor-aNumber':
        'A-number: An A-number is 8 or 9 digits, with or without an A before them, run together or set apart in threes as USCIS prints it (A123-456-789)',
      'survivor-birthDate': 'Birth date: The survivor’s birth date must be on or before the day they were identified',
      'survivor-preferredLanguageOther': 'Code of the other language: Enter the language’s code',
    },
  ],
  [
    'a language code the API refuses, under "Other language"',
    { identifiedOn: '2025-11-03', 'survivor.preferredLanguage': 'other', 'survivor.preferredLanguageOther': 'xx-!!' },
    {
      'survivor-preferredLanguageOther':
        'Code of the other language: Enter a language code such as ht, pt-BR or zh-Hant, or choose the language from the list',
    },
  ],
  [
    "a reference that holds the survivor's name",
    { identifiedOn: '2025-11-03', reference: 'PERSON-07' },
    {
      reference:
        'Case reference: A reference must not hold a word of the survivor’s name. It is shown to every agency on the case and in emails, so it must never say who the survivor is: use your agency’s case number, or leave it out to have one assigned',
    },
  ],
  [
    "a reference that holds the survivor's A-number, set apart (probe D5)",
    { identifiedOn: '2025-11-03', reference: 'A-123-456-789', 'survivor.aNumber': 'A123456789' },
    {
      reference:
        'Case reference: A reference must not hold the survivor’s A-number. It is shown to every agency on the case and in emails, so it must never say who the survivor is: use your agency’s case number, or leave it out to have one assigned',
    },
  ],
  [
    "a reference that holds the survivor's phone number (probe D5)",
    { identifiedOn: '2025-11-03', reference: 'PD-555-867-5309', 'survivor.contact': '(555) 867-5309' },
    {
      reference:
        'Case reference: A reference must not hold the survivor’s contact. It is shown to every agency on the case and in emails, so it must never say who the survivor is: use your agency’s case number, or leave it out to have one assigned',
    },
  ],
])('the open form %s: every problem in words, linked from the summary, each field marked', async (_, fields, said) => {
  const page = await send(await openForm(), fields);
  expect([400, 422]).toContain(page.status);
  expect(page.text).toContain('<title>Error: Open a case ·');
  expect(page.text).toContain('There is a problem');
  expect(summaryOf(page.text)).toEqual(said);
  // Every problem is placed by its field: no sentence of the API's left over above them.
  expect(page.text).not.toMatch(/There is a problem<\/h2>\s*<p>/);
  expect(invalidFields(page.text)).toEqual(Object.keys(said).sort());
  for (const [id, text] of Object.entries(said))
    expect(page.text).toContain(`id="${id}-error">${text.slice(text.indexOf(': ') + 2)}<`);
  const words = [...page.text.matchAll(/<(?:li|span class="field-error"[^>]*)>([^<]*)</g)].map((match) => match[1]);
  expect(words.join(' ')).not.toMatch(/expected|YYYY|not valid|Too small|identifiedOn|identifiedAt/);
  expect(page.text).not.toContain('was not opened');
  // What was typed comes back.
  for (const value of Object.values(fields).filter(Boolean)) expect(page.text).toContain(`value="${value}"`);
});

test.each([
  ['Spanish, chosen in the list', { 'survivor.preferredLanguage': 'es' }, 'es'],
  [
    'Mam, by its code under "Other language"',
    { 'survivor.preferredLanguage': 'other', 'survivor.preferredLanguageOther': ' mam ' },
    'mam',
  ],
])("the survivor's preferred language, %s, is recorded with the case", async (_, fields, tag) => {
  const sent = await submit({ identifiedOn: '2025-11-06', 'survivor.name': `Speaks ${tag}`, ...fields }, 303);
  const caseId = /\/cases\/([0-9a-f-]{36})/.exec(String(sent.headers.location))![1]!;
  const survivor = await request(suite.app)
    .get(`/api/cases/${caseId}/survivor`)
    .set(suite.stack.as('coordinator'))
    .expect(200);
  expect(survivor.body).toMatchObject({ preferredLanguage: tag, corrections: 0 });
});

test.each([
  ['as USCIS prints it', 'A123-456-789', 'A123456789'],
  ['set apart after its A too', 'A-123-456-788', 'A123456788'],
  ['with spaces and a small a', ' a 123 456 787 ', 'A123456787'],
  ['of 8 digits, set apart, without its A', '12-345-678', '12345678'],
])(
  "the survivor's A-number typed %s opens the case and is recorded without its separators",
  async (_, typed, recorded) => {
    // Refused at opening, where the correction form took it (probe S5: "A-number: An A-number is 8 or 9 digits, with or
    // without an A before them" for A123-456-789, the form USCIS notices print).
    const sent = await submit(
      { identifiedOn: '2025-11-08', 'survivor.name': `Typed ${recorded}`, 'survivor.aNumber': typed },
      303,
    );
    const caseId = /\/cases\/([0-9a-f-]{36})/.exec(String(sent.headers.location))![1]!;
    const survivor = () =>
      request(suite.app).get(`/api/cases/${caseId}/survivor`).set(suite.stack.as('coordinator')).expect(200);
    expect((await survivor()).body).toMatchObject({ aNumber: recorded });
    // A correction through the API records it so too, and the same number typed otherwise changes nothing.
    const corrected = await request(suite.app)
      .post(`/api/cases/${caseId}/survivor`)
      .set(suite.stack.as('coordinator'))
      .set('Idempotency-Key', `a-number-${recorded}`)
      .send({ aNumber: 'A-098-765-432' })
      .expect(200);
    expect(corrected.body).toMatchObject({ identity: { aNumber: 'A098765432' }, changedFields: ['aNumber'] });
  },
);

test("digits in a Social Security number's shape are refused as an A-number, by its field", async () => {
  const page = await send(await openForm(), {
    identifiedOn: '2025-11-08',
    'survivor.name': 'Typed Social',
    'survivor.aNumber': '123-45-6789',
  });
  expect(page.status).toBe(422);
  expect(summaryOf(page.text)).toEqual({
    'survivor-aNumber':
      'A-number: An A-number is 8 or 9 digits, with or without an A before them, run together or set apart in threes as USCIS prints it (A123-456-789)',
  });
});

test('a language refused on the form, by the console or the API, keeps what was chosen and typed and opens no case', async () => {
  const opened = async () =>
    (await suite.stack.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM cases')).rows[0]!.n;
  const before = await opened();
  const fields = {
    identifiedOn: '2025-11-07',
    'survivor.name': 'Kept Language',
    'survivor.contact': 'Through her sister',
  };
  const stray = await send(
    await openForm(),
    { ...fields, 'survivor.preferredLanguage': 'quc', 'survivor.preferredLanguageOther': 'mam' },
    // The API's answer to the rest of the form, checked with the language it must refuse: nothing else is wrong.
    422,
  );
  expect(stray.text).toContain('<option value="quc" selected>');
  expect(stray.text).toContain('id="survivor-preferredLanguageOther-error">Choose “Other language”');
  const refused = await send(await openForm(), {
    ...fields,
    'survivor.preferredLanguage': 'other',
    'survivor.preferredLanguageOther': 'xx-!!',
  });
  expect([400, 422]).toContain(refused.status);
  expect(refused.text).toContain('<option value="other" selected>Other language</option>');
  for (const page of [stray, refused]) {
    expect(page.text).toContain('value="Kept Language"');
    expect(page.text).toContain('value="Through her sister"');
    expect(page.text).toContain('<title>Error: Open a case ·');
  }
  expect(await opened()).toBe(before);
});

test('a post without its CSRF token, with one from another session or with a tampered one is refused and opens no case', async () => {
  const opened = async () =>
    (await suite.stack.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM cases')).rows[0]!.n;
  const before = await opened();
  const mine = await openForm();
  const theirs = await openForm('demo-coordinator');
  const token = mine.hidden._csrf!;
  // Behind https the cookie is Secure and `__Host-`, so no subdomain can set it; never readable by scripts.
  const set = (await request(suite.app).get('/cases/new').set('Cookie', sessionOf('demo-police-officer'))).headers[
    'set-cookie'
  ];
  expect(set).toEqual([
    expect.stringMatching(/^__Host-rc_csrf=[0-9a-f]{64}\.[0-9a-f]{64}; Path=\/; HttpOnly; Secure; SameSite=Lax$/),
  ]);
  const tampered = (token[0] === 'a' ? 'b' : 'a') + token.slice(1);
  const fields = { identifiedOn: '2025-11-03', identifiedTime: '09:30' };
  const refused = [
    { hidden: { ...mine.hidden, _csrf: '' }, cookies: mine.cookies },
    { hidden: { ...mine.hidden, _csrf: theirs.hidden._csrf! }, cookies: mine.cookies },
    // Another session's cookie and token together, under this session: they are bound to the other one.
    {
      hidden: { ...mine.hidden, _csrf: theirs.hidden._csrf! },
      cookies: [mine.cookies[0]!, ...theirs.cookies.slice(1)],
    },
    { hidden: { ...mine.hidden, _csrf: tampered }, cookies: mine.cookies },
    // A forged pair: the same altered token in the cookie and the form fails the secret's HMAC.
    {
      hidden: { ...mine.hidden, _csrf: tampered },
      cookies: mine.cookies.map((cookie) => cookie.replace(token, tampered)),
    },
  ];
  for (const form of refused) {
    const page = (await send(form, fields, 403)).text;
    expect(page).toContain('This form could not be accepted');
    // It leads back to its page, never to where it posted.
    expect(page).toContain('<a href="/cases/new">Open the form again</a>');
  }
  expect(await opened()).toBe(before);
});

test('a post whose session cookie expired in the browser is sent to sign in and back to the form, not refused as expired', async () => {
  const opened = async () =>
    (await suite.stack.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM cases')).rows[0]!.n;
  const before = await opened();
  const form = await openForm();
  // The browser no longer sends the session's cookie once it expires; the form's own cookie is still held.
  const expired = { hidden: form.hidden, cookies: form.cookies.slice(1) };
  const fields = { identifiedOn: '2025-11-03' };
  const answer = await send(expired, fields, 303);
  expect(answer.headers.location).toBe('/sign-in?notice=expired&next=%2Fcases%2Fnew');
  // From another site it is refused on its origin first, with a session or without one.
  for (const cookies of [expired.cookies, form.cookies]) {
    const foreign = await request(suite.app)
      .post('/cases')
      .set('Cookie', cookies.join('; '))
      .set('Origin', 'https://elsewhere.example')
      .type('form')
      .send({ ...form.hidden, ...fields })
      .expect(403);
    expect(foreign.text).toContain('This form was not sent from the console.');
  }
  expect(await opened()).toBe(before);
});

test('a double-click opens one case: the form shown by the second send keeps its key, and sent again leads to that case', async () => {
  const opened = async () =>
    (await suite.stack.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM cases')).rows[0]!.n;
  const before = await opened();
  const form = await openForm('demo-coordinator');
  const key = form.hidden.idempotencyKey!;
  const fields = { identifiedOn: '2025-11-03', 'survivor.name': 'Double Click' };
  // Without a worker the new case's workflow cannot confirm it, so the first send holds its key, unanswered.
  await suite.stack.stopWorker();
  let first: Promise<request.Response> | undefined;
  let second: request.Response;
  try {
    first = send(form, fields, 303).then((res) => res);
    await eventually(async () => {
      const claimed = await suite.stack.pool.query(
        'SELECT 1 FROM idempotency_keys WHERE key = $1 AND status_code IS NULL',
        [key],
      );
      return claimed.rowCount === 1;
    }, 'the first send to hold its key');
    // The second click, the page the browser shows: nothing was refused, the case is being opened.
    second = await send(form, fields, 409);
  } finally {
    await suite.stack.startWorker();
  }
  const caseUrl = String((await first).headers.location);
  expect(caseUrl).toMatch(/^\/cases\/[0-9a-f-]{36}\?notice=opened$/);
  expect(second.text).toContain('The case is being opened');
  expect(second.text).toContain('send the form again: it takes you to the case');
  expect(second.text).not.toContain('was not opened');
  expect(second.text).toContain('value="Double Click"');
  const shown = hiddenFields(second.text);
  expect(shown.idempotencyKey).toBe(key);
  // "Open the case" pressed on that page: the first send's answer, the same case.
  const again = await send({ hidden: shown, cookies: form.cookies }, fields, 303);
  expect(again.headers.location).toBe(caseUrl);
  expect(await opened()).toBe(before + 1);
});

test('the same survivor sent again from a new form is warned of by its case; ticked as another person, it opens', async () => {
  const fields = { identifiedOn: '2025-11-05', 'survivor.name': 'Twice Typed' };
  const first = String((await submit(fields, 303)).headers.location);
  const caseId = /\/cases\/([0-9a-f-]{36})/.exec(first)![1]!;
  const view = await request(suite.app).get(`/api/cases/${caseId}`).set(suite.stack.as('coordinator')).expect(200);
  const { reference } = view.body as { reference: string };

  // A form sent again after its answer was lost: a new form, a new key, the same survivor.
  const form = await openForm();
  const warned = await send(form, fields, 409);
  expect(summaryOf(warned.text)).toEqual({
    confirmNotDuplicate: `Possible duplicate: Your agency has an open case of this survivor, identified at the same moment (${reference}): confirm this is another person`,
  });
  expect(invalidFields(warned.text)).toEqual(['confirmNotDuplicate']);
  expect(warned.text).toContain('<label for="confirmNotDuplicate" class="inline">This is another person');
  expect(warned.text).toContain('value="Twice Typed"');

  const confirmed = await send(
    { hidden: hiddenFields(warned.text), cookies: form.cookies },
    { ...fields, confirmNotDuplicate: 'yes' },
    303,
  );
  expect(String(confirmed.headers.location)).not.toBe(first);
});

test('the form is not offered to a person who may not open cases: 403 in words, before a name is typed', async () => {
  const page = await request(suite.app).get('/cases/new').set('Cookie', sessionOf('demo-hhs-officer')).expect(403);
  expect(page.text).toContain('Cases are opened by an officer of a law-enforcement agency or a coordinator.');
  expect(page.text).not.toContain('name="survivor.name"');
});

test('the form sent by a person who may not open cases is answered 403 in words, without the form', async () => {
  // The page's CSRF token and cookie from a page they may open (the form itself is not offered them).
  const cookie = sessionOf('demo-hhs-officer');
  const page = await request(suite.app).get('/account').set('Cookie', cookie).expect(200);
  const sent = await send(
    { hidden: hiddenFields(page.text), cookies: [cookie, ...cookiesSetBy(page)] },
    { identifiedOn: '2025-11-03', reference: 'HHS-0001' },
  );
  expect(sent.status).toBe(403);
  expect(sent.text).toContain('Cases are opened by an officer of a law-enforcement agency or a coordinator.');
  expect(sent.text).not.toContain('name="survivor.name"');
  expect(sent.text).not.toContain('Form Person');
});

test("a fresh form chooses the person's own agency for its kind, also where another agency of that kind is registered", async () => {
  // Registered last in this file: the forms above find one agency of each kind.
  await request(suite.app)
    .post('/api/agencies')
    .set(suite.stack.users['demo-system-admin']!.headers)
    .send({ id: 'second-police', kind: 'law_enforcement', name: 'Second City Police (fictitious)' })
    .expect(201);
  const selected = (html: string) => [...html.matchAll(/<option value="([^"]+)" selected>/g)].map((match) => match[1]);
  // The police officer may open a case for their own agency only (another answers 403 wrong_agency): it was left
  // "Choose an agency" beside the other police, the officer to pick it among them.
  const officers = await request(suite.app).get('/cases/new').set('Cookie', sessionOf('demo-police-officer'));
  expect(selected(officers.text)).toContain(DEMO_AGENCIES.law_enforcement);
  expect(selected(officers.text)).not.toContain('second-police');
  // The coordinator's own agency, alone of its kind here, is chosen as before; of two police agencies, none.
  const coordinators = await request(suite.app).get('/cases/new').set('Cookie', sessionOf('demo-coordinator'));
  expect(selected(coordinators.text)).toContain(DEMO_AGENCIES.coordinator);
  expect(selected(coordinators.text)).not.toContain(DEMO_AGENCIES.law_enforcement);
  expect(selected(coordinators.text)).not.toContain('second-police');
});
