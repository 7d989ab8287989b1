/**
 * Correcting the survivor's details in the console: the case page shows every field of the identity to those working
 * the case, with "Correct the survivor’s details"; the form, prefilled, corrects through the API, says a refused value
 * in words and keeps what was typed, and the case page then names the fields that changed; the new name is found by
 * name. A supervisor, who reads no identity, gets neither the link nor the form. Two people correcting at once: the
 * form sends only what was changed, and a field someone else changed meanwhile is not overwritten but said by the
 * field. No value in a URL or a title. In Chromium, axe-clean in each state; the whole service on real parts.
 */
import { chromium, type Browser, type Page } from 'playwright-core';
import request from 'supertest';
import { DEMO_AGENCIES } from '../../db/seed';
import { expectAccessible } from '../support/axe';
import { consoleStackPerFile, signedInPage } from '../support/console';
import { CHROMIUM_PATH } from '../support/install-browser';

const service = consoleStackPerFile({}, { forBrowser: true });
const NAME = 'Ana Mendes (fictitious)';
const NEW_NAME = 'Ana Méndez Ruiz (fictitious)';
const CONTACT = 'Phone 555-0100 via the shelter';
let browser: Browser;
let caseId = '';
let reference = '';

/** A case opened by the police for this survivor, through the API. */
async function openCase(
  key: string,
  survivor: Record<string, string>,
  caseReference?: string,
): Promise<{ caseId: string; reference: string }> {
  const opened = await request(service.app)
    .post('/api/cases')
    .set(service.stack.as('law_enforcement'))
    .set('Idempotency-Key', key)
    .send({ agencies: DEMO_AGENCIES, identifiedOn: '2025-11-03', survivor, reference: caseReference });
  expect(opened.status).toBe(201);
  return opened.body as { caseId: string; reference: string };
}

beforeAll(async () => {
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox'] });
  ({ caseId, reference } = await openCase('survivor-correction-1', {
    name: NAME,
    birthDate: '1990-04-12',
    preferredLanguage: 'pt-BR',
  }));
});

afterAll(async () => {
  await browser?.close();
});

const pageAs = (username: string): Promise<Page> => signedInPage(browser, service, username);

/** The Survivor section's facts, label → value. */
const survivorFacts = async (page: Page) =>
  Object.fromEntries(
    await page
      .locator('section[aria-labelledby="survivor-heading"] dl dt')
      .evaluateAll((terms) => terms.map((term) => [term.textContent, term.nextElementSibling?.textContent])),
  ) as Record<string, string>;

