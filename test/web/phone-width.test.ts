/**
 * At a phone's width (375 px) the console's tables read as cards: a row's cells (the step, its case and "Sign off";
 * a case and what it waits on; a user and their status) are on the screen, not off to the right of a table that
 * scrolls sideways. Each cell is labelled with its column's header (its `data-label`, shown before it), and the page
 * stays axe-clean. At 320 px, the narrowest width WCAG's reflow asks for (1.4.10), the check-your-answers pages (each
 * answer under its name, a long value wrapped) and the form that opens a case fit too. A table's scrolling box, which
 * the keyboard can focus, is a region named for its table. In Chromium, on the whole service's real parts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import request from 'supertest';
import type { AgencyKind } from '../../domain/types';
import { TEST_PASSWORD } from '../support/auth';
import { expectAccessible } from '../support/axe';
import { consoleStackPerFile, openDemoCase, signedInPage } from '../support/console';
import { CHROMIUM_PATH } from '../support/install-browser';

const PHONE = { width: 375, height: 800 };
/** WCAG's reflow (1.4.10): content fits 320 CSS px without scrolling sideways. */
const REFLOW = { width: 320, height: 640 };
const DESKTOP = { width: 1280, height: 800 };
/** 60 characters without a space. */
const LONG_CONTACT = `${'phone.width.survivor.contact'.padEnd(48, 'x')}@example.org`;
const service = consoleStackPerFile({}, { forBrowser: true });
let browser: Browser;
let caseId = '';
let reference = '';
/** A case whose CP request the police signed: ICE's decision waits for its sign-off. */
let decisionCaseId = '';
/** A case whose CP ICE granted, a letter added to the decision: a correction to check, a document to remove. */
let grantedCaseId = '';
let letterId = '';

beforeAll(async () => {
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox'] });
  // Opening a case leaves the police its Continued Presence request to sign. Its survivor's contact is one long
  // unbroken value (an email address, a messaging handle), which the case page wraps rather than widen the page.
  ({ caseId, reference } = await openDemoCase(service, 'phone-width-open', {
    identifiedOn: '2025-11-03',
    name: 'Phone Width',
    contact: LONG_CONTACT,
  }));
  ({ caseId: decisionCaseId } = await openDemoCase(service, 'phone-width-decision', {
    identifiedOn: '2025-11-03',
    name: 'Phone Width Decision',
  }));
  await signOff(decisionCaseId, 'cp_request-1', 'law_enforcement', {
    outcome: 'requested',
    details: { requestedOn: '2025-11-04' },
  });
  ({ caseId: grantedCaseId } = await openDemoCase(service, 'phone-width-granted', {
    identifiedOn: '2025-11-03',
    name: 'Phone Width Granted',
  }));
  await signOff(grantedCaseId, 'cp_request-1', 'law_enforcement', {
    outcome: 'requested',
    details: { requestedOn: '2025-11-04' },
  });
  await signOff(grantedCaseId, 'cp_decision-1', 'ice', { outcome: 'granted', details: { grantedOn: '2025-11-10' } });
  const letter = await request(service.app)
    .post(`/api/cases/${grantedCaseId}/steps/cp_decision-1/documents`)
    .set(service.stack.as('ice'))
    .attach('file', Buffer.from('%PDF-1.4\n% letter\n%%EOF\n'), {
      filename: 'continued presence letter.pdf',
      contentType: 'application/pdf',
    })
    .expect(201);
  letterId = (letter.body as { id: string }).id;
});

/** The step of the case signed off through the API by the demo user of the agency of `kind`. */
async function signOff(id: string, stepId: string, kind: AgencyKind, body: object): Promise<void> {
  await request(service.app)
    .post(`/api/cases/${id}/steps/${stepId}/sign-off`)
    .set(service.stack.as(kind))
    .set('Idempotency-Key', `phone-width-${id}-${stepId}`)
    .send(body)
    .expect(200);
}

afterAll(async () => {
  await browser?.close();
});

