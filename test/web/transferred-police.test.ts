/**
 * What a police agency a case was transferred to sees of it (probe E2): the identification its own deadlines count
 * from, as the police that identified the survivor saw it (the API's case view, the case page's Intake track and
 * timeline), and the steps that identification opened on a day typed as that day, not at the hour the day began where
 * the identifying police work ("2 Dec 2026, 18:00 CST"). The agency it was transferred from still gets 403. The whole
 * service on real parts; the new police works in Chicago, the demo police's day begins at midnight UTC.
 */
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { upsertAgencies } from '../../db/agencies';
import { formatCalendarDay } from '../../core/people-dates';
import { addDays, dateOf } from '../../domain/dates';
import { DEMO_AGENCIES } from '../../db/seed';
import { SESSION_COOKIE } from '../../web/session';
import { createWorker, type TestUser } from '../support/auth';
import { consoleStackPerFile, openDemoCase } from '../support/console';

const suite = consoleStackPerFile();
const NEW_POLICE = 'new-police';
let newPolice: TestUser;
let newPoliceCookie: string;
beforeAll(async () => {
  await upsertAgencies(suite.stack.pool, [
    {
      id: NEW_POLICE,
      kind: 'law_enforcement',
      name: 'New City Police (fictitious)',
      email: 'unit@new-police.example.gov',
      timeZone: 'America/Chicago',
    },
  ]);
  newPolice = await createWorker(suite.stack.pool, NEW_POLICE, 'law_enforcement');
  newPoliceCookie = await suite.sealToken(newPolice.token);
});

interface StepBody {
  id: string;
  kind: string;
  agencyId: string | null;
  completedAt: string | null;
  details: Record<string, unknown>;
}
interface CaseBody {
  steps: StepBody[];
  timeline: { type: string; stepId: string | null; at: string }[];
}

const today = async () => dateOf(new Date(await suite.stack.env.currentTimeMs()).toISOString());

async function transferred(key: string, identifiedOn: string): Promise<{ caseId: string; before: CaseBody }> {
  const { caseId } = await openDemoCase(suite, `transferred-police-${key}`, {
    identifiedOn,
    name: `Transferred ${key} Survivor (fictitious)`,
  });
  const before = await request(suite.app)
    .get(`/api/cases/${caseId}`)
    .set(suite.stack.as('law_enforcement'))
    .expect(200);
  await request(suite.app)
    .post(`/api/cases/${caseId}/transfers`)
    .set(suite.stack.as('coordinator'))
    .set('Idempotency-Key', randomUUID())
    .send({ agencyKind: 'law_enforcement', toAgencyId: NEW_POLICE, reason: 'moved_jurisdiction' })
    .expect(200);
  return { caseId, before: before.body as CaseBody };
}

/** The case page as the new police reads it, its tags taken out. */
async function pageText(caseId: string): Promise<string> {
  const page = await request(suite.app)
    .get(`/cases/${caseId}`)
    .set('Cookie', `${SESSION_COOKIE}=${newPoliceCookie}`)
    .expect(200);
  return page.text;
}

/** The timeline's lines as read: "<when> | <sentence>". */
function timelineLines(html: string): string[] {
  const start = html.indexOf('<ol class="timeline"');
  const list = html.slice(start, html.indexOf('</ol>', start));
  return [...list.matchAll(/<li><time[^>]*>([^<]*)<\/time>(.*?)<\/li>/gs)].map(
    ([, when = '', sentence = '']) =>
      `${when} | ${sentence
        .replace(/<[^>]+>/g, '')
        .replace(/[\u2068\u2069]/gu, '')
        .replace(/\s+/g, ' ')
        .trim()}`,
  );
}

const words = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/[\u2068\u2069]/gu, '')
    .replace(/\s+/g, ' ');

