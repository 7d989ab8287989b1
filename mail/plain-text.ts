/**
 * Names in an email are shown without the characters that would make them read as other text: a display name or
 * agency name stored before such names were refused (domain/text.ts) may hold a right-to-left override, which reverses
 * the rest of its line, or a line break, which in a subject starts another line. A plain-text email has no `<bdi>` to
 * set a name apart, so the controls are removed as the email is sent; its text keeps its own lines and tabs.
 */
// eslint-disable-next-line no-control-regex -- control characters are what is removed
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/gu;

/** An email's subject and text as sent: the subject on one line, the text with its lines kept. */
export function shownInPlainText(email: { subject: string; text: string }): { subject: string; text: string } {
  return {
    subject: email.subject.replace(/[\t\r\n]+/g, ' ').replace(CONTROLS, ''),
    // The email's own lines end in \n alone: a \r is a name's line break, read as a space.
    text: email.text.replace(/\r\n?/g, ' ').replace(CONTROLS, ''),
  };
}
