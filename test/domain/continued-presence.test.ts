import { alarms, fireAlarm } from '../../domain/alarms';
import type { CaseState } from '../../domain/case-state';
import { noon, openAdult, openMinor, pendingIds, refusal, sign, stepOf } from './case-fixtures';

function granted(validUntil = '2028-01-20'): CaseState {
  const requested = sign(openAdult(), 'cp_request-1', 'requested', { requestedOn: '2026-01-06' }, noon('2026-01-06'));
  return sign(requested, 'cp_decision-1', 'granted', { validUntil }, noon('2026-01-20'));
}

const cpAlarms = (state: CaseState) => alarms(state).filter((alarm) => alarm.subject === 'cp_validity');

describe('Continued Presence', () => {
  it('request opens an ICE decision; a grant records its expiry and opens the renewal request due then', () => {
    const state = granted();
    expect(stepOf(state, 'cp_decision-1')).toMatchObject({
      status: 'completed',
      outcome: 'granted',
      agencyKind: 'ice',
      agencyId: 'agency-ice',
    });
    expect(stepOf(state, 'cp_decision-1').expiresAt).toBe('2028-01-21T00:00:00.000Z');
    expect(stepOf(state, 'cp_renewal_request-1')).toMatchObject({
      status: 'pending',
      agencyKind: 'law_enforcement',
      dueAt: '2028-01-21T00:00:00.000Z',
    });
  });

  it('a grant raises the renewal reminder 120 days before expiry, to law enforcement, and the expiry itself', () => {
    const state = granted();
    expect(cpAlarms(state).map((a) => [a.kind, a.at, a.recipient])).toEqual([
      ['expiry_reminder', '2027-09-23T00:00:00.000Z', 'law_enforcement'],
      ['expiry_reminder', '2027-11-22T00:00:00.000Z', 'law_enforcement'],
      ['expiry_reminder', '2027-12-22T00:00:00.000Z', 'law_enforcement'],
      ['expired', '2028-01-21T00:00:00.000Z', 'law_enforcement'],
    ]);
  });

  it('a renewal moves the expiry: the old alarms disappear and new ones with new ids appear', () => {
    const before = granted();
    const requested = sign(
      before,
      'cp_renewal_request-1',
      'requested',
      { requestedOn: '2027-09-01' },
      noon('2027-09-01'),
    );
    expect(cpAlarms(requested).map((a) => a.kind)).toEqual(['expired']); // no more "please renew" once requested
    const renewed = sign(
      requested,
      'cp_renewal_decision-1',
      'renewed',
      { validUntil: '2030-01-20' },
      noon('2027-10-01'),
    );
    const oldIds = new Set(cpAlarms(before).map((a) => a.id));
    const now = cpAlarms(renewed);
    expect(now.at(-1)).toMatchObject({
      kind: 'expired',
      at: '2030-01-21T00:00:00.000Z',
      stepId: 'cp_renewal_decision-1',
    });
    expect(now.some((a) => oldIds.has(a.id))).toBe(false);
    expect(stepOf(renewed, 'cp_renewal_request-2')).toMatchObject({
      status: 'pending',
      dueAt: '2030-01-21T00:00:00.000Z',
    });
  });

  it('expires when validUntil passes with no renewal: grant expired, renewal request cancelled', () => {
    const state = granted();
    const expired = cpAlarms(state).find((a) => a.kind === 'expired')!;
    const after = fireAlarm(state, expired, expired.at);
    expect(stepOf(after, 'cp_decision-1').status).toBe('expired');
    expect(stepOf(after, 'cp_renewal_request-1').status).toBe('cancelled');
    expect(cpAlarms(after)).toEqual([]);
    expect(after.timeline.at(-2)?.summary).toBe('Continued Presence expired');
  });

  it('a denial opens nothing further and unlocks no certification', () => {
    const requested = sign(openAdult(), 'cp_request-1', 'requested', { requestedOn: '2026-01-06' }, noon('2026-01-06'));
    const denied = sign(requested, 'cp_decision-1', 'denied', { reason: 'not_potential_witness' }, noon('2026-01-20'));
    expect(stepOf(denied, 'cp_decision-1')).toMatchObject({
      status: 'completed',
      outcome: 'denied',
      details: { reason: 'not_potential_witness' },
    });
    expect(pendingIds(denied)).toEqual(['le_declaration-1', 't_visa_filing-1']);
  });

  it('rejects a grant longer than the policy allows, a renewal that ends earlier, and a validUntil already past', () => {
    const requested = sign(openAdult(), 'cp_request-1', 'requested', { requestedOn: '2026-01-06' }, noon('2026-01-06'));
    expect(
      refusal(requested, 'cp_decision-1', 'granted', { validUntil: '2028-02-01' }, noon('2026-01-20')),
    ).toMatchObject({
      code: 'date_out_of_range',
      field: 'details.validUntil',
    });
    expect(
      refusal(requested, 'cp_decision-1', 'granted', { validUntil: '2026-01-19' }, noon('2026-01-20')),
    ).toMatchObject({
      code: 'date_order',
      field: 'details.validUntil',
    });
    const renewing = sign(
      granted(),
      'cp_renewal_request-1',
      'requested',
      { requestedOn: '2027-09-01' },
      noon('2027-09-01'),
    );
    expect(
      refusal(renewing, 'cp_renewal_decision-1', 'renewed', { validUntil: '2027-12-31' }, noon('2027-10-01')),
    ).toMatchObject({
      code: 'date_order',
      field: 'details.validUntil',
    });
    expect(
      refusal(renewing, 'cp_renewal_decision-1', 'renewed', { validUntil: '2030-02-01' }, noon('2027-10-01')),
    ).toMatchObject({
      code: 'date_out_of_range',
    });
  });

  it('is available on the minor path too, without a deadline', () => {
    const minor = openMinor();
    expect(stepOf(minor, 'cp_request-1')).toMatchObject({ status: 'pending', dueAt: null });
    expect(stepOf(openAdult(), 'cp_request-1').dueAt).toBe('2026-01-19T08:00:00.000Z');
    const requested = sign(minor, 'cp_request-1', 'requested', { requestedOn: '2026-01-06' }, noon('2026-01-06'));
    const grantedMinor = sign(requested, 'cp_decision-1', 'granted', { validUntil: '2028-01-20' }, noon('2026-01-20'));
    expect(grantedMinor.steps.some((s) => s.kind === 'hhs_certification_request')).toBe(false);
  });
});
