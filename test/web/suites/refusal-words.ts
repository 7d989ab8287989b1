/**
 * The API's refusals as the console says them (web/refusal-words.ts): a sentence by code where one says more, else
 * the API's detail with steps by name, dates as people write them (a moment in the reader's zone) and agencies by
 * name. The browser tests (sign-off-forms, corrections) show real refusals on the page; these pin each rule.
 */
import { formatCalendarDay } from '../../../core/people-dates';
import { DEMO_AGENCY_LIST } from '../../../db/seed';
import { wordsFor } from '../../../web/labels';
import { plainWords, refusalInWords } from '../../../web/refusal-words';

describe('refusal-words', () => {
  const words = wordsFor(
    'America/Chicago',
    new Date('2026-12-03T12:00:00Z'),
    DEMO_AGENCY_LIST.map((agency) => ({ id: agency.id, name: agency.name, email: null })),
  );
  const police = DEMO_AGENCY_LIST.find((agency) => agency.id === 'demo-police')!.name;

  test.each([
    ['No step cp_request-1 in this case.', 'No step Continued Presence request in this case.'],
    [
      'requestedOn must be on or before 2026-11-28, when the cp_decision-1 that followed from it was signed',
      `requestedOn must be on or before ${formatCalendarDay('2026-11-28')}, when the Continued Presence decision ` +
        'that followed from it was signed',
    ],
    // A moment in the reader's zone: 21:30 at UTC-5 (02:30 UTC) is 20:30 in Chicago.
    ['identifiedAt 2026-12-02T21:30-05:00 is in the future', 'identifiedAt 2 Dec 2026, 20:30 CST is in the future'],
    ['the case is not demo-police’s', `the case is not ${police}’s`],
    // What only a developer can act on (media types, code points) is left out: the words before it say it.
    [
      'must be a PDF, PNG or JPEG file (application/pdf, image/png, image/jpeg), as its content shows; this one is not',
      'must be a PDF, PNG or JPEG file, as its content shows; this one is not',
    ],
    [
      'the file name: expected text without direction controls (U+202A–U+202E, U+2066–U+2069), which reorder the text around it',
      'the file name: expected text without direction controls, which reorder the text around it',
    ],
    // Words that only look like ids are left alone.
    ['a sign-off of demo-police-officer, step foo_bar-2', 'a sign-off of demo-police-officer, step foo_bar-2'],
  ])('%s', (detail, said) => {
    expect(plainWords(detail, words)).toBe(said);
  });

  test('a refusal with a sentence of its own says what happened and what to do', () => {
    expect(
      refusalInWords(
        {
          code: 'correction_window_closed',
          detail:
            "cp_decision-1 was signed on 2026-11-30; its agency may correct it for 14 days (until 2026-12-14), after that the case's coordinator corrects it",
        },
        words,
      ),
    ).toBe(
      `The time in which your agency may correct this sign-off is over (14 days after it was signed, until ` +
        `${formatCalendarDay('2026-12-14')}). Ask the case’s coordinator to correct it: they may at any time.`,
    );
    expect(refusalInWords({ code: 'step_not_pending', detail: 'step hhs_interim_letter-1 is completed' }, words)).toBe(
      'This step is no longer waiting for a sign-off: it is completed. Someone may have signed it in the meantime, ' +
        'perhaps you in another window. Open the case to see what it records.',
    );
    expect(
      refusalInWords(
        {
          code: 'wrong_agency_kind',
          detail:
            "correcting cp_request-1 is for law enforcement, not ICE Center for Countering Human Trafficking (or the case's coordinator)",
        },
        words,
      ),
    ).toBe('Only the agency this step belongs to in this case may do this, or the case’s coordinator.');
    // Sent again with other answers after a 503, the first may have been recorded: look before sending anew.
    expect(refusalInWords({ code: 'idempotency_key_reused', detail: 'key used for another request' }, words)).toMatch(
      /may have been recorded\. Check the case .* first/,
    );
    // A code without a sentence: its detail in words, as a sentence.
    expect(
      refusalInWords(
        { code: 'not_correctable', detail: 'cp_request-1 is pending: only a signed step is corrected' },
        words,
      ),
    ).toBe('Continued Presence request is pending: only a signed step is corrected');
  });

  test('an outage is said to a case worker without the API’s words: a check recorded nothing, a form sent may have been', () => {
    const preview = refusalInWords(
      {
        code: 'temporal_unavailable',
        detail: 'Temporal cannot be reached. Nothing was recorded by this preview: send it again shortly.',
      },
      words,
    );
    expect(preview).toBe(
      'The case service cannot reach its workflow engine just now. Nothing was recorded by this check; try again in a minute.',
    );
    const sent = refusalInWords(
      {
        code: 'temporal_unavailable',
        detail:
          'Temporal cannot be reached. The request may still be applied: retry it with the same Idempotency-Key to get its outcome.',
      },
      words,
    );
    expect(sent).toBe(
      'The case service cannot reach its workflow engine just now. What you sent may still have been recorded: send it ' +
        'again and it will be recorded once.',
    );
    for (const code of [
      'workflow_timeout',
      'case_busy',
      'command_expired',
      'postgres_unavailable',
      'postgres_disk_full',
    ])
      expect(
        refusalInWords({ code, detail: 'Temporal did not answer. Retry with the same Idempotency-Key.' }, words),
      ).not.toMatch(/Temporal|PostgreSQL|Idempotency-Key/);
    // An operator's work still to do after a restore is said without the command the API names.
    const restored = refusalInWords(
      {
        code: 'reference_not_reserved',
        detail: "This case's reference cannot be replaced yet: ... run `npm run admin -- reproject` (docs/runbook.md).",
      },
      words,
    );
    expect(restored).toMatch(/restored from a backup.*Nothing was saved.*administrator/);
    expect(restored).not.toMatch(/npm|reproject|runbook/);
  });
});
