/**
 * A step's pages as a person reads them: titles that name the step, a case that is not there said as such, and a
 * sign-off refused because the step was signed meanwhile (in another window, or by the same form sent again at once)
 * headed as what it was, with what was typed shown back; a refusal's reason and a transfer's chosen from a list in
 * words (the API keeps a code, which the timeline shows unsealed), never typed as a code. The whole service on real parts, the console calling the
 * API over HTTP as in production; pages read as HTML.
 */
import request from 'supertest';
import { formatCalendarDay } from '../../core/people-dates';
import { upsertAgencies } from '../../db/agencies';
import { unlistedRefusalReason } from '../../domain/reasons';
import { STEP_CATALOGUE } from '../../domain/steps';
import type { StepKind } from '../../domain/types';
import { detailFields } from '../../web/sign-off-fields';
import { SESSION_COOKIE } from '../../web/session';
import { consoleStackPerFile, openDemoCase, textOf } from '../support/console';
import { cookiesSetBy } from '../support/forms';
import { PUBLIC_BASE_URL } from '../support/stack';

const service = consoleStackPerFile();
const today = () => new Date().toISOString().slice(0, 10);
let caseId = '';
let reference = '';

/** A case opened today by the demo police, with the demo agencies: an adult's, unless born later. */
const openCase = (key: string, birthDate = '1990-04-02') =>
  // One fictitious survivor opened again on purpose, not a request sent twice (409 possible_duplicate).
  openDemoCase(service, key, {
    identifiedOn: today(),
    name: 'Step Pages (fictitious)',
    birthDate,
    confirmNotDuplicate: true,
  });

beforeAll(async () => {
  ({ caseId, reference } = await openCase('step-pages-1'));
});

const session = (username: string) => `${SESSION_COOKIE}=${service.sessionCookie(username)}`;
const getAs = (username: string, path: string) => request(service.app).get(path).set('Cookie', session(username));

const titleOf = (html: string) => textOf(/<title>([^<]*)<\/title>/.exec(html)?.[1] ?? '');
const headingOf = (html: string) => textOf(/<h1>(.*?)<\/h1>/s.exec(html)?.[1] ?? '');

/**
 * A sign-off form as a browser holds it: its page's CSRF token, cookies and idempotency key; `send` posts `fields`
 * with them, as the check page's "Confirm and sign off" does.
 */
async function formOn(username: string, path: string) {
  const shown = await getAs(username, path).expect(200);
  const hidden = (name: string) => new RegExp(`name="${name}" value="([^"]+)"`).exec(shown.text)![1]!;
  // A page without the key (no form that is applied once: a transfer with no agency to choose) sends none.
  const key = /name="idempotencyKey" value="([^"]+)"/.exec(shown.text)?.[1];
  const kept = { _csrf: hidden('_csrf'), ...(key === undefined ? {} : { idempotencyKey: key }) };
  const cookies = [session(username), ...cookiesSetBy(shown)].join('; ');
  return (fields: Record<string, string>) =>
    request(service.app)
      .post(path.replace(/\?.*$/, ''))
      .set('Cookie', cookies)
      .set('Origin', new URL(PUBLIC_BASE_URL).origin)
      .type('form')
      .send({ ...kept, ...fields });
}

const signViaApi = (
  stepId: string,
  key: string,
  body: object,
  id = caseId,
  as: 'law_enforcement' | 'ice' | 'hhs' = 'law_enforcement',
) =>
  request(service.app)
    .post(`/api/cases/${id}/steps/${stepId}/sign-off`)
    .set(service.stack.as(as))
    .set('Idempotency-Key', key)
    .send(body)
    .expect(200);

test('a sign-off page is titled by its step, so two tabs of one case tell apart', async () => {
  const cp = await getAs('demo-police-officer', `/cases/${caseId}/steps/cp_request-1`).expect(200);
  expect(titleOf(cp.text)).toBe(`Sign off: Continued Presence request, case ${reference} · Relief cases console`);
  const declaration = await getAs('demo-police-officer', `/cases/${caseId}/steps/le_declaration-1`).expect(200);
  expect(titleOf(declaration.text)).toBe(
    `Sign off: Law-enforcement declaration (Form I-914, Supplement B), case ${reference} · Relief cases console`,
  );
});

