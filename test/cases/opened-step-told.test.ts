/**
 * An agency is told by email at once when a step opens that waits on it, on real parts (time skipping, PostgreSQL,
 * the SMTP capture): before, ICE learned of a CP request only from its inbox, or from the reminder days before the
 * decision's due date. The police open a case (the advocates' T-visa filing opens: they are told; the police's own
 * CP request and declaration are not, they opened them) and request CP (ICE is told once, the request sent again
 * under its Idempotency-Key and the projection run again as a worker that died mid-way would leave it tell no one
 * again); no email names the survivor. A case entered after the fact tells no one.
 */
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { createActivities } from '../../activities';
import { wallClock } from '../../core/clock';
import { DEMO_AGENCY_LIST } from '../../db/seed';
import { snapshotOf } from '../../domain/case';
import type { AgencyKind } from '../../domain/types';
import { caseStateQuery, workflowIdOf } from '../../workflows/contract';
import { needlesIn, withoutRandomParts, dateForms } from '../support/scan';
import { eventually, PUBLIC_BASE_URL, startStack, type Stack } from '../support/stack';
import { writeAs } from '../support/writes';

interface CaseBody {
  caseId: string;
  reference: string;
  version: number;
  steps: { id: string; status: string; dueAt: string | null }[];
}

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
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

/** The "Waiting on your agency" emails of a case to the agency of `kind`. */
const waitingOn = (reference: string, kind: AgencyKind) =>
  stack.mail
    .messages()
    .filter(
      (m) =>
        m.subject.startsWith('Waiting on your agency:') &&
        m.subject.includes(reference) &&
        m.to.join(',').includes(emailOf(kind)),
    );

const openCase = (identifiedOn: string) =>
  send('law_enforcement', '/api/cases', {
    identifiedOn,
    survivor: SURVIVOR,
    agencies: Object.fromEntries(DEMO_AGENCY_LIST.map((agency) => [agency.kind, agency.id])),
    confirmNotDuplicate: true,
  });

test('a step opened for another agency is emailed to it once, at once, with no survivor data', async () => {
  const today = new Date(await stack.env.currentTimeMs()).toISOString().slice(0, 10);
  const { caseId, reference } = await openCase(today);

  // The case's opening: the advocates' T-visa filing waits on them; the police opened their own steps themselves.
  const [filing] = await eventually(async () => {
    const found = waitingOn(reference, 'advocate');
    return found.length > 0 ? found : undefined;
  }, 'the advocates told of the T-visa filing');
  expect(filing!.subject).toMatch(
    new RegExp(`^Waiting on your agency: T visa application filing \\(Form I-914\\) \\(case ${reference}\\), due `),
  );

  const key = randomUUID();
  const signOff = { outcome: 'requested', details: { requestedOn: today } };
  const steps = `/api/cases/${caseId}/steps`;
  const requested = await send('law_enforcement', `${steps}/cp_request-1/sign-off`, signOff, key);
  // The police do not see ICE's steps: the coordinator reads them.
  const view = await request(stack.app).get(`/api/cases/${caseId}`).set(stack.as('coordinator')).expect(200);
  const decision = (view.body as CaseBody).steps.find((step) => step.id === 'cp_decision-1')!;
  expect(decision.status).toBe('pending');
  const [toIce] = await eventually(async () => {
    const found = waitingOn(reference, 'ice');
    return found.length > 0 ? found : undefined;
  }, 'ICE told of the CP request');
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
  await stack.env.sleep(DAY_MS);
  expect(waitingOn(reference, 'ice')).toHaveLength(1);
  expect(waitingOn(reference, 'advocate')).toHaveLength(1);
  // The police requested CP and opened the case: nothing of theirs is told to them.
  expect(waitingOn(reference, 'law_enforcement')).toHaveLength(0);
  const inApp = await request(stack.app).get('/api/notifications').set(stack.as('ice')).expect(200);
  const items = (inApp.body as { items: { kind: string; caseId: string; stepId: string }[] }).items;
  expect(items.filter((item) => item.kind === 'step_opened' && item.caseId === caseId)).toEqual([
    expect.objectContaining({ stepId: 'cp_decision-1' }),
  ]);

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
  await stack.env.sleep(DAY_MS);
  for (const kind of ['advocate', 'ice', 'hhs', 'law_enforcement'] as const)
    expect(waitingOn(reference, kind)).toHaveLength(0);
});
