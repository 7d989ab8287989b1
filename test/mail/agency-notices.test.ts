/** The notices agencies get about their own organisation and cases (mail/agency-notices.ts), as written. */
import type { Agency } from '../../db/agencies';
import { caseTransferredNotice, type CaseTransfer } from '../../mail/agency-notices';

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
