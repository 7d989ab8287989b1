/**
 * The daily digest under time skipping, on the whole stack: an agency (in Chicago) that turns it on through the API
 * gets one email a day at 07:00 its time listing exactly its overdue, due-today, due-this-week and expiring items,
 * grouped by case reference, and none on a day with nothing; the reminders the digest lists are not emailed on their
 * own, escalations still are; a reminder is either emailed at once or listed in the very next digest; an SMTP
 * outage delays a digest, never loses or doubles it; turned off, it stops, and the reminders it was to list are
 * emailed once.
 */
import request from 'supertest';
import { instantOfLocal, localDateOf, startOfLocalDay } from '../../../core/time-zones';
import { listNotifications, type Notification } from '../../../db/notifications';
import { DEMO_AGENCIES } from '../../../db/seed';
import { addDays, addDaysToInstant } from '../../../domain/dates';
import { formatCalendarDay } from '../../../core/people-dates';
import { stepLabel } from '../../../domain/labels';
import { digestWorkflowIdOf } from '../../../workflows/contract';
import { eventually, startStack, type Stack } from '../../support/stack';

describe('daily-digest', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const ZONE = 'America/Chicago';
  const POLICE = DEMO_AGENCIES.law_enforcement;
  const MINUTE = 60_000;
  let keys = 0;
  const key = () => `daily-digest-${(keys += 1)}`;
  const systemAdmin = () => stack.users['demo-system-admin']!.headers;
  const now = async () => new Date(await stack.env.currentTimeMs()).toISOString();

  let policeEmail: string;

  /** Times the workflow asked for its next digest: one more than the mornings it has handled. */
  async function nextDigestCalls(): Promise<number> {
    const history = await stack.client.workflow.getHandle(digestWorkflowIdOf(POLICE)).fetchHistory();
    return (history.events ?? []).filter(
      (event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'nextDigest',
    ).length;
  }

  /** Skips to a minute past the agency's next morning and waits until the workflow has handled it (sent or not). */
  async function passMorning(date: string): Promise<void> {
    const before = await nextDigestCalls();
    const morning = Date.parse(instantOfLocal(date, '07:00', ZONE));
    await stack.env.sleep(Math.max(0, morning + MINUTE - (await stack.env.currentTimeMs())));
    await eventually(async () => (await nextDigestCalls()) > before || undefined, `the digest of ${date}`);
  }

  const digests = () =>
    stack.mail.messages().filter((m) => m.subject.startsWith('Daily digest') && m.to.join(',').includes(policeEmail));

  interface PendingStep {
    id: string;
    kind: string;
    dueAt: string | null;
    caseId: string;
    caseReference: string;
  }

  /** What the digest of `date` must list, computed here from the police's pending steps as the API lists them. */
  async function expectedItems(date: string): Promise<string[]> {
    const listed = await request(stack.app)
      .get('/api/steps')
      .query({ status: 'pending', agencyId: POLICE, limit: 200 })
      .set(stack.as('law_enforcement'))
      .expect(200);
    const asOf = Date.parse(instantOfLocal(date, '07:00', ZONE));
    const tomorrow = Date.parse(startOfLocalDay(addDays(date, 1), ZONE));
    const weekEnd = Date.parse(startOfLocalDay(addDays(date, 7), ZONE));
    return (listed.body as { items: PendingStep[] }).items
      .flatMap((step) => {
        if (!step.dueAt) return [];
        const at = Date.parse(step.dueAt);
        // A step that passes as tomorrow begins is due today: its last day to act.
        const section =
          at < asOf
            ? 'Overdue'
            : at <= tomorrow
              ? `Due ${formatCalendarDay(date)}`
              : at <= weekEnd
                ? 'Due this week'
                : null;
        return section ? [`${step.caseReference} ${section}: ${stepLabel(step.kind)}`] : [];
      })
      .sort();
  }

  /** The items a digest lists, each with its case reference (the digest groups them under "Case <reference>:"). */
  function listedItems(text: string): string[] {
    let reference = '';
    const items: string[] = [];
    for (const line of text.split('\n')) {
      const heading = /^Case (\S+): /.exec(line);
      if (heading) reference = heading[1]!;
      const item = /^ {2}- ([^:]+: [^,:]+)/.exec(line);
      if (item) items.push(`${reference} ${item[1]}`);
    }
    return items.sort();
  }

  /**
   * Opens a case whose Continued Presence request (due 14 days after identification) gets its 7-day reminder at
   * `remindAt`: the survivor was identified 7 days before it.
   */
  async function caseRemindedAt(remindAt: string): Promise<{ caseId: string; reference: string }> {
    const opened = await request(stack.app)
      .post('/api/cases')
      .set(stack.as('law_enforcement'))
      .set('Idempotency-Key', key())
      .send({
        identifiedAt: addDaysToInstant(remindAt, -7),
        survivor: { name: 'Folded Reminder Person', birthDate: '1984-04-04' },
        agencies: DEMO_AGENCIES,
      })
      .expect(201);
    return opened.body as { caseId: string; reference: string };
  }

  /** Skips to a minute after `at` and waits for the 7-day reminder of the case's CP request to be in the outbox. */
  async function reminderRaised(caseId: string, at: string): Promise<Notification> {
    await stack.env.sleep(Math.max(0, Date.parse(at) + MINUTE - (await stack.env.currentTimeMs())));
    return eventually(async () => {
      const { items } = await listNotifications(stack.pool, { caseId, limit: 100 });
      return items.find((n) => n.stepId === 'cp_request-1' && n.kind === 'reminder');
    }, `the CP request reminder of ${caseId}`);
  }

  /** The emails to the police carrying this notification on its own (not in a digest). */
  const emailsOf = (row: Notification) =>
    stack.mail.messages().filter((m) => m.subject === row.subject && m.to.join(',').includes(policeEmail));

  /** The digest of that local date, once sent (undefined when none was sent). */
  const digestOf = (date: string) =>
    digests().find((m) => m.subject.startsWith(`Daily digest ${formatCalendarDay(date)}:`));

  /** The agency's local date of the digest a notification was folded into, or null. */
  async function digestDateOf(row: Notification): Promise<string | null> {
    const { rows } = await stack.pool.query<{ digest_date: string | null }>(
      `SELECT to_char(digest_date, 'YYYY-MM-DD') AS digest_date FROM notifications WHERE id = $1`,
      [row.id],
    );
    return rows[0]?.digest_date ?? null;
  }

  beforeAll(async () => {
    // The police keep Chicago's time: their morning is 07:00 there, 13:00 or 12:00 UTC.
    const { items } = (await request(stack.app).get('/api/agencies').set(systemAdmin()).expect(200)).body as {
      items: { id: string; kind: string; name: string; email: string | null }[];
    };
    const police = items.find((agency) => agency.id === POLICE)!;
    policeEmail = police.email!;
    await request(stack.app)
      .post('/api/agencies')
      .set(systemAdmin())
      .send({ id: police.id, kind: police.kind, name: police.name, email: police.email, timeZone: ZONE })
      .expect(201);
  });

  test('one email a day at the local morning listing exactly its items, none for a day with nothing', async () => {
    // Off by default, and another agency's admin may not turn it on.
    const listed = await request(stack.app).get('/api/agencies').set(systemAdmin()).expect(200);
    expect((listed.body as { items: { id: string; dailyDigest: boolean }[] }).items.every((a) => !a.dailyDigest)).toBe(
      true,
    );
    await request(stack.app)
      .post(`/api/agencies/${POLICE}/daily-digest`)
      .set(stack.users['demo-admin']!.headers)
      .send({ enabled: true })
      .expect(403);
    const on = await request(stack.app)
      .post(`/api/agencies/${POLICE}/daily-digest`)
      .set(systemAdmin())
      .send({ enabled: true })
      .expect(200);
    expect(on.body).toMatchObject({ id: POLICE, dailyDigest: true, timeZone: ZONE });

    // The first morning: the police have nothing yet, so nothing is sent.
    let date = localDateOf(await now(), ZONE);
    if (Date.parse(instantOfLocal(date, '07:00', ZONE)) <= Date.parse(await now())) date = addDays(date, 1);
    await passMorning(date);
    expect(digests()).toHaveLength(0);

    // A case identified ten days ago: its CP request (14 days) is due within the week.
    const opened = await request(stack.app)
      .post('/api/cases')
      .set(stack.as('law_enforcement'))
      .set('Idempotency-Key', key())
      .send({
        // As that day began where the police work, by the hour: its deadlines are the instants read below (one
        // identified by its day alone is due all of its last day since session 49: test/cases/suites/days-due-all-day.ts).
        identifiedAt: `${addDays(localDateOf(await now(), ZONE), -10)}T00:00`,
        survivor: { name: 'Digest Test Person', birthDate: '1985-05-05' },
        agencies: DEMO_AGENCIES,
      })
      .expect(201);
    const { caseId, reference } = opened.body as { caseId: string; reference: string };

    // Each morning for a week, exactly one digest listing exactly the items of that day, grouped by case.
    const seen: string[] = [];
    for (let day = 1; day <= 7; day += 1) {
      date = addDays(date, 1);
      const expected = await expectedItems(date);
      await passMorning(date);
      const sent = await eventually(() => {
        const found = digests().filter((m) => m.subject.startsWith(`Daily digest ${formatCalendarDay(date)}:`));
        return expected.length === 0 || found.length > 0 ? found : undefined;
      }, `the digest email of ${date}`);
      expect(sent).toHaveLength(expected.length === 0 ? 0 : 1);
      if (sent[0]) {
        expect(listedItems(sent[0].text)).toEqual(expected);
        expect(sent[0].text).toContain(`/cases/${caseId}`);
        expect(sent[0].text).not.toContain('Digest Test Person');
        expect(sent[0].text).not.toContain('1985-05-05');
        seen.push(...expected);
      }
    }
    // The week went from "due this week" to "due today" to "overdue".
    expect(seen).toEqual(expect.arrayContaining([`${reference} Overdue: Continued Presence request`]));
    expect(seen).toEqual(expect.arrayContaining([`${reference} Due this week: Continued Presence request`]));
    expect(new Set(digests().map((m) => m.subject.split(':')[0])).size).toBe(digests().length);

    // The due notice of the CP request went into the digest, not out on its own; its escalation still went out.
    const { items } = await listNotifications(stack.pool, { caseId, limit: 100 });
    const cp = items.filter((n) => n.stepId === 'cp_request-1');
    expect(cp.find((n) => n.kind === 'due')).toMatchObject({ recipientAgencyId: POLICE, recipientEmail: null });
    expect(cp.find((n) => n.kind === 'escalation')?.recipientEmail).not.toBeNull();
    const own = stack.mail
      .messages()
      .filter((m) => m.subject.includes(reference) && m.to.join(',').includes(policeEmail));
    // Entered ten days after the identification, the case told the police once what had passed, in a digest's "Brought
    // up to date" section, not by email of its own; every reminder since went into the digest too.
    expect(own.filter((m) => !/^Daily digest/.test(m.subject))).toEqual([]);
    const told = digests().filter((m) => m.text.includes(`\n- ${reference}: `));
    expect(told).toHaveLength(1);
    expect(told[0]!.subject).toContain('Brought up to date: 1');
  });

  test('an SMTP outage delays a digest; it is then sent exactly once, and the next day as usual', async () => {
    const today = localDateOf(await now(), ZONE);
    const date = Date.parse(instantOfLocal(today, '07:00', ZONE)) > Date.parse(await now()) ? today : addDays(today, 1);
    const expected = await expectedItems(date);
    expect(expected.length).toBeGreaterThan(0);
    const row = () =>
      stack.pool
        .query<{ attempts: number; sent_at: Date | null }>(
          'SELECT attempts, sent_at FROM notifications WHERE case_id = $1 AND alarm_id = $2',
          [`digest:${POLICE}`, date],
        )
        .then((result) => result.rows[0]);

    await stack.mail.setDown(true);
    try {
      const morning = Date.parse(instantOfLocal(date, '07:00', ZONE));
      await stack.env.sleep(morning + MINUTE - (await stack.env.currentTimeMs()));
      await eventually(async () => ((await row())?.attempts ?? 0) >= 1 || undefined, 'a failed attempt');
      expect((await row())?.sent_at).toBeNull();
      expect(digests().filter((m) => m.subject.startsWith(`Daily digest ${formatCalendarDay(date)}:`))).toHaveLength(0);
    } finally {
      await stack.mail.setDown(false);
    }
    // The delivery's retry (backoff of at most 30 minutes) goes through once SMTP is back.
    await stack.env.sleep(3600 * 1000);
    await eventually(async () => (await row())?.sent_at ?? undefined, 'the digest after the outage');
    await passMorning(addDays(date, 1));
    await eventually(
      () =>
        digests().some((m) => m.subject.startsWith(`Daily digest ${formatCalendarDay(addDays(date, 1))}:`)) ||
        undefined,
      'the next day',
    );
    expect(digests().filter((m) => m.subject.startsWith(`Daily digest ${formatCalendarDay(date)}:`))).toHaveLength(1);
    expect(
      digests().filter((m) => m.subject.startsWith(`Daily digest ${formatCalendarDay(addDays(date, 1))}:`)),
    ).toHaveLength(1);
  });

  test('a reminder is emailed at once or listed in the very next digest, never missing from both', async () => {
    const today = localDateOf(await now(), ZONE);
    const day1 = addDays(today, 1);
    const day2 = addDays(today, 2);
    // Reminded at 03:00 on day 1, its step due at 03:00 a week later: the next digest (day 1's, at 07:00) lists "this
    // week" up to the start of day 8 only, so it cannot carry this one.
    const early = await caseRemindedAt(instantOfLocal(day1, '03:00', ZONE));
    // Reminded at noon on day 1: the next digest is day 2's, whose week runs to the start of day 9.
    const noon = await caseRemindedAt(instantOfLocal(day1, '12:00', ZONE));
    const cp = (reference: string) => `${reference} Due this week: Continued Presence request`;

    const earlyReminder = await reminderRaised(early.caseId, instantOfLocal(day1, '03:00', ZONE));
    await passMorning(day1);
    const day1Digest = await eventually(() => digestOf(day1), `the digest of ${day1}`);
    // Never missing from both: emailed on its own, or listed in that very digest.
    const listed = listedItems(day1Digest.text).includes(cp(early.reference));
    expect(earlyReminder.recipientEmail !== null || listed).toBe(true);
    // Which of the two follows from the rule: that digest's week ends as day 8 begins, so it went out at once.
    expect(earlyReminder.recipientEmail).toBe(policeEmail);
    await eventually(() => emailsOf(earlyReminder).length > 0 || undefined, 'the early reminder email');
    expect(emailsOf(earlyReminder)).toHaveLength(1);
    expect(await digestDateOf(earlyReminder)).toBeNull();

    const noonReminder = await reminderRaised(noon.caseId, instantOfLocal(day1, '12:00', ZONE));
    expect(noonReminder).toMatchObject({ recipientAgencyId: POLICE, recipientEmail: null });
    expect(await digestDateOf(noonReminder)).toBe(day2);
    await passMorning(day2);
    const day2Digest = await eventually(() => digestOf(day2), `the digest of ${day2}`);
    expect(listedItems(day2Digest.text)).toEqual(expect.arrayContaining([cp(noon.reference), cp(early.reference)]));
    expect(day2Digest.text).not.toContain('Folded Reminder Person');
    expect(emailsOf(noonReminder)).toHaveLength(0);
  });

  test('turned off, the digest stops and the reminders go out on their own again', async () => {
    await request(stack.app)
      .post(`/api/agencies/${POLICE}/daily-digest`)
      .set(systemAdmin())
      .send({ enabled: false })
      .expect(200);
    const before = digests().length;
    const description = await stack.client.workflow.getHandle(digestWorkflowIdOf(POLICE)).describe();
    expect(description.status.name).toBe('TERMINATED');
    await stack.env.sleep(2 * 24 * 3600 * 1000);
    expect(digests()).toHaveLength(before);
  });

  test('turned off before its next digest, the reminders folded into it are emailed once, and once only', async () => {
    await request(stack.app)
      .post(`/api/agencies/${POLICE}/daily-digest`)
      .set(systemAdmin())
      .send({ enabled: true })
      .expect(200);
    const today = localDateOf(await now(), ZONE);
    const remindAt = instantOfLocal(addDays(today, 1), '12:00', ZONE);
    const opened = await caseRemindedAt(remindAt);
    const folded = await reminderRaised(opened.caseId, remindAt);
    expect(folded.recipientEmail).toBeNull();
    expect(await digestDateOf(folded)).toBe(addDays(today, 2));
    expect(emailsOf(folded)).toHaveLength(0);
    // The reminders earlier digests listed (those digests were sent) stay in the app only.
    const { items } = await listNotifications(stack.pool, { agencyId: POLICE, limit: 500 });
    const listedBefore = items.filter((n) => n.caseId !== opened.caseId && n.recipientEmail === null);
    expect(listedBefore.length).toBeGreaterThan(0);
    const policeMail = () => stack.mail.messages().filter((m) => m.to.join(',').includes(policeEmail)).length;
    const before = policeMail();
    const row = async () =>
      (await listNotifications(stack.pool, { caseId: opened.caseId, limit: 100 })).items.find(
        (n) => n.id === folded.id,
      );

    const turnOff = () =>
      request(stack.app).post(`/api/agencies/${POLICE}/daily-digest`).set(systemAdmin()).send({ enabled: false });
    await turnOff().expect(200);
    const [sent] = await eventually(() => (emailsOf(folded).length > 0 ? emailsOf(folded) : undefined), 'the email');
    expect(sent!.text).toContain(opened.reference);
    expect(sent!.text).toContain(`/cases/${opened.caseId}`);
    expect(sent!.text).not.toContain('Folded Reminder Person');
    expect(sent!.text).not.toContain('1984-04-04');
    expect(await row()).toMatchObject({ recipientEmail: policeEmail });
    await eventually(async () => (await row())?.sentAt ?? undefined, 'the reminder marked sent');

    // Turned off again, as a retry would: nothing more, then or later.
    await turnOff().expect(200);
    await stack.env.sleep(3600 * 1000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(emailsOf(folded)).toHaveLength(1);
    expect(policeMail()).toBe(before + 1);
    for (const listed of listedBefore) expect(emailsOf(listed)).toHaveLength(0);
  });
});
