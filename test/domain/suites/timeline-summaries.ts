/**
 * What the console (web/timeline.ts) and the API's days (app/timeline-days.ts) read back from a timeline entry's
 * summary, read by the domain that writes it: a sign-off's entry and the words it adds when entered after the day it
 * happened (domain/case.ts `SIGN_OFF_ENTRIES`, `recordedLateIn`), a T-visa notice's kind and day to answer by
 * (domain/tracks/t-visa.ts `noticeReceived`), what a correction changed and the days it replaced (domain/correction.ts
 * `correctionChanges`, `correctedDays`). Read from entries a case records, so a summary written otherwise fails.
 */
import { recordedLateIn, SIGN_OFF_ENTRIES } from '../../../domain/case';
import type { CaseState } from '../../../domain/case-state';
import { correctedDays, correctionChanges } from '../../../domain/correction';
import { noticeReceived } from '../../../domain/tracks/t-visa';
import { correct, noon, openAdult, sign } from '../case-fixtures';

describe('timeline-summaries', () => {
  const entriesOf = (state: CaseState, stepId: string) => state.timeline.filter((entry) => entry.stepId === stepId);

  test('a sign-off entered after the day it happened says both days; one recorded that day says none', () => {
    let state = sign(openAdult(), 't_visa_filing-1', 'filed', { filedOn: '2026-02-01' }, noon('2026-02-01'));
    state = sign(state, 't_visa_receipt-1', 'received', { receivedOn: '2026-02-20' }, noon('2026-02-23'));
    state = sign(state, 'le_declaration-1', 'declined', { reason: 'investigation_closed' }, noon('2026-02-23'));
    const [filed] = entriesOf(state, 't_visa_filing-1').filter((entry) => SIGN_OFF_ENTRIES.has(entry.type));
    const [received] = entriesOf(state, 't_visa_receipt-1').filter((entry) => SIGN_OFF_ENTRIES.has(entry.type));
    const [declined] = entriesOf(state, 'le_declaration-1').filter((entry) => SIGN_OFF_ENTRIES.has(entry.type));
    expect([filed?.type, received?.type, declined?.type]).toEqual([
      'step.completed',
      'step.completed',
      'step.declined',
    ]);
    expect(recordedLateIn(received!.summary)).toEqual({ happenedOn: '2026-02-20', recordedOn: '2026-02-23' });
    expect(recordedLateIn(filed!.summary)).toBeUndefined();
    expect(recordedLateIn(declined!.summary)).toBeUndefined();
    // What a sign-off opens is not its sign-off.
    expect(SIGN_OFF_ENTRIES.has(entriesOf(state, 't_visa_receipt-1')[0]!.type)).toBe(false);
  });

  test("a T-visa notice's entry says which notice came and the day to answer by; no other entry does", () => {
    let state = sign(openAdult(), 't_visa_filing-1', 'filed', { filedOn: '2026-02-01' }, noon('2026-02-01'));
    state = sign(state, 't_visa_receipt-1', 'received', { receivedOn: '2026-02-20' }, noon('2026-02-21'));
    state = sign(state, 't_visa_bona_fide-1', 'bona_fide', { determinedOn: '2026-06-01' }, noon('2026-06-02'));
    const notice = { notice: 'noid', issuedOn: '2026-07-01', respondBy: '2026-07-31' };
    state = sign(state, 't_visa_decision-1', 'evidence_requested', notice, noon('2026-07-03'));
    const read = state.timeline.map(noticeReceived);
    expect(read.filter(Boolean)).toEqual([{ notice: 'noid', respondBy: '2026-07-31' }]);
    expect(state.timeline[read.findIndex(Boolean)]?.type).toBe('notice.received');
  });

  test('a correction says what it changed, and which days it replaced by which', () => {
    let state = sign(openAdult(), 'cp_request-1', 'requested', { requestedOn: '2026-01-10' }, noon('2026-01-12'));
    state = correct(state, 'cp_request-1', 'requested', { requestedOn: '2026-01-09' }, noon('2026-01-13'));
    state = sign(state, 'cp_decision-1', 'denied', { reason: 'not_potential_witness' }, noon('2026-01-20'));
    state = correct(state, 'cp_decision-1', 'granted', { grantedOn: '2026-01-20' }, noon('2026-01-21'));
    const [requested, decided] = state.timeline.filter((entry) => entry.type === 'step.corrected');
    expect(correctionChanges(requested!)).toEqual([
      { said: 'requestedOn 2026-01-10 → 2026-01-09', field: 'requestedOn', from: '2026-01-10', to: '2026-01-09' },
    ]);
    expect(correctedDays(requested!)).toEqual([{ from: '2026-01-10', to: '2026-01-09' }]);
    expect(correctionChanges(decided!)).toEqual([
      { said: 'outcome denied → granted', field: 'outcome', from: 'denied', to: 'granted' },
      { said: 'reason not_potential_witness → none', field: 'reason', from: 'not_potential_witness', to: 'none' },
      { said: 'grantedOn none → 2026-01-20', field: 'grantedOn', from: 'none', to: '2026-01-20' },
      { said: 'validUntil none → 2028-01-20', field: 'validUntil', from: 'none', to: '2028-01-20' },
    ]);
    // A day given where there was none; the outcome, the reason and the end of the grant are no event's day.
    expect(correctedDays(decided!)).toEqual([{ from: null, to: '2026-01-20' }]);
    const signed = state.timeline.find((entry) => entry.type === 'step.completed' && entry.stepId === 'cp_request-1');
    expect(correctionChanges(signed!)).toBeUndefined();
    expect(correctedDays(signed!)).toEqual([]);
  });
});