test('a case that is not there is said so in words, never by its id: an address that cannot be one 404, an id no case has as a case of other agencies', async () => {
  const nil = '00000000-0000-0000-0000-000000000000';
  const none = await getAs('demo-coordinator', `/cases/${nil}`).expect(403);
  expect(textOf(none.text)).toContain(
    'Your agency takes part in no case with this id, or your role does not see cases: check the id, or the link you followed.',
  );
  expect(none.text).not.toContain(nil);
  const notAnId = await getAs('demo-coordinator', '/cases/not-a-uuid').expect(404);
  expect(textOf(notAnId.text)).toContain('There is no such case.');
});

test('a step signed in another window: the refused sign-off is headed "Sign off" and shows what was typed', async () => {
  const send = await formOn('demo-police-officer', `/cases/${caseId}/steps/le_declaration-1?outcome=signed`);
  await signViaApi('le_declaration-1', 'step-pages-other-window', {
    outcome: 'signed',
    details: { signedOn: today() },
  });
  const note = 'Signed at the station after the interview (fictitious)';
  const page = await send({ confirm: 'yes', outcome: 'signed', 'details.signedOn': today(), 'details.note': note });
  expect(page.status).toBe(409);
  expect(headingOf(page.text)).toBe('Sign off: Law-enforcement declaration (Form I-914, Supplement B)');
  const text = textOf(page.text);
  expect(text).toContain('This step is no longer waiting for a sign-off: it is completed.');
  expect(text).toContain('What you entered');
  expect(text).toContain(`Outcome Signed Signed on ${formatCalendarDay(today())} Note ${note}`);
  expect(page.text).toContain(`href="/cases/${caseId}"`);

  // The form opened again later: the step has no amendment, so it is no "Amend" either.
  const later = await getAs('demo-police-officer', `/cases/${caseId}/steps/le_declaration-1`).expect(200);
  expect(headingOf(later.text)).toBe('Sign off: Law-enforcement declaration (Form I-914, Supplement B)');
});

test('a step signed in another window before "Continue": refused at once with what was typed, never an error page', async () => {
  const { caseId: other } = await openCase('step-pages-continue');
  const send = await formOn('demo-police-officer', `/cases/${other}/steps/cp_request-1`);
  await signViaApi(
    'cp_request-1',
    'step-pages-continue-other',
    {
      outcome: 'requested',
      details: { requestedOn: today() },
    },
    other,
  );
  const note = 'Asked the federal partner by phone (fictitious)';
  // The form's own "Continue": no `confirm`, so the check page would come next.
  const page = await send({ outcome: 'requested', 'details.requestedOn': today(), 'details.note': note });
  expect(page.status).toBe(409);
  const text = textOf(page.text);
  expect(text).toContain('This step is no longer waiting for a sign-off: it is completed.');
  expect(text).toContain(`Outcome Requested Requested on ${formatCalendarDay(today())} Note ${note}`);
  expect(page.text).toContain(`href="/cases/${other}"`);
});

test('every refusal of a step offers a list of reasons in words, "Other" among them, each a code the API takes', () => {
  const refusals = Object.entries(STEP_CATALOGUE).flatMap(([kind, step]) =>
    Object.keys(step.outcomes).flatMap((outcome) =>
      detailFields(kind as StepKind, outcome).some((field) => field.name === 'reason') ? [[kind, outcome]] : [],
    ),
  );
  expect(refusals.length).toBeGreaterThanOrEqual(6);
  for (const [kind = '', outcome = ''] of refusals) {
    const reason = detailFields(kind as StepKind, outcome).find((field) => field.name === 'reason')!;
    expect([kind, reason.control]).toEqual([kind, 'select']);
    expect([kind, reason.options]).toEqual([kind, expect.arrayContaining([['other', 'Other (say why in the note)']])]);
    for (const [code] of reason.options) {
      const details = { reason: code };
      expect([
        kind,
        code,
        STEP_CATALOGUE[kind as StepKind].outcomes[outcome]!.details.safeParse(details).success,
        unlistedRefusalReason(kind as StepKind, details),
      ]).toEqual([kind, code, true, null]);
    }
  }
});

