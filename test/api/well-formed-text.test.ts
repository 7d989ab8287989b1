/**
 * Text that is not well-formed Unicode (a lone UTF-16 surrogate, sent as JSON's `\ud800` escape) is refused at the
 * API's door on real parts: 422 `invalid_text` naming the field, as a key or as a value, for a case's opening, a
 * sign-off and its preview, a correction and its preview, and an agency. Before, such a key reached the workflow's
 * refusal and stopped the worker for every case; such a name answered 500 from PostgreSQL.
 */
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { DEMO_AGENCIES } from '../../db/seed';
import { dateOf } from '../../domain/dates';
import { startStack, type Stack } from '../support/stack';

const LONE = '\ud800';
/** How the API names a field whose key is a lone surrogate: the key's well-formed form, never the key itself. */
const NAMED = LONE.toWellFormed();

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
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
