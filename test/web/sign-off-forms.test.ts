/**
 * Forms that guide (issue 18): the sign-off form offers only the outcomes the step's status allows, an issued interim
 * letter offers its extension as an action, a refused form says what to do in plain words (the GOV.UK error summary,
 * focused, linking to its field; the title "Error:"), and a sign-off is checked on its own page before it is made,
 * once however often it is confirmed. In Chromium, axe-clean in each state.
 */
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import request from 'supertest';
import { formatCalendarDay } from '../../core/people-dates';
import { DEMO_AGENCIES } from '../../db/seed';
import { expectAccessible } from '../support/axe';
import { consoleStackPerFile, daysAgo, errorSummaryFocused, signedInPage } from '../support/console';
import { eventually } from '../support/eventually';
import { CHROMIUM_PATH } from '../support/install-browser';

const service = consoleStackPerFile({}, { forBrowser: true });
const SCREENSHOT = join(__dirname, '../../docs/screenshots/sign-off-error.png');
const today = () => new Date().toISOString().slice(0, 10);
let browser: Browser;
let caseId = '';

beforeAll(async () => {
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox'] });
  const birthDate = `${Number(today().slice(0, 4)) - 16}-01-15`;
  const opened = await request(service.app)
    .post('/api/cases')
    .set(service.stack.as('law_enforcement'))
    .set('Idempotency-Key', 'sign-off-forms-1')
    .send({ agencies: DEMO_AGENCIES, identifiedOn: today(), survivor: { name: 'Form Guide (fictitious)', birthDate } });
  expect(opened.status).toBe(201);
  caseId = (opened.body as { caseId: string }).caseId;
});

afterAll(async () => {
  await browser?.close();
});

const pageAs = (username: string): Promise<Page> => signedInPage(browser, service, username);

const stepOf = async (stepId: string) => {
  const view = await request(service.app).get(`/api/cases/${caseId}`).set(service.stack.as('coordinator'));
  const steps = (view.body as { steps: { id: string; status: string; details: Record<string, unknown> }[] }).steps;
  return steps.find((step) => step.id === stepId || step.id.startsWith(`${stepId}-`));
};

test('a refused form says what to do, the answers are checked, and a double confirm signs once', async () => {
  const page = await pageAs('demo-police-officer');
  const form = `${service.base}/cases/${caseId}/steps/hhs_minor_notification-1`;
  await page.goto(form);
  expect(await page.locator('#details-notifiedOn-hint').textContent()).toBe('For example, 27 March 2027');
  // The note's and the document's hints say what happens to them in plain words.
  expect(await page.locator('#details-note-hint').textContent()).toBe(
    "stored encrypted; only people who may see the survivor's identity can read it",
  );
  expect(await page.locator('#document-hint').textContent()).toContain('It is stored encrypted;');

  // Cancel goes back to the case.
  await page.getByRole('link', { name: 'Cancel' }).click();
  await page.waitForURL(`${service.base}/cases/${caseId}`);

  // Nothing typed: one message at the top, focused, linking to the field; the same once by the field.
  await page.goto(form);
  await page.getByRole('button', { name: 'Continue' }).click();
  expect(await page.title()).toMatch(/^Error: /);
  const summary = page.getByRole('alert');
  expect(await errorSummaryFocused(page)).toBe(true);
  const link = summary.getByRole('link', { name: /Enter the date HHS was notified/ });
  expect(await link.getAttribute('href')).toBe('#details-notifiedOn');
  expect(await page.locator('#details-notifiedOn-error').textContent()).toBe('Enter the date HHS was notified');
  expect(await page.getByText('Enter the date HHS was notified').count()).toBe(2);
  expect(await page.locator('main').innerText()).not.toMatch(/expected|YYYY|details\./);
  await expectAccessible(page);
  await page.screenshot({ path: SCREENSHOT, fullPage: true });

  // Check your answers: the date in words, a Change button that keeps it (posted: no answer in a URL), then the
  // confirmation.
  await page.getByLabel('Notified on (required)').fill(today());
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('heading', { name: /^Check your answers/ }).waitFor();
  expect(await page.locator('dl.answers').textContent()).not.toContain(today());
  expect(await page.getByText('cannot be undone').count()).toBe(1);
  await expectAccessible(page);
  await page.getByRole('button', { name: 'Change your answers' }).click();
  expect(new URL(page.url()).search).toBe('');
  expect(await page.getByLabel('Notified on (required)').inputValue()).toBe(today());
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('heading', { name: /^Check your answers/ }).waitFor();
  expect((await stepOf('hhs_minor_notification-1'))?.status).toBe('pending');

  // The confirmation sent twice with its key (a double click): one sign-off, the second answered as the first.
  const fields = await page
    .locator('form input[type=hidden]')
    .evaluateAll((inputs) =>
      Object.fromEntries(inputs.map((input) => [(input as HTMLInputElement).name, (input as HTMLInputElement).value])),
    );
  const confirm = () => page.request.post(form, { form: fields, maxRedirects: 0, headers: { Origin: service.base } });
  const [first, second] = [await confirm(), await confirm()];
  expect([first.status(), second.status()]).toEqual([303, 303]);
  expect(second.headers().location).toContain('notice=signed-off');
  expect((await stepOf('hhs_minor_notification-1'))?.status).toBe('completed');
  await page.context().close();
});

