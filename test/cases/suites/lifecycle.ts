/**
 * Cases end to end on real parts: the write side through the case workflow on the official time-skipping server,
 * the read model in a real PostgreSQL, reminders through a real SMTP server.
 */
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { temporal } from '@temporalio/proto';
import { AppError } from '../../../core/errors';
import type { CaseView } from '../../../db/read-model';
import { DEMO_AGENCIES } from '../../../db/seed';
import type { Actor, AgencyKind } from '../../../domain/types';
import { PATCH_BUNDLES, workflowIdOf } from '../../../workflows/contract';
import { startStack, type Stack } from '../../support/stack';
import { workingActor } from '../../../domain/access';

describe('lifecycle', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const SURVIVOR_NAME = 'Mariela Quintanilla-Ostrova';
  const actor = (kind: AgencyKind): Actor =>
    workingActor({ userId: `user-${kind}`, agencyId: DEMO_AGENCIES[kind], agencyKind: kind, requestId: `req-${kind}` });

  async function today(): Promise<string> {
    return new Date(await stack.env.currentTimeMs()).toISOString().slice(0, 10);
  }

  function step(view: CaseView, id: string) {
    const found = view.steps.find((s) => s.id === id);
    if (!found) throw new Error(`no step ${id}; have ${view.steps.map((s) => `${s.id}:${s.status}`).join(', ')}`);
    return found;
  }

  async function openCase(birthDate: string, identifiedOn?: string): Promise<CaseView> {
    return stack.cases.open(
      {
        identifiedOn: identifiedOn ?? (await today()),
        survivor: { name: SURVIVOR_NAME, birthDate },
        agencies: DEMO_AGENCIES,
      },
      actor('law_enforcement'),
    );
  }

  async function sign(
    view: CaseView,
    stepId: string,
    outcome: string,
    details: Record<string, unknown>,
    by?: AgencyKind,
  ): Promise<CaseView> {
    const owner = by ?? step(view, stepId).agencyKind;
    return stack.cases.signOff(view.caseId, { stepId, outcome, details }, actor(owner));
  }

  test('an adult case from intake to certification and T-visa filing', async () => {
    const on = await today();
    let view = await openCase('1990-04-12');
    expect(view.path).toBe('adult');
    expect(step(view, 'identification-1').status).toBe('completed');
    for (const id of ['cp_request-1', 'le_declaration-1', 't_visa_filing-1'])
      expect(step(view, id).status).toBe('pending');

    view = await sign(view, 'cp_request-1', 'requested', { requestedOn: on });
    expect(step(view, 'cp_decision-1')).toMatchObject({ status: 'pending', agencyKind: 'ice' });
    // A certification request only opens once CP is granted (or a bona fide determination exists).
    expect(view.steps.some((s) => s.kind === 'hhs_certification_request')).toBe(false);

    view = await sign(view, 'cp_decision-1', 'granted', { validUntil: `${Number(on.slice(0, 4)) + 2}${on.slice(4)}` });
    expect(step(view, 'hhs_certification_request-1')).toMatchObject({ status: 'pending', agencyKind: 'advocate' });

    view = await sign(view, 'hhs_certification_request-1', 'requested', { requestedOn: on });
    view = await sign(view, 'hhs_certification_letter-1', 'certified', { eligibilityDate: on });
    expect(step(view, 'hhs_certification_letter-1').status).toBe('completed');

    // The declaration is declined: it never blocks the T-visa filing.
    view = await sign(view, 'le_declaration-1', 'declined', { reason: 'investigation_closed' });
    view = await sign(view, 't_visa_filing-1', 'filed', { filedOn: on });
    expect(step(view, 't_visa_filing-1').status).toBe('completed');
    expect(step(view, 't_visa_receipt-1').status).toBe('pending');

    expect(view.timeline.map((e) => e.type)).toEqual(
      expect.arrayContaining(['case.opened', 'step.opened', 'step.completed']),
    );
    // Nothing the read model shows about the case carries the survivor's identity.
    expect(JSON.stringify(view)).not.toContain(SURVIVOR_NAME);
    expect(JSON.stringify(view)).not.toContain('1990-04-12');
    // The identity itself is sealed at rest: the survivors row holds ciphertext and the key id, nothing readable.
    const { rows } = await stack.pool.query<{ key_id: string }>('select * from survivors where case_id = $1', [
      view.caseId,
    ]);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.key_id).toBe('test-key');
    const stored = JSON.stringify(rows[0]) + Buffer.from(JSON.stringify(rows[0])).toString('latin1');
    expect(stored).not.toContain(SURVIVOR_NAME);
    expect(stored).not.toContain('1990-04-12');

    // Every payload of the case's history is encrypted: a client without the key sees only ciphertext.
    const history = await stack.env.client.workflow.getHandle(workflowIdOf(view.caseId)).fetchHistory();
    const payloads = historyToJSON(history);
    expect(payloads).toContain('YmluYXJ5L2VuY3J5cHRlZA=='); // "binary/encrypted", base64 in the JSON form
    // Search attributes are never encoded by a codec (the server indexes them), and the SDK records its patch markers
    // ("actor-roles" in workflows/case-workflow.ts) in plain too: codes, no personal data. Every other payload is sealed.
    const sealedEvents = (history.events ?? []).filter(
      (event) => !event.markerRecordedEventAttributes && !event.upsertWorkflowSearchAttributesEventAttributes,
    );
    expect(sealedEvents.length).toBeGreaterThan(10);
    expect(historyToJSON({ events: sealedEvents })).not.toContain(Buffer.from('json/plain').toString('base64'));
    expect(payloads).not.toContain(Buffer.from(view.reference).toString('base64'));

    // A case begun on this code records the newest bundle's patch marker for every patch before it, where it recorded
    // one per patch (each with the SDK's search-attribute upsert beside it): a few events at its opening, not two dozen.
    // A patch added since the bundle is asked on its own, with its own marker, until the next bundle gathers it.
    const patchMarkers = (history.events ?? []).filter(
      (event) => event.markerRecordedEventAttributes?.markerName === 'core_patch',
    );
    const patchIds = patchMarkers.flatMap((event) =>
      (event.markerRecordedEventAttributes?.details?.['patch-data']?.payloads ?? []).map((payload) =>
        Buffer.from(payload.data ?? []).toString('utf8'),
      ),
    );
    expect(patchIds).toEqual([expect.stringContaining(`"${PATCH_BUNDLES[0]!.id}"`)]);
  });

  test('a minor case: HHS notified within 24 hours, then the eligibility letter', async () => {
    const on = await today();
    const sixteenYearsAgo = `${Number(on.slice(0, 4)) - 16}${on.slice(4)}`;
    let view = await openCase(sixteenYearsAgo);
    expect(view.path).toBe('minor');
    const notification = step(view, 'hhs_minor_notification-1');
    expect(Date.parse(notification.dueAt!) - Date.parse(`${on}T00:00:00.000Z`)).toBeLessThanOrEqual(24 * 3600 * 1000);

    view = await sign(view, 'hhs_minor_notification-1', 'notified', { notifiedOn: on });
    expect(step(view, 'hhs_eligibility_letter-1').status).toBe('pending');
    view = await sign(view, 'hhs_eligibility_letter-1', 'issued', { eligibilityDate: on });
    expect(step(view, 'hhs_eligibility_letter-1').status).toBe('completed');
    // No CP or certification is needed for a minor's benefits.
    expect(view.steps.some((s) => s.kind === 'hhs_certification_request')).toBe(false);
  });

  test('refusals: wrong agency, wrong state and bad data are rejected and leave no trace in history', async () => {
    const on = await today();
    const view = await openCase('1985-01-01');
    const handle = stack.client.workflow.getHandle(workflowIdOf(view.caseId));
    // The time-skipping test server records a workflow task for each rejected update (a real server does not);
    // what must not appear is anything else: no update accepted, no state change, no activity.
    const EventType = temporal.api.enums.v1.EventType;
    const workflowTaskEvents = new Set([
      EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
      EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
      EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
    ]);
    const meaningfulEvents = async () =>
      (await handle.fetchHistory()).events!.filter((e) => !workflowTaskEvents.has(e.eventType!));
    const acceptedUpdates = (events: Awaited<ReturnType<typeof meaningfulEvents>>) =>
      events.filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED).length;
    const initial = await meaningfulEvents();

    const attempt = (stepId: string, outcome: string, details: Record<string, unknown>, by: AgencyKind) =>
      sign(view, stepId, outcome, details, by).then(
        () => undefined,
        (error: unknown) => error,
      );

    expect(await attempt('cp_request-1', 'requested', { requestedOn: on }, 'advocate')).toMatchObject({
      status: 403,
      options: { code: 'wrong_agency_kind' },
    });
    expect(await attempt('cp_decision-1', 'granted', { validUntil: on }, 'ice')).toMatchObject({
      status: 404,
      options: { code: 'unknown_step' },
    });
    expect(await attempt('cp_request-1', 'requested', { requestedOn: 'yesterday' }, 'law_enforcement')).toMatchObject({
      status: 422,
      options: { code: 'invalid_details', fields: [{ field: 'details.requestedOn' }] },
    });
    expect(
      await attempt('identification-1', 'identified', { identifiedOn: on, path: 'adult' }, 'law_enforcement'),
    ).toMatchObject({
      status: 409,
      options: { code: 'step_not_pending' },
    });
    const wrongAgency: unknown = await stack.cases
      .signOff(
        view.caseId,
        { stepId: 'cp_request-1', outcome: 'requested', details: { requestedOn: on } },
        { ...actor('law_enforcement'), agencyId: 'some-other-police' },
      )
      .catch((error: unknown) => error);
    expect(wrongAgency).toBeInstanceOf(AppError);
    expect(wrongAgency).toMatchObject({ status: 403, options: { code: 'wrong_agency' } });

    const events = await meaningfulEvents();
    expect(events.length).toBe(initial.length);
    expect(acceptedUpdates(events)).toBe(acceptedUpdates(initial));
    expect(
      (
        await stack.cases.signOff(
          view.caseId,
          { stepId: 'cp_request-1', outcome: 'requested', details: { requestedOn: on } },
          actor('law_enforcement'),
        )
      ).version,
    ).toBe(view.version + 1);
  });

  test('a case can be withdrawn by its coordinator, and then accepts no sign-off', async () => {
    const on = await today();
    const view = await openCase('1980-02-02');
    const refused: unknown = await stack.cases
      .close(view.caseId, { status: 'withdrawn', reason: 'survivor_withdrew' }, actor('law_enforcement'))
      .catch((e: unknown) => e);
    expect(refused).toMatchObject({ status: 403 });
    const closed = await stack.cases.close(
      view.caseId,
      { status: 'withdrawn', reason: 'survivor_withdrew' },
      actor('coordinator'),
    );
    expect(closed.status).toBe('withdrawn');
    expect(closed.steps.filter((s) => s.status === 'pending')).toHaveLength(0);
    const late: unknown = await sign(closed, 'cp_request-1', 'requested', { requestedOn: on }, 'law_enforcement').catch(
      (e: unknown) => e,
    );
    expect(late).toMatchObject({ status: 409 });
  });
});
