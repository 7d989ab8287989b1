/**
 * A minor's case entered after the fact once the survivor has turned 18, HHS never notified, on real parts (time
 * skipping, PostgreSQL, the SMTP capture): while the entry session runs, the move to the adult path is held (the next
 * entry may show HHS notified before the birthday), so the CP request has no deadline yet, on the step and in the
 * reminders list alike; once the session ends the case moves to the adult path and the step, the reminders list and the
 * notice of what passed all name the same adult deadline, counted from the move (domain/tracks/intake.ts).
 */
import { formatDueDate } from '../../../core/people-dates';
import { listNotifications } from '../../../db/notifications';
import { getCase } from '../../../db/read-model';
import { listCaseReminders } from '../../../db/reminders';
import { DEMO_AGENCIES } from '../../../db/seed';
import { workingActor } from '../../../domain/access';
import { eventually, startStack, type Stack } from '../../support/stack';

describe('minor-entered-after-18', () => {
  const DAY_MS = 86_400_000;
  const HOUR_MS = 3_600_000;
  const MINUTE_MS = 60_000;

  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const police = workingActor({
    userId: 'officer-late',
    agencyId: DEMO_AGENCIES.law_enforcement,
    agencyKind: 'law_enforcement',
  });

  /** A minor identified 100 days ago who turned 18 `daysAgo` days ago, entered now. */
  async function enteredAfter18(name: string, daysAgo: number) {
    const now = await stack.env.currentTimeMs();
    const birthday = new Date(now - daysAgo * DAY_MS).toISOString().slice(0, 10);
    const birthDate = `${Number(birthday.slice(0, 4)) - 18}${birthday.slice(4)}`;
    const identifiedAt = new Date(now - 100 * DAY_MS).toISOString();
    return stack.cases.open({ identifiedAt, survivor: { name, birthDate }, agencies: DEMO_AGENCIES }, police);
  }

  /** The CP request's due date on the case page, and the dates its reminders list names. */
  async function cpDeadlines(caseId: string) {
    const view = (await getCase(stack.pool, caseId))!;
    const step = view.steps.find((candidate) => candidate.id === 'cp_request-1')!;
    const reminders = (await listCaseReminders(stack.pool, caseId)).filter((alarm) => alarm.stepId === 'cp_request-1');
    return { path: view.path, dueAt: step.dueAt, reminders };
  }

  test('turned 18 three days before the entry: no adult CP deadline listed until the session moves the case, then one everywhere', async () => {
    const opened = await enteredAfter18('Turned Eighteen Lately', 3);
    expect(opened.path).toBe('minor');
    const during = await cpDeadlines(opened.caseId);
    expect(during).toEqual({ path: 'minor', dueAt: null, reminders: [] });
    await stack.env.sleep(10 * MINUTE_MS);
    expect(await cpDeadlines(opened.caseId)).toEqual(during);

    // The session's end (30 minutes after its last entry): the move to the adult path, and its deadline, in one place.
    await stack.env.sleep(HOUR_MS);
    const after = await eventually(async () => {
      const found = await cpDeadlines(opened.caseId);
      return found.path === 'adult' ? found : undefined;
    }, 'the adult path');
    expect(after.dueAt).not.toBeNull();
    expect(Date.parse(after.dueAt!)).toBeGreaterThan(await stack.env.currentTimeMs());
    expect(after.reminders.find((alarm) => alarm.kind === 'due')?.at).toBe(after.dueAt);
  });

  test('turned 18 a month before the entry: the notice of what passed names the adult CP deadline the step shows', async () => {
    const opened = await enteredAfter18('Turned Eighteen Long Ago', 30);
    expect((await cpDeadlines(opened.caseId)).dueAt).toBeNull();
    await stack.env.sleep(HOUR_MS);
    const notice = await eventually(async () => {
      const { items } = await listNotifications(stack.pool, { caseId: opened.caseId, limit: 50 });
      return items.find((n) => n.kind === 'passed_summary' && n.recipientAgencyId === DEMO_AGENCIES.law_enforcement);
    }, 'the police told what passed');
    const { path, dueAt } = await cpDeadlines(opened.caseId);
    expect(path).toBe('adult');
    expect(notice.bodyText).toContain(
      `Deadline reached: Continued Presence request, due ${formatDueDate(dueAt!, 'UTC')}`,
    );
  });
});
