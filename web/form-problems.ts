/**
 * A refused form as the admin and account pages show it: one message per field, next to the field and linked from
 * an error summary at the top of the page (web/views/error-summary.eta), and the whole answer in words when no
 * field of the form is named.
 */
import { randomUUID } from 'node:crypto';
import { formatCalendarDay } from '../core/people-dates';
import { ApiProblem } from './api-client';
import { sentenceCase } from './labels';
import { plainWords, refusalInWords, type RefusalWords } from './refusal-words';

export interface FormProblem {
  /** Messages by the form's field names (which are the API's field names). */
  errors: Record<string, string>;
  /** The API's answer in words, when none of the form's fields carries it. */
  message?: string;
}

/** Answers a form shows above itself rather than as an error page: the request itself was refused. */
const FORM_STATUSES = [400, 403, 404, 409, 422, 429];

/**
 * The problem to show on the form, or the error rethrown when it is not about what was typed (401, 5xx): the console's
 * error pages answer those. `fields` are the form's own fields; an error the API names for another goes to the message.
 * Everything is said in the reader's words (web/refusal-words.ts): no step id, no `YYYY-MM-DD`, no agency id.
 */
export function formProblemOf(error: unknown, fields: readonly string[], words: RefusalWords): FormProblem {
  if (!(error instanceof ApiProblem) || !FORM_STATUSES.includes(error.status)) throw error;
  const errors: Record<string, string> = {};
  let unplaced = false;
  for (const [field, message] of Object.entries(error.fieldErrors())) {
    if (fields.includes(field)) errors[field] = plainWords(message, words);
    else unplaced = true;
  }
  const message =
    unplaced || Object.keys(errors).length === 0
      ? refusalInWords({ ...error.problem, detail: error.problem.detail ?? error.message }, words)
      : undefined;
  return { errors, message };
}

/**
 * The `Idempotency-Key` a form carries when it is shown, the one place the console mints one. A form keeps its key
 * until the API has settled what was sent under it: shown again while its first send is still being processed
 * (`idempotency_in_progress`: a double-click, whose second answer is the one the browser shows) or after an outage
 * (503), sending it again is the same request, which the API applies once and answers as it answered the first (the
 * case it opened). A refusal is final for its request, so the corrected form is a new request with a new key; a form
 * never sent yet (a check-your-answers page, "Change your answers") keeps the key it came with.
 */
export function idempotencyKeyOf(form: Record<string, string>, refusal?: unknown): string {
  const unsettled =
    refusal === undefined ||
    (refusal instanceof ApiProblem && (refusal.status === 503 || refusal.problem.code === 'idempotency_in_progress'));
  return unsettled && form.idempotencyKey ? form.idempotencyKey : randomUUID();
}

/** A problem found by the console itself before asking the API (e.g. a confirmation box left unticked). */
export const fieldProblem = (field: string, message: string): FormProblem => ({ errors: { [field]: message } });

/** A page's title, prefixed as people using screen readers expect when the form on it was refused. */
export const titleOf = (title: string, problem: FormProblem | undefined) => (problem ? `Error: ${title}` : title);

/**
 * What a page that asks before it changes anything renders its answer with (a sign-off's or a correction's check page,
 * a transfer's, closing a case, removing a document): its title, "Error: " first when refused, the error summary, and
 * each field's message by its name (web/views/error-summary.eta, field.eta).
 */
export const problemShown = (title: string, problem: FormProblem | undefined) => ({
  title: titleOf(title, problem),
  problem,
  errors: problem?.errors ?? {},
});

/** A field as the plain messages name it: what it holds ("the date HHS was notified") and whether it is a date. */
export interface NamedField {
  name: string;
  noun: string;
  control?: string;
  /** What a valid value looks like, said when the API refuses the value's form ("A reference is 2 to 40 ..."). */
  format?: string;
}

/**
 * A day as the API writes it, or already in words: a refusal's detail reaches the form after web/refusal-words.ts
 * plainWords turned its "2026-12-04" into "4 Dec 2026", its field errors as the API wrote them.
 */
const dayInWords = (day: string) => (/^\d{4}-\d\d-\d\d$/.test(day) ? formatCalendarDay(day) : day);

/**
 * The API's message for a field in plain words, e.g. "details.notifiedOn: expected a date as YYYY-MM-DD" → "Enter the
 * date HHS was notified". A field left empty is asked for, whatever the API's words for a wrong value. The API's own
 * words are kept when no rule below knows them.
 */
