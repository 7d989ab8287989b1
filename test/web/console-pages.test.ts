/**
 * Console pages and forms fetched over HTTP (no browser) against the whole service, for the files that served the
 * console the same way (one stack, the demo users): one stack for all of them, each old file's tests under a
 * `describe` named after it, where each file started its own PostgreSQL and Temporal server (about 3 s of CPU a file;
 * README "Tests"). The last two change what every later test would read (another police agency; the police
 * officer's name), so they come last.
 */
import request from 'supertest';
import { formatCalendarDay } from '../../core/people-dates';
import { addDays, addMonths, dateOf } from '../../domain/dates';
import { SESSION_COOKIE } from '../../web/session';
import {
  consoleStackPerFile,
  describeSharing,
  openDemoCase,
  requestContinuedPresence,
  textOf,
} from '../support/console';
import { cookiesSetBy } from '../support/forms';
import { PUBLIC_BASE_URL } from '../support/stack';
import { DEMO_AGENCIES, DEMO_AGENCY_LIST } from '../../db/seed';
import { localDateOf } from '../../core/time-zones';
import { randomUUID } from 'node:crypto';
import { INBOX_NOTICES } from '../../web/pages/home';
import { TEST_PASSWORD } from '../support/auth';
import type { AgencyKind } from '../../domain/types';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { upsertAgencies } from '../../db/agencies';

const service = consoleStackPerFile();

describeSharing(service, 'adjustment-filing-basis', () => {
  /**
   * An adjustment of status (Form I-485) filed before the survivor may adjust (the step's `adjustmentEligibleFrom`,
   * after 3 years of T status) rests on the investigation or prosecution being complete, and says the day it was
   * (`investigationCompleteDate`): one without it is refused naming `details.filedOn`, where it was accepted and the
   * case page read "filed 5 Dec 2026, may adjust status from 4 Dec 2029". One filed from that day needs no basis. The
   * advocate's form asks for the day and shows the refusal by its field; the case page says the filing was early and on
   * what it rests. The whole service on real parts, the console calling the API over HTTP.
   */

  interface Problem {
    code: string;
    errors?: { field: string; message: string }[];
  }
  const today = () => new Date().toISOString().slice(0, 10);
  const session = () => `${SESSION_COOKIE}=${service.sessionCookie('demo-advocate')}`;

  const signOff = (caseId: string, stepId: string, outcome: string, details: object, key = `${stepId}-${outcome}`) =>
    request(service.app)
      .post(`/api/cases/${caseId}/steps/${stepId}/sign-off`)
      .set(service.stack.as('advocate'))
      .set('Idempotency-Key', `basis-${caseId}-${key}`)
      .send({ outcome, details });

  /** A case whose T visa was approved today, the survivor allowed to adjust from `adjustmentEligibleFrom`, if given. */
  async function approvedToday(key: string, adjustmentEligibleFrom?: string): Promise<string> {
    const on = today();
    const { caseId } = await openDemoCase(service, `adjustment-basis-${key}`, {
      identifiedOn: on,
      name: `Basis ${key} (fictitious)`,
    });
    await signOff(caseId, 't_visa_filing-1', 'filed', { filedOn: on }).expect(200);
    await signOff(caseId, 't_visa_receipt-1', 'received', { receivedOn: on }).expect(200);
    await signOff(caseId, 't_visa_bona_fide-1', 'bona_fide', { determinedOn: on }).expect(200);
    const validUntil = addDays(addMonths(on, 48), -1);
    await signOff(caseId, 't_visa_decision-1', 'approved', {
      approvedOn: on,
      validUntil,
      ...(adjustmentEligibleFrom ? { adjustmentEligibleFrom } : {}),
    }).expect(200);
    return caseId;
  }

  test('the API refuses an early filing without its basis, naming filedOn, and accepts it with the day', async () => {
    const on = today();
    const eligibleFrom = addMonths(on, 36);
    const caseId = await approvedToday('early');
    const refused = await signOff(caseId, 't_visa_adjustment_filing-1', 'filed', { filedOn: on }, 'no-basis');
    const { code, errors } = refused.body as Problem;
    expect([refused.status, code, errors]).toEqual([
      422,
      'date_order',
      [
        {
          field: 'details.filedOn',
          message: `filedOn must be on or after ${eligibleFrom}, when the survivor may adjust status: an earlier filing is possible only once the investigation or prosecution is complete: give investigationCompleteDate`,
        },
      ],
    ]);
    const tomorrow = addDays(on, 1);
    const future = await signOff(
      caseId,
      't_visa_adjustment_filing-1',
      'filed',
      { filedOn: on, investigationCompleteDate: tomorrow },
      'future-basis',
    );
    expect([future.status, (future.body as Problem).errors?.[0]?.field]).toEqual([
      422,
      'details.investigationCompleteDate',
    ]);

    // Complete before the case was even identified: no event of this case, and no reason to refuse it.
    const completeOn = addDays(on, -40);
    await signOff(caseId, 't_visa_adjustment_filing-1', 'filed', {
      filedOn: on,
      investigationCompleteDate: completeOn,
    }).expect(200);
    const casePage = textOf(
      (await request(service.app).get(`/cases/${caseId}`).set('Cookie', session()).expect(200)).text,
    );
    expect(casePage).toContain(
      `filed ${formatCalendarDay(on)}, early: the investigation was complete on ${formatCalendarDay(completeOn)}`,
    );
    expect(casePage).not.toContain(`may adjust status from ${formatCalendarDay(eligibleFrom)}`);
  });

  test('a filing on the day the survivor may adjust needs no basis', async () => {
    const on = today();
    const caseId = await approvedToday('on-the-day', on);
    await signOff(caseId, 't_visa_adjustment_filing-1', 'filed', { filedOn: on }).expect(200);
  });

  test("the advocate's form asks for the day the investigation was complete and shows each refusal by its field", async () => {
    const on = today();
    const caseId = await approvedToday('form');
    const path = `/cases/${caseId}/steps/t_visa_adjustment_filing-1`;
    const shown = await request(service.app).get(`${path}?outcome=filed`).set('Cookie', session()).expect(200);
    expect(textOf(shown.text)).toContain(
      'Day the investigation or prosecution was complete (optional) Only for a filing before the day the survivor may adjust status, said above.',
    );
    expect(shown.text).toContain('name="details.investigationCompleteDate"');
    const hidden = (name: string) => new RegExp(`name="${name}" value="([^"]+)"`).exec(shown.text)![1]!;
    const send = (fields: Record<string, string>) =>
      request(service.app)
        .post(path)
        .set('Cookie', [session(), ...cookiesSetBy(shown)].join('; '))
        .set('Origin', new URL(PUBLIC_BASE_URL).origin)
        .type('form')
        .send({ _csrf: hidden('_csrf'), idempotencyKey: hidden('idempotencyKey'), outcome: 'filed', ...fields });

    const early = await send({ 'details.filedOn': on });
    expect([early.status, textOf(early.text)]).toEqual([
      422,
      expect.stringContaining(
        `The date it was filed must be on or after ${formatCalendarDay(addMonths(on, 36))}, when the survivor may adjust status`,
      ),
    ]);
    expect(early.text).toContain('id="details-filedOn-error"');
    // The other field the rule asks for is named by its words, never its code.
    expect(textOf(early.text)).toContain('is complete: give the day the investigation or prosecution was complete');
    expect(textOf(early.text)).not.toContain('investigationCompleteDate');

    const late = await send({ 'details.filedOn': on, 'details.investigationCompleteDate': addDays(on, 1) });
    expect([late.status, textOf(late.text)]).toEqual([
      422,
      expect.stringContaining('The date must be on or before today'),
    ]);
    expect(late.text).toContain('id="details-investigationCompleteDate-error"');
  });
});

describeSharing(service, 'agency-digest', () => {
  /**
   * An agency's admin turns its daily digest on and off from the console ("Your agency"), as the README's Daily digest
   * section says they may; another agency's page stays a system administrator's. The whole service on real parts, the
   * console calling the API over HTTP; pages read as HTML.
   */
  const session = (username: string) => `${SESSION_COOKIE}=${service.sessionCookie(username)}`;
  const getAs = (username: string, path: string) => request(service.app).get(path).set('Cookie', session(username));

  /** Sends the digest form of the agency page as a browser would: its CSRF token and cookie. */
  async function pressDigestButton(username: string, page: string) {
    const shown = await getAs(username, page).expect(200);
    const form =
      /<form method="post" action="([^"]+)">\s*<input type="hidden" name="_csrf" value="([^"]+)">\s*<input type="hidden" name="enabled" value="(yes|no)">/.exec(
        shown.text,
      );
    expect(form).not.toBeNull();
    const [, action, csrf, enabled] = form!;
    return request(service.app)
      .post(action!)
      .set('Cookie', [session(username), ...cookiesSetBy(shown)].join('; '))
      .set('Origin', new URL(PUBLIC_BASE_URL).origin)
      .type('form')
      .send({ _csrf: csrf, enabled });
  }

  /** The agency's digest setting as the API says it. */
  const digestOf = async (agencyId: string): Promise<boolean | undefined> => {
    const listed = await request(service.app).get('/api/agencies').set(service.stack.as('coordinator')).expect(200);
    const body = listed.body as { items: { id: string; dailyDigest: boolean }[] };
    return body.items.find((agency) => agency.id === agencyId)?.dailyDigest;
  };

  test("an agency's admin finds their agency in the menu and turns its daily digest on, then off", async () => {
    const home = await getAs('demo-admin', '/audit').expect(200);
    expect(home.text).toContain('<a href="/agencies/demo-task-force">Your agency</a>');
    const page = await getAs('demo-admin', '/agencies/demo-task-force').expect(200);
    expect(page.text).toContain('The daily digest is <strong>off</strong>');

    const on = await pressDigestButton('demo-admin', '/agencies/demo-task-force');
    expect([on.status, on.headers.location]).toEqual([303, '/agencies/demo-task-force?notice=digest-on']);
    const after = await getAs('demo-admin', on.headers.location as string).expect(200);
    expect(after.text).toContain('The daily digest is on: the next one comes at 07:00');
    expect(after.text).toContain('The daily digest is <strong>on</strong>');
    expect(await digestOf('demo-task-force')).toBe(true);

    const off = await pressDigestButton('demo-admin', '/agencies/demo-task-force');
    expect(off.headers.location).toBe('/agencies/demo-task-force?notice=digest-off');
    expect((await getAs('demo-admin', '/agencies/demo-task-force').expect(200)).text).toContain(
      'The daily digest is <strong>off</strong>',
    );
    expect(await digestOf('demo-task-force')).toBe(false);
  });

  test("another agency's page, and the agencies list, stay a system administrator's", async () => {
    const other = await getAs('demo-admin', '/agencies/demo-police');
    expect(other.status).toBe(403);
    expect((await getAs('demo-admin', '/agencies')).status).toBe(403);
    const systemAdmin = await getAs('demo-system-admin', '/agencies/demo-police').expect(200);
    expect(systemAdmin.text).toContain('Save the agency');
    expect(systemAdmin.text).toContain('Turn the daily digest on');
  });
});

