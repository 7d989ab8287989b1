/**
 * An adult's HHS certification letter once its only ground is gone, on real parts (time skipping, PostgreSQL, the SMTP
 * capture): the advocate requested certification on a bona fide T-visa application, then USCIS denied it with no CP in
 * force. HHS may not certify then (domain.md), so the letter step awaited from HHS is withdrawn: HHS gets one "No
 * longer needed" email in its own words, and no reminder, due notice nor escalation of it after. ICE granting CP gives
 * a ground back: the letter is needed again, and HHS told so.
 */
import { listNotifications } from '../../../db/notifications';
import { getCase } from '../../../db/read-model';
import { DEMO_AGENCIES, DEMO_AGENCY_LIST } from '../../../db/seed';
import { workingActor } from '../../../domain/access';
import { stepLabel } from '../../../domain/labels';
import type { Actor, AgencyKind } from '../../../domain/types';
import { eventually, startStack, type Stack } from '../../support/stack';

describe('certification-ground', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const DAY = 24 * 3600 * 1000;
  const actorOf = (agencyKind: AgencyKind): Actor =>
    workingActor({ userId: `${agencyKind}-1`, agencyId: DEMO_AGENCIES[agencyKind], agencyKind });

  test('a T-visa denial that leaves no ground withdraws the letter awaited from HHS; a CP grant makes it needed again', async () => {
    const today = new Date(await stack.env.currentTimeMs()).toISOString().slice(0, 10);
    const view = await stack.cases.open(
      {
        identifiedOn: today,
        survivor: { name: 'Test Survivor (fictitious)', birthDate: '1990-03-03' },
        agencies: DEMO_AGENCIES,
        confirmNotDuplicate: true,
      },
      actorOf('law_enforcement'),
    );
    const { caseId, reference } = view;
    const sign = (kind: AgencyKind, stepId: string, outcome: string, details: Record<string, string>) =>
      stack.cases.signOff(caseId, { stepId, outcome, details }, actorOf(kind));
    await sign('advocate', 't_visa_filing-1', 'filed', { filedOn: today });
    await sign('advocate', 't_visa_receipt-1', 'received', { receivedOn: today });
    await sign('advocate', 't_visa_bona_fide-1', 'bona_fide', { determinedOn: today });
    const requested = await sign('advocate', 'hhs_certification_request-1', 'requested', { requestedOn: today });
    const letter = requested.steps.find((step) => step.id === 'hhs_certification_letter-1')!;
    expect(letter).toMatchObject({ status: 'pending', agencyKind: 'hhs' });
    const letterDue = Date.parse(letter.dueAt!);

    await sign('advocate', 't_visa_decision-1', 'denied', { reason: 'not_a_victim', decidedOn: today });
    const denied = (await getCase(stack.pool, caseId))!;
    expect(denied.steps.find((step) => step.id === 'hhs_certification_letter-1')!.status).toBe('cancelled');
    expect(denied.timeline.map((entry) => entry.summary)).toContainEqual(
      expect.stringMatching(/^hhs_certification_letter-1 cancelled: the T-visa application was denied; HHS certifies/),
    );

    const letterLabel = stepLabel('hhs_certification_letter');
    const hhsEmail = DEMO_AGENCY_LIST.find((agency) => agency.kind === 'hhs')!.email!;
    const toHhs = (said: string) =>
      stack.mail
        .messages()
        .filter(
          (m) => m.subject.startsWith(said) && m.subject.includes(reference) && m.to.join(',').includes(hhsEmail),
        );
    const [withdrawn] = await eventually(async () => {
      const found = toHhs('No longer needed:');
      return found.length > 0 ? found : undefined;
    }, 'HHS told the letter is no longer needed');
    expect(withdrawn!.subject).toBe(`No longer needed: ${letterLabel} (case ${reference})`);
    expect(withdrawn!.text).toContain(
      "USCIS denied the survivor's T-visa application, and no other ground for certification holds on this case now",
    );
    expect(withdrawn!.text).toContain(`"${letterLabel}" is withdrawn and needs nothing more from you`);

    // Past the letter's deadline and its escalation: nothing more about it, to anyone.
    await stack.env.sleep(letterDue + 10 * DAY - (await stack.env.currentTimeMs()));
    const { items } = await listNotifications(stack.pool, { caseId, limit: 200 });
    expect(
      items.filter((n) => n.stepId === 'hhs_certification_letter-1').map((n) => [n.kind, n.recipientAgencyId]),
    ).toEqual([['step_withdrawn', DEMO_AGENCIES.hhs]]);
    expect(toHhs('No longer needed:')).toHaveLength(1);

    // ICE grants CP: a ground holds again, and the letter is owed again by HHS.
    const later = new Date(await stack.env.currentTimeMs()).toISOString().slice(0, 10);
    await sign('law_enforcement', 'cp_request-1', 'requested', { requestedOn: later });
    await sign('ice', 'cp_decision-1', 'granted', { grantedOn: later });
    const granted = (await getCase(stack.pool, caseId))!;
    expect(granted.steps.find((step) => step.id === 'hhs_certification_letter-2')).toMatchObject({
      status: 'pending',
      agencyKind: 'hhs',
    });
    const [again] = await eventually(async () => {
      const found = toHhs('Needed again:');
      return found.length > 0 ? found : undefined;
    }, 'HHS told the letter is needed again');
    expect(again!.subject).toMatch(new RegExp(`^Needed again: ${letterLabel} \\(case ${reference}\\), due`));
    expect(again!.text).toContain(
      `ICE granted Continued Presence: a ground for certification holds on this case again, and "${letterLabel}" is needed again`,
    );
    expect(toHhs('Needed again:')).toHaveLength(1);
    // "Needed again" alone: not recorded to be told as a new request ("Waiting on your agency", gathered by
    // workflows/opened-step-notices.ts), only the first letter as the advocate's request opened it.
    const { rows } = await stack.pool.query<{ step_id: string }>(
      "SELECT step_id FROM opened_step_notices WHERE case_id = $1 AND step_id LIKE 'hhs_certification_letter-%'",
      [caseId],
    );
    expect(rows.map((row) => row.step_id)).toEqual(['hhs_certification_letter-1']);
  });
});
