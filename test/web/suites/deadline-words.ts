/**
 * One deadline, one day, wherever the console names it: "Where the case stands", the timeline's rescheduling and its
 * alarms say a step's deadline as the step's own row does (its last day to act, or its hour for the minors' 24-hour
 * notice), and a minor's 18th-birthday reminder is never called "Expiring".
 */
import { standingOf } from '../../../web/case-standing';
import { wordsFor } from '../../../web/labels';
import { timelineOf } from '../../../web/timeline';

describe('deadline-words', () => {
  /** A sentence as its reader sees it: the marks that set names apart (web/isolated.ts) are invisible. */
  const asRead = (line: { sentence: string }) => line.sentence.replace(/[\u2068\u2069]/gu, '');
  const words = wordsFor('UTC', new Date('2026-12-04T12:00:00.000Z'), []);

  /** A pending step as the case read gives it, `overdue` as the API says it at the words' clock. */
  const step = (kind: string, id: string, dueAt: string | null, overdue = true) => ({
    id,
    kind,
    track: 'intake',
    agencyId: null,
    agencyKind: 'law_enforcement',
    status: 'pending',
    dueAt,
    overdue,
    expiresAt: null,
    completedAt: null,
    outcome: null,
    details: {},
  });

  test("the minors' 24-hour notice is owed at its hour in the case's standing, as in its row", () => {
    const notice = step('hhs_minor_notification', 'hhs_minor_notification-1', '2026-12-02T00:00:00.000Z');
    const [standing] = standingOf([notice], ['intake'], words);
    expect(standing?.next).toContain(`due ${words.dueOf(notice.kind, notice.dueAt)} (overdue by`);
    expect(standing?.next).toContain('2 Dec 2026, 00:00 UTC');
  });

  const entry = (type: string, stepId: string, summary: string) => ({
    seq: 1,
    at: '2026-12-04T10:00:00.000Z',
    type,
    stepId,
    actorAgencyId: null,
    summary,
  });

  test('a step rescheduled by a correction is now due on the day its row shows', () => {
    const renewal = step('cp_renewal_request', 'cp_renewal_request-1', '2028-05-26T00:00:00.000Z');
    const [line] = timelineOf(
      [
        entry(
          'step.rescheduled',
          renewal.id,
          'cp_renewal_request-1 now due 2028-05-26T00:00:00.000Z (was 2028-11-26T00:00:00.000Z)',
        ),
      ],
      [renewal],
      words,
    );
    expect(line?.sentence).toBe('Continued Presence renewal request now due 25 May 2028 (was 25 Nov 2028).');
    expect(words.dueOf(renewal.kind, renewal.dueAt)).toBe('25 May 2028');
  });

  test('a step a correction reopened, its lapse withdrawn, is due on the day its row shows', () => {
    const renewal = step('cp_renewal_request', 'cp_renewal_request-1', '2027-12-01T00:00:00.000Z');
    const grant = { ...step('cp_decision', 'cp_decision-1', null), status: 'completed' };
    const sentences = timelineOf(
      [
        entry('step.lapse_corrected', grant.id, 'cp_decision-1 corrected: the lapse on 2026-11-30 is withdrawn'),
        entry(
          'step.reopened',
          renewal.id,
          'cp_renewal_request-1 reopened, due 2027-12-01T00:00:00.000Z: the lapse of cp_decision-1 on 2026-11-30 is withdrawn',
        ),
      ],
      [renewal, grant],
      words,
    ).map(asRead);
    expect(sentences).toEqual([
      'Continued Presence decision corrected: the lapse on 30 Nov 2026 is withdrawn',
      'Continued Presence renewal request reopened, due 30 Nov 2027: the lapse of the Continued Presence decision on 30 Nov 2026 is withdrawn.',
    ]);
  });

  test("an alarm in the timeline is named as the case's reminders name it", () => {
    const notice = step('hhs_minor_notification', 'hhs_minor_notification-1', null);
    const declaration = step('le_declaration', 'le_declaration-1', null);
    const sentences = timelineOf(
      [
        entry(
          'alarm.expiry_reminder',
          notice.id,
          'expiry_reminder (minor_turns_18) for hhs_minor_notification-1 raised for coordinator',
        ),
        entry('alarm.due', declaration.id, 'due (le_declaration) for le_declaration-1 raised for law_enforcement'),
      ],
      [notice, declaration],
      words,
    ).map(asRead);
    expect(sentences).toEqual([
      'Before the minor turns 18 – HHS notification of a minor (24 hours) (notice raised).',
      'Deadline reached: Law-enforcement declaration (Form I-914, Supplement B) (notice raised).',
    ]);
  });

  test('a declined step names who declined it, and a cancelled one says why, in words', () => {
    const declaration = {
      ...step('le_declaration', 'le_declaration-1', null),
      status: 'declined',
      completedBy: { displayName: 'Demo Police Officer', agencyId: null },
    };
    const notice = step('hhs_minor_notification', 'hhs_minor_notification-1', null);
    const sentences = timelineOf(
      [
        entry(
          'step.declined',
          declaration.id,
          'le_declaration-1 declined by law_enforcement (happened on 2026-11-02, recorded on 2026-12-04)',
        ),
        entry(
          'step.cancelled',
          notice.id,
          'hhs_minor_notification-1 cancelled: turned 18 before HHS was notified: the adult route applies',
        ),
      ],
      [declaration, notice],
      words,
    ).map(asRead);
    expect(sentences[0]).toMatch(
      /^Law-enforcement declaration \(Form I-914, Supplement B\) declined by Demo Police Officer \(.+\)\. Recorded after the fact, on 4 Dec 2026\.$/,
    );
    expect(sentences[0]).not.toContain('law_enforcement');
    expect(sentences[1]).toBe(
      'HHS notification of a minor (24 hours) cancelled: turned 18 before HHS was notified: the adult route applies.',
    );
  });

  describe("the minors' 24-hour notice says how late it is from the hour it shows (probe: 'overdue by 1 day')", () => {
    // Identified by the day, 5 Dec, where the police keep UTC: the notice is due at 00:00 UTC on 6 Dec.
    const dueAt = '2026-12-06T00:00:00.000Z';
    const notice = step('hhs_minor_notification', 'hhs_minor_notification-1', dueAt);
    const at = (now: string, zone = 'UTC', zones: string[] = []) => wordsFor(zone, new Date(now), [], zones);

    test('2 hours 52 minutes after its hour: "overdue by 2 hours", where its row shows the hour', () => {
      const words = at('2026-12-06T02:52:00.000Z');
      expect(words.dueOf(notice.kind, dueAt)).toBe('6 Dec 2026, 00:00 UTC');
      expect(words.due(dueAt, notice.kind, null, false, true)).toBe('overdue by 2 hours');
      const [standing] = standingOf([notice], ['intake'], words);
      expect(standing?.next).toContain('due 6 Dec 2026, 00:00 UTC (overdue by 2 hours)');
    });

    test('in minutes within its first hour, in days once 24 hours have gone by, and the time left before it', () => {
      const late = (now: string) => at(now).due(dueAt, notice.kind, null, false, true);
      expect(late('2026-12-06T00:40:00.000Z')).toBe('overdue by 40 minutes');
      expect(late('2026-12-06T23:59:00.000Z')).toBe('overdue by 23 hours');
      expect(late('2026-12-07T01:00:00.000Z')).toBe('overdue by 1 day');
      expect(late('2026-12-08T02:52:00.000Z')).toBe('overdue by 2 days');
      expect(at('2026-12-05T19:30:00.000Z').due(dueAt, notice.kind, null, false, false)).toBe('in 4 hours');
    });

    test('the same words in every zone, as the moment shown is the same: Guam is not told it passed hours early', () => {
      // 06:00 on 6 Dec in Guam, whose own 6 Dec has begun: the notice is due at 10:00 there, 4 hours on.
      const guam = at('2026-12-05T20:00:00.000Z', 'Pacific/Guam', ['UTC']);
      expect(guam.dueOf(notice.kind, dueAt)).toBe('6 Dec 2026, 10:00 Guam time');
      expect(guam.due(dueAt, notice.kind, null, false, false)).toBe('in 4 hours');
      const newYork = at('2026-12-06T02:52:00.000Z', 'America/New_York', ['UTC']);
      expect(newYork.dueOf(notice.kind, dueAt)).toBe('5 Dec 2026, 19:00 EST');
      expect(newYork.due(dueAt, notice.kind, null, false, true)).toBe('overdue by 2 hours');
    });

    test('a deadline shown by its last day keeps its words: due at the same instant, it is 1 day late', () => {
      const words = at('2026-12-06T02:52:00.000Z');
      expect(words.dueOf('cp_request', dueAt)).toBe('5 Dec 2026');
      expect(words.due(dueAt, 'cp_request', null, false, true)).toBe('overdue by 1 day');
      expect(words.due(dueAt, null, null, null, true)).toBe('overdue by 1 day');
    });
  });

  test("a reminder at a step's deadline names the day the step's row does; any other, the day it comes", () => {
    // Due as 20 Dec begins in UTC: the last day to act is 19 Dec.
    const dueAt = '2026-12-20T00:00:00.000Z';
    const reached = { kind: 'due', stepKind: 'le_declaration', about: 'le_declaration', at: dueAt };
    expect(words.dueOf('le_declaration', dueAt)).toBe('19 Dec 2026');
    expect(words.reminderWhen(reached, dueAt)).toBe('19 Dec 2026');
    // A "Deadline reached" of a step no longer pending (its reminder sent) still names that day.
    expect(words.reminderWhen(reached, null)).toBe('19 Dec 2026');
    // A reminder before, and an escalation after: the day each comes.
    expect(words.reminderWhen({ ...reached, kind: 'reminder', at: '2026-12-13T00:00:00.000Z' }, dueAt)).toBe(
      '13 Dec 2026',
    );
    expect(words.reminderWhen({ ...reached, kind: 'escalation', at: '2026-12-27T00:00:00.000Z' }, dueAt)).toBe(
      '27 Dec 2026',
    );
    // Any reminder at the deadline itself reads as the deadline.
    expect(words.reminderWhen({ ...reached, kind: 'escalation' }, dueAt)).toBe('19 Dec 2026');
    // The minors' notice, at its hour, as its row shows it.
    const notice = { kind: 'due', stepKind: 'hhs_minor_notification', about: 'hhs_minor_notification' };
    expect(words.reminderWhen({ ...notice, at: '2026-12-06T00:00:00.000Z' })).toBe('6 Dec 2026, 00:00 UTC');
    // A window's end is no step's deadline: the day it comes.
    const expiring = { kind: 'expiry_reminder', stepKind: 'cp_decision', about: 'cp_validity', at: dueAt };
    expect(words.reminderWhen(expiring, dueAt)).toBe('20 Dec 2026');
  });

  test('the alarms of a deadline shown at its hour come at an hour, said as its "Deadline reached" is; a day\'s alarms on their day', () => {
    // The probe's minor: the 24-hour notice due 7 Dec 2026 at 02:49 UTC, reminded half-way, escalated six hours late.
    const dueAt = '2026-12-07T02:49:00.000Z';
    const notice = { stepKind: 'hhs_minor_notification', about: 'hhs_minor_notification' };
    const reminder = { ...notice, kind: 'reminder', at: '2026-12-06T14:49:00.000Z' };
    const reached = { ...notice, kind: 'due', at: dueAt };
    const escalation = { ...notice, kind: 'escalation', at: '2026-12-07T08:49:00.000Z' };
    expect([reminder, reached, escalation].map((alarm) => words.reminderWhen(alarm, dueAt))).toEqual([
      '6 Dec 2026, 14:49 UTC',
      '7 Dec 2026, 02:49 UTC',
      '7 Dec 2026, 08:49 UTC',
    ]);
    // Each in the reader's zone words, the step's row's too; also once the step is done (no due instant given).
    const chicago = wordsFor('America/Chicago', new Date('2026-12-06T15:00:00.000Z'), []);
    expect(chicago.dueOf(notice.stepKind, dueAt)).toBe('6 Dec 2026, 20:49 CST');
    expect([reminder, reached, escalation].map((alarm) => chicago.reminderWhen(alarm, null))).toEqual([
      '6 Dec 2026, 08:49 CST',
      '6 Dec 2026, 20:49 CST',
      '7 Dec 2026, 02:49 CST',
    ]);
    // The same step's reminder of the minor's 18th birthday is about a day: the day it comes.
    const turns18 = { ...notice, kind: 'reminder', about: 'minor_turns_18', at: '2026-12-06T14:49:00.000Z' };
    expect(words.reminderWhen(turns18, dueAt)).toBe('6 Dec 2026');
    // A step due on a day keeps days for all its alarms, at whatever instant they come.
    const request = { kind: 'reminder', stepKind: 'cp_request', about: 'cp_request', at: '2026-12-06T14:49:00.000Z' };
    expect(words.reminderWhen(request, '2026-12-20T00:00:00.000Z')).toBe('6 Dec 2026');
    expect(words.reminderWhen({ ...request, kind: 'escalation', at: '2026-12-27T08:49:00.000Z' })).toBe('27 Dec 2026');
  });
});
