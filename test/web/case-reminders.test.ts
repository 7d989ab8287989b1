/**
 * The case page shows the case's coming reminders in words: when, what, to whom and their status, as the API lists
 * them for the signed-in user. The whole service on real parts, the console calling the API over HTTP.
 */
import request from 'supertest';
import { DEMO_AGENCIES, DEMO_AGENCY_LIST } from '../../db/seed';
import { addDays, dateOf } from '../../domain/dates';
import { formatDate, formatDateTime, formatDueDate } from '../../core/people-dates';
import { SESSION_COOKIE } from '../../web/session';
import { consoleStackPerFile } from '../support/console';

const service = consoleStackPerFile();

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
