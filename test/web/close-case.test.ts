/**
 * The coordinator's "Close or withdraw" form refused: every choice missing is said at once, in words, linked from the
 * error summary, and what was chosen (the box ticked) comes back; sent, the case page's timeline says why the case
 * ended, the reason in the form's words, as it says a transfer's. An ended case names its end (closed or withdrawn),
 * and an agency no request reached is not told one will. The identification's correction, typed as an address, says
 * it is never corrected and where the case is withdrawn instead. The whole service on real parts, the console calling
 * the API over HTTP as in production.
 */
import request from 'supertest';
import { SESSION_COOKIE } from '../../web/session';
import { consoleStackPerFile, openDemoCase } from '../support/console';
import { cookiesSetBy } from '../support/forms';
import { PUBLIC_BASE_URL } from '../support/stack';

const suite = consoleStackPerFile();
let caseId = '';

beforeAll(async () => {
  caseId = (await openDemoCase(suite, 'close-case-form-1', { identifiedOn: '2025-11-03', name: 'Close Form' })).caseId;
});

/** The close form sent by the case's coordinator with `fields`, as a browser would: its hidden fields and cookies. */
async function sendClose(fields: Record<string, string>, onCase = caseId) {
  const session = `${SESSION_COOKIE}=${suite.sessionCookie('demo-coordinator')}`;
  const form = await request(suite.app).get(`/cases/${onCase}/close`).set('Cookie', session).expect(200);
  const hidden = Object.fromEntries(
    [...form.text.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((match) => [
      match[1]!,
      match[2]!,
    ]),
  );
  return request(suite.app)
    .post(`/cases/${onCase}/close`)
    .set('Cookie', [session, ...cookiesSetBy(form)].join('; '))
    .set('Origin', new URL(PUBLIC_BASE_URL).origin)
    .type('form')
    .send({ ...hidden, ...fields });
}

const summaryOf = (html: string) =>
  Object.fromEntries([...html.matchAll(/<li><a href="#([^"]+)">([^<]+)<\/a><\/li>/g)].map((m) => [m[1]!, m[2]!]));

const STATUS = { status: 'Close or withdraw: Choose whether to close or withdraw the case' };
const REASON = { reason: 'Reason: Choose a reason' };
const CONFIRM = { confirm: 'Confirmation: Tick the box to confirm that the case is to end' };

test.each<[string, Record<string, string>, Record<string, string>]>([
  ['nothing chosen', {}, { ...STATUS, ...REASON, ...CONFIRM }],
  ['only the box ticked', { confirm: 'yes' }, { ...STATUS, ...REASON }],
  ['a reason no list offers', { status: 'closed', reason: 'because', confirm: 'yes' }, REASON],
])('%s: every problem at once, in words, and what was chosen kept', async (_, fields, said) => {
  const page = await sendClose(fields);
  expect(page.status).toBe(400);
  expect(page.text).toContain('<title>Error: Close or withdraw case');
  expect(summaryOf(page.text)).toEqual(said);
  for (const name of Object.keys(said)) expect(page.text).toContain(`id="${name}-error"`);
  expect(page.text).not.toMatch(/expected|Invalid option|short code/);
  const ticked = /<input type="checkbox" id="confirm" name="confirm" value="yes" checked/.test(page.text);
  expect(ticked).toBe(fields.confirm === 'yes');
  if (fields.status) expect(page.text).toContain(`value="${fields.status}" checked`);
  const view = await request(suite.app).get(`/api/cases/${caseId}`).set(suite.stack.as('coordinator')).expect(200);
  expect((view.body as { status: string }).status).toBe('open');
});

/** The case page's text as its reader reads it: no tags, no marks that set names apart, spaces as one. */
const pageText = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/[\u2068\u2069]/gu, '')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/\s+/g, ' ');

test.each([
  ['closed', 'relief_obtained', 'closed', 'Relief obtained'],
  ['withdrawn', 'survivor_withdrew', 'withdrawn', 'The survivor withdrew their consent'],
])('a case %s says its reason in words on the timeline', async (status, reason, verb, said) => {
  const { caseId: ended } = await openDemoCase(suite, `close-reason-${status}`, {
    identifiedOn: '2025-11-03',
    name: `Close Reason ${status}`,
  });
  const sent = await sendClose({ status, reason, confirm: 'yes' }, ended);
  expect(sent.status).toBe(303);
  const page = await request(suite.app)
    .get(`/cases/${ended}`)
    .set('Cookie', `${SESSION_COOKIE}=${suite.sessionCookie('demo-coordinator')}`)
    .expect(200);
  const text = pageText(page.text);
  expect(text).toMatch(new RegExp(`Case ${verb} by [^.]+\\. Reason: ${said}\\.`));
  expect(text).not.toContain(reason);
});

const pageAs = (username: string, path: string) =>
  request(suite.app)
    .get(path)
    .set('Cookie', `${SESSION_COOKIE}=${suite.sessionCookie(username)}`);