describeSharing(service, 'ask-again', () => {
  /**
   * The case page's "Ask again" button: after ICE denied Continued Presence, the case's coordinator sees "Ask again for
   * Continued Presence" where the track ended, presses it, and the case shows the new request pending and the timeline
   * who asked; pressed again while that request is pending, the page says why nothing was asked. An agency that owns no
   * such request sees no button. On a case that does not follow a U visa, the coordinator sees "Ask for a U-visa
   * certification"; pressed, the case shows the U-visa track. The whole service on real parts, the console calling the
   * API over HTTP.
   */
  let caseId = '';

  async function sign(stepId: string, kind: 'law_enforcement' | 'ice', outcome: string, details: object) {
    await request(service.app)
      .post(`/api/cases/${caseId}/steps/${stepId}/sign-off`)
      .set(service.stack.as(kind))
      .set('Idempotency-Key', `ask-again-form-${stepId}`)
      .send({ outcome, details })
      .expect(200);
  }

  /** A case opened by the police without a U visa, identified on 3 Nov 2025; its id. */
  async function openCase(key: string, name: string): Promise<string> {
    const opened = await request(service.app)
      .post('/api/cases')
      .set(service.stack.as('law_enforcement'))
      .set('Idempotency-Key', key)
      .send({ agencies: DEMO_AGENCIES, identifiedOn: '2025-11-03', survivor: { name, birthDate: '1990-01-01' } })
      .expect(201);
    return (opened.body as { caseId: string }).caseId;
  }

  beforeAll(async () => {
    caseId = await openCase('ask-again-form-1', 'Ask Again');
    await sign('cp_request-1', 'law_enforcement', 'requested', { requestedOn: '2025-11-04' });
    await sign('cp_decision-1', 'ice', 'denied', { reason: 'not_potential_witness' });
  });

  const sessionOf = (username: string) => `${SESSION_COOKIE}=${service.sessionCookie(username)}`;
  const casePage = (username: string) =>
    request(service.app).get(`/cases/${caseId}`).set('Cookie', sessionOf(username)).expect(200);

  /** The form of the page's button labelled `label`, as its HTML. */
  function formOf(page: request.Response, label: string): string {
    const form = page.text
      .match(/<form class="stack" method="post" action="[^"]+"[^>]*>[\s\S]*?<\/form>/g)
      ?.find((html) => html.includes(`>${label}</button>`));
    if (!form) throw new Error(`no button "${label}" on the page`);
    return form;
  }

  /** Presses the page's button, as a browser would: the hidden fields of its form, with the page's cookies. */
  function press(username: string, page: request.Response, label: string) {
    const form = [
      ...page.text.matchAll(/<form class="stack" method="post" action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/g),
    ].find((match) => match[2]!.includes(`>${label}</button>`));
    if (!form) throw new Error(`no button "${label}" on the page`);
    const hidden = Object.fromEntries(
      [...form[2]!.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1]!, m[2]!]),
    );
    return request(service.app)
      .post(form[1]!)
      .set('Cookie', [sessionOf(username), ...cookiesSetBy(page)].join('; '))
      .set('Origin', new URL(PUBLIC_BASE_URL).origin)
      .type('form')
      .send(hidden);
  }

  test('the coordinator asks again for Continued Presence; pressed from an older page, it says why nothing was asked', async () => {
    // The advocate owns no CP request: no button for them.
    expect((await casePage('demo-advocate')).text).not.toContain('Ask again for');

    const page = await casePage('demo-coordinator');
    // Its day is the day it was decided to ask again.
    expect(formOf(page, 'Ask again for Continued Presence')).toContain('The day it was decided to ask again: today');
    const otherTab = await casePage('demo-coordinator');
    const sent = await press('demo-coordinator', page, 'Ask again for Continued Presence').expect(303);
    expect(sent.headers.location).toBe(`/cases/${caseId}?notice=asked-again`);

    const after = await request(service.app)
      .get(sent.headers.location!)
      .set('Cookie', sessionOf('demo-coordinator'))
      .expect(200);
    expect(after.text).toContain('Asked again: the new request is pending, with its deadline and reminders.');
    expect(after.text).toMatch(/Continued Presence request asked again by [^<.]*<bdi>[^<]+<\/bdi>[^<.]*\./);
    // Nothing more to ask while the new request is pending: the button is gone.
    expect(after.text).not.toContain('Ask again for Continued Presence');
    const view = await request(service.app)
      .get(`/api/cases/${caseId}`)
      .set(service.stack.as('coordinator'))
      .expect(200);
    const steps = (view.body as { steps: { id: string; status: string }[] }).steps;
    expect(steps.find((step) => step.id === 'cp_request-2')?.status).toBe('pending');

    // The same button pressed twice (a double click): the same answer, and still one new request.
    await press('demo-coordinator', page, 'Ask again for Continued Presence').expect(303);
    const again = await request(service.app)
      .get(`/api/cases/${caseId}`)
      .set(service.stack.as('coordinator'))
      .expect(200);
    expect(
      (again.body as { steps: { kind: string }[] }).steps.filter((step) => step.kind === 'cp_request'),
    ).toHaveLength(2);

    // The button of a page opened before, in another tab: refused, in words, above the case.
    const refused = await press('demo-coordinator', otherTab, 'Ask again for Continued Presence').expect(409);
    expect(refused.text).toContain('<title>Error: Case ');
    expect(refused.text).toContain('There is a problem');
    // Someone else (this tab's own earlier press) asked already: said so, not as if nothing had been asked.
    expect(refused.text).toContain(
      'Continued Presence request cannot be asked again: it was asked again already and is pending',
    );
  });

  test('a case that does not follow a U visa: the coordinator asks for a U-visa certification, and the page shows its track', async () => {
    const uCaseId = await openCase('ask-again-form-u-visa', 'Later U Visa');
    const page = async (username: string) =>
      request(service.app).get(`/cases/${uCaseId}`).set('Cookie', sessionOf(username)).expect(200);

    // The advocate may not ask for it: nothing shown to them. The police, who certify, may.
    expect((await page('demo-advocate')).text).not.toContain('Ask for a U-visa certification');
    expect((await page('demo-police-officer')).text).toContain('Ask for a U-visa certification');
    const before = await page('demo-coordinator');
    expect(before.text).not.toContain('<caption>U visa</caption>');
    // Nothing was asked before: its day is the day it was decided to make this request, not "to ask again".
    const form = formOf(before, 'Ask for a U-visa certification');
    expect(form).toContain(
      'The day it was decided to make this request: today, or an earlier day for a case entered after the fact, not ' +
        'before the day the survivor was identified. Its request step opens as of that day',
    );
    expect(form).not.toMatch(/ask again|asked again|A new request/i);

    const sent = await press('demo-coordinator', before, 'Ask for a U-visa certification').expect(303);
    expect(sent.headers.location).toBe(`/cases/${uCaseId}?notice=u-visa-asked`);
    const after = await request(service.app)
      .get(sent.headers.location!)
      .set('Cookie', sessionOf('demo-coordinator'))
      .expect(200);
    expect(after.text).toContain(
      'The case now follows a U visa: the U-visa certification is pending with law enforcement',
    );
    expect(after.text).toMatch(
      /U visa certification \(Form I-918, Supplement B\) asked for by [^<.:]*<bdi>[^<]+<\/bdi>[^<.:]*: the case now follows a U visa\./,
    );
    // The U-visa track is listed with the certification pending, as on a case opened with it.
    expect(after.text).toContain('<caption>U visa</caption>');
    expect(after.text).toMatch(
      /<th scope="row" data-label="Step">U visa certification \(Form I-918, Supplement B\)<\/th>\s*<td data-label="Agency">[^<]*<\/td>\s*<td data-label="Status"><span class="status">Pending</,
    );
    expect(after.text).not.toContain('Ask for a U-visa certification');
  });
});

describeSharing(service, 'audit-days', () => {
  /**
   * The audit trail page's "From" and "To" are whole days where the reader is (the "When" column's zone): "To" counts
   * its day whole, so one day as both shows that day's events, and a "To" before "From" is still refused in words.
   */
  let reference = '';
  let today = '';

  beforeAll(async () => {
    reference = (await openDemoCase(service, 'audit-days-1', { identifiedOn: '2025-11-03', name: 'Audit Days' }))
      .reference;
    const me = await request(service.app)
      .get('/api/me')
      .set(service.stack.users['demo-supervisor']!.headers)
      .expect(200);
    today = localDateOf(new Date().toISOString(), (me.body as { timeZone: string }).timeZone);
  });

  const auditPage = (query: Record<string, string>) =>
    request(service.app)
      .get(`/audit?${new URLSearchParams({ caseReference: reference, ...query }).toString()}`)
      .set('Cookie', `${SESSION_COOKIE}=${service.sessionCookie('demo-supervisor')}`);

  test('one day as both "From" and "To" lists that day’s events', async () => {
    const page = await auditPage({ from: today, to: today }).expect(200);
    expect(page.text).not.toContain('No audit events match.');
    expect(page.text).toMatch(/<caption>\d+ events?, newest first<\/caption>/);
  });

  test('a "To" the day before "From" is refused by its field, in words', async () => {
    const page = await auditPage({ from: today, to: addDays(today, -1) }).expect(400);
    expect(page.text).toContain('id="to-error">The last day must be on or after the first day<');
    expect(page.text).not.toContain('<caption>');
  });

  test('a day before the events shows none', async () => {
    const yesterday = addDays(today, -1);
    const page = await auditPage({ from: yesterday, to: yesterday }).expect(200);
    expect(page.text).toContain('No audit events match.');
  });

  test('a refused request is named in words, and the page of one user names that user', async () => {
    // A coordinator asks for the audit trail, which is a supervisor's: refused, and recorded by the route it called.
    const coordinator = service.stack.users['demo-coordinator']!;
    await request(service.app).get('/api/audit').set(coordinator.headers).expect(403);
    const page = await request(service.app)
      .get(`/audit?${new URLSearchParams({ userId: coordinator.user.id, outcome: 'denied' }).toString()}`)
      .set('Cookie', `${SESSION_COOKIE}=${service.sessionCookie('demo-supervisor')}`)
      .expect(200);
    expect(page.text).toContain('<td data-label="Action">Read the audit trail</td>');
    expect(page.text).not.toContain('Request GET');
    expect(page.text).toContain('Showing the events of <bdi>demo-coordinator</bdi> only.');
  });
});

