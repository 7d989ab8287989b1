/** The notices agencies get about their own organisation and cases (mail/agency-notices.ts), as written. */
import type { Agency } from '../../db/agencies';
import { caseTransferredNotice, emailChangedNotice, type CaseTransfer } from '../../mail/agency-notices';

const taking: Agency = {
  id: 'hnl-police',
  kind: 'law_enforcement',
  name: 'Honolulu Police Department',
  email: 'cases@hnl-police.example',
  timeZone: 'Pacific/Honolulu',
  dailyDigest: false,
};
const transfer = (pendingSteps: number): CaseTransfer => ({
  reference: 'RC-2026-0042',
  agencyKind: 'law_enforcement',
  from: { id: 'demo-police', name: 'Demo City Police Department' },
  to: { id: taking.id, name: taking.name },
  pendingSteps,
});
const by = { username: 'demo-coordinator', agencyName: 'Demo Task Force' };
const at = new Date('2026-12-04T18:00:00.000Z');

test('the agency taking a case over reads how many pending steps it gets, one step or several', () => {
  expect(caseTransferredNotice(taking, transfer(1), by, at)?.text).toContain(
    "Its 1 pending step and its reminders are now your agency's, in your inbox.",
  );
  expect(caseTransferredNotice(taking, transfer(3), by, at)?.text).toContain(
    "Its 3 pending steps and their reminders are now your agency's, in your inbox.",
  );
});

test("a new agency's first address is told it was set, by whom and when, without the alarm of a change", () => {
  const notice = emailChangedNotice(null, taking, by, at);
  expect(notice).toEqual({
    agencyId: taking.id,
    to: ['cases@hnl-police.example'],
    subject: 'The notification address of Honolulu Police Department was set',
    text: [
      "cases@hnl-police.example was set as the notification address of your agency, Honolulu Police Department: emails about your agency's cases and its users go to it.",
      'Set by demo-coordinator of Demo Task Force on 4 Dec 2026, 08:00 HST.',
    ].join('\n'),
  });
  // So is an address given to an agency that had none.
  expect(emailChangedNotice({ ...taking, email: null }, taking, by, at)?.subject).toBe(notice?.subject);
});

test('a change from one address to another tells both, and the old one to act if it did not expect it', () => {
  const notice = emailChangedNotice({ ...taking, email: 'old@hnl-police.example' }, taking, by, at);
  expect(notice).toMatchObject({
    to: ['old@hnl-police.example', 'cases@hnl-police.example'],
    subject: 'The notification address of Honolulu Police Department was changed',
  });
  expect(notice?.text).toContain('was changed from old@hnl-police.example to cases@hnl-police.example.');
  expect(notice?.text).toContain(
    'If your agency did not expect this change, contact your system administrator at once.',
  );
});
