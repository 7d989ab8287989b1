/**
 * T visa (Form I-914), recorded by the attorney or advocate as USCIS acts: filing, receipt, bona fide
 * determination, any number of evidence requests (each answered by the date on its notice), decision, then the
 * adjustment filing, which must happen while T status lasts. The law-enforcement declaration never gates any of it.
 */
import {
  addDays,
  addMonths,
  anniversaryAfter,
  begunEverywhereInUs,
  endOfDay,
  lastDayOfMonthsFrom,
  lastValidDay,
  startOfDay,
  type IsoDate,
} from '../dates';
import { cancelPending, latestOfKind, openStep, record, stepsOfKind, updateStep, type CaseState } from '../case-state';
import type { Step } from '../types';
import { withdrawUnbackedCertification } from './certification-grounds';
import { unlockCertification } from './hhs';
import {
  dateOrder,
  allOf,
  citedDayRefusal,
  windowEndAlarms,
  openingBy,
  outOfRange,
  text,
  type SignOffContext,
  type TrackRules,
} from './track';
import type { StepDetails } from '../steps';
import { countsFromEvents } from '../policy';

/** A USCIS notice asking for more as an officer reads it: its name in words, then the abbreviation on the notice. */
const NOTICE_WORDS = { rfe: 'a request for evidence (RFE)', noid: 'a notice of intent to deny (NOID)' } as const;

function checkEvidenceRequest(ctx: SignOffContext) {
  const { rfeResponse, noidResponse } = ctx.state.policy.durations;
  const notice = text(ctx.details, 'notice');
  const issuedOn = text(ctx.details, 'issuedOn');
  const respondBy = text(ctx.details, 'respondBy');
  const allowed = notice === 'noid' ? noidResponse : rfeResponse;
  const limit = addDays(issuedOn, allowed.days);
  return allOf(
    () =>
      stepsOfKind(ctx.state, 't_visa_evidence_response').some((step) => step.status === 'pending')
        ? {
            code: 'evidence_response_pending' as const,
            message: 'answer the pending evidence request before recording another',
          }
        : null,
    () =>
      respondBy < issuedOn ? dateOrder('respondBy', `respondBy (${respondBy}) is before issuedOn (${issuedOn})`) : null,
    () =>
      respondBy > limit
        ? outOfRange(
            'respondBy',
            `${NOTICE_WORDS[notice === 'noid' ? 'noid' : 'rfe']} allows at most ${allowed.days} days (until ${limit}); ${allowed.source}`,
          )
        : null,
  );
}

/**
 * A denial for not responding (`no_response`) answers a notice the case records, and cannot come before its response
 * window closed: one on a case with no request for evidence or notice of intent to deny recorded is refused, naming
 * the reason (record the notice first, with its date to respond by, as the events happened); one decided
 * (`decidedOn`, else the day it is recorded) on or before the latest notice's `respondBy` is refused, naming decidedOn
 * and the day the response was due. USCIS denies for no response only once that day passed (8 CFR 103.2(b)(13)(i));
 * before it, the survivor could still respond, and the case would record a denial that cannot be.
 */
function checkNoResponseDenial(ctx: SignOffContext) {
  if (text(ctx.details, 'reason') !== 'no_response') return null;
  const notice = latestOfKind(ctx.state, 't_visa_evidence_response');
  if (!notice)
    return {
      code: 'invalid_details' as const,
      field: 'details.reason',
      message:
        'no request for evidence (RFE) or notice of intent to deny (NOID) is recorded on this case: record the notice first (the T visa decision\'s "Evidence requested", with the date to respond by), then a denial for not responding to it; or give the reason the denial states',
    };
  const respondBy = text(notice.details, 'respondBy');
  const decidedOn = text(ctx.details, 'decidedOn') || ctx.today;
  if (respondBy === '' || decidedOn > respondBy) return null;
  const words = NOTICE_WORDS[text(notice.details, 'notice') === 'noid' ? 'noid' : 'rfe'];
  return dateOrder(
    'decidedOn',
    `decidedOn must be after ${respondBy}, the day the response to ${words} was due: a denial for not responding cannot come before the time to respond has passed`,
  );
}

/** The approval notice's own date when it gives one, else the policy's: approval plus the years of T status it asks. */
function adjustmentEligibleFromOf(state: CaseState, details: StepDetails): string {
  const approvedOn = text(details, 'approvedOn');
  const { months } = state.policy.durations.tAdjustmentAfter;
  // After 3 years: T status approved on 29 Feb 2024 may be adjusted from 1 Mar 2027, the anniversary as a birthday falls.
  return (
    text(details, 'adjustmentEligibleFrom') ||
    (state.monthsEndAsAnniversaries ? anniversaryAfter(approvedOn, months) : addMonths(approvedOn, months))
  );
}