/** Shown, and wholly inside the screen (the phone's) from left to right. */
async function expectOnScreen(element: Locator): Promise<void> {
  expect(await element.isVisible()).toBe(true);
  const box = await element.boundingBox();
  expect(box).not.toBeNull();
  expect(box!.x).toBeGreaterThanOrEqual(0);
  expect(box!.x + box!.width).toBeLessThanOrEqual(element.page().viewportSize()!.width);
}

/** Every cell of the row (its header cell and data cells) shown inside the phone's screen. */
async function expectWholeRowOnScreen(row: Locator): Promise<void> {
  const cells = row.locator(':scope > th, :scope > td');
  expect(await cells.count()).toBeGreaterThan(0);
  for (const cell of await cells.all()) await expectOnScreen(cell);
}

/** The row holding the link named `name`: the link and every cell of the row shown inside the phone's screen. */
async function expectRowOfLinkOnScreen(page: Page, name: string): Promise<void> {
  const link = page.getByRole('link', { name, exact: true });
  const row = page.getByRole('row').filter({ has: link });
  await expectOnScreen(row.locator(link));
  await expectWholeRowOnScreen(row);
}

/** Every cell of the page's card tables says the header of its column, so no card shows a value without its name. */
async function expectCellsLabelledByTheirHeaders(page: Page): Promise<void> {
  const mislabelled = await page.locator('table.cards-when-narrow').evaluateAll((tables) =>
    tables.flatMap((table) => {
      const headers = [...table.querySelectorAll('thead th')].map((th) => th.textContent?.trim());
      return [...table.querySelectorAll('tbody tr')].flatMap((row) =>
        [...row.children]
          .map((cell, column) => ({ label: cell.getAttribute('data-label'), header: headers[column] }))
          .filter(({ label, header }) => label !== header),
      );
    }),
  );
  expect(mislabelled).toEqual([]);
}

/**
 * The words of the page's card tables' cells that Chromium gives assistive technology and are a column's name shown
 * before a cell (its `data-label` and ': '): none, since a screen reader says each cell's name from its header
 * already. Read from Chromium's own accessibility tree.
 */
async function cellNamesSpoken(page: Page): Promise<string[]> {
  const shown = new Set(
    await page
      .locator('table.cards-when-narrow [data-label]')
      .evaluateAll((cells) => cells.map((cell) => `${cell.getAttribute('data-label')}: `)),
  );
  expect(shown.size).toBeGreaterThan(0);
  const cdp = await page.context().newCDPSession(page);
  const { nodes } = (await cdp.send('Accessibility.getFullAXTree')) as {
    nodes: { ignored: boolean; name?: { value?: unknown } }[];
  };
  await cdp.detach();
  return nodes
    .filter((node) => !node.ignored && typeof node.name?.value === 'string' && shown.has(node.name.value))
    .map((node) => String(node.name!.value));
}

/**
 * Each box of the page a keyboard can focus to scroll a table (`.table-scroll`) is a region named for its table, so
 * tabbing to it says what it is, not the whole table's text (WCAG 4.1.2). Returns their names.
 */
async function expectScrollingTablesNamed(page: Page): Promise<string[]> {
  const names: string[] = [];
  for (const box of await page.locator('.table-scroll[tabindex]').all()) {
    // As a screen reader is told it: its role, then its accessible name (the snapshot's first line, YAML: quoted when
    // the name holds a colon).
    const [line = ''] = (await box.ariaSnapshot()).split('\n');
    const said = /^- '(.*)':$/.exec(line)?.[1]?.replaceAll("''", "'") ?? line.replace(/^- /, '');
    expect(said).toMatch(/^region "[^"]*\S[^"]*"/);
    names.push(/^region "([^"]*)"/.exec(said)?.[1] ?? '');
  }
  return names;
}

/**
 * A page of the console opened at a phone's width (or `viewport`) by `username`: `check` looks at it, then it and its
 * tables are checked not to scroll sideways, its tables' scrolling boxes to be named regions, every cell of its card
 * tables for its column's name, and the page for axe's violations.
 */
