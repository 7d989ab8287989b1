/**
 * Names people typed (a user's display name, an agency's name) sit inside the console's sentences: "Signed by … (…)
 * on 4 Dec 2026". A name with a right-to-left override, stored before such names were refused (domain/text.ts), would
 * reverse the rest of its sentence; a name in Arabic or Hebrew would reorder the words beside it. Each name is set
 * apart: in the sentence's text between FSI and PDI (U+2068, U+2069), which the page renders as `<bdi>`.
 */
const FIRST_STRONG_ISOLATE = '\u2068';
const POP_DIRECTIONAL_ISOLATE = '\u2069';
const ISOLATE_CONTROLS = /[\u2066-\u2069]/gu;
const ISOLATED = /\u2068([^\u2068\u2069]*)\u2069/gu;

/** The name set apart from the sentence around it; isolate controls of its own dropped, so it cannot end early. */
export function isolated(name: string): string {
  return `${FIRST_STRONG_ISOLATE}${name.replace(ISOLATE_CONTROLS, '')}${POP_DIRECTIONAL_ISOLATE}`;
}

/** A sentence as HTML: escaped, each name `isolated` set apart in a `<bdi>`. */
export function sentenceHtml(sentence: string, escape: (text: string) => string): string {
  return escape(sentence).replace(ISOLATED, '<bdi>$1</bdi>');
}
