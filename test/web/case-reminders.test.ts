/**
 * The case page shows the case's coming reminders in words: when, what, to whom and their status, as the API lists
 * them for the signed-in user. The whole service on real parts, the console calling the API over HTTP.
 */
import request from 'supertest';
import { DEMO_AGENCIES, DEMO_AGENCY_LIST } from '../../db/seed';
import { dateOf } from '../../domain/dates';
import { formatDate, formatDueDate } from '../../core/people-dates';
import { SESSION_COOKIE } from '../../web/session';
import { consoleStackPerFile } from '../support/console';

const service = consoleStackPerFile();

test('the case page lists coming reminders in words, with when, to whom and their status', async () => {
  const opened = await request(service.app)
    .post('/api/cases')
    .set(service.stack.as('law_enforcement'))
    .set('Idempotency-Key', 'console-reminders-1')
    .send({
      identifiedOn: dateOf(new Date(await service.stack.env.currentTimeMs()).toISOString()),
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
