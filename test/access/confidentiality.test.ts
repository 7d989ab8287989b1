/**
 * The survivor's identity is stored once, sealed, in survivors.identity_ciphertext, and nowhere else: a case is
 * driven through the API (opened, its survivor read, steps signed, reminders sent, requests refused), then every
 * place the service writes to is scanned for the survivor's name, birth date, A-number and contact: every row of
 * every table, the dev server's SQLite file, the case's Temporal history read without the codec, every captured
 * email and every log line. With TEMPORAL_ADDRESS set, the same case also runs on that real server and its
 * history is scanned too. A minor's case is scanned for the 18th birthday and its reminder leads in its search
 * attributes and the server's store, which only the dev server (search attributes on) has. Every agency's calendar
 * feed is scanned for both.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { workflowIdOf } from '../../workflows/contract';
import { listNotifications } from '../../db/notifications';
import { DEMO_AGENCIES } from '../../db/seed';
import { addDays, addYears, dateOf } from '../../domain/dates';
import { DEFAULT_POLICY, policyWithOverrides } from '../../domain/policy';
import { AGENCY_KINDS, type AgencyKind } from '../../domain/types';
import { TEST_PASSWORD } from '../support/auth';
import { databaseRows, dateForms, logCapture, needlesIn, storedHistory, unsealedPayloads } from '../support/scan';
import { eventually, startStack, type Stack } from '../support/stack';

const SURVIVOR = {
  name: 'Zofia Quetzal-Brightwater',
  birthDate: '1987-07-19',
  aNumber: 'A208519374',
  contact: 'zq.survivor@example.net',
};

/** Every form the identity could take in text: the whole and its parts, dates as ISO, US and compact. */
const NEEDLES = [
  SURVIVOR.name,
  'Zofia',
  'Quetzal',
  'Brightwater',
  SURVIVOR.birthDate,
  '07/19/1987',
  '19870719',
  SURVIVOR.aNumber,
  '208519374',
  SURVIVOR.contact,
  'zq.survivor',
].map((needle) => needle.toLowerCase());

const leaksIn = (text: string) => needlesIn(NEEDLES, text);

// Seconds instead of days, so reminders fire on a real-time server while the test waits.
const SHORT_POLICY = policyWithOverrides({
  version: 'test-confidentiality',
  sla: { cp_request: { days: 2 / 86_400, source: 'test: two seconds' } },
  reminders: { cp_request: { beforeDueDays: [], atDue: true, escalateAfterDays: [1 / 86_400], source: 'test' } },
});

let tempDir: string;
let stack: Stack;
let log: ReturnType<typeof logCapture>;
beforeAll(async () => {
  tempDir = mkdtempSync(join(tmpdir(), 'confidentiality-'));
  log = logCapture();
  stack = await startStack({
    server: 'dev',
    temporalDbFile: join(tempDir, 'temporal.db'),
    log: { level: 'trace', destination: log.destination },
  });
  stack.setPolicy(SHORT_POLICY);
});
afterAll(async () => {
  await stack?.stop();
  rmSync(tempDir, { recursive: true, force: true });
});

let keys = 0;
const key = () => `confidentiality-${(keys += 1)}`;

/** Every agency's calendar feed (app/calendar-feeds.ts), as one of its users subscribes to it: the iCalendar text. */
async function feedsOf(on: Stack): Promise<string> {
  const feeds: string[] = [];
  for (const kind of AGENCY_KINDS) {
    const made = await request(on.app)
      .post('/api/me/calendar-feeds')
      .set(on.as(kind))
      .send({ label: 'scan', currentPassword: TEST_PASSWORD })
      .expect(201);
    const { pathname } = new URL((made.body as { url: string }).url);
    feeds.push((await request(on.app).get(pathname).expect(200)).text);
  }
  return feeds.join('\n');
}

/**
 * Drives one case as the demo users: opened, its survivor read, refused twice (422 and 403), reminded and escalated,
 * three steps signed. Returns the case id once both emails went out.
 */
