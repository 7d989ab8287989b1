/**
 * A sign-off's free-text note, sealed like the survivor's identity (core/identity-cipher.ts, the same keyring): people
 * write names and birth dates there. The sealed form is one string, `sealed:<key id>:<base64>`, so it travels in a
 * step's details through the workflow and the read model like any other value. The case and the step are bound as
 * associated data, so a sealed note copied onto another step or case does not open.
 */
import { SEALED_NOTE } from '../domain/steps';
import { open, seal, type IdentityKeyring } from '../core/identity-cipher';

export interface NotePlace {
  caseId: string;
  stepId: string;
}

const PREFIX = 'sealed:';

const contextOf = ({ caseId, stepId }: NotePlace) => `note:${caseId}:${stepId}`;

/** Without a keyring (local development only) the note is stored as is under key id "plaintext", as identities are. */
export function sealNote(note: string, place: NotePlace, keyring: IdentityKeyring | undefined): string {
  const { ciphertext, keyId } = seal(Buffer.from(note, 'utf8'), contextOf(place), keyring);
  const sealed = `${PREFIX}${keyId}:${ciphertext.toString('base64')}`;
  // Else the workflow would refuse every note as unsealed, blaming the caller for the keyring's configuration.
  if (!SEALED_NOTE.test(sealed))
    throw new Error(
      `identity key id "${keyId}" cannot name a sealed note: use at most 100 characters, no ":" or spaces`,
    );
  return sealed;
}

/**
 * The note in the clear, or null when it does not open here (a key no longer kept, another step's note). A note
 * recorded before notes were sealed is returned as it was written: callers show it under the same rule.
 */
export function openNote(stored: string, place: NotePlace, keyring: IdentityKeyring | undefined): string | null {
  if (!SEALED_NOTE.test(stored)) return stored;
  const [keyId, body] = stored.slice(PREFIX.length).split(':') as [string, string];
  try {
    return open(Buffer.from(body, 'base64'), keyId, contextOf(place), keyring).toString('utf8');
  } catch {
    return null;
  }
}