describeSharing(service, 'bad-requests', () => {
  /**
   * The console refuses a malformed request with a 4xx page that says what was wrong, never "Something went wrong" and
   * a 500: an address that does not decode, a field sent twice, a value too long, a multipart body without its
   * boundary, an idempotency key that cannot be one. The whole service on real parts, the console calling the API over
   * HTTP as in production.
   */
  const origin = new URL(PUBLIC_BASE_URL).origin;
  const session = () => `${SESSION_COOKIE}=${service.sessionCookie('demo-police-officer')}`;

  /** A form on `page` posted as a browser would: with the page's CSRF token and cookies, and `fields` as sent. */
  async function postFrom(page: string, path: string, fields: string, signedIn = true) {
    const shown = await request(service.app)
      .get(page)
      .set('Cookie', signedIn ? session() : '')
      .expect(200);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(shown.text)![1]!;
    return request(service.app)
      .post(path)
      .set('Cookie', [...(signedIn ? [session()] : []), ...cookiesSetBy(shown)].join('; '))
      .set('Origin', origin)
      .type('form')
      .send(`_csrf=${encodeURIComponent(csrf)}&${fields}`);
  }

  function expectRefusal(page: { status: number; text: string }, status: number, words: RegExp): void {
    expect(page.status).toBe(status);
    expect(page.text).toContain('This could not be done');
    expect(page.text).toMatch(words);
    expect(page.text).not.toContain('Something went wrong');
  }

  test('an address that does not decode is a 400 page, as the API answers it', async () => {
    for (const path of ['/cases/%ZZ', `/cases/${randomUUID()}/steps/%ZZ/correct`, '/users/%ZZ']) {
      const page = await request(service.app).get(path).set('Cookie', session());
      expectRefusal(page, 400, /could not be read/);
    }
  });

  /** The form shown again with what to do by its field, never an error page. */
  function expectFormAgain(page: { status: number; text: string }, words: string): void {
    expect(page.status).toBe(422);
    expect(page.text).toContain(words);
    expect(page.text).not.toContain('This could not be done');
    expect(page.text).not.toContain('Something went wrong');
  }

  test('a field sent twice or too long is refused by name, signed in or not', async () => {
    expectFormAgain(
      await postFrom('/', '/calendar-feeds', `label=${'x'.repeat(150)}`),
      'The name of the feed must be 100 characters or fewer',
    );
    // A field sent twice is read as none: its form comes back asking for it.
    expectFormAgain(await postFrom('/', '/cases/by-name', 'name=Ana&name=Maria'), 'Enter a name');
    expectFormAgain(
      await postFrom('/sign-in', '/sign-in', 'username=a&username=b&password=x', false),
      'Enter your username',
    );
  });

  test('revoking a feed by an id that cannot be one is a 400 page', async () => {
    expectRefusal(await postFrom('/', '/calendar-feeds/zz/revoke', ''), 400, /./);
  });

  test('a multipart form without its boundary is a 400 page', async () => {
    const page = await request(service.app)
      .post(`/cases/${randomUUID()}/steps/le_declaration-1`)
      .set('Cookie', session())
      .set('Origin', origin)
      .set('Content-Type', 'multipart/form-data')
      .send('outcome=signed');
    expectRefusal(page, 400, /form could not be read/);
  });

  test('a form whose idempotency key is not one is refused, to be opened again: never a 500, and nothing is sent', async () => {
    const { caseId } = await openDemoCase(service, `bad-key-${randomUUID()}`, {
      identifiedOn: '2026-11-20',
      name: 'Keyla Example',
    });
    const opening =
      'identifiedOn=2026-11-20&survivor.name=Keyla+Other&survivor.birthDate=1990-01-01&agencies.law_enforcement=demo-police' +
      '&agencies.ice=demo-ice-ccht&agencies.hhs=demo-hhs-otip&agencies.advocate=demo-advocates' +
      '&agencies.coordinator=demo-task-force';
    // Every form the API applies once, each sent as it would be applied (confirmed, changed, complete).
    const forms: [action: string, fields: string][] = [
      ['/cases', opening],
      [`/cases/${caseId}/ask-again`, 'stepKind=cp_request'],
      [`/cases/${caseId}/steps/cp_request-1`, 'outcome=requested&details.requestedOn=2026-11-21&confirm=yes'],
      [`/cases/${caseId}/steps/identification-1/correct`, 'outcome=identified&reason=typo&confirm=yes'],
      [`/cases/${caseId}/transfer`, 'toAgencyId=demo-police&confirm=yes'],
      [`/cases/${caseId}/close`, 'status=closed&reason=relief_obtained&confirm=yes'],
      [`/cases/${caseId}/survivor`, 'name=Keyla+Renamed'],
    ];
    // Outside Latin-1 (no header can hold it), outside ASCII, too short, with a space.
    const keys = ['%E2%98%83', '%C3%A9'.repeat(8), 'short', 'with+a+space'];
    for (const [action, fields] of forms) {
      for (const key of keys) {
        const page = await postFrom('/', action, `idempotencyKey=${key}&${fields}`);
        expect([action, key, page.status]).toEqual([action, key, 400]);
        expect(page.text).toContain('This form could not be accepted');
        expect(page.text).toContain('Open it again and fill it in anew');
        expect(page.text).not.toContain('Something went wrong');
      }
    }
    // The sign-off form as a browser sends it, multipart (it may carry a document).
    const shown = await request(service.app).get('/').set('Cookie', session()).expect(200);
    const multipart = await request(service.app)
      .post(`/cases/${caseId}/steps/cp_request-1`)
      .set('Cookie', [session(), ...cookiesSetBy(shown)].join('; '))
      .set('Origin', origin)
      .field('_csrf', /name="_csrf" value="([^"]+)"/.exec(shown.text)![1]!)
      .field('idempotencyKey', '☃')
      .field('outcome', 'requested')
      .field('details.requestedOn', '2026-11-21')
      .field('confirm', 'yes');
    expect(multipart.status).toBe(400);
    expect(multipart.text).toContain('Open it again and fill it in anew');
    // Nothing reached the API: the case is as it was opened.
    const view = await request(service.app).get(`/api/cases/${caseId}`).set(service.stack.as('law_enforcement'));
    const { status, steps } = view.body as { status: string; steps: { id: string; status: string }[] };
    expect(status).toBe('open');
    expect(steps.find((step) => step.id === 'cp_request-1')?.status).toBe('pending');
  });

  test('a form whose text is not UTF-8 is refused whole, nothing saved, where it was stored with U+FFFD', async () => {
    const { caseId } = await openDemoCase(service, `bad-requests-latin1-${randomUUID()}`, {
      identifiedOn: '2026-11-20',
      name: 'Ottoline Brackenbury',
    });
    // The survivor's corrected name as a crafted request sends it: "é" as the Latin-1 byte 0xE9, not UTF-8.
    const shown = await request(service.app).get('/').set('Cookie', session()).expect(200);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(shown.text)![1]!;
    const body = Buffer.concat([
      Buffer.from(`_csrf=${encodeURIComponent(csrf)}&name=Ottol`),
      Buffer.from([0xe9]),
      Buffer.from('ne+Brackenbury'),
    ]);
    const page = await request(service.app)
      .post(`/cases/${caseId}/survivor`)
      .set('Cookie', [session(), ...cookiesSetBy(shown)].join('; '))
      .set('Origin', origin)
      .type('form')
      // Sent as the bytes are: superagent would otherwise serialize a Buffer as an object's fields.
      .serialize((raw: unknown) => raw as string)
      .send(body);
    expect(page.status).toBe(400);
    expect(page.text).toContain('Some of its text could not be read (it was not sent as UTF-8)');
    const survivor = await request(service.app)
      .get(`/api/cases/${caseId}/survivor`)
      .set(service.stack.as('law_enforcement'))
      .expect(200);
    expect((survivor.body as { name: string }).name).toBe('Ottoline Brackenbury');
  });
});

describeSharing(service, 'check-page-document', () => {
  /**
   * The sign-off check page names the document as the step records it: the same file sent again under another name
   * is the document already added (the API answers it for identical content), so the page names it by its first name,
   * the one the case page lists, not the name just sent. The whole service on real parts.
   */
  /** A 1×1 PNG. */
  const PNG = Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8/5+hHgAHggJ/PchI7wAAAABJRU5ErkJggg==',
    'base64',
  );
  const dayBefore = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);

  test('the same bytes sent again under another name: the check page names the document the step has', async () => {
    const { caseId } = await openDemoCase(service, 'check-page-document', {
      identifiedOn: dayBefore(3),
      name: 'Check Page Document (fictitious)',
    });
    const path = `/cases/${caseId}/steps/cp_request-1`;
    const session = `${SESSION_COOKIE}=${service.sessionCookie('demo-police-officer')}`;
    const form = await request(service.app).get(`${path}?outcome=requested`).set('Cookie', session).expect(200);
    const hidden = (name: string) => new RegExp(`name="${name}" value="([^"]+)"`).exec(form.text)![1]!;
    const send = (fileName: string) =>
      request(service.app)
        .post(path)
        .set('Cookie', [session, ...cookiesSetBy(form)].join('; '))
        .set('Origin', new URL(PUBLIC_BASE_URL).origin)
        .field('_csrf', hidden('_csrf'))
        .field('idempotencyKey', hidden('idempotencyKey'))
        .field('outcome', 'requested')
        .field('details.requestedOn', dayBefore(2))
        .attach('document', PNG, { filename: fileName, contentType: 'image/png' })
        .expect(200);
    const documentOf = (html: string) => /<dt>Document<\/dt><dd>(.*?) \(already added to the step\)/.exec(html)?.[1];
    expect(documentOf((await send('alpha.png')).text)).toBe('<bdi>alpha.png</bdi>');
    expect(documentOf((await send('beta.png')).text)).toBe('<bdi>alpha.png</bdi>');
    const casePage = await request(service.app).get(`/cases/${caseId}`).set('Cookie', session).expect(200);
    expect(casePage.text).toContain('alpha.png');
    expect(casePage.text).not.toContain('beta.png');
  });
});

describeSharing(service, 'close-case', () => {
  /**
   * The coordinator's "Close or withdraw" form refused: every choice missing is said at once, in words, linked from the
   * error summary, and what was chosen (the box ticked) comes back; sent, the case page's timeline says why the case
   * ended, the reason in the form's words, as it says a transfer's. An ended case names its end (closed or withdrawn),
   * and an agency no request reached is not told one will. The identification's correction, typed as an address, says
   * it is never corrected and where the case is withdrawn instead. The whole service on real parts, the console calling
   * the API over HTTP as in production.
   */
  let caseId = '';

  beforeAll(async () => {
    caseId = (await openDemoCase(service, 'close-case-form-1', { identifiedOn: '2025-11-03', name: 'Close Form' }))
      .caseId;
  });

  /** The close form sent by the case's coordinator with `fields`, as a browser would: its hidden fields and cookies. */
  async function sendClose(fields: Record<string, string>, onCase = caseId) {
    const session = `${SESSION_COOKIE}=${service.sessionCookie('demo-coordinator')}`;
    const form = await request(service.app).get(`/cases/${onCase}/close`).set('Cookie', session).expect(200);
    const hidden = Object.fromEntries(
      [...form.text.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((match) => [
        match[1]!,
        match[2]!,
      ]),
    );
    return request(service.app)
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
    const view = await request(service.app)
      .get(`/api/cases/${caseId}`)
      .set(service.stack.as('coordinator'))
      .expect(200);
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
    const { caseId: ended } = await openDemoCase(service, `close-reason-${status}`, {
      identifiedOn: '2025-11-03',
      name: `Close Reason ${status}`,
    });
    const sent = await sendClose({ status, reason, confirm: 'yes' }, ended);
    expect(sent.status).toBe(303);
    const page = await request(service.app)
      .get(`/cases/${ended}`)
      .set('Cookie', `${SESSION_COOKIE}=${service.sessionCookie('demo-coordinator')}`)
      .expect(200);
    const text = pageText(page.text);
    expect(text).toMatch(new RegExp(`Case ${verb} by [^.]+\\. Reason: ${said}\\.`));
    expect(text).not.toContain(reason);
  });

  const pageAs = (username: string, path: string) =>
    request(service.app)
      .get(path)
      .set('Cookie', `${SESSION_COOKIE}=${service.sessionCookie(username)}`);

  test.each([
    ['closed', 'relief_obtained', 'Closed'],
    ['withdrawn', 'opened_in_error', 'Withdrawn'],
  ])(
    'a case %s: its end is named so, and an agency no request reached is not told one will (probe P6)',
    async (status, reason, label) => {
      // An adult's case: ICE has no step until the police request CP, which this case never will.
      const { caseId: ended } = await openDemoCase(service, `close-words-${status}`, {
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
    const { caseId: opened } = await openDemoCase(service, 'close-identification-1', {
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
        await openDemoCase(service, `close-refused-${form}`, { identifiedOn: '2025-11-03', name: `Refused ${form}` })
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
        const session = `${SESSION_COOKIE}=${service.sessionCookie(username)}`;
        const casePage = await request(service.app).get(`/cases/${onCase}`).set('Cookie', session).expect(200);
        expect(casePage.text).not.toContain(`href="/cases/${onCase}/${form}"`);
        const csrf = /<input type="hidden" name="_csrf" value="([^"]*)">/.exec(casePage.text)?.[1] ?? '';
        const sent = await request(service.app)
          .post(`/cases/${onCase}/${form}`)
          .set('Cookie', [session, ...cookiesSetBy(casePage)].join('; '))
          .set('Origin', new URL(PUBLIC_BASE_URL).origin)
          .type('form')
          .send({ _csrf: csrf, idempotencyKey: `refused-${form}-${username}`, ...fields });
        expect(sent.status).toBe(403);
        expect(pageText(sent.text)).toContain(said);
        expect(sent.text).not.toContain(heading);
        const view = await request(service.app)
          .get(`/api/cases/${onCase}`)
          .set(service.stack.as('coordinator'))
          .expect(200);
        expect(view.body).toMatchObject({ status: 'open', agencies: { law_enforcement: 'demo-police' } });
      },
    );

    test('is the coordinator’s', async () => {
      const opened = await pageAs('demo-coordinator', `/cases/${onCase}/${form}`);
      expect(opened.status).toBe(200);
      expect(opened.text).toContain(heading);
    });
  });
});

