/**
 * Calendar feeds on the whole stack: a feed made through the API is valid iCalendar as an independent parser (ical.js)
 * reads it, its events are the agency's coming deadlines as GET /api/cases/{caseId}/reminders lists them, their UIDs
 * are stable, a signed step's event leaves it, and a feed answers 404 once revoked or once its user is disabled. Its
 * secret opens nothing but the feed, and reaches neither the audit trail nor the logs.
 */
import type ICALModule from 'ical.js' with { 'resolution-mode': 'import' };
import type NodeIcal from 'node-ical';
import type { VEvent } from 'node-ical';
import { createHash } from 'node:crypto';
import request from 'supertest';
import { lastDayToAct } from '../../../core/people-dates';
import { localDateOf, startOfLocalDay } from '../../../core/time-zones';
import { DEMO_AGENCIES } from '../../../db/seed';
import { addDays, addYears } from '../../../domain/dates';
import type { AgencyKind } from '../../../domain/types';
import { bearer, createTestUser, createWorker, TEST_PASSWORD } from '../../support/auth';
import { issueToken } from '../../../db/tokens';
import { logCapture } from '../../support/scan';
import { eventually, PUBLIC_BASE_URL, startStack, type Stack } from '../../support/stack';

describe('calendar-feeds', () => {
  // ical.js ships an ES module and a CommonJS build; jest's CommonJS runtime loads the latter.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the CommonJS build of an ESM-first package
  const ICAL = require('ical.js') as typeof ICALModule;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- node-ical is CommonJS; loaded as ical.js is.
  const nodeIcal = require('node-ical') as typeof NodeIcal;

  let stack: Stack;
  let log: ReturnType<typeof logCapture>;
  beforeAll(async () => {
    log = logCapture();
    stack = await startStack({ log: { level: 'info', destination: log.destination } });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const HOST = new URL(PUBLIC_BASE_URL).hostname;
  let keys = 0;
  const key = () => `calendar-feeds-${(keys += 1)}`;

  interface Issued {
    id: string;
    url: string;
  }

  async function newFeed(headers: Record<string, string>, label = 'Outlook'): Promise<Issued> {
    const created = await request(stack.app)
      .post('/api/me/calendar-feeds')
      .set(headers)
      .send({ label, currentPassword: TEST_PASSWORD })
      .expect(201);
    expect(created.headers['cache-control']).toBe('no-store');
    return created.body as Issued;
  }

  /** The feed's path on this app: the URL starts with the public base URL, which the test app is not served at. */
  const pathOf = (feed: Issued) => {
    expect(feed.url.startsWith(`${PUBLIC_BASE_URL}/calendar/`)).toBe(true);
    return new URL(feed.url).pathname;
  };

  interface Event {
    uid: string;
    /** The day an all-day event sits on (the last day to act, or of a validity), else when a timed one ends. */
    end: string;
    summary: string;
    description: string;
    url: string;
  }

  /** node-ical reads a date (VALUE=DATE) as the start of that day on this machine's clock. */
  const localDay = (day: Date) =>
    `${day.getFullYear()}-${String(day.getMonth() + 1).padStart(2, '0')}-${String(day.getDate()).padStart(2, '0')}`;

  /** node-ical gives a property with parameters (VALUE=URI, LANGUAGE=...) as { val, params }, else its text. */
  const textOf = (value: string | { val: string } | undefined) =>
    typeof value === 'object' ? value.val : String(value);

  /**
   * The events as ical.js reads the text: a parser that shares nothing with the generator. node-ical, a second parser
   * independent of both, must read the same events (uid, end, summary, link) from it.
   */
  function parseFeed(text: string): Event[] {
    const calendar = new ICAL.Component(ICAL.parse(text) as unknown[]);
    expect(calendar.name).toBe('vcalendar');
    expect(calendar.getFirstPropertyValue('version')).toBe('2.0');
    const events = calendar.getAllSubcomponents('vevent').map((component) => {
      const event = new ICAL.Event(component);
      // An all-day event lasts its one day.
      if (event.startDate.isDate) expect(event.endDate.subtractDate(event.startDate).toSeconds()).toBe(86_400);
      return {
        uid: event.uid,
        end: event.startDate.isDate ? event.startDate.toString() : event.endDate.toJSDate().toISOString(),
        summary: event.summary,
        description: event.description,
        url: String(component.getFirstPropertyValue('url')),
      };
    });
    const byNodeIcal = Object.values(nodeIcal.sync.parseICS(text))
      .filter((component): component is VEvent => component?.type === 'VEVENT')
      .map((event) => {
        return {
          uid: event.uid,
          // Every event the feed writes has DTEND; one without would fail the comparison below.
          end: event.datetype === 'date' ? localDay(event.start) : (event.end?.toISOString() ?? 'no end'),
          summary: textOf(event.summary),
          url: textOf(event.url),
        };
      });
    const sameFields = ({ uid, end, summary, url }: Event) => ({ uid, end, summary, url });
    const byUid = (x: { uid: string }, y: { uid: string }) => x.uid.localeCompare(y.uid);
    expect(byNodeIcal.sort(byUid)).toEqual(events.map(sameFields).sort(byUid));
    return events;
  }

  async function fetchFeed(feed: Issued): Promise<Event[]> {
    const answer = await request(stack.app).get(pathOf(feed)).expect(200);
    expect(answer.headers['content-type']).toMatch(/^text\/calendar/);
    return parseFeed(answer.text);
  }

  async function openCase(): Promise<{ caseId: string; reference: string }> {
    const opened = await request(stack.app)
      .post('/api/cases')
      .set(stack.as('law_enforcement'))
      .set('Idempotency-Key', key())
      .send({
        identifiedAt: new Date(await stack.env.currentTimeMs()).toISOString(),
        survivor: { name: 'Feed Scan Person', birthDate: '1990-02-03' },
        agencies: DEMO_AGENCIES,
      })
      .expect(201);
    return opened.body as { caseId: string; reference: string };
  }

  interface ReminderItem {
    at: string;
    kind: string;
    stepId: string;
    about: string;
    recipientAgencyId: string;
    status: string;
  }

  /**
   * The events a case's coming reminders call for in an agency's feed: its due dates and the ends of its windows, all
   * day on their last day (the stack's agencies keep UTC), or at its instant for a due date at an hour.
   */
  async function expectedEvents(caseId: string, headers: Record<string, string>, agencyId: string) {
    const { items } = (await request(stack.app).get(`/api/cases/${caseId}/reminders`).set(headers).expect(200))
      .body as {
      items: ReminderItem[];
    };
    return items
      .filter((r) => r.status === 'scheduled' && r.recipientAgencyId === agencyId)
      .filter((r) => r.kind === 'due' || r.kind === 'expired')
      .map((r) => ({
        uid: `${caseId}-${r.stepId}-${r.kind === 'due' ? 'due' : r.about}@${HOST}`,
        // A due date at an hour (counted from the identification's instant) is an event ending at that instant, to the
        // second (iCalendar's DATE-TIME has no fraction).
        end: r.kind === 'due' && !r.at.endsWith('T00:00:00.000Z') ? toTheSecond(r.at) : lastDayToAct(r.at, 'UTC'),
      }))
      .sort((a, b) => a.uid.localeCompare(b.uid));
  }

  const toTheSecond = (instant: string) => `${instant.slice(0, 19)}.000Z`;

  const ofCase = (events: Event[], caseId: string) =>
    events
      .filter((event) => event.uid.startsWith(`${caseId}-`))
      .map(({ uid, end }) => ({ uid, end }))
      .sort((a, b) => a.uid.localeCompare(b.uid));

  test("a feed is valid iCalendar listing the agency's coming deadlines, as the case's reminders do, with stable UIDs", async () => {
    const police = stack.as('law_enforcement');
    const { caseId, reference } = await openCase();
    const feed = await newFeed(police);

    const events = await fetchFeed(feed);
    const expected = await expectedEvents(caseId, police, DEMO_AGENCIES.law_enforcement);
    expect(expected.length).toBeGreaterThan(0);
    expect(ofCase(events, caseId)).toEqual(expected);
    for (const event of events.filter((e) => e.uid.startsWith(caseId))) {
      expect(event.summary).toContain(reference);
      expect(event.url).toBe(`${PUBLIC_BASE_URL}/cases/${caseId}`);
      expect(event.description).toContain('Demo City Police Department');
    }
    expect(events.find((e) => e.uid === `${caseId}-cp_request-1-due@${HOST}`)?.summary).toBe(
      `${reference}: Continued Presence request due`,
    );

    // Another agency's feed lists its own deadlines of the same case, not the police's.
    const ice = stack.as('ice');
    const iceEvents = ofCase(await fetchFeed(await newFeed(ice)), caseId);
    expect(iceEvents).toEqual(await expectedEvents(caseId, ice, DEMO_AGENCIES.ice));
    expect(iceEvents.map((e) => e.uid)).not.toContain(`${caseId}-cp_request-1-due@${HOST}`);

    // Fetched again, the same events under the same UIDs: a calendar updates them in place.
    expect(await fetchFeed(feed)).toEqual(events);

    // Signed, the step's deadline leaves the feed; the next step's (ICE's decision) joins ICE's.
    await request(stack.app)
      .post(`/api/cases/${caseId}/steps/cp_request-1/sign-off`)
      .set(police)
      .set('Idempotency-Key', key())
      .send({
        outcome: 'requested',
        details: { requestedOn: new Date(await stack.env.currentTimeMs()).toISOString().slice(0, 10) },
      })
      .expect(200);
    const after = ofCase(await fetchFeed(feed), caseId);
    expect(after.map((e) => e.uid)).not.toContain(`${caseId}-cp_request-1-due@${HOST}`);
    expect(after).toEqual(await expectedEvents(caseId, police, DEMO_AGENCIES.law_enforcement));
    expect(ofCase(await fetchFeed(await newFeed(ice)), caseId).map((e) => e.uid)).toContain(
      `${caseId}-cp_decision-1-due@${HOST}`,
    );
  });

  test("an event names the agency that owes the step: a coordinator's feed names the police, not the task force", async () => {
    const { caseId, reference } = await openCase();
    const coordinatorEvents = await fetchFeed(await newFeed(stack.as('coordinator')));
    const owedByPolice = `Case ${reference}: Continued Presence request due (owed by Demo City Police Department (fictitious)).`;
    const cpRequest = coordinatorEvents.find((event) => event.uid === `${caseId}-cp_request-1-due@${HOST}`);
    expect(cpRequest?.description).toBe(`${owedByPolice}\n${PUBLIC_BASE_URL}/cases/${caseId}`);
    for (const event of coordinatorEvents) expect(event.description).not.toContain('Task Force');
    // The police's own feed says the same of the same step: theirs.
    const policeEvents = await fetchFeed(await newFeed(stack.as('law_enforcement')));
    expect(policeEvents.find((event) => event.uid === cpRequest?.uid)?.description).toBe(cpRequest?.description);
  });

  test("the calendar's name is written as iCalendar TEXT: an agency name's commas, semicolons and backslashes escaped", async () => {
    const admin = stack.users['demo-system-admin']!.headers;
    const agencies = [
      { id: 'feed-comma-police', name: 'Office of X, Y; Z \\ W' },
      { id: 'feed-formula-police', name: '=HYPERLINK("http://evil.example","P2")' },
    ];
    for (const { id, name } of agencies) {
      await request(stack.app).post('/api/agencies').set(admin).send({ id, kind: 'law_enforcement', name }).expect(201);
      const officer = await createWorker(stack.pool, id, 'law_enforcement');
      const text = (
        await request(stack.app)
          .get(pathOf(await newFeed(officer.headers)))
          .expect(200)
      ).text;
      const escaped = `Deadlines of ${name}`.replace(/[\\;,]/g, (special) => `\\${special}`);
      const lines = text.split('\r\n');
      expect(lines).toContain(`NAME:${escaped}`);
      expect(lines).toContain(`X-WR-CALNAME:${escaped}`);
      // Read back by a parser (node-ical unescapes TEXT; ical.js does not know these two properties), the whole name.
      const calendar = nodeIcal.sync.parseICS(text)['vcalendar'] as unknown as Record<string, unknown>;
      expect(calendar).toMatchObject({ name: `Deadlines of ${name}`, 'WR-CALNAME': `Deadlines of ${name}` });
    }
  });

  test('every content line of a feed ends in CRLF, the last one too (RFC 5545 3.1)', async () => {
    await openCase();
    const text = (
      await request(stack.app)
        .get(pathOf(await newFeed(stack.as('law_enforcement'))))
        .expect(200)
    ).text;
    expect(text.endsWith('END:VCALENDAR\r\n')).toBe(true);
    // No line break that is not CRLF: a bare LF or CR left in a line would split it for a strict reader.
    expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
  });

  test('a feed fetched again later reads the same and answers 304 to its ETag, until a date moves: then a new ETag and a higher SEQUENCE', async () => {
    const today = new Date(await stack.env.currentTimeMs()).toISOString().slice(0, 10);
    const opened = await request(stack.app)
      .post('/api/cases')
      .set(stack.as('law_enforcement'))
      .set('Idempotency-Key', key())
      .send({
        identifiedOn: addDays(today, -10),
        survivor: { name: 'Feed Stamp Person', birthDate: '1990-02-03' },
        agencies: DEMO_AGENCIES,
      })
      .expect(201);
    const { caseId } = opened.body as { caseId: string };
    const requested = (requestedOn: string, path: string) =>
      request(stack.app)
        .post(`/api/cases/${caseId}/steps/cp_request-1/${path}`)
        .set(stack.as('law_enforcement'))
        .set('Idempotency-Key', key())
        .send({
          outcome: 'requested',
          details: { requestedOn },
          ...(path === 'corrections' && { reason: 'Typed the day of the call, not of the request' }),
        })
        .expect(200);
    await requested(addDays(today, -2), 'sign-off');
    // ICE owes the decision, due counted from the request.
    const path = pathOf(await newFeed(stack.as('ice')));
    const uid = `${caseId}-cp_decision-1-due@${HOST}`;
    const fetched = async () => {
      const answer = await request(stack.app).get(path).expect(200);
      const calendar = new ICAL.Component(ICAL.parse(answer.text) as unknown[]);
      const event = calendar.getAllSubcomponents('vevent').find((each) => each.getFirstPropertyValue('uid') === uid);
      expect(event).toBeDefined();
      return {
        etag: answer.headers['etag'] as string,
        sequence: Number(event!.getFirstPropertyValue('sequence')),
        start: String(event!.getFirstPropertyValue('dtstart')),
      };
    };
    const first = await eventually(fetched, 'the decision in the feed');
    expect(first.etag).toBeTruthy();

    // An hour later on the clock (the feed's is the wall clock: only Date is faked), the same feed, the same ETag.
    jest.useFakeTimers({
      now: Date.now() + 3_600_000,
      advanceTimers: true,
      // Every fake but Date: the stack's timers, sockets and promises keep running on the real ones.
      doNotFake: [
        'hrtime',
        'nextTick',
        'performance',
        'queueMicrotask',
        'requestAnimationFrame',
        'cancelAnimationFrame',
        'requestIdleCallback',
        'cancelIdleCallback',
        'setImmediate',
        'clearImmediate',
        'setInterval',
        'clearInterval',
        'setTimeout',
        'clearTimeout',
      ],
    });
    try {
      expect(await fetched()).toEqual(first);
      const again = await request(stack.app).get(path).set('If-None-Match', first.etag).expect(304);
      expect(again.text ?? '').toBe('');
    } finally {
      jest.useRealTimers();
    }

    // The request corrected to three days earlier: the decision moves with it, and the feed says so.
    await requested(addDays(today, -5), 'corrections');
    const moved = await eventually(async () => {
      const now = await fetched();
      return now.start !== first.start ? now : undefined;
    }, 'the moved decision');
    expect(moved.etag).not.toBe(first.etag);
    expect(moved.sequence).toBeGreaterThan(first.sequence);
    await request(stack.app).get(path).set('If-None-Match', first.etag).expect(200);
  });

  test('feeds are listed without their secret, and a revoked feed answers 404', async () => {
    const police = stack.as('law_enforcement');
    const feed = await newFeed(police, 'Phone');
    const secret = /\/calendar\/(.+)\.ics$/.exec(feed.url)![1]!;
    await fetchFeed(feed);

    const listed = await request(stack.app).get('/api/me/calendar-feeds').set(police).expect(200);
    expect(JSON.stringify(listed.body)).not.toContain(secret);
    const mine = (listed.body as { items: { id: string; label: string; lastUsedAt: string | null }[] }).items;
    expect(mine.find((f) => f.id === feed.id)).toMatchObject({ label: 'Phone', revokedAt: null });
    // API keys and sessions are listed apart, and the feed is not among them.
    const tokens = await request(stack.app).get('/api/tokens').set(police).expect(200);
    expect((tokens.body as { items: { id: string }[] }).items.map((t) => t.id)).not.toContain(feed.id);

    // The secret is no bearer token, and a bearer token is no feed.
    await request(stack.app).get('/api/me').set(bearer(secret)).expect(401);
    await request(stack.app).get(`/calendar/${stack.users['demo-police-officer']!.token}.ics`).expect(404);

    // Someone else's feed is not theirs to revoke.
    await request(stack.app).delete(`/api/me/calendar-feeds/${feed.id}`).set(stack.as('ice')).expect(404);
    await fetchFeed(feed);

    const revoked = await request(stack.app).delete(`/api/me/calendar-feeds/${feed.id}`).set(police).expect(200);
    const { id, revokedAt } = revoked.body as { id: string; revokedAt: string | null };
    expect({ id, revoked: revokedAt !== null }).toEqual({ id: feed.id, revoked: true });
    const gone = await request(stack.app).get(pathOf(feed)).expect(404);
    expect(gone.headers['content-type']).toMatch(/^application\/problem\+json/);
    await request(stack.app).get('/calendar/not-a-feed.ics').expect(404);

    // Each fetch is audited, with the feed's id and never its secret; nor is the secret in any log line.
    const audited = await stack.pool.query<{ outcome: string; detail: string | null; username: string | null }>(
      `SELECT outcome, detail, username FROM audit_events WHERE action = 'calendar_feed.read' ORDER BY id`,
    );
    expect(audited.rows.filter((row) => row.detail?.includes(feed.id))).toHaveLength(3);
    // Fetched once revoked, it names itself and its owner, so whose address is still fetched is seen.
    expect(audited.rows.filter((row) => row.outcome === 'rejected' && row.detail?.includes(feed.id))).toEqual([
      { outcome: 'rejected', detail: `feed ${feed.id}; revoked`, username: 'demo-police-officer' },
    ]);
    // A secret that is no feed's names nothing.
    expect(audited.rows.at(-1)).toEqual({ outcome: 'rejected', detail: null, username: null });
    const everything = await stack.pool.query<{ text: string }>(
      'SELECT row_to_json(a)::text AS text FROM audit_events a',
    );
    expect(everything.rows.filter((row) => row.text.includes(secret))).toEqual([]);
    expect(log.lines.some((line) => line.includes('/calendar/[secret].ics'))).toBe(true);
    expect(log.lines.filter((line) => line.includes(secret))).toEqual([]);
  });

  test("a feed's secret stays out of the request log however its URL is written, served or not", async () => {
    const feed = await newFeed(stack.as('law_enforcement'), 'Typed');
    const token = /\/calendar\/(.+)\.ics$/.exec(feed.url)![1]!;
    const [, id, secret] = /^rc_([a-z0-9]{16})_(.{43})$/.exec(token)!;
    // Each form, how it is answered and how its line reads: Express routes by other capitals and decodes a parameter,
    // so the first two are served, and the third (a feed refuses no query); the rest are not, but are the secret all
    // the same. A segment with capitals or escapes is no word of ours, and is left out as any text typed into a path
    // is, as is a query parameter no route reads (api/request-log.ts).
    const forms: [path: string, status: number, logged: string][] = [
      [`/Calendar/${token}.ics`, 200, '/…/[secret].ics'],
      [`/calendar/${token.replace('_', '%5F')}.ics`, 200, '/calendar/[secret].ics'],
      // A calendar app may add a parameter of its own (a cache buster): the feed reads none and refuses none.
      [`/calendar/${token}.ics?nocache=1`, 200, '/calendar/[secret].ics?…=…'],
      [`/CALENDAR/RC_${id!.toUpperCase()}_${secret}.ics`, 404, '/…/[secret].ics'],
      [`/calendar//${token}.ics`, 404, '/calendar//[secret].ics'],
      [`/%63alendar/${token}.ics`, 404, '/…/[secret].ics'],
      [`/calendar/${token.replace('_', '%255F')}.ics`, 404, '/calendar/[secret].ics'],
      [`/calendar/${token.slice(0, -3)}.ics`, 404, '/calendar/[secret].ics'],
      [`/calendar/x.ics?${token}=1`, 404, '/calendar/…?…=…'],
    ];
    for (const [index, [path, status]] of forms.entries()) {
      await request(stack.app)
        .get(path)
        .set('X-Request-Id', `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`)
        .expect(status);
    }
    const loggedUrl = async (requestId: string) => {
      const deadline = Date.now() + 5_000;
      while (Date.now() < deadline) {
        const line = log.lines.find((text) => text.includes(`"correlationId":"${requestId}"`));
        if (line) return (JSON.parse(line) as { req: { url: string } }).req.url;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      throw new Error(`no log line for ${requestId}`);
    };
    for (const [index, [, , logged]] of forms.entries())
      expect(await loggedUrl(`00000000-0000-4000-8000-${String(index).padStart(12, '0')}`)).toBe(logged);
    expect(log.lines.filter((line) => line.includes(secret!.slice(0, 40)))).toEqual([]);
  });

  test('a stolen session makes no feed: its current password is asked, a wrong one refused by its field and counted', async () => {
    const officer = await createTestUser(stack.pool, {
      username: 'feed-session-officer',
      agencyId: DEMO_AGENCIES.law_enforcement,
      roles: ['agency_officer'],
      password: TEST_PASSWORD,
    });
    const signedIn = await request(stack.app)
      .post('/api/auth/sign-in')
      .send({ username: officer.user.username, password: TEST_PASSWORD })
      .expect(201);
    const session = bearer((signedIn.body as { token: string }).token);
    const make = (body: Record<string, string>) =>
      request(stack.app).post('/api/me/calendar-feeds').set(session).send(body);

    const bare = await make({ label: 'Stolen' }).expect(422);
    expect(bare.body).toMatchObject({ errors: [{ field: 'currentPassword' }] });
    const wrong = await make({ label: 'Stolen', currentPassword: 'a guess' }).expect(403);
    expect(wrong.body).toMatchObject({ code: 'wrong_password', errors: [{ field: 'currentPassword' }] });
    // Counted against the account as a wrong password at sign-in is: one rule for every password typed.
    const failures = await stack.pool.query<{ failures: number }>(
      'SELECT failures FROM sign_in_failures WHERE account_key = $1',
      [createHash('sha256').update(`sign-in:${officer.user.username}`).digest()],
    );
    expect(failures.rows).toEqual([{ failures: 1 }]);
    const listed = await request(stack.app).get('/api/me/calendar-feeds').set(session).expect(200);
    expect((listed.body as { items: unknown[] }).items).toEqual([]);

    // With it, the feed is made; it outlives the session that made it (revoked on sign-out), as an API key does.
    const feed = (await make({ label: 'Mine', currentPassword: TEST_PASSWORD }).expect(201)).body as Issued;
    await request(stack.app).post('/api/auth/sign-out').set(session).expect(204);
    await request(stack.app).get('/api/me').set(session).expect(401);
    await request(stack.app).get(pathOf(feed)).expect(200);
  });

  test('a user holds at most 20 live feeds, told to revoke one, and lists them a page at a time', async () => {
    const owner = await createTestUser(stack.pool, {
      username: 'feed-hoarder',
      agencyId: DEMO_AGENCIES.law_enforcement,
      roles: ['agency_officer'],
      password: TEST_PASSWORD,
    });
    const make = (label: string) =>
      request(stack.app)
        .post('/api/me/calendar-feeds')
        .set(owner.headers)
        .send({ label, currentPassword: TEST_PASSWORD });
    // 19 made at once (the cap under concurrent creates: test/db/suites/token-cap.ts); the API takes the 20th and refuses
    // the 21st in words.
    const answers = await Promise.all(
      Array.from({ length: 19 }, (_, n) =>
        issueToken(stack.pool, {
          userId: owner.user.id,
          kind: 'calendar_feed',
          label: `Feed ${n}`,
          expiresAt: new Date(Date.now() + 3_600_000),
        }),
      ),
    );
    await stack.resetRateLimits();
    await make('The 20th').expect(201);
    const refused = await make('One too many').expect(409);
    expect(refused.body).toMatchObject({
      code: 'too_many_calendar_feeds',
      detail: expect.stringMatching(/Revoke one/) as unknown,
    });

    // A revoked feed frees its place.
    const first = answers[0]!.id;
    await request(stack.app).delete(`/api/me/calendar-feeds/${first}`).set(owner.headers).expect(200);
    await make('After revoking').expect(201);
    await make('One too many').expect(409);

    // 21 feeds (one revoked), 8 a page: every one once, newest first, the last page with no nextCursor.
    const seen: { id: string; createdAt: string }[] = [];
    let cursor: string | null | undefined;
    let pages = 0;
    do {
      const page = await request(stack.app)
        .get('/api/me/calendar-feeds')
        .query({ limit: 8, ...(cursor && { cursor }) })
        .set(owner.headers)
        .expect(200);
      const body = page.body as { items: { id: string; createdAt: string }[]; nextCursor: string | null };
      expect(body.items.length).toBeLessThanOrEqual(8);
      seen.push(...body.items);
      cursor = body.nextCursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(3);
    expect(new Set(seen.map((feed) => feed.id)).size).toBe(21);
    const times = seen.map((feed) => feed.createdAt);
    expect([...times].sort().reverse()).toEqual(times);

    // A cursor is signed for its list: changed, or one of the token list, it is refused before any query.
    const page = await request(stack.app).get('/api/me/calendar-feeds').query({ limit: 8 }).set(owner.headers);
    const next = (page.body as { nextCursor: string }).nextCursor;
    const changed = `${next.startsWith('A') ? 'B' : 'A'}${next.slice(1)}`;
    await request(stack.app).get('/api/me/calendar-feeds').query({ cursor: changed }).set(owner.headers).expect(400);
    const tokens = await request(stack.app).get('/api/tokens').query({ limit: 1 }).set(owner.headers).expect(200);
    const tokenCursor = (tokens.body as { nextCursor: string | null }).nextCursor;
    if (tokenCursor)
      await request(stack.app)
        .get('/api/me/calendar-feeds')
        .query({ cursor: tokenCursor })
        .set(owner.headers)
        .expect(400);
  });

  test("a disabled user's feed answers 404", async () => {
    const officer = await createWorker(stack.pool, DEMO_AGENCIES.law_enforcement, 'law_enforcement');
    const feed = await newFeed(officer.headers);
    await fetchFeed(feed);
    const admin = stack.users['demo-system-admin']!.headers;
    await request(stack.app).post(`/api/users/${officer.user.id}/disable`).set(admin).send({}).expect(200);
    await request(stack.app).get(pathOf(feed)).expect(404);
  });

  test('a feed is for those whose roles see cases: an admin may make none, and a role taken away stops one made before', async () => {
    // An admin has no case of their own: 403, as for the work lists, audited as every 403 is.
    const admin = stack.users['demo-admin']!.headers;
    const refused = await request(stack.app).post('/api/me/calendar-feeds').set(admin).send({ label: 'x' }).expect(403);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.body).toMatchObject({ status: 403, code: 'role_not_permitted' });
    const denied = await stack.pool.query<{ outcome: string; username: string }>(
      `SELECT outcome, username FROM audit_events WHERE request_id = $1`,
      [refused.headers['x-request-id']],
    );
    expect(denied.rows).toEqual([{ outcome: 'denied', username: 'demo-admin' }]);

    // An officer's feed, then the officer made the agency's admin alone: the feed opens nothing, as a revoked one.
    const officer = await createTestUser(stack.pool, {
      username: 'feed-demoted-officer',
      agencyId: DEMO_AGENCIES.law_enforcement,
      roles: ['agency_officer'],
      password: TEST_PASSWORD,
    });
    const { caseId } = await openCase();
    const feed = await newFeed(officer.headers);
    expect(ofCase(await fetchFeed(feed), caseId).length).toBeGreaterThan(0);
    const systemAdmin = stack.users['demo-system-admin']!.headers;
    const setRoles = (roles: string[]) =>
      request(stack.app).post(`/api/users/${officer.user.id}/roles`).set(systemAdmin).send({ roles }).expect(200);
    await setRoles(['admin']);
    const gone = await request(stack.app).get(pathOf(feed)).expect(404);
    const revoked = await request(stack.app).get('/calendar/not-a-feed.ics').expect(404);
    expect(gone.headers['content-type']).toMatch(/^application\/problem\+json/);
    const answer = (res: request.Response) => {
      const { status, code, title, detail } = res.body as Record<string, unknown>;
      return { status, code, title, detail };
    };
    expect(answer(gone)).toEqual(answer(revoked));
    const rejected = await stack.pool.query<{ outcome: string; status: number; username: string; detail: string }>(
      `SELECT outcome, status, username, detail FROM audit_events WHERE request_id = $1`,
      [gone.headers['x-request-id']],
    );
    expect(rejected.rows).toEqual([
      {
        outcome: 'rejected',
        status: 404,
        username: officer.user.username,
        detail: expect.stringContaining(feed.id) as unknown,
      },
    ]);
    // Its owner may no longer make one, but still lists and revokes theirs.
    await request(stack.app).post('/api/me/calendar-feeds').set(officer.headers).send({ label: 'y' }).expect(403);
    await request(stack.app).get('/api/me/calendar-feeds').set(officer.headers).expect(200);

    // The roles are read at every fetch: a supervisor sees cases, and the feed serves again.
    await setRoles(['supervisor']);
    await fetchFeed(feed);
    await request(stack.app).delete(`/api/me/calendar-feeds/${feed.id}`).set(officer.headers).expect(200);
    await request(stack.app).get(pathOf(feed)).expect(404);
  });

  /** Puts an agency in a zone (as its admin would) and answers the zone it had, to put back. */
  async function moveAgency(agencyId: string, timeZone: string | null): Promise<string | null> {
    const admin = stack.users['demo-system-admin']!.headers;
    const { items } = (await request(stack.app).get('/api/agencies').set(admin).expect(200)).body as {
      items: { id: string; kind: string; name: string; email: string | null; timeZone: string | null }[];
    };
    const agency = items.find((each) => each.id === agencyId)!;
    await request(stack.app)
      .post('/api/agencies')
      .set(admin)
      .send({ id: agency.id, kind: agency.kind, name: agency.name, email: agency.email, timeZone })
      .expect(201);
    return agency.timeZone;
  }

  test("a window's end sits all day on its last day, in Guam too", async () => {
    const police = DEMO_AGENCIES.law_enforcement;
    const { caseId } = await openCase();
    const today = new Date(await stack.env.currentTimeMs()).toISOString().slice(0, 10);
    const sign = (stepId: string, as: 'law_enforcement' | 'ice', outcome: string, details: object) =>
      request(stack.app)
        .post(`/api/cases/${caseId}/steps/${stepId}/sign-off`)
        .set(stack.as(as))
        .set('Idempotency-Key', key())
        .send({ outcome, details })
        .expect(200);
    await sign('cp_request-1', 'law_enforcement', 'requested', { requestedOn: today });
    await sign('cp_decision-1', 'ice', 'granted', { grantedOn: today, validUntil: '2028-03-15' });
    const expiry = `${caseId}-cp_decision-1-cp_validity@${HOST}`;
    const feed = await newFeed(stack.as('law_enforcement'));

    // In UTC the grant "valid until 15 Mar" ends as 16 Mar begins there: its event is on the 15th.
    expect((await fetchFeed(feed)).find((event) => event.uid === expiry)?.end).toBe('2028-03-15');
    // The coordinator is told of the lapse too (`coordinatorToldOfLapses`), so its feed has the same end.
    const coordinatorFeed = await newFeed(stack.as('coordinator'));
    expect((await fetchFeed(coordinatorFeed)).find((event) => event.uid === expiry)?.end).toBe('2028-03-15');
    const before = await moveAgency(police, 'Pacific/Guam');
    try {
      // 16 Mar begins in Guam (UTC+10) at 14:00 UTC on the 15th: the event stays on the 15th for a calendar there.
      expect((await fetchFeed(feed)).find((event) => event.uid === expiry)?.end).toBe('2028-03-15');
    } finally {
      await moveAgency(police, before);
    }
  });

  test("a deadline counted from the police's midnight sits on the police's last day in another zone's calendar", async () => {
    // The police identify in Chicago; the advocates, who owe the T-visa filing counted from it, keep New York's time.
    const police = await moveAgency(DEMO_AGENCIES.law_enforcement, 'America/Chicago');
    const advocates = await moveAgency(DEMO_AGENCIES.advocate, 'America/New_York');
    try {
      const opened = await request(stack.app)
        .post('/api/cases')
        .set(stack.as('law_enforcement'))
        .set('Idempotency-Key', key())
        .send({
          identifiedOn: localDateOf(new Date(await stack.env.currentTimeMs()).toISOString(), 'America/Chicago'),
          survivor: { name: 'Feed Zone Person', birthDate: '1990-02-03' },
          agencies: DEMO_AGENCIES,
        })
        .expect(201);
      const { caseId } = opened.body as { caseId: string };
      const uid = `${caseId}-t_visa_filing-1-due@${HOST}`;
      const feed = await newFeed(stack.as('advocate'));
      const event = await eventually(async () => (await fetchFeed(feed)).find((each) => each.uid === uid), 'the event');
      const { rows } = await stack.pool.query<{ dueAt: Date }>(
        `SELECT due_at AS "dueAt" FROM case_steps WHERE case_id = $1 AND step_id = 't_visa_filing-1'`,
        [caseId],
      );
      // Its New York midnight is an hour earlier than Chicago's: the moment before it falls on the next day there.
      expect(event.end).toBe(lastDayToAct(rows[0]!.dueAt.toISOString(), 'America/Chicago'));
    } finally {
      await moveAgency(DEMO_AGENCIES.law_enforcement, police);
      await moveAgency(DEMO_AGENCIES.advocate, advocates);
    }
  });

  test("the end of the benefits an HHS certification opened is in the advocate's feed, whom its reminders go to, and no one else's", async () => {
    const { caseId, reference } = await openCase();
    const today = new Date(await stack.env.currentTimeMs()).toISOString().slice(0, 10);
    const sign = (stepId: string, as: AgencyKind, outcome: string, details: object) =>
      request(stack.app)
        .post(`/api/cases/${caseId}/steps/${stepId}/sign-off`)
        .set(stack.as(as))
        .set('Idempotency-Key', key())
        .send({ outcome, details })
        .expect(200);
    await sign('cp_request-1', 'law_enforcement', 'requested', { requestedOn: today });
    await sign('cp_decision-1', 'ice', 'granted', { grantedOn: today, validUntil: addYears(today, 2) });
    await sign('hhs_certification_request-1', 'advocate', 'requested', { requestedOn: today });
    const certified = await sign('hhs_certification_letter-1', 'hhs', 'certified', { eligibilityDate: today });
    const letter = (certified.body as { steps: { id: string; details: Record<string, unknown> }[] }).steps.find(
      (step) => step.id === 'hhs_certification_letter-1',
    )!;
    const endsOn = letter.details['benefitEndsOn'] as string;
    expect(endsOn > today).toBe(true);

    // The benefits' end, not the letter's (which does not expire): all day on their last day, as the case page says.
    const uid = `${caseId}-hhs_certification_letter-1-benefit_window@${HOST}`;
    const advocate = await fetchFeed(await newFeed(stack.as('advocate')));
    expect(advocate.find((event) => event.uid === uid)).toMatchObject({
      end: endsOn,
      summary: `${reference}: HHS certification letter: benefit window ends`,
    });
    // Only the advocate is reminded of it: HHS, which signed the letter, the police, ICE and the coordinator are not.
    for (const kind of ['hhs', 'law_enforcement', 'ice', 'coordinator'] as const) {
      const events = await fetchFeed(await newFeed(stack.as(kind)));
      expect({ kind, listed: events.some((event) => event.uid === uid) }).toEqual({ kind, listed: false });
    }
  });

  /** The advocates' event of the T-visa filing (counted from the identification) of a case, once the feed lists it. */
  async function filingEvent(caseId: string, feed: Issued): Promise<{ end: string; dueAt: string }> {
    const uid = `${caseId}-t_visa_filing-1-due@${HOST}`;
    const event = await eventually(async () => (await fetchFeed(feed)).find((each) => each.uid === uid), 'the event');
    const { rows } = await stack.pool.query<{ dueAt: Date }>(
      `SELECT due_at AS "dueAt" FROM case_steps WHERE case_id = $1 AND step_id = 't_visa_filing-1'`,
      [caseId],
    );
    return { end: event.end, dueAt: rows[0]!.dueAt.toISOString() };
  }

  test("a police agency that moves to another zone moves none of its past cases' last days, signed or not", async () => {
    // Identified by its day in Chicago, the case's deadlines end at Chicago's midnights; the advocates keep New York's.
    const police = await moveAgency(DEMO_AGENCIES.law_enforcement, 'America/Chicago');
    const advocates = await moveAgency(DEMO_AGENCIES.advocate, 'America/New_York');
    try {
      const today = localDateOf(new Date(await stack.env.currentTimeMs()).toISOString(), 'America/Chicago');
      const opened = await request(stack.app)
        .post('/api/cases')
        .set(stack.as('law_enforcement'))
        .set('Idempotency-Key', key())
        .send({
          identifiedOn: today,
          survivor: { name: 'Feed Moved Police Person', birthDate: '1990-02-03' },
          agencies: DEMO_AGENCIES,
        })
        .expect(201);
      const { caseId } = opened.body as { caseId: string };
      await request(stack.app)
        .post(`/api/cases/${caseId}/steps/cp_request-1/sign-off`)
        .set(stack.as('law_enforcement'))
        .set('Idempotency-Key', key())
        .send({ outcome: 'requested', details: { requestedOn: today } })
        .expect(200);
      const feed = await newFeed(stack.as('advocate'));
      const before = await filingEvent(caseId, feed);
      expect(before.end).toBe(lastDayToAct(before.dueAt, 'America/Chicago'));

      // The police now work in Los Angeles: the case was still identified in Chicago, and its last day stays, also once
      // a sign-off after the move has projected the case again.
      await moveAgency(DEMO_AGENCIES.law_enforcement, 'America/Los_Angeles');
      expect(await filingEvent(caseId, feed)).toEqual(before);
      await request(stack.app)
        .post(`/api/cases/${caseId}/steps/cp_decision-1/sign-off`)
        .set(stack.as('ice'))
        .set('Idempotency-Key', key())
        .send({ outcome: 'granted', details: { grantedOn: today, validUntil: addYears(today, 2) } })
        .expect(200);
      expect(await filingEvent(caseId, feed)).toEqual(before);
    } finally {
      await moveAgency(DEMO_AGENCIES.law_enforcement, police);
      await moveAgency(DEMO_AGENCIES.advocate, advocates);
    }
  });

  test("an identification's hour that is another police agency's midnight is read on its own day", async () => {
    // The police in New York identify at 01:00 by the hour; another police agency works in Chicago, where 01:00 in New
    // York is midnight. The deadlines count from that hour, not from Chicago's midnight.
    const NEW_YORK = 'America/New_York';
    const police = await moveAgency(DEMO_AGENCIES.law_enforcement, NEW_YORK);
    const advocates = await moveAgency(DEMO_AGENCIES.advocate, NEW_YORK);
    const admin = stack.users['demo-system-admin']!.headers;
    const chicagoPolice = { id: 'feeds-police-chicago', kind: 'law_enforcement', name: 'Chicago Police (fictitious)' };
    await request(stack.app)
      .post('/api/agencies')
      .set(admin)
      .send({ ...chicagoPolice, email: null, timeZone: 'America/Chicago' })
      .expect(201);
    try {
      const now = await stack.env.currentTimeMs();
      const oneAm = (day: string) => Date.parse(startOfLocalDay(day, NEW_YORK)) + 3_600_000;
      const today = localDateOf(new Date(now).toISOString(), NEW_YORK);
      const identifiedAt = oneAm(today) <= now ? oneAm(today) : oneAm(addDays(today, -1));
      const opened = await request(stack.app)
        .post('/api/cases')
        .set(stack.as('law_enforcement'))
        .set('Idempotency-Key', key())
        .send({
          identifiedAt: new Date(identifiedAt).toISOString(),
          survivor: { name: 'Feed One Hour Person', birthDate: '1990-02-03' },
          agencies: DEMO_AGENCIES,
        })
        .expect(201);
      const { caseId } = opened.body as { caseId: string };
      const { end, dueAt } = await filingEvent(caseId, await newFeed(stack.as('advocate')));
      // Due at New York's 01:00 (02:00 across a change of the clocks), not Chicago's midnight: a deadline at its hour,
      // an event ending then, on the day it falls on in New York (never all day on Chicago's day before, as the day of
      // a count from Chicago's midnight would be).
      expect(end).toBe(dueAt);
    } finally {
      await request(stack.app)
        .post('/api/agencies')
        .set(admin)
        .send({ ...chicagoPolice, email: null, timeZone: null })
        .expect(201);
      await moveAgency(DEMO_AGENCIES.law_enforcement, police);
      await moveAgency(DEMO_AGENCIES.advocate, advocates);
    }
  });

  test('a deadline that passes at an hour is that instant in every calendar, not a day that depends on whose feed it is', async () => {
    // The sheriff in Guam identifies at 08:00 by the hour (as the console's time field sends it); the task force keeps
    // New York's time. The declaration counted from that hour passes at 08:00 in Guam, 17:00 the day before in New York.
    const GUAM = 'Pacific/Guam';
    const police = await moveAgency(DEMO_AGENCIES.law_enforcement, GUAM);
    const coordinator = await moveAgency(DEMO_AGENCIES.coordinator, 'America/New_York');
    try {
      const yesterday = addDays(localDateOf(new Date(await stack.env.currentTimeMs()).toISOString(), GUAM), -1);
      const opened = await request(stack.app)
        .post('/api/cases')
        .set(stack.as('law_enforcement'))
        .set('Idempotency-Key', key())
        .send({
          identifiedAt: `${yesterday}T08:00`,
          survivor: { name: 'Feed Hour Person', birthDate: '1990-02-03' },
          agencies: DEMO_AGENCIES,
        })
        .expect(201);
      const { caseId } = opened.body as { caseId: string };
      const uid = `${caseId}-le_declaration-1-due@${HOST}`;
      const { rows } = await stack.pool.query<{ dueAt: Date; dueOnADay: boolean }>(
        `SELECT due_at AS "dueAt", due_on_a_day AS "dueOnADay" FROM case_steps
        WHERE case_id = $1 AND step_id = 'le_declaration-1'`,
        [caseId],
      );
      const dueAt = rows[0]!.dueAt.toISOString();
      expect(rows[0]!.dueOnADay).toBe(false);
      // 08:00 in Guam: no midnight of the zone it was counted in.
      const hourInGuam = new Intl.DateTimeFormat('en-GB', { timeZone: GUAM, timeStyle: 'short', hourCycle: 'h23' });
      expect(hourInGuam.format(new Date(dueAt))).toBe('08:00');
      const eventIn = async (kind: AgencyKind) => {
        const feed = await newFeed(stack.as(kind));
        return eventually(async () => (await fetchFeed(feed)).find((each) => each.uid === uid), `the ${kind}'s event`);
      };
      const sheriffs = await eventIn('law_enforcement');
      const coordinators = await eventIn('coordinator');
      // A timed event ending at the instant (parseFeed gives an all-day event's day, a timed one's end): the same in both.
      expect(sheriffs.end).toBe(dueAt);
      expect(coordinators.end).toBe(dueAt);
    } finally {
      await moveAgency(DEMO_AGENCIES.law_enforcement, police);
      await moveAgency(DEMO_AGENCIES.coordinator, coordinator);
    }
  });
});