test('the police a case was transferred to sees its identification as the identifying police saw it; the old one gets 403', async () => {
  const identifiedOn = addDays(await today(), -3);
  const { caseId, before } = await transferred('intake', identifiedOn);

  const view = await request(suite.app).get(`/api/cases/${caseId}`).set(newPolice.headers).expect(200);
  const body = view.body as CaseBody;
  const identification = body.steps.find((step) => step.kind === 'identification');
  // Its day and hour, and the day its deadlines count from, as the original police read them before the transfer.
  const {
    completedBy: _by,
    overdue: _overdue,
    ...asSeenBefore
  } = before.steps.find((step) => step.kind === 'identification') as StepBody & {
    completedBy: unknown;
    overdue: unknown;
  };
  expect(identification).toMatchObject({ ...asSeenBefore, agencyId: 'demo-police' });
  expect(identification?.details).toEqual({ identifiedOn, path: 'adult' });
  expect(body.timeline.filter((entry) => entry.stepId === 'identification-1').map((entry) => entry.type)).toEqual([
    'step.opened',
    'step.completed',
  ]);

  const html = await pageText(caseId);
  expect(words(html)).toContain(`Intake Victim identification: identified ${formatCalendarDay(identifiedOn)}.`);
  expect(words(html)).toMatch(
    /Victim identification Demo City Police Department \(fictitious\) Completed Completed on/,
  );

  // Least privilege as before: the agency it was transferred from reads nothing of the case.
  const old = await request(suite.app).get(`/api/cases/${caseId}`).set(suite.stack.as('law_enforcement')).expect(403);
  expect(old.body).toMatchObject({ code: 'transferred_away' });
});

test('what the identification opened on a typed day reads as that day to the police it was transferred to', async () => {
  const identifiedOn = addDays(await today(), -3);
  const { caseId } = await transferred('typed-day', identifiedOn);

  const lines = timelineLines(await pageText(caseId));
  const day = formatCalendarDay(identifiedOn);
  for (const step of ['Continued Presence request', 'Law-enforcement declaration (Form I-914, Supplement B)']) {
    expect(lines).toContain(`${day} | ${step} opened, owed by Demo City Police Department (fictitious).`);
  }
  // Only what happened at an hour (the opening, the transfer) reads at one.
  expect(lines.filter((line) => / C[SD]T \|/.test(line)).map((line) => line.split(' | ')[1]?.split(' ')[0])).toEqual([
    'Case',
    'Case',
  ]);
});

/** A case the demo police opens under its own case number, then transferred to the new police. */
async function transferredWithNumber(reference: string, name: string): Promise<string> {
  const caseId = await openedWithNumber(reference, name);
  await transferToNewPolice(caseId).expect(200);
  return caseId;
}

/** A case the demo police opens under its own case number. */
async function openedWithNumber(reference: string, name: string): Promise<string> {
  const opened = await request(suite.app)
    .post('/api/cases')
    .set(suite.stack.as('law_enforcement'))
    .set('Idempotency-Key', randomUUID())
    .send({
      agencies: DEMO_AGENCIES,
      identifiedOn: addDays(await today(), -1),
      reference,
      survivor: { name, birthDate: '1991-02-03' },
    })
    .expect(201);
  return (opened.body as { caseId: string }).caseId;
}

const transferToNewPolice = (caseId: string) =>
  request(suite.app)
    .post(`/api/cases/${caseId}/transfers`)
    .set(suite.stack.as('coordinator'))
    .set('Idempotency-Key', randomUUID())
    .send({ agencyKind: 'law_enforcement', toAgencyId: NEW_POLICE });

const opening = (headers: { Authorization: string }, reference: string) =>
  request(suite.app)
    .post('/api/cases')
    .set(headers)
    .set('Idempotency-Key', randomUUID())
    .send({
      agencies: { ...DEMO_AGENCIES, law_enforcement: headers === newPolice.headers ? NEW_POLICE : 'demo-police' },
      identifiedOn: addDays(DAY_ZERO, 0),
      reference,
      survivor: { name: 'Opening Survivor (fictitious)', birthDate: '1992-03-04' },
      confirmNotDuplicate: true,
    });
const DAY_ZERO = '2026-11-01';