describeSharing(service, 'correction-advice', () => {
  /**
   * What the sign-off pages advise should a sign-off turn out wrong agrees with who the API lets correct it: ICE's
   * Continued Presence decision may open steps ICE is not told of, so only the case's coordinator corrects it
   * (`coordinator_corrects`), and its check page and its "signed meanwhile" page say to ask them; the police's CP request
   * is corrected by the police or the coordinator, as its pages say. The whole service on real parts, through HTTP.
   */

  /** The page's text as read: no tags, no marks that set names apart, spaces as one. */
  const pageText = (html: string) =>
    html
      .replace(/<[^>]+>/g, ' ')
      .replace(/[\u2068\u2069]/gu, '')
      .replace(/&#39;|&#x27;/g, "'")
      .replace(/\s+/g, ' ');

  /** The form of a step sent by one of its officers, without confirming: its check page, or its refusal. */
  async function sent(caseId: string, username: string, stepId: string, answers: Record<string, string>) {
    const session = `${SESSION_COOKIE}=${service.sessionCookie(username)}`;
    const form = await request(service.app)
      .get(`/cases/${caseId}/steps/${stepId}?outcome=${answers.outcome}`)
      .set('Cookie', session)
      .expect(200);
    const hidden = Object.fromEntries(
      [...form.text.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1]!, m[2]!]),
    );
    return async () => {
      const page = await request(service.app)
        .post(`/cases/${caseId}/steps/${stepId}`)
        .set('Cookie', [session, ...cookiesSetBy(form)].join('; '))
        .set('Origin', new URL(PUBLIC_BASE_URL).origin)
        .type('form')
        .send({ ...hidden, ...answers });
      return pageText(page.text);
    };
  }

  async function signViaApi(caseId: string, kind: 'law_enforcement' | 'ice', stepId: string, body: object) {
    await request(service.app)
      .post(`/api/cases/${caseId}/steps/${stepId}/sign-off`)
      .set(service.stack.as(kind))
      .set('Idempotency-Key', `correction-advice-${caseId}-${stepId}`)
      .send(body)
      .expect(200);
  }

  const ORDINARY = "the agency that signed it or the case's coordinator can correct it, with a reason";
  const ASK_COORDINATOR = "ask the case's coordinator to correct it: only they can";
  const CORRECT_THERE = 'and if it differs, correct the sign-off there';
  const ASK_TO_CORRECT = "and if it differs, ask the case's coordinator to correct the sign-off";

  test('the check page and the signed-meanwhile page say who corrects the step, as the API judges it', async () => {
    const { caseId } = await openDemoCase(service, 'correction-advice', {
      identifiedOn: '2026-11-20',
      name: 'Correction Advice (fictitious)',
    });
    const request_ = { outcome: 'requested', 'details.requestedOn': '2026-11-25' };
    const police = await sent(caseId, 'demo-police-officer', 'cp_request-1', request_);
    const policeCheck = await police();
    expect(policeCheck).toContain('Check your answers');
    expect(policeCheck).toContain(ORDINARY);
    expect(policeCheck).not.toContain(ASK_COORDINATOR);
    // Signed meanwhile, in another window: the form's answers are shown, with the police's own advice.
    await signViaApi(caseId, 'law_enforcement', 'cp_request-1', {
      outcome: 'requested',
      details: { requestedOn: '2026-11-25' },
    });
    const policeMeanwhile = await police();
    expect(policeMeanwhile).toContain(CORRECT_THERE);
    expect(policeMeanwhile).not.toContain(ASK_TO_CORRECT);

    const grant = { outcome: 'granted', 'details.grantedOn': '2026-11-30' };
    const ice = await sent(caseId, 'demo-ice-officer', 'cp_decision-1', grant);
    const iceCheck = await ice();
    expect(iceCheck).toContain('Check your answers');
    expect(iceCheck).toContain(ASK_COORDINATOR);
    expect(iceCheck).not.toContain(ORDINARY);
    await signViaApi(caseId, 'ice', 'cp_decision-1', { outcome: 'granted', details: { grantedOn: '2026-11-30' } });
    const iceMeanwhile = await ice();
    expect(iceMeanwhile).toContain(ASK_TO_CORRECT);
    expect(iceMeanwhile).not.toContain(CORRECT_THERE);

    // As the API has it: ICE's correction of its grant is refused for the coordinator's.
    const refused = await request(service.app)
      .post(`/api/cases/${caseId}/steps/cp_decision-1/corrections`)
      .set(service.stack.as('ice'))
      .set('Idempotency-Key', 'correction-advice-ice-corrects')
      .send({ outcome: 'granted', details: { grantedOn: '2026-11-29' }, reason: 'Typed the wrong day.' });
    expect(refused.body).toMatchObject({ code: 'coordinator_corrects' });
  });
});

describeSharing(service, 'correction-pages-start', () => {
  /**
   * The two pages of a correction (its form, and the form sent) start as every page of a case does (`Kit.caseOf`): the
   * signed-in user first, then the case the address names: a case the reader may not open, or an address that names
   * none, is refused on a page that still shows who is signed in (the menu, "Sign out"), as the case page's own
   * refusal does. The whole service on real parts.
   */
  const origin = new URL(PUBLIC_BASE_URL).origin;
  const session = () => `${SESSION_COOKIE}=${service.sessionCookie('demo-police-officer')}`;

  /** A correction form posted as a browser would, with the CSRF token of a page shown to the same browser. */
  async function postCorrection(path: string, signedIn: boolean) {
    const shown = await request(service.app)
      .get(signedIn ? '/' : '/sign-in')
      .set('Cookie', signedIn ? session() : '')
      .expect(200);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(shown.text)![1]!;
    return request(service.app)
      .post(path)
      .set('Cookie', [...(signedIn ? [session()] : []), ...cookiesSetBy(shown)].join('; '))
      .set('Origin', origin)
      .type('form')
      .send(`_csrf=${encodeURIComponent(csrf)}&outcome=requested&reason=typo`);
  }

  test('a case the reader may not open is refused on a page that shows who is signed in, as the case page does', async () => {
    // Each refused as the case page of the same address is: an id no case could have, and one no case has (which
    // answers as a case of other agencies does, so that no answer tells whether a case exists).
    for (const caseId of ['not-a-case', randomUUID()]) {
      const casePage = await request(service.app).get(`/cases/${caseId}`).set('Cookie', session());
      expect(casePage.text).toContain('Sign out');
      const path = `/cases/${caseId}/steps/cp_request-1/correct`;
      const shown = await request(service.app).get(path).set('Cookie', session());
      expect([path, shown.status, shown.text.includes('Sign out')]).toEqual([path, casePage.status, true]);
      const sent = await postCorrection(path, true);
      expect([path, sent.status, sent.text.includes('Sign out')]).toEqual([path, casePage.status, true]);
    }
  });
});

describeSharing(service, 'document-removal-page', () => {
  /**
   * The page that removes a document, opened by someone who may not remove it (a supervisor, who sees the step): a 403
   * page saying who may, without the destructive form, as the sign-off page answers one who may not sign; those who may
   * get the form. The whole service on real parts; pages read as HTML.
   */
  /** A 1×1 PNG. */
  const PNG = Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8/5+hHgAHggJ/PchI7wAAAABJRU5ErkJggg==',
    'base64',
  );
  let caseId = '';
  let documentId = '';

  beforeAll(async () => {
    caseId = (
      await openDemoCase(service, 'document-removal-page', { identifiedOn: '2025-11-03', name: 'Removal Page' })
    ).caseId;
    const added = await request(service.app)
      .post(`/api/cases/${caseId}/steps/cp_request-1/documents`)
      .set(service.stack.as('law_enforcement'))
      .attach('file', PNG, { filename: 'request.png' })
      .expect(201);
    documentId = (added.body as { id: string }).id;
  });

  const removalPageAs = (username: string) =>
    request(service.app)
      .get(`/cases/${caseId}/documents/${documentId}/remove`)
      .set('Cookie', `${SESSION_COOKIE}=${service.sessionCookie(username)}`);

  /** A page's text as read: tags dropped, entities decoded, spaces collapsed. */
  const textOf = (html: string) =>
    html
      .replace(/<[^>]*>/g, ' ')
      .replace(/&#39;/g, "'")
      .replace(/&amp;/g, '&')
      .replace(/\s+/g, ' ')
      .trim();

  const nameOf = (kind: string) => DEMO_AGENCY_LIST.find((agency) => agency.kind === kind)!.name;

  test('a supervisor is told who may remove the document, with no form to fill in first', async () => {
    const page = await removalPageAs('demo-supervisor').expect(403);
    expect(textOf(page.text)).toContain(
      `Only the person who added the document, an officer of the step’s agency on this case (${nameOf('law_enforcement')}), ` +
        `or the case’s coordinator (${nameOf('coordinator')}) may remove it.`,
    );
    expect(page.text).not.toContain(`action="/cases/${caseId}/documents/${documentId}/remove"`);
    expect(page.text).not.toContain('Remove the document');
    expect(page.text).not.toContain('Why it is removed');
  });

  test("the step's agency and the coordinator get the form", async () => {
    for (const username of ['demo-police-officer', 'demo-coordinator']) {
      const page = await removalPageAs(username).expect(200);
      expect(page.text).toContain(`action="/cases/${caseId}/documents/${documentId}/remove"`);
      expect(page.text).toContain('Remove the document');
    }
  });
});