test('an advocate corrects the name and contact; a refused value is said in words, what was typed kept', async () => {
  const page = await pageAs('demo-advocate');
  const casePage = await page.goto(`${service.base}/cases/${caseId}`);
  expect(casePage?.headers()['cache-control']).toBe('no-store');
  expect(await survivorFacts(page)).toEqual({
    Name: NAME,
    'Birth date': '12 Apr 1990',
    'A-number': 'Not recorded',
    Contact: 'Not recorded',
    'Preferred language': 'Portuguese (Brazil)',
  });
  await expectAccessible(page);

  await page.getByRole('link', { name: 'Correct the survivor’s details' }).click();
  await page.waitForURL(`${service.base}/cases/${caseId}/survivor`);
  expect(await page.title()).toBe(`Correct the survivor’s details, case ${reference} · Relief cases console`);
  expect(await page.getByLabel('Name', { exact: true }).inputValue()).toBe(NAME);
  // A tag not in the list: "Other language", with its code.
  expect(await page.locator('#preferredLanguage').inputValue()).toBe('other');
  expect(await page.locator('#preferredLanguageOther').inputValue()).toBe('pt-BR');
  expect(await page.getByText('The birth date cannot be corrected').count()).toBe(1);
  await expectAccessible(page);

  // Refused: a name with no letter, an A-number of the wrong form. Said in words, linked, and what was typed kept.
  await page.getByLabel('Name', { exact: true }).fill('12345');
  await page.getByLabel('A-number (optional)').fill('A12-34');
  await page.getByLabel('Contact (optional)').fill(CONTACT);
  await page.getByRole('button', { name: 'Save the corrections' }).click();
  const summary = page.getByRole('alert');
  await summary.waitFor();
  expect(await page.title()).toMatch(/^Error: Correct the survivor’s details/);
  expect(await summary.getByRole('link').allTextContents()).toEqual([
    'Name: The name must have at least one letter',
    'A-number: An A-number is 8 or 9 digits, with or without an A before them, run together or set apart in threes as USCIS prints it (A123-456-789)',
  ]);
  expect(await page.locator('#name-error').textContent()).toBe('The name must have at least one letter');
  expect(await page.locator('main').innerText()).not.toMatch(/expected|aNumber/);
  expect(await page.getByLabel('Name', { exact: true }).inputValue()).toBe('12345');
  expect(await page.getByLabel('A-number (optional)').inputValue()).toBe('A12-34');
  expect(await page.getByLabel('Contact (optional)').inputValue()).toBe(CONTACT);
  expect(new URL(page.url()).search).toBe('');
  await expectAccessible(page);

  // A language code that is none, under "Other language".
  await page.getByLabel('Name', { exact: true }).fill(NEW_NAME);
  await page.getByLabel('A-number (optional)').fill('');
  await page.locator('#preferredLanguageOther').fill('Portuguese');
  await page.getByRole('button', { name: 'Save the corrections' }).click();
  expect(await page.locator('#preferredLanguageOther-error').textContent()).toBe(
    'Enter a language code such as ht, pt-BR or zh-Hant, or choose the language from the list',
  );
  expect(await page.getByLabel('Name', { exact: true }).inputValue()).toBe(NEW_NAME);

  // Corrected: the case page says which fields changed, and shows them; no value in the address.
  await page.locator('#preferredLanguageOther').fill('pt-BR');
  await page.getByRole('button', { name: 'Save the corrections' }).click();
  await page.waitForURL(new RegExp(`/cases/${caseId}\\?`));
  expect(await page.getByRole('status').textContent()).toBe('Name and contact corrected. Earlier versions are kept.');
  // The path and query only, without the case's id: the test server's random port and the random id may hold '555'.
  const { pathname, search } = new URL(page.url());
  expect(decodeURIComponent(pathname.replace(caseId, '<case>') + search)).not.toMatch(/Ana|Phone|555/);
  expect(await page.title()).not.toMatch(/Ana|Phone/);
  expect(await survivorFacts(page)).toMatchObject({ Name: NEW_NAME, Contact: CONTACT });
  await expectAccessible(page);

  // The same again changes nothing, and says so; a language chosen from the list is named.
  await page.goto(`${service.base}/cases/${caseId}/survivor`);
  await page.getByRole('button', { name: 'Save the corrections' }).click();
  expect(await page.getByRole('status').textContent()).toMatch(/^Nothing changed/);
  await page.goto(`${service.base}/cases/${caseId}/survivor`);
  await page.locator('#preferredLanguage').selectOption({ label: 'Spanish' });
  await page.getByRole('button', { name: 'Save the corrections' }).click();
  expect(await page.getByRole('status').textContent()).toBe('Preferred language corrected. Earlier versions are kept.');
  expect((await survivorFacts(page))['Preferred language']).toBe('Spanish');

  // "Find by name" finds the case by its new name, and no longer by the old one (each search from the caseload, whose
  // own list may show the case: the results are read once the posted search has answered).
  const findByName = async (name: string) => {
    await page.goto(`${service.base}/cases`);
    await page.getByLabel("Survivor's name, or some of its words").fill(name);
    await page.getByRole('button', { name: 'Search by name' }).click();
    await page.waitForURL(`${service.base}/cases/by-name`);
    return page.getByRole('link', { name: reference }).count();
  };
  expect(await findByName('méndez ruiz')).toBe(1);
  expect(await findByName('Mendes')).toBe(0);
  await page.context().close();
});

