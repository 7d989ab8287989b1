/**
 * Adding a document to a step already signed, in the console (the API took one, the console offered no way): the
 * case page and the signed step's page lead to the step's documents page, whose form adds a file and lists it; a
 * refusal (the type, the size) comes back on the form in words beside the file input, nothing added; the form is
 * offered to whoever the API lets add one (the step's agency, the coordinator), a supervisor is told who may. In
 * Chromium, axe-clean; nothing the API writes (an id, an ISO day or instant) shown.
 */
import { chromium, type Browser, type Page } from 'playwright-core';
import request from 'supertest';
import { DEMO_AGENCY_LIST } from '../../db/seed';
import { SESSION_COOKIE } from '../../web/session';
import { expectAccessible } from '../support/axe';
import {
  consoleStackPerFile,
  errorSummaryFocused,
  openDemoCase,
  requestContinuedPresence,
  signedInPage,
} from '../support/console';
import { CHROMIUM_PATH } from '../support/install-browser';

const service = consoleStackPerFile({}, { forBrowser: true });
const dayBefore = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);
const RECEIPT = {
  name: 'cp-receipt.pdf',
  mimeType: 'application/pdf',
  buffer: Buffer.from('%PDF-1.4\n% receipt\n%%EOF\n'),
};
const ISO = /\b\d{4}-\d\d-\d\d\b|\d{4}-\d\d-\d\dT\d\d:/;
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
const STEP_ID = /\b[a-z_]+-\d+\b/;
let browser: Browser;
let caseId = '';

beforeAll(async () => {
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox'] });
  caseId = (await openDemoCase(service, 'step-documents-1', { identifiedOn: dayBefore(3), name: 'Later Receipt' }))
    .caseId;
  await requestContinuedPresence(service, caseId, 'step-documents-sign-1', dayBefore(2));
});

afterAll(async () => {
  await browser?.close();
});

const pageAs = (username: string): Promise<Page> => signedInPage(browser, service, username);

/** The page's main text, checked to show no id and no day as the API writes it. */
async function saidInWords(page: Page): Promise<string> {
  const text = await page.locator('main').innerText();
  expect({ iso: ISO.exec(text)?.[0], id: UUID.exec(text)?.[0], step: STEP_ID.exec(text)?.[0] }).toEqual({
    iso: undefined,
    id: undefined,
    step: undefined,
  });
  return text;
}

const documentsOfStep = async () => {
  const listed = await request(service.app)
    .get(`/api/cases/${caseId}/steps/cp_request-1/documents`)
    .set(service.stack.as('law_enforcement'))
    .expect(200);
  return (listed.body as { items: { fileName?: string }[] }).items.map((item) => item.fileName);
};

test('the police add a receipt to the CP request they signed: from the case page, listed on the step after', async () => {
  const page = await pageAs('demo-police-officer');
  await page.goto(`${service.base}/cases/${caseId}`);
  await page.getByRole('link', { name: 'Add a document to Continued Presence request' }).click();
  await page.getByRole('heading', { name: 'Documents: Continued Presence request' }).waitFor();
  expect(await saidInWords(page)).toContain('No document yet.');
  await expectAccessible(page);

  await page.getByLabel('Document that proves the step').setInputFiles(RECEIPT);
  await page.getByRole('button', { name: 'Add the document' }).click();
  await page.getByRole('status').waitFor();
  expect(await page.getByRole('status').innerText()).toBe('The document was added to the step: it is listed below.');
  const said = await saidInWords(page);
  expect(said).toMatch(/cp-receipt\.pdf \(PDF, 1 KB\), added .+ by /);
  expect(await page.getByRole('link', { name: 'cp-receipt.pdf', exact: true }).count()).toBe(1);
  await expectAccessible(page);
  expect(await documentsOfStep()).toEqual(['cp-receipt.pdf']);

  // The same file again (a double submit) is the one document already there, said so.
  await page.getByLabel('Document that proves the step').setInputFiles(RECEIPT);
  await page.getByRole('button', { name: 'Add the document' }).click();
  await page.getByText('This file was on the step already').waitFor();
  expect(await documentsOfStep()).toEqual(['cp-receipt.pdf']);

  // The case page lists it with the step too.
  await page.getByRole('link', { name: 'Back to the case' }).click();
  expect(await page.getByRole('link', { name: 'cp-receipt.pdf', exact: true }).count()).toBe(1);
  await page.context().close();
});

