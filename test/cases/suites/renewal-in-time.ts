/**
 * A case brought up to date after the fact whose CP renewal was requested before the grant ran out, on real parts (time
 * skipping, PostgreSQL, the SMTP capture): the renewal leads that fell before the entry were moot, not missed (the
 * police did request it in time), so the notice of what passed lists none of them, to the coordinator or the police.
 */
import { listNotifications } from '../../../db/notifications';
import { DEMO_AGENCIES } from '../../../db/seed';
import { workingActor } from '../../../domain/access';
import type { AgencyKind } from '../../../domain/types';
import { eventually, startStack, type Stack } from '../../support/stack';

describe('renewal-in-time', () => {
  const DAY_MS = 86_400_000;
  const HOUR_MS = 3_600_000;

  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const actorOf = (agencyKind: AgencyKind) =>
    workingActor({ userId: `${agencyKind}-late`, agencyId: DEMO_AGENCIES[agencyKind], agencyKind });

  test('a CP renewal requested before the grant ran out: its passed leads are left out of the notice of what passed', async () => {
    const now = await stack.env.currentTimeMs();
    const day = (daysAgo: number) => new Date(now - daysAgo * DAY_MS).toISOString().slice(0, 10);
    const opened = await stack.cases.open(
      {
        identifiedOn: day(700),
        survivor: { name: 'Renewed In Time', birthDate: '1985-05-05' },
        agencies: DEMO_AGENCIES,
      },
      actorOf('law_enforcement'),
    );
    const sign = (kind: AgencyKind, stepId: string, outcome: string, details: Record<string, string>) =>
      stack.cases.signOff(opened.caseId, { stepId, outcome, details }, actorOf(kind));
    await sign('law_enforcement', 'cp_request-1', 'requested', { requestedOn: day(699) });
    // Two years from 695 days ago: the grant runs about a month more, its 120- and 60-day leads fell before the entry.
    await sign('ice', 'cp_decision-1', 'granted', { grantedOn: day(695) });
    await sign('law_enforcement', 'cp_renewal_request-1', 'requested', { requestedOn: day(20) });

    await stack.env.sleep(HOUR_MS);
    const notices = await eventually(async () => {
      const { items } = await listNotifications(stack.pool, { caseId: opened.caseId, limit: 50 });
      const told = items.filter((n) => n.kind === 'passed_summary');
      return told.length > 0 && items.every((n) => !n.recipientEmail || n.sentAt) ? told : undefined;
    }, 'the notices of what passed, sent');
    const byAgency = new Map(notices.map((n) => [n.recipientAgencyId, n.bodyText]));
    // Told what else passed (the declaration's deadline), but no "Expiring: Continued Presence, valid until …" lead.
    expect(byAgency.get(DEMO_AGENCIES.coordinator)).toMatch(/Law-enforcement declaration/);
    expect(byAgency.get(DEMO_AGENCIES.law_enforcement)).toMatch(/Law-enforcement declaration/);
    for (const text of byAgency.values()) expect(text).not.toMatch(/Continued Presence/);
  });
});
