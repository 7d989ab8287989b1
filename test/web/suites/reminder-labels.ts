/**
 * A reminder about a window names the window as what ends, then the step it comes from: "Expiring: T status validity
 * (T visa decision)", where the case page said "Expiring: T visa decision (T status validity)", as if the decision
 * expired.
 */
import { wordsFor } from '../../../web/labels';

describe('reminder-labels', () => {
  const words = wordsFor('UTC', new Date('2026-12-06T12:00:00.000Z'), []);

  test.each([
    ['expiry_reminder', 't_visa_decision', 't_status', 'Expiring: T status validity (T visa decision)'],
    ['expired', 'cp_decision', 'cp_validity', 'Expired: Continued Presence validity (Continued Presence decision)'],
    ['reminder', 'cp_request', 'cp_request', 'Reminder: Continued Presence request'],
  ])('%s of %s about %s reads "%s"', (kind, stepKind, about, label) => {
    expect(words.reminderLabel({ kind, stepKind, about })).toBe(label);
  });
});
