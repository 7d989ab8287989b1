/**
 * The case page shows the case's coming reminders in words: when, what, to whom and their status, as the API lists
 * them for the signed-in user. The whole service on real parts, the console calling the API over HTTP.
 */
import request from 'supertest';
import { upsertAgencies } from '../../db/agencies';
import { listNotifications } from '../../db/notifications';
import { DEMO_AGENCIES, DEMO_AGENCY_LIST } from '../../db/seed';
import { addDays, dateOf } from '../../domain/dates';
import { formatDate, formatDateTime, formatDueDate } from '../../core/people-dates';
import { SESSION_COOKIE } from '../../web/session';
import { consoleStackPerFile } from '../support/console';
import { eventually } from '../support/stack';

const service = consoleStackPerFile();
const DAY = 24 * 3600 * 1000;

test('the case page lists coming reminders in words, with when, to whom and their status', async () => {
  const opened = await request(service.app)
    .post('/api/cases')
    .set(service.stack.as('law_enforcement'))
    .set('Idempotency-Key', 'console-reminders-1')
    .send({
      // As the day began, by the hour: the CP request passes at an instant, a midnight (one identified by its day
      // alone is due all of its last day since session 49, its "Deadline reached" once that day has ended).
      identifiedAt: `${dateOf(new Date(await service.stack.env.currentTimeMs()).toISOString())}T00:00`,
      survivor: { name: 'Test Survivor (fictitious)', birthDate: '1991-02-03' },
      agencies: DEMO_AGENCIES,
    })
    .expect(201);
  const { caseId, steps } = opened.body as { caseId: string; steps: { id: string; dueAt: string | null }[] };
  const cpDueAt = steps.find((step) => step.id === 'cp_request-1')!.dueAt!;

  const page = await request(service.app)
    .get(`/cases/${caseId}`)
    .set('Cookie', `${SESSION_COOKIE}=${service.sessionCookie('demo-police-officer')}`)
    .expect(200);
  expect(page.text).toContain('<h2 id="reminders-heading">Coming reminders</h2>');
  // The agency by its name; "Deadline reached" on the step's last day to act, the day its row says it is due (the
  // demo agencies have no zone: the deployment's UTC), not the day of the instant it passes at, the day after.
  const police = DEMO_AGENCY_LIST.find((agency) => agency.id === DEMO_AGENCIES.law_enforcement)!.name;
  const lastDay = formatDueDate(cpDueAt, 'UTC');
  expect(lastDay).not.toBe(formatDate(cpDueAt, 'UTC'));
  expect(page.text).toContain(`<span class="date">${lastDay}</span>`);
  const row = `<tr><td data-label="When"><time class="date" datetime="${cpDueAt}">${lastDay}</time></td><td data-label="What">Deadline reached: Continued Presence request</td><td data-label="To agency">${police}</td><td data-label="Status"><span class="status">Scheduled</span></td></tr>`;
  expect(page.text).toContain(row);
});

test('a minor\'s 24-hour notice: its reminder and escalation at their hour, as its "Deadline reached" (probe)', async () => {
  const identifiedOn = dateOf(new Date(await service.stack.env.currentTimeMs()).toISOString());
  const opened = await request(service.app)
    .post('/api/cases')
    .set(service.stack.as('law_enforcement'))
    .set('Idempotency-Key', 'console-reminders-minor')
    .send({
      identifiedOn,
      survivor: { name: 'Minor Reminders (fictitious)', birthDate: addDays(identifiedOn, -15 * 366) },
      agencies: DEMO_AGENCIES,
    })
    .expect(201);
  const { caseId } = opened.body as { caseId: string };
  const listed = await request(service.app)
    .get(`/api/cases/${caseId}/reminders`)
    .set(service.stack.as('coordinator'))
    .expect(200);
  const alarms = (listed.body as { items: { at: string; kind: string; stepKind: string; about: string }[] }).items
    .filter((r) => r.stepKind === 'hhs_minor_notification' && r.about === 'hhs_minor_notification')
    .map((r) => ({ kind: r.kind, at: r.at }));
  // Due as the next day begins; its half-way reminder (noon) is listed too while it is to come, or once sent.
  expect(alarms.map((r) => r.kind)).toEqual(expect.arrayContaining(['due', 'escalation']));

  const page = await request(service.app)
    .get(`/cases/${caseId}`)
    .set('Cookie', `${SESSION_COOKIE}=${service.sessionCookie('demo-coordinator')}`)
    .expect(200);
  // Each at its hour in the reader's zone words (the demo agencies': UTC), never the day alone.
  for (const { at } of alarms) {
    const when = formatDateTime(at, 'UTC');
    expect(when).toMatch(/, \d\d:\d\d UTC$/);
    expect(page.text).toContain(`<td data-label="When"><time class="date" datetime="${at}">${when}</time></td>`);
  }
});