/**
 * The API's words for a value of the wrong type, form or range (api/input-words.ts: "must be a number, not text",
 * "must be at most 365"), which a field with a format of its own says better ("Enter a whole number of days from 1
 * to 365").
 */
const SHAPE_OR_RANGE =
  /^must be (?:a |an |at most |at least |more than |less than |exactly |a multiple of )|^is not in (?:the|any of the) forms? /i;

/**
 * The fields of the form that a message names by their code ("give investigationCompleteDate"), said by their nouns.
 * Only codes written in camelCase: a field named by an English word ("note", "reason") is not told from that word.
 */
function fieldCodesInWords(text: string, fields: readonly NamedField[]): string {
  return fields.reduce((said, other) => {
    const code = other.name.split('.').pop() ?? '';
    return /[A-Z]/.test(code) ? said.replace(new RegExp(`\\b${code}\\b`, 'g'), other.noun) : said;
  }, text);
}

function plainMessage(field: NamedField, message: string, empty: boolean, fields: readonly NamedField[]): string {
  const isDate = field.control === 'date';
  const asked = field.control === 'select' ? `Choose ${field.noun}` : `Enter ${field.noun}`;
  // A number too small is out of its range, not missing: its field's format says the range.
  if (
    empty ||
    /required|received undefined|must not be empty|too.small(?!: expected number)|at least 1 (?:character|item)s?\b|>=1 characters/i.test(
      message,
    )
  ) {
    return asked;
  }
  if (/^wrong$/i.test(message)) return `${sentenceCase(field.noun)} is wrong`;
  if (/is after (today|now)|in the future/i.test(message)) {
    return isDate ? 'The date must be on or before today' : `${sentenceCase(field.noun)} cannot be in the future`;
  }
  const opened = /is before .* opened(?: \(([^)]+)\))?/i.exec(message);
  if (opened) {
    return opened[1]
      ? `The date must be on or after ${dayInWords(opened[1])}, the day the step opened`
      : 'The date must be on or after the day the step opened';
  }
  // "askedOn (2 Dec 2026) is before Continued Presence decision ended (3 Dec 2026)", or "before the survivor was
  // identified": a request asked again no earlier than what it follows (domain/ask-again.ts).
  const follows = /is before (.+ (?:ended|was identified)) \(([^)]+)\)$/.exec(message);
  if (follows) {
    const [, what = '', day = ''] = follows;
    return `The date must be on or after ${dayInWords(day)}, when ${what.startsWith('the ') ? what : `the ${what}`}`;
  }
  // "validUntil (2026-03-01) is before issuedOn (2026-03-10)": one date of the form against another.
  const order = /\([^)]+\) is (before|after) \w+ \(([^)]+)\)/.exec(message);
  if (order) {
    return `${sentenceCase(field.noun)} must be on or ${order[1] === 'before' ? 'after' : 'before'} ${dayInWords(order[2]!)}`;
  }
  // "adjustmentEligibleFrom (…) must lie between approvedOn (2026-03-10) and validUntil (2030-03-09)": two other dates.
  const between = /\([^)]+\) must lie between \w+ \(([^)]+)\) and \w+ \(([^)]+)\)/.exec(message);
  if (between) {
    return `${sentenceCase(field.noun)} must be between ${dayInWords(between[1]!)} and ${dayInWords(between[2]!)}`;
  }
  if (/must not be after identified(On|At)/.test(message)) {
    return `${sentenceCase(field.noun)} must be on or before the day they were identified`;
  }
  const longest = /(?:<=\s*|at most )(\d+) characters/.exec(message);
  if (longest) return `${sentenceCase(field.noun)} must be ${longest[1]} characters or fewer`;
  const shortest = /at least (\d+) characters/.exec(message);
  if (shortest) return `${sentenceCase(field.noun)} must be ${shortest[1]} characters or more`;
  if (field.format && (/expected|invalid/i.test(message) || SHAPE_OR_RANGE.test(message))) return field.format;
  if (isDate && /expected|invalid|YYYY/i.test(message))
    return `Enter ${field.noun} as a real date, for example 27 March 2027`;
  if (field.control === 'time' && /expected|invalid|HH:MM/i.test(message)) {
    return `Enter ${field.noun} as hours and minutes, for example 14:30`;
  }
  if (/expected an id|letters, digits/i.test(message)) return `Enter ${field.noun} as a short code`;
  // The API's own words for a value off a list (api/input-words.ts), or zod's.
  if (/expected one of|must be one of|invalid option|invalid enum/i.test(message)) return `Choose ${field.noun}`;
  // A code sent from a list (a reason) that is none: a list's choice, not something to type.
  if (field.control === 'select' && /expected a short code/i.test(message)) return `Choose ${field.noun}`;
  // "requestedOn must be on or before 25 Nov 2026, when …": the rule the API states of the field, by its noun.
  const rule = /^[a-z]\w* (must be .*)$/.exec(message);
  if (rule) return `${sentenceCase(field.noun)} ${fieldCodesInWords(rule[1]!, fields)}`;
  // "must not contain your username; choose another": the rule, said of the field.
  if (/^must /.test(message)) return `${sentenceCase(field.noun)} ${message}`;
  return sentenceCase(message);
}