describeSharing(service, 'form-words', () => {
  /**
   * The sign-off and "Ask again" forms in a case worker's words (probe D9): a minor's CP request, asked for with no
   * deadline, is headed "no deadline", never "due —"; a day typed as the hint writes it ("25 November 2026", where no
   * date picker is offered) is taken as that day, where it was refused "as a real date"; the "Asked on" hint says that
   * asking again opens a new request step to sign. The whole service on real parts.
   */
  const session = () => `${SESSION_COOKIE}=${service.sessionCookie('demo-police-officer')}`;

  /** The page's text as read: no tags, no marks that set names apart, spaces as one. */
  const pageText = (html: string) =>
    html
      .replace(/<[^>]+>/g, ' ')
      .replace(/[\u2068\u2069]/gu, '')
      .replace(/&#39;|&#x27;/g, "'")
      .replace(/\s+/g, ' ');

  const today = async () => dateOf(new Date(await service.stack.env.currentTimeMs()).toISOString());

  test("a minor's CP request, with no deadline, is headed so", async () => {
    const todayOn = await today();
    const { caseId } = await openDemoCase(service, 'form-words-minor', {
      identifiedOn: addDays(todayOn, -2),
      name: 'Minor Words (fictitious)',
      birthDate: `${Number(todayOn.slice(0, 4)) - 15}-03-01`,
    });
    const view = await request(service.app)
      .get(`/api/cases/${caseId}`)
      .set(service.stack.as('law_enforcement'))
      .expect(200);
    const requestStep = (view.body as { steps: { id: string; dueAt: string | null }[] }).steps.find(
      (step) => step.id === 'cp_request-1',
    );
    expect(requestStep?.dueAt).toBeNull();
    const page = await request(service.app)
      .get(`/cases/${caseId}/steps/cp_request-1`)
      .set('Cookie', session())
      .expect(200);
    const text = pageText(page.text);
    expect(text).toContain('; no deadline; Pending .');
    expect(text).not.toContain('due —');
  });

  test('a day typed as the hint writes it is taken as that day', async () => {
    const todayOn = await today();
    const { caseId } = await openDemoCase(service, 'form-words-typed-day', {
      identifiedOn: addDays(todayOn, -20),
      name: 'Typed Day (fictitious)',
    });
    const requestedOn = addDays(todayOn, -15);
    const typed = new Date(`${requestedOn}T00:00:00Z`).toLocaleDateString('en-GB', {
      day: 'numeric',
      month: 'long',
      year: 'numeric',
      timeZone: 'UTC',
    });
    expect(typed).toMatch(/^\d{1,2} [A-Z][a-z]+ \d{4}$/);
    const form = await request(service.app)
      .get(`/cases/${caseId}/steps/cp_request-1?outcome=requested`)
      .set('Cookie', session())
      .expect(200);
    const hidden = Object.fromEntries(
      [...form.text.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1]!, m[2]!]),
    );
    await request(service.app)
      .post(`/cases/${caseId}/steps/cp_request-1`)
      .set('Cookie', [session(), ...cookiesSetBy(form)].join('; '))
      .set('Origin', new URL(PUBLIC_BASE_URL).origin)
      .type('form')
      .send({ ...hidden, outcome: 'requested', 'details.requestedOn': typed, confirm: 'yes' })
      .expect(303);
    const view = await request(service.app)
      .get(`/api/cases/${caseId}`)
      .set(service.stack.as('coordinator'))
      .expect(200);
    const steps = (view.body as { steps: { id: string; status: string; details: Record<string, unknown> }[] }).steps;
    expect(steps.find((step) => step.id === 'cp_request-1')).toMatchObject({
      status: 'completed',
      details: { requestedOn },
    });
  });

  test('the "Asked on" hint says asking again opens a new request step to sign', async () => {
    const todayOn = await today();
    const { caseId } = await openDemoCase(service, 'form-words-ask-again', {
      identifiedOn: addDays(todayOn, -30),
      name: 'Asked On Words (fictitious)',
    });
    const sign = (stepId: string, kind: 'law_enforcement' | 'ice', body: object) =>
      request(service.app)
        .post(`/api/cases/${caseId}/steps/${stepId}/sign-off`)
        .set(service.stack.as(kind))
        .set('Idempotency-Key', `form-words-${stepId}`)
        .send(body)
        .expect(200);
    await sign('cp_request-1', 'law_enforcement', {
      outcome: 'requested',
      details: { requestedOn: addDays(todayOn, -28) },
    });
    await sign('cp_decision-1', 'ice', {
      outcome: 'denied',
      details: { reason: 'other', decidedOn: addDays(todayOn, -20) },
    });
    const page = await request(service.app).get(`/cases/${caseId}`).set('Cookie', session()).expect(200);
    const text = pageText(page.text);
    expect(text).toContain('The day it was decided to ask again');
    expect(text).toContain('A new request step opens as of that day, to sign off once the request is made.');
    expect(text).not.toContain('the day it was asked for a case entered after the fact');
  });
});

describeSharing(service, 'inbox', () => {
  /**
   * The console's inbox says only what the console composed: a link cannot make it show words of its own choosing
   * (issue 13). The whole service on real parts, the console calling the API over HTTP as in production.
   */

  const inbox = (query: string) =>
    request(service.app)
      .get(`/${query}`)
      .set('Cookie', `${SESSION_COOKIE}=${service.sessionCookie('demo-police-officer')}`)
      .expect(200);

  test('a crafted link shows none of its text in the inbox', async () => {
    const bait = 'Your account is locked, call +1 555 0100 to unlock it';
    for (const query of [
      `?signed=${encodeURIComponent(bait)}`,
      `?notice=${encodeURIComponent(bait)}`,
      '?notice=constructor',
      '?notice=__proto__',
    ]) {
      const page = await inbox(query);
      expect(page.text).toContain('Inbox');
      expect(page.text).not.toContain('Your account is locked');
      expect(page.text).not.toContain('Signed off');
      expect(page.text).not.toContain('[native code]');
    }
  });

  test('after a sign-off, the inbox shows the message the console chose for it', async () => {
    const page = await inbox('?notice=signed-off');
    expect(page.text).toContain(INBOX_NOTICES.get('signed-off'));
  });

  test("the home page's calendar feed section shows a new feed's address once, and revokes it", async () => {
    const session = `${SESSION_COOKIE}=${service.sessionCookie('demo-police-officer')}`;
    const home = await inbox('');
    expect(home.text).toContain('<h2 id="calendar-feed-heading">Calendar feed</h2>');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(home.text)![1]!;
    const cookies = [session, ...cookiesSetBy(home)].join('; ');
    const post = (path: string, fields: Record<string, string>) =>
      request(service.app)
        .post(path)
        .set('Cookie', cookies)
        .set('Origin', new URL(PUBLIC_BASE_URL).origin)
        .type('form')
        .send({ _csrf: csrf, ...fields });

    // A feed outlives the session: the form asks for the password, and a wrong or missing one is refused by its field,
    // the name kept as typed and the password never written back.
    const wrong = await post('/calendar-feeds', { label: 'Office Outlook', currentPassword: 'a guess' }).expect(403);
    expect(wrong.text).toMatch(/id="currentPassword-error">[^<]*wrong/);
    expect(wrong.text).toContain('value="Office Outlook"');
    expect(wrong.text).not.toContain('a guess');
    expect(wrong.text).not.toContain('id="new-feed-url"');
    const blank = await post('/calendar-feeds', { label: 'Office Outlook' }).expect(422);
    expect(blank.text).toMatch(/id="currentPassword-error">Enter your password</);

    const made = await post('/calendar-feeds', { label: 'Office Outlook', currentPassword: TEST_PASSWORD }).expect(200);
    const url = /id="new-feed-url" class="wide" type="text" readonly value="([^"]+)"/.exec(made.text)?.[1];
    expect(url).toMatch(new RegExp(`^${PUBLIC_BASE_URL}/calendar/rc_[a-z0-9]{16}_[A-Za-z0-9_-]{43}\\.ics$`));
    const feed = await request(service.app).get(new URL(url!).pathname).expect(200);
    expect(feed.text).toContain('BEGIN:VCALENDAR');

    // Listed from then on, its address never again.
    const again = await inbox('');
    expect(again.text).toContain('Office Outlook');
    expect(again.text).not.toContain(url!);
    const feedId = /action="\/calendar-feeds\/([a-z0-9]{16})\/revoke"/.exec(again.text)![1]!;
    const revoked = await post(`/calendar-feeds/${feedId}/revoke`, {}).expect(303);
    expect(revoked.headers.location).toBe('/?notice=feed-revoked');
    expect((await inbox('?notice=feed-revoked')).text).toContain(INBOX_NOTICES.get('feed-revoked'));
    await request(service.app).get(new URL(url!).pathname).expect(404);
  });

  test('an address the console has no page for is a page in its layout, with the request id to quote', async () => {
    const page = await request(service.app)
      .get('/no-such-page')
      .set('Cookie', `${SESSION_COOKIE}=${service.sessionCookie('demo-police-officer')}`)
      .set('X-Request-Id', '00000000-0000-4000-8000-000000000110')
      .expect(404)
      .expect('Content-Type', /text\/html/);
    expect(page.text).toContain('<h1>Page not found</h1>');
    // The request's own id, the one its log line and any audit row carry, not the one the browser offered.
    expect(page.text).toContain(`<code>${page.headers['x-request-id'] as string}</code>`);
    expect(page.text).toContain('Sign out');
    // The API's own unknown paths stay problem+json.
    await request(service.app)
      .get('/api/no-such-route')
      .expect(404)
      .expect('Content-Type', /problem\+json/);
  });
});

