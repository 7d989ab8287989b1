/**
 * HHS letters. Minors: an interim assistance letter (valid a fixed number of days, extendable a limited number of
 * times) while eligibility is decided, then an eligibility letter. Adults: a certification request, possible only
 * once CP is granted or USCIS found the T-visa application bona fide or approved it, then a certification letter
 * whose eligibility date starts the Refugee Cash/Medical Assistance window.
 */
import { addDays, endOfDay, type IsoDate } from '../dates';
import { benefitWindow, countsFromEvents, type Policy } from '../policy';
import {
  cancelPending,
  findStep,
  latestOfKind,
  openStep,
  record,
  stepsOfKind,
  updateStep,
  type Alarm,
  type CaseState,
  type Rejection,
  type StepChangeNotice,
} from '../case-state';
import type { Instant, Step } from '../types';
import { certificationGroundNow, type CertificationUnlock } from './certification-grounds';
import {
  allOf,
  citedDayRefusal,
  leadAlarms,
  windowEndAlarms,
  openingBy,
  outOfRange,
  dateOrder,
  text,
  type SignOffContext,
  type TrackRules,
} from './track';

/** A number of times in words, as a refusal says it: "once", "twice", "3 times". */
const timesInWords = (n: number) => (n === 1 ? 'once' : n === 2 ? 'twice' : `${n} times`);

/**
 * Opens an adult's certification request the first time one of the qualifying events happens. On a case where a
 * T-visa denial or a CP lapse withdraws the request it alone stood on (`deniedVisaWithdrawsCertification`,
 * `lapsedCpWithdrawsCertification`), a later qualifying event (a CP grant) opens a new one when every earlier request
 * was withdrawn: the denial or the lapse ended that ground, not the survivor's eligibility.
 */
export function unlockCertification(
  state: CaseState,
  unlockedBy: CertificationUnlock,
  now: Instant,
  countsFrom: Instant = now,
): CaseState {
  if (state.path !== 'adult') return state;
  if (letterWithdrawnForGround(state)) return letterNeededAgain(state, unlockedBy, now, countsFrom);
  const earlier = stepsOfKind(state, 'hhs_certification_request');
  const withdraws = state.deniedVisaWithdrawsCertification === true || state.lapsedCpWithdrawsCertification === true;
  const allWithdrawn = withdraws && earlier.every((step) => step.status === 'cancelled');
  if (earlier.length > 0 && !allWithdrawn) return state;
  return openStep(state, 'hhs_certification_request', now, { details: { unlockedBy }, from: countsFrom });
}

/**
 * On a case with `groundAndCatchUpRules`, whether the certification was requested and HHS's letter then withdrawn when
 * its ground ended (`withdrawUnbackedCertification`): a qualifying event makes that letter needed again, not a new
 * request, which the advocate already made.
 */
function letterWithdrawnForGround(state: CaseState): boolean {
  if (!state.groundAndCatchUpRules) return false;
  const request = latestOfKind(state, 'hhs_certification_request');
  const letter = latestOfKind(state, 'hhs_certification_letter');
  return request?.status === 'completed' && letter?.status === 'cancelled';
}

/**
 * The certification letter needed again (a new step, due as the policy says from `countsFrom`, else `now`), and HHS
 * told so.
 */
function letterNeededAgain(
  state: CaseState,
  unlockedBy: CertificationUnlock,
  now: Instant,
  countsFrom: Instant = now,
): CaseState {
  const opened = openStep(state, 'hhs_certification_letter', now, { from: countsFrom });
  const letter = latestOfKind(opened, 'hhs_certification_letter')!;
  const notice: StepChangeNotice = {
    id: `${letter.id}:step_reopened:${unlockedBy}:hhs`,
    kind: 'step_reopened',
    stepId: letter.id,
    stepKind: letter.kind,
    recipient: 'hhs',
    ground: unlockedBy,
    dueAt: letter.dueAt,
    again: true,
  };
  return { ...opened, stepChangesToTell: [...(opened.stepChangesToTell ?? []), notice] };
}

/**
 * The last day of an interim letter: the date the letter states, else the longest the policy allows: its days from
 * the issue, or for an extension its extra days from the current end.
 */
