/** The API's messages for a form's fields as the console says them (web/form-problems.ts `plainProblem`). */
import { plainProblem } from '../../../web/form-problems';

describe('form-problems', () => {
  const validUntil = { name: 'details.validUntil', noun: 'the date it is valid until', control: 'date' };
  const askedOn = { name: 'askedOn.cp_request', noun: 'the day it was asked', control: 'date' };
  const requestedOn = { name: 'details.requestedOn', noun: 'the date it was requested', control: 'date' };
  const filedOn = { name: 'details.filedOn', noun: 'the date it was filed', control: 'date' };

  test.each([
    [
      requestedOn,
      'requestedOn (2026-11-29) is before cp_request-1 opened (2026-11-30)',
      'The date must be on or after 30 Nov 2026, the day the step opened',
    ],
    [
      validUntil,
      'validUntil (2026-03-01) is before issuedOn (2026-03-10)',
      'The date it is valid until must be on or after 10 Mar 2026',
    ],
    // As the console reads it: the API's detail with its days already in words (web/refusal-words.ts plainWords).
    [
      validUntil,
      'validUntil (1 Jun 2026) is before issuedOn (6 Jun 2026)',
      'The date it is valid until must be on or after 6 Jun 2026',
    ],
    [
      requestedOn,
      'requestedOn must be on or before 25 Nov 2026, when the Continued Presence decision that followed from it was signed',
      'The date it was requested must be on or before 25 Nov 2026, when the Continued Presence decision that followed ' +
        'from it was signed',
    ],
    [
      { name: 'details.adjustmentEligibleFrom', noun: 'the date they may apply to adjust', control: 'date' },
      'adjustmentEligibleFrom (1 Jan 2026) must lie between approvedOn (10 Mar 2026) and validUntil (9 Mar 2030)',
      'The date they may apply to adjust must be between 10 Mar 2026 and 9 Mar 2030',
    ],
    // A filing after its window closed (domain/tracks/*.ts), its day in words.
    [
      filedOn,
      'filedOn must be on or before 31 May 2024, the last day of T status: adjustment must be filed while T status ' +
        'lasts, and a survivor whose T status ended before filing has lost this path',
      'The date it was filed must be on or before 31 May 2024, the last day of T status: adjustment must be filed ' +
        'while T status lasts, and a survivor whose T status ended before filing has lost this path',
    ],
    [
      filedOn,
      'filedOn must be on or before 10 Jul 2026, the last day of the 6 months after law enforcement signed the ' +
        'certification: that certification has expired, and a new one must be asked for before the petition is filed',
      'The date it was filed must be on or before 10 Jul 2026, the last day of the 6 months after law enforcement ' +
        'signed the certification: that certification has expired, and a new one must be asked for before the ' +
        'petition is filed',
    ],
    [
      { name: 'outcome', noun: 'the outcome', control: 'select' },
      'the interim letter ended on 2 Sep 2026: a letter can be extended only while it is valid, on or before its last day',
      'The interim letter ended on 2 Sep 2026: a letter can be extended only while it is valid, on or before its last day',
    ],
    [
      { name: 'outcome', noun: 'the outcome', control: 'select' },
      'no ground for certification holds on this case now: HHS certifies an adult once Continued Presence is in ' +
        'force, a bona fide T visa application has not been denied, or T status is granted',
      'No ground for certification holds on this case now: HHS certifies an adult once Continued Presence is in ' +
        'force, a bona fide T visa application has not been denied, or T status is granted',
    ],
    // A denial for no response before the time to respond passed (domain/tracks/t-visa.ts), its day in words.
    [
      { name: 'details.decidedOn', noun: 'the date of the decision', control: 'date' },
      'decidedOn must be after 31 Jul 2026, the day the response to a notice of intent to deny (NOID) was due: a ' +
        'denial for not responding cannot come before the time to respond has passed',
      'The date of the decision must be after 31 Jul 2026, the day the response to a notice of intent to deny (NOID) ' +
        'was due: a denial for not responding cannot come before the time to respond has passed',
    ],
    [requestedOn, 'requestedOn (2026-12-05) is after today (2026-12-04)', 'The date must be on or before today'],
    // Asked again (domain/ask-again.ts), its step already named and its days in words (web/refusal-words.ts plainWords).
    [
      askedOn,
      'askedOn (29 Nov 2026) is before Continued Presence decision ended (30 Nov 2026)',
      'The date must be on or after 30 Nov 2026, when the Continued Presence decision ended',
    ],
    [
      askedOn,
      'askedOn (2026-11-02) is before the survivor was identified (2026-11-03)',
      'The date must be on or after 3 Nov 2026, when the survivor was identified',
    ],
  ])('%#: a date refused in words', (field, message, words) => {
    const { errors } = plainProblem({ errors: { [field.name]: message } }, [field], { [field.name]: '2026-03-01' });
    expect(errors[field.name]).toBe(words);
  });

  // The API's words for what a field must be (api/input-words.ts), as the console says them.
  const days = {
    name: 'expiresInDays',
    noun: 'the number of days',
    format: 'Enter a whole number of days from 1 to 365',
  };
  test.each([
    [{ name: 'reason', noun: 'a reason', control: 'select' }, 'must be one of wrong_case, other', 'Choose a reason'],
    [{ name: 'label', noun: 'a label' }, 'is required', 'Enter a label'],
    [{ name: 'label', noun: 'a label' }, 'must not be empty', 'Enter a label'],
    [{ name: 'label', noun: 'a label' }, 'must have at most 100 characters', 'A label must be 100 characters or fewer'],
    [
      { name: 'password', noun: 'a password' },
      'must have at least 12 characters',
      'A password must be 12 characters or more',
    ],
    // A field with a format of its own says it, for a value of the wrong type, form or range.
    [days, 'must be at most 365', days.format],
    [days, 'must be at least 1', days.format],
    [days, 'must be a whole number, not text', days.format],
    [
      { name: 'at', noun: 'the time', control: 'time' },
      'must be a time of day (HH:MM)',
      'Enter the time as hours and minutes, for example 14:30',
    ],
  ])("%#: a field refused in the API's words", (field, message, words) => {
    const { errors } = plainProblem({ errors: { [field.name]: message } }, [field], { [field.name]: 'x' });
    expect(errors[field.name]).toBe(words);
  });
});
