/**
 * The survivor's identity fields as the API checks them (api/schemas.ts): a name, an A-number, a contact and a
 * preferred language. The console checks the fields of a correction it cannot send yet by the same rules, so a form
 * says every problem at once rather than one send at a time.
 */
import { z } from 'zod';
import { singleLineText } from './text';

// One problem at a time: an empty name is too short, not also without letters.
export const NameTextSchema = z.string().trim().min(1, { abort: true }).max(200);
/**
 * A person's name in any script: one line as every name is (domain/text.ts), with at least one letter (zero-width
 * spaces only would list as a blank case).
 */
export const SurvivorNameSchema = singleLineText(NameTextSchema).regex(
  /\p{L}/u,
  'expected a name: at least one letter',
);
/**
 * Why the birth date is never corrected, and what to do instead: said by its field, by a correction of the identity
 * and by an identity entered again (PUT) with another birth date than the one on record.
 */
export const BIRTH_DATE_NOT_CORRECTABLE =
  "the birth date cannot be corrected: it decided the case's path and deadlines when the case opened; if it was entered wrongly, the case's coordinator withdraws the case (reason: opened in error) and it is opened again with the right one";
/**
 * An A-number as it is recorded: USCIS prints it set apart in threes by hyphens (A123-456-789, A-123-456-789), and
 * people type it with spaces or a small a; recorded without them, and the a capital (A123456789), so one number reads
 * and compares the same however it was typed. Its leading A is kept or left out as typed. Digits set apart otherwise
 * are refused: 123-45-6789 is a Social Security number's shape, not an A-number's.
 */
export function aNumberAsRecorded(typed: string): string {
  return typed.replace(/[\s-]/g, '').replace(/^a/, 'A');
}
/**
 * Checked as typed, so that the OpenAPI document's pattern takes what the API does, then recorded as
 * `aNumberAsRecorded` writes it.
 */
export const ANumberSchema = z
  .string()
  .regex(
    /^\s*(?:[Aa][\s-]?)?(?:\d{8,9}|\d{2,3}[\s-]\d{3}[\s-]\d{3})\s*$/,
    'expected an A-number: optional "A" then 8 or 9 digits, run together or set apart in threes (A123-456-789)',
  )
  .overwrite(aNumberAsRecorded);
export const ContactSchema = singleLineText(z.string().trim().max(200));
/** A BCP 47 tag as people write them: a language, then optional script, region or variant subtags. */
export const LanguageSchema = z
  .string()
  .regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$/, 'expected a language tag such as es, pt-BR or zh-Hant');

/** The field's format, or '' to clear it (one string type, so the generated client types stay simple). */
const clearable = (schema: z.ZodString) =>
  z
    .string()
    .refine((value) => value === '' || schema.safeParse(value).success, {
      error: (issue) => schema.safeParse(issue.input).error?.issues[0]?.message ?? 'not valid',
    })
    // Written as the field's own schema records it (an A-number without its hyphens).
    .overwrite((value) => (value === '' ? value : (schema.safeParse(value).data ?? value)));

/** Each field as a correction sends it: an optional field may be cleared with ''. */
export const SURVIVOR_CORRECTION_FIELDS = {
  name: SurvivorNameSchema,
  aNumber: clearable(ANumberSchema),
  contact: ContactSchema,
  preferredLanguage: clearable(LanguageSchema),
} as const;

type CorrectedField = keyof typeof SURVIVOR_CORRECTION_FIELDS;

/**
 * What the API would say of each field of a correction (its first problem, as a refusal names the field), by field;
 * nothing for a field that is valid or not sent.
 */
export function survivorFieldProblems(correction: Partial<Record<CorrectedField, string>>): Record<string, string> {
  const problems: Record<string, string> = {};
  for (const [field, value] of Object.entries(correction)) {
    const schema = SURVIVOR_CORRECTION_FIELDS[field as CorrectedField];
    if (value === undefined || !schema) continue;
    const message = schema.safeParse(value).error?.issues[0]?.message;
    if (message) problems[field] = message;
  }
  return problems;
}