test('a note far over its limit is refused by the note, in words, the date kept: never as a document problem', async () => {
  const page = await pageAs('demo-police-officer');
  await page.goto(`${service.base}/cases/${caseId}/steps/cp_request-1`);
  await page.getByLabel('Requested on (required)').fill(today());
  // Over the 16 KB the console reads of a field: its parser stops at the note, before the API could count it.
  await page.getByLabel('Note (optional)').fill('Ñ'.repeat(17_000));
  await page.getByRole('button', { name: 'Continue' }).click();
  expect(await errorSummaryFocused(page)).toBe(true);
  expect(await page.title()).toMatch(/^Error: /);
  const link = page.getByRole('alert').getByRole('link');
  expect(await link.allTextContents()).toEqual(['Note: The note must be 500 characters or fewer']);
  expect(await link.getAttribute('href')).toBe('#details-note');
  expect(await page.locator('#details-note-error').textContent()).toBe('The note must be 500 characters or fewer');
  expect(await page.locator('#document-error').count()).toBe(0);
  expect(await page.getByLabel('Requested on (required)').inputValue()).toBe(today());
  await expectAccessible(page);
  await page.context().close();
});

test('continuing without choosing an outcome says so, linked to the choice', async () => {
  const page = await pageAs('demo-police-officer');
  await page.goto(`${service.base}/cases/${caseId}/steps/le_declaration-1`);
  await page.getByRole('button', { name: 'Continue' }).click();
  expect(await page.title()).toMatch(/^Error: /);
  const link = page.getByRole('alert').getByRole('link', { name: /Choose an outcome|outcome/i });
  expect(await link.getAttribute('href')).toBe('#outcome');
  expect(await page.locator('#outcome').getAttribute('type')).toBe('radio');
  await expectAccessible(page);
  await page.context().close();
});

test('a radio and its label sit on one line', async () => {
  const page = await pageAs('demo-coordinator');
  await page.goto(`${service.base}/cases/${caseId}/close`);
  const radio = await page.getByRole('radio').first().boundingBox();
  const label = await page.locator('label.inline').first().boundingBox();
  expect(label!.x).toBeGreaterThan(radio!.x + radio!.width - 1);
  expect(Math.abs(radio!.y + radio!.height / 2 - (label!.y + label!.height / 2))).toBeLessThan(8);
  await page.context().close();
});

test('a pending interim letter offers only its settling outcomes; an issued one offers its extension', async () => {
  const page = await pageAs('demo-hhs-officer');
  const letter = await eventually(() => stepOf('hhs_interim_letter'), 'the interim letter opened by the notification');
  const form = `${service.base}/cases/${caseId}/steps/${letter.id}`;
  await page.goto(form);
  // The only outcome a pending letter takes; "Extended" is for an issued one.
  expect(await page.locator('#outcome option').allTextContents()).toEqual(['Issued']);
  await expectAccessible(page);

  await request(service.app)
    .post(`/api/cases/${caseId}/steps/${letter.id}/sign-off`)
    .set(service.stack.as('hhs'))
    .set('Idempotency-Key', 'sign-off-forms-interim')
    .send({ outcome: 'issued', details: { issuedOn: today() } })
    .expect(200);
  await page.goto(`${service.base}/cases/${caseId}`);
  await page.getByRole('link', { name: 'Extend the interim letter' }).click();
  await page.getByRole('heading', { name: /^Extend the interim letter/ }).waitFor();
  expect(await page.locator('#outcome option').allTextContents()).toEqual(['Extended']);
  await expectAccessible(page);
  // Ten days past the letter's current end: within what an extension may add.
  const current = String((await stepOf(letter.id))?.details.validUntil);
  const until = new Date(Date.parse(`${current}T00:00:00Z`) + 10 * 86_400_000).toISOString().slice(0, 10);
  await page.getByLabel(/^Valid until/).fill(until);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('button', { name: 'Confirm and sign off' }).click();
  // An extension is no sign-off from the inbox: it leads to the case, which shows it.
  await page.waitForURL((url) => url.searchParams.get('notice') === 'amended');
  expect((await stepOf(letter.id))?.details.validUntil).toBe(until);
  await page.context().close();
});