async function driveCase(on: Stack): Promise<{ caseId: string; reference: string }> {
  const as = (kind: AgencyKind) => on.as(kind);
  const today = new Date().toISOString().slice(0, 10);
  const inAYear = new Date(Date.now() + 365 * 24 * 3600 * 1000).toISOString().slice(0, 10);
  // Identified now, so the short clocks of the policy run from now and their alarms fire while the test waits.
  const opening = { identifiedAt: new Date().toISOString(), survivor: SURVIVOR, agencies: DEMO_AGENCIES };

  // Refused with the identity in the body: the refusal must not echo it anywhere.
  await request(on.app)
    .post('/api/cases')
    .set(as('law_enforcement'))
    .set('Idempotency-Key', key())
    .send({ ...opening, agencies: { ...DEMO_AGENCIES, ice: 'no-such-agency' } })
    .expect(422);
  await request(on.app).post('/api/cases').set(as('hhs')).set('Idempotency-Key', key()).send(opening).expect(403);

  const opened = await request(on.app)
    .post('/api/cases')
    .set(as('law_enforcement'))
    .set('Idempotency-Key', key())
    .send(opening)
    .expect(201);
  const { caseId, reference } = opened.body as { caseId: string; reference: string };

  // The identity IS stored: those working the case read it back.
  const survivor = await request(on.app).get(`/api/cases/${caseId}/survivor`).set(as('advocate')).expect(200);
  expect(survivor.body).toEqual({ ...SURVIVOR, corrections: 0 });
  await request(on.app).get(`/api/cases/${caseId}/survivor`).set(on.users['demo-admin']!.headers).expect(403);

  const signOff = (kind: AgencyKind, stepId: string, body: object) =>
    request(on.app)
      .post(`/api/cases/${caseId}/steps/${stepId}/sign-off`)
      .set(as(kind))
      .set('Idempotency-Key', key())
      .send(body);
  await signOff('law_enforcement', 'cp_request-1', {
    outcome: 'requested',
    details: { requestedOn: 'yesterday' },
  }).expect(422);
  await signOff('ice', 'cp_request-1', { outcome: 'requested', details: { requestedOn: today } }).expect(404);

  // The CP request comes due (police) and is escalated (task force) before anyone signs it.
  await eventually(
    async () => {
      const { items } = await listNotifications(on.pool, { caseId, limit: 10 });
      return items.filter((n) => n.sentAt).length >= 2 || undefined;
    },
    'the due notice and the escalation',
    30_000,
  );

  await signOff('law_enforcement', 'cp_request-1', { outcome: 'requested', details: { requestedOn: today } }).expect(
    200,
  );
  await signOff('ice', 'cp_decision-1', { outcome: 'granted', details: { validUntil: inAYear } }).expect(200);
  await signOff('advocate', 'hhs_certification_request-1', {
    outcome: 'requested',
    details: { requestedOn: today },
  }).expect(200);
  await request(on.app).get(`/api/cases/${caseId}`).set(as('coordinator')).expect(200);
  return { caseId, reference };
}

test("the survivor's identity appears nowhere but in the sealed column", async () => {
  const { caseId, reference } = await driveCase(stack);

  const sealed = await stack.pool.query<{ bytes: number }>(
    'SELECT octet_length(identity_ciphertext) AS bytes FROM survivors WHERE case_id = $1',
    [caseId],
  );
  expect(sealed.rows[0]?.bytes).toBeGreaterThan(0);

  const rows = await databaseRows(stack);
  const rowLeaks = rows.flatMap((row) => leaksIn(row.text).map((needle) => `${row.table}: ${needle}`));
  // The scan reads what it should: the case's own rows are among them.
  expect(rows.filter((row) => row.text.includes(caseId)).length).toBeGreaterThan(5);

  // Read while the server runs: its WAL holds what is not yet checkpointed, and reading both sees every page.
  const sqliteFiles = readdirSync(tempDir).filter((name) => name.startsWith('temporal.db'));
  const sqlite = Buffer.concat(sqliteFiles.map((name) => readFileSync(join(tempDir, name)))).toString('latin1');
  expect(sqlite).toContain(workflowIdOf(caseId));

  const history = await storedHistory(stack, caseId);
  expect(history.encodings.filter(({ encoding }) => encoding === 'binary/encrypted').length).toBeGreaterThan(10);
  expect(unsealedPayloads(history.encodings)).toEqual([]);

  const emails = stack.mail.messages();
  const emailText = emails.map((message) => JSON.stringify(message));
  expect(emailText.filter((text) => text.includes(reference)).length).toBeGreaterThanOrEqual(2);

  const feeds = await feedsOf(stack);
  expect(feeds).toContain(reference);

  const logLines = [...log.lines];
  expect(logLines.some((line) => line.includes(caseId))).toBe(true);

  const leaks = {
    rows: rowLeaks,
    sqlite: leaksIn(sqlite),
    history: leaksIn(history.text),
    emails: emailText.flatMap(leaksIn),
    logs: logLines.flatMap(leaksIn),
    feeds: leaksIn(feeds),
  };
  console.log(
    `confidentiality scan: ${rows.length} rows (${new Set(rows.map((r) => r.table)).size} tables), ` +
      `${sqlite.length} bytes of SQLite (${sqliteFiles.join(', ')}), ${history.text.length} bytes of history (${history.encodings.length} payloads), ` +
      `${emails.length} emails, ${logLines.length} log lines, ${feeds.length} bytes of calendar feeds; hits: ${JSON.stringify(leaks)}`,
  );
  expect(leaks).toEqual({ rows: [], sqlite: [], history: [], emails: [], logs: [], feeds: [] });

  const address = process.env.TEMPORAL_ADDRESS;
  if (address) {
    const real = await startStack({ temporalAddress: address });
    try {
      real.setPolicy(SHORT_POLICY);
      const onReal = await driveCase(real);
      const stored = await storedHistory(real, onReal.caseId);
      expect(unsealedPayloads(stored.encodings)).toEqual([]);
      console.log(
        `confidentiality scan on ${address}: ${stored.text.length} bytes of history; hits: ${JSON.stringify(leaksIn(stored.text))}`,
      );
      expect(leaksIn(stored.text)).toEqual([]);
    } finally {
      await real.stop();
    }
  }
});

