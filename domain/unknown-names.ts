/**
 * A field or query parameter no schema takes is the sender's own text, often a name or a birth date typed into an
 * address (`/api/cases?Jane%20Example%201994-03-02`) or used as a key (`"details": {"Maria Lopez 1990-01-02": …}`),
 * and a refusal repeating it ends up in logs, screens and bug reports. It is named only when it reads as a typo of a
 * name the schema takes: a plain identifier (ASCII letters, a lower-case first one, as every name of ours) within two
 * edits of a real name (`limt`, `refrence`, `grantedOnn`); any other reads "an unknown field" (or "parameter"). One rule
 * for the API's schemas (api/route.ts) and for the case's own, which read a sign-off's details (domain/case.ts).
 */
import { z } from 'zod';

const PLAIN_NAME = /^[a-z][A-Za-z]{0,39}$/;

/** Whether an unknown name may be repeated in a refusal: a typo of one of the names the schema takes. */
export function readsAsTypoOf(name: string, known: readonly string[]): boolean {
  return PLAIN_NAME.test(name) && known.some((real) => withinTwoEdits(name, real));
}

/** What a refusal says in place of the unknown names it does not repeat. */
export function withheldNamesWords(count: number, noun: 'parameter' | 'field'): string {
  return count === 1
    ? `an unknown ${noun} (its name is not repeated: it may be text about a person)`
    : `${count.toLocaleString('en-US')} unknown ${noun}s (their names are not repeated: they may be text about a person)`;
}

/** Whether two names are at most two edits apart (insertions, deletions, substitutions): a typo of one another. */
function withinTwoEdits(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 2) return false;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1)
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length]! <= 2;
}

/**
 * The names of the fields a schema takes, at any depth: every key of every object it holds (through optionals,
 * arrays, unions and pipes), none for a schema of no object.
 */
export function fieldNamesOf(schema: z.ZodType | undefined): string[] {
  const names = new Set<string>();
  const seen = new Set<z.ZodType>();
  const visit = (node: unknown): void => {
    if (!(node instanceof z.ZodType) || seen.has(node)) return;
    seen.add(node);
    if (node instanceof z.ZodObject) {
      for (const [key, field] of Object.entries(node.shape)) {
        names.add(key);
        visit(field);
      }
    }
    // The schemas it wraps or combines: an optional's, a pipe's in and out, an array's element, a union's options.
    for (const part of Object.values(node._zod.def as unknown as Record<string, unknown>))
      for (const each of Array.isArray(part) ? (part as unknown[]) : [part]) visit(each);
  };
  visit(schema);
  return [...names];
}
