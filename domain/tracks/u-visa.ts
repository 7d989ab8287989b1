/**
 * U visa: law enforcement signs the certification (I-918 Supplement B), and the petition must be filed within a
 * window that starts at the signature. A window that closes unused means asking for a new certification.
 */
import { addMonths, endOfDay, lastValidDay } from '../dates';
import { cancelPending, latestOfKind, openStep, record, stepsOfKind, updateStep } from '../case-state';
import { dateOrder, text, windowEndAlarms, type SignOffContext, type TrackRules } from './track';

/**
 * The petition must be filed within the window its certification's signature opened (8 CFR 214.14(c)(2)(i)): one
 * filed after its last day (a case entered late, whose lapse is held until it is brought up to date) is refused, as
 * the certification had expired by then and a new one must be asked for.
 */
function checkPetition(ctx: SignOffContext) {
  const certification = stepsOfKind(ctx.state, 'u_visa_certification')
    .filter((step) => step.outcome === 'signed' && step.expiresAt)
    .at(-1);
  if (!certification?.expiresAt) return null;
  const lastDay = lastValidDay(certification.expiresAt);
  const filedOn = text(ctx.details, 'filedOn');
  const { months } = ctx.state.policy.durations.uCertificationWindow;
  return filedOn > lastDay
    ? dateOrder(
        'filedOn',
        `filedOn must be on or before ${lastDay}, the last day of the ${months} months after law enforcement signed the certification: that certification has expired, and a new one must be asked for before the petition is filed`,
      )
    : null;
}

export const uVisa: TrackRules = {
  // A certification whose window already closed is recorded as it was: the window shows closed and a new one opens.
  check: { u_visa_petition: checkPetition },
  after: {
    u_visa_certification: (state, ctx) => {
      if (ctx.outcome !== 'signed') return state;
      const { months } = state.policy.durations.uCertificationWindow;
      const expiresAt = endOfDay(addMonths(text(ctx.details, 'signedOn'), months));
      const signed = updateStep(state, ctx.step.id, { expiresAt });
      return openStep(signed, 'u_visa_petition', ctx.now, { dueAt: expiresAt, actorAgencyId: ctx.actor.agencyId });
    },
  },
  windowAlarms(state) {
    const certification = latestOfKind(state, 'u_visa_certification');
    const petition = latestOfKind(state, 'u_visa_petition');
    if (certification?.status !== 'completed' || !certification.expiresAt || petition?.status !== 'pending') return [];
    const base = { stepId: certification.id, recipient: 'advocate' as const, subject: 'u_certification_window' };
    const { leadDays } = state.policy.expiryLeads.uCertificationWindow;
    return windowEndAlarms(state, base, certification.expiresAt, leadDays, certification.completedAt!);
  },
  expire: {
    u_visa_certification: (state, certification, now) => {
      const lapsed = record(
        updateStep(state, certification.id, { status: 'expired' }),
        now,
        'step.expired',
        certification.id,
        null,
        'U certification window closed unused',
      );
      const withoutPetition = cancelPending(lapsed, 'u_visa_petition', now, 'certification window closed');
      return openStep(withoutPetition, 'u_visa_certification', now);
    },
  },
};