function interimEnd(ctx: SignOffContext): { validUntil: string; limit: string } {
  const { interimLetter, interimExtension } = ctx.state.policy.durations;
  if (ctx.outcome === 'extended') {
    // Counted from the letter's last day: 30 more days end 30 days after it.
    const limit = addDays(text(ctx.step.details, 'validUntil'), interimExtension.days);
    return { validUntil: text(ctx.details, 'validUntil') || limit, limit };
  }
  const limit = addDays(text(ctx.details, 'issuedOn'), interimLetter.days);
  // "Valid 90 days" from its issue day, that day counted, on a case that reads dates as written; a letter stating the
  // 91st day is still taken (`limit`).
  const longest = ctx.state.datesAsWritten ? addDays(limit, -1) : limit;
  return { validUntil: text(ctx.details, 'validUntil') || longest, limit };
}

/**
 * A letter's eligibility date: not after today, nor before the TVPA (`beforeTheTvpa`), which made survivors eligible,
 * nor, on a case that counts from events, before the letter's step opened (the request it answers, itself after the
 * ground it rests on), as every event date is: named by no `…On`, it is not one of the event dates every sign-off is
 * held to (domain/case.ts `eventDates`), so it is held to them here.
 */
function eligibilityDateRefusal(value: string, ctx: SignOffContext) {
  const { openedOn } = ctx;
  return (
    citedDayRefusal('eligibilityDate', value, ctx.today) ??
    (value !== '' && openedOn !== undefined && countsFromEvents(ctx.state.policy) && value < openedOn
      ? dateOrder('eligibilityDate', `eligibilityDate (${value}) is before ${ctx.step.id} opened (${openedOn})`)
      : null)
  );
}

/**
 * Why an interim letter cannot be extended, whatever the extension says: the eligibility letter is issued, the
 * extensions the case's policy allows are used up, or the letter ended before `today` (the signer's day, `todayOf`);
 * null while it can be. The console reads it too, with its reader's day, so it does not offer an extension that could
 * only be refused.
 */
export function interimExtensionRefusal(
  policy: Policy,
  letter: Pick<Step, 'details'>,
  eligibility: Pick<Step, 'status'> | undefined,
  today: IsoDate,
): Rejection | null {
  if (eligibility && eligibility.status !== 'pending') {
    return {
      code: 'outcome_not_applicable',
      message: 'the eligibility letter is already issued; the interim letter no longer matters',
    };
  }
  const { interimExtensionsAllowed } = policy.durations;
  const used = Number(letter.details['extensions'] ?? 0);
  if (used >= interimExtensionsAllowed.times) {
    return {
      code: 'extension_limit_reached',
      message: `an interim letter may be extended ${timesInWords(interimExtensionsAllowed.times)}; ${interimExtensionsAllowed.source}`,
    };
  }
  // Extended while it runs, not once it ended (a case entered late, whose lapse is held until it is brought up to
  // date; or the hours between its last day's end where the signer works and its lapse, once it ended everywhere):
  // the survivor went without it in between.
  const current = text(letter.details, 'validUntil');
  if (today > current) {
    return {
      code: 'date_order',
      field: 'outcome',
      message: `the interim letter ended on ${current}: a letter can be extended only while it is valid, on or before its last day`,
    };
  }
  return null;
}

