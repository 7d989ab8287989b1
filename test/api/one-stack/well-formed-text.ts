/**
 * Text that is not well-formed Unicode (a lone UTF-16 surrogate, sent as JSON's `\ud800` escape) is refused at the
 * API's door on real parts: 422 `invalid_text` naming the field, as a key or as a value, for a case's opening, a
 * sign-off and its preview, a correction and its preview, and an agency. Before, such a key reached the workflow's
 * refusal and stopped the worker for every case; such a name answered 500 from PostgreSQL. A body whose bytes are not
 * valid UTF-8 is refused whole (400 `encoding_invalid`): before, each bad byte was read as U+FFFD and stored so.
 */
import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import request from 'supertest';
import { DEMO_AGENCIES } from '../../../db/seed';
import { dateOf } from '../../../domain/dates';
import type { Stack } from '../../support/stack';
import { describeOnSharedStack, sharedStack } from '../../support/shared-stack';

describeOnSharedStack('well-formed-text', () => {
  const LONE = '\ud800';
  /** How the API names a field whose key is a lone surrogate: the key's well-formed form, never the key itself. */
  const NAMED = LONE.toWellFormed();

  let stack: Stack;
  beforeAll(async () => {
    stack = sharedStack();
  });

  const police = () => stack.users['demo-police-officer']!.headers;

  function post(path: string, headers: Record<string, string>, body: object) {
    return request(stack.app).post(path).set(headers).set('Idempotency-Key', randomUUID()).send(body);
  }

  async function openCase(identifiedOn: string, name: string): Promise<string> {
    const opened = await post('/api/cases', police(), {
      identifiedOn,
      survivor: { name, birthDate: '1990-04-05' },
      agencies: DEMO_AGENCIES,
      confirmNotDuplicate: true,
    }).expect(201);
    return (opened.body as { caseId: string }).caseId;
  }

  test('a lone surrogate, as a key or a value, is refused with 422 invalid_text naming the field; the worker lives on', async () => {
    const today = dateOf(new Date(await stack.env.currentTimeMs()).toISOString());
    const signing = await openCase(today, 'Ada Example (fictitious)');
    const corrected = await openCase(today, 'Bea Example (fictitious)');
    const untouched = await openCase(today, 'Cy Example (fictitious)');
    await post(`/api/cases/${corrected}/steps/cp_request-1/sign-off`, police(), {
      outcome: 'requested',
      details: { requestedOn: today },
    }).expect(200);

    const opening = {
      identifiedOn: today,
      survivor: { name: 'Dee Example (fictitious)', birthDate: '1990-04-05' },
      agencies: DEMO_AGENCIES,
    };
    const signOff = { outcome: 'requested', details: { requestedOn: today } };
    const correction = { ...signOff, reason: 'Typed the wrong day' };
    const agency = { id: 'text-agency', kind: 'advocate', name: 'Text Advocates' };
    const systemAdmin = stack.users['demo-system-admin']!.headers;
    const requests = [
      { path: '/api/cases', headers: police(), body: opening },
      { path: `/api/cases/${signing}/steps/cp_request-1/sign-off`, headers: police(), body: signOff },
      { path: `/api/cases/${signing}/steps/cp_request-1/sign-off/preview`, headers: police(), body: signOff },
      { path: `/api/cases/${corrected}/steps/cp_request-1/corrections`, headers: police(), body: correction },
      { path: `/api/cases/${corrected}/steps/cp_request-1/corrections/preview`, headers: police(), body: correction },
      { path: '/api/agencies', headers: systemAdmin, body: agency },
    ];
    const asKey = (body: object, at: string) =>
      at === 'details' ? { ...body, details: { requestedOn: today, [LONE]: 1 } } : { ...body, [LONE]: 1 };
    for (const { path, headers, body } of requests) {
      const inDetails = 'details' in body;
      const valueAt = path === '/api/cases' ? 'survivor.name' : inDetails ? 'details.requestedOn' : 'name';
      const withValue =
        path === '/api/cases'
          ? { ...opening, survivor: { ...opening.survivor, name: `Dee${LONE}Example` } }
          : inDetails
            ? { ...body, details: { requestedOn: `${today}${LONE}` } }
            : { ...body, name: `Text${LONE}Advocates` };
      const cases = [
        { sent: asKey(body, inDetails ? 'details' : ''), field: inDetails ? `details.${NAMED}` : NAMED },
        { sent: withValue, field: valueAt },
      ];
      for (const { sent, field } of cases) {
        const refused = await post(path, headers, sent);
        const { code, errors } = refused.body as { code?: string; errors?: unknown };
        expect({ path, status: refused.status, code, errors }).toEqual({
          path,
          status: 422,
          code: 'invalid_text',
          errors: [{ field, message: 'is not valid Unicode text (an unpaired surrogate)' }],
        });
        expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
        // The offending text is never echoed, raw or escaped.
        expect(refused.text).not.toContain(LONE);
        expect(refused.text.toLowerCase()).not.toContain('\\ud800');
      }
    }

    // Nothing was stored, and the worker still answers every other case.
    const agencies = await stack.pool.query(`SELECT 1 FROM agencies WHERE id = 'text-agency'`);
    expect(agencies.rowCount).toBe(0);
    await post(`/api/cases/${untouched}/steps/cp_request-1/sign-off`, police(), signOff).expect(200);
  });

  /** JSON text as bytes, each `\xNN` of `text` one raw byte, as a client that sent Latin-1 or cut a character in two. */
  const rawBytes = (text: string): Buffer => Buffer.from(text, 'latin1');
  /** Sends bytes as they are: superagent would send a Buffer with a JSON Content-Type as JSON (`{"type":"Buffer"}`). */
  const asIs = (bytes: Buffer) => bytes as unknown as string;

  test('a body that is not valid UTF-8, in a value or a key, raw or gzipped, is refused whole with 400 encoding_invalid; nothing is stored', async () => {
    const today = dateOf(new Date(await stack.env.currentTimeMs()).toISOString());
    const casesBefore = await stack.pool.query('SELECT count(*) AS n FROM cases');
    const agencies = JSON.stringify(DEMO_AGENCIES);
    // "Renée" with é as the Latin-1 byte 0xE9: before, stored as "Ren\uFFFDe" (and found by no search for "renee").
    const opening = `{"identifiedOn":"${today}","survivor":{"name":"Ren\xe9e Dubois","birthDate":"1993-04-04"},"agencies":${agencies},"confirmNotDuplicate":true}`;
    const badKey = `{"identifiedOn":"${today}","survivor":{"name":"Renee Dubois","birth\xc3\x28Date":"1993-04-04"},"agencies":${agencies},"confirmNotDuplicate":true}`;
    const systemAdmin = stack.users['demo-system-admin']!.headers;
    const sends = [
      { path: '/api/cases', headers: police(), bytes: rawBytes(opening) },
      { path: '/api/cases', headers: police(), bytes: rawBytes(badKey) },
      { path: '/api/cases', headers: police(), bytes: gzipSync(rawBytes(opening)), encoding: 'gzip' },
      { path: '/api/cases/search', headers: police(), bytes: rawBytes('{"name":"Ren\xe9e"}') },
      {
        path: '/api/agencies',
        headers: systemAdmin,
        bytes: rawBytes('{"id":"utf8-agency","kind":"advocate","name":"Agence Fran\xe7aise"}'),
      },
    ];
    for (const { path, headers, bytes, encoding } of sends) {
      let sending = request(stack.app)
        .post(path)
        .set(headers)
        .set('Idempotency-Key', randomUUID())
        .set('Content-Type', 'application/json');
      if (encoding) sending = sending.set('Content-Encoding', encoding);
      const refused = await sending.serialize(asIs).send(bytes);
      const { code, detail } = refused.body as { code?: string; detail?: string };
      expect({ path, encoding, status: refused.status, code, detail }).toEqual({
        path,
        encoding,
        status: 400,
        code: 'encoding_invalid',
        detail: 'The request body could not be decoded: it is not valid UTF-8. Send the JSON encoded as UTF-8.',
      });
      expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(refused.text).not.toContain('\ufffd');
    }

    const casesAfter = await stack.pool.query('SELECT count(*) AS n FROM cases');
    expect(casesAfter.rows).toEqual(casesBefore.rows);
    const stored = await stack.pool.query(`SELECT 1 FROM agencies WHERE id = 'utf8-agency'`);
    expect(stored.rowCount).toBe(0);

    // The same name sent as UTF-8 is taken, and found again by its unaccented words.
    const opened = await request(stack.app)
      .post('/api/cases')
      .set(police())
      .set('Idempotency-Key', randomUUID())
      .set('Content-Type', 'application/json')
      .serialize(asIs)
      .send(Buffer.from(opening.replace('\xe9', 'é'), 'utf8'))
      .expect(201);
    const found = await request(stack.app)
      .post('/api/cases/search')
      .set(police())
      .send({ name: 'renee dubois' })
      .expect(200);
    expect((found.body as { items: { caseId: string }[] }).items.map((item) => item.caseId)).toContain(
      (opened.body as { caseId: string }).caseId,
    );
  });

  test('a body nested 32,000 levels deep (the 64 kB limit, no account needed) is refused by its depth, and a coordinator reads a case meanwhile', async () => {
    const today = dateOf(new Date(await stack.env.currentTimeMs()).toISOString());
    const caseId = await openCase(today, 'Eve Example (fictitious)');
    const coordinator = stack.users['demo-coordinator']!.headers;
    const depth = 32_000;
    const deep = '['.repeat(depth) + ']'.repeat(depth);
    // Walking it copied each value's path: 8 to 17 s of the one thread, every other request waiting (probe Q6). How long
    // the walk takes is measured by bench/hostile-bodies-bench.ts (5 ms; 7.3 s with each path copied), not here.
    const [refused, read] = await Promise.all([
      request(stack.app)
        .post('/api/auth/sign-in')
        .set('Content-Type', 'application/json')
        .serialize(asIs)
        .send(Buffer.from(deep)),
      request(stack.app).get(`/api/cases/${caseId}`).set(coordinator),
    ]);
    expect(refused.status).toBe(422);
    expect((refused.body as { errors: { message: string }[] }).errors[0]!.message).toBe('nested deeper than 16 levels');
    expect(read.status).toBe(200);
  });
});