function checkApproval(ctx: SignOffContext) {
  const { tStatus } = ctx.state.policy.durations;
  const approvedOn = text(ctx.details, 'approvedOn');
  const validUntil = text(ctx.details, 'validUntil');
  const adjustmentEligibleFrom = adjustmentEligibleFromOf(ctx.state, ctx.details);
  // "Up to 4 years" from the approval: its last day is the day before the fourth anniversary. Policies before
  // 2026-12-02.1 allowed the anniversary itself, and sign-offs they accepted must still apply when their cases replay.
  const anniversary = addMonths(approvedOn, tStatus.months);
  const dayBefore = ctx.state.monthsEndAsAnniversaries
    ? lastDayOfMonthsFrom(approvedOn, tStatus.months)
    : addDays(anniversary, -1);
  const limit = countsFromEvents(ctx.state.policy) ? dayBefore : anniversary;
  return allOf(
    () =>
      validUntil < approvedOn
        ? dateOrder('validUntil', `validUntil (${validUntil}) is before approvedOn (${approvedOn})`)
        : null,
    () =>
      validUntil > limit
        ? outOfRange(
            'validUntil',
            `T status lasts at most ${tStatus.months} months (until ${limit}); ${tStatus.source}`,
          )
        : null,
    () =>
      adjustmentEligibleFrom < approvedOn || adjustmentEligibleFrom > validUntil
        ? dateOrder(
            'adjustmentEligibleFrom',
            `adjustmentEligibleFrom (${adjustmentEligibleFrom}) must lie between approvedOn (${approvedOn}) and validUntil (${validUntil})`,
          )
        : null,
  );
}

/**
 * Adjustment (I-485) must be filed while T status lasts: one filed after its last day (a case entered late, whose
 * lapse is held until it is brought up to date) is refused, as the survivor lost the path then. It may be filed from
 * the day the step says the survivor may adjust (`adjustmentEligibleFrom`, after 3 years of T status), or earlier once
 * the investigation or prosecution is complete: an earlier filing gives that day (`investigationCompleteDate`), on or
 * before the filing and not after today. Judged where a sign-off is validated only: filings recorded before the rule
 * apply and replay as they were accepted.
 */
function checkAdjustmentFiling(ctx: SignOffContext) {
  const approval = stepsOfKind(ctx.state, 't_visa_decision')
    .filter((step) => step.outcome === 'approved')
    .at(-1);
  const lastDay = approval?.expiresAt ? lastValidDay(approval.expiresAt) : '';
  const filedOn = text(ctx.details, 'filedOn');
  const eligibleFrom = text(ctx.step.details, 'adjustmentEligibleFrom');
  const completeOn = text(ctx.details, 'investigationCompleteDate');
  return allOf(
    () =>
      lastDay !== '' && filedOn > lastDay
        ? dateOrder(
            'filedOn',
            `filedOn must be on or before ${lastDay}, the last day of T status: adjustment must be filed while T status lasts, and a survivor whose T status ended before filing has lost this path`,
          )
        : null,
    () =>
      completeOn === '' && eligibleFrom !== '' && filedOn < eligibleFrom
        ? dateOrder(
            'filedOn',
            `filedOn must be on or after ${eligibleFrom}, when the survivor may adjust status: an earlier filing is possible only once the investigation or prosecution is complete: give investigationCompleteDate`,
          )
        : null,
    () =>
      citedDayRefusal('investigationCompleteDate', completeOn, ctx.today) ??
      (completeOn > filedOn
        ? dateOrder(
            'investigationCompleteDate',
            `investigationCompleteDate (${completeOn}) is after filedOn (${filedOn}): an early filing rests on an investigation or prosecution complete by the day it was filed`,
          )
        : null),
  );
}

/** The timeline entry of a notice asking for more on a T-visa decision: "rfe received, respond by 2026-12-13". */
const noticeSummary = (notice: string, respondBy: IsoDate) => `${notice} received, respond by ${respondBy}`;

/**
 * What a notice's timeline entry (`noticeSummary`) says, read back from its summary: the notice ("rfe", "noid") and
 * the day to answer by. Undefined for any other entry. The entry keeps these in its summary alone.
 */
export function noticeReceived(entry: {
  type: string;
  summary: string;
}): { notice: string; respondBy: IsoDate } | undefined {
  if (entry.type !== 'notice.received') return undefined;
  const [, notice = '', respondBy = ''] = /^(\w+) received, respond by (\d{4}-\d\d-\d\d)$/.exec(entry.summary) ?? [];
  return notice ? { notice, respondBy } : undefined;
}