test('the earlier versions say when, by whom and what changed, with the details as they were', async () => {
  const page = await pageAs('demo-coordinator');
  await page.goto(`${service.base}/cases/${caseId}`);
  await page.getByRole('link', { name: 'Earlier versions of the survivor’s details' }).click();
  await page.waitForURL(`${service.base}/cases/${caseId}/survivor/revisions`);
  expect(await page.title()).toBe(
    `Earlier versions of the survivor’s details, case ${reference} · Relief cases console`,
  );
  // When, to the minute: two corrections of one day tell apart.
  expect(await page.locator('tbody tr th').first().textContent()).toMatch(/^\d{1,2} \w{3} \d{4}, \d\d:\d\d /);
  const rows = await page
    .locator('tbody tr')
    .evaluateAll((trs) => trs.map((tr) => [...tr.children].slice(1).map((cell) => cell.textContent)));
  // Newest first: the language (Portuguese (Brazil) before), then the name and contact, by the advocate.
  const by = 'Demo Attorney (fictitious), Demo Survivor Legal Advocates (fictitious)';
  expect(rows).toEqual([
    [by, 'Preferred language', NEW_NAME, 'Not recorded', CONTACT, 'Portuguese (Brazil)'],
    [by, 'Name and contact', NAME, 'Not recorded', 'Not recorded', 'Portuguese (Brazil)'],
  ]);
  await expectAccessible(page);
  await page.context().close();
});

test('a supervisor, who reads no identity, gets no link and a 403 page on the form', async () => {
  const page = await pageAs('demo-supervisor');
  await page.goto(`${service.base}/cases/${caseId}`);
  expect(await page.locator('#survivor-heading').count()).toBe(0);
  expect(await page.getByRole('link', { name: /survivor’s details/ }).count()).toBe(0);
  const form = await page.goto(`${service.base}/cases/${caseId}/survivor`);
  expect(form?.status()).toBe(403);
  expect(await page.locator('main').innerText()).not.toContain('Ana');
  await expectAccessible(page);
  const revisions = await page.goto(`${service.base}/cases/${caseId}/survivor/revisions`);
  expect(revisions?.status()).toBe(403);
  expect(await page.locator('main').innerText()).not.toContain('Ana');
  await page.context().close();
});