test.each([
  ['closed', 'relief_obtained', 'Closed'],
  ['withdrawn', 'opened_in_error', 'Withdrawn'],
])(
  'a case %s: its end is named so, and an agency no request reached is not told one will (probe P6)',
  async (status, reason, label) => {
    // An adult's case: ICE has no step until the police request CP, which this case never will.
    const { caseId: ended } = await openDemoCase(suite, `close-words-${status}`, {
      identifiedOn: '2025-11-03',
      name: `Close Words ${status}`,
    });
    expect((await sendClose({ status, reason, confirm: 'yes' }, ended)).status).toBe(303);
    const coordinator = pageText((await pageAs('demo-coordinator', `/cases/${ended}`).expect(200)).text);
    expect(coordinator).toMatch(new RegExp(`${label} \\d`));
    expect(coordinator).not.toMatch(new RegExp(`${label === 'Closed' ? 'Withdrawn' : 'Closed'} \\d`));
    const ice = pageText((await pageAs('demo-ice-officer', `/cases/${ended}`).expect(200)).text);
    expect(ice).toMatch(new RegExp(`${label} \\d`));
    expect(ice).toContain(`The case was ${status} before one reached your agency, and none will now.`);
    expect(ice).toContain(
      `Your agency has no steps on this case: it was ${status} before a request reached your agency`,
    );
    expect(ice).not.toMatch(/shown once a request|no steps on this case yet/);
  },
);

test('the identification’s correction, typed as an address, says it is never corrected and where the case is withdrawn (probe P6)', async () => {
  const { caseId: opened } = await openDemoCase(suite, 'close-identification-1', {
    identifiedOn: '2025-11-03',
    name: 'Close Identification',
  });
  const path = `/cases/${opened}/steps/identification-1/correct`;
  // The police officer who signed it: the rule, and that the coordinator withdraws the case; never "Only an officer".
  const police = await pageAs('demo-police-officer', path);
  expect(police.status).toBe(409);
  const policeText = pageText(police.text);
  expect(policeText).toContain('The identification is not a sign-off and cannot be corrected');
  expect(policeText).toContain('ask the case’s coordinator to withdraw the case (reason “Opened in error”)');
  expect(policeText).not.toMatch(/Only an officer/);
  expect(police.text).toContain(`href="/cases/${opened}"`);
  expect(police.text).not.toContain(`href="/cases/${opened}/close"`);
  // The coordinator: the page that withdraws it.
  const coordinator = await pageAs('demo-coordinator', path);
  expect(coordinator.status).toBe(409);
  expect(pageText(coordinator.text)).toContain('withdraw the case (reason “Opened in error”) on its');
  expect(coordinator.text).toContain(`<a href="/cases/${opened}/close">Close or withdraw this case</a>`);
  // Once withdrawn, no page to withdraw it is offered.
  expect((await sendClose({ status: 'withdrawn', reason: 'opened_in_error', confirm: 'yes' }, opened)).status).toBe(
    303,
  );
  const ended = await pageAs('demo-coordinator', path);
  expect(ended.status).toBe(409);
  expect(ended.text).not.toContain(`href="/cases/${opened}/close"`);
  expect(pageText(ended.text)).toContain('the case is opened again with the right identification');
});

/**
 * The coordinator's forms (close or withdraw, transfer) as anyone else who reads the case opens them, a link shared say:
 * a 403 page naming who may, never the form, its choices or its check page. They were served in full (the transfer
 * listing every agency to choose from) and refused only once filled in and confirmed (probe T4).
 */
describe.each([
  ['close', 'close or withdraw it', { status: 'closed', reason: 'relief_obtained', confirm: 'yes' }, '<h1>Close or'],
  ['transfer', 'transfer it to another agency', { toAgencyId: 'demo-police', reason: 'referred' }, '<h1>Transfer'],
])('the %s form', (form, what, fields, heading) => {
  let onCase = '';
  beforeAll(async () => {
    onCase = (
      await openDemoCase(suite, `close-refused-${form}`, { identifiedOn: '2025-11-03', name: `Refused ${form}` })
    ).caseId;
  });

  test.each(['demo-police-officer', 'demo-ice-officer', 'demo-advocate', 'demo-supervisor'])(
    'is refused to %s, opened and sent, before any field',
    async (username) => {
      const said = `Only the case’s coordinator, Demo Anti-Trafficking Task Force (fictitious), may ${what}.`;
      const opened = await pageAs(username, `/cases/${onCase}/${form}`);
      expect(opened.status).toBe(403);
      expect(pageText(opened.text)).toContain(said);
      expect(opened.text).not.toContain(heading);
      // Sent all the same, with the page's own CSRF token as a browser holding the case page would.
      const session = `${SESSION_COOKIE}=${suite.sessionCookie(username)}`;
      const casePage = await request(suite.app).get(`/cases/${onCase}`).set('Cookie', session).expect(200);
      expect(casePage.text).not.toContain(`href="/cases/${onCase}/${form}"`);
      const csrf = /<input type="hidden" name="_csrf" value="([^"]*)">/.exec(casePage.text)?.[1] ?? '';
      const sent = await request(suite.app)
        .post(`/cases/${onCase}/${form}`)
        .set('Cookie', [session, ...cookiesSetBy(casePage)].join('; '))
        .set('Origin', new URL(PUBLIC_BASE_URL).origin)
        .type('form')
        .send({ _csrf: csrf, idempotencyKey: `refused-${form}-${username}`, ...fields });
      expect(sent.status).toBe(403);
      expect(pageText(sent.text)).toContain(said);
      expect(sent.text).not.toContain(heading);
      const view = await request(suite.app).get(`/api/cases/${onCase}`).set(suite.stack.as('coordinator')).expect(200);
      expect(view.body).toMatchObject({ status: 'open', agencies: { law_enforcement: 'demo-police' } });
    },
  );

  test('is the coordinator’s', async () => {
    const opened = await pageAs('demo-coordinator', `/cases/${onCase}/${form}`);
    expect(opened.status).toBe(200);
    expect(opened.text).toContain(heading);
  });
});
