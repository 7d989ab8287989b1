/**
 * An agency is told by email, within the gathering's interval, when a step opens that waits on it, on real parts
 * (time skipping, PostgreSQL, the SMTP capture): before, ICE learned of a CP request only from its inbox, or from the
 * reminder days before the decision's due date. The command only records the step to tell (with the case, in one
 * statement); the gathering (workflows/opened-step-notices.ts, every `GATHER_MS` here) sends one email per agency.
 * The police open a case (the advocates' T-visa filing opens: they are told; the police's own CP request and
 * declaration are not, they opened them) and request CP (ICE is told once, the request sent again under its
 * Idempotency-Key and the projection run again as a worker that died mid-way would leave it tell no one again); no
 * email names the survivor. Two cases' requests in one interval are one email; a step signed before the gathering is
 * not told; a case entered after the fact tells no one.
 */
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { createActivities } from '../../../activities';
import { startOpenedStepNotices } from '../../../app/opened-step-notices';
import { wallClock } from '../../../core/clock';
import { DEMO_AGENCY_LIST } from '../../../db/seed';
import { snapshotOf } from '../../../domain/case';
import type { AgencyKind } from '../../../domain/types';
import { caseStateQuery, workflowIdOf } from '../../../workflows/contract';
import { needlesIn, withoutRandomParts, dateForms } from '../../support/scan';
import { eventually, PUBLIC_BASE_URL, startStack, type Stack } from '../../support/stack';
import { writeAs } from '../../support/writes';