const ISO_INSTANT = /\d{4}-\d\d-\d\dT\d\d:/;
const ISO_DATE = /\b\d{4}-\d\d-\d\d\b/;
const STEP_ID = /\b[a-z_]+-\d+\b/;
/** What the page says, checked to carry no step id and no date as the API writes it. */
async function saidInWords(page: Page): Promise<string> {
  const text = await page.locator('main').innerText();
  expect({ iso: ISO_INSTANT.exec(text)?.[0], date: ISO_DATE.exec(text)?.[0], step: STEP_ID.exec(text)?.[0] }).toEqual({
    iso: undefined,
    date: undefined,
    step: undefined,
  });
  return text;
}

test('a step another window already signed: the refusal says so in words', async () => {
  const page = await pageAs('demo-police-officer');
  await page.goto(`${service.base}/cases/${caseId}/steps/cp_request-1`);
  await page.getByLabel('Requested on (required)').fill(today());
  await page.locator('#document').setInputFiles(LETTER);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('heading', { name: /^Check your answers/ }).waitFor();
  // Meanwhile, in another window, the step is signed.
  await request(service.app)
    .post(`/api/cases/${caseId}/steps/cp_request-1/sign-off`)
    .set(service.stack.as('law_enforcement'))
    .set('Idempotency-Key', 'sign-off-forms-other-window')
    .send({ outcome: 'requested', details: { requestedOn: today() } })
    .expect(200);
  await page.getByRole('button', { name: 'Confirm and sign off' }).click();
  expect(await page.title()).toMatch(/^Error: /);
  const summary = await page.getByRole('alert').innerText();
  expect(summary).toContain('This step is no longer waiting for a sign-off: it is completed.');
  // The letter added at the first send stays with the step, and the page says so.
  expect(await saidInWords(page)).toContain(
    'Already added to this step, and kept with it on the case page: letter.pdf',
  );
  await expectAccessible(page);
  await page.context().close();
});

test('a correction is offered only to who may make it, and one the later steps contradict is refused in words', async () => {
  const adultId = await grantedCase('correction-case');

  // A form that could only be refused is not offered: the supervisor signs nothing, a step not yet signed has nothing
  // to correct, and ICE does not even see the police's request.
  for (const [username, stepId, status] of [
    ['demo-supervisor', 'cp_request-1', 403],
    ['demo-police-officer', 'le_declaration-1', 403],
    ['demo-ice-officer', 'cp_request-1', 404],
  ] as const) {
    const other = await pageAs(username);
    const response = await other.goto(`${service.base}/cases/${adultId}/steps/${stepId}/correct`);
    expect([username, stepId, response?.status()]).toEqual([username, stepId, status]);
    if (status === 403) expect(await other.locator('main').textContent()).toContain('may correct a sign-off');
    await other.context().close();
  }

  // The request said to be made after ICE granted it: the API names the decision and both days.
  const page = await pageAs('demo-police-officer');
  await page.goto(`${service.base}/cases/${adultId}/steps/cp_request-1/correct`);
  await page.getByLabel('Requested on (required)').fill(daysAgo(1));
  await page.getByLabel('Why it is corrected (required)').fill('The date was typed wrong.');
  // Refused at "Continue", before the check page, as "Confirm" would refuse it (the API's preview of it).
  await page.getByRole('button', { name: 'Continue' }).click();
  expect(await page.title()).toMatch(/^Error: /);
  await saidInWords(page);
  // What to enter instead, by the field.
  expect(await page.locator('#details-requestedOn-error').textContent()).toBe(
    `The date it was requested must be on or before ${formatCalendarDay(daysAgo(3))}, when the Continued Presence ` +
      'decision that followed from it was signed',
  );
  await expectAccessible(page);
  await page.context().close();
});