test('the case reference is the case number of the police the case was transferred to; the old one stays reserved for its agency', async () => {
  const caseId = await transferredWithNumber('PD-E2-0001', 'Numbered Survivor (fictitious)');

  // The new police may give the case its own number with a correction, as the opening police could.
  const corrected = await request(suite.app)
    .post(`/api/cases/${caseId}/survivor`)
    .set(newPolice.headers)
    .set('Idempotency-Key', randomUUID())
    .send({ contact: 'Shelter line 555-0199', reference: 'NC-E2-0001' })
    .expect(200);
  expect(corrected.body).toMatchObject({ reference: 'NC-E2-0001' });
  const read = await request(suite.app).get(`/api/cases/${caseId}`).set(newPolice.headers).expect(200);
  expect(read.body).toMatchObject({ reference: 'NC-E2-0001' });

  // The number it replaced stays the former agency's, reserved as its case's former number; the new one is the new
  // police's: another case of the new police may not open with it, a case of the former agency may.
  await opening(suite.stack.as('law_enforcement'), 'PD-E2-0001')
    .expect(409)
    .expect((res) => expect(res.body).toMatchObject({ code: 'reference_taken' }));
  await opening(newPolice.headers, 'nc-e2-0001')
    .expect(409)
    .expect((res) => expect(res.body).toMatchObject({ code: 'reference_taken' }));
  await opening(suite.stack.as('law_enforcement'), 'NC-E2-0001').expect(201);

  // The correction form offers the new police the field of its own case number.
  const form = await request(suite.app)
    .get(`/cases/${caseId}/survivor`)
    .set('Cookie', `${SESSION_COOKIE}=${newPoliceCookie}`)
    .expect(200);
  expect(form.text).toContain('name="reference"');
});

test('a case transferred with the former police’s number keeps it unique within the police it was transferred to', async () => {
  await transferredWithNumber('PD-E2-0002', 'Kept Number Survivor (fictitious)');
  // The new police now knows a case by PD-E2-0002: it may not open another under it, in any letters.
  await opening(newPolice.headers, 'pd-e2-0002')
    .expect(409)
    .expect((res) => expect(res.body).toMatchObject({ code: 'reference_taken' }));
});

/** The references not replaced that read `reference` in any letters, oldest first, with the agency holding each. */
async function holders(reference: string): Promise<{ caseId: string; holder: string }[]> {
  const { rows } = await suite.stack.pool.query<{ caseId: string; holder: string }>(
    `SELECT case_id AS "caseId", COALESCE(held_by_agency_id, opened_by_agency_id) AS holder FROM case_references
      WHERE upper(reference) = upper($1) AND replaced_at IS NULL ORDER BY created_at`,
    [reference],
  );
  return rows;
}

/**
 * Sends `write` while the transfer of `caseId` to the new police is written and not yet committed: the read model's
 * agencies changed (as the transfer's projection changes them) in a transaction of the test's own, committed once
 * `write` waits on that transaction or has answered (5 s at most). So `write` reads before the transfer commits and
 * writes after: the interleaving two requests at once may get, forced, without a lock of the test's.
 */