test("a minor's 18th birthday and its reminder leads are in no search attribute, nor anywhere in the server's store", async () => {
  const now = new Date().toISOString();
  const birthday = addDays(dateOf(now), 200);
  const derived = [
    birthday,
    ...DEFAULT_POLICY.expiryLeads.minorTurns18.leadDays.map((lead) => addDays(birthday, -lead)),
  ];
  const opened = await request(stack.app)
    .post('/api/cases')
    .set(stack.as('law_enforcement'))
    .set('Idempotency-Key', key())
    .send({
      identifiedAt: now,
      survivor: { name: 'Minor Scan Person', birthDate: addYears(birthday, -18) },
      agencies: DEMO_AGENCIES,
    })
    .expect(201);
  const { caseId, path, steps } = opened.body as {
    caseId: string;
    path: string;
    steps: { status: string; dueAt: string | null; expiresAt: string | null }[];
  };
  expect(path).toBe('minor');
  // The case's own dates are not derived from the birthday; if one fell on a needle the scan could not tell.
  const ownDates = new Set([
    dateOf(now),
    ...steps.flatMap((step) => [step.dueAt, step.expiresAt]).flatMap((at) => (at ? [dateOf(at)] : [])),
  ]);
  expect(derived.filter((date) => ownDates.has(date))).toEqual([]);

  // The scan reads what it should: the case's search attributes, once its first projection has set them.
  const searchAttributes = await eventually(async () => {
    const { searchAttributes: found } = await stack.client.workflow.getHandle(workflowIdOf(caseId)).describe();
    return found['NextDueAt'] && found['PendingStepKinds'] ? found : undefined;
  }, 'the case search attributes');
  const sqliteFiles = readdirSync(tempDir).filter((name) => name.startsWith('temporal.db'));
  const sqlite = Buffer.concat(sqliteFiles.map((name) => readFileSync(join(tempDir, name)))).toString('latin1');
  expect(sqlite).toContain(workflowIdOf(caseId));

  // And would find a date there: the next due date it carries is found in the same way.
  const nextDueAt = searchAttributes['NextDueAt']![0] as Date;
  expect(needlesIn(dateForms(dateOf(nextDueAt.toISOString())), JSON.stringify(searchAttributes))).not.toEqual([]);

  // The feeds list the case (the HHS notice is due), and would show a date in its compact iCalendar form.
  const feeds = await feedsOf(stack);
  expect(feeds).toContain(caseId);
  const notice = steps.find((step) => step.status === 'pending' && step.dueAt !== null)!;
  expect(needlesIn(dateForms(dateOf(notice.dueAt!)), feeds)).not.toEqual([]);

  const needles = [...derived.flatMap(dateForms), 'minor scan person'];
  expect({
    searchAttributes: needlesIn(needles, JSON.stringify(searchAttributes)),
    sqlite: needlesIn(needles, sqlite),
    feeds: needlesIn(needles, feeds),
  }).toEqual({ searchAttributes: [], sqlite: [], feeds: [] });
});