test('declining a step: the reason is chosen in words, words typed are refused on the form, the case page says it', async () => {
  const declining = await openCase('step-pages-decline');
  const path = `/cases/${declining.caseId}/steps/le_declaration-1`;
  const form = await getAs('demo-police-officer', `${path}?choosing=yes&outcome=declined`).expect(200);
  expect(form.text).toMatch(/<select id="details-reason" name="details.reason"/);
  expect(textOf(form.text)).toContain('The agency is no longer investigating');
  expect(textOf(form.text)).not.toMatch(/short code|insufficient_evidence/);

  // Words sent instead of a choice (an old form, a hand-made request): refused on the form, in words, not on confirming.
  const send = await formOn('demo-police-officer', `${path}?outcome=declined`);
  const typed = await send({ outcome: 'declined', 'details.reason': 'Survivor moved to the county' });
  expect(typed.status).toBe(422);
  expect(textOf(typed.text)).toContain('Choose the reason');
  expect(textOf(typed.text)).not.toMatch(/Expected a short code/i);
  // So is a code off the step's list (another step's), as the API would refuse it.
  const offList = await send({ outcome: 'declined', 'details.reason': 'no_response' });
  expect([offList.status, textOf(offList.text)]).toEqual([422, expect.stringContaining('Choose the reason')]);

  const check = await send({ outcome: 'declined', 'details.reason': 'investigation_closed' }).expect(200);
  expect(textOf(check.text)).toContain('Reason The agency is no longer investigating');
  const key = /name="idempotencyKey" value="([^"]+)"/.exec(check.text)![1]!;
  await send({
    confirm: 'yes',
    idempotencyKey: key,
    outcome: 'declined',
    'details.reason': 'investigation_closed',
  }).expect(303);

  // Another client's refusal, its code from the list (the API takes no other): shown in words.
  await signViaApi(
    'cp_request-1',
    'step-pages-cp-request',
    { outcome: 'requested', details: { requestedOn: today() } },
    declining.caseId,
  );
  await signViaApi(
    'cp_decision-1',
    'step-pages-cp-denied',
    { outcome: 'denied', details: { reason: 'not_potential_witness' } },
    declining.caseId,
    'ice',
  );
  const casePage = textOf((await getAs('demo-coordinator', `/cases/${declining.caseId}`).expect(200)).text);
  expect(casePage).toContain(
    'Law-enforcement declaration (Form I-914, Supplement B): declined (reason: The agency is no longer investigating)',
  );
  expect(casePage).toContain(
    'Continued Presence decision: denied (reason: The person is not a potential witness in an investigation or prosecution)',
  );
  // A code recorded before the lists, as the read model projects such a history: shown as it is.
  await service.stack.pool.query(
    `UPDATE case_steps SET details = details || '{"reason": "ice_local_code"}' WHERE case_id = $1 AND step_id = $2`,
    [declining.caseId, 'cp_decision-1'],
  );
  const recorded = textOf((await getAs('demo-coordinator', `/cases/${declining.caseId}`).expect(200)).text);
  expect(recorded).toContain('Continued Presence decision: denied (reason: ice_local_code)');
});

test('the first send refuses what "Confirm" would: a date after today or before the step opened, a long note', async () => {
  const checked = await openCase('step-pages-rules');
  const send = await formOn('demo-police-officer', `/cases/${checked.caseId}/steps/cp_request-1?outcome=requested`);
  const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
  for (const [fields, said] of [
    [{ 'details.requestedOn': tomorrow }, 'The date must be on or before today'],
    // The case was opened today: the step opened today, and the refusal names the day.
    [
      { 'details.requestedOn': yesterday },
      `The date must be on or after ${formatCalendarDay(today())}, the day the step opened`,
    ],
    [{ 'details.requestedOn': today(), 'details.note': 'n'.repeat(600) }, 'The note must be 500 characters or fewer'],
  ] as const) {
    const refused = await send({ outcome: 'requested', ...fields });
    const text = textOf(refused.text);
    expect([refused.status, text]).toEqual([422, expect.stringContaining(said)]);
    expect(text).not.toContain('Check your answers');
  }
  // What the API takes passes to the check page.
  const fine = await send({ outcome: 'requested', 'details.requestedOn': today(), 'details.note': 'n'.repeat(500) });
  expect([fine.status, headingOf(fine.text)]).toEqual([200, expect.stringMatching(/^Check your answers/)]);
});

