/**
 * Bringing a caseload in, on the whole stack (time skipping, PostgreSQL, a real SMTP server): cases entered after the
 * fact send no "Brought up to date" email each. An agency without a daily digest gets one email listing every case
 * typed in over a working session, once no new notice came for 30 minutes; an agency with one finds them in its next digest,
 * each case once; in the app, every case keeps its own notice. An SMTP outage delays the gathered email, never
 * doubles or loses it, and one lasting past an hour is reported to the coordinator in the app.
 */
import request from 'supertest';
import { formatCalendarDay } from '../../../core/people-dates';
import { instantOfLocal, localDateOf } from '../../../core/time-zones';
import { findRecipient, listNotifications, type Notification } from '../../../db/notifications';
import { DEMO_AGENCIES } from '../../../db/seed';
import { workingActor } from '../../../domain/access';
import { addDays } from '../../../domain/dates';
import { eventually, startStack, type Stack } from '../../support/stack';

describe('caseload-brought-in', () => {
  const DAY_MS = 86_400_000;
  const MINUTE_MS = 60_000;
  const HOUR_MS = 3_600_000;
  const POLICE = DEMO_AGENCIES.law_enforcement;
  /** The agencies the notices of what passed go to (entered-late.test.ts): the police's digest is on, not the others'. */
  const GATHERED = [DEMO_AGENCIES.coordinator, DEMO_AGENCIES.advocate];

  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
    await request(stack.app)
      .post(`/api/agencies/${POLICE}/daily-digest`)
      .set(stack.users['demo-system-admin']!.headers)
      .send({ enabled: true })
      .expect(200);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const officer = workingActor({ userId: 'officer-caseload', agencyId: POLICE, agencyKind: 'law_enforcement' });

  /** Cases of adults all identified on the same day, 120 days ago, entered one after the other now. */
  async function caseload(count: number, name: string): Promise<{ caseId: string; reference: string }[]> {
    const identifiedAt = new Date((await stack.env.currentTimeMs()) - 120 * DAY_MS).toISOString();
    const opened = [];
    for (let n = 1; n <= count; n += 1) {
      opened.push(
        await stack.cases.open(
          { identifiedAt, survivor: { name: `${name} ${n}`, birthDate: '1990-02-02' }, agencies: DEMO_AGENCIES },
          officer,
        ),
      );
    }
    return opened;
  }

  /** The notices of what passed of these cases, once each case has its notices and every email owed went out. */
  async function noticesSent(caseIds: string[]): Promise<Notification[]> {
    return eventually(async () => {
      const notices: Notification[] = [];
      for (const caseId of caseIds) {
        const { items } = await listNotifications(stack.pool, { caseId, limit: 50 });
        const own = items.filter((n) => n.kind === 'passed_summary');
        if (own.length === 0 || own.some((n) => n.recipientEmail && !n.sentAt)) return undefined;
        notices.push(...own);
      }
      return notices;
    }, 'the notices of what passed, sent');
  }

  const addressOf = async (agencyId: string) => (await findRecipient(stack.pool, agencyId))!.email!;
  /** The "Brought up to date" emails an agency received. */
  const passedEmailsTo = (address: string) =>
    stack.mail.messages().filter((m) => m.subject.startsWith('Brought up to date') && m.to.join(',').includes(address));
  const mentions = (text: string, reference: string) => text.split(reference).length - 1;

  test('each agency gets one email listing every case brought in, or its digest lists them, and no email per case', async () => {
    const cases = await caseload(6, 'Caseload Person');
    const references = cases.map((c) => c.reference);
    // Each case's notices come 30 minutes after its entry; the gathered email 30 quiet minutes after the last.
    await stack.env.sleep(HOUR_MS);
    const notices = await noticesSent(cases.map((c) => c.caseId));

    // In the app, one notice per case and agency, as before.
    for (const agencyId of [...GATHERED, POLICE]) {
      expect(notices.filter((n) => n.recipientAgencyId === agencyId)).toHaveLength(cases.length);
    }
    for (const agencyId of GATHERED) {
      const emails = passedEmailsTo(await addressOf(agencyId));
      expect(emails).toHaveLength(1);
      expect(emails[0]!.subject).toMatch(/^Brought up to date: 6 cases, \d+ reminders not sent$/);
      for (const reference of references) expect(mentions(emails[0]!.text, reference)).toBeGreaterThan(0);
      expect(emails[0]!.text).not.toContain('Caseload Person');
    }

    // The police's digest is on: none by email, all in the next digest, each case on one line.
    const policeAddress = await addressOf(POLICE);
    expect(passedEmailsTo(policeAddress)).toEqual([]);
    const now = new Date(await stack.env.currentTimeMs()).toISOString();
    const today = localDateOf(now, 'UTC');
    const date = Date.parse(instantOfLocal(today, '07:00', 'UTC')) > Date.parse(now) ? today : addDays(today, 1);
    await stack.env.sleep(
      Date.parse(instantOfLocal(date, '07:00', 'UTC')) + MINUTE_MS - (await stack.env.currentTimeMs()),
    );
    // The digest that carries them is the first after they were recorded: the next 07:00, or, when the cases were
    // entered shortly before 07:00, the one sent during the hour above (a run between 06:00 and 07:00 UTC).
    const policeDigests = () =>
      stack.mail
        .messages()
        .filter((m) => m.subject.startsWith('Daily digest') && m.to.join(',').includes(policeAddress));
    await eventually(
      () => policeDigests().find((m) => m.subject.startsWith(`Daily digest ${formatCalendarDay(date)}:`)),
      'the police digest',
    );
    const carrying = policeDigests().filter((m) => m.subject.includes('Brought up to date'));
    expect(carrying).toHaveLength(1);
    const digest = carrying[0]!;
    expect(digest.subject).toContain('Brought up to date: 6');
    const section = digest.text.slice(digest.text.indexOf('\nBrought up to date'));
    for (const reference of references) expect(mentions(section, reference)).toBe(1);
    expect(digest.text).not.toContain('Caseload Person');
  });

  test('an SMTP outage delays the gathered email; it then goes out once, listing every case', async () => {
    const coordinator = await addressOf(DEMO_AGENCIES.coordinator);
    const before = passedEmailsTo(coordinator).length;
    await stack.mail.setDown(true);
    let cases: { caseId: string; reference: string }[];
    try {
      cases = await caseload(5, 'Outage Person');
      await stack.env.sleep(HOUR_MS);
      await eventually(async () => {
        const { rows } = await stack.pool.query<{ attempts: number }>(
          `SELECT attempts FROM notifications WHERE kind = 'passed_summary' AND recipient_agency_id = $1 AND case_id = $2`,
          [DEMO_AGENCIES.coordinator, cases[0]!.caseId],
        );
        return (rows[0]?.attempts ?? 0) >= 1 || undefined;
      }, 'a failed attempt');
      expect(passedEmailsTo(coordinator)).toHaveLength(before);
    } finally {
      await stack.mail.setDown(false);
    }
    // The retry (backoff of at most 30 minutes) goes through once SMTP is back.
    await stack.env.sleep(HOUR_MS);
    await noticesSent(cases.map((c) => c.caseId));
    const emails = passedEmailsTo(coordinator).slice(before);
    expect(emails).toHaveLength(1);
    for (const { reference } of cases) expect(mentions(emails[0]!.text, reference)).toBeGreaterThan(0);
  });

  test('a gathered email failing past an hour is reported to the coordinator in the app, once per notice; it then goes out once', async () => {
    const coordinator = await addressOf(DEMO_AGENCIES.coordinator);
    const before = passedEmailsTo(coordinator).length;
    await stack.mail.setDown(true);
    let cases: { caseId: string; reference: string }[];
    /** The coordinator's in-app notices that a notice of what passed of these cases keeps failing, by alarm. */
    const failingNotices = async () => {
      const alarms: string[] = [];
      for (const { caseId } of cases) {
        const { items } = await listNotifications(stack.pool, {
          caseId,
          agencyId: DEMO_AGENCIES.coordinator,
          limit: 50,
        });
        for (const n of items)
          if (n.kind === 'delivery_failing' && n.alarmId.startsWith('passed_summary:')) alarms.push(n.alarmId);
      }
      return alarms.sort();
    };
    try {
      cases = await caseload(3, 'Failing Person');
      // Notices 30 minutes after the entries, gathered 30 more, then failing for over an hour.
      await stack.env.sleep(3 * HOUR_MS);
      const owed: string[] = [];
      for (const { caseId } of cases) {
        const { items } = await listNotifications(stack.pool, { caseId, limit: 50 });
        for (const n of items)
          if (n.kind === 'passed_summary' && n.recipientEmail) owed.push(`${n.alarmId}:delivery_failing`);
      }
      expect(owed.length).toBeGreaterThanOrEqual(2 * cases.length);
      owed.sort();
      await eventually(
        async () => ((await failingNotices()).length === owed.length ? true : undefined),
        'the coordinator told in the app that the gathered emails keep failing',
      );
      expect(await failingNotices()).toEqual(owed);
      const { items } = await listNotifications(stack.pool, { caseId: cases[0]!.caseId, limit: 50 });
      const notice = items.find((n) => n.kind === 'delivery_failing' && n.alarmId.startsWith('passed_summary:'));
      expect(notice!.subject).toBe(`Email not delivered: Brought up to date (case ${cases[0]!.reference})`);
      // However long it keeps failing, each notice is reported once.
      await stack.env.sleep(24 * HOUR_MS);
      expect(await failingNotices()).toEqual(owed);
      expect(passedEmailsTo(coordinator)).toHaveLength(before);
    } finally {
      await stack.mail.setDown(false);
    }
    await stack.env.sleep(HOUR_MS);
    await noticesSent(cases.map((c) => c.caseId));
    const emails = passedEmailsTo(coordinator).slice(before);
    expect(emails).toHaveLength(1);
    for (const { reference } of cases) expect(mentions(emails[0]!.text, reference)).toBeGreaterThan(0);
  });

  test('turned off before its next digest, the notices it was to carry go out gathered in one email', async () => {
    const policeAddress = await addressOf(POLICE);
    const cases = await caseload(5, 'Released Person');
    await stack.env.sleep(HOUR_MS);
    await noticesSent(cases.map((c) => c.caseId));
    expect(passedEmailsTo(policeAddress)).toEqual([]);

    await request(stack.app)
      .post(`/api/agencies/${POLICE}/daily-digest`)
      .set(stack.users['demo-system-admin']!.headers)
      .send({ enabled: false })
      .expect(200);
    await stack.env.sleep(HOUR_MS);
    await noticesSent(cases.map((c) => c.caseId));
    const emails = passedEmailsTo(policeAddress);
    expect(emails).toHaveLength(1);
    for (const { reference } of cases) expect(mentions(emails[0]!.text, reference)).toBeGreaterThan(0);
  });

  /**
   * The "Brought up to date" emails each gathered agency received about these cases, once all were sent: for each
   * agency, each email in the order sent, how many cases of each group it lists.
   */
  async function gatheredEmailsListing(groups: { caseId: string; reference: string }[][]): Promise<number[][][]> {
    const cases = groups.flat();
    await noticesSent(cases.map((c) => c.caseId));
    const byAgency = [];
    for (const agencyId of GATHERED) {
      const emails = passedEmailsTo(await addressOf(agencyId)).filter((m) =>
        cases.some(({ reference }) => mentions(m.text, reference) > 0),
      );
      byAgency.push(
        emails.map((m) =>
          groups.map((group) => group.filter(({ reference }) => mentions(m.text, reference) > 0).length),
        ),
      );
    }
    return byAgency;
  }

  /** Cases entered one at a time, `pause` minutes apart. */
  async function typedIn(count: number, pause: number, name: string) {
    const cases = [];
    for (let n = 0; n < count; n += 1) {
      if (n > 0) await stack.env.sleep(pause * MINUTE_MS);
      cases.push(...(await caseload(1, name)));
    }
    return cases;
  }

  test('a caseload typed in over a working session, with pauses of 8, 15 and 25 minutes between cases, is one email', async () => {
    // Each case's notice comes as its own entry session ends, 30 minutes after its last entry: the notices come 8, 15
    // and 25 minutes apart, each within the 30 quiet minutes the gathering waits for the next.
    const cases = [];
    for (const pause of [8, 15, 25]) {
      cases.push(...(await caseload(1, 'Session Person')));
      await stack.env.sleep(pause * MINUTE_MS);
    }
    cases.push(...(await caseload(1, 'Session Person')));
    await stack.env.sleep(2 * HOUR_MS);
    for (const emails of await gatheredEmailsListing(cases.map((c) => [c]))) expect(emails).toEqual([[1, 1, 1, 1]]);
  });

  test('a pause longer than the quiet time between two cases is one email for each stretch', async () => {
    // Within each stretch the notices come 10 minutes apart; between the stretches, 45: more than the 30 quiet minutes.
    const first = await typedIn(2, 10, 'Stretch Person');
    await stack.env.sleep(45 * MINUTE_MS);
    const second = await typedIn(2, 10, 'Stretch Person');
    await stack.env.sleep(2 * HOUR_MS);
    for (const emails of await gatheredEmailsListing([first, second])) {
      expect(emails).toEqual([
        [2, 0],
        [0, 2],
      ]);
    }
  });

  test('a caseload typed in for longer than 4 hours without a pause sends its first email 4 hours after the first notice', async () => {
    // Notices 25 minutes apart, from 30 minutes after the first case to 280 after it: the email goes out at 270.
    const cases = await typedIn(11, 25, 'Long Session Person');
    await stack.env.sleep(2 * HOUR_MS);
    for (const emails of await gatheredEmailsListing([cases.slice(0, 10), cases.slice(10)])) {
      expect(emails).toEqual([
        [10, 0],
        [0, 1],
      ]);
    }
  });

  test('a notice urging HHS before a minor turns 18 is not held for the rest of the caseload: its email goes out as it comes', async () => {
    const now = await stack.env.currentTimeMs();
    // Identified ten days ago, turning 18 in twenty: the birthday leads of 90 and 30 days fell before the entry.
    const birthday = new Date(now + 20 * DAY_MS).toISOString().slice(0, 10);
    const birthDate = `${Number(birthday.slice(0, 4)) - 18}${birthday.slice(4)}`;
    const identifiedAt = new Date(now - 10 * DAY_MS).toISOString();
    const first = await caseload(1, 'Before Minor Person');
    await stack.env.sleep(10 * MINUTE_MS);
    const minor = await stack.cases.open(
      { identifiedAt, survivor: { name: 'Urgent Minor Person', birthDate }, agencies: DEMO_AGENCIES },
      officer,
    );
    expect(minor.path).toBe('minor');
    await stack.env.sleep(10 * MINUTE_MS);
    const last = await caseload(1, 'After Minor Person');
    await stack.env.sleep(2 * HOUR_MS);

    // The coordinator's notice of the minor's case urges HHS: its email goes out as it comes, with the case before it,
    // not 30 quiet minutes after the case after it.
    const cases = [...first, minor, ...last];
    await noticesSent(cases.map((c) => c.caseId));
    const coordinator = await addressOf(DEMO_AGENCIES.coordinator);
    const emails = stack.mail
      .messages()
      .filter((m) => /rought up to date/.test(m.subject) && m.to.join(',').includes(coordinator))
      .filter((m) => cases.some(({ reference }) => mentions(m.text, reference) > 0));
    expect(emails.map((m) => cases.map(({ reference }) => Math.min(1, mentions(m.text, reference))))).toEqual([
      [1, 1, 0],
      [0, 0, 1],
    ]);
    expect(emails[0]!.subject).toMatch(/^Urgent: notify HHS before the minor turns 18; brought up to date: 2 cases/);
    expect(emails[0]!.text).not.toContain('Urgent Minor Person');
  });
});