/** A letter as a PDF, chosen on a sign-off form. */
const LETTER = { name: 'letter.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n% letter\n%%EOF\n') };

/**
 * An adult's case identified ten days ago, its CP requested five days ago and, unless `requestedOnly`, granted three
 * days ago (the grant opens the HHS request).
 */
async function grantedCase(key: string, requestedOnly = false): Promise<string> {
  const opened = await request(service.app)
    .post('/api/cases')
    .set(service.stack.as('law_enforcement'))
    .set('Idempotency-Key', `sign-off-forms-${key}`)
    .send({
      agencies: DEMO_AGENCIES,
      identifiedOn: daysAgo(10),
      // Each case its own survivor: the same name and birth date would be refused as a possible duplicate.
      survivor: { name: `Granted Case ${key} (fictitious)`, birthDate: '1991-03-04' },
    })
    .expect(201);
  const id = (opened.body as { caseId: string }).caseId;
  for (const [stepId, kind, body] of (
    [
      ['cp_request-1', 'law_enforcement', { outcome: 'requested', details: { requestedOn: daysAgo(5) } }],
      ['cp_decision-1', 'ice', { outcome: 'granted', details: { grantedOn: daysAgo(3) } }],
    ] as const
  ).slice(0, requestedOnly ? 1 : 2))
    await request(service.app)
      .post(`/api/cases/${id}/steps/${stepId}/sign-off`)
      .set(service.stack.as(kind))
      .set('Idempotency-Key', `sign-off-forms-${key}-${stepId}`)
      .send(body)
      .expect(200);
  return id;
}

test('a sign-off confirmed after a correction withdrew its step: refused on the form, with what was entered and its document', async () => {
  const id = await grantedCase('withdrawn-meanwhile');
  const page = await pageAs('demo-advocate');
  const form = `${service.base}/cases/${id}/steps/hhs_certification_request-1`;
  await eventually(async () => (await page.goto(form))?.ok() || undefined, 'the certification request opened');
  await page.getByLabel('Requested on (required)').fill(daysAgo(1));
  await page.getByLabel('Note (optional)').fill('Sent by courier.');
  await page.locator('#document').setInputFiles(LETTER);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByText('letter.pdf (already added to the step)').waitFor();
  // Meanwhile the coordinator corrects ICE's grant to a denial, which withdraws the certification request (ICE does not
  // correct a grant, which opens steps it is not told of: probe Q1).
  await request(service.app)
    .post(`/api/cases/${id}/steps/cp_decision-1/corrections`)
    .set(service.stack.as('coordinator'))
    .set('Idempotency-Key', 'sign-off-forms-withdrawn-meanwhile-deny')
    .send({ outcome: 'denied', details: { reason: 'not_potential_witness' }, reason: 'entered on the wrong case' })
    .expect(200);
  await page.getByRole('button', { name: 'Confirm and sign off' }).click();
  expect(await page.title()).toMatch(/^Error: /);
  expect(await errorSummaryFocused(page)).toBe(true);
  expect(await page.getByRole('alert').innerText()).toContain('This step was withdrawn');
  const text = await saidInWords(page);
  expect(text).toContain(`Requested on\n${formatCalendarDay(daysAgo(1))}`);
  expect(text).toContain('Sent by courier.');
  expect(text).toContain('under “Documents of steps a correction withdrew”');
  expect(text).toContain('letter.pdf');
  expect(await page.getByRole('link', { name: 'Back to the case' }).getAttribute('href')).toBe(`/cases/${id}`);
  await expectAccessible(page);
  await page.context().close();
});

test('a date before another of the form is refused at the first send, saying what to enter, in words', async () => {
  const id = await grantedCase('date-order', true);
  const page = await pageAs('demo-ice-officer');
  await page.goto(`${service.base}/cases/${id}/steps/cp_decision-1?outcome=granted`);
  await page.getByLabel('Granted on (optional)').fill(daysAgo(2));
  await page.getByLabel('Valid until (optional)').fill(daysAgo(4));
  await page.locator('#document').setInputFiles(LETTER);
  await page.getByRole('button', { name: 'Continue' }).click();
  // The domain's rule, judged by the API's preview of the sign-off: the form again, never the check page.
  expect(await errorSummaryFocused(page)).toBe(true);
  expect(await page.getByRole('heading', { name: /^Check your answers/ }).count()).toBe(0);
  const said = `The date it is valid until must be on or after ${formatCalendarDay(daysAgo(2))}`;
  expect(await page.locator('#details-validUntil-error').textContent()).toBe(said);
  expect(await page.getByRole('alert').innerText()).toContain(said);
  expect(await page.getByLabel('Valid until (optional)').inputValue()).toBe(daysAgo(4));
  await saidInWords(page);
  // Refused before anything was added: the letter is not on the step, and the file field says to choose it again.
  expect(await page.locator('#document-hint').textContent()).toContain('Choose it again');
  await page.context().close();
});

