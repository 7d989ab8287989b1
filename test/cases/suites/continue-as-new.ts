/** A long-lived case continues as new when its history grows, carrying its whole state into the new run. */
import { workflowIdOf } from '../../../workflows/contract';
import { DEMO_AGENCIES } from '../../../db/seed';
import type { Actor, AgencyKind } from '../../../domain/types';
import { caseStateQuery } from '../../../workflows/contract';
import { eventually, startStack, type Stack } from '../../support/stack';
import { workingActor } from '../../../domain/access';

describe('continue-as-new', () => {
  let stack: Stack;
  beforeAll(async () => {
    // Low enough that three sign-offs pass it: each is one workflow task (about ten events) since the projection became
    // a local activity.
    stack = await startStack({ historyLimit: 25 });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const actor = (kind: AgencyKind): Actor =>
    workingActor({ userId: `user-${kind}`, agencyId: DEMO_AGENCIES[kind], agencyKind: kind });

  test('the case continues as new past its history limit and keeps every step and timeline entry', async () => {
    const today = new Date(await stack.env.currentTimeMs()).toISOString().slice(0, 10);
    const opened = await stack.cases.open(
      { identifiedOn: today, survivor: { name: 'Long Case', birthDate: '1970-07-07' }, agencies: DEMO_AGENCIES },
      actor('law_enforcement'),
    );
    const handle = stack.client.workflow.getHandle(workflowIdOf(opened.caseId));
    const firstRunId = (await handle.describe()).runId;

    await stack.cases.signOff(
      opened.caseId,
      { stepId: 'cp_request-1', outcome: 'requested', details: { requestedOn: today } },
      actor('law_enforcement'),
    );
    await stack.cases.signOff(
      opened.caseId,
      {
        stepId: 'cp_decision-1',
        outcome: 'granted',
        details: { validUntil: `${Number(today.slice(0, 4)) + 2}${today.slice(4)}` },
      },
      actor('ice'),
    );
    const view = await stack.cases.signOff(
      opened.caseId,
      { stepId: 't_visa_filing-1', outcome: 'filed', details: { filedOn: today } },
      actor('advocate'),
    );

    const continued = await eventually(async () => {
      const description = await stack.client.workflow.getHandle(workflowIdOf(opened.caseId)).describe();
      return description.runId !== firstRunId ? description : undefined;
    }, 'a new run');
    expect(continued.status.name).toBe('RUNNING');

    const state = await handle.query(caseStateQuery);
    expect(state.steps.map((s) => [s.id, s.status])).toEqual(view.steps.map((s) => [s.id, s.status]));
    expect(state.timeline.length).toBe(view.timeline.length);

    // The new run takes sign-offs as the old one did.
    const after = await stack.cases.signOff(
      opened.caseId,
      { stepId: 'hhs_certification_request-1', outcome: 'requested', details: { requestedOn: today } },
      actor('advocate'),
    );
    expect(after.steps.find((s) => s.id === 'hhs_certification_letter-1')?.status).toBe('pending');
  });
});
