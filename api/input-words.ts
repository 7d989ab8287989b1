/**
 * What a refused input must be, in words a case worker can follow, for the refusals whose schema gives none of its
 * own: zod's wording says what the validator met ("Invalid input: expected string, received undefined", "Too small:
 * expected string to have >=1 characters"). Used as the error map of every route's parse (api/route.ts), below a
 * schema's own messages, which win. The refused value itself is never quoted: it may be a survivor's name.
 */
import type { z } from 'zod';

/** A JSON type, as the sentence "must be …" ends. */
const TYPE_WORDS: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  bigint: 'a whole number',
  boolean: 'true or false',
  object: 'an object',
  record: 'an object',
  array: 'a list',
  tuple: 'a list',
  set: 'a list',
  date: 'a date',
  null: 'null',
  undefined: 'left out',
  never: 'left out',
};

/** What was sent instead, as a JSON type: never the value. */
function sentAs(input: unknown): string {
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'a list';
  switch (typeof input) {
    case 'string':
      return 'text';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'true or false';
    case 'object':
      return 'an object';
    default:
      return 'something else';
  }
}

/** The formats of zod's string checks this API uses, as the sentence "must be …" ends. */
const FORMAT_WORDS: Record<string, string> = {
  email: 'an email address',
  url: 'a URL (https://…)',
  uuid: 'an id (a UUID)',
  guid: 'an id (a UUID)',
  datetime: 'a date and time (ISO 8601, e.g. 2026-03-08T14:30:00Z)',
  date: 'a date (YYYY-MM-DD)',
  time: 'a time of day (HH:MM)',
  jwt: 'a signed token (JWT)',
};

const count = (n: number | bigint, one: string) => `${n} ${one}${n === 1 || n === 1n ? '' : 's'}`;

/** The size a too_small or too_big issue is about, in words: characters, items or the number itself. */
function bound(origin: string, limit: number | bigint): string {
  if (origin === 'string') return count(limit, 'character');
  if (origin === 'array' || origin === 'set') return count(limit, 'item');
  return String(limit);
}

function tooSmall(issue: z.core.$ZodRawIssue<z.core.$ZodIssueTooSmall>): string {
  const { origin, minimum } = issue;
  if ((origin === 'string' || origin === 'array' || origin === 'set') && Number(minimum) === 1 && !issue.exact)
    return 'must not be empty';
  if (issue.exact) return `must be exactly ${bound(origin, minimum)}`;
  if (origin === 'string' || origin === 'array' || origin === 'set')
    return `must have at least ${bound(origin, minimum)}`;
  if (origin === 'date') return `must not be before ${String(minimum)}`;
  return issue.inclusive === false ? `must be more than ${minimum}` : `must be at least ${minimum}`;
}

function tooBig(issue: z.core.$ZodRawIssue<z.core.$ZodIssueTooBig>): string {
  const { origin, maximum } = issue;
  if (issue.exact) return `must be exactly ${bound(origin, maximum)}`;
  if (origin === 'string' || origin === 'array' || origin === 'set')
    return `must have at most ${bound(origin, maximum)}`;
  if (origin === 'date') return `must not be after ${String(maximum)}`;
  return issue.inclusive === false ? `must be less than ${maximum}` : `must be at most ${maximum}`;
}

/** The words for one issue; undefined leaves zod's (an issue this API's schemas do not raise). */
export function inWords(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type': {
      const expected = TYPE_WORDS[issue.expected] ?? issue.expected;
      if (issue.input === undefined) return 'is required';
      // A number where a whole number belongs: what is wrong is its fraction (it used to read "not a number").
      if (issue.expected === 'int' && typeof issue.input === 'number') return `must be ${expected}, not a fraction`;
      return `must be ${expected}, not ${sentAs(issue.input)}`;
    }
    case 'invalid_value': {
      const values = issue.values.map(String);
      if (issue.input === undefined) return `is required: one of ${values.join(', ')}`;
      return values.length === 1 ? `must be ${values[0]}` : `must be one of ${values.join(', ')}`;
    }
    case 'too_small':
      return tooSmall(issue);
    case 'too_big':
      return tooBig(issue);
    case 'invalid_format': {
      const words = FORMAT_WORDS[issue.format];
      return words ? `must be ${words}` : 'is not in the form it must have';
    }
    case 'not_multiple_of':
      return `must be a multiple of ${issue.divisor}`;
    case 'invalid_union':
      return issue.input === undefined ? 'is required' : 'is not in any of the forms it may take';
    case 'invalid_key':
      return 'has a key that is not valid';
    case 'invalid_element':
      return 'has an item that is not valid';
    case 'custom':
      return 'is not valid';
    default:
      return undefined;
  }
}