test('a date after today is refused at the first send, for a reader who does not see the identification too', async () => {
  const id = await grantedCase('future-date', true);
  const page = await pageAs('demo-ice-officer');
  await page.goto(`${service.base}/cases/${id}/steps/cp_decision-1?outcome=granted`);
  await page.getByLabel('Granted on (optional)').fill(daysAgo(-30));
  await page.getByRole('button', { name: 'Continue' }).click();
  expect(await errorSummaryFocused(page)).toBe(true);
  expect(await page.getByRole('heading', { name: /^Check your answers/ }).count()).toBe(0);
  expect(await page.locator('#details-grantedOn-error').textContent()).toBe('The date must be on or before today');
  expect(await page.getByLabel('Granted on (optional)').inputValue()).toBe(daysAgo(-30));
  await page.context().close();
});

test('a sign-off breaking two rules at once is refused with both, each at its field, at the first send', async () => {
  const id = await grantedCase('two-rules', true);
  const page = await pageAs('demo-ice-officer');
  await page.goto(`${service.base}/cases/${id}/steps/cp_decision-1?outcome=granted`);
  // Granted in three days (after today), valid until tomorrow (before it was granted): two rules, two fields.
  await page.getByLabel('Granted on (optional)').fill(daysAgo(-3));
  await page.getByLabel('Valid until (optional)').fill(daysAgo(-1));
  await page.getByRole('button', { name: 'Continue' }).click();
  expect(await errorSummaryFocused(page)).toBe(true);
  expect(await page.getByRole('heading', { name: /^Check your answers/ }).count()).toBe(0);
  const grantedOn = 'The date must be on or before today';
  const validUntil = `The date it is valid until must be on or after ${formatCalendarDay(daysAgo(-3))}`;
  expect(await page.locator('#details-grantedOn-error').textContent()).toBe(grantedOn);
  expect(await page.locator('#details-validUntil-error').textContent()).toBe(validUntil);
  const summary = await page.getByRole('alert').innerText();
  expect([summary.includes(grantedOn), summary.includes(validUntil)]).toEqual([true, true]);
  await saidInWords(page);
  await page.context().close();
});

test('a correction is refused at its first send as "Confirm" would refuse it: a date before the step opened, no change', async () => {
  const id = await grantedCase('correction-first-send', true);
  const page = await pageAs('demo-police-officer');
  const form = `${service.base}/cases/${id}/steps/cp_request-1/correct`;
  await page.goto(form);
  await page.getByLabel('Requested on (required)').fill(daysAgo(11));
  await page.getByLabel('Why it is corrected (required)').fill('The date was typed wrong.');
  await page.getByRole('button', { name: 'Continue' }).click();
  expect(await errorSummaryFocused(page)).toBe(true);
  expect(await page.getByRole('heading', { name: /^Check your answers/ }).count()).toBe(0);
  expect(await page.locator('#details-requestedOn-error').textContent()).toBe(
    `The date must be on or after ${formatCalendarDay(daysAgo(10))}, the day the step opened`,
  );

  // Prefilled with what the step records, and sent so: nothing to correct, said with what to change.
  await page.goto(form);
  await page.getByLabel('Why it is corrected (required)').fill('Checked again.');
  await page.getByRole('button', { name: 'Continue' }).click();
  expect(await errorSummaryFocused(page)).toBe(true);
  expect(await page.getByRole('heading', { name: /^Check your answers/ }).count()).toBe(0);
  expect(await page.getByRole('alert').innerText()).toContain(
    'The correction changes nothing: change a date, a detail or the outcome',
  );
  expect(await page.getByLabel('Why it is corrected (required)').inputValue()).toBe('Checked again.');
  await saidInWords(page);
  await expectAccessible(page);
  await page.context().close();
});
