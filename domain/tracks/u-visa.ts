/**
 * U visa: law enforcement signs the certification (I-918 Supplement B), and the petition must be filed within a
 * window that starts at the signature. A window that closes unused means asking for a new certification.
 */
import { addMonths, endOfDay } from '../dates';
import { cancelPending, latestOfKind, openStep, record, updateStep } from '../case-state';
import { text, windowEndAlarms, type TrackRules } from './track';

export const uVisa: TrackRules = {
  // A certification whose window already closed is recorded as it was: the window shows closed and a new one opens.
  check: {},
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
