/**
 * The survivor's details in words: the preferred language, which the API keeps as a BCP 47 tag (`es`, `pt-BR`) and the
 * console names with `Intl.DisplayNames` ("Spanish", "Portuguese (Brazil)"), a tag it cannot name shown as it is; how
 * the open-case and correction forms take it (web/views/language-field.eta); and the fields a correction changed, as
 * the case page's notice says them.
 */
import type { Request } from 'express';
import type { NamedField } from './form-problems';
import { param } from './kit';

const NAMES = new Intl.DisplayNames(['en'], { type: 'language', languageDisplay: 'standard', fallback: 'code' });

/** `es` → "Spanish", `pt-BR` → "Portuguese (Brazil)"; a tag no name is known for, as it is. */
export function languageInWords(tag: string): string {
  try {
    return NAMES.of(tag) ?? tag;
  } catch {
    // Not a well-formed tag (written by another client before the API checked): as it is.
    return tag;
  }
}

/**
 * The languages the open-case and correction forms offer by name, the tags the API keeps: those most often needed to
 * speak with survivors identified in the United States, K'iche' among them (a Mayan language of Guatemala, whose
 * speakers often have Spanish only as a second language). Any other is entered as a tag under "Other".
 */
export const COMMON_LANGUAGES: readonly string[] = [
  'es',
  'en',
  'pt',
  'fr',
  'ht',
  'quc',
  'zh',
  'vi',
  'tl',
  'ko',
  'th',
  'ru',
  'uk',
  'ar',
  'hi',
];

/** The common languages as the form's options, in words, in alphabetical order. */
function languageOptions(): { tag: string; name: string }[] {
  return COMMON_LANGUAGES.map((tag) => ({ tag, name: languageInWords(tag) })).sort((a, b) =>
    a.name.localeCompare(b.name, 'en'),
  );
}

/** The list's choice of a language not in it: its tag is typed in the code's input. */
export const OTHER_LANGUAGE = 'other';

/** What web/views/language-field.eta offers: the common languages' options, and the value of "Other language". */
export const languageChoices = () => ({ languages: languageOptions(), other: OTHER_LANGUAGE });

/**
 * A form's two inputs of the preferred language (web/views/language-field.eta), by their names: `choice`, the list;
 * `code`, the tag typed under "Other language". `preferredLanguage` and `preferredLanguageOther` on the correction
 * form, the same under `survivor.` on the open-case form.
 */
export interface LanguageInputs {
  choice: string;
  code: string;
}

/** The language the two inputs say: the list's, or the code typed under "Other language"; '' for none. */
export function languageChosen(form: Record<string, string>, inputs: LanguageInputs): string {
  const chosen = form[inputs.choice] === OTHER_LANGUAGE ? form[inputs.code] : form[inputs.choice];
  return (chosen ?? '').trim();
}

/** "Other language" chosen with no code typed: sent, the form would record no language, or clear the one recorded. */
const noLanguageCode = (form: Record<string, string>, inputs: LanguageInputs) =>
  form[inputs.choice] === OTHER_LANGUAGE && !form[inputs.code]?.trim();

/**
 * A code typed in "Code of the other language" while the list says a listed language or "Not recorded": sent, the
 * code would be dropped without a word. `opened`, the language a correction form was opened with (left there when a
 * listed one is chosen instead), is no answer typed, so not refused.
 */
const strayLanguageCode = (form: Record<string, string>, inputs: LanguageInputs, opened = '') => {
  const code = form[inputs.code]?.trim() ?? '';
  return form[inputs.choice] !== OTHER_LANGUAGE && code !== '' && code !== opened;
};
const STRAY_CODE = 'Choose “Other language” in the list to record this code, or clear it';

/**
 * The problems of the two inputs that the form does not send, by the code's input: "Other language" with no code is
 * asked for ('required', said by the code's noun: "Enter the language’s code"), a stray code said so.
 */
export function unsentLanguageProblems(
  form: Record<string, string>,
  inputs: LanguageInputs,
  opened?: string,
): Record<string, string> {
  if (noLanguageCode(form, inputs)) return { [inputs.code]: 'required' };
  return strayLanguageCode(form, inputs, opened) ? { [inputs.code]: STRAY_CODE } : {};
}

/**
 * The API's refusal of the language, `errors[choice]`, said by the code typed: only a typed tag can be refused, the
 * list's are valid.
 */
export function languageRefusalByCode(errors: Record<string, string>, inputs: LanguageInputs): Record<string, string> {
  const { [inputs.choice]: refused, ...others } = errors;
  return refused === undefined ? others : { ...others, [inputs.code]: refused };
}

/** The two inputs as a form's plain messages name them (web/form-problems.ts). */
export const languageFields = (inputs: LanguageInputs): NamedField[] => [
  { name: inputs.choice, noun: 'the preferred language', control: 'select' },
  {
    name: inputs.code,
    noun: 'the language’s code',
    format: 'Enter a language code such as ht, pt-BR or zh-Hant, or choose the language from the list',
  },
];

/**
 * What an A-number is, in the words the open-case and correction forms say of one refused: the API's rule
 * (domain/survivor-fields.ts ANumberSchema), a Social Security number's 123-45-6789 refused too.
 */
export const A_NUMBER_FORMAT =
  'An A-number is 8 or 9 digits, with or without an A before them, run together or set apart in threes as USCIS prints it (A123-456-789)';

/** The fields POST /api/cases/{caseId}/survivor corrects, in the order the form and the notices name them. */
export const CORRECTABLE = ['name', 'aNumber', 'contact', 'preferredLanguage'] as const;
/** Each field as a notice names it. */
const FIELD_WORDS: Readonly<Record<(typeof CORRECTABLE)[number], string>> = {
  name: 'name',
  aNumber: 'A-number',
  contact: 'contact',
  preferredLanguage: 'preferred language',
};

/** The case page's notice after a correction, from the fields it changed (field names only: no value in the URL). */
export function survivorNotice(req: Request): string | undefined {
  if (param(req, 'notice') !== 'survivor-corrected') return undefined;
  const changed = (param(req, 'changed') ?? '').split(',');
  const list = fieldsInWords(changed);
  if (list === '') return 'Nothing changed: the survivor’s details were already as sent.';
  return `${list} corrected. Earlier versions are kept.`;
}

/** The fields a correction changed, in words: ["name", "contact"] → "Name and contact"; '' for none. */
export function fieldsInWords(fields: readonly string[]): string {
  const named = CORRECTABLE.filter((field) => fields.includes(field)).map((field) => FIELD_WORDS[field]);
  if (named.length === 0) return '';
  const list = named.length === 1 ? named[0]! : `${named.slice(0, -1).join(', ')} and ${named.at(-1)!}`;
  return `${list.charAt(0).toUpperCase()}${list.slice(1)}`;
}