/**
 * The problem of a form whose fields are named: each field's API message in plain words, by the form's field name.
 * `form`, the values sent: a field sent empty is asked for.
 */
export function plainProblem(
  problem: FormProblem,
  fields: readonly NamedField[],
  form: Record<string, string> = {},
): FormProblem {
  const errors: Record<string, string> = {};
  for (const [name, message] of Object.entries(problem.errors)) {
    const field = fields.find((candidate) => candidate.name === name);
    errors[name] = field ? plainMessage(field, message, form[name]?.trim() === '', fields) : message;
  }
  return { ...problem, errors };
}

/**
 * The words for a value of one of the lists' filters that is no value of its kind, by the filter's name: a reference
 * typed in another form (a police case number, "2026/0001"), a page size or a page link edited by hand or gone stale.
 */
const FILTER_WORDS: Readonly<Record<string, string>> = {
  reference:
    'Enter a case reference, or its start, in letters, digits and dashes (at most 40), e.g. RC-2026-BF8683FB or RC-2026',
  caseReference: 'Enter a whole case reference in letters, digits and dashes, e.g. RC-2026-BF8683FB',
  limit: 'Choose how many to show on a page: 25, 50, 100 or 200',
  cursor: 'This page link is out of date or not whole: start again from the first page',
  // Chosen by a link (the audit trail's "all their events"), never typed: a link that is not whole.
  caseId: 'This link does not name a case whole: show the trail without it',
  userId: 'This link does not name a user whole: show the trail without it',
};

/**
 * A list's filters refused by the API (the lists', the audit trail's and the report's), each message in plain words:
 * a date that is not one, or out of range, says which days are taken ("Enter a real date between 1 Jan 1900 and 31
 * Dec 2199"), a value no menu offers asks for one it does, and a filter of its own form says what it takes.
 */
function filterErrorsInWords(errors: Record<string, string>): Record<string, string> {
  const inWords = (name: string, message: string) => {
    const range = /between (\d{4}-\d\d-\d\d) and (\d{4}-\d\d-\d\d)/.exec(message);
    if (range) return `Enter a real date between ${formatCalendarDay(range[1]!)} and ${formatCalendarDay(range[2]!)}`;
    // A period that ends before it starts (the report's last day before its first).
    if (/must not be before/i.test(message)) return 'The last day must be on or after the first day';
    // A report's period not begun yet (its first day after today).
    if (/has not begun/i.test(message))
      return 'The first day must be today or earlier: a period that has not begun has nothing to report yet';
    const own = FILTER_WORDS[name];
    if (own) return own;
    // A value the list's menu never offers: an address edited by hand, or one kept from an older version.
    if (/expected one of|must be one of|invalid option|expected an id|expected a short code/i.test(message))
      return 'Choose one of the options in the list';
    return sentenceCase(message);
  };
  return Object.fromEntries(Object.entries(errors).map(([name, message]) => [name, inWords(name, message)]));
}

/**
 * A list page's filters refused by the API (a query's 400, a posted search's 422) as the page shows them: each
 * filter's message in plain words (`filterErrorsInWords`), for the error summary at the top of the page and next to
 * the filter (web/views/error-summary.eta, filter-select.eta), as every console form is refused. Any other problem is
 * rethrown, for the console's error pages.
 */
export function filtersRefused(error: unknown): FormProblem {
  if (!(error instanceof ApiProblem) || ![400, 422].includes(error.status)) throw error;
  const errors = filterErrorsInWords(error.fieldErrors());
  // Refused with no filter named: the answer in words, in the summary.
  return Object.keys(errors).length > 0
    ? { errors }
    : { errors, message: 'These filters cannot be used: change them, or start again from the first page.' };
}