describe('two people correcting the details at once', () => {
  const OLD_CONTACT = 'Old phone 312-555-0111';
  const SAFE_CONTACT = 'SAFE: shelter line only, 312-555-0199';
  let otherCaseId = '';
  beforeAll(async () => {
    const survivor = { name: 'Rosa Lima (fictitious)', birthDate: '1991-02-03', contact: OLD_CONTACT };
    otherCaseId = (await openCase('survivor-correction-2', survivor)).caseId;
  });

  /** The form of the case's survivor, opened as `username`. */
  const formAs = async (username: string) => {
    const page = await pageAs(username);
    await page.goto(`${service.base}/cases/${otherCaseId}/survivor`);
    return page;
  };
  const save = (page: Page) => page.getByRole('button', { name: 'Save the corrections' }).click();

  test("a correction of one field keeps another's correction of another, made while the form was open", async () => {
    // The officer opens the form; the coordinator, meanwhile, changes the contact to a safe line.
    const officer = await formAs('demo-police-officer');
    expect(await officer.getByLabel('Contact (optional)').inputValue()).toBe(OLD_CONTACT);
    const coordinator = await formAs('demo-coordinator');
    await coordinator.getByLabel('Contact (optional)').fill(SAFE_CONTACT);
    await save(coordinator);
    await coordinator.waitForURL(new RegExp(`/cases/${otherCaseId}\\?`));
    await coordinator.context().close();

    // The officer, whose form still shows the old contact, changes only the A-number: the safe line stays.
    await officer.getByLabel('A-number (optional)').fill('A123-456-789');
    await save(officer);
    await officer.waitForURL(new RegExp(`/cases/${otherCaseId}\\?`));
    expect(await officer.getByRole('status').textContent()).toBe('A-number corrected. Earlier versions are kept.');
    expect(await survivorFacts(officer)).toMatchObject({ 'A-number': 'A123456789', Contact: SAFE_CONTACT });
    await officer.context().close();
  });

  test('a field someone else changed meanwhile is not overwritten: the form says so by it, the answers kept', async () => {
    const advocate = await formAs('demo-advocate');
    // Meanwhile the coordinator changes the contact and the language.
    const coordinator = await formAs('demo-coordinator');
    await coordinator.getByLabel('Contact (optional)').fill('SAFE: text only, 312-555-0142');
    await coordinator.locator('#preferredLanguage').selectOption({ label: 'Spanish' });
    await save(coordinator);
    await coordinator.waitForURL(new RegExp(`/cases/${otherCaseId}\\?`));
    await coordinator.context().close();

    // The advocate changes the contact too, back to a number the survivor no longer uses, and the name.
    await advocate.getByLabel('Contact (optional)').fill(OLD_CONTACT);
    await advocate.getByLabel('Name', { exact: true }).fill('Rosa Lima Souza (fictitious)');
    await save(advocate);
    const summary = advocate.getByRole('alert');
    await summary.waitFor();
    expect(await advocate.title()).toMatch(/^Error: Correct the survivor’s details/);
    expect(await summary.locator('p').textContent()).toMatch(/^Nothing was saved: someone else corrected/);
    expect(await advocate.locator('#contact-error').textContent()).toBe(
      'Someone else changed this after you opened the form: it is now “SAFE: text only, 312-555-0142”. ' +
        'Check your answer: saving again replaces it.',
    );
    // The advocate's answers kept; the language, which they did not touch, shown as it now is.
    expect(await advocate.getByLabel('Contact (optional)').inputValue()).toBe(OLD_CONTACT);
    expect(await advocate.getByLabel('Name', { exact: true }).inputValue()).toBe('Rosa Lima Souza (fictitious)');
    expect(await advocate.locator('#preferredLanguage').inputValue()).toBe('es');
    expect(new URL(advocate.url()).search).toBe('');
    await expectAccessible(advocate);
    const facts = await request(service.app)
      .get(`/api/cases/${otherCaseId}/survivor`)
      .set(service.stack.as('law_enforcement'))
      .expect(200);
    expect(facts.body).toMatchObject({ name: 'Rosa Lima (fictitious)', contact: 'SAFE: text only, 312-555-0142' });

    // Having seen it, the advocate keeps their answer: saved, the language the coordinator chose kept.
    await advocate.getByLabel('Contact (optional)').fill('Shelter office, 312-555-0100');
    await save(advocate);
    await advocate.waitForURL(new RegExp(`/cases/${otherCaseId}\\?`));
    expect(await advocate.getByRole('status').textContent()).toBe(
      'Name and contact corrected. Earlier versions are kept.',
    );
    expect(await survivorFacts(advocate)).toMatchObject({
      Name: 'Rosa Lima Souza (fictitious)',
      Contact: 'Shelter office, 312-555-0100',
      'Preferred language': 'Spanish',
    });
    await advocate.context().close();
  });
});

