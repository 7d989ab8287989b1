import { alarms, fireAlarm, nextAlarm } from '../../../domain/alarms';
import { noon, openAdult, openMinor, sign, stepOf } from '../case-fixtures';

describe('alarms', () => {
  it('derive a reminder ladder for each pending step: reminder before, at due, escalation after to the coordinator', () => {
    const ladder = alarms(openAdult()).filter((a) => a.stepId === 'cp_request-1');
    expect(ladder.map((a) => [a.kind, a.at, a.recipient])).toEqual([
      // Counted from the identification (08:00) that opened the step, not from when the case was entered (noon).
      ['reminder', '2026-01-12T08:00:00.000Z', 'law_enforcement'],
      ['due', '2026-01-19T08:00:00.000Z', 'law_enforcement'],
      ['escalation', '2026-01-26T08:00:00.000Z', 'coordinator'],
    ]);
  });

  it('come earliest first, with unique ids that include the date (a birthday reminder names its week instead)', () => {
    const all = alarms(openMinor());
    expect(all.map((a) => a.at)).toEqual([...all.map((a) => a.at)].sort());
    expect(new Set(all.map((a) => a.id)).size).toBe(all.length);
    const [birthday, dated] = [
      all.filter((a) => a.subject === 'minor_turns_18'),
      all.filter((a) => a.subject !== 'minor_turns_18'),
    ];
    expect(dated.every((a) => a.id.includes(a.at))).toBe(true);
    expect(birthday.length).toBeGreaterThan(0);
    expect(birthday.every((a) => /:week-\d+$/.test(a.id) && !a.id.includes(a.at))).toBe(true);
    expect(nextAlarm(openMinor())).toMatchObject({
      stepId: 'hhs_minor_notification-1',
      kind: 'reminder',
      at: '2026-01-05T20:00:00.000Z',
    });
  });

  it('stop for a step once it is signed off', () => {
    const signed = sign(openAdult(), 'cp_request-1', 'requested', { requestedOn: '2026-01-06' }, noon('2026-01-06'));
    expect(alarms(signed).some((a) => a.stepId === 'cp_request-1')).toBe(false);
    expect(alarms(signed).some((a) => a.stepId === 'cp_decision-1')).toBe(true);
  });

  it('firing records the alarm once, in firedAlarms and the timeline, and bumps the version', () => {
    const state = openMinor();
    const first = nextAlarm(state)!;
    const fired = fireAlarm(state, first, first.at);
    expect(fired.firedAlarms).toEqual([first.id]);
    expect(fired.version).toBe(state.version + 1);
    expect(fired.timeline.at(-1)).toMatchObject({ type: 'alarm.reminder', stepId: first.stepId, at: first.at });
    expect(alarms(fired).some((a) => a.id === first.id)).toBe(false);
    expect(fireAlarm(fired, first, first.at)).toBe(fired); // already fired: no change
  });

  it('an escalation names the supervisor in the timeline', () => {
    const state = openAdult();
    const escalation = alarms(state).find((a) => a.kind === 'escalation' && a.stepId === 'cp_request-1')!;
    expect(fireAlarm(state, escalation, escalation.at).timeline.at(-1)?.summary).toMatch(/coordinator supervisor/);
  });

  it('a stale alarm (its step settled meanwhile) changes nothing', () => {
    const state = openAdult();
    const due = alarms(state).find((a) => a.kind === 'due' && a.stepId === 'cp_request-1')!;
    const signed = sign(state, 'cp_request-1', 'requested', { requestedOn: '2026-01-06' }, noon('2026-01-06'));
    expect(fireAlarm(signed, due, due.at)).toBe(signed);
  });

  it('drop reminders that would predate the step, e.g. a short notice deadline', () => {
    let state = sign(openAdult(), 't_visa_filing-1', 'filed', { filedOn: '2026-02-01' }, noon('2026-02-01'));
    state = sign(state, 't_visa_receipt-1', 'received', { receivedOn: '2026-02-20' }, noon('2026-02-21'));
    state = sign(state, 't_visa_bona_fide-1', 'bona_fide', { determinedOn: '2026-06-01' }, noon('2026-06-02'));
    state = sign(
      state,
      't_visa_decision-1',
      'evidence_requested',
      { notice: 'noid', issuedOn: '2026-07-01', respondBy: '2026-07-10' },
      noon('2026-07-03'),
    );
    const response = alarms(state).filter((a) => a.stepId === 't_visa_evidence_response-1');
    // The 21-day reminder (2026-06-20) would predate the notice and is dropped; 7 and 2 days before remain.
    expect(response.map((a) => [a.kind, a.at])).toEqual([
      ['reminder', '2026-07-04T00:00:00.000Z'],
      ['reminder', '2026-07-09T00:00:00.000Z'],
      ['due', '2026-07-11T00:00:00.000Z'],
    ]);
    // Opened by the notice, dated when it was issued.
    expect(stepOf(state, 't_visa_evidence_response-1').openedAt).toBe(noon('2026-07-01'));
  });
});