test("the signed step's own page leads to the form", async () => {
  const page = await pageAs('demo-police-officer');
  await page.goto(`${service.base}/cases/${caseId}/steps/cp_request-1`);
  expect(await page.locator('main').innerText()).toContain('This step cannot be signed now: it is completed.');
  await page.getByRole('link', { name: 'Add a document to this step' }).click();
  await page.getByRole('heading', { name: 'Documents: Continued Presence request' }).waitFor();
  await page.context().close();
});

test('a file of another type, or over 10 MB, is refused beside the file input in words, nothing added', async () => {
  const page = await pageAs('demo-police-officer');
  await page.goto(`${service.base}/cases/${caseId}/steps/cp_request-1/documents`);
  const before = await documentsOfStep();
  for (const [file, said] of [
    [
      { name: 'receipt.pdf', mimeType: 'application/pdf', buffer: Buffer.from('<html>not a PDF</html>') },
      /^The document must be a PDF, PNG or JPEG/,
    ],
    [
      {
        name: 'scan.pdf',
        mimeType: 'application/pdf',
        buffer: Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(10 * 1024 * 1024 + 1)]),
      },
      /^The document must be at most 10 MB/,
    ],
  ] as const) {
    await page.getByLabel('Document that proves the step').setInputFiles(file);
    await page.getByRole('button', { name: 'Add the document' }).click();
    expect(await errorSummaryFocused(page)).toBe(true);
    expect(await page.title()).toMatch(/^Error: Documents: Continued Presence request/);
    expect(await page.locator('#document-error').textContent()).toMatch(said);
    expect(await page.getByRole('alert').innerText()).toMatch(new RegExp(`Document: ${said.source.slice(1)}`));
    expect(await page.locator('#document-hint').textContent()).toContain('Choose the file again: it was not added.');
    await saidInWords(page);
    await expectAccessible(page);
  }
  // Sent with no file: asked for one, nothing sent to the API.
  await page.getByRole('button', { name: 'Add the document' }).click();
  expect(await errorSummaryFocused(page)).toBe(true);
  expect(await page.locator('#document-error').textContent()).toBe('Choose the file to add');
  expect(await documentsOfStep()).toEqual(before);
  await page.context().close();
});

test("the form to whoever the API lets add one: the step's agency and the coordinator; a supervisor is told who may", async () => {
  const path = `/cases/${caseId}/steps/cp_request-1/documents`;
  for (const username of ['demo-police-officer', 'demo-coordinator']) {
    const page = await request(service.app)
      .get(path)
      .set('Cookie', `${SESSION_COOKIE}=${service.sessionCookie(username)}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Add the document');
  }
  const nameOf = (kind: string) => DEMO_AGENCY_LIST.find((agency) => agency.kind === kind)!.name;
  const supervisor = await pageAs('demo-supervisor');
  const answer = await supervisor.goto(`${service.base}${path}`);
  expect(answer?.status()).toBe(403);
  expect(await supervisor.locator('main').innerText()).toContain(
    `Only an officer of the step’s agency on this case (${nameOf('law_enforcement')}), or of the case’s coordinator (${nameOf('coordinator')}), may add its documents.`,
  );
  expect(await supervisor.locator('input[type=file]').count()).toBe(0);
  // Nor does the case page offer it.
  await supervisor.goto(`${service.base}/cases/${caseId}`);
  expect(await supervisor.getByRole('link', { name: /^Add a document/ }).count()).toBe(0);
  await supervisor.context().close();
});