test('a name the case reference holds a word of is refused; another agency ticks “Assign a new case reference” (probe T5)', async () => {
  const opened = await openCase(
    'survivor-correction-3',
    { name: 'Probe Dieciseis (fictitious)', birthDate: '1990-04-12' },
    'KAI-0016',
  );
  const page = await pageAs('demo-advocate');
  await page.goto(`${service.base}/cases/${opened.caseId}/survivor`);
  // The reference is the police's case number: the advocate may only ask for one assigned.
  expect(await page.getByLabel('New case reference (optional)').count()).toBe(0);
  const assign = page.getByLabel('Assign a new case reference');
  expect(await assign.isChecked()).toBe(false);
  await page.getByLabel('Name', { exact: true }).fill('Kai Probe Dieciseis (fictitious)');
  await page.getByRole('button', { name: 'Save the corrections' }).click();
  const summary = page.getByRole('alert');
  await summary.waitFor();
  expect(await summary.getByRole('link').allTextContents()).toEqual([
    'Assign a new case reference: The case’s reference must not hold a word of the survivor’s name: tick “Assign a new case reference” to give the case one that says nothing of them',
  ]);
  expect(await page.getByLabel('Name', { exact: true }).inputValue()).toBe('Kai Probe Dieciseis (fictitious)');
  await expectAccessible(page);

  await page.getByLabel('Assign a new case reference').check();
  await page.getByRole('button', { name: 'Save the corrections' }).click();
  await page.waitForURL(new RegExp(`/cases/${opened.caseId}\\?`));
  expect(await page.getByRole('status').textContent()).toBe('Name corrected. Earlier versions are kept.');
  expect(await page.title()).toMatch(/RC-\d{4}-[0-9A-F]{8}/);
  expect(await page.locator('main').innerText()).not.toContain('KAI-0016');
  await page.context().close();
});

test('the police, who opened the case, type their own case number or tick the box; not both', async () => {
  const opened = await openCase(
    'survivor-correction-4',
    { name: 'Probe Diecisiete (fictitious)', birthDate: '1990-04-12' },
    'NOE-0017',
  );
  const page = await pageAs('demo-police-officer');
  await page.goto(`${service.base}/cases/${opened.caseId}/survivor`);
  await page.getByLabel('Name', { exact: true }).fill('Noe Probe Diecisiete (fictitious)');
  await page.getByLabel('New case reference (optional)').fill('TF-2026-0117');
  await page.getByLabel('Assign a new case reference').check();
  await page.getByRole('button', { name: 'Save the corrections' }).click();
  await page.getByRole('alert').waitFor();
  expect(await page.locator('#assignReference-error').textContent()).toBe(
    'Enter your agency’s case number or tick “Assign a new case reference”, not both',
  );
  await expectAccessible(page);

  await page.getByLabel('Assign a new case reference').uncheck();
  await page.getByRole('button', { name: 'Save the corrections' }).click();
  await page.waitForURL(new RegExp(`/cases/${opened.caseId}\\?`));
  expect(await page.title()).toMatch(/TF-2026-0117/);
  expect(await page.locator('main').innerText()).not.toContain('NOE-0017');
  await page.context().close();
});

test('a new A-number the new case reference holds is refused by the reference, in words that do not repeat it (probe D5)', async () => {
  const opened = await openCase(
    'survivor-correction-d5',
    { name: 'Probe Dieciocho (fictitious)', birthDate: '1990-04-12', aNumber: 'A123456789' },
    'PD-D5-0018',
  );
  const page = await pageAs('demo-police-officer');
  await page.goto(`${service.base}/cases/${opened.caseId}/survivor`);
  await page.getByLabel('A-number (optional)').fill('A987654321');
  await page.getByLabel('New case reference (optional)').fill('A987654321');
  await page.getByRole('button', { name: 'Save the corrections' }).click();
  const summary = page.getByRole('alert');
  await summary.waitFor();
  expect(await summary.getByRole('link').allTextContents()).toEqual([
    'New case reference: The new case reference must not hold the survivor’s A-number: enter your agency’s case number for the case instead, or tick “Assign a new case reference”',
  ]);
  expect(await page.getByLabel('A-number (optional)').inputValue()).toBe('A987654321');
  const facts = await request(service.app)
    .get(`/api/cases/${opened.caseId}/survivor`)
    .set(service.stack.as('law_enforcement'))
    .expect(200);
  expect(facts.body).toMatchObject({ aNumber: 'A123456789', corrections: 0 });
  await page.context().close();
});

