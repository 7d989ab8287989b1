/**
 * A refused form as the admin and account pages show it: one message per field, next to the field and linked from
 * an error summary at the top of the page (web/views/error-summary.eta), and the whole answer in words when no
 * field of the form is named.
 */
import { ApiProblem } from './api-client';

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
 */
export function formProblemOf(error: unknown, fields: readonly string[]): FormProblem {
  if (!(error instanceof ApiProblem) || !FORM_STATUSES.includes(error.status)) throw error;
  const errors: Record<string, string> = {};
  let unplaced = false;
  for (const [field, message] of Object.entries(error.fieldErrors())) {
    if (fields.includes(field)) errors[field] = message;
    else unplaced = true;
  }
  const message = unplaced || Object.keys(errors).length === 0 ? (error.problem.detail ?? error.message) : undefined;
  return { errors, message };
}

/** A problem found by the console itself before asking the API (e.g. a confirmation box left unticked). */
export const fieldProblem = (field: string, message: string): FormProblem => ({ errors: { [field]: message } });

/** A page's title, prefixed as people using screen readers expect when the form on it was refused. */
export const titleOf = (title: string, problem: FormProblem | undefined) => (problem ? `Error: ${title}` : title);
