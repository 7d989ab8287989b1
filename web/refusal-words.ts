/**
 * The API's refusals as the console says them. The API words its `detail` for developers: step ids
 * ("cp_decision-1"), days as `YYYY-MM-DD`, agency ids and kinds. A person reads, by the problem's `code`, a sentence
 * that says what happened and what to do where one is better; otherwise the API's words with every step named,
 * every date as people write it (their agency's zone for a moment) and every agency by name.
 */
import type { Problem } from './api-client';
import { sentenceCase, stepLabel, type Words } from './labels';
import { isStepKind } from '../domain/labels';

/** What the translation needs of the page's words: its dates and the agencies it knows. */
export type RefusalWords = Pick<Words, 'calendarDay' | 'dateTime' | 'agencyName'>;

/** "cp_decision-1", "step hhs_interim_letter-1": a step id, with the word "step" the API may put before it. */
const STEP_ID = /\b(step )?([a-z][a-z_]*)-(\d+)\b/g;
const INSTANT = /\b\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:\d\d)?/g;
const DAY = /\b\d{4}-\d\d-\d\d\b/g;
/** Ids of agencies ("demo-police"): lowercase words joined by hyphens. */
const HYPHENATED = /\b[a-z0-9]+(?:-[a-z0-9]+)+\b/g;

/**
 * What the API adds in parentheses for a developer, which a person cannot act on: media types ("(application/pdf,
 * image/png)") and Unicode code points ("(U+202A–U+202E)"). The words before them say it already.
 */
const FOR_DEVELOPERS = / \((?:(?:application|image|text)\/[^)]*|U\+[0-9A-F]{4}[^)]*)\)/g;

/** The API's words for people: steps by name, dates in words, agencies by name. */
export function plainWords(text: string, words: RefusalWords): string {
  return text
    .replace(FOR_DEVELOPERS, '')
    .replace(STEP_ID, (id: string, step: string | undefined, kind: string) => {
      if (!isStepKind(kind)) return id;
      return `${step ?? ''}${stepLabel(kind)}`;
    })
    .replace(INSTANT, (instant) => words.dateTime(instant))
    .replace(DAY, (day) => words.calendarDay(day))
    .replace(HYPHENATED, (id) => words.agencyName(id));
}

/** Another agency's step; a correction names the coordinator, who may make it too. */
const notTheirs = (detail: string) =>
  'Only the agency this step belongs to in this case may do this' +
  (/coordinator\)/.test(detail) ? ', or the case’s coordinator.' : '.');

/**
 * An outage (503) as a case worker reads it: which part could not be reached in words, never "Temporal" nor the
 * "Idempotency-Key" of the API's detail; a check (the API's preview, which records nothing) says nothing was recorded,
 * a form sent says it may have been and that sending it again records it once (the form keeps its key).
 */
const outage =
  (what: string) =>
  (detail: string): string =>
    `${what} just now. ` +
    (/Nothing was recorded/.test(detail)
      ? 'Nothing was recorded by this check; try again in a minute.'
      : 'What you sent may still have been recorded: send it again and it will be recorded once.');

const WORKFLOW_ENGINE_DOWN = outage('The case service cannot reach its workflow engine');

/** The sentence for a refusal whose code says more than its detail, from the detail's facts; undefined for the rest. */
const SENTENCES: Readonly<Record<string, (detail: string, words: RefusalWords) => string | undefined>> = {
  step_not_pending: (detail) => {
    const status = /is (\w+)\s*$/.exec(detail)?.[1];
    return (
      `This step is no longer waiting for a sign-off${status ? `: it is ${status}` : ''}. ` +
      'Someone may have signed it in the meantime, perhaps you in another window. Open the case to see what it records.'
    );
  },
  correction_conflict: () =>
    'Someone corrected this sign-off while you were filling in the form. Open the case to see what it records now, ' +
    'then correct it again if it is still wrong.',
  coordinator_corrects: () =>
    'This sign-off may have opened steps of another agency that your agency is not shown. Ask the case’s ' +
    'coordinator to correct it: they see the whole case.',
  case_not_open: (detail) => {
    const status = /case is (\w+)/i.exec(detail)?.[1];
    return `The case is ${status ?? 'no longer open'}: nothing more can be signed or changed in it.`;
  },
  correction_window_closed: (detail, words) => {
    const window = /for (\d+) days \(until (\d{4}-\d\d-\d\d)\)/.exec(detail);
    const until = window ? ` (${window[1]} days after it was signed, until ${words.calendarDay(window[2])})` : '';
    return (
      `The time in which your agency may correct this sign-off is over${until}. ` +
      'Ask the case’s coordinator to correct it: they may at any time.'
    );
  },
  wrong_agency: (detail) => notTheirs(detail),
  wrong_agency_kind: (detail) => notTheirs(detail),
  role_not_permitted: () => 'Your account does not have the role this needs. Ask your agency’s administrator.',
  // The form shown again keeps its key (web/form-problems.ts idempotencyKeyOf): sent again, it is the same request.
  idempotency_in_progress: () =>
    'This form was sent a moment ago and is still being processed. Wait a few seconds, then send it again: it is ' +
    'done only once, and you will see how it went.',
  // Often after a 503 ("may still be applied"): the first answers may have been recorded, so look before sending anew.
  idempotency_key_reused: () =>
    'This form was already sent once with other answers, and those may have been recorded. Check the case (or the ' +
    'list of cases) first; if they were not, open the page again and fill in the form anew.',
  temporal_unavailable: WORKFLOW_ENGINE_DOWN,
  workflow_timeout: outage('The case service’s workflow engine did not answer in time'),
  case_busy: outage('The case service’s workflow engine cannot take this case’s changes'),
  case_workflow_not_running: () =>
    'This case cannot take changes just now: its workflow in the case service has stopped, and an operator must ' +
    'start it again. Nothing was recorded. Tell your administrator, then send this again later: it will be recorded once.',
  command_expired: outage('The case service’s workflow engine took this up too late to apply it'),
  postgres_unavailable: outage('The case service cannot reach its database'),
  reference_not_reserved: () =>
    'This case’s reference cannot be replaced yet: the case service’s database was restored from a backup, and an ' +
    'administrator has still to bring it up to date. Nothing was saved. Tell your administrator, then send this ' +
    'again once they have.',
  postgres_disk_full: () =>
    'The case service’s database has run out of disk space, so nothing more can be saved until an administrator ' +
    'frees some. What you sent may still have been recorded: tell your administrator, then send it again later: it ' +
    'will be recorded once.',
  rate_limited: () => 'There have been too many attempts. Wait a minute, then try again.',
};

/** The refusal as the person reads it: the sentence for its code where there is one, else its detail in plain words. */
export function refusalInWords(problem: Partial<Problem>, words: RefusalWords): string {
  const detail = problem.detail ?? problem.title ?? '';
  const sentence = problem.code ? SENTENCES[problem.code]?.(detail, words) : undefined;
  const said = sentence ?? plainWords(detail, words);
  return sentenceCase(said);
}