describeSharing(service, 'outage-forms', () => {
  /**
   * A console form sent while PostgreSQL is down behind the API: its page cannot be read again (the reader, the case),
   * yet what was typed comes back, with the same Idempotency-Key, to send again once the service answers; sent again,
   * it is applied once. The whole service on real parts, the console calling the API over HTTP; PostgreSQL is made
   * unavailable to the API's pool for the request (a connection refused as while the server shuts down, 57P03).
   */
  const today = () => new Date().toISOString().slice(0, 10);
  const session = `${SESSION_COOKIE}=`;
  let caseId = '';

  beforeAll(async () => {
    const opened = await request(service.app)
      .post('/api/cases')
      .set(service.stack.as('law_enforcement'))
      .set('Idempotency-Key', 'outage-forms-1')
      .send({
        agencies: DEMO_AGENCIES,
        identifiedOn: today(),
        survivor: { name: 'Outage Form (fictitious)', birthDate: '1990-02-03' },
      });
    expect(opened.status).toBe(201);
    caseId = (opened.body as { caseId: string }).caseId;
  });

  /** The hidden fields of a console page's form. */
  const hiddenFields = (html: string) =>
    Object.fromEntries(
      [...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((match): [string, string] => [
        match[1]!,
        match[2]!,
      ]),
    );

  /** PostgreSQL unavailable to the API's pool while `during` runs: every connection refused as a server shutting down. */
  async function whilePostgresDown<T>(during: () => Promise<T>): Promise<T> {
    const pool = service.stack.pool;
    const refused = () => Object.assign(new Error('the database system is shutting down'), { code: '57P03' });
    // pg's Pool.query asks connect() with a callback, a caller without one gets a promise: both are refused.
    function refusedConnect(callback?: (error: Error) => void): Promise<never> | undefined {
      if (typeof callback !== 'function') return Promise.reject(refused());
      process.nextTick(() => callback(refused()));
      return undefined;
    }
    // An own property over the prototype's method while down; deleted, the pool connects as before.
    Object.assign(pool, { connect: refusedConnect });
    try {
      return await during();
    } finally {
      delete (pool as { connect?: unknown }).connect;
    }
  }

  /** A form page as the browser holds it: its hidden fields and the cookies to send it with. */
  async function formAt(path: string) {
    const cookie = `${session}${service.sessionCookie('demo-police-officer')}`;
    const page = await request(service.app).get(path).set('Cookie', cookie).expect(200);
    return { hidden: hiddenFields(page.text), cookies: [cookie, ...cookiesSetBy(page)].join('; ') };
  }

  const post = (path: string, cookies: string, fields: Record<string, string>) =>
    request(service.app)
      .post(path)
      .set('Cookie', cookies)
      .set('Origin', new URL(PUBLIC_BASE_URL).origin)
      .type('form')
      .send(fields);

  test('a sign-off confirmed while PostgreSQL is down comes back with its entries and key; sent again, it is signed once', async () => {
    const path = `/cases/${caseId}/steps/cp_request-1`;
    const form = await formAt(`${path}?outcome=requested`);
    const key = form.hidden.idempotencyKey!;
    expect(key).toBeTruthy();
    const fields = { ...form.hidden, confirm: 'yes', outcome: 'requested', 'details.requestedOn': today() };
    const page = await whilePostgresDown(() => post(path, form.cookies, fields));
    expect(page.status).toBe(503);
    expect(page.text).toContain('The service could not finish this just now');
    expect(page.text).toContain('What you entered is kept on this page');
    const kept = hiddenFields(page.text);
    expect(kept).toMatchObject({
      idempotencyKey: key,
      confirm: 'yes',
      outcome: 'requested',
      'details.requestedOn': today(),
    });
    expect(page.text).toContain(`action="${path}"`);

    // Sent again once PostgreSQL answers: signed, and the same key sent a third time signs nothing more.
    const again = await post(path, form.cookies, kept).expect(303);
    expect(again.headers.location).toContain('notice=signed-off');
    await post(path, form.cookies, kept).expect(303);
    const view = await request(service.app)
      .get(`/api/cases/${caseId}`)
      .set(service.stack.as('coordinator'))
      .expect(200);
    const step = (view.body as { steps: { id: string; status: string }[] }).steps.find((s) => s.id === 'cp_request-1');
    expect(step?.status).toBe('completed');
  });

  test('an open-case form sent while PostgreSQL is down comes back with what was typed and its key', async () => {
    const form = await formAt('/cases/new');
    const key = form.hidden.idempotencyKey!;
    const agencies = Object.fromEntries(Object.entries(DEMO_AGENCIES).map(([kind, id]) => [`agencies.${kind}`, id]));
    const fields = {
      ...form.hidden,
      ...agencies,
      identifiedOn: today(),
      'survivor.name': 'Kept Entry (fictitious)',
      'survivor.birthDate': '1991-04-05',
    };
    const page = await whilePostgresDown(() => post('/cases', form.cookies, fields));
    expect(page.status).toBe(503);
    expect(hiddenFields(page.text)).toMatchObject({ idempotencyKey: key, 'survivor.name': 'Kept Entry (fictitious)' });
    expect(page.text).toContain('<dd>Kept Entry (fictitious)</dd>');
    // The page's own CSRF token, once: the sent one is not carried twice.
    expect(page.text.match(/name="_csrf"/g)).toHaveLength(1);
  });

  test("a document sent to a step's documents page while PostgreSQL is down: the file named to add again, the form back", async () => {
    const path = `/cases/${caseId}/steps/cp_request-1/documents`;
    const form = await formAt(path);
    const page = await whilePostgresDown(() =>
      request(service.app)
        .post(path)
        .set('Cookie', form.cookies)
        .set('Origin', new URL(PUBLIC_BASE_URL).origin)
        .field('_csrf', form.hidden._csrf!)
        .attach('document', Buffer.from('%PDF-1.4\n% receipt\n%%EOF\n'), {
          filename: 'receipt.pdf',
          contentType: 'application/pdf',
        }),
    );
    expect(page.status).toBe(503);
    expect(page.text).toContain('The service could not finish this just now');
    expect(page.text).toMatch(/The file <bdi>receipt\.pdf<\/bdi> cannot be kept on this page and was not added/);
    expect(page.text).toContain(`action="${path}"`);
    // "Send again" brings the form back, asking for the file.
    const again = await post(path, form.cookies, hiddenFields(page.text));
    expect(again.status).toBe(422);
    expect(again.text).toContain('Choose the file to add');
    expect(again.text).toMatch(/<form[^>]*enctype="multipart\/form-data"/);
  });
});

describeSharing(service, 'sign-off-guidance', () => {
  /**
   * A sign-off page says what the process needs of its step where the fields cannot (web/step-guidance.ts): the police
   * that the declaration is optional and a decline never holds up the T visa, the attorney that the T visa is filed
   * without waiting for it, that a bona fide determination is a USCIS notice and not the receipt, when an I-485 may be
   * filed and that it must be filed while T status lasts, and the U petition's last day; the police, for a minor, how
   * HHS is notified and that it must be before the 18th birthday. The advocate's case page says the declaration is
   * optional evidence. The whole service on real parts, the console calling the API over HTTP; pages read as text.
   */
  const today = () => new Date().toISOString().slice(0, 10);

  const pageAs = async (username: string, path: string) =>
    textOf(
      (
        await request(service.app)
          .get(path)
          .set('Cookie', `${SESSION_COOKIE}=${service.sessionCookie(username)}`)
          .expect(200)
      ).text,
    );

  const signOff = (caseId: string, as: AgencyKind, stepId: string, outcome: string, details: object) =>
    request(service.app)
      .post(`/api/cases/${caseId}/steps/${stepId}/sign-off`)
      .set(service.stack.as(as))
      .set('Idempotency-Key', `guidance-${caseId}-${stepId}-${outcome}`)
      .send({ outcome, details })
      .expect(200);

  test('the declaration is optional: its page, the T filing page and the advocate’s case page say so', async () => {
    const { caseId } = await openDemoCase(service, 'guidance-declaration', {
      identifiedOn: today(),
      name: 'Guidance Declaration (fictitious)',
    });
    const declaration = await pageAs('demo-police-officer', `/cases/${caseId}/steps/le_declaration-1?outcome=declined`);
    expect(declaration).toContain(
      "declining it, or not answering, never holds up the survivor's T-visa filing, and other evidence can show their cooperation",
    );
    const filing = await pageAs('demo-advocate', `/cases/${caseId}/steps/t_visa_filing-1`);
    expect(filing).toContain('is optional evidence: file without waiting for it, whether it is pending, declined');
    const casePage = await pageAs('demo-advocate', `/cases/${caseId}`);
    expect(casePage).toContain(
      'Law-enforcement declaration (Form I-914, Supplement B): not signed yet (optional evidence: the T-visa filing does not wait for it)',
    );
    await signOff(caseId, 'law_enforcement', 'le_declaration-1', 'declined', { reason: 'investigation_closed' });
    expect(await pageAs('demo-advocate', `/cases/${caseId}`)).toContain(
      '(optional evidence: the T-visa filing does not wait for it)',
    );
  });

  test('a bona fide determination is the notice, not the receipt; an I-485 says from when and until when', async () => {
    const on = today();
    const { caseId } = await openDemoCase(service, 'guidance-t-visa', {
      identifiedOn: on,
      name: 'Guidance T Visa (fictitious)',
    });
    await signOff(caseId, 'advocate', 't_visa_filing-1', 'filed', { filedOn: on });
    await signOff(caseId, 'advocate', 't_visa_receipt-1', 'received', { receivedOn: on });
    expect(await pageAs('demo-advocate', `/cases/${caseId}/steps/t_visa_bona_fide-1`)).toContain(
      "Record it from USCIS's bona fide determination notice, not from the receipt notice: a filing receipt is no ground for an adult's HHS certification",
    );
    await signOff(caseId, 'advocate', 't_visa_bona_fide-1', 'bona_fide', { determinedOn: on });
    const validUntil = addDays(addMonths(on, 48), -1);
    await signOff(caseId, 'advocate', 't_visa_decision-1', 'approved', { approvedOn: on, validUntil });
    const adjustment = await pageAs('demo-advocate', `/cases/${caseId}/steps/t_visa_adjustment_filing-1`);
    expect(adjustment).toContain(
      `It may be filed from ${formatCalendarDay(addMonths(on, 36))}, or earlier once the investigation or prosecution is complete: then give the day it was.`,
    );
    expect(adjustment).toContain(
      `It must be filed while T status lasts, on or before ${formatCalendarDay(validUntil)}: a survivor whose T status ends before filing loses this path.`,
    );
  });

  test("a U petition's page names its last day; a minor's notification page says how and before when", async () => {
    const on = today();
    const opened = await request(service.app)
      .post('/api/cases')
      .set(service.stack.as('law_enforcement'))
      .set('Idempotency-Key', 'guidance-minor-u')
      .send({
        agencies: DEMO_AGENCIES,
        identifiedOn: on,
        usesUVisa: true,
        survivor: { name: 'Guidance Minor (fictitious)', birthDate: addMonths(on, -12 * 15) },
      })
      .expect(201);
    const caseId = (opened.body as { caseId: string }).caseId;
    expect(await pageAs('demo-police-officer', `/cases/${caseId}/steps/hhs_minor_notification-1`)).toContain(
      'through its online request system (Shepherd), then record it here. The request must be made before the minor turns 18.',
    );
    await signOff(caseId, 'law_enforcement', 'u_visa_certification-1', 'signed', { signedOn: on });
    expect(await pageAs('demo-advocate', `/cases/${caseId}/steps/u_visa_petition-1`)).toContain(
      `File by ${formatCalendarDay(addMonths(on, 6))}, the last day of the certification's window: after it the certification has expired`,
    );
  });
});

describeSharing(service, 'spellcheck', () => {
  /**
   * No field of the console that may hold personal data is spellchecked: a browser's enhanced (cloud) spellcheck sends
   * what is typed to its maker, a survivor's name, contact or a step's note included. Every text field and text area
   * carries `spellcheck="false"`: in each form as the console serves it (the whole service on real parts, the console
   * calling the API over HTTP as in production), and in every template, so that a form added later is held to it too.
   */
  const VIEWS = join(__dirname, '../../web/views');
  /** Inputs that hold no text a person types (or, a password, that no browser spellchecks). */
  const NOT_TEXT = /\btype="(hidden|checkbox|radio|submit|button|file|date|time|number|password)"/;

  /** The text fields and text areas of a page (each tag up to its end), those that may hold what a person typed. */
  const textFieldsOf = (html: string) =>
    [...html.matchAll(/<(?:input|textarea)\b[^>]*>/g)].map(([tag]) => tag).filter((tag) => !NOT_TEXT.test(tag));

  let caseId: string;
  beforeAll(async () => {
    const today = new Date().toISOString().slice(0, 10);
    const opened = await request(service.app)
      .post('/api/cases')
      .set(service.stack.as('law_enforcement'))
      .set('Idempotency-Key', 'spellcheck-1')
      .send({
        agencies: DEMO_AGENCIES,
        identifiedOn: today,
        survivor: { name: 'Spellcheck Probe (fictitious)', birthDate: '1990-01-03', contact: '+1 555 0100' },
      })
      .expect(201);
    caseId = (opened.body as { caseId: string }).caseId;
  });

  test('every form that may hold personal data is served with no field spellchecked', async () => {
    const pages: [username: string, path: string, fields: string[]][] = [
      // The new case's survivor: name, birth date, A-number, contact.
      ['demo-police-officer', '/cases/new', ['survivor.name', 'survivor.contact', 'reference']],
      // The correction of the survivor's details.
      ['demo-police-officer', `/cases/${caseId}/survivor`, ['name', 'contact', 'aNumber', 'reference']],
      // A sign-off: its note.
      ['demo-police-officer', `/cases/${caseId}/steps/cp_request-1`, ['details.note']],
      // The caseload's search by name and reference; the audit trail's reference.
      ['demo-coordinator', '/cases', ['name', 'reference']],
      ['demo-supervisor', '/audit', ['caseReference']],
    ];
    for (const [username, path, fields] of pages) {
      const page = await request(service.app)
        .get(path)
        .set('Cookie', `${SESSION_COOKIE}=${service.sessionCookie(username)}`)
        .expect(200);
      const tags = textFieldsOf(page.text);
      // The page is the form: each field named is there.
      for (const field of fields)
        expect([path, tags.some((tag) => tag.includes(` name="${field}"`))]).toEqual([path, true]);
      expect(tags.filter((tag) => !tag.includes(' spellcheck="false"'))).toEqual([]);
    }
  });

  test("every text field and text area of the console's templates is not spellchecked", () => {
    const unguarded = readdirSync(VIEWS)
      .filter((file) => file.endsWith('.eta'))
      .flatMap((file) =>
        readFileSync(join(VIEWS, file), 'utf8')
          .split('\n')
          // A tag is written on one line; what follows its start on that line holds its attributes.
          .flatMap((line) => [...line.matchAll(/<(?:input|textarea)\b/g)].map((match) => line.slice(match.index)))
          .filter((tag) => !NOT_TEXT.test(tag.split(/>\s*(?:<|$)/)[0]!) && !tag.includes(' spellcheck="false"'))
          .map((tag) => `${file}: ${tag.slice(0, 80)}`),
      );
    expect(unguarded).toEqual([]);
  });
});

describeSharing(service, 'survivor-form-reference', () => {
  /**
   * The survivor form's new case reference (re-probe): sent alone, with no detail changed, it is refused by its field,
   * as the API refuses a correction that changes no detail, where the form said "Nothing changed" and dropped it; and a
   * reference the API would refuse is said by its field with every other problem of a form the console does not send
   * ("Other language" with no code). Nothing is saved. The whole service on real parts, the form sent as a browser does.
   */
  const NAME = 'Probe Veinte (fictitious)';
  const REFERENCE = 'TST-0200';

  let caseId = '';

  beforeAll(async () => {
    const opened = await request(service.app)
      .post('/api/cases')
      .set(service.stack.as('law_enforcement'))
      .set('Idempotency-Key', 'survivor-form-reference-1')
      .send({
        agencies: DEMO_AGENCIES,
        identifiedOn: '2025-11-03',
        survivor: { name: NAME, birthDate: '1990-04-12' },
        reference: REFERENCE,
      })
      .expect(201);
    caseId = (opened.body as { caseId: string }).caseId;
  });

  const sessionOf = (username: string) => `${SESSION_COOKIE}=${service.sessionCookie(username)}`;

  /** The hidden fields of a console page's form. */
  const hiddenFields = (html: string) =>
    Object.fromEntries(
      [...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((match): [string, string] => [
        match[1]!,
        match[2]!,
      ]),
    );

  /** The form opened by the police, who opened the case, sent with its details as they are but for `fields`. */
  async function send(fields: Record<string, string>) {
    const cookie = sessionOf('demo-police-officer');
    const form = await request(service.app).get(`/cases/${caseId}/survivor`).set('Cookie', cookie).expect(200);
    return request(service.app)
      .post(`/cases/${caseId}/survivor`)
      .set('Cookie', [cookie, ...cookiesSetBy(form)].join('; '))
      .set('Origin', new URL(PUBLIC_BASE_URL).origin)
      .type('form')
      .send({
        ...hiddenFields(form.text),
        name: NAME,
        aNumber: '',
        contact: '',
        preferredLanguage: '',
        preferredLanguageOther: '',
        reference: '',
        ...fields,
      });
  }

  /** The error summary's entries, as its links read. */
  const summaryOf = (html: string) =>
    [...html.matchAll(/<li><a href="#[^"]+">([^<]+)<\/a><\/li>/g)].map((match) => match[1]!.replaceAll('&quot;', '"'));

  async function expectNothingSaved() {
    const view = await request(service.app)
      .get(`/api/cases/${caseId}`)
      .set(service.stack.as('coordinator'))
      .expect(200);
    expect((view.body as { reference: string }).reference).toBe(REFERENCE);
    const survivor = await request(service.app)
      .get(`/api/cases/${caseId}/survivor`)
      .set(service.stack.as('coordinator'))
      .expect(200);
    expect(survivor.body).toMatchObject({ name: NAME, corrections: 0 });
  }

  test('a new case reference typed with no detail changed is refused by its field, not dropped', async () => {
    const page = await send({ reference: 'TF-2026-0200' });
    expect(page.status).toBe(400);
    expect(page.text).toContain('id="reference-error"');
    expect(summaryOf(page.text)).toEqual([
      'New case reference: A new case reference is given with a correction of the survivor’s details: correct a detail too, or leave the new case reference empty',
    ]);
    expect(page.text).toContain('value="TF-2026-0200"');
    await expectNothingSaved();
  });

  test('"Assign a new case reference" ticked with no detail changed is refused by the box, not dropped', async () => {
    const page = await send({ assignReference: 'yes' });
    expect(page.status).toBe(400);
    expect(page.text).toContain('id="assignReference-error"');
    expect(summaryOf(page.text)).toEqual([
      'Assign a new case reference: A new case reference is given with a correction of the survivor’s details: correct a detail too, or untick “Assign a new case reference”',
    ]);
    await expectNothingSaved();
  });

  test('a new case reference the API would refuse is said by its field with "Other language" with no code', async () => {
    const page = await send({ name: 'Probe Veintiuno (fictitious)', preferredLanguage: 'other', reference: 'TF 0200' });
    expect(page.status).toBe(400);
    expect(summaryOf(page.text)).toEqual([
      'Code of the other language: Enter the language’s code',
      'New case reference: A reference is 2 to 40 letters, digits or hyphens, with no spaces',
    ]);
    expect(page.text).toContain('id="reference-error"');
    expect(page.text).toContain('value="TF 0200"');
    // One that reads as an assigned reference, said in the API's words.
    const assigned = await send({
      name: 'Probe Veintiuno (fictitious)',
      preferredLanguage: 'other',
      reference: 'RC-2026-0A1B2C3D',
    });
    expect(summaryOf(assigned.text)).toContain(
      'New case reference: The new case reference reads as one the service assigns (RC-…), which could be another agency’s case: enter your agency’s case number, or tick “Assign a new case reference”',
    );
    await expectNothingSaved();
  });
});

describeSharing(service, 'timeline-renewal-gap', () => {
  /**
   * A CP renewal the police requested days after the grant had ended, on a case brought up to date after the fact: the
   * request is taken, and the case page's timeline says how long the survivor went without Continued Presence, which no
   * other line said. One requested in time says nothing of the kind. The whole service on real parts (time skipping),
   * the page read as the coordinator reads it.
   */

  /** The timeline's sentences as read, tags and isolates removed. */
  async function sentencesOf(caseId: string): Promise<string[]> {
    const page = await request(service.app)
      .get(`/cases/${caseId}`)
      .set('Cookie', `${SESSION_COOKIE}=${service.sessionCookie('demo-coordinator')}`)
      .expect(200);
    const start = page.text.indexOf('<ol class="timeline"');
    const list = page.text.slice(start, page.text.indexOf('</ol>', start));
    return [...list.matchAll(/<li><time[^>]*>[^<]*<\/time>(.*?)<\/li>/gs)].map(([, sentence = '']) =>
      sentence
        .replace(/<[^>]+>/g, '')
        .replace(/[\u2068\u2069]/gu, '')
        .trim(),
    );
  }

  /** A case identified 800 days ago, granted CP 790 days ago (two years), its renewal requested `renewalAgo` days ago. */
  async function renewedAfter(key: string, renewalAgo: number) {
    const todayOn = dateOf(new Date(await service.stack.env.currentTimeMs()).toISOString());
    const { caseId } = await openDemoCase(service, key, {
      identifiedOn: addDays(todayOn, -800),
      name: `Renewal Gap Survivor ${key} (fictitious)`,
    });
    const sign = (as: 'law_enforcement' | 'ice', stepId: string, outcome: string, details: object) =>
      request(service.app)
        .post(`/api/cases/${caseId}/steps/${stepId}/sign-off`)
        .set(service.stack.as(as))
        .set('Idempotency-Key', `${key}-${stepId}`)
        .send({ outcome, details })
        .expect(200);
    await sign('law_enforcement', 'cp_request-1', 'requested', { requestedOn: addDays(todayOn, -799) });
    const granted = await sign('ice', 'cp_decision-1', 'granted', { grantedOn: addDays(todayOn, -790) });
    const grant = (granted.body as { steps: { id: string; details: Record<string, unknown> }[] }).steps.find(
      (step) => step.id === 'cp_decision-1',
    )!;
    const requestedOn = addDays(todayOn, -renewalAgo);
    await sign('law_enforcement', 'cp_renewal_request-1', 'requested', { requestedOn });
    return { caseId, lastDay: grant.details['validUntil'] as string, requestedOn };
  }

  const isRenewalLine = (sentence: string) => sentence.startsWith('Continued Presence renewal request signed off');

  test('a renewal requested after the grant ended says the days without Continued Presence; one in time does not', async () => {
    const late = await renewedAfter('renewal-gap-late', 50);
    const days = Math.round((Date.parse(late.requestedOn) - Date.parse(late.lastDay)) / 86_400_000);
    expect(days).toBeGreaterThan(1);
    const [line] = (await sentencesOf(late.caseId)).filter(isRenewalLine);
    expect(line).toContain(
      `Requested ${days} days after Continued Presence ended (its last day was ${formatCalendarDay(late.lastDay)}): ` +
        `the survivor has been without Continued Presence since ${formatCalendarDay(addDays(late.lastDay, 1))}, ` +
        'until a renewal is granted.',
    );

    const inTime = await renewedAfter('renewal-gap-in-time', 100);
    const [timely] = (await sentencesOf(inTime.caseId)).filter(isRenewalLine);
    expect(timely).toBeDefined();
    expect(timely).not.toContain('without Continued Presence');
  });
});

describeSharing(service, 'timeline-typed-days', () => {
  /**
   * The case page's timeline shows a day typed as a day (probe D9): a request asked again on a past day ("Asked on"),
   * and a sign-off whose day was corrected since, read as the day typed, never at the noon UTC the workflow keeps such a
   * day as ("5 Nov 2026, 12:00 UTC"). The whole service on real parts, the page read as the coordinator reads it.
   */

  const write = (
    caseId: string,
    path: string,
    kind: 'law_enforcement' | 'ice' | 'coordinator',
    key: string,
    body: object,
  ) =>
    request(service.app)
      .post(`/api/cases/${caseId}${path}`)
      .set(service.stack.as(kind))
      .set('Idempotency-Key', `timeline-typed-days-${key}`)
      .send(body)
      .expect(200);

  /** The timeline's lines as read: "<when> | <sentence>". */
  async function timelineOf(caseId: string): Promise<string[]> {
    const page = await request(service.app)
      .get(`/cases/${caseId}`)
      .set('Cookie', `${SESSION_COOKIE}=${service.sessionCookie('demo-coordinator')}`)
      .expect(200);
    const list = page.text.slice(
      page.text.indexOf('<ol class="timeline"'),
      page.text.indexOf('</ol>', page.text.indexOf('<ol class="timeline"')),
    );
    return [...list.matchAll(/<li><time[^>]*>([^<]*)<\/time>(.*?)<\/li>/gs)].map(
      ([, when = '', sentence = '']) =>
        `${when} | ${sentence
          .replace(/<[^>]+>/g, '')
          .replace(/[\u2068\u2069]/gu, '')
          .trim()}`,
    );
  }

  /** An alarm that fell before the case was brought up to date: dated by when it was due, not by a day typed. */
  const passedAlarm = (line: string) => line.includes('before the case was brought up to date');

  const today = async () => dateOf(new Date(await service.stack.env.currentTimeMs()).toISOString());

  test('a request asked again on a past day reads as that day, with what it opened', async () => {
    const todayOn = await today();
    const { caseId } = await openDemoCase(service, 'timeline-typed-days-asked', {
      identifiedOn: addDays(todayOn, -60),
      name: 'Asked Again Survivor (fictitious)',
    });
    await write(caseId, '/steps/cp_request-1/sign-off', 'law_enforcement', 'asked-request', {
      outcome: 'requested',
      details: { requestedOn: addDays(todayOn, -55) },
    });
    await write(caseId, '/steps/cp_decision-1/sign-off', 'ice', 'asked-denial', {
      outcome: 'denied',
      details: { reason: 'other', decidedOn: addDays(todayOn, -40) },
    });
    const askedOn = addDays(todayOn, -20);
    await write(caseId, '/ask-again', 'law_enforcement', 'asked-again', { stepKind: 'cp_request', askedOn });

    const lines = await timelineOf(caseId);
    const asked = lines.filter((line) => line.includes('Continued Presence request asked again'));
    expect(asked).toEqual([
      `${formatCalendarDay(askedOn)} | Continued Presence request asked again by Demo City Police Department (fictitious).`,
    ]);
    const opened = lines.filter((line) => line.includes('Continued Presence request opened'));
    expect(opened).toContain(
      `${formatCalendarDay(askedOn)} | Continued Presence request opened, owed by Demo City Police Department (fictitious).`,
    );
    // No line at the noon UTC the workflow keeps a typed day as.
    expect(lines.filter((line) => line.includes('12:00 UTC |') && !passedAlarm(line))).toEqual([]);
  });

  test('a grant whose day was corrected since still reads as the day typed then, as what it opened does', async () => {
    const todayOn = await today();
    const { caseId } = await openDemoCase(service, 'timeline-typed-days-corrected', {
      identifiedOn: addDays(todayOn, -60),
      name: 'Corrected Grant Survivor (fictitious)',
    });
    await write(caseId, '/steps/cp_request-1/sign-off', 'law_enforcement', 'corrected-request', {
      outcome: 'requested',
      details: { requestedOn: addDays(todayOn, -55) },
    });
    const grantedOn = addDays(todayOn, -30);
    await write(caseId, '/steps/cp_decision-1/sign-off', 'ice', 'corrected-grant', {
      outcome: 'granted',
      details: { grantedOn },
    });
    // By the coordinator: ICE does not correct a grant, which opens steps it is not told of (probe Q1).
    await write(caseId, '/steps/cp_decision-1/corrections', 'coordinator', 'corrected-grant-day', {
      outcome: 'granted',
      details: { grantedOn: addDays(grantedOn, 1) },
      reason: 'the grant was signed a day later',
    });

    const lines = await timelineOf(caseId);
    expect(lines.filter((line) => line.includes('Continued Presence decision signed off'))).toEqual([
      expect.stringMatching(new RegExp(`^${formatCalendarDay(grantedOn)} \\| `)),
    ]);
    // Nor what the grant opened at its instant (the renewal request, the certification request).
    expect(lines.filter((line) => line.includes('12:00 UTC |') && !passedAlarm(line))).toEqual([]);
  });
});

describeSharing(service, 'withdrawn-step', () => {
  /**
   * A step a correction withdrew, opened from a form kept in another tab or a link in an email: the console says the
   * step was withdrawn and why, where it said only that the case has no such step. The whole service on real parts.
   */
  /** A 1×1 PNG. */
  const PNG = Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8/5+hHgAHggJ/PchI7wAAAABJRU5ErkJggg==',
    'base64',
  );
  let caseId = '';

  const write = (path: string, kind: 'law_enforcement' | 'ice' | 'coordinator', key: string, body: object) =>
    request(service.app)
      .post(`/api/cases/${caseId}${path}`)
      .set(service.stack.as(kind))
      .set('Idempotency-Key', `withdrawn-step-${key}`)
      .send(body)
      .expect(200);

  beforeAll(async () => {
    caseId = (
      await openDemoCase(service, 'withdrawn-step-open', { identifiedOn: '2025-11-03', name: 'Withdrawn Step' })
    ).caseId;
    await write('/steps/cp_request-1/sign-off', 'law_enforcement', 'request', {
      outcome: 'requested',
      details: { requestedOn: '2025-11-04' },
    });
    // The grant opens the adult's certification request; corrected to a denial, the request is withdrawn.
    await write('/steps/cp_decision-1/sign-off', 'ice', 'grant', {
      outcome: 'granted',
      details: { grantedOn: '2025-11-10' },
    });
    // The advocate had added the request's document: it stays the withdrawn step's.
    await request(service.app)
      .post(`/api/cases/${caseId}/steps/hhs_certification_request-1/documents`)
      .set(service.stack.as('advocate'))
      .attach('file', PNG, { filename: 'certification request.png' })
      .expect(201);
    // By the coordinator: ICE does not correct a grant that opens steps it is not told of (probe Q1).
    await write('/steps/cp_decision-1/corrections', 'coordinator', 'deny', {
      outcome: 'denied',
      details: { reason: 'not_potential_witness' },
      reason: 'entered on the wrong case',
    });
  });

  const asCoordinator = (path: string) =>
    request(service.app)
      .get(path)
      .set('Cookie', `${SESSION_COOKIE}=${service.sessionCookie('demo-coordinator')}`);
  const stepPage = (stepId: string) => asCoordinator(`/cases/${caseId}/steps/${stepId}`);

  test('the sign-off page of a withdrawn step says it was withdrawn and why', async () => {
    const page = await stepPage('hhs_certification_request-1').expect(409);
    expect(page.text).toContain('This step was withdrawn when the sign-off it followed from was corrected');
  });

  test('a step the case never had is still not found', async () => {
    const page = await stepPage('hhs_certification_request-7').expect(404);
    expect(page.text).toContain('This case has no such step you may see.');
  });

  test("the case page lists a withdrawn step's document apart, with its download and Remove", async () => {
    const page = await asCoordinator(`/cases/${caseId}`).expect(200);
    const section = page.text.slice(page.text.indexOf('Documents of steps a correction withdrew'));
    expect(section).toContain('HHS certification request (withdrawn by a correction):');
    expect(section).toMatch(
      /<a href="\/cases\/[^"]+\/documents\/[^"]+" download><bdi>certification request\.png<\/bdi><\/a>/,
    );
    expect(section).toContain(
      'Remove<span class="visually-hidden"> <bdi>certification request.png</bdi> from the withdrawn',
    );
  });
});

describeSharing(service, 'sign-off-transferred', () => {
  /**
   * A sign-off confirmed after the case was transferred away (probe D9): the police are at "Check your answers", the
   * coordinator transfers the case to another police agency, the police press Confirm. Nothing is signed; the page says
   * the case was transferred and to whom (the agency's notice of the transfer named it), and shows what was entered so
   * it can be handed over, where it answered the generic "Your agency does not take part in this case" and lost it.
   * The whole service on real parts.
   */

  beforeAll(async () => {
    await upsertAgencies(service.stack.pool, [
      {
        id: 'new-police',
        kind: 'law_enforcement',
        name: 'New City Police (fictitious)',
        email: 'unit@new-police.example.gov',
      },
    ]);
  });

  /** The page's text as read: no tags, no marks that set names apart, spaces as one. */
  const pageText = (html: string) =>
    html
      .replace(/<[^>]+>/g, ' ')
      .replace(/[\u2068\u2069]/gu, '')
      .replace(/&#39;|&#x27;/g, "'")
      .replace(/\s+/g, ' ');

  test('confirmed after a transfer away: refused in words naming the new agency, with what was entered', async () => {
    const { caseId } = await openDemoCase(service, 'sign-off-transferred', {
      identifiedOn: '2026-11-20',
      name: 'Transferred Meanwhile (fictitious)',
    });
    const session = `${SESSION_COOKIE}=${service.sessionCookie('demo-police-officer')}`;
    const form = await request(service.app)
      .get(`/cases/${caseId}/steps/cp_request-1?outcome=requested`)
      .set('Cookie', session)
      .expect(200);
    const hidden = Object.fromEntries(
      [...form.text.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1]!, m[2]!]),
    );

    await request(service.app)
      .post(`/api/cases/${caseId}/transfers`)
      .set(service.stack.as('coordinator'))
      .set('Idempotency-Key', 'sign-off-transferred-move')
      .send({ agencyKind: 'law_enforcement', toAgencyId: 'new-police', reason: 'moved_jurisdiction' })
      .expect(200);

    const confirmed = await request(service.app)
      .post(`/cases/${caseId}/steps/cp_request-1`)
      .set('Cookie', [session, ...cookiesSetBy(form)].join('; '))
      .set('Origin', new URL(PUBLIC_BASE_URL).origin)
      .type('form')
      .send({ ...hidden, outcome: 'requested', 'details.requestedOn': '2026-11-25', confirm: 'yes' })
      .expect(403);
    const text = pageText(confirmed.text);
    expect(text).toContain(
      'This case was transferred from your agency to New City Police (fictitious); your agency no longer takes part in it.',
    );
    expect(text).not.toContain('Your agency does not take part in this case');
    expect(text).toContain('What you entered');
    expect(text).toContain('25 Nov 2026');
    expect(text).toContain('hand it over to the agency that now has the case');

    // Nothing was signed: the request waits for the new police.
    const view = await request(service.app)
      .get(`/api/cases/${caseId}`)
      .set(service.stack.as('coordinator'))
      .expect(200);
    const steps = (view.body as { steps: { id: string; status: string; agencyId: string }[] }).steps;
    expect(steps.find((step) => step.id === 'cp_request-1')).toMatchObject({
      status: 'pending',
      agencyId: 'new-police',
    });
  });
});

describeSharing(service, 'names-isolated', () => {
  /**
   * A name stored with a right-to-left override (from before such names were refused) is set apart on the case page:
   * in a `<bdi>`, so it cannot reverse the rest of "Signed by … (agency) on …". The whole service on real parts.
   */
  const REVERSING = 'Evil \u202eofficer';
  let caseId = '';

  beforeAll(async () => {
    caseId = (
      await openDemoCase(service, 'names-isolated-open', { identifiedOn: '2025-11-03', name: 'Isolated Names' })
    ).caseId;
    // Stored as the API took it before: the API now refuses such a name (422), so it is written as it was kept.
    await service.stack.pool.query('UPDATE users SET display_name = $1 WHERE username = $2', [
      REVERSING,
      'demo-police-officer',
    ]);
    await requestContinuedPresence(service, caseId, 'names-isolated-sign', '2025-11-04');
  });

  test("the coordinator's case page sets the signer's name and agency apart in the Signed by line", async () => {
    const page = await request(service.app)
      .get(`/cases/${caseId}`)
      .set('Cookie', `${SESSION_COOKIE}=${service.sessionCookie('demo-coordinator')}`)
      .expect(200);
    expect(page.text).toContain(
      `Signed by <bdi>${REVERSING}</bdi> (<bdi>Demo City Police Department (fictitious)</bdi>) on 4 Nov 2025`,
    );
    // Wherever else the page names the signer (the timeline's "signed off by …"), the name is set apart as well.
    const everywhere = page.text.split(REVERSING).length - 1;
    expect(page.text.split(`<bdi>${REVERSING}</bdi>`).length - 1).toBe(everywhere);
    expect(everywhere).toBeGreaterThan(1);
  });

  test("the case page's list of agencies sets each agency's name apart, as the sentences do", async () => {
    const page = await request(service.app)
      .get(`/cases/${caseId}`)
      .set('Cookie', `${SESSION_COOKIE}=${service.sessionCookie('demo-coordinator')}`)
      .expect(200);
    const agencies = /<dt>Agencies<\/dt><dd>(.*?)<\/dd>/.exec(page.text)?.[1];
    expect(agencies).toContain('; Law enforcement: <bdi>Demo City Police Department (fictitious)</bdi>');
    expect(agencies?.split('<bdi>').length).toBe(6);
  });
});
