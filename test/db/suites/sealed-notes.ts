/** A sign-off's note sealed with the identity keyring: it opens only on its own case and step, and only with a kept key. */
import { randomBytes } from 'node:crypto';
import type { IdentityKeyring } from '../../../core/identity-cipher';
import { openNote, sealNote } from '../../../db/sealed-notes';
import { SEALED_NOTE, SEALED_NOTE_MAX_LENGTH } from '../../../domain/steps';

describe('sealed-notes', () => {
  const keyring: IdentityKeyring = { current: { id: 'notes-2026', key: randomBytes(32) } };
  const place = { caseId: '5d0b7c1e-8a4f-4f7e-9a51-0c3b2f6a1d22', stepId: 'cp_request-1' };
  const NOTE = 'Met Zofia Quetzal (born 1987-07-19) at the shelter';

  test('a sealed note is one string of the sealed form, holds no plaintext, and opens on its own case and step', () => {
    const sealed = sealNote(NOTE, place, keyring);
    expect(sealed).toMatch(SEALED_NOTE);
    expect(sealed.startsWith('sealed:notes-2026:')).toBe(true);
    expect(sealed).not.toContain('Zofia');
    expect(openNote(sealed, place, keyring)).toBe(NOTE);
    // A random nonce per seal: the same note twice is two different strings.
    expect(sealNote(NOTE, place, keyring)).not.toBe(sealed);
  });

  test('a sealed note copied onto another step or case, or opened without its key, does not open', () => {
    const sealed = sealNote(NOTE, place, keyring);
    expect(openNote(sealed, { ...place, stepId: 'cp_decision-1' }, keyring)).toBeNull();
    expect(openNote(sealed, { ...place, caseId: '0f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a00' }, keyring)).toBeNull();
    expect(openNote(sealed, place, { current: { id: 'other-key', key: randomBytes(32) } })).toBeNull();
    expect(openNote(sealed, place, undefined)).toBeNull();
    // A previous key still opens what it sealed after a rotation.
    expect(
      openNote(sealed, place, { current: { id: 'notes-2027', key: randomBytes(32) }, previous: [keyring.current] }),
    ).toBe(NOTE);
  });

  test('the longest note, in the widest characters, still fits the sealed form', () => {
    const longest = '\u4e2d'.repeat(500);
    const sealed = sealNote(longest, place, { current: { id: 'k'.repeat(100), key: randomBytes(32) } });
    expect(sealed.length).toBeLessThanOrEqual(SEALED_NOTE_MAX_LENGTH);
    expect(sealed).toMatch(SEALED_NOTE);
  });

  test('a key id that cannot name a sealed note is a configuration error, not a note refused later', () => {
    expect(() => sealNote(NOTE, place, { current: { id: 'k'.repeat(101), key: randomBytes(32) } })).toThrow(
      /cannot name a sealed note/,
    );
  });

  test('without a keyring (local development) the note is kept as is under "plaintext", as identities are', () => {
    const sealed = sealNote(NOTE, place, undefined);
    expect(sealed).toMatch(/^sealed:plaintext:/);
    expect(openNote(sealed, place, undefined)).toBe(NOTE);
  });

  test('a note written before notes were sealed is returned as it was, for the caller to show under the same rule', () => {
    expect(openNote('sent by fax', place, keyring)).toBe('sent by fax');
  });
});
