/**
 * A pending step a correction withdrew, on real parts (time skipping, PostgreSQL, the SMTP capture): the coordinator
 * corrects a CP grant to a denial while the advocate's certification request is still to be made (ICE may not: the
 * grant opened steps it is not told of, probe Q1); the advocates get one "No longer needed" email (and the notification
 * in the app), the police one for their renewal request, ICE none, nor the coordinator, who corrected; the correction
 * sent again under its Idempotency-Key sends nothing more. Corrected back to the grant, the same agencies get one
 * "Needed again" email each.
 */
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { DEMO_AGENCY_LIST } from '../../../db/seed';
import type { AgencyKind } from '../../../domain/types';
import { eventually, startStack, type Stack } from '../../support/stack';
import { writeAs } from '../../support/writes';

describe('withdrawn-step', () => {
  /** What the answers read: the case opened, and a case's steps as the coordinator sees them. */
  interface CaseBody {
    caseId: string;
    reference: string;
    steps: { id: string; status: string }[];
  }

  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const DAY_MS = 86_400_000;
  const agencyOf = (kind: AgencyKind) => DEMO_AGENCY_LIST.find((agency) => agency.kind === kind)!;
  const emailOf = (kind: AgencyKind) => agencyOf(kind).email!;

  const send = (as: AgencyKind, path: string, body: object, key?: string) =>
    writeAs<CaseBody>(stack, as, path, body, key);

  test('a CP grant corrected to a denial and back: the agencies whose pending steps it withdrew, then reopened, are told once each', async () => {
    const now = await stack.env.currentTimeMs();
    const day = (daysAgo: number) => new Date(now - daysAgo * DAY_MS).toISOString().slice(0, 10);
    const { caseId, reference } = await send('law_enforcement', '/api/cases', {
      identifiedOn: day(10),
      survivor: { name: 'Test Survivor (fictitious)', birthDate: '1986-04-02' },
      agencies: Object.fromEntries(DEMO_AGENCY_LIST.map((agency) => [agency.kind, agency.id])),
      confirmNotDuplicate: true,
    });
    const steps = `/api/cases/${caseId}/steps`;
    await send('law_enforcement', `${steps}/cp_request-1/sign-off`, {
      outcome: 'requested',
      details: { requestedOn: day(9) },
    });
    await send('ice', `${steps}/cp_decision-1/sign-off`, {
      outcome: 'granted',
      details: { grantedOn: day(8) },
    });
    // ICE sees its own steps only: the coordinator reads the advocate's.
    const pending = async () => {
      const view = await request(stack.app).get(`/api/cases/${caseId}`).set(stack.as('coordinator')).expect(200);
      return (view.body as CaseBody).steps.filter((step) => step.status === 'pending').map((step) => step.id);
    };
    expect(await pending()).toEqual(expect.arrayContaining(['hhs_certification_request-1', 'cp_renewal_request-1']));

    const correction = {
      outcome: 'denied',
      details: { decidedOn: day(8), reason: 'other' },
      reason: 'Entered the wrong outcome',
    };
    const key = randomUUID();
    const byIce = await request(stack.app)
      .post(`${steps}/cp_decision-1/corrections`)
      .set(stack.as('ice'))
      .set('Idempotency-Key', randomUUID())
      .send(correction)
      .expect(403);
    expect(byIce.body).toMatchObject({ code: 'coordinator_corrects' });
    await send('coordinator', `${steps}/cp_decision-1/corrections`, correction, key);
    expect(await pending()).not.toContain('hhs_certification_request-1');

    /** The emails of this case to an agency whose subject begins with `said`. */
    const emailsSaying = (said: string) => (kind: AgencyKind) =>
      stack.mail
        .messages()
        .filter(
          (m) => m.subject.startsWith(said) && m.subject.includes(reference) && m.to.join(',').includes(emailOf(kind)),
        );
    const noLongerNeeded = emailsSaying('No longer needed:');
    // Two steps withdrawn: the advocates' and the police's emails; the coordinator, who corrected, is not told.
    const [toAdvocates] = await eventually(async () => {
      const found = noLongerNeeded('advocate');
      return found.length > 0 ? found : undefined;
    }, 'the advocates told');
    expect(toAdvocates!.subject).toBe(`No longer needed: HHS certification request (case ${reference})`);
    expect(toAdvocates!.text).toContain(
      `The coordinator corrected "Continued Presence decision": ` +
        '"HHS certification request" is withdrawn and needs nothing more from you. ' +
        'Documents added to it stay with the case.',
    );
    await eventually(
      async () => (noLongerNeeded('law_enforcement').length === 1 ? true : undefined),
      'the police told',
    );
    // And in the app, as every email of the case.
    const inApp = await request(stack.app).get('/api/notifications').set(stack.as('advocate')).expect(200);
    const items = (inApp.body as { items: { kind: string; caseId: string }[] }).items;
    expect(items.filter((item) => item.kind === 'step_withdrawn' && item.caseId === caseId)).toHaveLength(1);

    // The same correction sent again (the answer lost on the way): it is answered as it was, and tells no one again.
    await send('coordinator', `${steps}/cp_decision-1/corrections`, correction, key);
    await stack.env.sleep(DAY_MS);
    expect(noLongerNeeded('advocate')).toHaveLength(1);
    expect(noLongerNeeded('law_enforcement')).toHaveLength(1);
    expect(noLongerNeeded('coordinator')).toHaveLength(0);
    expect(noLongerNeeded('ice')).toHaveLength(0);

    // The coordinator corrects the denial back to the grant: the steps it withdrew are owed again, their agencies told.
    await send('coordinator', `${steps}/cp_decision-1/corrections`, {
      outcome: 'granted',
      details: { grantedOn: day(8) },
      reason: 'The grant was right after all',
    });
    expect(await pending()).toEqual(expect.arrayContaining(['hhs_certification_request-1', 'cp_renewal_request-1']));
    const neededAgain = emailsSaying('Needed again:');
    const [againToAdvocates] = await eventually(async () => {
      const found = neededAgain('advocate');
      return found.length > 0 ? found : undefined;
    }, 'the advocates told the request is needed again');
    expect(againToAdvocates!.subject).toMatch(
      new RegExp(`^Needed again: HHS certification request \\(case ${reference}\\), (due|overdue)`),
    );
    expect(againToAdvocates!.text).toContain(
      `The coordinator corrected "Continued Presence decision": "HHS certification request" is needed again`,
    );
    await eventually(async () => (neededAgain('law_enforcement').length === 1 ? true : undefined), 'the police told');
    await stack.env.sleep(DAY_MS);
    expect(neededAgain('advocate')).toHaveLength(1);
    expect(neededAgain('ice')).toHaveLength(0);
    expect(neededAgain('coordinator')).toHaveLength(0);
  });
});
