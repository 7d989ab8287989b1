/**
 * Intake of a minor: law enforcement must notify HHS within 24 hours of identification, and the request for
 * assistance must be made before the 18th birthday; the notification opens HHS's interim and eligibility letters.
 */
import { addDaysToInstant, startOfDay } from '../dates';
import { latestOfKind, openStep, type Alarm } from '../case-state';
import type { TrackRules } from './track';

export const intake: TrackRules = {
  check: {},
  after: {
    hhs_minor_notification: (state, ctx) => {
      const withInterim = openStep(state, 'hhs_interim_letter', ctx.now, { actorAgencyId: ctx.actor.agencyId });
      return openStep(withInterim, 'hhs_eligibility_letter', ctx.now, { actorAgencyId: ctx.actor.agencyId });
    },
  },
  windowAlarms(state) {
    const notification = latestOfKind(state, 'hhs_minor_notification');
    if (!state.minorTurns18On || notification?.status !== 'pending') return [];
    const birthday = startOfDay(state.minorTurns18On);
    // Unlike other leads, one that already passed is not dropped but raised at once: the request is urgent.
    const byId = new Map<string, Alarm>();
    for (const days of state.policy.expiryLeads.minorTurns18.leadDays) {
      const lead = addDaysToInstant(birthday, -days);
      const at = lead < notification.openedAt ? notification.openedAt : lead;
      const id = `${notification.id}:expiry_reminder:minor_turns_18:${at}`;
      byId.set(id, { id, at, stepId: notification.id, kind: 'expiry_reminder', recipient: 'law_enforcement', subject: 'minor_turns_18' });
    }
    return [...byId.values()];
  },
  expire: {},
};
