/**
 * The survivor's details in words: the preferred language, which the API keeps as a BCP 47 tag (`es`, `pt-BR`) and the
 * console names with `Intl.DisplayNames` ("Spanish", "Portuguese (Brazil)"), a tag it cannot name shown as it is; and
 * the fields a correction changed, as the case page's notice says them.
 */
import type { Request } from 'express';
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
 * The languages the correction form offers by name, the tags the API keeps: those most often needed to speak with
 * survivors identified in the United States, K'iche' among them (a Mayan language of Guatemala, whose speakers
 * often have Spanish only as a second language). Any other is entered as a tag under "Other".
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
export function languageOptions(): { tag: string; name: string }[] {
  return COMMON_LANGUAGES.map((tag) => ({ tag, name: languageInWords(tag) })).sort((a, b) =>
    a.name.localeCompare(b.name, 'en'),
  );
}

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