async function onPhone(
  username: string,
  path: string,
  check: (page: Page) => Promise<void>,
  viewport: { width: number; height: number } = PHONE,
): Promise<void> {
  const page = await signedInPage(browser, service, username, viewport);
  await page.goto(`${service.base}${path}`);
  await check(page);
  const scrollingSideways = await page
    .locator('table')
    .evaluateAll((tables) => tables.filter(({ parentElement: around }) => around!.scrollWidth > around!.clientWidth));
  expect(scrollingSideways).toHaveLength(0);
  // Nor the page itself: a form control wider than the screen (a list of long agency names) widens every line.
  const pageWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(pageWidth).toBeLessThanOrEqual(viewport.width);
  await expectScrollingTablesNamed(page);
  await expectCellsLabelledByTheirHeaders(page);
  await expectAccessible(page);
  await page.context().close();
}

/** The row of a list of steps for the case's Continued Presence request, its step and case shown on the screen. */
async function requestRowOnScreen(page: Page): Promise<Locator> {
  const step = page.getByText('Continued Presence request', { exact: true });
  const row = page.getByRole('row').filter({ hasText: reference }).filter({ has: step });
  await expectOnScreen(row.locator(step));
  await expectOnScreen(row.getByRole('link', { name: reference, exact: true }));
  return row;
}

test("the inbox's rows show the step, its case and its sign-off link on a phone's screen", async () => {
  await onPhone('demo-police-officer', '/', async (page) => {
    const row = await requestRowOnScreen(page);
    await expectOnScreen(row.getByRole('link', { name: /^Sign off/ }));
  });
});

test("the case page's step tables show the step and its sign-off link on a phone's screen, a long contact wrapped", async () => {
  await onPhone('demo-police-officer', `/cases/${caseId}`, async (page) => {
    await expectOnScreen(page.getByRole('heading', { level: 1, name: `Case ${reference}` }));
    await expectOnScreen(page.getByText(LONG_CONTACT, { exact: true }));
    const step = page.getByRole('rowheader', { name: 'Continued Presence request' });
    const row = page.getByRole('row').filter({ has: step });
    await expectOnScreen(row.locator(step));
    await expectOnScreen(row.getByRole('link', { name: /^Sign off/ }));
  });
});

test("the coordinator's list of steps shows each step, its case and its agency on a phone's screen", async () => {
  await onPhone('demo-coordinator', '/steps', async (page) => {
    const row = await requestRowOnScreen(page);
    // Its own cell: the due date's sentence names the agency too.
    await expectOnScreen(
      row.locator('td[data-label="Agency"]').getByText('Demo City Police Department (fictitious)', { exact: true }),
    );
  });
});

test("the Cases list's rows show the case, what it waits on and its next due date on a phone's screen", async () => {
  await onPhone('demo-coordinator', '/cases', async (page) => {
    await expectRowOfLinkOnScreen(page, reference);
  });
});

test("the dashboard's tables show each kind of step and each agency with their counts on a phone's screen", async () => {
  await onPhone('demo-coordinator', '/', async (page) => {
    await expectRowOfLinkOnScreen(page, 'Continued Presence request');
    const police = page.getByRole('rowheader', { name: 'Demo City Police Department (fictitious)' });
    const agencyRow = page.getByRole('row').filter({ has: police });
    await expectWholeRowOnScreen(agencyRow);
  });
});

test("the users page's rows show the user, their link and their status on a phone's screen", async () => {
  await onPhone('demo-admin', '/users', async (page) => {
    await expectRowOfLinkOnScreen(page, 'Demo Coordinator (fictitious)');
  });
});

/**
 * Each answer of a check-your-answers page under its name, both inside the screen: at 320 px a column of names beside
 * the values leaves a value too little room, and a long one would widen the page.
 */
async function expectAnswersUnderTheirNames(page: Page): Promise<void> {
  const answers = page.locator('dl.answers > div');
  expect(await answers.count()).toBeGreaterThan(0);
  for (const answer of await answers.all()) {
    const [name, value] = [answer.locator('dt'), answer.locator('dd')];
    await expectOnScreen(name);
    await expectOnScreen(value);
    const [nameBox, valueBox] = [(await name.boundingBox())!, (await value.boundingBox())!];
    expect(valueBox.y).toBeGreaterThanOrEqual(nameBox.y + nameBox.height);
  }
}

