/**
 * Continued Presence: law enforcement requests, ICE decides, each grant must be renewed before it lapses.
 * The grant in force is the latest granting decision; its end drives the renewal reminders and the expiry.
 */
import { addDays, addMonths, endOfDay, lastDayOfMonthsFrom } from '../dates';
import { cancelPending, findStep, latestOfKind, openStep, record, updateStep, type CaseState } from '../case-state';
import type { Step } from '../types';
import { currentCpGrant, withdrawUnbackedCertification } from './certification-grounds';
import { unlockCertification } from './hhs';
import {
  lapseAlarms,
  allOf,
  windowEndAlarms,
  openingBy,
  outOfRange,
  text,
  dateOrder,
  type SignOffContext,
  type TrackRules,
} from './track';

function grantValidUntil(step: Step | undefined): string | null {
  const value = step?.details['validUntil'];
  return typeof value === 'string' ? value : null;
}

/**
 * The last day of a grant: the date ICE's letter states, else the longest the policy allows, counted from the grant
 * (or, for a renewal, from the end of the grant it extends when that is later). A grant of 2 years from 10 Jan 2026
 * runs through 9 Jan 2028 on a case that reads dates as written (`datesAsWritten`); before, through 10 Jan. One from
 * 29 Feb 2024 runs through 28 Feb 2026 (`monthsEndAsAnniversaries`); before, through 27 Feb. A letter
 * stating the anniversary is still taken (`limit`): the letter is what holds. A renewal granted while the grant is in
 * force, its last day included, runs on from the day after that last day (`renewalRunsOnFromGrantEnd`): a grant
 * through 30 Nov 2026 renewed on 30 Nov runs through 30 Nov 2028, one through 28 Feb 2026 through 29 Feb 2028; before,
 * a renewal on the last day counted from its own day (through 29 Nov 2028), and months were added to the last day
 * (through 28 Feb 2028).
 */
function grantEnd(ctx: SignOffContext): { validUntil: string; limit: string; months: number; source: string } {
  const initial = ctx.step.kind === 'cp_decision';
  const { months, source } = initial ? ctx.state.policy.durations.cpInitialGrant : ctx.state.policy.durations.cpRenewal;
  const grantedOn = text(ctx.details, initial ? 'grantedOn' : 'renewedOn') || ctx.today;
  const current = initial ? null : grantValidUntil(currentCpGrant(ctx.state.steps));
  const runsOn = ctx.state.renewalRunsOnFromGrantEnd === true;
  const extendsCurrent = current !== null && (runsOn ? current >= grantedOn : current > grantedOn);
  if (extendsCurrent && runsOn) {
    // Its first day is the day after the grant's last: its months end the day before their anniversary.
    const longest = lastDayOfMonthsFrom(addDays(current, 1), months);
    return { validUntil: text(ctx.details, 'validUntil') || longest, limit: longest, months, source };
  }
  const limit = addMonths(extendsCurrent ? current : grantedOn, months);
  // Counted from a first day of validity (the grant's), "N months" ends the day before; from a last day, on it.
  const fromFirstDay = ctx.state.monthsEndAsAnniversaries ? lastDayOfMonthsFrom(grantedOn, months) : addDays(limit, -1);
  const longest = ctx.state.datesAsWritten && !extendsCurrent ? fromFirstDay : limit;
  return { validUntil: text(ctx.details, 'validUntil') || longest, limit, months, source };
}

/** Records the grant's end and opens the renewal request, due when the grant lapses. */
function recordGrant(state: CaseState, ctx: SignOffContext): CaseState {
  const { validUntil } = grantEnd(ctx);
  const expiresAt = endOfDay(validUntil);
  const granted = updateStep(state, ctx.step.id, {
    expiresAt,
    details: { ...findStep(state, ctx.step.id)!.details, validUntil },
  });
  return openStep(granted, 'cp_renewal_request', ctx.now, { dueAt: expiresAt, actorAgencyId: ctx.actor.agencyId });
}