test('a reminder a mail outage held back until a transfer moved its step reads why it was not sent on the case page, not "the step was done"', async () => {
  const { stack } = service;
  const NEW_POLICE = { id: 'k11-new-police', email: 'unit@k11-new-police.example.gov' };
  await upsertAgencies(stack.pool, [
    { id: NEW_POLICE.id, kind: 'law_enforcement', name: 'K11 New Police (fictitious)', email: NEW_POLICE.email },
  ]);
  // Identified early on a day (a minor's 24 hours count from its start): the half-way reminder is still ahead.
  await stack.env.sleep(DAY - ((await stack.env.currentTimeMs()) % DAY) + 60_000);
  const identifiedOn = dateOf(new Date(await stack.env.currentTimeMs()).toISOString());
  const opened = await request(service.app)
    .post('/api/cases')
    .set(stack.as('law_enforcement'))
    .set('Idempotency-Key', 'console-reminders-moved')
    .send({
      identifiedOn,
      survivor: { name: 'Moved Reminder (fictitious)', birthDate: addDays(identifiedOn, -15 * 366) },
      agencies: DEMO_AGENCIES,
    })
    .expect(201);
  const { caseId, steps } = opened.body as { caseId: string; steps: { id: string; dueAt: string | null }[] };
  const notice = steps.find((step) => step.id === 'hhs_minor_notification-1')!;
  const reminderOf = async () =>
    (await listNotifications(stack.pool, { caseId, limit: 100 })).items.find(
      (n) => n.stepId === notice.id && n.kind === 'reminder',
    );
  await stack.mail.setDown(true);
  try {
    // Half-way through the 24 hours: the reminder to the police is raised, and its sends fail.
    await stack.env.sleep(Date.parse(notice.dueAt!) - DAY / 2 + 60_000 - (await stack.env.currentTimeMs()));
    await eventually(async () => ((await reminderOf())?.attempts ?? 0) >= 1, 'a failed attempt of the reminder');
    // The coordinator hands the police part to another agency before the mail server is back.
    await request(service.app)
      .post(`/api/cases/${caseId}/transfers`)
      .set(stack.as('coordinator'))
      .set('Idempotency-Key', 'console-reminders-moved-transfer')
      .send({ agencyKind: 'law_enforcement', toAgencyId: NEW_POLICE.id, reason: 'moved_jurisdiction' })
      .expect(200);
  } finally {
    await stack.mail.setDown(false);
  }
  // The retry finds the step held by the new police: settled as not sent, its row saying why.
  await stack.env.sleep(3600 * 1000);
  await eventually(async () => (await reminderOf())?.lastError?.startsWith('not sent'), 'the reminder settled');
  const moved = 'not sent: the step moved to another agency before the email could go out';

  const listed = await request(service.app)
    .get(`/api/cases/${caseId}/reminders`)
    .set(stack.as('coordinator'))
    .expect(200);
  const items = (listed.body as { items: { kind: string; stepId: string; status: string; notSentReason: unknown }[] })
    .items;
  expect(items.filter((r) => r.stepId === notice.id && r.kind === 'reminder')).toEqual([
    expect.objectContaining({ status: 'not_sent', notSentReason: moved }),
  ]);
  expect(items.filter((r) => r.status !== 'not_sent').map((r) => r.notSentReason)).not.toContain(
    expect.any(String) as unknown,
  );

  const page = await request(service.app)
    .get(`/cases/${caseId}`)
    .set('Cookie', `${SESSION_COOKIE}=${service.sessionCookie('demo-coordinator')}`)
    .expect(200);
  expect(page.text).toContain(
    '<td data-label="Status"><span class="status">Not sent: the step moved to another agency before the email could go out</span></td>',
  );
  expect(page.text).not.toContain('the step was done before the email could go out');
});

test('a reminder held while a case is entered after the fact says so in words, not "the end of the entry session" (probe)', async () => {
  const today = dateOf(new Date(await service.stack.env.currentTimeMs()).toISOString());
  const opened = await request(service.app)
    .post('/api/cases')
    .set(service.stack.as('law_enforcement'))
    .set('Idempotency-Key', 'console-reminders-held')
    .send({
      identifiedAt: `${addDays(today, -4)}T00:00`,
      survivor: { name: 'Held Reminder (fictitious)', birthDate: '1988-08-08' },
      agencies: DEMO_AGENCIES,
    })
    .expect(201);
  const { caseId } = opened.body as { caseId: string };
  const signOff = (as: 'law_enforcement' | 'ice', stepId: string, body: object) =>
    request(service.app)
      .post(`/api/cases/${caseId}/steps/${stepId}/sign-off`)
      .set(service.stack.as(as))
      .set('Idempotency-Key', `console-reminders-held-${stepId}`)
      .send(body)
      .expect(200);
  await signOff('law_enforcement', 'cp_request-1', {
    outcome: 'requested',
    details: { requestedOn: addDays(today, -4) },
  });
  // Granted three days ago, valid for 23 more: every lead is behind it, so it is announced once, held for the entries.
  await signOff('ice', 'cp_decision-1', {
    outcome: 'granted',
    details: { grantedOn: addDays(today, -3), validUntil: addDays(today, 23) },
  });
  const listed = await request(service.app)
    .get(`/api/cases/${caseId}/reminders`)
    .set(service.stack.as('coordinator'))
    .expect(200);
  expect((listed.body as { items: { status: string }[] }).items.map((r) => r.status)).toContain('held');

  const page = await request(service.app)
    .get(`/cases/${caseId}`)
    .set('Cookie', `${SESSION_COOKIE}=${service.sessionCookie('demo-coordinator')}`)
    .expect(200);
  expect(page.text).toContain(
    '<td data-label="Status"><span class="status">Held while past events of this case are entered; sent after the last one, if still needed</span></td>',
  );
  expect(page.text).not.toMatch(/entry session/i);
});
