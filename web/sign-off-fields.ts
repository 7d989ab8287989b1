/**
 * The controls of a sign-off form, read from the step catalogue (domain/steps.ts): each outcome's details schema
 * says which fields exist, which are dates, which are choices and which are optional.
 */
import { z } from 'zod';
import { unlistedRefusalReason } from '../domain/reasons';
import { STEP_CATALOGUE } from '../domain/steps';
import type { StepKind } from '../domain/types';
import { ApiProblem } from './api-client';
import { humanize, refusalReasons, stepLabel, USCIS_NOTICE_WORDS, type Words } from './labels';

export interface DetailField {
  name: string;
  label: string;
  /** What the field holds, in words that finish "Enter …" (web/form-problems.ts). */
  noun: string;
  control: 'date' | 'select' | 'text' | 'textarea';
  /** A select's choices: the code sent and the words shown. */
  options: [code: string, words: string][];
  required: boolean;
  hint?: string;
  /**
   * What a sign-off records for this optional date when it is left empty, in words that follow "Left empty, …" ("today");
   * none where nothing is recorded in its place.
   */
  leftEmpty?: { recorded: string; instead: string };
}

/**
 * The outcomes a step in this status accepts: those that settle a pending step, or the amendments of a completed one
 * (an interim letter's extension). Any other status accepts none; the API refuses the rest anyway.
 */
export function outcomesOf(kind: StepKind, status: string): string[] {
  return Object.entries(STEP_CATALOGUE[kind].outcomes)
    .filter(([, definition]) => definition.appliesTo === status)
    .map(([name]) => name);
}

/** The action a completed step offers when its rules allow an amendment, e.g. "Extend the interim letter". */
export function amendmentAction(kind: StepKind, status: string): string | undefined {
  if (status !== 'completed' || outcomesOf(kind, status).length === 0) return undefined;
  return AMENDMENT_ACTIONS[kind] ?? `Amend the ${stepLabel(kind)}`;
}

/** An outcome that amends a completed step (an interim letter's extension) rather than settling a pending one. */
export function isAmendment(kind: StepKind, outcome: string): boolean {
  return (
    Object.hasOwn(STEP_CATALOGUE[kind].outcomes, outcome) &&
    STEP_CATALOGUE[kind].outcomes[outcome]!.appliesTo === 'completed'
  );
}

/**
 * An outcome recorded while the step stays pending (a T-visa decision's request for evidence or notice of intent to
 * deny): the step is still to be signed, so it does not leave the inbox.
 */
export function keepsStepPending(kind: StepKind, outcome: string): boolean {
  return (
    Object.hasOwn(STEP_CATALOGUE[kind].outcomes, outcome) &&
    STEP_CATALOGUE[kind].outcomes[outcome]!.appliesTo === 'pending' &&
    STEP_CATALOGUE[kind].outcomes[outcome]!.resultStatus === 'pending'
  );
}

const AMENDMENT_ACTIONS: Partial<Record<StepKind, string>> = { hhs_interim_letter: 'Extend the interim letter' };

/**
 * What a sign-off form is for, as its heading says it: "Sign off", or the amendment's action ("Extend the interim
 * letter"). Read from the outcome the form sent when it sent one, not from the step's status now: a sign-off refused
 * because the step was signed meanwhile is still a sign-off, and a step that has no amendment is never "Amend".
 */
export function formPurpose(kind: StepKind, status: string, sentOutcome: string | undefined): string {
  const sent = sentOutcome && Object.hasOwn(STEP_CATALOGUE[kind].outcomes, sentOutcome);
  const amends = sent ? isAmendment(kind, sentOutcome) : amendmentAction(kind, status) !== undefined;
  return (amends && amendmentAction(kind, 'completed')) || 'Sign off';
}

/**
 * The answers a form sent for an outcome of the step's kind, each field with its value, those left empty out: what
 * a refused sign-off shows when the step no longer takes that outcome, so nothing typed is lost.
 */
export function sentAnswers(
  kind: StepKind,
  form: Record<string, string>,
): { outcome: string; answers: { field: DetailField; value: string }[] } | undefined {
  const outcome = form.outcome ?? '';
  if (!Object.hasOwn(STEP_CATALOGUE[kind].outcomes, outcome)) return undefined;
  const answers = detailFields(kind, outcome).flatMap((field) => {
    const value = form[`details.${field.name}`]?.trim() ?? '';
    return value ? [{ field, value }] : [];
  });
  return { outcome, answers };
}

/**
 * What each detail field of a sign-off holds, as in "Enter the date HHS was notified" or "The date to respond by must be
 * on or after …": every field of every step's details has one (test/web/suites/sign-off-fields.ts), a field's label
 * ("Respond by") does not finish such a sentence.
 */