describe('opened-step-told', () => {
  interface CaseBody {
    caseId: string;
    reference: string;
    version: number;
    steps: { id: string; status: string; dueAt: string | null }[];
  }

  /** How often the gathering runs here: a minute, so each test lets one or two rounds pass. */
  const GATHER_MS = 60_000;

  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
    await startOpenedStepNotices({ client: stack.client, taskQueue: stack.taskQueue }, { everyMs: GATHER_MS });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  /** A fictitious survivor whose every part is looked for in the emails. */
  const SURVIVOR = { name: 'Marisol Quintanilla-Ybarra', birthDate: '1986-04-02', aNumber: 'A204918377' };
  const DAY_MS = 86_400_000;
  const emailOf = (kind: AgencyKind) => DEMO_AGENCY_LIST.find((agency) => agency.kind === kind)!.email!;

  const send = (as: AgencyKind, path: string, body: object, key?: string) =>
    writeAs<CaseBody>(stack, as, path, body, key);

  /** The "Waiting on your agency" emails listing a case, to the agency of `kind`. */
  const waitingOn = (reference: string, kind: AgencyKind) =>
    stack.mail
      .messages()
      .filter(
        (m) =>
          m.subject.startsWith('Waiting on your agency:') &&
          m.text.includes(`Case reference: ${reference}\n`) &&
          m.to.join(',').includes(emailOf(kind)),
      );

  /** Lets the gathering's next round come (time skipped), then waits for what it sends. */
  async function gathered<T>(found: () => T[], what: string): Promise<T[]> {
    await stack.env.sleep(GATHER_MS);
    return eventually(async () => {
      const items = found();
      return items.length > 0 ? items : undefined;
    }, what);
  }

  const today = async () => new Date(await stack.env.currentTimeMs()).toISOString().slice(0, 10);

  const openCase = (identifiedOn: string) =>
    send('law_enforcement', '/api/cases', {
      identifiedOn,
      survivor: SURVIVOR,
      agencies: Object.fromEntries(DEMO_AGENCY_LIST.map((agency) => [agency.kind, agency.id])),
      confirmNotDuplicate: true,
    });

  test('a step opened for another agency is emailed to it once, within the interval, with no survivor data', async () => {
    const day = await today();
    const { caseId, reference } = await openCase(day);

    const key = randomUUID();
    const signOff = { outcome: 'requested', details: { requestedOn: day } };
    const steps = `/api/cases/${caseId}/steps`;
    const requested = await send('law_enforcement', `${steps}/cp_request-1/sign-off`, signOff, key);
    // The police do not see ICE's steps: the coordinator reads them.
    const view = await request(stack.app).get(`/api/cases/${caseId}`).set(stack.as('coordinator')).expect(200);
    const decision = (view.body as CaseBody).steps.find((step) => step.id === 'cp_decision-1')!;
    expect(decision.status).toBe('pending');
    // Nothing is sent on the command's path: only the gathering sends.
    expect(waitingOn(reference, 'ice')).toHaveLength(0);
    const [toIce] = await gathered(() => waitingOn(reference, 'ice'), 'ICE told of the CP request');
    // The case's opening: the advocates' T-visa filing waits on them; the police opened their own steps themselves.
    const [filing] = await eventually(async () => {
      const found = waitingOn(reference, 'advocate');
      return found.length > 0 ? found : undefined;
    }, 'the advocates told of the T-visa filing');
    expect(filing!.subject).toMatch(
      new RegExp(`^Waiting on your agency: T visa application filing \\(Form I-914\\) \\(case ${reference}\\), due `),
    );
    // The step in plain words, who asked, its due day (as ICE's calendar reads it: the decision's last day) and a link.
    const due = /, due (\d{1,2} [A-Z][a-z]{2} \d{4})$/.exec(toIce!.subject)?.[1];
    expect(toIce!.subject).toBe(`Waiting on your agency: Continued Presence decision (case ${reference}), due ${due}`);
    expect(toIce!.text).toContain(
      'of Demo City Police Department (fictitious) asked your agency for "Continued Presence decision", ' +
        `due ${due}. Make it by then, then record it on the case page.`,
    );
    expect(toIce!.text).toContain(`Date: ${due}`);
    expect(toIce!.text).toContain(`Open the case: ${PUBLIC_BASE_URL}/cases/${caseId}`);
    expect(dateForms(decision.dueAt!.slice(0, 10))).toContain(due!.toLowerCase());

    // The same request sent again (its answer lost), and the projection run again as a retried workflow task runs it
    // after a worker died between the projection and the email: nothing more is recorded or sent.
    await send('law_enforcement', `${steps}/cp_request-1/sign-off`, signOff, key);
    const state = await stack.client.workflow.getHandle(workflowIdOf(caseId)).query(caseStateQuery);
    const activities = createActivities({
      pool: stack.pool,
      mailer: undefined as never, // sends nothing: the stack's worker delivers
      from: 'Relief cases <no-reply@relief.example.org>',
      publicBaseUrl: PUBLIC_BASE_URL,
      temporal: { client: stack.client, taskQueue: stack.taskQueue },
      logger: stack.logger,
      now: wallClock,
    });
    const actor = { userId: 'retried', agencyId: 'demo-police', agencyKind: 'law_enforcement' as const, roles: [] };
    await activities.projectCase(snapshotOf(state), {
      caseId,
      action: 'step.sign_off',
      version: requested.version,
      stepId: 'cp_request-1',
      actor,
    });
    await stack.env.sleep(2 * GATHER_MS);
    expect((await stack.pool.query('SELECT 1 FROM opened_step_notices WHERE case_id = $1', [caseId])).rowCount).toBe(2);
    expect(waitingOn(reference, 'ice')).toHaveLength(1);
    expect(waitingOn(reference, 'advocate')).toHaveLength(1);
    // The police requested CP and opened the case: nothing of theirs is told to them.
    expect(waitingOn(reference, 'law_enforcement')).toHaveLength(0);

    // Never the survivor: no part of the name, no birth date in any form, no digits of the A-number.
    const needles = [
      ...SURVIVOR.name.toLowerCase().split(/[\s-]+/),
      ...dateForms(SURVIVOR.birthDate),
      '204918377',
      '918-377',
      '918377',
    ];
    for (const email of [filing!, toIce!]) {
      expect(needlesIn(needles, withoutRandomParts(`${email.subject}\n${email.text}`))).toEqual([]);
    }
  });

  test('a case entered after the fact tells no one of the steps it opens', async () => {
    const now = await stack.env.currentTimeMs();
    const day = (daysAgo: number) => new Date(now - daysAgo * DAY_MS).toISOString().slice(0, 10);
    const { caseId, reference } = await openCase(day(20));
    await send('law_enforcement', `/api/cases/${caseId}/steps/cp_request-1/sign-off`, {
      outcome: 'requested',
      details: { requestedOn: day(19) },
    });
    await send('ice', `/api/cases/${caseId}/steps/cp_decision-1/sign-off`, {
      outcome: 'granted',
      details: { grantedOn: day(18), validUntil: day(-700) },
    });
    // Nothing recorded to tell: no round can send anything of it.
    expect((await stack.pool.query('SELECT 1 FROM opened_step_notices WHERE case_id = $1', [caseId])).rowCount).toBe(0);
    await stack.env.sleep(2 * GATHER_MS);
    for (const kind of ['advocate', 'ice', 'hhs', 'law_enforcement'] as const)
      expect(waitingOn(reference, kind)).toHaveLength(0);
  });

  test("two cases' requests to ICE in one interval are one email listing both", async () => {
    const day = await today();
    const first = await openCase(day);
    const second = await openCase(day);
    const signOff = { outcome: 'requested', details: { requestedOn: day } };
    for (const { caseId } of [first, second])
      await send('law_enforcement', `/api/cases/${caseId}/steps/cp_request-1/sign-off`, signOff);
    const listingBoth = () =>
      stack.mail
        .messages()
        .filter((m) => m.to.join(',').includes(emailOf('ice')) && m.subject.startsWith('Waiting on your agency:'))
        .filter((m) => m.text.includes(first.reference) || m.text.includes(second.reference));
    const [email, ...more] = await gathered(listingBoth, "ICE told of both cases' requests");
    expect(more).toEqual([]);
    expect(email!.subject).toBe('Waiting on your agency: 2 steps');
    for (const { caseId, reference } of [first, second]) {
      expect(email!.text).toContain(`Case reference: ${reference}`);
      expect(email!.text).toContain(`Open the case: ${PUBLIC_BASE_URL}/cases/${caseId}`);
    }
    expect(email!.text.match(/asked your agency for "Continued Presence decision"/g)).toHaveLength(2);
  });

  test('a step done before the gathering is not told', async () => {
    const day = await today();
    const { caseId, reference } = await openCase(day);
    const steps = `/api/cases/${caseId}/steps`;
    await send('law_enforcement', `${steps}/cp_request-1/sign-off`, {
      outcome: 'requested',
      details: { requestedOn: day },
    });
    await send('ice', `${steps}/cp_decision-1/sign-off`, {
      outcome: 'granted',
      details: { grantedOn: day, validUntil: new Date(Date.parse(day) + 700 * DAY_MS).toISOString().slice(0, 10) },
    });
    // The round that tells the advocates of this case (its T-visa filing) has left ICE's decision out: it was done.
    await gathered(() => waitingOn(reference, 'advocate'), 'the advocates told of the T-visa filing');
    expect(waitingOn(reference, 'ice')).toHaveLength(0);
    const { rows } = await stack.pool.query<{ step_id: string; notification_id: string | null }>(
      'SELECT step_id, notification_id FROM opened_step_notices WHERE case_id = $1 AND gathered_at IS NOT NULL',
      [caseId],
    );
    expect(rows.find((row) => row.step_id === 'cp_decision-1')).toEqual({
      step_id: 'cp_decision-1',
      notification_id: null,
    });
  });

  test('a gathering retried for its round finds the emails it wrote and gathers nothing more', async () => {
    const day = await today();
    const { caseId, reference } = await openCase(day);
    await send('law_enforcement', `/api/cases/${caseId}/steps/cp_request-1/sign-off`, {
      outcome: 'requested',
      details: { requestedOn: day },
    });
    // The round's activity, as its retry after a worker died past its commit runs it: before the workflow's own round.
    const activities = createActivities({
      pool: stack.pool,
      mailer: undefined as never, // sends nothing: gathering only
      from: 'Relief cases <no-reply@relief.example.org>',
      publicBaseUrl: PUBLIC_BASE_URL,
      temporal: { client: stack.client, taskQueue: stack.taskQueue },
      logger: stack.logger,
      now: wallClock,
    });
    const round = new Date(await stack.env.currentTimeMs()).toISOString();
    const first = await activities.gatherOpenedSteps({ round });
    expect(first.map((key) => key.caseId).sort()).toEqual(['step-opened:demo-advocates', 'step-opened:demo-ice-ccht']);
    expect(await activities.gatherOpenedSteps({ round })).toEqual(first);
    const written = await stack.pool.query<{ notification_id: string }>(
      'SELECT notification_id FROM opened_step_notices WHERE case_id = $1 ORDER BY step_id',
      [caseId],
    );
    expect(written.rows.map((row) => row.notification_id).sort()).toEqual(
      first.map((key) => `${key.caseId}/${key.alarmId}`).sort(),
    );
    // The workflow's next rounds find them gathered: no email of this case but those rows' own, which it never sends.
    await stack.env.sleep(2 * GATHER_MS);
    const rows = await stack.pool.query(
      `SELECT 1 FROM notifications WHERE kind = 'step_opened' AND body_text LIKE $1`,
      [`%Case reference: ${reference}\n%`],
    );
    expect(rows.rowCount).toBe(2);
  });
});