export const hhs: TrackRules = {
  check: {
    hhs_interim_letter: (ctx) => {
      const { interimLetter } = ctx.state.policy.durations;
      if (ctx.outcome === 'extended') {
        const refused = interimExtensionRefusal(
          ctx.state.policy,
          ctx.step,
          latestOfKind(ctx.state, 'hhs_eligibility_letter'),
          ctx.today,
        );
        if (refused) return refused;
        const { validUntil, limit } = interimEnd(ctx);
        const current = text(ctx.step.details, 'validUntil');
        return allOf(
          () =>
            validUntil <= current
              ? dateOrder('validUntil', `an extension must end after the letter's current end (${current})`)
              : null,
          () =>
            validUntil > limit
              ? outOfRange(
                  'validUntil',
                  `an extension adds at most ${ctx.state.policy.durations.interimExtension.days} days (until ${limit}); ${interimLetter.source}`,
                )
              : null,
        );
      }
      const issuedOn = text(ctx.details, 'issuedOn');
      const { validUntil, limit } = interimEnd(ctx);
      // A letter that already lapsed is recorded as it was, and then shows as expired.
      return allOf(
        () =>
          validUntil < issuedOn
            ? dateOrder('validUntil', `validUntil (${validUntil}) is before issuedOn (${issuedOn})`)
            : null,
        () =>
          validUntil > limit
            ? outOfRange(
                'validUntil',
                `an interim letter is valid at most ${interimLetter.days} days (until ${limit}); ${interimLetter.source}`,
              )
            : null,
      );
    },
    hhs_eligibility_letter: (ctx) => eligibilityDateRefusal(text(ctx.details, 'eligibilityDate'), ctx),
    hhs_certification_letter: (ctx) => {
      if (ctx.outcome !== 'certified') return null;
      const eligibilityDate = text(ctx.details, 'eligibilityDate');
      return allOf(
        // A ground that ended since the request (a T-visa denial with no CP in force) leaves nothing to certify on. A
        // correction of a letter certified while one held is judged on the case as it is now, so it is not held to it.
        () =>
          ctx.correcting || certificationGroundNow(ctx.state.steps)
            ? null
            : {
                code: 'invalid_details' as const,
                field: 'outcome',
                message:
                  'no ground for certification holds on this case now: HHS certifies an adult once Continued Presence is in force, a bona fide T visa application has not been denied, or T status is granted',
              },
        () => eligibilityDateRefusal(eligibilityDate, ctx),
        () =>
          benefitWindow(eligibilityDate, ctx.state.policy)
            ? null
            : outOfRange('eligibilityDate', `no benefit period is defined for ${eligibilityDate}`),
      );
    },
  },
  after: {
    hhs_interim_letter: (state, ctx) => {
      const { validUntil } = interimEnd(ctx);
      if (ctx.outcome === 'issued') {
        return updateStep(state, ctx.step.id, {
          expiresAt: endOfDay(validUntil),
          details: { ...findStep(state, ctx.step.id)!.details, validUntil },
        });
      }
      const extensions = Number(ctx.step.details['extensions'] ?? 0) + 1;
      const extended = updateStep(state, ctx.step.id, {
        expiresAt: endOfDay(validUntil),
        details: { ...ctx.step.details, validUntil, extensions, extendedAt: ctx.now },
      });
      return record(
        extended,
        ctx.now,
        'step.amended',
        ctx.step.id,
        ctx.actor.agencyId,
        `${ctx.step.id} extended until ${validUntil}`,
      );
    },
    hhs_eligibility_letter: (state, ctx) =>
      cancelPending(state, 'hhs_interim_letter', ctx.now, 'eligibility letter issued'),
    hhs_certification_request: (state, ctx) => openStep(state, 'hhs_certification_letter', ctx.now, openingBy(ctx)),
    hhs_certification_letter: (state, ctx) => {
      if (ctx.outcome !== 'certified') return state;
      const window = benefitWindow(text(ctx.details, 'eligibilityDate'), state.policy, state.monthsEndAsAnniversaries)!;
      const letter = state.steps.find((step) => step.id === ctx.step.id)!;
      return updateStep(state, ctx.step.id, {
        details: {
          ...letter.details,
          benefitMonths: window.months,
          benefitEndsOn: window.endsOn,
          benefitSource: window.source,
        },
      });
    },
  },
  windowAlarms(state) {
    const alarms: Alarm[] = [];
    const interim = latestOfKind(state, 'hhs_interim_letter');
    const eligibilityPending = latestOfKind(state, 'hhs_eligibility_letter')?.status === 'pending';
    if (interim?.status === 'completed' && interim.expiresAt && eligibilityPending) {
      const base = { stepId: interim.id, recipient: 'hhs' as const, subject: 'interim_letter' };
      const setAt =
        typeof interim.details['extendedAt'] === 'string' ? interim.details['extendedAt'] : interim.completedAt!;
      alarms.push(
        ...windowEndAlarms(state, base, interim.expiresAt, state.policy.expiryLeads.interimLetter.leadDays, setAt),
      );
    }
    for (const letter of stepsOfKind(state, 'hhs_certification_letter')) {
      const endsOn = letter.details['benefitEndsOn'];
      if (letter.status !== 'completed' || typeof endsOn !== 'string') continue;
      const base = { stepId: letter.id, recipient: 'advocate' as const, subject: 'benefit_window' };
      alarms.push(
        ...leadAlarms(
          state,
          base,
          endOfDay(endsOn),
          state.policy.expiryLeads.benefitWindowEnd.leadDays,
          letter.completedAt!,
        ),
      );
    }
    return alarms;
  },
  expire: {
    hhs_interim_letter: (state, step, now) =>
      record(
        updateStep(state, step.id, { status: 'expired' }),
        now,
        'step.expired',
        step.id,
        null,
        'interim assistance letter lapsed',
      ),
  },
};
