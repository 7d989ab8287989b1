/**
 * The documents that prove a step, over HTTP on real parts (test/support/stack.ts): who may add, list and open them;
 * every upload and download in the audit trail; a file of another type (whatever its name says) or over 10 MB
 * refused with a problem naming the field, nothing stored; in a real browser, a document added from the sign-off form
 * and downloaded from the case page (axe clean); and a PDF naming the survivor found nowhere in the clear: not in any
 * row (byte columns read as bytes), the case's Temporal history, an email or a log line. One stack for all of it.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import { chromium, type Browser } from 'playwright-core';
import request from 'supertest';
import { upsertAgencies } from '../../../db/agencies';
import { openDocument, saveDocument } from '../../../db/documents';
import { DEMO_AGENCIES } from '../../../db/seed';
import { addDays, dateOf } from '../../../domain/dates';
import { createConsole } from '../../../web/console';
import { sealSessionToken, SESSION_COOKIE } from '../../../web/session';
import { createWorker, TEST_PASSWORD } from '../../support/auth';
import { CHROMIUM_PATH } from '../../support/install-browser';
import { databaseRows, logCapture, needlesIn, storedHistory } from '../../support/scan';
import { startStack, type Stack } from '../../support/stack';
import { expectAccessible } from '../../support/axe';

describe('documents', () => {
  const CONSOLE_SECRET = 'documents-test-secret-'.padEnd(40, 'x');
  const SURVIVOR = { name: 'Ileana Vasquez-Thornbury', birthDate: '1991-04-12', aNumber: 'A207733951' };
  const NEEDLES = [SURVIVOR.name, 'Ileana', 'Thornbury', SURVIVOR.aNumber, '207733951'].map((n) => n.toLowerCase());

  /** A minimal PDF whose text names the survivor, as a CP approval letter would. */
  const LETTER = Buffer.from(
    `%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% Continued Presence granted to ${SURVIVOR.name}, ${SURVIVOR.aNumber}\ntrailer << /Root 1 0 R >>\n%%EOF\n`,
  );
  /** A 1×1 PNG. */
  const PNG = Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8/5+hHgAHggJ/PchI7wAAAABJRU5ErkJggg==',
    'base64',
  );
  const JPEG = Buffer.concat([
    Buffer.from('ffd8ffe000104a46494600010100000100010000', 'hex'),
    Buffer.alloc(64),
    Buffer.from('ffd9', 'hex'),
  ]);
  const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

  let stack: Stack;
  /** The API and the console, on a real listener for the browser. */
  let app: Express;
  let server: Server;
  let base: string;
  let browser: Browser | undefined;
  let log: ReturnType<typeof logCapture>;
  let caseId: string;
  let keys = 0;
  beforeAll(async () => {
    log = logCapture();
    stack = await startStack({ log: { level: 'trace', destination: log.destination } });
    server = createServer();
    await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    app = stack.appWith({
      console: createConsole({ apiUrl: base, publicBaseUrl: base, secret: CONSOLE_SECRET }),
    });
    server.on('request', app);
    const opened = await request(app)
      .post('/api/cases')
      .set(stack.as('law_enforcement'))
      .set('Idempotency-Key', `documents-${(keys += 1)}`)
      .send({ survivor: SURVIVOR, agencies: DEMO_AGENCIES, identifiedOn: '2026-11-02' })
      .expect(201);
    caseId = (opened.body as { caseId: string }).caseId;
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((closed) => (server ? server.close(closed) : closed(undefined)));
    await stack?.stop();
  });

  const user = (username: string) => stack.users[username]!.headers;
  const upload = (as: { Authorization: string }, file: Buffer, name: string, stepId = 'cp_request-1', type?: string) =>
    request(app)
      .post(`/api/cases/${caseId}/steps/${stepId}/documents`)
      .set(as)
      .attach('file', file, { filename: name, ...(type ? { contentType: type } : {}) });
  const download = (as: { Authorization: string }, documentId: string, ofCase = caseId) =>
    request(app)
      .get(`/api/cases/${ofCase}/documents/${documentId}`)
      .set(as)
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      });
  /** A document of the case removed by the police officer, as added by mistake: its step's place freed for the next. */
  const removedByTheOfficer = (documentId: string) =>
    request(app)
      .post(`/api/cases/${caseId}/documents/${documentId}/remove`)
      .set(user('demo-police-officer'))
      .set('Idempotency-Key', randomUUID())
      .send({ reason: 'wrong_file' })
      .expect(200);
  const documentCount = async () =>
    Number((await stack.pool.query<{ n: string }>('SELECT count(*) AS n FROM step_documents')).rows[0]!.n);
  const auditOf = async (action: string) =>
    (
      await stack.pool.query<{ username: string; outcome: string; status: number; detail: string | null }>(
        `SELECT u.username, a.outcome, a.status, a.detail FROM audit_events a LEFT JOIN users u ON u.id = a.user_id
       WHERE a.action = $1 AND a.case_id = $2 ORDER BY a.id`,
        [action, caseId],
      )
    ).rows;

  let letterId: string;

  describe("the police officer adds the CP request's letter", () => {
    beforeAll(async () => {
      const res = await upload(user('demo-police-officer'), LETTER, 'CP letter – Ileana Vasquez-Thornbury.pdf');
      expect([res.status, res.body]).toEqual([201, expect.objectContaining({ stepId: 'cp_request-1' })]);
      letterId = (res.body as { id: string }).id;
    });

    it('is stored with its type from the content, size, hash and uploader, and named by Location', async () => {
      const listed = await request(app)
        .get(`/api/cases/${caseId}/steps/cp_request-1/documents`)
        .set(user('demo-coordinator'))
        .expect(200);
      expect(listed.body).toEqual({
        items: [
          {
            id: letterId,
            caseId,
            stepId: 'cp_request-1',
            mediaType: 'application/pdf',
            size: LETTER.length,
            sha256: sha256(LETTER),
            uploadedAt: expect.any(String) as unknown,
            uploadedBy: 'demo-police-officer',
            uploader: { displayName: 'Demo Police Officer (fictitious)', agencyId: DEMO_AGENCIES.law_enforcement },
            fileName: 'CP letter – Ileana Vasquez-Thornbury.pdf',
          },
        ],
      });
      expect(listed.headers['cache-control']).toBe('no-store');
    });

    it('is listed to a supervisor without its file name or hash, and not to an agency that does not see the step', async () => {
      const supervisor = await request(app)
        .get(`/api/cases/${caseId}/documents`)
        .set(user('demo-supervisor'))
        .expect(200);
      expect((supervisor.body as { items: object[] }).items).toEqual([
        expect.not.objectContaining({ fileName: expect.anything() as unknown }) as unknown,
      ]);
      // The content's SHA-256 would confirm a file the supervisor holds (a passport scan) and tie the cases that hold
      // it together: withheld as the name is, from the step's list too, and nowhere in the answers' text.
      const step = await request(app)
        .get(`/api/cases/${caseId}/steps/cp_request-1/documents`)
        .set(user('demo-supervisor'))
        .expect(200);
      for (const listed of [supervisor, step]) {
        expect((listed.body as { items: object[] }).items).toEqual([
          expect.objectContaining({ id: letterId, mediaType: 'application/pdf', size: LETTER.length }),
        ]);
        expect((listed.body as { items: object[] }).items[0]).not.toHaveProperty('sha256');
        expect(listed.text).not.toContain(sha256(LETTER));
      }
      const ice = await request(app).get(`/api/cases/${caseId}/documents`).set(user('demo-ice-officer')).expect(200);
      expect(ice.body).toEqual({ items: [] });
      // A step ICE does not see is one the case does not have.
      await request(app)
        .get(`/api/cases/${caseId}/steps/cp_request-1/documents`)
        .set(user('demo-ice-officer'))
        .expect(404);
    });

    it('downloads as the same bytes, an attachment no cache keeps, to who reads the identity and sees the step', async () => {
      for (const username of ['demo-police-officer', 'demo-coordinator']) {
        const res = await download(user(username), letterId).expect(200);
        expect(Buffer.compare(res.body as Buffer, LETTER)).toBe(0);
        expect(res.headers).toMatchObject({
          'content-type': 'application/pdf',
          'cache-control': 'no-store',
          'x-content-type-options': 'nosniff',
          'repr-digest': `sha-256=:${createHash('sha256').update(LETTER).digest('base64')}:`,
        });
        expect(res.headers['content-disposition']).toMatch(
          /^attachment; filename="CP letter _ Ileana.*pdf"; filename\*=UTF-8''CP%20letter%20%E2%80%93%20/,
        );
      }
      // The supervisor sees the step but may not open its documents; ICE and the advocate do not see it at all.
      const refused = await download(user('demo-supervisor'), letterId).expect(403);
      expect((refused.body as Buffer).toString()).toMatch(/not_permitted_document/);
      for (const username of ['demo-ice-officer', 'demo-advocate']) {
        const res = await download(user(username), letterId).expect(404);
        expect((res.body as Buffer).toString()).toMatch(/document_not_found/);
      }
      await download(user('demo-coordinator'), '00000000-0000-4000-8000-000000000000').expect(404);
    });

    it('audits the upload and every download by the document id, never its name', async () => {
      expect(await auditOf('document.upload')).toEqual([
        { username: 'demo-police-officer', outcome: 'allowed', status: 201, detail: `document ${letterId}` },
      ]);
      const downloads = await auditOf('document.download');
      expect(downloads.filter((row) => row.status === 200)).toEqual([
        { username: 'demo-police-officer', outcome: 'allowed', status: 200, detail: `document ${letterId}` },
        { username: 'demo-coordinator', outcome: 'allowed', status: 200, detail: `document ${letterId}` },
      ]);
      expect(downloads.filter((row) => row.outcome === 'denied').map((row) => [row.username, row.detail])).toEqual([
        ['demo-supervisor', `document ${letterId}; not_permitted_document`],
      ]);
    });

    it('is stored once when the same file comes again (a double submit)', async () => {
      const again = await upload(user('demo-police-officer'), LETTER, 'again.pdf').expect(200);
      expect(again.body).toMatchObject({ id: letterId, fileName: 'CP letter – Ileana Vasquez-Thornbury.pdf' });
    });
  });

  test('ids in capitals name the same case and document: a document added so opens, and so does the survivor', async () => {
    const CASE_ID = caseId.toUpperCase();
    const scan = Buffer.concat([PNG, Buffer.from('capitals')]);
    const added = await request(app)
      .post(`/api/cases/${CASE_ID}/steps/cp_request-1/documents`)
      .set(user('demo-police-officer'))
      .attach('file', scan, { filename: 'capitals.png' })
      .expect(201);
    const { id } = added.body as { id: string };
    expect(added.body).toMatchObject({ caseId, fileName: 'capitals.png' });
    for (const documentId of [id, id.toUpperCase()]) {
      const res = await request(app)
        .get(`/api/cases/${CASE_ID}/documents/${documentId}`)
        .set(user('demo-coordinator'))
        .buffer(true)
        .parse((response, done) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => done(null, Buffer.concat(chunks)));
        })
        .expect(200);
      expect(Buffer.compare(res.body as Buffer, scan)).toBe(0);
    }
    expect((await download(user('demo-coordinator'), id).expect(200)).headers['content-disposition']).toMatch(
      /filename="capitals.png"/,
    );
    const survivor = await request(app).get(`/api/cases/${CASE_ID}/survivor`).set(user('demo-coordinator')).expect(200);
    expect(survivor.body).toMatchObject({ name: SURVIVOR.name });
  });

  test.each([
    ['poly.html', 'poly.html.png'],
    ['scan.PNG', 'scan.PNG'],
    ['letter.pdf', 'letter.pdf.png'],
    ['no extension', 'no extension.png'],
    ['C:\\scans\\page.html', 'page.html.png'],
    [`${'x'.repeat(300)}.png`, `${'x'.repeat(196)}.png`],
  ])('a PNG sent as %j downloads as %j: the name ends in the type found in the content', async (sent, named) => {
    const png = Buffer.concat([PNG, Buffer.from(sent)]);
    const added = await upload(user('demo-police-officer'), png, sent).expect(201);
    expect(added.body).toMatchObject({ mediaType: 'image/png', fileName: named });
    const res = await download(user('demo-police-officer'), (added.body as { id: string }).id).expect(200);
    expect(res.headers['content-type']).toBe('image/png');
    expect(res.headers['content-disposition']).toContain(`filename="${named}"`);
  });

  describe('who may add a document', () => {
    it("the step's agency and the coordinator, PNG and JPEG too; no other agency, supervisor or outsider", async () => {
      await upload(user('demo-coordinator'), PNG, 'scan.png').expect(201);
      await upload(user('demo-police-officer'), JPEG, 'photo.jpg').expect(201);
      const before = await documentCount();
      // Another agency's officers do not see the step: for them the case has no such step.
      for (const username of ['demo-advocate', 'demo-ice-officer']) {
        const res = await upload(user(username), Buffer.from(`%PDF-1.4\n% ${username}\n%%EOF\n`), 'x.pdf').expect(404);
        expect(res.body).toMatchObject({ code: 'step_not_found' });
      }
      const supervisor = await upload(user('demo-supervisor'), Buffer.from('%PDF-1.4\n% s\n%%EOF\n'), 'x.pdf').expect(
        403,
      );
      expect(supervisor.body).toMatchObject({ code: 'not_permitted_document' });
      await upload(user('demo-admin'), LETTER, 'x.pdf').expect(403);
      await upload(user('demo-police-officer'), LETTER, 'x.pdf', 'no_such_step-1').expect(404);
      expect(await documentCount()).toBe(before);
    });
  });

  describe('removing a document added by mistake', () => {
    /** A PDF of its own (each call new content), naming another survivor as a letter added to the wrong case would. */
    const misfiled = (note: string) =>
      Buffer.from(`%PDF-1.4\n% CP request for Nguyen Thi Hoa, another case (${note})\n%%EOF\n`);
    const remove = (as: { Authorization: string }, documentId: string, body: object = { reason: 'wrong_case' }) =>
      request(app).post(`/api/cases/${caseId}/documents/${documentId}/remove`).set(as).send(body);
    const rowOf = async (documentId: string) =>
      (await stack.pool.query('SELECT id FROM step_documents WHERE id = $1', [documentId])).rowCount;
    const removals = async (documentId: string) =>
      (
        await stack.pool.query<{ username: string; outcome: string; status: number; step_id: string | null }>(
          `SELECT u.username, a.outcome, a.status, a.step_id FROM audit_events a LEFT JOIN users u ON u.id = a.user_id
         WHERE a.action = 'document.remove' AND a.case_id = $1 AND a.detail LIKE $2 ORDER BY a.id`,
          [caseId, `document ${documentId}%`],
        )
      ).rows;

    it('by who added it: the content is gone for good, the fact and the reason stay in the audit trail', async () => {
      const file = misfiled('uploader');
      const added = await upload(user('demo-police-officer'), file, 'CP request Nguyen Thi Hoa.pdf').expect(201);
      const { id } = added.body as { id: string };
      const removed = await remove(user('demo-police-officer'), id).expect(200);
      expect(removed.body).toEqual({
        id,
        caseId,
        stepId: 'cp_request-1',
        reason: 'wrong_case',
        removedAt: expect.any(String) as unknown,
      });
      // Not in the table (content and file name were in the row), not downloadable, not listed.
      expect(await rowOf(id)).toBe(0);
      for (const username of ['demo-police-officer', 'demo-coordinator']) {
        const res = await download(user(username), id).expect(404);
        expect((res.body as Buffer).toString()).toMatch(/document_not_found/);
      }
      const listed = await request(app).get(`/api/cases/${caseId}/documents`).set(user('demo-coordinator')).expect(200);
      expect((listed.body as { items: { id: string }[] }).items.map((item) => item.id)).not.toContain(id);
      // Who removed which document of which step and why; never its file name.
      const { rows } = await stack.pool.query<{ detail: string }>(
        "SELECT detail FROM audit_events WHERE action = 'document.remove' AND detail LIKE $1",
        [`document ${id}%`],
      );
      expect(rows).toEqual([{ detail: `document ${id}; removal_reason=wrong_case` }]);
      expect(await removals(id)).toEqual([
        { username: 'demo-police-officer', outcome: 'allowed', status: 200, step_id: 'cp_request-1' },
      ]);
      // Removing it again: no such document, as one never added (and audited as such).
      const again = await remove(user('demo-police-officer'), id).expect(404);
      expect(again.body).toMatchObject({ code: 'document_not_found' });
      // It was the right file after all: it is added again, as a new document, and opens.
      const readded = await upload(user('demo-police-officer'), file, 'CP request.pdf').expect(201);
      expect((readded.body as { id: string }).id).not.toBe(id);
      const opened = await download(user('demo-coordinator'), (readded.body as { id: string }).id).expect(200);
      expect(Buffer.compare(opened.body as Buffer, file)).toBe(0);
    });

    it("by the case's coordinator, and by an officer of the step's agency, what another added", async () => {
      const byOfficer = await upload(user('demo-police-officer'), misfiled('coordinator removes'), 'a.pdf').expect(201);
      await remove(user('demo-coordinator'), (byOfficer.body as { id: string }).id, { reason: 'wrong_file' }).expect(
        200,
      );
      const byCoordinator = await upload(user('demo-coordinator'), misfiled('officer removes'), 'b.pdf').expect(201);
      const { id } = byCoordinator.body as { id: string };
      await remove(user('demo-police-officer'), id, { reason: 'duplicate' }).expect(200);
      expect(await rowOf(id)).toBe(0);
      expect(await removals((byOfficer.body as { id: string }).id)).toEqual([
        { username: 'demo-coordinator', outcome: 'allowed', status: 200, step_id: 'cp_request-1' },
      ]);
    });

    it("is refused to a supervisor (403 in words, audited) and an admin, who see the step; to another agency's officer and an advocate, who do not, it is no document (404)", async () => {
      const added = await upload(user('demo-police-officer'), misfiled('refused'), 'c.pdf').expect(201);
      const { id } = added.body as { id: string };
      for (const username of ['demo-ice-officer', 'demo-advocate']) {
        const res = await remove(user(username), id).expect(404);
        expect(res.body).toMatchObject({ code: 'document_not_found' });
      }
      const res = await remove(user('demo-supervisor'), id).expect(403);
      expect(res.body).toMatchObject({
        code: 'not_permitted_document_removal',
        detail:
          "Only the person who added the document, an officer of the step's agency on this case, or the case's coordinator may remove it.",
      });
      await remove(user('demo-admin'), id).expect(403);
      expect((await removals(id)).map((row) => [row.username, row.status])).toEqual([
        ['demo-ice-officer', 404],
        ['demo-advocate', 404],
        ['demo-supervisor', 403],
        ['demo-admin', 403],
      ]);
      expect(await rowOf(id)).toBe(1);
      await download(user('demo-police-officer'), id).expect(200);
    });

    it('on a T-visa step answers ICE, the police and HHS, opened or removed, exactly as an id the case does not have', async () => {
      // probe N9: a 403 for a document on a hidden step and a 404 for an unknown id told, by a document's id, that the
      // survivor's T-visa filing has one (8 U.S.C. 1367).
      const receipt = Buffer.from('%PDF-1.4\n% I-914 filing receipt\n%%EOF\n');
      const added = await upload(user('demo-coordinator'), receipt, 'filing.pdf', 't_visa_filing-1').expect(201);
      const { id } = added.body as { id: string };
      const answersFor = async (username: string, documentId: string) =>
        [await download(user(username), documentId), await remove(user(username), documentId)].map((res) => {
          const body = (Buffer.isBuffer(res.body) ? JSON.parse(res.body.toString()) : res.body) as Record<
            string,
            unknown
          >;
          return { status: res.status, code: body.code, detail: String(body.detail).replaceAll(documentId, '<id>') };
        });
      for (const username of ['demo-ice-officer', 'demo-police-officer', 'demo-hhs-officer']) {
        const hidden = await answersFor(username, id);
        expect({ username, hidden }).toEqual({ username, hidden: await answersFor(username, randomUUID()) });
        expect(hidden.map((answer) => answer.code)).toEqual(['document_not_found', 'document_not_found']);
      }
      // Who sees the step but may not open it is still told so.
      await download(user('demo-supervisor'), id).expect(403);
      expect(await rowOf(id)).toBe(1);
      await download(user('demo-coordinator'), id).expect(200);
    });

    it('takes a reason from the list only: none, another code or words are refused (422), nothing removed', async () => {
      const added = await upload(user('demo-police-officer'), misfiled('reasons'), 'd.pdf').expect(201);
      const { id } = added.body as { id: string };
      for (const body of [{}, { reason: 'mistake' }, { reason: 'It was Nguyen Thi Hoa’s letter' }]) {
        const res = await remove(user('demo-police-officer'), id, body).expect(422);
        expect(res.body).toMatchObject({ errors: [{ field: 'reason' }] });
      }
      expect(await rowOf(id)).toBe(1);
      await remove(user('demo-police-officer'), id, { reason: 'other' }).expect(200);
    });
  });

  describe('a refused upload stores nothing', () => {
    it('refuses what is not a PDF, PNG or JPEG by its content, whatever its name and declared type: 415', async () => {
      const before = await documentCount();
      const cases: [Buffer, string, string][] = [
        [Buffer.from('plain text, not a letter'), 'letter.pdf', 'application/pdf'],
        [Buffer.from('<html><script>alert(1)</script></html>'), 'scan.png', 'image/png'],
        [Buffer.from('PK\u0003\u0004 a zip file'), 'letter.pdf', 'application/pdf'],
      ];
      for (const [bytes, name, type] of cases) {
        const res = await upload(user('demo-police-officer'), bytes, name, 'cp_request-1', type).expect(415);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(res.body).toMatchObject({
          code: 'document_type_not_allowed',
          errors: [{ field: 'file', message: expect.stringMatching(/PDF, PNG or JPEG/) as unknown }],
        });
      }
      expect(await documentCount()).toBe(before);
    });

    it('takes exactly 10 MB and refuses one byte more with 413 naming the limit', async () => {
      const before = await documentCount();
      const atLimit = Buffer.concat([PNG, Buffer.alloc(10 * 1024 * 1024 - PNG.length, 1)]);
      await upload(user('demo-police-officer'), atLimit, 'big.png').expect(201);
      const over = Buffer.concat([PNG, Buffer.alloc(10 * 1024 * 1024 + 1 - PNG.length, 2)]);
      const res = await upload(user('demo-police-officer'), over, 'too-big.png').expect(413);
      expect(res.body).toMatchObject({
        code: 'document_too_large',
        detail: expect.stringMatching(/10 MB/) as unknown,
        errors: [{ field: 'file', message: expect.stringMatching(/10 MB/) as unknown }],
      });
      expect(await documentCount()).toBe(before + 1);
    });

    it('refuses a file name people would read reordered, on two lines or blank, as other names: 422 naming the field', async () => {
      const before = await documentCount();
      const names = [
        'x\u202E.pdf', // the probe's: RIGHT-TO-LEFT OVERRIDE reverses what the page says after it
        'invoice\u202Efdp.exe',
        '\u202Aletter.pdf',
        'scan\u2066.pdf',
        'two\tcolumns.pdf',
        '\u200B\u200B',
      ];
      for (const name of names) {
        const res = await upload(user('demo-police-officer'), LETTER, name);
        expect([name, res.status, res.body]).toEqual([
          name,
          422,
          expect.objectContaining({
            code: 'invalid_file_name',
            errors: [{ field: 'file', message: expect.any(String) as unknown }],
          }),
        ]);
      }
      expect((await upload(user('demo-police-officer'), LETTER, 'x\u202E.pdf')).body).toMatchObject({
        errors: [
          {
            field: 'file',
            message: expect.stringMatching(/^the file name: expected text without direction controls/) as unknown,
          },
        ],
      });
      expect(await documentCount()).toBe(before);
    });

    it('refuses a body that is not a form with a file (415 or 422), or a file name that is not UTF-8 (400)', async () => {
      const as = user('demo-police-officer');
      const path = `/api/cases/${caseId}/steps/cp_request-1/documents`;
      await request(app).post(path).set(as).send({ file: 'not a file' }).expect(415);
      const empty = await request(app).post(path).set(as).field('note', 'no file').expect(422);
      expect(empty.body).toMatchObject({ code: 'invalid_upload', errors: [{ field: 'file' }] });
      await request(app).post(path).set(as).attach('other', LETTER, 'x.pdf').expect(422);
      // A file name that is not valid UTF-8 (a Latin-1 é), raw or percent-encoded: 400, as a JSON body that is not,
      // rather than stored with U+FFFD in place of the byte.
      const boundary = 'not-utf8-boundary';
      for (const disposition of [
        Buffer.from('filename="Ren\xe9e.pdf"', 'latin1'),
        Buffer.from("filename*=UTF-8''Ren%E9e.pdf", 'latin1'),
      ]) {
        const form = Buffer.concat([
          Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; `, 'latin1'),
          disposition,
          Buffer.from('\r\nContent-Type: application/pdf\r\n\r\n', 'latin1'),
          LETTER,
          Buffer.from(`\r\n--${boundary}--\r\n`, 'latin1'),
        ]);
        const counted = await documentCount();
        const undecodable = await request(app)
          .post(path)
          .set(as)
          .set('Content-Type', `multipart/form-data; boundary=${boundary}`)
          .serialize((bytes: Buffer) => bytes as unknown as string)
          .send(form);
        expect([disposition.toString('latin1'), undecodable.status, undecodable.body]).toMatchObject([
          disposition.toString('latin1'),
          400,
          { code: 'encoding_invalid', errors: [{ field: 'file', message: 'the file name is not valid UTF-8 text' }] },
        ]);
        expect(await documentCount()).toBe(counted);
      }
      // Two files: said in words, not by multer's code (LIMIT_FILE_COUNT); nothing stored.
      const before = await documentCount();
      const two = await request(app)
        .post(path)
        .set(as)
        .attach('file', LETTER, 'one.pdf')
        .attach('file', LETTER, 'two.pdf')
        .expect(422);
      expect(two.body).toMatchObject({
        code: 'invalid_upload',
        errors: [{ field: 'file', message: 'one file at most, in the field file' }],
      });
      expect(await documentCount()).toBe(before);
    });
  });

  test('a document sealed under a key that was rotated out still opens while the old key is kept, as an identity does', async () => {
    const old = { id: 'documents-2026a', key: randomBytes(32) };
    const rotated = { current: { id: 'documents-2027a', key: randomBytes(32) }, previous: [old] };
    const postgres = { kind: 'postgres' } as const;
    const view = await request(app).get(`/api/cases/${caseId}`).set(user('demo-coordinator')).expect(200);
    const declaration = (view.body as { steps: { id: string; openedAt: string }[] }).steps.find(
      (step) => step.id === 'le_declaration-1',
    )!;
    const { document } = await saveDocument(
      stack.pool,
      {
        id: randomUUID(),
        caseId,
        stepId: declaration.id,
        stepInstance: 0,
        uploadedBy: null,
        uploadedAt: new Date(),
        mediaType: 'image/png',
        fileName: 'declaration.png',
        content: PNG,
      },
      postgres,
      { current: old },
    );
    const opened = await openDocument(stack.pool, caseId, document.id, postgres, rotated);
    expect([opened?.fileName, opened && Buffer.compare(opened.content, PNG)]).toEqual(['declaration.png', 0]);
    await expect(openDocument(stack.pool, caseId, document.id, postgres, { current: rotated.current })).rejects.toThrow(
      'identity key documents-2026a is not in the keyring',
    );
    // Over HTTP, with the old key dropped (this stack's keyring never held it): a problem naming the key, never a 500.
    const refused = await download(user('demo-coordinator'), document.id);
    expect([refused.status, JSON.parse((refused.body as Buffer).toString()) as unknown]).toEqual([
      503,
      expect.objectContaining({
        code: 'identity_key_missing',
        detail: expect.stringContaining('identity key documents-2026a') as unknown,
      }),
    ]);
  });

  test('a file name stored with a direction override before they were refused is set apart in a <bdi> wherever the console shows it', async () => {
    const name = 'x\u202Efdp.png';
    const { document } = await saveDocument(
      stack.pool,
      {
        id: randomUUID(),
        caseId,
        stepId: 'cp_request-1',
        stepInstance: 0,
        uploadedBy: null,
        uploadedAt: new Date(),
        mediaType: 'image/png',
        fileName: name,
        content: Buffer.concat([PNG, Buffer.from('stored before the rule')]),
      },
      { kind: 'postgres' },
      stack.identityKeyring,
    );
    const cookie = `${SESSION_COOKIE}=${await sealSessionToken(
      CONSOLE_SECRET,
      stack.users['demo-coordinator']!.token,
      new Date(Date.now() + 3600_000),
    )}`;
    const page = async (path: string) => (await request(app).get(path).set('Cookie', cookie).expect(200)).text;
    const casePage = await page(`/cases/${caseId}`);
    expect(casePage).toContain(`download><bdi>${name}</bdi></a> (PNG, 1 KB) · <a`);
    expect(casePage).toContain(`Remove<span class="visually-hidden"> <bdi>${name}</bdi> from`);
    // Nowhere outside one: the override cannot reach the rest of its line.
    expect(casePage.split(name).length - 1).toBe(casePage.split(`<bdi>${name}</bdi>`).length - 1);
    const removal = await page(`/cases/${caseId}/documents/${document.id}/remove`);
    expect(removal).toContain(`<dd><bdi>${name}</bdi></dd>`);
    await request(app)
      .post(`/api/cases/${caseId}/documents/${document.id}/remove`)
      .set(user('demo-coordinator'))
      .send({ reason: 'wrong_file' })
      .expect(200);
  });

  test('in the browser: the officer adds the signed request to the sign-off form, then downloads it from the case page', async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox'] });
    // bypassCSP lets the test inject axe-core; the pages themselves run under helmet's CSP.
    const context = await browser.newContext({ bypassCSP: true, acceptDownloads: true });
    const page = await context.newPage();
    await page.goto(`${base}/sign-in`);
    await page.getByLabel('Username').fill('demo-police-officer');
    await page.getByLabel('Password').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => url.pathname !== '/sign-in');

    await page.goto(`${base}/cases/${caseId}/steps/cp_request-1`);
    const form = async (file: { name: string; mimeType: string; buffer: Buffer }) => {
      await page.getByLabel(/Requested on/).fill('2026-11-03');
      await page.getByLabel(/Document that proves it/).setInputFiles(file);
      await page.getByRole('button', { name: 'Continue' }).click();
    };
    // A text file named as a PDF: refused next to the field, and the step is not signed.
    await form({ name: 'request.pdf', mimeType: 'application/pdf', buffer: Buffer.from('not a PDF at all') });
    await expect(page.locator('#document-error').textContent()).resolves.toMatch(/PDF, PNG or JPEG/);
    expect(await page.getByLabel(/Document that proves it/).getAttribute('aria-invalid')).toBe('true');
    await expectAccessible(page);
    // One byte over 10 MB: the console reads no further and says so beside the field.
    await form({ name: 'scan.pdf', mimeType: 'application/pdf', buffer: Buffer.alloc(10 * 1024 * 1024 + 1, 0x25) });
    await expect(page.locator('#document-error').textContent()).resolves.toMatch(/at most 10 MB/);
    // A file name with a direction override, which would reorder the case page's line: refused beside the field too.
    await form({ name: 'request\u202Efdp.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n%%EOF\n') });
    await expect(page.locator('#document-error').textContent()).resolves.toMatch(
      /^The file name: expected text without direction controls/,
    );

    const signed = Buffer.from(`%PDF-1.4\n% CP request signed for ${SURVIVOR.name}\n%%EOF\n`);
    await form({ name: 'CP request (signed).pdf', mimeType: 'application/pdf', buffer: signed });
    // The check page names the document, already added to the step; the sign-off is its confirmation.
    expect(await page.locator('dl.answers').textContent()).toContain('CP request (signed).pdf');
    await page.getByRole('button', { name: 'Confirm and sign off' }).click();
    await page.waitForURL((url) => url.pathname === '/');

    await page.goto(`${base}/cases/${caseId}`);
    await expectAccessible(page);
    const link = page.getByRole('link', { name: 'CP request (signed).pdf', exact: true });
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).toBe('CP request (signed).pdf');
    expect(Buffer.compare(readFileSync(await download.path()), signed)).toBe(0);

    const listed = await request(app)
      .get(`/api/cases/${caseId}/documents`)
      .set(user('demo-police-officer'))
      .expect(200);
    const added = (listed.body as { items: { id: string; sha256: string }[] }).items.find(
      (item) => item.sha256 === sha256(signed),
    );
    expect(added).toBeDefined();
    expect((await auditOf('document.download')).filter((row) => row.detail === `document ${added!.id}`)).toEqual([
      { username: 'demo-police-officer', outcome: 'allowed', status: 200, detail: `document ${added!.id}` },
    ]);
    const view = await request(app).get(`/api/cases/${caseId}`).set(user('demo-police-officer')).expect(200);
    expect(
      (view.body as { steps: { id: string; status: string }[] }).steps.find((st) => st.id === 'cp_request-1'),
    ).toMatchObject({
      status: 'completed',
    });
  });

  test('in the browser: a wrong file chosen on a sign-off form is removed from its check page, back to the form with its answers; another from the case page', async () => {
    // Signed in as the police officer by the test before.
    const context = browser!.contexts()[0]!;
    const page = await context.newPage();
    const signOffForm = `/cases/${caseId}/steps/le_declaration-1`;
    await page.goto(`${base}${signOffForm}?outcome=signed`);
    const note = 'Signed by Lt. Ruiz, original mailed';
    await page.getByLabel(/Signed on/).fill('2026-11-04');
    await page.getByLabel(/Note/).fill(note);
    const wrong = Buffer.from('%PDF-1.4\n% Declaration for Nguyen Thi Hoa, another case\n%%EOF\n');
    const chooseWrongFile = async () => {
      await page
        .getByLabel(/Document that proves it/)
        .setInputFiles({ name: 'Declaration Nguyen Thi Hoa.pdf', mimeType: 'application/pdf', buffer: wrong });
      await page.getByRole('button', { name: 'Continue' }).click();
      // The check page: the document is already on the step, and may be removed from here.
      expect(await page.locator('dl.answers').textContent()).toContain('Declaration Nguyen Thi Hoa.pdf (already added');
      await page.getByRole('button', { name: 'Remove this document from the step' }).click();
      await page.waitForURL((url) => /\/documents\/[0-9a-f-]+\/remove$/.test(url.pathname));
    };
    // The answers typed, on the form again: the note never in the address.
    const formKept = async () => {
      await page.waitForURL((url) => url.pathname === signOffForm && url.search === '');
      expect(await page.getByLabel(/Signed on/).inputValue()).toBe('2026-11-04');
      expect(await page.getByLabel(/Note/).inputValue()).toBe(note);
    };
    await chooseWrongFile();
    // What will be removed, in words; who added it by name, as the console names people.
    const answers = await page.locator('dl.answers').textContent();
    expect(answers).toContain('Law-enforcement declaration');
    expect(answers).toContain('Declaration Nguyen Thi Hoa.pdf');
    expect(answers).toMatch(/PDF, 1 KB/);
    expect(answers).toMatch(/by Demo Police Officer \(fictitious\) \([^)]+\)/);
    expect(answers).not.toContain('demo-police-officer');
    await expectAccessible(page);
    // Cancel: back to the form with the answers, nothing said removed.
    await page.getByRole('button', { name: 'Cancel' }).click();
    await formKept();
    expect(await page.getByRole('status').count()).toBe(0);

    await chooseWrongFile();
    // Sent without a reason: the error summary, in words, linking to the field.
    await page.getByRole('button', { name: 'Remove the document' }).click();
    expect(await page.title()).toMatch(/^Error: /);
    await expect(page.locator('#reason-error').textContent()).resolves.toMatch(/Choose why the document is removed/);
    await expectAccessible(page);
    await page.getByLabel('Why it is removed').selectOption({ label: 'The wrong file was chosen' });
    await page.getByRole('button', { name: 'Remove the document' }).click();
    // Back to the form, not the case: the answers kept, and told the step is not signed yet.
    await formKept();
    await expect(page.getByRole('status').textContent()).resolves.toBe(
      'The document was removed: no one can open it again. The step is not signed yet: choose the right file and continue.',
    );
    expect(await page.content()).not.toContain('Declaration Nguyen Thi Hoa.pdf');
    await expectAccessible(page);
    await page.goto(`${base}/cases/${caseId}`);
    expect(await page.content()).not.toContain('Declaration Nguyen Thi Hoa.pdf');

    // From the case page: the officer removes the signed CP request the test before added.
    await page
      .getByRole('link', { name: 'Remove CP request (signed).pdf from Continued Presence request', exact: true })
      .click();
    await page.getByLabel('Why it is removed').selectOption({ label: 'It duplicates another document' });
    await page.getByRole('button', { name: 'Remove the document' }).click();
    await page.waitForURL((url) => url.pathname === `/cases/${caseId}`);
    await expectAccessible(page);
    expect(await page.getByRole('link', { name: 'CP request (signed).pdf', exact: true }).count()).toBe(0);

    const listed = await request(app)
      .get(`/api/cases/${caseId}/documents`)
      .set(user('demo-police-officer'))
      .expect(200);
    const names = (listed.body as { items: { fileName?: string | null }[] }).items.map((item) => item.fileName);
    expect(names).not.toContain('Declaration Nguyen Thi Hoa.pdf');
    expect(names).not.toContain('CP request (signed).pdf');
    const { rows } = await stack.pool.query<{ username: string; step_id: string; detail: string }>(
      `SELECT u.username, a.step_id, a.detail FROM audit_events a JOIN users u ON u.id = a.user_id
     WHERE a.action = 'document.remove' AND a.case_id = $1 AND a.outcome = 'allowed' ORDER BY a.id DESC LIMIT 2`,
      [caseId],
    );
    expect(rows.map((row) => [row.username, row.step_id, row.detail.replace(/^document \S+; /, '')])).toEqual([
      ['demo-police-officer', 'cp_request-1', 'removal_reason=duplicate'],
      ['demo-police-officer', 'le_declaration-1', 'removal_reason=wrong_file'],
    ]);
    // Cancelled, not signed: the declaration still waits for its sign-off.
    const view = await request(app).get(`/api/cases/${caseId}`).set(user('demo-police-officer')).expect(200);
    expect(
      (view.body as { steps: { id: string; status: string }[] }).steps.find((st) => st.id === 'le_declaration-1'),
    ).toMatchObject({ status: 'pending' });
    await page.close();
  });

  describe('a document of a step a correction withdrew', () => {
    // CP granted opens the adult's certification request; the advocate adds its document; ICE corrects the grant to a
    // denial, which withdraws the request (no other ground). Later a bona fide T-visa application opens a new
    // `hhs_certification_request-1`: another step under the same id.
    let withdrawnCase: string;
    let documentId: string;
    const STEP = 'hhs_certification_request-1';
    const send = (username: string, path: string, body: object) =>
      request(app).post(path).set(user(username)).set('Idempotency-Key', randomUUID()).send(body);
    const signOff = (username: string, stepId: string, outcome: string, details: object) =>
      send(username, `/api/cases/${withdrawnCase}/steps/${stepId}/sign-off`, { outcome, details }).expect(200);
    const caseDocuments = async (username: string) =>
      (
        (await request(app).get(`/api/cases/${withdrawnCase}/documents`).set(user(username)).expect(200)).body as {
          items: { id: string; stepId: string; stepWithdrawn?: boolean }[];
        }
      ).items;
    let today: string;

    beforeAll(async () => {
      today = dateOf(new Date(await stack.env.currentTimeMs()).toISOString());
      const opened = await send('demo-police-officer', '/api/cases', {
        survivor: { name: 'Test Survivor (fictitious)', birthDate: '1990-04-05' },
        agencies: DEMO_AGENCIES,
        identifiedOn: addDays(today, -10),
      }).expect(201);
      withdrawnCase = (opened.body as { caseId: string }).caseId;
      await signOff('demo-police-officer', 'cp_request-1', 'requested', { requestedOn: addDays(today, -5) });
      await signOff('demo-ice-officer', 'cp_decision-1', 'granted', { grantedOn: addDays(today, -5) });
      const added = await request(app)
        .post(`/api/cases/${withdrawnCase}/steps/${STEP}/documents`)
        .set(user('demo-advocate'))
        .attach('file', JPEG, { filename: 'certification request.jpg' })
        .expect(201);
      documentId = (added.body as { id: string }).id;
      // By the coordinator: ICE does not correct a grant, which opens steps it is not told of (probe Q1).
      await send('demo-coordinator', `/api/cases/${withdrawnCase}/steps/cp_decision-1/corrections`, {
        outcome: 'denied',
        details: { reason: 'not_potential_witness' },
        reason: 'entered on the wrong case',
      }).expect(200);
    });

    it('stays listed, marked withdrawn, and opens for the advocate and the coordinator; ICE is told of no document', async () => {
      for (const username of ['demo-advocate', 'demo-coordinator']) {
        expect(await caseDocuments(username)).toEqual([
          expect.objectContaining({ id: documentId, stepId: STEP, stepWithdrawn: true }),
        ]);
        const opened = await download(user(username), documentId, withdrawnCase).expect(200);
        expect(Buffer.compare(opened.body as Buffer, JPEG)).toBe(0);
      }
      // ICE may not see the advocate's steps: the document answers as an id the case does not have.
      const asIce = await download(user('demo-ice-officer'), documentId, withdrawnCase);
      expect([asIce.status, JSON.parse((asIce.body as Buffer).toString())]).toMatchObject([
        404,
        { code: 'document_not_found', detail: `No document ${documentId} in this case.` },
      ]);
      await send('demo-ice-officer', `/api/cases/${withdrawnCase}/documents/${documentId}/remove`, {
        reason: 'wrong_step',
      }).expect(404);
      expect(await caseDocuments('demo-ice-officer')).toEqual([]);
    });

    it('is not the document of a new step opened under its id, and its agency removes it', async () => {
      await signOff('demo-advocate', 't_visa_filing-1', 'filed', { filedOn: addDays(today, -4) });
      await signOff('demo-advocate', 't_visa_receipt-1', 'received', { receivedOn: addDays(today, -3) });
      await signOff('demo-advocate', 't_visa_bona_fide-1', 'bona_fide', { determinedOn: addDays(today, -2) });
      const stepList = await request(app)
        .get(`/api/cases/${withdrawnCase}/steps/${STEP}/documents`)
        .set(user('demo-advocate'))
        .expect(200);
      expect(stepList.body).toEqual({ items: [] });
      // The same file on the new step is a document of its own.
      const again = await request(app)
        .post(`/api/cases/${withdrawnCase}/steps/${STEP}/documents`)
        .set(user('demo-advocate'))
        .attach('file', JPEG, { filename: 'certification request.jpg' })
        .expect(201);
      const newId = (again.body as { id: string }).id;
      expect(newId).not.toBe(documentId);
      expect((await caseDocuments('demo-advocate')).map((doc) => [doc.id, doc.stepWithdrawn])).toEqual([
        [documentId, true],
        [newId, undefined],
      ]);
      await send('demo-advocate', `/api/cases/${withdrawnCase}/documents/${documentId}/remove`, {
        reason: 'wrong_step',
      }).expect(200);
      expect((await caseDocuments('demo-advocate')).map((doc) => doc.id)).toEqual([newId]);
    });
  });

  test('a file name cut to 200 characters is cut between characters: listed and downloaded as the upload answered it (probe R1)', async () => {
    // Probe R1 (npm start): a PDF sent as 'a' + 150 × '😀' + '.pdf' was answered 201 with a name ending in half an emoji
    // (a lone surrogate, U+D83D), stored as U+FFFD: listed and downloaded as '…😀�.pdf', not the name answered.
    const name = `a${'\u{1F600}'.repeat(150)}.pdf`;
    const letter = Buffer.from('%PDF-1.4\n% a letter with a long name\n%%EOF\n');
    const added = await upload(user('demo-police-officer'), letter, name).expect(201);
    const { id, fileName } = added.body as { id: string; fileName: string };
    expect(fileName).toBe(`a${'\u{1F600}'.repeat(97)}.pdf`);
    const listed = await request(app)
      .get(`/api/cases/${caseId}/steps/cp_request-1/documents`)
      .set(user('demo-coordinator'))
      .expect(200);
    expect((listed.body as { items: { id: string; fileName: string }[] }).items.find((doc) => doc.id === id)).toEqual(
      expect.objectContaining({ fileName }),
    );
    const downloaded = await download(user('demo-coordinator'), id).expect(200);
    expect(downloaded.headers['content-disposition']).toMatch(`filename*=UTF-8''${encodeURIComponent(fileName)}`);
    await removedByTheOfficer(id);
  });

  test("a withdrawn step's document stays with the agency that owed the step, never one the case is transferred to later (probe R1)", async () => {
    // Probe R1 (npm start): the advocate added "Maria Testcase passport.jpg" to hhs_certification_request-1, the
    // coordinator corrected the CP grant to a denial (withdrawing that request), then transferred the case's advocate
    // role to other-advocates. Its advocate's GET /api/cases/{id}/documents listed the file by name, and GET
    // /api/cases/{id}/documents/{documentId} answered 200 with its content: a step it never held, where a settled step
    // of the old advocate's shows it no document.
    await upsertAgencies(stack.pool, [
      {
        id: 'other-advocates',
        kind: 'advocate',
        name: 'Other Advocates (fictitious)',
        email: 'intake@other.example.org',
      },
    ]);
    const otherAdvocate = (await createWorker(stack.pool, 'other-advocates', 'advocate')).headers;
    const send = (as: { Authorization: string }, path: string, body: object) =>
      request(app).post(path).set(as).set('Idempotency-Key', randomUUID()).send(body);
    const today = dateOf(new Date(await stack.env.currentTimeMs()).toISOString());
    const opened = await send(user('demo-police-officer'), '/api/cases', {
      survivor: { name: 'Test Survivor (fictitious)', birthDate: '1990-04-06' },
      agencies: DEMO_AGENCIES,
      identifiedOn: addDays(today, -10),
    }).expect(201);
    const transferred = (opened.body as { caseId: string }).caseId;
    const signOff = (username: string, stepId: string, outcome: string, details: object) =>
      send(user(username), `/api/cases/${transferred}/steps/${stepId}/sign-off`, { outcome, details }).expect(200);
    await signOff('demo-police-officer', 'cp_request-1', 'requested', { requestedOn: addDays(today, -5) });
    await signOff('demo-ice-officer', 'cp_decision-1', 'granted', { grantedOn: addDays(today, -5) });
    const added = await request(app)
      .post(`/api/cases/${transferred}/steps/hhs_certification_request-1/documents`)
      .set(user('demo-advocate'))
      .attach('file', PNG, { filename: 'certification request.png' })
      .expect(201);
    const documentId = (added.body as { id: string }).id;
    await send(user('demo-coordinator'), `/api/cases/${transferred}/steps/cp_decision-1/corrections`, {
      outcome: 'denied',
      details: { reason: 'not_potential_witness' },
      reason: 'entered on the wrong case',
    }).expect(200);
    await send(user('demo-coordinator'), `/api/cases/${transferred}/transfers`, {
      agencyKind: 'advocate',
      toAgencyId: 'other-advocates',
      reason: 'referred',
    }).expect(200);

    // The new advocate: no such document, listed, opened or removed, as for an id the case does not have.
    const listed = await request(app).get(`/api/cases/${transferred}/documents`).set(otherAdvocate).expect(200);
    expect(listed.body).toEqual({ items: [] });
    const opening = await download(otherAdvocate, documentId, transferred);
    expect([opening.status, JSON.parse((opening.body as Buffer).toString())]).toMatchObject([
      404,
      { code: 'document_not_found' },
    ]);
    await send(otherAdvocate, `/api/cases/${transferred}/documents/${documentId}/remove`, {
      reason: 'wrong_step',
    }).expect(404);
    // The coordinator still has it, marked withdrawn, named as the agency that owed the step.
    const coordinators = await request(app).get(`/api/cases/${transferred}/documents`).set(user('demo-coordinator'));
    expect(coordinators.body).toEqual({
      items: [expect.objectContaining({ id: documentId, stepWithdrawn: true, fileName: 'certification request.png' })],
    });
    const openedByCoordinator = await download(user('demo-coordinator'), documentId, transferred).expect(200);
    expect(Buffer.compare(openedByCoordinator.body as Buffer, PNG)).toBe(0);
  });

  test("the survivor's name in a document is found nowhere in the clear: rows, history, emails, logs", async () => {
    const rows = await databaseRows(stack);
    expect(rows.some((row) => row.table === 'step_documents')).toBe(true);
    const history = await storedHistory(stack, caseId);
    expect({
      rows: rows.flatMap((row) => needlesIn(NEEDLES, row.text).map((needle) => `${row.table}: ${needle}`)),
      history: needlesIn(NEEDLES, history.text),
      historyNamesADocument: history.text.includes(letterId) || history.text.includes(sha256(LETTER)),
      emails: stack.mail.messages().flatMap((message) => needlesIn(NEEDLES, JSON.stringify(message))),
      logs: log.lines.flatMap((line) => needlesIn(NEEDLES, line)),
    }).toEqual({ rows: [], history: [], historyNamesADocument: false, emails: [], logs: [] });
  });

  describe('a document of a step a correction re-dated', () => {
    it('stays the step’s: the CP request corrected to a day earlier re-dates the decision, which keeps its letter', async () => {
      const today = dateOf(new Date(await stack.env.currentTimeMs()).toISOString());
      const send = (username: string, path: string, body: object) =>
        request(app).post(path).set(user(username)).set('Idempotency-Key', randomUUID()).send(body);
      const opened = await send('demo-police-officer', '/api/cases', {
        survivor: { name: 'Test Survivor Redated (fictitious)', birthDate: '1990-04-06' },
        agencies: DEMO_AGENCIES,
        identifiedOn: addDays(today, -10),
      }).expect(201);
      const caseId = (opened.body as { caseId: string }).caseId;
      const sign = (username: string, stepId: string, outcome: string, details: object) =>
        send(username, `/api/cases/${caseId}/steps/${stepId}/sign-off`, { outcome, details }).expect(200);
      await sign('demo-police-officer', 'cp_request-1', 'requested', { requestedOn: addDays(today, -5) });
      await sign('demo-ice-officer', 'cp_decision-1', 'granted', { grantedOn: addDays(today, -5) });
      const added = await request(app)
        .post(`/api/cases/${caseId}/steps/cp_decision-1/documents`)
        .set(user('demo-ice-officer'))
        .attach('file', JPEG, { filename: 'approval.jpg' })
        .expect(201);
      const before = await request(app).get(`/api/cases/${caseId}`).set(user('demo-coordinator')).expect(200);
      await send('demo-police-officer', `/api/cases/${caseId}/steps/cp_request-1/corrections`, {
        outcome: 'requested',
        details: { requestedOn: addDays(today, -6) },
        reason: 'typed the day after the call',
      }).expect(200);
      const after = await request(app).get(`/api/cases/${caseId}`).set(user('demo-coordinator')).expect(200);
      const openedAt = (res: request.Response) =>
        (res.body as { steps: { id: string; openedAt: string }[] }).steps.find((step) => step.id === 'cp_decision-1')
          ?.openedAt;
      expect(openedAt(after)).not.toBe(openedAt(before));

      const listed = await request(app)
        .get(`/api/cases/${caseId}/steps/cp_decision-1/documents`)
        .set(user('demo-ice-officer'))
        .expect(200);
      expect((listed.body as { items: { id: string; stepWithdrawn?: boolean }[] }).items).toEqual([
        expect.objectContaining({ id: (added.body as { id: string }).id }),
      ]);
      expect((listed.body as { items: { stepWithdrawn?: boolean }[] }).items[0]?.stepWithdrawn).toBeUndefined();
    });
  });

  /** A JPEG segment: its marker, then its length and payload. */
  const segment = (marker: number, payload: Buffer) => {
    const head = Buffer.alloc(4);
    head.writeUInt16BE(0xff00 + marker, 0);
    head.writeUInt16BE(payload.length + 2, 2);
    return Buffer.concat([head, payload]);
  };

  /** An EXIF (little-endian, as phones write it) naming the photo's owner, with an orientation: turn 90° to be upright. */
  function exifOf(artist: string, orientation: number): Buffer {
    const text = Buffer.from(`${artist}\0`, 'latin1');
    const tiff = Buffer.alloc(8 + 2 + 2 * 12 + 4);
    tiff.write('II', 0, 'latin1');
    tiff.writeUInt16LE(42, 2);
    tiff.writeUInt32LE(8, 4);
    tiff.writeUInt16LE(2, 8);
    tiff.writeUInt16LE(0x013b, 10); // Artist, ASCII, its text after the directory
    tiff.writeUInt16LE(2, 12);
    tiff.writeUInt32LE(text.length, 14);
    tiff.writeUInt32LE(tiff.length, 18);
    tiff.writeUInt16LE(0x0112, 22); // Orientation, SHORT
    tiff.writeUInt16LE(3, 24);
    tiff.writeUInt32LE(1, 26);
    tiff.writeUInt16LE(orientation, 30);
    return Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff, text]);
  }

  /** A PNG chunk: length, type, data and a CRC (not checked by the service, so left zero). */
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length, 0);
    return Buffer.concat([length, Buffer.from(type, 'latin1'), data, Buffer.alloc(4)]);
  };

  test("a photo's metadata (its owner, where it was taken, comments) is not kept; the picture and its orientation are (probe R1)", async () => {
    // Probe R1 (npm start): a police officer's JPEG with EXIF GPS 41°52′45″N 87°37′49″W and Artist "Jane Example"
    // downloaded byte for byte by the coordinator, telling every agency that opens it where it was photographed.
    const picture = Buffer.concat([
      segment(0xdb, Buffer.alloc(65, 1)), // a quantization table: the picture's own, kept
      segment(0xda, Buffer.from('0c03010002110311003f00', 'hex')),
      Buffer.from('scan data of the picture', 'latin1'),
      Buffer.from('ffd9', 'hex'),
    ]);
    const photo = Buffer.concat([
      JPEG.subarray(0, 20), // SOI and the JFIF header
      segment(0xe1, exifOf('Jane Example', 6)),
      segment(0xe1, Buffer.from('http://ns.adobe.com/xap/1.0/\0<exif:GPSLatitude>41,52.75N</exif:GPSLatitude>')),
      segment(0xed, Buffer.from('Photoshop 3.0\0 By-line: Jane Example', 'latin1')),
      segment(0xfe, Buffer.from('Shelter on Lake Street', 'latin1')),
      picture,
    ]);
    const added = await upload(user('demo-police-officer'), photo, 'passport page.jpg').expect(201);
    const { id: photoId, sha256: photoSha } = added.body as { id: string; sha256: string };
    const kept = (await download(user('demo-coordinator'), photoId).expect(200)).body as Buffer;
    for (const said of ['Jane Example', 'GPSLatitude', '41,52', 'Shelter', 'Photoshop']) {
      expect(kept.includes(said)).toBe(false);
    }
    // SOI, JFIF, an EXIF holding the orientation alone (big-endian: 0x0112, SHORT, 1, 6), then the picture unchanged.
    const orientationOnly = Buffer.from(
      'ffe100224578696600004d4d002a00000008000101120003000000010006000000000000',
      'hex',
    );
    expect(kept.equals(Buffer.concat([JPEG.subarray(0, 20), orientationOnly, picture]))).toBe(true);
    expect(photoSha).toBe(sha256(kept));

    const scan = Buffer.concat([
      PNG.subarray(0, 33), // the signature and IHDR
      chunk('tEXt', Buffer.from('Author\0Jane Example', 'latin1')),
      chunk('iTXt', Buffer.from('XML:com.adobe.xmp\0\0\0\0\0<exif:GPSLatitude>41,52.75N</exif:GPSLatitude>', 'latin1')),
      chunk('eXIf', exifOf('Jane Example', 1).subarray(6)),
      PNG.subarray(33), // IDAT and IEND
      Buffer.from('metadata probe', 'latin1'), // after its end, as it came: a picture no other test added
    ]);
    const png = await upload(user('demo-police-officer'), scan, 'scan.png').expect(201);
    const { id: pngId } = png.body as { id: string };
    const keptPng = (await download(user('demo-coordinator'), pngId).expect(200)).body as Buffer;
    expect(keptPng.equals(Buffer.concat([PNG, Buffer.from('metadata probe', 'latin1')]))).toBe(true);

    for (const id of [photoId, pngId]) await removedByTheOfficer(id);
  });
});