/** A note holding an email address: a long word with no space to break at. */
const NOTE_WITH_EMAIL = 'Letter received from intake.coordinator@legalaid-northwest.example.org';

/** ICE's sign-off form of a grant, filled with `note`, continued to its check page. */
async function grantCheckedWith(page: Page, note: string): Promise<void> {
  await page.locator('#details-note').fill(note);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('heading', { level: 1, name: /^Check your answers/ }).waitFor();
}

const grantForm = () => `/cases/${decisionCaseId}/steps/cp_decision-1?choosing=yes&outcome=granted`;

test("a sign-off's check page fits 320 px: each answer under its name, a note's email address wrapped", async () => {
  await onPhone(
    'demo-ice-officer',
    grantForm(),
    async (page) => {
      await grantCheckedWith(page, NOTE_WITH_EMAIL);
      await expectAnswersUnderTheirNames(page);
      await expectOnScreen(page.locator('dd').getByText(NOTE_WITH_EMAIL, { exact: true }));
    },
    REFLOW,
  );
});

test("a sign-off's check page wraps a long unbroken note on a desktop's screen, not widen the page", async () => {
  const note = 'x'.repeat(200);
  await onPhone(
    'demo-ice-officer',
    grantForm(),
    async (page) => {
      await grantCheckedWith(page, note);
      await expectOnScreen(page.locator('dd').getByText(note, { exact: true }));
    },
    DESKTOP,
  );
});

test("the case page wraps a step's long unbroken note in its table on a desktop's screen", async () => {
  const note = `${'x'.repeat(30)}https://example.org/${'a'.repeat(200)}`;
  const { caseId: noted } = await openDemoCase(service, 'phone-width-noted', {
    identifiedOn: '2025-11-03',
    name: 'Phone Width Noted',
  });
  await signOff(noted, 'cp_request-1', 'law_enforcement', {
    outcome: 'requested',
    details: { requestedOn: '2025-11-04', note },
  });
  await onPhone(
    'demo-police-officer',
    `/cases/${noted}`,
    async (page) => {
      await expectOnScreen(page.locator('.step-note').getByText(note));
    },
    DESKTOP,
  );
});

test("a correction's check page fits 320 px, each answer under its name", async () => {
  // ICE's CP decision may open steps ICE is not told of, so the coordinator corrects it (domain/correction.ts).
  await onPhone(
    'demo-coordinator',
    `/cases/${grantedCaseId}/steps/cp_decision-1/correct`,
    async (page) => {
      await page.locator('#details-validUntil').fill('2027-06-30');
      await page.getByLabel('Why it is corrected (required)').fill('The letter gives an earlier date.');
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByRole('heading', { level: 1, name: /^Check your answers: correction/ }).waitFor();
      await expectAnswersUnderTheirNames(page);
    },
    REFLOW,
  );
});

test('the page removing a document fits 320 px, each fact of the document under its name', async () => {
  await onPhone(
    'demo-ice-officer',
    `/cases/${grantedCaseId}/documents/${letterId}/remove`,
    async (page) => {
      await page.getByRole('heading', { level: 1, name: 'Remove a document' }).waitFor();
      await expectAnswersUnderTheirNames(page);
    },
    REFLOW,
  );
});

test('the form opening a case fits 320 px: the agencies taking part as wide as the screen, not their longest name', async () => {
  await onPhone(
    'demo-police-officer',
    '/cases/new',
    async (page) => {
      const agencies = page.getByRole('group', { name: 'Agencies taking part' });
      await expectOnScreen(agencies);
      const lists = agencies.getByRole('combobox');
      expect(await lists.count()).toBeGreaterThan(0);
      for (const list of await lists.all()) await expectOnScreen(list);
    },
    REFLOW,
  );
});