test('every problem of the form is said at once, "Other language" with no code among them; nothing is saved', async () => {
  const opened = await openCase('survivor-correction-5', {
    name: 'Probe Dieciocho (fictitious)',
    birthDate: '1991-02-03',
  });
  const page = await pageAs('demo-coordinator');
  await page.goto(`${service.base}/cases/${opened.caseId}/survivor`);
  await page.getByLabel('Name', { exact: true }).fill('');
  await page.getByLabel('A-number (optional)').fill('12');
  await page.locator('#preferredLanguage').selectOption('other');
  await page.locator('#preferredLanguageOther').fill('');
  await page.getByRole('button', { name: 'Save the corrections' }).click();
  const summary = page.getByRole('alert');
  await summary.waitFor();
  expect(await summary.getByRole('link').allTextContents()).toEqual([
    'Name: Enter the survivor’s name',
    'A-number: An A-number is 8 or 9 digits, with or without an A before them, run together or set apart in threes as USCIS prints it (A123-456-789)',
    'Code of the other language: Enter the language’s code',
  ]);
  expect(await page.locator('#name-error').textContent()).toBe('Enter the survivor’s name');
  expect(await page.getByLabel('A-number (optional)').inputValue()).toBe('12');
  await expectAccessible(page);
  const survivor = await request(service.app)
    .get(`/api/cases/${opened.caseId}/survivor`)
    .set(service.stack.as('coordinator'))
    .expect(200);
  expect(survivor.body).toMatchObject({ name: 'Probe Dieciocho (fictitious)', corrections: 0 });
  await page.context().close();
});

test('a code typed with a listed language, or with none, is refused by its field, not dropped (probe P6)', async () => {
  const opened = await openCase('survivor-correction-6', {
    name: 'Probe Diecinueve (fictitious)',
    birthDate: '1992-03-04',
  });
  const page = await pageAs('demo-coordinator');
  await page.goto(`${service.base}/cases/${opened.caseId}/survivor`);
  // The hint says a code, not a name, with the form's examples.
  expect(await page.locator('#preferredLanguageOther-hint').textContent()).toMatch(/short code, not its name.*pt-BR/);
  // "Not recorded" left as it was, then a listed language: each time the code typed is refused, and kept.
  for (const choice of ['', 'es']) {
    await page.locator('#preferredLanguage').selectOption(choice);
    await page.locator('#preferredLanguageOther').fill('tlh');
    await page.getByRole('button', { name: 'Save the corrections' }).click();
    const summary = page.getByRole('alert');
    await summary.waitFor();
    expect(await summary.getByRole('link').allTextContents()).toEqual([
      'Code of the other language: Choose “Other language” in the list to record this code, or clear it',
    ]);
    expect(await page.locator('#preferredLanguageOther').inputValue()).toBe('tlh');
    expect(await page.locator('#preferredLanguage').inputValue()).toBe(choice);
  }
  await expectAccessible(page);
  const survivor = await request(service.app)
    .get(`/api/cases/${opened.caseId}/survivor`)
    .set(service.stack.as('coordinator'))
    .expect(200);
  expect(survivor.body).toMatchObject({ corrections: 0 });
  expect(survivor.body).not.toHaveProperty('preferredLanguage');
  // "Other language" chosen, the code is recorded.
  await page.locator('#preferredLanguage').selectOption('other');
  await page.getByRole('button', { name: 'Save the corrections' }).click();
  await page.waitForURL(new RegExp(`/cases/${opened.caseId}\\?`));
  expect(await page.getByRole('status').textContent()).toBe('Preferred language corrected. Earlier versions are kept.');
  await page.context().close();
});