export const DETAIL_NOUNS: Readonly<Record<string, string>> = {
  identifiedOn: 'the date the survivor was identified',
  requestedOn: 'the date it was requested',
  notifiedOn: 'the date HHS was notified',
  issuedOn: 'the date the letter was issued',
  grantedOn: 'the date it was granted',
  renewedOn: 'the date it was renewed',
  validUntil: 'the date it is valid until',
  eligibilityDate: 'the eligibility date',
  filedOn: 'the date it was filed',
  receivedOn: 'the date it was received',
  determinedOn: 'the date it was determined',
  respondedOn: 'the date of the response',
  approvedOn: 'the date it was approved',
  signedOn: 'the date it was signed',
  decidedOn: 'the date of the decision',
  respondBy: 'the date to respond by',
  adjustmentEligibleFrom: 'the first day they may apply to adjust status',
  investigationCompleteDate: 'the day the investigation or prosecution was complete',
  notice: 'the kind of notice',
  reason: 'the reason',
  path: 'the path',
  note: 'the note',
};

/** A detail's label on the form, from its name: "signedOn" → "Signed on". */
export const detailLabel = (name: string) => humanize(name.replace(/([A-Z])/g, '_$1').toLowerCase());

/**
 * The fields whose name says too little on a form: their label, and when to fill them, said before a date's example.
 * The day the survivor may adjust is the step's own, said above the form (web/step-guidance.ts).
 */
const FIELD_WORDS: Readonly<Record<string, { label: string; when: string }>> = {
  investigationCompleteDate: {
    label: 'Day the investigation or prosecution was complete',
    when: 'Only for a filing before the day the survivor may adjust status, said above. ',
  },
};

/**
 * A fixed choice of a detail in words, never its code: a USCIS notice by its name, then the abbreviation printed on it
 * ("Notice of intent to deny (NOID)"), as the one who has the notice in hand reads it.
 */
function choiceInWords(field: string, code: string): string {
  const notice = field === 'notice' && Object.hasOwn(USCIS_NOTICE_WORDS, code) ? USCIS_NOTICE_WORDS[code] : undefined;
  return notice ? `${notice} (${code.toUpperCase()})` : humanize(code);
}

/**
 * What the API records for an optional date of a sign-off left empty (domain/steps.ts, the tracks): the day it is
 * recorded for the day of an event, the policy's for the end of a validity or the day T status may be adjusted. Said
 * on the form, where "(optional)" alone let a decision entered after the fact count from today, and on the check page.
 */
const LEFT_EMPTY: Readonly<Record<string, { recorded: string; instead: string }>> = {
  grantedOn: { recorded: 'today', instead: 'give the day on the decision if it was earlier' },
  renewedOn: { recorded: 'today', instead: 'give the day on the decision if it was earlier' },
  decidedOn: { recorded: 'today', instead: 'give the day on the decision if it was earlier' },
  issuedOn: { recorded: 'today', instead: 'give the day on the letter if it was earlier' },
  validUntil: {
    recorded: "the longest the case's policy allows",
    instead: 'give the last day the document states, if it states one',
  },
  adjustmentEligibleFrom: {
    recorded: "the day the case's policy gives, counted from the approval",
    instead: 'give the day the approval notice states, if it states one',
  },
};

export function detailFields(kind: StepKind, outcome: string): DetailField[] {
  const definition = STEP_CATALOGUE[kind].outcomes[outcome];
  if (!definition || !(definition.details instanceof z.ZodObject)) return [];
  const shape = definition.details.shape as Record<string, z.ZodType>;
  return Object.entries(shape).map(([name, schema]) => {
    const required = !(schema instanceof z.ZodOptional);
    const inner = schema instanceof z.ZodOptional ? (schema.unwrap() as z.ZodType) : schema;
    const label = FIELD_WORDS[name]?.label ?? detailLabel(name);
    const noun = DETAIL_NOUNS[name] ?? `the ${label.toLowerCase()}`;
    // A browser's date picker shows the date its own way: the hint shows one in words, never a format.
    if (inner instanceof z.ZodISODate)
      return {
        name,
        label,
        noun,
        control: 'date',
        options: [],
        required,
        hint: `${FIELD_WORDS[name]?.when ?? ''}For example, 27 March 2027`,
        ...(!required && Object.hasOwn(LEFT_EMPTY, name) ? { leftEmpty: LEFT_EMPTY[name] } : {}),
      };
    if (inner instanceof z.ZodEnum)
      return {
        name,
        label,
        noun,
        control: 'select',
        options: inner.options.map((option) => [String(option), choiceInWords(name, String(option))]),
        required,
      };
    // A reason is a short code, shown unsealed in the timeline: chosen from a list in words, never typed.
    if (name === 'reason') return { name, label, noun, control: 'select', options: refusalReasons(kind), required };
    if (name === 'note')
      return {
        name,
        label,
        noun,
        control: 'textarea',
        options: [],
        required,
        hint: "stored encrypted; only people who may see the survivor's identity can read it",
      };
    return { name, label, noun, control: 'text', options: [], required };
  });
}

