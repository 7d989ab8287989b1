/**
 * Finding a case by its survivor's name (POST /api/cases/search over the blind index, core/name-index.ts) and the
 * console's Cases page (find by reference, by filter, by name) on the whole service: real PostgreSQL, the official
 * time-skipping Temporal server, the console calling the API over HTTP, and a real browser (Debian's chromium) with
 * axe-core. Shows who may search, what matches (whole words; case and accents ignored), that only visible cases come
 * back, that a correction and the start-up backfill keep the index right, and that no name reaches a URL, a log line,
 * the audit trail or the index in the clear.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import request from 'supertest';
import type { Express } from 'express';
import { CasePageSchema } from '../../../api/schemas';
import { nameTokens } from '../../../core/name-index';
import { upsertAgencies } from '../../../db/agencies';
import { listCases } from '../../../db/case-list';
import { reindexSurvivorNames } from '../../../db/survivors';
import { DEMO_AGENCIES } from '../../../db/seed';
import { nameSearchTerms } from '../../../core/name-index';
import { createConsole } from '../../../web/console';
import { createWorker, type TestUser } from '../../support/auth';
import { CHROMIUM_PATH } from '../../support/install-browser';
import { signInThroughPage } from '../../support/sign-in-page';
import { databaseRows, logCapture, needlesIn } from '../../support/scan';
import { startStack, type Stack } from '../../support/stack';
import { expectAccessible } from '../../support/axe';

describe('case-search', () => {
  const OTHER_POLICE = 'ns-other-police';
  const NAMES = {
    a: 'María José López-García',
    b: 'José Maria Smith',
    c: 'Zhang Wei',
    cCorrected: 'Wei Chenoweth',
    /** Pasted from a PDF: a zero-width space, a soft hyphen and a zero-width joiner inside its words. */
    d: 'Yarrow\u200Bind Pell\u00ADu\u200Dcast',
  };
  /** Every word of every name, as a scan looks for it (lower case, with and without accents). */
  const NEEDLES = [
    ...new Set(Object.values(NAMES).flatMap((name) => [...name.toLowerCase().split(/[\s-]+/), ...nameTokens(name)])),
  ];

  let stack: Stack;
  let app: Express;
  let server: Server;
  let base: string;
  let browser: Browser;
  let otherPolice: TestUser;
  const log = logCapture();
  const cases: Record<'a' | 'b' | 'c', { caseId: string; reference: string }> = {
    a: { caseId: '', reference: '' },
    b: { caseId: '', reference: '' },
    c: { caseId: '', reference: '' },
  };
  let keys = 0;

  beforeAll(async () => {
    stack = await startStack({ log: { level: 'trace', destination: log.destination } });
    server = createServer();
    await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    app = stack.appWith({
      console: createConsole({ apiUrl: base, publicBaseUrl: base, secret: 'case-search-test-secret-'.padEnd(40, 'x') }),
    });
    server.on('request', app);
    await upsertAgencies(stack.pool, [
      { id: OTHER_POLICE, kind: 'law_enforcement', name: 'Other Police', email: null, timeZone: null },
    ]);
    otherPolice = await createWorker(stack.pool, OTHER_POLICE, 'law_enforcement');
    const today = new Date(await stack.env.currentTimeMs()).toISOString().slice(0, 10);
    const open = async (
      name: string,
      birthDate: string,
      as: { Authorization: string },
      agencies: Record<string, string> = DEMO_AGENCIES,
    ) => {
      const reference = `NS-${Date.now().toString(36).toUpperCase()}-${(keys += 1)}`;
      const res = await request(app)
        .post('/api/cases')
        .set(as)
        .set('Idempotency-Key', `case-search-${keys}`)
        .send({ reference, identifiedOn: today, survivor: { name, birthDate }, agencies })
        .expect(201);
      return { caseId: (res.body as { caseId: string }).caseId, reference };
    };
    cases.a = await open(NAMES.a, '1990-04-02', stack.as('law_enforcement'));
    // Another police department's case, with the same task force, ICE, HHS and advocates.
    cases.b = await open(NAMES.b, '1985-01-01', otherPolice.headers, {
      ...DEMO_AGENCIES,
      law_enforcement: OTHER_POLICE,
    });
    cases.c = await open(NAMES.c, `${Number(today.slice(0, 4)) - 15}-06-01`, stack.as('law_enforcement'));
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox'] });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((closed) => (server ? server.close(closed) : closed(undefined)));
    await stack?.stop();
  });

  const search = (as: { Authorization: string }, body: Record<string, unknown>) =>
    request(app).post('/api/cases/search').set(as).send(body);
  /** The references found, newest first, of this caller's search. */
  async function found(as: { Authorization: string }, body: Record<string, unknown>): Promise<string[]> {
    const res = await search(as, body).expect(200);
    expect(res.headers['cache-control']).toBe('no-store');
    return CasePageSchema.parse(res.body).items.map((item) => item.reference);
  }
  const demo = (username: string) => stack.users[username]!.headers;

  describe('POST /api/cases/search', () => {
    test('finds by whole words of the name, in any order, ignoring case and accents; never by part of a word', async () => {
      const police = stack.as('law_enforcement');
      for (const name of ['maria lopez', 'LÓPEZ', 'Garcia', 'lopez-garcia maría', 'José', 'jose maria']) {
        expect([name, await found(police, { name })]).toEqual([name, [cases.a.reference]]);
      }
      for (const name of ['Mari', 'lopezgarcia', 'maria zhang', 'Smith']) {
        expect([name, await found(police, { name })]).toEqual([name, []]);
      }
      expect(await found(police, { name: 'zhang wei' })).toEqual([cases.c.reference]);
    });

    test("finds only the cases the caller's agency takes part in", async () => {
      // The task force, ICE and the advocates are on every case; each police department on its own.
      for (const kind of ['coordinator', 'advocate'] as const) {
        expect(await found(stack.as(kind), { name: 'maria' })).toEqual([cases.b.reference, cases.a.reference]);
      }
      // ICE finds a case by name only once a request reached it (a step of its own): no CP was requested on either.
      expect(await found(stack.as('ice'), { name: 'maria' })).toEqual([]);
      expect(await found(stack.as('law_enforcement'), { name: 'maria' })).toEqual([cases.a.reference]);
      expect(await found(otherPolice.headers, { name: 'maria' })).toEqual([cases.b.reference]);
      expect(await found(otherPolice.headers, { name: 'zhang' })).toEqual([]);
    });

    test("with the caseload's filters and cursor", async () => {
      const coordinator = stack.as('coordinator');
      expect(await found(coordinator, { name: 'wei', path: 'minor' })).toEqual([cases.c.reference]);
      expect(await found(coordinator, { name: 'wei', path: 'adult' })).toEqual([]);
      expect(await found(coordinator, { name: 'maria', reference: cases.a.reference })).toEqual([cases.a.reference]);
      expect(await found(coordinator, { name: 'maria', agencyId: OTHER_POLICE })).toEqual([cases.b.reference]);
      const first = CasePageSchema.parse((await search(coordinator, { name: 'maria', limit: '1' }).expect(200)).body);
      expect(first.items.map((item) => item.reference)).toEqual([cases.b.reference]);
      expect(await found(coordinator, { name: 'maria', limit: '1', cursor: first.nextCursor })).toEqual([
        cases.a.reference,
      ]);
      // A cursor that is not one of this list is a bad body field, as any other (422 naming it); in a query, a 400.
      const refused = await search(coordinator, { name: 'probe', cursor: 'zzz' }).expect(422);
      expect(refused.body).toMatchObject({
        code: 'invalid_cursor',
        errors: [{ field: 'cursor', message: 'not a cursor of this list' }],
      });
      const inQuery = await request(app).get('/api/cases?cursor=zzz').set(coordinator).expect(400);
      expect(inQuery.body).toMatchObject({ code: 'invalid_cursor', errors: [{ field: 'cursor' }] });
    });

    test("its step filters, as the caseload's, are over the steps the caller sees", async () => {
      // Case c is a minor's: the police's notice to HHS (24 hours) is pending; the advocates' T-visa filing on every case.
      for (const kind of ['coordinator', 'law_enforcement'] as const) {
        expect(await found(stack.as(kind), { name: 'wei', pendingKind: 'hhs_minor_notification' })).toEqual([
          cases.c.reference,
        ]);
      }
      expect(await found(stack.as('hhs'), { name: 'wei', pendingKind: 'hhs_minor_notification' })).toEqual([]);
      // ICE sees its CP decisions alone: not the minor's notice, nor whether a T visa was filed, nor the T-visa track.
      const ice = stack.as('ice');
      expect(await found(ice, { name: 'wei', pendingKind: 'hhs_minor_notification' })).toEqual([]);
      expect(await found(ice, { name: 'maria', pendingKind: 't_visa_filing' })).toEqual([]);
      expect(await found(ice, { name: 'maria', track: 't_visa' })).toEqual([]);
      // Nor the case itself: with no step of its own on it, the minor's identity is not ICE's to read.
      const page = CasePageSchema.parse((await search(ice, { name: 'wei' }).expect(200)).body);
      expect(page.items).toEqual([]);
    });

    test('refuses oversight and administration roles (403, audited without the name) and names without words', async () => {
      for (const username of ['demo-supervisor', 'demo-admin', 'demo-system-admin']) {
        const res = await search(demo(username), { name: NAMES.a }).expect(403);
        expect([username, (res.body as { code: string }).code]).toEqual([username, 'role_not_permitted']);
      }
      const police = stack.as('law_enforcement');
      expect((await search(police, { name: '' }).expect(422)).body).toMatchObject({
        errors: [expect.objectContaining({ field: 'name' })],
      });
      expect((await search(police, { name: '- . -' }).expect(422)).body).toMatchObject({
        code: 'invalid_name',
        errors: [{ field: 'name', message: 'must contain a letter or a digit' }],
      });

      const { rows } = await stack.pool.query<{ outcome: string; n: number }>(
        `SELECT outcome, count(*)::int AS n FROM audit_events WHERE action = 'case.search_by_name' GROUP BY 1 ORDER BY 1`,
      );
      expect(rows).toEqual([
        { outcome: 'allowed', n: expect.any(Number) as number },
        { outcome: 'denied', n: 3 },
        { outcome: 'rejected', n: expect.any(Number) as number },
      ]);
    });

    test('a corrected name is found by its new words only; the start-up backfill indexes what the index lacks', async () => {
      const police = stack.as('law_enforcement');
      await request(app)
        .post(`/api/cases/${cases.c.caseId}/survivor`)
        .set(police)
        .set('Idempotency-Key', randomUUID())
        .send({ name: NAMES.cCorrected })
        .expect(200);
      expect(await found(police, { name: 'zhang' })).toEqual([]);
      expect(await found(police, { name: 'chenoweth wei' })).toEqual([cases.c.reference]);

      // As for survivors recorded before the index existed: no rows, not found, until the backfill runs.
      await stack.pool.query('DELETE FROM survivor_name_index WHERE case_id = $1', [cases.c.caseId]);
      expect(await found(police, { name: 'chenoweth' })).toEqual([]);
      expect(await reindexSurvivorNames(stack.pool, stack.identityKeyring)).toBe(1);
      expect(await found(police, { name: 'chenoweth' })).toEqual([cases.c.reference]);
      expect(await reindexSurvivorNames(stack.pool, stack.identityKeyring)).toBe(0);
    });

    test('after an identity key rotation, old rows are still found and the backfill rewrites them under the new key', async () => {
      const rotated = {
        current: { id: 'test-key-2', key: Buffer.alloc(32, 7) },
        previous: [stack.identityKeyring.current],
      };
      const byName = async (name: string) =>
        (
          await listCases(stack.pool, {
            participantAgencyId: DEMO_AGENCIES.coordinator,
            stepAgencyId: undefined,
            nameTerms: nameSearchTerms(name, rotated),
            limit: 10,
            now: new Date(),
          })
        ).items.map((item) => item.reference);
      expect(await byName('maria')).toEqual([cases.b.reference, cases.a.reference]);
      try {
        expect(await reindexSurvivorNames(stack.pool, rotated)).toBe(3);
        const { rows } = await stack.pool.query<{ key_id: string }>('SELECT DISTINCT key_id FROM survivor_name_index');
        expect(rows).toEqual([{ key_id: 'test-key-2' }]);
        expect(await byName('maria')).toEqual([cases.b.reference, cases.a.reference]);
      } finally {
        // Back under the stack's own key, which the API searches with.
        await reindexSurvivorNames(stack.pool, stack.identityKeyring);
      }
      expect(await found(stack.as('coordinator'), { name: 'maria' })).toEqual([cases.b.reference, cases.a.reference]);
    });

    test('invisible characters inside a name are no word breaks: the search, the duplicate check and the reference rule agree', async () => {
      const police = stack.as('law_enforcement');
      const today = new Date(await stack.env.currentTimeMs()).toISOString().slice(0, 10);
      const open = (name: string, reference: string) =>
        request(app)
          .post('/api/cases')
          .set(police)
          .set('Idempotency-Key', randomUUID())
          .send({
            reference,
            identifiedOn: today,
            survivor: { name, birthDate: '1992-08-09' },
            agencies: DEMO_AGENCIES,
          });
      // "pellucast" is a word of the name as it reads: a reference holding it would name the survivor.
      for (const reference of ['YARROWIND-7', 'PELLUCAST-7']) {
        expect((await open(NAMES.d, reference).expect(422)).body).toMatchObject({ errors: [{ field: 'reference' }] });
      }
      const reference = `NS-${Date.now().toString(36).toUpperCase()}-ZW`;
      await open(NAMES.d, reference).expect(201);
      for (const name of ['pellucast', 'yarrowind', 'Yarrowind Pellucast', NAMES.d, 'pell\u00ADucast']) {
        expect([name, await found(police, { name })]).toEqual([name, [reference]]);
      }
      expect(await found(police, { name: 'pell' })).toEqual([]);
      // The same survivor typed without them, the same day by the same agency, is the case already open.
      const again = await open('Yarrowind Pellucast', `${reference}-2`).expect(409);
      expect(again.body).toMatchObject({ code: 'possible_duplicate' });
      expect((again.body as { detail: string }).detail).toContain(reference);
    });
  });

  // ---------------------------------------------------------------------------------------------------------------
  // The console's Cases page, in a browser.

  const signIn = (username: string): Promise<Page> => signInThroughPage(browser, base, stack, username);

  const listed = async (page: Page) => page.locator('table tbody tr td:first-child').allTextContents();

  describe('the console: Cases page', () => {
    test('a police officer finds a case by reference, by filter and by name; the name stays out of the address', async () => {
      const page = await signIn('demo-police-officer');
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Cases' }).click();
      await page.waitForURL((url) => url.pathname === '/cases');
      await expectAccessible(page);

      // By reference: the start of it, kept in the address.
      await page.getByLabel('Case reference, or its start').fill(cases.a.reference);
      await page.getByRole('button', { name: 'Find', exact: true }).click();
      await page.waitForURL((url) => url.searchParams.get('reference') === cases.a.reference);
      expect(await listed(page)).toEqual([cases.a.reference]);

      // By filter: the minor's case (the other police department's is not this officer's).
      await page.goto(`${base}/cases`);
      await page.getByLabel('Path').selectOption('minor');
      await page.getByRole('button', { name: 'Apply filters' }).click();
      await page.waitForURL((url) => url.searchParams.get('path') === 'minor');
      expect(await listed(page)).toEqual([cases.c.reference]);

      // By name, within the filters in force: posted, results on the same page, the name in no address or link.
      await page.getByLabel("Survivor's name, or some of its words").fill('wei');
      await page.getByRole('button', { name: 'Search by name' }).click();
      await page.waitForURL((url) => url.pathname === '/cases/by-name');
      expect(await listed(page)).toEqual([cases.c.reference]);
      await expectAccessible(page);
      await page.getByLabel('Path').selectOption('');
      await page.getByRole('button', { name: 'Apply filters' }).click();
      await page.waitForURL((url) => url.pathname === '/cases' && !url.searchParams.get('path'));
      await page.getByLabel("Survivor's name, or some of its words").fill('MARIA lopez');
      await page.getByRole('button', { name: 'Search by name' }).click();
      await page.waitForURL((url) => url.pathname === '/cases/by-name');
      expect(await listed(page)).toEqual([cases.a.reference]);
      const hrefs = await page
        .locator('a[href]')
        .evaluateAll((links) => links.map((a) => a.getAttribute('href') ?? ''));
      expect(needlesIn(NEEDLES, [page.url(), ...hrefs].join('\n'))).toEqual([]);
      await page.context().close();
    });

    test('a name search with nothing to search for says so by the field, the filters in force kept', async () => {
      const page = await signIn('demo-police-officer');
      for (const [name, words] of [
        ['', 'Enter a name'],
        ['   ', 'Enter a name'],
        ['!?', 'Must contain a letter or a digit'],
      ] as const) {
        await page.goto(`${base}/cases?path=minor`);
        await page.getByLabel("Survivor's name, or some of its words").fill(name);
        await page.getByRole('button', { name: 'Search by name' }).click();
        await page.waitForURL((url) => url.pathname === '/cases/by-name');
        expect(await page.locator('#name-error').textContent()).toBe(words);
        expect(await page.getByLabel('Path').inputValue()).toBe('minor');
      }
      await expectAccessible(page);
      await page.context().close();
    });

    test('a supervisor is offered no search by name, and a forged one is refused', async () => {
      const page = await signIn('demo-supervisor');
      await page.goto(`${base}/cases`);
      await expect(page.getByLabel('Case reference, or its start').count()).resolves.toBe(1);
      await expect(page.getByLabel("Survivor's name, or some of its words").count()).resolves.toBe(0);
      // The same post the form would make, with this session's CSRF token: the API's 403, shown as a page.
      const token = page.locator('form[action="/sign-out"] input[type="hidden"]');
      const forged = await page.request.post(`${base}/cases/by-name`, {
        form: { [(await token.getAttribute('name'))!]: (await token.getAttribute('value'))!, name: 'maria' },
        headers: { Origin: base },
      });
      expect(forged.status()).toBe(403);
      expect(await forged.text()).not.toContain(cases.a.reference);
      await page.context().close();
    });
  });

  test('no name, nor a word of one, in the log, the audit trail, or any table (the name index included)', async () => {
    expect(log.lines.length).toBeGreaterThan(0);
    expect(log.lines.filter((line) => line.includes('/api/cases/search')).length).toBeGreaterThan(0);
    expect(needlesIn(NEEDLES, log.lines.join('\n'))).toEqual([]);

    const rows = await databaseRows(stack);
    expect(rows.filter((row) => row.table === 'survivor_name_index').length).toBeGreaterThan(0);
    expect(rows.filter((row) => row.table === 'audit_events' && row.text.includes('case.search_by_name')).length).toBe(
      (await stack.pool.query(`SELECT 1 FROM audit_events WHERE action = 'case.search_by_name'`)).rowCount,
    );
    expect(rows.flatMap((row) => needlesIn(NEEDLES, row.text).map((needle) => `${row.table}: ${needle}`))).toEqual([]);

    // The index's bytes are 32-byte HMACs, not the words' own bytes (which the rows' JSON would show as hex). Words of
    // five bytes or more: a shorter one could turn up in a random HMAC by chance.
    const { rows: index } = await stack.pool.query<{ token_hmac: Buffer }>(
      'SELECT token_hmac FROM survivor_name_index',
    );
    expect(index.every((row) => row.token_hmac.length === 32)).toBe(true);
    const words = NEEDLES.map((needle) => Buffer.from(needle)).filter((bytes) => bytes.length >= 5);
    expect(words.length).toBeGreaterThan(5);
    expect(index.filter((row) => words.some((word) => row.token_hmac.includes(word)))).toEqual([]);
  });
});
