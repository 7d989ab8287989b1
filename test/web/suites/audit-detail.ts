/**
 * The audit page's detail column in words (web/audit-detail.ts), over each shape of `detail` the service writes:
 * the workflow's row of a command, a refusal's code, a report's period, a sign-in's reason, and a JSON object of ids
 * and codes. No code, step id, agency id or `YYYY-MM-DD` reaches the reader; unknown parts are humanized.
 */
import { formatCalendarDay } from '../../../core/people-dates';
import { DEMO_AGENCY_LIST } from '../../../db/seed';
import { auditDetailInWords } from '../../../web/audit-detail';
import { wordsFor } from '../../../web/labels';

describe('audit-detail', () => {
  const words = wordsFor(
    'America/Chicago',
    new Date('2026-12-03T12:00:00Z'),
    DEMO_AGENCY_LIST.map((agency) => ({ id: agency.id, name: agency.name, email: null })),
  );
  const said = (detail: string | null) => auditDetailInWords(detail, words);
  const police = DEMO_AGENCY_LIST.find((agency) => agency.id === 'demo-police')!;

  test.each([
    ['applied_by=workflow; version=7', 'Applied by the case’s workflow'],
    ['step_not_pending', 'The step was no longer waiting for a sign-off'],
    [
      'document 5d1e0c6a-0d4b-4b8e-9a51-2f3c8f0e9b11; not_permitted_document',
      'A document; the user may not open the document',
    ],
    [
      'period 2026-11-01..2026-11-30 (csv)',
      `For ${formatCalendarDay('2026-11-01')} to ${formatCalendarDay('2026-11-30')} (CSV)`,
    ],
    [
      'document 5d1e0c6a-0d4b-4b8e-9a51-2f3c8f0e9b11; removal_reason=wrong_case',
      'A document; why: it belongs to another case',
    ],
    [
      'document 5d1e0c6a-0d4b-4b8e-9a51-2f3c8f0e9b11; not_permitted_document_removal',
      'A document; the user may not remove the document',
    ],
    ['wrong_password_or_disabled', 'Wrong password, or the account is disabled'],
    ['password_wrong', 'Wrong password'],
    ['user_disabled; password_right', 'The user is disabled; their password was right'],
    [
      'oidc; identity_not_linked',
      'With the agency’s sign-in (OpenID Connect); the agency’s sign-in is linked to no user',
    ],
    ['command line', 'Command line'],
    // A request refused before it reached the rules: what was wrong, in words (not "Invalid body").
    ['invalid_body', 'The details sent were not valid (a field missing or of the wrong form)'],
    ['invalid_query', 'The filters or options sent were not valid'],
    ['invalid_params', 'The address was not valid (it names nothing of the right form)'],
    [
      'invalid_body; replayed',
      'The details sent were not valid (a field missing or of the wrong form); sent again, and answered as the first time',
    ],
    [
      'period 2026-11-01..2026-11-30 (csv); invalid_cursor',
      `For ${formatCalendarDay('2026-11-01')} to ${formatCalendarDay('2026-11-30')} (CSV); a next page asked for that is not one of this list, or with other filters or another sort`,
    ],
    ['some_new_code', 'Some new code'],
    [
      '{"stepId":"cp_request-1","outcome":"granted","agencyId":"demo-police","code":"later_steps_signed"}',
      `Step: Continued Presence request; outcome: granted; agency: ${police.name}; steps that followed from it were already signed`,
    ],
    ['{"toAgencyId":"demo-police","note_count":2}', `To agency: ${police.name}; note count: 2`],
    // Administration: the agency or user (staff) it was about, and what changed, in words without values.
    ['agency demo-police; notification address changed', `Agency: ${police.name}; notification address changed`],
    ['agency demo-police; digest turned off', `Agency: ${police.name}; digest turned off`],
    [
      'user 5d1e0c6a-0d4b-4b8e-9a51-2f3c8f0e9b11; username new-officer; agency demo-police; roles: agency_officer',
      `User: new-officer; agency: ${police.name}; roles: agency officer`,
    ],
    [
      'user 5d1e0c6a-0d4b-4b8e-9a51-2f3c8f0e9b11; username new-officer; roles: agency_officer → agency_officer, supervisor',
      'User: new-officer; roles: agency officer → agency officer, supervisor',
    ],
    // An API key created or revoked: whose it is (the row's user is who acted), the key by no id a reader could use.
    [
      'token 0a1b2c3d4e5f6a7b; user 5d1e0c6a-0d4b-4b8e-9a51-2f3c8f0e9b11; username new-officer',
      'An API key; user: new-officer',
    ],
    [
      'user 5d1e0c6a-0d4b-4b8e-9a51-2f3c8f0e9b11; user_not_found',
      'Of a user (their id in the API’s trail); user not found',
    ],
  ])('%s', (detail, words) => {
    expect(said(detail)).toBe(words);
  });

  test('nothing to say is said as nothing', () => {
    expect(said(null)).toBe('');
    expect(said('version=3')).toBe('');
  });
});