test("the first send refuses a grant that ends before it begins, by the domain's own rule: a CP decision, an interim letter", async () => {
  const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
  const minor = `${Number(today().slice(0, 4)) - 16}-01-15`;
  // Each opened by a step signed today: ICE's decision by the request, HHS's interim letter by a minor's notification.
  const grants = [
    {
      birthDate: '1990-04-02',
      opens: ['cp_request-1', 'requested', 'requestedOn'],
      as: 'demo-ice-officer',
      step: 'cp_decision-1',
      outcome: 'granted',
      begins: 'grantedOn',
    },
    {
      birthDate: minor,
      opens: ['hhs_minor_notification-1', 'notified', 'notifiedOn'],
      as: 'demo-hhs-officer',
      step: 'hhs_interim_letter-1',
      outcome: 'issued',
      begins: 'issuedOn',
    },
  ] as const;
  for (const { birthDate, opens, as, step, outcome, begins } of grants) {
    const { caseId: id } = await openCase(`step-pages-${step}-ends-early`, birthDate);
    const [opener, opened, on] = opens;
    await signViaApi(opener, `step-pages-${step}-ends-early`, { outcome: opened, details: { [on]: today() } }, id);
    const send = await formOn(as, `/cases/${id}/steps/${step}?outcome=${outcome}`);
    const refused = await send({ outcome, [`details.${begins}`]: today(), 'details.validUntil': yesterday });
    const text = textOf(refused.text);
    expect([step, refused.status, text]).toEqual([
      step,
      422,
      expect.stringContaining(`The date it is valid until must be on or after ${formatCalendarDay(today())}`),
    ]);
    expect(text).not.toContain('Check your answers');
    // Refused by its field, the answers kept on the form.
    expect(refused.text).toContain('id="details-validUntil-error"');
    expect(refused.text).toMatch(new RegExp(`name="details.validUntil"[^>]*value="${yesterday}"`));
  }
});

test("a form that could only be refused is not offered: a supervisor's, an interim letter extended as often as allowed", async () => {
  const supervised = await getAs('demo-supervisor', `/cases/${caseId}/steps/le_declaration-1?outcome=signed`);
  expect([supervised.status, textOf(supervised.text)]).toEqual([
    403,
    expect.stringContaining('Only an officer of the agency this step belongs to in this case'),
  ]);
  expect(supervised.text).not.toContain('name="details.signedOn"');

  // A minor's case: the notification opens the interim letter, issued today.
  const { caseId: minorId } = await openCase('step-pages-minor', `${Number(today().slice(0, 4)) - 16}-01-15`);
  await signViaApi(
    'hhs_minor_notification-1',
    'step-pages-minor-notified',
    {
      outcome: 'notified',
      details: { notifiedOn: today() },
    },
    minorId,
  );
  await signViaApi(
    'hhs_interim_letter-1',
    'step-pages-minor-issued',
    { outcome: 'issued', details: { issuedOn: today() } },
    minorId,
    'hhs',
  );
  const letter = `/cases/${minorId}/steps/hhs_interim_letter-1`;
  expect(textOf((await getAs('demo-hhs-officer', `/cases/${minorId}`).expect(200)).text)).toContain(
    'Extend the interim letter',
  );

  // The one extension the law allows, from the console: the case then says it was recorded and shows it.
  const issued = await request(service.app).get(`/api/cases/${minorId}`).set(service.stack.as('hhs')).expect(200);
  const steps = (issued.body as { steps: { id: string; details: Record<string, unknown> }[] }).steps;
  const current = String(steps.find((step) => step.id === 'hhs_interim_letter-1')?.details.validUntil);
  const until = new Date(Date.parse(`${current}T00:00:00Z`) + 10 * 86_400_000).toISOString().slice(0, 10);
  const send = await formOn('demo-hhs-officer', `${letter}?outcome=extended`);
  const extended = await send({ confirm: 'yes', outcome: 'extended', 'details.validUntil': until }).expect(303);
  expect(extended.headers.location).toBe(`/cases/${minorId}?notice=amended`);
  const casePage = textOf((await getAs('demo-hhs-officer', extended.headers.location!).expect(200)).text);
  expect(casePage).toContain('The extension was recorded');
  expect(casePage).toContain(`Issued; extended until ${formatCalendarDay(until)}`);
  expect(casePage).not.toContain('Extend the interim letter');
  const again = await getAs('demo-hhs-officer', `${letter}?outcome=extended`).expect(200);
  expect(textOf(again.text)).toContain('This step cannot be amended any more: an interim letter may be extended once');
  expect(again.text).not.toContain('name="details.validUntil"');
});

