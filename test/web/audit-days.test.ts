/**
 * The audit trail page's "From" and "To" are whole days where the reader is (the "When" column's zone): "To" counts
 * its day whole, so one day as both shows that day's events, and a "To" before "From" is still refused in words.
 */
import request from 'supertest';
import { localDateOf } from '../../core/time-zones';
import { addDays } from '../../domain/dates';
import { SESSION_COOKIE } from '../../web/session';
import { consoleStackPerFile, openDemoCase } from '../support/console';

const suite = consoleStackPerFile();
let reference = '';
let today = '';

beforeAll(async () => {
  reference = (await openDemoCase(suite, 'audit-days-1', { identifiedOn: '2025-11-03', name: 'Audit Days' })).reference;
  const me = await request(suite.app).get('/api/me').set(suite.stack.users['demo-supervisor']!.headers).expect(200);
  today = localDateOf(new Date().toISOString(), (me.body as { timeZone: string }).timeZone);
});

const auditPage = (query: Record<string, string>) =>
  request(suite.app)
    .get(`/audit?${new URLSearchParams({ caseReference: reference, ...query }).toString()}`)
    .set('Cookie', `${SESSION_COOKIE}=${suite.sessionCookie('demo-supervisor')}`);

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
  const coordinator = suite.stack.users['demo-coordinator']!;
  await request(suite.app).get('/api/audit').set(coordinator.headers).expect(403);
  const page = await request(suite.app)
    .get(`/audit?${new URLSearchParams({ userId: coordinator.user.id, outcome: 'denied' }).toString()}`)
    .set('Cookie', `${SESSION_COOKIE}=${suite.sessionCookie('demo-supervisor')}`)
    .expect(200);
  expect(page.text).toContain('<td data-label="Action">Read the audit trail</td>');
  expect(page.text).not.toContain('Request GET');
  expect(page.text).toContain('Showing the events of <bdi>demo-coordinator</bdi> only.');
});
