import { alarms, fireAlarm } from '../../domain/alarms';
import type { CaseState } from '../../domain/case-state';
import { correct, noon, openAdult, SEALED_NOTE_SAMPLE, sign } from './case-fixtures';

/** A CP grant through 1 Dec 2027 recorded on 20 Jan 2026, on a case with the rule (and the late leads it follows). */
function granted(flags: Partial<CaseState> = { tellsCorrectedEnds: true }): CaseState {
  const opened: CaseState = { ...openAdult(), lateLeadsRaised: true, ...flags };
  const requested = sign(opened, 'cp_request-1', 'requested', { requestedOn: '2026-01-06' }, noon('2026-01-06'));
  return sign(requested, 'cp_decision-1', 'granted', { validUntil: '2027-12-01' }, noon('2026-01-20'));
}

const validUntil = (state: CaseState, date: string, on: string) =>
  correct(state, 'cp_decision-1', 'granted', { validUntil: date }, noon(on));
/** A correction of the grant's note alone: its end stays. */
const noteOnly = (state: CaseState, date: string, on: string) =>
  correct(state, 'cp_decision-1', 'granted', { validUntil: date, note: SEALED_NOTE_SAMPLE }, noon(on));

/** Corrected to an end within every lead, whose "Expiring" reminder is raised at once, to law enforcement. */
function announcedWrong(flags?: Partial<CaseState>): CaseState {
  const wrong = validUntil(granted(flags), '2026-02-10', '2026-01-21');
  const expiring = alarms(wrong).find((alarm) => alarm.kind === 'expiry_reminder' && alarm.subject === 'cp_validity');
  expect(expiring).toMatchObject({ at: noon('2026-01-21'), recipient: 'law_enforcement' });
  return fireAlarm(wrong, expiring!, noon('2026-01-21'));
}

describe('an end an expiry email named, moved by a correction', () => {
  it('is told once to the recipient of that email, with the end as corrected and the one it named', () => {
    const back = validUntil(announcedWrong(), '2027-12-01', '2026-01-22');
    expect(back.endCorrections).toEqual([
      {
        id: `cp_decision-1:end_corrected:cp_validity:law_enforcement:${back.version}`,
        stepId: 'cp_decision-1',
        stepKind: 'cp_decision',
        kind: 'expiry_reminder',
        about: 'cp_validity',
        recipient: 'law_enforcement',
        date: '2027-12-02T00:00:00.000Z',
        was: '2026-02-11T00:00:00.000Z',
      },
    ]);
    // Told once: a later correction that leaves the end where it now is tells nothing more.
    const noted = noteOnly(back, '2027-12-01', '2026-01-23');
    expect(noted.endCorrections).toHaveLength(1);
  });

  it('is told again by another correction moving it, each with an outbox key of its own', () => {
    const back = validUntil(announcedWrong(), '2027-12-01', '2026-01-22');
    const again = validUntil(back, '2026-02-10', '2026-01-23');
    const [first, second] = again.endCorrections ?? [];
    expect(second).toMatchObject({ date: '2026-02-11T00:00:00.000Z', was: '2027-12-02T00:00:00.000Z' });
    expect(second!.id).not.toBe(first!.id);
  });

  it('tells nothing when no email named the end, or no announced end moved', () => {
    // Its leads still ahead: no email named the end, so moving it tells nothing.
    expect(validUntil(granted(), '2027-10-01', '2026-01-21').endCorrections).toBeUndefined();
    // The end an email named stays where it was.
    const announced = announcedWrong();
    const noted = noteOnly(announced, '2026-02-10', '2026-01-22');
    expect(noted.endCorrections).toBeUndefined();
  });

  it('tells nothing on cases recorded before the rule', () => {
    expect(validUntil(announcedWrong({}), '2027-12-01', '2026-01-22').endCorrections).toBeUndefined();
  });
});