test("a transfer with no other agency says so; one to the case's own agency is refused at once, in words", async () => {
  // Only the demo agencies, one of each kind, all of them the case's.
  const form = textOf((await getAs('demo-coordinator', `/cases/${caseId}/transfer`).expect(200)).text);
  expect(form).toContain('There is no other agency to transfer this case to');
  expect(form).not.toContain('Choose an agency');

  const send = await formOn('demo-coordinator', `/cases/${caseId}/transfer`);
  const own = await send({ toAgencyId: 'demo-police', reason: '' });
  const text = textOf(own.text);
  expect([own.status, text]).toEqual([
    422,
    expect.stringContaining('Demo City Police Department (fictitious) already has this case (Law enforcement)'),
  ]);
  expect(text).not.toContain('Check the transfer');
  expect(text).not.toContain('law_enforcement');
});

test('transferring a case: the reason is chosen in words, the check page refuses what the confirmation would', async () => {
  await upsertAgencies(service.stack.pool, [
    { id: 'step-pages-new-police', kind: 'law_enforcement', name: 'Step Pages Police (fictitious)', email: null },
  ]);
  const moving = await openCase('step-pages-transfer');
  const path = `/cases/${moving.caseId}/transfer`;
  const form = await getAs('demo-coordinator', path).expect(200);
  expect(form.text).toMatch(/<select id="reason" name="reason"/);
  expect(textOf(form.text)).toContain('The survivor moved to another jurisdiction');

  const send = await formOn('demo-coordinator', path);
  const typed = await send({ toAgencyId: 'step-pages-new-police', reason: 'Survivor moved to the county' });
  expect(typed.status).toBe(422);
  expect(textOf(typed.text)).toContain('Choose a reason from the list');
  expect(textOf(typed.text)).not.toContain('Check the transfer');
  const noAgency = await send({ toAgencyId: '', reason: 'moved_jurisdiction' });
  expect([noAgency.status, textOf(noAgency.text)]).toEqual([422, expect.stringContaining('Choose the new agency')]);

  const check = await send({ toAgencyId: 'step-pages-new-police', reason: 'moved_jurisdiction' }).expect(200);
  expect(textOf(check.text)).toContain('Reason The survivor moved to another jurisdiction');
  const key = /name="idempotencyKey" value="([^"]+)"/.exec(check.text)![1]!;
  await send({
    confirm: 'yes',
    idempotencyKey: key,
    toAgencyId: 'step-pages-new-police',
    reason: 'moved_jurisdiction',
  }).expect(303);
  const casePage = textOf((await getAs('demo-coordinator', `/cases/${moving.caseId}`).expect(200)).text);
  expect(casePage).toContain('Reason: The survivor moved to another jurisdiction.');
});

test('a case page read by an agency with no step on it yet says so under "Steps by track", not an empty section', async () => {
  // Opened today, its CP request not made: nothing of the case is ICE's yet.
  const page = await getAs('demo-ice-officer', `/cases/${caseId}`).expect(200);
  const section = textOf(/<h2>Steps by track<\/h2>(.*?)<h2/s.exec(page.text)?.[1] ?? '');
  expect(section).toBe(
    'Your agency has no steps on this case yet: they are listed here once a request reaches your agency.',
  );
  // An agency with steps reads its tables, and no such line.
  const police = await getAs('demo-police-officer', `/cases/${caseId}`).expect(200);
  expect(police.text).not.toContain('Your agency has no steps on this case yet');
});

test("a signed step's correction form says when it was completed, not when it was due", async () => {
  const { caseId: signed, reference: signedReference } = await openCase('step-pages-settled-header');
  const requestedOn = today();
  await signViaApi(
    'cp_request-1',
    'step-pages-settled-header-sign',
    { outcome: 'requested', details: { requestedOn } },
    signed,
  );
  const completed = `Case ${signedReference}; Completed on ${formatCalendarDay(requestedOn)}.`;
  const form = await getAs('demo-police-officer', `/cases/${signed}/steps/cp_request-1/correct`).expect(200);
  // The line under the heading as read, its tags (a link, a date) left out.
  const header = (/<\/h1>\s*<p>(.*?)<\/p>/s.exec(form.text)?.[1] ?? '').replace(/<[^>]*>/g, '');
  expect(header).toBe(completed);
  // As the case page's steps say it.
  const casePage = await getAs('demo-police-officer', `/cases/${signed}`).expect(200);
  const row = casePage.text.split('<tr>').find((cells) => cells.includes('Continued Presence request</th>'));
  expect(textOf(/<td data-label="Due">(.*?)<\/td>/s.exec(row ?? '')?.[1] ?? '')).toBe(
    `Completed on ${formatCalendarDay(requestedOn)}`,
  );
});