export const continuedPresence: TrackRules = {
  check: {
    // A validity that already ended is recorded as it was, and then shows as expired: a case entered late is honest.
    cp_decision: (ctx) => {
      if (ctx.outcome !== 'granted') return null;
      const grantedOn = text(ctx.details, 'grantedOn') || ctx.today;
      const { validUntil, limit, months, source } = grantEnd(ctx);
      return allOf(
        () =>
          validUntil < grantedOn
            ? dateOrder('validUntil', `validUntil (${validUntil}) is before grantedOn (${grantedOn})`)
            : null,
        () =>
          validUntil > limit
            ? outOfRange(
                'validUntil',
                `an initial grant lasts at most ${months} months from ${grantedOn} (until ${limit}); ${source}`,
              )
            : null,
      );
    },
    cp_renewal_decision: (ctx) => {
      if (ctx.outcome !== 'renewed') return null;
      const current = grantValidUntil(currentCpGrant(ctx.state.steps));
      // A renewal granted before the current grant ends extends it; one granted after a lapse runs from its own date.
      const { validUntil, limit, months, source } = grantEnd(ctx);
      return allOf(
        () =>
          current && validUntil <= current
            ? dateOrder('validUntil', `a renewal must end after the current grant (${current})`)
            : null,
        () =>
          validUntil > limit
            ? outOfRange('validUntil', `a renewal lasts at most ${months} months (until ${limit}); ${source}`)
            : null,
      );
    },
  },
  after: {
    cp_request: (state, ctx) => openStep(state, 'cp_decision', ctx.now, openingBy(ctx)),
    cp_renewal_request: (state, ctx) => openStep(state, 'cp_renewal_decision', ctx.now, openingBy(ctx)),
    cp_decision: (state, ctx) => {
      if (ctx.outcome !== 'granted') return state;
      return unlockCertification(recordGrant(state, ctx), 'cp_granted', ctx.now, ctx.countsFrom);
    },
    cp_renewal_decision: (state, ctx) => {
      if (ctx.outcome !== 'renewed') return state;
      // A renewal granted after the lapse withdrew the certification request is a qualifying event again.
      const renewed = recordGrant(state, ctx);
      return state.lapsedCpWithdrawsCertification
        ? unlockCertification(renewed, 'cp_granted', ctx.now, ctx.countsFrom)
        : renewed;
    },
  },
  windowAlarms(state) {
    const grant = currentCpGrant(state.steps);
    if (!grant || grant.status !== 'completed' || !grant.expiresAt) return [];
    const base = { stepId: grant.id, recipient: 'law_enforcement' as const, subject: 'cp_validity' };
    const renewalStillToRequest = latestOfKind(state, 'cp_renewal_request')?.status === 'pending';
    // Once the renewal is requested, nothing is left to remind of: only the end.
    if (!renewalStillToRequest) return lapseAlarms(state, base, grant.expiresAt);
    const { leadDays } = state.policy.expiryLeads.cpRenewal;
    return windowEndAlarms(state, base, grant.expiresAt, leadDays, grant.completedAt ?? grant.openedAt);
  },
  expire: {
    cp_decision: expireGrant,
    cp_renewal_decision: expireGrant,
  },
};

/**
 * A grant's end: the renewal request still to be made is cancelled, and so is an adult's certification request still
 * to be made when CP was its only ground (a bona fide T visa not denied, or T status, keeps it). Cases from before
 * `lapsedCpWithdrawsCertification` kept that request pending, with its reminders and escalation.
 */
function expireGrant(state: CaseState, grant: Step, now: string): CaseState {
  const lapsed = record(
    updateStep(state, grant.id, { status: 'expired' }),
    now,
    'step.expired',
    grant.id,
    null,
    'Continued Presence expired',
  );
  const settled = cancelPending(
    lapsed,
    'cp_renewal_request',
    now,
    'Continued Presence expired before a renewal was requested',
  );
  return settled.lapsedCpWithdrawsCertification
    ? withdrawUnbackedCertification(settled, now, 'Continued Presence lapsed', 'cp_lapsed')
    : settled;
}