/** A field's value as a page shows it back: a date in words (a day that is none as typed), a choice by its words. */
export function answerInWords(field: DetailField, value: string, words: Pick<Words, 'calendarDay'>): string {
  if (field.control === 'date')
    return Number.isNaN(Date.parse(`${value}T00:00:00Z`)) ? value : words.calendarDay(value);
  if (field.control === 'select') return field.options.find(([code]) => code === value)?.[1] ?? value;
  return value;
}

/** The details of a posted form: the chosen outcome's fields, trimmed, empty ones left out for the API to judge. */
export function detailsFromForm(
  kind: StepKind,
  outcome: string,
  form: Record<string, unknown>,
): Record<string, string> {
  const details: Record<string, string> = {};
  for (const field of detailFields(kind, outcome)) {
    const value = form[`details.${field.name}`];
    if (typeof value !== 'string' || value.trim() === '') continue;
    details[field.name] = field.control === 'date' ? dayTyped(value) : value.trim();
  }
  return details;
}

const MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];

/**
 * A day as a person types it where a browser offers no date picker, as the hint's example writes it ("6 December
 * 2026", "6 Dec 2026", "December 6, 2026"), read as the day it names (`YYYY-MM-DD`, as the API takes it); anything
 * else, a day the calendar has not (31 November) included, as typed, for the API's check to refuse in words.
 */
export function dayTyped(typed: string): string {
  const value = typed.trim();
  const dayFirst = /^(\d{1,2})\s+([a-z]+)\.?,?\s+(\d{4})$/i.exec(value);
  const monthFirst = /^([a-z]+)\.?\s+(\d{1,2}),?\s+(\d{4})$/i.exec(value);
  const [day, monthName, year] = dayFirst
    ? [dayFirst[1]!, dayFirst[2]!, dayFirst[3]!]
    : monthFirst
      ? [monthFirst[2]!, monthFirst[1]!, monthFirst[3]!]
      : [];
  if (!day || !monthName || !year) return value;
  const name = monthName.toLowerCase();
  const month = MONTHS.findIndex((full) => full === name || (name.length >= 3 && full.startsWith(name))) + 1;
  if (month === 0) return value;
  const iso = `${year}-${String(month).padStart(2, '0')}-${day.padStart(2, '0')}`;
  const date = new Date(`${iso}T00:00:00.000Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(iso) ? iso : value;
}

/** The form sent without an outcome chosen. */
export const noOutcome = () =>
  new ApiProblem(422, { detail: 'Choose an outcome.', errors: [{ field: 'outcome', message: 'required' }] });

/**
 * The catalogue's own check of an outcome and its details (a refusal's reason against its step's list too), before
 * the check-your-answers page: a refusal shaped as the API's (422, field `details.<name>`), so the form shows it the
 * one way. The API checks again at the sign-off.
 */
export function checkDetails(kind: StepKind, outcome: string, details: Record<string, string>): ApiProblem | undefined {
  const definition = STEP_CATALOGUE[kind].outcomes[outcome];
  if (!definition) return noOutcome();
  const result = definition.details.safeParse(details);
  if (result.success) {
    // A refusal's code off its step's list, as the API refuses it (a hand-made request, an old form).
    const unlisted = unlistedRefusalReason(kind, details);
    return unlisted
      ? new ApiProblem(422, {
          detail: 'The sign-off is not complete.',
          errors: [{ field: unlisted.field ?? 'details', message: unlisted.message }],
        })
      : undefined;
  }
  return new ApiProblem(422, {
    detail: 'The sign-off is not complete.',
    errors: result.error.issues.map((issue) => ({
      field: issue.path.length ? `details.${issue.path.join('.')}` : 'details',
      // A field left empty is absent from the details: say so, whatever the schema's words for a wrong value.
      message: issue.path.length && details[String(issue.path[0])] === undefined ? 'required' : issue.message,
    })),
  });
}

/**
 * A correction's answers checked before its check page: the sign-off's details as for a sign-off, and a reason, which
 * every correction needs (it stays with the step and explains the change in the timeline).
 */
export function checkCorrection(
  kind: StepKind,
  outcome: string,
  details: Record<string, string>,
  reason: string | undefined,
): ApiProblem | undefined {
  const refused = checkDetails(kind, outcome, details);
  if (reason?.trim()) return refused;
  const errors = [...(refused?.problem.errors ?? []), { field: 'reason', message: 'required' }];
  return new ApiProblem(422, { detail: 'The correction is not complete.', errors });
}
