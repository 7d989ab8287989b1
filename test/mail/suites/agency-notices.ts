/** The notices agencies get about their own organisation and cases (mail/agency-notices.ts), as written. */
import type { Agency } from '../../../db/agencies';
import { createLogger } from '../../../core/logger';
import {
  caseTransferredNotice,
  emailChangedNotice,
  passwordGivenNotice,
  referenceReplacedNotice,
  rolesChangedNotice,
  sendAgencyNotice,
  userAddedNotice,
  type CaseTransfer,
} from '../../../mail/agency-notices';

describe('agency-notices', () => {
  const taking: Agency = {
    id: 'hnl-police',
    kind: 'law_enforcement',
    name: 'Honolulu Police Department',
    email: 'cases@hnl-police.example',
    timeZone: 'Pacific/Honolulu',
    dailyDigest: false,
  };
  const filing = { kind: 'cp_request', dueAt: '2027-02-18T00:00:00.000Z' };
  const transfer = (...pendingSteps: CaseTransfer['pendingSteps']): CaseTransfer => ({
    reference: 'RC-2026-0042',
    agencyKind: 'law_enforcement',
    from: { id: 'demo-police', name: 'Demo City Police Department' },
    to: { id: taking.id, name: taking.name },
    pendingSteps,
    caseId: 'case-42',
    publicBaseUrl: 'https://relief.example.org',
    deadlineZones: [],
  });
  const by = { displayName: 'Demo Coordinator', agencyName: 'Demo Task Force' };
  const at = new Date('2026-12-04T18:00:00.000Z');
  /** The deployment's TIMEZONE: an agency with a zone of its own (Honolulu, here) reads its notices in its own. */
  const deployment = 'America/Chicago';

  test('the agency taking a case over reads how many pending steps it gets, one step or several', () => {
    expect(caseTransferredNotice(taking, transfer(filing), by, at, deployment)?.text).toContain(
      "Its 1 pending step and its reminders are now your agency's, in your inbox:",
    );
    expect(caseTransferredNotice(taking, transfer(filing, filing, filing), by, at, deployment)?.text).toContain(
      "Its 3 pending steps and their reminders are now your agency's, in your inbox:",
    );
  });

  test('the agency taking a case over reads each step it gets with its due date, and the link to the case', () => {
    const declaration = { kind: 'le_declaration', dueAt: null };
    expect(caseTransferredNotice(taking, transfer(filing, declaration), by, at, deployment)?.text).toBe(
      [
        'The case RC-2026-0042 was transferred to your agency, Honolulu Police Department, from Demo City Police ' +
          "Department (as its law enforcement agency). Its 2 pending steps and their reminders are now your agency's, " +
          'in your inbox:',
        '- Continued Presence request, due 17 Feb 2027',
        '- Law-enforcement declaration (Form I-914, Supplement B)',
        'Open the case: https://relief.example.org/cases/case-42',
        'Transferred by Demo Coordinator of Demo Task Force on 4 Dec 2026, 08:00 HST.',
      ].join('\n'),
    );
    // The agency losing the case can no longer open it: no link, no steps, only where they went.
    const losing = { ...taking, id: 'demo-police', name: 'Demo City Police Department' };
    const lost = caseTransferredNotice(losing, transfer(filing), by, at, deployment)?.text;
    expect(lost).not.toContain('https://');
    expect(lost).not.toContain('- Continued Presence');
  });

  test('the steps handed over read earliest first, those already past since when, in dates that stay true (probe U7, D10)', () => {
    // On 4 Dec at 08:00 in Honolulu: one due 30 Nov, one that passed at 02:00 today, one to come, one with no date.
    const declaration = { kind: 'le_declaration', dueAt: '2026-12-01T00:00:00.000Z' };
    const passedToday = { kind: 't_visa_filing', dueAt: '2026-12-04T12:00:00.000Z' };
    const undated = { kind: 'hhs_certification_request', dueAt: null };
    const text = caseTransferredNotice(
      taking,
      transfer(filing, undated, declaration, passedToday),
      by,
      at,
      deployment,
    )?.text;
    expect(text).toContain(
      [
        '- Law-enforcement declaration (Form I-914, Supplement B), due 30 Nov 2026 (overdue since 14:00 HST on 30 Nov 2026)',
        '- T visa application filing (Form I-914), due 4 Dec 2026 (overdue since 02:00 HST on 4 Dec 2026)',
        '- Continued Presence request, due 17 Feb 2027',
        '- HHS certification request',
        'Open the case:',
      ].join('\n'),
    );
    // Read on a later day, an email saying "today" or counting from its sending would be wrong (probe D10).
    expect(text).not.toMatch(/today|tomorrow|overdue by/);
  });

  test("a minor's 24-hour notice handed over says it is overdue since the hour it names, not how long ago", () => {
    // Due at midnight in Honolulu on 4 Dec, handed over at 08:00 there: "8 hours" would be wrong the day after.
    const notice = { kind: 'hhs_minor_notification', dueAt: '2026-12-04T10:00:00.000Z' };
    expect(caseTransferredNotice(taking, transfer(notice), by, at, deployment)?.text).toContain(
      '- HHS notification of a minor (24 hours), due 4 Dec 2026, 00:00 HST (overdue)\n',
    );
  });

  test("a new agency's first address is told it was set, by whom and when, without the alarm of a change", () => {
    const notice = emailChangedNotice(null, taking, by, at, deployment);
    expect(notice).toEqual({
      agencyId: taking.id,
      to: ['cases@hnl-police.example'],
      subject: 'The notification address of Honolulu Police Department was set',
      text: [
        "cases@hnl-police.example was set as the notification address of your agency, Honolulu Police Department: emails about your agency's cases and its users go to it.",
        'Set by Demo Coordinator of Demo Task Force on 4 Dec 2026, 08:00 HST.',
      ].join('\n'),
    });
    // So is an address given to an agency that had none.
    expect(emailChangedNotice({ ...taking, email: null }, taking, by, at, deployment)?.subject).toBe(notice?.subject);
  });

  test('a change from one address to another tells both, and the old one to act if it did not expect it', () => {
    const notice = emailChangedNotice({ ...taking, email: 'old@hnl-police.example' }, taking, by, at, deployment);
    expect(notice).toMatchObject({
      to: ['old@hnl-police.example', 'cases@hnl-police.example'],
      subject: 'The notification address of Honolulu Police Department was changed',
    });
    expect(notice?.text).toContain('was changed from old@hnl-police.example to cases@hnl-police.example.');
    expect(notice?.text).toContain(
      'If your agency did not expect this change, contact your system administrator at once.',
    );
  });

  test('names stored with a line break or a right-to-left override are sent without them, so they read as typed', async () => {
    const sent: { subject: string; text: string }[] = [];
    const mailer = { sendMail: (message: { subject: string; text: string }) => Promise.resolve(sent.push(message)) };
    const reversing = { ...taking, name: 'abc\u202efdp.exe' };
    const evil = { displayName: 'Evil\r\nBcc: x@evil.example', agencyName: 'Demo \u2066Task Force' };
    await sendAgencyNotice(
      mailer,
      createLogger({ level: 'silent' }),
      emailChangedNotice(null, reversing, evil, at, deployment),
    );
    expect(sent).toEqual([
      expect.objectContaining({
        subject: 'The notification address of abcfdp.exe was set',
        text: [
          "cases@hnl-police.example was set as the notification address of your agency, abcfdp.exe: emails about your agency's cases and its users go to it.",
          'Set by Evil Bcc: x@evil.example of Demo Task Force on 4 Dec 2026, 08:00 HST.',
        ].join('\n'),
      }),
    ]);
  });

  test("a user's new password tells the agency that their calendar feeds ended too, as their sessions and API keys did", () => {
    // A password set by an admin revokes every token of the user, the feeds' addresses among them (they answer 404 after
    // it): the agency reading "every session and API key ended" would think a feed made with the old password still ran.
    const officer = { username: 'hnl-officer' };
    for (const enabled of [false, true]) {
      expect(passwordGivenNotice(taking, officer, enabled, by, at, deployment)?.text).toContain(
        'every session, API key and calendar feed of theirs ended.',
      );
    }
  });

  test('an agency in Paris reads the hour of its notice in its zone as people there name it, not "GMT+1" (probe D10)', () => {
    const paris: Agency = { ...taking, timeZone: 'Europe/Paris' };
    const text = caseTransferredNotice(paris, transfer(filing), by, at, deployment)?.text;
    expect(text).toContain('Transferred by Demo Coordinator of Demo Task Force on 4 Dec 2026, 19:00 CET.');
    expect(text).not.toContain('GMT+');
  });

  test("an agency without a zone of its own reads every notice's hour in the deployment's TIMEZONE, as its reminders", () => {
    const unzoned: Agency = { ...taking, timeZone: null };
    const officer = { username: 'hnl-officer', roles: ['agency_officer' as const] };
    const noticeTexts = [
      userAddedNotice(unzoned, officer, by, at, deployment),
      rolesChangedNotice(unzoned, officer, ['admin'], by, at, deployment),
      passwordGivenNotice(unzoned, officer, false, by, at, deployment),
      emailChangedNotice(null, unzoned, by, at, deployment),
      emailChangedNotice(unzoned, { ...unzoned, email: 'new@hnl-police.example' }, by, at, deployment),
      emailChangedNotice(unzoned, { ...unzoned, email: null }, by, at, deployment),
      caseTransferredNotice(unzoned, transfer(), by, at, deployment),
      referenceReplacedNotice(
        unzoned,
        { reference: 'RC-2026-0043', caseId: 'case-42' },
        'Demo Task Force',
        at,
        deployment,
      ),
    ].map((notice) => notice?.text);
    for (const text of noticeTexts) {
      expect(text).toContain(' on 4 Dec 2026, 12:00 CST.');
      expect(text).not.toContain('UTC');
    }
    // A step handed over is due on the day the deployment's calendar reads, as the reminders say it.
    const due = { kind: 'hhs_minor_notification', dueAt: '2026-12-05T03:00:00.000Z' };
    expect(caseTransferredNotice(unzoned, transfer(due), by, at, deployment)?.text).toContain(
      '- HHS notification of a minor (24 hours), due 4 Dec 2026, 21:00 CST\n',
    );
    // Without a TIMEZONE, the deployment's zone is UTC.
    expect(userAddedNotice(unzoned, officer, by, at, undefined)?.text).toContain(' on 4 Dec 2026, 18:00 UTC.');
  });
});