test("the tables' scrolling boxes of the audit, agencies, API keys and calendar feed pages are named regions", async () => {
  await request(service.app)
    .post('/api/me/calendar-feeds')
    .set(service.stack.users['demo-coordinator']!.headers)
    .send({ label: 'Office Outlook', currentPassword: TEST_PASSWORD })
    .expect(201);
  for (const [username, path, named] of [
    ['demo-supervisor', '/audit', 'Audit events'],
    ['demo-system-admin', '/agencies', 'Agencies'],
    ['demo-coordinator', '/account/api-keys', 'Your API keys'],
    ['demo-coordinator', '/', 'Your calendar feeds'],
  ] as const)
    await onPhone(username, path, async (page) => {
      expect(await expectScrollingTablesNamed(page)).toContain(named);
    });
});

test('a calendar feed of a 100-character name and an agency of a long address fit 320 px, each wrapped', async () => {
  const feedName = 'f'.repeat(100);
  await request(service.app)
    .post('/api/me/calendar-feeds')
    .set(service.stack.users['demo-coordinator']!.headers)
    .send({ label: feedName, currentPassword: TEST_PASSWORD })
    .expect(201);
  const address = `${'notices.of.the.county.anti.trafficking.task.force'.padEnd(64, 'x')}@agency.example.gov`;
  await request(service.app)
    .post('/api/agencies')
    .set(service.stack.users['demo-system-admin']!.headers)
    .send({ id: 'phone-width-long-address', kind: 'advocate', name: 'Long Address (fictitious)', email: address })
    .expect(201);
  await onPhone(
    'demo-coordinator',
    '/',
    async (page) => {
      await expectOnScreen(page.locator('td[data-label="Name"]', { hasText: feedName }));
    },
    REFLOW,
  );
  await onPhone(
    'demo-system-admin',
    '/agencies',
    async (page) => {
      await expectOnScreen(page.locator('td[data-label="Notification address"]', { hasText: address }));
    },
    REFLOW,
  );
});

test("a card's names of its cells are shown, not said: a screen reader names each cell once, from its header", async () => {
  for (const [username, path] of [
    ['demo-police-officer', '/'],
    ['demo-supervisor', '/reports'],
  ] as const)
    await onPhone(username, path, async (page) => {
      expect(await cellNamesSpoken(page)).toEqual([]);
    });
});

test("the reports' figures by agency read as cards at 390 px, a card per figure, its caption whole", async () => {
  await onPhone(
    'demo-supervisor',
    '/reports',
    async (page) => {
      const table = page.getByRole('table', { name: /^Compliance figures from / });
      expect(await table.getAttribute('class')).toMatch(/\bcards-when-narrow\b/);
      await expectOnScreen(table.locator('caption'));
      // A figure's row: its name, then each agency's number after the agency's name, all on the screen.
      const row = table.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'Cases opened: adults' }) });
      await expectWholeRowOnScreen(row);
      expect(await row.locator('td').last().getAttribute('data-label')).toBe('All agencies');
    },
    { width: 390, height: 844 },
  );
});

test("every table of the console's pages reads as cards at a phone's width", () => {
  const views = join(__dirname, '../../web/views');
  const tablesWithoutCards = readdirSync(views).flatMap((view) =>
    (readFileSync(join(views, view), 'utf8').match(/<table\b[^>]*>/g) ?? [])
      .filter((table) => !/class="[^"]*\bcards-when-narrow\b/.test(table))
      .map((table) => `${view}: ${table}`),
  );
  expect(tablesWithoutCards).toEqual([]);
});

test("every table's scrolling box in the console's views is a region with a name", () => {
  const views = join(__dirname, '../../web/views');
  const unnamed = readdirSync(views).flatMap((view) =>
    (readFileSync(join(views, view), 'utf8').match(/<div\b[^>]*\bclass="table-scroll"[^>]*>/g) ?? [])
      .filter((box) => !/\brole="region"/.test(box) || !/\baria-label(ledby)?="[^"]*\S/.test(box))
      .map((box) => `${view}: ${box}`),
  );
  expect(unnamed).toEqual([]);
});