export const tVisa: TrackRules = {
  check: {
    t_visa_adjustment_filing: checkAdjustmentFiling,
    t_visa_decision: (ctx) =>
      ctx.outcome === 'evidence_requested'
        ? checkEvidenceRequest(ctx)
        : ctx.outcome === 'approved'
          ? checkApproval(ctx)
          : ctx.outcome === 'denied'
            ? checkNoResponseDenial(ctx)
            : null,
  },
  after: {
    t_visa_filing: (state, ctx) => openStep(state, 't_visa_receipt', ctx.now, openingBy(ctx)),
    t_visa_receipt: (state, ctx) => openStep(state, 't_visa_bona_fide', ctx.now, openingBy(ctx)),
    t_visa_bona_fide: (state, ctx) => {
      const withDecision = openStep(state, 't_visa_decision', ctx.now, openingBy(ctx));
      return ctx.outcome === 'bona_fide'
        ? unlockCertification(withDecision, 't_visa_bona_fide', ctx.now, ctx.countsFrom)
        : withDecision;
    },
    t_visa_decision: (state, ctx) => {
      if (ctx.outcome === 'evidence_requested') {
        const respondBy = text(ctx.details, 'respondBy');
        const noticed = record(
          state,
          ctx.now,
          'notice.received',
          ctx.step.id,
          ctx.actor.agencyId,
          noticeSummary(text(ctx.details, 'notice'), respondBy),
        );
        return openStep(noticed, 't_visa_evidence_response', ctx.now, {
          dueAt: endOfDay(respondBy),
          details: { notice: text(ctx.details, 'notice'), issuedOn: text(ctx.details, 'issuedOn'), respondBy },
          actorAgencyId: ctx.actor.agencyId,
        });
      }
      const settled = cancelPending(state, 't_visa_evidence_response', ctx.now, `T visa ${ctx.outcome}`);
      // Cases from before `deniedVisaWithdrawsCertification` kept the request pending, with its reminders and escalation.
      if (ctx.outcome === 'denied') {
        return settled.deniedVisaWithdrawsCertification
          ? withdrawUnbackedCertification(settled, ctx.now, 'the T-visa application was denied', 't_visa_denied')
          : settled;
      }
      if (ctx.outcome !== 'approved') return settled;
      const expiresAt = endOfDay(text(ctx.details, 'validUntil'));
      const approved = updateStep(settled, ctx.step.id, { expiresAt });
      const withAdjustment = openStep(approved, 't_visa_adjustment_filing', ctx.now, {
        dueAt: expiresAt,
        details: { adjustmentEligibleFrom: adjustmentEligibleFromOf(state, ctx.details) },
        actorAgencyId: ctx.actor.agencyId,
      });
      return unlockCertification(withAdjustment, 't_visa_approved', ctx.now, ctx.countsFrom);
    },
  },
  windowAlarms(state) {
    const decision = latestOfKind(state, 't_visa_decision');
    const adjustment = latestOfKind(state, 't_visa_adjustment_filing');
    if (decision?.status !== 'completed' || !decision.expiresAt || adjustment?.status !== 'pending') return [];
    const base = { stepId: decision.id, recipient: 'advocate' as const, subject: 't_status' };
    const { leadDays } = state.policy.expiryLeads.tStatusEnd;
    const alarms = windowEndAlarms(state, base, decision.expiresAt, leadDays, decision.completedAt!);
    const eligibleFrom = text(adjustment.details, 'adjustmentEligibleFrom');
    // "Can be filed now" once the day has begun everywhere in the US (`adjustmentEligibleOnItsDay`): at midnight UTC it
    // went out at 16:00 the day before in Los Angeles, where a filing that day is refused. Its id keeps that midnight,
    // so a reminder sent before the rule came is not sent again.
    const dayStart = startOfDay(eligibleFrom);
    const eligibleAt = state.adjustmentEligibleOnItsDay ? begunEverywhereInUs(eligibleFrom) : dayStart;
    if (eligibleAt > adjustment.openedAt) {
      alarms.push({
        id: `${adjustment.id}:reminder:adjustment_eligible:${dayStart}`,
        at: eligibleAt,
        stepId: adjustment.id,
        kind: 'reminder',
        recipient: 'advocate',
        subject: 'adjustment_eligible',
      });
    }
    return alarms;
  },
  expire: {
    t_visa_decision: (state: CaseState, decision: Step, now) => {
      const lapsed = record(
        updateStep(state, decision.id, { status: 'expired' }),
        now,
        'step.expired',
        decision.id,
        null,
        'T status ended',
      );
      const adjustment = latestOfKind(lapsed, 't_visa_adjustment_filing');
      if (adjustment?.status !== 'pending') return lapsed;
      const missed = updateStep(lapsed, adjustment.id, { status: 'expired', completedAt: now });
      return record(missed, now, 'step.expired', adjustment.id, null, 'T status ended before adjustment was filed');
    },
  },
};
