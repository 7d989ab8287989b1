/**
 * The due date a "Needed again" email named, on real parts (time skipping, PostgreSQL, the SMTP capture): the
 * coordinator (ICE may not: the grant opens steps it is not told of, probe Q1) corrects a CP grant to a denial and
 * back, so the police are emailed that the renewal request is needed again (the coordinator, who corrected, is not),
 * due the day after the grant's end; the coordinator then corrects the end a month earlier, and the police get one
 * "Corrected" email naming the deadline as corrected and the one the earlier email named; corrected into the past,
 * one more saying it is overdue. A grant corrected back with every lead behind its end sends the police "Needed again" alone, not also
 * the reminder that the renewal is still owed.
 */
import { DEMO_AGENCY_LIST } from '../../../db/seed';
import type { AgencyKind } from '../../../domain/types';
import { eventually, startStack, type Stack } from '../../support/stack';
import { writeAs } from '../../support/writes';

describe('needed-again-date', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  interface CaseBody {
    caseId: string;
    reference: string;
  }

  const DAY_MS = 86_400_000;
  const emailOf = (kind: AgencyKind) => DEMO_AGENCY_LIST.find((agency) => agency.kind === kind)!.email!;

  const send = (as: AgencyKind, path: string, body: object) => writeAs<CaseBody>(stack, as, path, body);

  /** The emails of the case to an agency whose subject begins with `said`. */
  const emailsSaying = (reference: string, said: string) => (kind: AgencyKind) =>
    stack.mail
      .messages()
      .filter(
        (m) => m.subject.startsWith(said) && m.subject.includes(reference) && m.to.join(',').includes(emailOf(kind)),
      );

  /** Waits until the agency has `count` such emails, and answers them. */
  const awaitEmails = (
    emails: (kind: AgencyKind) => { subject: string; text: string }[],
    kind: AgencyKind,
    count = 1,
  ) =>
    eventually(async () => (emails(kind).length >= count ? emails(kind) : undefined), `${count} email(s) to ${kind}`);

  /**
   * A case whose CP grant, valid until `validUntil`, ICE corrected to a denial and back: the correction back emails the
   * police and the coordinator "Needed again" for the renewal request.
   */
  async function grantedAgain(validUntil: (day: (daysAgo: number) => string) => string) {
    const now = await stack.env.currentTimeMs();
    const day = (daysAgo: number) => new Date(now - daysAgo * DAY_MS).toISOString().slice(0, 10);
    const { caseId, reference } = await send('law_enforcement', '/api/cases', {
      identifiedOn: day(10),
      survivor: { name: 'Test Survivor (fictitious)', birthDate: '1986-04-02' },
      agencies: Object.fromEntries(DEMO_AGENCY_LIST.map((agency) => [agency.kind, agency.id])),
      confirmNotDuplicate: true,
    });
    const decision = `/api/cases/${caseId}/steps/cp_decision-1`;
    await send('law_enforcement', `/api/cases/${caseId}/steps/cp_request-1/sign-off`, {
      outcome: 'requested',
      details: { requestedOn: day(9) },
    });
    const granted = { grantedOn: day(8), validUntil: validUntil(day) };
    await send('ice', `${decision}/sign-off`, { outcome: 'granted', details: granted });
    const denial = { decidedOn: day(8), reason: 'other' };
    await send('coordinator', `${decision}/corrections`, {
      outcome: 'denied',
      details: denial,
      reason: 'Wrong outcome',
    });
    await send('coordinator', `${decision}/corrections`, {
      outcome: 'granted',
      details: granted,
      reason: 'Granted after all',
    });
    return { day, decision, reference, granted };
  }

  test('a due date named by "Needed again", moved a month earlier, then into the past: told once each time', async () => {
    const { day, decision, reference, granted } = await grantedAgain((day) => day(-200));
    const neededAgain = emailsSaying(reference, 'Needed again: Continued Presence renewal request');
    const [toPolice] = await awaitEmails(neededAgain, 'law_enforcement');
    const named = /due (\d+ \w+ \d{4})/.exec(toPolice!.subject)![1]!;

    // A month earlier: the police are told the deadline as corrected, once.
    await send('coordinator', `${decision}/corrections`, {
      outcome: 'granted',
      details: { ...granted, validUntil: day(-170) },
      reason: 'The end was typed a month late',
    });
    const corrected = emailsSaying(reference, 'Corrected: Continued Presence renewal request is now');
    const [movedToPolice] = await awaitEmails(corrected, 'law_enforcement');
    expect(movedToPolice!.subject).toMatch(
      /^Corrected: Continued Presence renewal request is now due \d+ \w+ \d{4} \(/,
    );
    expect(movedToPolice!.subject).not.toContain(named);
    expect(movedToPolice!.text).toContain(`The date of ${named} in our earlier email was wrong. Make it by then`);

    // Into the past: one more each, saying the renewal request is overdue.
    await send('coordinator', `${decision}/corrections`, {
      outcome: 'granted',
      details: { ...granted, validUntil: day(2) },
      reason: 'The grant ended already',
    });
    const [, overdueToPolice] = await awaitEmails(corrected, 'law_enforcement', 2);
    expect(overdueToPolice!.subject).toMatch(/is now due \d+ \w+ \d{4}, overdue since \d+ \w+ \d{4} \(/);
    expect(overdueToPolice!.text).toContain('Make it now, then record it on the case page.');

    await stack.env.sleep(DAY_MS);
    expect(corrected('law_enforcement')).toHaveLength(2);
    expect(corrected('coordinator')).toHaveLength(0);
    expect(corrected('ice')).toHaveLength(0);
  });

  test('a denial corrected back to a grant with every lead behind: the police get "Needed again", not also "Reminder"', async () => {
    const { reference } = await grantedAgain((day) => day(-15));
    const neededAgain = emailsSaying(reference, 'Needed again: Continued Presence renewal request');
    await awaitEmails(neededAgain, 'law_enforcement');
    await stack.env.sleep(DAY_MS);
    expect(neededAgain('law_enforcement')).toHaveLength(1);
    expect(emailsSaying(reference, 'Reminder:')('law_enforcement')).toEqual([]);
  });
});