async function duringTransfer(caseId: string, write: () => request.Test): Promise<request.Response> {
  const transfer = await suite.stack.pool.connect();
  try {
    await transfer.query('BEGIN');
    await transfer.query(
      `UPDATE cases SET agencies = jsonb_set(agencies, '{law_enforcement}', to_jsonb($2::text)) WHERE id = $1`,
      [caseId, NEW_POLICE],
    );
    const { rows } = await transfer.query<{ xid: string }>('SELECT txid_current()::text AS xid');
    let answered = false;
    const written = write().then((res) => {
      answered = true;
      return res;
    });
    for (const until = Date.now() + 5000; !answered && Date.now() < until;) {
      const waiting = await suite.stack.pool.query(
        `SELECT 1 FROM pg_locks WHERE NOT granted AND locktype = 'transactionid' AND transactionid::text = $1`,
        [rows[0]!.xid],
      );
      if (waiting.rowCount) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await transfer.query('COMMIT');
    return await written;
  } catch (error) {
    await transfer.query('ROLLBACK');
    throw error;
  } finally {
    transfer.release();
  }
}

test('a write of the new police that reads before a transfer and writes after cannot take the number the transfer gives it', async () => {
  const own = (await opening(newPolice.headers, 'NC-E2-RACE-OWN').expect(201)).body as { caseId: string };
  const writes: [string, (reference: string) => request.Test][] = [
    ['an opening', (reference) => opening(newPolice.headers, reference.toLowerCase())],
    [
      'a correction of its own case',
      (reference) =>
        request(suite.app)
          .post(`/api/cases/${own.caseId}/survivor`)
          .set(newPolice.headers)
          .set('Idempotency-Key', randomUUID())
          .send({ contact: 'Shelter line 555-0142', reference }),
    ],
  ];
  for (const [round, [what, write]] of writes.entries()) {
    const reference = `PD-E2-HELD-${round}`;
    const caseId = await openedWithNumber(reference, `Quill ${['Alpha', 'Beta'][round]} Survivor (fictitious)`);
    const res = await duringTransfer(caseId, () => write(reference));
    expect([what, res.status, res.body]).toEqual([what, 409, expect.objectContaining({ code: 'reference_taken' })]);
    // The transfer itself, as the workflow makes it: its projection finds the agencies already written.
    await transferToNewPolice(caseId).expect(200);
    // Nothing of the refused write: the number is the transferred case's alone, and the new police's own case kept its.
    expect(await holders(reference)).toEqual([{ caseId, holder: NEW_POLICE }]);
    const { rows } = await suite.stack.pool.query('SELECT 1 FROM case_references WHERE upper(reference) = upper($1)', [
      reference,
    ]);
    expect(rows).toHaveLength(1);
    await request(suite.app)
      .get(`/api/cases/${own.caseId}`)
      .set(newPolice.headers)
      .expect(200)
      .expect((read) => expect(read.body).toMatchObject({ reference: 'NC-E2-RACE-OWN' }));
    await request(suite.app)
      .get(`/api/cases/${caseId}`)
      .set(newPolice.headers)
      .expect(200)
      .expect((read) => expect(read.body).toMatchObject({ reference }));
  }
});

test('a transfer and an opening of the new police under the number it carries, sent at once, end as one order or the other', async () => {
  for (const round of [1, 2, 3]) {
    const reference = `PD-E2-RACE-${round}`;
    const caseId = await openedWithNumber(
      reference,
      `Marlow ${['Alpha', 'Beta', 'Gamma'][round - 1]} Survivor (fictitious)`,
    );
    const [transfer, opened] = await Promise.all([transferToNewPolice(caseId), opening(newPolice.headers, reference)]);
    expect(transfer.status).toBe(200);
    if (opened.status === 201) {
      // The opening first: the transfer is not refused, and the new police's own case holds the number.
      expect(await holders(reference)).toEqual([
        { caseId, holder: 'demo-police' },
        { caseId: (opened.body as { caseId: string }).caseId, holder: NEW_POLICE },
      ]);
    } else {
      expect([opened.status, opened.body]).toEqual([409, expect.objectContaining({ code: 'reference_taken' })]);
      expect(await holders(reference)).toEqual([{ caseId, holder: NEW_POLICE }]);
    }
    await request(suite.app)
      .get(`/api/cases/${caseId}`)
      .set(newPolice.headers)
      .expect(200)
      .expect((read) => expect(read.body).toMatchObject({ reference }));
  }
});

test('two openings of the new police under one number, sent at once: one is opened, the other refused', async () => {
  for (const round of [1, 2, 3]) {
    const reference = `NC-E2-TWICE-${round}`;
    const answers = await Promise.all([opening(newPolice.headers, reference), opening(newPolice.headers, reference)]);
    expect(answers.map((res) => res.status).sort()).toEqual([201, 409]);
    const opened = answers.find((res) => res.status === 201)!.body as { caseId: string };
    expect(answers.find((res) => res.status === 409)!.body).toMatchObject({ code: 'reference_taken' });
    expect(await holders(reference)).toEqual([{ caseId: opened.caseId, holder: NEW_POLICE }]);
  }
});

test('the agency holding a number is found by an index read', async () => {
  const client = await suite.stack.pool.connect();
  try {
    await client.query('BEGIN');
    // The test database is small enough for a sequential scan to be cheaper: asked for another plan, the index gives it.
    await client.query('SET LOCAL enable_seqscan = off');
    const { rows } = await client.query<{ 'QUERY PLAN': string }>(
      `EXPLAIN SELECT case_id FROM case_references
        WHERE COALESCE(held_by_agency_id, opened_by_agency_id) = 'new-police' AND upper(reference) = upper('pd-e2-0002')
          AND replaced_at IS NULL`,
    );
    const plan = rows.map((row) => row['QUERY PLAN']).join('\n');
    expect(plan).toMatch(/Index (Only )?Scan using case_references_holder_reference_key/);
    expect(plan).not.toMatch(/Seq Scan/);
  } finally {
    await client.query('ROLLBACK');
    client.release();
  }
});

test('a step opened by a sign-off it sees only as a milestone, on a day typed, reads as that day (ICE’s CP grant)', async () => {
  const todayOn = await today();
  const { caseId } = await transferred('milestone-day', addDays(todayOn, -60));
  const signOff = (stepId: string, headers: { Authorization: string }, body: object) =>
    request(suite.app)
      .post(`/api/cases/${caseId}/steps/${stepId}/sign-off`)
      .set(headers)
      .set('Idempotency-Key', randomUUID())
      .send(body)
      .expect(200);
  await signOff('cp_request-1', newPolice.headers, {
    outcome: 'requested',
    details: { requestedOn: addDays(todayOn, -55) },
  });
  const grantedOn = addDays(todayOn, -40);
  await signOff('cp_decision-1', suite.stack.as('ice'), { outcome: 'granted', details: { grantedOn } });

  const view = await request(suite.app).get(`/api/cases/${caseId}`).set(newPolice.headers).expect(200);
  expect((view.body as { milestones: unknown[] }).milestones).toEqual([
    expect.objectContaining({ kind: 'cp_decision', outcome: 'granted', typedDay: grantedOn }),
  ]);
  const renewal = timelineLines(await pageText(caseId)).filter((line) => /renewal request opened/i.test(line));
  expect(renewal).toHaveLength(1);
  expect(renewal[0]).toMatch(new RegExp(`^${formatCalendarDay(grantedOn)} \\| `));
});

test('a step opened by a sign-off it sees only as a milestone, whose typed day was corrected since, still reads as the day typed then', async () => {
  const todayOn = await today();
  const { caseId } = await transferred('milestone-corrected', addDays(todayOn, -60));
  const signOff = (stepId: string, headers: { Authorization: string }, body: object) =>
    request(suite.app)
      .post(`/api/cases/${caseId}/steps/${stepId}/sign-off`)
      .set(headers)
      .set('Idempotency-Key', randomUUID())
      .send(body)
      .expect(200);
  await signOff('cp_request-1', newPolice.headers, {
    outcome: 'requested',
    details: { requestedOn: addDays(todayOn, -55) },
  });
  const typedThen = addDays(todayOn, -40);
  await signOff('cp_decision-1', suite.stack.as('ice'), { outcome: 'granted', details: { grantedOn: typedThen } });
  // The coordinator corrects ICE's grant to two days later: the renewal request it opened is re-dated.
  const grantedOn = addDays(todayOn, -38);
  await request(suite.app)
    .post(`/api/cases/${caseId}/steps/cp_decision-1/corrections`)
    .set(suite.stack.as('coordinator'))
    .set('Idempotency-Key', randomUUID())
    .send({ outcome: 'granted', details: { grantedOn }, reason: 'typo' })
    .expect(200);

  const view = await request(suite.app).get(`/api/cases/${caseId}`).set(newPolice.headers).expect(200);
  expect((view.body as { milestones: unknown[] }).milestones).toEqual([
    expect.objectContaining({ kind: 'cp_decision', typedDay: grantedOn, formerTypedDays: [typedThen] }),
  ]);
  // The renewal request opened on the day the grant was typed as then, as the coordinator, who sees the grant, reads it.
  const renewal = timelineLines(await pageText(caseId)).filter((line) => /renewal request opened/i.test(line));
  const coordinatorPage = await request(suite.app)
    .get(`/cases/${caseId}`)
    .set('Cookie', `${SESSION_COOKIE}=${suite.sessionCookie('demo-coordinator')}`)
    .expect(200);
  expect(timelineLines(coordinatorPage.text).filter((line) => /renewal request opened/i.test(line))).toEqual(renewal);
  expect(renewal).toEqual([
    `${formatCalendarDay(typedThen)} | Continued Presence renewal request opened, owed by New City Police (fictitious).`,
  ]);
});
