/**
 * Text people type for others to read: a name or label sits inside the sentences other people read ("Signed by …",
 * an email's subject), a note is read on its own. Both are refused when they would display as other text: the
 * bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) reorder what follows them, and a
 * value of invisible characters only reads as blank. A name or label is also one line: no line break, tab or other
 * control character. Zero-width joiners and non-joiners and the direction marks stay: names in Persian, Arabic, Hebrew
 * or Indic scripts use them. Broken UTF-16 (a lone surrogate) is refused as a control.
 */
import type { z } from 'zod';

const DIRECTION_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/u;
const CONTROLS = /[\p{Cc}\p{Cs}]/u;
/** Spaces, zero-width characters, joiners, word joiner, BOM, direction marks, soft hyphen: nothing anyone can see. */
const INVISIBLE_ONLY = /^[\s\u00AD\u200B-\u200F\u2060\uFEFF]+$/u;

function refusalOf(text: string, oneLine: boolean): string | null {
  if (oneLine && CONTROLS.test(text))
    return 'expected one line of text: no line breaks, tabs or other control characters';
  if (DIRECTION_CONTROLS.test(text)) {
    return 'expected text without direction controls (U+202A–U+202E, U+2066–U+2069), which reorder the text around it';
  }
  if (INVISIBLE_ONLY.test(text)) return 'expected visible text, not only spaces or invisible characters';
  return null;
}

const refined = <T extends z.ZodString>(schema: T, oneLine: boolean): T =>
  schema.superRefine((text, ctx) => {
    const message = refusalOf(text, oneLine);
    // One problem at a time: a name of zero-width spaces is not also said to have no letter.
    if (message) ctx.addIssue({ code: 'custom', message, continue: false });
  });

/** A name or label (a display name, an agency's name, a key's label, a contact): one line, shown as typed. */
export const singleLineText = <T extends z.ZodString>(schema: T): T => refined(schema, true);

/** Free text read on its own (a note): its line breaks stay, the direction controls are refused. */
export const multiLineText = <T extends z.ZodString>(schema: T): T => refined(schema, false);
